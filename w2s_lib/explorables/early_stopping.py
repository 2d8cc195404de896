"""Chapter 4 explorables: the U-shaped curve of early stopping, and finite data.

``ch04:tau`` -- the kernel-limit student's loss ``L_ST(tau)`` of the chapter's teacher
(d = 32, M_TE = 256, seed 0), a marker at the chosen stopping time and, beside it, the
fraction of each harmonic degree learned by then. The control is ``log10 tau`` on a grid
of step 0.05 over the live widget's range (1e-2 .. 1e15).

``ch04:finite_data`` -- the twin of :func:`w2s_lib.figures_early_stopping.finite_data_figure`:
the student of width 512 trained on ``N`` teacher-labelled samples (seed 0;
:func:`~w2s_lib.figures_early_stopping.finite_data_student`), its population loss on
:data:`~w2s_lib.figures_early_stopping.FD_TAU_GRID` with a marker at ``tau``, its optimum and
its interpolating limit, over the population-trained student and the teacher; beside it the
early-stopped and interpolating ``L/L_TE`` for every ``N`` with the chosen one marked. Controls:
``N`` (:data:`~w2s_lib.figures_early_stopping.N_VALUES`) and ``log10 tau`` on a grid of step
0.05 over the span of ``FD_TAU_GRID`` (1e-2 .. 1e9, the widget's slider range).
"""

from __future__ import annotations

import altair as alt
import numpy as np

from .. import figures_early_stopping as F
from ..early_stopping import degree_learning_times, early_stop
from ..student import student_trajectory
from . import Control, Explorable, inline_layer, records, register_explorable

__all__ = ["tau_explorable", "tau_expected", "TAU_LOG10", "DEGREES",
           "finite_data_explorable", "finite_data_expected", "FD_TAU_LOG10"]

#: Grid of the ``log10 tau`` control (the widget's slider spans 1e-2 .. 1e15).
TAU_LOG10 = tuple(round(v, 2) for v in np.arange(-2.0, 15.0001, 0.05))
#: Degrees shown in the bar panel (as in the chapter's figure).
DEGREES = (0, 1, 2, 4, 6, 8)
_DEGREE_COLORS = {0: "#7f7f7f", 1: "#1f77b4", 2: "#ff7f0e", 4: "#2ca02c", 6: "#d62728", 8: "#9467bd"}


def _kernel_student():
    teacher = F.sweep_teacher(F.CH4_D, F.CH4_M_TE, 0)
    return teacher, student_trajectory(teacher)


def _learned(k, tau):
    learned = k.degree_learned(float(tau))
    return [float(learned[j]) if j < learned.size else 0.0 for j in DEGREES]


def tau_expected(t=0.8):
    """What ``ch04:tau`` shows at ``log10 tau = t``, straight from ``w2s_lib``."""
    teacher, k = _kernel_student()
    tau = 10.0 ** float(t)
    return {
        "marker": [{"tau": tau, "loss": float(k.loss(tau))}],
        "bars": [{"degree": j, "learned": v} for j, v in zip(DEGREES, _learned(k, tau))],
        "teacher": [{"loss": float(teacher.loss)}],
    }


