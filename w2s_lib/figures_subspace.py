"""Figures of chapter 6 (subspace variance) and chapter 7 (digits).

Every number drawn here comes from :mod:`w2s_lib.subspace` and
:mod:`w2s_lib.real_data`; this module only arranges it (the interactive figures of
both chapters are explorables: :mod:`w2s_lib.explorables.subspace` and
:mod:`w2s_lib.explorables.real_data`).

Conventions: the four models always carry the same colours (:data:`COLORS`);
theory is drawn as lines, simulation as points with error bars on top.
"""

from __future__ import annotations

import numpy as np

from .real_data import DIGITS_N, DIGITS_OVERLAPS, digits_grid, digits_kpca_basis, digits_point, grid_row
from .real_data import DIGITS_SETTINGS as DIGITS
from .subspace import MC_CASES, RISK_KEYS, copy_gap, mc_vs_exact, noise_sweep, ratio_sweep, variance_vs_N

__all__ = [
    "fmt",
    "COLORS",
    "LABELS",
    "DIGITS",
    "DIGITS_OVERLAPS",
    "DIGITS_N",
    "draw_layout",
    "MC_CASES",
    "mc_vs_exact",
    "copy_gap",
    "fig_setting",
    "variance_vs_N",
    "fig_variance_vs_N",
    "ratio_sweep",
    "fig_ratio_sweep",
    "noise_sweep",
    "fig_noise_sweep",
    "digits_point",
    "digits_grid",
    "grid_row",
    "fig_spectrum",
    "fig_digits_sweep",
]

COLORS = {"weak": "#d62728", "w2s": "#1f77b4", "strong_baseline": "#2ca02c", "strong_ceiling": "#9467bd"}
LABELS = {"weak": "weak teacher", "w2s": "W2S student", "strong_baseline": "strong baseline",
          "strong_ceiling": "strong ceiling"}
SHORT = {"weak": "weak", "w2s": "W2S", "strong_baseline": "baseline", "strong_ceiling": "ceiling"}


def fmt(x, digits=3, zero=1e-12):
    """Format a number at ``digits`` significant digits, printing round-off (``|x| < zero``) as ``0``.

    Quantities that vanish exactly in theory (e.g. the PGR of a student that copies its
    teacher) come out as ``1e-16``-sized round-off whose digits depend on the BLAS build;
    printing them as ``0`` keeps stored notebook outputs reproducible.
    """
    x = float(x)
    return "0" if abs(x) < zero else f"{x:.{digits}g}"


def _subplots(nrows=1, ncols=1, figsize=(7.0, 3.2), **kw):
    import matplotlib.pyplot as plt

    return plt.subplots(nrows, ncols, figsize=figsize, layout="constrained", **kw)


# ---------------------------------------------------------------------------
# chapter 6: the exact setting
# ---------------------------------------------------------------------------
def draw_layout(ax, d_s, d_w, d_sw, *, fontsize=8):
    """Draw the coordinate picture of ``V_s``, ``V_w``, their intersection and the discrepancy."""
    w0 = d_s - d_sw
    union = d_s + d_w - d_sw
    ax.barh(1, d_s, left=0, height=0.55, color="#9ecae1", edgecolor="k", lw=0.6)
    ax.barh(0, d_w, left=w0, height=0.55, color="#fcbba1", edgecolor="k", lw=0.6)
    if d_sw:
        ax.axvspan(w0, d_s, color="0.5", alpha=0.25, lw=0)
        ax.text(min(max(w0 + d_sw / 2, 0.15 * union), 0.85 * union), 1.45, f"Vs ∩ Vw\nd_sw = {d_sw}",
                ha="center", va="bottom", fontsize=fontsize)
    if d_w > d_sw:
        ax.text(min(max(d_s + (d_w - d_sw) / 2, 0.2 * union), 0.8 * union), -0.55, f"discrepancy Vw − Vs\n({d_w - d_sw} dims)",
                ha="center", va="top", fontsize=fontsize)
    wide = 0.35 * union
    ax.text(d_s / 2, 1, f"strong Vs ({d_s})" if d_s >= wide else "Vs", ha="center", va="center",
            fontsize=fontsize)
    ax.text(w0 + d_w / 2, 0, f"weak Vw ({d_w})" if d_w >= wide else "Vw", ha="center", va="center",
            fontsize=fontsize)
    ax.set_xlim(-0.5, union + 0.5)
    ax.set_ylim(-1.6, 2.7)
    ax.set_yticks([])
    ax.set_xlabel("coordinate of z", fontsize=fontsize)
    ax.tick_params(labelsize=fontsize)
    for side in ("left", "right", "top"):
        ax.spines[side].set_visible(False)


