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
    assert {"ch01"} <= chapters  # ch02/ch03 widgets replaced by explore() (kernel-driven explorables)
    assert all(len(cb.sweep) >= 2 for cb in cbs.values())


def test_register_callback_rejects_an_empty_sweep():
    with pytest.raises(ValueError, match="sweep"):
        interactive.register_callback("test:empty", sweep=[])


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


# --------------------------------------------------------------------------- WidgetRenderer

def _pixels(png):
    import io

    import numpy as np
    from PIL import Image

    return np.asarray(Image.open(io.BytesIO(png)).convert("RGB")).astype(int)


def _share_of_differing_pixels(png_a, png_b, threshold=40):
    import numpy as np

    a, b = _pixels(png_a), _pixels(png_b)
    assert a.shape == b.shape
    return float(np.mean(np.abs(a - b).max(axis=2) > threshold))


def _toy_figure(y_top, ylim=(0, 4), xlabel="x"):
    from matplotlib.figure import Figure

    fig = Figure(figsize=(4, 2.5), dpi=72)
    fig.subplots_adjust(left=0.15, bottom=0.2)
    ax = fig.subplots()
    ax.plot([0, 1], [0, y_top], lw=3, color="tab:red")
    ax.set_ylim(*ylim)
    ax.set_xlabel(xlabel)
    ax.set_title(f"top = {y_top}")
    return fig


def test_static_signature_sees_the_axes_but_not_the_data():
    sig = interactive.static_signature
    assert sig(_toy_figure(1)) == sig(_toy_figure(3))  # only the line and the title differ
    assert sig(_toy_figure(1)) != sig(_toy_figure(1, ylim=(0, 5)))  # other ticks
    assert sig(_toy_figure(1)) != sig(_toy_figure(1, xlabel="y"))
    moved = _toy_figure(1)
    moved.axes[0].yaxis.set_tick_params(labelsize=14)
    assert sig(moved) != sig(_toy_figure(1))
    logged = _toy_figure(1, ylim=(0.1, 4))
    logged.axes[0].set_yscale("log")
    assert sig(logged) != sig(_toy_figure(1, ylim=(0.1, 4)))


def test_renderer_reuses_the_static_layer_and_still_draws_the_new_data():
    r = interactive.WidgetRenderer()
    first = r.render(_toy_figure(1))
    second = r.render(_toy_figure(3))
    assert (r.misses, r.hits) == (1, 1)
    assert _share_of_differing_pixels(second, interactive.render_png(_toy_figure(3))) < 2e-3
    assert _share_of_differing_pixels(first, second) > 5e-3  # the new line and title are there
    third = r.render(_toy_figure(3, ylim=(0, 8)))  # other axes: drawn afresh, not reused
    assert (r.misses, r.hits) == (2, 1)
    assert _share_of_differing_pixels(third, interactive.render_png(_toy_figure(3, ylim=(0, 8)))) < 2e-3


def test_renderer_cache_is_bounded():
    r = interactive.WidgetRenderer(cache_size=2)
    for top in (4, 5, 6, 4):
        r.render(_toy_figure(1, ylim=(0, top)))
    assert r.misses == 4 and len(r._backgrounds) == 2  # (0, 4) was evicted by (0, 6)


@pytest.mark.parametrize("name", sorted(interactive.registered_callbacks()))
def test_every_widget_update_matches_a_full_render_of_the_same_figure(name):
    """Driving each book widget through its sweep with one renderer (static layers re-used
    where the axes did not change) gives the same image as a full ``savefig``, except where
    data drawn over the frame (the only order the two differ in) covers a few pixels."""
    cb = interactive.registered_callbacks()[name]
    r = interactive.WidgetRenderer()
    n_axes = 0
    for params in cb.sweep:
        fig = cb.func(**params)
        n_axes += len(fig.axes)
        got = r.render(fig)
        assert _share_of_differing_pixels(got, interactive.render_png(cb.func(**params))) < 2e-3, params
    assert r.hits + r.misses == n_axes


