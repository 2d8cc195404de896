"""Chapter 4 explorables: the U-shaped curve of early stopping.

``ch04:tau`` -- the kernel-limit student's loss ``L_ST(tau)`` of the chapter's teacher
(d = 32, M_TE = 256, seed 0), a marker at the chosen stopping time and, beside it, the
fraction of each harmonic degree learned by then. The control is ``log10 tau`` on a grid
of step 0.05 over the live widget's range (1e-2 .. 1e15).
"""

from __future__ import annotations

import altair as alt
import numpy as np

from .. import figures_early_stopping as F
from ..early_stopping import degree_learning_times, early_stop
from ..student import student_trajectory
from . import Control, Explorable, records, register_explorable

__all__ = ["tau_explorable", "tau_expected", "TAU_LOG10", "DEGREES"]

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

    x = alt.X("tau:Q", scale=alt.Scale(type="log", domain=[1e-2, 1e17]), title="training time \u03c4 = \u03bb\u2081t",
              axis=alt.Axis(format="~e", tickCount=8))
    y = alt.Y("loss:Q", scale=alt.Scale(type="log", domain=[max(0.3 * best.loss_star, 1e-6), 1.5]),
              title="population loss", axis=alt.Axis(format="~g"))
    base = alt.Chart(alt.Data(values=curve))
    left = alt.layer(
        base.mark_line(color="#1f77b4", strokeWidth=2.5, clip=True).encode(x, y).properties(name="curve"),
        alt.Chart(alt.Data(values=[{"loss": float(teacher.loss)}])).mark_rule(color="black", strokeDash=[5, 4])
        .encode(y="loss:Q").properties(name="teacher"),
        alt.Chart(alt.Data(values=[{"tau": float(best.tau_star), "loss": float(best.loss_star)}]))
        .mark_point(color="#2ca02c", filled=True, size=60).encode(x, y).properties(name="optimum"),
        alt.Chart(alt.Data(values=markers)).transform_filter(at_t)
        .mark_point(shape="square", color="#9467bd", filled=True, size=70).encode(x, y).properties(name="marker"),
        alt.Chart(alt.Data(values=markers)).transform_filter(at_t)
        .mark_rule(color="#9467bd").encode(x="tau:Q").properties(name="marker_line"),
        alt.Chart(alt.Data(values=markers)).transform_filter(at_t)
        .transform_calculate(label="'student loss ' + format(datum.loss, '.3~g')")
        .mark_text(align="left", baseline="top", dx=6, dy=6, fontSize=12, color="#9467bd")
        .encode(text="label:N", x=alt.value(0), y=alt.value(0)).properties(name="readout"),
    ).properties(
        width=380, height=250,
        title=alt.Title(alt.ExprRef("'\u03c4 = ' + format(pow(10, t), '.3~g')"),
            subtitle=f"teacher L_TE = {teacher.loss:.3g} (dashed); optimum \u03c4* = {best.tau_star:.3g}, "
                     f"L* = {best.loss_star:.3g} (green)", fontSize=12, subtitleFontSize=10),
    )
    right = (
        alt.Chart(alt.Data(values=bars)).transform_filter(at_t)
        .mark_bar().encode(
            x=alt.X("degree:O", title="degree k (\u03c4_k in the tooltip)"),
            y=alt.Y("learned:Q", scale=alt.Scale(domain=[0, 1]), title="fraction of degree k learned"),
            color=alt.Color("degree:O", scale=alt.Scale(domain=list(DEGREES), range=[_DEGREE_COLORS[j] for j in DEGREES]),
                            legend=None),
            tooltip=["degree:O", alt.Tooltip("learned:Q", format=".3f"), alt.Tooltip("tau_k:N", title="\u03c4_k")],
        ).properties(name="bars", width=180, height=250, title="what the student has learned")
    )
    chart = alt.hconcat(left, right).resolve_scale(color="independent")
    explorable = Explorable("ch04:tau", chart, [control],
                            caption="Drag log10 \u03c4: the marker runs along the U-curve while the bars show "
                                    "which degrees the student has picked up.")
    return explorable
