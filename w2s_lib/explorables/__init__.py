"""Explorables: the book's interactive figures, each defined once.

A slider on the static site has no Python kernel behind it. An *explorable* is a figure
whose data ``w2s_lib`` computes at build time, over the whole grid its controls reach on
the page, and whose drawing is a declarative Vega-Lite specification (written with
Altair). The reader's browser draws it with Vega (``static/vendor/vega`` in this package,
copied from the npm packages pinned in ``js/package.json``, served from the site's
``_static/``), so moving a control only filters data already on the page: no kernel, no
network, one frame. With a kernel, the same figure is driven by ipywidgets that reach
values off that grid (:mod:`w2s_lib.explorables.live`).

The contract (what every chapter module in this package provides)
------------------------------------------------------------------
One call, :func:`define_explorable`, with:

* **controls** (:class:`Control`): the figure's parameters, each with its grid of values
  on the page and, for numbers, the ``reach`` a kernel can move it over;
* **data** ``data(grid)``: named data sets computed by ``w2s_lib`` for every setting of a
  grid; a record carries the control values it belongs to, and the spec filters on them
  (``datum.M == M``);
* **chart** ``chart(datasets)``: an Altair chart over those named data sets whose layers
  are *named* (``name="curve"``); the names are how tests read back what was drawn;
* **expected** ``expected(**setting)``: the records every named layer must show at any
  setting the controls reach, computed afresh by ``w2s_lib``. ``tests/test_explorables_live.py``
  compares them with the figure's data at settings off the grid (read as the spec's
  transforms read them); ``tests/test_site_browser.py`` moves every control on the built
  site to both ends of its range and compares what Vega drew.

The registry drives the unit tests, the browser tests and ``benchmarks/``. A formula may
be evaluated in the browser (a Vega expression) only if a browser test compares it with
``w2s_lib`` at many points (relative error below 1e-9); everything else is precomputed.
The house style (colours, fonts) is :mod:`w2s_lib.explorables.style`.

Where it renders
----------------
An explorable's notebook output carries its Vega-Lite spec
(``application/vnd.vegalite.v5+json``), a PNG of its default view and a text alternative;
with a kernel, also the live widget of :mod:`~w2s_lib.explorables.live`.

* The static site: the myst-nb plugin in :mod:`w2s_lib.explorables.site` turns the spec
  into a ``<div>`` drawn by ``vegaEmbed`` with the page's own copy of Vega (loaded only on
  pages that hold an explorable).
* JupyterLab with a kernel: the live widget; without one, JupyterLab draws the spec with
  its own Vega-Lite 5.
* GitHub, nbviewer, a PDF (no JavaScript): the PNG.
"""

from __future__ import annotations

import base64
import dataclasses
import functools
import importlib
import json
import math
from typing import Any, Callable, Mapping, Sequence

__all__ = [
    "MIME_TYPE",
    "SCHEMA_V5",
    "SCHEMA_V6",
    "Control",
    "Explorable",
    "ExplorableEntry",
    "define_explorable",
    "static_image",
    "registered_explorables",
    "round_sig",
    "records",
    "packed",
    "CHAPTER_MODULES",
]

#: The MIME type of an explorable's output. Vega-Lite 5's, because that is the newest
#: JupyterLab 4 draws (with its own Vega-Lite 5; checked with 4.6.6); the specs use nothing
#: Vega-Lite 6 added, and the site draws them with ``vega-lite@6.4.1`` (``site.py`` sets
#: the v6 schema there). One copy per output keeps the notebooks small.
MIME_TYPE = "application/vnd.vegalite.v5+json"
SCHEMA_V5 = "https://vega.github.io/schema/vega-lite/v5.json"
SCHEMA_V6 = "https://vega.github.io/schema/vega-lite/v6.json"
#: The Vega-Lite version ``vl-convert`` renders the static images with (JupyterLab's is 5).
VL_CONVERT_VERSION = "5.20"
#: Significant digits kept in the embedded data (the chapters print 3).
DATA_DIGITS = 7

