"""Chapter 3 explorable: one student's loss over training time.

``ch03:student`` -- the twin of the chapter-3 widget (:func:`w2s_lib.figures_random_features.student_figure`),
at ``d = 32`` and seed 0. Controls: the teacher width ``M_TE``
(:data:`~w2s_lib.figures_random_features.CH03_MTE`), the student width ``M_ST``
(:data:`~w2s_lib.figures_random_features.CH03_MST`; 0 stands for infinity, the kernel limit) and
the time ``tau`` (:data:`TAUS`, the widget's 13 values). The data are the 50 loss curves of
:func:`~w2s_lib.figures_random_features.student_grid` on
:data:`~w2s_lib.figures_random_features.STUDENT_TAUS`; ``tau`` only moves the marker
(precomputed at every ``tau`` of :data:`TAUS` for every student).

Drawn: the chosen student's curve (blue; none for ``M_ST = infinity``), the kernel-limit student
of the same teacher (black), the teacher's loss ``L_TE`` (red, dashed), the student at ``tau``
(gold dot) and at its best time ``tau*`` (triangle).
"""

from __future__ import annotations

import altair as alt
import numpy as np

from .. import figures_random_features as F
from ..student import student_trajectory
from . import Control, Explorable, inline, packed, records, register_explorable

__all__ = ["student_explorable", "student_expected", "TAUS"]

#: The times ``tau = lambda_1 t`` the chapter-3 widget's slider offers (and so this control).
TAUS = (0.01, 0.1, 0.3, 1.0, 3.0, 6.0, 10.0, 30.0, 100.0, 1e3, 1e4, 1e5, 1e6)


def _check(M_TE, M_ST, tau):
    for name, v, grid in (("M_TE", M_TE, F.CH03_MTE), ("M_ST", M_ST, F.CH03_MST), ("tau", tau, TAUS)):
        if v not in grid:
            raise ValueError(f"{name} must be one of {list(grid)}, got {v!r}")
    return int(M_TE), int(M_ST), float(tau)


def student_expected(M_TE=128, M_ST=0, tau=6.0):
    """What ``ch03:student`` shows at ``(M_TE, M_ST, tau)``, straight from ``w2s_lib``.

    The student is ``student_trajectory(cached_teacher(32, M_TE, 0), W)`` with
    ``W = student_weights(32, M_ST, 0)`` (``W = None``, the kernel limit, for ``M_ST = 0``).

    Parameters
    ----------
    M_TE : int
        One of :data:`~w2s_lib.figures_random_features.CH03_MTE`.
    M_ST : int
        One of :data:`~w2s_lib.figures_random_features.CH03_MST` (0: the kernel limit).
    tau : float
        One of :data:`TAUS`.

    Returns
    -------
    dict
        ``curve`` (241 records ``{tau, loss}``; none for ``M_ST = 0``), ``kernel`` (241
        ``{tau, loss}``), ``teacher`` (``[{loss}]``), ``marker`` (``[{tau, loss}]``) and
        ``optimum`` (``[{tau, loss}]``, the best stopping time of that student).
    """
    M_TE, M_ST, tau = _check(M_TE, M_ST, tau)
    d = F.CH03_D
    teacher = F.cached_teacher(d, M_TE, 0)
    W = None if M_ST == 0 else F.student_weights(d, M_ST, 0)
    traj = student_trajectory(teacher, W)
    kernel = student_trajectory(teacher)
    best = F.student_stopping(d, M_TE, M_ST, 0)
    ts = F.STUDENT_TAUS
    return {
        "curve": [] if M_ST == 0 else [{"tau": float(t), "loss": float(v)} for t, v in zip(ts, traj.loss(ts))],
        "kernel": [{"tau": float(t), "loss": float(v)} for t, v in zip(ts, kernel.loss(ts))],
        "teacher": [{"loss": float(teacher.loss)}],
        "marker": [{"tau": tau, "loss": float(traj.loss(tau))}],
        "optimum": [{"tau": float(best.tau_star), "loss": float(best.loss_star)}],
    }


