"""Student by gradient flow on teacher labels: closed forms vs gradient descent, kernel limit."""

import numpy as np
import pytest

import w2s_lib as L

TAUS = np.logspace(-3, 5, 200)


@pytest.fixture(scope="module")
def teacher16():
    return L.fit_teacher(L.sample_sphere(64, 16, 0))


def test_student_loss_starts_at_one(teacher16):
    assert L.student_loss(teacher16, 0.0) == pytest.approx(1.0, abs=1e-14)
    W = L.sample_sphere(100, 16, 1)
    assert L.student_loss(teacher16, 0.0, W) == pytest.approx(1.0, abs=1e-14)


def test_student_loss_is_shaped_like_tau(teacher16):
    W = L.sample_sphere(50, 16, 1)
    for tau in (3.0, np.ones(4), np.ones((2, 3))):
        for Ws in (None, W):
            out = L.student_loss(teacher16, tau, Ws)
            assert isinstance(out, np.ndarray) and out.shape == np.shape(tau)


def test_student_trajectory_is_memoised_per_weights(teacher16):
    W = L.sample_sphere(80, 16, 2)
    a = L.student_trajectory(teacher16, W)
    assert L.student_trajectory(teacher16, W.copy()) is a
    assert L.student_trajectory(teacher16, L.sample_sphere(80, 16, 3)) is not a
    assert L.student_trajectory(teacher16) is L.student_trajectory(teacher16)


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_kernel_limit_student_converges_to_teacher(seed):
    T = L.fit_teacher(L.sample_sphere(128, 32, seed))
    late = L.student_loss(T, np.array([1e40, 1e100]))
    assert late == pytest.approx([T.loss, T.loss], abs=1e-12)
    # and it is still far from the teacher at tau ~ 10 (the high degrees are not learned yet)
    assert L.student_loss(T, 10.0) < 0.5 * T.loss


def test_kernel_limit_linear_target_matches_science_formula(teacher16):
    T = teacher16
    H = T.harmonics
    lam1 = 1 / (4 * 16**2)
    t = np.array([0.3, 3.0, 30.0]) / lam1
    g = lambda lam: 1 - np.exp(-lam * t)  # noqa: E731
    formula = 1 - 2 * g(lam1) * (1 - T.loss) + sum(g(l) ** 2 * e for l, e in zip(H.eigenvalues, H.energies))
    formula += g(H.tail_eigenvalue) ** 2 * H.tail_energy
    assert L.student_loss(T, t * lam1) == pytest.approx(formula, abs=1e-13)
    assert np.allclose(H.cross, np.eye(H.max_degree + 1)[1] * (1 - T.loss), atol=1e-12)


def test_closed_form_trajectory_equals_gradient_descent():
    T = L.fit_teacher(L.sample_sphere(40, 8, 3))
    W = L.sample_sphere(60, 8, 4)
    F = L.student_trajectory(T, W)
    errs = []
    for n in (2000, 20000):
        taus, losses = L.gradient_descent_student(T, W, 5.0, n)
        errs.append(np.max(np.abs(losses - F.loss(taus))))
    assert errs[1] < 1e-4
    assert 7 < errs[0] / errs[1] < 13  # first-order (Euler) convergence to the flow


def test_closed_form_coefficients_solve_the_flow_ode():
    T = L.fit_teacher(L.sample_sphere(30, 6, 5))
    W = L.sample_sphere(45, 6, 6)
    F = L.student_trajectory(T, W)
    S = L.population_gram(W)
    c = L.population_gram(W, T.W) @ T.coef
    tau, h = 2.0, 1e-5
    lam1 = 1 / (4 * 36)
    du = (F.coef(tau + h) - F.coef(tau - h)) / (2 * h / lam1)
    assert np.allclose(du, (c - S @ F.coef(tau)) / 45, atol=1e-8)
    assert np.allclose(F.coef(0.0), 0.0)


