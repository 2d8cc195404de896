"""Chapter 2 explorable: the teacher's loss against its width, and where its error lives.

``ch02:teacher``. Controls: the dimension ``d``, the teacher width ``M_TE`` and the
``seed``. The site precomputes the grid :data:`D_GRID` x :data:`M_GRID` x :data:`SEEDS`
(180 teachers); with a kernel, ``d`` reaches 2 .. 64, ``M_TE`` 1 .. 1024 and the seed
0 .. 99 (a first visit to a new ``d`` fits the 45 teachers of its band: a few seconds).

Left: ``L_TE`` against width for the chosen ``d`` (range over the five seeds :data:`SEEDS`
as a band, the chosen seed as a line, the chosen width circled; dotted at ``1 + d``, dashed
at the number of harmonics of degree ``<= 2``). Right: the chosen teacher's error energy per
harmonic degree (:func:`w2s_lib.teacher.teacher_error_by_degree`, degrees ``0 .. 12`` and
the rest lumped; odd degrees ``>= 3`` carry none and get no bar).
"""

from __future__ import annotations

import altair as alt
import numpy as np

from ..harmonics import low_degree_count
from ..teacher import cached_teacher, teacher_error_by_degree
from . import Control, define_explorable, packed, records
from .style import COLORS, TITLE

__all__ = ["ENTRY", "teacher_data", "teacher_expected", "MAX_DEGREE", "BAR_FLOOR", "D_GRID", "M_GRID", "SEEDS"]

#: The site's grids: dimensions, widths (2 .. 512) and seeds (the band's seeds too).
D_GRID = (4, 8, 12, 16)
M_GRID = tuple(2 ** k for k in range(1, 10))
SEEDS = tuple(range(5))
#: Degrees resolved in the bar panel; the rest is one grey bar.
MAX_DEGREE = 12
#: Bars are drawn from this energy up (the log axis' bottom); smaller energies sit on it.
BAR_FLOOR = 1e-12
_DEGREES = tuple(str(k) for k in range(MAX_DEGREE + 1) if k <= 2 or k % 2 == 0) + (f">{MAX_DEGREE}",)
#: The x axis holds every width a kernel reaches.
X_DOMAIN = (0.8, 1300.0)

CONTROLS = (
    Control("d", D_GRID, 16, kind="radio", label="dimension d", reach=(2, 64)),
    Control("M_TE", M_GRID, 128, kind="select", label="teacher width M_TE", reach=(1, 1024), log=True),
    Control("seed", SEEDS, 0, kind="range", label="seed", reach=(0, 99)),
)


def _bars(teacher):
    """Error energies of the bars (degrees of ``_DEGREES``) and the share of ``L_TE`` in degrees >= 2."""
    k, err, tail = teacher_error_by_degree(teacher, max_degree=MAX_DEGREE)
    live = (k[: MAX_DEGREE + 1] <= 2) | (k[: MAX_DEGREE + 1] % 2 == 0)
    energy = np.append(err[: MAX_DEGREE + 1][live], tail + float(err[MAX_DEGREE + 1:].sum()))
    total = float(err.sum() + tail)
    share = (float(err[2:].sum()) + tail) / total if total > 0 else 0.0
    return energy, share


def _widths(M_TE):
    return tuple(sorted(set(M_GRID) | {int(M_TE)}))


def _live_grid(setting):
    return {"d": (setting["d"],), "M_TE": _widths(setting["M_TE"]), "seed": (setting["seed"],)}


