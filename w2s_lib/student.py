"""The strong student: gradient flow on the teacher's labels, started at zero.

Finite width M_ST (weights ``W_ST``, top layer ``u``), loss ``(1/2) E (f_u - f_TE)^2``
against the teacher (population), gradient flow with learning rate ``1/M_ST``::

    du/dt = (c - G_ST u) / M_ST,   G_ST = G(W_ST, W_ST),  c = G(W_ST, W_TE) a,
    u(t)  = G_ST^+ (I - exp(-G_ST t / M_ST)) c,

which is kernel gradient flow ``df/dt = -T_K (f - f_TE)`` with the kernel
``K = (1/M_ST) sum_j phi_j(x) phi_j(x')``.  Its loss against the *target* is

    ``L(u) = |f*|^2 - 2 u^T b_ST + u^T G_ST u``,   ``b_ST = target_correlation(W_ST)``.

(``S`` below and in the code is the student Gram ``G_ST``.)  With one eigendecomposition
``S = Q diag(s) Q^T``, ``q = Q^T c``, ``r = Q^T b_ST``
and ``g_j(t) = 1 - exp(-s_j t / M_ST)``::

    L(t) = 1 - 2 sum_j g_j q_j r_j / s_j + sum_j g_j^2 q_j^2 / s_j,

so each time costs O(M_ST).  Directions with ``s_j <= rcond * max(s)`` are dropped:
in exact arithmetic ``q_j = 0`` there (a function that vanishes in L2 is orthogonal to
``f_TE``), so this is the pseudo-inverse, not an approximation of the flow.

The trajectory needs the eigenvalues and two projections, not the matrix ``Q``.  ``S``
is therefore factored as ``S = H T H^T`` (Householder reduction to a tridiagonal ``T``,
LAPACK ``dsytrd``, which reads one triangle of ``S``) and ``T = Z diag(s) Z^T``
(divide and conquer, LAPACK ``dstevd``), so that ``Q = H Z`` and
``Q^T v = Z^T (H^T v)`` costs O(M_ST^2) per vector (``H^T v`` applies the stored
reflectors, LAPACK ``dormqr``).  This is LAPACK's full symmetric eigensolver
(``dsyevd``: the same three steps) without its O(M_ST^3) back-transformation
``Q = H Z``, which is carried out only if ``Q`` itself (``FiniteStudent.eigvecs``) is
asked for: an exact factorisation (backward stable like any eigendecomposition), not an
approximation of the flow.

Kernel limit (M_ST = infinity), in spherical harmonics (:mod:`w2s_lib.harmonics`)::

    L(t) = 1 - 2 sum_k (1 - e^{-lambda_k t}) C_k + sum_k (1 - e^{-lambda_k t})^2 E_k,

with ``E_k`` the teacher's energy and ``C_k = <f_TE,k, f*_k>`` (linear target:
``C_1 = 1 - L_TE``, all others 0, which is the formula of ``SCIENCE.md``).  The energy
and overlap in the degrees beyond the kept ones (known exactly from ``|f_TE|^2`` and
``<f_TE, f*>``) are lumped into one extra term with the largest dropped eigenvalue: the
curve is then exact at ``t = 0`` and ``t -> infinity`` and, for the linear target, an
upper bound that differs from the exact value by at most the reported tail energy.

Time is always ``tau = lambda_1 t`` with ``lambda_1 = 1/(4 d^2)``; degree ``k`` is learned on the
clock ``tau_k = lambda_1 / lambda_k``.  The book's teachers and students come from
:func:`teacher_and_student`, whose docstring states the one seeding rule.
"""

from __future__ import annotations

import hashlib
from functools import lru_cache
from collections import OrderedDict
from dataclasses import dataclass, field

import numpy as np

from ._blas import one_blas_thread, small_blas_call
from ._validation import check_float, check_int, check_times, check_unit_rows, check_resources
from .random_features import _GramFactor, _relu_gram, population_gram, sample_sphere, target_correlation
from .teacher import Teacher, cached_teacher

