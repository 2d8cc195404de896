"""The weak teacher: population least squares on M_TE random ReLU features.

With the exact Gram ``G_TE = population_gram(W)`` and correlations
``b = target_correlation(W, beta, target)``, the teacher is the L2 projection of
the target onto the span of its features:

    ``a = G_TE^+ b``,  ``L_TE = |f*|^2 - b^T a = 1 - b^T a``,  ``<f_TE, f*> = |f_TE|^2 = 1 - L_TE``.

Robustness: ``G_TE`` is typically very ill-conditioned when M_TE exceeds the number of
low-degree harmonics. The pseudo-inverse is taken with a *relative* cutoff ``rcond``:
eigenvalues below ``rcond * max eigenvalue`` are dropped (one symmetric eigendecomposition;
a Cholesky solve gives the same result faster when the Gram is so well conditioned that
the cutoff drops nothing; ``_projection``).  The fitted network is then the exact L2
projection of ``f*`` onto the span of the kept eigen-directions, so
``b^T a = sum_j (v_j^T b)^2 / g_j`` is a sum of non-negative terms and equals
``|f_TE|^2 <= |f*|^2 = 1``: the loss lies in ``[0, 1]`` in exact arithmetic and is clipped
there against rounding.
"""

from __future__ import annotations

from functools import lru_cache

from dataclasses import dataclass, field

import numpy as np
from scipy.linalg import lapack

from ._validation import check_choice, check_float, check_unit_rows, check_resources
from ._blas import one_blas_thread, small_blas_call
from .random_features import sample_sphere
from .random_features import (TARGETS, _GramFactor, check_beta, population_gram, target_correlation,
                             target_profile)

__all__ = ["Teacher", "fit_teacher", "least_squares_loss", "teacher_weights", "cached_teacher", "teacher_losses",
           "teacher_grid", "teacher_error_by_degree", "geometric_mean_over_seeds", "teacher_local_slopes",
           "teacher_error_split", "span_miss"]


@dataclass(frozen=True, eq=False)
class Teacher:
    """A fitted teacher network ``f_TE(x) = sum_i coef[i] relu(W[i] . x)``.

    Attributes
    ----------
    W : ndarray, shape (M_TE, d)
        Unit weight vectors (read-only copy).
    coef : ndarray, shape (M_TE,)
        Output coefficients ``a``.
    loss : float
        ``L_TE = E (f_TE - f*)^2`` in ``[0, 1]``.
    norm2 : float
        ``|f_TE|^2 = <f_TE, f*> = 1 - L_TE``.
    d : int
    target : str
        One of ``"linear"``, ``"relu"``, ``"he2"``.
    beta : ndarray, shape (d,)
        Unit target direction.
    rank : int
        Number of Gram eigen-directions kept by the pseudo-inverse.

    Notes
    -----
    Hashable by identity; derived quantities (harmonic energies, student
    eigendecompositions) are memoised on the instance by :mod:`w2s_lib.student`.
    """

    W: np.ndarray
    coef: np.ndarray
    loss: float
    norm2: float
    d: int
    target: str
    beta: np.ndarray
    rank: int
    _cache: dict = field(default_factory=dict, repr=False, compare=False)

    @property
    def M(self):
        """Number of teacher units ``M_TE``."""
        return self.W.shape[0]

    def harmonic_energies(self, min_fraction=0.999, tail_vs_loss=0.01, max_degree=None):
        """Degree-by-degree energy of the teacher (memoised).

        Parameters
        ----------
        min_fraction : float
            Degrees are added until they hold this fraction of ``|f_TE|^2`` ...
        tail_vs_loss : float
            ... and the dropped energy is at most ``tail_vs_loss * L_TE`` (the
            teacher's error lives in the high degrees, so it must be resolved too).
        max_degree : int, optional
            Fix the number of degrees instead.

        Returns
        -------
        w2s_lib.harmonics.HarmonicEnergies
        """
        from .harmonics import harmonic_energies

        key = ("harmonics", float(min_fraction), float(tail_vs_loss), max_degree)
        if key not in self._cache:
            prof = target_profile(self.d, 2000 if self.target == "relu" else 2, self.target)
            self._cache[key] = harmonic_energies(
                self.W, self.coef, norm2=self.norm2, inner=self.norm2, beta=self.beta,
                target_profile=prof, min_fraction=min_fraction,
                max_tail=max(float(tail_vs_loss) * self.loss, 1e-12), max_degree=max_degree,
            )
        return self._cache[key]

    @property
    def harmonics(self):
        """Default harmonic decomposition (captured fraction ``>= 0.999`` where reachable)."""
        return self.harmonic_energies()


