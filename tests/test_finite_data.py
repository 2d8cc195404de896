"""A student trained on N teacher-labelled samples, evaluated at population level."""

import numpy as np
import pytest

import w2s_lib as L


def _population_loss(u, W, teacher):
    S = L.population_gram(W)
    b = L.target_correlation(W, teacher.beta, teacher.target)
    return 1 - 2 * u @ b + u @ S @ u


def test_closed_form_equals_explicit_gradient_descent_on_the_samples():
    d, M, N, seed = 6, 30, 20, 3
    T = L.fit_teacher(L.sample_sphere(25, d, 0))
    W = L.sample_sphere(M, d, 1)
    st = L.train_on_samples(T, W, N, seed)
    # the same samples, drawn the same way
    X = L.sample_sphere(N, d, np.random.default_rng(seed))
    Phi = L.relu_features(X, W)
    y = L.relu_features(X, T.W) @ T.coef
    lam1 = 1 / (4 * d * d)
    tau_max, n = 4.0, 40000
    eta = tau_max / lam1 / n / M
    u = np.zeros(M)
    check = {n // 8: None, n // 2: None, n: None}
    for i in range(1, n + 1):
        u = u + eta * Phi.T @ (y - Phi @ u) / N
        if i in check:
            check[i] = _population_loss(u, W, T)
    for i, val in check.items():
        assert st.loss(tau_max * i / n) == pytest.approx(val, abs=2e-4)


def test_sample_student_converges_to_population_student_as_n_grows():
    d = 8
    T = L.fit_teacher(L.sample_sphere(32, d, 2))
    W = L.sample_sphere(96, d, 3)
    taus = np.logspace(-2, 3, 60)
    pop = L.student_loss(T, taus, W)
    errs = [
        np.mean([np.max(np.abs(L.train_on_samples(T, W, N, s).loss(taus) - pop)) for s in range(4)])
        for N in (100, 1000, 10000)
    ]  # sup-norm error averaged over 4 sample draws
    assert errs[0] > errs[1] > errs[2]
    assert errs[2] < 0.01


def test_interpolating_limit_is_the_end_of_the_trajectory_and_fits_the_labels():
    d = 8
    T = L.fit_teacher(L.sample_sphere(32, d, 5))
    st = L.train_on_samples(T, L.sample_sphere(200, d, 6), 60, 7)
    assert st.train_residual == pytest.approx(0.0, abs=1e-12)  # N < M_ST: interpolates
    assert st.loss(0.0) == pytest.approx(1.0)
    # the slowest kept direction has relaxed by tau = 100 / (lambda_1 min sigma^2 / M)
    t_end = 100 * st.M / st.sigma2.min() * (1 / (4 * d * d))
    assert st.loss(t_end) == pytest.approx(st.interpolating_loss, rel=1e-6)


@pytest.mark.parametrize("seed", [0, 1])
def test_early_stopped_sample_student_beats_teacher_but_interpolation_can_be_far_worse(seed):
    # d = 16, M_TE = 128, M_ST = 512: see finite_data docs (SCIENCE item 8)
    d = 16
    T = L.fit_teacher(L.sample_sphere(128, d, seed))
    W = L.sample_sphere(512, d, 100 + seed)
    out = {}
    for N in (200, 400, 512, 2048):
        st = L.train_on_samples(T, W, N, 1000 + seed)
        out[N] = (L.early_stop(st, tau_max=1e5, n_grid=120).loss_star, st.interpolating_loss)
    for N, (early, interp) in out.items():
        assert early < T.loss, (N, early, T.loss)
        assert early < interp
    assert out[400][1] > 2 * T.loss  # fewer samples than units: interpolation hurts
    assert out[512][1] > 10 * T.loss  # at the interpolation threshold it is disastrous
    assert out[2048][1] < T.loss  # with many samples the t -> inf fit is a regression again