def test_finite_student_approaches_kernel_limit_as_width_grows():
    d = 16
    T = L.fit_teacher(L.sample_sphere(64, d, 7))
    ker = L.student_loss(T, TAUS)
    errs = []
    for M in (64, 256, 1024):
        errs.append(np.max(np.abs(L.student_loss(T, TAUS, L.sample_sphere(M, d, 100 + M)) - ker)))
    assert np.all(np.diff(errs) < 0), errs
    assert errs[-1] < 0.25 * errs[0]


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_floor_holds_for_kernel_limit_at_every_time(seed):
    for M in (16, 64, 256):
        T = L.fit_teacher(L.sample_sphere(M, 32, seed))
        ls = L.student_loss(T, TAUS)
        assert np.all(ls >= L.floor(TAUS, T.loss) - 1e-12)
        assert np.all(ls >= T.loss**2 - 1e-12)


@pytest.mark.parametrize("seed", [0, 1])
def test_finite_student_obeys_cauchy_schwarz_floor_and_quadratic_bound(seed):
    T = L.fit_teacher(L.sample_sphere(128, 32, seed))
    for M in (64, 512):
        F = L.student_trajectory(T, L.sample_sphere(M, 32, 10 + seed))
        ls = F.loss(TAUS)
        assert np.all(ls >= (1 - F.target_overlap(TAUS)) ** 2 - 1e-10)
        assert np.all(ls >= T.loss**2)


def test_kernel_limit_curve_is_u_shaped_in_log_time():
    T = L.fit_teacher(L.sample_sphere(256, 32, 0))
    ls = L.student_loss(T, TAUS)
    i = int(np.argmin(ls))
    assert 5 <= TAUS[i] <= 9
    assert ls[i] < 0.2 * T.loss
    assert np.all(np.diff(ls[: i + 1]) <= 1e-15)  # falls to the minimum ...
    assert np.all(np.diff(ls[i:]) >= -1e-15)  # ... then climbs back toward L_TE
    assert ls[-1] > 0.5 * T.loss


@pytest.mark.parametrize("target", ["relu", "he2"])
def test_extension_target_kernel_limit_is_exact_at_both_ends_and_approached_by_wide_students(target):
    d = 8
    T = L.fit_teacher(L.sample_sphere(48, d, 1), target=target)
    assert L.student_loss(T, 0.0) == pytest.approx(1.0, abs=1e-14)
    assert L.student_loss(T, 1e300) == pytest.approx(T.loss, abs=1e-9)
    taus = np.logspace(-2, 3, 60)
    ker = L.student_loss(T, taus)
    errs = [np.max(np.abs(L.student_loss(T, taus, L.sample_sphere(M, d, M)) - ker)) for M in (64, 1024)]
    assert errs[1] < 0.5 * errs[0]
    assert errs[1] < 0.02


def test_student_equal_to_teacher_width_gains_little_or_nothing():
    d = 32
    ratios = []
    for seed in range(3):
        T = L.fit_teacher(L.sample_sphere(128, d, seed))
        r = L.optimal_stopping(T, L.sample_sphere(128, d, 50 + seed))
        ratios.append(r.ratio)
    kern = L.optimal_stopping(T).ratio
    assert min(ratios) > 0.8
    assert kern < 0.25


def test_students_of_one_width_share_the_gram_eigendecomposition_across_teachers():
    """S depends on the student's weights only: a second teacher reuses the eigenpairs and
    still gets exactly the trajectory a fresh decomposition gives."""
    from w2s_lib import student as st

    d = 8
    W = L.sample_sphere(96, d, 21)
    T1 = L.fit_teacher(L.sample_sphere(20, d, 22))
    T2 = L.fit_teacher(L.sample_sphere(40, d, 23))
    F1 = L.student_trajectory(T1, W)
    F2 = L.student_trajectory(T2, W)
    assert F1.eigvecs is F2.eigvecs and F1.eigvals is F2.eigvals
    st._GRAM_EIG_CACHE.clear()
    T2b = L.fit_teacher(L.sample_sphere(40, d, 23))
    fresh = L.student_trajectory(T2b, W)
    assert fresh.eigvecs is not F2.eigvecs
    assert np.allclose(fresh.loss(TAUS), F2.loss(TAUS), rtol=0, atol=1e-13)
    assert F1.teacher_loss != F2.teacher_loss


