"""Machinery shared by every chapter's interactive figures.

Numerics live in the science modules; the ``figures_*`` modules turn them into
matplotlib drawings; this module holds what every chapter needs around them:

* a registry of widget callbacks, each with a realistic slider sweep, so the
  benchmark suite and the tests can drive every callback without a display;
* :func:`animation_html`, the kernel-free version of a chapter's main control
  (a self-contained JavaScript animation for readers of the static site);
* :func:`interact`, which wires a registered callback to ipywidgets controls;
* :func:`static_site_note`, the note telling static-site readers where the
  sliders went.
"""

from __future__ import annotations

import dataclasses
import functools
import io
import re
from typing import Callable, Mapping, Sequence

import matplotlib

__all__ = [
    "WidgetCallback",
    "register_callback",
    "registered_callbacks",
    "animation_html",
    "interact",
    "static_site_note",
    "render_png",
    "settle_garbage_collector",
    "lighten_for_widget",
]


@dataclasses.dataclass(frozen=True)
class WidgetCallback:
    """A widget callback and the slider sweep used to test and benchmark it.

    Attributes
    ----------
    name : str
        Unique name, ``"chapter:figure"``.
    func : callable
        ``func(**params) -> matplotlib.figure.Figure``; draws a fresh figure.
    sweep : tuple of dict
        Parameter settings a reader reaches by dragging the sliders, including
        the extreme values of every control.
    """

    name: str
    func: Callable
    sweep: tuple


_REGISTRY: dict[str, WidgetCallback] = {}


def register_callback(name: str, sweep: Sequence[Mapping]):
    """Decorator: register ``func`` as a widget callback with its slider ``sweep``."""
    sweep = tuple(dict(s) for s in sweep)
    if not sweep:
        raise ValueError(f"sweep for {name!r} must hold at least one parameter setting")

    def decorate(func):
        @functools.wraps(func)
        def widget_func(**params):
            return lighten_for_widget(func(**params))

        _REGISTRY[name] = WidgetCallback(name, widget_func, sweep)
        return func

    return decorate


def lighten_for_widget(fig):
    """Lighter ticks for the widget's copy of a figure: no minor ticks on log axes, and
    at most about five default major ticks per axis.

    On a log axis matplotlib draws eight minor ticks per decade, each a tick line and an
    (empty) label; at widget resolution they are barely visible but cost ~20 ms per
    panel to lay out and draw.  Static figures in the chapters keep them.
    """
    from matplotlib.ticker import AutoLocator, LogLocator, MaxNLocator, NullLocator

    for ax in fig.get_axes():
        for axis, scale in ((ax.xaxis, ax.get_xscale()), (ax.yaxis, ax.get_yscale())):
            if scale == "log":
                axis.set_minor_locator(NullLocator())
            # Fewer major ticks where the figure left matplotlib's defaults (every tick is a
            # new Tick object with two lines and a label, created at draw time); ticks a
            # figure placed itself are kept.
            locator = axis.get_major_locator()
            if type(locator) is AutoLocator:
                axis.set_major_locator(MaxNLocator(nbins=4))
            elif type(locator) is LogLocator and getattr(locator, "_base", None) == 10:
                axis.set_major_locator(LogLocator(numticks=5))  # other bases keep their ticks
    return fig


def registered_callbacks() -> dict[str, WidgetCallback]:
    """All registered callbacks (importing every ``w2s_lib.figures_*`` module first)."""
    import importlib
    import pkgutil

    from . import __path__ as package_path

    for info in pkgutil.iter_modules(package_path):
        if info.name.startswith("figures_"):
            importlib.import_module(f"{__package__}.{info.name}")  # registers its callbacks
    return dict(_REGISTRY)


