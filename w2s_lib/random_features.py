"""Random ReLU features on the sphere and their exact population statistics.

Conventions (``SCIENCE.md``, Part A):

* inputs ``x ~ Unif(S^{d-1})``;
* a feature is ``phi_w(x) = relu(w . x)`` with a unit weight ``w``;
* the population inner product is ``<f, g> = E_x f(x) g(x)``.

Closed forms
------------
* Population Gram (arc-cosine kernel of degree 1)::

      E_x[phi_u(x) phi_v(x)] = J(theta_uv) / (2 pi d),
      J(t) = sin t + (pi - t) cos t,   cos theta_uv = u . v.

* Targets, all normalised so that ``E_x f*(x)^2 = 1`` (loss 1 = zero predictor);
  ``beta`` is a unit vector (default ``e_1``):

  ``"linear"``  ``f*(x) = sqrt(d) beta . x``  (the default of the book);
  ``"relu"``    ``f*(x) = sqrt(2 d) relu(beta . x)``  (a single ReLU unit);
  ``"he2"``     ``f*(x) = sqrt(h(d, 2)) P_2(beta . x)``  (a pure degree-2 harmonic),

  with correlations ``E_x[phi_w(x) f*(x)]``:

  ``"linear"``  ``(w . beta) / (2 sqrt d)``;
  ``"relu"``    ``sqrt(2 d) J(theta_{w beta}) / (2 pi d)``;
  ``"he2"``     ``sqrt(h(d, 2)) xi_2 P_2(w . beta)``.

  Every target is a zonal function ``g(beta . x)``; its harmonic profile
  ``t_k = E_s[g(s) P_k(s)]`` (see :func:`target_profile`) gives the degree-``k``
  part ``f*_k(x) = t_k h(d, k) P_k(beta . x)`` with energy ``t_k^2 h(d, k)``.
"""

from __future__ import annotations

import numpy as np
import scipy.linalg as sla
from scipy.linalg import blas, lapack

from ._blas import small_blas_call
from ._validation import (check_array, check_beta, check_choice, check_int, check_rng, check_unit_rows, check_resources,
                          default_beta)
from functools import lru_cache

from ._blas import one_blas_thread
from .harmonics import MAX_DEGREE, kernel_eigenvalues, multiplicities, relu_gegenbauer_coefficients

__all__ = [
    "TARGETS",
    "sample_sphere",
    "relu_features",
    "arccos_J",
    "population_gram",
    "default_beta",
    "check_beta",
    "target_values",
    "target_correlation",
    "target_profile",
    "great_circle",
    "finite_kernel_on_circle",
    "exact_kernel_on_circle",
    "kernel_gap",
    "KERNEL_THETAS",
    "monte_carlo_gram",
    "monte_carlo_target_correlation",
    "gram_spectrum_check",
]

#: Names of the implemented targets.
TARGETS = ("linear", "relu", "he2")


def sample_sphere(n, d, seed):
    """Sample ``n`` points uniformly on the unit sphere ``S^{d-1}``.

    Parameters
    ----------
    n : int
        Number of points, ``n >= 1``.
    d : int
        Ambient dimension, ``d >= 2``.
    seed : int or numpy.random.Generator
        Seed (``>= 0``) or generator; the only source of randomness.

    Returns
    -------
    ndarray, shape (n, d)
        Rows of unit Euclidean norm.
    """
    n = check_int(n, "n", low=1)
    d = check_int(d, "d", low=2)
    # the draw and its normalised copy
    check_resources("n", n, nbytes=16 * n * d, flops=30 * n * d, what=f"{n} points in dimension d = {d}")
    rng = check_rng(seed)
    g = rng.standard_normal((n, d))
    norms = np.linalg.norm(g, axis=1, keepdims=True)
    # a Gaussian vector is zero with probability 0; guard anyway
    while np.any(norms == 0):  # pragma: no cover
        bad = norms[:, 0] == 0
        g[bad] = rng.standard_normal((int(bad.sum()), d))
        norms = np.linalg.norm(g, axis=1, keepdims=True)
    return g / norms


