"""Chapter 1 explorable: random features and their kernel.

``ch01:kernel`` -- the twin of the chapter-1 widget (:func:`w2s_lib.figures_random_features.kernel_figure`).
Controls: the dimension ``d`` (:data:`~w2s_lib.figures_random_features.CH01_D`) and the number
of features ``M`` (:data:`~w2s_lib.figures_random_features.CH01_M`, 1 .. 4096), the widget's
slider values; all 91 settings are precomputed.

Left: the first ``min(M, 8)`` features ``relu(w . x(theta))`` along a great circle (features
``sample_sphere(M, d, 0)``, whose first rows do not depend on ``M``). Right: the finite kernel
``K_M(e_1, x(theta)) / K(0)`` against its limit ``J(theta) / pi``, with the largest gap.
"""

from __future__ import annotations

import altair as alt
import numpy as np

from .. import figures_random_features as F
from ..random_features import relu_features, sample_sphere
from . import Control, Explorable, inline, packed, records, register_explorable

__all__ = ["kernel_explorable", "kernel_expected", "N_SHOW", "FEATURE_THETAS"]

#: Features drawn in the left panel (as in :func:`w2s_lib.figures_random_features.draw_features`).
N_SHOW = 8
#: Angles of the left panel, those of the live widget
#: (:data:`~w2s_lib.figures_random_features.LIVE_FEATURE_THETAS`), shape (61,).
FEATURE_THETAS = F.LIVE_FEATURE_THETAS
_COLORS = ("#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b", "#e377c2", "#7f7f7f")


def _check(d, M):
    if d not in F.CH01_D:
        raise ValueError(f"d must be one of {list(F.CH01_D)}, got {d!r}")
    if M not in F.CH01_M:
        raise ValueError(f"M must be one of {list(F.CH01_M)}, got {M!r}")
    return int(d), int(M)


def _features(d, M):
    """Values of the first ``min(M, N_SHOW)`` features on ``FEATURE_THETAS``, shape (n, 61)."""
    W = sample_sphere(M, d, 0)[:N_SHOW]
    return relu_features(F.great_circle(d, FEATURE_THETAS), W).T


def _kernels(d, M):
    """Normalised limit and finite kernels on ``KERNEL_THETAS`` (each shape (91,)), and the gap."""
    th = F.KERNEL_THETAS
    exact = F.exact_kernel_on_circle(d, th) * 2 * d
    fin = F.finite_kernel_on_circle(sample_sphere(M, d, 0), th) * 2 * d
    return exact, fin, F.kernel_gap(d, M, 0)


def kernel_expected(d=8, M=64):
    """What ``ch01:kernel`` shows at ``(d, M)``, straight from ``w2s_lib``.

    Parameters
    ----------
    d : int
        One of :data:`~w2s_lib.figures_random_features.CH01_D`.
    M : int
        One of :data:`~w2s_lib.figures_random_features.CH01_M`.

    Returns
    -------
    dict
        ``features``: ``min(M, 8) * 61`` records ``{j, theta, phi}``; ``limit`` and ``finite``:
        91 records ``{theta, kernel}`` each; ``readout``: ``[{gap}]``.
    """
    d, M = _check(d, M)
    phi = _features(d, M)
    exact, fin, gap = _kernels(d, M)
    th = F.KERNEL_THETAS
    return {
        "features": [{"j": j, "theta": float(t), "phi": float(v)}
                     for j in range(phi.shape[0]) for t, v in zip(FEATURE_THETAS, phi[j])],
        "limit": [{"theta": float(t), "kernel": float(v)} for t, v in zip(th, exact)],
        "finite": [{"theta": float(t), "kernel": float(v)} for t, v in zip(th, fin)],
        "readout": [{"gap": gap}],
    }