@register_explorable("ch04:tau", expected=tau_expected)
def tau_explorable() -> Explorable:
    """The chapter-4 explorable (see the module docstring)."""
    teacher, k = _kernel_student()
    best = early_stop(k)
    taus = 10.0 ** np.asarray(TAU_LOG10)
    tk = degree_learning_times(F.CH4_D, max(DEGREES))

    curve = records(tau=F.TAU_GRID, loss=k.loss(F.TAU_GRID))
    markers = records(t=np.asarray(TAU_LOG10), tau=taus, loss=k.loss(taus))
    learned = np.array([_learned(k, t) for t in taus])  # (len(taus), len(DEGREES))
    bars = [
        {"t": t, "degree": j, "learned": float(f"{learned[i, c]:.7g}"),
         "tau_k": f"{tk[j]:.1e}".replace("e+0", "e").replace("e-0", "e-") if np.isfinite(tk[j]) else "never"}
        for i, t in enumerate(TAU_LOG10) for c, j in enumerate(DEGREES)
    ]
    control = Control("t", TAU_LOG10, 0.8, kind="range", label="log10 \u03c4")
    at_t = "abs(datum.t - t) < 1e-6"

    x = alt.X("tau:Q", scale=alt.Scale(type="log", domain=[1e-2, 1e17], nice=False),
              title="training time \u03c4 = \u03bb\u2081t", axis=alt.Axis(format="~e", tickCount=8))
    y = alt.Y("loss:Q", scale=alt.Scale(type="log", domain=[max(0.3 * best.loss_star, 1e-6), 1.5], nice=False),
              title="population loss", axis=alt.Axis(format="~g"))
    base = alt.Chart(inline_layer(curve))
    left = alt.layer(
        base.mark_line(color="#1f77b4", strokeWidth=2.5, clip=True).encode(x, y).properties(name="curve"),
        alt.Chart(inline_layer([{"loss": float(teacher.loss)}])).mark_rule(color="black", strokeDash=[5, 4])
        .encode(y="loss:Q").properties(name="teacher"),
        alt.Chart(inline_layer([{"tau": float(best.tau_star), "loss": float(best.loss_star)}]))
        .mark_point(color="#2ca02c", filled=True, size=60).encode(x, y).properties(name="optimum"),
        alt.Chart(inline_layer(markers)).transform_filter(at_t)
        .mark_point(shape="square", color="#9467bd", filled=True, size=70).encode(x, y).properties(name="marker"),
        alt.Chart(inline_layer(markers)).transform_filter(at_t)
        .mark_rule(color="#9467bd").encode(x="tau:Q").properties(name="marker_line"),
        alt.Chart(inline_layer(markers)).transform_filter(at_t)
        .transform_calculate(label="'student loss ' + format(datum.loss, '.3~g')")
        .mark_text(align="right", baseline="bottom", dx=-6, dy=-6, fontSize=12, color="#9467bd")
        .encode(text="label:N", x=alt.value(380), y=alt.value(250)).properties(name="readout"),
    ).properties(
        width=380, height=250,
        title=alt.Title(alt.ExprRef("'\u03c4 = ' + format(pow(10, t), '.3~g')"),
            subtitle=f"teacher L_TE = {teacher.loss:.3g} (dashed); optimum \u03c4* = {best.tau_star:.3g}, "
                     f"L* = {best.loss_star:.3g} (green)", fontSize=12, subtitleFontSize=10),
    )
    kx = alt.X("degree:O", title="degree k (\u03c4_k above each bar)", axis=alt.Axis(labelExpr="'k=' + datum.label",
                                                                                  labelAngle=0))
    ky = alt.Y("learned:Q", scale=alt.Scale(domain=[0, 1.45], nice=False), title="fraction of degree k learned",
               axis=alt.Axis(values=[0, 0.5, 1]))
    right = alt.layer(
        alt.Chart(inline_layer(bars)).transform_filter(at_t)
        .mark_bar().encode(
            x=kx, y=ky,
            color=alt.Color("degree:O", scale=alt.Scale(domain=list(DEGREES), range=[_DEGREE_COLORS[j] for j in DEGREES]),
                            legend=None),
            tooltip=["degree:O", alt.Tooltip("learned:Q", format=".3f"), alt.Tooltip("tau_k:N", title="\u03c4_k")],
        ).properties(name="bars"),
        alt.Chart(inline_layer(bars)).transform_filter(at_t)
        .mark_text(angle=270, align="left", baseline="middle", dx=4, fontSize=10)
        .encode(x=kx, y=alt.Y("learned:Q", stack=None), text="tau_k:N").properties(name="bar_labels"),
    ).properties(width=180, height=250, title="what the student has learned")
    chart = alt.hconcat(left, right).resolve_scale(color="independent")
    explorable = Explorable("ch04:tau", chart, [control],
                            caption="Drag log10 \u03c4: the marker runs along the U-curve while the bars show "
                                    "which degrees the student has picked up.")
    return explorable


