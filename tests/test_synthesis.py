"""w2s_lib.synthesis: both students as filters of the teacher; gain, misfit and the per-degree floor.

Each test checks a property against an independent computation: Monte Carlo over inputs or
over samples, a finite-width student, a numerical optimiser, or a limit.
"""

import numpy as np
import pytest
from scipy.optimize import minimize

import w2s_lib as w2s
from w2s_lib.random_features import population_gram, relu_features, sample_sphere, target_values
from w2s_lib.student import student_loss, student_weights, student_trajectory
from w2s_lib.subspace import make_theta
from w2s_lib.teacher import cached_teacher, fit_teacher, teacher_weights

TAUS = np.geomspace(1e-2, 1e6, 300)


@pytest.fixture(scope="module")
def linear_profile():
    return w2s.degree_profile(cached_teacher(16, 256, 0))


def test_early_stopping_filter_reproduces_the_kernel_students_loss(linear_profile):
    T = cached_teacher(16, 256, 0)
    curve = w2s.gain_misfit_curve(linear_profile, TAUS)
    np.testing.assert_allclose(curve["student_loss"], student_loss(T, TAUS), atol=1e-12)
    assert abs(linear_profile.teacher_error.sum() - T.loss) < 1e-6 * T.loss


def test_slack_is_gain_minus_misfit_and_has_its_limits(linear_profile):
    slowest = linear_profile.rates[linear_profile.rates > 0].min()
    c = w2s.gain_misfit_curve(linear_profile, np.array([0.0, 60.0 / slowest]))
    L = linear_profile.teacher_loss
    # tau = 0: the student is 0, gain = L_TE - 1, misfit = |f_TE|^2 = 1 - L_TE
    assert c["gain"][0] == pytest.approx(L - 1.0, abs=1e-12)
    assert c["misfit"][0] == pytest.approx(1.0 - L, rel=1e-6)
    assert c["slack"][0] == pytest.approx(-2.0 * (1.0 - L), rel=1e-6)
    # tau -> infinity: the student copies the teacher on every degree the kernel spans
    assert abs(c["gain"][1]) < 1e-9 and abs(c["misfit"][1]) < 1e-9
    c = w2s.gain_misfit_curve(linear_profile, TAUS)
    np.testing.assert_allclose(c["slack"], c["gain"] - c["misfit"], atol=1e-14)


def _exact_misfit(T, W, u):
    """|f_u - f_TE|^2 by the exact Gram algebra."""
    return float(u @ population_gram(W) @ u - 2 * u @ population_gram(W, T.W) @ T.coef + T.norm2)


def test_misfit_of_a_finite_student_matches_monte_carlo_over_inputs():
    """|f_ST - f_TE|^2 from the exact Gram algebra equals a sample mean over x (independent)."""
    T = cached_teacher(8, 64, 0)
    W = student_weights(8, 512, 0)
    traj = student_trajectory(T, W)
    X = sample_sphere(200_000, 8, np.random.default_rng(5))
    f_te, Phi = relu_features(X, T.W) @ T.coef, relu_features(X, W)
    fstar = target_values(X, "linear", T.beta)
    for tau in (2.0, 20.0):
        f_st = Phi @ traj.coef(tau)
        sq = (f_st - f_te) ** 2
        # the loss identity: gain = misfit + slack, slack = 2<f_TE - f_ST, f_ST - f*>, on the same sample
        slack_mc = 2.0 * np.mean((f_te - f_st) * (f_st - fstar))
        gain_mc = np.mean((f_te - fstar) ** 2) - np.mean((f_st - fstar) ** 2)
        assert gain_mc == pytest.approx(sq.mean() + slack_mc, abs=1e-10)
        assert abs(sq.mean() - _exact_misfit(T, W, traj.coef(tau))) < 4 * sq.std() / np.sqrt(sq.size)


def test_kernel_limit_misfit_is_the_limit_of_wide_students():
    """The filter formula's misfit against the exact misfit of a wide finite student."""
    T = cached_teacher(8, 64, 0)
    p = w2s.degree_profile(T)
    W = student_weights(8, 4096, 0)
    traj = student_trajectory(T, W)
    for tau in (3.0, 10.0):
        kernel = w2s.filter_risks(p, w2s.early_stopping_filter(p, tau))["misfit"]
        assert _exact_misfit(T, W, traj.coef(tau)) == pytest.approx(kernel, rel=0.15)


