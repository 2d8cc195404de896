"""The kernel's side of an explorable: ipywidgets controls that move the same figure.

On the static site an explorable's controls filter data computed at build time over a
grid. With a kernel (JupyterLab, Binder, Colab) :func:`explore` shows the same figure
and, above it, ipywidgets controls that reach *every* value the controls allow
(:attr:`Control.reach`): each change recomputes the figure's data with ``w2s_lib``
(:meth:`ExplorableEntry.at`) and pushes it into the live Vega view.

The figure is an ``anywidget`` (:class:`ExplorableWidget`) that draws the explorable's own
spec with the Vega of this package (``static/vendor/vega``, the site's copy, sent with the
widget: nothing is fetched from the network) and, at each update, swaps the named data
sets and sets the parameters in place (``live_widget.js``). Measured alternatives: an
output replaced through its display handle is redrawn from scratch (Vega-Lite compiled,
the view built and drawn again): 200-450 ms per change in JupyterLab 4.6 here; Altair's
``JupyterChart`` does the same in-place updates but bundles its JavaScript with
``vl-convert`` in each kernel (3 s per chapter executed).

Its output also carries the site's Vega-Lite spec (the whole grid, controls bound in the
figure), a PNG of the default view and a text alternative: the static site draws the
spec, viewers without JavaScript show the image, and a front end with the widget manager
shows the live widget.
"""

from __future__ import annotations

import functools
import json
import pathlib

from . import MIME_TYPE, Control, Explorable, ExplorableEntry, registered_explorables

__all__ = ["LiveExplorable", "explore", "control_widget", "widget_module"]

_HERE = pathlib.Path(__file__).parent
_VEGA = (("vega", "vega.min.js"), ("vegaLite", "vega-lite.min.js"), ("vegaEmbed", "vega-embed.min.js"))


@functools.lru_cache(maxsize=1)
def widget_module() -> str:
    """The widget's JavaScript module: the package's Vega bundles (evaluated once per page)
    followed by ``live_widget.js``."""
    parts = []
    for name, file in _VEGA:
        src = (_HERE / "static" / "vendor" / "vega" / file).read_text(encoding="utf-8")
        parts.append(f"if (!globalThis.{name}) (new Function({json.dumps(src)}))();")
    parts.append((_HERE / "live_widget.js").read_text(encoding="utf-8"))
    return "\n".join(parts)


@functools.lru_cache(maxsize=1)
def _widget_class():
    import anywidget
    import traitlets

    class ExplorableWidget(anywidget.AnyWidget):
        """An explorable's figure in a kernel: its spec, and the state pushed into it."""

        _esm = widget_module()
        spec = traitlets.Dict().tag(sync=True)
        state = traitlets.Dict().tag(sync=True)

    return ExplorableWidget


def _label(value) -> str:
    if isinstance(value, float):
        return f"{value:g}"
    return str(value)


def control_widget(control: Control):
    """The ipywidgets control of ``control``: over its whole ``reach`` if it has one.

    A check box for a check box; a drop-down for text values; without ``reach`` a
    selection slider over the grid; with it an integer slider, a float slider or (``log``)
    a log slider over ``reach``. Sliders update on release, and their readout is editable,
    so a reader can type any value in range (ipywidgets clamps it to the range).
    """
    import ipywidgets as widgets

    desc = control.label or control.name
    style = {"description_width": "initial"}
    layout = widgets.Layout(width="420px")
    common = dict(description=desc, style=style, layout=layout)
    if control.kind == "checkbox":
        return widgets.Checkbox(value=bool(control.default), description=desc, indent=False)
    if isinstance(control.values[0], str):
        labels = control.labels or control.values
        return widgets.Dropdown(options=list(zip(labels, control.values)), value=control.default, **common)
    if control.reach is None:
        return widgets.SelectionSlider(options=[(_label(v), v) for v in control.values], value=control.default,
                                       continuous_update=False, **common)
    lo, hi = control.reach
    if control.log:
        import math

        step = 0.01 if not control.integer else min(0.05, math.log10(hi / lo) / 200)
        return widgets.FloatLogSlider(value=control.default, base=10, min=math.log10(lo), max=math.log10(hi),
                                      step=step, continuous_update=False,
                                      readout_format=".0f" if control.integer else ".3g", **common)
    if control.integer:
        return widgets.IntSlider(value=control.default, min=lo, max=hi, step=1, continuous_update=False, **common)
    step = control.step if control.step else (hi - lo) / 100
    return widgets.FloatSlider(value=control.default, min=lo, max=hi, step=step, continuous_update=False,
                               readout_format=".3g", **common)


