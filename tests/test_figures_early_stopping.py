"""Figures of chapters 4 (early stopping) and 5 (limits): every widget callback over its sweep,
and the drawn data equal to the library's numbers."""

import numpy as np
import pytest
from matplotlib.figure import Figure

import w2s_lib as L
from w2s_lib import figures_early_stopping as F
from w2s_lib.interactive import registered_callbacks, render_png

NAMES = ("ch04:tau", "ch04:finite_data", "ch05:exponent")


def _finite_artists(fig):
    """Every line's and collection's data in ``fig`` is finite; returns the number of lines checked."""
    n = 0
    for ax in fig.axes:
        for line in ax.get_lines():
            x, y = (np.asarray(v, dtype=float) for v in line.get_data())
            assert np.all(np.isfinite(x)) and np.all(np.isfinite(y)), line.get_label()
            n += 1
        for coll in ax.collections:
            for path in coll.get_paths():
                assert np.all(np.isfinite(path.vertices))
    return n


@pytest.mark.parametrize("name", NAMES)
def test_callback_runs_over_its_sweep(name):
    cb = registered_callbacks()[name]
    assert len(cb.sweep) >= 5
    for params in cb.sweep:
        fig = cb.func(**params)
        assert isinstance(fig, Figure)
        assert _finite_artists(fig) > 0
        assert render_png(fig)[:4] == b"\x89PNG"


def test_sweeps_reach_the_control_extremes():
    taus = [p["tau"] for p in registered_callbacks()["ch04:tau"].sweep]
    assert min(taus) == F.TAU_SLIDER[0] and max(taus) == F.TAU_SLIDER[-1]
    fd = registered_callbacks()["ch04:finite_data"].sweep
    assert {p["N"] for p in fd} == set(F.N_VALUES)
    assert min(p["tau"] for p in fd) == F.FD_TAU_GRID[0] and max(p["tau"] for p in fd) == F.FD_TAU_GRID[-1]
    ex = registered_callbacks()["ch05:exponent"].sweep
    assert {p["d"] for p in ex} == set(F.SWEEP_D)
    for d in F.SWEEP_D:
        w = F.sweep_widths(d)
        assert any(p["d"] == d and p["m_lo"] == w[0] and p["m_hi"] == w[-1] for p in ex)


def test_u_curve_is_the_kernel_limit_loss():
    fig = F.tau_widget(tau=6.5)
    ax = fig.axes[0]
    T = F.sweep_teacher(F.CH4_D, F.CH4_M_TE, 0)
    k = L.student_trajectory(T)
    x, y = ax.get_lines()[0].get_data()
    np.testing.assert_allclose(y, k.loss(x), rtol=1e-12)
    # U shape: starts at 1, dips below the teacher, ends back at L_TE
    assert y[0] == pytest.approx(1.0, abs=0.05)
    assert y.min() < 0.2 * T.loss
    assert y[-1] == pytest.approx(T.loss, rel=1e-6)
    # the marker at tau shows the loss at tau
    r = L.early_stop(k)
    assert r.tau_star > 3 and r.tau_star < 15


def test_degree_bars_are_the_learned_fractions():
    from matplotlib.figure import Figure as Fig

    ax = Fig().subplots()
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


def test_finite_data_widget_draws_the_table():
    fig = F.finite_data_widget(N=512, tau=20.0)
    ax2 = fig.axes[1]
    tab = F.finite_data_table(seeds=(0,))
    ys = [ln.get_data()[1] for ln in ax2.get_lines() if len(ln.get_data()[1]) == len(F.N_VALUES)]
    assert any(np.allclose(y, tab["early"][:, 0]) for y in ys)
    assert any(np.allclose(y, tab["interp"][:, 0]) for y in ys)


def test_exponent_window_and_widget():
    w = F.exponent_window(32, 64, 1024)
    r = F.width_sweep(32)
    sel = (r.m_values >= 64) & (r.m_values <= 1024)
    slope, _ = L.fit_exponent(r.teacher_loss[sel].ravel(), r.student_loss[sel].ravel())
    assert w["slope"] == pytest.approx(slope)
    assert 1.49 < w["slope"] <= 2.0  # cf. ledger A4a-A4d (fits over d = 8..64)
    fig = F.exponent_widget(d=32, m_lo=64, m_hi=1024)
    assert "1.91" in fig.axes[0].get_title() or f"{w['slope']:.3g}" in fig.axes[0].get_title()
    # every student sits on or above the quadratic floor L_TE^2
    assert np.all(r.student_loss >= r.teacher_loss ** 2 * (1 - 1e-9))


def test_clamp_range_keeps_two_widths():
    widths = F.sweep_widths(16)
    assert F._clamp_range(widths, 1024, 1024) == (widths[-2], widths[-1])
    assert F._clamp_range(widths, 1, 1) == (widths[0], widths[1])
    assert F._clamp_range(widths, 512, 8) == (8, 512)


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


def test_widget_figures_hold_no_mathtext():
    """Widget figures use unicode text (mathtext is re-parsed by every new renderer: slow)."""
    for name in NAMES:
        cb = registered_callbacks()[name]
        fig = cb.func(**cb.sweep[0])
        render_png(fig)
        texts = [t.get_text() for t in fig.findobj(lambda a: hasattr(a, "get_text"))]
        assert texts and not any("$" in t for t in texts), name


def test_unicode_math():
    assert F._unicode_math(r"early-stopped $L_{ST}^\star$") == "early-stopped L_ST*"
    assert F._unicode_math(r"$\tau = \lambda_1 t$") == "\u03c4 = \u03bb\u2081 t"
    assert F._unicode_math(r"forbidden: $L < L_{TE}^2$") == "forbidden: L < L_TE\u00b2"
    assert F._unicode_math("no math") == "no math"
    assert F._power_label(1e-2) == "10\u207b\u00b2" and F._power_label(16, base=2) == "2\u2074"
    assert F._power_label(3.0) == ""
