"""Intrinsic dimension, correlation dimension and the subspace story on digits.

Everything here runs offline: the data set is scikit-learn's bundled
``load_digits`` (1,797 images of 8 x 8 pixels), read from the installed
package, never downloaded.

Pipeline (:func:`digits_w2s`)
-----------------------------
1. One RBF kernel-PCA basis of all 1,797 images (no labels used; cached).
   Component ``j`` is ``sqrt(lambda_j) u_j`` (``u_j`` the unit eigenvector of
   the centred kernel matrix, scaled to unit mean square), so the feature
   covariance has the kernel's spectrum.
2. Strong features: the top ``d_s`` components.  Weak features: the top
   ``d_sw`` components (shared with the strong map) plus ``d_w - d_sw``
   components from just beyond the strong block, ``[d_s, d_s + d_w - d_sw)``.
   The nominal overlap is ``d_sw``; the overlap actually used for the
   comparison with theory is *measured* on the training points
   (:func:`measured_correlation_dimension`).
3. Clean target: the standardized one-vs-rest indicator of a digit (label
   derived); training labels get Gaussian noise of variance ``sigma2``.
4. Random split per seed into ``n`` labelled, ``N`` unlabelled and ``n_test``
   held-out points.  Weak teacher, W2S student, strong baseline and strong
   ceiling are fitted ridgelessly (minimum-norm least squares, no intercept:
   features and target are centred on the full set); risks are mean squared
   errors against the *clean* target on the held-out points.
5. Theory: the exact formulas of :mod:`w2s_lib.subspace` with the target's
   energies in each block estimated from the data (coefficients on the
   whitened components over all 1,797 images), the measured ``d_sw`` and the
   injected ``sigma2``.  The formulas assume Gaussian features, so they are a
   prediction, not an identity, here.  The label noise is also *estimated*
   from the labelled points alone (:func:`estimate_noise_variance`, the
   residual variance of the strong baseline minus the estimated ``rho_s``),
   and the theory is evaluated a second time with that estimate.
"""

from __future__ import annotations

import functools

import numpy as np

from ._blas import small_blas_call
from ._validation import check_array, check_float, check_int, check_rng
from .subspace import RISK_KEYS, _batched_min_norm_lstsq, ratio_of_means_se, subspace_risks_from_energies

__all__ = [
    "intrinsic_dimension",
    "spectrum_intrinsic_dimension",
    "measured_correlation_dimension",
    "digits_kpca_basis",
    "digits_target",
    "digits_feature_maps",
    "digits_w2s",
    "digits_overlap_sweep",
    "estimate_noise_variance",
    "DIGITS_SETTINGS",
    "DIGITS_OVERLAPS",
    "DIGITS_N",
    "digits_point",
    "digits_grid",
    "grid_row",
]

_N_DIGITS = 1797


# ---------------------------------------------------------------------------
# dimensions measured from feature matrices
# ---------------------------------------------------------------------------
def spectrum_intrinsic_dimension(eigenvalues, threshold=0.99):
    """Smallest ``k`` whose top-``k`` eigenvalues hold ``threshold`` of the total
    (at ``threshold=0.99``: the 99%-variance dimension).

    Parameters
    ----------
    eigenvalues : array_like, shape (p,)
        Non-negative eigenvalues (any order), not all zero.
    threshold : float in (0, 1]
        Fraction of the spectrum to capture.

    Returns
    -------
    int
        ``1 <= k <= p``.
    """
    lam = check_array(eigenvalues, "eigenvalues", ndim=1)
    threshold = check_float(threshold, "threshold", low=0.0, high=1.0, low_open=True)
    if lam.size == 0:
        raise ValueError("eigenvalues must not be empty")
    if np.any(lam < -1e-12 * max(1.0, float(np.abs(lam).max()))):
        raise ValueError("eigenvalues must be non-negative")
    lam = np.sort(np.clip(lam, 0.0, None))[::-1]
    total = lam.sum()
    if total <= 0:
        raise ValueError("eigenvalues must not all be zero (intrinsic dimension undefined)")
    frac = np.cumsum(lam) / total
    return int(min(np.searchsorted(frac, threshold * (1 - 1e-12)) + 1, lam.size))