# ----------------------------------------------------------------------------- ch04:finite_data

#: Grid of the ``log10 tau`` control of ``ch04:finite_data``: step 0.05 over the span of
#: ``FD_TAU_GRID`` (1e-2 .. 1e9; the widget's slider offers 0.01 .. 1e9).
FD_TAU_LOG10 = tuple(round(v, 2) for v in np.arange(np.log10(F.FD_TAU_GRID[0]), np.log10(F.FD_TAU_GRID[-1]) + 1e-4,
                                                     0.05))
_FD_SEED = 0
_EARLY, _INTERP = "early-stopped", "interpolating (\u03c4\u2192\u221e)"


def _check_fd(N, t):
    if int(N) not in F.N_VALUES:
        raise ValueError(f"N must be one of {list(F.N_VALUES)}, got {N!r}")
    if not FD_TAU_LOG10[0] - 1e-9 <= float(t) <= FD_TAU_LOG10[-1] + 1e-9:
        raise ValueError(f"t (log10 tau) must lie in [{FD_TAU_LOG10[0]}, {FD_TAU_LOG10[-1]}], got {t!r}")
    return int(N), float(t)


def _population():
    """The population-trained student of the finite-data configuration (its ``N = infinity`` limit)."""
    T, W = F.finite_data_teacher(_FD_SEED)
    return student_trajectory(T, W)


def finite_data_expected(N=400, t=1.3):
    """What ``ch04:finite_data`` shows at ``N`` samples and ``log10 tau = t``, straight from ``w2s_lib``.

    Parameters
    ----------
    N : int
        One of :data:`~w2s_lib.figures_early_stopping.N_VALUES`.
    t : float
        ``log10 tau``, in the span of :data:`FD_TAU_LOG10`.

    Returns
    -------
    dict
        Records by layer name: ``curve`` (200 points), ``marker``, ``optimum``, ``interpolating``,
        ``population`` (200), ``teacher``, ``ratios`` and ``ratio_points`` (2 per ``N``: early-stopped
        and interpolating ``L/L_TE``), ``highlight`` (the 2 of this ``N``) and ``limits`` (the
        ``N = infinity`` student early-stopped and at the end of ``FD_TAU_GRID``).
    """
    N, t = _check_fd(N, t)
    T, _ = F.finite_data_teacher(_FD_SEED)
    st, res, _ = F.finite_data_student(N, _FD_SEED)
    tau = 10.0 ** t
    loss = float(st.loss(tau))
    tab = F.finite_data_table(seeds=(_FD_SEED,))
    ratios = [{"N": int(n), "kind": kind, "ratio": float(v)}
              for kind, col in ((_EARLY, tab["early"][:, 0]), (_INTERP, tab["interp"][:, 0])) for n, v in zip(tab["N"], col)]
    pop = _population()
    pop_stop = early_stop(pop)
    return {
        "curve": [{"tau": float(a), "loss": float(b)} for a, b in zip(F.FD_TAU_GRID, st.loss(F.FD_TAU_GRID))],
        "marker": [{"tau": tau, "loss": loss, "ratio": loss / T.loss, "interp_ratio": st.interpolating_loss / T.loss}],
        "optimum": [{"tau": float(res.tau_star), "loss": float(res.loss_star)}],
        "interpolating": [{"loss": float(st.interpolating_loss)}],
        "population": [{"tau": float(a), "loss": float(b)} for a, b in zip(F.FD_TAU_GRID, pop.loss(F.FD_TAU_GRID))],
        "teacher": [{"loss": float(T.loss)}],
        "ratios": ratios,
        "highlight": [r for r in ratios if r["N"] == N],
        "ratio_points": ratios,
        "limits": [{"kind": _EARLY, "ratio": float(pop_stop.ratio)},
                   {"kind": _INTERP, "ratio": float(pop.loss(F.FD_TAU_GRID[-1])) / T.loss}],
    }


