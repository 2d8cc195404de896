"""Chapter 4 explorables: the U-shaped curve of early stopping, and finite data.

``ch04:tau`` -- the kernel-limit student's loss ``L_ST(tau)`` of the chapter's teacher
(d = 32, M_TE = 256, seed 0), a marker at the chosen stopping time and, beside it, the
fraction of each harmonic degree learned by then, with each degree's learning time
``tau_k = lambda_1 / lambda_k`` above its bar. The control is ``log10 tau``: a grid of step
0.05 over 1e-2 .. 1e15 on the site, any value in -2 .. 17 with a kernel.

``ch04:finite_data`` -- the student of width 512 trained on ``N`` teacher-labelled samples
(seed 0; :func:`w2s_lib.finite_data.finite_data_student`), its population loss on
:data:`w2s_lib.finite_data.FD_TAU_GRID` with a marker at ``tau``, its optimum and its
interpolating limit, over the population-trained student and the teacher; beside it the
early-stopped and interpolating ``L/L_TE`` for every ``N`` with the chosen one marked.
Controls: ``N`` (the chapter's sizes on the site; any N from 20 to 4096 with a kernel) and
``log10 tau`` (step 0.05 over 1e-2 .. 1e9).
"""

from __future__ import annotations

import altair as alt
import numpy as np

from ..early_stopping import degree_learning_times, early_stop
from ..finite_data import FD, FD_TAU_GRID, N_VALUES, finite_data_student, finite_data_table, finite_data_teacher
from ..finite_data import population_student
from ..student import student_trajectory
from ..teacher import cached_teacher
from . import Control, define_explorable, records
from .style import COLORS, PALETTE, TITLE, power_labels

__all__ = ["TAU_ENTRY", "FD_ENTRY", "tau_data", "tau_expected", "TAU_LOG10", "DEGREES", "readable",
           "finite_data_data", "finite_data_expected", "FD_TAU_LOG10"]

#: The chapter's teacher: d = 32, M_TE = 256, seed 0.
D, M_TE = 32, 256
#: Log time grid of the kernel-limit curve: far enough to see the climb back to L_TE.
TAU_GRID = np.logspace(-2, 17, 400)
#: Grid of the ``log10 tau`` control on the site.
TAU_LOG10 = tuple(round(v, 2) for v in np.arange(-2.0, 15.0001, 0.05))
#: Degrees shown in the bar panel (as in the chapter's figure).
DEGREES = (0, 1, 2, 4, 6, 8)
_DEGREE_COLORS = {0: PALETTE[7], 1: PALETTE[0], 2: PALETTE[1], 4: PALETTE[2], 6: PALETTE[3], 8: PALETTE[4]}
_SUP = str.maketrans("-0123456789", "\u207b\u2070\u00b9\u00b2\u00b3\u2074\u2075\u2076\u2077\u2078\u2079")


def readable(x: float) -> str:
    """A time as a reader reads it: ``53``, ``6,400``, ``9.8 x 10^6`` (superscript), ``never``."""
    if not np.isfinite(x):
        return "never"
    if x < 1e4:
        return f"{float(f'{x:.2g}'):,.10g}"
    e = int(np.floor(np.log10(x)))
    return f"{x / 10 ** e:.1f} \u00d7 10{str(e).translate(_SUP)}"


def _kernel_student():
    teacher = cached_teacher(D, M_TE, 0)
    return teacher, student_trajectory(teacher)


def _learned(k, tau):
    learned = k.degree_learned(float(tau))
    return [float(learned[j]) if j < learned.size else 0.0 for j in DEGREES]


TAU_CONTROLS = (Control("t", TAU_LOG10, 0.8, kind="range", label="log\u2081\u2080 \u03c4", reach=(-2.0, 17.0)),)


def tau_data(grid):
    """``curve``, ``teacher`` and ``optimum`` (fixed) and, per ``t`` of ``grid``, ``markers`` and ``bars``."""
    teacher, k = _kernel_student()
    best = early_stop(k)
    ts = np.asarray(grid["t"], dtype=float)
    taus = 10.0 ** ts
    tk = degree_learning_times(D, max(DEGREES))
    learned = np.array([_learned(k, t) for t in taus])
    bars = [{"t": float(t), "degree": j, "learned": float(f"{learned[i, c]:.7g}"), "tau_k": readable(tk[j])}
            for i, t in enumerate(ts) for c, j in enumerate(DEGREES)]
    return {"curve": records(tau=TAU_GRID, loss=k.loss(TAU_GRID)),
            "teacher": records(loss=teacher.loss),
            "optimum": records(tau=best.tau_star, loss=best.loss_star),
            "markers": records(t=ts, tau=taus, loss=k.loss(taus)),
            "bars": bars}