@register_explorable("ch01:kernel", expected=kernel_expected)
def kernel_explorable() -> Explorable:
    """The chapter-1 explorable (see the module docstring)."""
    limit, finite, gaps = [], [], []
    th = F.KERNEL_THETAS
    # The feature curves: one record per (feature j, angle), holding the value at every d in
    # its own column phi_<d>; the chart picks the column of the current d.  Changing d or M
    # then updates the same 488 points in place (no records are removed and added, no packed
    # curve is unpacked in the browser), which was most of the time of those updates.
    phis = {d: _features(d, max(F.CH01_M)) for d in F.CH01_D}  # the first N_SHOW rows: those of every M
    feats = []
    for j in range(N_SHOW):
        feats += records(j=j, theta=FEATURE_THETAS, **{f"phi_{d}": phis[d][j] for d in F.CH01_D})
    for d in F.CH01_D:
        for M in F.CH01_M:
            exact, fin, gap = _kernels(d, M)
            finite.append(packed({"theta": th, "kernel": fin}, d=d, M=M))
            gaps += records(d=d, M=M, gap=gap)
        limit += records(d=d, theta=th, kernel=exact)

    c_d = Control("d", F.CH01_D, 8, kind="radio", label="dimension d")
    c_m = Control("M", F.CH01_M, 64, kind="select", label="features M")
    at_d = "datum.d == d"
    at_dm = "datum.d == d && datum.M == M"

    left = alt.layer(
        alt.Chart(inline(feats)).transform_filter("datum.j < M").transform_calculate(phi="datum['phi_' + d]")
        .mark_line(strokeWidth=1.2).encode(
            x=alt.X("theta:Q", scale=alt.Scale(domain=[-np.pi, np.pi], nice=False),
                    title="angle \u03b8 of x on a great circle"),
            y=alt.Y("phi:Q", title="\u03c6_w(x) = max(w\u00b7x, 0)"),
            color=alt.Color("j:N", scale=alt.Scale(domain=list(range(N_SHOW)), range=list(_COLORS)), legend=None),
        ).properties(name="features"),
    ).properties(
        width=260, height=220,
        title=alt.Title(alt.ExprRef("(M < 8 ? M : 8) + ' of the M = ' + M + ' features (d = ' + d + ')'"),
                        fontSize=12),
    )
    x_k = alt.X("theta:Q", scale=alt.Scale(domain=[0, np.pi], nice=False), title="angle \u03b8 between x and x\u2032")
    y_k = alt.Y("kernel:Q", title="K(x, x\u2032) / K(x, x)")
    right = alt.layer(
        alt.Chart(inline(limit)).transform_filter(at_d)
        .mark_line(color="black", strokeWidth=2.5).encode(x_k, y_k).properties(name="limit"),
        alt.Chart(inline(finite)).transform_filter(at_dm).transform_flatten(["theta", "kernel"])
        .mark_line(color="#1f77b4", strokeWidth=1.2).encode(x_k, y_k).properties(name="finite"),
        alt.Chart(inline(finite)).transform_filter(at_dm).transform_flatten(["theta", "kernel"])
        .mark_circle(color="#1f77b4", size=10, opacity=1).encode(x_k, y_k).properties(name="finite_points"),
        alt.Chart(inline(gaps)).transform_filter(at_dm)
        .transform_calculate(label="'largest gap ' + format(datum.gap, '.3~g')")
        .mark_text(align="right", baseline="top", dx=-6, dy=6, fontSize=12, color="#1f77b4")
        .encode(text="label:N", x=alt.value(260), y=alt.value(0)).properties(name="readout"),
    ).properties(
        width=260, height=220,
        title=alt.Title("kernel: M features (blue), M = \u221e: J(\u03b8)/\u03c0 (black)", fontSize=12),
    )
    chart = alt.hconcat(left, right).resolve_scale(color="independent").properties(
        autosize=alt.AutoSizeParams(type="pad", resize=True))  # axis labels widen with the data
    return Explorable("ch01:kernel", chart, [c_d, c_m],
                      caption="Choose M: from one feature to 4096 the blue kernel closes in on the black limit; "
                              "change d: the normalised limit stays put.")
