"""Chapter 2 explorable: the teacher's loss against its width, and where its error lives.

``ch02:teacher`` -- the twin of the chapter-2 widget (:func:`w2s_lib.figures_random_features.teacher_figure`).
Controls: ``d`` (:data:`~w2s_lib.figures_random_features.CH02_D`), the teacher width ``M_TE``
(:data:`~w2s_lib.figures_random_features.CH02_M`, 2 .. 512) and the ``seed``
(:data:`~w2s_lib.figures_random_features.CH02_SEEDS`), the widget's slider values; all 180
teachers are fitted at build time (:func:`~w2s_lib.figures_random_features.cached_teacher`).

Left: ``L_TE`` against width for the chosen ``d`` (range over the five seeds as a band, the
chosen seed as a line, the chosen width circled; dotted at ``1 + d``, dashed at the number of
harmonics of degree ``<= 2``). Right: the chosen teacher's error energy per harmonic degree
(:func:`~w2s_lib.figures_random_features.teacher_error_by_degree`, degrees ``0 .. 12`` and the
rest lumped; odd degrees ``>= 3`` carry none and get no bar).
"""

from __future__ import annotations

import altair as alt
import numpy as np

from .. import figures_random_features as F
from . import Control, Explorable, inline, packed, records, register_explorable

__all__ = ["teacher_explorable", "teacher_expected", "MAX_DEGREE", "BAR_FLOOR"]

#: Degrees resolved in the bar panel (the widget's ``max_show``); the rest is one grey bar.
MAX_DEGREE = 12
#: Bars are drawn from this energy up (the log axis' bottom); smaller energies sit on it.
BAR_FLOOR = 1e-12
_DEGREES = tuple(str(k) for k in range(MAX_DEGREE + 1) if k <= 2 or k % 2 == 0) + (f">{MAX_DEGREE}",)


def _check(d, M_TE, seed):
    for name, v, grid in (("d", d, F.CH02_D), ("M_TE", M_TE, F.CH02_M), ("seed", seed, F.CH02_SEEDS)):
        if v not in grid:
            raise ValueError(f"{name} must be one of {list(grid)}, got {v!r}")
    return int(d), int(M_TE), int(seed)


def _bars(teacher):
    """Degree labels, error energies (the widget's bars) and the share of ``L_TE`` in degrees >= 2."""
    k, err, tail = F.teacher_error_by_degree(teacher, max_degree=MAX_DEGREE)
    live = (k[: MAX_DEGREE + 1] <= 2) | (k[: MAX_DEGREE + 1] % 2 == 0)
    energy = np.append(err[: MAX_DEGREE + 1][live], tail + float(err[MAX_DEGREE + 1:].sum()))
    total = float(err.sum() + tail)
    share = (float(err[2:].sum()) + tail) / total if total > 0 else 0.0
    return energy, share


def teacher_expected(d=16, M_TE=128, seed=0):
    """What ``ch02:teacher`` shows at ``(d, M_TE, seed)``, straight from ``w2s_lib``.

    Parameters
    ----------
    d, M_TE, seed : int
        Values of the grids :data:`~w2s_lib.figures_random_features.CH02_D`, ``CH02_M``, ``CH02_SEEDS``.

    Returns
    -------
    dict
        ``band`` (9 records ``{M_TE, lo, hi}``), ``curve`` (9 ``{M_TE, loss}``), ``chosen``
        (``[{M_TE, loss}]``), ``counts`` (``[{n}]`` at ``1 + d`` and at the degree-<=2 count),
        ``bars`` (9 ``{degree, energy}``), ``teacher`` (``[{loss}]``), ``share`` (``[{share}]``).
    """
    d, M_TE, seed = _check(d, M_TE, seed)
    L = np.array([[F.cached_teacher(d, m, s).loss for s in F.CH02_SEEDS] for m in F.CH02_M])
    T = F.cached_teacher(d, M_TE, seed)
    energy, share = _bars(T)
    return {
        "band": [{"M_TE": m, "lo": float(L[i].min()), "hi": float(L[i].max())} for i, m in enumerate(F.CH02_M)],
        "curve": [{"M_TE": m, "loss": float(F.cached_teacher(d, m, seed).loss)} for m in F.CH02_M],
        "chosen": [{"M_TE": M_TE, "loss": float(T.loss)}],
        "counts": [{"n": F.low_degree_count(d, 1)}, {"n": F.low_degree_count(d, 2)}],
        "bars": [{"degree": k, "energy": float(e)} for k, e in zip(_DEGREES, energy)],
        "teacher": [{"loss": float(T.loss)}],
        "share": [{"share": share}],
    }