def tau_expected(t=0.8):
    """What ``ch04:tau`` shows at ``log10 tau = t``, straight from ``w2s_lib``.

    Returns
    -------
    dict
        ``curve`` (400 ``{tau, loss}``), ``teacher``, ``optimum``, ``marker``,
        ``marker_line`` and ``readout`` (``[{tau, loss}]``), ``bars`` and ``bar_labels``
        (6 ``{degree, learned}``).
    """
    t = TAU_ENTRY.check_setting(t=t)["t"]
    teacher, k = _kernel_student()
    best = early_stop(k)
    tau = 10.0 ** float(t)
    marker = [{"tau": tau, "loss": float(k.loss(tau))}]
    bars = [{"degree": j, "learned": v} for j, v in zip(DEGREES, _learned(k, tau))]
    return {
        "curve": [{"tau": float(a), "loss": float(b)} for a, b in zip(TAU_GRID, k.loss(TAU_GRID))],
        "teacher": [{"loss": float(teacher.loss)}],
        "optimum": [{"tau": float(best.tau_star), "loss": float(best.loss_star)}],
        "marker": marker, "marker_line": marker, "readout": marker,
        "bars": bars, "bar_labels": bars,
    }


def _tau_chart(data):
    teacher = data["teacher"][0]["loss"]
    best = data["optimum"][0]
    at_t = "abs(datum.t - t) < 1e-6"
    purple, blue = COLORS["marker"], COLORS["student"]
    x = alt.X("tau:Q", scale=alt.Scale(type="log", domain=[1e-2, 1e17], nice=False),
              title="training time \u03c4 = \u03bb\u2081t", axis=alt.Axis(labelExpr=power_labels(), tickCount=8))
    y = alt.Y("loss:Q", scale=alt.Scale(type="log", domain=[max(0.3 * best["loss"], 1e-6), 1.5], nice=False),
              title="population loss", axis=alt.Axis(format="~g"))
    markers = alt.Chart(alt.NamedData("markers")).transform_filter(at_t)
    left = alt.layer(
        alt.Chart(alt.NamedData("curve")).mark_line(color=blue, strokeWidth=2.5, clip=True).encode(x, y)
        .properties(name="curve"),
        alt.Chart(alt.NamedData("teacher")).mark_rule(color="black", strokeDash=[5, 4])
        .encode(y="loss:Q").properties(name="teacher"),
        alt.Chart(alt.NamedData("optimum"))
        .mark_point(color=COLORS["strong"], filled=True, size=60).encode(x, y).properties(name="optimum"),
        markers.mark_point(shape="square", color=purple, filled=True, size=70).encode(x, y).properties(name="marker"),
        markers.mark_rule(color=purple).encode(x="tau:Q").properties(name="marker_line"),
        markers.transform_calculate(label="'student loss ' + format(datum.loss, '.3~g')")
        .mark_text(align="right", baseline="bottom", dx=-6, dy=-6, fontSize=12, color=purple)
        .encode(text="label:N", x=alt.value(330), y=alt.value(250)).properties(name="readout"),
    ).properties(
        width=330, height=250,
        title=alt.Title(alt.ExprRef("'\u03c4 = ' + format(pow(10, t), '.3~g')"),
                        subtitle=f"teacher L_TE = {teacher:.3g} (dashed); optimum \u03c4* = {best['tau']:.3g}, "
                                 f"L* = {best['loss']:.3g} (green)", subtitleFontSize=11, **TITLE),
    )
    kx = alt.X("degree:O", title="degree k (\u03c4_k above each bar)",
               axis=alt.Axis(labelExpr="'k=' + datum.label", labelAngle=0))
    ky = alt.Y("learned:Q", scale=alt.Scale(domain=[0, 1.6], nice=False), title="fraction of degree k learned",
               axis=alt.Axis(values=[0, 0.5, 1]))
    bars = alt.Chart(alt.NamedData("bars")).transform_filter(at_t)
    right = alt.layer(
        bars.mark_bar().encode(
            x=kx, y=ky,
            color=alt.Color("degree:O", scale=alt.Scale(domain=list(DEGREES),
                                                        range=[_DEGREE_COLORS[j] for j in DEGREES]), legend=None),
            tooltip=["degree:O", alt.Tooltip("learned:Q", format=".3f"), alt.Tooltip("tau_k:N", title="\u03c4_k")],
        ).properties(name="bars"),
        bars.mark_text(angle=270, align="left", baseline="middle", dx=4, fontSize=10)
        .encode(x=kx, y=alt.Y("learned:Q", stack=None), text="tau_k:N").properties(name="bar_labels"),
    ).properties(width=190, height=250, title=alt.Title("what the student has learned", **TITLE))
    return alt.hconcat(left, right).resolve_scale(color="independent").properties(
        autosize=alt.AutoSizeParams(type="pad", resize=True))


