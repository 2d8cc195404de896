"""Figures of chapter 8 (weak-to-strong between trained networks on digits).

Every number drawn here comes from :mod:`w2s_lib.trained_features` (the chapter's
experiment :data:`~w2s_lib.trained_features.CH8` and its cached points
:func:`~w2s_lib.trained_features.trained_point`, shared with the explorable
:mod:`w2s_lib.explorables.trained_networks`); this module only arranges it.
Conventions as in :mod:`w2s_lib.figures_subspace`: the four models keep their colours,
theory is drawn as lines, experiment as points with error bars (one standard error).
"""

from __future__ import annotations

import numpy as np

from . import trained_features as tf
from .figures_subspace import COLORS, _subplots, fmt
from .trained_features import CH8
from .trained_features import _trained_point as _point  # noqa: F401 - its cache (cleared by benchmarks/)
from .trained_features import sweep, trained_point as point

__all__ = [
    "CH8",
    "N_VALUES",
    "N_DIP",
    "n_VALUES",
    "SIGMA2_VALUES",
    "point",
    "sweep",
    "fig_spectra",
    "fig_overlaps",
    "fig_N_sweep",
    "fig_n_noise",
    "fmt",
]

#: Unlabelled sample sizes of the N sweep (n = 100).
N_VALUES = (70, 100, 150, 200, 300, 400, 550)
#: Sample sizes around the strong dimension (the interpolation dip).
N_DIP = (16, 24, 28, 31, 33, 35, 38, 42, 50, 70, 100, 200, 550)
#: Labelled sample sizes of the n sweep (N = 400).
n_VALUES = (40, 60, 80, 100, 150, 200, 250)
#: Injected noise variances.
SIGMA2_VALUES = (0.0, 0.5, 1.0, 2.0, 4.0)


# ---------------------------------------------------------------------------
# figures
# ---------------------------------------------------------------------------
def _cumulative_share(F):
    Fc = F - F.mean(axis=0)
    s2 = np.linalg.svd(Fc, compute_uv=False) ** 2
    return np.cumsum(s2) / s2.sum()


def fig_spectra(thresholds=(0.8, 0.9, 0.95, 0.99)):
    """Cumulative share of variance of each model's hidden activations, with the thresholds."""
    rep = tf.trained_representations(CH8["threshold"], CH8["digit"])
    fig, ax = _subplots(figsize=(6.4, 3.0))
    for key, raw, color, name in (("strong", rep["raw_strong"], COLORS["strong_baseline"], "strong (64 units)"),
                                  ("weak", rep["raw_weak"], COLORS["weak"], "weak (16 units)")):
        share = _cumulative_share(raw)
        ax.plot(np.arange(1, share.size + 1), share, "o-", ms=3, color=color, label=name)
        dims = tf.intrinsic_dimension_profile(raw, thresholds)
        for t, d in zip(thresholds, dims):
            ax.plot([d], [share[d - 1]], "s", ms=6, mfc="none", color=color)
    for t in thresholds:
        ax.axhline(t, color="0.7", lw=0.8, ls=":")
    _log_x(ax, (1, 2, 5, 10, 20, 50))
    ax.set_xlabel("number of principal directions $k$")
    ax.set_ylabel("share of variance")
    ax.set_ylim(0.0, 1.02)
    ax.legend(frameon=False, loc="lower right", fontsize=8)
    ax.set_title("dimension at a threshold = smallest $k$ whose share reaches it (squares)", fontsize=9)
    return fig


def fig_overlaps(naive, sample_space, random_value, d_w):
    """Naive overlaps over relabellings (histogram) against the sample-space overlap and ``d_s d_w / D``."""
    fig, ax = _subplots(figsize=(6.4, 2.8))
    ax.hist(naive, bins=20, color="0.65", label="naive recipe, units relabelled")
    ax.axvline(random_value, color="black", ls="--", label=r"random subspaces $d_s d_w / D$")
    ax.axvline(sample_space, color=COLORS["w2s"], lw=2.5, label="sample space (any relabelling)")
    ax.axvline(d_w, color=COLORS["weak"], lw=1, ls=":", label=r"$d_w$ (weak inside strong)")
    ax.set_xlim(0, d_w + 0.5)
    ax.set_xlabel(r"measured overlap $d_{sw}$")
    ax.set_ylabel("relabellings")
    ax.legend(frameon=False, fontsize=7.5, loc="upper left")
    return fig