def teacher_data(grid):
    """The figure's data sets over ``grid`` (``{"d", "M_TE", "seed"}`` tuples).

    ``band`` (per d and width: the range of ``L_TE`` over :data:`SEEDS`), ``counts`` (per d),
    ``curve`` (per d, seed and width), ``bars`` (one packed record per teacher) and
    ``shares`` (per teacher: ``L_TE`` and its share in degrees >= 2).
    """
    band, counts, curve, bars, shares = [], [], [], [], []
    widths = np.array(grid["M_TE"])
    for d in grid["d"]:
        L = np.array([[cached_teacher(d, int(m), s).loss for s in SEEDS] for m in widths])
        band += records(d=d, M_TE=widths, lo=L.min(1), hi=L.max(1))
        counts += records(d=d, n=np.array([low_degree_count(d, 1), low_degree_count(d, 2)]),
                          kind=["1 + d", "deg \u2264 2"])
        for s in grid["seed"]:
            losses = np.array([cached_teacher(d, int(m), s).loss for m in widths])
            curve += records(d=d, seed=s, M_TE=widths, loss=losses)
            for m in widths:
                T = cached_teacher(d, int(m), s)
                energy, share = _bars(T)
                bars.append(packed({"degree": list(_DEGREES), "energy": energy,
                                    "bar": np.maximum(energy, BAR_FLOOR)}, d=d, seed=s, M_TE=int(m)))
                shares += records(d=d, seed=s, M_TE=int(m), share=share, loss=T.loss)
    return {"band": band, "counts": counts, "curve": curve, "bars": bars, "shares": shares}


def teacher_expected(d=16, M_TE=128, seed=0):
    """What ``ch02:teacher`` shows at ``(d, M_TE, seed)``, straight from ``w2s_lib``.

    Parameters
    ----------
    d : int
        Dimension, 2 .. 64.
    M_TE : int
        Teacher width, 1 .. 1024.
    seed : int
        0 .. 99.

    Returns
    -------
    dict
        ``band`` and ``curve`` (one record per width of :data:`M_GRID` and ``M_TE``),
        ``curve_points``, ``chosen``, ``counts`` and ``count_labels`` (``1 + d`` and the
        degree-<=2 count), ``bars`` (9 ``{degree, energy}``), ``teacher``, ``readout`` and
        ``share``.
    """
    d, M_TE, seed = ENTRY.check_setting(d=d, M_TE=M_TE, seed=seed).values()
    widths = _widths(M_TE)
    L = np.array([[cached_teacher(d, m, s).loss for s in SEEDS] for m in widths])
    T = cached_teacher(d, M_TE, seed)
    energy, share = _bars(T)
    curve = [{"M_TE": m, "loss": float(cached_teacher(d, m, seed).loss)} for m in widths]
    counts = [{"n": low_degree_count(d, 1)}, {"n": low_degree_count(d, 2)}]
    return {
        "band": [{"M_TE": m, "lo": float(L[i].min()), "hi": float(L[i].max())} for i, m in enumerate(widths)],
        "curve": curve,
        "curve_points": curve,
        "chosen": [{"M_TE": M_TE, "loss": float(T.loss)}],
        "counts": counts,
        "count_labels": counts,
        "readout": [{"loss": float(T.loss)}],
        "bars": [{"degree": k, "energy": float(e)} for k, e in zip(_DEGREES, energy)],
        "teacher": [{"loss": float(T.loss)}],
        "share": [{"share": share}],
    }


