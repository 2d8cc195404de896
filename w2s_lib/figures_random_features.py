"""The static figures of Part I, chapters 1-3 (setup, teacher, student), drawn by matplotlib.

Every number drawn here comes from the numerics modules (:mod:`w2s_lib.random_features`,
:mod:`w2s_lib.harmonics`, :mod:`w2s_lib.teacher`, :mod:`w2s_lib.student`,
:mod:`w2s_lib.early_stopping`); this module only composes them and draws. Each ``draw_*``
function draws into a given matplotlib ``Axes``. The chapters' interactive figures are
explorables (:mod:`w2s_lib.explorables`), not drawn here.

Seeding conventions (fixed, so a chapter re-run prints identical numbers):

* features drawn in chapter 1 for ``(d, M, seed)``: ``sample_sphere(M, d, seed)``;
* teacher of width ``M`` and seed ``s``: :func:`w2s_lib.teacher.teacher_weights`,
  ``sample_sphere(M, d, default_rng([s, M]))`` (also the ledger's convention);
* student of width ``M`` and seed ``s``: :func:`w2s_lib.student.student_weights`,
  ``sample_sphere(M, d, default_rng([s + 100, M]))``
  (the rule is stated once, in :func:`w2s_lib.student.teacher_and_student`).
"""

from __future__ import annotations

import numpy as np

from .early_stopping import student_stopping
from .harmonics import low_degree_count
from .random_features import (KERNEL_THETAS, exact_kernel_on_circle, finite_kernel_on_circle, gram_spectrum_check,
                              great_circle, kernel_gap, monte_carlo_gram, monte_carlo_target_correlation,
                              relu_features, sample_sphere)
from .student import STUDENT_TAUS, gd_check, student_curve, student_weights, student_width as _mst
from .teacher import (cached_teacher, geometric_mean_over_seeds, teacher_error_by_degree, teacher_error_split,
                      teacher_local_slopes, teacher_losses, teacher_weights)

__all__ = [
    # chapter 1
    "great_circle", "finite_kernel_on_circle", "exact_kernel_on_circle", "kernel_gap",
    "monte_carlo_gram", "monte_carlo_target_correlation", "gram_spectrum_check", "low_degree_count",
    "draw_features", "draw_kernel", "draw_kernel_convergence", "draw_monte_carlo_checks",
    "draw_spectrum",
    # chapter 2
    "teacher_weights", "cached_teacher", "teacher_losses", "teacher_error_by_degree",
    "teacher_error_split", "geometric_mean_over_seeds", "teacher_local_slopes", "draw_local_slopes", "draw_teacher_scaling", "draw_teacher_errors", "draw_error_split",
    # chapter 3
    "STUDENT_TAUS", "student_weights", "student_curve", "student_stopping",
    "gd_check", "draw_student_curves", "draw_gd_check",
    "CH01_D", "CH01_M", "CH02_D", "CH02_M", "CH02_SEEDS", "CH03_D", "CH03_MTE", "CH03_MST",
]

# Colours used consistently across chapters 1-3.
C_THEORY = "black"
C_SIM = "tab:blue"
C_TEACHER = "tab:red"
C_KERNEL = "black"

#: The chapters' configurations of the static figures.
CH01_D = (2, 3, 4, 8, 16, 32, 64)
CH01_M = tuple(2 ** k for k in range(0, 13))  # 1 .. 4096
CH02_D = (4, 8, 12, 16)
CH02_M = tuple(2 ** k for k in range(1, 10))  # 2 .. 512
CH02_SEEDS = tuple(range(5))
CH03_D = 32
CH03_MTE = (32, 64, 128, 256, 512)
CH03_MST = (4, 8, 16, 32, 64, 128, 256, 512, 1024, 0)  # 0 = infinity (the kernel limit)


def draw_features(ax, d, M, seed=0, n_show=8, thetas=None):
    """A few random features ``relu(w . x(theta))`` along a great circle.

    ``thetas``: the angles drawn (default 121 over ``[-pi, pi]``).
    """
    W = sample_sphere(M, d, seed)[:n_show]
    th = np.linspace(-np.pi, np.pi, 121) if thetas is None else np.asarray(thetas, dtype=float)
    F = relu_features(great_circle(d, th), W)
    ax.plot(th, F, lw=1)
    ax.set_xlabel(r"angle $\theta$ of $x$ on a great circle")
    ax.set_ylabel(r"$\phi_w(x)=\max(w\cdot x,0)$")
    ax.set_xlim(-np.pi, np.pi)
    ax.set_title(f"{min(M, n_show)} of the M = {M} features (d = {d})", fontsize="medium")


