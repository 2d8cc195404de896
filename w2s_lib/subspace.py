"""Ridgeless weak-to-strong generalization in subspaces (Dong et al., 2025).

Setting (``SCIENCE.md``, Part B)
--------------------------------
Whitened latent input ``z ~ N(0, I_D)``, label ``y = theta . z + eps`` with
``eps ~ N(0, sigma2)``.  The strong features are the coordinates
``S = [0, d_s)``, the weak features ``W = [d_s - d_sw, d_s - d_sw + d_w)``, so
``|S n W| = d_sw``.  All fits are ridgeless (minimum-norm least squares):

* weak teacher: W-features, ``n`` labelled samples;
* W2S student: S-features, ``N`` fresh unlabelled samples labelled by the
  teacher's prediction;
* strong baseline: S-features, the same ``n`` true labels;
* strong ceiling: S-features, ``n + N`` true labels.

The excess risk of a linear predictor ``f(z) = b . z`` is
``ER = E (f - f*)^2 = |b - theta|^2`` (whitened ``z``), so every risk below is
a squared coefficient error.  ``PGR = (ER_w - ER_w2s) / (ER_w - ER_c)`` and
``OPR = ER_s / ER_w2s``.

Exact formulas (Gaussian design, ``n > max(d_s, d_w) + 1``, ``N > d_s + 1``),
with ``rho_s = |theta outside S|^2``, ``rho_w = |theta outside W|^2``,
``B = |theta outside S n W|^2`` and ``delta = |theta in W \\ S|^2``::

    ER_w   = rho_w + (sigma2 + rho_w) d_w / (n - d_w - 1)
    ER_s   = rho_s + (sigma2 + rho_s) d_s / (n - d_s - 1)
    ER_c   = rho_s + (sigma2 + rho_s) d_s / (n + N - d_s - 1)
    ER_w2s = B + (sigma2 + rho_w) / (n - d_w - 1) * [d_sw + (d_w - d_sw) d_s / (N - d_s - 1)]
               + delta d_s / (N - d_s - 1)

The paper's large-``N`` form replaces ``d_s / (N - d_s - 1)`` by ``d_s / N``:
the student *inherits* the teacher's variance on ``S n W`` and *reduces* it by
``d_s / N`` on the discrepancy ``W \\ S``.

General subspaces
-----------------
For orthonormal ``V_s`` (``D x d_s``) and ``V_w`` (``D x d_w``) the same
derivation goes through with projectors ``P_s = V_s V_s^T``, ``P_w = V_w V_w^T``
(derived for this library, checked by Monte Carlo in the tests):
the teacher's coefficient error is isotropic in expectation, so the variance
terms depend on the subspaces only through the *correlation dimension*
``d_sw = |V_s^T V_w|_F^2 = sum_i cos^2(angle_i)`` (any real value in
``[0, min(d_s, d_w)]``), while the bias terms become
``B = |theta - P_s P_w theta|^2``, ``delta = |(I - P_s) P_w theta|^2``,
``rho_s = |(I - P_s) theta|^2``, ``rho_w = |(I - P_w) theta|^2``.  For
coordinate subspaces these reduce to the definitions above.  See
:func:`subspace_risks_general`.
"""

from __future__ import annotations

import functools

import numpy as np

from ._blas import small_blas_call
from ._validation import check_array, check_choice, check_float, check_int, check_rng, check_resources

__all__ = [
    "theta_energies",
    "make_theta",
    "subspace_risks",
    "subspace_risks_from_energies",
    "subspace_risks_general",
    "simulate_subspace",
    "simulate_subspace_general",
    "correlation_dimension",
    "principal_cosines",
    "random_subspaces",
    "subspaces_with_principal_cosines",
    "sweep_subspace",
    "ratio_of_means_se",
    "regime_from_risks",
    "classify_regime",
    "RISK_KEYS",
    "GROUND_TRUTHS",
    "ground_truth",
    "ground_truth_energies",
    "SUBSPACE_CLAMPS",
    "clamp_subspace_params",
    "guarded_risks",
    "mc_trials_for",
    "ground_truth_mc",
    "MC_CASES",
    "mc_vs_exact",
    "copy_gap",
    "variance_vs_N",
    "ratio_sweep",
    "noise_sweep",
    "w2s_split_mc",
    "crossover_energy",
    "crossover_overlap",
]

#: The four models, in the order the book lists them.
RISK_KEYS = ("weak", "w2s", "strong_baseline", "strong_ceiling")

# Relative size below which the PGR / OPR denominators count as zero.
_DEGENERATE_RTOL = 1e-12


# ---------------------------------------------------------------------------
# argument checking
# ---------------------------------------------------------------------------
def _check_dims(d_s, d_w, d_sw):
    d_s = check_int(d_s, "d_s", low=1)
    d_w = check_int(d_w, "d_w", low=1)
    d_sw = check_int(d_sw, "d_sw", low=0, high=min(d_s, d_w))
    return d_s, d_w, d_sw


def _check_theta(theta, d_s, d_w, d_sw):
    theta = check_array(theta, "theta", ndim=1)
    need = d_s + d_w - d_sw
    if theta.shape[0] < need:
        raise ValueError(
            f"theta must have length D >= d_s + d_w - d_sw = {need} (it holds the ground truth "
            f"over S u W and beyond), got length {theta.shape[0]}"
        )
    return theta


def _check_exact_sizes(n, N, d_s, d_w):
    n = check_int(n, "n", low=1)
    N = check_int(N, "N", low=1)
    need_n = max(d_s, d_w) + 1
    if n <= need_n:
        raise ValueError(
            f"n must be > max(d_s, d_w) + 1 = {need_n} for the exact formula (the weak teacher and "
            f"the strong baseline need E tr (X^T X)^-1 finite), got n = {n}; "
            "use simulate_subspace for smaller n"
        )
    if N <= d_s + 1:
        raise ValueError(
            f"N must be > d_s + 1 = {d_s + 1} for the exact formula (the student's fit needs "
            f"E tr (X^T X)^-1 finite), got N = {N}; use simulate_subspace for smaller N "
            "(it fits the minimum-norm interpolator)"
        )
    return n, N


# ---------------------------------------------------------------------------
# ground truth helpers
# ---------------------------------------------------------------------------
def theta_energies(theta, d_s, d_w, d_sw):
    """Split ``|theta|^2`` into the energies the exact formulas need.

    Parameters
    ----------
    theta : array_like, shape (D,)
        Ground truth, ``D >= d_s + d_w - d_sw``.
    d_s, d_w, d_sw : int
        Strong, weak and shared dimensions (``0 <= d_sw <= min(d_s, d_w)``).

    Returns
    -------
    dict of float
        ``rho_s = |theta outside S|^2``, ``rho_w = |theta outside W|^2``,
        ``bias = |theta outside S n W|^2`` (the student's bias ``B``) and
        ``delta = |theta in W \\ S|^2``.
    """
    d_s, d_w, d_sw = _check_dims(d_s, d_w, d_sw)
    theta = _check_theta(theta, d_s, d_w, d_sw)
    return _energies(theta, d_s, d_w, d_sw)


def _energies(theta, d_s, d_w, d_sw):
    sq = theta**2
    total = float(sq.sum())
    w0 = d_s - d_sw
    in_s = float(sq[:d_s].sum())
    in_w = float(sq[w0 : w0 + d_w].sum())
    in_sw = float(sq[w0:d_s].sum())
    return {
        "rho_s": max(total - in_s, 0.0),
        "rho_w": max(total - in_w, 0.0),
        "bias": max(total - in_sw, 0.0),
        "delta": max(in_w - in_sw, 0.0),
    }


