"""Chapter 7 explorable: weak-to-strong on the digits, theory against experiment.

``ch07:overlap`` has the live widget's two controls, the nominal overlap ``d_sw``
(:data:`~w2s_lib.figures_subspace.DIGITS_OVERLAPS`, evenly spaced, a slider) and the
number ``n`` of labelled images (:data:`~w2s_lib.figures_subspace.DIGITS_N`, radio
buttons): 20 settings, all precomputed by :func:`~w2s_lib.figures_subspace.digits_grid`
(the chapter's experiment, 8 random splits each). It shows what
:func:`~w2s_lib.figures_subspace.draw_digits` shows: left, the four held-out risks
(bars, +-2 standard errors) with the exact formula's prediction (diamonds); right, PGR
against the measured overlap at this ``n`` (points +-2 SE, theory line), the chosen
overlap circled; the title gives PGR, its theory value and OPR.
"""

from __future__ import annotations

import altair as alt

from .. import figures_subspace as F
from ..subspace import RISK_KEYS
from . import Control, Explorable, inline_layer, records, register_explorable, round_sig

__all__ = ["overlap_explorable", "overlap_expected", "CONTROLS"]

CONTROLS = (
    Control("d_sw", F.DIGITS_OVERLAPS, 11, kind="range", label="nominal overlap d_sw"),
    Control("n", F.DIGITS_N, 100, kind="radio", label="labelled images n"),
)


def _point(d_sw, n):
    return F.digits_point(int(d_sw), int(n))


def _rows(d_sw, n):
    """Every layer's records at one setting, from :func:`~w2s_lib.figures_subspace.digits_point`."""
    p = _point(d_sw, n)
    bars = [{"model": k, "risk": p[k], "lo": p[k] - 2 * p[k + "_se"], "hi": p[k] + 2 * p[k + "_se"]}
            for k in RISK_KEYS]
    theory = [{"model": k, "theory": p["theory"][k]} for k in RISK_KEYS]
    sweep = [_point(d, n) for d in F.DIGITS_OVERLAPS]
    pgr_points = [{"d_sw_nominal": d, "d_sw_measured": q["d_sw_measured"], "pgr": q["pgr"],
                   "pgr_lo": q["pgr"] - 2 * q["pgr_se"], "pgr_hi": q["pgr"] + 2 * q["pgr_se"]}
                  for d, q in zip(F.DIGITS_OVERLAPS, sweep)]
    pgr_theory = [{"d_sw_measured": q["d_sw_measured"], "pgr_theory": q["theory"]["pgr"]} for q in sweep]
    readout = [{"d_sw_measured": p["d_sw_measured"], "pgr": p["pgr"], "pgr_theory": p["theory"]["pgr"],
                "opr": p["opr"]}]
    chosen = [{"d_sw_measured": p["d_sw_measured"], "pgr": p["pgr"]}]
    return {"bars": bars, "theory": theory, "pgr_points": pgr_points, "pgr_theory": pgr_theory,
            "chosen": chosen, "readout": readout}


def overlap_expected(d_sw=11, n=100):
    """What ``ch07:overlap`` shows at one setting, from ``w2s_lib`` (rounded as the page stores it)."""
    return {layer: [{k: round_sig(v) if isinstance(v, float) else v for k, v in row.items()} for row in rows]
            for layer, rows in _rows(d_sw, n).items()}


def _table(layer):
    out = []
    for d in F.DIGITS_OVERLAPS:
        for n in F.DIGITS_N:
            rows = _rows(d, n)[layer]
            if layer in ("pgr_points", "pgr_theory") and d != F.DIGITS_OVERLAPS[0]:
                continue  # these depend on n only: stored once per n
            for r in rows:
                cols = {k: [v] for k, v in r.items()}
                out += records(d_sw=d, n=n, **cols) if layer not in ("pgr_points", "pgr_theory") \
                    else records(n=n, **cols)
    return out


