"""The explorables of chapters 4 and 5 (``ch04:tau``, ``ch04:finite_data``, ``ch05:exponent``), in Python.

For each: it builds; every parameter of the live widget has a control whose grid covers the
widget's slider; the page data are finite JSON under the budget; and the records each named
layer would show after the spec's own filters (applied here in Python to the embedded data)
equal ``expected(...)`` (computed by w2s_lib) at the defaults, at both ends of every control
and at every corner of the control grid. The browser tests (``test_site_browser.py``) check
the same against what Vega actually draws.
"""

from __future__ import annotations

import itertools
import json
import math
import re

import numpy as np
import pytest
from matplotlib.figure import Figure

import w2s_lib.figures_early_stopping as F
from w2s_lib.explorables import registered_explorables
from w2s_lib.explorables.early_stopping import FD_TAU_LOG10, TAU_LOG10, finite_data_expected
from w2s_lib.explorables.limits import WIDTHS, exponent_expected, exponent_state
from w2s_lib.interactive import registered_callbacks

NAMES = ("ch04:tau", "ch04:finite_data", "ch05:exponent")
#: widget parameter -> explorable control (tau is offered as log10 tau, control "t")
PARAMS = {
    "ch04:tau": {"tau": "t"},
    "ch04:finite_data": {"N": "N", "tau": "t"},
    "ch05:exponent": {"d": "d", "m_lo": "m_lo", "m_hi": "m_hi"},
}
#: the tau values of the chapter-4 notebook's finite-data slider
FD_TAU_SLIDER = (0.01, 0.1, 1.0, 3.0, 10.0, 20.0, 100.0, 1e3, 1e4, 1e6, 1e9)


@pytest.fixture(scope="module")
def built():
    entries = registered_explorables()
    return {name: (entries[name], entries[name].build()) for name in NAMES}


# --------------------------------------------------------------------------- the spec, filtered in Python
def _units(node):
    """Every unit spec (one with a mark) of a Vega-Lite spec tree."""
    if isinstance(node, dict):
        if "mark" in node:
            yield node
        for v in node.values():
            yield from _units(v)
    elif isinstance(node, list):
        for v in node:
            yield from _units(v)


def _layer_name(unit):
    """A unit's layer name without the ``_<i>`` Altair appends inside layer charts (as the site strips it)."""
    return re.sub(r"_\d+$", "", unit["name"]) if "name" in unit else None


def _eval(expr, row, setting):
    """A Vega expression of the kinds the specs use (comparisons, &&, ||, !, abs, * and +) in Python."""
    py = re.sub(r"datum\.(\w+)", r"_row['\1']", expr)
    py = py.replace("&&", " and ").replace("||", " or ")
    py = re.sub(r"!(?!=)", " not ", py)
    return eval(py, {"__builtins__": {}}, {"_row": row, "abs": abs, **setting})  # noqa: S307


def _shown(spec, layer, setting):
    """The records the unit named ``layer`` shows at ``setting``: its data through its transforms."""
    units = [u for u in _units(spec) if _layer_name(u) == layer]
    assert len(units) == 1, f"{len(units)} layers named {layer!r}"
    unit = units[0]
    rows = [dict(r) for r in unit["data"]["values"]]
    for tr in unit.get("transform", []):
        if "filter" in tr:
            rows = [r for r in rows if _eval(tr["filter"], r, setting)]
        elif "calculate" in tr:
            if "format(" in tr["calculate"] or "'" in tr["calculate"]:
                continue  # a label, not a number a layer is compared on
            for r in rows:
                r[tr["as"]] = _eval(tr["calculate"], r, setting)
        elif "lookup" in tr:
            src = tr["from"]
            table = {r[src["key"]]: r for r in src["data"]["values"]}
            for r in rows:
                hit = table[r[tr["lookup"]]]
                r.update({f: hit[f] for f in src["fields"]})
        else:
            raise AssertionError(f"layer {layer!r}: transform {tr} not understood by this test")
    return rows


