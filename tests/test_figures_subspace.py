"""Figures of chapters 6 (subspace variance) and 7 (digits), and the helpers of chapter 6's explorable
(ground truths, clamping, guarded risks, Monte Carlo anywhere) in :mod:`w2s_lib.subspace`."""

import matplotlib

matplotlib.use("Agg")

import numpy as np
import pytest
from matplotlib.collections import LineCollection, PolyCollection
from matplotlib.patches import Rectangle

import w2s_lib.figures_subspace as fs
from w2s_lib import digits_w2s, make_theta, subspace_risks, sweep_subspace
from w2s_lib.subspace import (GROUND_TRUTHS, MC_MIN_TRIALS, RISK_KEYS, clamp_subspace_params, ground_truth,
                              ground_truth_mc, guarded_risks, mc_trials_for)


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


def test_guarded_risks_are_the_exact_risks_of_the_ground_truth():
    r = guarded_risks(10, 20, 4, 100, 200, 1.0, "spread")
    exact = subspace_risks(10, 20, 4, 100, 200, 1.0, ground_truth("spread", 10, 20, 4))
    for k in (*RISK_KEYS, "pgr", "opr"):
        assert r[k] == pytest.approx(exact[k], rel=1e-12), k
    assert r["pgr_meaningful"] == (r["weak"] > r["strong_ceiling"])


@pytest.mark.parametrize("setting", [dict(d_s=10, d_w=20, d_sw=0, n=100, N=200, sigma2=4.0, target="zero"),
                                     dict(d_s=40, d_w=40, d_sw=0, n=200, N=400, sigma2=1.0, target="spread"),
                                     dict(d_s=60, d_w=50, d_sw=20, n=5000, N=80_000, sigma2=0.3,
                                          target="misspecified")])
def test_monte_carlo_anywhere_agrees_with_the_exact_risks_and_says_its_draws(setting):
    """Few draws at large dimensions (:func:`mc_trials_for`); the means still sit within a few
    standard errors of the exact risks."""
    args = [setting[k] for k in ("d_s", "d_w", "d_sw", "n", "N", "sigma2", "target")]
    mc = ground_truth_mc(*args)
    r = guarded_risks(*args)
    assert mc["trials"] == mc_trials_for(setting["d_s"], setting["d_w"], setting["d_sw"])
    for key in RISK_KEYS:
        mean, se = mc[key]
        assert abs(mean - r[key]) < 5 * se, key
    assert ground_truth_mc(2, 2, 0, 4, 4, 0.0, "zero") is None  # every risk exactly zero: nothing to draw
    assert mc_trials_for(40, 40, 0) == MC_MIN_TRIALS


def test_clamp_keeps_the_exact_formula_valid():
    p, notes = clamp_subspace_params(d_s=40, d_w=2, d_sw=40, n=4, N=4)
    assert p == {"d_s": 40, "d_w": 2, "d_sw": 2, "n": 42, "N": 42}
    assert notes == ["d_sw -> 2 (at most min(d_s, d_w))", "n -> 42 (needs n > max(d_s, d_w) + 1)",
                     "N -> 42 (needs N > d_s + 1)"]
    p, notes = clamp_subspace_params(10, 20, 4, 100, 200)
    assert notes == [] and p == {"d_s": 10, "d_w": 20, "d_sw": 4, "n": 100, "N": 200}
    for d_s, d_w, d_sw, n, N in [(2, 60, 60, 4, 4), (60, 2, 0, 62, 61), (7, 7, 7, 9, 9)]:
        p, _ = clamp_subspace_params(d_s, d_w, d_sw, n, N)
        assert p["d_sw"] <= min(d_s, d_w) and p["n"] > max(d_s, d_w) + 1 and p["N"] > d_s + 1
        subspace_risks(**p, sigma2=1.0, theta=ground_truth("spread", d_s, d_w, p["d_sw"]))  # inside the domain


def test_ground_truth_energies():
    for target in GROUND_TRUTHS:
        theta = ground_truth(target, 10, 20, 4)
        assert theta.shape == (27,)
        assert float(theta @ theta) == pytest.approx(0.0 if target == "zero" else 1.0)
    # misspecified: half the energy on W \ S
    theta = ground_truth("misspecified", 10, 20, 4)
    assert float(theta[10:26] @ theta[10:26]) > 0.5
    with pytest.raises(ValueError, match="target"):
        ground_truth("nope", 10, 20, 4)


def test_undefined_ratios_are_reported_not_nan():
    r = guarded_risks(2, 2, 0, 4, 4, 0.0, "zero")
    assert r["pgr"] is None and r["opr"] is None


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


def test_digits_grid_matches_the_library():
    grid = fs.digits_grid()
    assert grid["pgr"].shape == (len(fs.DIGITS_N), len(fs.DIGITS_OVERLAPS))
    direct = digits_w2s(d_sw=14, n=100, **fs.DIGITS)
    j = fs.DIGITS_OVERLAPS.index(14)
    row = fs.grid_row(grid, 100)
    assert row["pgr"][j] == pytest.approx(direct["pgr"])
    assert row["pgr_theory"][j] == pytest.approx(direct["theory"]["pgr"])
    assert row["weak"][j] == pytest.approx(direct["weak"]) and row["d_sw_measured"][j] == pytest.approx(
        direct["d_sw_measured"])
    with pytest.raises(ValueError):
        fs.grid_row(grid, 7)
    fig = fs.fig_digits_sweep([row], ["digit 0"])
    np.testing.assert_allclose(fig.axes[0].get_lines()[0].get_ydata(), row["pgr_theory"])
    fs.fig_spectrum()


def test_fmt_prints_round_off_as_zero():
    assert fs.fmt(1.86e-16) == "0" and fs.fmt(-5e-16) == "0"
    assert fs.fmt(0.51923) == "0.519" and fs.fmt(2.5e-5) == "2.5e-05"
    assert fs.fmt(0.123456, digits=2) == "0.12"
