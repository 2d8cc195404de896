"""Spherical-harmonic (Funk-Hecke) spectrum of the ReLU random-feature kernel.

For ``x`` uniform on ``S^{d-1}`` and ``s = w . x`` (density proportional to
``(1 - s^2)^((d-3)/2)`` on ``[-1, 1]``):

* ``P_k`` is the Gegenbauer polynomial ``C_k^{((d-2)/2)}`` normalised to ``P_k(1) = 1``,
  evaluated by the three-term recurrence
  ``P_{k+1}(s) = ((2k + d - 2) s P_k(s) - k P_{k-1}(s)) / (k + d - 2)``;
* ``xi_k = E_s[relu(s) P_k(s)]`` are the ReLU Gegenbauer coefficients:
  ``xi_0 = Gamma(d/2) / (sqrt(pi) (d-1) Gamma((d-1)/2))``, ``xi_1 = 1/(2d)``,
  ``xi_k = 0`` for odd ``k >= 3`` and, for even ``k >= 2`` (Rodrigues' formula and
  two integrations by parts),

  ``xi_k = (-1)^(k/2-1) Gamma((d-1)/2) (k-2)! binom(k + (d-3)/2, k/2 - 1)
  / (2^k Gamma(k + (d-1)/2) Z_d)``,  ``Z_d = sqrt(pi) Gamma((d-1)/2) / Gamma(d/2)``;

* the kernel ``K(x, x') = E_w[relu(w.x) relu(w.x')]`` has eigenvalue
  ``lambda_k = xi_k^2`` on degree-``k`` harmonics, of multiplicity
  ``h(d, k) = (2k + d - 2)/k * binom(k + d - 3, k - 1)`` (``h(d, 0) = 1``);
* a network ``f_a = sum_i a_i relu(w_i . x)`` has degree-``k`` energy
  ``E_k = xi_k^2 h(d, k) a^T P_k(W W^T) a`` and ``sum_k E_k = a^T G a = |f_a|^2``.

Everything that grows or shrinks fast with ``k`` is computed in log space.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from functools import lru_cache

import numpy as np

from ._blas import small_blas_call
from ._validation import check_array, check_beta, check_float, check_int, check_unit_rows

__all__ = [
    "relu_gegenbauer_coefficients",
    "kernel_eigenvalues",
    "harmonic_multiplicity",
    "multiplicities",
    "relu_degree_energy",
    "gegenbauer",
    "HarmonicEnergies",
    "harmonic_energies",
]


def _log_xi_even(d, k):
    """log |xi_k| and sign for even ``k >= 2``."""
    a = (d - 3) / 2.0
    m = k + a
    n = k // 2 - 1
    log_z = 0.5 * math.log(math.pi) + math.lgamma((d - 1) / 2.0) - math.lgamma(d / 2.0)
    log_binom = math.lgamma(m + 1.0) - math.lgamma(n + 1.0) - math.lgamma(m - n + 1.0)
    val = (
        math.lgamma((d - 1) / 2.0)
        - k * math.log(2.0)
        - math.lgamma(k + (d - 1) / 2.0)
        + math.lgamma(k - 1.0)
        + log_binom
        - log_z
    )
    sign = -1.0 if n % 2 else 1.0
    return val, sign


@lru_cache(maxsize=256)
def _xi_cached(d, K):
    xi = np.zeros(K + 1)
    xi[0] = math.exp(math.lgamma(d / 2.0) - 0.5 * math.log(math.pi) - math.lgamma((d - 1) / 2.0)) / (d - 1.0)
    if K >= 1:
        xi[1] = 1.0 / (2.0 * d)
    for k in range(2, K + 1, 2):
        lv, sg = _log_xi_even(d, k)
        xi[k] = sg * math.exp(lv) if lv < 700.0 else sg * math.inf
    xi.setflags(write=False)
    return xi


MAX_DEGREE = 20000  #: largest degree any function here accepts


def relu_gegenbauer_coefficients(d, max_degree):
    """ReLU Gegenbauer coefficients ``xi_k = E_s[relu(s) P_k(s)]``, ``k = 0..max_degree``.

    Parameters
    ----------
    d : int
        Dimension, ``d >= 2``.
    max_degree : int
        Highest degree, ``>= 0``.

    Returns
    -------
    ndarray, shape (max_degree + 1,)
        Exact values (closed form, module docstring): ``xi_1 = 1/(2d)``, zero for odd ``k >= 3``.
    """
    d = check_int(d, "d", low=2)
    K = check_int(max_degree, "max_degree", low=0, high=MAX_DEGREE)
    return _xi_cached(d, K).copy()


def kernel_eigenvalues(d, max_degree):
    """Eigenvalues ``lambda_k = xi_k^2`` of the ReLU kernel operator on degree ``k``.

    Returns
    -------
    ndarray, shape (max_degree + 1,)
        ``lambda_1 = 1/(4 d^2)``; zero for odd ``k >= 3``.
    """
    return relu_gegenbauer_coefficients(d, max_degree) ** 2


def harmonic_multiplicity(d, k):
    """Exact dimension ``h(d, k)`` of degree-``k`` spherical harmonics on ``S^{d-1}``.

    Parameters
    ----------
    d : int
        ``d >= 2``.
    k : int
        ``k >= 0``.

    Returns
    -------
    int
        ``h(d, 0) = 1``, ``h(d, 1) = d``, ``h(d, 2) = (d + 2)(d - 1)/2``.
    """
    d = check_int(d, "d", low=2)
    k = check_int(k, "k", low=0, high=MAX_DEGREE)
    if k == 0:
        return 1
    return (2 * k + d - 2) * math.comb(k + d - 3, k - 1) // k


def _log_mult(d, k):
    if k == 0:
        return 0.0
    return (
        math.log(2 * k + d - 2)
        - math.log(k)
        + math.lgamma(k + d - 2.0)
        - math.lgamma(k)
        - math.lgamma(d - 1.0)
    )


def multiplicities(d, max_degree):
    """``h(d, k)`` for ``k = 0..max_degree`` as floats (exact integers rounded to float where
    they fit, log-gamma otherwise; ``inf`` beyond the float range).

    Returns
    -------
    ndarray, shape (max_degree + 1,)
    """
    d = check_int(d, "d", low=2)
    K = check_int(max_degree, "max_degree", low=0, high=MAX_DEGREE)
    logs = np.array([_log_mult(d, k) for k in range(K + 1)])
    with np.errstate(over="ignore"):
        out = np.exp(logs)  # +inf (never NaN) beyond the float range
    small = logs < 700.0
    for k in np.nonzero(small)[0][:400]:
        out[k] = float(harmonic_multiplicity(d, int(k)))  # exact integers where representable
    return out


@lru_cache(maxsize=256)
def _nk_cached(d, K):
    """``h(d, k)`` for ``k = 0..K`` as floats from log-gamma (read-only, memoised)."""
    out = np.array([math.exp(_log_mult(d, k)) for k in range(K + 1)])
    out.setflags(write=False)
    return out


@lru_cache(maxsize=256)
def _mu_cached(d, K):
    mu = np.zeros(K + 1)
    xi = _xi_cached(d, K)
    mu[0] = xi[0] ** 2
    if K >= 1:
        mu[1] = xi[1] ** 2 * d
    for k in range(2, K + 1, 2):
        lv, _ = _log_xi_even(d, k)
        e = 2.0 * lv + _log_mult(d, k)
        mu[k] = math.exp(e) if e < 700.0 else math.inf
    mu.setflags(write=False)
    return mu


def relu_degree_energy(d, max_degree):
    """Energy of one ReLU feature in each degree, ``mu_k = xi_k^2 h(d, k)``.

    ``sum_k mu_k = E relu(s)^2 = 1/(2d)``; ``1/(2d) - sum_{k<=K} mu_k`` is the exact tail.

    Returns
    -------
    ndarray, shape (max_degree + 1,)
    """
    d = check_int(d, "d", low=2)
    K = check_int(max_degree, "max_degree", low=0, high=MAX_DEGREE)
    return _mu_cached(d, K).copy()


def _gegenbauer_step(k, d):
    """Coefficients ``(alpha, beta)`` with ``P_{k+1} = alpha s P_k - beta P_{k-1}``."""
    if k == 0:
        return 1.0, 0.0
    return (2 * k + d - 2) / (k + d - 2), k / (k + d - 2)


def gegenbauer(s, k, d):
    """Normalised Gegenbauer polynomial ``P_k`` (``P_k(1) = 1``) by the stable recurrence.

    Parameters
    ----------
    s : array_like
        Cosines in ``[-1, 1]`` (any shape, e.g. a cosine matrix ``W W^T``).
    k : int
        Degree, ``>= 0``.
    d : int
        Dimension, ``d >= 2`` (``d = 2`` Chebyshev, ``d = 3`` Legendre).

    Returns
    -------
    ndarray
        ``P_k(s)``, same shape as ``s``, values in ``[-1, 1]``.
    """
    s = check_array(s, "s")
    if np.any(np.abs(s) > 1.0 + 1e-9):
        raise ValueError("s must lie in [-1, 1] (cosines)")
    k = check_int(k, "k", low=0, high=MAX_DEGREE)
    d = check_int(d, "d", low=2)
    s = np.clip(s, -1.0, 1.0)
    p_prev, p = np.zeros_like(s), np.ones_like(s)
    for j in range(k):
        al, be = _gegenbauer_step(j, d)
        p_prev, p = p, al * s * p - be * p_prev
    return p


@dataclass(frozen=True)
class HarmonicEnergies:
    """Degree-by-degree decomposition of a network (and its overlap with a target).

    Attributes
    ----------
    d : int
    max_degree : int
        Highest degree kept, ``K``.
    eigenvalues : ndarray, shape (K + 1,)
        ``lambda_k = xi_k^2``.
    energies : ndarray, shape (K + 1,)
        ``E_k = xi_k^2 h(d, k) a^T P_k(W W^T) a`` (all ``>= 0``).
    cross : ndarray, shape (K + 1,)
        ``C_k = <f_{a,k}, f*_k> = xi_k t_k h(d, k) sum_i a_i P_k(w_i . beta)``.
    target_energies : ndarray, shape (K + 1,)
        ``t_k^2 h(d, k)``.
    norm2 : float
        ``|f_a|^2 = a^T G a`` (exact, from the closed-form Gram).
    inner : float
        ``<f_a, f*> = a^T b`` (exact).
    tail_energy : float
        ``norm2 - sum_k E_k`` (energy in degrees ``> K``, ``>= 0`` up to rounding).
    tail_cross : float
        ``inner - sum_k C_k``.
    captured_fraction : float
        ``sum_k E_k / norm2`` (1 if ``norm2 == 0``).
    tail_eigenvalue : float
        Largest eigenvalue among the dropped degrees (the next non-zero ``lambda``).
    """

    d: int
    max_degree: int
    eigenvalues: np.ndarray
    energies: np.ndarray
    cross: np.ndarray
    target_energies: np.ndarray
    norm2: float
    inner: float
    tail_energy: float
    tail_cross: float
    captured_fraction: float
    tail_eigenvalue: float


#: Entries of one row block of the pair sums (five arrays of 0.5 MB: cache-resident).
_PAIR_BLOCK_ENTRIES = 1 << 16
#: Degrees advanced over one block before the next block is visited.
_DEGREE_WINDOW = 16


def _pair_blocks(W, a):
    """Row blocks of the upper triangle of ``W W^T`` for :func:`_advance_pair_sums`.

    Block ``[i0, i1)`` holds the cosines ``s = W[i0:i1] W[i0:]^T`` (clipped to ``[-1, 1]``,
    exactly 1 on the diagonal) and the weights ``2 a_i a_j`` for ``j > i``, ``a_i^2`` for
    ``j = i`` and 0 for ``j < i``, so that summing ``wts * P_k(s)`` over all blocks gives
    ``a^T P_k(W W^T) a``; and the recurrence's state ``P_{k-1}, P_k`` (from ``k = 0``).
    """
    M = W.shape[0]
    rows = max(1, min(M, _PAIR_BLOCK_ENTRIES // M))
    blocks = []
    for i0 in range(0, M, rows):
        i1 = min(i0 + rows, M)
        r = i1 - i0
        s = W[i0:i1] @ W[i0:].T
        np.clip(s, -1.0, 1.0, out=s)
        wts = np.outer(2.0 * a[i0:i1], a[i0:])
        head = wts[:, :r]
        head[np.tril_indices(r)] = 0.0
        diag = np.arange(r)
        head[diag, diag] = a[i0:i1] ** 2
        s[diag, diag] = 1.0
        blocks.append([s, wts, np.zeros_like(s), np.ones_like(s), np.empty_like(s)])
    return blocks


def _advance_pair_sums(blocks, degrees, mu, d, K_hi):
    """``a^T P_k(W W^T) a`` for ``k`` in ``degrees`` (consecutive, continuing from the blocks'
    state), 0 where ``mu[k] = 0``; each block's state is advanced to the last degree + 1
    (not past ``K_hi``)."""
    out = np.zeros(len(degrees))
    for blk in blocks:
        s, wts, p_prev, p, tmp = blk
        for i, k in enumerate(degrees):
            if mu[k] != 0.0:
                out[i] += float(np.vdot(wts, p))
            if k == K_hi:
                break
            al, be = _gegenbauer_step(k, d)  # P_{k+1} = al s P_k - be P_{k-1}
            np.multiply(s, p, out=tmp)
            tmp *= al
            p_prev *= be
            tmp -= p_prev
            p_prev, p, tmp = p, tmp, p_prev
        blk[2:] = [p_prev, p, tmp]
    return out


def _next_nonzero_degree(K):
    return K + 1 if (K + 1) % 2 == 0 else K + 2  # odd > 1 vanish; K >= 1 assumed


@small_blas_call(lambda *a, **k: len(k.get("W", a[0] if a else ())))  # the (M, M) cosines: one BLAS thread up to M = 4096
def harmonic_energies(W, a, *, norm2, inner=0.0, beta=None, target_profile=None,
                      min_fraction=0.999, max_tail=None, max_degree=None, degree_cap=400):
    """Energy of ``f_a = sum_i a_i relu(w_i . x)`` in each harmonic degree.

    The degree is raised until the kept degrees hold at least ``min_fraction`` of
    ``norm2`` *and* the energy left in the dropped degrees is at most ``max_tail``
    (or ``degree_cap`` is reached; the fraction actually held is reported), unless
    ``max_degree`` fixes it.

    Parameters
    ----------
    W : array_like, shape (M, d)
        Unit weights.
    a : array_like, shape (M,)
        Output coefficients.
    norm2 : float
        Exact ``a^T G a`` (``>= 0``).
    inner : float
        Exact ``<f_a, f*>`` (used for the tail of the cross term).
    beta : array_like, shape (d,), optional
        Target direction (needed when ``target_profile`` is given).
    target_profile : array_like, optional
        ``t_k`` of the target (any length; missing degrees are 0). ``None``: no target.
    min_fraction : float in (0, 1]
    max_tail : float, optional
        Absolute bound on the dropped energy (``> 0``); the teacher passes
        ``0.01 * L_TE`` so that the tail is small against the teacher's error.
    max_degree : int, optional
        Fixed number of degrees (``>= 1``).
    degree_cap : int
        Upper limit of the adaptive search (``>= 2``).

    Returns
    -------
    HarmonicEnergies
    """
    W = check_unit_rows(W, "W")
    M, d = W.shape
    a = check_array(a, "a", ndim=1, shape=(M,))
    norm2 = check_float(norm2, "norm2", low=0.0)
    inner = check_float(inner, "inner")
    min_fraction = check_float(min_fraction, "min_fraction", low=0.0, high=1.0, low_open=True)
    degree_cap = check_int(degree_cap, "degree_cap", low=2, high=MAX_DEGREE)
    max_tail = np.inf if max_tail is None else check_float(max_tail, "max_tail", low=0.0)
    if max_degree is not None:
        max_degree = check_int(max_degree, "max_degree", low=1, high=MAX_DEGREE)
    tprof = np.zeros(0) if target_profile is None else check_array(target_profile, "target_profile", ndim=1)
    if tprof.size:
        beta = check_beta(beta, d)
        sb = np.clip(W @ beta, -1.0, 1.0)
    K_hi = max_degree if max_degree is not None else degree_cap
    mu = _mu_cached(d, K_hi)
    xi = _xi_cached(d, K_hi)
    Nk = _nk_cached(d, K_hi)

    # The pair sums a^T P_k(W W^T) a, degree by degree, over row blocks of the upper triangle
    # (_pair_blocks): each block's arrays stay in cache while a window of degrees runs over
    # it, instead of streaming the whole triangle from memory once per degree.
    blocks = _pair_blocks(W, a)
    q_prev, q = (np.zeros_like(sb), np.ones_like(sb)) if tprof.size else (None, None)
    energies, cross = [], []
    k0, done = 0, False
    while not done:
        k1 = min(k0 + _DEGREE_WINDOW, K_hi + 1)
        quads = _advance_pair_sums(blocks, range(k0, k1), mu, d, K_hi)
        for k in range(k0, k1):
            energies.append(max(mu[k] * quads[k - k0], 0.0))
            tk = tprof[k] if k < tprof.size else 0.0
            cross.append(xi[k] * tk * Nk[k] * float(a @ q) if (tk != 0.0 and xi[k] != 0.0) else 0.0)
            kept = float(np.sum(energies))
            if k == K_hi or (max_degree is None and k >= 2 and k % 2 == 0 and (
                    norm2 == 0.0 or (kept >= min_fraction * norm2 and norm2 - kept <= max_tail))):
                done = True
                break
            if tprof.size:
                al, be = _gegenbauer_step(k, d)
                q_prev, q = q, al * sb * q - be * q_prev
        k0 = k1
    K = len(energies) - 1
    energies = np.asarray(energies)
    cross = np.asarray(cross)
    tk = np.zeros(K + 1)
    tk[: min(K + 1, tprof.size)] = tprof[: K + 1]
    kept = float(energies.sum())
    lam = xi[: K + 1] ** 2
    Knext = _next_nonzero_degree(K)
    tail_lambda = float(_xi_cached(d, Knext)[Knext] ** 2)
    return HarmonicEnergies(
        d=d,
        max_degree=K,
        eigenvalues=lam,
        energies=energies,
        cross=cross,
        target_energies=tk ** 2 * Nk[: K + 1],
        norm2=norm2,
        inner=inner,
        tail_energy=max(norm2 - kept, 0.0),
        tail_cross=inner - float(cross.sum()),
        captured_fraction=1.0 if norm2 == 0.0 else min(kept / norm2, 1.0),
        tail_eigenvalue=tail_lambda,
    )


def low_degree_count(d, max_degree=2):
    """Number of independent spherical harmonics of degree ``<= max_degree``: ``sum_k h(d, k)``.

    ``low_degree_count(d, 2) = 1 + d + (d + 2)(d - 1)/2``.

    Parameters
    ----------
    d : int
        Dimension, ``>= 2``.
    max_degree : int
        Highest degree counted, ``0 .. MAX_DEGREE``.

    Returns
    -------
    int

    Raises
    ------
    ValueError
        ``d`` or ``max_degree`` out of range (checked by :func:`multiplicities`).
    """
    return int(round(float(multiplicities(d, max_degree).sum())))