def test_widget_titles_are_fixed_only_where_matplotlib_would_not_move_them():
    """The widget copy pins a title at y = 1 (skipping its per-draw placement) only where a
    full draw of the original figure leaves it there."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg

    pinned = 0
    for cb in interactive.registered_callbacks().values():
        original = cb.func.__wrapped__(**cb.sweep[0])
        FigureCanvasAgg(original).draw()  # matplotlib places the titles
        widget = cb.func(**cb.sweep[0])
        for ax_o, ax_w in zip(original.axes, widget.axes):
            if ax_w._autotitlepos is False:
                pinned += 1
                assert ax_o.title.get_position()[1] == pytest.approx(1.0)
                assert ax_w.title.get_position()[1] == 1.0
    assert pinned > 0


def test_widget_update_defers_collection_and_frees_its_cyclic_garbage_on_exit():
    import gc
    import weakref

    class Node:
        pass

    assert gc.isenabled()
    with interactive.widget_update():
        assert not gc.isenabled()
        a, b = Node(), Node()
        a.other, b.other = b, a  # a reference cycle: only the cyclic collector frees it
        ref = weakref.ref(a)
        del a, b
        assert ref() is not None
    assert gc.isenabled()
    assert ref() is None


def test_widget_update_restores_the_collector_after_an_error():
    import gc

    with pytest.raises(RuntimeError):
        with interactive.widget_update():
            raise RuntimeError("callback failed")
    assert gc.isenabled()


def _two_panels(left_top, right_ylim):
    from matplotlib.figure import Figure

    fig = Figure(figsize=(6, 2.5), dpi=72)
    fig.subplots_adjust(left=0.1, right=0.97, bottom=0.2, wspace=0.4)
    a, b = fig.subplots(1, 2)
    a.plot([0, 1], [0, left_top], color="tab:blue", lw=3)
    a.set_ylim(0, 4)
    a.set_ylabel("left")
    b.plot([0, 1], [1, 0], color="tab:green", lw=3)
    b.set_ylim(*right_ylim)
    b.set_ylabel("right")
    return fig


def test_renderer_redraws_only_the_axes_that_changed():
    r = interactive.WidgetRenderer()
    r.render(_two_panels(1, (0, 1)))
    assert (r.misses, r.hits) == (2, 0)
    got = r.render(_two_panels(3, (0, 2)))  # new data left, new ticks right
    assert (r.misses, r.hits) == (3, 1)
    assert _share_of_differing_pixels(got, interactive.render_png(_two_panels(3, (0, 2)))) < 2e-3
    got = r.render(_two_panels(2, (0, 1)))  # both axes seen before
    assert (r.misses, r.hits) == (3, 3)
    assert _share_of_differing_pixels(got, interactive.render_png(_two_panels(2, (0, 1)))) < 2e-3


def test_renderer_does_not_cache_axes_whose_boxes_overlap():
    from matplotlib.figure import Figure

    def overlapping(top):
        fig = Figure(figsize=(4, 3), dpi=72)
        a = fig.add_axes((0.15, 0.15, 0.7, 0.7))
        b = fig.add_axes((0.5, 0.5, 0.4, 0.4))  # an inset drawn over the first axes
        a.plot([0, 1], [0, top], lw=3)
        b.plot([0, 1], [top, 0], lw=3, color="tab:red")
        a.set_ylim(0, 4)
        b.set_ylim(0, 4)
        return fig

    r = interactive.WidgetRenderer()
    for top in (1, 3):
        got = r.render(overlapping(top))
        assert _share_of_differing_pixels(got, interactive.render_png(overlapping(top))) < 2e-3
    assert r.hits == 0 and not r._backgrounds


def test_renderer_keeps_hidden_axes_hidden():
    def with_hidden(top):
        fig = _two_panels(top, (0, 1))
        fig.axes[1].set_visible(False)
        return fig

    r = interactive.WidgetRenderer()
    for top in (1, 3):
        fig = with_hidden(top)
        got = r.render(fig)
        assert not fig.axes[1].get_visible()
        assert _share_of_differing_pixels(got, interactive.render_png(with_hidden(top))) < 2e-3
    assert (r.misses, r.hits) == (1, 1)  # only the shown axes is drawn and cached


def _rgba(png):
    import io

    import numpy as np
    from PIL import Image

    return np.asarray(Image.open(io.BytesIO(png)).convert("RGBA"))


@pytest.mark.parametrize("name", sorted(interactive.registered_callbacks()))
def test_every_widget_drawn_on_its_reused_figure_matches_a_fresh_figure(name):
    """A widget's LiveFigure, refilled setting after setting (the sweep forward, then back,
    so that every change of panels, scales, limits and legends is met from both sides),
    draws exactly the pixels of a figure built afresh for the same setting; and it does
    reuse its figure and axes rather than building new ones."""
    import numpy as np

    cb = interactive.registered_callbacks()[name]
    live = interactive.LiveFigure(cb)
    figures, axes_ids = set(), set()
    for params in list(cb.sweep) + list(cb.sweep[::-1]):
        fig = live.update(**params)
        figures.add(id(fig))
        axes_ids.update(id(ax) for ax in fig.axes)
        got, want = _rgba(interactive.render_png(fig)), _rgba(interactive.render_png(cb.func(**params)))
        assert got.shape == want.shape and np.array_equal(got, want), params
    assert len(figures) == 1, "the widget's figure was rebuilt"
    assert len(axes_ids) <= 3, "the widget's axes were rebuilt"


def test_reused_figure_forgets_scales_titles_legends_and_panels_of_the_last_drawing():
    """A drawing that changes its number of panels, scales, limits, titles and legend, drawn
    on a reused figure, equals the same drawing on a fresh figure."""
    import numpy as np

    def draw(two, log):
        fig = interactive.widget_canvas((4, 2), dpi=72, left=0.15, bottom=0.2)
        axes = fig.subplots(1, 2) if two else [fig.subplots()]
        for k, ax in enumerate(axes):
            ax.plot([1, 2, 30], [1, 5, 2 + k], label=f"curve {k}")
            if log:
                ax.set_xscale("log")
                ax.set_title("log")
                ax.set_ylim(0, 10)
                ax.legend(loc="upper left")
            ax.set_xlabel("x" if log else "")
        if not two:
            fig.text(0.5, 0.95, "one panel", ha="center")
        return fig

    cb = interactive.WidgetCallback("test:reuse", draw, ())
    live = interactive.LiveFigure(cb)
    for two, log in [(True, True), (False, False), (True, False), (False, True), (True, True)]:
        fig = live.update(two=two, log=log)
        assert len(fig.axes) == (2 if two else 1)
        got, want = _rgba(interactive.render_png(fig)), _rgba(interactive.render_png(draw(two, log)))
        assert np.array_equal(got, want), (two, log)
