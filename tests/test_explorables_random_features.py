"""Explorables of chapters 1-3 (``ch01:kernel``, ``ch02:teacher``, ``ch03:student``): the Python half.

For each: it builds; the live widget's every parameter has a control whose grid holds the
widget's slider values; the embedded JSON is finite and small; and the records the spec
keeps for a setting (the data filtered on the control values, as the spec's filters do)
equal what ``expected(**setting)`` computes from ``w2s_lib``. The browser half (what Vega
draws after filtering) is the generic explorable test in ``tests/test_site_browser.py``.
"""

from __future__ import annotations

import functools
import json
import math
import re

import numpy as np
import pytest

import w2s_lib.figures_random_features as F
from w2s_lib.explorables import registered_explorables
from w2s_lib.explorables.student import TAUS
from w2s_lib.interactive import registered_callbacks

NAMES = ("ch01:kernel", "ch02:teacher", "ch03:student")

#: The slider values of each live widget (chapters' widget cells build their sliders from these).
WIDGET_VALUES = {
    "ch01:kernel": {"d": F.CH01_D, "M": F.CH01_M},
    "ch02:teacher": {"d": F.CH02_D, "M_TE": F.CH02_M, "seed": F.CH02_SEEDS},
    "ch03:student": {"M_TE": F.CH03_MTE, "M_ST": F.CH03_MST, "tau": TAUS},
}


@functools.lru_cache(maxsize=None)
def _built(name):
    entry = registered_explorables()[name]
    return entry, entry.build()


def _datasets(spec):
    """Every data set of the spec: the consolidated ``datasets`` and any inline ``values``."""
    out = list(spec.get("datasets", {}).values())

    def walk(node):
        if isinstance(node, dict):
            if isinstance(node.get("data"), dict) and "values" in node["data"]:
                out.append(node["data"]["values"])
            for v in node.values():
                walk(v)
        elif isinstance(node, list):
            for v in node:
                walk(v)

    walk({k: v for k, v in spec.items() if k != "datasets"})
    return out


def _layer_data(spec):
    """``{layer name: (records, filter expression)}`` of every named unit layer."""
    out = {}

    def walk(node, data, filters):
        if isinstance(node, dict):
            data = node.get("data", data)
            filters = filters + [t for t in node.get("transform", [])
                                 if "filter" in t or "flatten" in t or "calculate" in t]
            if "mark" in node and "name" in node:
                values = spec["datasets"][data["name"]] if "name" in data else data["values"]
                out[re.sub(r"_\d+$", "", node["name"])] = (values, filters)  # as explorable.js reads them
            for k, v in node.items():
                if k not in ("data", "transform"):
                    walk(v, data, filters)
        elif isinstance(node, list):
            for v in node:
                walk(v, data, filters)

    walk(spec, None, [])
    return out


def _keep(row, setting, expr):
    """Evaluate one of the spec's filter expressions (the small language they use) in Python."""
    py = expr.replace("&&", " and ").replace("||", " or ").replace("datum.", "row_")
    local = dict(setting, abs=abs, **{f"row_{k}": v for k, v in row.items()})
    return bool(eval(py, {"__builtins__": {}}, local))  # noqa: S307 - our own spec's expressions


_PICK = re.compile(r"datum\['(\w+)' \+ (\w+)\]")


def _column(row, setting, expr):
    """A column-picking calculate expression, ``datum['<prefix>' + <control>]``, evaluated as
    JavaScript would (string concatenation)."""
    m = _PICK.fullmatch(expr)
    return row[m.group(1) + str(setting[m.group(2)])]


def _shown(values, setting, transforms):
    """The rows a layer shows: its data through its filters, calculates and flattens, in order."""
    rows = list(values)
    for t in transforms:
        if "filter" in t:
            rows = [r for r in rows if _keep(r, setting, t["filter"])]
        elif "calculate" in t:
            if _PICK.fullmatch(t["calculate"]):  # (text labels are checked in the browser tests)
                rows = [dict(r, **{t["as"]: _column(r, setting, t["calculate"])}) for r in rows]
        else:  # flatten: parallel arrays become one row per element
            fields = t["flatten"]
            rows = [dict(r, **{f: r[f][i] for f in fields}) for r in rows for i in range(len(r[fields[0]]))]
    return rows


@pytest.mark.parametrize("name", NAMES)
def test_every_widget_parameter_has_a_control_holding_its_slider_values(name):
    _, explorable = _built(name)
    sweep_keys = set().union(*(s.keys() for s in registered_callbacks()[name].sweep))
    assert sweep_keys == set(explorable.control), (sweep_keys, list(explorable.control))
    for param, values in WIDGET_VALUES[name].items():
        grid = explorable.control[param].values
        assert set(values) <= set(grid), f"{name} {param}: {set(values) - set(grid)} not reachable"
    for setting in registered_callbacks()[name].sweep:  # every setting the widget is tested at
        for k, v in setting.items():
            assert v in explorable.control[k].values, f"{name}: sweep value {k}={v} not on the control"


