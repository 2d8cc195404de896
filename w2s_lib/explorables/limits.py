"""Chapter 5 explorable: the exponent of ``L_ST*`` against ``L_TE``.

``ch05:exponent``. Controls: the dimension ``d`` and the range ``m_lo .. m_hi`` of teacher
widths used for the fit (the widths of :func:`w2s_lib.limits.sweep_widths`, 2 .. 1024). A
range is clamped to the widths computed at that ``d`` and always keeps at least two of them
(:func:`w2s_lib.limits.clamp_width_range`); the site holds the fits of all 3 x 10 x 10 = 300
settings of :data:`w2s_lib.limits.SWEEP_D` x :data:`WIDTHS` x :data:`WIDTHS`, made in Python
with :func:`w2s_lib.limits.fit_exponent` over the cached sweep
(:func:`w2s_lib.limits.width_sweep`, seeds 0, 1, 2). With a kernel ``d`` reaches 4 .. 64 (the first visit to a
new ``d`` runs its sweep of 3 x 9-10 teachers: 0.6 s at d = 12, 1.9 s at d = 64 here; cached after)
and the range any widths in 2 .. 1024.

Left: ``L_ST*`` against ``L_TE`` on log-log axes, the points of the range in blue, the pooled
fit (black) and one fit per seed (thin), the slopes 1.49 and 2 through the fit's centre, the
forbidden region below ``L_TE^2`` and the no-gain line. Right: ``L_ST*/L_TE`` against the
teacher width (seed mean, min-max band), the range in blue, ``M_TE = d`` dotted.
"""

from __future__ import annotations

import altair as alt
import numpy as np

from .. import limits as F
from ..limits import fit_exponent
from . import Control, define_explorable, records
from .style import COLORS, PALETTE, TITLE, power_labels

__all__ = ["ENTRY", "exponent_data", "exponent_expected", "exponent_state", "WIDTHS", "GUIDE_SLOPES"]

#: Widths offered by the two range controls (those of the widest sweep, d = 32).
WIDTHS = tuple(F.sweep_widths(max(F.SWEEP_D)))
#: Reference slopes drawn through the fit's centre (the paper's 1.49 and the ceiling 2).
GUIDE_SLOPES = (1.49, 2.0)
_BLUE, _GREY, _RED = COLORS["student"], "#bfbfbf", COLORS["teacher"]
_SEED_COLORS = (PALETTE[1], PALETTE[2], PALETTE[4])

CONTROLS = (
    Control("d", F.SWEEP_D, 32, kind="radio", label="dimension d", reach=(4, 64)),
    Control("m_lo", WIDTHS, 64, kind="select", label="M_TE from", labels=[str(m) for m in WIDTHS],
            reach=(2, 1024), log=True),
    Control("m_hi", WIDTHS, 1024, kind="select", label="M_TE to", labels=[str(m) for m in WIDTHS],
            reach=(2, 1024), log=True),
)


#: The lookup key of a setting, as a Vega expression (products coerce the inputs' values to numbers).
_KEY = "d * 100000000 + m_lo * 10000 + m_hi * 1"


def _key(d, m_lo, m_hi):
    """The key :data:`_KEY` evaluates to (an integer below 2**53: exact in JavaScript)."""
    return int(d) * 100000000 + int(m_lo) * 10000 + int(m_hi)


def _check(d, m_lo, m_hi):
    return tuple(ENTRY.check_setting(d=d, m_lo=m_lo, m_hi=m_hi).values())


def _x_ends():
    """The left panel's ``L_TE`` range: one for every ``d``, as the widget's
    (:func:`w2s_lib.limits.exponent_limits`: 0.7 x the smallest L_TE .. 1).
    The frame stays put while ``d`` changes: the points move, not the axes (redrawing
    the axes was most of the time of a change of ``d``)."""
    return tuple(float(v) for v in F.exponent_limits()["loss_x"])


def exponent_state(d=32, m_lo=64, m_hi=1024):
    """The fits at one setting of ``ch05:exponent``.

    Parameters
    ----------
    d : int
        Dimension, 4 .. 64.
    m_lo, m_hi : int
        Teacher widths in 2 .. 1024; clamped to the sweep's widths
        (:func:`w2s_lib.limits.clamp_width_range`).

    Returns
    -------
    dict
        ``lo``, ``hi`` (the clamped range), ``mask`` (n_widths,) bool, ``slope``,
        ``intercept`` (pooled fit, as :func:`~w2s_lib.figures_early_stopping.exponent_window`),
        ``seed_fits`` (n_seeds, 2) slope and intercept per seed, ``x0``, ``y0`` (the centre the
        guide slopes go through).
    """
    d, m_lo, m_hi = _check(d, m_lo, m_hi)
    lo, hi = F.clamp_width_range(F.sweep_widths(d), m_lo, m_hi)
    w = F.exponent_window(d, lo, hi)
    r = F.width_sweep(d)
    lte, lst = r.teacher_loss[w["mask"]], r.student_loss[w["mask"]]
    seed_fits = np.array([fit_exponent(lte[:, j], lst[:, j]) for j in range(lte.shape[1])])
    x0 = float(np.exp(np.log(lte).mean()))
    return dict(lo=lo, hi=hi, mask=w["mask"], slope=float(w["slope"]), intercept=float(w["intercept"]),
                seed_fits=seed_fits, x0=x0, y0=float(np.exp(w["intercept"]) * x0 ** w["slope"]))


