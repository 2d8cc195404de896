"""Static figures of chapters 4 (early stopping) and 5 (limits).

Every number drawn here comes from the numerics modules (:mod:`w2s_lib.early_stopping`,
:mod:`w2s_lib.finite_data`, :mod:`w2s_lib.limits`); this module only picks the
configurations, caches them (``functools.lru_cache`` on hashable arguments) and draws.

Configurations (the same draws as the reproducibility ledger, :mod:`w2s_lib.ledger`)
--------------------------------------------------------------------------------------
* Teachers and students: the book's seeding rule, stated in
  :func:`w2s_lib.student.teacher_and_student` (teacher weights ``default_rng([s, M])``).  Chapter 4 main teacher: ``d = 32``, ``M_TE = 256``, seed 0.
* Finite unlabelled data (``SCIENCE`` item 8): ``d = 16``, ``M_TE = 128``, ``M_ST = 512`` with
  weights ``default_rng([s + 100, 512])``, samples seed ``1000 + s``.
* Strong student (item 6): ``d = 16``, ``M_TE = 64``, ``M_ST = 64, 256, 1024, infinity``, student
  weights ``default_rng([s + 100, M_ST])``.
* Chapter 5 sweeps: widths ``2 .. 1024`` (``d = 32``) or ``2 .. 512`` (``d = 8, 16``), seeds 0-2.

The interactive figures of these chapters are explorables (:mod:`w2s_lib.explorables.early_stopping`,
:mod:`w2s_lib.explorables.limits`); the finite-data configuration lives in :mod:`w2s_lib.finite_data`
and the chapter-5 width sweeps in :mod:`w2s_lib.limits` (re-exported here for the chapters).
"""

from __future__ import annotations

from functools import lru_cache

import numpy as np
from matplotlib.ticker import LogLocator, NullLocator

from .early_stopping import degree_learning_times, early_stop, loss_by_degree
from .finite_data import (FD, FD_TAU_GRID, N_VALUES, finite_data_student, finite_data_table, finite_data_teacher,
                          population_student as _population_student)
from .limits import (STRONG, SWEEP_D, SWEEP_SEEDS, exponent_limits, exponent_window, floor, overlap_floor,
                     strong_student_result, strong_student_table, sweep_widths, teacher_size_sweep, width_sweep)
from .student import student_trajectory, teacher_and_student
from .teacher import cached_teacher

__all__ = [
    "CH4_D", "CH4_M_TE", "TAU_GRID", "N_VALUES", "SWEEP_D", "SWEEP_SEEDS",
    "sweep_teacher", "sweep_widths", "width_sweep", "exponent_window",
    "finite_data_teacher", "finite_data_student", "finite_data_table", "FD_TAU_GRID",
    "draw_u_curve", "draw_degree_learned", "draw_degree_contributions", "draw_tau_star",
    "draw_finite_data_curves", "draw_finite_data_ratios", "draw_floors", "draw_finite_floors",
    "exponent_limits", "draw_exponent", "draw_ratio_vs_width",
    "finite_student", "draw_finite_students",
    "STRONG", "strong_student_result", "strong_student_table", "draw_strong_student",
]

CH4_D = 32
CH4_M_TE = 256
#: log time grid of the kernel-limit curves: far enough to see the climb back to L_TE.
TAU_GRID = np.logspace(-2, 17, 400)
_COLORS = {0: "tab:gray", 1: "tab:blue", 2: "tab:orange", 4: "tab:green", 6: "tab:red", 8: "tab:purple"}


# ----------------------------------------------------------------------------- numerics (cached)

#: The book's teacher (kept under this name for the chapters); :func:`w2s_lib.teacher.cached_teacher`.
sweep_teacher = cached_teacher


@lru_cache(maxsize=4)
def _kernel_curve(d, m, seed):
    T = cached_teacher(d, m, seed)
    k = student_trajectory(T)
    return T, k, k.loss(TAU_GRID), early_stop(k)


# ----------------------------------------------------------------------------- drawing helpers

def _sparse_log_ticks(axis, numticks=6):
    """At most ``numticks`` decade labels and no minor ticks (fast to render on long log ranges)."""
    axis.set_major_locator(LogLocator(base=10, numticks=numticks))
    axis.set_minor_locator(NullLocator())


def _style(ax, ylabel="population loss"):
    ax.set_xscale("log")
    _sparse_log_ticks(ax.xaxis, 8)
    ax.set_xlabel(r"$\tau = \lambda_1 t$")
    ax.set_ylabel(ylabel)
    ax.grid(alpha=0.3, which="major")


