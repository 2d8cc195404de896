"""The explorables of chapters 6 (``ch06:risks``) and 7 (``ch07:overlap``), without a browser.

What the browser computes (ch06's Vega expressions) is compared with w2s_lib in
``test_explorable_formulas_browser.py``; here: the specs build, stay small and finite,
have the live widgets' controls, and what they embed (ch06's Monte Carlo points, ch07's
grid) equals w2s_lib; ch06's closed-form target energies equal ``theta_energies``.
"""

from __future__ import annotations

import json
import math
import pathlib
import re

import numpy as np
import pytest

import w2s_lib.figures_subspace as fs
from w2s_lib.explorables import real_data as X7
from w2s_lib.explorables import registered_explorables
from w2s_lib.explorables import subspace as X6
from w2s_lib.interactive import registered_callbacks
from w2s_lib.subspace import RISK_KEYS, theta_energies

ROOT = pathlib.Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def ch06():
    return X6.risks_explorable()


@pytest.fixture(scope="module")
def ch07():
    return X7.overlap_explorable()


def _layer(spec, name):
    """The (unique) layer of ``spec`` named ``name`` and its inline records."""
    found = []

    def walk(node):
        if isinstance(node, dict):
            # (Altair suffixes the names of layers inside a layer chart with _<i>)
            if re.fullmatch(rf"{name}(_\d+)?", str(node.get("name"))) and "mark" in node:
                found.append(node)
            for v in node.values():
                walk(v)
        elif isinstance(node, list):
            for v in node:
                walk(v)

    walk(spec)
    assert len(found) == 1, f"{len(found)} layers named {name!r}"
    data = found[0]["data"]
    values = data["values"] if "values" in data else spec["datasets"][data["name"]]
    return found[0], values


# --------------------------------------------------------------------------- both
@pytest.mark.parametrize("name", ["ch06:risks", "ch07:overlap"])
def test_explorable_is_registered_builds_and_is_small_finite_json(name, ch06, ch07):
    entry = registered_explorables()[name]
    e = {"ch06:risks": ch06, "ch07:overlap": ch07}[name]
    text = e.to_json()  # allow_nan=False: raises on NaN / inf
    assert len(text) < 3_000_000
    assert e.spec["usermeta"]["w2s_explorable"] == name
    assert not re.search(r"\bNaN\b|Infinity", text)
    assert entry.rtol == (1e-9 if name == "ch06:risks" else 1e-6)


@pytest.mark.parametrize("name", ["ch06:risks", "ch07:overlap"])
def test_every_widget_parameter_has_a_control_covering_the_widgets_sweep(name, ch06, ch07):
    e = {"ch06:risks": ch06, "ch07:overlap": ch07}[name]
    sweep = registered_callbacks()[name].sweep
    params = set().union(*(s.keys() for s in sweep))
    assert params == set(e.control), (sorted(params), sorted(e.control))
    for s in sweep:
        for k, v in s.items():
            assert v in e.control[k].values, f"{name}: widget value {k} = {v!r} not reachable"


def _widget_sliders(notebook):
    """``{name: (kind, min, max, step)}`` of the live widget's sliders, read from the chapter."""
    nb = json.loads((ROOT / "chapters" / notebook).read_text())
    src = "\n".join("".join(c["source"]) for c in nb["cells"] if c["cell_type"] == "code")
    out = {}
    for m in re.finditer(r'"(\w+)": widgets\.(Int|Float)Slider\(([^)]*)\)', src):
        args = dict(re.findall(r"(\w+)=([-\d.]+)", m.group(3)))
        out[m.group(1)] = (m.group(2), float(args["min"]), float(args["max"]), float(args.get("step", 1)))
    return out