#: The Cholesky path of :func:`_projection` is taken when LAPACK's estimate of
#: ``1 / cond_1(G)`` exceeds ``CHOLESKY_MARGIN * rcond``: three orders of magnitude above the
#: cutoff (``1e-7`` at the book's ``rcond = 1e-10``).
CHOLESKY_MARGIN = 1e3


@small_blas_call(lambda G, *args: len(G))
def _projection(G, b, rcond):
    """Pseudo-inverse solve ``a = G^+ b`` and ``b^T a`` with a relative eigenvalue cutoff.

    Eigenvalues ``<= rcond * max`` are dropped.  Two exact paths:

    * **Cholesky** (``dpotrf``, ``M^3/3`` flops, about 5x faster than the eigensolver), when
      ``G`` is positive definite and LAPACK's estimate of ``1/cond_1(G)`` (``dpocon``)
      exceeds ``CHOLESKY_MARGIN * rcond``.  For a symmetric matrix ``cond_2 <= cond_1``, so
      every eigenvalue is then above ``CHOLESKY_MARGIN * rcond * max`` (up to the estimate's
      small factor), far above the cutoff: the cutoff drops nothing, ``G^+ = G^{-1}``, and both paths give
      the same ``a`` to round-off (``cond * eps``).
    * **Eigen-decomposition** otherwise: from the eigenvalues and the projections ``Q^T b``
      (:class:`~w2s_lib.random_features._GramFactor`: tridiagonal reduction, no eigenvector
      matrix), about twice as fast as a full ``eigh`` and equal to it to round-off.

    ``G`` (C-ordered, symmetric, entries >= 0 as every ReLU Gram) may be overwritten.
    """
    M = G.shape[0]
    G = np.ascontiguousarray(G, dtype=float)
    threshold = CHOLESKY_MARGIN * rcond
    if threshold < 1.0:
        anorm = float(np.abs(G).sum(axis=0).max())  # the 1-norm
        L, info = lapack.dpotrf(G.T, lower=1, clean=0, overwrite_a=0)  # G.T: G in Fortran order
        if info == 0 and anorm > 0:
            rc, info = lapack.dpocon(L, anorm, uplo="L")
            if info == 0 and rc > threshold:
                a, info = lapack.dpotrs(L, b, lower=1)
                if info == 0:
                    return a, float(b @ a), M
    fac = _GramFactor(G, rcond)
    lam = fac.eigvals
    if lam.size == 0:
        return np.zeros(M), 0.0, 0
    (proj,) = fac.project(b)
    w = proj / lam
    return fac.expand(w), float(proj @ w), int(lam.size)


def least_squares_loss(W, target="linear", beta=None, rcond=1e-10):
    """Best population loss reachable with features ``W`` (the teacher's loss).

    Used as the *own ceiling* of a finite student (its loss trained on the target itself):
    ``least_squares_loss(W_student)``. (The strong ceiling of Part II is another model.)

    Parameters
    ----------
    W : array_like, shape (M, d)
    target, beta, rcond
        As in :func:`fit_teacher`.

    Returns
    -------
    float in [0, 1]
    """
    return fit_teacher(W, target=target, beta=beta, rcond=rcond).loss