@small_blas_call()  # every matrix here has at most 1,797 rows: one BLAS thread
def intrinsic_dimension(features, threshold=0.99):
    """The 99%-variance dimension of a feature matrix (at ``threshold=0.99``):
    :func:`spectrum_intrinsic_dimension` of the covariance of its (centred) columns.

    The book calls this count the *99%-variance dimension*, a measurement used to choose
    the intrinsic dimension (``d_s``, ``d_w``: the dimension of the subspace a model fits);
    the function keeps its historical name.

    Parameters
    ----------
    features : array_like, shape (m, p)
        ``m >= 2`` samples of ``p`` features, not all constant.
    threshold : float in (0, 1]

    Returns
    -------
    int
    """
    F = _check_features(features, "features")
    s = np.linalg.svd(F - F.mean(axis=0), compute_uv=False)
    return spectrum_intrinsic_dimension(s**2 / (F.shape[0] - 1), threshold)


def _check_features(F, name):
    F = check_array(F, name, ndim=2)
    if F.shape[0] < 2 or F.shape[1] < 1:
        raise ValueError(f"{name} must have at least 2 rows and 1 column, got shape {F.shape}")
    return F


def _orthonormal_columns(F, name):
    Fc = F - F.mean(axis=0)
    U, s, _ = np.linalg.svd(Fc, full_matrices=False)
    if s.size == 0 or s[0] == 0:
        raise ValueError(f"{name} has no variation after centring")
    rank = int(np.sum(s > s[0] * max(Fc.shape) * np.finfo(float).eps))
    return U[:, :rank]


@small_blas_call()  # every matrix here has at most 1,797 rows: one BLAS thread
def measured_correlation_dimension(features_s, features_w):
    """Correlation dimension ``|U_s^T U_w|_F^2`` of two real feature matrices.

    Both matrices are centred column-wise and orthonormalised (SVD, numerical
    rank) over the same ``m`` samples; ``U_s``, ``U_w`` span their column
    spaces.  For coordinate subspaces of whitened data this is ``|S n W|``.

    Parameters
    ----------
    features_s : array_like, shape (m, d_s)
    features_w : array_like, shape (m, d_w)

    Returns
    -------
    float
        In ``[0, min(rank_s, rank_w)]``.
    """
    Fs = _check_features(features_s, "features_s")
    Fw = _check_features(features_w, "features_w")
    if Fs.shape[0] != Fw.shape[0]:
        raise ValueError(
            f"features_s and features_w must have the same number of rows (samples), got "
            f"{Fs.shape[0]} and {Fw.shape[0]}"
        )
    Us = _orthonormal_columns(Fs, "features_s")
    Uw = _orthonormal_columns(Fw, "features_w")
    return float(min(np.sum((Us.T @ Uw) ** 2), min(Us.shape[1], Uw.shape[1])))


# ---------------------------------------------------------------------------
# digits
# ---------------------------------------------------------------------------
@functools.lru_cache(maxsize=4)
def _digits_raw():
    from sklearn.datasets import load_digits  # bundled with scikit-learn: no download

    X, labels = load_digits(return_X_y=True)
    X = X / 16.0
    X.flags.writeable = False
    labels = labels.astype(int)
    labels.flags.writeable = False
    return X, labels