__all__ = [
    "lambda_1",
    "tau_to_time",
    "FiniteStudent",
    "KernelStudent",
    "student_trajectory",
    "student_loss",
    "gradient_descent_student",
    "STUDENT_TAUS",
    "student_weights",
    "student_width",
    "student_curve",
    "teacher_and_student",
    "gd_check",
]

_CACHE_SIZE = 4


def lambda_1(d):
    """Degree-1 kernel eigenvalue ``lambda_1 = xi_1^2 = 1/(4 d^2)`` (the time unit)."""
    d = check_int(d, "d", low=2)
    return 1.0 / (4.0 * d * d)


def tau_to_time(tau, d):
    """Convert dimensionless time ``tau = lambda_1 t`` to gradient-flow time ``t = 4 d^2 tau``."""
    tau = check_times(tau, "tau")
    return tau / lambda_1(d)


def _check_teacher(teacher):
    if not isinstance(teacher, Teacher):
        raise TypeError(f"teacher must be a w2s_lib Teacher (from fit_teacher), got {type(teacher).__name__}")
    return teacher


def _spectral_coefficients(g, s, w_lin, w_quad):
    """``1 - 2 g @ w_lin + g^2 @ w_quad`` for ``g`` of shape (n, T); result (T,), clipped at 0."""
    out = 1.0 - 2.0 * (w_lin @ g) + (w_quad @ (g * g))
    return np.maximum(out, 0.0)


@dataclass(frozen=True, eq=False)
class FiniteStudent:
    """Loss trajectory of a width-``M`` student, from one factorisation of its Gram ``S``.

    Attributes
    ----------
    W : ndarray, shape (M, d)
        Student weights.
    eigvals : ndarray, shape (r,)
        Kept eigenvalues ``s_j`` of the student Gram ``S`` (ascending).
    eigvecs : ndarray, shape (M, r)
        Matching orthonormal eigenvectors ``Q`` (read-only).  Not needed for the
        trajectory: formed from the factorisation ``Q = H Z`` (module docstring) on first
        access, O(M^3), then cached and shared by every student with the same weights.
    q : ndarray, shape (r,)
        ``Q^T c`` (teacher labels).
    r : ndarray, shape (r,)
        ``Q^T b_ST`` (target).
    ceiling : float
        ``L`` of the student features trained on the target itself
        (``1 - sum_j r_j^2 / s_j``): the strong ceiling for PGR.
    teacher_loss : float
        ``L_TE``.
    """

    W: np.ndarray
    eigvals: np.ndarray
    q: np.ndarray
    r: np.ndarray
    ceiling: float
    teacher_loss: float
    _factor: "_GramFactor" = field(repr=False)

    @property
    def eigvecs(self):
        """Eigenvectors ``Q`` of the kept eigenvalues, shape (M, r); formed on first access."""
        return self._factor.eigvecs

    @property
    def M(self):
        """Student width ``M_ST``."""
        return self.W.shape[0]

    @property
    def d(self):
        """Input dimension."""
        return self.W.shape[1]

    def _g(self, tau):
        t = tau.reshape(-1) / lambda_1(self.d)
        return -np.expm1(-np.outer(self.eigvals, t) / self.M)

    def loss(self, tau):
        """Population loss ``L_ST`` at times ``tau`` (array shaped like ``tau``)."""
        tau = check_times(tau, "tau")
        g = self._g(tau)
        out = _spectral_coefficients(g, self.eigvals, self.q * self.r / self.eigvals, self.q**2 / self.eigvals)
        return out.reshape(tau.shape)

    def target_overlap(self, tau):
        """``<f_ST(t), f*> = u(t)^T b_ST`` at times ``tau`` (shaped like ``tau``).

        By Cauchy-Schwarz ``L_ST >= (1 - <f_ST, f*>)^2`` for every student.  Unlike the
        kernel limit, a finite student's kernel does not have ``f*`` as an eigenfunction,
        so this overlap is *not* exactly ``(1 - e^{-tau})(1 - L_TE)``.
        """
        tau = check_times(tau, "tau")
        g = self._g(tau)
        return ((self.q * self.r / self.eigvals) @ g).reshape(tau.shape)

    def teacher_distance(self, tau):
        """``E (f_ST - f_TE)^2`` at times ``tau`` up to the constant ``|f_TE - P f_TE|^2``.

        Returns ``sum_j (1 - g_j)^2 q_j^2 / s_j``: the part of the distance to the teacher
        that the student can still remove (decreasing in ``tau``), shaped like ``tau``.
        """
        tau = check_times(tau, "tau")
        g = self._g(tau)
        return ((self.q**2 / self.eigvals) @ (1.0 - g) ** 2).reshape(tau.shape)

    def coef(self, tau):
        """Top-layer weights ``u(t)``.

        Parameters
        ----------
        tau : float
            A single time ``>= 0``.

        Returns
        -------
        ndarray, shape (M,)
        """
        tau = check_float(tau, "tau", low=0.0)
        g = self._g(np.array([tau]))[:, 0]
        return self._factor.expand(g * self.q / self.eigvals)  # Q y = H (Z y), O(M^2)