#: The modules that register the chapters' explorables (imported by
#: :func:`registered_explorables`).
CHAPTER_MODULES: tuple[str, ...] = (
    "w2s_lib.explorables.kernel",
    "w2s_lib.explorables.teacher",
    "w2s_lib.explorables.student",
    "w2s_lib.explorables.early_stopping",
    "w2s_lib.explorables.limits",
    "w2s_lib.explorables.subspace",
    "w2s_lib.explorables.real_data",
    "w2s_lib.explorables.trained_networks",
    "w2s_lib.explorables.mechanism",
)


@dataclasses.dataclass(frozen=True)
class Control:
    """One control of an explorable: a Vega-Lite parameter bound to an input element.

    Parameters
    ----------
    name : str
        Parameter name, used in the spec's expressions (``datum.M == M``); a valid
        JavaScript identifier.
    values : sequence of float, int or str
        Every value the control can take, in order. A ``"range"`` control needs evenly
        spaced numbers (its slider steps through them); a ``"select"`` or ``"radio"``
        control takes any values.
    default : float, int or str
        The initial value (one of ``values``).
    kind : {"range", "select", "radio", "checkbox"}
        The input element: a slider, a drop-down list, radio buttons or a check box
        (whose values are ``(False, True)``).
    label : str, optional
        Text shown next to the input (defaults to ``name``).
    labels : sequence of str, optional
        For ``"select"``/``"radio"``: the text shown for each value.
    reach : (lo, hi), optional
        For numeric controls: with a kernel, the ipywidgets control reaches every value in
        ``[lo, hi]`` (whole numbers when every grid value is an int), not only the grid;
        ``w2s_lib`` recomputes the figure there (:mod:`w2s_lib.explorables.live`). Without
        it the kernel control offers the grid's values.
    log : bool
        With ``reach``: the kernel control moves in equal ratios (a log slider).
    """

    name: str
    values: tuple
    default: Any
    kind: str = "range"
    label: str | None = None
    labels: tuple | None = None
    reach: tuple | None = None
    log: bool = False

    def __post_init__(self):
        if not self.name.isidentifier():
            raise ValueError(f"Control name must be an identifier, got {self.name!r}")
        values = tuple(_plain(v) for v in self.values)
        object.__setattr__(self, "values", values)
        object.__setattr__(self, "default", _plain(self.default))
        if not values:
            raise ValueError(f"Control {self.name!r}: values must not be empty")
        if self.default not in values:
            raise ValueError(f"Control {self.name!r}: default {self.default!r} is not one of its values")
        if self.kind not in ("range", "select", "radio", "checkbox"):
            raise ValueError(f"Control {self.name!r}: kind must be 'range', 'select', 'radio' or "
                             f"'checkbox', got {self.kind!r}")
        if self.kind == "checkbox" and (values != (False, True) or not all(isinstance(v, bool) for v in values)):
            raise ValueError(f"Control {self.name!r}: a checkbox takes the values (False, True)")
        if self.kind == "range":
            if len(values) < 2 or not all(isinstance(v, (int, float)) for v in values):
                raise ValueError(f"Control {self.name!r}: a range needs at least two numbers")
            step = values[1] - values[0]
            if step <= 0 or any(not math.isclose(b - a, step, rel_tol=1e-9, abs_tol=1e-12)
                                for a, b in zip(values, values[1:])):
                raise ValueError(f"Control {self.name!r}: a range needs evenly spaced, increasing values")
        if self.labels is not None:
            if self.kind == "range":
                raise ValueError(f"Control {self.name!r}: labels apply to 'select' and 'radio' only")
            object.__setattr__(self, "labels", tuple(str(s) for s in self.labels))
            if len(self.labels) != len(values):  # noqa: SIM102
                raise ValueError(f"Control {self.name!r}: {len(self.labels)} labels for {len(values)} values")
        if self.reach is not None:
            if isinstance(values[0], (str, bool)):
                raise ValueError(f"Control {self.name!r}: reach applies to numeric controls only")
            lo, hi = (_plain(v) for v in self.reach)
            if not (lo <= min(values) and max(values) <= hi):
                raise ValueError(f"Control {self.name!r}: reach [{lo}, {hi}] must contain every grid value")
            if self.log and lo <= 0:
                raise ValueError(f"Control {self.name!r}: a log control needs a positive reach")
            object.__setattr__(self, "reach", (lo, hi))

    @property
    def integer(self) -> bool:
        """Whether the control takes whole numbers only (every grid value is an int)."""
        return all(isinstance(v, int) and not isinstance(v, bool) for v in self.values)

    def check(self, value):
        """``value`` if a reader with a kernel can set it, else a ``ValueError`` naming the range.

        Inside ``reach`` (whole numbers for an integer control), or one of the grid values.
        """
        value = _plain(value)
        if self.reach is None or isinstance(value, (str, bool)):
            if value not in self.values:
                raise ValueError(f"{self.name} must be one of {list(self.values)}, got {value!r}")
            return value
        if not isinstance(value, (int, float)) or isinstance(value, bool) or not math.isfinite(value):
            raise ValueError(f"{self.name} must be a number in [{self.reach[0]}, {self.reach[1]}], got {value!r}")
        if self.integer and value != int(value):
            raise ValueError(f"{self.name} must be a whole number in [{self.reach[0]}, {self.reach[1]}], "
                             f"got {value!r}")
        if not self.reach[0] <= value <= self.reach[1]:
            raise ValueError(f"{self.name} must lie in [{self.reach[0]}, {self.reach[1]}], got {value!r}")
        return int(value) if self.integer else float(value)

    @property
    def step(self):
        """The slider step of a ``"range"`` control."""
        return self.values[1] - self.values[0] if self.kind == "range" else None

    @property
    def ends(self) -> tuple:
        """The two extreme values of the control (what the browser tests move it to)."""
        return (self.values[0], self.values[-1])

    def binding(self) -> dict:
        """The Vega-Lite ``bind`` object of this control."""
        name = self.label or self.name
        if self.kind == "range":
            step = self.step
            return {"input": "range", "min": self.values[0], "max": self.values[-1],
                    "step": step if not isinstance(step, float) else float(f"{step:.12g}"), "name": name}
        if self.kind == "checkbox":
            return {"input": "checkbox", "name": name}
        bind = {"input": self.kind, "options": list(self.values), "name": name}
        if self.labels is not None:
            bind["labels"] = list(self.labels)
        return bind

    def param(self):
        """The Altair parameter of this control (use it in expressions and ``add_params``)."""
        import altair as alt

        return alt.param(name=self.name, value=self.default, bind=self.binding())

    def clamp(self, value):
        """The control value nearest to ``value`` (what a reader can actually select)."""
        if isinstance(self.values[0], str):
            if value not in self.values:
                raise ValueError(f"{self.name} must be one of {list(self.values)}, got {value!r}")
            return value
        return min(self.values, key=lambda v: abs(v - float(value)))


