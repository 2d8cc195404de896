"""Figures of chapter 6 (subspace variance) and chapter 7 (digits).

Every number drawn here comes from :mod:`w2s_lib.subspace` and
:mod:`w2s_lib.real_data`; this module only arranges it (the interactive figures of
both chapters are explorables: :mod:`w2s_lib.explorables.subspace` and
:mod:`w2s_lib.explorables.real_data`).

Conventions: the four models always carry the same colours (:data:`COLORS`);
theory is drawn as lines, simulation as points with error bars on top.
"""

from __future__ import annotations

import functools

import numpy as np

from .real_data import DIGITS_N, DIGITS_OVERLAPS, digits_kpca_basis, digits_point
from .real_data import DIGITS_SETTINGS as DIGITS
from .subspace import RISK_KEYS, make_theta, regime_from_risks, simulate_subspace, subspace_risks, sweep_subspace

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


#: The three regimes of the Monte Carlo check (``d_s = 10, d_w = 20, n = 100, N = 200``):
#: pure variance, a mixed ground truth, and a bias-dominated one.
MC_CASES = (
    ("pure variance", dict(d_sw=5, sigma2=1.0), dict(shared=0.0)),
    ("mixed", dict(d_sw=5, sigma2=1.0), dict(shared=1.0, s_only=0.5, w_only=0.5, outside=0.2)),
    ("bias-dominated", dict(d_sw=3, sigma2=0.05), dict(shared=1.0, outside=2.0)),
)


def mc_vs_exact(trials=4000, seed=20, *, d_s=10, d_w=20, n=100, N=200, cases=MC_CASES):
    """Monte Carlo against the exact formula for the four risks in several regimes.

    Case ``i`` is simulated with seed ``seed + i``.

    Returns
    -------
    list of dict
        One row per (case, model): ``"case"``, ``"model"``, ``"exact"``, ``"mc"``,
        ``"se"`` and ``"z" = (mc - exact) / se``.
    """
    rows = []
    for i, (name, kw, energies) in enumerate(cases):
        theta = make_theta(d_s, d_w, kw["d_sw"], **energies)
        args = dict(d_s=d_s, d_w=d_w, n=n, N=N, theta=theta, **kw)
        exact = subspace_risks(**args)
        mc = simulate_subspace(**args, trials=trials, seed=seed + i)
        for key in RISK_KEYS:
            rows.append({"case": name, "model": key, "exact": exact[key], "mc": mc[key],
                         "se": mc[key + "_se"], "z": (mc[key] - exact[key]) / mc[key + "_se"]})
    return rows


def copy_gap(d_s=10, d_w=5, n=100, N=200, sigma2=1.0, trials=200, seed=3):
    """Largest coefficient difference between student and teacher when ``W`` lies inside ``S``.

    With ``d_sw = d_w`` the weak coordinates ``W = [d_s - d_w, d_s)`` sit inside
    ``S``; the teacher's prediction is exactly representable by the student,
    which therefore reproduces it: zero on ``S \\ W`` and the teacher's
    coefficients on ``W``.

    Returns
    -------
    float
        ``max |student - (0, teacher)|`` over trials and coordinates.
    """
    theta = make_theta(d_s, d_w, d_w, shared=1.0, s_only=1.0 if d_s > d_w else 0.0)
    r = simulate_subspace(d_s, d_w, d_w, n, N, sigma2, theta, trials, seed, return_coefs=True)
    te, st = r["coefs"]["weak"], r["coefs"]["w2s"]
    k = d_s - d_w
    return float(max(np.max(np.abs(st[:, :k]), initial=0.0), np.max(np.abs(st[:, k:] - te))))


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
@functools.lru_cache(maxsize=16)
def variance_vs_N(d_s=10, d_w=20, d_sw=5, n=100, sigma2=1.0, N_values=(5, 8, 13, 16, 20, 25, 32, 50, 100,
                                                                        200, 500, 1000, 3000),
                  trials=1000, seed=0):
    """The student's variance over ``N`` (``theta = 0``, so risk = variance).

    Returns
    -------
    dict
        ``"N_mc"``, ``"mc"``, ``"mc_se"``: Monte Carlo W2S risk at ``N_values``;
        ``"N"``: dense grid with ``N > d_s + 1``; ``"exact"``, ``"asymptotic"``,
        ``"inherited"``, ``"discrepancy"``: the formula, the paper's ``d_s/N``
        form and the two parts of the exact variance; ``"weak"``: the teacher's
        risk.
    """
    theta = np.zeros(d_s + d_w - d_sw + 1)
    Ns = np.asarray(N_values, dtype=int)
    mc = [simulate_subspace(d_s, d_w, d_sw, n, int(N), sigma2, theta, trials, seed + i)
          for i, N in enumerate(Ns)]
    dense = np.unique(np.geomspace(d_s + 2, Ns.max(), 200).astype(int))
    ex = sweep_subspace({"N": dense}, d_s=d_s, d_w=d_w, d_sw=d_sw, n=n, N=int(dense[-1]), sigma2=sigma2,
                        theta=theta)
    return {"N_mc": Ns, "mc": np.array([m["w2s"] for m in mc]), "mc_se": np.array([m["w2s_se"] for m in mc]),
            "N": dense, "exact": ex["w2s"], "asymptotic": ex["w2s_asymptotic"],
            "inherited": ex["w2s_var_inherited"], "discrepancy": ex["w2s_var_discrepancy"],
            "weak": float(ex["weak"][0]), "d_s": d_s, "d_w": d_w, "d_sw": d_sw, "n": n, "sigma2": sigma2}


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
def ratio_sweep(param, dense, mc_values, *, d_s=10, d_w=20, d_sw=4, n=100, N=200, sigma2=1.0, theta=None,
                trials=1000, seed=0):
    """Exact PGR / OPR over a dense grid of ``param`` and Monte Carlo at ``mc_values``.

    Parameters
    ----------
    param : {"d_sw", "n", "N", "sigma2"}
    dense, mc_values : sequence
        Grid of the exact curves and of the Monte Carlo points.
    theta : array_like, optional
        Ground truth (default zero, length ``d_s + d_w + 1``).

    Returns
    -------
    dict
        ``"x"``, ``"pgr"``, ``"opr"`` and the four risks (exact, dense);
        ``"x_mc"``, ``"pgr_mc"``, ``"pgr_mc_se"``, ``"opr_mc"``, ``"opr_mc_se"``
        and the Monte Carlo risks ``"<key>_mc"``.
    """
    base = dict(d_sw=d_sw, n=n, N=N, sigma2=sigma2)
    theta = np.zeros(d_s + d_w + 1) if theta is None else np.asarray(theta, dtype=float)
    ex = sweep_subspace({param: list(dense)}, d_s=d_s, d_w=d_w, theta=theta, **base)
    out = {"param": param, "x": np.asarray(dense, dtype=float), "pgr": ex["pgr"], "opr": ex["opr"]}
    out.update({k: ex[k] for k in RISK_KEYS})
    out["w2s_bias"], out["w2s_variance"] = ex["w2s_bias"], ex["w2s_variance"]
    sims = []
    for i, v in enumerate(mc_values):
        kw = dict(base, **{param: v})
        sims.append(simulate_subspace(d_s, d_w, int(kw["d_sw"]), int(kw["n"]), int(kw["N"]), float(kw["sigma2"]),
                                      theta, trials, seed + i))
    out["x_mc"] = np.asarray(mc_values, dtype=float)
    for k in ("pgr", "opr"):
        out[k + "_mc"] = np.array([s[k] for s in sims])
        out[k + "_mc_se"] = np.array([s[k + "_se"] for s in sims])
    for k in RISK_KEYS:
        out[k + "_mc"] = np.array([s[k] for s in sims])
        out[k + "_mc_se"] = np.array([s[k + "_se"] for s in sims])
    return out


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