def make_theta(d_s, d_w, d_sw, *, shared=1.0, s_only=0.0, w_only=0.0, outside=0.0, D=None):
    """Build a ground truth with prescribed energy in each block.

    The energy of each block is spread evenly over its coordinates.

    Parameters
    ----------
    d_s, d_w, d_sw : int
        Strong, weak and shared dimensions.
    shared, s_only, w_only, outside : float, >= 0
        ``|theta|^2`` on ``S n W``, ``S \\ W``, ``W \\ S`` and outside ``S u W``.
        A block of dimension zero must get energy zero.
    D : int, optional
        Total dimension; default ``d_s + d_w - d_sw + 1`` (one coordinate for
        ``outside``).  Must be larger than ``d_s + d_w - d_sw`` when
        ``outside > 0``.

    Returns
    -------
    theta : ndarray, shape (D,)
    """
    d_s, d_w, d_sw = _check_dims(d_s, d_w, d_sw)
    union = d_s + d_w - d_sw
    D = union + 1 if D is None else check_int(D, "D", low=union)
    check_resources("D", D, nbytes=8 * D, flops=D, what=f"a vector of length {D}")
    blocks = {
        "shared": (check_float(shared, "shared", low=0.0), slice(d_s - d_sw, d_s)),
        "s_only": (check_float(s_only, "s_only", low=0.0), slice(0, d_s - d_sw)),
        "w_only": (check_float(w_only, "w_only", low=0.0), slice(d_s, union)),
        "outside": (check_float(outside, "outside", low=0.0), slice(union, D)),
    }
    theta = np.zeros(D)
    for name, (energy, sl) in blocks.items():
        size = sl.stop - sl.start
        if energy > 0 and size == 0:
            raise ValueError(f"{name} must be 0 because its block has dimension 0 (got {energy!r})")
        if size:
            theta[sl] = np.sqrt(energy / size)
    return theta


# ---------------------------------------------------------------------------
# exact formulas (vectorised core)
# ---------------------------------------------------------------------------
def _exact_terms(d_s, d_w, d_sw, n, N, sigma2, rho_s, rho_w, bias, delta):
    """Broadcasting core of the exact formulas; all inputs arrays or scalars."""
    d_s, d_w, d_sw, n, N = (np.asarray(v, dtype=float) for v in (d_s, d_w, d_sw, n, N))
    tw = (sigma2 + rho_w) / (n - d_w - 1.0)  # teacher variance per coordinate
    shrink = d_s / (N - d_s - 1.0)  # student's factor on its label noise
    out = {
        "weak_bias": rho_w + 0.0 * tw,
        "weak_variance": tw * d_w,
        "strong_baseline_bias": rho_s + 0.0 * n,
        "strong_baseline_variance": (sigma2 + rho_s) * d_s / (n - d_s - 1.0),
        "strong_ceiling_bias": rho_s + 0.0 * (n + N),
        "strong_ceiling_variance": (sigma2 + rho_s) * d_s / (n + N - d_s - 1.0),
        "w2s_bias": bias + 0.0 * tw * shrink,
        "w2s_var_inherited": tw * d_sw,
        "w2s_var_discrepancy": tw * (d_w - d_sw) * shrink,
        "w2s_var_teacher_bias": delta * shrink,
    }
    out["w2s_variance"] = out["w2s_var_inherited"] + out["w2s_var_discrepancy"] + out["w2s_var_teacher_bias"]
    for key in RISK_KEYS:
        out[key] = out[key + "_bias"] + out[key + "_variance"]
    # the paper's large-N form: d_s / (N - d_s - 1) -> d_s / N
    shrink_inf = d_s / N
    out["w2s_asymptotic"] = bias + tw * (d_sw + (d_w - d_sw) * shrink_inf) + delta * shrink_inf
    return out


def _ratio(num, den, what, scale):
    """``num / den`` elementwise, raising when ``den`` is zero relative to ``scale``."""
    num, den, scale = np.broadcast_arrays(*(np.asarray(v, dtype=float) for v in (num, den, scale)))
    bad = np.abs(den) <= _DEGENERATE_RTOL * np.maximum(scale, np.finfo(float).tiny)
    if np.any(bad):
        raise ValueError(
            f"{what} is undefined: its denominator is zero (all risks vanish, e.g. sigma2 = 0 and "
            "theta inside S n W). The individual risks are still available from "
            "subspace_risks_from_energies(..., ratios=False)"
        )
    return num / den


def _add_ratios(out):
    # PGR's denominator is a difference (ER_w - ER_c): zero relative to its two terms means the
    # ratio is undefined.  OPR's, ER_w2s, is a sum of non-negative terms: undefined only at 0
    # (compared with the other risks' scale, a small but exact ER_w2s would wrongly count as 0).
    pgr_scale = np.maximum(np.abs(out["weak"]), np.abs(out["strong_ceiling"]))
    out["pgr"] = _ratio(out["weak"] - out["w2s"], out["weak"] - out["strong_ceiling"], "PGR", pgr_scale)
    out["opr"] = _ratio(out["strong_baseline"], out["w2s"], "OPR", np.abs(out["w2s"]))
    if "w2s_asymptotic" in out:
        out["pgr_asymptotic"] = _ratio(
            out["weak"] - out["w2s_asymptotic"], out["weak"] - out["strong_ceiling"], "PGR", pgr_scale
        )
        out["opr_asymptotic"] = _ratio(out["strong_baseline"], out["w2s_asymptotic"], "OPR",
                                       np.abs(out["w2s_asymptotic"]))
    return out


def _to_float_dict(out):
    res = {k: float(v) for k, v in out.items() if k != "w2s_asymptotic" and not k.endswith("_asymptotic")}
    res["asymptotic"] = {
        k.replace("_asymptotic", ""): float(v) for k, v in out.items() if k.endswith("_asymptotic")
    }
    return res


def subspace_risks_from_energies(d_s, d_w, d_sw, n, N, sigma2, *, rho_s, rho_w, bias, delta, ratios=True):
    """Exact risks from the dimensions and the energies of ``theta``.

    Same formulas as :func:`subspace_risks`, but ``d_sw`` may be any real in
    ``[0, min(d_s, d_w)]`` (the correlation dimension of general subspaces) and
    the ground truth enters only through its four energies.

    Parameters
    ----------
    d_s, d_w : int
    d_sw : float
        Correlation dimension, ``0 <= d_sw <= min(d_s, d_w)``.
    n, N : int
        Labelled and unlabelled sample sizes, ``n > max(d_s, d_w) + 1``,
        ``N > d_s + 1``.
    sigma2 : float, >= 0
        Label-noise variance.
    rho_s, rho_w, bias, delta : float, >= 0
        See :func:`theta_energies`.
    ratios : bool
        Also compute PGR and OPR (raises ``ValueError`` when undefined).

    Returns
    -------
    dict
        Same layout as :func:`subspace_risks`.
    """
    d_s = check_int(d_s, "d_s", low=1)
    d_w = check_int(d_w, "d_w", low=1)
    d_sw = check_float(d_sw, "d_sw", low=0.0, high=float(min(d_s, d_w)))
    n, N = _check_exact_sizes(n, N, d_s, d_w)
    sigma2 = check_float(sigma2, "sigma2", low=0.0)
    e = {k: check_float(v, k, low=0.0) for k, v in
         {"rho_s": rho_s, "rho_w": rho_w, "bias": bias, "delta": delta}.items()}
    out = _exact_terms(d_s, d_w, d_sw, n, N, sigma2, e["rho_s"], e["rho_w"], e["bias"], e["delta"])
    if ratios:
        out = _add_ratios(out)
    return _to_float_dict(out)