def _plain(v):
    """Python scalars for JSON (numpy scalars become int/float)."""
    if hasattr(v, "item") and not isinstance(v, (str, bytes)):
        v = v.item()
    return v


def round_sig(x: float, digits: int = DATA_DIGITS):
    """``x`` rounded to ``digits`` significant digits (ints, strings, None pass through)."""
    if x is None or isinstance(x, (str, bool)):
        return x
    if isinstance(x, int):
        return x
    x = float(x)
    if not math.isfinite(x):
        raise ValueError(f"explorable data must be finite, got {x!r}")
    if x == 0.0:
        return 0.0
    return float(f"{x:.{digits}g}")


def records(**columns) -> list[dict]:
    """Column arrays (equal lengths, or scalars broadcast) as a list of JSON records.

    Floats are rounded to :data:`DATA_DIGITS` significant digits; non-finite values are
    an error (a figure must not silently drop points).
    """
    import numpy as np

    lengths = {len(v) for v in columns.values() if np.ndim(v) == 1}
    if len(lengths) > 1:
        raise ValueError(f"columns have different lengths: {sorted(lengths)}")
    n = lengths.pop() if lengths else 1
    cols = {}
    for k, v in columns.items():
        if np.ndim(v) == 0:
            cols[k] = [_plain(v)] * n
        else:
            cols[k] = [_plain(x) for x in (v.tolist() if hasattr(v, "tolist") else v)]
    return [{k: round_sig(cols[k][i]) for k in cols} for i in range(n)]