@dataclass(frozen=True, eq=False)
class KernelStudent:
    """Loss trajectory of the infinite-width student (exact in spherical harmonics).

    Attributes
    ----------
    d : int
    rates : ndarray, shape (K + 2,)
        ``lambda_k / lambda_1`` for ``k = 0..K`` and, last, the tail lump.
    energies : ndarray, shape (K + 2,)
        ``E_k`` and the tail energy.
    cross : ndarray, shape (K + 2,)
        ``C_k`` and the tail overlap.
    teacher_loss : float
    captured_fraction : float
        Share of ``|f_TE|^2`` in the explicitly resolved degrees.
    degree_rates : ndarray, shape (K + 1,)
        ``lambda_k / lambda_1`` for every degree ``k = 0..K`` (zeros included).
    ceiling : float
        0: the infinite-width student trained on the target reaches it.
    """

    d: int
    rates: np.ndarray
    energies: np.ndarray
    cross: np.ndarray
    teacher_loss: float
    captured_fraction: float
    degree_rates: np.ndarray
    ceiling: float = 0.0

    def _g(self, tau):
        # rates are > 0 (zero-rate, zero-energy degrees are dropped); tau may be huge
        return -np.expm1(-np.outer(self.rates, tau.reshape(-1)))

    def loss(self, tau):
        """Population loss ``L_ST`` at times ``tau`` (array shaped like ``tau``)."""
        tau = check_times(tau, "tau")
        out = _spectral_coefficients(self._g(tau), self.rates, self.cross, self.energies)
        return out.reshape(tau.shape)

    def target_overlap(self, tau):
        """``<f_ST(t), f*> = sum_k (1 - e^{-lambda_k t}) C_k`` (shaped like ``tau``)."""
        tau = check_times(tau, "tau")
        return (self.cross @ self._g(tau)).reshape(tau.shape)

    def degree_learned(self, tau):
        """Fraction ``1 - exp(-lambda_k t)`` of degree ``k = 0..K`` learned at ``tau``.

        Returns
        -------
        ndarray, shape ``(K + 1,) + tau.shape``
            0 for the odd degrees ``>= 3`` (``lambda_k = 0``: never learned).
        """
        tau = check_times(tau, "tau")
        r = self.degree_rates
        safe = np.where(r > 0, r, 1.0)
        g = -np.expm1(-np.outer(safe, tau.reshape(-1)))
        g[r <= 0] = 0.0
        return g.reshape(r.shape + tau.shape)