def subspace_risks(d_s, d_w, d_sw, n, N, sigma2, theta):
    """Exact excess risks of the four ridgeless models in coordinate subspaces.

    Parameters
    ----------
    d_s : int, >= 1
        Strong dimension; ``S = [0, d_s)``.
    d_w : int, >= 1
        Weak dimension; ``W = [d_s - d_sw, d_s - d_sw + d_w)``.
    d_sw : int, in [0, min(d_s, d_w)]
        Shared dimension ``|S n W|``.
    n : int, > max(d_s, d_w) + 1
        Labelled samples (teacher and strong baseline).
    N : int, > d_s + 1
        Unlabelled samples (student); the ceiling sees ``n + N`` labels.
    sigma2 : float, >= 0
        Label-noise variance.
    theta : array_like, shape (D,)
        Ground truth, ``D >= d_s + d_w - d_sw``.

    Returns
    -------
    dict
        Floats ``"weak"``, ``"w2s"``, ``"strong_baseline"``, ``"strong_ceiling"``,
        ``"pgr"``, ``"opr"``; the bias / variance split of each risk
        (``"<key>_bias"``, ``"<key>_variance"``); the three parts of the student's
        variance (``"w2s_var_inherited"`` on ``S n W``, ``"w2s_var_discrepancy"``
        on ``W \\ S``, ``"w2s_var_teacher_bias"`` from ``delta``); and
        ``"asymptotic"``, a dict with the paper's large-``N`` form
        (``"w2s"``, ``"pgr"``, ``"opr"``; ``d_s/(N-d_s-1)`` replaced by ``d_s/N``).

    Raises
    ------
    ValueError
        Inconsistent dimensions, short ``theta``, sample sizes outside the
        formula's range (use :func:`simulate_subspace` there), negative
        ``sigma2``, or a PGR / OPR whose denominator is zero (every risk zero).
    TypeError
        Non-integer sizes or non-numeric ``theta``.
    """
    d_s, d_w, d_sw = _check_dims(d_s, d_w, d_sw)
    theta = _check_theta(theta, d_s, d_w, d_sw)
    n, N = _check_exact_sizes(n, N, d_s, d_w)
    sigma2 = check_float(sigma2, "sigma2", low=0.0)
    e = _energies(theta, d_s, d_w, d_sw)
    out = _exact_terms(d_s, d_w, d_sw, n, N, sigma2, e["rho_s"], e["rho_w"], e["bias"], e["delta"])
    return _to_float_dict(_add_ratios(out))


# ---------------------------------------------------------------------------
# general subspaces
# ---------------------------------------------------------------------------
def _check_basis(V, name, D=None):
    V = check_array(V, name, ndim=2)
    if D is not None and V.shape[0] != D:
        raise ValueError(f"{name} must have D = {D} rows, got shape {V.shape}")
    if V.shape[1] < 1 or V.shape[1] > V.shape[0]:
        raise ValueError(f"{name} must have 1 <= columns <= rows, got shape {V.shape}")
    if not np.allclose(V.T @ V, np.eye(V.shape[1]), atol=1e-8):
        raise ValueError(f"{name} must have orthonormal columns (V^T V = I within 1e-8)")
    return V


def correlation_dimension(V_s, V_w):
    """Correlation dimension ``d_sw = |V_s^T V_w|_F^2`` of two subspaces.

    Parameters
    ----------
    V_s : array_like, shape (D, d_s)
        Orthonormal basis of the strong subspace.
    V_w : array_like, shape (D, d_w)
        Orthonormal basis of the weak subspace.

    Returns
    -------
    float
        The sum of squared cosines of the principal angles, in ``[0, min(d_s, d_w)]``.
    """
    V_s = _check_basis(V_s, "V_s")
    V_w = _check_basis(V_w, "V_w", D=V_s.shape[0])
    return float(np.sum((V_s.T @ V_w) ** 2))


def principal_cosines(V_s, V_w):
    """Cosines of the principal angles between two subspaces, descending.

    Parameters
    ----------
    V_s : array_like, shape (D, d_s)
    V_w : array_like, shape (D, d_w)
        Orthonormal bases.

    Returns
    -------
    ndarray, shape (min(d_s, d_w),)
        Values in ``[0, 1]``; ``sum(cos**2) == correlation_dimension``.
    """
    V_s = _check_basis(V_s, "V_s")
    V_w = _check_basis(V_w, "V_w", D=V_s.shape[0])
    return np.clip(np.linalg.svd(V_s.T @ V_w, compute_uv=False), 0.0, 1.0)


def random_subspaces(D, d_s, d_w, seed):
    """Independent uniformly random orthonormal bases in ``R^D``.

    Parameters
    ----------
    D, d_s, d_w : int
        ``1 <= d_s, d_w <= D``.
    seed : int or numpy.random.Generator

    Returns
    -------
    V_s : ndarray, shape (D, d_s)
    V_w : ndarray, shape (D, d_w)
    """
    D = check_int(D, "D", low=1)
    d_s = check_int(d_s, "d_s", low=1, high=D)
    d_w = check_int(d_w, "d_w", low=1, high=D)
    check_resources("D", D, nbytes=24 * D * (d_s + d_w), flops=4 * D * (d_s**2 + d_w**2),
                    what=f"QR factorisations of ({D}, {d_s}) and ({D}, {d_w}) Gaussian matrices")
    rng = check_rng(seed)
    return _orth(rng.standard_normal((D, d_s))), _orth(rng.standard_normal((D, d_w)))


def _orth(A):
    Q, R = np.linalg.qr(A)
    return Q * np.sign(np.diag(R))


def subspaces_with_principal_cosines(D, d_s, d_w, cosines, seed):
    """Orthonormal bases whose principal cosines are prescribed.

    Builds ``V_s = [e_1 .. e_{d_s}]`` and ``V_w`` whose ``i``-th column is
    ``c_i e_i + sqrt(1 - c_i^2) f_i`` with ``f_i`` orthogonal to ``S``, then
    rotates everything by a random orthogonal matrix.

    Parameters
    ----------
    D, d_s, d_w : int
        Need ``D >= d_s + d_w``.
    cosines : array_like, shape (min(d_s, d_w),)
        Principal cosines in ``[0, 1]``.
    seed : int or numpy.random.Generator
        Randomness of the common rotation.

    Returns
    -------
    V_s : ndarray, shape (D, d_s)
    V_w : ndarray, shape (D, d_w)
    """
    d_s = check_int(d_s, "d_s", low=1)
    d_w = check_int(d_w, "d_w", low=1)
    D = check_int(D, "D", low=d_s + d_w)
    check_resources("D", D, nbytes=32 * D * D, flops=10 * D**3,
                    what=f"a random ({D}, {D}) rotation")
    k = min(d_s, d_w)
    c = check_array(cosines, "cosines", shape=(k,))
    if np.any(c < 0) or np.any(c > 1):
        raise ValueError("cosines must lie in [0, 1]")
    rng = check_rng(seed)
    V_s = np.zeros((D, d_s))
    V_s[:d_s, :d_s] = np.eye(d_s)
    V_w = np.zeros((D, d_w))
    V_w[np.arange(k), np.arange(k)] = c
    V_w[d_s + np.arange(k), np.arange(k)] = np.sqrt(1.0 - c**2)
    V_w[d_s + np.arange(k, d_w), np.arange(k, d_w)] = 1.0  # extra weak directions (d_w > d_s)
    Q = _orth(rng.standard_normal((D, D)))
    return Q @ V_s, Q @ V_w


def _general_energies(V_s, V_w, theta):
    Ps_t = V_s @ (V_s.T @ theta)
    Pw_t = V_w @ (V_w.T @ theta)
    PsPw_t = V_s @ (V_s.T @ Pw_t)
    return {
        "rho_s": float(np.sum((theta - Ps_t) ** 2)),
        "rho_w": float(np.sum((theta - Pw_t) ** 2)),
        "bias": float(np.sum((theta - PsPw_t) ** 2)),
        "delta": float(np.sum((Pw_t - PsPw_t) ** 2)),
    }


