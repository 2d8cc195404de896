"""The explorables of chapters 6 (``ch06:risks``) and 7 (``ch07:overlap``), without a browser.

What the browser computes (ch06's Vega expressions) is compared with w2s_lib in
``test_explorable_formulas_browser.py``; the generic kernel tests are in
``test_explorables_live.py``. Here: the specs build, stay small and finite, keep the
site's grid; ch06's expressions, read by :mod:`spec_emulator`, equal ``w2s_lib`` at many
settings (clamped ones included); its Monte Carlo points are the page's at the base
configuration and ``w2s_lib``'s anywhere with a kernel; ch07's figure is the chapter's
experiment, off the grid too; the chapters say what the kernel reaches; and no explorable
imports matplotlib or a figure module.
"""

from __future__ import annotations

import json
import math
import pathlib
import re
import subprocess
import sys

import numpy as np
import pytest
from spec_emulator import same_records, shown

from w2s_lib.explorables import real_data as X7
from w2s_lib.explorables import registered_explorables
from w2s_lib.explorables import subspace as X6
from w2s_lib.explorables.live import LiveExplorable
from w2s_lib.real_data import DIGITS_N, DIGITS_OVERLAPS, DIGITS_SETTINGS, digits_point, digits_w2s
from w2s_lib.subspace import (GROUND_TRUTHS, MC_MIN_TRIALS, MC_TRIALS, RISK_KEYS, clamp_subspace_params,
                              ground_truth, ground_truth_energies, ground_truth_mc, guarded_risks, mc_trials_for,
                              theta_energies)

ROOT = pathlib.Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def ch06():
    return X6.ENTRY.build()


@pytest.fixture(scope="module")
def ch07():
    return X7.ENTRY.build()


# --------------------------------------------------------------------------- all three
def test_the_explorables_import_no_matplotlib_and_no_figure_module():
    code = ("import sys\n"
            "import w2s_lib.explorables.subspace, w2s_lib.explorables.real_data, w2s_lib.explorables.trained_networks\n"
            "bad = sorted(m for m in sys.modules if m.split('.')[0] == 'matplotlib' or '.figures_' in m "
            "or m == 'w2s_lib.interactive')\n"
            "print(','.join(bad))\n")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=ROOT)
    assert out.stdout.strip() == "", f"imported: {out.stdout.strip()}"


def test_the_figure_modules_no_longer_hold_widgets():
    for mod in ("figures_subspace", "figures_trained"):
        text = (ROOT / "w2s_lib" / f"{mod}.py").read_text()
        assert not re.search(r"^\s*(from|import) [.\w]*interactive", text, re.M), mod
        assert "register_callback" not in text and "widget" not in text, mod


@pytest.mark.parametrize("notebook,name", [("06_subspace_variance.ipynb", "ch06:risks"),
                                           ("07_real_data.ipynb", "ch07:overlap"),
                                           ("08_trained_networks.ipynb", "ch08:trained")])
def test_each_chapter_draws_its_figure_once_with_explore(notebook, name):
    nb = json.loads((ROOT / "chapters" / notebook).read_text())
    code = ["".join(c["source"]) for c in nb["cells"] if c["cell_type"] == "code"]
    calls = [c for c in code if "explore(" in c]
    assert calls == [f'from w2s_lib.explorables.live import explore\n\nexplore("{name}");']
    assert not any("interact(" in c or "ipywidgets" in c or "w2s_lib.interactive" in c for c in code)
    (i,) = [i for i, c in enumerate(nb["cells"]) if "".join(c["source"]) == calls[0]]
    assert {"hide-input", "nbval-ignore-output"} <= set(nb["cells"][i]["metadata"]["tags"])
    before = "".join(nb["cells"][i - 1]["source"])  # the text that introduces the figure
    assert nb["cells"][i - 1]["cell_type"] == "markdown" and "Python kernel" in before
    assert "matplotlib" not in before and "widget" not in before.lower()


def _text(notebook):
    nb = json.loads((ROOT / "chapters" / notebook).read_text())
    return " ".join("".join(c["source"]) for c in nb["cells"] if c["cell_type"] == "markdown")


def test_the_chapters_say_what_a_kernel_reaches():
    t6 = _text("06_subspace_variance.ipynb")
    r = X6.REACH
    assert f"up to {r['d_s'][1]}" in t6 and r["d_s"] == r["d_w"]
    assert f"$n$ up to {r['n'][1]:,}" in t6 and f"$N$ up to {r['N'][1]:,}" in t6
    assert f"$\\sigma^2$ up to {r['sigma2'][1]:g}" in t6
    assert f"{MC_TRIALS} draws" in t6 and f"down to {MC_MIN_TRIALS}" in t6
    t7 = _text("07_real_data.ipynb")
    assert f"from {X7.D_SW_REACH[0]} to {X7.D_SW_REACH[1]}" in t7 and f"from {X7.N_REACH[0]} to {X7.N_REACH[1]}" in t7
    from w2s_lib.explorables import trained_networks as X8

    t8 = _text("08_trained_networks.ipynb")
    assert f"from {X8.N_REACH[0]}" in t8 and f"to {X8.N_REACH[1]}" in t8
    assert f"from {X8.SIGMA2_REACH[0]:g} to {X8.SIGMA2_REACH[1]:g}" in t8


