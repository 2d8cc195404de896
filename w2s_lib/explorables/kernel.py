"""Chapter 1 explorable: random features and their kernel.

``ch01:kernel``. Controls: the dimension ``d`` and the number of features ``M``. The site
precomputes the grid :data:`D_GRID` x :data:`M_GRID` (91 settings); with a kernel, ``d``
reaches 2 .. 64 and ``M`` 1 .. 8192 (:func:`w2s_lib.explorables.live.explore`).

Left: the first ``min(M, 8)`` features ``relu(w . x(theta))`` along a great circle (features
``sample_sphere(M, d, 0)``, whose first rows do not depend on ``M``). Right: the finite kernel
``K_M(e_1, x(theta)) / K(0)`` against its limit ``J(theta) / pi``, with the largest gap.
"""

from __future__ import annotations

import altair as alt
import numpy as np

from ..random_features import (KERNEL_THETAS, exact_kernel_on_circle, finite_kernel_on_circle, great_circle,
                               kernel_gap, relu_features, sample_sphere)
from . import Control, define_explorable, packed, records
from .style import COLORS, PALETTE, TITLE

__all__ = ["ENTRY", "kernel_data", "kernel_expected", "N_SHOW", "FEATURE_THETAS", "D_GRID", "M_GRID"]

#: The site's grid of dimensions and widths.
D_GRID = (2, 3, 4, 8, 16, 32, 64)
M_GRID = tuple(2 ** k for k in range(0, 13))  # 1 .. 4096
#: Features drawn in the left panel.
N_SHOW = 8
#: Angles of the left panel: 61, 6 degrees apart. Each curve is a clipped sinusoid: a chord
#: over 6 degrees departs from it by at most 0.14% of its height.
FEATURE_THETAS = np.linspace(-np.pi, np.pi, 61)
FEATURE_THETAS.setflags(write=False)

CONTROLS = (
    Control("d", D_GRID, 8, kind="radio", label="dimension d", reach=(2, 64)),
    Control("M", M_GRID, 64, kind="select", label="features M", reach=(1, 8192), log=True),
)


def _features(d, M):
    """Values of the first ``min(M, N_SHOW)`` features on ``FEATURE_THETAS``, shape (n, 61)."""
    W = sample_sphere(M, d, 0)[:N_SHOW]
    return relu_features(great_circle(d, FEATURE_THETAS), W).T


def _kernels(d, M):
    """Normalised limit and finite kernels on ``KERNEL_THETAS`` (each shape (91,)), and the gap."""
    exact = exact_kernel_on_circle(d, KERNEL_THETAS) * 2 * d
    fin = finite_kernel_on_circle(sample_sphere(M, d, 0), KERNEL_THETAS) * 2 * d
    return exact, fin, kernel_gap(d, M, 0)


def kernel_expected(d=8, M=64):
    """What ``ch01:kernel`` shows at ``(d, M)``, straight from ``w2s_lib``.

    Parameters
    ----------
    d : int
        Dimension, 2 .. 64.
    M : int
        Number of features, 1 .. 8192.

    Returns
    -------
    dict
        ``features``: ``min(M, 8) * 61`` records ``{j, theta, phi}``; ``limit`` and ``finite``
        (and ``finite_points``): 91 records ``{theta, kernel}`` each; ``readout``: ``[{gap}]``.
    """
    d, M = ENTRY.check_setting(d=d, M=M).values()
    phi = _features(d, M)
    exact, fin, gap = _kernels(d, M)
    finite = [{"theta": float(t), "kernel": float(v)} for t, v in zip(KERNEL_THETAS, fin)]
    return {
        "features": [{"j": j, "theta": float(t), "phi": float(v)}
                     for j in range(phi.shape[0]) for t, v in zip(FEATURE_THETAS, phi[j])],
        "limit": [{"theta": float(t), "kernel": float(v)} for t, v in zip(KERNEL_THETAS, exact)],
        "finite": finite,
        "finite_points": finite,
        "readout": [{"gap": gap}],
    }