@functools.lru_cache(maxsize=8)
@small_blas_call()  # a 1,797 x 1,797 kernel: one BLAS thread (see w2s_lib._blas)
def _kpca(gamma, n_components):
    from scipy.linalg import eigh

    X, _ = _digits_raw()
    m = X.shape[0]
    sq = np.sum(X**2, axis=1)
    dist2 = np.maximum(sq[:, None] + sq[None, :] - 2.0 * X @ X.T, 0.0)
    if gamma is None:
        gamma = 1.0 / float(np.median(dist2))
    K = np.exp(-gamma * dist2)
    row = K.mean(axis=0)
    Kc = K - row[None, :] - row[:, None] + row.mean()
    lam, U = eigh(Kc, subset_by_index=[m - n_components, m - 1])
    lam, U = lam[::-1] / m, U[:, ::-1]
    U = U * np.sign(U[np.argmax(np.abs(U), axis=0), np.arange(n_components)])  # fixed signs
    whitened = U * np.sqrt(m)  # unit mean square, mean zero, orthogonal columns
    features = whitened * np.sqrt(np.clip(lam, 0.0, None))
    # spectrum of the whole centred kernel, for the intrinsic dimension
    total = float(np.trace(Kc)) / m
    for arr in (whitened, features, lam):
        arr.flags.writeable = False
    return whitened, features, lam, float(gamma), total


def digits_kpca_basis(gamma=None, n_components=100):
    """Kernel-PCA basis of scikit-learn's digits (cached).

    Parameters
    ----------
    gamma : float > 0, optional
        RBF kernel ``exp(-gamma |x - x'|^2)`` on pixels scaled to ``[0, 1]``;
        default ``1 / median |x - x'|^2``.
    n_components : int in [1, 1797]

    Returns
    -------
    dict
        ``"features"``: ndarray (1797, n_components), component ``j`` equal to
        ``sqrt(lambda_j) u_j``; ``"whitened"``: the same with unit mean square;
        ``"eigenvalues"``: ``lambda_j`` (descending, shape (n_components,));
        ``"total_variance"``: trace of the centred kernel / 1797 (the sum of all
        eigenvalues); ``"gamma"``; ``"labels"``: ndarray (1797,) of ints.
        Arrays are read-only (shared by the cache).
    """
    if gamma is not None:
        gamma = check_float(gamma, "gamma", low=0.0, low_open=True)
    n_components = check_int(n_components, "n_components", low=1, high=_N_DIGITS)
    whitened, features, lam, g, total = _kpca(gamma, n_components)
    return {"features": features, "whitened": whitened, "eigenvalues": lam,
            "total_variance": total, "gamma": g, "labels": _digits_raw()[1]}


@small_blas_call()  # every matrix here has at most 1,797 rows: one BLAS thread
def digits_target(digit=0, *, components=None, gamma=None, n_components=100):
    """Clean regression target: the standardized indicator ``1[label == digit]``.

    Parameters
    ----------
    digit : int in [0, 9]
    components : int, optional
        If given, the indicator is first projected on the top ``components``
        kernel-PCA components (a smooth, label-derived target that every
        feature map holding those components can represent).
    gamma, n_components
        Kernel-PCA settings used for the projection.

    Returns
    -------
    ndarray, shape (1797,)
        Mean 0, mean square 1 over the data set.
    """
    digit = check_int(digit, "digit", low=0, high=9)
    y = (_digits_raw()[1] == digit).astype(float)
    y = (y - y.mean()) / y.std()
    if components is not None:
        n_components = check_int(n_components, "n_components", low=1, high=_N_DIGITS)
        components = check_int(components, "components", low=1, high=n_components)
        W = digits_kpca_basis(gamma, n_components)["whitened"][:, :components]
        y = W @ (W.T @ y / y.size)
        y = y / np.sqrt(np.mean(y**2))
    return y


def _weak_columns(d_s, d_w, d_sw):
    return np.concatenate([np.arange(d_sw), np.arange(d_s, d_s + d_w - d_sw)])


def _check_digits_dims(d_s, d_w, d_sw, n_components):
    d_s = check_int(d_s, "d_s", low=1)
    d_w = check_int(d_w, "d_w", low=1)
    d_sw = check_int(d_sw, "d_sw", low=0, high=min(d_s, d_w))
    n_components = check_int(n_components, "n_components", low=1, high=_N_DIGITS)
    if d_s + d_w - d_sw > n_components:
        raise ValueError(
            f"n_components must be >= d_s + d_w - d_sw = {d_s + d_w - d_sw}, got {n_components}"
        )
    return d_s, d_w, d_sw, n_components