@register_explorable("ch07:overlap", expected=overlap_expected)
def overlap_explorable() -> Explorable:
    """The chapter-7 explorable (see the module docstring)."""
    F.digits_grid()  # every point of the grid, computed once (cached)
    at = "datum.d_sw == d_sw && datum.n == n"
    at_n = "datum.n == n"
    colors = alt.Scale(domain=list(RISK_KEYS), range=[F.COLORS[k] for k in RISK_KEYS])
    label = "datum.value"
    for k in reversed(RISK_KEYS):
        label = f"(datum.value == '{k}' ? '{F.SHORT[k]}' : {label})"
    x = alt.X("model:N", sort=list(RISK_KEYS), title=None, axis=alt.Axis(labelExpr=label, labelAngle=0))
    y = alt.Y("risk:Q", title="held-out excess risk")

    bars_data = inline_layer(_table("bars"))
    bars = alt.Chart(bars_data).transform_filter(at).mark_bar(size=34).encode(
        x=x, y=y, color=alt.Color("model:N", scale=colors, legend=None),
        tooltip=["model:N", alt.Tooltip("risk:Q", format=".3g"), alt.Tooltip("lo:Q", format=".3g"),
                 alt.Tooltip("hi:Q", format=".3g")]).properties(name="bars")
    errs = alt.Chart(bars_data).transform_filter(at).mark_rule(color="black").encode(x=x, y="lo:Q", y2="hi:Q")
    theory = alt.Chart(inline_layer(_table("theory"))).transform_filter(at).mark_point(
        shape="diamond", filled=True, color="black", size=45).encode(
        x=x, y="theory:Q", tooltip=[alt.Tooltip("theory:Q", format=".3g", title="exact formula")]
    ).properties(name="theory")
    readout_data = inline_layer(_table("readout"))
    legend = alt.Chart(inline_layer([{}])).mark_text(align="left", baseline="top", fontSize=10).encode(
        x=alt.value(4), y=alt.value(4), text=alt.value("bars: digits (\u00b12 SE); \u25c6 exact formula"))
    left_title = alt.Chart(readout_data).transform_filter(at).transform_calculate(
        text="'measured d_sw = ' + format(datum.d_sw_measured, '.3~g') + ', n = ' + n").mark_text(
        fontSize=11, baseline="bottom").encode(x=alt.value(120), y=alt.value(-4), text="text:N")
    left = alt.layer(bars, errs, theory, legend, left_title).properties(width=240, height=250)

    xm = alt.X("d_sw_measured:Q", title="measured d_sw", scale=alt.Scale(domain=[7, 21], nice=False))
    line = alt.Chart(inline_layer(_table("pgr_theory"))).transform_filter(at_n).mark_line(
        color=F.COLORS["w2s"], strokeWidth=2).encode(x=xm, y=alt.Y("pgr_theory:Q", title="PGR")
                                                     ).properties(name="pgr_theory")
    pts_data = inline_layer(_table("pgr_points"))
    pts = alt.Chart(pts_data).transform_filter(at_n).mark_point(filled=True, color="black", size=30).encode(
        x=xm, y="pgr:Q", tooltip=["d_sw_nominal:O", alt.Tooltip("d_sw_measured:Q", format=".3g"),
                                  alt.Tooltip("pgr:Q", format=".3g")]).properties(name="pgr_points")
    pts_err = alt.Chart(pts_data).transform_filter(at_n).mark_rule(color="black").encode(
        x=xm, y="pgr_lo:Q", y2="pgr_hi:Q")
    chosen = alt.Chart(readout_data).transform_filter(at).mark_point(
        size=220, color="#ff7f0e", strokeWidth=2.5, filled=False).encode(x=xm, y="pgr:Q").properties(name="chosen")
    zero = alt.Chart(inline_layer([{"y": 0.0}])).mark_rule(color="gray").encode(y="y:Q")
    readout = alt.Chart(readout_data).transform_filter(at).transform_calculate(
        text="'PGR = ' + format(datum.pgr, '.3~g') + ' (theory ' + format(datum.pgr_theory, '.3~g') + '), OPR = ' "
             "+ format(datum.opr, '.3~g')").mark_text(fontSize=11, baseline="bottom", fontWeight="bold").encode(
        x=alt.value(140), y=alt.value(-4), text="text:N").properties(name="readout")
    key = alt.Chart(inline_layer([{}])).mark_text(align="right", baseline="top", fontSize=10).encode(
        x=alt.value(276), y=alt.value(4), text=alt.value("line: exact formula; dots: digits (\u00b12 SE)"))
    right = alt.layer(zero, line, pts_err, pts, chosen, readout, key).properties(width=280, height=250)
    chart = alt.hconcat(left, right, spacing=30)
    return Explorable("ch07:overlap", chart, CONTROLS,
                      caption="Move the overlap and the number of labelled images: the bars are the digits "
                              "experiment, the diamonds and the line the exact Gaussian formulas.")
