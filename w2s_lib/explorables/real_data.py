"""Chapter 7 explorable: weak-to-strong on the digits, theory against experiment.

``ch07:overlap``. Controls: the nominal overlap ``d_sw`` of the two kernel-PCA feature maps
and the number ``n`` of labelled images. The site precomputes the chapter's grid
(:data:`~w2s_lib.real_data.DIGITS_OVERLAPS` x :data:`~w2s_lib.real_data.DIGITS_N`, 20
settings, 8 random splits each); with a kernel, ``d_sw`` reaches every overlap the feature
maps allow (0 .. ``d_w`` = 20) and ``n`` every labelled count the experiment allows
(``max(d_s, d_w) + 2`` = 42 .. 597, so that ``n + N + n_test <= 1797``), each setting run
afresh by :func:`w2s_lib.real_data.digits_point` (about 0.1 s per new point).

Left: the four held-out risks (bars, +-2 standard errors) with the exact formula's
prediction (diamonds). Right: PGR against the measured overlap at this ``n`` (points +-2 SE,
the formula as a line) over the grid's overlaps and the chosen one, which is circled.
"""

from __future__ import annotations

import altair as alt

from ..real_data import DIGITS_N, DIGITS_OVERLAPS, DIGITS_SETTINGS, digits_point
from ..subspace import RISK_KEYS
from . import Control, define_explorable, records
from .style import COLORS, TITLE
from .subspace import formula_shape, model_color, model_x, side_by_side

__all__ = ["ENTRY", "CONTROLS", "overlap_data", "overlap_expected", "D_SW_REACH", "N_REACH"]

#: What a kernel reaches: every overlap of the two maps, every n the experiment allows.
D_SW_REACH = (0, DIGITS_SETTINGS["d_w"])
N_REACH = (max(DIGITS_SETTINGS["d_s"], DIGITS_SETTINGS["d_w"]) + 2,
           1797 - DIGITS_SETTINGS["N"] - DIGITS_SETTINGS["n_test"])

CONTROLS = (
    Control("d_sw", DIGITS_OVERLAPS, 11, kind="range", label="nominal overlap d_sw", reach=D_SW_REACH),
    Control("n", DIGITS_N, 100, kind="radio", label="labelled images n", reach=N_REACH),
)


def _overlaps(d_sw):
    """The overlaps of the PGR curve at one setting: the grid's and the chosen one."""
    return tuple(sorted(set(DIGITS_OVERLAPS) | {int(d_sw)}))


def _layers(d_sw, n):
    """Every layer's records at ``(d_sw, n)``, from :func:`~w2s_lib.real_data.digits_point`."""
    p = digits_point(d_sw, n)
    curve = [(d, digits_point(d, n)) for d in _overlaps(d_sw)]
    return {
        "bars": [{"model": k, "risk": p[k]} for k in RISK_KEYS],
        "errors": [{"model": k, "lo": p[k] - 2 * p[k + "_se"], "hi": p[k] + 2 * p[k + "_se"]} for k in RISK_KEYS],
        "theory": [{"model": k, "theory": p["theory"][k]} for k in RISK_KEYS],
        "pgr_points": [{"d_sw_nominal": d, "d_sw_measured": q["d_sw_measured"], "pgr": q["pgr"],
                        "pgr_lo": q["pgr"] - 2 * q["pgr_se"], "pgr_hi": q["pgr"] + 2 * q["pgr_se"]} for d, q in curve],
        "pgr_theory": [{"d_sw_measured": q["d_sw_measured"], "pgr_theory": q["theory"]["pgr"]} for _, q in curve],
        "pgr_errors": [{"d_sw_measured": q["d_sw_measured"], "pgr_lo": q["pgr"] - 2 * q["pgr_se"],
                        "pgr_hi": q["pgr"] + 2 * q["pgr_se"]} for _, q in curve],
        "zero": [{"y": 0.0}],
        "chosen": [{"d_sw_measured": p["d_sw_measured"], "pgr": p["pgr"]}],
        "readout": [{"pgr": p["pgr"], "pgr_theory": p["theory"]["pgr"], "opr": p["opr"]}],
    }


def overlap_expected(d_sw=11, n=100):
    """What ``ch07:overlap`` shows at ``(d_sw, n)``, from :func:`w2s_lib.real_data.digits_point`.

    Parameters
    ----------
    d_sw : int
        Nominal overlap, 0 .. 20.
    n : int
        Labelled images, 42 .. 597.

    Returns
    -------
    dict
        Records of each named layer: ``bars``, ``errors``, ``theory`` (4 each), ``pgr_points``
        ``pgr_errors`` and ``pgr_theory`` (one per overlap of the grid and the chosen one),
        ``zero`` (the PGR = 0 line), ``chosen`` and ``readout`` (1 each).
    """
    s = ENTRY.check_setting(d_sw=d_sw, n=n)
    return _layers(s["d_sw"], s["n"])