def _same(where, got, want, rtol=1e-6):
    assert len(got) == len(want), f"{where}: {len(got)} records shown, w2s_lib gives {len(want)}"
    if not want:
        return
    keys = sorted(want[0])

    def order(r):
        return tuple(f"{r[k]:.5g}" if isinstance(r[k], float) else str(r[k]) for k in keys)

    for g, w in zip(sorted(got, key=order), sorted(want, key=order)):
        for k in keys:
            if isinstance(w[k], float):
                assert math.isclose(g[k], w[k], rel_tol=rtol, abs_tol=1e-12), f"{where} {k}: data {g[k]!r}, w2s_lib {w[k]!r}"
            else:
                assert g[k] == w[k], f"{where} {k}: data {g[k]!r}, w2s_lib {w[k]!r}"


def _settings(explorable):
    """The defaults, each control at each end, and every corner of the control grid."""
    out = [explorable.defaults]
    for c in explorable.controls:
        out += [{**explorable.defaults, c.name: e} for e in c.ends]
    out += [dict(zip([c.name for c in explorable.controls], corner))
            for corner in itertools.product(*[c.ends for c in explorable.controls])]
    return out


# --------------------------------------------------------------------------- tests
@pytest.mark.parametrize("name", NAMES)
def test_explorable_builds_with_named_layers_and_controls(built, name):
    entry, e = built[name]
    assert e.name == name and e.spec["usermeta"]["w2s_explorable"] == name
    assert len(e.controls) == len(PARAMS[name])
    named = {_layer_name(u) for u in _units(e.spec) if "name" in u}
    assert set(entry.expected(**e.defaults)) <= named
    assert not [n for n in named if re.search(r"_\d+$", n)], named


@pytest.mark.parametrize("name", NAMES)
def test_every_widget_parameter_has_a_control(built, name):
    _, e = built[name]
    params = set().union(*(s.keys() for s in registered_callbacks()[name].sweep))
    assert params == set(PARAMS[name]), f"{name}: widget parameters {sorted(params)}, mapped {sorted(PARAMS[name])}"
    for p in params:
        assert PARAMS[name][p] in e.control, f"{name}: no control for widget parameter {p!r}"


def _sweep_values(name, param):
    return sorted({s[param] for s in registered_callbacks()[name].sweep if param in s})


def test_tau_grid_spans_the_widget_slider(built):
    _, e = built["ch04:tau"]
    t = e.control["t"]
    assert t.kind == "range" and math.isclose(t.step, 0.05) and t.values == TAU_LOG10
    slider = set(F.TAU_SLIDER) | set(_sweep_values("ch04:tau", "tau"))
    assert 10.0 ** t.values[0] <= min(slider) * (1 + 1e-12) and 10.0 ** t.values[-1] >= max(slider) * (1 - 1e-12)
    # every slider value is within half a grid step (in log10) of a grid value
    for tau in slider:
        assert min(abs(v - math.log10(tau)) for v in t.values) <= 0.025 + 1e-9, tau


def test_finite_data_grid_spans_the_widget_sliders(built):
    _, e = built["ch04:finite_data"]
    n, t = e.control["N"], e.control["t"]
    assert n.values == tuple(F.N_VALUES) and set(_sweep_values("ch04:finite_data", "N")) <= set(n.values)
    assert t.kind == "range" and math.isclose(t.step, 0.05) and t.values == FD_TAU_LOG10
    # the grid spans FD_TAU_GRID (what the widget clips tau to) and the notebook's slider
    assert math.isclose(10.0 ** t.values[0], F.FD_TAU_GRID[0]) and math.isclose(10.0 ** t.values[-1], F.FD_TAU_GRID[-1])
    for tau in set(FD_TAU_SLIDER) | set(_sweep_values("ch04:finite_data", "tau")):
        assert min(abs(v - math.log10(tau)) for v in t.values) <= 0.025 + 1e-9, tau