def digits_feature_maps(d_s, d_w, d_sw, *, gamma=None, n_components=100):
    """Strong and weak kernel-PCA feature maps of the digits with nominal overlap ``d_sw``.

    Parameters
    ----------
    d_s, d_w : int
        Strong and weak dimensions.
    d_sw : int in [0, min(d_s, d_w)]
        Number of shared components: the weak map holds the top ``d_sw``
        components and ``d_w - d_sw`` components after the strong block.
    gamma, n_components
        See :func:`digits_kpca_basis`; ``n_components >= d_s + d_w - d_sw``.

    Returns
    -------
    F_s : ndarray, shape (1797, d_s)
    F_w : ndarray, shape (1797, d_w)
    """
    d_s, d_w, d_sw, n_components = _check_digits_dims(d_s, d_w, d_sw, n_components)
    F = digits_kpca_basis(gamma, n_components)["features"]
    return F[:, :d_s].copy(), F[:, _weak_columns(d_s, d_w, d_sw)].copy()


@small_blas_call()  # every matrix here has at most 1,797 rows: one BLAS thread
def estimate_noise_variance(features, labels, rho=0.0):
    """Label-noise variance from one labelled sample: residual variance minus misfit.

    Least squares of ``labels`` on ``features`` (``n > d`` rows) leaves a residual
    sum of squares whose expectation, for Gaussian features and a target whose part
    outside the feature span has energy ``rho`` and is independent of the features,
    is ``(n - d) (sigma^2 + rho)``.  Hence the unbiased estimate
    ``RSS / (n - d) - rho``.

    Parameters
    ----------
    features : ndarray, shape (n, d)
        Design matrix with ``n >= d + 1`` rows and full column rank.
    labels : ndarray, shape (n,)
        Noisy labels.
    rho : float >= 0
        Energy of the target outside the span of the features (the misfit that
        the residual also contains); 0 for a well-specified model.

    Returns
    -------
    float
        The estimate of ``sigma^2`` (may be slightly negative by chance when the
        noise is tiny; it is not clipped, so averages stay unbiased).
    """
    F = check_array(features, "features", ndim=2)
    n, d = F.shape
    if d < 1 or n < d + 1:
        raise ValueError(f"features must have shape (n, d) with d >= 1 and n >= d + 1, got {F.shape}")
    y = check_array(labels, "labels", ndim=1)
    if y.size != n:
        raise ValueError(f"labels must have length n = {n} (rows of features), got {y.size}")
    rho = check_float(rho, "rho", low=0.0)
    coef, *_ = np.linalg.lstsq(F, y, rcond=None)
    rss = float(np.sum((y - F @ coef) ** 2))
    return rss / (n - d) - rho


def _target_energies(d_s, d_w, d_sw, gamma, n_components, y):
    """Block energies of the clean target on the whitened components (all 1,797 images)."""
    W = digits_kpca_basis(gamma, n_components)["whitened"]
    c2 = (W.T @ y / y.size) ** 2
    total = float(np.mean(y**2))
    in_s = float(c2[:d_s].sum())
    in_w = float(c2[_weak_columns(d_s, d_w, d_sw)].sum())
    in_sw = float(c2[:d_sw].sum())
    return {"rho_s": total - in_s, "rho_w": total - in_w, "bias": total - in_sw, "delta": in_w - in_sw}


