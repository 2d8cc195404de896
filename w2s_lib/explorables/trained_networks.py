"""Chapter 8 explorable: weak-to-strong between two trained networks on digits.

``ch08:trained``. Controls: the number ``N`` of teacher-labelled images and the injected
label-noise variance ``sigma2``, at the chapter's ``n = 100``
(:data:`w2s_lib.trained_features.CH8`). The site precomputes :data:`N_GRID` x
:data:`SIGMA2_GRID` (24 settings, 20 random splits each); with a kernel ``N`` reaches
:data:`N_REACH` (from just above the strong dimension ``d_s = 33``, where the exact formula
starts to exist, to the most images the splits leave: ``n + N + 200 <= 896``) and ``sigma2``
:data:`SIGMA2_REACH`, each point run by :func:`w2s_lib.trained_features.trained_point`
(about 15 ms once the frozen representations are cached).

Left: the four held-out risks (bars, one standard error over the splits) and the exact
formula with the measured dimensions, energies and noise (diamonds). Right: PGR against
``N`` at the chosen noise (experiment with error bars, formula as a line) over the grid's
``N`` and the chosen one, which is circled.
"""

from __future__ import annotations

import altair as alt

from ..subspace import RISK_KEYS
from ..trained_features import CH8, trained_point, trained_w2s
from . import Control, define_explorable, records
from .style import COLORS, TITLE
from .subspace import formula_shape, model_color, model_x, side_by_side

__all__ = ["ENTRY", "CONTROLS", "N_GRID", "SIGMA2_GRID", "N_REACH", "SIGMA2_REACH", "trained_data",
           "trained_expected"]

#: The site's grid: N x sigma^2 (n = 100).
N_GRID = (100, 150, 200, 300, 400, 550)
SIGMA2_GRID = (0.0, 1.0, 2.0, 4.0)
#: What a kernel reaches.
N_REACH = (40, 896 - CH8["n"] - CH8["n_test"])
SIGMA2_REACH = (0.0, 8.0)

CONTROLS = (
    Control("N", N_GRID, CH8["N"], kind="select", label="teacher-labelled N", reach=N_REACH, log=True),
    Control("sigma2", SIGMA2_GRID, CH8["sigma2"], kind="radio", label="noise \u03c3\u00b2",
            labels=[f"{v:g}" for v in SIGMA2_GRID], reach=SIGMA2_REACH),
)


def _curve_N(N):
    """The N of the PGR curve at one setting: the grid's and the chosen one."""
    return tuple(sorted(set(N_GRID) | {int(N)}))


def _theory(p, k):
    return None if p["theory"] is None else p["theory"][k]


def trained_expected(N=CH8["N"], sigma2=CH8["sigma2"]):
    """What ``ch08:trained`` shows at ``(N, sigma2)``, run afresh by :func:`w2s_lib.trained_features.trained_w2s`.

    Parameters
    ----------
    N : int
        Teacher-labelled images, in :data:`N_REACH`.
    sigma2 : float
        Injected noise variance, in :data:`SIGMA2_REACH`.

    Returns
    -------
    dict
        Records of each named layer: ``risks``, ``risk_se``, ``theory`` (4 each), ``pgr_points``,
        ``pgr_se`` and ``pgr_theory`` (one per N of the grid and the chosen one; the formula only
        where it exists), ``zero`` (the PGR = 0 line), ``chosen`` and ``readout`` (1 each).
    """
    s = ENTRY.check_setting(N=N, sigma2=sigma2)

    def run(N):
        return trained_w2s(**{**CH8, "N": N, "sigma2": s["sigma2"]})

    r = run(s["N"])
    curve = [(v, run(v)) for v in _curve_N(s["N"])]
    return {
        "risks": [{"model": k, "risk": r[k]} for k in RISK_KEYS],
        "risk_se": [{"model": k, "lo": r[k] - r[k + "_se"], "hi": r[k] + r[k + "_se"]} for k in RISK_KEYS],
        "theory": [{"model": k, "theory": r["theory"][k]} for k in RISK_KEYS] if r["theory"] else [],
        "pgr_points": [{"N": v, "pgr": c["pgr"]} for v, c in curve],
        "pgr_se": [{"N": v, "lo": c["pgr"] - c["pgr_se"], "hi": c["pgr"] + c["pgr_se"]} for v, c in curve],
        "pgr_theory": [{"N": v, "pgr_theory": c["theory"]["pgr"]} for v, c in curve if c["theory"]],
        "zero": [{"y": 0.0}],
        "chosen": [{"N": s["N"], "pgr": r["pgr"]}],
        "readout": [{"pgr": r["pgr"], "opr": r["opr"]}],
    }