def test_ch06_controls_have_the_live_widgets_ranges(ch06):
    sliders = _widget_sliders("06_subspace_variance.ipynb")
    c = ch06.control
    # fixed ranges
    for name in ("d_s", "d_w", "sigma2"):
        _, lo, hi, step = sliders[name]
        assert c[name].ends == (lo, hi) and math.isclose(c[name].step, step), name
    # the widget moves these bounds with d_s, d_w (its _limits): the control spans every bound reached
    d_lo, d_hi = c["d_s"].ends
    assert c["d_sw"].ends == (sliders["d_sw"][1], min(c["d_s"].ends[1], c["d_w"].ends[1]))
    assert c["n"].ends == (max(d_lo, c["d_w"].ends[0]) + 2, sliders["n"][2])
    assert c["N"].ends == (d_lo + 2, sliders["N"][2])
    assert all(c[k].step == 1 for k in ("d_s", "d_w", "d_sw", "n", "N"))
    assert c["target"].values == fs.TARGETS and c["monte_carlo"].kind == "checkbox"
    assert ch06.defaults == {"d_s": 10, "d_w": 20, "d_sw": 4, "n": 100, "N": 200, "sigma2": 1.0,
                             "target": "zero", "monte_carlo": False}


def test_ch07_controls_are_the_widgets_grid(ch07):
    assert ch07.control["d_sw"].values == fs.DIGITS_OVERLAPS and ch07.control["d_sw"].kind == "range"
    assert ch07.control["n"].values == fs.DIGITS_N
    assert ch07.defaults == {"d_sw": 11, "n": 100}


# --------------------------------------------------------------------------- ch06
def test_closed_form_energies_equal_theta_energies_of_the_widgets_ground_truth():
    worst = 0.0
    for target in fs.TARGETS:
        for d_s in range(2, 41):
            for d_w in range(2, 41):
                for d_sw in range(0, min(d_s, d_w) + 1):
                    want = theta_energies(fs.widget_theta(target, d_s, d_w, d_sw), d_s, d_w, d_sw)
                    got = X6.target_energies(target, d_s, d_w, d_sw)
                    assert set(got) == set(want)
                    worst = max(worst, max(abs(got[k] - want[k]) for k in want))
    assert worst < 1e-14, worst  # summation round-off of |theta|^2 = 1


def test_target_energies_validate_their_arguments():
    with pytest.raises(ValueError, match="target"):
        X6.target_energies("gaussian", 10, 20, 4)
    with pytest.raises(ValueError, match="d_sw"):
        X6.target_energies("spread", 10, 20, 11)
    with pytest.raises(TypeError, match="d_s"):
        X6.target_energies("spread", 10.5, 20, 4)


def test_ch06_monte_carlo_points_equal_the_live_widgets(ch06):
    layer, rows = _layer(ch06.spec, "mc")
    assert len(rows) == len(fs.TARGETS) * len(X6.MC_OVERLAPS) * len(RISK_KEYS)
    b = X6.MC_BASE
    for target in fs.TARGETS:
        for d_sw in X6.MC_OVERLAPS:
            widget = fs._widget_mc(b["d_s"], b["d_w"], d_sw, b["n"], b["N"], b["sigma2"], target)
            mine = X6.mc_point(b["d_s"], b["d_w"], d_sw, b["n"], b["N"], b["sigma2"], target)
            assert widget["trials"] == X6.MC_TRIALS  # the widget's full count on this grid
            assert mine == {k: tuple(widget[k]) for k in RISK_KEYS}
            for k in RISK_KEYS:
                (row,) = [r for r in rows if r["target"] == target and r["d_sw"] == d_sw and r["model"] == k]
                mean, se = widget[k]
                for field, want in (("mc", mean), ("mc_lo", mean - 2 * se), ("mc_hi", mean + 2 * se)):
                    assert math.isclose(row[field], want, rel_tol=1e-6), (target, d_sw, k, field)


def test_ch06_expected_is_the_live_widgets_numbers_after_clamping():
    setting = dict(d_s=30, d_w=12, d_sw=25, n=20, N=5, sigma2=0.7, target="misspecified")
    got = X6.risks_expected(**setting)
    p, notes = fs.clamp_subspace_params(30, 12, 25, 20, 5)
    assert p == {"d_s": 30, "d_w": 12, "d_sw": 12, "n": 32, "N": 32} and len(notes) == 3
    assert got["clamped"] == [{**p, "note": "; ".join(notes)}]
    r = fs.widget_risks(30, 12, 12, 32, 32, 0.7, "misspecified")
    assert {row["model"]: row["risk"] for row in got["risks"]} == {k: r[k] for k in RISK_KEYS}
    assert got["ratios"][0]["pgr"] == r["pgr"] and got["ratios"][0]["opr"] == r["opr"]
    # the stacked segments add up to each risk
    for k in RISK_KEYS:
        top = max(s["hi"] for s in got["segments"] if s["model"] == k)
        assert math.isclose(top, r[k], rel_tol=1e-12)
    assert got["mc"] == [] and got["mc_note"] == []


