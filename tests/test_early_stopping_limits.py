"""Early stopping, the quadratic floor, PGR and the fitted exponent (SCIENCE items 1-7)."""

import numpy as np
import pytest

import w2s_lib as L


@pytest.fixture(scope="module")
def sweep32():
    return L.teacher_size_sweep(32, [64, 128, 256, 512, 1024], [0, 1, 2])


def test_early_stopped_student_beats_teacher_for_every_seed_and_width(sweep32):
    assert np.all(sweep32.student_loss < sweep32.teacher_loss)


def test_ratio_falls_as_teacher_grows(sweep32):
    assert np.all(np.diff(sweep32.ratio, axis=0) < 0)
    assert np.all((0.15 < sweep32.ratio[0]) & (sweep32.ratio[0] < 0.6))
    assert np.all(sweep32.ratio[-1] < 0.01)


def test_fitted_exponent_lies_between_paper_bound_and_two(sweep32):
    assert 1.49 < sweep32.slope < 2.0
    # the fit uses every (width, seed) point
    s, _ = L.fit_exponent(sweep32.teacher_loss.ravel(), sweep32.student_loss.ravel())
    assert s == pytest.approx(sweep32.slope)


def test_fitted_exponent_at_d16_lies_between_paper_bound_and_two():
    r = L.teacher_size_sweep(16, [32, 64, 128, 256, 512], [0, 1])
    assert 1.49 < r.slope < 2.0


def test_optimal_time_is_moderate_and_pgr_tends_to_one(sweep32):
    assert np.all((5 <= sweep32.tau_star) & (sweep32.tau_star <= 10))
    pg = [[L.pgr(a, b) for a, b in zip(ra, rb)] for ra, rb in zip(sweep32.teacher_loss, sweep32.student_loss)]
    pg = np.array(pg)
    assert np.allclose(pg, 1 - sweep32.ratio)
    assert np.all(pg[-1] > 0.99)


def test_early_stop_refines_the_grid_minimum():
    T = L.fit_teacher(L.sample_sphere(256, 32, 0))
    traj = L.student_trajectory(T)
    r = L.early_stop(traj, n_grid=50)
    taus, ls = L.loss_curve(traj, n_grid=50)
    assert r.loss_star <= ls.min()
    for f in (0.999, 1.001):
        assert traj.loss(r.tau_star * f) >= r.loss_star
    assert r.ratio == pytest.approx(r.loss_star / T.loss)
    fine = L.early_stop(traj, n_grid=2000)
    assert r.tau_star == pytest.approx(fine.tau_star, rel=1e-3)


def test_signal_is_learned_before_the_teachers_errors():
    T = L.fit_teacher(L.sample_sphere(256, 32, 1))
    traj = L.student_trajectory(T)
    r = L.early_stop(traj)
    learned = traj.degree_learned(r.tau_star)
    assert learned[1] > 0.99  # degree 1 (the target) nearly fully learned
    assert learned[2] < 0.2  # degree 2 (teacher error) mostly not
    assert np.all(learned[4:] < 0.01)
    tk = L.degree_learning_times(32, 4)
    assert tk[1] < r.tau_star < tk[2]


def test_floor_shape():
    tau = np.array([0.0, 0.1, 1.0, 10.0, 100.0])
    f = L.floor(tau, 0.3)
    assert f[0] == 1.0
    assert np.all(np.diff(f) < 0)
    assert f[-1] == pytest.approx(0.09)
    assert np.all(f >= 0.09)
    assert L.floor(5.0, 0.0) == pytest.approx(np.exp(-10.0))


def test_near_chance_teacher_cannot_be_boosted():
    for seed in range(3):
        T = L.fit_teacher(L.sample_sphere(2, 32, seed))
        delta = 1 - T.loss
        r = L.optimal_stopping(T)
        assert r.loss_star >= (1 - delta) ** 2 - 1e-12
        assert r.ratio > 0.99