def relu_features(X, W):
    """Evaluate the ReLU features ``relu(x . w)`` on samples.

    Parameters
    ----------
    X : array_like, shape (n, d)
        Inputs (any finite reals; usually points on the sphere).
    W : array_like, shape (M, d)
        Unit weight vectors.

    Returns
    -------
    ndarray, shape (n, M)
        ``Phi[i, j] = max(0, X[i] . W[j])``.
    """
    W = check_unit_rows(W, "W")
    X = check_array(X, "X", ndim=2, shape=(None, W.shape[1]))
    n, M = X.shape[0], W.shape[0]
    check_resources("X.shape[0] (n)", n, nbytes=16 * n * M, flops=2 * n * M * W.shape[1],
                    what=f"an ({n}, {M}) feature matrix")
    return np.maximum(X @ W.T, 0.0)


def arccos_J(theta):
    """The degree-1 arc-cosine function ``J(t) = sin t + (pi - t) cos t``.

    Parameters
    ----------
    theta : array_like
        Angles in ``[0, pi]`` (radians).

    Returns
    -------
    ndarray
        ``J(theta)``, same shape; ``J(0) = pi``, ``J(pi) = 0``, decreasing.
    """
    theta = check_array(theta, "theta")
    if np.any(theta < 0) or np.any(theta > np.pi):
        raise ValueError("theta must lie in [0, pi]")
    return np.sin(theta) + (np.pi - theta) * np.cos(theta)


def _J_of_cos(cos):
    """``J(arccos c)`` written through ``c`` directly: ``sqrt(1-c^2) + (pi - arccos c) c``."""
    cos = np.clip(cos, -1.0, 1.0)
    return np.sqrt(np.maximum(1.0 - cos * cos, 0.0)) + (np.pi - np.arccos(cos)) * cos


#: About this many matrix entries per row block of the Gram helpers below (their
#: work buffers then stay in cache; measured on 2 cores for M = 1024 and 2048).
_GRAM_BLOCK_ENTRIES = 1 << 16


def _J_block(c, s, a, scale, out):
    """``out = _J_of_cos(c) / scale`` with the same floating-point operations, in buffers.

    ``c`` (clipped in place), ``s`` and ``a`` are work arrays of one shape; ``out`` may be
    ``c`` itself.
    """
    np.clip(c, -1.0, 1.0, out=c)
    np.multiply(c, c, out=s)  # s = sqrt(max(1 - c^2, 0))
    np.subtract(1.0, s, out=s)
    np.maximum(s, 0.0, out=s)
    np.sqrt(s, out=s)
    np.arccos(c, out=a)  # a = (pi - arccos c) c
    np.subtract(np.pi, a, out=a)
    np.multiply(a, c, out=a)
    np.add(s, a, out=a)
    np.divide(a, scale, out=out)