def draw_kernel(ax, d, M, seed=0):
    """Finite-width kernel ``K_M`` against the arc-cosine limit, normalised by ``K(0) = 1/(2d)``.

    Returns the largest absolute normalised gap over :data:`KERNEL_THETAS` (= :func:`kernel_gap`).
    """
    W = sample_sphere(M, d, seed)
    th = KERNEL_THETAS
    exact = exact_kernel_on_circle(d, th) * 2 * d
    fin = finite_kernel_on_circle(W, th) * 2 * d
    ax.plot(th, exact, color=C_THEORY, lw=2, label=r"$M=\infty$: $J(\theta)/\pi$")
    ax.plot(th, fin, color=C_SIM, lw=1.2, marker=".", ms=3, label=f"M = {M}")
    ax.set_xlabel(r"angle $\theta$ between $x$ and $x'$")
    ax.set_ylabel(r"$K(x,x')\,/\,K(x,x)$")
    ax.set_xlim(0, np.pi)
    ax.legend(fontsize="small", loc="upper right")
    gap = float(np.max(np.abs(fin - exact)))
    ax.set_title(f"kernel: largest gap {gap:.3g}", fontsize="medium")
    return gap


def draw_kernel_convergence(ax, d, m_values, seeds):
    """Largest kernel gap against ``M`` (every seed a dot, the mean a line) and ``M^{-1/2}``.

    Returns
    -------
    ndarray, shape (len(m_values), len(seeds))
    """
    m_values = np.asarray(m_values)
    gaps = np.array([[kernel_gap(d, int(m), int(s)) for s in seeds] for m in m_values])
    ax.loglog(np.repeat(m_values, gaps.shape[1]), gaps.ravel(), ".", color=C_SIM, ms=4, alpha=0.5)
    ax.loglog(m_values, gaps.mean(1), "-", color=C_SIM, lw=1.8, label=f"mean over {len(seeds)} seeds")
    ref = gaps.mean(1)[-1] * np.sqrt(m_values[-1] / m_values)
    ax.loglog(m_values, ref, "--", color=C_THEORY, lw=1.2, label=r"slope $-1/2$")
    ax.set_xlabel("number of features M")
    ax.set_ylabel(r"largest gap $|K_M - K|/K(0)$")
    ax.legend(fontsize="small")
    return gaps


def draw_monte_carlo_checks(ax_gram, ax_corr, d, n_samples, seed=0, n_angles=13):
    """Monte Carlo estimates (points, 2 standard errors) over the closed forms (lines).

    Left: ``E[phi_u phi_v] = J(theta)/(2 pi d)``; right: ``E[phi_w f*] = cos(theta)/(2 sqrt d)``.

    Returns
    -------
    dict
        ``z_gram``, ``z_corr``: largest ``|MC - exact| / SE`` of each panel.
    """
    th_line = np.linspace(0, np.pi, 121)
    th = np.linspace(0, np.pi, n_angles)
    mg, sg = monte_carlo_gram(d, th, n_samples, seed)
    exact_g = exact_kernel_on_circle(d, th)
    ax_gram.plot(th_line, exact_kernel_on_circle(d, th_line), color=C_THEORY, lw=1.5, label="closed form")
    ax_gram.errorbar(th, mg, yerr=2 * sg, fmt="o", ms=3, color=C_SIM, label=f"Monte Carlo, n = {n_samples}")
    ax_gram.set_xlabel(r"angle between $u$ and $v$")
    ax_gram.set_ylabel(r"$E[\phi_u(x)\phi_v(x)]$")
    ax_gram.legend(fontsize="small")
    mc, sc = monte_carlo_target_correlation(d, th, n_samples, seed)
    exact_c = np.cos(th) / (2 * np.sqrt(d))
    ax_corr.plot(th_line, np.cos(th_line) / (2 * np.sqrt(d)), color=C_THEORY, lw=1.5, label="closed form")
    ax_corr.errorbar(th, mc, yerr=2 * sc, fmt="o", ms=3, color=C_SIM, label="Monte Carlo")
    ax_corr.axhline(0, color="grey", lw=0.5)
    ax_corr.set_xlabel(r"angle between $w$ and $\beta$")
    ax_corr.set_ylabel(r"$E[\phi_w(x) f^\star(x)]$")
    ax_corr.legend(fontsize="small")
    return {"z_gram": _max_z(mg, exact_g, sg), "z_corr": _max_z(mc, exact_c, sc)}


def _max_z(est, exact, se):
    """Largest ``|est - exact| / se``; where ``se = 0`` (e.g. ``phi_u phi_{-u} = 0`` for every
    sample) the estimate is exact, and any gap there counts as infinitely many standard errors."""
    gap = np.abs(est - exact)
    z = np.where(se > 0, gap / np.where(se > 0, se, 1.0), np.where(gap > 1e-12, np.inf, 0.0))
    return float(np.max(z))