def _dense_reference(T, W, rcond=1e-12):
    """Kept eigenpairs of S by numpy's dense eigh, and the projections of c and b."""
    S = L.population_gram(W)
    c = L.population_gram(W, T.W) @ T.coef
    b = L.target_correlation(W, T.beta, T.target)
    s, Q = np.linalg.eigh(S)
    keep = s > rcond * s[-1]
    s, Q = s[keep], Q[:, keep]
    return S, c, b, s, Q, Q.T @ c, Q.T @ b


def _dense_curves(s, q, r, M, d, taus):
    g = -np.expm1(-np.outer(s, taus / L.lambda_1(d)) / M)
    loss = np.maximum(1 - 2 * (q * r / s) @ g + (q * q / s) @ (g * g), 0.0)
    return loss, (q * r / s) @ g, (q * q / s) @ (1 - g) ** 2


# widths 1-3 (edge cases of the Householder reduction), several dimensions and targets,
# and weights with exact duplicates and antipodes (a singular Gram: dropped directions)
FACTOR_CASES = [(1, 4, 5, "linear"), (2, 4, 5, "linear"), (3, 8, 6, "relu"), (96, 8, 20, "linear"),
                (300, 4, 30, "linear"), (257, 16, 64, "he2"), (1024, 32, 256, "linear"), ("dup", 8, 20, "relu")]


@pytest.mark.parametrize("M, d, m_te, target", FACTOR_CASES)
def test_factored_trajectory_agrees_with_dense_eigendecomposition(M, d, m_te, target):
    """The tridiagonal factorisation gives the loss, target overlap, teacher distance,
    ceiling and kept eigenvalues of a dense numpy.linalg.eigh reference to ~1e-10."""
    T = L.fit_teacher(L.sample_sphere(m_te, d, 7), target=target)
    if M == "dup":
        base = L.sample_sphere(60, d, 8)
        W = np.vstack([base, base[:15], -base[15:25]])  # duplicated rows: S has a null space
    else:
        W = L.sample_sphere(M, d, 9)
    F = L.student_trajectory(T, W)
    S, c, b, s, Q, q, r = _dense_reference(T, W)
    if M == "dup":
        # duplicates add nothing; relu(-w.x) = relu(w.x) - w.x adds only the linear
        # functions w.x, which span d = 8 dimensions: rank 60 + 8 of 85
        assert s.size == 60 + d
    assert F.eigvals.shape == s.shape
    assert np.allclose(F.eigvals, s, rtol=0, atol=1e-13 * s[-1])
    taus = np.concatenate([[0.0], np.logspace(-3, 8, 120)])
    loss, overlap, distance = _dense_curves(s, q, r, W.shape[0], d, taus)
    assert np.allclose(F.loss(taus), loss, rtol=0, atol=1e-10)
    assert np.allclose(F.target_overlap(taus), overlap, rtol=0, atol=1e-10)
    assert np.allclose(F.teacher_distance(taus), distance, rtol=0, atol=1e-10)
    assert F.ceiling == pytest.approx(float(np.clip(1 - np.sum(r * r / s), 0, 1)), abs=1e-10)
    # the projections' invariants (independent of the eigenvector basis)
    assert np.sum(F.q * F.r / F.eigvals) == pytest.approx(np.sum(q * r / s), abs=1e-10)
    assert np.sum(F.q**2) == pytest.approx(np.sum(q**2), rel=1e-12)


def test_factored_trajectory_does_not_form_the_eigenvector_matrix():
    """loss, overlap, distance and coef need only the eigenvalues and O(M^2) projections:
    the O(M^3) matrix Q is formed only when eigvecs is read."""
    T = L.fit_teacher(L.sample_sphere(30, 8, 10))
    F = L.student_trajectory(T, L.sample_sphere(200, 8, 11), rcond=1e-12 * (1 + 1e-9))
    F.loss(TAUS), F.target_overlap(TAUS), F.teacher_distance(TAUS), F.coef(3.0)
    assert F._factor._Q is None
    Q = F.eigvecs
    assert F._factor._Q is Q and F.eigvecs is Q