def _kernel_student(teacher):
    H = teacher.harmonics
    lam1 = 1.0 / (4.0 * teacher.d**2)
    rates = np.append(H.eigenvalues, H.tail_eigenvalue) / lam1
    energies = np.append(H.energies, H.tail_energy)
    cross = np.append(H.cross, H.tail_cross)
    # odd degrees >= 3 have lambda_k = 0 and carry no energy: drop them.  A non-zero
    # energy on an underflowed eigenvalue (very large d) gets the smallest positive rate,
    # so that 0 * inf never produces NaN.
    live = (rates > 0) | (energies != 0) | (cross != 0)
    rates, energies, cross = np.maximum(rates[live], np.finfo(float).tiny), energies[live], cross[live]
    return KernelStudent(
        d=teacher.d, rates=rates, energies=energies, cross=cross,
        teacher_loss=teacher.loss, captured_fraction=H.captured_fraction,
        degree_rates=H.eigenvalues / lam1,
    )


_GRAM_EIG_CACHE: OrderedDict = OrderedDict()
_GRAM_EIG_CACHE_SIZE = 8


def _student_gram_eig(W, rcond):
    """Factorisation of the student Gram ``S = G(W, W)`` (:class:`_GramFactor`, module-level LRU).

    ``S`` depends on the student's weights only, not on the teacher, so students of the
    same width trained on different teachers share one factorisation (and, once formed,
    one eigenvector matrix).
    """
    key = _key(W) + (rcond,)
    if key in _GRAM_EIG_CACHE:
        _GRAM_EIG_CACHE.move_to_end(key)
        return _GRAM_EIG_CACHE[key]
    fac = _GramFactor(_relu_gram(W), rcond)
    _GRAM_EIG_CACHE[key] = fac
    while len(_GRAM_EIG_CACHE) > _GRAM_EIG_CACHE_SIZE:
        _GRAM_EIG_CACHE.popitem(last=False)
    return fac


@small_blas_call(lambda teacher, W, rcond: max(len(W), teacher.M))
def _finite_student(teacher, W, rcond):
    fac = _student_gram_eig(W, rcond)
    c = _relu_gram(W, teacher.W) @ teacher.coef  # = population_gram(W, teacher.W) @ a
    b = target_correlation(W, teacher.beta, teacher.target)
    s = fac.eigvals
    q, r = fac.project(c, b)
    ceiling = float(np.clip(1.0 - np.sum(r * r / s), 0.0, 1.0))
    Wc = W.copy()
    Wc.setflags(write=False)
    return FiniteStudent(W=Wc, eigvals=s, q=q, r=r, ceiling=ceiling, teacher_loss=teacher.loss, _factor=fac)


def _key(W):
    return (W.shape, hashlib.sha1(np.ascontiguousarray(W).tobytes()).hexdigest())


def student_trajectory(teacher, W_student=None, rcond=1e-12):
    """The student's whole loss trajectory as an object (memoised on the teacher).

    Parameters
    ----------
    teacher : Teacher
        From :func:`w2s_lib.fit_teacher`.
    W_student : array_like, shape (M_ST, d), optional
        Student weights (unit rows). ``None``: the kernel limit ``M_ST = infinity``.
    rcond : float in (0, 1)
        Relative eigenvalue cutoff of ``S^+`` (finite student only).

    Returns
    -------
    FiniteStudent or KernelStudent
        Call ``.loss(tau)``; repeated calls reuse one factorisation of the student Gram
        (a small LRU of the last few student weight matrices is kept on the teacher; the
        factorisation itself, which does not depend on the teacher, is shared by all
        teachers through a module-level LRU).
    """
    teacher = _check_teacher(teacher)
    if W_student is None:
        if "kernel_student" not in teacher._cache:
            teacher._cache["kernel_student"] = _kernel_student(teacher)
        return teacher._cache["kernel_student"]
    W = check_unit_rows(W_student, "W_student", d=teacher.d)
    rcond = check_float(rcond, "rcond", low=0.0, high=1.0, low_open=True, high_open=True)
    lru = teacher._cache.setdefault("finite_students", OrderedDict())
    key = _key(W) + (rcond,)
    if key in lru:
        lru.move_to_end(key)
        return lru[key]
    M = W.shape[0]
    check_resources("W_student.shape[0] (M_ST)", M, nbytes=8 * (3 * M * M + M * teacher.M),
                    flops=10 * M**3 + 2 * M * teacher.M * teacher.d,
                    what=f"the factorisation of an ({M}, {M}) student Gram matrix")
    st = _finite_student(teacher, W, rcond)
    lru[key] = st
    while len(lru) > _CACHE_SIZE:
        lru.popitem(last=False)
    return st


