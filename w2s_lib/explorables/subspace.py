"""Chapter 6 explorable: the exact risks of the four ridgeless models in subspaces.

``ch06:risks``. Controls: ``d_s``, ``d_w`` (2..40), ``d_sw`` (0..40), ``n`` (4..400), ``N``
(4..2000), ``sigma2`` (0..4, step 0.1), the ground truth ``target``
(:data:`w2s_lib.subspace.GROUND_TRUTHS`) and a *Monte Carlo* check box. That is about 1e12
settings, so the page does not store the risks: the browser evaluates the exact formulas
of :func:`w2s_lib.subspace_risks_from_energies` as Vega expressions (the same operations
in the same order as ``subspace._exact_terms``), after clamping into the formulas' domain
(:data:`w2s_lib.subspace.SUBSPACE_CLAMPS`, the one definition both Python and the page
use). The energies of the three ground truths have a closed form in the dimensions
(:func:`w2s_lib.subspace.ground_truth_energies`), so they are expressions too; the
records of each layer carry, per ground truth, the numbers ``on`` and ``half`` those
expressions read (no string compared in an expression).

Monte Carlo cannot run in the browser: the page stores its points (200 draws, seed 0)
at the chapter's base configuration :data:`MC_BASE` for every overlap in
:data:`MC_OVERLAPS` and every ground truth, and elsewhere says that Monte Carlo there
needs a kernel. With a kernel every control reaches further (:data:`REACH`) and the
Monte Carlo points are drawn at any setting by :func:`w2s_lib.subspace.ground_truth_mc`
(:func:`w2s_lib.subspace.mc_trials_for` draws: 200 up to a 30-dimensional ``V_s + V_w``,
fewer above, at least 50).

PGR is undefined when ``|ER_w - ER_c|`` is at most ``1e-12`` times the largest risk, OPR
when ``ER_w2s`` is (:func:`w2s_lib.subspace.guarded_risks`); both are also undefined when
every risk is below :data:`ZERO_RISK` (the exact risks are then all zero; ``w2s_lib``'s
energies carry summation round-off of order 1e-16, whose ratios mean nothing).

The helpers :func:`model_x` and :func:`model_color` (the four models' axis and colours)
(and :func:`formula_shape`, :func:`side_by_side`) are shared with the explorables of
chapters 7 and 8.
"""

from __future__ import annotations

import itertools

import altair as alt

from ..subspace import (GROUND_TRUTHS, RISK_KEYS, SUBSPACE_CLAMPS, clamp_subspace_params, ground_truth_mc,
                        guarded_risks)
from . import Control, define_explorable, records, round_sig
from .style import COLORS, TITLE

__all__ = [
    "ENTRY",
    "CONTROLS",
    "REACH",
    "MC_BASE",
    "MC_OVERLAPS",
    "ZERO_RISK",
    "SEGMENTS",
    "MODEL_COLORS",
    "MODEL_SHORT",
    "model_x",
    "model_color",
    "formula_shape",
    "side_by_side",
    "risks_data",
    "risks_expected",
    "stored_on_site",
]

#: The four models' colours (those of the static figures) and short names.
MODEL_COLORS = {"weak": COLORS["teacher"], "w2s": COLORS["student"], "strong_baseline": COLORS["strong"],
                "strong_ceiling": COLORS["ceiling"]}
MODEL_SHORT = {"weak": "weak", "w2s": "W2S", "strong_baseline": "baseline", "strong_ceiling": "ceiling"}

#: The configuration whose Monte Carlo points the page stores (the chapter's base), and its overlaps.
MC_BASE = dict(d_s=10, d_w=20, n=100, N=200, sigma2=1.0)
MC_OVERLAPS = tuple(range(0, 11))
#: Risks all below this are exact zeros carrying round-off: PGR and OPR are undefined.
ZERO_RISK = 1e-12
#: How far a kernel moves each numeric control (the page's grid is each control's ``values``).
REACH = dict(d_s=(2, 60), d_w=(2, 60), d_sw=(0, 60), n=(4, 10_000), N=(4, 100_000), sigma2=(0.0, 10.0))

