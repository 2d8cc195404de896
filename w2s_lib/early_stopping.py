"""Early stopping: the U-shaped loss curve, the optimal time and per-degree learning times.

In the kernel limit degree ``k`` of the teacher is learned at ``tau_k = lambda_1 / lambda_k``
(``tau = lambda_1 t``): the signal (degree 1) at ``tau ~ 1``, the teacher's higher-degree
error much later.  Stopping in between keeps the signal and leaves out most of the error.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy.optimize import minimize_scalar

from ._validation import check_float, check_int, check_times, check_resources
from .harmonics import kernel_eigenvalues
from functools import lru_cache

from ._blas import one_blas_thread
from .student import student_trajectory, student_weights, student_width
from .teacher import cached_teacher

__all__ = [
    "StoppingResult",
    "loss_curve",
    "early_stop",
    "optimal_stopping",
    "degree_learning_times",
    "loss_by_degree",
    "holdout_stopping",
    "student_stopping",
    "optimum_by_degree",
]


@dataclass(frozen=True)
class StoppingResult:
    """Optimal early stopping of one student.

    Attributes
    ----------
    tau_star : float
        Optimal time ``tau* = lambda_1 t*``.
    loss_star : float
        ``L_ST* = L_ST(tau*)``.
    teacher_loss : float
        ``L_TE``.
    ratio : float
        ``L_ST* / L_TE`` (``inf`` if ``L_TE = 0`` and ``L_ST* > 0``; 1 if both are 0).
    """

    tau_star: float
    loss_star: float
    teacher_loss: float
    ratio: float


def _check_traj(traj):
    if not (hasattr(traj, "loss") and hasattr(traj, "teacher_loss")):
        raise TypeError(
            "trajectory must be a student trajectory (student_trajectory(...) or train_on_samples(...)), "
            f"got {type(traj).__name__}"
        )
    return traj


def _check_range(tau_min, tau_max, n_grid):
    tau_min = check_float(tau_min, "tau_min", low=0.0, low_open=True)
    tau_max = check_float(tau_max, "tau_max", low=tau_min, low_open=True)
    n_grid = check_int(n_grid, "n_grid", low=3)
    return tau_min, tau_max, n_grid


def loss_curve(trajectory, tau_min=1e-2, tau_max=1e6, n_grid=400):
    """The student's loss on a log-spaced time grid (the U-shaped curve).

    Parameters
    ----------
    trajectory : FiniteStudent, KernelStudent or SampleStudent
    tau_min, tau_max : float
        Grid end points, ``0 < tau_min < tau_max``.
    n_grid : int
        Number of points, ``>= 3``.

    Returns
    -------
    taus : ndarray, shape (n_grid,)
    losses : ndarray, shape (n_grid,)
    """
    traj = _check_traj(trajectory)
    tau_min, tau_max, n_grid = _check_range(tau_min, tau_max, n_grid)
    # the loss at every grid time needs one exponential per (time, spectral mode)
    modes = int(getattr(traj, "M", 0) or np.size(getattr(traj, "rates", 1)))
    check_resources("n_grid", n_grid, nbytes=24 * n_grid * modes, flops=20 * n_grid * modes,
                    what=f"{n_grid} times x {modes} spectral modes")
    taus = np.logspace(np.log10(tau_min), np.log10(tau_max), n_grid)
    return taus, traj.loss(taus)


#: Losses closer than this (relative to the largest loss on the grid) to the smallest one
#: count as equal in :func:`early_stop`: far above round-off (1e-16), far below any digit
#: the book prints.
_PLATEAU_RTOL = 1e-12


def early_stop(trajectory, tau_min=1e-2, tau_max=1e6, n_grid=400):
    """Optimal stopping time of a trajectory: log grid, then bounded refinement in ``log tau``.

    Where the loss only levels off (a student that converges to its best loss, with no
    rise afterwards), ``tau*`` is the earliest grid time at which it is within round-off
    (``1e-12`` relative) of that level, not whichever plateau point round-off favours.

    Parameters
    ----------
    trajectory : FiniteStudent, KernelStudent or SampleStudent
    tau_min, tau_max, n_grid
        Search grid (see :func:`loss_curve`).

    Returns
    -------
    StoppingResult
    """
    traj = _check_traj(trajectory)
    taus, losses = loss_curve(traj, tau_min, tau_max, n_grid)
    # Earliest grid point within round-off of the minimum: a student that cannot do better
    # than its limit has a *plateau*, not a minimum, and its argmin would be decided by
    # 1e-16 noise (it moved from tau = 33.8 to 35.3 when the eigensolver changed).
    tol = _PLATEAU_RTOL * max(float(np.max(np.abs(losses))), np.finfo(float).tiny)
    i = int(np.flatnonzero(losses <= float(np.min(losses)) + tol)[0])
    lo, hi = np.log(taus[max(i - 1, 0)]), np.log(taus[min(i + 1, len(taus) - 1)])
    res = minimize_scalar(
        lambda z: float(traj.loss(np.exp(z))), bounds=(lo, hi), method="bounded",
        options={"xatol": 1e-6},
    )
    tau_star, loss_star = float(taus[i]), float(losses[i])
    if res.success and np.isfinite(res.fun) and res.fun < loss_star - tol:  # a real improvement
        tau_star, loss_star = float(np.exp(res.x)), float(res.fun)
    lte = float(traj.teacher_loss)
    if lte > 0:
        ratio = loss_star / lte
    else:
        ratio = 1.0 if loss_star == 0 else np.inf
    return StoppingResult(tau_star=tau_star, loss_star=loss_star, teacher_loss=lte, ratio=ratio)


def optimal_stopping(teacher, W_student=None, tau_min=1e-2, tau_max=1e6, n_grid=400):
    """``tau*`` and ``L_ST*`` of the student of ``teacher`` (kernel limit if ``W_student`` is None).

    Parameters
    ----------
    teacher : Teacher
    W_student : array_like, shape (M_ST, d), optional
    tau_min, tau_max, n_grid
        Search grid.

    Returns
    -------
    StoppingResult
    """
    return early_stop(student_trajectory(teacher, W_student), tau_min, tau_max, n_grid)


def degree_learning_times(d, max_degree):
    """Time at which the kernel-limit student learns each degree: ``tau_k = lambda_1 / lambda_k``.

    Degree ``k`` is a fraction ``1 - exp(-tau / tau_k)`` learned at time ``tau``.

    Parameters
    ----------
    d : int
        ``d >= 2``.
    max_degree : int
        ``>= 1``.

    Returns
    -------
    ndarray, shape (max_degree + 1,)
        ``tau_1 = 1``; ``inf`` for the odd degrees ``>= 3`` (never learned: ``lambda_k = 0``).
    """
    d = check_int(d, "d", low=2)
    K = check_int(max_degree, "max_degree", low=1)
    lam = kernel_eigenvalues(d, K)
    out = np.full(K + 1, np.inf)
    nz = lam > 0
    with np.errstate(over="ignore"):
        out[nz] = lam[1] / lam[nz]  # may overflow to inf for huge degrees: never learned in practice
    return out


def loss_by_degree(teacher, tau):
    """The kernel-limit student's loss split by harmonic degree (the U-curve's mechanism).

    Degree ``k`` contributes ``T_k - 2 g_k C_k + g_k^2 E_k`` with ``g_k = 1 - e^{-lambda_k t}``,
    ``T_k`` the target's energy in degree ``k``, ``C_k`` the teacher's overlap with it and
    ``E_k`` the teacher's energy.  It starts at ``T_k`` (``tau = 0``) and ends at the teacher's
    error in degree ``k`` (``tau -> infinity``).  For the linear target degree 1 holds the
    signal (falling from 1); every other degree holds only teacher error (rising from 0).

    Parameters
    ----------
    teacher : Teacher
        From :func:`w2s_lib.fit_teacher`.
    tau : float or array_like
        Times ``tau = lambda_1 t >= 0``.

    Returns
    -------
    degrees : ndarray of int, shape (K + 2,)
        ``0..K`` and, last, ``K + 1`` standing for every dropped degree (the tail lump of
        :class:`w2s_lib.KernelStudent`).
    contributions : ndarray, shape ``(K + 2,) + tau.shape``
        Summing over the first axis gives ``student_loss(teacher, tau)`` (before that
        function's clipping at 0).
    """
    from .student import _check_teacher

    teacher = _check_teacher(teacher)
    tau = check_times(tau, "tau")
    H = teacher.harmonics
    lam1 = 1.0 / (4.0 * teacher.d ** 2)
    rates = np.append(H.eigenvalues, H.tail_eigenvalue) / lam1
    energies = np.append(H.energies, H.tail_energy)
    cross = np.append(H.cross, H.tail_cross)
    target = np.append(H.target_energies, max(1.0 - float(H.target_energies.sum()), 0.0))
    with np.errstate(over="ignore"):
        g = -np.expm1(-np.outer(rates, tau.reshape(-1)))
    contrib = target[:, None] - 2.0 * g * cross[:, None] + g * g * energies[:, None]
    degrees = np.arange(H.max_degree + 2)
    return degrees, contrib.reshape(degrees.shape + tau.shape)


def holdout_stopping(trajectory, teacher, n_val, labels="target", trials=200, seed=0,
                     tau_min=1e-2, tau_max=1e6, n_grid=200):
    """Stop a finite student without the oracle: pick ``tau`` on a small held-out set.

    The oracle ``tau*`` of :func:`early_stop` minimises the population loss against the
    target, which a practitioner cannot compute.  Here each trial draws ``n_val`` fresh
    inputs on the sphere, labels them either with the true target (``labels="target"``: a
    small labelled validation set) or with the teacher (``labels="teacher"``: free, but the
    teacher's own labels), and stops at the grid time that minimises the mean squared error
    on them.  The cost is the population loss at that time against the oracle's.

    Parameters
    ----------
    trajectory : FiniteStudent
        A finite student (``student_trajectory(teacher, W_student)``) of ``teacher``.
    teacher : Teacher
        The teacher whose labels the student was trained on (linear target).
    n_val : int
        Held-out inputs per trial, ``>= 1``.
    labels : {"target", "teacher"}
    trials : int
        Independent held-out sets, ``>= 1``.
    seed : int
        ``>= 0``; trial ``i`` draws with ``default_rng([seed, n_val, i])``.
    tau_min, tau_max, n_grid
        Log grid of candidate times (see :func:`loss_curve`).

    Returns
    -------
    dict
        ``tau``: shape (trials,), the chosen times; ``loss``: shape (trials,), population
        loss ``L_ST`` at them; ``oracle``: the :class:`StoppingResult` of :func:`early_stop`;
        ``excess``: shape (trials,), ``loss / L_ST* - 1``; ``teacher_loss``.
    """
    from .random_features import relu_features, sample_sphere, target_values
    from .student import FiniteStudent

    if not isinstance(trajectory, FiniteStudent):
        raise TypeError(f"trajectory must be a FiniteStudent (student_trajectory(teacher, W)), "
                        f"got {type(trajectory).__name__}")
    if not (hasattr(teacher, "W") and hasattr(teacher, "coef")):
        raise TypeError(f"teacher must be a Teacher (fit_teacher(...)), got {type(teacher).__name__}")
    n_val = check_int(n_val, "n_val", low=1)
    if labels not in ("target", "teacher"):
        raise ValueError(f"labels must be 'target' or 'teacher', got {labels!r}")
    trials = check_int(trials, "trials", low=1)
    seed = check_int(seed, "seed", low=0)
    _check_range(tau_min, tau_max, n_grid)
    taus = np.logspace(np.log10(tau_min), np.log10(tau_max), n_grid)
    # u(tau) = Q diag(g(tau)) q / s for every grid time at once (FiniteStudent.coef, batched)
    Q = trajectory.eigvecs                                              # (M_ST, r)
    Y = trajectory._g(taus) * (trajectory.q / trajectory.eigvals)[:, None]  # (r, n_grid)
    pop = trajectory.loss(taus)
    d = trajectory.d
    chosen = np.empty(trials, dtype=int)
    per_chunk = max(1, 20_000 // n_val)        # trials per batch (bounds the feature matrix)
    for start in range(0, trials, per_chunk):
        ids = range(start, min(start + per_chunk, trials))
        X = np.concatenate([sample_sphere(n_val, d, np.random.default_rng([seed, n_val, i])) for i in ids])
        y = target_values(X) if labels == "target" else relu_features(X, teacher.W) @ teacher.coef
        err = (relu_features(X, trajectory.W) @ Q) @ Y - y[:, None]      # (len(ids) n_val, n_grid)
        mse = np.mean((err**2).reshape(len(ids), n_val, n_grid), axis=1)
        chosen[start:start + len(ids)] = np.argmin(mse, axis=1)
    idx = chosen
    oracle = early_stop(trajectory, tau_min, tau_max, 400)
    loss = pop[idx]
    return dict(tau=taus[idx], loss=loss, oracle=oracle, excess=loss / oracle.loss_star - 1.0,
                teacher_loss=float(trajectory.teacher_loss))


@lru_cache(maxsize=256)
def student_stopping(d, M_TE, M_ST, seed=0):
    """:func:`optimal_stopping` of the book's student of the teacher ``cached_teacher(d, M_TE, seed)``.

    Parameters
    ----------
    d : int
        Input dimension, ``>= 2``.
    M_TE : int
        Teacher width, ``>= 1``.
    M_ST : int or None
        Student width (weights ``student_weights(d, M_ST, seed)``); ``None`` or 0 is the kernel
        limit.
    seed : int
        Seed of the teacher's and the student's weights.

    Returns
    -------
    StoppingResult
        Best time ``tau*`` and loss ``L_ST*`` (memoised: treat as read-only).

    Raises
    ------
    ValueError
        A parameter out of its range (named in the message, checked by
        :func:`w2s_lib.student.student_width` and :func:`w2s_lib.teacher.teacher_weights`).
    """
    M_ST = student_width(M_ST)
    T = cached_teacher(d, M_TE, seed)
    with one_blas_thread():
        return optimal_stopping(T, None if M_ST is None else student_weights(d, M_ST, seed))


def optimum_by_degree(teacher, tau=None):
    """The kernel-limit student's loss at ``tau`` predicted from the teacher's degree energies.

    For the linear target (chapter 5, proposition ``ch05-prop-optimum``), with
    ``g_k = 1 - e^{-tau / tau_k}``, ``E_k = |P_k f_TE|^2`` and ``e_1 = 1 - 2 (1 - L_TE) + E_1``
    the teacher's error in degree 1::

        L_ST(tau) = e_1 + sum_{k != 1} g_k^2 E_k + e^{-tau} (2 (L_TE - e_1) + e^{-tau} E_1).

    The three terms are the teacher's degree-1 error (inherited whole), the *leak* of the
    teacher's error in the other degrees (the part the filter has let through by ``tau``) and
    the *lag* (the part of the signal not yet learned); each is ``>= 0``.  Only ``L_TE``, the
    ``E_k`` (``teacher.harmonics``, with the tail lump at its own rate) and the kernel's
    ``tau_k`` enter: none of :class:`w2s_lib.KernelStudent`'s trajectory code.

    Parameters
    ----------
    teacher : Teacher
        A teacher of the linear target (:func:`w2s_lib.teacher.cached_teacher`).
    tau : float, optional
        Time ``tau = lambda_1 t >= 0``; default the kernel-limit student's optimal ``tau*``
        (:func:`early_stop`).

    Returns
    -------
    dict
        ``tau``, ``teacher_loss`` (``L_TE``), ``degree1_error`` (``e_1``), ``leak``, ``lag``
        and ``predicted`` (their sum), all floats.
    """
    from .student import _check_teacher

    teacher = _check_teacher(teacher)
    if teacher.target != "linear":
        raise ValueError(f"optimum_by_degree needs a teacher of the linear target, got target={teacher.target!r}")
    if tau is None:
        tau = early_stop(student_trajectory(teacher)).tau_star
    tau = check_float(tau, "tau", low=0.0)
    H = teacher.harmonics
    lam1 = 1.0 / (4.0 * teacher.d ** 2)
    rates = np.append(H.eigenvalues, H.tail_eigenvalue) / lam1      # 1 / tau_k; rates[1] = 1
    energies = np.append(H.energies, H.tail_energy)
    lte = float(teacher.loss)
    e1 = 1.0 - 2.0 * (1.0 - lte) + float(energies[1])
    g = -np.expm1(-rates * tau)
    other = np.arange(rates.size) != 1
    leak = float(np.sum(g[other] ** 2 * energies[other]))
    s = float(np.exp(-tau))
    lag = s * (2.0 * (lte - e1) + s * float(energies[1]))
    return dict(tau=float(tau), teacher_loss=lte, degree1_error=e1, leak=leak, lag=lag,
                predicted=e1 + leak + lag)