TAU_ENTRY = define_explorable(
    "ch04:tau", controls=TAU_CONTROLS, data=tau_data, chart=_tau_chart, expected=tau_expected,
    caption="Drag log\u2081\u2080 \u03c4: the marker runs along the U-curve while the bars show which degrees "
            "the student has picked up.")


# ----------------------------------------------------------------------------- ch04:finite_data

#: Grid of the ``log10 tau`` control: step 0.05 over the span of ``FD_TAU_GRID`` (1e-2 .. 1e9).
FD_TAU_LOG10 = tuple(round(v, 2) for v in np.arange(np.log10(FD_TAU_GRID[0]), np.log10(FD_TAU_GRID[-1]) + 1e-4,
                                                     0.05))
_FD_SEED = 0
_EARLY, _INTERP = "early-stopped", "interpolating (\u03c4\u2192\u221e)"

FD_CONTROLS = (
    Control("N", N_VALUES, 400, kind="radio", label="N samples", labels=[str(n) for n in N_VALUES],
            reach=(20, 4096), log=True),
    Control("t", FD_TAU_LOG10, 1.3, kind="range", label="log\u2081\u2080 \u03c4",
            reach=(FD_TAU_LOG10[0], FD_TAU_LOG10[-1])),
)


def _sizes(grid_n):
    return tuple(sorted(set(N_VALUES) | {int(n) for n in grid_n}))


def finite_data_data(grid):
    """Per ``N``: ``curves``, ``optima``, ``interp``; per ``(N, t)``: ``markers``; the ``ratios``
    of every ``N`` of the chapter's table and of ``grid``; and the fixed ``population``,
    ``teacher`` and ``limits``."""
    T, _ = finite_data_teacher(_FD_SEED)
    ts = np.asarray(grid["t"], dtype=float)
    taus = 10.0 ** ts
    curves, markers, optima, interp = [], [], [], []
    for N in grid["N"]:
        st, res, curve = finite_data_student(int(N), _FD_SEED)
        curves += records(N=N, tau=FD_TAU_GRID, loss=curve)
        lm = st.loss(taus)
        markers += records(N=N, t=ts, tau=taus, loss=lm, ratio=lm / T.loss, interp_ratio=st.interpolating_loss / T.loss)
        optima += records(N=N, tau=res.tau_star, loss=res.loss_star)
        interp += records(N=N, loss=st.interpolating_loss)
    pop, pop_stop, pop_curve = population_student(_FD_SEED)
    tab = finite_data_table(seeds=(_FD_SEED,), n_values=_sizes(grid["N"]))
    ratios = (records(N=tab["N"], kind=_EARLY, ratio=tab["early"][:, 0])
              + records(N=tab["N"], kind=_INTERP, ratio=tab["interp"][:, 0]))
    return {"curves": curves, "markers": markers, "optima": optima, "interp": interp, "ratios": ratios,
            "population": records(tau=FD_TAU_GRID, loss=pop_curve),
            "teacher": records(loss=T.loss),
            "limits": records(kind=[_EARLY, _INTERP], ratio=[pop_stop.ratio, float(pop_curve[-1]) / T.loss]),
            "threshold": records(N=FD["m_st"])}