def summarize_risks(per_seed):
    """Means and standard errors of the four risks over splits, with PGR and OPR.

    Parameters
    ----------
    per_seed : dict of ndarray, shape (seeds,)
        ``RISK_KEYS`` -> the risk of each learner on each split.

    Returns
    -------
    dict
        ``key`` and ``key + "_se"`` for every risk; ``pgr``, ``opr`` as ratios of means,
        with their delta-method standard errors ``pgr_se``, ``opr_se``.
    """
    seeds = per_seed["weak"].size
    out = {}
    for key in RISK_KEYS:
        r = per_seed[key]
        out[key] = float(r.mean())
        out[key + "_se"] = float(r.std(ddof=1) / np.sqrt(seeds)) if seeds > 1 else 0.0
    gap = out["weak"] - out["strong_ceiling"]
    if gap == 0 or out["w2s"] == 0:
        raise ValueError("PGR / OPR undefined: the teacher matches the ceiling or the student is exact")
    out["pgr"] = (out["weak"] - out["w2s"]) / gap
    out["opr"] = out["strong_baseline"] / out["w2s"]
    out["pgr_se"] = ratio_of_means_se(per_seed["weak"] - per_seed["w2s"],
                                      per_seed["weak"] - per_seed["strong_ceiling"])
    out["opr_se"] = ratio_of_means_se(per_seed["strong_baseline"], per_seed["w2s"])
    return out


@small_blas_call()  # every matrix here has at most 1,797 rows: one BLAS thread
def digits_w2s(d_s=40, d_w=20, d_sw=10, *, n=100, N=800, n_test=400, sigma2=2.0, digit=0,
               target_components=None, seeds=10, seed=0, gamma=None, n_components=100,
               threshold=0.99):
    """Weak teacher, W2S student, strong baseline and ceiling on digits, over seeds.

    Parameters
    ----------
    d_s, d_w, d_sw : int
        Feature dimensions and nominal overlap (see :func:`digits_feature_maps`).
    n, N, n_test : int
        Labelled, unlabelled and held-out points; ``n + N + n_test <= 1797``,
        ``n > max(d_s, d_w) + 1`` and ``N > d_s + 1`` (so that the theory exists).
    sigma2 : float >= 0
        Variance of the label noise added to the clean target (variance 1).
    digit : int in [0, 9]
        The target is the standardized indicator of this digit.
    target_components : int, optional
        Project the target on the top components first (see :func:`digits_target`).
    seeds : int >= 1
        Number of random splits (and noise draws).
    seed : int or numpy.random.Generator
        Master seed.
    gamma, n_components
        Kernel-PCA settings (see :func:`digits_kpca_basis`).
    threshold : float in (0, 1]
        Spectrum fraction for the intrinsic dimensions.

    Returns
    -------
    dict
        ``"weak"``, ``"w2s"``, ``"strong_baseline"``, ``"strong_ceiling"``: mean
        held-out risks over seeds, with ``"<key>_se"``; ``"pgr"``, ``"opr"``:
        ratios of the mean risks; ``"per_seed"``: dict of arrays (seeds,);
        ``"d_sw_measured"``: mean measured correlation dimension on the
        training points (``"d_sw_measured_se"``); ``"intrinsic_dim_strong"``,
        ``"intrinsic_dim_weak"``: intrinsic dimensions of the two maps on the
        full set; ``"theory"``: :func:`w2s_lib.subspace_risks_from_energies` with
        the estimated energies and the measured ``d_sw``; ``"energies"``.
    """
    d_s, d_w, d_sw, n_components = _check_digits_dims(d_s, d_w, d_sw, n_components)
    n = check_int(n, "n", low=max(d_s, d_w) + 2)
    N = check_int(N, "N", low=d_s + 2)
    n_test = check_int(n_test, "n_test", low=1)
    if n + N + n_test > _N_DIGITS:
        raise ValueError(f"n + N + n_test must be <= {_N_DIGITS} (digits), got {n + N + n_test}")
    sigma2 = check_float(sigma2, "sigma2", low=0.0)
    seeds = check_int(seeds, "seeds", low=1)
    rng = check_rng(seed)
    F_s, F_w = digits_feature_maps(d_s, d_w, d_sw, gamma=gamma, n_components=n_components)
    y_clean = digits_target(digit, components=target_components, gamma=gamma, n_components=n_components)
    m = y_clean.size

    # draw every split at once: (seeds, m) permutations
    perms = np.argsort(rng.random((seeds, m)), axis=1)
    lab, unl, test = perms[:, :n], perms[:, n:n + N], perms[:, n + N:n + N + n_test]
    noise = np.sqrt(sigma2) * rng.standard_normal((seeds, n + N))
    y_lab = y_clean[lab] + noise[:, :n]
    y_unl_true = y_clean[unl] + noise[:, n:]

    teacher = _batched_min_norm_lstsq(F_w[lab], y_lab)
    pseudo = np.einsum("tmd,td->tm", F_w[unl], teacher)
    student = _batched_min_norm_lstsq(F_s[unl], pseudo)
    baseline = _batched_min_norm_lstsq(F_s[lab], y_lab)
    both = np.concatenate([lab, unl], axis=1)
    ceiling = _batched_min_norm_lstsq(F_s[both], np.concatenate([y_lab, y_unl_true], axis=1))

    def risk(F, coef):
        return np.mean((np.einsum("tmd,td->tm", F[test], coef) - y_clean[test]) ** 2, axis=1)

    per_seed = {"weak": risk(F_w, teacher), "w2s": risk(F_s, student),
                "strong_baseline": risk(F_s, baseline), "strong_ceiling": risk(F_s, ceiling)}
    d_meas = np.array([measured_correlation_dimension(F_s[b], F_w[b]) for b in both])

    out = summarize_risks(per_seed)
    out["per_seed"] = per_seed
    out["d_sw_nominal"] = d_sw
    out["d_sw_measured"] = float(d_meas.mean())
    out["d_sw_measured_se"] = float(d_meas.std(ddof=1) / np.sqrt(seeds)) if seeds > 1 else 0.0
    out["intrinsic_dim_strong"] = intrinsic_dimension(F_s, threshold)
    out["intrinsic_dim_weak"] = intrinsic_dimension(F_w, threshold)
    energies = _target_energies(d_s, d_w, d_sw, gamma, n_components, y_clean)
    energies = {k: max(v, 0.0) for k, v in energies.items()}
    out["energies"] = energies
    d_theory = min(out["d_sw_measured"], float(min(d_s, d_w)))
    out["theory"] = subspace_risks_from_energies(d_s, d_w, d_theory, n, N, sigma2, **energies)
    # sigma^2 as a practitioner would get it: from the labelled points only
    s2 = np.array([estimate_noise_variance(F_s[lab[t]], y_lab[t], energies["rho_s"]) for t in range(seeds)])
    out["sigma2_estimated"] = float(s2.mean())
    out["sigma2_estimated_se"] = float(s2.std(ddof=1) / np.sqrt(seeds)) if seeds > 1 else 0.0
    out["theory_estimated_sigma2"] = subspace_risks_from_energies(
        d_s, d_w, d_theory, n, N, max(out["sigma2_estimated"], 0.0), **energies)
    return out


