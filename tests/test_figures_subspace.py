"""Figures and widget callbacks of chapters 6 (subspace variance) and 7 (digits)."""

import matplotlib

matplotlib.use("Agg")

import numpy as np
import pytest
from matplotlib.collections import LineCollection, PolyCollection
from matplotlib.figure import Figure
from matplotlib.patches import Rectangle

import w2s_lib.figures_subspace as fs
from w2s_lib import digits_w2s, make_theta, subspace_risks, sweep_subspace
from w2s_lib.interactive import registered_callbacks, render_png
from w2s_lib.subspace import RISK_KEYS


def _plotted_arrays(fig):
    """Every numeric array a figure draws: line data, collection offsets/paths, bar rectangles."""
    for ax in fig.axes:
        for line in ax.get_lines():
            yield np.asarray(line.get_xdata(), dtype=float)
            yield np.asarray(line.get_ydata(), dtype=float)
        for coll in ax.collections:
            yield np.asarray(coll.get_offsets(), dtype=float)
            if isinstance(coll, (LineCollection, PolyCollection)):
                for path in coll.get_paths():
                    yield np.asarray(path.vertices, dtype=float)
        for patch in ax.patches:
            if isinstance(patch, Rectangle):
                yield np.array([patch.get_x(), patch.get_y(), patch.get_width(), patch.get_height()])


@pytest.mark.parametrize("name", ["ch06:risks", "ch07:overlap"])
def test_callback_sweep_draws_finite_figures(name):
    cb = registered_callbacks()[name]
    for params in cb.sweep:
        fig = cb.func(**params)
        assert isinstance(fig, Figure)
        arrays = list(_plotted_arrays(fig))
        assert arrays, params
        for arr in arrays:
            assert np.all(np.isfinite(arr)), params
        assert render_png(fig)[:4] == b"\x89PNG"


def test_ch06_sweep_reaches_every_extreme():
    sweep = registered_callbacks()["ch06:risks"].sweep
    for key, low, high in [("d_s", 2, 40), ("d_w", 2, 40), ("d_sw", 0, 40), ("n", 4, 400), ("N", 4, 2000),
                           ("sigma2", 0.0, 4.0)]:
        vals = [p[key] for p in sweep]
        assert min(vals) == low and max(vals) == high, key
    assert {p["target"] for p in sweep} == set(fs.TARGETS)
    assert {p["monte_carlo"] for p in sweep} == {True, False}


def _bar_tops(ax):
    """Top of each stacked bar column, keyed by its x centre."""
    tops = {}
    for patch in ax.patches:
        if isinstance(patch, Rectangle) and patch.get_width() < 1.5:
            x = round(patch.get_x() + patch.get_width() / 2, 6)
            tops[x] = max(tops.get(x, 0.0), patch.get_y() + patch.get_height())
    return [tops[k] for k in sorted(tops)]


def test_ch06_bars_equal_exact_risks_and_title_shows_ratios():
    fig = fs.ch06_risks(d_s=10, d_w=20, d_sw=4, n=100, N=200, sigma2=1.0, target="spread")
    r = fs.widget_risks(10, 20, 4, 100, 200, 1.0, "spread")
    theta = fs.widget_theta("spread", 10, 20, 4)
    exact = subspace_risks(10, 20, 4, 100, 200, 1.0, theta)
    np.testing.assert_allclose(_bar_tops(fig.axes[0]), [exact[k] for k in RISK_KEYS], rtol=1e-12)
    assert r["pgr"] == pytest.approx(exact["pgr"]) and r["opr"] == pytest.approx(exact["opr"])
    assert f"PGR = {exact['pgr']:.3g}" in fig.axes[0].get_title()
    assert f"OPR = {exact['opr']:.3g}" in fig.axes[0].get_title()


def test_ch06_monte_carlo_points_agree_with_bars():
    fig = fs.ch06_risks(d_s=10, d_w=20, d_sw=0, n=100, N=200, sigma2=4.0, target="zero", monte_carlo=True)
    mc = fs._widget_mc(10, 20, 0, 100, 200, 4.0, "zero")
    tops = _bar_tops(fig.axes[0])
    for key, top in zip(RISK_KEYS, tops):
        mean, se = mc[key]
        assert abs(mean - top) < 5 * se, key


