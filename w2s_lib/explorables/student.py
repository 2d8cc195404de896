"""Chapter 3 explorable: one student's loss over training time.

``ch03:student``, at ``d = 32`` and seed 0. Controls: the teacher width ``M_TE``, the
student width ``M_ST`` (0 stands for infinity, the kernel limit) and the time ``tau``. The
site precomputes the 50 students of :data:`MTE_GRID` x :data:`MST_GRID` on
:data:`w2s_lib.student.STUDENT_TAUS`, with the marker at every ``tau`` of :data:`TAUS`; with
a kernel, ``M_TE`` reaches 2 .. 1024, ``M_ST`` 0 .. 2048 and ``tau`` any time of the axis.

Drawn: the chosen student's curve (blue; none for ``M_ST = infinity``), the kernel-limit student
of the same teacher (black), the teacher's loss ``L_TE`` (red, dashed), the student at ``tau``
(gold dot) and at its best time ``tau*`` (triangle).
"""

from __future__ import annotations

import altair as alt
import numpy as np

from ..early_stopping import student_stopping
from ..student import STUDENT_TAUS, student_curve, teacher_and_student
from ..teacher import cached_teacher
from . import Control, define_explorable, packed, records
from .style import COLORS, TITLE

__all__ = ["ENTRY", "student_data", "student_expected", "TAUS", "D", "MTE_GRID", "MST_GRID"]

D = 32
MTE_GRID = (32, 64, 128, 256, 512)
MST_GRID = (4, 8, 16, 32, 64, 128, 256, 512, 1024, 0)  # 0 = infinity (the kernel limit)
#: The times ``tau = lambda_1 t`` the site offers.
TAUS = (0.01, 0.1, 0.3, 1.0, 3.0, 6.0, 10.0, 30.0, 100.0, 1e3, 1e4, 1e5, 1e6)

CONTROLS = (
    Control("M_TE", MTE_GRID, 128, kind="select", label="teacher width M_TE", reach=(2, 1024), log=True),
    Control("M_ST", MST_GRID, 0, kind="select", label="student width M_ST (0: \u221e)",
            labels=[("\u221e" if m == 0 else str(m)) for m in MST_GRID], reach=(0, 2048)),
    Control("tau", TAUS, 6.0, kind="select", label="time \u03c4", labels=[f"{t:g}" for t in TAUS],
            reach=(float(STUDENT_TAUS[0]), float(STUDENT_TAUS[-1])), log=True),
)


def _live_grid(setting):
    return {"M_TE": (setting["M_TE"],), "M_ST": tuple(sorted({setting["M_ST"], 0})), "tau": (setting["tau"],)}


def student_data(grid):
    """The figure's data sets over ``grid`` (``{"M_TE", "M_ST", "tau"}`` tuples).

    ``curves`` (one packed curve on ``STUDENT_TAUS`` per teacher and student), ``markers``
    (the loss at each ``tau``), ``optima`` (the best stopping time) and ``teachers``.
    """
    curves, markers, optima, teachers = [], [], [], []
    taus = np.array(grid["tau"], dtype=float)
    for mst in grid["M_ST"]:  # outer loop over students: each width's factorisation is reused
        for mte in grid["M_TE"]:
            best = student_stopping(D, mte, mst, 0)
            traj = teacher_and_student(D, mte, None if mst == 0 else mst, 0)[1]
            curves.append(packed({"tau": STUDENT_TAUS, "loss": student_curve(D, mte, mst, 0)}, M_TE=mte, M_ST=mst))
            markers += records(M_TE=mte, M_ST=mst, tau=taus, loss=traj.loss(taus))
            optima += records(M_TE=mte, M_ST=mst, tau=best.tau_star, loss=best.loss_star)
    for mte in grid["M_TE"]:
        teachers += records(M_TE=mte, loss=cached_teacher(D, mte, 0).loss)
    return {"curves": curves, "markers": markers, "optima": optima, "teachers": teachers}


def student_expected(M_TE=128, M_ST=0, tau=6.0):
    """What ``ch03:student`` shows at ``(M_TE, M_ST, tau)``, straight from ``w2s_lib``.

    The student is ``student_trajectory(cached_teacher(32, M_TE, 0), W)`` with
    ``W = student_weights(32, M_ST, 0)`` (the kernel limit for ``M_ST = 0``).

    Parameters
    ----------
    M_TE : int
        Teacher width, 2 .. 1024.
    M_ST : int
        Student width, 0 .. 2048 (0: the kernel limit).
    tau : float
        Time ``tau = lambda_1 t`` on the figure's axis.

    Returns
    -------
    dict
        ``curve`` (241 records ``{tau, loss}``; none for ``M_ST = 0``), ``kernel`` (241),
        ``teacher`` and ``teacher_readout`` (``[{loss}]``), ``marker`` and ``readout``
        (``[{tau, loss}]``), ``optimum`` and ``optimum_readout`` (the best stopping time).
    """
    M_TE, M_ST, tau = ENTRY.check_setting(M_TE=M_TE, M_ST=M_ST, tau=tau).values()
    teacher, traj = teacher_and_student(D, M_TE, None if M_ST == 0 else M_ST, 0)
    kernel = teacher_and_student(D, M_TE, None, 0)[1]
    best = student_stopping(D, M_TE, M_ST, 0)
    ts = STUDENT_TAUS
    marker = [{"tau": float(tau), "loss": float(traj.loss(tau))}]
    optimum = [{"tau": float(best.tau_star), "loss": float(best.loss_star)}]
    return {
        "curve": [] if M_ST == 0 else [{"tau": float(t), "loss": float(v)} for t, v in zip(ts, traj.loss(ts))],
        "kernel": [{"tau": float(t), "loss": float(v)} for t, v in zip(ts, kernel.loss(ts))],
        "teacher": [{"loss": float(teacher.loss)}],
        "teacher_readout": [{"loss": float(teacher.loss)}],
        "marker": marker,
        "readout": marker,
        "optimum": optimum,
        "optimum_readout": optimum,
    }


