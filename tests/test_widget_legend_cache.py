"""WidgetRenderer's legend cache: a legend drawn once and composited over later updates."""

import io

import matplotlib

matplotlib.use("Agg")
import numpy as np
from matplotlib.figure import Figure
from PIL import Image

from w2s_lib import interactive


def _figure(slope, label="data", loc="upper left"):
    fig = Figure(figsize=(4, 3), dpi=72)
    ax = fig.subplots()
    x = np.linspace(0, 1, 50)
    ax.plot(x, slope * x, label=label)
    ax.plot(x, 0.5 + 0 * x, "--", label="level")
    ax.set_xlim(0, 1)
    ax.set_ylim(0, 2)
    ax.legend(loc=loc)
    return fig


def _pixels(png):
    return np.asarray(Image.open(io.BytesIO(png)).convert("RGB")).astype(int)


def _max_diff(png_a, png_b):
    return int(np.abs(_pixels(png_a) - _pixels(png_b)).max())


def test_legend_is_drawn_once_and_composited_over_new_data():
    r = interactive.WidgetRenderer()
    r.render(_figure(0.2))
    got = r.render(_figure(1.9))  # the steep line runs under the legend (upper left)
    assert (r.legend_misses, r.legend_hits) == (1, 1)
    # against the renderer without the legend cache: equal up to rounding of the blend
    plain = interactive.WidgetRenderer()
    original = interactive._legend_signature
    try:
        interactive._legend_signature = lambda legend: None
        ref = plain.render(_figure(1.9))
    finally:
        interactive._legend_signature = original
    assert _max_diff(got, ref) <= 3
    assert _max_diff(got, r.render(_figure(0.2))) > 100  # the new line is there


def test_a_changed_label_is_a_new_legend():
    r = interactive.WidgetRenderer()
    r.render(_figure(1.0, label="M = 1"))
    r.render(_figure(1.0, label="M = 2"))
    assert (r.legend_misses, r.legend_hits) == (2, 0)


def test_legend_placed_by_the_data_is_not_cached():
    fig = _figure(1.0, loc="best")
    legend = fig.axes[0].get_legend()
    assert interactive._legend_signature(legend) is None
    assert interactive._legend_signature(_figure(1.0).axes[0].get_legend()) is not None
    r = interactive.WidgetRenderer()
    r.render(fig)
    r.render(_figure(1.5, loc="best"))
    assert (r.legend_misses, r.legend_hits) == (0, 0)
