"""Chapter 6 explorable: the exact risks of the four ridgeless models in subspaces.

``ch06:risks`` has the live widget's controls: ``d_s``, ``d_w`` (2..40), ``d_sw``
(0..40, clamped to ``min(d_s, d_w)``), ``n`` (4..400, clamped to ``>= max(d_s, d_w) + 2``),
``N`` (4..2000, clamped to ``>= d_s + 2``), ``sigma2`` (0..4, step 0.1), the ground
truth ``target`` (:data:`~w2s_lib.figures_subspace.TARGETS`) and a *Monte Carlo*
check box. That is about 1e12 settings, so the risks are not precomputed: the browser
evaluates the exact formulas of :func:`w2s_lib.subspace_risks_from_energies` as Vega
expressions (the same operations in the same order as ``_exact_terms``), after the
clamping of :func:`~w2s_lib.figures_subspace.clamp_subspace_params`. The energies of
the widget's ground truths (:func:`~w2s_lib.figures_subspace.widget_theta`) have a
closed form in the dimensions (:func:`target_energies`, tested against
:func:`w2s_lib.theta_energies`), so they are expressions too.

Monte Carlo cannot run in the browser. The points (200 draws, seed 0, as the widget)
are precomputed at the chapter's base configuration (:data:`MC_BASE`) for every
overlap ``d_sw = 0..10`` and every target; elsewhere the figure says that Monte Carlo
at that setting needs a kernel.

Ratios follow :func:`~w2s_lib.figures_subspace.widget_risks`: PGR is undefined when
``|ER_w - ER_c|`` is at most ``1e-12`` times the largest risk, OPR when ``ER_w2s`` is;
both are also undefined when every risk is below :data:`ZERO_RISK` (the exact risks are
then all zero; the live widget, whose energies carry summation round-off of order
1e-16, would print ratios of round-off there).
"""

from __future__ import annotations

import functools

import altair as alt
import numpy as np

from .. import figures_subspace as F
from .._validation import check_choice, check_int
from ..subspace import RISK_KEYS, simulate_subspace
from . import Control, Explorable, inline_layer, records, register_explorable, round_sig

__all__ = [
    "risks_explorable",
    "risks_expected",
    "target_energies",
    "mc_point",
    "mc_available",
    "MC_BASE",
    "MC_OVERLAPS",
    "MC_TRIALS",
    "MC_SEED",
    "ZERO_RISK",
    "CONTROLS",
    "SEGMENTS",
]

#: The configuration whose Monte Carlo points are precomputed (the chapter's base).
MC_BASE = dict(d_s=10, d_w=20, n=100, N=200, sigma2=1.0)
#: Overlaps with precomputed Monte Carlo points (every target).
MC_OVERLAPS = tuple(range(0, 11))
#: Draws and seed of each Monte Carlo point (those of the live widget).
MC_TRIALS, MC_SEED = 200, 0
#: Risks all below this are exact zeros carrying round-off: PGR and OPR are undefined.
ZERO_RISK = 1e-12
#: The ratio readout when a ratio is undefined.
UNDEFINED = "undefined"

SIGMA2_VALUES = tuple(round(0.1 * i, 1) for i in range(41))
CONTROLS = (
    Control("d_s", tuple(range(2, 41)), 10, label="d_s (strong)"),
    Control("d_w", tuple(range(2, 41)), 20, label="d_w (weak)"),
    Control("d_sw", tuple(range(0, 41)), 4, label="d_sw (shared)"),
    Control("n", tuple(range(4, 401)), 100, label="n (labelled)"),
    Control("N", tuple(range(4, 2001)), 200, label="N (unlabelled)"),
    Control("sigma2", SIGMA2_VALUES, 1.0, label="\u03c3\u00b2 (noise)"),
    Control("target", F.TARGETS, "zero", kind="select", label="\u03b8 (ground truth)"),
    Control("monte_carlo", (False, True), False, kind="checkbox", label="Monte Carlo"),
)