def packed(arrays, **keys):
    """One record holding the column ``arrays`` as lists, tagged with the scalar ``keys``.

    The values go through :func:`~w2s_lib.explorables.records` (7 significant digits, finite
    only); the spec expands the record after filtering it (``transform_flatten``), so the
    page carries each field name once per curve instead of once per point.

    Parameters
    ----------
    arrays : dict of str to array_like, each shape (n,)
        The columns of the curve.
    **keys : scalar
        The control values (and other scalars) the curve belongs to.

    Returns
    -------
    dict
    """
    rows = records(**arrays)
    out = {k: records(v=v)[0]["v"] for k, v in keys.items()}
    out.update({k: [r[k] for r in rows] for k in arrays})
    return out


class Explorable:
    """A figure drawn in the browser, with its controls and its data.

    Parameters
    ----------
    name : str
        Registry name, ``"chNN:figure"``.
    chart : altair chart or dict
        The Vega-Lite specification. The controls' parameters are added at the top level
        here; the chart must not add them itself.
    controls : sequence of Control
        The controls, in display order.
    caption : str, optional
        One sentence shown under the figure on the site (what to try).
    datasets : dict of str to list of dict, optional
        Named data sets (``alt.NamedData(name)`` in the chart), stored in the spec's
        top-level ``datasets``; a kernel swaps them for the data of another setting
        (:meth:`at`).
    """

    def __init__(self, name: str, chart, controls: Sequence[Control], caption: str = "", datasets=None):
        self.name = name
        self.controls = tuple(controls)
        self.caption = caption
        names = [c.name for c in self.controls]
        if len(set(names)) != len(names):
            raise ValueError(f"explorable {name!r}: duplicate control names {names}")
        if hasattr(chart, "to_dict"):
            import altair as alt

            chart = chart.add_params(*[c.param() for c in self.controls])
            with alt.data_transformers.disable_max_rows():
                spec = chart.to_dict(validate=False)  # validated by the tests (test_explorables.py)
            if "datasets" in spec:  # data moved to the top level keeps the tuple :func:`inline` gave it
                spec["datasets"] = {k: list(v) for k, v in spec["datasets"].items()}
        else:
            spec = dict(chart)
            spec.setdefault("params", [])
            spec["params"] = list(spec["params"]) + [
                {"name": c.name, "value": c.default, "bind": c.binding()} for c in self.controls]
        if datasets:
            spec["datasets"] = dict(spec.get("datasets", {}), **{k: list(v) for k, v in datasets.items()})
        spec["$schema"] = SCHEMA_V5
        spec.setdefault("usermeta", {})["w2s_explorable"] = name
        self.spec = spec
        self.setting = self.defaults

    @property
    def control(self) -> dict[str, Control]:
        """The controls by name."""
        return {c.name: c for c in self.controls}

    @property
    def defaults(self) -> dict:
        """The initial setting of every control."""
        return {c.name: c.default for c in self.controls}

    def at(self, setting: Mapping, datasets: Mapping[str, list]) -> "Explorable":
        """This figure at one ``setting``, drawing ``datasets`` instead of its own data.

        The controls become plain parameters fixed at ``setting`` (no input elements: the
        kernel's ipywidgets move them); every other part of the spec is shared, so no chart
        is rebuilt. Used by :mod:`w2s_lib.explorables.live`.
        """
        unknown = set(datasets) - set(self.spec.get("datasets", {}))
        if unknown:
            raise ValueError(f"explorable {self.name!r} has no data sets {sorted(unknown)}")
        new = object.__new__(Explorable)
        new.name, new.controls, new.caption = self.name, self.controls, self.caption
        fixed = {c.name: _plain(setting[c.name]) for c in self.controls}
        params = [dict(p) for p in self.spec.get("params", [])]
        for p in params:
            if p["name"] in fixed:
                p.pop("bind", None)
                p["value"] = fixed[p["name"]]
        new.spec = dict(self.spec, params=params,
                        datasets=dict(self.spec["datasets"], **{k: list(v) for k, v in datasets.items()}))
        new.setting = fixed
        return new

    def to_json(self) -> str:
        """The spec as compact JSON (what the page embeds)."""
        return json.dumps(self.spec, separators=(",", ":"), allow_nan=False)

    def text(self) -> str:
        """A one-line text alternative: the figure's name, its caption and its setting."""
        values = ", ".join(f"{c.label or c.name} = {self.setting[c.name]}" for c in self.controls)
        return f"Interactive figure {self.name} ({values}). {self.caption}".strip()

    def image(self) -> bytes:
        """A PNG of this view, rendered offline by ``vl-convert`` (for viewers without JavaScript)."""
        return static_image(self.to_json())

    def mimebundle(self, image: bool = True) -> dict:
        """The output: the Vega-Lite spec, a PNG of the view (if ``image``) and a text alternative."""
        bundle = {MIME_TYPE: self.spec, "text/plain": self.text()}
        if image:
            bundle["image/png"] = base64.b64encode(self.image()).decode("ascii")
        return bundle

    def _repr_mimebundle_(self, include=None, exclude=None):
        return self.mimebundle(image=True)

    def __repr__(self):
        return f"Explorable({self.name!r}, controls={[c.name for c in self.controls]})"