CONTROLS = (
    Control("d_s", tuple(range(2, 41)), 10, label="d_s (strong)", reach=REACH["d_s"]),
    Control("d_w", tuple(range(2, 41)), 20, label="d_w (weak)", reach=REACH["d_w"]),
    Control("d_sw", tuple(range(0, 41)), 4, label="d_sw (shared)", reach=REACH["d_sw"]),
    Control("n", tuple(range(4, 401)), 100, label="n (labelled)", reach=REACH["n"], log=True),
    Control("N", tuple(range(4, 2001)), 200, label="N (unlabelled)", reach=REACH["N"], log=True),
    Control("sigma2", tuple(round(0.1 * i, 1) for i in range(41)), 1.0, label="\u03c3\u00b2 (noise)",
            reach=REACH["sigma2"]),
    Control("target", GROUND_TRUTHS, "zero", kind="select", label="\u03b8 (ground truth)"),
    Control("monte_carlo", (False, True), False, kind="checkbox", label="Monte Carlo"),
)

#: The stacked bar segments, bottom to top: (model, part, terms below it, its own term).
SEGMENTS = (
    ("weak", "bias", (), "weak_bias"),
    ("weak", "variance", ("weak_bias",), "weak_variance"),
    ("w2s", "bias", (), "w2s_bias"),
    ("w2s", "inherited", ("w2s_bias",), "v_inh"),
    ("w2s", "discrepancy", ("w2s_bias", "v_inh"), "v_disc"),
    ("w2s", "teacher_bias", ("w2s_bias", "v_inh", "v_disc"), "v_tb"),
    ("strong_baseline", "bias", (), "strong_baseline_bias"),
    ("strong_baseline", "variance", ("strong_baseline_bias",), "strong_baseline_variance"),
    ("strong_ceiling", "bias", (), "strong_ceiling_bias"),
    ("strong_ceiling", "variance", ("strong_ceiling_bias",), "strong_ceiling_variance"),
)
_TERMS = ("weak_bias", "weak_variance", "w2s_bias", "v_inh", "v_disc", "v_tb", "strong_baseline_bias",
          "strong_baseline_variance", "strong_ceiling_bias", "strong_ceiling_variance")
#: The legend of the bars' shades (the W2S variance split in three), and each part's entry.
_SHADES = {"bias": "bias (pale)", "variance": "variance (W2S: inherited, on Vs \u2229 Vw)",
           "inherited": "variance (W2S: inherited, on Vs \u2229 Vw)", "discrepancy": "W2S variance: discrepancy",
           "teacher_bias": "W2S variance: teacher's bias"}
_SHADE_OPACITY = {"bias (pale)": 0.25, "variance (W2S: inherited, on Vs \u2229 Vw)": 1.0,
                  "W2S variance: discrepancy": 0.6, "W2S variance: teacher's bias": 0.4}
#: What each ground truth puts in the energy expressions: ``on`` (any signal) and ``half``
#: (half of it on ``W \ S``), as :func:`w2s_lib.subspace.ground_truth_energies`.
_TARGET_FIELDS = {"zero": dict(on=0, half=0), "spread": dict(on=1, half=0), "misspecified": dict(on=1, half=1)}


# --------------------------------------------------------------------------- shared with ch07, ch08
def model_x():
    """The x encoding of the four models (short names, in :data:`~w2s_lib.subspace.RISK_KEYS` order)."""
    label = "datum.value"
    for k in reversed(RISK_KEYS):
        label = f"(datum.value == '{k}' ? '{MODEL_SHORT[k]}' : {label})"
    return alt.X("model:N", sort=list(RISK_KEYS), title=None, axis=alt.Axis(labelExpr=label, labelAngle=0))


def model_color():
    """The colour encoding of the four models (no legend: the x axis names them)."""
    return alt.Color("model:N", scale=alt.Scale(domain=list(RISK_KEYS), range=[MODEL_COLORS[k] for k in RISK_KEYS]),
                     legend=None)