def test_widget_monte_carlo_draws_shrink_with_the_dimension_within_bounds():
    small = [fs.widget_mc_trials(d_s, d_w, d_sw) for d_s, d_w, d_sw in ((2, 2, 0), (10, 20, 0), (20, 20, 10))]
    assert small == [fs.WIDGET_MC_TRIALS] * 3  # up to a 30-dimensional union: every draw
    unions = range(31, 81)
    trials = [fs.widget_mc_trials(u - 20, 20, 0) if u <= 60 else fs.widget_mc_trials(40, u - 40, 0)
              for u in unions]  # d_s + d_w - d_sw = u
    assert all(a >= b for a, b in zip(trials, trials[1:]))  # non-increasing in the union's size
    assert min(trials) == fs.WIDGET_MC_MIN_TRIALS and max(trials) < fs.WIDGET_MC_TRIALS


def test_widget_monte_carlo_at_the_largest_dimension_agrees_with_the_exact_risks_and_says_its_draws():
    """At the 80-dimensional corner the widget draws fewer trials; the points still sit within
    a few standard errors of the exact bars, and the legend gives the number of draws."""
    fig = fs.ch06_risks(d_s=40, d_w=40, d_sw=0, n=200, N=400, sigma2=1.0, target="spread", monte_carlo=True)
    mc = fs._widget_mc(40, 40, 0, 200, 400, 1.0, "spread")
    assert mc["trials"] == fs.widget_mc_trials(40, 40, 0) == fs.WIDGET_MC_MIN_TRIALS
    for key, top in zip(RISK_KEYS, _bar_tops(fig.axes[0])):
        mean, se = mc[key]
        assert abs(mean - top) < 5 * se, key
    labels = [t.get_text() for t in fig.axes[0].get_legend().get_texts()]
    assert f"Monte Carlo, {mc['trials']} draws (±2 SE)" in labels


def test_clamp_keeps_the_exact_formula_valid():
    p, notes = fs.clamp_subspace_params(d_s=40, d_w=2, d_sw=40, n=4, N=4)
    assert p == {"d_s": 40, "d_w": 2, "d_sw": 2, "n": 42, "N": 42}
    assert len(notes) == 3
    p, notes = fs.clamp_subspace_params(10, 20, 4, 100, 200)
    assert notes == [] and p["n"] == 100
    fig = fs.ch06_risks(d_s=40, d_w=2, d_sw=40, n=4, N=4)
    assert any("Clamped" in t.get_text() for t in fig.texts)


def test_widget_theta_energies():
    for target in fs.TARGETS:
        theta = fs.widget_theta(target, 10, 20, 4)
        assert theta.shape == (27,)
        assert float(theta @ theta) == pytest.approx(0.0 if target == "zero" else 1.0)
    # misspecified: half the energy on W \ S
    theta = fs.widget_theta("misspecified", 10, 20, 4)
    assert float(theta[10:26] @ theta[10:26]) > 0.5
    with pytest.raises(ValueError):
        fs.widget_theta("nope", 10, 20, 4)


def test_undefined_ratios_are_reported_not_nan():
    r = fs.widget_risks(2, 2, 0, 4, 4, 0.0, "zero")
    assert r["pgr"] is None and r["opr"] is None
    fig = fs.ch06_risks(d_s=2, d_w=2, d_sw=0, n=4, N=4, sigma2=0.0, target="zero")
    assert "undefined" in fig.axes[0].get_title()


def test_variance_vs_N_curves_are_the_library_formulas():
    data = fs.variance_vs_N(trials=400)
    ex = sweep_subspace({"N": data["N"]}, d_s=10, d_w=20, d_sw=5, n=100, N=200, sigma2=1.0, theta=np.zeros(26))
    np.testing.assert_allclose(data["exact"], ex["w2s"])
    np.testing.assert_allclose(data["asymptotic"], ex["w2s_asymptotic"])
    ok = data["N_mc"] > 10 + 3
    exact_at = np.interp(data["N_mc"][ok], data["N"], data["exact"])
    assert np.all(np.abs(data["mc"][ok] - exact_at) < 5 * data["mc_se"][ok])
    fig = fs.fig_variance_vs_N(data)
    drawn = fig.axes[0].get_lines()[0]
    np.testing.assert_allclose(drawn.get_ydata(), data["exact"])