def test_exponent_controls_offer_every_width_and_dimension(built):
    _, e = built["ch05:exponent"]
    assert e.control["d"].values == tuple(F.SWEEP_D)
    widths = sorted(set().union(*(F.sweep_widths(d) for d in F.SWEEP_D)))
    for c in ("m_lo", "m_hi"):
        ctl = e.control[c]
        assert ctl.kind in ("select", "radio") and list(ctl.values) == widths == list(WIDTHS)
        assert ctl.labels == tuple(str(m) for m in widths), "the widths themselves are the labels"
        assert set(_sweep_values("ch05:exponent", c)) <= set(ctl.values)
    assert set(_sweep_values("ch05:exponent", "d")) <= set(e.control["d"].values)


@pytest.mark.parametrize("name", NAMES)
def test_page_data_are_finite_json_under_the_budget(built, name):
    _, e = built[name]
    text = e.to_json()  # allow_nan=False
    assert "NaN" not in text and "Infinity" not in text
    assert len(text) < 3_000_000, f"{name}: {len(text) / 1e6:.2f} MB"
    json.loads(text)


def test_chapter_4_page_holds_both_explorables_under_the_budget(built):
    assert len(built["ch04:tau"][1].to_json()) + len(built["ch04:finite_data"][1].to_json()) < 3_000_000


@pytest.mark.parametrize("name", NAMES)
def test_embedded_records_equal_w2s_lib_at_the_ends_of_every_control(built, name):
    entry, e = built[name]
    for setting in _settings(e):
        for layer, want in entry.expected(**setting).items():
            _same(f"{name} {setting} layer {layer!r}", _shown(e.spec, layer, setting), want, entry.rtol)


def test_finite_data_marker_is_the_student_at_tau_and_its_optimum_beats_the_curve():
    for N in (F.N_VALUES[0], 512, F.N_VALUES[-1]):
        st, res, curve = F.finite_data_student(N, 0)
        ex = finite_data_expected(N=N, t=1.0)
        assert math.isclose(ex["marker"][0]["loss"], float(st.loss(10.0)), rel_tol=1e-12)
        # the optimum lies on or below the whole drawn curve
        assert ex["optimum"][0]["loss"] <= min(r["loss"] for r in ex["curve"]) * (1 + 1e-9)
        assert [r["N"] for r in ex["highlight"]] == [N, N]


def test_exponent_ranges_are_clamped_like_the_widget_and_the_fit_is_the_widgets():
    for d in F.SWEEP_D:
        widths = F.sweep_widths(d)
        for m_lo, m_hi in itertools.product(WIDTHS, WIDTHS):
            st = exponent_state(d, m_lo, m_hi)
            assert st["lo"] in widths and st["hi"] in widths and st["lo"] < st["hi"]
            assert st["mask"].sum() >= 2
            if m_lo < m_hi and m_lo in widths and m_hi in widths:
                assert (st["lo"], st["hi"]) == (m_lo, m_hi)
    for d, m_lo, m_hi in ((32, 64, 1024), (8, 1024, 1024), (16, 2, 4), (16, 1024, 2)):
        w = F.exponent_figure(Figure(), d, m_lo, m_hi)  # the widget's own figure
        ex = exponent_expected(d, m_lo, m_hi)["readout"][0]
        assert math.isclose(ex["slope"], w["slope"], rel_tol=1e-12)
        assert math.isclose(ex["slope_min"], w["slopes"].min(), rel_tol=1e-12)
        assert math.isclose(ex["slope_max"], w["slopes"].max(), rel_tol=1e-12)
        assert int(np.sum(w["mask"])) == len(exponent_expected(d, m_lo, m_hi)["ratio_selected"])


def test_expected_functions_validate_their_arguments():
    with pytest.raises(ValueError, match="N must be one of"):
        finite_data_expected(N=300, t=1.0)
    with pytest.raises(ValueError, match=r"t \(log10 tau\) must lie in"):
        finite_data_expected(N=400, t=9.5)
    with pytest.raises(ValueError, match="d must be one of"):
        exponent_expected(d=64)
    with pytest.raises(ValueError, match="m_lo must be one of"):
        exponent_expected(d=32, m_lo=3)