def draw_spectrum(ax, d, M, seed=0):
    """Eigenvalues of ``G/M`` (simulation) over the harmonic spectrum (theory)."""
    sim, theory = gram_spectrum_check(d, M, seed)
    r = np.arange(1, M + 1)
    ax.loglog(r, theory, color=C_THEORY, lw=1.5, drawstyle="steps-post",
              label=r"$\lambda_k$ repeated $h(d,k)$ times")
    ax.loglog(r, sim, ".", color=C_SIM, ms=3, label=f"eigenvalues of $G/M$, M = {M}")
    ax.set_xlabel("rank")
    ax.set_ylabel("eigenvalue")
    ax.legend(fontsize="small", loc="lower left")


# ---------------------------------------------------------------------------
# Chapter 2: the teacher
# ---------------------------------------------------------------------------


def draw_local_slopes(ax, d, m_values, seeds=CH02_SEEDS, color=C_TEACHER):
    """Local slopes of :func:`teacher_local_slopes` against width, with the harmonic counts."""
    mid, sl = teacher_local_slopes(d, m_values, seeds)
    ax.semilogx(mid, sl, "o-", color=color, ms=4, label=f"d = {d}")
    _mark_counts(ax, d, color, False)
    ax.axhline(0, color="grey", lw=0.5)
    ax.set_xlabel(r"teacher width $M_{\mathrm{TE}}$")
    ax.set_ylabel(r"local slope $d\log L_{\mathrm{TE}}/d\log M_{\mathrm{TE}}$")
    return mid, sl


def draw_teacher_scaling(ax, d, m_values, seeds, color=C_TEACHER, label_lines=True, label=None):
    """``L_TE`` against ``M_TE`` (log-log): every seed as a dot, geometric mean with min-max band,
    dotted line at ``1 + d`` (harmonics of degree ``<= 1``), dashed at the degree-``<= 2`` count.

    Returns
    -------
    ndarray, shape (len(m_values), len(seeds))
    """
    m_values = np.asarray(m_values)
    L = teacher_losses(d, m_values, seeds)
    gm = geometric_mean_over_seeds(L)
    ax.fill_between(m_values, L.min(1), L.max(1), color=color, alpha=0.15, lw=0)
    ax.loglog(np.repeat(m_values, L.shape[1]), L.ravel(), ".", color=color, ms=3, alpha=0.6)
    ax.loglog(m_values, gm, "-", color=color, lw=1.8, label=label or f"d = {d}")
    _mark_counts(ax, d, color, label_lines)
    ax.set_xlabel(r"teacher width $M_{\mathrm{TE}}$")
    ax.set_ylabel(r"teacher loss $L_{\mathrm{TE}}$")
    return L


def _mark_counts(ax, d, color, label_lines):
    n1, n2 = low_degree_count(d, 1), low_degree_count(d, 2)
    ax.axvline(n1, color=color, ls=":", lw=1)
    ax.axvline(n2, color=color, ls="--", lw=1)
    if label_lines:
        tr = ax.get_xaxis_transform()
        ax.text(n1, 0.03, f"1+d={n1} ", rotation=90, va="bottom", ha="right", fontsize="x-small",
                color=color, transform=tr)
        ax.text(n2, 0.03, f"deg<=2: {n2} ", rotation=90, va="bottom", ha="right", fontsize="x-small",
                color=color, transform=tr)


def draw_teacher_errors(ax, teacher, max_show=12):
    """Bar chart (log scale) of the teacher's error energy per degree (odd degrees >= 3 carry
    none and get no bar), the degrees beyond ``max_show`` lumped in a grey bar.

    Returns the share of ``L_TE`` in degrees ``>= 2``.
    """
    k_all, err_all, tail = teacher_error_by_degree(teacher, max_degree=max_show)
    k, err = k_all[: max_show + 1], err_all[: max_show + 1]
    rest = tail + float(err_all[max_show + 1:].sum())
    floor_ = max(teacher.loss * 1e-6, 1e-12)
    live = (k <= 2) | (k % 2 == 0)  # odd degrees >= 3: lambda_k = 0, no energy at all
    from matplotlib.colors import to_rgba

    n_live = int(live.sum())
    ax.bar(np.append(k[live], max_show + 2), np.maximum(np.append(err[live], rest), floor_),
           color=[to_rgba(C_TEACHER, 0.8)] * n_live + [to_rgba("grey", 0.7)])
    ax.set_yscale("log")
    ax.set_ylim(floor_, max(2.0 * teacher.loss, 2 * floor_))
    ax.axhline(teacher.loss, color="black", ls="--", lw=1)
    ax.set_xticks(list(range(0, max_show + 1, 2)) + [max_show + 2],
                  [str(j) for j in range(0, max_show + 1, 2)] + [f">{max_show}"])
    ax.set_xlabel("harmonic degree k")
    ax.set_ylabel("error energy in degree k")
    total = float(err_all.sum() + tail)
    frac = (float(err_all[2:].sum()) + tail) / total if total > 0 else 0.0
    # titles that change with the sliders are plain text: mathtext would be re-parsed at every redraw
    ax.set_title(f"L_TE = {teacher.loss:.3g} (dashed)\n{100 * frac:.3g}% of it in degrees k ≥ 2", fontsize="medium")
    return frac


