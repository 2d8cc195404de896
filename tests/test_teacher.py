"""Teacher: population least squares; loss vs Monte Carlo, robustness of the pseudo-inverse."""

import numpy as np
import pytest

import w2s_lib as L

N_MC = 200_000


@pytest.mark.parametrize("target", ["linear", "relu", "he2"])
def test_teacher_loss_matches_monte_carlo(target):
    d, M = 8, 24
    beta = L.sample_sphere(1, d, 11)[0]
    T = L.fit_teacher(L.sample_sphere(M, d, 0), target=target, beta=beta)
    X = L.sample_sphere(N_MC, d, 1)
    err2 = (L.relu_features(X, T.W) @ T.coef - L.target_values(X, target, beta)) ** 2
    se = err2.std(ddof=1) / np.sqrt(N_MC)
    assert abs(err2.mean() - T.loss) <= 4 * se
    assert 0.0 < T.loss < 1.0


def test_teacher_identities_norm_equals_overlap_equals_one_minus_loss():
    d = 12
    T = L.fit_teacher(L.sample_sphere(50, d, 2))
    G = L.population_gram(T.W)
    b = L.target_correlation(T.W)
    a = T.coef
    assert a.shape == (50,)
    assert a @ G @ a == pytest.approx(1 - T.loss, abs=1e-10)
    assert a @ b == pytest.approx(1 - T.loss, abs=1e-10)
    assert T.norm2 == pytest.approx(1 - T.loss, abs=1e-15)
    # projection: residual orthogonal to every feature
    assert np.allclose(G @ a - b, 0, atol=1e-10)


def test_teacher_default_direction_is_e1():
    W = L.sample_sphere(30, 6, 3)
    e1 = np.eye(6)[0]
    assert L.fit_teacher(W).loss == L.fit_teacher(W, beta=e1).loss
    assert np.array_equal(L.fit_teacher(W).beta, e1)


def test_teacher_loss_is_rotation_invariant():
    d = 7
    W = L.sample_sphere(40, d, 4)
    Q, _ = np.linalg.qr(np.random.default_rng(0).standard_normal((d, d)))
    beta = Q[:, 0]
    assert L.fit_teacher(W).loss == pytest.approx(L.fit_teacher(W @ Q.T, beta=beta).loss, abs=1e-9)


def test_teacher_loss_never_increases_when_features_are_added():
    d = 16
    W = L.sample_sphere(400, d, 5)
    losses = [L.fit_teacher(W[:m]).loss for m in (1, 4, 16, 64, 128, 256, 400)]
    assert np.all(np.diff(losses) <= 1e-12)
    assert losses[0] > 0.9 and losses[-1] < 0.05


def test_teacher_robust_to_singular_gram_duplicates_and_antipodes():
    d = 4
    W0 = L.sample_sphere(300, d, 6)
    W = np.vstack([W0, W0, -W0])  # exactly rank-deficient Gram, far more units than harmonics
    T = L.fit_teacher(W)
    assert np.all(np.isfinite(T.coef))
    assert 0.0 <= T.loss <= 1.0
    assert T.rank < W.shape[0]
    # duplicating units cannot change the span, hence not the loss
    assert T.loss == pytest.approx(L.fit_teacher(np.vstack([W0, -W0])).loss, abs=1e-7)


@pytest.mark.parametrize("d,M", [(3, 1000), (2, 300), (32, 800)])
def test_teacher_loss_in_unit_interval_for_ill_conditioned_gram(d, M):
    T = L.fit_teacher(L.sample_sphere(M, d, 7))
    assert 0.0 <= T.loss <= 1.0
    assert np.all(np.isfinite(T.coef))
    # the predictor must still be accurate in L2 (not blown up by tiny eigenvalues)
    G = L.population_gram(T.W)
    assert T.coef @ G @ T.coef == pytest.approx(1 - T.loss, abs=1e-6)