def test_ball_projection_is_the_constrained_minimiser(linear_profile):
    """Lagrange's filter against a numerical optimiser over all filters in the ball."""
    p = linear_profile
    g, mu = w2s.ball_projection_filter(p)
    on = p.rates > 0
    lam, E = p.rates[on], p.teacher_energy[on]
    R2 = float(np.sum(p.target_energy[on] / lam))
    assert np.sum(g[on] ** 2 * E / lam) == pytest.approx(R2, rel=1e-9)

    def dist(x):
        return float(np.sum((1 - x) ** 2 * E))

    cons = {"type": "ineq", "fun": lambda x: R2 - float(np.sum(x**2 * E / lam))}
    res = minimize(dist, x0=np.full(lam.size, 0.5), bounds=[(0, 1)] * lam.size, constraints=[cons],
                   method="SLSQP", options={"ftol": 1e-16, "maxiter": 2000})
    assert dist(g[on]) <= res.fun * (1 + 1e-6) + 1e-15


@pytest.mark.parametrize("d,M,seed", [(8, 32, 1), (16, 64, 0), (16, 256, 2), (32, 512, 0)])
def test_ball_projection_satisfies_the_misfit_inequality(d, M, seed):
    """Charikar et al.'s inequality for the ball containing f* (and its failure for a ball that doesn't)."""
    p = w2s.degree_profile(cached_teacher(d, M, seed))
    r = w2s.filter_risks(p, w2s.ball_projection_filter(p)[0])
    assert r["slack"] >= -1e-12
    R2 = float(np.sum(p.target_energy[p.rates > 0] / p.rates[p.rates > 0]))
    small = w2s.filter_risks(p, w2s.ball_projection_filter(p, radius2=1e-4 * R2)[0])
    assert small["slack"] < 0  # a ball far too small to hold f*: the inequality fails


@pytest.mark.parametrize("K", [40, 120, 200])
def test_fixed_degree_profile_resolves_exactly_those_degrees_and_keeps_the_whole_energy(K):
    """``max_degree`` resolves degrees 0..K plus one tail term; the energies still sum to
    |f_TE|^2 and the per-degree errors to L_TE, and the ball student keeps gain >= misfit at
    every truncation (each is the projection onto a ball holding f*)."""
    T = cached_teacher(32, 64, 0)
    p = w2s.degree_profile(T, max_degree=K)
    assert p.rates.size == K + 2 and p.degrees[-1] == K + 1
    assert p.teacher_energy.sum() == pytest.approx(T.norm2, rel=1e-9)
    assert p.teacher_error.sum() == pytest.approx(T.loss, rel=1e-6)
    r = w2s.filter_risks(p, w2s.ball_projection_filter(p)[0])
    assert r["slack"] >= -1e-12
    np.testing.assert_array_equal(w2s.degree_profile(T, max_degree=K).teacher_energy, p.teacher_energy)  # deterministic


def test_slack_at_a_stationary_time_has_the_weighted_form(linear_profile):
    """At tau*, slack = 2 sum_k (1 - r_k)(1 - g_k)(g_k E_k - C_k) (stationarity removes degree 1)."""
    p = linear_profile
    taus = np.geomspace(1, 100, 20001)
    c = w2s.gain_misfit_curve(p, taus)
    i = int(np.argmin(c["student_loss"]))
    from scipy.optimize import minimize_scalar

    res = minimize_scalar(lambda lt: w2s.filter_risks(p, w2s.early_stopping_filter(p, np.exp(lt)))["student_loss"],
                          bracket=(np.log(taus[i - 1]), np.log(taus[i]), np.log(taus[i + 1])), tol=1e-12)
    g = w2s.early_stopping_filter(p, np.exp(res.x))
    slack = w2s.filter_risks(p, g)["slack"]
    weighted = 2 * np.sum((1 - p.rates) * (1 - g) * (g * p.teacher_energy - p.cross))
    assert slack == pytest.approx(weighted, rel=1e-4, abs=1e-12)
    assert slack > 0


@pytest.mark.parametrize("target", ["linear", "relu", "he2"])
def test_per_degree_floor_bounds_every_spectral_student(target):
    T = fit_teacher(teacher_weights(16, 128, 0), target=target)
    p = w2s.degree_profile(T)
    floor, per = w2s.per_degree_floor(p)
    c = w2s.gain_misfit_curve(p, TAUS)
    assert np.all(c["student_loss"] >= floor - 1e-12)
    rng = np.random.default_rng(0)
    for _ in range(200):  # random filters never beat it
        g = rng.uniform(0, 1, p.rates.size) * (p.rates > 0)
        assert w2s.filter_risks(p, g)["student_loss"] >= floor - 1e-12
    if target == "linear":
        assert floor >= T.loss**2 * (1 - 1e-9)