@pytest.mark.parametrize("name", ["ch06:risks", "ch07:overlap"])
def test_explorable_is_registered_builds_and_is_small_finite_json(name, ch06, ch07):
    entry = registered_explorables()[name]
    e = {"ch06:risks": ch06, "ch07:overlap": ch07}[name]
    text = e.to_json()  # allow_nan=False: raises on NaN / inf
    assert len(text) < 500_000
    assert e.spec["usermeta"]["w2s_explorable"] == name
    assert entry.rtol == (1e-9 if name == "ch06:risks" else 1e-6)


# --------------------------------------------------------------------------- ch06
def test_ch06_controls_keep_the_sites_grid_and_reach_further(ch06):
    c = ch06.control
    assert c["d_s"].values == c["d_w"].values == tuple(range(2, 41))
    assert c["d_sw"].values == tuple(range(0, 41)) and c["n"].ends == (4, 400) and c["N"].ends == (4, 2000)
    assert c["sigma2"].ends == (0.0, 4.0) and math.isclose(c["sigma2"].step, 0.1)
    assert c["target"].values == GROUND_TRUTHS and c["monte_carlo"].kind == "checkbox"
    assert ch06.defaults == {"d_s": 10, "d_w": 20, "d_sw": 4, "n": 100, "N": 200, "sigma2": 1.0,
                             "target": "zero", "monte_carlo": False}
    for name, (lo, hi) in X6.REACH.items():
        assert c[name].reach == (lo, hi) and hi > c[name].values[-1], name


def test_closed_form_energies_equal_theta_energies_of_the_ground_truth():
    worst = 0.0
    for target in GROUND_TRUTHS:
        for d_s in range(2, 41, 3):
            for d_w in range(2, 41):
                for d_sw in range(0, min(d_s, d_w) + 1):
                    want = theta_energies(ground_truth(target, d_s, d_w, d_sw), d_s, d_w, d_sw)
                    got = ground_truth_energies(target, d_s, d_w, d_sw)
                    assert set(got) == set(want)
                    worst = max(worst, max(abs(got[k] - want[k]) for k in want))
    assert worst < 1e-14, worst  # summation round-off of |theta|^2 = 1


def test_ground_truth_energies_validate_their_arguments():
    with pytest.raises(ValueError, match="target"):
        ground_truth_energies("gaussian", 10, 20, 4)
    with pytest.raises(ValueError, match="d_sw"):
        ground_truth_energies("spread", 10, 20, 11)
    with pytest.raises(TypeError, match="d_s"):
        ground_truth_energies("spread", 10.5, 20, 4)


def _random_settings(n, seed=7):
    """Settings anywhere a kernel reaches (a quarter at an end of each range), plus corners that clamp."""
    rng = np.random.default_rng(seed)
    out = []
    for i in range(n):
        s = {}
        for name in ("d_s", "d_w", "d_sw", "n", "N"):
            lo, hi = X6.REACH[name]
            r = rng.random()
            inner = int(round(np.exp(rng.uniform(np.log(lo + 1), np.log(hi)))))
            s[name] = lo if r < 0.12 else hi if r < 0.25 else inner
        s["sigma2"] = float(rng.choice([0.0, 0.1, 1.0, 3.7, 10.0]))
        s["target"] = GROUND_TRUTHS[i % 3]
        out.append(s)
    for target in GROUND_TRUTHS:
        out += [dict(d_s=7, d_w=7, d_sw=7, n=9, N=9, sigma2=0.0, target=target),
                dict(d_s=60, d_w=2, d_sw=60, n=4, N=4, sigma2=10.0, target=target),
                dict(d_s=2, d_w=60, d_sw=0, n=10_000, N=5, sigma2=0.0, target=target)]
    return out


