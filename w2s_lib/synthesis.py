"""One mechanism behind both papers: where the teacher's error lies relative to the student.

Both students of the book are *linear filters of the teacher*.  Write ``e = f_TE - f*`` for
the teacher's error and ``F`` for the student's filter (``f_ST = F f_TE``, ``0 <= F <= I``,
self-adjoint); then

    f_ST - f* = F e - (I - F) f*:

the teacher's error passes through the filter (inherited where ``F`` is near 1, dropped
where it is near 0), and the student adds the part of the target it does not reach.

Part I (random features, kernel limit)
    ``F`` is diagonal in the spherical harmonics: degree ``k`` is kept by a factor ``g_k``.
    Gradient flow stopped at ``tau``: ``g_k = 1 - exp(-tau lambda_k / lambda_1)``.  The
    L2 projection onto the ball ``{f : |f|_H <= R}`` of the kernel's RKHS
    (``|f|_H^2 = sum_k |f_k|^2 / lambda_k``): ``g_k = lambda_k / (lambda_k + mu)`` with the
    multiplier ``mu >= 0`` that puts the projection on the sphere ``|f|_H = R``.
Part II (subspaces)
    With ``N -> infinity`` pseudo-labels the student is the orthogonal projection of the
    teacher onto ``V_s``; with finite ``N`` it adds an estimation error of expected size
    ``|P_s^perp theta_TE|^2 d_s / (N - d_s - 1)`` (the teacher's prediction outside ``V_s``
    is noise to the student).

The misfit view (Charikar, Pabbaraju and Shiragur, 2024): if ``f_ST`` is the L2 projection of
``f_TE`` onto a closed convex set that contains ``f*``, then
``|f_ST - f*|^2 <= |f_TE - f*|^2 - |f_ST - f_TE|^2``: the gain ``L_TE - L_ST`` is at least
the *misfit* ``|f_ST - f_TE|^2``, with equality for a linear subspace.  In general
``gain - misfit = 2 <f_TE - f_ST, f_ST - f*>`` (expand the three squares), the quantity
called ``slack`` below.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass

import numpy as np
from scipy.optimize import brentq

from ._validation import check_array, check_float, check_int, check_rng, check_times, check_resources

__all__ = [
    "DegreeProfile",
    "degree_profile",
    "early_stopping_filter",
    "ball_projection_filter",
    "filter_risks",
    "gain_misfit_curve",
    "student_error_by_degree",
    "book_profile",
    "per_degree_floor",
    "subspace_gain_misfit",
    "subspace_gain_misfit_mc",
    "fixed_teacher_risks",
    "fixed_teacher_mc",
    "bias_placement",
    "DEGREE_GROUPS",
    "errors_by_degree_group",
    "bias_split",
]


# ---------------------------------------------------------------------------
# Part I: spectral students of a random-feature teacher (kernel limit)
# ---------------------------------------------------------------------------

@dataclass(frozen=True)
class DegreeProfile:
    """A teacher and its target, degree by degree (spherical harmonics).

    The last entry of every array is the *tail lump*: all degrees beyond the resolved ones,
    carried with the largest dropped eigenvalue (exact at ``tau = 0`` and ``tau -> infinity``).

    Attributes
    ----------
    d : int
    degrees : ndarray of int, shape (K + 2,)
        ``0..K`` and ``K + 1`` for the tail.
    rates : ndarray, shape (K + 2,)
        ``lambda_k / lambda_1`` (0 for the odd degrees ``>= 3``, which the kernel never learns).
    teacher_energy : ndarray, shape (K + 2,)
        ``E_k = |f_TE,k|^2``.
    cross : ndarray, shape (K + 2,)
        ``C_k = <f_TE,k, f*_k>``.
    target_energy : ndarray, shape (K + 2,)
        ``T_k = |f*_k|^2`` (sums to 1).
    teacher_loss : float
        ``L_TE``.
    target : str
    """

    d: int
    degrees: np.ndarray
    rates: np.ndarray
    teacher_energy: np.ndarray
    cross: np.ndarray
    target_energy: np.ndarray
    teacher_loss: float
    target: str

    @property
    def teacher_error(self):
        """``|f_TE,k - f*_k|^2 = E_k - 2 C_k + T_k`` per degree, shape (K + 2,); sums to ``L_TE``."""
        return np.maximum(self.teacher_energy - 2.0 * self.cross + self.target_energy, 0.0)


def degree_profile(teacher, max_degree=None):
    """The degree-by-degree profile of a teacher and its target (:class:`DegreeProfile`).

    Parameters
    ----------
    teacher : Teacher
        From :func:`w2s_lib.fit_teacher` (any target: ``"linear"``, ``"relu"``, ``"he2"``).
    max_degree : int, optional
        Resolve degrees ``0..max_degree`` exactly and lump the rest into the tail term.
        Default: the teacher's adaptive decomposition (``teacher.harmonics``: degrees are added
        until the tail holds at most 0.1 % of ``|f_TE|^2`` and 1 % of ``L_TE``). A fixed degree
        makes a result that depends on the tail (the RKHS norm does, at large ``d``) a
        deterministic function of the teacher.

    Returns
    -------
    DegreeProfile
    """
    from .student import _check_teacher

    teacher = _check_teacher(teacher)
    H = teacher.harmonics if max_degree is None else teacher.harmonic_energies(max_degree=max_degree)
    lam1 = 1.0 / (4.0 * teacher.d ** 2)
    rates = np.append(H.eigenvalues, H.tail_eigenvalue) / lam1
    target = np.append(H.target_energies, max(1.0 - float(H.target_energies.sum()), 0.0))
    return DegreeProfile(
        d=teacher.d,
        degrees=np.arange(H.max_degree + 2),
        rates=rates,
        teacher_energy=np.append(H.energies, H.tail_energy),
        cross=np.append(H.cross, H.tail_cross),
        target_energy=target,
        teacher_loss=float(teacher.loss),
        target=teacher.target,
    )


def _check_profile(profile):
    if not isinstance(profile, DegreeProfile):
        raise TypeError(f"profile must be a DegreeProfile (from degree_profile), got {type(profile).__name__}")
    return profile


def early_stopping_filter(profile, tau):
    """Gradient flow stopped at ``tau`` as a filter: ``g_k = 1 - exp(-tau lambda_k / lambda_1)``.

    Parameters
    ----------
    profile : DegreeProfile
    tau : float or array_like
        Times ``tau = lambda_1 t >= 0``.

    Returns
    -------
    ndarray, shape ``(K + 2,) + tau.shape``
        In ``[0, 1]``; 0 where ``lambda_k = 0``.
    """
    profile = _check_profile(profile)
    tau = check_times(tau, "tau")
    with np.errstate(over="ignore"):
        g = -np.expm1(-np.outer(profile.rates, tau.reshape(-1)))
    return g.reshape(profile.rates.shape + tau.shape)


def _rkhs_norm2_target(profile):
    live = profile.target_energy > 1e-15
    if np.any(live & (profile.rates <= 0)) or (profile.target_energy[-1] > 1e-12):
        raise ValueError(
            f"target {profile.target!r} has infinite RKHS norm (energy in degrees the kernel does not "
            "span or in infinitely many degrees): the norm-ball student needs target 'linear' or 'he2'")
    return float(np.sum(profile.target_energy[live] / profile.rates[live]))


def ball_projection_filter(profile, radius2=None):
    """L2 projection of the teacher onto an RKHS ball, as a filter.

    Minimise ``|f - f_TE|^2`` over ``|f|_H^2 = sum_k |f_k|^2 / lambda_k <= R^2``.  The
    Lagrange condition gives ``f_k = f_TE,k lambda_k / (lambda_k + mu)`` with ``mu >= 0``,
    ``mu = 0`` if the teacher is inside the ball, otherwise the root of
    ``sum_k E_k lambda_k / (lambda_k + mu)^2 = R^2`` (decreasing in ``mu``).  Eigenvalues are
    in units of ``lambda_1`` (``mu`` too).

    Parameters
    ----------
    profile : DegreeProfile
    radius2 : float, optional
        ``R^2`` in units of ``1 / lambda_1`` (``> 0``).  Default: ``|f*|_H^2``, the smallest
        ball that contains the target (the misfit inequality's condition).

    Returns
    -------
    g : ndarray, shape (K + 2,)
    mu : float
    """
    profile = _check_profile(profile)
    R2 = _rkhs_norm2_target(profile) if radius2 is None else check_float(radius2, "radius2", low=0.0, low_open=True)
    lam = profile.rates
    E = profile.teacher_energy
    on = lam > 0
    # Degrees the kernel does not span (lambda_k = 0) are outside every ball: g_k = 0 there.
    h = lambda mu: float(np.sum(E[on] * lam[on] / (lam[on] + mu) ** 2)) - R2  # noqa: E731
    g = np.zeros_like(lam)
    if h(0.0) <= 0.0:
        g[on] = 1.0
        return g, 0.0
    hi = 1.0
    while h(hi) > 0.0:
        hi *= 10.0
    mu = brentq(h, 0.0, hi, xtol=1e-300, rtol=1e-14, maxiter=500)
    g[on] = lam[on] / (lam[on] + mu)
    return g, float(mu)


def filter_risks(profile, g):
    """Student loss, misfit and gain of the spectral student ``f_ST,k = g_k f_TE,k``.

    Parameters
    ----------
    profile : DegreeProfile
    g : array_like, shape ``(K + 2,)`` or ``(K + 2, n)``
        Filter factors in ``[0, 1]``.

    Returns
    -------
    dict of float or ndarray (shape of ``g`` without its first axis)
        ``"student_loss"`` ``sum_k T_k - 2 g_k C_k + g_k^2 E_k``; ``"misfit"``
        ``|f_ST - f_TE|^2 = sum_k (1 - g_k)^2 E_k``; ``"gain"`` ``L_TE - L_ST``;
        ``"slack"`` ``gain - misfit = 2 <f_TE - f_ST, f_ST - f*>``; ``"inherited"``
        ``sum_k g_k^2 |e_k|^2`` (the teacher's error passed through the filter) and
        ``"unreached"`` ``sum_k (1 - g_k)^2 T_k`` (the target the filter holds back).
    """
    profile = _check_profile(profile)
    g = check_array(g, "g")
    if g.shape[0] != profile.rates.size:
        raise ValueError(f"g must have {profile.rates.size} rows (one per degree and the tail), got shape {g.shape}")
    if np.any(g < -1e-12) or np.any(g > 1 + 1e-12):
        raise ValueError("g must lie in [0, 1] (a filter that neither amplifies nor flips a degree)")
    shape = (-1,) + (1,) * (g.ndim - 1)
    E, C, T = (v.reshape(shape) for v in (profile.teacher_energy, profile.cross, profile.target_energy))
    err = profile.teacher_error.reshape(shape)
    loss = np.sum(T - 2.0 * g * C + g * g * E, axis=0)
    misfit = np.sum((1.0 - g) ** 2 * E, axis=0)
    gain = profile.teacher_loss - loss
    slack = 2.0 * np.sum((1.0 - g) * (g * E - C), axis=0)
    out = {"student_loss": loss, "misfit": misfit, "gain": gain, "slack": slack,
           "inherited": np.sum(g * g * err, axis=0), "unreached": np.sum((1.0 - g) ** 2 * T, axis=0)}
    return {k: (float(v) if np.ndim(v) == 0 else v) for k, v in out.items()}


def student_error_by_degree(profile, g):
    """The spectral student's error degree by degree: ``T_k - 2 g_k C_k + g_k^2 E_k``.

    Parameters
    ----------
    profile : DegreeProfile
    g : array_like, shape (K + 2,)

    Returns
    -------
    ndarray, shape (K + 2,)
        Sums to the student's loss (:func:`filter_risks`); at ``g = 1`` it is the teacher's
        error (:attr:`DegreeProfile.teacher_error`), at ``g = 0`` the target's energy.
    """
    profile = _check_profile(profile)
    g = check_array(g, "g", ndim=1, shape=profile.rates.shape)
    return np.maximum(profile.target_energy - 2.0 * g * profile.cross + g * g * profile.teacher_energy, 0.0)


@functools.lru_cache(maxsize=64)
def book_profile(target, d, M_TE, seed=0):
    """:func:`degree_profile` of the book's teacher (seeding rule of :func:`w2s_lib.teacher.teacher_weights`).

    Parameters
    ----------
    target : {"linear", "relu", "he2"}
    d, M_TE, seed : int

    Returns
    -------
    DegreeProfile
    """
    from .random_features import TARGETS
    from ._validation import check_choice
    from .teacher import cached_teacher, fit_teacher, teacher_weights

    check_choice(target, "target", TARGETS)
    d, M_TE, seed = check_int(d, "d", low=2), check_int(M_TE, "M_TE", low=1), check_int(seed, "seed", low=0)
    if target == "linear":
        return degree_profile(cached_teacher(d, M_TE, seed))
    return degree_profile(fit_teacher(teacher_weights(d, M_TE, seed), target=target))


def gain_misfit_curve(profile, taus):
    """Gain and misfit of the early-stopped kernel student along ``taus``.

    Returns
    -------
    dict of ndarray, shape ``(len(taus),)``
        As :func:`filter_risks`, plus ``"tau"``.
    """
    taus = check_times(taus, "taus").reshape(-1)
    out = filter_risks(profile, early_stopping_filter(profile, taus))
    out["tau"] = taus
    return out


def per_degree_floor(profile):
    """The smallest loss of any spectral student with ``g_k`` in ``[0, 1]``.

    Degree by degree, ``min_{0 <= g <= 1} T_k - 2 g C_k + g^2 E_k``: ``g = clip(C_k / E_k, 0, 1)``.
    No filter (early stopping at any time, the ball projection, ridge) does better: a spectral
    student can rescale each degree of the teacher but not move it.  For the linear target
    this is at least ``L_TE^2`` (Cauchy-Schwarz on degree 1); for a target with content in
    degree ``k`` it contains the part of ``f*_k`` that is not along ``f_TE,k``.

    Returns
    -------
    floor : float
    per_degree : ndarray, shape (K + 2,)
    """
    profile = _check_profile(profile)
    E, C, T = profile.teacher_energy, profile.cross, profile.target_energy
    g = np.where(E > 0, np.clip(np.divide(C, E, out=np.zeros_like(C), where=E > 0), 0.0, 1.0), 0.0)
    g = np.where(profile.rates > 0, g, 0.0)
    per = np.maximum(T - 2.0 * g * C + g * g * E, 0.0)
    return float(per.sum()), per


# ---------------------------------------------------------------------------
# Part II: the subspace student (coordinate subspaces, Gaussian design)
# ---------------------------------------------------------------------------

def _ratio_ds(d_s, N):
    return 0.0 if N == np.inf else d_s / (N - d_s - 1.0)


def _check_N(N, d_s):
    """``N`` pseudo-labels: an int ``> d_s + 1``, or ``numpy.inf`` for the projection."""
    if isinstance(N, (float, np.floating)) and N == np.inf:
        return np.inf
    return check_int(N, "N", low=d_s + 2)


def subspace_gain_misfit(d_s, d_w, d_sw, n, N, sigma2, theta):
    """Expected gain and misfit of the W2S student of the subspace model (exact).

    With the teacher ``theta_w`` (``n`` labelled samples) and the student fitted on ``N``
    pseudo-labels (``N = inf``: the orthogonal projection of the teacher onto ``V_s``)::

        E misfit = (1 + r) (E_ws + (sigma2 + rho_w) (d_w - d_sw) / (n - d_w - 1)),
        E slack  = -2 E_ws - 2 r (E_ws + (sigma2 + rho_w) (d_w - d_sw) / (n - d_w - 1)),

    ``r = d_s / (N - d_s - 1)``, ``E_ws = |theta on W \\ S|^2`` (the target in the subspace of
    discrepancy), ``rho_w = |theta outside W|^2``; ``E gain = ER_w - ER_w2s``
    (:func:`w2s_lib.subspace_risks`).  Derivation: chapter 9.

    Parameters
    ----------
    d_s, d_w, d_sw, n, sigma2, theta
        As in :func:`w2s_lib.subspace_risks` (``n > d_w + 1``).
    N : int or ``numpy.inf``
        ``N > d_s + 1``, or ``inf`` for the projection.

    Returns
    -------
    dict of float
        ``"gain"``, ``"misfit"``, ``"slack"`` (``gain - misfit``), ``"teacher"`` (``ER_w``),
        ``"student"`` (``ER_w2s``), ``"E_ws"``.
    """
    from .subspace import _check_dims, _check_theta, _energies, subspace_risks

    d_s, d_w, d_sw = _check_dims(d_s, d_w, d_sw)
    theta = _check_theta(theta, d_s, d_w, d_sw)
    n = check_int(n, "n", low=d_w + 2)
    N = _check_N(N, d_s)
    sigma2 = check_float(sigma2, "sigma2", low=0.0)
    e = _energies(theta, d_s, d_w, d_sw)
    E_ws = float(e["delta"])
    r = _ratio_ds(d_s, N)
    out_s = E_ws + (sigma2 + e["rho_w"]) * (d_w - d_sw) / (n - d_w - 1.0)
    misfit = (1.0 + r) * out_s
    slack = -2.0 * E_ws - 2.0 * r * out_s
    if np.isinf(N):
        ER_w = e["rho_w"] + (sigma2 + e["rho_w"]) * d_w / (n - d_w - 1.0)
        ER_st = e["bias"] + (sigma2 + e["rho_w"]) * d_sw / (n - d_w - 1.0)
    else:
        R = subspace_risks(d_s, d_w, d_sw, n, N, sigma2, theta)
        ER_w, ER_st = R["weak"], R["w2s"]
    return {"gain": float(ER_w - ER_st), "misfit": float(misfit), "slack": float(slack),
            "teacher": float(ER_w), "student": float(ER_st), "E_ws": E_ws}


def subspace_gain_misfit_mc(d_s, d_w, d_sw, n, N, sigma2, theta, trials, seed):
    """Monte Carlo of :func:`subspace_gain_misfit`: per-draw gain, misfit and slack.

    The teacher and (finite ``N``) the student are simulated by
    :func:`w2s_lib.simulate_subspace`; with ``N = inf`` the student is the teacher's
    coefficients on ``S n W`` (its projection onto ``V_s``).

    Returns
    -------
    dict
        ``"gain"``, ``"misfit"``, ``"slack"``: means; ``"<key>_se"``: standard errors;
        ``"per_trial"``: dict of arrays, shape ``(trials,)``.
    """
    from .subspace import _check_dims, _check_theta, simulate_subspace

    d_s, d_w, d_sw = _check_dims(d_s, d_w, d_sw)
    theta = _check_theta(theta, d_s, d_w, d_sw)
    N = _check_N(N, d_s)
    union = d_s + d_w - d_sw
    sim = simulate_subspace(d_s, d_w, d_sw, n, d_s + 2 if np.isinf(N) else N, sigma2, theta, trials, seed,
                            return_coefs=True)
    tw = np.zeros((sim["trials"], union))
    tw[:, d_s - d_sw:d_s - d_sw + d_w] = sim["coefs"]["weak"]
    ts = np.zeros_like(tw)
    if np.isinf(N):
        ts[:, d_s - d_sw:d_s] = tw[:, d_s - d_sw:d_s]
    else:
        ts[:, :d_s] = sim["coefs"]["w2s"]
    rest = float(np.sum(theta[union:] ** 2))
    th = theta[:union]
    teacher = np.sum((tw - th) ** 2, axis=1) + rest
    student = np.sum((ts - th) ** 2, axis=1) + rest
    per = {"gain": teacher - student, "misfit": np.sum((ts - tw) ** 2, axis=1)}
    per["slack"] = per["gain"] - per["misfit"]
    out = {"per_trial": per, "trials": sim["trials"]}
    for k, v in per.items():
        out[k] = float(v.mean())
        out[k + "_se"] = float(v.std(ddof=1) / np.sqrt(v.size)) if v.size > 1 else 0.0
    return out


def fixed_teacher_risks(teacher_coef, theta, d_s, N):
    """A fixed teacher (no sampling noise: pure bias) and the subspace student (exact).

    The teacher predicts ``t . z``; the student regresses it on the strong coordinates
    ``z_S`` (the first ``d_s``) with ``N`` samples, or projects it (``N = inf``).  What of
    ``t`` lies outside ``V_s`` is Gaussian noise of variance ``|P_s^perp t|^2`` to the student,
    so (ordinary least squares, inverse-Wishart mean)::

        E ER_st = |P_s (t - theta)|^2 + |P_s^perp theta|^2 + |P_s^perp t|^2 d_s / (N - d_s - 1).

    Parameters
    ----------
    teacher_coef, theta : array_like, shape (D,)
    d_s : int, ``1 <= d_s <= D``
    N : int (``> d_s + 1``) or ``numpy.inf``

    Returns
    -------
    dict of float
        ``"teacher"`` ``|t - theta|^2``, ``"student"``, ``"gain"``, ``"misfit"``
        ``|P_s^perp t|^2 (1 + r)``, ``"slack"``.
    """
    t = check_array(teacher_coef, "teacher_coef", ndim=1)
    theta = check_array(theta, "theta", ndim=1, shape=t.shape)
    d_s = check_int(d_s, "d_s", low=1, high=t.size)
    N = _check_N(N, d_s)
    r = _ratio_ds(d_s, N)
    out_t = float(np.sum(t[d_s:] ** 2))
    teacher = float(np.sum((t - theta) ** 2))
    student = float(np.sum((t[:d_s] - theta[:d_s]) ** 2) + np.sum(theta[d_s:] ** 2) + out_t * r)
    misfit = out_t * (1.0 + r)
    return {"teacher": teacher, "student": student, "gain": teacher - student, "misfit": misfit,
            "slack": teacher - student - misfit}


def fixed_teacher_mc(teacher_coef, theta, d_s, N, trials, seed):
    """Monte Carlo of :func:`fixed_teacher_risks` (``N`` finite): the student fitted on samples.

    Returns
    -------
    dict
        ``"student"``, ``"misfit"``, ``"gain"`` means and ``"<key>_se"`` standard errors.
    """
    t = check_array(teacher_coef, "teacher_coef", ndim=1)
    theta = check_array(theta, "theta", ndim=1, shape=t.shape)
    d_s = check_int(d_s, "d_s", low=1, high=t.size)
    N = check_int(N, "N", low=d_s + 2)
    trials = check_int(trials, "trials", low=2)
    check_resources("trials", trials, nbytes=8 * trials * N * (d_s + 1), flops=trials * N * d_s ** 2,
                    what=f"{trials} least-squares fits of {N} samples")
    rng = check_rng(seed)
    Z = rng.standard_normal((trials, N, d_s))
    noise = rng.standard_normal((trials, N)) * np.sqrt(np.sum(t[d_s:] ** 2))
    y = Z @ t[:d_s] + noise
    coef = np.linalg.solve(np.einsum("tni,tnj->tij", Z, Z), np.einsum("tni,tn->ti", Z, y)[..., None])[..., 0]
    student = np.sum((coef - theta[:d_s]) ** 2, axis=1) + np.sum(theta[d_s:] ** 2)
    misfit = np.sum((coef - t[:d_s]) ** 2, axis=1) + np.sum(t[d_s:] ** 2)
    teacher = float(np.sum((t - theta) ** 2))
    per = {"student": student, "misfit": misfit, "gain": teacher - student}
    out = {}
    for k, v in per.items():
        out[k] = float(v.mean())
        out[k + "_se"] = float(v.std(ddof=1) / np.sqrt(trials))
    return out


def bias_placement(d_s=10, d_w=20, d_sw=5, bias2=0.3, N=200):
    """The same pure-bias teacher error placed inside and outside the student's subspace.

    The target is ``theta`` with unit energy spread on ``S n W``; the teacher (a fixed
    vector on ``W``, no sampling noise) equals it plus a bias of energy ``bias2`` spread
    either on ``S n W`` (inside ``V_s``) or on ``W \\ S`` (outside ``V_s``).

    Returns
    -------
    dict
        ``"inside"`` and ``"outside"``: :func:`fixed_teacher_risks` at ``N`` and at
        ``N = inf`` (keys ``"finite"``, ``"projection"``), with the vectors ``"theta"`` and
        ``"teacher_coef"``.
    """
    d_s = check_int(d_s, "d_s", low=1)
    d_w = check_int(d_w, "d_w", low=1)
    d_sw = check_int(d_sw, "d_sw", low=1, high=min(d_s, d_w - 1))
    bias2 = check_float(bias2, "bias2", low=0.0)
    N = check_int(N, "N", low=d_s + 2)
    D = d_s + d_w - d_sw
    shared = slice(d_s - d_sw, d_s)
    w_only = slice(d_s, D)
    theta = np.zeros(D)
    theta[shared] = np.sqrt(1.0 / d_sw)
    out = {}
    for where, sl in (("inside", shared), ("outside", w_only)):
        b = np.zeros(D)
        size = sl.stop - sl.start
        b[sl] = np.sqrt(bias2 / size)
        t = theta + b
        out[where] = {"theta": theta, "teacher_coef": t,
                      "finite": fixed_teacher_risks(t, theta, d_s, N),
                      "projection": fixed_teacher_risks(t, theta, d_s, np.inf)}
    return out


# ---------------------------------------------------------------------------
# Chapter 9's figure: the two models' errors split by where they lie
# ---------------------------------------------------------------------------

#: The harmonic degrees grouped as chapter 9 shows them.
DEGREE_GROUPS = ("degree 0", "degree 1", "degree 2", "degrees \u2265 3")


def errors_by_degree_group(target, d, M_TE, tau):
    """Teacher's and early-stopped student's errors in :data:`DEGREE_GROUPS`, in units of ``L_TE``.

    Returns
    -------
    teacher, student : ndarray, shape (4,)
    risks : dict
        :func:`filter_risks` at ``tau`` (absolute units) with ``"L_TE"``.
    """
    p = book_profile(target, d, M_TE)
    g = early_stopping_filter(p, float(tau))
    group = lambda v: np.array([v[0], v[1], v[2], v[3:].sum()]) / p.teacher_loss  # noqa: E731
    risks = dict(filter_risks(p, g), L_TE=p.teacher_loss)
    return group(p.teacher_error), group(student_error_by_degree(p, g)), risks


def bias_split(out, N, *, d_s=10, d_w=20, d_sw=5, bias2=0.3):
    """A pure-bias teacher with a share ``out`` of its bias outside ``V_s`` (on ``W \\ S``).

    Unit signal on ``S n W``; bias energy ``(1 - out) bias2`` on ``S n W`` and ``out bias2`` on
    ``W \\ S``; the student fitted on ``N`` pseudo-labels (:func:`fixed_teacher_risks`).

    Returns
    -------
    risks : dict
        :func:`fixed_teacher_risks`.
    parts : dict
        ``"teacher"`` and ``"student"``: their errors inside ``V_s``, outside ``V_s`` and the
        student's estimation noise, each a tuple of 3 floats summing to the risk.
    """
    out = check_float(out, "out", low=0.0, high=1.0)
    D = d_s + d_w - d_sw
    inside, outside = slice(d_s - d_sw, d_s), slice(d_s, D)
    theta = np.zeros(D)
    theta[inside] = np.sqrt(1.0 / d_sw)
    t = theta.copy()
    t[inside] += np.sqrt((1 - out) * bias2 / d_sw)
    t[outside] = np.sqrt(out * bias2 / (D - d_s))
    r = fixed_teacher_risks(t, theta, d_s, N)
    kept = (1 - out) * bias2
    return r, {"teacher": (kept, out * bias2, 0.0), "student": (kept, 0.0, r["student"] - kept)}