def formula_shape():
    """The shape encoding of the exact formula's diamonds, with its legend (field ``source``)."""
    return alt.Shape("source:N", scale=alt.Scale(domain=["exact formula"], range=["diamond"]),
                     legend=alt.Legend(title=None, orient="top", symbolFillColor="black"))


def side_by_side(left, right):
    """Two panels side by side (chapters 7 and 8): their own shape legends, sized to their labels."""
    return alt.hconcat(left, right, spacing=30).resolve_scale(shape="independent").properties(
        autosize=alt.AutoSizeParams(type="pad", resize=True))


# --------------------------------------------------------------------------- clamping, written once
def _clamped(name: str) -> str:
    """The Vega expression of control ``name`` after clamping (the control itself if never clamped)."""
    for param, side, bound, _ in SUBSPACE_CLAMPS:
        if param == name:
            return f"{'min' if side == 'at most' else 'max'}({name}, {bound})"
    return name


def _is_clamped(name: str) -> str:
    """The Vega expression that is true when control ``name`` is clamped."""
    for param, side, bound, _ in SUBSPACE_CLAMPS:
        if param == name:
            return f"{name} {'>' if side == 'at most' else '<'} {bound}"
    raise ValueError(f"{name} is never clamped")


def _clamp_note() -> str:
    """The Vega expression of the clamping note (``''`` when nothing is clamped)."""
    parts = [f"({_is_clamped(p)} ? '{p} \u2192 ' + ({bound}) + ' ({why})\\n' : '')"
             for p, _, bound, why in SUBSPACE_CLAMPS]
    return " + ".join(parts)


def _clamp(setting):
    p, _ = clamp_subspace_params(*(setting[k] for k in ("d_s", "d_w", "d_sw", "n", "N")))
    return p


# --------------------------------------------------------------------------- numerics
def stored_on_site(setting) -> bool:
    """Whether the page (no kernel) holds Monte Carlo points at ``setting`` (its clamped values)."""
    p = _clamp(setting)
    return (all(p[k] == MC_BASE[k] for k in ("d_s", "d_w", "n", "N")) and p["d_sw"] in MC_OVERLAPS
            and abs(float(setting["sigma2"]) - MC_BASE["sigma2"]) < 1e-9)


def _mc_records(p, sigma2, target):
    """The Monte Carlo records of one clamped configuration (none when every risk is exactly zero)."""
    mc = ground_truth_mc(p["d_s"], p["d_w"], p["d_sw"], p["n"], p["N"], float(sigma2), target)
    if mc is None:
        return []
    return records(**p, sigma2=float(sigma2), target=target, model=list(RISK_KEYS),
                   mc=[mc[k][0] for k in RISK_KEYS], mc_lo=[mc[k][0] - 2 * mc[k][1] for k in RISK_KEYS],
                   mc_hi=[mc[k][0] + 2 * mc[k][1] for k in RISK_KEYS], trials=mc["trials"])


def risks_data(grid):
    """The figure's data sets over ``grid`` (each control name to a tuple of values).

    ``mc``: Monte Carlo means and +-2 SE of the four risks, per clamped configuration and
    ground truth, if ``grid["monte_carlo"]`` holds ``True``; ``mc_scope``: one record, the
    configuration (``d_s, d_w, n, N, sigma2``, clamped) and the overlaps (``d_sw_lo`` ..
    ``d_sw_hi``) those points cover. A grid with one configuration (a kernel's setting)
    gets Monte Carlo at that configuration; a grid of several (the page's ~1e12 settings)
    gets it at :data:`MC_BASE` for :data:`MC_OVERLAPS` and every ground truth only.
    """
    single = all(len(grid[k]) == 1 for k in ("d_s", "d_w", "n", "N", "sigma2"))
    if single:
        one = {k: grid[k][0] for k in ("d_s", "d_w", "n", "N", "sigma2")}
        base = {k: v for k, v in _clamp({**one, "d_sw": 0}).items() if k != "d_sw"}
        sigma2 = float(one["sigma2"])
        overlaps = sorted({_clamp({**one, "d_sw": d})["d_sw"] for d in grid["d_sw"]})
    else:
        base = {k: MC_BASE[k] for k in ("d_s", "d_w", "n", "N")}
        sigma2, overlaps = MC_BASE["sigma2"], list(MC_OVERLAPS)
    mc = []
    if True in grid["monte_carlo"]:
        for target, d_sw in itertools.product(grid["target"], overlaps):
            mc += _mc_records({**base, "d_sw": d_sw}, sigma2, target)
    scope = records(**base, sigma2=sigma2, d_sw_lo=overlaps[0], d_sw_hi=overlaps[-1])
    return {"mc": mc, "mc_scope": scope}