def test_ch06_expressions_equal_w2s_lib_anywhere_a_kernel_reaches(ch06):
    """Every exact layer, as the spec's expressions compute it (read by the emulator), equals
    ``w2s_lib`` after clamping, at 150 settings over the kernel's whole reach."""
    settings = _random_settings(150)
    clamped = 0
    for s in settings:
        setting = {**s, "monte_carlo": False}
        want = X6.risks_expected(**setting)
        for layer, ids in (("segments", ("model", "part")), ("risks", ("model",)), ("ratios", ()), ("clamped", ()),
                           ("layout", ("row",))):
            got = {tuple(r[k] for k in ids): r for r in shown(ch06.spec, layer, setting)}
            assert len(got) == len(want[layer]), (setting, layer)
            for row in want[layer]:  # paired by name (sorting by value would pair 0 with 1e-17 round-off wrongly)
                same_records(f"{setting} {layer}", [got[tuple(row[k] for k in ids)]], [row], rtol=1e-9)
        clamped += any(v for k, v in want["clamped"][0].items() if k.startswith("clamped_"))
    assert clamped > 20  # the clamps were exercised


def test_ch06_expected_is_w2s_libs_numbers_after_clamping():
    setting = dict(d_s=30, d_w=12, d_sw=25, n=20, N=5, sigma2=0.7, target="misspecified")
    got = X6.risks_expected(**setting)
    p, notes = clamp_subspace_params(30, 12, 25, 20, 5)
    assert p == {"d_s": 30, "d_w": 12, "d_sw": 12, "n": 32, "N": 32} and len(notes) == 3
    assert got["clamped"] == [{**p, "clamped_d_sw": True, "clamped_n": True, "clamped_N": True}]
    r = guarded_risks(30, 12, 12, 32, 32, 0.7, "misspecified")
    assert {row["model"]: row["risk"] for row in got["risks"]} == {k: r[k] for k in RISK_KEYS}
    assert got["ratios"][0]["pgr"] == r["pgr"] and got["ratios"][0]["opr"] == r["opr"]
    for k in RISK_KEYS:  # the stacked segments add up to each risk
        top = max(s["hi"] for s in got["segments"] if s["model"] == k)
        assert math.isclose(top, r[k], rel_tol=1e-12)
    assert got["mc"] == [] and got["mc_note"] == []


def test_ch06_ratios_are_undefined_not_nan_when_every_risk_vanishes():
    got = X6.risks_expected(sigma2=0.0, target="zero")
    assert got["ratios"][0] == {"pgr_ok": False, "opr_ok": False, "pgr": 0.0, "opr": 0.0, "pgr_meaningful": False}
    assert all(row["risk"] == 0.0 for row in got["risks"])
    # W = S with unit energy inside it and no noise: exact zeros carrying round-off in w2s_lib
    r = guarded_risks(7, 7, 7, 9, 9, 0.0, "spread")
    assert 0 < max(r[k] for k in RISK_KEYS) < X6.ZERO_RISK
    assert not X6.risks_expected(d_s=7, d_w=7, d_sw=7, n=9, N=9, sigma2=0.0, target="spread")["ratios"][0]["pgr_ok"]


def _mc_want(p, sigma2, target):
    mc = ground_truth_mc(p["d_s"], p["d_w"], p["d_sw"], p["n"], p["N"], sigma2, target)
    return {k: (mc[k][0], mc[k][0] - 2 * mc[k][1], mc[k][0] + 2 * mc[k][1]) for k in RISK_KEYS}, mc["trials"]


def test_ch06_page_stores_monte_carlo_at_the_base_configuration_for_every_overlap_and_target(ch06):
    for target in GROUND_TRUTHS:
        for d_sw in (0, 4, 10, 35):  # 35 clamps to 10
            setting = {**ch06.defaults, "d_sw": d_sw, "target": target, "monte_carlo": True}
            assert X6.stored_on_site(setting)
            rows = shown(ch06.spec, "mc", setting)
            same_records(f"{setting}", rows, X6.risks_expected(**setting)["mc"], rtol=1e-9)
            want, trials = _mc_want({**X6.MC_BASE, "d_sw": min(d_sw, 10)}, 1.0, target)
            assert trials == MC_TRIALS
            for row in rows:
                for field, w in zip(("mc", "mc_lo", "mc_hi"), want[row["model"]]):
                    assert math.isclose(row[field], w, rel_tol=1e-6), (setting, row["model"], field)
            assert shown(ch06.spec, "mc_note", setting) == []
            assert shown(ch06.spec, "mc", {**setting, "monte_carlo": False}) == []


@pytest.mark.parametrize("change", [dict(sigma2=1.1), dict(n=101), dict(d_s=11), dict(N=300), dict(d_w=19)])
def test_ch06_page_says_monte_carlo_elsewhere_needs_a_kernel(ch06, change):
    setting = {**ch06.defaults, **change, "monte_carlo": True}
    assert not X6.stored_on_site(setting)
    assert shown(ch06.spec, "mc", setting) == []
    assert len(shown(ch06.spec, "mc_note", setting)) == 1
    assert shown(ch06.spec, "mc_note", {**setting, "monte_carlo": False}) == []