def _chart(data):
    lowest = min(r["lo"] for r in data["band"])
    at_d = "datum.d == d"
    at_ds = "datum.d == d && datum.seed == seed"
    at_dsm = at_ds + " && datum.M_TE == M_TE"
    x = alt.X("M_TE:Q", scale=alt.Scale(type="log", domain=list(X_DOMAIN), nice=False, clamp=True),
              title="teacher width M_TE", axis=alt.Axis(values=[2 ** k for k in range(0, 12, 2)], format="~g"))
    y_scale = alt.Scale(type="log", domain=[min(3e-5, 0.5 * lowest), 1.5], nice=False, clamp=True)
    y = alt.Y("loss:Q", scale=y_scale, title="teacher loss L_TE", axis=alt.Axis(format="~g"))
    red = COLORS["teacher"]
    left = alt.layer(
        alt.Chart(alt.NamedData("band")).transform_filter(at_d)
        .mark_area(color=red, opacity=0.15).encode(x, alt.Y("lo:Q", scale=y_scale, stack=None,
                                                             title="teacher loss L_TE"), alt.Y2("hi:Q"))
        .properties(name="band"),
        alt.Chart(alt.NamedData("counts")).transform_filter(at_d)
        .mark_rule(color="black", strokeDash=[4, 3]).encode(x=alt.X("n:Q"), tooltip=["kind:N", "n:Q"])
        .properties(name="counts"),
        alt.Chart(alt.NamedData("counts")).transform_filter(at_d)
        .transform_calculate(label="datum.kind + ' = ' + datum.n")
        .mark_text(angle=270, align="left", baseline="bottom", dx=4, dy=-2, fontSize=10)
        .encode(x=alt.X("n:Q"), y=alt.value(218), text="label:N").properties(name="count_labels"),
        alt.Chart(alt.NamedData("curve")).transform_filter(at_ds)
        .mark_line(color=red, strokeWidth=1.6).encode(x, y).properties(name="curve"),
        alt.Chart(alt.NamedData("curve")).transform_filter(at_ds)
        .mark_circle(color=red, size=18, opacity=1).encode(x, y).properties(name="curve_points"),
        alt.Chart(alt.NamedData("curve")).transform_filter(at_dsm)
        .mark_point(shape="circle", size=140, color="black", strokeWidth=1.5, filled=False)
        .encode(x, y).properties(name="chosen"),
        alt.Chart(alt.NamedData("shares")).transform_filter(at_dsm)
        .transform_calculate(label="'L_TE = ' + format(datum.loss, '.3~g') + ' at M_TE = ' + M_TE")
        .mark_text(align="left", baseline="bottom", dy=-5, fontSize=12, fontWeight="bold")
        .encode(text="label:N", x=alt.value(0), y=alt.value(0)).properties(name="readout"),
    ).properties(
        width=265, height=230,
        title=alt.Title(alt.ExprRef("'d = ' + d + ': band = 5 seeds, line = seed ' + seed"), offset=18, **TITLE),
    )
    bar_scale = alt.Scale(type="log", domain=[BAR_FLOOR, 2], nice=False)
    y_bar = alt.Y("bar:Q", scale=bar_scale, stack=None, title="error energy in degree k",
                  axis=alt.Axis(values=[1e-12, 1e-9, 1e-6, 1e-3, 1], format=".0e"))
    right = alt.layer(
        alt.Chart(alt.NamedData("bars")).transform_filter(at_dsm)
        .transform_flatten(["degree", "energy", "bar"])
        .mark_bar().encode(
            x=alt.X("degree:N", sort=list(_DEGREES), title="harmonic degree k"),
            y=y_bar, y2=alt.datum(BAR_FLOOR),
            color=alt.condition(f"datum.degree == '>{MAX_DEGREE}'", alt.value(COLORS["rest"]), alt.value(red)),
            tooltip=["degree:N", alt.Tooltip("energy:Q", format=".3~g")],
        ).properties(name="bars"),
        alt.Chart(alt.NamedData("shares")).transform_filter(at_dsm)
        .mark_rule(color="black", strokeDash=[5, 4]).encode(y=alt.Y("loss:Q", scale=bar_scale))
        .properties(name="teacher"),
        alt.Chart(alt.NamedData("shares")).transform_filter(at_dsm)
        .transform_calculate(label="format(100 * datum.share, '.3~g') + '% of L_TE in degrees k \u2265 2'")
        .mark_text(align="left", baseline="bottom", dy=-5, fontSize=12, fontWeight="bold")
        .encode(text="label:N", x=alt.value(0), y=alt.value(0)).properties(name="share"),
    ).properties(width=215, height=230,
                 title=alt.Title("its error by degree (dashed: L_TE)", offset=18, **TITLE))
    return alt.hconcat(left, right).resolve_scale(color="independent", y="independent").properties(
        autosize=alt.AutoSizeParams(type="pad", resize=True))


ENTRY = define_explorable(
    "ch02:teacher", controls=CONTROLS, data=teacher_data, chart=_chart, expected=teacher_expected,
    live_grid=_live_grid,
    caption="Widen the teacher: its loss falls in three stages, and its error moves from "
            "degree 1 to degree 2 and then to the high degrees.")