def _fit_lines(d, st):
    """Records of the pooled fit, the per-seed fits and the guides at one setting."""
    r = F.width_sweep(d)
    lte = r.teacher_loss[st["mask"]]
    xs = np.array([lte.min(), lte.max()])
    fit = records(L_TE=xs, L_ST=np.exp(st["intercept"]) * xs ** st["slope"])
    seeds = []
    for j, s in enumerate(r.seeds):
        slope, icpt = st["seed_fits"][j]
        xj = np.array([lte[:, j].min(), lte[:, j].max()])
        seeds += records(seed=int(s), L_TE=xj, L_ST=np.exp(icpt) * xj ** slope)
    xg = np.array(_x_ends())
    guides = []
    for a in GUIDE_SLOPES:
        guides += records(guide=f"slope {a:g}", L_TE=xg, L_ST=st["y0"] * (xg / st["x0"]) ** a)
    return fit, seeds, guides


def exponent_expected(d=32, m_lo=64, m_hi=1024):
    """What ``ch05:exponent`` shows at ``(d, m_lo, m_hi)``, straight from ``w2s_lib``."""
    d, m_lo, m_hi = _check(d, m_lo, m_hi)
    st = exponent_state(d, m_lo, m_hi)
    r = F.width_sweep(d)
    fit, seeds, guides = _fit_lines(d, st)
    pts = {True: [], False: []}
    for i, m in enumerate(r.m_values):
        for j, s in enumerate(r.seeds):
            pts[bool(st["mask"][i])].append({"M": int(m), "seed": int(s), "L_TE": float(r.teacher_loss[i, j]),
                                             "L_ST": float(r.student_loss[i, j])})
    mean = r.ratio.mean(1)
    ratio = [{"M": int(m), "ratio": float(v)} for m, v in zip(r.m_values, mean)]
    slopes = st["seed_fits"][:, 0]
    return {
        "selected": pts[True], "others": pts[False],
        "fit": fit, "seed_fits": seeds, "guides": guides,
        "readout": [{"lo": st["lo"], "hi": st["hi"], "slope": st["slope"],
                     "slope_min": float(slopes.min()), "slope_max": float(slopes.max())}],
        "ratio": ratio,
        "ratio_selected": [row for row, keep in zip(ratio, st["mask"]) if keep],
        "band": [{"M": int(m), "lo_ratio": float(a), "hi_ratio": float(b)}
                 for m, a, b in zip(r.m_values, r.ratio.min(1), r.ratio.max(1))],
        "m_equals_d": [{"M": d}],
        "m_equals_d_label": [{"M": d}],
        "forbidden": _static(),
        "no_gain": [{"L_TE": r["L_TE"], "L_ST": r["L_ST"]} for r in _static()],
        "no_gain_ratio": [{"ratio": 1.0}],
        "readout_seeds": [{"slope_min": float(slopes.min()), "slope_max": float(slopes.max())}],
        "ratio_points": ratio,
        "ratio_selected_points": [row for row, keep in zip(ratio, st["mask"]) if keep],
    }


def _domain(limits):
    """A fixed scale domain (7 significant digits, as the data)."""
    return [float(f"{v:.7g}") for v in limits]


def _static():
    xe = np.array(_x_ends())
    return records(L_TE=xe, L_ST=xe, sq=xe**2)  # the forbidden region and the no-gain line