def fit_teacher(W, target="linear", beta=None, rcond=1e-10):
    """Fit the teacher's top layer by population least squares.

    Parameters
    ----------
    W : array_like, shape (M_TE, d)
        Unit weight vectors (rows on the sphere), ``M_TE >= 1``, ``d >= 2``.
    target : {"linear", "relu", "he2"}
        Target function (:mod:`w2s_lib.random_features`); default linear
        ``f*(x) = sqrt(d) beta . x``.
    beta : array_like, shape (d,), optional
        Unit target direction, default ``e_1``.
    rcond : float in (0, 1)
        Relative eigenvalue cutoff of the pseudo-inverse.

    Returns
    -------
    Teacher
        With ``.loss`` (``L_TE`` in ``[0, 1]``) and ``.coef`` (shape ``(M_TE,)``).
    """
    W = check_unit_rows(W, "W")
    check_choice(target, "target", TARGETS)
    d = W.shape[1]
    beta = check_beta(beta, d)
    rcond = check_float(rcond, "rcond", low=0.0, high=1.0, low_open=True, high_open=True)
    M = W.shape[0]
    # the Gram matrix, its eigenvectors and LAPACK's workspace; an O(M^3) eigensolver
    check_resources("W.shape[0] (M_TE)", M, nbytes=24 * M * M, flops=10 * M**3,
                    what=f"the eigendecomposition of an ({M}, {M}) Gram matrix")
    G = population_gram(W)
    b = target_correlation(W, beta, target)
    a, bta, rank = _projection(G, b, rcond)
    loss = float(np.clip(1.0 - bta, 0.0, 1.0))
    Wc = W.copy()
    Wc.setflags(write=False)
    a.setflags(write=False)
    beta = beta.copy()
    beta.setflags(write=False)
    return Teacher(W=Wc, coef=a, loss=loss, norm2=1.0 - loss, d=d, target=target, beta=beta, rank=rank)


# ---------------------------------------------------------------------------
# The book's teachers: seeding convention and memoised fits (chapters 2-5)
# ---------------------------------------------------------------------------

def teacher_weights(d, M, seed):
    """The teacher's weights for width ``M`` and ``seed``, shape ``(M, d)``:
    ``sample_sphere(M, d, default_rng([seed, M]))`` (the book's seeding rule, stated in
    :func:`w2s_lib.student.teacher_and_student`)."""
    return sample_sphere(M, d, np.random.default_rng([int(seed), int(M)]))


@lru_cache(maxsize=1024)
def cached_teacher(d, M, seed):
    """``fit_teacher(teacher_weights(d, M, seed))`` (linear target), memoised."""
    with one_blas_thread():
        return fit_teacher(teacher_weights(d, M, seed))


def teacher_losses(d, m_values, seeds):
    """``L_TE`` for every width and seed.

    Returns
    -------
    ndarray, shape (len(m_values), len(seeds))
    """
    return np.array([[cached_teacher(int(d), int(m), int(s)).loss for s in seeds] for m in m_values])


@lru_cache(maxsize=32)
def teacher_grid(d, m_values, seeds):
    """:func:`teacher_losses` on a fixed grid (read-only, memoised): a figure's background."""
    out = teacher_losses(d, m_values, seeds)
    out.setflags(write=False)
    return out