def draw_u_curve(ax, d=CH4_D, m=CH4_M_TE, seed=0, tau=None, show_floor=False, logy=True):
    """Kernel-limit loss curve with the teacher's loss, the optimum and (optionally) a marker at ``tau``."""
    T, k, curve, r = _kernel_curve(d, m, seed)
    ax.plot(TAU_GRID, curve, color="tab:blue", lw=2, label=r"student $L_{ST}(\tau)$, $M_{ST}=\infty$")
    ax.axhline(T.loss, color="k", ls="--", lw=1, label=rf"teacher $L_{{TE}}$ = {T.loss:.3g}")
    if show_floor:
        ax.plot(TAU_GRID, floor(TAU_GRID, T.loss), color="tab:red", ls=":", lw=1.5, label="floor")
    ax.plot([r.tau_star], [r.loss_star], "o", color="tab:green", ms=6,
            label=rf"$\tau^\star$ = {r.tau_star:.3g}, $L^\star$ = {r.loss_star:.3g}")
    if tau is not None:
        ax.axvline(tau, color="tab:purple", lw=1)
        ax.plot([tau], k.loss(tau).reshape(1), "s", color="tab:purple", ms=6)
    if logy:
        ax.set_yscale("log")
        _sparse_log_ticks(ax.yaxis)
        ax.set_ylim(max(0.3 * r.loss_star, 1e-6), 1.5)
    _style(ax)
    ax.legend(fontsize="x-small", loc="upper right")
    return T, k, r


@lru_cache(maxsize=8)
def finite_student(d, m_te, m_st, seed):
    """The book's student of width ``m_st`` of the teacher ``(d, m_te, seed)`` and its optimum."""
    _, traj = teacher_and_student(d, m_te, m_st, seed)
    return traj, early_stop(traj)


def draw_finite_students(ax, widths=(256, 1024), d=CH4_D, m=CH4_M_TE, seed=0):
    """Finite students (thin lines, one per width) over the kernel-limit U-curve of the same teacher."""
    colors = ["tab:orange", "tab:red", "tab:purple"]
    out = []
    for M, c in zip(widths, colors):
        traj, r = finite_student(d, m, M, seed)
        ax.plot(TAU_GRID, traj.loss(TAU_GRID), color=c, lw=1.2, label=rf"$M_{{ST}}$ = {M}")
        ax.plot([r.tau_star], [r.loss_star], "o", color=c, ms=4)
        out.append((M, traj, r))
    ax.legend(fontsize="x-small", loc="upper right")
    return out


def draw_degree_learned(ax, tau, d=CH4_D, m=CH4_M_TE, seed=0, degrees=(0, 1, 2, 4, 6, 8)):
    """Bars: fraction ``1 - exp(-tau/tau_k)`` of each degree learned by ``tau`` (kernel limit)."""
    _, k, _, _ = _kernel_curve(d, m, seed)
    learned = k.degree_learned(float(tau))
    tk = degree_learning_times(d, max(degrees))
    vals = [float(learned[j]) if j < learned.size else 0.0 for j in degrees]
    ax.bar(range(len(degrees)), vals, color=[_COLORS.get(j, "tab:gray") for j in degrees])
    ax.set_xticks(range(len(degrees)), [f"k={j}" for j in degrees], fontsize="small")
    for i, j in enumerate(degrees):  # the learning time of each degree, above its bar
        ax.text(i, min(vals[i], 1.0) + 0.03, f"{tk[j]:.1e}".replace("e+0", "e").replace("e-0", "e-"),
                ha="center", va="bottom", fontsize="x-small", rotation=90)
    ax.set_ylim(0, 1.45)
    ax.set_yticks([0, 0.5, 1.0])
    ax.set_ylabel("fraction of degree $k$ learned")
    ax.set_xlabel(r"degree $k$ ($\tau_k$ above each bar)", fontsize="small")
    return np.array(vals)