def kernel_data(grid):
    """The figure's data sets over ``grid`` (``{"d": (...), "M": (...)}``).

    ``features``: one record per (feature j, angle) with the value at every ``d`` in its own
    column ``phi_<d>`` (a change of d or M updates the same points in place); ``limit`` per
    d; ``finite`` (one packed curve) and ``gaps`` per (d, M).
    """
    phis = {d: _features(d, max(grid["M"])) for d in grid["d"]}  # the first N_SHOW rows: those of every M
    feats, limit, finite, gaps = [], [], [], []
    for j in range(min(N_SHOW, max(grid["M"]))):
        feats += records(j=j, theta=FEATURE_THETAS, **{f"phi_{d}": phis[d][j] for d in grid["d"]})
    for d in grid["d"]:
        for M in grid["M"]:
            exact, fin, gap = _kernels(d, M)
            finite.append(packed({"theta": KERNEL_THETAS, "kernel": fin}, d=d, M=M))
            gaps += records(d=d, M=M, gap=gap)
        limit += records(d=d, theta=KERNEL_THETAS, kernel=exact)
    return {"features": feats, "limit": limit, "finite": finite, "gaps": gaps}


def _chart(_data):
    at_d = "datum.d == d"
    at_dm = "datum.d == d && datum.M == M"
    left = alt.layer(
        alt.Chart(alt.NamedData("features")).transform_filter("datum.j < M")
        .transform_calculate(phi="datum['phi_' + d]")
        .mark_line(strokeWidth=1.2).encode(
            x=alt.X("theta:Q", scale=alt.Scale(domain=[-np.pi, np.pi], nice=False),
                    title="angle \u03b8 of x on a great circle"),
            y=alt.Y("phi:Q", title="\u03c6_w(x) = max(w\u00b7x, 0)"),
            color=alt.Color("j:N", scale=alt.Scale(domain=list(range(N_SHOW)), range=list(PALETTE)), legend=None),
        ).properties(name="features"),
    ).properties(
        width=260, height=220,
        title=alt.Title(alt.ExprRef("(M < 8 ? M : 8) + ' of the M = ' + M + ' features (d = ' + d + ')'"), **TITLE),
    )
    x_k = alt.X("theta:Q", scale=alt.Scale(domain=[0, np.pi], nice=False), title="angle \u03b8 between x and x\u2032")
    y_k = alt.Y("kernel:Q", title="K(x, x\u2032) / K(x, x)")
    finite = alt.Chart(alt.NamedData("finite")).transform_filter(at_dm).transform_flatten(["theta", "kernel"])
    right = alt.layer(
        alt.Chart(alt.NamedData("limit")).transform_filter(at_d)
        .mark_line(color=COLORS["theory"], strokeWidth=2.5).encode(x_k, y_k).properties(name="limit"),
        finite.mark_line(color=COLORS["simulation"], strokeWidth=1.2).encode(x_k, y_k).properties(name="finite"),
        finite.mark_circle(color=COLORS["simulation"], size=10, opacity=1).encode(x_k, y_k)
        .properties(name="finite_points"),
        alt.Chart(alt.NamedData("gaps")).transform_filter(at_dm)
        .transform_calculate(label="'largest gap ' + format(datum.gap, '.3~g')")
        .mark_text(align="right", baseline="top", dx=-6, dy=6, fontSize=12, color=COLORS["simulation"])
        .encode(text="label:N", x=alt.value(260), y=alt.value(0)).properties(name="readout"),
    ).properties(
        width=260, height=220,
        title=alt.Title("kernel: M features (blue), M = \u221e: J(\u03b8)/\u03c0 (black)", **TITLE),
    )
    return alt.hconcat(left, right).resolve_scale(color="independent").properties(
        autosize=alt.AutoSizeParams(type="pad", resize=True))  # axis labels widen with the data


ENTRY = define_explorable(
    "ch01:kernel", controls=CONTROLS, data=kernel_data, chart=_chart, expected=kernel_expected,
    caption="Choose M: from one feature to 4096 the blue kernel closes in on the black limit; "
            "change d: the normalised limit stays put.")
