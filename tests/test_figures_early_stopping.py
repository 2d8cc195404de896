"""Static figures of chapters 4 (early stopping) and 5 (limits): the drawn data equal to the
library's numbers. (The interactive figures are explorables: tests/test_explorables_early_stopping.py.)"""

import numpy as np
import pytest
from matplotlib.figure import Figure

import w2s_lib as L
from w2s_lib import figures_early_stopping as F


def test_u_curve_is_the_kernel_limit_loss():
    ax = Figure().subplots()
    T, k, r = F.draw_u_curve(ax, tau=6.5)
    x, y = ax.get_lines()[0].get_data()
    np.testing.assert_allclose(x, F.TAU_GRID)
    np.testing.assert_allclose(y, L.student_trajectory(F.sweep_teacher(F.CH4_D, F.CH4_M_TE, 0)).loss(x), rtol=1e-12)
    # U shape: starts at 1, dips below the teacher, ends back at L_TE
    assert y[0] == pytest.approx(1.0, abs=0.05)
    assert y.min() < 0.2 * T.loss
    assert y[-1] == pytest.approx(T.loss, rel=1e-6)
    assert 3 < r.tau_star < 15
    # the marker at tau shows the loss at tau
    marker = [ln for ln in ax.get_lines() if ln.get_marker() == "s"][0]
    assert marker.get_data()[1][0] == pytest.approx(float(k.loss(6.5)), rel=1e-12)


def test_degree_bars_are_the_learned_fractions():
    ax = Figure().subplots()
    vals = F.draw_degree_learned(ax, 6.5, degrees=(0, 1, 2, 4))
    tk = L.degree_learning_times(F.CH4_D, 4)
    np.testing.assert_allclose(vals, [1 - np.exp(-6.5 / tk[j]) for j in (0, 1, 2, 4)], rtol=1e-9)
    assert vals[1] > 0.99 and vals[2] < 0.2  # signal learned, teacher error not yet


def test_finite_data_configuration_matches_the_ledger():
    tab = F.finite_data_table(seeds=(0, 1, 2))
    N = list(tab["N"])
    for n in (400, 512, 1024):
        assert np.all(tab["early"][N.index(n)] < 1.0)  # A8a
    assert np.all(tab["interp"][N.index(400)] > 1.0)  # A8b
    assert np.all(tab["interp"][N.index(512)] > 100.0)  # A8c
    assert np.all(tab["interp"][N.index(2048)] < 1.0)  # far above M_ST least squares beats the teacher
    st, r, curve = F.finite_data_student(400, 0)
    np.testing.assert_allclose(curve, st.loss(F.FD_TAU_GRID))


def test_finite_data_ratios_figure_draws_the_table():
    ax = Figure().subplots()
    F.draw_finite_data_ratios(ax, seeds=(0,), highlight=512)
    tab = F.finite_data_table(seeds=(0,))
    ys = [ln.get_data()[1] for ln in ax.get_lines() if len(ln.get_data()[1]) == len(F.N_VALUES)]
    assert any(np.allclose(y, tab["early"][:, 0]) for y in ys)
    assert any(np.allclose(y, tab["interp"][:, 0]) for y in ys)


def test_exponent_window_is_the_log_log_least_squares_slope():
    w = F.exponent_window(32, 64, 1024)
    r = F.width_sweep(32)
    sel = (r.m_values >= 64) & (r.m_values <= 1024)
    # independent of fit_exponent: numpy's degree-1 polynomial fit in log-log
    slope, icpt = np.polyfit(np.log(r.teacher_loss[sel].ravel()), np.log(r.student_loss[sel].ravel()), 1)
    assert w["slope"] == pytest.approx(slope, rel=1e-10) and w["intercept"] == pytest.approx(icpt, rel=1e-10)
    assert 1.49 < w["slope"] <= 2.0  # a measurement, not a test of the 1.49 upper bound (chapter 5)
    # the drawn fit line has that slope, and its legend says so
    ax = Figure().subplots()
    F.draw_exponent(ax, 32, 64, 1024)
    fit = [ln for ln in ax.get_lines() if ln.get_label().startswith("fit: slope")][0]
    fx, fy = (np.log(np.asarray(v)) for v in fit.get_data())
    assert np.polyfit(fx, fy, 1)[0] == pytest.approx(slope, rel=1e-9)
    assert fit.get_label() == f"fit: slope {slope:.3g}"
    # every student sits on or above the quadratic floor L_TE^2
    assert np.all(r.student_loss >= r.teacher_loss ** 2 * (1 - 1e-9))


def test_clamp_width_range_keeps_two_widths():
    widths = F.sweep_widths(16)
    assert L.limits.clamp_width_range(widths, 1024, 1024) == (widths[-2], widths[-1])
    assert L.limits.clamp_width_range(widths, 1, 1) == (widths[0], widths[1])
    assert L.limits.clamp_width_range(widths, 512, 8) == (8, 512)
    assert L.limits.clamp_width_range(widths, 5, 100) == (8, 64)


def test_floors_lie_below_every_kernel_curve():
    ax = Figure().subplots()
    for m, lte, k, fl in F.draw_floors(ax, widths=(2, 64, 256)):
        assert np.all(k.loss(F.TAU_GRID) >= fl - 1e-12)
        assert np.all(fl >= lte ** 2 - 1e-15)


def test_strong_student_table():
    tab = F.strong_student_table()
    mean = tab["ratio"].mean(1)
    assert mean[0] > 0.9  # M_ST = M_TE: little or no gain (ledger A6a)
    assert np.all(np.diff(mean) < 0)  # gain grows with the width (A6b)
    assert np.all(tab["kernel"] < tab["ratio"][-1])  # toward the kernel limit


def test_figure_module_has_no_widget_path():
    import inspect

    src = inspect.getsource(F)
    assert "interactive" not in src.split('"""', 2)[2] and "register_callback" not in src