@register_explorable("ch02:teacher", expected=teacher_expected)
def teacher_explorable() -> Explorable:
    """The chapter-2 explorable (see the module docstring)."""
    band, curve, counts, bars, shares = [], [], [], [], []
    lowest = np.inf
    for d in F.CH02_D:
        L = F.teacher_grid(d)  # (len(CH02_M), len(CH02_SEEDS)), what the widget draws
        lowest = min(lowest, float(L.min()))
        band += records(d=d, M_TE=np.array(F.CH02_M), lo=L.min(1), hi=L.max(1))
        counts += records(d=d, n=np.array([F.low_degree_count(d, 1), F.low_degree_count(d, 2)]),
                          kind=["1 + d", "deg \u2264 2"])
        for c, s in enumerate(F.CH02_SEEDS):
            curve += records(d=d, seed=s, M_TE=np.array(F.CH02_M), loss=L[:, c])
            for m in F.CH02_M:
                T = F.cached_teacher(d, m, s)
                energy, share = _bars(T)
                bars.append(packed({"degree": list(_DEGREES), "energy": energy,
                                    "bar": np.maximum(energy, BAR_FLOOR)}, d=d, seed=s, M_TE=m))
                shares += records(d=d, seed=s, M_TE=m, share=share, loss=T.loss)

    c_d = Control("d", F.CH02_D, 16, kind="radio", label="dimension d")
    c_m = Control("M_TE", F.CH02_M, 128, kind="select", label="teacher width M_TE")
    c_s = Control("seed", F.CH02_SEEDS, 0, kind="range", label="seed")
    at_d = "datum.d == d"
    at_ds = "datum.d == d && datum.seed == seed"
    at_dsm = at_ds + " && datum.M_TE == M_TE"

    x = alt.X("M_TE:Q", scale=alt.Scale(type="log", domain=[1.5, 700], nice=False), title="teacher width M_TE",
              axis=alt.Axis(values=list(F.CH02_M), format="~g"))
    y_dom = [min(3e-5, 0.5 * lowest), 1.5]
    y_scale = alt.Scale(type="log", domain=y_dom, nice=False)
    y = alt.Y("loss:Q", scale=y_scale, title="teacher loss L_TE",
              axis=alt.Axis(format="~g"))
    left = alt.layer(
        alt.Chart(inline(band)).transform_filter(at_d)
        .mark_area(color="#d62728", opacity=0.15).encode(x, alt.Y("lo:Q", scale=y_scale, stack=None, title="teacher loss L_TE"),
                                                         alt.Y2("hi:Q")).properties(name="band"),
        alt.Chart(inline(counts)).transform_filter(at_d)
        .mark_rule(color="black", strokeDash=[4, 3]).encode(x=alt.X("n:Q"), tooltip=["kind:N", "n:Q"])
        .properties(name="counts"),
        alt.Chart(inline(counts)).transform_filter(at_d)
        .transform_calculate(label="datum.kind + ' = ' + datum.n")
        .mark_text(angle=270, align="left", baseline="bottom", dx=4, dy=-2, fontSize=9)
        .encode(x=alt.X("n:Q"), y=alt.value(218), text="label:N").properties(name="count_labels"),
        alt.Chart(inline(curve)).transform_filter(at_ds)
        .mark_line(color="#d62728", strokeWidth=1.6, point=False).encode(x, y).properties(name="curve"),
        alt.Chart(inline(curve)).transform_filter(at_ds)
        .mark_circle(color="#d62728", size=18, opacity=1).encode(x, y).properties(name="curve_points"),
        alt.Chart(inline(curve)).transform_filter(at_dsm)
        .mark_point(shape="circle", size=140, color="black", strokeWidth=1.5, filled=False)
        .encode(x, y).properties(name="chosen"),
        alt.Chart(inline(shares)).transform_filter(at_dsm)
        .transform_calculate(label="'L_TE = ' + format(datum.loss, '.3~g') + ' at M_TE = ' + M_TE")
        .mark_text(align="left", baseline="bottom", dy=-5, fontSize=12, fontWeight="bold")
        .encode(text="label:N", x=alt.value(0), y=alt.value(0)).properties(name="readout"),
    ).properties(
        width=265, height=230,
        title=alt.Title(alt.ExprRef("'d = ' + d + ': band = 5 seeds, line = seed ' + seed"), fontSize=12,
                        offset=18),
    )
    bar_scale = alt.Scale(type="log", domain=[BAR_FLOOR, 2], nice=False)
    y_bar = alt.Y("bar:Q", scale=bar_scale, stack=None,
                  title="error energy in degree k", axis=alt.Axis(format="~e"))
    right = alt.layer(
        alt.Chart(inline(bars)).transform_filter(at_dsm)
        .transform_flatten(["degree", "energy", "bar"])
        .mark_bar().encode(
            x=alt.X("degree:N", sort=list(_DEGREES), title="harmonic degree k"),
            y=y_bar, y2=alt.datum(BAR_FLOOR),
            color=alt.condition(f"datum.degree == '>{MAX_DEGREE}'", alt.value("#7f7f7f"), alt.value("#d62728")),
            tooltip=["degree:N", alt.Tooltip("energy:Q", format=".3~g")],
        ).properties(name="bars"),
        alt.Chart(inline(shares)).transform_filter(at_dsm)
        .mark_rule(color="black", strokeDash=[5, 4]).encode(y=alt.Y("loss:Q", scale=bar_scale))
        .properties(name="teacher"),
        alt.Chart(inline(shares)).transform_filter(at_dsm)
        .transform_calculate(label="format(100 * datum.share, '.3~g') + '% of L_TE in degrees k \u2265 2'")
        .mark_text(align="left", baseline="bottom", dy=-5, fontSize=12, fontWeight="bold")
        .encode(text="label:N", x=alt.value(0), y=alt.value(0)).properties(name="share"),
    ).properties(width=215, height=230,
                 title=alt.Title("its error by degree (dashed: L_TE)", fontSize=12, offset=18))
    chart = alt.hconcat(left, right).resolve_scale(color="independent", y="independent").properties(
        autosize=alt.AutoSizeParams(type="pad", resize=True))
    return Explorable("ch02:teacher", chart, [c_d, c_m, c_s],
                      caption="Widen the teacher: its loss falls in three stages, and its error moves from "
                              "degree 1 to degree 2 and then to the high degrees.")