def _chart(data):
    lowest = min(min(c["loss"]) for c in data["curves"])
    at_pair = "datum.M_TE == M_TE && datum.M_ST == M_ST"
    at_tau = at_pair + " && abs(datum.tau / tau - 1) < 1e-6"
    x = alt.X("tau:Q", scale=alt.Scale(type="log", domain=[float(STUDENT_TAUS[0]), float(STUDENT_TAUS[-1])],
                                       nice=False),
              title="training time \u03c4 = \u03bb\u2081t",
              axis=alt.Axis(format="~g", values=[10.0 ** k for k in range(-2, 7)]))
    y = alt.Y("loss:Q", scale=alt.Scale(type="log", domain=[0.3 * lowest, 1.5], nice=False, clamp=True),
              title="student loss L_ST", axis=alt.Axis(format="~g"))
    curves = alt.Chart(alt.NamedData("curves"))
    name = "(M_ST == 0 ? '\u221e' : M_ST)"
    blue, red = COLORS["student"], COLORS["teacher"]
    chart = alt.layer(
        alt.Chart(alt.NamedData("teachers")).transform_filter("datum.M_TE == M_TE")
        .mark_rule(color=red, strokeDash=[6, 4], strokeWidth=1.5).encode(y="loss:Q").properties(name="teacher"),
        curves.transform_filter("datum.M_TE == M_TE && datum.M_ST == 0").transform_flatten(["tau", "loss"])
        .mark_line(color=COLORS["theory"], strokeWidth=2.2).encode(x, y).properties(name="kernel"),
        curves.transform_filter(at_pair + " && M_ST != 0").transform_flatten(["tau", "loss"])
        .mark_line(color=blue, strokeWidth=1.8).encode(x, y).properties(name="curve"),
        alt.Chart(alt.NamedData("optima")).transform_filter(at_pair)
        .mark_point(shape="triangle-down", filled=True, size=90, opacity=1,
                    color=alt.ExprRef(f"M_ST == 0 ? 'black' : '{blue}'"))
        .encode(x, y).properties(name="optimum"),
        alt.Chart(alt.NamedData("markers")).transform_filter(at_tau)
        .mark_point(shape="circle", filled=True, size=110, color="gold", stroke="black", strokeWidth=1.2, opacity=1)
        .encode(x, y).properties(name="marker"),
        alt.Chart(alt.NamedData("markers")).transform_filter(at_tau)
        .transform_calculate(label="'L_ST(\u03c4 = ' + format(tau, '.3~g') + ') = ' + format(datum.loss, '.3~g')")
        .mark_text(align="left", baseline="bottom", dy=-24, fontSize=13, fontWeight="bold")
        .encode(text="label:N", x=alt.value(0), y=alt.value(0)).properties(name="readout"),
        alt.Chart(alt.NamedData("optima")).transform_filter(at_pair)
        .transform_calculate(label="'best L_ST* = ' + format(datum.loss, '.3~g') + ' at \u03c4* = ' "
                                   "+ format(datum.tau, '.3~g') + ' (triangle)'")
        .mark_text(align="left", baseline="bottom", dy=-6, fontSize=11)
        .encode(text="label:N", x=alt.value(0), y=alt.value(0)).properties(name="optimum_readout"),
        alt.Chart(alt.NamedData("teachers")).transform_filter("datum.M_TE == M_TE")
        .transform_calculate(label="'L_TE = ' + format(datum.loss, '.3~g') + ' (red, dashed)'")
        .mark_text(align="right", baseline="bottom", dy=-6, fontSize=11, color=red)
        .encode(text="label:N", x=alt.value(570), y=alt.value(0)).properties(name="teacher_readout"),
    ).properties(
        width=570, height=280,
        title=alt.Title(alt.ExprRef(f"'d = {D}, M_TE = ' + M_TE + ', M_ST = ' + {name} + "
                                    "' (blue; black: M_ST = \u221e, the kernel limit)'"), offset=34, **TITLE),
    )
    return chart


ENTRY = define_explorable(
    "ch03:student", controls=CONTROLS, data=student_data, chart=_chart, expected=student_expected,
    live_grid=_live_grid,
    caption="Pick a teacher and a student, then move \u03c4: the gold dot is the student at that "
            "time, the triangle its best time.")