def teacher_error_by_degree(teacher, max_degree=None):
    """Energy of the teacher's error ``f_TE - f*`` in each harmonic degree.

    ``err_k = E_k - 2 C_k + T_k`` (teacher energy, overlap and target energy of degree ``k``,
    :class:`w2s_lib.harmonics.HarmonicEnergies`); for the linear target ``err_1 = E_1 - 1 + 2 L_TE``
    and ``err_k = E_k`` otherwise.

    Parameters
    ----------
    teacher : Teacher
    max_degree : int, optional
        Resolve degrees ``0..max_degree`` only and lump the rest (exactly, from
        ``|f_TE|^2``) into ``tail``; default: the teacher's adaptive decomposition
        (``Teacher.harmonics``).

    Returns
    -------
    degrees : ndarray, shape (K + 1,)
    err : ndarray, shape (K + 1,)
        Non-negative; ``err.sum() + tail`` equals ``L_TE`` (up to the harmonic truncation).
    tail : float
        Error energy beyond degree ``K`` (``tail_energy - 2 tail_cross``).
    """
    H = teacher.harmonics if max_degree is None else teacher.harmonic_energies(max_degree=int(max_degree))
    err = np.maximum(H.energies - 2.0 * H.cross + H.target_energies, 0.0)
    tail = max(H.tail_energy - 2.0 * H.tail_cross, 0.0)
    return np.arange(H.max_degree + 1), err, tail


# ---------------------------------------------------------------------------
# Teacher losses across seeds and widths, and the share of the error by degree (chapter 2)
# ---------------------------------------------------------------------------

def geometric_mean_over_seeds(losses):
    """Geometric mean of losses over seeds (the last axis): the typical teacher on a log scale.

    Parameters
    ----------
    losses : ndarray, shape (n_m, n_seeds)
        Positive losses, e.g. from :func:`teacher_losses`.

    Returns
    -------
    ndarray, shape (n_m,)
    """
    return np.exp(np.log(np.asarray(losses, dtype=float)).mean(-1))



def teacher_local_slopes(d, m_values, seeds=tuple(range(5))):
    """Local log-log slope of the seed-averaged teacher loss between consecutive widths.

    Parameters
    ----------
    d : int
    m_values : sequence of int, increasing, length >= 2
    seeds : sequence of int

    Returns
    -------
    m_mid : ndarray, shape (len(m_values) - 1,)
        Geometric midpoints of consecutive widths.
    slopes : ndarray, shape (len(m_values) - 1,)
        ``Delta log gm(L_TE) / Delta log M_TE`` with ``gm`` the geometric mean over seeds.
    """
    m = np.asarray(m_values, dtype=float)
    if m.size < 2 or np.any(np.diff(m) <= 0):
        raise ValueError("m_values must hold at least 2 increasing widths")
    logL = np.log(geometric_mean_over_seeds(teacher_losses(d, m_values, seeds)))
    return np.sqrt(m[1:] * m[:-1]), np.diff(logL) / np.diff(np.log(m))



def teacher_error_split(teacher):
    """Shares of ``L_TE`` in degree 0, degree 1, degree 2 and degrees ``>= 3`` (sum 1).

    Returns
    -------
    ndarray, shape (4,)
    """
    _, err, tail = teacher_error_by_degree(teacher)
    parts = np.array([err[0], err[1], err[2] if err.size > 2 else 0.0, err[3:].sum() + tail])
    tot = parts.sum()
    return parts / tot if tot > 0 else parts


def span_miss(teacher):
    """``|beta - P_W beta|^2``: the target's energy outside the span of the teacher's weights.

    Computed by linear algebra on ``W`` alone (a QR factorisation), independently of the
    harmonic expansion.  The degree-1 part of every ``relu(w . x)`` is proportional to
    ``w . x``, so the teacher's and (in the kernel limit, which filters each degree) the
    student's degree-1 parts lie in ``{v . x : v in span(W)}``; the linear target's part
    outside it, of energy ``|beta - P_W beta|^2``, is never learned:
    ``L_ST(tau) >= span_miss`` at every ``tau``.  Zero when ``M_TE >= d`` (generic ``W``).
    """
    Q, _ = np.linalg.qr(np.asarray(teacher.W, dtype=float).T)
    beta = np.asarray(teacher.beta, dtype=float)
    return float(beta @ beta - np.sum((Q.T @ beta) ** 2))