def fig_setting(d_s=10, d_w=20, d_sw_values=(0, 4, 10)):
    """Small multiples of the coordinate picture for several overlaps."""
    fig, axes = _subplots(1, len(d_sw_values), figsize=(9.0, 2.2))
    for ax, d_sw in zip(np.atleast_1d(axes), d_sw_values):
        draw_layout(ax, d_s, d_w, d_sw, fontsize=7)
        ax.set_xlim(-0.5, d_s + d_w + 0.5)
    return fig


# ---------------------------------------------------------------------------
# chapter 6: Monte Carlo vs exact vs asymptotic
# ---------------------------------------------------------------------------


def fig_variance_vs_N(data):
    """One figure: Monte Carlo variance, the exact formula and the ``d_s/N`` form over ``N``."""
    fig, ax = _subplots(figsize=(7.0, 3.6))
    d_s = data["d_s"]
    ax.axvspan(1, 2 * d_s + 1, color="0.88", lw=0)
    ax.text(data["N_mc"].min() * 0.85, 0.97, "$N < 2d_s+1$: the student\namplifies the teacher's\nvariance",
            transform=ax.get_xaxis_transform(), fontsize=7, va="top")
    ax.plot(data["N"], data["exact"], color=COLORS["w2s"], lw=2, label="exact formula")
    ax.plot(data["N"], data["asymptotic"], color="k", ls="--", lw=1.2, label="paper's large-$N$ form ($d_s/N$)")
    ax.plot(data["N"], data["inherited"], color=COLORS["w2s"], ls=":", lw=1.2,
            label="inherited part (on $V_s\\cap V_w$)")
    ax.axhline(data["weak"], color=COLORS["weak"], lw=1, label="weak teacher")
    ax.errorbar(data["N_mc"], data["mc"], yerr=2 * data["mc_se"], fmt="o", color="k", ms=4, capsize=2,
                label="Monte Carlo W2S (±2 SE)")
    ax.axvline(d_s, color="0.4", lw=0.8, ls="-.")
    ax.text(d_s * 1.05, 0.6, "$N=d_s$\n(interpolation\npeak)", transform=ax.get_xaxis_transform(), fontsize=7)
    ax.set_xscale("log")
    ax.set_yscale("log")
    ax.set_xlim(data["N_mc"].min() * 0.8, data["N_mc"].max() * 1.25)
    ax.set_ylim(0.5 * float(np.min(data["inherited"])), 30 * data["weak"])
    ax.set_xlabel("unlabelled samples $N$")
    ax.set_ylabel("W2S excess risk (= variance)")
    ax.legend(fontsize=7, loc="upper right")
    return fig


# ---------------------------------------------------------------------------
# chapter 6: PGR / OPR sweeps
# ---------------------------------------------------------------------------


_XLABEL = {"d_sw": "shared dimension $d_{sw}$", "n": "labelled samples $n$", "N": "unlabelled samples $N$",
           "sigma2": "label noise $\\sigma^2$"}


def fig_ratio_sweep(data, *, logx=False, marks=None, pgr_ylim=None):
    """PGR (left) and OPR (right): exact curves with Monte Carlo points (±2 SE).

    ``marks``: x positions marked by dotted vertical lines; ``pgr_ylim``: optional
    ``(low, high)`` of the PGR axis (PGR diverges where the teacher-ceiling gap closes).
    """
    fig, axes = _subplots(1, 2, figsize=(8.0, 3.0))
    for ax, k, ref in zip(axes, ("pgr", "opr"), (1.0, 1.0)):
        ax.plot(data["x"], data[k], color=COLORS["w2s"], lw=2, label="exact")
        ax.errorbar(data["x_mc"], data[k + "_mc"], yerr=2 * data[k + "_mc_se"], fmt="o", color="k", ms=4,
                    capsize=2, label="Monte Carlo (±2 SE)")
        ax.axhline(ref, color="0.5", lw=0.8, ls="--")
        if k == "pgr":
            ax.axhline(0.0, color="0.5", lw=0.8)
        for m in marks or ():
            ax.axvline(m, color="0.6", lw=0.8, ls=":")
        if logx:
            ax.set_xscale("log")
        ax.set_xlabel(_XLABEL[data["param"]])
        ax.set_ylabel(k.upper())
    if pgr_ylim is not None:
        axes[0].set_ylim(*pgr_ylim)
    axes[0].legend(fontsize=7)
    return fig