def exponent_data(grid):
    """The figure's data sets over ``grid`` (``{"d", "m_lo", "m_hi"}`` tuples): per d the sweep's
    ``points``, ``ratio``, ``band`` and ``m_d``; per setting its ``states`` (clamped range,
    slopes, lookup key), ``fits``, ``seed_fits`` and ``guides``; and the ``static`` region."""
    points, states, fits, seed_fits, guides, ratio, band, m_d = [], [], [], [], [], [], [], []
    for d in grid["d"]:
        r = F.width_sweep(d)
        for i, m in enumerate(r.m_values):
            points += records(d=d, M=int(m), seed=np.asarray(r.seeds, dtype=int), L_TE=r.teacher_loss[i],
                              L_ST=r.student_loss[i])
        ratio += records(d=d, M=np.asarray(r.m_values, dtype=int), ratio=r.ratio.mean(1))
        band += records(d=d, M=np.asarray(r.m_values, dtype=int), lo_ratio=r.ratio.min(1), hi_ratio=r.ratio.max(1))
        m_d += records(d=d, M=d)
        for m_lo in grid["m_lo"]:
            for m_hi in grid["m_hi"]:
                st = exponent_state(d, m_lo, m_hi)
                key = dict(d=d, m_lo=m_lo, m_hi=m_hi)
                slopes = st["seed_fits"][:, 0]
                states += records(**key, key=_key(d, m_lo, m_hi), lo=st["lo"], hi=st["hi"], slope=st["slope"],
                                  slope_min=slopes.min(), slope_max=slopes.max())
                f, s_, g = _fit_lines(d, st)
                fits += [{**key, **row} for row in f]
                seed_fits += [{**key, **row} for row in s_]
                guides += [{**key, **row} for row in g]
    return {"points": points, "states": states, "fits": fits, "seed_fits": seed_fits, "guides": guides,
            "ratio": ratio, "band": band, "m_d": m_d, "static": _static(), "one": records(ratio=1.0)}