def digits_overlap_sweep(d_sw_values, **kwargs):
    """Run :func:`digits_w2s` for several nominal overlaps (same seeds for each).

    Parameters
    ----------
    d_sw_values : sequence of int
        Nominal overlaps.
    **kwargs
        Passed to :func:`digits_w2s` (``seed`` must be an int so every overlap
        sees the same splits).

    Returns
    -------
    dict of ndarray, shape (len(d_sw_values),)
        ``"d_sw_nominal"``, ``"d_sw_measured"`` (and ``"d_sw_measured_se"``), the four
        mean risks and their ``"<key>_se"``, ``"pgr"``, ``"opr"`` (and ``"pgr_se"``,
        ``"opr_se"``), ``"pgr_theory"``, ``"opr_theory"``, ``"w2s_theory"``,
        ``"weak_theory"``.
    """
    vals = check_array(d_sw_values, "d_sw_values", ndim=1)
    if vals.size == 0 or not np.all(vals == np.round(vals)):
        raise ValueError("d_sw_values must be a non-empty sequence of integers")
    seed = kwargs.get("seed", 0)
    if isinstance(seed, np.random.Generator):
        raise TypeError("seed must be an int for digits_overlap_sweep (same splits for every overlap)")
    results = [digits_w2s(d_sw=int(v), **kwargs) for v in vals]
    keys = ["d_sw_nominal", "d_sw_measured", "d_sw_measured_se", *RISK_KEYS,
            *(k + "_se" for k in RISK_KEYS), "pgr", "opr", "pgr_se", "opr_se"]
    out = {k: np.array([r[k] for r in results], dtype=float) for k in keys}
    for k in ("pgr", "opr", "w2s", "weak"):
        out[k + "_theory"] = np.array([r["theory"][k] for r in results])
    return out