def subspace_risks_general(V_s, V_w, n, N, sigma2, theta):
    """Exact risks for general (non-coordinate) strong and weak subspaces.

    Derived for this library: the variance terms depend on the subspaces only
    through ``d_sw = |V_s^T V_w|_F^2``; the bias terms use
    ``B = |theta - P_s P_w theta|^2``, ``delta = |(I - P_s) P_w theta|^2``,
    ``rho_s = |(I - P_s) theta|^2``, ``rho_w = |(I - P_w) theta|^2``.

    Parameters
    ----------
    V_s : array_like, shape (D, d_s)
        Orthonormal basis of the strong features (``x_s = V_s^T z``).
    V_w : array_like, shape (D, d_w)
        Orthonormal basis of the weak features.
    n, N : int
        ``n > max(d_s, d_w) + 1``, ``N > d_s + 1``.
    sigma2 : float, >= 0
    theta : array_like, shape (D,)

    Returns
    -------
    dict
        As :func:`subspace_risks`, plus ``"d_sw"`` and the energies.
    """
    V_s = _check_basis(V_s, "V_s")
    V_w = _check_basis(V_w, "V_w", D=V_s.shape[0])
    theta = check_array(theta, "theta", shape=(V_s.shape[0],))
    e = _general_energies(V_s, V_w, theta)
    d_sw = min(float(np.sum((V_s.T @ V_w) ** 2)), float(min(V_s.shape[1], V_w.shape[1])))
    out = subspace_risks_from_energies(V_s.shape[1], V_w.shape[1], d_sw, n, N, sigma2, **e)
    out["d_sw"] = d_sw
    out.update({f"energy_{k}": v for k, v in e.items()})
    return out


# ---------------------------------------------------------------------------
# Monte Carlo (vectorised across trials)
# ---------------------------------------------------------------------------
def _batched_min_norm_lstsq(X, y):
    """Minimum-norm least squares for a stack of problems.

    Parameters
    ----------
    X : ndarray, shape (T, m, p)
    y : ndarray, shape (T, m)

    Returns
    -------
    ndarray, shape (T, p)
        ``X^+ y`` per trial: normal equations when ``m > p`` (full column rank
        almost surely), ``X^T (X X^T)^{-1} y`` when ``m <= p``.
    """
    m, p = X.shape[1], X.shape[2]
    Xt = np.swapaxes(X, 1, 2)
    if m > p:
        return np.linalg.solve(Xt @ X, (Xt @ y[..., None]))[..., 0]
    return (Xt @ np.linalg.solve(X @ Xt, y[..., None]))[..., 0]


def _features(u, A):
    return u[..., A] if isinstance(A, slice) else u @ A


def _fit_from_samples(rng, T, n, N, sigma, A_s, A_w, t):
    """One chunk of trials from raw latent draws ``u ~ N(0, I_k)``, ``k = len(t)``.

    ``A_s`` / ``A_w`` are slices or orthonormal ``(k, d)`` matrices mapping the
    latent Gaussian to features; ``t`` is the ground truth in the latent space.
    """
    k = t.shape[0]
    u = rng.standard_normal((T, n + N, k))
    noise = sigma * rng.standard_normal((T, n + N)) if sigma > 0 else 0.0
    y = u @ t + noise
    xs = _features(u, A_s)
    teacher = _batched_min_norm_lstsq(_features(u[:, :n], A_w), y[:, :n])
    pseudo = (_features(u[:, n:], A_w) @ teacher[..., None])[..., 0]
    student = _batched_min_norm_lstsq(xs[:, n:], pseudo)
    baseline = _batched_min_norm_lstsq(xs[:, :n], y[:, :n])
    ceiling = _batched_min_norm_lstsq(xs, y)
    return {"weak": teacher, "w2s": student, "strong_baseline": baseline, "strong_ceiling": ceiling}


def _sample_gram(rng, T, m, p):
    """``T`` draws of ``X^T X`` for ``X`` of shape ``(m, p)`` with i.i.d. N(0, 1) entries.

    Uses the Bartlett decomposition ``W = A A^T`` (``A`` lower triangular,
    ``A_ii^2 ~ chi2(m - i)``, ``A_ij ~ N(0, 1)`` below the diagonal) when
    ``m >= p``, which is exactly Wishart(m, I_p) with ``p(p+1)/2`` draws
    instead of ``m p``; raw draws otherwise.

    Returns
    -------
    ndarray, shape (T, p, p)
    """
    if m < p:
        X = rng.standard_normal((T, m, p))
        return np.swapaxes(X, 1, 2) @ X
    A = np.tril(rng.standard_normal((T, p, p)), -1)
    idx = np.arange(p)
    A[:, idx, idx] = np.sqrt(rng.chisquare(m - idx, size=(T, p)))
    return A @ np.swapaxes(A, 1, 2)


def _solve_gram(G, b):
    return np.linalg.solve(G, b[..., None])[..., 0]


def _rows(G, A):
    """``E^T G`` for a stack ``G`` of shape (T, p, p): ``E`` a column selection (slice) or matrix."""
    return G[:, A, :] if isinstance(A, slice) else A.T @ G


def _cols(X, A):
    """``X E`` for a stack ``X`` of shape (T, q, p)."""
    return X[:, :, A] if isinstance(A, slice) else X @ A


def _fit_from_grams(rng, T, n, N, sigma, A_s, A_w, t):
    """One chunk of trials from the sufficient statistics of the two samples.

    Every fit is a function of the Gram matrices of ``v = (u, eps)`` over the
    ``n`` labelled and the ``N`` unlabelled points, two independent
    Wishart(., I_{k+1}) matrices, so drawing those is exact in distribution.
    Requires every fit to be overdetermined (``n > d_w``, ``n > d_s``,
    ``N > d_s``).  Subspaces spanned by coordinates (slices) are restricted by
    indexing, others by products with their (zero-padded) basis.
    """
    k = t.shape[0]
    p = k + 1

    def padded(A):
        if isinstance(A, slice):
            return A  # coordinates < k: the noise coordinate k is never selected
        E = np.zeros((p, A.shape[1]))
        E[:k] = A
        return E

    E_s, E_w = padded(A_s), padded(A_w)
    c = np.append(t, sigma)
    G_lab = _sample_gram(rng, T, n, p)
    G_unl = _sample_gram(rng, T, N, p)
    G_all = G_lab + G_unl
    GwL = _rows(G_lab, E_w)
    teacher = _solve_gram(_cols(GwL, E_w), GwL @ c)
    GsU = _rows(G_unl, E_s)
    student = _solve_gram(_cols(GsU, E_s), (_cols(GsU, E_w) @ teacher[..., None])[..., 0])
    GsL = _rows(G_lab, E_s)
    baseline = _solve_gram(_cols(GsL, E_s), GsL @ c)
    GsA = _rows(G_all, E_s)
    ceiling = _solve_gram(_cols(GsA, E_s), GsA @ c)
    return {"weak": teacher, "w2s": student, "strong_baseline": baseline, "strong_ceiling": ceiling}