def risks_expected(d_s=10, d_w=20, d_sw=4, n=100, N=200, sigma2=1.0, target="zero", monte_carlo=False):
    """What ``ch06:risks`` shows at one setting (with a kernel), from ``w2s_lib``.

    Clamping by :func:`w2s_lib.subspace.clamp_subspace_params`, risks by
    :func:`w2s_lib.subspace.guarded_risks`, Monte Carlo by
    :func:`w2s_lib.subspace.ground_truth_mc` (stored to 7 significant digits, so rounded
    the same way here). Without a kernel the page shows the same, except that Monte Carlo
    is stored only where :func:`stored_on_site` (elsewhere ``mc`` is empty and ``mc_note``
    holds the page's one ``mc_scope`` record).

    Returns
    -------
    dict
        Records of each named layer: ``segments`` (10: ``model, part, lo, hi``), ``risks``
        (4), ``ratios`` (1: ``pgr, opr`` -- 0 where undefined -- ``pgr_ok, opr_ok,
        pgr_meaningful``), ``clamped`` (1: the clamped values and ``clamped_<name>`` flags),
        ``layout`` (2: the coordinate bars ``x0 .. x1``) and ``layout_labels`` (2), ``band`` and
        ``band_label`` (the intersection, 1 each if ``d_sw > 0``), ``disc_label`` (1 if
        ``d_w > d_sw``), ``mc`` and ``mc_errors`` (4 or none), ``mc_key`` (1 or none) and
        ``mc_note`` (none).
    """
    s = ENTRY.check_setting(d_s=d_s, d_w=d_w, d_sw=d_sw, n=n, N=N, sigma2=sigma2, target=target,
                            monte_carlo=monte_carlo)
    p = _clamp(s)
    r = guarded_risks(p["d_s"], p["d_w"], p["d_sw"], p["n"], p["N"], float(s["sigma2"]), s["target"])
    terms = dict(r, v_inh=r["w2s_var_inherited"], v_disc=r["w2s_var_discrepancy"], v_tb=r["w2s_var_teacher_bias"])
    segments = []
    for model, part, below, own in SEGMENTS:
        lo = sum((terms[t] for t in below), 0.0)
        segments.append({"model": model, "part": part, "lo": lo, "hi": lo + terms[own]})
    nonzero = max(r[k] for k in RISK_KEYS) > ZERO_RISK
    pgr_ok, opr_ok = nonzero and r["pgr"] is not None, nonzero and r["opr"] is not None
    ratios = {"pgr_ok": pgr_ok, "opr_ok": opr_ok, "pgr": r["pgr"] if pgr_ok else 0.0,
              "opr": r["opr"] if opr_ok else 0.0, "pgr_meaningful": pgr_ok and r["weak"] > r["strong_ceiling"]}
    mc = []
    if s["monte_carlo"]:
        mc = [{k: row[k] for k in ("model", "mc", "mc_lo", "mc_hi", "trials")}
              for row in _mc_records(p, s["sigma2"], s["target"])]
    return {
        "segments": segments,
        "risks": [{"model": k, "risk": r[k]} for k in RISK_KEYS],
        "ratios": [ratios],
        "clamped": [{**p, **{f"clamped_{k}": p[k] != s[k] for k in ("d_sw", "n", "N")}}],
        "layout": [{"row": "strong", "x0": 0, "x1": p["d_s"]},
                   {"row": "weak", "x0": p["d_s"] - p["d_sw"], "x1": p["d_s"] - p["d_sw"] + p["d_w"]}],
        # the labels sit at the middle of what they name (their text repeats the clamped values)
        "layout_labels": [{"row": "strong", "xm": p["d_s"] / 2},
                          {"row": "weak", "xm": p["d_s"] - p["d_sw"] + p["d_w"] / 2}],
        "band": [{"x0": p["d_s"] - p["d_sw"], "x1": p["d_s"]}] if p["d_sw"] > 0 else [],
        "band_label": [{"xm": p["d_s"] - p["d_sw"] / 2}] if p["d_sw"] > 0 else [],
        "disc_label": [{"xm": p["d_s"] + (p["d_w"] - p["d_sw"]) / 2}] if p["d_w"] > p["d_sw"] else [],
        "mc": mc,
        "mc_errors": [{k: row[k] for k in ("model", "mc_lo", "mc_hi")} for row in mc],
        "mc_key": [{"model": "weak", "trials": mc[0]["trials"]}] if mc else [],
        "mc_note": [],
    }