def draw_degree_contributions(ax, d=CH4_D, m=CH4_M_TE, seed=0, degrees=(0, 1, 2, 4, 6, 8)):
    """Loss contribution of each harmonic degree over time (kernel limit), log-log."""
    T = sweep_teacher(d, m, seed)
    deg, contrib = loss_by_degree(T, TAU_GRID)
    ax.plot(TAU_GRID, np.maximum(contrib.sum(0), 0), color="k", lw=2.5, alpha=0.35, label="total")
    for j in degrees:
        if j < deg.size - 1:
            lab = "degree 1 (signal)" if j == 1 else f"degree {j}"
            ax.plot(TAU_GRID, contrib[j], color=_COLORS.get(j, "tab:gray"), lw=1.5, label=lab)
    ax.set_yscale("log")
    _sparse_log_ticks(ax.yaxis)
    ax.set_ylim(1e-5, 1.5)
    _style(ax, "loss in degree $k$")
    ax.legend(fontsize="x-small", loc="lower left", ncol=2)
    return deg, contrib


def draw_tau_star(ax, d=32, seeds=SWEEP_SEEDS, m_min=16):
    """Optimal stopping time against the teacher width (every seed), with the degree-1/2 times."""
    r = width_sweep(d, tuple(seeds))
    keep = r.m_values >= m_min
    for j, s in enumerate(r.seeds):
        ax.plot(r.m_values[keep], r.tau_star[keep, j], "o-", ms=4, lw=1, alpha=0.8, label=f"seed {s}")
    tk = degree_learning_times(d, 2)
    ax.axhline(tk[1], color="tab:blue", ls=":", lw=1, label=r"$\tau_1 = 1$")
    ax.axhline(tk[2], color="tab:orange", ls=":", lw=1, label=rf"$\tau_2$ = {tk[2]:.3g}")
    ax.set_xscale("log", base=2)
    ax.set_yscale("log")
    _sparse_log_ticks(ax.yaxis)
    ax.set_xlabel(r"teacher width $M_{TE}$")
    ax.set_ylabel(r"optimal stopping time $\tau^\star$")
    ax.grid(alpha=0.3)
    ax.legend(fontsize="x-small")
    return r


def draw_finite_data_curves(ax, n_values=(200, 512, 2048), seed=0, tau=None):
    """Population loss of students trained on ``N`` samples, with the ``N = inf`` student and ``L_TE``."""
    T, _ = finite_data_teacher(seed)
    cmap = {N: c for N, c in zip(n_values, ["tab:orange", "tab:red", "tab:green", "tab:purple"])}
    for N in n_values:
        st, r, curve = finite_data_student(N, seed)
        ax.plot(FD_TAU_GRID, curve, color=cmap[N], lw=1.5, label=f"N = {N}")
        ax.plot([r.tau_star], [r.loss_star], "o", color=cmap[N], ms=5)
        if tau is not None:
            ax.axvline(tau, color="tab:purple", lw=1)
            ax.plot([tau], st.loss(tau).reshape(1), "s", color=cmap[N], ms=6)
    _, pr, pc = _population_student(seed)
    ax.plot(FD_TAU_GRID, pc, "k--", lw=1.2, label=r"$N=\infty$ (population)")
    ax.axhline(T.loss, color="gray", lw=1, label=rf"teacher $L_{{TE}}$ = {T.loss:.3g}")
    ax.set_yscale("log")
    _sparse_log_ticks(ax.yaxis)
    ax.set_ylim(0.3 * pr.loss_star, 3.0)
    _style(ax)
    ax.legend(fontsize="x-small", loc="upper right")


def draw_finite_data_ratios(ax, seeds=(0, 1), highlight=None):
    """Early-stopped and interpolating ``L/L_TE`` against ``N`` (every seed) with the ``N = inf`` limits."""
    tab = finite_data_table(seeds)
    for j, s in enumerate(seeds):
        kw = dict(ms=4, lw=1, alpha=0.85)
        ax.plot(tab["N"], tab["early"][:, j], "o-", color="tab:green",
                label="early-stopped" if j == 0 else None, **kw)
        ax.plot(tab["N"], tab["interp"][:, j], "s-", color="tab:red",
                label=r"interpolating ($\tau\to\infty$)" if j == 0 else None, **kw)
    ax.axhline(tab["pop_early"].mean(), color="tab:green", ls="--", lw=1, label=r"$N=\infty$, early-stopped")
    ax.axhline(tab["pop_final"].mean(), color="tab:red", ls="--", lw=1, label=r"$N=\infty$, $\tau\to\infty$")
    ax.axhline(1.0, color="k", lw=1, label="teacher")
    ax.axvline(FD["m_st"], color="gray", ls=":", lw=1)
    if highlight is not None:
        i = list(tab["N"]).index(highlight)
        ax.plot([highlight] * 2, [tab["early"][i, 0], tab["interp"][i, 0]], "D", color="tab:purple", ms=8,
                mfc="none", mew=2)
    ax.set_xscale("log")
    _sparse_log_ticks(ax.xaxis)
    ax.set_yscale("log")
    _sparse_log_ticks(ax.yaxis)
    ax.set_xlabel(r"unlabelled samples $N$ ($M_{ST}$ = 512, dotted)")
    ax.set_ylabel(r"$L_{ST} / L_{TE}$")
    ax.grid(alpha=0.3)
    ax.legend(fontsize="x-small", loc="upper left")
    return tab


