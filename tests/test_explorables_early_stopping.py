"""The explorables of chapters 4 and 5 (``ch04:tau``, ``ch04:finite_data``, ``ch05:exponent``), in Python.

For each: it builds with named layers; its grid is the site's (the chapters' sizes and widths);
the page data are finite JSON under the budget; the records each named layer shows after the
spec's own transforms (``tests/spec_emulator.py``) equal ``expected(...)`` (computed by
w2s_lib) at the defaults, at both ends of every control and at every corner of the grid;
and the modules import no matplotlib. ``tests/test_explorables_live.py`` checks kernel
updates off the grid; ``tests/test_site_browser.py`` what Vega actually draws.
"""

from __future__ import annotations

import itertools
import json
import math
import re
import subprocess
import sys

import numpy as np
import pytest

from spec_emulator import layer_names, same_records, shown
from w2s_lib.explorables import registered_explorables
from w2s_lib.explorables.early_stopping import (DEGREES, FD_TAU_LOG10, TAU_LOG10, finite_data_expected, readable,
                                                tau_expected)
from w2s_lib.explorables.limits import WIDTHS, exponent_expected, exponent_state
from w2s_lib.early_stopping import degree_learning_times
from w2s_lib.finite_data import FD_TAU_GRID, N_VALUES, finite_data_student
from w2s_lib.limits import SWEEP_D, clamp_width_range, exponent_window, fit_exponent, sweep_widths, width_sweep

NAMES = ("ch04:tau", "ch04:finite_data", "ch05:exponent")


@pytest.fixture(scope="module")
def built():
    entries = registered_explorables()
    return {name: (entries[name], entries[name].build()) for name in NAMES}


def _settings(explorable):
    """The defaults, each control at each end, and every corner of the control grid."""
    out = [explorable.defaults]
    for c in explorable.controls:
        out += [{**explorable.defaults, c.name: e} for e in c.ends]
    out += [dict(zip([c.name for c in explorable.controls], corner))
            for corner in itertools.product(*[c.ends for c in explorable.controls])]
    return out


@pytest.mark.parametrize("name", NAMES)
def test_explorable_builds_with_named_layers(built, name):
    entry, e = built[name]
    assert e.name == name and e.spec["usermeta"]["w2s_explorable"] == name
    named = layer_names(e.spec)
    assert set(entry.expected(**e.defaults)) == named
    assert not [n for n in named if re.search(r"_\d+$", n)], named


def test_grids_are_the_chapters():
    entries = registered_explorables()
    t = entries["ch04:tau"].controls[0]
    assert t.kind == "range" and math.isclose(t.step, 0.05) and t.values == TAU_LOG10
    assert (t.values[0], t.values[-1]) == (-2.0, 15.0) and t.reach == (-2.0, 17.0)
    n, t = entries["ch04:finite_data"].controls
    assert n.values == tuple(N_VALUES) and n.reach == (20, 4096) and n.log
    assert t.values == FD_TAU_LOG10
    assert math.isclose(10.0 ** t.values[0], FD_TAU_GRID[0]) and math.isclose(10.0 ** t.values[-1], FD_TAU_GRID[-1])
    d, lo, hi = entries["ch05:exponent"].controls
    assert d.values == tuple(SWEEP_D)
    widths = sorted(set().union(*(sweep_widths(v) for v in SWEEP_D)))
    for c in (lo, hi):
        assert list(c.values) == widths == list(WIDTHS) and c.labels == tuple(str(m) for m in widths)
        assert c.reach == (2, 1024)


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
            same_records(f"{name} {setting} layer {layer!r}", shown(e.spec, layer, setting), want, entry.rtol)


def test_tau_bars_are_the_learned_fractions_and_read_as_numbers(built):
    ex = tau_expected(t=math.log10(6.5))
    tk = degree_learning_times(32, max(DEGREES))
    np.testing.assert_allclose([r["learned"] for r in ex["bars"]],
                               [1 - np.exp(-6.5 / tk[j]) for j in DEGREES], rtol=1e-6)
    labels = {r["degree"]: r["tau_k"] for r in built["ch04:tau"][1].spec["datasets"]["bars"]}
    assert labels[2] == "53" and labels[4] == "6.4 \u00d7 10\u2074", labels
    assert readable(53.2) == "53" and readable(6400.0) == "6,400" and readable(np.inf) == "never"
    assert not any("e+" in v or "e-" in v for v in labels.values())