#: The stacked bar segments: (model, part), bottom to top.
SEGMENTS = (
    ("weak", "bias"), ("weak", "variance"),
    ("w2s", "bias"), ("w2s", "inherited"), ("w2s", "discrepancy"), ("w2s", "teacher_bias"),
    ("strong_baseline", "bias"), ("strong_baseline", "variance"),
    ("strong_ceiling", "bias"), ("strong_ceiling", "variance"),
)
_PART_OPACITY = {"bias": 0.25, "variance": 1.0, "inherited": 1.0, "discrepancy": 0.6, "teacher_bias": 0.4}


# --------------------------------------------------------------------------- numerics
def target_energies(target, d_s, d_w, d_sw):
    """Closed-form energies of the chapter-6 widget's ground truth.

    :func:`~w2s_lib.figures_subspace.widget_theta` spreads unit energy evenly over
    ``S u W`` (``"spread"``), or half of it and the other half on ``W \\ S``
    (``"misspecified"``, all spread when ``W`` lies inside ``S``), or none
    (``"zero"``). With ``u = d_s + d_w - d_sw``, the energy on ``S \\ W`` is
    ``a = share (d_s - d_sw) / u`` and on ``W \\ S`` it is
    ``b = share (d_w - d_sw) / u + (1 - share)``, so ``rho_s = b``, ``rho_w = a``,
    ``bias = a + b`` and ``delta = b`` (nothing lies outside ``S u W``). These are the
    expressions the explorable evaluates in the browser.

    Parameters
    ----------
    target : {"zero", "spread", "misspecified"}
    d_s, d_w : int, >= 1
    d_sw : int, in [0, min(d_s, d_w)]

    Returns
    -------
    dict of float
        ``rho_s``, ``rho_w``, ``bias``, ``delta`` (as :func:`w2s_lib.theta_energies`).
    """
    check_choice(target, "target", F.TARGETS)
    d_s = check_int(d_s, "d_s", low=1)
    d_w = check_int(d_w, "d_w", low=1)
    d_sw = check_int(d_sw, "d_sw", low=0, high=min(d_s, d_w))
    if target == "zero":
        return {"rho_s": 0.0, "rho_w": 0.0, "bias": 0.0, "delta": 0.0}
    u = d_s + d_w - d_sw
    share = 1.0 if (target == "spread" or d_w == d_sw) else 0.5
    a = share * (d_s - d_sw) / u
    b = share * (d_w - d_sw) / u + (1.0 - share)
    return {"rho_s": b, "rho_w": a, "bias": a + b, "delta": b}


@functools.lru_cache(maxsize=64)
def mc_point(d_s, d_w, d_sw, n, N, sigma2, target):
    """Monte Carlo means and standard errors of the four risks, as the live widget draws them.

    :func:`w2s_lib.simulate_subspace` with :data:`MC_TRIALS` draws and seed
    :data:`MC_SEED` on :func:`~w2s_lib.figures_subspace.widget_theta`.

    Returns
    -------
    dict
        ``{model: (mean, standard error)}`` for the four models of ``RISK_KEYS``.
    """
    theta = F.widget_theta(target, d_s, d_w, d_sw)
    sim = simulate_subspace(d_s, d_w, d_sw, n, N, float(sigma2), theta, MC_TRIALS, MC_SEED)
    return {k: (float(sim[k]), float(sim[k + "_se"])) for k in RISK_KEYS}


def mc_available(d_s, d_w, d_sw, n, N, sigma2, target):
    """Whether the explorable holds Monte Carlo points for these *clamped* values."""
    return (d_s == MC_BASE["d_s"] and d_w == MC_BASE["d_w"] and n == MC_BASE["n"] and N == MC_BASE["N"]
            and abs(float(sigma2) - MC_BASE["sigma2"]) < 1e-9 and d_sw in MC_OVERLAPS and target in F.TARGETS)


def _mc_rows(d_s, d_w, d_sw, n, N, sigma2, target):
    mc = mc_point(d_s, d_w, d_sw, n, N, sigma2, target)
    return [{"model": k, "mc": mc[k][0], "mc_lo": mc[k][0] - 2 * mc[k][1], "mc_hi": mc[k][0] + 2 * mc[k][1]}
            for k in RISK_KEYS]


def _ratios(r):
    """PGR, OPR (or :data:`UNDEFINED`) as the live widget computes them, plus the all-zero guard."""
    scale = max(r[k] for k in RISK_KEYS)
    if scale <= ZERO_RISK:
        return UNDEFINED, UNDEFINED
    pgr = UNDEFINED if r["pgr"] is None else r["pgr"]
    opr = UNDEFINED if r["opr"] is None else r["opr"]
    return pgr, opr