def draw_floors(ax, d=32, widths=(2, 16, 64, 256, 1024), seed=0):
    """Kernel-limit curves of several teachers, each with its quadratic floor and ``L_TE^2``."""
    colors = ["tab:gray", "tab:purple", "tab:orange", "tab:blue", "tab:green"]
    out = []
    for m, c in zip(widths, colors):
        T = sweep_teacher(d, m, seed)
        k = student_trajectory(T)
        ax.plot(TAU_GRID, k.loss(TAU_GRID), color=c, lw=1.8, label=rf"$M_{{TE}}$={m}")
        fl = floor(TAU_GRID, T.loss)
        ax.plot(TAU_GRID, fl, color=c, ls=":", lw=1.3)
        ax.axhline(T.loss**2, color=c, ls="-.", lw=0.8, alpha=0.6)
        out.append((m, T.loss, k, fl))
    ax.set_yscale("log")
    _sparse_log_ticks(ax.yaxis)
    ax.set_ylim(3e-6, 1.5)
    _style(ax)
    ax.legend(fontsize="x-small", loc="lower left", ncol=2)
    return out


def draw_finite_floors(ax, d=32, m_te=128, widths=(256, 1024), seed=0):
    """Finite students and the kernel limit for one teacher, each over its own Cauchy-Schwarz floor."""
    T = sweep_teacher(d, m_te, seed)
    colors = ["tab:orange", "tab:red"]
    for M, c in zip(widths, colors):
        _, st = teacher_and_student(d, m_te, M, seed)
        ax.plot(TAU_GRID, st.loss(TAU_GRID), color=c, lw=1.8, label=rf"$M_{{ST}}$={M}")
        ax.plot(TAU_GRID, overlap_floor(st, TAU_GRID), color=c, ls=":", lw=1.3)
    k = student_trajectory(T)
    ax.plot(TAU_GRID, k.loss(TAU_GRID), color="tab:blue", lw=1.8, label=r"$M_{ST}=\infty$")
    ax.plot(TAU_GRID, floor(TAU_GRID, T.loss), color="tab:blue", ls=":", lw=1.3)
    ax.axhline(T.loss, color="k", ls="--", lw=1, label=r"$L_{TE}$")
    ax.axhline(T.loss**2, color="k", ls="-.", lw=0.8, label=r"$L_{TE}^2$")
    ax.set_yscale("log")
    _sparse_log_ticks(ax.yaxis)
    ax.set_ylim(0.3 * T.loss**2, 1.5)
    ax.set_xlim(1e-2, 1e6)
    _style(ax)
    ax.legend(fontsize="x-small", loc="lower left", ncol=2)
    return T


def draw_exponent(ax, d=32, m_lo=64, m_hi=1024, seeds=SWEEP_SEEDS, limits=None):
    """Log-log ``L_ST*`` against ``L_TE`` with the fit over ``[m_lo, m_hi]``, slopes 1.49 and 2 and the floor.

    ``limits`` (from :func:`exponent_limits`) fixes the axes; by default they fit this ``d``.
    """
    r = width_sweep(d, tuple(seeds))
    w = exponent_window(d, m_lo, m_hi, seeds)
    sel = w["mask"]
    ax.plot(r.teacher_loss[~sel].ravel(), r.student_loss[~sel].ravel(), "o", color="0.75", ms=4)
    ax.plot(r.teacher_loss[sel].ravel(), r.student_loss[sel].ravel(), "o", color="tab:blue", ms=5,
            label=r"$L_{ST}^\star$ (kernel limit)")
    x = np.geomspace(r.teacher_loss.min() * 0.7 if limits is None else limits["loss_x"][0], 1.0, 50)
    xs = r.teacher_loss[sel]
    xf = np.geomspace(xs.min(), xs.max(), 20)
    ax.plot(xf, np.exp(w["intercept"]) * xf ** w["slope"], "k-", lw=1.5, label=f"fit: slope {w['slope']:.3g}")
    x0 = float(np.exp(np.log(xs).mean()))
    y0 = float(np.exp(w["intercept"]) * x0 ** w["slope"])
    for a, ls in ((1.49, "--"), (2.0, "-.")):
        ax.plot(x, y0 * (x / x0) ** a, color="tab:gray", ls=ls, lw=1, label=f"slope {a:g}")
    ax.fill_between(x, 1e-12, x**2, color="tab:red", alpha=0.12, label=r"forbidden: $L < L_{TE}^2$")
    ax.plot(x, x, color="k", lw=0.8, alpha=0.5, label=r"no gain: $L_{ST}^\star = L_{TE}$")
    ax.set_xscale("log")
    _sparse_log_ticks(ax.xaxis)
    ax.set_yscale("log")
    _sparse_log_ticks(ax.yaxis)
    ax.set_xlim(x[0], 1.0)
    ax.set_ylim(*((0.3 * r.student_loss.min(), 1.0) if limits is None else limits["loss_y"]))
    ax.set_xlabel(r"teacher loss $L_{TE}$")
    ax.set_ylabel(r"early-stopped student $L_{ST}^\star$")
    ax.grid(alpha=0.3)
    ax.legend(fontsize="x-small", loc="upper left")
    return w