@functools.lru_cache(maxsize=16)
def static_image(spec_json: str) -> bytes:
    """PNG bytes of a Vega-Lite spec (JSON text), drawn by ``vl-convert`` with no browser.

    The stored notebook outputs carry it beside the spec, so GitHub's notebook view,
    nbviewer and a PDF show the figure's default view.
    """
    import vl_convert

    spec = json.loads(spec_json)
    spec.pop("$schema", None)
    return vl_convert.vegalite_to_png(spec, vl_version=VL_CONVERT_VERSION, scale=1)


@dataclasses.dataclass(frozen=True)
class ExplorableEntry:
    """A registered explorable: how to build it, what it must show, how a kernel moves it.

    Attributes
    ----------
    name : str
        ``"chNN:figure"``.
    build : callable
        ``build() -> Explorable``: the figure over its controls' whole grid.
    expected : callable
        ``expected(**setting) -> {layer name: [record, ...]}``: the records each named
        layer must show at that setting of the controls, computed by ``w2s_lib`` directly.
        Only the fields in these records are compared. Layer names must not end in
        ``_<digits>`` (Vega-Lite's suffix for layers inside a layer chart).
    rtol : float
        Relative tolerance of that comparison: ``1e-6`` for data precomputed in Python
        (stored to :data:`DATA_DIGITS` digits); at most ``1e-9`` for values a Vega
        expression computes in the browser.
    controls : tuple of Control
        The controls (those of :func:`define_explorable`).
    data : callable or None
        ``data(grid) -> {data set name: [record, ...]}`` for ``grid``, a dict giving each
        control's values; records carry the control values they belong to.
    live_grid : callable or None
        ``live_grid(setting) -> grid``: the grid whose data a kernel computes to draw one
        setting (by default each control at its one value).
    """

    name: str
    build: Callable[[], Explorable]
    expected: Callable[..., Mapping[str, list]]
    rtol: float = 1e-6
    controls: tuple = ()
    data: Callable[[Mapping], Mapping[str, list]] | None = None
    live_grid: Callable[[Mapping], Mapping] | None = None

    @property
    def live(self) -> bool:
        """Whether a kernel can draw this explorable at settings off its grid."""
        return self.data is not None

    def check_setting(self, **setting) -> dict:
        """The full setting (defaults filled in), each value checked by its control.

        Raises
        ------
        ValueError
            A value a control cannot take (naming the control and its range), or an
            unknown control name.
        """
        by_name = {c.name: c for c in self.controls}
        unknown = set(setting) - set(by_name)
        if unknown:
            raise ValueError(f"{self.name}: no control named {sorted(unknown)}; controls are {sorted(by_name)}")
        return {c.name: c.check(setting.get(c.name, c.default)) for c in self.controls}

    def grid_at(self, setting: Mapping) -> dict:
        """The grid whose data draws ``setting`` (see ``live_grid``)."""
        if self.live_grid is not None:
            return dict(self.live_grid(dict(setting)))
        return {k: (v,) for k, v in setting.items()}

    def at(self, template: Explorable, **setting) -> Explorable:
        """``template`` (this entry's built figure) redrawn at ``setting``, any value its
        controls reach, with data computed afresh by ``w2s_lib``."""
        if not self.live:
            raise ValueError(f"{self.name}: no data function, so no kernel updates")
        setting = self.check_setting(**setting)
        return template.at(setting, self.data(self.grid_at(setting)))