class LiveExplorable:
    """An explorable with ipywidgets controls, redrawn by ``w2s_lib`` at each change.

    Parameters
    ----------
    entry : ExplorableEntry or str
        A registered explorable (or its name) defined with ``define_explorable``.
    template : Explorable, optional
        Its built figure (built here when omitted).

    Attributes
    ----------
    widgets : dict of str to ipywidgets.Widget
        The controls, by control name.
    figure : Explorable
        What is drawn now.
    error : str
        The message of the last setting that could not be drawn ("" when none).
    """

    def __init__(self, entry: ExplorableEntry | str, template: Explorable | None = None):
        import ipywidgets as widgets

        if isinstance(entry, str):
            entry = registered_explorables()[entry]
        if not entry.live:
            raise ValueError(f"{entry.name}: defined without a data function, so a kernel cannot redraw it")
        self.entry = entry
        self.template = template if template is not None else entry.build()
        self.error = ""
        self.seq = 0
        self.figure = entry.at(self.template, **self.template.defaults)
        self.view = _widget_class()(spec=self.figure.spec, state={})
        self._sent = dict(self.figure.spec["datasets"])  # what the view draws: only changes are sent
        self.widgets = {c.name: control_widget(c) for c in self.template.controls}
        self.status = widgets.HTML(value="")
        for w in self.widgets.values():
            w.observe(self._changed, names="value")

    def setting(self) -> dict:
        """The setting the widgets show now."""
        out = {}
        for c in self.template.controls:
            v = self.widgets[c.name].value
            if c.integer and c.reach is not None:
                v = int(round(v))
            out[c.name] = v
        return out

    def update(self, **setting) -> Explorable:
        """Redraw at ``setting`` (missing controls keep their widgets' values); return the figure."""
        full = dict(self.setting(), **setting)
        self.status.value = "<i>computing…</i>"  # sent at once: a first visit can take seconds
        try:
            figure = self.entry.at(self.template, **full)
        except ValueError as err:  # a value the figure cannot take: say why, keep the figure
            self.error = str(err)
            self.status.value = f"<span style='color:#b00020'>{self.error}</span>"
            return self.figure
        self.error = ""
        self.status.value = ""
        self.figure = figure
        self.seq += 1
        changed = {k: v for k, v in figure.spec["datasets"].items() if self._sent.get(k) != v}
        self._sent.update(changed)
        self.view.state = {"data": changed, "params": dict(figure.setting), "seq": self.seq}
        return figure

    def _changed(self, _change):
        self.update()

    def controls_box(self):
        """The widgets in one box (with a line for messages)."""
        import ipywidgets as widgets

        return widgets.VBox([*self.widgets.values(), self.status])

    def _repr_mimebundle_(self, include=None, exclude=None):
        """The live widget for front ends with a widget manager; the site's spec, a PNG and a
        text alternative for every other reader of the notebook."""
        bundle = self.template.mimebundle(image=True)
        live = self.view._repr_mimebundle_(include=include, exclude=exclude)
        if isinstance(live, tuple):
            live = live[0]
        bundle.update({k: v for k, v in live.items() if k != "text/plain"})
        return bundle

    def show(self):
        """Display the controls and, below them, the figure they move."""
        from IPython.display import display

        display(_Controls(self.controls_box(), self.template))
        display(self)
        return self


class _Controls:
    """The controls' output: the widgets, and a sentence for readers without a kernel."""

    def __init__(self, box, template: Explorable):
        self.box, self.template = box, template

    def _repr_mimebundle_(self, include=None, exclude=None):
        bundle = self.box._repr_mimebundle_(include=include, exclude=exclude)
        if isinstance(bundle, tuple):
            bundle = bundle[0]
        names = ", ".join(c.label or c.name for c in self.template.controls)
        bundle["text/plain"] = (f"Controls of {self.template.name} ({names}): run this cell with a Python kernel "
                                "to move the figure to values off the page's grid.")
        return bundle


def explore(name: str) -> LiveExplorable:
    """Show explorable ``name`` with kernel controls; the chapters' one call per figure.

    On the static site only the figure's output is drawn (its own Vega-Lite controls move
    it over the grid); with a kernel the ipywidgets above it reach every value its
    controls allow. Returns the :class:`LiveExplorable` (the chapters end the line with
    ``;`` so nothing else is printed).
    """
    return LiveExplorable(name).show()