def draw_ratio_vs_width(ax, d=32, m_lo=64, m_hi=1024, seeds=SWEEP_SEEDS, limits=None):
    """``L_ST*/L_TE`` against ``M_TE`` (mean over seeds, min-max band); the chosen range highlighted.

    ``limits`` (from :func:`exponent_limits`) fixes the y axis; by default it fits this ``d``.
    """
    r = width_sweep(d, tuple(seeds))
    w = exponent_window(d, m_lo, m_hi, seeds)
    ax.fill_between(r.m_values, r.ratio.min(1), r.ratio.max(1), color="tab:blue", alpha=0.2)
    ax.plot(r.m_values, r.ratio.mean(1), "o-", color="0.6", ms=4)
    ax.plot(r.m_values[w["mask"]], r.ratio.mean(1)[w["mask"]], "o-", color="tab:blue", ms=5)
    ax.axvline(d, color="tab:red", ls=":", lw=1, label=rf"$M_{{TE}} = d$ = {d}")
    ax.axhline(1.0, color="k", lw=0.8)
    ax.set_xscale("log", base=2)
    ax.set_yscale("log")
    _sparse_log_ticks(ax.yaxis)
    ax.set_ylim(*((min(5e-4, 0.5 * r.ratio.min()), 1.5) if limits is None else limits["ratio_y"]))
    ax.set_xlabel(r"teacher width $M_{TE}$")
    ax.set_ylabel(r"$L_{ST}^\star / L_{TE}$")
    ax.grid(alpha=0.3)
    ax.legend(fontsize="x-small", loc="lower left")
    return r


def draw_strong_student(ax, seeds=SWEEP_SEEDS):
    """``L_ST*/L_TE`` against the student width (every seed) with the kernel limit and the ceilings."""
    tab = strong_student_table(seeds)
    m = tab["m_st"]
    for j in range(len(tuple(seeds))):
        ax.plot(m, tab["ratio"][:, j], "o", color="tab:blue", ms=4, alpha=0.6)
    ax.plot(m, tab["ratio"].mean(1), "-", color="tab:blue", lw=1.5, label=r"early-stopped $L_{ST}^\star/L_{TE}$")
    ax.plot(m, tab["ceiling"].mean(1), "s--", color="tab:gray", ms=4, lw=1,
            label=r"student's own ceiling $L_{\rm ceiling}/L_{TE}$")
    ax.axhspan(tab["kernel"].min(), tab["kernel"].max(), color="tab:green", alpha=0.3,
               label=r"kernel limit $M_{ST}=\infty$")
    ax.axhline(1.0, color="k", lw=1, label="teacher")
    ax.axvline(STRONG["m_te"], color="tab:red", ls=":", lw=1, label=rf"$M_{{ST}} = M_{{TE}}$ = {STRONG['m_te']}")
    ax.set_xscale("log", base=2)
    ax.set_yscale("log")
    _sparse_log_ticks(ax.yaxis)
    ax.set_ylim(0.5 * min(tab["ceiling"].min(), tab["kernel"].min()), 2.0)
    ax.set_xlabel(r"student width $M_{ST}$")
    ax.set_ylabel(r"loss / $L_{TE}$")
    ax.grid(alpha=0.3)
    ax.legend(fontsize="x-small", loc="lower left")
    return tab