def test_single_unit_teacher_has_closed_form_loss():
    # one unit: a = b / G with G = 1/(2d), so L = 1 - 2d b^2 = 1 - (w . beta)^2 / 2
    d = 9
    w = L.sample_sphere(1, d, 8)
    cos = w[0, 0]
    b = cos / (2 * np.sqrt(d))
    expected = 1 - b * b * 2 * d  # 1 - b^2 / G, G = 1/(2d)
    assert L.fit_teacher(w).loss == pytest.approx(expected, rel=1e-12)
    assert expected == pytest.approx(1 - cos**2 / 2)


def test_least_squares_loss_equals_teacher_loss():
    W = L.sample_sphere(20, 5, 9)
    assert L.least_squares_loss(W, "relu") == L.fit_teacher(W, "relu").loss


@pytest.mark.parametrize("duplicate", [False, True])
def test_pseudo_inverse_solve_equals_a_dense_eigendecomposition(duplicate):
    """The teacher's solve (tridiagonal factorisation, no eigenvector matrix) gives the
    coefficients, ``b^T a`` and rank of the dense-``eigh`` pseudo-inverse with the same
    relative cutoff, also for a singular Gram (repeated and antipodal weight vectors)."""
    from w2s_lib.teacher import _projection

    W = L.sample_sphere(120, 6, 5)
    if duplicate:
        W = np.vstack([W, W[:10], -W[10:20]])
    G = L.population_gram(W)
    from w2s_lib.random_features import default_beta

    b = L.target_correlation(W, default_beta(6), "linear")
    lam, V = np.linalg.eigh(G)
    keep = lam > 1e-10 * lam[-1]
    proj = V[:, keep].T @ b
    a_ref, bta_ref = V[:, keep] @ (proj / lam[keep]), float(proj @ (proj / lam[keep]))
    a, bta, rank = _projection(G.copy(), b, 1e-10)
    assert rank == int(keep.sum()) and (rank < len(W)) == duplicate
    assert bta == pytest.approx(bta_ref, rel=1e-12)
    np.testing.assert_allclose(G @ a, G @ a_ref, atol=1e-10)  # the same fit of b
    np.testing.assert_allclose(a, a_ref, rtol=1e-7, atol=1e-9 * np.abs(a_ref).max())


@pytest.mark.parametrize("d, M", [(16, 256), (6, 120), (4, 512), (2, 300), (3, 1024)])
def test_fast_and_eigen_solves_give_the_dense_pseudo_inverse(d, M, monkeypatch):
    """The teacher's solve equals the dense-``eigh`` pseudo-inverse whichever path it takes:
    Cholesky when the Gram is well conditioned (no eigenvalue near the cutoff: the
    eigensolver is not called), the eigensolver when an eigenvalue may fall below it (small
    ``d``, many features). Between the two (condition numbers 1e4 to 1e10) either path may
    be taken, and both give the same fit."""
    import w2s_lib.teacher as teacher
    from w2s_lib.random_features import default_beta

    calls = []
    factor = teacher._GramFactor
    monkeypatch.setattr(teacher, "_GramFactor", lambda *a: calls.append(1) or factor(*a))
    W = L.sample_sphere(M, d, 1)
    G = L.population_gram(W)
    b = L.target_correlation(W, default_beta(d), "linear")
    lam, V = np.linalg.eigh(G)
    keep = lam > 1e-10 * lam[-1]
    proj = V[:, keep].T @ b
    bta_ref = float(proj @ (proj / lam[keep]))
    a, bta, rank = teacher._projection(G.copy(), b, 1e-10)
    well_conditioned = lam[0] > 1e3 * teacher.CHOLESKY_MARGIN * 1e-10 * lam[-1]
    if well_conditioned:  # the fast path, which keeps every direction
        assert not calls and rank == M
    if not keep.all():  # the cutoff drops directions: never the fast path, which keeps all
        assert calls and rank == int(keep.sum())
    assert 1 - bta == pytest.approx(1 - bta_ref, rel=1e-8, abs=1e-13)