def trained_data(grid):
    """The figure's data sets over ``grid`` (``{"N": (...), "sigma2": (...)}``), from
    :func:`~w2s_lib.trained_features.trained_point` (cached).

    ``models``: per (N, sigma2, model) the risk, +-1 SE and the formula's value (null where
    the formula does not exist); ``curve``: per (N, sigma2) PGR (+-1 SE), its formula value
    and OPR.
    """
    models, curve = [], []
    for s2 in grid["sigma2"]:
        for N in grid["N"]:
            p = trained_point(CH8["n"], N, s2)
            models += records(N=N, sigma2=s2, model=list(RISK_KEYS), risk=[p[k] for k in RISK_KEYS],
                              lo=[p[k] - p[k + "_se"] for k in RISK_KEYS], hi=[p[k] + p[k + "_se"] for k in RISK_KEYS],
                              theory=[_theory(p, k) for k in RISK_KEYS])
            curve += records(N=N, sigma2=s2, pgr=p["pgr"], lo=p["pgr"] - p["pgr_se"], hi=p["pgr"] + p["pgr_se"],
                             pgr_theory=_theory(p, "pgr"), opr=p["opr"])
    return {"models": models, "curve": curve}


def _live_grid(setting):
    return {"N": _curve_N(setting["N"]), "sigma2": (setting["sigma2"],)}


def _chart(_data):
    at_s = "abs(datum.sigma2 - sigma2) < 1e-6"
    at_both = f"abs(datum.N - N) < 1e-6 && {at_s}"
    x, color = model_x(), model_color()
    y_risk = alt.Y("risk:Q", title="held-out risk (clean target)")
    models = alt.Chart(alt.NamedData("models")).transform_filter(at_both)
    left = alt.layer(
        models.mark_bar(size=34).encode(x, y_risk, color, tooltip=["model:N", alt.Tooltip("risk:Q", format=".3~g")])
        .properties(name="risks"),
        models.mark_rule(color="black", strokeWidth=1.5).encode(x, y="lo:Q", y2="hi:Q").properties(name="risk_se"),
        models.transform_filter("isFinite(datum.theory)").transform_calculate(source="'exact formula'")
        .mark_point(filled=True, size=70, color="black").encode(x, y="theory:Q", shape=formula_shape())
        .properties(name="theory"),
    ).properties(width=240, height=240, title=alt.Title(
        alt.ExprRef("'experiment (\u00b11 SE), N = ' + N + ', \u03c3\u00b2 = ' + format(sigma2, '.3~g')"), **TITLE))

    x_N = alt.X("N:Q", scale=alt.Scale(type="log", domain=[N_REACH[0], 640], nice=False),
                title="teacher-labelled images N", axis=alt.Axis(values=[40, 70, 100, 200, 400], format="~d"))
    y_pgr = alt.Y("pgr:Q", title="PGR", scale=alt.Scale(zero=False))
    curve = alt.Chart(alt.NamedData("curve")).transform_filter(at_s)
    chosen = alt.Chart(alt.NamedData("curve")).transform_filter(at_both)
    right = alt.layer(
        alt.Chart(alt.Data(values=({"y": 0.0},))).mark_rule(color=COLORS["rest"]).encode(y="y:Q").properties(name="zero"),
        curve.transform_filter("isFinite(datum.pgr_theory)").mark_line(color=COLORS["student"], strokeWidth=2)
        .encode(x_N, alt.Y("pgr_theory:Q", title="PGR")).properties(name="pgr_theory"),
        curve.mark_rule(color="black").encode(x_N, y="lo:Q", y2="hi:Q").properties(name="pgr_se"),
        curve.mark_point(color="black", filled=True, size=40).encode(
            x_N, y_pgr, tooltip=["N:Q", alt.Tooltip("pgr:Q", format=".3~g")]).properties(name="pgr_points"),
        chosen.mark_point(color=COLORS["marker"], size=200, strokeWidth=2.5).encode(x_N, y_pgr)
        .properties(name="chosen"),
        chosen.transform_calculate(
            label="'PGR = ' + format(datum.pgr, '.2f') + ',  OPR = ' + format(datum.opr, '.3~g')")
        .mark_text(align="center", baseline="bottom", fontSize=12, fontWeight="bold")
        .encode(text="label:N", x=alt.value(150), y=alt.value(-4)).properties(name="readout"),
    ).properties(width=270, height=240, title=alt.Title(
        "PGR against N (dots: experiment \u00b11 SE; line: formula)", subtitle=" ", **TITLE))
    return side_by_side(left, right)


ENTRY = define_explorable(
    "ch08:trained", controls=CONTROLS, data=trained_data, chart=_chart, expected=trained_expected,
    live_grid=_live_grid,
    caption="Choose N and the noise: the bars are the four probes on the trained networks' features, the "
            "diamonds the exact formula; on the right PGR climbs with N.")