def _chunk_size(trials, per_trial_floats):
    return int(max(1, min(trials, (48 << 20) // (8 * per_trial_floats))))


@small_blas_call()  # batches of tiny solves
def _run_trials(rng, trials, n, N, sigma2, A_s, A_w, t, target_s, target_w, rho_s, rho_w,
                want_coefs, method):
    """Per-trial excess risks ``|coef - target|^2 + rho`` and optionally coefficients."""
    sigma = float(np.sqrt(sigma2))
    k = t.shape[0]
    d_s = A_s.stop - A_s.start if isinstance(A_s, slice) else A_s.shape[1]
    d_w = A_w.stop - A_w.start if isinstance(A_w, slice) else A_w.shape[1]
    overdetermined = n > max(d_s, d_w) and N > d_s
    if method == "auto":
        method = "gram" if overdetermined else "samples"
    if method == "gram":
        if not overdetermined:
            raise ValueError(
                f"method='gram' needs every fit overdetermined (n > max(d_s, d_w) = {max(d_s, d_w)}, "
                f"N > d_s = {d_s}), got n = {n}, N = {N}; use method='samples'"
            )
        fitter = _fit_from_grams
        per_trial = 8 * (k + 1) ** 2
    else:
        fitter = _fit_from_samples
        per_trial = (n + N) * (2 * k + 4)
    # memory: the per-trial risks (and coefficients) kept, their concatenation, one chunk;
    # work: the chunk's factorisations, at least ~10^5 operations per trial (numpy's overhead
    # on a batch of small solves, ~40 us per trial measured)
    kept = 4 + (d_w + 3 * d_s if want_coefs else 0)
    p = k + 1
    if method == "gram":
        per_trial_flops = 2 * p**3 + 2 * max(d_s, d_w) * p**2 + 4 * max(d_s, d_w) ** 3
    else:
        per_trial_flops = 8 * (n + N) * (k * k + max(d_s, d_w) ** 2) + 4 * max(d_s, d_w) ** 3
    chunk_bytes = 2 * max(48 << 20, 8 * per_trial)  # a chunk holds at least one trial
    check_resources("n + N", n + N, nbytes=16 * per_trial, flops=per_trial_flops,
                    what="one trial")
    check_resources("trials", trials, nbytes=2 * 8 * trials * kept + chunk_bytes,
                    flops=trials * max(per_trial_flops, 10**5),
                    what=f"{trials} trials of four fits in dimension {k} with n = {n}, N = {N}")
    size = _chunk_size(trials, per_trial)
    risks = {key: [] for key in RISK_KEYS}
    coefs = {key: [] for key in RISK_KEYS}
    targets = {"weak": (target_w, rho_w), "w2s": (target_s, rho_s),
               "strong_baseline": (target_s, rho_s), "strong_ceiling": (target_s, rho_s)}
    done = 0
    while done < trials:
        T = min(size, trials - done)
        fit = fitter(rng, T, n, N, sigma, A_s, A_w, t)
        for key in RISK_KEYS:
            target, rho = targets[key]
            risks[key].append(np.sum((fit[key] - target) ** 2, axis=1) + rho)
            if want_coefs:
                coefs[key].append(fit[key])
        done += T
    risks = {k: np.concatenate(v) for k, v in risks.items()}
    coefs = {k: np.concatenate(v) for k, v in coefs.items()} if want_coefs else None
    return risks, coefs


def ratio_of_means_se(num, den):
    """Delta-method standard error of ``mean(num) / mean(den)`` over paired trials.

    Parameters
    ----------
    num, den : array_like, shape (trials,)
        Paired per-trial numerators and denominators (e.g. ``ER_w - ER_w2s`` and
        ``ER_w - ER_c`` for PGR); ``mean(den)`` must be non-zero.

    Returns
    -------
    float
        ``std(num - R den) / (sqrt(trials) |mean(den)|)`` with ``R`` the ratio of
        means; ``0.0`` for a single trial.
    """
    num = check_array(num, "num", ndim=1)
    den = check_array(den, "den", shape=num.shape)
    if num.size < 2:
        return 0.0
    mden = float(den.mean())
    if mden == 0.0:
        raise ValueError("den must have a non-zero mean (the ratio of means is undefined)")
    R = float(num.mean()) / mden
    return float((num - R * den).std(ddof=1) / (np.sqrt(num.size) * abs(mden)))


def _summarise(risks, coefs):
    trials = risks["weak"].shape[0]
    out = {}
    for key in RISK_KEYS:
        r = risks[key]
        out[key] = float(r.mean())
        out[key + "_se"] = float(r.std(ddof=1) / np.sqrt(trials)) if trials > 1 else 0.0
    pgr_scale = max(abs(out["weak"]), abs(out["strong_ceiling"]))
    out["pgr"] = float(_ratio(out["weak"] - out["w2s"], out["weak"] - out["strong_ceiling"], "PGR", pgr_scale))
    out["opr"] = float(_ratio(out["strong_baseline"], out["w2s"], "OPR", abs(out["w2s"])))
    out["pgr_se"] = ratio_of_means_se(risks["weak"] - risks["w2s"], risks["weak"] - risks["strong_ceiling"])
    out["opr_se"] = ratio_of_means_se(risks["strong_baseline"], risks["w2s"])
    per = {
        "pgr": (risks["weak"] - risks["w2s"], risks["weak"] - risks["strong_ceiling"]),
        "opr": (risks["strong_baseline"], risks["w2s"]),
    }
    for name, (num, den) in per.items():
        ok = den != 0
        vals = num[ok] / den[ok]
        out[name + "_trial_mean"] = float(vals.mean()) if vals.size else 0.0
        out[name + "_trial_se"] = float(vals.std(ddof=1) / np.sqrt(vals.size)) if vals.size > 1 else 0.0
        out[name + "_trials_used"] = int(vals.size)
    out["trials"] = trials
    out["per_trial"] = risks
    if coefs is not None:
        out["coefs"] = coefs
    return out


def _check_sim_args(n, N, sigma2, trials, method="auto"):
    check_choice(method, "method", ("auto", "gram", "samples"))
    n = check_int(n, "n", low=1)
    N = check_int(N, "N", low=1)
    sigma2 = check_float(sigma2, "sigma2", low=0.0)
    trials = check_int(trials, "trials", low=1)
    return n, N, sigma2, trials


def simulate_subspace(d_s, d_w, d_sw, n, N, sigma2, theta, trials, seed, *, return_coefs=False,
                      method="auto"):
    """Monte Carlo of the four ridgeless models in coordinate subspaces.

    All trials of a chunk are drawn and solved at once (batched normal
    equations, or the batched minimum-norm formula when a fit is
    underdetermined), so there is no Python loop per trial.  Two samplers,
    equal in distribution: ``method="samples"`` draws the raw Gaussian design
    matrices; ``method="gram"`` draws only their sufficient statistics, the
    Gram matrices of the labelled and unlabelled samples (Wishart, Bartlett
    decomposition), which is much cheaper when ``n, N`` exceed the dimension
    (``"auto"``: ``"gram"`` whenever every fit is overdetermined).  The excess risk
    of every fit is computed exactly from its coefficients:
    ``ER = |coef - theta_F|^2 + |theta outside F|^2`` for feature set ``F``.

    Only ``S u W`` and one extra coordinate carrying ``|theta outside S u W|``
    are simulated; this has the same distribution as the full ``D``-dimensional
    draw (the coordinates outside ``S u W`` enter the labels only through one
    Gaussian of that variance).

    Parameters
    ----------
    d_s, d_w, d_sw : int
        As in :func:`subspace_risks`.
    n, N : int, >= 1
        Sample sizes; any value works (minimum-norm interpolation when a fit
        has fewer samples than features).
    sigma2 : float, >= 0
    theta : array_like, shape (D,)
    trials : int, >= 1
    seed : int or numpy.random.Generator
    return_coefs : bool
        Also return the fitted coefficients.
    method : {"auto", "gram", "samples"}
        Sampler (see above); ``"gram"`` needs ``n > max(d_s, d_w)``, ``N > d_s``.

    Returns
    -------
    dict
        ``"weak"``, ``"w2s"``, ``"strong_baseline"``, ``"strong_ceiling"``: mean
        risks; ``"<key>_se"``: their standard errors; ``"pgr"``, ``"opr"``: ratios
        of mean risks; ``"pgr_trial_mean"``, ``"pgr_trial_se"`` (and for OPR):
        mean and standard error of the per-trial ratios (trials with a zero
        denominator are skipped, ``"pgr_trials_used"`` counts the rest);
        ``"trials"``; ``"per_trial"``: dict of arrays, shape ``(trials,)``; and,
        with ``return_coefs``, ``"coefs"``: teacher ``(trials, d_w)`` in W
        coordinates, the three strong fits ``(trials, d_s)`` in S coordinates.
    """
    d_s, d_w, d_sw = _check_dims(d_s, d_w, d_sw)
    theta = _check_theta(theta, d_s, d_w, d_sw)
    n, N, sigma2, trials = _check_sim_args(n, N, sigma2, trials, method)
    rng = check_rng(seed)
    union = d_s + d_w - d_sw
    t = np.append(theta[:union], np.sqrt(np.sum(theta[union:] ** 2)))
    e = _energies(theta, d_s, d_w, d_sw)
    A_s = slice(0, d_s)
    A_w = slice(d_s - d_sw, d_s - d_sw + d_w)
    risks, coefs = _run_trials(rng, trials, n, N, sigma2, A_s, A_w, t, theta[A_s], theta[A_w],
                               e["rho_s"], e["rho_w"], return_coefs, method)
    return _summarise(risks, coefs)


def simulate_subspace_general(V_s, V_w, n, N, sigma2, theta, trials, seed, *, return_coefs=False,
                              method="auto"):
    """Monte Carlo of the four ridgeless models with features ``V_s^T z``, ``V_w^T z``.

    The draw is made in an orthonormal basis ``Q`` of ``span(V_s, V_w, theta)``
    (``z`` projected on it is standard Gaussian and the rest of ``z`` does not
    enter any fit), which is exact in distribution.

    Parameters
    ----------
    V_s : array_like, shape (D, d_s)
    V_w : array_like, shape (D, d_w)
        Orthonormal bases.
    n, N, sigma2, theta, trials, seed, return_coefs, method
        As in :func:`simulate_subspace`; ``theta`` has shape ``(D,)``.

    Returns
    -------
    dict
        As :func:`simulate_subspace`; coefficients are in the ``V_w`` / ``V_s``
        bases.
    """
    V_s = _check_basis(V_s, "V_s")
    V_w = _check_basis(V_w, "V_w", D=V_s.shape[0])
    theta = check_array(theta, "theta", shape=(V_s.shape[0],))
    n, N, sigma2, trials = _check_sim_args(n, N, sigma2, trials, method)
    rng = check_rng(seed)
    M = np.column_stack([V_s, V_w, theta])
    U, sv, _ = np.linalg.svd(M, full_matrices=False)
    Q = U[:, sv > 1e-10 * sv[0]] if sv[0] > 0 else U[:, :1]
    e = _general_energies(V_s, V_w, theta)
    risks, coefs = _run_trials(rng, trials, n, N, sigma2, Q.T @ V_s, Q.T @ V_w, Q.T @ theta,
                               V_s.T @ theta, V_w.T @ theta, e["rho_s"], e["rho_w"], return_coefs,
                               method)
    return _summarise(risks, coefs)


# ---------------------------------------------------------------------------
# sweeps and regimes
# ---------------------------------------------------------------------------
_SWEEPABLE = ("n", "N", "d_sw", "sigma2")


def sweep_subspace(grid, *, d_s, d_w, d_sw, n, N, sigma2, theta):
    """Exact risks over a grid of ``n``, ``N``, ``d_sw`` and/or ``sigma2``.

    Parameters
    ----------
    grid : dict
        Maps parameter names (a subset of ``"n"``, ``"N"``, ``"d_sw"``,
        ``"sigma2"``) to 1-d sequences of values.  The result has one axis per
        entry, in the dict's order.
    d_s, d_w, d_sw, n, N, sigma2, theta
        Base values (as in :func:`subspace_risks`) for parameters not in ``grid``.
        ``theta`` stays fixed on the coordinates while ``W`` moves with ``d_sw``,
        so it must have length ``>= d_s + d_w - min(d_sw values)``.

    Returns
    -------
    dict
        Arrays of shape ``tuple(len(v) for v in grid.values())`` under every
        key of :func:`subspace_risks` (asymptotic ones as ``"w2s_asymptotic"``,
        ``"pgr_asymptotic"``, ``"opr_asymptotic"``), plus ``"grid"``: the
        validated grid values.
    """
    if not isinstance(grid, dict) or not grid:
        raise TypeError("grid must be a non-empty dict mapping parameter names to value sequences")
    for name in grid:
        if name not in _SWEEPABLE:
            raise ValueError(f"grid keys must be among {list(_SWEEPABLE)}, got {name!r}")
    base = {"n": n, "N": N, "d_sw": d_sw, "sigma2": sigma2}
    d_s = check_int(d_s, "d_s", low=1)
    d_w = check_int(d_w, "d_w", low=1)
    values = {}
    for name, vals in grid.items():
        arr = check_array(vals, name, ndim=1)
        if arr.size == 0:
            raise ValueError(f"grid[{name!r}] must not be empty")
        if name == "sigma2":
            values[name] = np.array([check_float(v, "sigma2", low=0.0) for v in arr])
        else:
            if not np.all(arr == np.round(arr)):
                raise TypeError(f"grid[{name!r}] must hold integers")
            values[name] = arr.astype(int)
    # sizes first: the checks below loop over every (n, N) pair
    cells = int(np.prod([len(v) for v in values.values()], dtype=object))
    check_resources("grid", {k: len(v) for k, v in values.items()}, nbytes=2 * 8 * 24 * cells,
                    flops=200 * cells, what=f"{cells} grid points")
    # validate every base / grid value through the scalar checkers
    all_vals = {k: values.get(k, np.array([v])) for k, v in base.items()}
    for dsw in all_vals["d_sw"]:
        _check_dims(d_s, d_w, int(dsw))
    for nn in all_vals["n"]:
        for NN in all_vals["N"]:
            _check_exact_sizes(int(nn), int(NN), d_s, d_w)
    for s2 in all_vals["sigma2"]:
        check_float(float(s2), "sigma2", low=0.0)
    theta = _check_theta(theta, d_s, d_w, int(np.min(all_vals["d_sw"])))
    # broadcast shapes: one axis per grid entry
    names = list(grid)
    ndim = len(names)

    def shaped(name):
        arr = np.asarray(all_vals[name], dtype=float)
        if name not in grid:
            return arr.reshape((1,) * ndim)
        shape = [1] * ndim
        shape[names.index(name)] = arr.size
        return arr.reshape(shape)

    dsw_arr = shaped("d_sw")
    en = [_energies(theta, d_s, d_w, int(v)) for v in all_vals["d_sw"]]
    energy = {k: np.array([e[k] for e in en]).reshape(dsw_arr.shape) for k in en[0]}
    out = _exact_terms(d_s, d_w, dsw_arr, shaped("n"), shaped("N"), shaped("sigma2"),
                       energy["rho_s"], energy["rho_w"], energy["bias"], energy["delta"])
    out = _add_ratios(out)
    full = tuple(len(values[k]) for k in names)
    result = {k: np.broadcast_to(np.asarray(v, dtype=float), full).copy() for k, v in out.items()}
    result["grid"] = values
    return result


def regime_from_risks(risks, *, d_s=None, N=None):
    """Classify where weak-to-strong works, from (arrays of) exact or simulated risks.

    Parameters
    ----------
    risks : dict
        Needs ``"weak"``, ``"w2s"``, ``"strong_baseline"``, ``"strong_ceiling"``;
        ``"w2s_bias"`` and ``"w2s_variance"`` are used when present.  Values may
        be floats or arrays of a common shape (e.g. from :func:`sweep_subspace`).
    d_s, N : int or array_like, optional
        When given, ``"small_N"`` flags ``N < 2 d_s``.

    Returns
    -------
    dict of bool or ndarray of bool
        ``"beats_teacher"`` (``ER_w2s < ER_w``), ``"beats_baseline"``
        (``ER_w2s < ER_s``, i.e. OPR > 1), ``"beats_ceiling"``
        (``ER_w2s < ER_c``, i.e. PGR > 1 when ``ER_w > ER_c``),
        ``"bias_dominated"`` (student bias >= student variance), ``"small_N"``,
        ``"fails"`` (does not beat the teacher) and ``"pgr_meaningful"``
        (``ER_w > ER_c``: there is a gap for PGR to measure).
    """
    for key in RISK_KEYS:
        if key not in risks:
            raise ValueError(f"risks must contain {key!r}")
    r = {k: np.asarray(risks[k], dtype=float) for k in RISK_KEYS}
    out = {
        "beats_teacher": r["w2s"] < r["weak"],
        "beats_baseline": r["w2s"] < r["strong_baseline"],
        "beats_ceiling": r["w2s"] < r["strong_ceiling"],
    }
    if "w2s_bias" in risks and "w2s_variance" in risks:
        out["bias_dominated"] = np.asarray(risks["w2s_bias"]) >= np.asarray(risks["w2s_variance"])
    if d_s is not None and N is not None:
        out["small_N"] = np.asarray(N) < 2 * np.asarray(d_s)
    out["fails"] = ~out["beats_teacher"]
    # PGR measures recovered gap only when the teacher is worse than the ceiling
    out["pgr_meaningful"] = r["weak"] > r["strong_ceiling"]
    return {k: (bool(v) if np.ndim(v) == 0 else v) for k, v in out.items()}


def classify_regime(d_s, d_w, d_sw, n, N, sigma2, theta):
    """Regime flags of one configuration (see :func:`regime_from_risks`).

    Parameters are those of :func:`subspace_risks`.

    Returns
    -------
    dict of bool
    """
    risks = subspace_risks(d_s, d_w, d_sw, n, N, sigma2, theta)
    return regime_from_risks(risks, d_s=d_s, N=N)


# ---------------------------------------------------------------------------
# chapter 6's explorable: three ground truths, the formula's domain, Monte Carlo at any setting
# ---------------------------------------------------------------------------
#: Ground truths of chapter 6's explorable (see :func:`ground_truth`).
GROUND_TRUTHS = ("zero", "spread", "misspecified")


def ground_truth(target, d_s, d_w, d_sw):
    """Ground truth of chapter 6's explorable, ``|theta|^2 = 1`` unless ``target == "zero"``.

    Parameters
    ----------
    target : {"zero", "spread", "misspecified"}
        ``"zero"``: pure noise (``theta = 0``); ``"spread"``: unit energy spread
        evenly over ``S u W``; ``"misspecified"``: half of it spread over
        ``S u W`` and half on ``W \\ S``, the directions the student cannot
        represent (all spread when ``W`` lies inside ``S``).
    d_s, d_w, d_sw : int
        As in :func:`subspace_risks`.

    Returns
    -------
    ndarray, shape (d_s + d_w - d_sw + 1,)
    """
    check_choice(target, "target", GROUND_TRUTHS)
    union = d_s + d_w - d_sw
    if target == "zero":
        return np.zeros(union + 1)
    sizes = {"shared": d_sw, "s_only": d_s - d_sw, "w_only": d_w - d_sw}
    share = 1.0 if target == "spread" or sizes["w_only"] == 0 else 0.5
    energy = {k: share * v / union for k, v in sizes.items()}
    energy["w_only"] += 1.0 - share
    return make_theta(d_s, d_w, d_sw, **energy)


def ground_truth_energies(target, d_s, d_w, d_sw):
    """Closed-form energies of :func:`ground_truth` (what chapter 6's page evaluates in the browser).

    With ``u = d_s + d_w - d_sw`` and ``share = 1`` (``"spread"``, or ``W`` inside ``S``) or
    ``1/2``, the energy on ``S \\ W`` is ``a = share (d_s - d_sw) / u`` and on ``W \\ S``
    ``b = share (d_w - d_sw) / u + (1 - share)``; so ``rho_s = b``, ``rho_w = a``,
    ``bias = a + b``, ``delta = b`` (nothing lies outside ``S u W``); all zero for ``"zero"``.

    Parameters
    ----------
    target : {"zero", "spread", "misspecified"}
    d_s, d_w : int, >= 1
    d_sw : int, in [0, min(d_s, d_w)]

    Returns
    -------
    dict of float
        ``rho_s``, ``rho_w``, ``bias``, ``delta`` (as :func:`theta_energies`, to round-off).
    """
    check_choice(target, "target", GROUND_TRUTHS)
    d_s = check_int(d_s, "d_s", low=1)
    d_w = check_int(d_w, "d_w", low=1)
    d_sw = check_int(d_sw, "d_sw", low=0, high=min(d_s, d_w))
    if target == "zero":
        return {"rho_s": 0.0, "rho_w": 0.0, "bias": 0.0, "delta": 0.0}
    u = d_s + d_w - d_sw
    share = 1.0 if (target == "spread" or d_w == d_sw) else 0.5
    a = share * (d_s - d_sw) / u
    b = share * (d_w - d_sw) / u + (1.0 - share)
    return {"rho_s": b, "rho_w": a, "bias": a + b, "delta": b}


#: The exact formulas' domain, written once: ``(parameter, "at most"/"at least", bound, why)``.
#: Each bound is an expression in ``d_s, d_w`` valid both in Python and in Vega (``min``,
#: ``max``, ``+``), so chapter 6's page clamps with the very same text.
SUBSPACE_CLAMPS = (
    ("d_sw", "at most", "min(d_s, d_w)", "at most min(d_s, d_w)"),
    ("n", "at least", "max(d_s, d_w) + 2", "needs n > max(d_s, d_w) + 1"),
    ("N", "at least", "d_s + 2", "needs N > d_s + 1"),
)


def clamp_subspace_params(d_s, d_w, d_sw, n, N):
    """Clamp ``d_sw, n, N`` into the exact formulas' domain (:data:`SUBSPACE_CLAMPS`).

    Parameters
    ----------
    d_s, d_w, d_sw, n, N : int

    Returns
    -------
    params : dict
        ``d_s, d_w, d_sw, n, N`` with ``d_sw <= min(d_s, d_w)``,
        ``n >= max(d_s, d_w) + 2`` and ``N >= d_s + 2``.
    notes : list of str
        One note per value that was changed, e.g. ``"n -> 22 (needs n > max(d_s, d_w) + 1)"``.
    """
    p = {k: int(v) for k, v in zip(("d_s", "d_w", "d_sw", "n", "N"), (d_s, d_w, d_sw, n, N))}
    notes = []
    for name, side, bound, why in SUBSPACE_CLAMPS:
        b = eval(bound, {"__builtins__": {}, "min": min, "max": max}, dict(p))  # noqa: S307 - constant text above
        if (p[name] > b) if side == "at most" else (p[name] < b):
            notes.append(f"{name} -> {b} ({why})")
            p[name] = b
    return p, notes


@functools.lru_cache(maxsize=512)
def guarded_risks(d_s, d_w, d_sw, n, N, sigma2, target):
    """Exact risks of :func:`ground_truth` (parameters inside the domain), ratios ``None`` when undefined.

    Parameters
    ----------
    d_s, d_w, d_sw, n, N : int
        Inside the formulas' domain (see :func:`clamp_subspace_params`).
    sigma2 : float, >= 0
    target : {"zero", "spread", "misspecified"}

    Returns
    -------
    risks : dict
        As :func:`subspace_risks_from_energies` (``ratios=False``); ``"pgr"`` / ``"opr"``
        are ``None`` when their denominator is at most ``1e-12`` times the largest risk,
        and ``"pgr_meaningful"`` says whether the teacher is worse than the ceiling.
        Shared by the cache: do not modify.
    """
    theta = ground_truth(target, d_s, d_w, d_sw)
    e = theta_energies(theta, d_s, d_w, d_sw)
    r = subspace_risks_from_energies(d_s, d_w, d_sw, n, N, float(sigma2), ratios=False, **e)
    gap = r["weak"] - r["strong_ceiling"]
    scale = max(r[k] for k in RISK_KEYS)
    tiny = 1e-12 * max(scale, 1e-300)
    r["pgr"] = (r["weak"] - r["w2s"]) / gap if abs(gap) > tiny else None
    r["opr"] = r["strong_baseline"] / r["w2s"] if r["w2s"] > tiny else None
    r["pgr_meaningful"] = bool(regime_from_risks(r)["pgr_meaningful"])
    return r


#: Monte Carlo draws of chapter 6's explorable up to a union ``V_s + V_w`` of
#: ``MC_FULL_UNION`` dimensions, and the fewest it makes above (:func:`mc_trials_for`).
MC_TRIALS, MC_FULL_UNION, MC_MIN_TRIALS = 200, 30, 50


def mc_trials_for(d_s, d_w, d_sw):
    """Monte Carlo draws chapter 6's explorable makes at these (clamped) dimensions.

    ``MC_TRIALS`` while ``V_s + V_w`` has at most ``MC_FULL_UNION`` dimensions; above,
    fewer, in proportion to ``(31 / (union + 1))^3`` and never under ``MC_MIN_TRIALS``: a
    trial costs between the square and the cube of the dimension (two Wishart draws and
    four solves), so a kernel update stays quick. The error bars (2 SE) widen accordingly.

    Parameters
    ----------
    d_s, d_w : int, >= 1
    d_sw : int, in [0, min(d_s, d_w)]

    Returns
    -------
    int
    """
    d_s, d_w, d_sw = _check_dims(d_s, d_w, d_sw)
    union = d_s + d_w - d_sw
    if union <= MC_FULL_UNION:
        return MC_TRIALS
    scale = ((MC_FULL_UNION + 1) / (union + 1)) ** 3
    return max(MC_MIN_TRIALS, int(round(MC_TRIALS * scale)))


@functools.lru_cache(maxsize=256)
def ground_truth_mc(d_s, d_w, d_sw, n, N, sigma2, target, trials=None, seed=0):
    """Monte Carlo of the four risks of :func:`ground_truth` (:func:`simulate_subspace`), cached.

    Parameters
    ----------
    d_s, d_w, d_sw, n, N : int
    sigma2 : float, >= 0
    target : {"zero", "spread", "misspecified"}
    trials : int, optional
        Default :func:`mc_trials_for` of the dimensions.
    seed : int

    Returns
    -------
    dict or None
        ``{model: (mean, standard error)}`` for the four models and ``"trials"``; ``None``
        when every risk is exactly zero (``sigma2 == 0`` and ``target == "zero"``).
    """
    trials = mc_trials_for(d_s, d_w, d_sw) if trials is None else trials
    if sigma2 == 0 and target == "zero":
        return None
    theta = ground_truth(target, d_s, d_w, d_sw)
    sim = simulate_subspace(d_s, d_w, d_sw, n, N, float(sigma2), theta, trials, seed)
    return {**{k: (sim[k], sim[k + "_se"]) for k in RISK_KEYS}, "trials": trials}


# ---------------------------------------------------------------------------
# The chapters' sweeps and checks: Monte Carlo against the exact risks, the copy gap, risks against N, n, d_sw and the noise (chapter 6)
# ---------------------------------------------------------------------------

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



def w2s_split_mc(d_s=10, d_w=20, d_sw=5, n=100, N=200, sigma2=1.0, theta=None, trials=4000, seed=0):
    """The student's risk split into bias, inherited and reduced parts: exact and Monte Carlo.

    Write the teacher's coefficients restricted to the strong coordinates as
    ``a = P_s theta_w`` (its coefficients on ``S n W``, zero on ``S \\ W``) and
    the student's as ``a + eta``.  Per trial the student's excess risk is
    ``|a - theta_S|^2 + 2 <a - theta_S, eta> + |eta|^2 + |theta outside S|^2``.
    The first term is the bias on ``S \\ W`` plus the teacher's error on
    ``S n W`` (the *inherited* part), ``|eta|^2`` is what the fit on ``N``
    pseudo-labels adds (the *reduced* part, from the teacher's prediction
    outside ``S``), and the cross term has mean zero.

    Parameters
    ----------
    d_s, d_w, d_sw, n, N, sigma2 : as in :func:`subspace_risks`
    theta : array_like, optional
        Ground truth (default zero, length ``d_s + d_w - d_sw + 1``).
    trials : int
    seed : int

    Returns
    -------
    dict
        For each part ``"bias"``, ``"inherited"``, ``"reduced"``, ``"cross"`` and
        ``"total"``: the exact expectation ``"<part>_exact"``, the Monte Carlo mean
        ``"<part>_mc"`` and its standard error ``"<part>_se"``.
    """
    d_s, d_w, d_sw = _check_dims(d_s, d_w, d_sw)
    theta = np.zeros(d_s + d_w - d_sw + 1) if theta is None else _check_theta(theta, d_s, d_w, d_sw)
    ex = subspace_risks(d_s, d_w, d_sw, n, N, sigma2, theta)
    mc = simulate_subspace(d_s, d_w, d_sw, n, N, sigma2, theta, trials, seed, return_coefs=True)
    te, st = mc["coefs"]["weak"], mc["coefs"]["w2s"]
    w0 = d_s - d_sw  # first shared coordinate, in S coordinates
    a = np.zeros_like(st)
    a[:, w0:] = te[:, :d_sw]
    err_a = a - theta[:d_s]
    eta = st - a
    e = _energies(theta, d_s, d_w, d_sw)
    parts = {
        "bias": np.full(st.shape[0], e["bias"]),
        "inherited": np.sum(err_a[:, w0:] ** 2, axis=1),
        "reduced": np.sum(eta**2, axis=1),
        "cross": 2.0 * np.sum(err_a * eta, axis=1),
    }
    parts["total"] = mc["per_trial"]["w2s"]
    exact = {"bias": ex["w2s_bias"], "inherited": ex["w2s_var_inherited"],
             "reduced": ex["w2s_var_discrepancy"] + ex["w2s_var_teacher_bias"], "cross": 0.0, "total": ex["w2s"]}
    out = {}
    for k, v in parts.items():
        out[k + "_exact"] = float(exact[k])
        out[k + "_mc"] = float(v.mean())
        out[k + "_se"] = float(v.std(ddof=1) / np.sqrt(v.size)) if v.size > 1 else 0.0
    return out


def crossover_energy(d_s, d_w, d_sw, n, N, sigma2):
    """Target energy ``E_{w\\s}`` in ``V_w \\ V_s`` at which the W2S student ties its teacher.

    With ``theta`` inside ``V_w`` (the teacher has no bias) and energy ``E`` in the
    discrepancy ``V_w \\ V_s`` (which the strong features miss), the exact risks give
    ``ER_w - ER_w2s = sigma^2 (d_w - d_sw)(1 - r)/(n - d_w - 1) - E (1 + r)``,
    ``r = d_s/(N - d_s - 1)``: the student wins exactly when ``E`` is below
    ``E* = sigma^2 (d_w - d_sw)(1 - r) / ((n - d_w - 1)(1 + r))``.
    """
    d_s, d_w, d_sw = _check_dims(d_s, d_w, d_sw)
    n = check_int(n, "n", low=d_w + 2)
    N = check_int(N, "N", low=d_s + 2)
    sigma2 = check_float(sigma2, "sigma2", low=0.0)
    r = d_s / (N - d_s - 1.0)
    return sigma2 * (d_w - d_sw) * (1.0 - r) / ((n - d_w - 1.0) * (1.0 + r))


def crossover_overlap(d_s, d_w, n, N):
    """Overlap ``d_sw*`` below which the W2S student beats the strong ceiling when ``theta = 0``.

    With no signal (pure variance) ``ER_w2s = sigma^2 [d_sw + (d_w - d_sw) r]/(n - d_w - 1)`` and
    ``ER_c = sigma^2 d_s/(n + N - d_s - 1)``; PGR > 1 exactly when ``ER_w2s < ER_c``, i.e.
    ``d_sw < d_sw* = ((n - d_w - 1) d_s/(n + N - d_s - 1) - d_w r)/(1 - r)``, whatever ``sigma^2``.
    """
    d_s, d_w, _ = _check_dims(d_s, d_w, 0)
    n = check_int(n, "n", low=max(d_s, d_w) + 2)
    N = check_int(N, "N", low=2 * d_s + 2)  # r = d_s/(N - d_s - 1) < 1
    r = d_s / (N - d_s - 1.0)
    return ((n - d_w - 1.0) * d_s / (n + N - d_s - 1.0) - d_w * r) / (1.0 - r)