@register_explorable("ch04:finite_data", expected=finite_data_expected)
def finite_data_explorable() -> Explorable:
    """The chapter-4 finite-data explorable (see the module docstring)."""
    T, _ = F.finite_data_teacher(_FD_SEED)
    taus = 10.0 ** np.asarray(FD_TAU_LOG10)
    curves, markers, optima, interp = [], [], [], []
    for N in F.N_VALUES:
        st, res, curve = F.finite_data_student(N, _FD_SEED)
        curves += records(N=N, tau=F.FD_TAU_GRID, loss=curve)
        lm = st.loss(taus)
        markers += records(N=N, t=np.asarray(FD_TAU_LOG10), tau=taus, loss=lm, ratio=lm / T.loss,
                           interp_ratio=st.interpolating_loss / T.loss)
        optima += records(N=N, tau=res.tau_star, loss=res.loss_star)
        interp += records(N=N, loss=st.interpolating_loss)
    pop = _population()
    pop_stop = early_stop(pop)
    tab = F.finite_data_table(seeds=(_FD_SEED,))
    ratios = (records(N=tab["N"], kind=_EARLY, ratio=tab["early"][:, 0])
              + records(N=tab["N"], kind=_INTERP, ratio=tab["interp"][:, 0]))
    limits = records(kind=[_EARLY, _INTERP], ratio=[pop_stop.ratio, float(pop.loss(F.FD_TAU_GRID[-1])) / T.loss])

    c_n = Control("N", F.N_VALUES, 400, kind="radio", label="N samples", labels=[str(n) for n in F.N_VALUES])
    c_t = Control("t", FD_TAU_LOG10, 1.3, kind="range", label="log10 \u03c4")
    at_n = "datum.N == N"
    at_nt = "datum.N == N && abs(datum.t - t) < 1e-6"
    kinds = alt.Scale(domain=[_EARLY, _INTERP], range=["#2ca02c", "#d62728"])

    x = alt.X("tau:Q", scale=alt.Scale(type="log", domain=[1e-2, 1e9], nice=False), title="training time \u03c4 = \u03bb\u2081t",
              axis=alt.Axis(format="~e", tickCount=6))
    y = alt.Y("loss:Q", scale=alt.Scale(type="log", domain=[float(f"{0.3 * pop_stop.loss_star:.3g}"), 10.0], nice=False),
              title="population loss", axis=alt.Axis(format="~g"))
    left = alt.layer(
        alt.Chart(inline_layer([{"loss": float(T.loss)}])).mark_rule(color="#7f7f7f", strokeWidth=1)
        .encode(y="loss:Q").properties(name="teacher"),
        alt.Chart(inline_layer(records(tau=F.FD_TAU_GRID, loss=pop.loss(F.FD_TAU_GRID))))
        .mark_line(color="black", strokeDash=[5, 3], strokeWidth=1.2, clip=True).encode(x, y).properties(name="population"),
        alt.Chart(inline_layer(interp)).transform_filter(at_n)
        .mark_rule(color="#d62728", strokeDash=[2, 2], strokeWidth=1.2).encode(y="loss:Q").properties(name="interpolating"),
        alt.Chart(inline_layer(curves)).transform_filter(at_n)
        .mark_line(color="#ff7f0e", strokeWidth=2, clip=True).encode(x, y).properties(name="curve"),
        alt.Chart(inline_layer(optima)).transform_filter(at_n)
        .mark_point(color="#ff7f0e", filled=True, size=50, opacity=1).encode(x, y).properties(name="optimum"),
        alt.Chart(inline_layer(markers)).transform_filter(at_nt)
        .mark_rule(color="#9467bd").encode(x="tau:Q").properties(name="marker_line"),
        alt.Chart(inline_layer(markers)).transform_filter(at_nt)
        .mark_point(shape="square", color="#9467bd", filled=True, size=60, opacity=1).encode(x, y).properties(name="marker"),
        alt.Chart(inline_layer(markers)).transform_filter(at_nt)
        .transform_calculate(label="'loss/teacher ' + format(datum.ratio, '.3~g') + ', interpolating ' + "
                                   "format(datum.interp_ratio, '.3~g')")
        .mark_text(align="left", baseline="bottom", dx=6, dy=-6, fontSize=11, color="#9467bd")
        .encode(text="label:N", x=alt.value(0), y=alt.value(250)).properties(name="readout"),
    ).properties(
        width=330, height=250,
        title=alt.Title(alt.ExprRef("'N = ' + N + ' samples, \u03c4 = ' + format(pow(10, t), '.3~g')"),
                        subtitle=["student M_ST = 512 (orange), optimum (dot), interpolating limit (red dotted);",
                                  f"N = \u221e student (black dashed), teacher L_TE = {T.loss:.3g} (grey)"],
                        fontSize=12, subtitleFontSize=10, subtitleLineHeight=13),
    )

    xn = alt.X("N:Q", scale=alt.Scale(type="log", domain=[80, 2600], nice=False), title="unlabelled samples N",
               axis=alt.Axis(values=list(F.N_VALUES), format="d", labelAngle=-45, labelOverlap=False))
    top = float(tab["interp"].max())
    yr = alt.Y("ratio:Q", scale=alt.Scale(type="log", domain=[0.2, float(f"{3 * top:.2g}")], nice=False),
               title="L_ST / L_TE", axis=alt.Axis(format="~g"))
    color = alt.Color("kind:N", scale=kinds, legend=None)
    tip = ["N:Q", "kind:N", alt.Tooltip("ratio:Q", format=".3g")]
    right = alt.layer(
        alt.Chart(inline_layer([{"N": F.FD["m_st"]}])).mark_rule(color="#7f7f7f", strokeDash=[2, 2])
        .encode(x=xn).properties(name="threshold"),
        alt.Chart(inline_layer([{"ratio": 1.0}])).mark_rule(color="black", strokeWidth=1)
        .encode(y=yr).properties(name="teacher_ratio"),
        alt.Chart(inline_layer(limits)).mark_rule(strokeDash=[5, 3], strokeWidth=1)
        .encode(y=yr, color=color).properties(name="limits"),
        alt.Chart(inline_layer(ratios)).mark_line(strokeWidth=1.2).encode(xn, yr, color).properties(name="ratios"),
        alt.Chart(inline_layer(ratios)).mark_point(filled=True, size=30, opacity=1)
        .encode(xn, yr, color, shape=alt.Shape("kind:N", scale=alt.Scale(domain=[_EARLY, _INTERP],
                                                                        range=["circle", "square"]), legend=None),
                tooltip=tip).properties(name="ratio_points"),
        alt.Chart(inline_layer(ratios)).transform_filter(at_n)
        .mark_point(shape="diamond", color="#9467bd", filled=False, size=160, strokeWidth=2, opacity=1)
        .encode(xn, yr, tooltip=tip).properties(name="highlight"),
        alt.Chart(inline_layer([{"N": F.FD["m_st"]}])).transform_calculate(label="'N = M_ST'")
        .mark_text(align="left", baseline="top", dx=3, dy=4, fontSize=10, color="#7f7f7f")
        .encode(x=xn, y=alt.value(0), text="label:N").properties(name="threshold_label"),
    ).properties(width=200, height=250,
                 title=alt.Title("loss / teacher against N",
                                 subtitle=["green: early-stopped; red: interpolating (\u03c4\u2192\u221e)",
                                           "dashed: N = \u221e limits; black: teacher"], subtitleLineHeight=13,
                                 fontSize=12, subtitleFontSize=10))
    chart = (alt.hconcat(left, right, spacing=24).resolve_scale(color="independent", shape="independent")
             .resolve_legend(color="independent", shape="independent"))
    return Explorable("ch04:finite_data", chart, [c_n, c_t],
                      caption="Pick N and drag log10 \u03c4: near N = 512 the early-stopped student still beats its "
                              "teacher while the interpolating one is far worse.")
