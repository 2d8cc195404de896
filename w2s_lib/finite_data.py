"""A student trained on N teacher-labelled samples, evaluated at population level.

The student sees ``N`` unlabeled inputs ``x_1..x_N ~ Unif(S^{d-1})`` labelled by the
teacher, ``y_n = f_TE(x_n)``, and runs gradient flow (learning rate ``1/M_ST``, from 0) on the
empirical loss ``(1/2N) sum_n (f_u(x_n) - y_n)^2``::

    du/dt = (c_hat - S_hat u) / M_ST,   S_hat = Phi^T Phi / N,  c_hat = Phi^T y / N,

with ``Phi`` the ``N x M_ST`` feature matrix.  With the thin SVD
``Phi / sqrt(N) = U diag(sigma) V^T`` and ``z = U^T y / sqrt(N)``::

    u(t) = V h(t),   h_j(t) = (1 - exp(-sigma_j^2 t / M_ST)) z_j / sigma_j,

and as ``t -> infinity`` ``u`` tends to the minimum-norm least-squares solution
``V diag(1/sigma) z`` (it interpolates the labels when ``N <= M_ST``).  The *population* loss
uses the exact Gram: ``L(u) = 1 - 2 u^T b + u^T S u``, evaluated as
``1 - 2 h^T (V^T b) + h^T (V^T S V) h``.

Time is ``tau = lambda_1 t`` as everywhere.  The population time constants of the empirical
flow match the population flow's, so the two curves share one axis.

What it shows (SCIENCE item 8; measured at build time by chapter 4 and the ledger's claims A8,
``d = 16``, ``M_TE = 128``, ``M_ST = 512``, several seeds):

Early stopped, the student beats the teacher from a few hundred samples on; run to
``t -> infinity`` it is worse than the teacher whenever ``N`` is below or near ``M_ST`` and
catastrophic at ``N = M_ST`` (the double-descent peak), while for ``N >> M_ST`` the limit is an
ordinary least-squares fit and again beats the teacher.  The numbers live in the ledger
(``python -m w2s_lib.ledger``), not here, so they cannot go stale.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

import numpy as np

from ._blas import small_blas_call
from ._validation import check_float, check_int, check_resources, check_rng, check_times, check_unit_rows
from .random_features import population_gram, relu_features, sample_sphere, target_correlation
from .early_stopping import early_stop
from .student import _check_teacher, lambda_1, student_trajectory, student_weights
from .teacher import cached_teacher

__all__ = ["SampleStudent", "train_on_samples", "FD", "FD_TAU_GRID", "N_VALUES", "finite_data_teacher",
           "finite_data_student", "population_student", "finite_data_table"]


@dataclass(frozen=True, eq=False)
class SampleStudent:
    """Population-loss trajectory of a student trained on ``N`` teacher-labelled samples.

    Attributes
    ----------
    M : int
        Student width.
    N : int
        Number of samples.
    d : int
    sigma2 : ndarray, shape (r,)
        Kept squared singular values of ``Phi / sqrt(N)`` (eigenvalues of ``S_hat``).
    z_over_sigma : ndarray, shape (r,)
        ``z_j / sigma_j``: the interpolating solution's coordinates.
    vb : ndarray, shape (r,)
        ``V^T b``.
    vsv : ndarray, shape (r, r)
        ``V^T S V``.
    teacher_loss : float
        ``L_TE``.
    interpolating_loss : float
        Population loss of the ``t -> infinity`` (minimum-norm) solution.
    train_residual : float
        Mean squared training error of the minimum-norm solution (0 when it interpolates).
    """

    M: int
    N: int
    d: int
    sigma2: np.ndarray
    z_over_sigma: np.ndarray
    vb: np.ndarray
    vsv: np.ndarray
    teacher_loss: float
    interpolating_loss: float
    train_residual: float

    def _loss_h(self, H):
        out = 1.0 - 2.0 * (self.vb @ H) + np.einsum("it,it->t", H, self.vsv @ H)
        return np.maximum(out, 0.0)

    def _h(self, tau):
        t = tau.reshape(-1) / lambda_1(self.d)
        G = -np.expm1(-np.outer(self.sigma2, t) / self.M)
        return G * self.z_over_sigma[:, None]

    def loss(self, tau):
        """Population loss at times ``tau`` (array shaped like ``tau``); O(r^2) per time."""
        tau = check_times(tau, "tau")
        out = self._loss_h(self._h(tau))
        return out.reshape(tau.shape)

    def target_overlap(self, tau):
        """``<f_ST(t), f*> = h(t)^T V^T b`` at times ``tau`` (shaped like ``tau``).

        By Cauchy-Schwarz (``|f*| = 1``) the loss is at least ``(1 - overlap)^2``
        (:func:`w2s_lib.limits.overlap_floor`).
        """
        tau = check_times(tau, "tau")
        return (self.vb @ self._h(tau)).reshape(tau.shape)


@small_blas_call()  # the sample matrix (N, M_ST) is thin: one thread
def train_on_samples(teacher, W_student, N, seed, rcond=1e-12):
    """Train a student on ``N`` teacher-labelled samples (closed-form empirical gradient flow).

    Parameters
    ----------
    teacher : Teacher
        From :func:`w2s_lib.fit_teacher`.
    W_student : array_like, shape (M_ST, d)
        Student weights (unit rows).
    N : int
        Number of unlabeled samples, ``>= 1``.
    seed : int or numpy.random.Generator
        Draws the samples.
    rcond : float in (0, 1)
        Relative cutoff on ``sigma^2`` (directions below it are treated as the null space).

    Returns
    -------
    SampleStudent
        ``.loss(tau)`` and ``.interpolating_loss`` are population losses against the target.
    """
    teacher = _check_teacher(teacher)
    W = check_unit_rows(W_student, "W_student", d=teacher.d)
    N = check_int(N, "N", low=1)
    rng = check_rng(seed)
    rcond = check_float(rcond, "rcond", low=0.0, high=1.0, low_open=True, high_open=True)
    d, M = teacher.d, W.shape[0]
    check_resources("N", N, nbytes=8 * (N * d + 3 * N * M + N * teacher.M + 3 * M * M),
                    flops=4 * N * M * min(N, M) + 2 * N * (M + teacher.M) * d + 10 * M**3,
                    what=f"{N} samples through {M} student and {teacher.M} teacher features")
    X = sample_sphere(N, d, rng)
    Phi = relu_features(X, W) / np.sqrt(N)
    y = relu_features(X, teacher.W) @ teacher.coef / np.sqrt(N)
    U, sig, Vt = np.linalg.svd(Phi, full_matrices=False)
    s2 = sig**2
    keep = s2 > rcond * max(float(s2[0]) if s2.size else 0.0, 0.0)
    if not np.any(keep):  # every sample hit the dead zone of every unit
        keep = np.zeros_like(s2, dtype=bool)
    U, sig, s2, V = U[:, keep], sig[keep], s2[keep], Vt[keep].T
    z = U.T @ y
    zs = z / sig
    b = target_correlation(W, teacher.beta, teacher.target)
    S = population_gram(W)
    vb = V.T @ b
    vsv = V.T @ S @ V
    vsv = 0.5 * (vsv + vsv.T)
    interp = float(np.maximum(1.0 - 2.0 * vb @ zs + zs @ vsv @ zs, 0.0))
    train_res = float(max(y @ y - z @ z, 0.0))
    return SampleStudent(
        M=M, N=N, d=d, sigma2=s2, z_over_sigma=zs, vb=vb, vsv=vsv,
        teacher_loss=teacher.loss, interpolating_loss=interp, train_residual=train_res,
    )


# ---------------------------------------------------------------------------
# The book's finite-data configuration (chapter 4; SCIENCE item 8; the ledger's)
# ---------------------------------------------------------------------------

#: d = 16, a teacher of width 128 (seeding of :func:`w2s_lib.teacher.teacher_weights`) and a
#: student of width 512 (weights ``student_weights(16, 512, seed)``); samples seed ``1000 + seed``.
FD = dict(d=16, m_te=128, m_st=512)
#: Time grid of the finite-data students (they settle by tau ~ 1e9).
FD_TAU_GRID = np.logspace(-2, 9, 200)
FD_TAU_GRID.setflags(write=False)
#: Sample sizes of the chapter's table (M_ST = 512 is the interpolation threshold).
N_VALUES = (100, 200, 400, 512, 700, 1024, 2048)


@lru_cache(maxsize=4)
def finite_data_teacher(seed):
    """Teacher and student weights of the finite-data configuration for ``seed``."""
    T = cached_teacher(FD["d"], FD["m_te"], seed)
    W = student_weights(FD["d"], FD["m_st"], seed)
    W.setflags(write=False)
    return T, W


@lru_cache(maxsize=64)
def finite_data_student(N, seed):
    """``(SampleStudent, StoppingResult, curve on FD_TAU_GRID)`` for ``N`` samples and ``seed``."""
    T, W = finite_data_teacher(seed)
    s = train_on_samples(T, W, N, 1000 + seed)
    return s, early_stop(s), s.loss(FD_TAU_GRID)


@lru_cache(maxsize=4)
def population_student(seed):
    """The population-trained student of the finite-data configuration (its ``N -> infinity``
    limit): ``(trajectory, StoppingResult, curve on FD_TAU_GRID)``."""
    T, W = finite_data_teacher(seed)
    p = student_trajectory(T, W)
    return p, early_stop(p), p.loss(FD_TAU_GRID)


def finite_data_table(seeds=(0, 1), n_values=N_VALUES):
    """Early-stopped and interpolating ``L/L_TE`` for every ``N`` and seed, plus the ``N = inf`` limits.

    Returns
    -------
    dict
        ``N`` (n,), ``teacher_loss`` (s,), ``early`` and ``interp`` (n, s), ``tau_star`` (n, s),
        ``pop_early`` and ``pop_final`` (s,): the population-trained student of the same
        width, early-stopped and at the end of the grid (its ``N -> infinity`` limits).
    """
    n_values, seeds = tuple(n_values), tuple(seeds)
    early = np.empty((len(n_values), len(seeds)))
    interp, tstar = np.empty_like(early), np.empty_like(early)
    lte, pe, pf = np.empty(len(seeds)), np.empty(len(seeds)), np.empty(len(seeds))
    for j, s in enumerate(seeds):
        T, _ = finite_data_teacher(s)
        lte[j] = T.loss
        for i, N in enumerate(n_values):
            st, r, _ = finite_data_student(N, s)
            early[i, j], interp[i, j], tstar[i, j] = r.ratio, st.interpolating_loss / T.loss, r.tau_star
        _, pr, pc = population_student(s)
        pe[j], pf[j] = pr.ratio, pc[-1] / T.loss
    return dict(N=np.array(n_values), teacher_loss=lte, early=early, interp=interp, tau_star=tstar,
                pop_early=pe, pop_final=pf)