# ---------------------------------------------------------------------------
# chapter 7's experiment (its tables, figures and explorable)
# ---------------------------------------------------------------------------
#: Settings of chapter 7's experiment (passed to :func:`digits_w2s`; the ledger's claims B6
#: use the same): its defaults with 8 seeds.
DIGITS_SETTINGS = dict(d_s=40, d_w=20, N=800, n_test=400, sigma2=2.0, digit=0, seeds=8, seed=0)
#: The nominal overlaps and labelled-set sizes of chapter 7's tables (and its explorable's grid).
DIGITS_OVERLAPS = (8, 11, 14, 17, 20)
DIGITS_N = (50, 100, 200, 400)


@functools.lru_cache(maxsize=256)
def digits_point(d_sw, n=100, target_components=None):
    """:func:`digits_w2s` at chapter 7's settings (:data:`DIGITS_SETTINGS`), cached, without per-seed arrays.

    Parameters
    ----------
    d_sw : int, in [0, 20]
        Nominal overlap.
    n : int, in [42, 597]
        Labelled images (``n > max(d_s, d_w) + 1`` and ``n + N + n_test <= 1797``).
    target_components : int, optional
        As in :func:`digits_w2s`.

    Returns
    -------
    dict
        As :func:`digits_w2s` without ``"per_seed"`` (shared by the cache: do not modify).
    """
    r = dict(digits_w2s(d_sw=int(d_sw), n=int(n), target_components=target_components, **DIGITS_SETTINGS))
    r.pop("per_seed")
    return r


# ---------------------------------------------------------------------------
# The digits experiment over the chapter's grid of overlaps and labelled sizes (chapter 7)
# ---------------------------------------------------------------------------

@functools.lru_cache(maxsize=16)
def digits_grid(d_sw_values=DIGITS_OVERLAPS, n_values=DIGITS_N, target_components=None):
    """Every (overlap, n) pair of chapter 7's tables, as arrays of shape ``(len(n), len(d_sw))``.

    Returns
    -------
    dict
        ``"d_sw_nominal"``, ``"n"`` (the grid), and arrays ``"d_sw_measured"``,
        the four risks and their ``"_se"``, ``"pgr"``, ``"pgr_se"``, ``"opr"``,
        ``"opr_se"``, ``"<key>_theory"`` for the four risks, ``"pgr_theory"``,
        ``"opr_theory"``.
    """
    pts = [[digits_point(d, n, target_components) for d in d_sw_values] for n in n_values]
    keys = ["d_sw_measured", *RISK_KEYS, *(k + "_se" for k in RISK_KEYS), "pgr", "pgr_se", "opr", "opr_se"]
    out = {"d_sw_nominal": np.array(d_sw_values), "n": np.array(n_values)}
    for k in keys:
        out[k] = np.array([[p[k] for p in row] for row in pts], dtype=float)
    for k in (*RISK_KEYS, "pgr", "opr"):
        out[k + "_theory"] = np.array([[p["theory"][k] for p in row] for row in pts], dtype=float)
    return out



def grid_row(grid, n):
    """The overlap sweep at one ``n`` out of :func:`digits_grid` (the layout of
    :func:`w2s_lib.digits_overlap_sweep`, for ``figures_subspace.fig_digits_sweep``)."""
    idx = np.flatnonzero(grid["n"] == n)
    if idx.size == 0:
        raise ValueError(f"n must be one of {list(grid['n'])}, got {n!r}")
    i = int(idx[0])
    return {k: (v if k in ("d_sw_nominal", "n") else v[i]) for k, v in grid.items()}