@pytest.mark.parametrize("name", NAMES)
def test_json_is_finite_and_small(name):
    _, explorable = _built(name)
    text = explorable.to_json()  # allow_nan=False: raises on NaN / inf
    assert len(text) < 3_000_000, f"{name}: {len(text)} bytes"
    for values in _datasets(json.loads(text)):
        for row in values:
            for v in row.values():
                for x in (v if isinstance(v, list) else [v]):
                    assert not isinstance(x, float) or math.isfinite(x)
    assert json.loads(text)["usermeta"]["w2s_explorable"] == name


def _settings(name):
    """The default, both ends of every control, and a few interior settings."""
    _, explorable = _built(name)
    out = [explorable.defaults]
    for c in explorable.controls:
        for end in c.ends:
            out.append(dict(explorable.defaults, **{c.name: end}))
    rng = np.random.default_rng(0)
    for _ in range(3):
        out.append({c.name: c.values[int(rng.integers(len(c.values)))] for c in explorable.controls})
    return out


def _key(row, keys):
    return tuple(f"{row[k]:.6g}" if isinstance(row[k], float) else str(row[k]) for k in keys)


@pytest.mark.parametrize("name", NAMES)
def test_embedded_records_equal_w2s_lib(name):
    """For several settings, the spec's data filtered as its filters do equal ``expected``."""
    entry, explorable = _built(name)
    layers = _layer_data(explorable.spec)
    for setting in _settings(name):
        want = entry.expected(**setting)
        for layer, rows in want.items():
            assert layer in layers, f"{name}: no layer {layer!r}"
            values, filters = layers[layer]
            got = _shown(values, setting, filters)
            assert len(got) == len(rows), f"{name} {setting} {layer}: {len(got)} rows, w2s_lib {len(rows)}"
            if not rows:
                continue
            keys = sorted(rows[0])
            for w, h in zip(sorted(rows, key=lambda r: _key(r, keys)), sorted(got, key=lambda r: _key(r, keys))):
                for k in keys:
                    if isinstance(w[k], str):
                        assert h[k] == w[k]
                    else:
                        assert math.isclose(h[k], w[k], rel_tol=entry.rtol, abs_tol=1e-12), \
                            f"{name} {setting} {layer}.{k}: embedded {h[k]!r}, w2s_lib {w[k]!r}"


def test_expected_values_mean_what_the_chapters_say():
    """Properties of the numbers themselves (not of the plumbing)."""
    k = registered_explorables()["ch01:kernel"].expected
    wide, narrow = k(d=8, M=4096), k(d=8, M=4)
    assert wide["readout"][0]["gap"] < narrow["readout"][0]["gap"]  # more features, closer to the limit
    assert wide["limit"][0]["kernel"] == pytest.approx(1.0)  # K(x, x) / K(x, x)
    assert len(k(d=8, M=2)["features"]) == 2 * 61 == 2 * len(F.LIVE_FEATURE_THETAS)
    t = registered_explorables()["ch02:teacher"].expected(d=16, M_TE=512, seed=1)
    assert sum(b["energy"] for b in t["bars"]) == pytest.approx(t["teacher"][0]["loss"], rel=1e-6)
    losses = [r["loss"] for r in t["curve"]]
    assert losses[-1] < losses[0]
    assert all(r["lo"] <= r["hi"] for r in t["band"])
    s = registered_explorables()["ch03:student"].expected
    for M_ST, tau, layer in ((0, 1e6, "kernel"), (64, 100.0, "curve")):  # the dot sits on its curve
        shown = s(M_TE=128, M_ST=M_ST, tau=tau)
        on_curve = [r["loss"] for r in shown[layer] if math.isclose(r["tau"], tau, rel_tol=1e-9)]
        assert on_curve and shown["marker"][0]["loss"] == pytest.approx(on_curve[0], rel=1e-9)
    late = s(M_TE=128, M_ST=0, tau=1e6)  # trained long, the student nears its teacher from below
    assert late["optimum"][0]["loss"] < late["marker"][0]["loss"] < late["teacher"][0]["loss"]
    assert late["marker"][0]["loss"] == pytest.approx(late["teacher"][0]["loss"], rel=0.1)
    assert s(M_TE=128, M_ST=0, tau=6.0)["optimum"][0]["loss"] <= s(M_TE=128, M_ST=0, tau=6.0)["marker"][0]["loss"]
    assert s(M_TE=128, M_ST=64, tau=6.0)["curve"] and not s(M_TE=128, M_ST=0, tau=6.0)["curve"]


@pytest.mark.parametrize("name,bad", [("ch01:kernel", {"d": 5}), ("ch02:teacher", {"M_TE": 3}),
                                      ("ch03:student", {"tau": 7.0})])
def test_expected_rejects_settings_off_the_grid(name, bad):
    with pytest.raises(ValueError, match=next(iter(bad))):
        registered_explorables()[name].expected(**bad)