def settle_garbage_collector() -> None:
    """Collect once, then move every object alive now out of the cyclic collector's sight.

    A widget update builds a fresh matplotlib figure: thousands of small objects with
    reference cycles.  They trigger full collections that walk *every* tracked object of
    the kernel (the imported scientific stack alone is ~10^5 objects), which showed up as
    50-200 ms pauses in the slider latency.  :func:`gc.freeze` (CPython >= 3.7) keeps the
    long-lived objects (modules, caches warmed by the first draw) out of those walks;
    they are still freed normally by reference counting.  Called by :func:`interact`
    after the first draw and by the benchmark at the same point.
    """
    import gc

    gc.collect()
    gc.freeze()


def render_png(fig, dpi: int = 72) -> bytes:
    """Render a figure to PNG bytes (what a widget update costs to display)."""
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=dpi)
    return buf.getvalue()


def animation_html(values, draw_frame: Callable, *, figsize=(6.4, 3.4), dpi: int = 72,
                   interval: int = 700, title: Callable | None = None):
    """Kernel-free animation of a figure over a sequence of parameter values.

    Parameters
    ----------
    values : sequence
        Parameter values, one frame each (keep it to ~10-20 frames).
    draw_frame : callable
        ``draw_frame(fig, value)`` draws one frame into the (cleared) figure.
    figsize, dpi, interval
        Figure size in inches, resolution, and milliseconds between frames.
    title : callable, optional
        ``title(value) -> str``, set as the figure's suptitle.

    Returns
    -------
    IPython.display.HTML
        A self-contained JavaScript player (play / step buttons and a frame
        slider) that works on a static page with no kernel.
    """
    import matplotlib.pyplot as plt
    from IPython.display import HTML
    from matplotlib.animation import FuncAnimation

    values = list(values)
    if not values:
        raise ValueError("values must hold at least one frame")
    with plt.ioff():
        fig = plt.figure(figsize=figsize, dpi=dpi, layout="constrained")

        def update(i):
            fig.clear()
            draw_frame(fig, values[i])
            if title is not None:
                fig.suptitle(title(values[i]), fontsize="medium")
            return []

        anim = FuncAnimation(fig, update, frames=len(values), interval=interval, blit=False)
        with matplotlib.rc_context({"animation.embed_limit": 40.0}):
            html = anim.to_jshtml(default_mode="once")
        # matplotlib links Font Awesome 4 from a CDN; the book theme already ships Font
        # Awesome, so drop the link and keep the page free of third-party hosts.
        html = re.sub(r'<link rel="stylesheet"\s+href="https?://[^"]*font-awesome[^"]*"\s*/?>', "", html)
        plt.close(fig)
    return HTML(html)


def interact(callback_name: str, controls: Mapping):
    """Wire a registered callback to ipywidgets controls and return the widget box.

    The callback redraws only when a slider is released (``continuous_update``
    is switched off on every control), so each update is one computation.
    """
    import ipywidgets as widgets
    import matplotlib.pyplot as plt
    from IPython.display import Image, display

    cb = registered_callbacks()[callback_name]
    for c in controls.values():
        if hasattr(c, "continuous_update"):
            c.continuous_update = False
    out = widgets.Output()

    def redraw(**params):
        with out:
            out.clear_output(wait=True)
            fig = cb.func(**params)
            # Render once, exactly as the benchmark measures it.  ``display(fig)`` would go
            # through IPython's inline formatter, whose ``bbox_inches="tight"`` draws the
            # figure twice; the callbacks' figures have fixed margins and need no trimming.
            display(Image(data=render_png(fig), format="png"))
            plt.close(fig)

    wired = widgets.interactive_output(redraw, dict(controls))  # first draw: warms the caches
    settle_garbage_collector()
    box = widgets.VBox([widgets.HBox(list(controls.values()), layout=widgets.Layout(flex_flow="row wrap")), out])
    return box, wired


def static_site_note():
    """Markdown note shown above a live widget: what a static-page reader should do."""
    from IPython.display import Markdown

    return Markdown(
        "*Live controls.* The sliders below need a running Python kernel. On the static site "
        "use the launch button (rocket icon, top of the page) to open this chapter in Binder "
        "or Colab; the animation further down shows the same effect without a kernel."
    )