# --------------------------------------------------------------------------- the spec
def _calc_chain():
    """The exact formulas as Vega expressions, in the operation order of ``subspace._exact_terms``
    (so the browser's doubles are those of w2s_lib whenever the energies are)."""
    return (
        ("c_ds", "d_s"), ("c_dw", "d_w"), ("c_dsw", _clamped("d_sw")), ("c_n", _clamped("n")),
        ("c_N", _clamped("N")), ("c_s2", "sigma2"),
        ("u", "datum.c_ds + datum.c_dw - datum.c_dsw"),
        ("share", "datum.half == 1 && datum.c_dw != datum.c_dsw ? 0.5 : 1.0"),
        ("e_a", "datum.on * datum.share * (datum.c_ds - datum.c_dsw) / datum.u"),
        ("e_b", "datum.on * (datum.share * (datum.c_dw - datum.c_dsw) / datum.u + (1.0 - datum.share))"),
        ("rho_s", "datum.e_b"), ("rho_w", "datum.e_a"), ("bias_e", "datum.e_a + datum.e_b"), ("delta", "datum.e_b"),
        ("tw", "(datum.c_s2 + datum.rho_w) / (datum.c_n - datum.c_dw - 1.0)"),
        ("shrink", "datum.c_ds / (datum.c_N - datum.c_ds - 1.0)"),
        ("weak_bias", "datum.rho_w"),
        ("weak_variance", "datum.tw * datum.c_dw"),
        ("strong_baseline_bias", "datum.rho_s"),
        ("strong_baseline_variance", "(datum.c_s2 + datum.rho_s) * datum.c_ds / (datum.c_n - datum.c_ds - 1.0)"),
        ("strong_ceiling_bias", "datum.rho_s"),
        ("strong_ceiling_variance",
         "(datum.c_s2 + datum.rho_s) * datum.c_ds / (datum.c_n + datum.c_N - datum.c_ds - 1.0)"),
        ("w2s_bias", "datum.bias_e"),
        ("v_inh", "datum.tw * datum.c_dsw"),
        ("v_disc", "datum.tw * (datum.c_dw - datum.c_dsw) * datum.shrink"),
        ("v_tb", "datum.delta * datum.shrink"),
        ("w2s_variance", "datum.v_inh + datum.v_disc + datum.v_tb"),
        ("r_weak", "datum.weak_bias + datum.weak_variance"),
        ("r_w2s", "datum.w2s_bias + datum.w2s_variance"),
        ("r_strong_baseline", "datum.strong_baseline_bias + datum.strong_baseline_variance"),
        ("r_strong_ceiling", "datum.strong_ceiling_bias + datum.strong_ceiling_variance"),
        ("scale", "max(datum.r_weak, datum.r_w2s, datum.r_strong_baseline, datum.r_strong_ceiling)"),
        ("tiny", "1e-12 * max(datum.scale, 1e-300)"),
        ("nonzero", f"datum.scale > {ZERO_RISK!r}"),
        ("gap", "datum.r_weak - datum.r_strong_ceiling"),
    )