def test_finite_data_marker_is_the_student_at_tau_and_its_optimum_beats_the_curve():
    for N in (N_VALUES[0], 512, N_VALUES[-1], 300):  # 300: off the site's grid
        st, res, curve = finite_data_student(N, 0)
        ex = finite_data_expected(N=N, t=1.0)
        assert math.isclose(ex["marker"][0]["loss"], float(st.loss(10.0)), rel_tol=1e-12)
        assert ex["optimum"][0]["loss"] <= min(r["loss"] for r in ex["curve"]) * (1 + 1e-9)
        assert [r["N"] for r in ex["highlight"]] == [N, N]


def test_finite_data_axis_reaches_the_interpolation_peak(built):
    """The right panel's ratio axis holds every table value (no clipped peak at N = M_ST)."""
    spec = built["ch04:finite_data"][1].spec
    top = max(r["ratio"] for r in finite_data_expected(N=512, t=1.0)["ratios"])
    domains = [u["encoding"]["y"]["scale"]["domain"] for u in spec["hconcat"][1]["layer"]
               if u.get("encoding", {}).get("y", {}).get("field") == "ratio" and "scale" in u["encoding"]["y"]]
    assert domains and all(dm[1] >= top for dm in domains)


def test_exponent_ranges_are_clamped_and_the_fit_is_the_log_log_slope():
    for d in SWEEP_D:
        widths = sweep_widths(d)
        for m_lo, m_hi in itertools.product(WIDTHS, WIDTHS):
            st = exponent_state(d, m_lo, m_hi)
            assert st["lo"] in widths and st["hi"] in widths and st["lo"] < st["hi"]
            assert st["mask"].sum() >= 2
            if m_lo < m_hi and m_lo in widths and m_hi in widths:
                assert (st["lo"], st["hi"]) == (m_lo, m_hi)
    for d, m_lo, m_hi in ((32, 64, 1024), (8, 1024, 1024), (16, 2, 4), (16, 1024, 2), (32, 50, 300)):
        lo, hi = clamp_width_range(sweep_widths(d), m_lo, m_hi)
        r = width_sweep(d)
        sel = (r.m_values >= lo) & (r.m_values <= hi)
        slope = np.polyfit(np.log(r.teacher_loss[sel].ravel()), np.log(r.student_loss[sel].ravel()), 1)[0]
        ex = exponent_expected(d, m_lo, m_hi)["readout"][0]
        assert math.isclose(ex["slope"], slope, rel_tol=1e-9)
        seeds = [fit_exponent(r.teacher_loss[sel, j], r.student_loss[sel, j])[0] for j in range(len(r.seeds))]
        assert math.isclose(ex["slope_min"], min(seeds), rel_tol=1e-12)
        assert math.isclose(ex["slope_max"], max(seeds), rel_tol=1e-12)
        assert math.isclose(exponent_window(d, lo, hi)["slope"], slope, rel_tol=1e-9)


def test_expected_functions_validate_their_arguments():
    with pytest.raises(ValueError, match="N must lie in"):
        finite_data_expected(N=5000, t=1.0)
    with pytest.raises(ValueError, match="N must be a whole number"):
        finite_data_expected(N=400.5, t=1.0)
    with pytest.raises(ValueError, match="t must lie in"):
        finite_data_expected(N=400, t=9.5)
    with pytest.raises(ValueError, match="t must lie in"):
        tau_expected(t=18.0)
    with pytest.raises(ValueError, match="d must lie in"):
        exponent_expected(d=128)
    with pytest.raises(ValueError, match="m_lo must lie in"):
        exponent_expected(d=32, m_lo=1)


def test_explorable_modules_import_no_matplotlib():
    code = ("import sys; import w2s_lib.explorables.early_stopping, w2s_lib.explorables.limits; "
            "bad = sorted(m for m in sys.modules if m.startswith('matplotlib') or m.startswith('w2s_lib.figures') "
            "or m == 'w2s_lib.interactive'); print(bad); sys.exit(1 if bad else 0)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert out.returncode == 0, out.stdout + out.stderr
