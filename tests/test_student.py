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
