"""Chapter 9 explorable: where the teacher's error lies relative to the student, in both models.

``ch09:mechanism``. Part I (top; kernel-limit student, d = 16): the teacher's and the student's
errors stacked by harmonic degree (units of ``L_TE``), and the gain and misfit against ``tau``
(:func:`w2s_lib.synthesis.errors_by_degree_group`). Part II (bottom): a pure-bias teacher with
a share of its bias outside ``V_s`` and the student on ``N`` pseudo-labels
(:func:`w2s_lib.synthesis.bias_split`). A kernel reaches ``M_TE`` 8 .. 2048,
``log10 tau`` -2 .. 6, any share and ``N`` 12 .. 10^5.
"""

from __future__ import annotations

import altair as alt
import numpy as np

from ..synthesis import DEGREE_GROUPS, bias_split, book_profile, early_stopping_filter, errors_by_degree_group, filter_risks
from . import Control, define_explorable, records
from .style import COLORS, PALETTE, TITLE, power_labels

__all__ = ["ENTRY", "CONTROLS", "mechanism_data", "mechanism_expected"]

D = 16
_PARTS = ("inside V_s", "outside V_s", "student's noise")
_CURVE_TAUS = np.geomspace(1e-1, 1e4, 101)
CONTROLS = (
    Control("target", ("linear", "relu", "he2"), "linear", kind="radio", label="target",
            labels=("linear", "single ReLU", "degree-2 harmonic")),
    Control("M", (64, 256, 1024), 256, kind="radio", label="teacher width M_TE", reach=(8, 2048), log=True),
    Control("log_tau", tuple(round(-1 + 0.25 * i, 2) for i in range(21)), 1.0, label="log10 \u03c4 (stop)",
            reach=(-2.0, 6.0)),
    Control("out", (0.0, 0.25, 0.5, 0.75, 1.0), 0.5, label="bias share outside V_s", reach=(0.0, 1.0)),
    Control("N", (20, 50, 200, 1000), 200, kind="radio", label="pseudo-labels N", reach=(12, 100_000), log=True),
)


def _stack(**keys):
    """Records of stacked segments: ``parts`` (name, values) bottom to top as ``lo``/``hi``."""
    name, vals = keys.pop("parts")
    hi = np.cumsum(vals)
    return records(**keys, **{name: list(_PARTS if name == "part" else DEGREE_GROUPS)}, lo=hi - vals, hi=hi)


def _part_one(target, M, log_tau, curve=True):
    teacher, student, r = errors_by_degree_group(target, D, M, 10.0 ** log_tau)
    L = r["L_TE"]
    out = {"p1_student": _stack(target=target, M=M, log_tau=log_tau, who="student", parts=("group", student)),
           "p1_now": records(target=target, M=M, log_tau=log_tau, tau=10.0 ** log_tau, gain=r["gain"] / L,
                             misfit=r["misfit"] / L, L_TE=L, L_ST=r["student_loss"])}
    if curve:
        p = book_profile(target, D, M)
        c = filter_risks(p, early_stopping_filter(p, _CURVE_TAUS))  # every time at once
        out["p1_teacher"] = _stack(target=target, M=M, who="teacher", parts=("group", teacher))
        out["p1_curve"] = records(target=target, M=M, tau=_CURVE_TAUS, gain=c["gain"] / L, misfit=c["misfit"] / L)
    return out


def _part_two(out, N):
    r, parts = bias_split(out, N)
    bars = [row for who in ("teacher", "student") for row in _stack(out=out, N=N, who=who, parts=("part", parts[who]))]
    return {"p2_bars": bars, "p2_readout": records(out=out, N=N, gain=r["gain"], misfit=r["misfit"])}


def mechanism_data(grid):
    """The figure's data sets over ``grid`` (every control name mapped to a tuple of values)."""
    data = {k: [] for k in ("p1_teacher", "p1_student", "p1_curve", "p1_now", "p2_bars", "p2_readout")}
    parts = [_part_one(t, M, lt, curve=(i == 0)) for t in grid["target"] for M in grid["M"]
             for i, lt in enumerate(grid["log_tau"])]
    parts += [_part_two(o, N) for o in grid["out"] for N in grid["N"]]
    for part in parts:
        for k, v in part.items():
            data[k] += v
    return data


def mechanism_expected(target="linear", M=256, log_tau=1.0, out=0.5, N=200):
    """The records of each named layer of ``ch09:mechanism`` at one setting, from :mod:`w2s_lib.synthesis`."""
    s = ENTRY.check_setting(target=target, M=M, log_tau=log_tau, out=out, N=N)
    one, two = _part_one(s["target"], s["M"], s["log_tau"]), _part_two(s["out"], s["N"])
    now = one["p1_now"]
    return {"teacher_bars": one["p1_teacher"], "student_bars": one["p1_student"], "gain_curve": one["p1_curve"],
            "misfit_curve": one["p1_curve"], "now_gain": now, "now_misfit": now, "now_rule": now, "p1_readout": now,
            "zero": [{"y": 0.0}], **two}