def test_ch06_kernel_draws_monte_carlo_at_any_setting_through_its_widgets():
    live = LiveExplorable("ch06:risks")
    live.widgets["monte_carlo"].value = True
    for change in (dict(sigma2=2.35), dict(d_s=50, d_w=45, d_sw=30), dict(n=5000, N=60_000), dict(target="spread")):
        for k, v in change.items():
            live.widgets[k].value = v
        assert not live.error, live.error
        setting = live.setting()
        rows = shown(live.figure.spec, "mc", setting)
        same_records(f"{setting}", rows, X6.risks_expected(**setting)["mc"], rtol=1e-9)
        assert len(rows) == 4 and shown(live.figure.spec, "mc_note", setting) == []
        p = clamp_subspace_params(*(setting[k] for k in ("d_s", "d_w", "d_sw", "n", "N")))[0]
        want, trials = _mc_want(p, setting["sigma2"], setting["target"])
        assert {r["trials"] for r in rows} == {trials} == {mc_trials_for(p["d_s"], p["d_w"], p["d_sw"])}
        for row in rows:
            assert math.isclose(row["mc"], want[row["model"]][0], rel_tol=1e-6)
    assert trials < MC_TRIALS  # (d_s, d_w, d_sw) = (50, 45, 30): a 65-dimensional union, fewer draws


def test_monte_carlo_draws_shrink_with_the_dimension_within_bounds():
    small = [mc_trials_for(d_s, d_w, d_sw) for d_s, d_w, d_sw in ((2, 2, 0), (10, 20, 0), (20, 20, 10))]
    assert small == [MC_TRIALS] * 3
    trials = [mc_trials_for(60, u - 60, 0) for u in range(62, 121, 4)]
    assert all(a >= b for a, b in zip(trials, trials[1:])) and trials[-1] == MC_MIN_TRIALS
    with pytest.raises(ValueError, match="d_sw"):
        mc_trials_for(10, 20, 11)


def test_ch06_expressions_read_only_the_controls_and_their_own_fields(ch06):
    """The risk expressions depend on no embedded number (nothing rounded is read)."""
    text = json.dumps(ch06.spec)
    exprs = re.findall(r'"calculate":\s*"((?:[^"\\]|\\.)*)"', text)
    assert exprs, "no expressions found"
    names = {c.name for c in ch06.controls}
    for expr in exprs:
        for ident in re.findall(r"(?<![.\w'])([A-Za-z_]\w*)(?![\w'])", re.sub(r"'[^']*'", "''", expr)):
            assert ident in names | {"datum", "min", "max", "abs", "format", "true", "false"}, (ident, expr)


# --------------------------------------------------------------------------- ch07
def test_ch07_controls_keep_the_chapters_grid_and_reach_every_overlap_and_n(ch07):
    c = ch07.control
    assert c["d_sw"].values == DIGITS_OVERLAPS and c["d_sw"].kind == "range" and c["n"].values == DIGITS_N
    assert ch07.defaults == {"d_sw": 11, "n": 100}
    d_s, d_w = DIGITS_SETTINGS["d_s"], DIGITS_SETTINGS["d_w"]
    assert c["d_sw"].reach == (0, d_w) and c["n"].reach == (max(d_s, d_w) + 2, 1797 - 800 - 400)
    with pytest.raises(ValueError, match="n must lie in"):
        X7.overlap_expected(d_sw=11, n=X7.N_REACH[1] + 1)


def test_ch07_expected_is_the_chapters_experiment():
    got = X7.overlap_expected(d_sw=14, n=200)
    p = digits_point(14, 200)
    for row, err in zip(got["bars"], got["errors"]):
        k = row["model"]
        assert row["risk"] == p[k] and math.isclose(err["hi"] - err["lo"], 4 * p[k + "_se"], rel_tol=1e-12)
    assert got["readout"][0]["pgr_theory"] == p["theory"]["pgr"]
    assert [r["d_sw_nominal"] for r in got["pgr_points"]] == list(DIGITS_OVERLAPS)


def test_ch07_kernel_reruns_the_experiment_off_the_grid():
    live = LiveExplorable("ch07:overlap")
    live.update(d_sw=3, n=150)
    assert not live.error
    setting = {"d_sw": 3, "n": 150}
    fresh = digits_w2s(d_sw=3, n=150, **DIGITS_SETTINGS)  # not the cache
    (bars,) = [r for r in shown(live.figure.spec, "bars", setting) if r["model"] == "w2s"]
    assert math.isclose(bars["risk"], fresh["w2s"], rel_tol=1e-6)
    points = shown(live.figure.spec, "pgr_points", setting)
    assert sorted(r["d_sw_nominal"] for r in points) == sorted({3, *DIGITS_OVERLAPS})
    (chosen,) = shown(live.figure.spec, "chosen", setting)
    assert math.isclose(chosen["d_sw_measured"], fresh["d_sw_measured"], rel_tol=1e-6)