def test_ch06_ratios_are_undefined_not_nan_when_every_risk_vanishes():
    got = X6.risks_expected(sigma2=0.0, target="zero")
    assert got["ratios"][0]["pgr"] == X6.UNDEFINED and got["ratios"][0]["opr"] == X6.UNDEFINED
    assert all(row["risk"] == 0.0 for row in got["risks"])
    # W = S with unit energy inside it and no noise: exact zeros carrying round-off in w2s_lib
    r = fs.widget_risks(7, 7, 7, 9, 9, 0.0, "spread")
    assert 0 < max(r[k] for k in RISK_KEYS) < X6.ZERO_RISK
    assert X6.risks_expected(d_s=7, d_w=7, d_sw=7, n=9, N=9, sigma2=0.0, target="spread")["ratios"][0]["pgr"] \
        == X6.UNDEFINED


def test_ch06_monte_carlo_is_shown_only_where_it_was_precomputed():
    on = X6.risks_expected(monte_carlo=True)  # the base configuration, d_sw = 4
    assert len(on["mc"]) == 4 and on["mc_note"] == []
    clamped_in = X6.risks_expected(d_sw=30, monte_carlo=True)  # clamps to d_sw = 10
    assert len(clamped_in["mc"]) == 4
    away = X6.risks_expected(sigma2=1.1, monte_carlo=True)
    assert away["mc"] == [] and len(away["mc_note"]) == 1
    assert X6.risks_expected(sigma2=1.1)["mc_note"] == []


def test_ch06_expressions_read_only_the_controls_and_their_own_fields(ch06):
    """The risk expressions depend on no embedded number (nothing rounded is read)."""
    text = json.dumps(ch06.spec)
    exprs = re.findall(r'"calculate":\s*"((?:[^"\\]|\\.)*)"', text)
    assert exprs, "no expressions found"
    names = {c.name for c in ch06.controls}
    for expr in exprs:
        for ident in re.findall(r"(?<![.\w'])([A-Za-z_]\w*)(?![\w'])", re.sub(r"'[^']*'", "''", expr)):
            assert ident in names | {"datum", "min", "max", "abs", "format", "replace", "regexp", "true", "false"}, (ident, expr)


# --------------------------------------------------------------------------- ch07
@pytest.mark.parametrize("setting", [dict(d_sw=8, n=50), dict(d_sw=11, n=100), dict(d_sw=14, n=200),
                                     dict(d_sw=20, n=400), dict(d_sw=17, n=50)])
def test_ch07_embedded_rows_at_a_setting_equal_expected(ch07, setting):
    want = X7.overlap_expected(**setting)
    for layer, rows in want.items():
        spec_layer, values = _layer(ch07.spec, layer)
        assert "transform" in spec_layer, f"{layer} is not filtered by the controls"
        shown = [r for r in values if all(r[k] == v for k, v in setting.items() if k in r)]
        assert len(shown) == len(rows), (layer, len(shown), len(rows))
        for have, row in zip(shown, rows):
            for k, v in row.items():
                if isinstance(v, float):
                    assert math.isclose(have[k], v, rel_tol=1e-12), (layer, k)
                else:
                    assert have[k] == v, (layer, k)


def test_ch07_expected_is_digits_grid():
    grid = fs.digits_grid()
    i, j = list(fs.DIGITS_N).index(200), list(fs.DIGITS_OVERLAPS).index(14)
    got = X7.overlap_expected(d_sw=14, n=200)
    for row in got["bars"]:
        k = row["model"]
        assert math.isclose(row["risk"], grid[k][i, j], rel_tol=1e-6)
        assert math.isclose(row["hi"] - row["lo"], 4 * grid[k + "_se"][i, j], rel_tol=1e-5, abs_tol=1e-7)
    assert math.isclose(got["readout"][0]["pgr_theory"], grid["pgr_theory"][i, j], rel_tol=1e-6)
    assert np.allclose([r["pgr"] for r in got["pgr_points"]], grid["pgr"][i], rtol=1e-6)
