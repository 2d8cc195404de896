"""Every explorable, with a kernel: ipywidgets drive the same figure to settings off its grid.

For each registered explorable: a kernel can redraw it (it is defined with a data
function); every named layer of its spec has an expected value (so the browser
comparison covers every layer); and, moving each control through its ipywidget to a
value the site's grid does not hold, the figure's new data (read as the spec's
transforms read it, :mod:`spec_emulator`) equals ``expected(**setting)``, computed
straight from ``w2s_lib``. Values outside a control's reach are refused with a message
naming the control, and the figure stays as it was.
"""

from __future__ import annotations

import functools

import pytest

from spec_emulator import layer_names, same_records, shown
from w2s_lib.explorables import registered_explorables
from w2s_lib.explorables.live import LiveExplorable

NAMES = sorted(registered_explorables())


@functools.lru_cache(maxsize=None)
def _live(name):
    return LiveExplorable(name)


def _off_grid(control):
    """A value the kernel control reaches that the site's grid does not hold (None if none)."""
    if control.reach is None:
        return None
    lo, hi = control.reach
    grid = sorted(control.values)
    candidates = []
    for a, b in zip(grid, grid[1:]):  # between two grid values
        mid = (a * b) ** 0.5 if control.log and a > 0 else (a + b) / 2
        candidates.append(mid)
    candidates += [hi, lo]  # the reach may extend past the grid
    for v in candidates:
        v = int(round(v)) if control.integer else float(f"{v:.6g}")
        if lo <= v <= hi and v not in control.values:
            return v
    return None


def _compare(name, live, setting):
    entry = live.entry
    want = entry.expected(**setting)
    for layer, rows in want.items():
        same_records(f"{name} {setting} {layer}", shown(live.figure.spec, layer, setting), rows, entry.rtol)


@pytest.mark.parametrize("name", NAMES)
def test_a_kernel_can_redraw_every_explorable(name):
    assert registered_explorables()[name].live, f"{name} has no data function: a kernel cannot redraw it"


@pytest.mark.parametrize("name", NAMES)
def test_every_named_layer_has_an_expected_value(name):
    live = _live(name)
    want = set(live.entry.expected(**live.template.defaults))
    drawn = layer_names(live.template.spec)
    assert drawn <= want, f"{name}: layers drawn but never compared with w2s_lib: {sorted(drawn - want)}"
    assert want <= drawn, f"{name}: expected layers the spec does not draw: {sorted(want - drawn)}"


@pytest.mark.parametrize("name", NAMES)
def test_each_control_set_off_the_grid_through_its_widget_redraws_w2s_libs_values(name):
    live = _live(name)
    moved = 0
    for c in live.template.controls:
        value = _off_grid(c)
        if value is None:
            continue
        before = live.setting()
        live.widgets[c.name].value = value  # as a reader's drag does: the observer redraws
        assert not live.error, f"{name}: {c.name} = {value!r} refused: {live.error}"
        setting = live.setting()
        assert setting[c.name] == value
        assert live.figure.setting == live.entry.check_setting(**setting)
        assert live.view.state["params"] == live.figure.setting  # pushed into the live view
        assert live.view.state["seq"] == live.seq
        _compare(name, live, setting)
        live.widgets[c.name].value = before[c.name]
        moved += 1
    assert moved, f"{name}: no control reaches a value off the site's grid"


@pytest.mark.parametrize("name", NAMES)
def test_a_value_outside_a_controls_reach_is_refused_by_name(name):
    live = _live(name)
    numeric = [c for c in live.template.controls if c.reach is not None]
    assert numeric
    c = numeric[0]
    before = live.figure
    fig = live.update(**{c.name: c.reach[1] * 2 + 1})
    assert fig is before and c.name in live.error and str(c.reach[1]) in live.error
    live.update(**{c.name: c.default})
    assert not live.error