@register_explorable("ch03:student", expected=student_expected)
def student_explorable() -> Explorable:
    """The chapter-3 explorable (see the module docstring)."""
    d = F.CH03_D
    grid = F.student_grid()  # (M_TE, M_ST) -> (curve, StoppingResult, trajectory)
    curves, markers, optima, teachers = [], [], [], []
    taus = np.array(TAUS)
    for (mte, mst), (curve, best, traj) in grid.items():
        curves.append(packed({"tau": F.STUDENT_TAUS, "loss": curve}, M_TE=mte, M_ST=mst))
        markers += records(M_TE=mte, M_ST=mst, tau=taus, loss=traj.loss(taus))
        optima += records(M_TE=mte, M_ST=mst, tau=best.tau_star, loss=best.loss_star)
    for mte in F.CH03_MTE:
        teachers += records(M_TE=mte, loss=F.cached_teacher(d, mte, 0).loss)
    lowest = min(float(np.min(c[0])) for c in grid.values())  # the curves' lowest point

    c_te = Control("M_TE", F.CH03_MTE, 128, kind="select", label="teacher width M_TE")
    c_st = Control("M_ST", F.CH03_MST, 0, kind="select", label="student width M_ST",
                   labels=[("\u221e" if m == 0 else str(m)) for m in F.CH03_MST])
    c_tau = Control("tau", TAUS, 6.0, kind="select", label="time \u03c4", labels=[f"{t:g}" for t in TAUS])
    at_pair = "datum.M_TE == M_TE && datum.M_ST == M_ST"
    at_tau = at_pair + " && abs(datum.tau / tau - 1) < 1e-6"

    x = alt.X("tau:Q", scale=alt.Scale(type="log", domain=[float(F.STUDENT_TAUS[0]), float(F.STUDENT_TAUS[-1])],
                                       nice=False),
              title="training time \u03c4 = \u03bb\u2081t", axis=alt.Axis(format="~g", values=[10.0 ** k for k in range(-2, 7)]))
    y = alt.Y("loss:Q", scale=alt.Scale(type="log", domain=[0.3 * lowest, 1.5], nice=False),
              title="student loss L_ST", axis=alt.Axis(format="~g"))
    data = inline(curves)
    name = "(M_ST == 0 ? '\u221e' : M_ST)"
    chart = alt.layer(
        alt.Chart(inline(teachers)).transform_filter("datum.M_TE == M_TE")
        .mark_rule(color="#d62728", strokeDash=[6, 4], strokeWidth=1.5).encode(y="loss:Q").properties(name="teacher"),
        alt.Chart(data).transform_filter("datum.M_TE == M_TE && datum.M_ST == 0").transform_flatten(["tau", "loss"])
        .mark_line(color="black", strokeWidth=2.2).encode(x, y).properties(name="kernel"),
        alt.Chart(data).transform_filter(at_pair + " && M_ST != 0").transform_flatten(["tau", "loss"])
        .mark_line(color="#1f77b4", strokeWidth=1.8).encode(x, y).properties(name="curve"),
        alt.Chart(inline(optima)).transform_filter(at_pair)
        .mark_point(shape="triangle-down", filled=True, size=90, opacity=1,
                    color=alt.ExprRef("M_ST == 0 ? 'black' : '#1f77b4'"))
        .encode(x, y).properties(name="optimum"),
        alt.Chart(inline(markers)).transform_filter(at_tau)
        .mark_point(shape="circle", filled=True, size=110, color="gold", stroke="black", strokeWidth=1.2, opacity=1)
        .encode(x, y).properties(name="marker"),
        alt.Chart(inline(markers)).transform_filter(at_tau)
        .transform_calculate(label="'L_ST(\u03c4 = ' + format(tau, '~g') + ') = ' + format(datum.loss, '.3~g')")
        .mark_text(align="left", baseline="bottom", dy=-24, fontSize=13, fontWeight="bold")
        .encode(text="label:N", x=alt.value(0), y=alt.value(0)).properties(name="readout"),
        alt.Chart(inline(optima)).transform_filter(at_pair)
        .transform_calculate(label="'best L_ST* = ' + format(datum.loss, '.3~g') + ' at \u03c4* = ' "
                                   "+ format(datum.tau, '.3~g') + ' (triangle)'")
        .mark_text(align="left", baseline="bottom", dy=-6, fontSize=11)
        .encode(text="label:N", x=alt.value(0), y=alt.value(0)).properties(name="optimum_readout"),
        alt.Chart(inline(teachers)).transform_filter("datum.M_TE == M_TE")
        .transform_calculate(label="'L_TE = ' + format(datum.loss, '.3~g') + ' (red, dashed)'")
        .mark_text(align="right", baseline="bottom", dy=-6, fontSize=11, color="#d62728")
        .encode(text="label:N", x=alt.value(600), y=alt.value(0)).properties(name="teacher_readout"),
    ).properties(
        width=600, height=280,
        title=alt.Title(alt.ExprRef(f"'d = {d}, M_TE = ' + M_TE + ', M_ST = ' + {name} + "
                                    "' (blue; black: M_ST = \u221e, the kernel limit)'"), fontSize=12,
                        offset=34),
    )
    return Explorable("ch03:student", chart, [c_te, c_st, c_tau],
                      caption="Pick a teacher and a student, then move \u03c4: the gold dot is the student at that "
                              "time, the triangle its best time.")