def finite_data_expected(N=400, t=1.3):
    """What ``ch04:finite_data`` shows at ``N`` samples and ``log10 tau = t``, straight from ``w2s_lib``.

    Parameters
    ----------
    N : int
        Unlabelled samples, 20 .. 4096.
    t : float
        ``log10 tau``, in the span of :data:`FD_TAU_LOG10`.

    Returns
    -------
    dict
        Records by layer name: ``curve`` (200 points), ``marker``, ``marker_line``, ``readout``,
        ``optimum``, ``interpolating``, ``population`` (200), ``teacher``, ``ratios`` and
        ``ratio_points`` (2 per ``N`` of the table and ``N``), ``highlight`` (the 2 of this
        ``N``), ``limits`` (the ``N = infinity`` student early-stopped and at the end of
        ``FD_TAU_GRID``), ``threshold`` and ``threshold_label`` (``N = M_ST``), ``teacher_ratio``.
    """
    N, t = FD_ENTRY.check_setting(N=N, t=t).values()
    T, W = finite_data_teacher(_FD_SEED)
    st, res, _ = finite_data_student(N, _FD_SEED)
    tau = 10.0 ** t
    loss = float(st.loss(tau))
    tab = finite_data_table(seeds=(_FD_SEED,), n_values=_sizes((N,)))
    ratios = [{"N": int(n), "kind": kind, "ratio": float(v)}
              for kind, col in ((_EARLY, tab["early"][:, 0]), (_INTERP, tab["interp"][:, 0])) for n, v in zip(tab["N"], col)]
    pop = student_trajectory(T, W)
    pop_stop = early_stop(pop)
    marker = [{"tau": tau, "loss": loss, "ratio": loss / T.loss, "interp_ratio": st.interpolating_loss / T.loss}]
    return {
        "curve": [{"tau": float(a), "loss": float(b)} for a, b in zip(FD_TAU_GRID, st.loss(FD_TAU_GRID))],
        "marker": marker, "marker_line": marker, "readout": marker,
        "optimum": [{"tau": float(res.tau_star), "loss": float(res.loss_star)}],
        "interpolating": [{"loss": float(st.interpolating_loss)}],
        "population": [{"tau": float(a), "loss": float(b)} for a, b in zip(FD_TAU_GRID, pop.loss(FD_TAU_GRID))],
        "teacher": [{"loss": float(T.loss)}],
        "ratios": ratios,
        "highlight": [r for r in ratios if r["N"] == N],
        "ratio_points": ratios,
        "limits": [{"kind": _EARLY, "ratio": float(pop_stop.ratio)},
                   {"kind": _INTERP, "ratio": float(pop.loss(FD_TAU_GRID[-1])) / T.loss}],
        "threshold": [{"N": FD["m_st"]}], "threshold_label": [{"N": FD["m_st"]}],
        "teacher_ratio": [{"ratio": 1.0}],
    }