def _exact(rows):
    """A chart over ``rows`` (one copy per ground truth, the chosen one kept) with every exact term."""
    values = [{**row, "target": t, **_TARGET_FIELDS[t]} for t in GROUND_TRUTHS for row in rows]
    chart = alt.Chart(alt.Data(values=tuple(values))).transform_filter("datum.target == target")
    for name, expr in _calc_chain():
        chart = chart.transform_calculate(**{name: expr})
    return chart


def _sum(coef_prefix):
    return " + ".join(f"datum.{coef_prefix}{t} * datum.{t}" for t in _TERMS)


def _chart(_data):
    x = model_x()
    colors = alt.Scale(domain=list(RISK_KEYS), range=[MODEL_COLORS[k] for k in RISK_KEYS])
    # --- the bars: bias (pale) and variance (solid; the student's in three shades)
    seg_rows = [{"model": m, "part": p, "shade": _SHADES[p],
                 **{f"lo_{t}": int(t in below) for t in _TERMS}, **{f"top_{t}": int(t == own) for t in _TERMS}}
                for m, p, below, own in SEGMENTS]
    shade = alt.Opacity("shade:N", scale=alt.Scale(type="ordinal", domain=list(_SHADE_OPACITY),
                                                   range=list(_SHADE_OPACITY.values())),
                        legend=alt.Legend(title=None, orient="bottom", direction="vertical", columns=2,
                                          symbolType="square", symbolFillColor=MODEL_COLORS["w2s"],
                                          symbolStrokeColor=MODEL_COLORS["w2s"], labelLimit=260))
    segments = (
        _exact(seg_rows).transform_calculate(lo=_sum("lo_")).transform_calculate(hi="datum.lo + " + _sum("top_"))
        .mark_bar(size=34, strokeWidth=1)
        .encode(x=x, y=alt.Y("lo:Q", title="excess risk", scale=alt.Scale(zero=True)), y2="hi:Q",
                color=alt.Color("model:N", scale=colors, legend=None),
                stroke=alt.Color("model:N", scale=colors, legend=None), opacity=shade,
                tooltip=["model:N", "part:N", alt.Tooltip("lo:Q", format=".4~g"), alt.Tooltip("hi:Q", format=".4~g")])
        .properties(name="segments")
    )
    risks = (
        _exact([{"model": k, **{f"m_{j}": int(j == k) for j in RISK_KEYS}} for k in RISK_KEYS])
        .transform_calculate(risk=" + ".join(f"datum.m_{k} * datum.r_{k}" for k in RISK_KEYS))
        .transform_calculate(label="format(datum.risk, '.3~g')")
        .mark_text(dy=-7, fontSize=11)
        .encode(x=x, y="risk:Q", text="label:N")
        .properties(name="risks")
    )
    at_mc = (f"monte_carlo && datum.target == target && datum.d_s == d_s && datum.d_w == d_w && "
             f"datum.d_sw == {_clamped('d_sw')} && datum.n == {_clamped('n')} && datum.N == {_clamped('N')} && "
             "abs(datum.sigma2 - sigma2) < 1e-6")
    mc = alt.Chart(alt.NamedData("mc")).transform_filter(at_mc)
    mc_points = mc.mark_point(filled=True, color="black", size=30, shape="circle", opacity=1).encode(
        x=x, y="mc:Q", tooltip=["model:N", alt.Tooltip("mc:Q", format=".3~g", title="Monte Carlo"),
                                alt.Tooltip("mc_lo:Q", format=".3~g"), alt.Tooltip("mc_hi:Q", format=".3~g")]
    ).properties(name="mc")
    mc_bars = mc.mark_rule(color="black", strokeWidth=1.5).encode(x=x, y="mc_lo:Q", y2="mc_hi:Q").properties(
        name="mc_errors")
    mc_key = (mc.transform_filter("datum.model == 'weak'")
              .transform_calculate(text="'\u25cf Monte Carlo: ' + datum.trials + ' draws (\u00b12 SE)'")
              .mark_text(align="center", baseline="bottom", fontSize=11).encode(x=alt.value(150), y=alt.value(-4),
                                                                         text="text:N")
              .properties(name="mc_key"))
    in_scope = (f"d_s == datum.d_s && d_w == datum.d_w && {_clamped('n')} == datum.n && {_clamped('N')} == datum.N "
                f"&& abs(sigma2 - datum.sigma2) < 1e-6 && {_clamped('d_sw')} >= datum.d_sw_lo && "
                f"{_clamped('d_sw')} <= datum.d_sw_hi")
    b = MC_BASE
    n_clamped = " + ".join(f"({_is_clamped(p)} ? 1 : 0)" for p, *_ in SUBSPACE_CLAMPS)
    note = (  # under the coordinates, below the clamping note when there is one
        alt.Chart(alt.NamedData("mc_scope")).transform_filter(f"monte_carlo && !({in_scope})")
        .mark_text(align="left", baseline="top", fontSize=11, color="#b30000", lineBreak="\n", x=0,
                   y=alt.ExprRef(f"290 + 15 * (({n_clamped}) > 0 ? ({n_clamped}) + 1.4 : 0)"))
        .encode(text=alt.value(f"Monte Carlo at this setting needs a Python\nkernel: this page stores it only at "
                               f"d_s = {b['d_s']},\nd_w = {b['d_w']}, n = {b['n']}, N = {b['N']}, "
                               f"\u03c3\u00b2 = {b['sigma2']:g}, d_sw \u2264 {max(MC_OVERLAPS)}."))
        .properties(name="mc_note")
    )
    ratio_calc = (
        ("pgr_ok", "datum.nonzero && abs(datum.gap) > datum.tiny"),
        ("opr_ok", "datum.nonzero && datum.r_w2s > datum.tiny"),
        ("pgr_num", "datum.r_weak - datum.r_w2s"),
        ("pgr", "datum.pgr_ok ? datum.pgr_num / datum.gap : 0"),
        ("opr", "datum.opr_ok ? datum.r_strong_baseline / datum.r_w2s : 0"),
        ("pgr_meaningful", "datum.pgr_ok && datum.r_weak > datum.r_strong_ceiling"),
        ("text", "!datum.nonzero ? 'PGR, OPR undefined: every risk is zero (no noise, no signal)' : "
                 "(datum.pgr_ok ? 'PGR = ' + format(datum.pgr, '.3~g') + (datum.pgr_meaningful ? '' : ' (no gap)') "
                 ": 'PGR undefined') + ',  OPR = ' + (datum.opr_ok ? format(datum.opr, '.3~g') : 'undefined')"),
    )
    ratios = _exact([{}])
    for name, expr in ratio_calc:
        ratios = ratios.transform_calculate(**{name: expr})
    ratios = ratios.mark_text(align="center", baseline="bottom", fontSize=13, fontWeight="bold").encode(
        x=alt.value(150), y=alt.value(-22), text="text:N").properties(name="ratios")
    left = alt.layer(segments, mc_bars, mc_points, risks, ratios, mc_key).properties(
        width=300, height=250, title=alt.Title(" ", subtitle=" ", **TITLE))  # (room for the ratios and the MC key)

    # --- the coordinates: V_s, V_w, their intersection and the discrepancy (as figures_subspace.draw_layout)
    lay = _exact([{"row": "strong", "s": 1, "y": 1.0}, {"row": "weak", "s": 0, "y": 0.0}]).transform_calculate(
        x0="datum.s == 1 ? 0 : datum.c_ds - datum.c_dsw",
        x1="datum.s == 1 ? datum.c_ds : datum.c_ds - datum.c_dsw + datum.c_dw",
        y0="datum.y - 0.275", y1="datum.y + 0.275", xm="(datum.x0 + datum.x1) / 2",
    ).transform_calculate(label="datum.s == 1 ? 'strong Vs (' + datum.c_ds + ')' : 'weak Vw (' + datum.c_dw + ')'")
    xs = alt.X("x0:Q", title="coordinate of z", scale=alt.Scale(nice=False, zero=True, padding=4))
    ys = alt.Y("y0:Q", scale=alt.Scale(domain=[-1.6, 2.7]), axis=None)
    layout_bars = lay.mark_rect(stroke="black", strokeWidth=0.6).encode(
        x=xs, x2="x1:Q", y=ys, y2="y1:Q",
        color=alt.Color("row:N", scale=alt.Scale(domain=["strong", "weak"], range=["#9ecae1", "#fcbba1"]), legend=None),
    ).properties(name="layout")
    layout_text = lay.mark_text(fontSize=11).encode(x="xm:Q", y=alt.Y("y:Q", axis=None), text="label:N").properties(
        name="layout_labels")
    band = _exact([{}]).transform_filter(f"{_clamped('d_sw')} > 0").transform_calculate(
        x0="datum.c_ds - datum.c_dsw", x1="datum.c_ds", y0="-0.5", y1="1.5", xm="datum.c_ds - datum.c_dsw / 2",
        ym="1.7").transform_calculate(label="'Vs \u2229 Vw: d_sw = ' + datum.c_dsw")
    band_rect = band.mark_rect(color="gray", opacity=0.3).encode(x="x0:Q", x2="x1:Q", y=alt.Y("y0:Q", axis=None),
                                                                y2="y1:Q").properties(name="band")
    band_text = band.mark_text(fontSize=11, baseline="bottom").encode(x="xm:Q", y=alt.Y("ym:Q", axis=None),
                                                                     text="label:N").properties(name="band_label")
    disc = _exact([{}]).transform_filter(f"d_w > {_clamped('d_sw')}").transform_calculate(
        xm="datum.c_ds + (datum.c_dw - datum.c_dsw) / 2", ym="-0.55").transform_calculate(
        label="'discrepancy Vw \u2212 Vs: ' + (datum.c_dw - datum.c_dsw) + ' dims'")
    disc_text = disc.mark_text(fontSize=11, baseline="top").encode(x="xm:Q", y=alt.Y("ym:Q", axis=None),
                                                                  text="label:N").properties(name="disc_label")
    clamped = (
        _exact([{}])
        .transform_calculate(d_s="datum.c_ds", d_w="datum.c_dw", d_sw="datum.c_dsw", n="datum.c_n", N="datum.c_N")
        .transform_calculate(**{f"clamped_{p}": _is_clamped(p) for p, *_ in SUBSPACE_CLAMPS})
        .transform_calculate(note=_clamp_note())
        .transform_calculate(
            text="datum.note == '' ? '' : 'Clamped to the exact formulas\u2019 domain:\\n' + datum.note")
        .mark_text(align="left", baseline="top", fontSize=11, color="#b30000", lineBreak="\n")
        .encode(x=alt.value(0), y=alt.value(290), text="text:N").properties(name="clamped")
    )
    right = alt.layer(band_rect, layout_bars, layout_text, band_text, disc_text, clamped, note).properties(
        width=230, height=250,
        title=alt.Title(alt.ExprRef(f"'n = ' + {_clamped('n')} + ', N = ' + {_clamped('N')} + "
                                    "', \u03c3\u00b2 = ' + format(sigma2, '.3~g')"), **TITLE))
    return alt.hconcat(left, right, spacing=30).resolve_scale(color="independent", stroke="independent").properties(
        padding=5, autosize=alt.AutoSizeParams(type="pad", resize=True))


def _live_grid(setting):
    return {k: (v,) for k, v in setting.items()}


ENTRY = define_explorable(
    "ch06:risks", controls=CONTROLS, data=risks_data, chart=_chart, expected=risks_expected, rtol=1e-9,
    live_grid=_live_grid,
    caption="Every number is the exact formula, evaluated in your browser as you move a control; "
            "settings outside the formulas' domain are clamped, and the figure says so.")