def student_loss(teacher, tau, W_student=None):
    """Population loss of the student trained on the teacher's labels, at times ``tau``.

    Parameters
    ----------
    teacher : Teacher
        From :func:`w2s_lib.fit_teacher`.
    tau : float or array_like
        Times ``tau = lambda_1 t >= 0`` (finite).
    W_student : array_like, shape (M_ST, d), optional
        Student weights; ``None`` means the kernel limit.

    Returns
    -------
    ndarray
        Shaped like ``tau``; ``L_ST(0) = 1``; values in ``[0, inf)`` (in practice ``<= 1``).
    """
    traj = student_trajectory(teacher, W_student)
    return traj.loss(tau)


@small_blas_call()  # 10^5 small matrix-vector products: one BLAS thread
def gradient_descent_student(teacher, W_student, tau_max, n_steps):
    """Reference implementation: explicit gradient descent, a plain loop.

    ``u <- u + (dt / M_ST) (c - S u)`` from ``u = 0`` with ``dt = tau_max / (lambda_1 n_steps)``.
    It converges to the closed form as ``n_steps`` grows (error O(dt)).

    Parameters
    ----------
    teacher : Teacher
    W_student : array_like, shape (M_ST, d)
    tau_max : float
        Final time, ``> 0``.
    n_steps : int
        Number of steps, ``>= 1``; the step must be stable
        (``dt * max eig(S) / M_ST < 2``), else ValueError.

    Returns
    -------
    taus : ndarray, shape (n_steps + 1,)
    losses : ndarray, shape (n_steps + 1,)
        Population loss after each step.
    """
    teacher = _check_teacher(teacher)
    W = check_unit_rows(W_student, "W_student", d=teacher.d)
    tau_max = check_float(tau_max, "tau_max", low=0.0, low_open=True)
    n_steps = check_int(n_steps, "n_steps", low=1)
    M = W.shape[0]
    check_resources("n_steps", n_steps, nbytes=8 * (3 * M * M + M * teacher.M + 2 * n_steps),
                    flops=10 * M**3 + 2 * n_steps * (M * M + 3 * M),
                    what=f"{n_steps} gradient steps at M_ST = {M}")
    S = population_gram(W)
    c = population_gram(W, teacher.W) @ teacher.coef
    b = target_correlation(W, teacher.beta, teacher.target)
    eta = tau_max / lambda_1(teacher.d) / n_steps / M
    smax = float(np.linalg.eigvalsh(S)[-1])
    if eta * smax >= 2.0:
        raise ValueError(
            f"n_steps must be > {int(np.ceil(tau_max / lambda_1(teacher.d) * smax / (2 * M)))} "
            f"for a stable step at tau_max = {tau_max}, got {n_steps}"
        )
    u = np.zeros(M)
    Su = np.zeros(M)
    losses = np.empty(n_steps + 1)
    losses[0] = 1.0
    for i in range(1, n_steps + 1):
        u = u + eta * (c - Su)
        Su = S @ u  # one matrix-vector product per step, reused by the next step
        losses[i] = 1.0 - 2.0 * (u @ b) + u @ Su
    return np.linspace(0.0, tau_max, n_steps + 1), losses


# ---------------------------------------------------------------------------
# The book's students: seeding convention and memoised curves (chapters 3-5)
# ---------------------------------------------------------------------------

#: Time grid (``tau = lambda_1 t``) on which chapter 3 draws its curves.
STUDENT_TAUS = np.logspace(-2, 6, 241)
STUDENT_TAUS.setflags(write=False)