def risks_expected(d_s=10, d_w=20, d_sw=4, n=100, N=200, sigma2=1.0, target="zero", monte_carlo=False):
    """What ``ch06:risks`` shows at one setting, from ``w2s_lib`` (the live widget's numbers).

    Clamping by :func:`~w2s_lib.figures_subspace.clamp_subspace_params`, risks by
    :func:`~w2s_lib.figures_subspace.widget_risks`, Monte Carlo by :func:`mc_point`
    (stored to 7 significant digits, so rounded the same way here).
    """
    p, notes = F.clamp_subspace_params(d_s, d_w, d_sw, n, N)
    r = F.widget_risks(p["d_s"], p["d_w"], p["d_sw"], p["n"], p["N"], float(sigma2), target)
    pgr, opr = _ratios(r)
    segments = []
    for model, part in SEGMENTS:
        if part == "bias":
            lo, hi = 0.0, r[model + "_bias"]
        elif model != "w2s":
            lo, hi = r[model + "_bias"], r[model + "_bias"] + r[model + "_variance"]
        else:
            order = ["inherited", "discrepancy", "teacher_bias"]
            parts = [r["w2s_var_" + q] for q in order]
            k = order.index(part)
            lo = r["w2s_bias"] + sum(parts[:k])
            hi = lo + parts[k]
        segments.append({"bar": f"{model}:{part}", "model": model, "part": part, "lo": lo, "hi": hi})
    out = {
        "segments": segments,
        "risks": [{"model": k, "risk": r[k]} for k in RISK_KEYS],
        "ratios": [{"pgr": pgr, "opr": opr, "pgr_meaningful": pgr != UNDEFINED and bool(r["pgr_meaningful"])}],
        "clamped": [{**p, "note": "; ".join(notes)}],
    }
    have_mc = mc_available(p["d_s"], p["d_w"], p["d_sw"], p["n"], p["N"], sigma2, target)
    if monte_carlo and have_mc:
        out["mc"] = [{k: round_sig(v) if isinstance(v, float) else v for k, v in row.items()}
                     for row in _mc_rows(p["d_s"], p["d_w"], p["d_sw"], p["n"], p["N"], sigma2, target)]
    else:
        out["mc"] = []
    out["mc_note"] = [{"shown": True}] if (monte_carlo and not have_mc) else []
    return out