def test_ratio_sweep_discrepancy_is_a_virtue():
    data = fs.ratio_sweep("d_sw", np.arange(0, 11), np.arange(0, 11, 5), trials=300)
    assert np.all(np.diff(data["pgr"]) < 0) and np.all(np.diff(data["opr"]) < 0)
    assert data["pgr"][0] > 1.0  # no overlap: beats the ceiling
    assert np.all(np.abs(data["pgr_mc"] - data["pgr"][[0, 5, 10]]) < 5 * data["pgr_mc_se"])
    fig = fs.fig_ratio_sweep(data, pgr_ylim=(-1, 2))
    np.testing.assert_allclose(fig.axes[0].get_lines()[0].get_ydata(), data["pgr"])
    np.testing.assert_allclose(fig.axes[1].get_lines()[0].get_ydata(), data["opr"])
    assert fig.axes[0].get_ylim() == (-1, 2)


def test_noise_sweep_flags_bias_dominated_failure():
    theta = make_theta(10, 20, 5, shared=1.0, w_only=1.0)
    data = fs.noise_sweep(theta, trials=200)
    assert not data["beats_teacher"][0] and data["bias_dominated"][0]
    assert data["beats_teacher"][-1] and not data["bias_dominated"][-1]
    fig = fs.fig_noise_sweep(data)
    for arr in _plotted_arrays(fig):
        assert np.all(np.isfinite(arr))


def test_mc_vs_exact_and_copy():
    rows = fs.mc_vs_exact(trials=1000)
    assert len(rows) == 12
    assert max(abs(r["z"]) for r in rows) < 5
    assert fs.copy_gap() < 1e-9


def test_animation_frames_draw():
    for frame in (fs.ch06_frame, fs.ch07_frame):
        fig = Figure(figsize=(6.4, 3.0), layout="constrained")
        frame(fig, 11 if frame is fs.ch07_frame else 3)
        assert fig.axes
        for arr in _plotted_arrays(fig):
            assert np.all(np.isfinite(arr))


def test_digits_grid_matches_the_library_and_the_widget():
    grid = fs.digits_grid()
    assert grid["pgr"].shape == (len(fs.DIGITS_N), len(fs.DIGITS_OVERLAPS))
    direct = digits_w2s(d_sw=14, n=100, **fs.DIGITS)
    j = fs.DIGITS_OVERLAPS.index(14)
    row = fs.grid_row(grid, 100)
    assert row["pgr"][j] == pytest.approx(direct["pgr"])
    assert row["pgr_theory"][j] == pytest.approx(direct["theory"]["pgr"])
    fig = fs.ch07_overlap(d_sw=14, n=100)
    pts = [c for c in fig.axes[1].get_lines() if c.get_marker() == "o" and c.get_linestyle() == "None"]
    np.testing.assert_allclose(pts[0].get_ydata(), row["pgr"])
    heights = [p.get_height() for p in fig.axes[0].patches if isinstance(p, Rectangle)][:4]
    np.testing.assert_allclose(heights, [row[k][j] for k in RISK_KEYS])
    with pytest.raises(ValueError):
        fs.grid_row(grid, 7)
    fs.fig_digits_sweep([row], ["digit 0"])
    fs.fig_spectrum()


def test_fmt_prints_round_off_as_zero():
    assert fs.fmt(1.86e-16) == "0" and fs.fmt(-5e-16) == "0"
    assert fs.fmt(0.51923) == "0.519" and fs.fmt(2.5e-5) == "2.5e-05"
    assert fs.fmt(0.123456, digits=2) == "0.12"


@pytest.mark.parametrize("x", [1e-9, 3e-4, 0.0123, 0.999, 1.0, 1.000001, 2.2, 7.9, 8.0, 9.99, 1234.5])
def test_widget_bar_axis_ends_on_the_next_nice_number(x):
    nice = fs._nice_ceiling(x)
    mantissa = nice / 10.0 ** np.floor(np.log10(nice) + 1e-12)
    assert any(np.isclose(mantissa, m) for m in (1, 1.2, 1.5, 2, 2.5, 3, 4, 5, 6, 8))
    assert x * (1 - 1e-12) <= nice <= x * 4 / 3 * (1 + 1e-12)  # the largest step: 3 -> 4, 6 -> 8
