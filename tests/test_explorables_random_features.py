"""Explorables of chapters 1-3 (``ch01:kernel``, ``ch02:teacher``, ``ch03:student``): the Python half.

For each: the embedded JSON is finite and small; the records the spec shows at grid settings
(its data filtered as its transforms do, ``spec_emulator``) equal what ``expected(**setting)``
computes from ``w2s_lib``; the numbers mean what the chapters say; a setting outside a
control's reach is refused by name; and the modules import no matplotlib. Settings off the
grid, through the kernel's widgets, are ``test_explorables_live.py``; what Vega draws on the
built site is ``test_site_browser.py``.
"""

from __future__ import annotations

import functools
import json
import math
import subprocess
import sys

import numpy as np
import pytest

from spec_emulator import same_records, shown
from w2s_lib.explorables import registered_explorables
from w2s_lib.explorables.kernel import FEATURE_THETAS

NAMES = ("ch01:kernel", "ch02:teacher", "ch03:student")


@functools.lru_cache(maxsize=None)
def _built(name):
    entry = registered_explorables()[name]
    return entry, entry.build()


@pytest.mark.parametrize("name", NAMES)
def test_json_is_finite_and_small(name):
    _, explorable = _built(name)
    text = explorable.to_json()  # allow_nan=False: raises on NaN / inf
    assert len(text) < 3_000_000, f"{name}: {len(text)} bytes"
    for rows in json.loads(text)["datasets"].values():
        for row in rows:
            for v in row.values():
                for x in (v if isinstance(v, list) else [v]):
                    assert not isinstance(x, float) or math.isfinite(x)


def _settings(explorable):
    """The default, both ends of every control's grid, and a few interior grid settings."""
    out = [explorable.defaults]
    for c in explorable.controls:
        for end in c.ends:
            out.append(dict(explorable.defaults, **{c.name: end}))
    rng = np.random.default_rng(0)
    for _ in range(3):
        out.append({c.name: c.values[int(rng.integers(len(c.values)))] for c in explorable.controls})
    return out


@pytest.mark.parametrize("name", NAMES)
def test_embedded_records_equal_w2s_lib_on_the_grid(name):
    entry, explorable = _built(name)
    for setting in _settings(explorable):
        for layer, rows in entry.expected(**setting).items():
            same_records(f"{name} {setting} {layer}", shown(explorable.spec, layer, setting), rows, entry.rtol)


def test_expected_values_mean_what_the_chapters_say():
    """Properties of the numbers themselves (not of the plumbing)."""
    k = registered_explorables()["ch01:kernel"].expected
    wide, narrow = k(d=8, M=4096), k(d=8, M=4)
    assert wide["readout"][0]["gap"] < narrow["readout"][0]["gap"]  # more features, closer to the limit
    assert wide["limit"][0]["kernel"] == pytest.approx(1.0)  # K(x, x) / K(x, x)
    assert len(k(d=8, M=2)["features"]) == 2 * 61 == 2 * len(FEATURE_THETAS)
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


@pytest.mark.parametrize("name,bad", [("ch01:kernel", {"d": 65}), ("ch02:teacher", {"M_TE": 4096}),
                                      ("ch03:student", {"tau": 1e9}), ("ch03:student", {"M_ST": -1})])
def test_expected_refuses_settings_outside_the_reach_by_name(name, bad):
    with pytest.raises(ValueError, match=next(iter(bad))):
        registered_explorables()[name].expected(**bad)


def test_the_part_one_explorables_import_no_matplotlib():
    code = ("import sys; import w2s_lib.explorables.kernel, w2s_lib.explorables.teacher, "
            "w2s_lib.explorables.student; print(sorted(m for m in sys.modules if m.startswith('matplotlib') "
            "or 'figures_' in m or m.endswith('interactive')))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]", out
