"""The widget machinery: one PNG per slider change, rendered as the benchmark measures it."""

import struct
from unittest import mock

import ipywidgets as widgets
import pytest

from w2s_lib import interactive


def _png_size(data):
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    return struct.unpack(">II", data[16:24])


@pytest.fixture
def toy_callback():
    from matplotlib.figure import Figure

    calls = []

    @interactive.register_callback("test:toy", sweep=[{"a": 1}, {"a": 3}])
    def toy(a=1):
        calls.append(a)
        fig = Figure(figsize=(4, 2), dpi=72)
        fig.subplots().plot([0, 1], [0, a])
        return fig

    yield calls
    interactive._REGISTRY.pop("test:toy")


def test_interact_draws_once_per_change_and_shows_one_untrimmed_png(toy_callback):
    shown = []
    slider = widgets.IntSlider(value=1, min=1, max=3)
    with mock.patch("IPython.display.display", side_effect=shown.append):
        box, _ = interactive.interact("test:toy", {"a": slider})
        slider.value = 3
    assert toy_callback == [1, 3]
    assert not slider.continuous_update  # redraw on release only
    assert [type(o).__name__ for o in shown] == ["Image", "Image"]
    # fixed-margin figure rendered at 72 dpi, not trimmed by a tight bounding box
    assert _png_size(shown[-1].data) == (4 * 72, 2 * 72)
    assert isinstance(box, widgets.VBox)


def test_every_book_callback_is_registered_with_a_sweep():
    cbs = interactive.registered_callbacks()
    chapters = {name.split(":")[0] for name in cbs}
    assert {"ch01", "ch02", "ch03", "ch04", "ch05", "ch06", "ch07"} <= chapters
    assert all(len(cb.sweep) >= 2 for cb in cbs.values())


def test_register_callback_rejects_an_empty_sweep():
    with pytest.raises(ValueError, match="sweep"):
        interactive.register_callback("test:empty", sweep=[])


def test_animation_html_is_self_contained_with_one_frame_per_value():
    def draw(fig, v):
        fig.subplots().plot([0, 1], [0, v])

    html = interactive.animation_html([1, 2, 3], draw, figsize=(3, 2)).data
    import re

    assert "font-awesome" not in html
    assert not re.findall(r"(?:src|href)=[\"']https?://", html)  # nothing loaded from another host
    assert html.count("data:image/png;base64") == 3


def test_widget_copy_of_a_log_figure_has_no_minor_ticks_but_the_same_data():
    import numpy as np
    from matplotlib.figure import Figure
    from matplotlib.ticker import NullLocator

    fig = Figure()
    ax = fig.subplots()
    ax.loglog([1, 10, 100], [1, 0.1, 0.01])
    before = ax.lines[0].get_xydata().copy()
    interactive.lighten_for_widget(fig)
    assert isinstance(ax.xaxis.get_minor_locator(), NullLocator)
    assert isinstance(ax.yaxis.get_minor_locator(), NullLocator)
    np.testing.assert_array_equal(ax.lines[0].get_xydata(), before)