def _fd_chart(data):
    T_loss = data["teacher"][0]["loss"]
    pop_early = data["limits"][0]["ratio"] * T_loss
    top = max(r["ratio"] for r in data["ratios"])
    at_n = "datum.N == N"
    at_nt = "datum.N == N && abs(datum.t - t) < 1e-6"
    green, red, purple, grey = COLORS["strong"], COLORS["teacher"], COLORS["marker"], COLORS["rest"]
    kinds = alt.Scale(domain=[_EARLY, _INTERP], range=[green, red])
    x = alt.X("tau:Q", scale=alt.Scale(type="log", domain=[1e-2, 1e9], nice=False),
              title="training time \u03c4 = \u03bb\u2081t", axis=alt.Axis(labelExpr=power_labels(), tickCount=6))
    y = alt.Y("loss:Q", scale=alt.Scale(type="log", domain=[float(f"{0.3 * pop_early:.3g}"), 10.0], nice=False,
                                        clamp=True), title="population loss", axis=alt.Axis(format="~g"))
    markers = alt.Chart(alt.NamedData("markers")).transform_filter(at_nt)
    left = alt.layer(
        alt.Chart(alt.NamedData("teacher")).mark_rule(color=grey, strokeWidth=1).encode(y="loss:Q")
        .properties(name="teacher"),
        alt.Chart(alt.NamedData("population"))
        .mark_line(color="black", strokeDash=[5, 3], strokeWidth=1.2, clip=True).encode(x, y)
        .properties(name="population"),
        alt.Chart(alt.NamedData("interp")).transform_filter(at_n)
        .mark_rule(color=red, strokeDash=[2, 2], strokeWidth=1.2).encode(y="loss:Q").properties(name="interpolating"),
        alt.Chart(alt.NamedData("curves")).transform_filter(at_n)
        .mark_line(color=PALETTE[1], strokeWidth=2, clip=True).encode(x, y).properties(name="curve"),
        alt.Chart(alt.NamedData("optima")).transform_filter(at_n)
        .mark_point(color=PALETTE[1], filled=True, size=50, opacity=1).encode(x, y).properties(name="optimum"),
        markers.mark_rule(color=purple).encode(x="tau:Q").properties(name="marker_line"),
        markers.mark_point(shape="square", color=purple, filled=True, size=60, opacity=1).encode(x, y)
        .properties(name="marker"),
        markers.transform_calculate(label="'loss/teacher ' + format(datum.ratio, '.3~g') + ', interpolating ' + "
                                          "format(datum.interp_ratio, '.3~g')")
        .mark_text(align="left", baseline="bottom", dx=6, dy=-6, fontSize=11, color=purple)
        .encode(text="label:N", x=alt.value(0), y=alt.value(250)).properties(name="readout"),
    ).properties(
        width=300, height=250,
        title=alt.Title(alt.ExprRef("'N = ' + N + ' samples, \u03c4 = ' + format(pow(10, t), '.3~g')"),
                        subtitle=["student M_ST = 512 (orange), optimum (dot), interpolating limit (red dotted);",
                                  f"N = \u221e student (black dashed), teacher L_TE = {T_loss:.3g} (grey)"],
                        subtitleFontSize=11, subtitleLineHeight=14, **TITLE),
    )
    xn = alt.X("N:Q", scale=alt.Scale(type="log", domain=[15, 5000], nice=False, clamp=True),
               title="unlabelled samples N", axis=alt.Axis(values=[20, 100, 512, 2048], format="d", labelOverlap=False))
    yr = alt.Y("ratio:Q", scale=alt.Scale(type="log", domain=[0.2, float(f"{3 * top:.2g}")], nice=False, clamp=True),
               title="L_ST / L_TE", axis=alt.Axis(format="~g"))
    color = alt.Color("kind:N", scale=kinds, legend=None)
    tip = ["N:Q", "kind:N", alt.Tooltip("ratio:Q", format=".3g")]
    ratios = alt.Chart(alt.NamedData("ratios"))
    right = alt.layer(
        alt.Chart(alt.NamedData("threshold")).mark_rule(color=grey, strokeDash=[2, 2]).encode(x=xn)
        .properties(name="threshold"),
        alt.Chart(alt.NamedData("threshold")).transform_calculate(ratio="1")
        .mark_rule(color="black", strokeWidth=1).encode(y=yr).properties(name="teacher_ratio"),
        alt.Chart(alt.NamedData("limits")).mark_rule(strokeDash=[5, 3], strokeWidth=1)
        .encode(y=yr, color=color).properties(name="limits"),
        ratios.mark_line(strokeWidth=1.2).encode(xn, yr, color).properties(name="ratios"),
        ratios.mark_point(filled=True, size=30, opacity=1)
        .encode(xn, yr, color, shape=alt.Shape("kind:N", scale=alt.Scale(domain=[_EARLY, _INTERP],
                                                                        range=["circle", "square"]), legend=None),
                tooltip=tip).properties(name="ratio_points"),
        ratios.transform_filter(at_n)
        .mark_point(shape="diamond", color=purple, filled=False, size=160, strokeWidth=2, opacity=1)
        .encode(xn, yr, tooltip=tip).properties(name="highlight"),
        alt.Chart(alt.NamedData("threshold")).transform_calculate(label="'N = M_ST'")
        .mark_text(align="left", baseline="top", dx=3, dy=4, fontSize=10, color=grey)
        .encode(x=xn, y=alt.value(0), text="label:N").properties(name="threshold_label"),
    ).properties(width=200, height=250,
                 title=alt.Title("loss / teacher against N",
                                 subtitle=["green: early-stopped; red: interpolating (\u03c4\u2192\u221e)",
                                           "dashed: N = \u221e limits; black: teacher"], subtitleLineHeight=14,
                                 subtitleFontSize=11, **TITLE))
    return (alt.hconcat(left, right, spacing=24).resolve_scale(color="independent", shape="independent")
            .resolve_legend(color="independent", shape="independent")
            .properties(autosize=alt.AutoSizeParams(type="pad", resize=True)))


FD_ENTRY = define_explorable(
    "ch04:finite_data", controls=FD_CONTROLS, data=finite_data_data, chart=_fd_chart, expected=finite_data_expected,
    caption="Pick N and drag log\u2081\u2080 \u03c4: near N = 512 the early-stopped student still beats its "
            "teacher while the interpolating one is far worse.")