@small_blas_call(lambda U, V=None: max(len(U), 0 if V is None else len(V)))
def _relu_gram(U, V=None):
    """The Gram of :func:`population_gram` for checked unit rows (the finite student calls it
    directly: its factorisation reads one triangle).

    ``V = None``: only the upper triangle and the diagonal of ``G(U, U)`` are filled in
    (LAPACK's tridiagonal reduction reads one triangle); the strictly lower triangle is
    uninitialised memory.  Each block of rows computes only the cosines it needs (for
    ``V = None``, ``U[i0:i1] U[i0:]^T``: about half the work) into a cache-resident
    buffer and writes its part of ``G`` once, with no full-size temporaries.

    The products use SciPy's BLAS, not NumPy's.  Both wheels bundle their own OpenBLAS
    with its own thread pool, whose idle threads spin for tens of milliseconds after a
    threaded call: on a 2-core machine a NumPy matrix product just before a SciPy LAPACK
    call (the student's factorisation) measurably halves the LAPACK call's speed.
    """
    sym = V is None
    n, d = U.shape
    UT = np.asfortranarray(U.T)  # (d, n): columns are weight vectors
    VT = UT if sym else np.asfortranarray(V.T)
    m = VT.shape[1]
    G = np.empty((n, m))
    rows = max(1, min(n, _GRAM_BLOCK_ENTRIES // m))
    buf = np.empty(3 * rows * m)
    for i0 in range(0, n, rows):
        i1 = min(i0 + rows, n)
        j0 = i0 if sym else 0
        k = (i1 - i0) * (m - j0)
        # cosines U[i0:i1] V[j0:]^T, computed as the Fortran-ordered (m - j0, i1 - i0)
        # product V[j0:] U[i0:i1]^T, i.e. C-ordered rows i0:i1 after transposing
        cT = buf[:k].reshape((m - j0, i1 - i0), order="F")
        cT = blas.dgemm(1.0, VT[:, j0:], UT[:, i0:i1], beta=0.0, c=cT, trans_a=1, overwrite_c=1)
        c = cT.T
        s = buf[k:2 * k].reshape(c.shape)
        a = buf[2 * k:3 * k].reshape(c.shape)
        _J_block(c, s, a, 2.0 * np.pi * d, G[i0:i1, j0:])
    if sym:
        np.fill_diagonal(G, 1.0 / (2.0 * d))
    return G


def population_gram(U, V=None):
    """Exact population Gram ``E_x[relu(u . x) relu(v . x)]`` for ``x ~ Unif(S^{d-1})``.

    Parameters
    ----------
    U : array_like, shape (M1, d)
        Unit weight vectors.
    V : array_like, shape (M2, d), optional
        Unit weight vectors; ``None`` means ``V = U`` (a symmetric PSD matrix).

    Returns
    -------
    ndarray, shape (M1, M2)
        ``J(theta_uv) / (2 pi d)``; the diagonal of ``population_gram(U)`` is ``1/(2d)``.
        ``population_gram(U)`` is exactly symmetric (its upper triangle is evaluated and
        mirrored).
    """
    U = check_unit_rows(U, "U")
    if V is not None:
        V = check_unit_rows(V, "V", d=U.shape[1])
    M1 = U.shape[0]
    M2 = M1 if V is None else V.shape[0]
    check_resources("U.shape[0] (M)", M1, nbytes=8 * M1 * M2 + 64 * _GRAM_BLOCK_ENTRIES,
                    flops=M1 * M2 * (2 * U.shape[1] + 40), what=f"an ({M1}, {M2}) Gram matrix")
    if V is None:
        G = _relu_gram(U)  # upper triangle and diagonal
        n = G.shape[0]
        rows = max(1, min(n, _GRAM_BLOCK_ENTRIES // max(n, 1)))
        for i0 in range(0, n, rows):  # mirror the upper triangle: G is exactly symmetric
            i1 = min(i0 + rows, n)
            G[i1:, i0:i1] = G[i0:i1, i1:].T
            D = G[i0:i1, i0:i1]
            low = np.tril_indices(i1 - i0, -1)
            D[low] = D.T[low]
        return G
    return _relu_gram(U, V)


def _n_deg2(d):
    return (d + 2) * (d - 1) / 2.0  # h(d, 2)


def _p2(s, d):
    return (d * s * s - 1.0) / (d - 1.0)  # normalised Gegenbauer P_2, P_2(1) = 1


def target_values(X, target="linear", beta=None):
    """Evaluate the target ``f*`` on samples.

    Parameters
    ----------
    X : array_like, shape (n, d)
        Inputs on the sphere.
    target : {"linear", "relu", "he2"}
        Which target (module docstring).
    beta : array_like, shape (d,), optional
        Unit target direction; default ``e_1``.

    Returns
    -------
    ndarray, shape (n,)
    """
    X = check_array(X, "X", ndim=2)
    if X.shape[1] < 2:
        raise ValueError(f"X must have d >= 2 columns, got shape {X.shape}")
    check_choice(target, "target", TARGETS)
    d = X.shape[1]
    beta = check_beta(beta, d)
    s = X @ beta
    if target == "linear":
        return np.sqrt(d) * s
    if target == "relu":
        return np.sqrt(2.0 * d) * np.maximum(s, 0.0)
    return np.sqrt(_n_deg2(d)) * _p2(s, d)


def target_correlation(W, beta=None, target="linear"):
    """Exact correlations ``b_i = E_x[relu(w_i . x) f*(x)]``.

    Parameters
    ----------
    W : array_like, shape (M, d)
        Unit weight vectors.
    beta : array_like, shape (d,), optional
        Unit target direction; default ``e_1``.
    target : {"linear", "relu", "he2"}
        Which target (module docstring gives each closed form).

    Returns
    -------
    ndarray, shape (M,)
        For the linear target ``(w_i . beta) / (2 sqrt d)``.
    """
    W = check_unit_rows(W, "W")
    check_choice(target, "target", TARGETS)
    d = W.shape[1]
    beta = check_beta(beta, d)
    s = np.clip(W @ beta, -1.0, 1.0)
    if target == "linear":
        return s / (2.0 * np.sqrt(d))
    if target == "relu":
        return np.sqrt(2.0 * d) * _J_of_cos(s) / (2.0 * np.pi * d)
    xi2 = relu_gegenbauer_coefficients(d, 2)[2]
    return np.sqrt(_n_deg2(d)) * xi2 * _p2(s, d)


def target_profile(d, max_degree, target="linear"):
    """Harmonic profile ``t_k = E_s[g(s) P_k(s)]`` of a zonal target ``f*(x) = g(beta . x)``.

    The degree-``k`` part of the target is ``t_k h(d, k) P_k(beta . x)`` and carries
    energy ``t_k^2 h(d, k)``; the energies of all degrees sum to 1.

    Parameters
    ----------
    d : int
        Dimension, ``d >= 2``.
    max_degree : int
        Highest degree returned, ``>= 0``.
    target : {"linear", "relu", "he2"}

    Returns
    -------
    ndarray, shape (max_degree + 1,)
        ``t_0 .. t_K``. Linear: ``t_1 = 1/sqrt(d)``; relu: ``sqrt(2d) xi_k``;
        he2: ``t_2 = 1/sqrt(h(d, 2))``.
    """
    d = check_int(d, "d", low=2)
    K = check_int(max_degree, "max_degree", low=0, high=MAX_DEGREE)
    check_choice(target, "target", TARGETS)
    t = np.zeros(K + 1)
    if target == "linear":
        if K >= 1:
            t[1] = 1.0 / np.sqrt(d)
    elif target == "relu":
        t[:] = np.sqrt(2.0 * d) * relu_gegenbauer_coefficients(d, K)
    else:
        if K >= 2:
            t[2] = 1.0 / np.sqrt(_n_deg2(d))
    return t


class _GramFactor:
    """Kept eigenpairs of a symmetric Gram ``S``, factored as ``Q = H Z``.

    Private helper shared by the teacher (its pseudo-inverse solve) and the students (their
    closed-form trajectories): ``S = H T H^T`` by LAPACK ``dsytrd``, ``T = Z diag(s) Z^T`` by
    ``stevd``, and vectors projected through the stored reflectors in O(M^2), so the O(M^3)
    eigenvector matrix is formed only when asked for (:attr:`eigvecs`).

    ``H = H_1 ... H_{M-1}`` is kept as LAPACK's Householder reflectors (``dsytrd``,
    lower triangle): ``H e_1 = e_1``, and on coordinates ``2..M`` the ``H_i`` are the
    reflectors of a QR factorisation, so ``dormqr`` applies ``H`` or ``H^T``.  ``Z``
    holds the kept eigenvectors of the tridiagonal ``T``.  Nothing changes after
    construction except the cache of ``Q``.  Memory: about ``M^2 + M r`` floats (plus
    ``M r`` once ``Q`` is formed).

    Parameters
    ----------
    S : ndarray, shape (M, M)
        C-ordered, with ``S``'s upper triangle and diagonal filled in (the strictly lower
        triangle is not read); overwritten.
    rcond : float
        Eigenvalues ``s_j <= rcond * max(s)`` are dropped.

    Attributes
    ----------
    eigvals : ndarray, shape (r,)
        Kept eigenvalues, ascending, read-only.
    """

    def __init__(self, S, rcond):
        M = S.shape[0]
        if M == 1:
            s, Z, refl, tau = np.array([S[0, 0]]), np.ones((1, 1)), None, None
        else:
            # S.T is S in Fortran order, its valid triangle now the lower one: no copy
            lwork = max(int(lapack.dsytrd_lwork(M, lower=1)[0]), M)
            A, diag, off, tau, info = lapack.dsytrd(S.T, lower=1, lwork=lwork, overwrite_a=1)
            if info != 0:
                raise np.linalg.LinAlgError(f"dsytrd failed (info = {info})")
            refl = np.asfortranarray(A[1:, :-1])  # the reflectors, laid out as dormqr wants
            try:
                s, Z = sla.eigh_tridiagonal(diag, off, lapack_driver="stevd", check_finite=False)
            except np.linalg.LinAlgError:  # divide and conquer did not converge (rare)
                s, Z = sla.eigh_tridiagonal(diag, off, lapack_driver="stemr", check_finite=False)
        i0 = int(np.searchsorted(s, rcond * max(float(s[-1]), 0.0), side="right"))  # s ascending
        self.eigvals = np.array(s[i0:])
        self._Z = np.array(Z[:, i0:], order="F") if i0 else np.asfortranarray(Z)
        self._refl, self._tau, self._Q = refl, tau, None
        for a in (self.eigvals, self._Z, self._refl, self._tau):
            if a is not None:
                a.setflags(write=False)

    def _lwork(self, ncols):
        return max(1, ncols) * 64 + 65 * 64  # dormqr's optimal workspace (block size <= 64)

    def _apply_H(self, X, trans):
        """``H X`` (``trans="N"``) or ``H^T X`` (``"T"``) for ``X`` of shape (M, k); new array."""
        Y = np.array(X, dtype=float, order="F", copy=True)
        if self._refl is not None:
            out, _, info = lapack.dormqr("L", trans, self._refl, self._tau, Y[1:], self._lwork(Y.shape[1]))
            if info != 0:
                raise np.linalg.LinAlgError(f"dormqr failed (info = {info})")
            Y[1:] = out
        return Y

    def project(self, *vectors):
        """``Q^T v = Z^T (H^T v)`` for each vector ``v`` of length M; returns a tuple."""
        Y = self._apply_H(np.column_stack(vectors), "T")
        P = blas.dgemm(1.0, self._Z, Y, trans_a=1)  # Z^T Y; SciPy's BLAS (see _relu_gram)
        return tuple(np.ascontiguousarray(P[:, j]) for j in range(P.shape[1]))

    def expand(self, y):
        """``Q y = H (Z y)`` for ``y`` of length r; returns shape (M,)."""
        return self._apply_H((self._Z @ y)[:, None], "N")[:, 0]

    @property
    def eigvecs(self):
        """``Q = H Z``, shape (M, r), read-only; formed on first access (O(M^3)) and cached."""
        if self._Q is None:
            Q = self._apply_H(self._Z, "N")
            Q.setflags(write=False)
            self._Q = Q
        return self._Q


# ---------------------------------------------------------------------------
# The kernel along a great circle (chapter 1)
# ---------------------------------------------------------------------------

def great_circle(d, theta):
    """Points ``x(theta) = cos(theta) e_1 + sin(theta) e_2`` on ``S^{d-1}``.

    Parameters
    ----------
    d : int
        Dimension, ``d >= 2``.
    theta : array_like, shape (n,)
        Angles in radians.

    Returns
    -------
    ndarray, shape (n, d)
        Unit vectors; ``x(theta) . e_1 = cos(theta)``.
    """
    d = check_int(d, "d", low=2)
    theta = np.asarray(theta, dtype=float).reshape(-1)
    X = np.zeros((theta.size, d))
    X[:, 0], X[:, 1] = np.cos(theta), np.sin(theta)
    return X


def finite_kernel_on_circle(W, theta):
    """Finite random-feature kernel ``K_M(e_1, x(theta)) = (1/M) sum_j phi_j(e_1) phi_j(x(theta))``.

    Parameters
    ----------
    W : array_like, shape (M, d)
        Unit weights of the ``M`` random features.
    theta : array_like, shape (n,)
        Angles in ``[0, pi]``.

    Returns
    -------
    ndarray, shape (n,)
    """
    W = np.asarray(W, dtype=float)
    d = W.shape[1]
    phi0 = relu_features(great_circle(d, [0.0]), W)[0]  # (M,)
    phis = relu_features(great_circle(d, theta), W)  # (n, M)
    return phis @ phi0 / W.shape[0]


def exact_kernel_on_circle(d, theta):
    """Infinite-width kernel ``K(e_1, x(theta)) = E_w[phi_w(e_1) phi_w(x(theta))] = J(theta)/(2 pi d)``.

    By the symmetry between ``w`` and ``x`` this is the population Gram entry of two unit
    vectors at angle ``theta`` (:func:`w2s_lib.population_gram`).

    Returns
    -------
    ndarray, shape (n,)
    """
    return population_gram(great_circle(d, [0.0]), great_circle(d, theta))[0]


#: Angles on which chapter 1 compares kernels.
KERNEL_THETAS = np.linspace(0.0, np.pi, 91)
KERNEL_THETAS.setflags(write=False)


def kernel_gap(d, M, seed=0):
    """Largest gap ``max_theta |K_M - K| / K(0)`` of the width-``M`` kernel (features
    ``sample_sphere(M, d, seed)``) to its limit, over :data:`KERNEL_THETAS`."""
    W = sample_sphere(M, d, seed)
    exact = exact_kernel_on_circle(d, KERNEL_THETAS)
    fin = finite_kernel_on_circle(W, KERNEL_THETAS)
    return float(np.max(np.abs(fin - exact)) * 2 * d)


# ---------------------------------------------------------------------------
# Checks of the closed forms: Monte Carlo over x and the finite Gram's spectrum (chapter 1)
# ---------------------------------------------------------------------------

def monte_carlo_gram(d, theta, n_samples, seed):
    """Monte Carlo estimate of ``E_x[phi_u(x) phi_v(x)]`` for ``u = e_1`` and ``v = x(theta)``.

    Parameters
    ----------
    d : int
    theta : array_like, shape (n,)
        Angles between ``u`` and ``v``, in ``[0, pi]``.
    n_samples : int
        Number of inputs ``x ~ Unif(S^{d-1})``.
    seed : int

    Returns
    -------
    mean, se : ndarray, shape (n,)
        Sample mean and its standard error.
    """
    X = sample_sphere(n_samples, d, seed)
    pu = relu_features(X, great_circle(d, [0.0]))[:, 0]
    prod = relu_features(X, great_circle(d, theta)) * pu[:, None]
    return prod.mean(0), prod.std(0, ddof=1) / np.sqrt(n_samples)



def monte_carlo_target_correlation(d, theta, n_samples, seed):
    """Monte Carlo estimate of ``E_x[phi_w(x) f*(x)]`` (linear target, ``beta = e_1``),
    for ``w = x(theta)`` at angle ``theta`` from ``beta``.

    Returns
    -------
    mean, se : ndarray, shape (n,)
    """
    X = sample_sphere(n_samples, d, seed)
    prod = relu_features(X, great_circle(d, theta)) * target_values(X)[:, None]
    return prod.mean(0), prod.std(0, ddof=1) / np.sqrt(n_samples)



@lru_cache(maxsize=16)
def gram_spectrum_check(d, M, seed=0):
    """Eigenvalues of ``G / M`` for ``M`` random features against the kernel spectrum.

    For large ``M`` the matrix ``G / M`` (``G`` the exact population Gram of ``M`` random
    unit weights) approximates the kernel operator, so its eigenvalues cluster at
    ``lambda_k`` with ``h(d, k)`` copies.

    Returns
    -------
    simulated : ndarray, shape (M,)
        Eigenvalues of ``G / M``, descending.
    theory : ndarray, shape (M,)
        ``lambda_k`` repeated ``h(d, k)`` times (zero degrees skipped), descending, cut at ``M``.
    """
    W = sample_sphere(M, d, np.random.default_rng([seed, M]))
    with one_blas_thread():
        sim = np.linalg.eigvalsh(population_gram(W))[::-1] / M
    K = 2
    while True:
        N = multiplicities(d, K)
        lam = kernel_eigenvalues(d, K)
        if N[lam > 0].sum() >= M:
            break
        K += 2
    reps = np.repeat(lam[lam > 0], N[lam > 0].astype(int))
    theory = np.sort(reps)[::-1][:M]
    sim.setflags(write=False)
    theory.setflags(write=False)
    return sim, theory