def _bars(name, data, at, field, domain, colors, ymax, title):
    x = alt.X("who:N", sort=["teacher", "student"], title=None, axis=alt.Axis(labelAngle=0),
              scale=alt.Scale(domain=["teacher", "student"]))
    color = alt.Color(f"{field}:N", sort=list(domain), scale=alt.Scale(domain=list(domain), range=list(colors)),
                      legend=alt.Legend(title=None, orient="bottom", columns=2))
    return (alt.Chart(alt.NamedData(data)).transform_filter(at).mark_bar(size=44, clip=True)
            .encode(x=x, y=alt.Y("lo:Q", title=title, scale=alt.Scale(domain=[0, ymax])), y2="hi:Q", color=color,
                    tooltip=[f"{field}:N", alt.Tooltip("lo:Q", format=".3~g"), alt.Tooltip("hi:Q", format=".3~g")])
            .properties(name=name))


def _readout(data, at, text, x):
    return (alt.Chart(alt.NamedData(data)).transform_filter(at).transform_calculate(text=text)
            .mark_text(align="center", baseline="bottom", fontSize=11, fontWeight="bold")
            .encode(x=alt.value(x), y=alt.value(-4), text="text:N"))


def _chart(_data):
    at_teacher = "datum.target == target && datum.M == M"
    at = at_teacher + " && datum.log_tau == log_tau"
    groups = (DEGREE_GROUPS, (PALETTE[7], PALETTE[0], PALETTE[1], PALETTE[3]), 1.6, "error, in units of L_TE")
    left = alt.layer(_bars("teacher_bars", "p1_teacher", at_teacher, "group", *groups),
                     _bars("student_bars", "p1_student", at, "group", *groups)).properties(
        width=190, height=230, title=alt.Title("Part I: error by degree", subtitle="(clipped above 1.6)", **TITLE))
    x = alt.X("tau:Q", scale=alt.Scale(type="log", domain=[0.1, 1e4]), title="\u03c4 = \u03bb\u2081t",
              axis=alt.Axis(labelExpr=power_labels()))
    ys = alt.Scale(domain=[-0.6, 1.2])
    y = alt.Y("gain:Q", scale=ys, title="units of L_TE")
    curve = alt.Chart(alt.NamedData("p1_curve")).transform_filter(at_teacher)
    now = alt.Chart(alt.NamedData("p1_now")).transform_filter(at)
    right = alt.layer(
        alt.Chart(alt.Data(values=({"y": 0.0},))).mark_rule(color=COLORS["rest"]).encode(y="y:Q").properties(name="zero"),
        curve.mark_line(color=COLORS["student"], strokeWidth=2, clip=True).encode(x, y).properties(name="gain_curve"),
        curve.mark_line(color=COLORS["teacher"], strokeWidth=2, strokeDash=[5, 3], clip=True)
        .encode(x, alt.Y("misfit:Q", scale=ys)).properties(name="misfit_curve"),
        now.mark_rule(color=COLORS["marker"]).encode(x).properties(name="now_rule"),
        now.mark_point(filled=True, size=70, color=COLORS["student"], clip=True).encode(x, y).properties(name="now_gain"),
        now.mark_point(filled=True, size=70, color=COLORS["teacher"], shape="square", clip=True)
        .encode(x, alt.Y("misfit:Q", scale=ys)).properties(name="now_misfit"),
        _readout("p1_now", at, "'L_TE = ' + format(datum.L_TE, '.3~g') + ', L_ST = ' + format(datum.L_ST, '.3~g') + "
                 "(datum.gain >= datum.misfit ? ': gain \u2265 misfit' : ': gain < misfit')", 120)
        .properties(name="p1_readout"),
    ).properties(width=240, height=230, title=alt.Title("gain (solid) and misfit (dashed)", subtitle=" ", **TITLE))
    at2 = "datum.out == out && datum.N == N"
    bottom = alt.layer(
        _bars("p2_bars", "p2_bars", at2, "part", _PARTS, (PALETTE[0], PALETTE[3], PALETTE[1]), 0.6, "excess risk"),
        _readout("p2_readout", at2, "'gain = ' + format(datum.gain, '.3~g') + ', misfit = ' + "
                 "format(datum.misfit, '.3~g')", 95).properties(name="p2_readout"),
    ).properties(width=190, height=200, title=alt.Title("Part II: a pure-bias teacher (error 0.3)", subtitle=" ",
                                                        **TITLE))
    top = alt.hconcat(left, right, spacing=30).resolve_scale(color="independent")
    return alt.vconcat(top, bottom, spacing=20).resolve_scale(color="independent").properties(
        autosize=alt.AutoSizeParams(type="pad", resize=True))


ENTRY = define_explorable(
    "ch09:mechanism", controls=CONTROLS, data=mechanism_data, chart=_chart, expected=mechanism_expected,
    live_grid=lambda setting: {k: (v,) for k, v in setting.items()},
    caption="Stop the student earlier or later and see which degrees of the teacher's error it keeps; switch the "
            "target to a ReLU to see the filter take the target's high degrees along with the error; move the "
            "Part II teacher's bias out of V_s.")