# --------------------------------------------------------------------------- the spec
# The exact formulas as Vega expressions, in the operation order of subspace._exact_terms
# (so that the browser's doubles are those of w2s_lib whenever the energies are).
_CALC = (
    ("c_ds", "d_s"),
    ("c_dw", "d_w"),
    ("c_dsw", "min(d_sw, min(d_s, d_w))"),
    ("c_n", "max(n, max(d_s, d_w) + 2)"),
    ("c_N", "max(N, d_s + 2)"),
    ("c_s2", "sigma2"),
    ("u", "datum.c_ds + datum.c_dw - datum.c_dsw"),
    ("share", "(target == 'spread' || datum.c_dw == datum.c_dsw) ? 1.0 : 0.5"),
    ("e_a", "target == 'zero' ? 0.0 : datum.share * (datum.c_ds - datum.c_dsw) / datum.u"),
    ("e_b", "target == 'zero' ? 0.0 : datum.share * (datum.c_dw - datum.c_dsw) / datum.u + (1.0 - datum.share)"),
    ("rho_s", "datum.e_b"),
    ("rho_w", "datum.e_a"),
    ("bias_e", "datum.e_a + datum.e_b"),
    ("delta", "datum.e_b"),
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


def _calc(chart):
    for name, expr in _CALC:
        chart = chart.transform_calculate(**{name: expr})
    return chart


def _pick(model_values: dict, default: str) -> str:
    """A nested ternary choosing an expression by ``datum.model``."""
    expr = default
    for model, value in reversed(list(model_values.items())):
        expr = f"(datum.model == '{model}' ? {value} : {expr})"
    return expr


_MODEL_LABEL = {k: F.SHORT[k] for k in RISK_KEYS}

def _x():
    label = "datum.value"
    for k in reversed(RISK_KEYS):
        label = f"(datum.value == '{k}' ? '{_MODEL_LABEL[k]}' : {label})"
    return alt.X("model:N", sort=list(RISK_KEYS), title=None, axis=alt.Axis(labelExpr=label, labelAngle=0))


@register_explorable("ch06:risks", expected=risks_expected, rtol=1e-9)
def risks_explorable() -> Explorable:
    """The chapter-6 explorable (see the module docstring)."""
    mc_rows = []
    for target in F.TARGETS:
        for d_sw in MC_OVERLAPS:
            rows = _mc_rows(MC_BASE["d_s"], MC_BASE["d_w"], d_sw, MC_BASE["n"], MC_BASE["N"],
                            MC_BASE["sigma2"], target)
            mc_rows += records(target=target, d_sw=d_sw, model=[r["model"] for r in rows],
                               mc=np.array([r["mc"] for r in rows]), mc_lo=np.array([r["mc_lo"] for r in rows]),
                               mc_hi=np.array([r["mc_hi"] for r in rows]))
    b = MC_BASE
    mc_match = (f"d_s == {b['d_s']} && d_w == {b['d_w']} && max(n, max(d_s, d_w) + 2) == {b['n']} && "
                f"max(N, d_s + 2) == {b['N']} && abs(sigma2 - {b['sigma2']!r}) < 1e-9 && "
                f"min(d_sw, min(d_s, d_w)) <= {max(MC_OVERLAPS)}")
    colors = alt.Scale(domain=list(RISK_KEYS), range=[F.COLORS[k] for k in RISK_KEYS])
    x = _x()

    # --- the bars: bias (pale, outlined) and variance (solid; the student's in three shades)
    seg_values = [{"bar": f"{m}:{p}", "model": m, "part": p, "shade": _PART_OPACITY[p]} for m, p in SEGMENTS]
    w2s_parts = {"inherited": ("datum.w2s_bias", "datum.v_inh"),
                 "discrepancy": ("datum.w2s_bias + datum.v_inh", "datum.v_disc"),
                 "teacher_bias": ("datum.w2s_bias + datum.v_inh + datum.v_disc", "datum.v_tb")}
    lo = "0.0"
    hi = _pick({k: f"datum.{k}_bias" for k in RISK_KEYS}, "0.0")
    var_lo = _pick({k: f"datum.{k}_bias" for k in RISK_KEYS if k != "w2s"}, "0.0")
    var_hi = _pick({k: f"datum.{k}_bias + datum.{k}_variance" for k in RISK_KEYS if k != "w2s"}, "0.0")
    lo_expr = f"datum.part == 'bias' ? {lo} : datum.part == 'variance' ? {var_lo} : " + " : ".join(
        f"datum.part == '{p}' ? {a}" for p, (a, _) in w2s_parts.items()) + " : 0.0"
    segments = (
        _calc(alt.Chart(inline_layer(seg_values)))
        .transform_calculate(lo=lo_expr)
        .transform_calculate(hi=f"datum.part == 'bias' ? {hi} : datum.part == 'variance' ? {var_hi} : "
                                + " : ".join(f"datum.part == '{p}' ? datum.lo + {d}" for p, (_, d) in w2s_parts.items())
                                + " : 0.0")
        .mark_bar(size=34, strokeWidth=1)
        .encode(x=x, y=alt.Y("lo:Q", title="excess risk", scale=alt.Scale(zero=True)), y2="hi:Q",
                color=alt.Color("model:N", scale=colors, legend=None),
                stroke=alt.Color("model:N", scale=colors, legend=None),
                opacity=alt.Opacity("shade:Q", scale=None, legend=None),
                tooltip=["model:N", "part:N", alt.Tooltip("lo:Q", format=".4g"), alt.Tooltip("hi:Q", format=".4g")])
        .properties(name="segments")
    )
    risk_expr = _pick({k: f"datum.r_{k}" for k in RISK_KEYS}, "0.0")
    risks = (
        _calc(alt.Chart(inline_layer([{"model": k} for k in RISK_KEYS])))
        .transform_calculate(risk=risk_expr)
        .transform_calculate(label="format(datum.risk, '.3~g')")
        .mark_text(dy=-7, fontSize=11)
        .encode(x=x, y="risk:Q", text="label:N")
        .properties(name="risks")
    )
    mc = alt.Chart(inline_layer(mc_rows)).transform_filter(
        f"monte_carlo && {mc_match} && datum.target == target && datum.d_sw == min(d_sw, min(d_s, d_w))")
    mc_points = mc.mark_point(filled=True, color="black", size=30, shape="circle").encode(
        x=x, y="mc:Q", tooltip=["model:N", alt.Tooltip("mc:Q", format=".3g", title="Monte Carlo"),
                                alt.Tooltip("mc_lo:Q", format=".3g"), alt.Tooltip("mc_hi:Q", format=".3g")]
    ).properties(name="mc")
    mc_bars = mc.mark_rule(color="black").encode(x=x, y="mc_lo:Q", y2="mc_hi:Q")
    note = (
        alt.Chart(inline_layer([{"shown": True}]))
        .transform_filter(f"monte_carlo && !({mc_match})")
        .mark_text(align="left", baseline="top", fontSize=10, color="#b30000", lineBreak="\n")
        .encode(x=alt.value(-40), y=alt.value(282),
                text=alt.value(f"Monte Carlo points are stored only for d_s = {b['d_s']}, d_w = {b['d_w']},\n"
                               f"n = {b['n']}, N = {b['N']}, \u03c3\u00b2 = {b['sigma2']:g} (d_sw \u2264 "
                               f"{max(MC_OVERLAPS)}, every \u03b8); here they\nneed a kernel: use the live widget below."))
        .properties(name="mc_note")
    )
    ratio_calc = (
        ("pgr", f"datum.nonzero && abs(datum.gap) > datum.tiny ? (datum.r_weak - datum.r_w2s) / datum.gap : '{UNDEFINED}'"),
        ("opr", f"datum.nonzero && datum.r_w2s > datum.tiny ? datum.r_strong_baseline / datum.r_w2s : '{UNDEFINED}'"),
        ("pgr_meaningful", f"datum.pgr !== '{UNDEFINED}' && datum.r_weak > datum.r_strong_ceiling"),
        ("text", f"datum.pgr === '{UNDEFINED}' ? 'PGR, OPR undefined: every risk is zero (no noise, no signal)' : "
                 "'PGR = ' + format(datum.pgr, '.3~g') + (datum.pgr_meaningful ? '' : ' (no gap)') + "
                 f"',  OPR = ' + (datum.opr === '{UNDEFINED}' ? '{UNDEFINED}' : format(datum.opr, '.3~g'))"),
    )
    ratios = _calc(alt.Chart(inline_layer([{}])))
    for name, expr in ratio_calc:
        ratios = ratios.transform_calculate(**{name: expr})
    ratios = ratios.mark_text(align="center", baseline="bottom", fontSize=12, fontWeight="bold").encode(
        x=alt.value(145), y=alt.value(-8), text="text:N").properties(name="ratios")
    left = alt.layer(segments, mc_bars, mc_points, risks, ratios, note).properties(
        width=290, height=250,
        title=alt.Title(" ", subtitle=["pale: bias; solid: variance; W2S variance: dark = inherited",
                                       "(on Vs\u2229Vw), medium = discrepancy, light = teacher bias;",
                                       "black dots: Monte Carlo \u00b12 SE"],
                        subtitleFontSize=9, fontSize=12, anchor="start"))

    # --- the layout of the coordinates (as draw_layout)
    lay = _calc(alt.Chart(inline_layer([{"row": "strong", "y": 1.0}, {"row": "weak", "y": 0.0}]))).transform_calculate(
        x0="datum.row == 'strong' ? 0 : datum.c_ds - datum.c_dsw",
        x1="datum.row == 'strong' ? datum.c_ds : datum.c_ds - datum.c_dsw + datum.c_dw",
        y0="datum.y - 0.275", y1="datum.y + 0.275",
        label="datum.row == 'strong' ? 'strong Vs (' + datum.c_ds + ')' : 'weak Vw (' + datum.c_dw + ')'",
        xm="(datum.x0 + datum.x1) / 2",
    )
    xs = alt.X("x0:Q", title="coordinate of z", scale=alt.Scale(nice=False, zero=True, padding=4))
    ys = alt.Y("y0:Q", scale=alt.Scale(domain=[-1.6, 2.7]), axis=None)
    layout_bars = lay.mark_rect(stroke="black", strokeWidth=0.6).encode(
        x=xs, x2="x1:Q", y=ys, y2="y1:Q",
        color=alt.Color("row:N", scale=alt.Scale(domain=["strong", "weak"], range=["#9ecae1", "#fcbba1"]), legend=None),
    ).properties(name="layout")
    layout_text = lay.mark_text(fontSize=10).encode(x="xm:Q", y=alt.Y("y:Q", axis=None), text="label:N")
    band = _calc(alt.Chart(inline_layer([{}]))).transform_filter("min(d_sw, min(d_s, d_w)) > 0").transform_calculate(
        x0="datum.c_ds - datum.c_dsw", x1="datum.c_ds", y0="-0.5", y1="1.5", xm="datum.c_ds - datum.c_dsw / 2",
        ym="1.7", label="'Vs \u2229 Vw, d_sw = ' + datum.c_dsw")
    band_rect = band.mark_rect(color="gray", opacity=0.3).encode(x="x0:Q", x2="x1:Q", y=alt.Y("y0:Q", axis=None),
                                                                y2="y1:Q")
    band_text = band.mark_text(fontSize=10, baseline="bottom").encode(x="xm:Q", y=alt.Y("ym:Q", axis=None),
                                                                     text="label:N")
    disc = _calc(alt.Chart(inline_layer([{}]))).transform_filter("d_w > min(d_sw, min(d_s, d_w))").transform_calculate(
        xm="datum.c_ds + (datum.c_dw - datum.c_dsw) / 2", ym="-0.55",
        label="'discrepancy Vw \u2212 Vs (' + (datum.c_dw - datum.c_dsw) + ' dims)'")
    disc_text = disc.mark_text(fontSize=10, baseline="top").encode(x="xm:Q", y=alt.Y("ym:Q", axis=None),
                                                                  text="label:N")
    clamped = (
        _calc(alt.Chart(inline_layer([{}])))
        .transform_calculate(
            d_s="datum.c_ds", d_w="datum.c_dw", d_sw="datum.c_dsw", n="datum.c_n", N="datum.c_N",
        )
    )
    clamped = clamped.transform_calculate(
        note="(d_sw > min(d_s, d_w) ? 'd_sw -> ' + min(d_s, d_w) + ' (at most min(d_s, d_w))' : '')"
             " + (d_sw > min(d_s, d_w) && (n < max(d_s, d_w) + 2 || N < d_s + 2) ? '; ' : '')"
             " + (n < max(d_s, d_w) + 2 ? 'n -> ' + (max(d_s, d_w) + 2) + ' (needs n > max(d_s, d_w) + 1)' : '')"
             " + (n < max(d_s, d_w) + 2 && N < d_s + 2 ? '; ' : '')"
             " + (N < d_s + 2 ? 'N -> ' + (d_s + 2) + ' (needs N > d_s + 1)' : '')",
        text="datum.note == '' ? '' : 'Clamped: ' + replace(datum.note, regexp('; ', 'g'), '\\n')",
    ).mark_text(align="left", baseline="top", fontSize=10, color="#b30000", lineBreak="\n").encode(
        x=alt.value(0), y=alt.value(290), text="text:N").properties(name="clamped")
    right = alt.layer(band_rect, layout_bars, layout_text, band_text, disc_text, clamped).properties(
        width=210, height=250,
        title=alt.Title(alt.ExprRef("'n = ' + max(n, max(d_s, d_w) + 2) + ', N = ' + max(N, d_s + 2) + "
                                    "', \u03c3\u00b2 = ' + format(sigma2, '.3~g')"), fontSize=12))
    chart = alt.hconcat(left, right, spacing=25).resolve_scale(color="independent", stroke="independent").properties(
        padding={"left": 5, "top": 5, "right": 5, "bottom": 60})  # room for the notes under the panels
    return Explorable(
        "ch06:risks", chart, CONTROLS,
        caption="Every number is the exact formula, evaluated in your browser as you move a control; "
                "settings outside the formula's domain are clamped, and the figure says so.")