def _log_x(ax, ticks):
    """Log x axis with plain tick labels at ``ticks`` (no minor labels)."""
    from matplotlib.ticker import NullFormatter

    ax.set_xscale("log")
    ax.set_xticks(list(ticks))
    ax.set_xticklabels([f"{t:g}" for t in ticks])
    ax.xaxis.set_minor_formatter(NullFormatter())


def _errorbar(ax, x, y, se, color, label=None, **kw):
    ax.errorbar(x, y, yerr=se, fmt="o", ms=4, color=color, capsize=2, label=label, **kw)


def fig_N_sweep(dip, curve, d_s):
    """Left: risks near the interpolation threshold N = d_s. Right: PGR and OPR against N, theory as lines."""
    fig, axes = _subplots(1, 3, figsize=(9.6, 3.0))
    ax = axes[0]
    N = dip["N"]
    _errorbar(ax, N, dip["w2s"], dip["w2s_se"], COLORS["w2s"], "W2S (experiment)")
    ok = np.isfinite(dip["w2s_theory"])
    ax.plot(N[ok], dip["w2s_theory"][ok], color=COLORS["w2s"], lw=1.2, label="W2S (theory)")
    ax.axhline(np.mean(dip["weak"]), color=COLORS["weak"], ls="--", lw=1, label="weak teacher")
    ax.axvline(d_s, color="0.5", ls=":", lw=1)
    ax.set_yscale("log")
    _log_x(ax, (20, 50, 100, 200, 500))
    ax.set_xlabel("teacher-labelled images $N$")
    ax.set_ylabel("held-out risk")
    ax.set_title(f"dip at $N \\approx d_s = {d_s}$", fontsize=9)
    ax.legend(frameon=False, fontsize=7)
    for ax, key, name in ((axes[1], "pgr", "PGR"), (axes[2], "opr", "OPR")):
        x = curve["N"]
        _errorbar(ax, x, curve[key], curve[key + "_se"], "black", "experiment")
        ax.plot(x, curve[key + "_theory"], color=COLORS["w2s"], lw=1.5, label="theory")
        ax.axhline(0.0 if key == "pgr" else 1.0, color="0.7", lw=0.8)
        _log_x(ax, (100, 200, 400))
        ax.set_xlabel("teacher-labelled images $N$")
        ax.set_ylabel(name)
        ax.legend(frameon=False, fontsize=7)
    return fig


def fig_n_noise(by_n, by_noise):
    """PGR and OPR against n (N = 400) and against the injected noise variance (n = 100)."""
    fig, axes = _subplots(1, 2, figsize=(8.0, 3.0))
    for ax, data, param, xlabel in ((axes[0], by_n, "n", "labelled images $n$"),
                                    (axes[1], by_noise, "sigma2", r"injected noise variance $\sigma^2$")):
        x = data[param]
        _errorbar(ax, x, data["pgr"], data["pgr_se"], "black", "PGR")
        ax.plot(x, data["pgr_theory"], color="black", lw=1.2)
        twin = ax.twinx()
        _errorbar(twin, x, data["opr"], data["opr_se"], COLORS["strong_baseline"], "OPR")
        twin.plot(x, data["opr_theory"], color=COLORS["strong_baseline"], lw=1.2)
        twin.axhline(1.0, color=COLORS["strong_baseline"], lw=0.6, ls=":")
        ax.set_xlabel(xlabel)
        ax.set_ylabel("PGR (black)")
        twin.set_ylabel("OPR (green)", color=COLORS["strong_baseline"])
        if param == "n":
            twin.set_yscale("log")
    return fig

