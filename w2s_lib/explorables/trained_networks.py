"""Chapter 8 explorable: weak-to-strong between two trained networks on digits.

``ch08:trained`` -- controls: the number ``N`` of teacher-labelled images (a select over
:data:`w2s_lib.figures_trained.EXPLORE_N`, uneven) and the injected label-noise variance
``sigma2`` (radio buttons over :data:`~w2s_lib.figures_trained.EXPLORE_SIGMA2`), at the
chapter's ``n = 100``.  Left: the four held-out risks (bars, experiment over 20 splits)
and the exact formula with measured dimensions, energies and noise (diamonds).  Right:
PGR against ``N`` at the chosen noise (experiment with error bars, theory line), the
chosen ``N`` highlighted.
"""

from __future__ import annotations

import altair as alt

from .. import figures_trained as F
from .. import trained_features as tf
from ..figures_subspace import COLORS
from ..subspace import RISK_KEYS
from . import Control, Explorable, inline_layer, records, register_explorable

__all__ = ["trained_explorable", "trained_expected"]

_NAMES = {"weak": "weak teacher", "w2s": "W2S student", "strong_baseline": "strong baseline",
          "strong_ceiling": "strong ceiling"}


def _fresh(N, sigma2):
    """A fresh run of the numerics (not the figure module's cache)."""
    return tf.trained_w2s(**{**F.CH8, "N": int(N), "sigma2": float(sigma2)})


def trained_expected(N=F.CH8["N"], sigma2=F.CH8["sigma2"]):
    """What ``ch08:trained`` shows at ``(N, sigma2)``, straight from ``w2s_lib``."""
    r = _fresh(N, sigma2)
    curve = [_fresh(v, sigma2) for v in F.EXPLORE_N]
    return {
        "risks": [{"model": _NAMES[k], "risk": r[k]} for k in RISK_KEYS],
        "theory": [{"model": _NAMES[k], "risk": r["theory"][k]} for k in RISK_KEYS],
        "pgr_points": [{"N": v, "pgr": c["pgr"]} for v, c in zip(F.EXPLORE_N, curve)],
        "pgr_theory": [{"N": v, "pgr": c["theory"]["pgr"]} for v, c in zip(F.EXPLORE_N, curve)],
        "chosen": [{"N": int(N), "pgr": r["pgr"]}],
    }


@register_explorable("ch08:trained", expected=trained_expected)
def trained_explorable() -> Explorable:
    """The chapter-8 explorable (see the module docstring)."""
    rows, theory, curve = [], [], []
    for s2 in F.EXPLORE_SIGMA2:
        for N in F.EXPLORE_N:
            p = F.point(F.CH8["n"], N, s2)
            for k in RISK_KEYS:
                rows.append({"N": N, "sigma2": s2, "model": _NAMES[k], "risk": p[k],
                             "lo": p[k] - p[k + "_se"], "hi": p[k] + p[k + "_se"]})
                theory.append({"N": N, "sigma2": s2, "model": _NAMES[k], "risk": p["theory"][k]})
            curve.append({"N": N, "sigma2": s2, "pgr": p["pgr"], "lo": p["pgr"] - p["pgr_se"],
                          "hi": p["pgr"] + p["pgr_se"], "pgr_theory": p["theory"]["pgr"],
                          "opr": p["opr"], "opr_se": p["opr_se"]})

    def recs(rs):
        return records(**{k: [r[k] for r in rs] for k in rs[0]})

    rows, theory, curve = recs(rows), recs(theory), recs(curve)
    c_N = Control("N", F.EXPLORE_N, F.CH8["N"], kind="select", label="teacher-labelled N",
                  labels=[str(v) for v in F.EXPLORE_N])
    c_s = Control("sigma2", F.EXPLORE_SIGMA2, F.CH8["sigma2"], kind="radio", label="noise \u03c3\u00b2",
                  labels=[f"{v:g}" for v in F.EXPLORE_SIGMA2])
    at_both = "abs(datum.N - N) < 1e-6 && abs(datum.sigma2 - sigma2) < 1e-6"
    at_s = "abs(datum.sigma2 - sigma2) < 1e-6"
    order = [_NAMES[k] for k in RISK_KEYS]
    color = alt.Color("model:N", scale=alt.Scale(domain=order, range=[COLORS[k] for k in RISK_KEYS]), legend=None)
    x_model = alt.X("model:N", sort=order, title=None, axis=alt.Axis(labelAngle=-20))
    y_risk = alt.Y("risk:Q", scale=alt.Scale(domain=[0, 3.0]), title="held-out risk (clean target)")
    left = alt.layer(
        alt.Chart(inline_layer(rows)).transform_filter(at_both).mark_bar(opacity=0.8)
        .encode(x_model, y_risk, color, tooltip=["model:N", alt.Tooltip("risk:Q", format=".3f")])
        .properties(name="risks"),
        alt.Chart(inline_layer(rows)).transform_filter(at_both).mark_rule(color="black")
        .encode(x_model, y="lo:Q", y2="hi:Q").properties(name="risk_se"),
        alt.Chart(inline_layer(theory)).transform_filter(at_both)
        .mark_point(shape="diamond", filled=True, size=90, color="black")
        .encode(x_model, y_risk).properties(name="theory"),
    ).properties(width=250, height=240,
                 title=alt.Title(alt.ExprRef("'N = ' + N + ', \u03c3\u00b2 = ' + sigma2"),
                                 subtitle="bars: experiment (\u00b11 SE); diamonds: exact formula",
                                 fontSize=12, subtitleFontSize=10))
    x_N = alt.X("N:Q", scale=alt.Scale(type="log", domain=[80, 700], nice=False),
                title="teacher-labelled images N", axis=alt.Axis(values=list(F.EXPLORE_N), format="d"))
    y_pgr = alt.Y("pgr:Q", scale=alt.Scale(domain=[-0.2, 0.3]), title="PGR")
    base = alt.Chart(inline_layer(curve)).transform_filter(at_s)
    right = alt.layer(
        base.transform_calculate(pgr="datum.pgr_theory").mark_line(color=COLORS["w2s"], strokeWidth=2)
        .encode(x_N, y_pgr).properties(name="pgr_theory"),
        base.mark_rule(color="black").encode(x_N, y="lo:Q", y2="hi:Q").properties(name="pgr_se"),
        base.mark_point(color="black", filled=True, size=40).encode(x_N, y_pgr).properties(name="pgr_points"),
        alt.Chart(inline_layer(curve)).transform_filter(at_both)
        .mark_point(color="#ff7f0e", size=180, strokeWidth=2.5).encode(x_N, y_pgr).properties(name="chosen"),
        alt.Chart(inline_layer(curve)).transform_filter(at_both)
        .transform_calculate(label="'PGR ' + format(datum.pgr, '.2f') + ', OPR ' + format(datum.opr, '.3~g')")
        .mark_text(align="left", baseline="top", dx=6, dy=6, fontSize=12, color="#ff7f0e")
        .encode(text="label:N", x=alt.value(0), y=alt.value(0)).properties(name="readout"),
    ).properties(width=300, height=240, title=alt.Title("PGR against N (line: theory)", fontSize=12))
    chart = alt.hconcat(left, right)
    return Explorable("ch08:trained", chart, [c_N, c_s],
                      caption="Choose N and the noise: the bars are the four probes on the trained networks' "
                              "features, the diamonds the exact formula; on the right PGR climbs with N.")