def test_teacher_narrower_than_dimension_gives_small_gain():
    small = [L.optimal_stopping(L.fit_teacher(L.sample_sphere(8, 32, s))).ratio for s in range(3)]
    large = [L.optimal_stopping(L.fit_teacher(L.sample_sphere(256, 32, s))).ratio for s in range(3)]
    assert min(small) > 0.9
    assert max(large) < 0.1


def test_finite_student_gain_grows_with_width_and_pgr_uses_its_ceiling():
    d = 32
    T = L.fit_teacher(L.sample_sphere(128, d, 0))
    ratios = []
    for M in (128, 512, 1024):
        W = L.sample_sphere(M, d, 7)
        r = L.optimal_stopping(T, W)
        ceiling = L.student_trajectory(T, W).ceiling
        assert ceiling == pytest.approx(L.least_squares_loss(W), abs=1e-9)
        assert L.pgr(T.loss, r.loss_star, ceiling) == pytest.approx((T.loss - r.loss_star) / (T.loss - ceiling))
        ratios.append(r.ratio)
    assert ratios[0] > ratios[1] > ratios[2] > L.optimal_stopping(T).ratio


def test_fit_exponent_recovers_a_power_law():
    x = np.logspace(-3, -0.5, 7)
    s, c = L.fit_exponent(x, 0.3 * x**1.7)
    assert s == pytest.approx(1.7) and c == pytest.approx(np.log(0.3))


def test_pgr_rejects_ceiling_above_teacher():
    with pytest.raises(ValueError, match="ceiling_loss"):
        L.pgr(0.1, 0.05, 0.2)


class _Plateau:
    """A loss that only levels off (0.5 + 0.3 e^{-tau}), with round-off-sized wobble."""

    teacher_loss = 0.4

    def __init__(self, phase):
        self.phase = phase

    def loss(self, tau):
        tau = np.asarray(tau, dtype=float)
        return 0.5 + 0.3 * np.exp(-tau) + 2e-16 * np.sin(1e3 * tau + self.phase)


def test_early_stop_on_a_plateau_is_the_earliest_time_within_round_off_not_the_noise_argmin():
    results = [L.early_stop(_Plateau(phase)) for phase in (0.0, 1.0, 2.0)]
    assert len({r.tau_star for r in results}) == 1  # round-off does not move tau*
    r = results[0]
    taus, ls = L.loss_curve(_Plateau(0.0))
    assert r.loss_star - ls.min() <= 1e-12
    earlier = taus < r.tau_star
    assert np.all(ls[earlier] > ls.min() + 1e-12 * ls.max())  # every earlier time is still above
    assert 0.3 * np.exp(-r.tau_star) < 1e-11  # the transient has died out by then


def test_optimum_by_degree_predicts_the_kernel_limit_loss_at_every_time():
    """Chapter 5's proposition: L_ST = e_1 + leak + lag, each >= 0, e_1 >= L_TE^2."""
    from w2s_lib.early_stopping import optimum_by_degree
    from w2s_lib.teacher import cached_teacher

    for m in (4, 64, 512):
        T = cached_teacher(32, m, 1)
        traj = L.student_trajectory(T)
        for tau in (0.0, 0.5, 3.0, 40.0, 1e5):
            o = optimum_by_degree(T, tau)
            assert o["predicted"] == pytest.approx(float(traj.loss(np.array([tau]))[0]), rel=1e-8, abs=1e-13)
            assert min(o["leak"], o["lag"]) >= 0
            assert T.loss ** 2 * (1 - 1e-9) <= o["degree1_error"] <= T.loss * (1 + 1e-9)
        star = optimum_by_degree(T)
        r = L.early_stop(traj)
        assert star["tau"] == r.tau_star
        assert star["predicted"] == pytest.approx(r.loss_star, rel=1e-8)
    with pytest.raises(ValueError, match="linear"):
        optimum_by_degree(L.fit_teacher(L.sample_sphere(8, 8, 0), target="he2"))


def test_width_sweep_uses_the_books_teachers(sweep32):
    from w2s_lib.teacher import cached_teacher

    for i, m in enumerate(sweep32.m_values):
        for j, s in enumerate(sweep32.seeds):
            assert sweep32.teacher_loss[i, j] == cached_teacher(32, int(m), int(s)).loss