def _chart(data):
    lim = F.exponent_limits()  # one frame for every d
    at_d = "datum.d == d"
    at_state = "datum.d == d && datum.m_lo == m_lo && datum.m_hi == m_hi"
    in_range = "datum.M >= datum.lo && datum.M <= datum.hi"
    lookup = alt.LookupData(data=alt.NamedData("states"), key="key", fields=["lo", "hi"])

    def ranged(name):
        """Data set ``name`` at the current d, each row with the clamped range of the current setting."""
        return (alt.Chart(alt.NamedData(name)).transform_filter(at_d)
                .transform_calculate(key=_KEY)
                .transform_lookup(lookup="key", from_=lookup))

    x = alt.X("L_TE:Q", scale=alt.Scale(type="log", domain=_domain(lim["loss_x"]), nice=False),
              title="teacher loss L_TE", axis=alt.Axis(labelExpr=power_labels(), tickCount=5))
    yscale = alt.Scale(type="log", domain=_domain(lim["loss_y"]), nice=False)
    y = alt.Y("L_ST:Q", scale=yscale,
              title="early-stopped student L_ST*", axis=alt.Axis(labelExpr=power_labels(), tickCount=6))
    tip = ["M:Q", "seed:Q", alt.Tooltip("L_TE:Q", format=".3g"), alt.Tooltip("L_ST:Q", format=".3g")]
    left = alt.layer(
        alt.Chart(alt.NamedData("static"))
        .mark_area(color=_RED, opacity=0.12, clip=True)
        .encode(x, alt.Y("sq:Q", scale=yscale, stack=None, title="early-stopped student L_ST*"), y2=alt.value(260))
        .properties(name="forbidden"),
        alt.Chart(alt.NamedData("static"))
        .mark_line(color="black", strokeWidth=0.8, opacity=0.5, clip=True).encode(x, y).properties(name="no_gain"),
        alt.Chart(alt.NamedData("guides")).transform_filter(at_state)
        .mark_line(color="#7f7f7f", strokeWidth=1, clip=True)
        .encode(x, y, detail="guide:N", strokeDash=alt.StrokeDash(
            "guide:N", scale=alt.Scale(domain=[f"slope {a:g}" for a in GUIDE_SLOPES], range=[[5, 3], [6, 2, 1, 2]]),
            legend=alt.Legend(title=None, orient="bottom-right", symbolStrokeColor="#7f7f7f")))
        .properties(name="guides"),
        ranged("points").transform_filter(f"!({in_range})")
        .mark_point(color=_GREY, filled=True, size=25, opacity=1).encode(x, y, tooltip=tip).properties(name="others"),
        ranged("points").transform_filter(in_range)
        .mark_point(color=_BLUE, filled=True, size=35, opacity=1).encode(x, y, tooltip=tip).properties(name="selected"),
        alt.Chart(alt.NamedData("seed_fits")).transform_filter(at_state)
        .mark_line(strokeWidth=1, clip=True)
        .encode(x, y, detail="seed:N", color=alt.Color("seed:N", scale=alt.Scale(domain=[0, 1, 2], range=list(_SEED_COLORS)),
                                                        legend=None))
        .properties(name="seed_fits"),
        alt.Chart(alt.NamedData("fits")).transform_filter(at_state)
        .mark_line(color="black", strokeWidth=2, clip=True).encode(x, y).properties(name="fit"),
        alt.Chart(alt.NamedData("states")).transform_filter(at_state)
        .transform_calculate(label="'fit over M_TE = ' + datum.lo + '..' + datum.hi + ': slope ' + "
                                   "format(datum.slope, '.3~g')")
        .mark_text(align="left", baseline="top", dx=6, dy=6, fontSize=11, lineHeight=14)
        .encode(text=alt.Text("label:N"), x=alt.value(0), y=alt.value(0)).properties(name="readout"),
        alt.Chart(alt.NamedData("states")).transform_filter(at_state)
        .transform_calculate(label2="'per seed ' + format(datum.slope_min, '.3~g') + '..' + "
                                    "format(datum.slope_max, '.3~g') + ' (thin lines)'")
        .mark_text(align="left", baseline="top", dx=6, dy=21, fontSize=10, color="#555555")
        .encode(text=alt.Text("label2:N"), x=alt.value(0), y=alt.value(0)).properties(name="readout_seeds"),
    ).properties(
        width=280, height=260,
        title=alt.Title(alt.ExprRef("'d = ' + d + ': L_ST* against L_TE, three seeds'"),
                        subtitle="blue: the fitted range; red: forbidden, L_ST* < L_TE\u00b2; thin black: no gain",
                        subtitleFontSize=11, **TITLE),
    ).resolve_scale(color="independent", strokeDash="independent")

    xm = alt.X("M:Q", scale=alt.Scale(type="log", base=2, domain=[1.5, 1400], nice=False),
               title="teacher width M_TE", axis=alt.Axis(values=list(WIDTHS[1::2]), format="d"))
    yr = alt.Y("ratio:Q", scale=alt.Scale(type="log", domain=_domain(lim["ratio_y"]), nice=False),
               title="L_ST* / L_TE", axis=alt.Axis(labelExpr=power_labels(), tickCount=6))
    rtip = ["M:Q", alt.Tooltip("ratio:Q", format=".3g", title="L_ST*/L_TE (seed mean)")]
    right = alt.layer(
        alt.Chart(alt.NamedData("band")).transform_filter(at_d)
        .mark_area(color=_BLUE, opacity=0.2)
        .encode(xm, alt.Y("lo_ratio:Q", scale=alt.Scale(type="log", domain=_domain(lim["ratio_y"]), nice=False),
                          stack=None, title="L_ST* / L_TE"), alt.Y2("hi_ratio:Q"))
        .properties(name="band"),
        alt.Chart(alt.NamedData("one")).mark_rule(color="black", strokeWidth=0.8)
        .encode(y=yr).properties(name="no_gain_ratio"),
        alt.Chart(alt.NamedData("m_d")).transform_filter(at_d)
        .mark_rule(color=_RED, strokeDash=[2, 2]).encode(x=xm).properties(name="m_equals_d"),
        alt.Chart(alt.NamedData("ratio")).transform_filter(at_d)
        .mark_line(color="#999999").encode(xm, yr).properties(name="ratio"),
        alt.Chart(alt.NamedData("ratio")).transform_filter(at_d)
        .mark_point(color="#999999", filled=True, size=20, opacity=1).encode(xm, yr, tooltip=rtip)
        .properties(name="ratio_points"),
        ranged("ratio").transform_filter(in_range)
        .mark_line(color=_BLUE, strokeWidth=2).encode(xm, yr).properties(name="ratio_selected"),
        ranged("ratio").transform_filter(in_range)
        .mark_point(color=_BLUE, filled=True, size=35, opacity=1).encode(xm, yr, tooltip=rtip)
        .properties(name="ratio_selected_points"),
        alt.Chart(alt.NamedData("m_d")).transform_filter(at_d)
        .transform_calculate(label="'M_TE = d'")
        .mark_text(align="right", baseline="bottom", dx=-3, dy=-4, fontSize=10, color=_RED)
        .encode(x=xm, y=alt.value(260), text="label:N").properties(name="m_equals_d_label"),
    ).properties(width=200, height=260, title=alt.Title("ratio against width", subtitle="seed mean, min-max band",
                                                         subtitleFontSize=11, **TITLE))
    return alt.hconcat(left, right, spacing=28).properties(autosize=alt.AutoSizeParams(type="pad", resize=True))


ENTRY = define_explorable(
    "ch05:exponent", controls=CONTROLS, data=exponent_data, chart=_chart, expected=exponent_expected,
    caption="Pick d and the range of teacher widths: the fit (black) uses the blue points only; "
            "ranges are clamped to the widths computed at that d and keep at least two. With a kernel, "
            "the first visit to a new d computes its sweep (one or two seconds).")
