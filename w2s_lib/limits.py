"""Quantitative limits of weak-to-strong gain: the quadratic floor, PGR and the exponent.

Floor (derived).  For the linear target ``f*`` is a degree-1 eigenfunction of the
kernel, so the kernel-limit student's overlap with it is
``<f_ST(t), f*> = (1 - e^{-tau})(1 - L_TE)`` (``tau = lambda_1 t``), and by Cauchy-Schwarz
(``|f*| = 1``) ``L_ST = |f_ST - f*|^2 >= (1 - <f_ST, f*>)^2``::

    L_ST(tau) >= floor(tau, L_TE) = (1 - (1 - e^{-tau})(1 - L_TE))^2 >= L_TE^2.

Hence ``L_ST* >= L_TE^2``: the exponent in ``L_ST* ~ L_TE^alpha`` can never exceed 2, and a
teacher near chance (``L_TE = 1 - eps``) leaves ``L_ST >= (1 - eps)^2``.

PGR (performance gap recovered)::

    PGR = (L_TE - L_ST*) / (L_TE - L_ceiling),

with ``L_ceiling`` the loss of the *strong* model trained directly on the target.  For the
kernel-limit student the ceiling is 0 (gradient flow on the target converges to it in L2,
for every target here), so ``PGR = 1 - L_ST*/L_TE``; for a finite student it is
``least_squares_loss(W_student)`` (``FiniteStudent.ceiling``).
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

import numpy as np

from ._validation import check_array, check_choice, check_float, check_int, check_times, check_resources
from .early_stopping import optimal_stopping
from .random_features import TARGETS
from .teacher import cached_teacher, fit_teacher, teacher_weights

__all__ = ["floor", "overlap_floor", "pgr", "fit_exponent", "SweepResult", "teacher_size_sweep", "SWEEP_D", "SWEEP_SEEDS",
           "STRONG", "strong_student_result", "strong_student_table",
           "sweep_widths", "width_sweep", "exponent_window", "exponent_limits", "clamp_width_range"]


def floor(tau, teacher_loss):
    """The quadratic floor ``(1 - (1 - e^{-tau})(1 - L_TE))^2`` (linear target).

    Parameters
    ----------
    tau : float or array_like
        Times ``tau = lambda_1 t >= 0``.
    teacher_loss : float
        ``L_TE`` in ``[0, 1]``.

    Returns
    -------
    ndarray
        Shaped like ``tau``; decreasing from 1 to ``L_TE^2``.
    """
    tau = check_times(tau, "tau")
    lte = check_float(teacher_loss, "teacher_loss", low=0.0, high=1.0)
    learned = -np.expm1(-tau)  # 1 - e^{-tau}, accurate for small tau
    return (1.0 - learned * (1.0 - lte)) ** 2


def overlap_floor(trajectory, tau):
    """Cauchy-Schwarz floor ``(1 - <f_ST(tau), f*>)^2`` of one student's loss curve.

    Valid for every student (``|f*| = 1``): ``L_ST(tau) >= overlap_floor(trajectory, tau)``.
    For the kernel-limit student and the linear target the overlap is
    ``(1 - e^{-tau})(1 - L_TE)`` and this equals :func:`floor`.  A finite student's kernel
    does not have ``f*`` as an eigenfunction, so its overlap (and floor) follows its own
    clock and may sit below :func:`floor` at some times.

    Parameters
    ----------
    trajectory : FiniteStudent, KernelStudent or SampleStudent
        Anything with ``.target_overlap(tau)``.
    tau : float or array_like
        Times ``tau = lambda_1 t >= 0``.

    Returns
    -------
    ndarray
        Shaped like ``tau``.
    """
    if not hasattr(trajectory, "target_overlap"):
        raise TypeError(
            "trajectory must be a student trajectory with target_overlap "
            f"(student_trajectory(...) or train_on_samples(...)), got {type(trajectory).__name__}"
        )
    tau = check_times(tau, "tau")
    return (1.0 - trajectory.target_overlap(tau)) ** 2


def pgr(teacher_loss, student_loss, ceiling_loss=0.0):
    """Performance gap recovered ``(L_TE - L_ST) / (L_TE - L_ceiling)``.

    Parameters
    ----------
    teacher_loss : float
        ``L_TE >= 0``.
    student_loss : float
        ``L_ST >= 0`` (usually the early-stopped ``L_ST*``).
    ceiling_loss : float
        Loss of the strong model trained on the target, ``0 <= L_ceiling < L_TE``
        (0 in the kernel limit).

    Returns
    -------
    float
        1 = the student closes the whole gap; 0 = no better than the teacher.
    """
    lte = check_float(teacher_loss, "teacher_loss", low=0.0)
    lst = check_float(student_loss, "student_loss", low=0.0)
    lc = check_float(ceiling_loss, "ceiling_loss", low=0.0)
    if not lc < lte:
        raise ValueError(f"ceiling_loss must lie in [0, teacher_loss) = [0, {lte!r}), got {lc!r}")
    return (lte - lst) / (lte - lc)


def fit_exponent(teacher_losses, student_losses):
    """Least-squares slope of ``log L_ST*`` against ``log L_TE``.

    Nothing in it is specific to losses: it is the least-squares slope of ``log y`` on
    ``log x`` for positive pairs, and the book also uses it for power laws in the width.

    Parameters
    ----------
    teacher_losses, student_losses : array_like, shape (n,)
        Positive losses, ``n >= 2``, teacher losses not all equal.

    Returns
    -------
    slope : float
        The fitted exponent ``alpha`` in ``L_ST* ~ C L_TE^alpha``.
    intercept : float
        ``log C``.
    """
    x = check_array(teacher_losses, "teacher_losses", ndim=1)
    y = check_array(student_losses, "student_losses", ndim=1, shape=(x.size,))
    if x.size < 2:
        raise ValueError(f"teacher_losses must hold at least 2 points, got {x.size}")
    if np.any(x <= 0) or np.any(y <= 0):
        raise ValueError("teacher_losses and student_losses must be > 0 (a log-log fit)")
    lx, ly = np.log(x), np.log(y)
    if np.ptp(lx) == 0:
        raise ValueError("teacher_losses must not all be equal")
    slope, intercept = np.polyfit(lx, ly, 1)
    return float(slope), float(intercept)


@dataclass(frozen=True)
class SweepResult:
    """Teacher-size sweep of the early-stopped kernel-limit student.

    Attributes
    ----------
    d : int
    m_values : ndarray, shape (n_m,)
        Teacher widths ``M_TE``.
    seeds : ndarray, shape (n_s,)
    teacher_loss : ndarray, shape (n_m, n_s)
        ``L_TE`` per width and seed.
    student_loss : ndarray, shape (n_m, n_s)
        ``L_ST*`` per width and seed.
    tau_star : ndarray, shape (n_m, n_s)
    ratio : ndarray, shape (n_m, n_s)
        ``L_ST* / L_TE``.
    slope : float
        Fitted exponent over all (width, seed) points.
    intercept : float
    """

    d: int
    m_values: np.ndarray
    seeds: np.ndarray
    teacher_loss: np.ndarray
    student_loss: np.ndarray
    tau_star: np.ndarray
    ratio: np.ndarray
    slope: float
    intercept: float


def teacher_size_sweep(d, m_values, seeds, target="linear"):
    """Sweep ``M_TE``: teacher loss, early-stopped kernel-limit student loss, fitted exponent.

    The teacher of width ``M`` and seed ``s`` is the book's teacher
    :func:`w2s_lib.teacher.cached_teacher` ``(d, M, s)`` (weights
    :func:`w2s_lib.teacher.teacher_weights`; the same network in every chapter and the ledger).

    Parameters
    ----------
    d : int
        ``d >= 2``.
    m_values : sequence of int
        Teacher widths, each ``>= 1``, at least two distinct values.
    seeds : sequence of int
        Non-negative seeds, at least one.
    target : {"linear", "relu", "he2"}

    Returns
    -------
    SweepResult
    """
    d = check_int(d, "d", low=2)
    check_choice(target, "target", TARGETS)
    ms = [check_int(m, "m_values[i]", low=1) for m in np.atleast_1d(np.asarray(m_values, dtype=object))]
    ss = [check_int(s, "seeds[i]", low=0) for s in np.atleast_1d(np.asarray(seeds, dtype=object))]
    if len(set(ms)) < 2:
        raise ValueError(f"m_values must hold at least 2 distinct widths, got {ms}")
    if len(ss) < 1:
        raise ValueError("seeds must hold at least one seed")
    check_resources("m_values", max(ms), nbytes=24 * max(ms) ** 2,
                    flops=len(ss) * sum(10 * m**3 + m * m * (2 * d + 40) for m in ms),
                    what=f"{len(ms) * len(ss)} teacher fits up to M_TE = {max(ms)}")
    shape = (len(ms), len(ss))
    lte, lst, tst = np.empty(shape), np.empty(shape), np.empty(shape)
    for i, m in enumerate(ms):
        for j, s in enumerate(ss):
            T = (cached_teacher(d, m, s) if target == "linear"
                 else fit_teacher(teacher_weights(d, m, s), target=target))
            r = optimal_stopping(T)
            lte[i, j], lst[i, j], tst[i, j] = T.loss, r.loss_star, r.tau_star
    ok = (lte > 0) & (lst > 0)
    if ok.sum() >= 2 and np.ptp(np.log(lte[ok])) > 0:
        slope, intercept = fit_exponent(lte[ok], lst[ok])
    else:  # pragma: no cover - degenerate sweeps
        slope, intercept = 0.0, 0.0
    return SweepResult(
        d=d, m_values=np.asarray(ms), seeds=np.asarray(ss), teacher_loss=lte, student_loss=lst,
        tau_star=tst, ratio=lst / np.where(lte > 0, lte, 1.0), slope=slope, intercept=intercept,
    )


# ---------------------------------------------------------------------------
# The book's width sweeps (chapter 5; the ledger's seeds and widths)
# ---------------------------------------------------------------------------

SWEEP_D = (8, 16, 32)
SWEEP_SEEDS = (0, 1, 2)


#: strong-student configuration (SCIENCE item 6; ledger claims A6a/A6b).
STRONG = dict(d=16, m_te=64, m_st=(64, 256, 1024))


@lru_cache(maxsize=32)
def strong_student_result(m_st, seed, d=STRONG["d"], m_te=STRONG["m_te"]):
    """The book's early-stopped student of width ``m_st`` (``None``: kernel limit) of the teacher
    ``(d, m_te, seed)`` (:func:`w2s_lib.student.teacher_and_student`).

    Returns
    -------
    tuple
        ``(Teacher, trajectory, StoppingResult)``.
    """
    from .early_stopping import early_stop
    from .student import teacher_and_student

    T, traj = teacher_and_student(d, m_te, m_st, seed)
    return T, traj, early_stop(traj)


def strong_student_table(seeds=SWEEP_SEEDS, m_st_values=STRONG["m_st"]):
    """``L_ST*/L_TE`` against the student width for the item-6 teacher (``d = 16``, ``M_TE = 64``).

    Returns
    -------
    dict
        ``m_st`` (n,), ``ratio`` (n, s) for the finite widths, ``kernel`` (s,) the kernel limit,
        ``ceiling`` (n, s) the own ceiling ``L_ceiling / L_TE`` of each finite student
        (its own least-squares loss on the target).
    """
    seeds, ms = tuple(seeds), tuple(m_st_values)
    ratio, ceil = np.empty((len(ms), len(seeds))), np.empty((len(ms), len(seeds)))
    kern = np.empty(len(seeds))
    for j, s in enumerate(seeds):
        for i, m in enumerate(ms):
            T, traj, r = strong_student_result(m, s)
            ratio[i, j], ceil[i, j] = r.ratio, traj.ceiling / T.loss
        kern[j] = strong_student_result(None, s)[2].ratio
    return dict(m_st=np.array(ms), ratio=ratio, kernel=kern, ceiling=ceil)


def sweep_widths(d):
    """Teacher widths of the chapter-5 sweep at dimension ``d`` (powers of two from 2)."""
    top = 1024 if d >= 32 else 512
    return tuple(int(2**k) for k in range(1, int(np.log2(top)) + 1))


@lru_cache(maxsize=8)
def _width_sweep(d, seeds):
    return teacher_size_sweep(d, sweep_widths(d), list(seeds))


def width_sweep(d, seeds=SWEEP_SEEDS):
    """:func:`w2s_lib.teacher_size_sweep` over :func:`sweep_widths` (cached on ``(d, seeds)``)."""
    return _width_sweep(int(d), tuple(int(s) for s in seeds))


def exponent_window(d, m_lo, m_hi, seeds=SWEEP_SEEDS):
    """Fitted exponent over the widths ``m_lo <= M_TE <= m_hi`` of the cached sweep.

    Returns
    -------
    dict
        ``mask`` (rows of the sweep used), ``slope``, ``intercept``, ``ratio_mean`` (per row)
        and ``slopes`` (one fit per seed).
    """
    r = width_sweep(d, tuple(seeds))
    mask = (r.m_values >= m_lo) & (r.m_values <= m_hi)
    if mask.sum() < 2:
        raise ValueError(f"the range [{m_lo}, {m_hi}] must hold at least 2 widths of {tuple(r.m_values)}")
    lte, lst = r.teacher_loss[mask], r.student_loss[mask]
    slope, icpt = fit_exponent(lte.ravel(), lst.ravel())
    slopes = np.array([fit_exponent(lte[:, j], lst[:, j])[0] for j in range(lte.shape[1])])
    return dict(mask=mask, slope=slope, intercept=icpt, slopes=slopes, ratio_mean=r.ratio.mean(1))


def exponent_limits(d_values=None, seeds=SWEEP_SEEDS):
    """Axis limits that hold chapter 5's figures (``figures_early_stopping.draw_exponent`` and
    ``draw_ratio_vs_width``) at every ``d`` of ``d_values`` (default ``SWEEP_D``):
    ``{"loss_x", "loss_y", "ratio_y"}``, each a ``(low, high)`` pair. The chapter-5 explorable
    keeps them fixed, so that changing ``d`` moves the points within one frame."""
    rs = [width_sweep(d, tuple(seeds)) for d in (SWEEP_D if d_values is None else d_values)]
    return {"loss_x": (min(r.teacher_loss.min() for r in rs) * 0.7, 1.0),
            "loss_y": (0.3 * min(r.student_loss.min() for r in rs), 1.0),
            "ratio_y": (min(5e-4, 0.5 * min(r.ratio.min() for r in rs)), 1.5)}


def clamp_width_range(widths, m_lo, m_hi):
    """Clamp a width range to the grid ``widths`` so that it holds at least two widths."""
    widths = [int(w) for w in widths]
    m_lo, m_hi = sorted((int(m_lo), int(m_hi)))
    lo = next((w for w in widths if w >= m_lo), widths[-1])
    hi = next((w for w in reversed(widths) if w <= m_hi), widths[0])
    if hi <= lo:
        i = min(widths.index(lo), len(widths) - 2)
        lo, hi = widths[i], widths[i + 1]
    return lo, hi