_REGISTRY: dict[str, ExplorableEntry] = {}


def _unchecked(build):
    """``build`` with Altair's per-object schema checks off.

    Altair checks every object against the Vega-Lite schema as it is made ("debug mode"),
    inline data included: most of the build time of the larger explorables. The finished
    spec is validated by the tests instead.
    """

    @functools.wraps(build)
    def build_unchecked(*args, **kwargs):
        from altair.utils.schemapi import debug_mode

        with debug_mode(False):
            return build(*args, **kwargs)

    return build_unchecked


def define_explorable(name: str, *, controls: Sequence[Control], data, chart, expected, caption: str = "",
                      rtol: float = 1e-6, live_grid=None) -> ExplorableEntry:
    """Register an explorable defined once: its controls, its data and its chart.

    Parameters
    ----------
    name : str
        ``"chNN:figure"``.
    controls : sequence of Control
        In display order; ``reach`` says how far a kernel can move each.
    data : callable
        ``data(grid) -> {data set name: [record, ...]}``, ``grid`` mapping every control
        name to a tuple of values. The site's figure is ``data`` over each control's
        ``values``; a kernel calls it with :meth:`ExplorableEntry.grid_at` of one setting.
    chart : callable
        ``chart(datasets) -> altair chart`` whose layers read the data sets by name
        (``alt.NamedData(name)``) and filter them on the controls. It is called once,
        with the whole grid's data; a kernel update reuses the spec and swaps the data.
    expected : callable
        As in :class:`ExplorableEntry`: defined for every setting the controls reach.
    caption : str
        One sentence: what to try.
    rtol : float
        As in :class:`ExplorableEntry`.
    live_grid : callable, optional
        As in :class:`ExplorableEntry`.

    Returns
    -------
    ExplorableEntry
    """
    controls = tuple(controls)

    def build() -> Explorable:
        datasets = data({c.name: c.values for c in controls})
        return Explorable(name, chart(datasets), controls, caption, datasets=datasets)

    entry = ExplorableEntry(name, _unchecked(build), expected, rtol, controls, data, live_grid)
    _REGISTRY[name] = entry
    return entry


def registered_explorables() -> dict[str, ExplorableEntry]:
    """Every chapter's explorable, by name (importing the chapter modules)."""
    for mod in CHAPTER_MODULES:
        importlib.import_module(mod)
    return dict(sorted(_REGISTRY.items()))