def draw_error_split(ax, d, m_values, seed=0):
    """Stacked shares of ``L_TE`` by degree (1, 2, >= 3) against ``M_TE`` for one seed.

    Returns
    -------
    ndarray, shape (len(m_values), 4)
        Rows of :func:`teacher_error_split`.
    """
    m_values = np.asarray(m_values)
    sh = np.array([teacher_error_split(cached_teacher(d, int(m), seed)) for m in m_values])
    ax.stackplot(m_values, sh[:, 1], sh[:, 2], sh[:, 3] + sh[:, 0],
                 labels=["degree 1", "degree 2", "degree >= 4 (and 0)"],
                 colors=["tab:blue", "tab:orange", "tab:green"], alpha=0.8)
    ax.set_xscale("log")
    ax.set_xlim(m_values[0], m_values[-1])
    ax.set_ylim(0, 1)
    _mark_counts(ax, d, "black", False)
    ax.set_xlabel(r"teacher width $M_{\mathrm{TE}}$")
    ax.set_ylabel(r"share of $L_{\mathrm{TE}}$")
    ax.legend(fontsize="x-small", loc="center left")
    return sh


def _cmap():
    import matplotlib

    return matplotlib.colormaps["viridis"]


def draw_student_curves(ax, d, M_TE, m_st_values, seed=0, show_kernel=True, legend=True):
    """Student loss against ``tau`` (log-log) for several widths, the kernel limit and ``L_TE``.

    Returns
    -------
    dict
        ``M_ST -> curve`` (``None`` for the kernel limit) as drawn.
    """
    T = cached_teacher(d, M_TE, seed)
    ax.axhline(T.loss, color=C_TEACHER, lw=1.5, ls="--", label=r"teacher $L_{\mathrm{TE}}$")
    finite = [m for m in m_st_values if _mst(m) is not None]
    cmap = _cmap()
    drawn = {}
    for j, m in enumerate(finite):
        col = cmap(0.15 + 0.7 * j / max(len(finite) - 1, 1))
        drawn[m] = student_curve(d, M_TE, m, seed)
        ax.loglog(STUDENT_TAUS, drawn[m], color=col, lw=1.4, label=f"$M_{{ST}}$ = {m}")
    if show_kernel or any(_mst(m) is None for m in m_st_values):
        drawn[None] = student_curve(d, M_TE, None, seed)
        ax.loglog(STUDENT_TAUS, drawn[None], color=C_KERNEL, lw=2, label=r"$M_{ST}=\infty$ (kernel)")
    ax.set_xlabel(r"training time $\tau=\lambda_1 t$")
    ax.set_ylabel(r"student loss $L_{\mathrm{ST}}$")
    ax.set_xlim(STUDENT_TAUS[0], STUDENT_TAUS[-1])
    ax.set_ylim(0.3 * min(float(np.min(c)) for c in drawn.values()), 1.5)
    if legend:
        ax.legend(fontsize="x-small", loc="lower left")
    return drawn


def draw_gd_check(ax, d, M_TE, M_ST, seed=0):
    """Closed-form trajectory (line) with explicit gradient-descent iterates (points).

    Returns the largest relative gap ``|GD - closed form| / closed form`` at the points.
    """
    curve = student_curve(d, M_TE, M_ST, seed)
    t, gd, exact = gd_check(d, M_TE, M_ST, seed)
    ax.axhline(cached_teacher(d, M_TE, seed).loss, color=C_TEACHER, lw=1.5, ls="--",
               label=r"teacher $L_{\mathrm{TE}}$")
    ax.loglog(STUDENT_TAUS, curve, color=C_SIM, lw=1.5, label=f"closed form, $M_{{ST}}$ = {M_ST}")
    ax.loglog(t, gd, "o", ms=6, mfc="none", mec="black", label="explicit gradient descent")
    ax.set_xlabel(r"training time $\tau=\lambda_1 t$")
    ax.set_ylabel(r"student loss $L_{\mathrm{ST}}$")
    ax.set_xlim(STUDENT_TAUS[0], 1e4)
    ax.legend(fontsize="x-small", loc="lower left")
    return float(np.max(np.abs(gd - exact) / exact))