def test_relu_target_floor_is_most_of_the_teachers_error():
    """Where the target itself lives in the high degrees, the filter cannot separate error from signal."""
    for M in (128, 512):
        lin = w2s.degree_profile(cached_teacher(16, M, 0))
        relu = w2s.degree_profile(fit_teacher(teacher_weights(16, M, 0), target="relu"))
        assert w2s.per_degree_floor(relu)[0] > 0.5 * relu.teacher_loss
        assert w2s.per_degree_floor(lin)[0] < 0.05 * lin.teacher_loss


CONFIGS = [
    (10, 20, 5, 100, np.inf, 1.0, dict(shared=1.0)),
    (10, 20, 5, 100, 200, 1.0, dict(shared=1.0)),
    (10, 20, 5, 100, np.inf, 1.0, dict(shared=0.6, w_only=0.4)),
    (8, 12, 3, 60, 40, 0.5, dict(shared=0.6, w_only=0.4, s_only=0.2, outside=0.1)),
]


@pytest.mark.parametrize("d_s,d_w,d_sw,n,N,sigma2,energies", CONFIGS)
def test_subspace_gain_and_misfit_match_monte_carlo(d_s, d_w, d_sw, n, N, sigma2, energies):
    theta = make_theta(d_s, d_w, d_sw, **energies)
    ex = w2s.subspace_gain_misfit(d_s, d_w, d_sw, n, N, sigma2, theta)
    mc = w2s.subspace_gain_misfit_mc(d_s, d_w, d_sw, n, N, sigma2, theta, 4000, 11)
    for key in ("gain", "misfit", "slack"):
        assert abs(mc[key] - ex[key]) <= 4 * mc[key + "_se"] + 1e-12, (key, mc[key], ex[key])


def test_projection_student_satisfies_pythagoras_draw_by_draw():
    theta = make_theta(10, 20, 5, shared=0.7, s_only=0.3, outside=0.2)  # nothing on W \ S
    mc = w2s.subspace_gain_misfit_mc(10, 20, 5, 100, np.inf, 1.0, theta, 500, 3)
    assert np.abs(mc["per_trial"]["slack"]).max() < 1e-12
    theta = make_theta(10, 20, 5, shared=0.7, w_only=0.3)
    mc = w2s.subspace_gain_misfit_mc(10, 20, 5, 100, np.inf, 1.0, theta, 500, 3)
    assert np.abs(mc["per_trial"]["slack"]).max() > 1e-3


def test_fixed_teacher_matches_monte_carlo_and_bias_placement_decides_the_gain():
    b = w2s.bias_placement(d_s=10, d_w=20, d_sw=5, bias2=0.3, N=200)
    assert b["inside"]["finite"]["gain"] == pytest.approx(0.0, abs=1e-12)
    out = b["outside"]["finite"]
    assert out["gain"] == pytest.approx(0.3 * (1 - 10 / (200 - 10 - 1)), rel=1e-12)
    assert b["outside"]["projection"]["slack"] == pytest.approx(0.0, abs=1e-12)
    mc = w2s.fixed_teacher_mc(b["outside"]["teacher_coef"], b["outside"]["theta"], 10, 200, 3000, 4)
    for key in ("student", "misfit", "gain"):
        assert abs(mc[key] - out[key]) <= 4 * mc[key + "_se"]


@pytest.mark.parametrize("call, match", [
    (lambda: w2s.subspace_gain_misfit(10, 20, 5, 100, 11, 1.0, make_theta(10, 20, 5)), "N"),
    (lambda: w2s.subspace_gain_misfit(10, 20, 5, 21, 200, 1.0, make_theta(10, 20, 5)), "n"),
    (lambda: w2s.fixed_teacher_risks(np.ones(5), np.ones(5), 6, 100), "d_s"),
    (lambda: w2s.filter_risks(w2s.degree_profile(cached_teacher(8, 16, 0)), np.full(3, 0.5)), "g"),
    (lambda: w2s.ball_projection_filter(w2s.degree_profile(fit_teacher(teacher_weights(8, 16, 0), target="relu"))),
     "RKHS"),
    (lambda: w2s.degree_profile("teacher"), "teacher"),
])
def test_bad_input_is_refused_with_a_message_naming_it(call, match):
    with pytest.raises((ValueError, TypeError), match=match):
        call()