def fig_noise_sweep(data):
    """Left: teacher vs student risk over ``sigma2`` (shaded where the student loses);
    right: the student's bias and variance."""
    fig, axes = _subplots(1, 2, figsize=(8.0, 3.0))
    x = data["x"]
    ax = axes[0]
    lose = ~data["beats_teacher"]
    if lose.any():
        ax.axvspan(x[lose].min(), x[lose].max(), color="0.88", lw=0)
        ax.text(x[lose].min() * 1.1, 0.92, "student worse\nthan teacher", transform=ax.get_xaxis_transform(),
                fontsize=7, va="top")
    for key in RISK_KEYS:
        ax.plot(x, data[key], color=COLORS[key], lw=1.8, label=LABELS[key])
        ax.errorbar(data["x_mc"], data[key + "_mc"], yerr=2 * data[key + "_mc_se"], fmt="o", color=COLORS[key],
                    mec="k", ms=4, capsize=2)
    ax.set_xscale("log")
    ax.set_yscale("log")
    ax.set_xlabel(_XLABEL["sigma2"])
    ax.set_ylabel("excess risk")
    ax.legend(fontsize=7, loc="lower right")
    ax = axes[1]
    ax.plot(x, data["w2s_bias"], color=COLORS["w2s"], ls="--", lw=1.8, label="W2S bias")
    ax.plot(x, data["w2s_variance"], color=COLORS["w2s"], lw=1.8, label="W2S variance")
    ax.set_xscale("log")
    ax.set_yscale("log")
    ax.set_xlabel(_XLABEL["sigma2"])
    ax.legend(fontsize=7)
    return fig


# ---------------------------------------------------------------------------
# chapter 7: digits
# ---------------------------------------------------------------------------


def fig_spectrum(d_s=40, d_w=20, d_sw_values=(8, 17)):
    """Kernel-PCA spectrum of the digits with the strong block and two weak maps marked."""
    b = digits_kpca_basis()
    lam = b["eigenvalues"]
    fig, axes = _subplots(1, 2, figsize=(8.5, 3.0))
    ax = axes[0]
    j = np.arange(1, lam.size + 1)
    ax.semilogy(j, lam, color="k", lw=1)
    ax.axvspan(0.5, d_s + 0.5, color="#9ecae1", alpha=0.5, lw=0, label=f"strong map: top {d_s}")
    ax.set_xlabel("kernel-PCA component $j$")
    ax.set_ylabel("eigenvalue $\\lambda_j$")
    ax.legend(fontsize=7)
    ax = axes[1]
    for row, d_sw in enumerate(d_sw_values):
        cols = np.concatenate([np.arange(d_sw), np.arange(d_s, d_s + d_w - d_sw)])
        ax.scatter(cols + 1, np.full(cols.size, row), marker="s", s=14, color="#fc9272")
        ax.scatter(np.arange(1, d_s + 1), np.full(d_s, row + 0.3), marker="s", s=14, color="#6baed6")
    ax.set_yticks([r + 0.15 for r in range(len(d_sw_values))],
                  [f"nominal $d_{{sw}}={d}$" for d in d_sw_values])
    ax.set_xlabel("component index (blue: strong, red: weak)")
    ax.set_ylim(-0.6, len(d_sw_values) - 0.1)
    return fig


def fig_digits_sweep(sweeps, labels):
    """PGR (left) and OPR (right) against the measured ``d_sw``: experiment points, theory lines.

    ``sweeps`` are outputs of :func:`w2s_lib.digits_overlap_sweep` (one per target).
    """
    fig, axes = _subplots(1, 2, figsize=(8.5, 3.2))
    colors = ["#1f77b4", "#ff7f0e", "#2ca02c"]
    for s, lab, c in zip(sweeps, labels, colors):
        x = s["d_sw_measured"]
        for ax, k in zip(axes, ("pgr", "opr")):
            ax.plot(x, s[k + "_theory"], color=c, lw=1.6)
            ax.errorbar(x, s[k], yerr=2 * s[k + "_se"], fmt="o", color=c, mec="k", ms=4, capsize=2,
                        label=f"{lab}: digits (points) / theory (line)")
    for ax, k in zip(axes, ("PGR", "OPR")):
        ax.set_xlabel("measured $d_{sw}$")
        ax.set_ylabel(k)
    axes[0].axhline(0, color="0.5", lw=0.8)
    axes[1].axhline(1, color="0.5", lw=0.8, ls="--")
    axes[0].legend(fontsize=7)
    return fig