def overlap_data(grid):
    """The figure's data sets over ``grid`` (``{"d_sw": (...), "n": (...)}``).

    ``models``: per (d_sw, n, model) the risk, its +-2 SE and the formula's value; ``points``:
    per (d_sw, n) the measured overlap, PGR (+-2 SE), its formula value and OPR.
    """
    models, points = [], []
    for n in grid["n"]:
        for d in grid["d_sw"]:
            p = digits_point(d, n)
            models += records(d_sw=d, n=n, model=list(RISK_KEYS), risk=[p[k] for k in RISK_KEYS],
                              lo=[p[k] - 2 * p[k + "_se"] for k in RISK_KEYS],
                              hi=[p[k] + 2 * p[k + "_se"] for k in RISK_KEYS],
                              theory=[p["theory"][k] for k in RISK_KEYS])
            points += records(d_sw=d, n=n, d_sw_nominal=d, d_sw_measured=p["d_sw_measured"], pgr=p["pgr"],
                              pgr_lo=p["pgr"] - 2 * p["pgr_se"], pgr_hi=p["pgr"] + 2 * p["pgr_se"],
                              pgr_theory=p["theory"]["pgr"], opr=p["opr"])
    return {"models": models, "points": points}


def _live_grid(setting):
    return {"d_sw": _overlaps(setting["d_sw"]), "n": (setting["n"],)}


def _chart(_data):
    at = "datum.d_sw == d_sw && datum.n == n"
    at_n = "datum.n == n"
    x, color = model_x(), model_color()
    models = alt.Chart(alt.NamedData("models")).transform_filter(at)
    left = alt.layer(
        models.mark_bar(size=34).encode(x=x, y=alt.Y("risk:Q", title="held-out excess risk"), color=color,
                                        tooltip=["model:N", alt.Tooltip("risk:Q", format=".3~g")])
        .properties(name="bars"),
        models.mark_rule(color="black", strokeWidth=1.5).encode(x=x, y="lo:Q", y2="hi:Q").properties(name="errors"),
        models.transform_calculate(source="'exact formula'")
        .mark_point(filled=True, color="black", size=60).encode(
            x=x, y="theory:Q", shape=formula_shape(),
            tooltip=[alt.Tooltip("theory:Q", format=".3~g", title="exact formula")])
        .properties(name="theory"),
    ).properties(width=230, height=250, title=alt.Title(
        alt.ExprRef("'digits (\u00b12 SE), nominal d_sw = ' + d_sw + ', n = ' + n"), **TITLE))

    xm = alt.X("d_sw_measured:Q", title=["measured overlap d_sw", "(dots: digits \u00b12 SE; line: formula)"], scale=alt.Scale(domain=[0, 21], nice=False))
    points = alt.Chart(alt.NamedData("points"))
    curve = points.transform_filter(at_n)
    chosen = points.transform_filter(at)
    right = alt.layer(
        alt.Chart(alt.Data(values=({"y": 0.0},))).mark_rule(color=COLORS["rest"]).encode(y="y:Q").properties(name="zero"),
        curve.mark_line(color=COLORS["student"], strokeWidth=2)
        .encode(x=xm, y=alt.Y("pgr_theory:Q", title="PGR")).properties(name="pgr_theory"),
        curve.mark_rule(color="black").encode(x=xm, y="pgr_lo:Q", y2="pgr_hi:Q").properties(name="pgr_errors"),
        curve.mark_point(filled=True, color="black", size=30).encode(
            x=xm, y="pgr:Q", tooltip=[alt.Tooltip("d_sw_nominal:Q", title="nominal d_sw"),
                                      alt.Tooltip("d_sw_measured:Q", format=".3~g"),
                                      alt.Tooltip("pgr:Q", format=".3~g")])
        .properties(name="pgr_points"),
        chosen.mark_point(size=220, color=COLORS["marker"], strokeWidth=2.5, filled=False)
        .encode(x=xm, y="pgr:Q").properties(name="chosen"),
        chosen.transform_calculate(
            text="'PGR = ' + format(datum.pgr, '.3~g') + ' (formula ' + format(datum.pgr_theory, '.3~g') + ')'"
                 " + ',  OPR = ' + format(datum.opr, '.3~g')")
        .mark_text(align="center", baseline="bottom", fontSize=12, fontWeight="bold").encode(
            x=alt.value(140), y=alt.value(-4), text="text:N").properties(name="readout"),
    ).properties(width=240, height=250, title=alt.Title(
        "PGR against the measured overlap", subtitle=" ", **TITLE))
    return side_by_side(left, right)


ENTRY = define_explorable(
    "ch07:overlap", controls=CONTROLS, data=overlap_data, chart=_chart, expected=overlap_expected,
    live_grid=_live_grid,
    caption="Move the overlap and the number of labelled images: the bars are the digits experiment, "
            "the diamonds and the line the exact Gaussian formulas.")