@pytest.mark.parametrize("M, d, m_te, target", [(2, 4, 5, "linear"), (96, 8, 20, "linear"), (600, 16, 64, "relu"),
                                                ("dup", 8, 20, "linear")])
def test_lazy_eigenvectors_are_orthonormal_reproduce_the_gram_and_the_projections(M, d, m_te, target):
    T = L.fit_teacher(L.sample_sphere(m_te, d, 12), target=target)
    if M == "dup":
        base = L.sample_sphere(50, d, 13)
        W = np.vstack([base, base[:20]])
    else:
        W = L.sample_sphere(M, d, 14)
    F = L.student_trajectory(T, W)
    S, c, b, s, _, _, _ = _dense_reference(T, W)
    Q = F.eigvecs
    assert Q.shape == (W.shape[0], F.eigvals.size) and not Q.flags.writeable
    assert np.allclose(Q.T @ Q, np.eye(Q.shape[1]), rtol=0, atol=1e-12)
    scale = np.abs(S).max()
    assert np.allclose((Q * F.eigvals) @ Q.T, S, rtol=0, atol=1e-12 * scale)  # dropped s_j ~ 0
    assert np.allclose(S @ Q, Q * F.eigvals, rtol=0, atol=1e-12 * scale)
    assert np.allclose(Q.T @ c, F.q, rtol=0, atol=1e-13)
    assert np.allclose(Q.T @ b, F.r, rtol=0, atol=1e-13)


@pytest.mark.parametrize("tau", [0.0, 0.5, 7.0, 1e4])
def test_coef_from_the_factorisation_matches_the_dense_reference_and_the_lazy_eigenvectors(tau):
    d = 8
    T = L.fit_teacher(L.sample_sphere(25, d, 15))
    W = L.sample_sphere(120, d, 16)
    F = L.student_trajectory(T, W)
    S, c, b, s, Q, q, r = _dense_reference(T, W)
    g = -np.expm1(-s * (tau / L.lambda_1(d)) / W.shape[0])
    u_ref = Q @ (g * q / s)  # u(t) = S^+ (I - exp(-S t / M)) c
    u = F.coef(tau)
    assert u.shape == (W.shape[0],)
    assert np.allclose(u, u_ref, rtol=0, atol=1e-10 * max(1.0, np.abs(u_ref).max()))
    g_f = -np.expm1(-F.eigvals * (tau / L.lambda_1(d)) / W.shape[0])
    assert np.allclose(u, F.eigvecs @ (g_f * F.q / F.eigvals), rtol=0, atol=1e-12 * max(1.0, np.abs(u).max()))
    # and the loss of these weights is the trajectory's loss
    assert 1 - 2 * u @ b + u @ S @ u == pytest.approx(float(F.loss(tau)), abs=1e-10)


def test_students_of_the_same_weights_share_one_factorisation_across_teachers(monkeypatch):
    """The Gram factorisation is computed once per student weights (module-level LRU),
    whatever the teacher, and the lazily formed eigenvectors are shared too."""
    from w2s_lib import student as st

    calls = []
    init = st._GramFactor.__init__

    def counting_init(self, S, rcond):
        calls.append(S.shape)
        init(self, S, rcond)

    monkeypatch.setattr(st._GramFactor, "__init__", counting_init)
    d = 8
    W = L.sample_sphere(150, d, 17)
    rcond = 1e-12 * (1 + 3e-9)  # a key of its own: no other test has factored these weights
    teachers = [L.fit_teacher(L.sample_sphere(m, d, 18 + m)) for m in (10, 20, 40)]
    Fs = [L.student_trajectory(T, W, rcond=rcond) for T in teachers]
    assert calls.count((150, 150)) == 1  # (the teachers' own Grams are factored too, at their sizes)
    assert all(F._factor is Fs[0]._factor and F.eigvals is Fs[0].eigvals for F in Fs)
    assert Fs[1].eigvecs is Fs[2].eigvecs is Fs[0].eigvecs
    assert len({F.teacher_loss for F in Fs}) == 3
    for T, F in zip(teachers, Fs):  # each still has its own projections q = Q^T c
        assert np.allclose(F.q, F.eigvecs.T @ (L.population_gram(W, T.W) @ T.coef), atol=1e-13)