def student_weights(d, M, seed=0):
    """The student's weights for width ``M`` and ``seed``, shape ``(M, d)``:
    ``sample_sphere(M, d, default_rng([seed + 100, M]))`` (the seeding rule of
    :func:`teacher_and_student`)."""
    return sample_sphere(M, d, np.random.default_rng([int(seed) + 100, int(M)]))


def student_width(value):
    """Student width from a widget value: a positive int, or ``0`` / ``None`` / ``"inf"`` for the
    kernel limit (returned as ``None``)."""
    if value is None or (isinstance(value, str) and value.lower() in ("inf", "infinity", "∞")):
        return None
    value = check_int(value, "M_ST", low=0, high=65536)
    return None if value == 0 else value


def teacher_and_student(d, M_TE, M_ST, seed=0):
    """The book's teacher of width ``M_TE`` and its student of width ``M_ST`` (``None``: the
    kernel limit), both of ``seed``: ``(Teacher, FiniteStudent or KernelStudent)``.

    This is the book's one teacher/student factory and its seeding rule:

    * teacher of ``(d, M_TE, seed)``: weights ``sample_sphere(M_TE, d, default_rng([seed, M_TE]))``
      (:func:`w2s_lib.teacher.teacher_weights`), fitted to the linear target
      (:func:`w2s_lib.teacher.cached_teacher`; other targets fit the same weights);
    * student of width ``M_ST`` of that teacher: weights
      ``sample_sphere(M_ST, d, default_rng([seed + 100, M_ST]))`` (:func:`student_weights`);
    * samples, where a student is trained on ``N`` points (:mod:`w2s_lib.finite_data`): seed
      ``1000 + seed``.

    The generator is seeded with the width as well as the seed, so every width gets its own,
    independent draw, and a teacher and its student never share weights.  Every chapter of Part I,
    explorable and ledger claim draws its networks through these functions, so one configuration
    ``(d, M_TE, M_ST, seed)`` gives one number everywhere.
    """
    T = cached_teacher(d, M_TE, seed)
    W = None if M_ST is None else student_weights(d, M_ST, seed)
    return T, student_trajectory(T, W)


@lru_cache(maxsize=256)
def student_curve(d, M_TE, M_ST, seed=0):
    """Student loss on :data:`STUDENT_TAUS` for the teacher ``cached_teacher(d, M_TE, seed)``.

    Parameters
    ----------
    M_ST : int or None
        Student width; ``None`` (or 0) is the kernel limit.

    Returns
    -------
    ndarray, shape (len(STUDENT_TAUS),)
    """
    with one_blas_thread():
        _, traj = teacher_and_student(d, M_TE, student_width(M_ST), seed)
        out = traj.loss(STUDENT_TAUS)
    out.setflags(write=False)
    return out


# ---------------------------------------------------------------------------
# The closed-form trajectory against explicit gradient descent (chapter 3)
# ---------------------------------------------------------------------------

@lru_cache(maxsize=16)
def gd_check(d, M_TE, M_ST, seed=0, tau_max=300.0, n_points=9):
    """Explicit gradient descent against the closed-form trajectory.

    Runs :func:`w2s_lib.gradient_descent_student` with a stable step (``tau`` step ``0.01``,
    at least ``1.5x`` the stability bound) up to ``tau_max`` and keeps ``n_points`` iterates at
    log-spaced times from ``0.1``.

    Returns
    -------
    taus, gd_losses, exact_losses : ndarray, shape (n_points,)
    """
    T, traj = teacher_and_student(d, M_TE, student_width(M_ST), seed)
    W = student_weights(d, M_ST, seed)
    n_steps = int(round(tau_max / 0.01))
    taus, losses = gradient_descent_student(T, W, tau_max, n_steps)
    want = np.logspace(-1, np.log10(tau_max), n_points)
    idx = np.unique(np.searchsorted(taus, want))
    idx = idx[idx < taus.size]
    sel_t, sel_l = taus[idx], losses[idx]
    return sel_t, sel_l, traj.loss(sel_t)