def noise_sweep(theta, *, d_s=10, d_w=20, d_sw=5, n=100, N=200, dense=None,
                mc_values=(0.01, 0.1, 1.0, 10.0, 100.0), trials=1000, seed=0):
    """Risks over ``sigma2`` for a ground truth with signal (see :func:`ratio_sweep`).

    Adds ``"bias_dominated"`` and ``"beats_teacher"`` (from
    :func:`w2s_lib.regime_from_risks`) on the dense grid.
    """
    dense = np.geomspace(0.01, 100.0, 81) if dense is None else np.asarray(dense, dtype=float)
    out = ratio_sweep("sigma2", dense, mc_values, d_s=d_s, d_w=d_w, d_sw=d_sw, n=n, N=N, theta=theta,
                      trials=trials, seed=seed)
    reg = regime_from_risks({k: out[k] for k in (*RISK_KEYS, "w2s_bias", "w2s_variance")})
    out["bias_dominated"], out["beats_teacher"] = reg["bias_dominated"], reg["beats_teacher"]
    return out


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
@functools.lru_cache(maxsize=16)
def digits_grid(d_sw_values=DIGITS_OVERLAPS, n_values=DIGITS_N, target_components=None):
    """Every (overlap, n) pair of chapter 7's tables, as arrays of shape ``(len(n), len(d_sw))``.

    Returns
    -------
    dict
        ``"d_sw_nominal"``, ``"n"`` (the grid), and arrays ``"d_sw_measured"``,
        the four risks and their ``"_se"``, ``"pgr"``, ``"pgr_se"``, ``"opr"``,
        ``"opr_se"``, ``"<key>_theory"`` for the four risks, ``"pgr_theory"``,
        ``"opr_theory"``.
    """
    pts = [[digits_point(d, n, target_components) for d in d_sw_values] for n in n_values]
    keys = ["d_sw_measured", *RISK_KEYS, *(k + "_se" for k in RISK_KEYS), "pgr", "pgr_se", "opr", "opr_se"]
    out = {"d_sw_nominal": np.array(d_sw_values), "n": np.array(n_values)}
    for k in keys:
        out[k] = np.array([[p[k] for p in row] for row in pts], dtype=float)
    for k in (*RISK_KEYS, "pgr", "opr"):
        out[k + "_theory"] = np.array([[p["theory"][k] for p in row] for row in pts], dtype=float)
    return out


def grid_row(grid, n):
    """The overlap sweep at one ``n`` out of :func:`digits_grid` (the layout of
    :func:`w2s_lib.digits_overlap_sweep`, for :func:`fig_digits_sweep`)."""
    idx = np.flatnonzero(grid["n"] == n)
    if idx.size == 0:
        raise ValueError(f"n must be one of {list(grid['n'])}, got {n!r}")
    i = int(idx[0])
    return {k: (v if k in ("d_sw_nominal", "n") else v[i]) for k, v in grid.items()}


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
