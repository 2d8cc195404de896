"""Weak-to-strong between two *trained* networks on scikit-learn's digits.

Chapter 7 (:mod:`w2s_lib.real_data`) cuts both feature maps out of one kernel-PCA
basis, with an overlap chosen by hand.  Here the two representations belong to two
networks trained, independently, on a *pretraining* task, so their dimensions and
their overlap are properties of the models, to be measured.

Pipeline
--------
1. **Pretraining** (:func:`train_network`, cached in-process): scikit-learn
   ``MLPClassifier`` networks (ReLU, Adam, fixed ``random_state``) learn to tell the
   digits 0-4 apart.  The weak network has fewer hidden units, sees fewer images and
   trains for fewer epochs than the strong one (:data:`WEAK`, :data:`STRONG`).  The
   images of the digits 5-9 are never seen in pretraining.
2. **Frozen features** (:func:`hidden_features`): the activations of a network's last
   hidden layer, computed from its stored weights (deterministic).
3. **Measured dimensions.**  The 99%-variance dimension of a representation (the
   share-of-variance rule of :func:`w2s_lib.real_data.intrinsic_dimension` on its
   activations over the downstream images; :func:`intrinsic_dimension_profile` for
   its dependence on the threshold) fixes the dimension ``d`` used downstream: a
   representation is the projection of the centred activations on their top ``d``
   principal directions (:func:`principal_features`), so ``d`` is the intrinsic
   dimension (``d_s``, ``d_w``) of the features the probes fit.  The overlap ``d_sw`` is measured in *sample space*
   (:func:`w2s_lib.real_data.measured_correlation_dimension`): both feature matrices
   over the same images, centred and orthonormalised, ``|U_s^T U_w|_F^2``.  The naive
   recipe (:func:`naive_principal_overlap`) compares principal directions of the two
   models' own feature covariances, whose coordinates (hidden units) have nothing to
   do with each other; it returns about ``d_s d_w / D``
   (:func:`random_subspace_overlap`), the overlap of random subspaces.
4. **Downstream** (:func:`trained_w2s`): a regression target on the images of the
   digits 5-9 (the standardised indicator of one digit), label noise injected
   (:func:`inject_label_noise`), ridgeless linear probes as in
   :mod:`w2s_lib.subspace`: weak teacher on ``n`` labels, W2S student on ``N``
   teacher-labelled images, strong baseline (same ``n`` labels) and strong ceiling
   (``n + N`` true labels); held-out risks against the clean target; PGR and OPR with
   delta-method standard errors over random splits.
5. **Theory**: :func:`w2s_lib.subspace.subspace_risks_from_energies` with the measured
   ``d_s``, ``d_w``, ``d_sw``, the injected noise and the target's energies estimated
   in sample space over all downstream images.
"""

from __future__ import annotations

import functools
import warnings

import numpy as np

from ._blas import one_blas_thread
from ._validation import check_array, check_choice, check_float, check_int, check_rng
from .real_data import _digits_raw, intrinsic_dimension, measured_correlation_dimension, summarize_risks
from .subspace import (
    RISK_KEYS,
    _batched_min_norm_lstsq,
    _general_energies,
    subspace_risks_from_energies,
)

__all__ = [
    "WEAK",
    "STRONG",
    "PRETRAIN_DIGITS",
    "DOWNSTREAM_DIGITS",
    "train_network",
    "pretrained_model",
    "hidden_features",
    "downstream_images",
    "principal_features",
    "intrinsic_dimension_profile",
    "naive_principal_overlap",
    "naive_overlap_relabelled",
    "untrained_features",
    "untrained_overlap_null",
    "random_subspace_overlap",
    "inject_label_noise",
    "trained_representations",
    "trained_w2s",
    "trained_sweep",
    "CH8",
    "trained_point",
    "sweep",
]

#: Digits the networks are pretrained to classify.
PRETRAIN_DIGITS = (0, 1, 2, 3, 4)
#: Digits whose images form the downstream task (never seen in pretraining).
DOWNSTREAM_DIGITS = (5, 6, 7, 8, 9)
#: The weak network: 16 hidden units, 150 pretraining images, 100 epochs.
WEAK = {"hidden": (16,), "n_train": 150, "max_iter": 100, "random_state": 0}
#: The strong network: 64 hidden units, every pretraining image but a held-out 200, 150 epochs.
STRONG = {"hidden": (64,), "n_train": 701, "max_iter": 150, "random_state": 0}
#: Images of the pretraining digits kept out of pretraining (for its test accuracy).
PRETRAIN_HOLDOUT = 200
_MODELS = {"weak": WEAK, "strong": STRONG}


def _one_blas_thread(func):
    """Run ``func`` with BLAS/LAPACK on one thread.

    Every matrix here is small (at most 896 x 64); a second BLAS thread gains nothing,
    and on a busy machine it costs a lot (an SVD of 896 x 64 went from 12 ms to 1 s).
    """
    @functools.wraps(func)
    def wrapper(*args, **kwargs):
        with one_blas_thread():
            return func(*args, **kwargs)

    return wrapper


# ---------------------------------------------------------------------------
# pretraining and frozen features
# ---------------------------------------------------------------------------
def _pretrain_split():
    """Fixed split of the pretraining images: (training pool, held-out) indices."""
    _, labels = _digits_raw()
    idx = np.flatnonzero(np.isin(labels, PRETRAIN_DIGITS))
    perm = np.random.default_rng(12345).permutation(idx)
    return perm[PRETRAIN_HOLDOUT:], perm[:PRETRAIN_HOLDOUT]


def _pool_size():
    return _pretrain_split()[0].size


@functools.lru_cache(maxsize=16)
@_one_blas_thread
def _train(hidden, n_train, max_iter, random_state):
    from sklearn.exceptions import ConvergenceWarning
    from sklearn.neural_network import MLPClassifier

    X, labels = _digits_raw()
    pool, held = _pretrain_split()
    train = pool[:n_train]
    clf = MLPClassifier(hidden_layer_sizes=hidden, activation="relu", solver="adam", alpha=1e-4,
                        max_iter=max_iter, random_state=random_state)
    with warnings.catch_warnings():  # few epochs on purpose: the weak model is under-trained
        warnings.simplefilter("ignore", ConvergenceWarning)
        clf.fit(X[train], labels[train])
    for arr in (*clf.coefs_, *clf.intercepts_):
        arr.flags.writeable = False
    return clf, float(clf.score(X[train], labels[train])), float(clf.score(X[held], labels[held]))


def train_network(hidden=(16,), n_train=150, max_iter=100, random_state=0):
    """Train (once per process, cached) an MLP on the pretraining task: classify digits 0-4.

    Parameters
    ----------
    hidden : tuple of int
        Hidden-layer widths, each in [1, 1024], one to three layers.
    n_train : int in [10, 701]
        Pretraining images (the first ``n_train`` of a fixed shuffle of the 701 images
        of digits 0-4 that are not held out).
    max_iter : int in [1, 2000]
        Adam epochs.
    random_state : int >= 0
        Seed of the weight initialisation and of the mini-batches.

    Returns
    -------
    dict
        ``"model"``: the fitted ``MLPClassifier`` (shared by the cache: its weights are
        read-only); ``"train_accuracy"``; ``"test_accuracy"`` (the 200 held-out images
        of digits 0-4); ``"hidden"``, ``"n_train"``, ``"max_iter"``.
    """
    if not isinstance(hidden, (tuple, list)) or not 1 <= len(hidden) <= 3:
        raise ValueError(f"hidden must be a tuple of 1 to 3 layer widths, got {hidden!r}")
    hidden = tuple(check_int(h, "hidden", low=1, high=1024) for h in hidden)
    n_train = check_int(n_train, "n_train", low=10, high=_pool_size())
    max_iter = check_int(max_iter, "max_iter", low=1, high=2000)
    random_state = check_int(random_state, "random_state", low=0)
    clf, acc_train, acc_test = _train(hidden, n_train, max_iter, random_state)
    return {"model": clf, "train_accuracy": acc_train, "test_accuracy": acc_test,
            "hidden": hidden, "n_train": n_train, "max_iter": max_iter}


def pretrained_model(kind):
    """The book's weak or strong pretrained network (:func:`train_network` with :data:`WEAK` / :data:`STRONG`).

    Parameters
    ----------
    kind : {"weak", "strong"}

    Returns
    -------
    dict
        As :func:`train_network`.
    """
    check_choice(kind, "kind", tuple(_MODELS))
    return train_network(**_MODELS[kind])


def hidden_features(model, X, layer=-1):
    """Frozen hidden-layer activations of a fitted ``MLPClassifier``.

    Parameters
    ----------
    model : sklearn.neural_network.MLPClassifier or dict
        A fitted network (ReLU), or the dict returned by :func:`train_network`.
    X : array_like, shape (m, 64)
        Images (pixels scaled to [0, 1]).
    layer : int
        Which hidden layer (``-1``: the last), in ``[-L, L - 1]`` for ``L`` hidden layers.

    Returns
    -------
    ndarray, shape (m, width of that layer)
        Non-negative activations.
    """
    if isinstance(model, dict):
        model = model.get("model")
    coefs = getattr(model, "coefs_", None)
    if coefs is None:
        raise TypeError("model must be a fitted sklearn MLPClassifier (or a train_network result)")
    if getattr(model, "activation", "relu") != "relu":
        raise ValueError(f"model must use ReLU activations, got {model.activation!r}")
    n_hidden = len(coefs) - 1
    layer = check_int(layer, "layer", low=-n_hidden, high=n_hidden - 1) % n_hidden
    X = check_array(X, "X", ndim=2)
    if X.shape[1] != coefs[0].shape[0]:
        raise ValueError(f"X must have {coefs[0].shape[0]} columns (pixels), got {X.shape[1]}")
    h = X
    for W, b in zip(coefs[:layer + 1], model.intercepts_[:layer + 1]):
        h = np.maximum(h @ W + b, 0.0)
    return h


def downstream_images():
    """Images and labels of the downstream digits 5-9 (the order is fixed).

    Returns
    -------
    X : ndarray, shape (896, 64)
    labels : ndarray of int, shape (896,)
    """
    X, labels = _digits_raw()
    keep = np.isin(labels, DOWNSTREAM_DIGITS)
    return X[keep], labels[keep]


# ---------------------------------------------------------------------------
# dimensions and overlaps
# ---------------------------------------------------------------------------
def _principal(F):
    Fc = F - F.mean(axis=0)
    _, s, Vt = np.linalg.svd(Fc, full_matrices=False)
    return Fc, s, Vt


def principal_features(features, d):
    """Projection of centred features on their top ``d`` principal directions.

    Parameters
    ----------
    features : array_like, shape (m, p)
    d : int in [1, min(m, p)]

    Returns
    -------
    ndarray, shape (m, d)
        Column ``j`` is the ``j``-th principal component score (mean zero,
        uncorrelated columns, variances the top eigenvalues of the covariance).
    """
    F = check_array(features, "features", ndim=2)
    d = check_int(d, "d", low=1, high=min(F.shape))
    Fc, _, Vt = _principal(F)
    return Fc @ Vt[:d].T


def intrinsic_dimension_profile(features, thresholds=(0.8, 0.9, 0.95, 0.99)):
    """Intrinsic dimension by the share-of-variance rule at several thresholds.

    Parameters
    ----------
    features : array_like, shape (m, p)
    thresholds : sequence of float in (0, 1]

    Returns
    -------
    ndarray of int, shape (len(thresholds),)
        :func:`w2s_lib.real_data.intrinsic_dimension` at each threshold.
    """
    th = check_array(thresholds, "thresholds", ndim=1)
    if th.size == 0:
        raise ValueError("thresholds must not be empty")
    return np.array([intrinsic_dimension(features, float(t)) for t in th], dtype=int)


def naive_principal_overlap(features_s, features_w, d_s, d_w):
    """The naive overlap: principal directions compared in the models' own coordinates.

    Each model's top principal directions are unit vectors in the space of *its own*
    hidden units; the narrower model's are padded with zeros to the common width
    ``D = max(p_s, p_w)`` and ``|V_s^T V_w|_F^2`` is returned.  Unit ``i`` of one
    network has nothing to do with unit ``i`` of the other, so this is the overlap of
    two unrelated subspaces: about :func:`random_subspace_overlap` ``(D, d_s, d_w)``.

    Parameters
    ----------
    features_s : array_like, shape (m_s, p_s)
    features_w : array_like, shape (m_w, p_w)
        Activations of the two models (any samples; only their covariances enter).
    d_s : int in [1, min(m_s, p_s)]
    d_w : int in [1, min(m_w, p_w)]

    Returns
    -------
    float
        In ``[0, min(d_s, d_w)]``.
    """
    Fs = check_array(features_s, "features_s", ndim=2)
    Fw = check_array(features_w, "features_w", ndim=2)
    d_s = check_int(d_s, "d_s", low=1, high=min(Fs.shape))
    d_w = check_int(d_w, "d_w", low=1, high=min(Fw.shape))
    D = max(Fs.shape[1], Fw.shape[1])
    Vs = np.zeros((D, d_s))
    Vw = np.zeros((D, d_w))
    Vs[:Fs.shape[1]] = _principal(Fs)[2][:d_s].T
    Vw[:Fw.shape[1]] = _principal(Fw)[2][:d_w].T
    return float(min(np.sum((Vs.T @ Vw) ** 2), min(d_s, d_w)))


@_one_blas_thread
def naive_overlap_relabelled(features_s, features_w, d_s, d_w, relabellings, seed):
    """:func:`naive_principal_overlap` after random relabellings of one model's hidden units.

    Permuting a network's hidden units (with its weights) changes nothing it computes, so
    a meaningful overlap must not move; the naive one does.  The units of the wider model
    (the strong one on ties) are relabelled, so that a relabelling reaches all ``D``
    coordinates; this permutes the rows of its principal directions, computed once.
    Averaged over relabellings the result is ``d_s d_w / D`` up to a term of order
    ``1 / D`` (the permutation average of a projector is ``(d / D) I`` plus a multiple
    of ``11^T - I``).

    Parameters
    ----------
    features_s : array_like, shape (m_s, p_s)
    features_w : array_like, shape (m_w, p_w)
    d_s, d_w : int
        As in :func:`naive_principal_overlap`.
    relabellings : int >= 1
        Number of random permutations.
    seed : int or numpy.random.Generator

    Returns
    -------
    ndarray, shape (relabellings,)
        The naive overlap after each relabelling.
    """
    Fs = check_array(features_s, "features_s", ndim=2)
    Fw = check_array(features_w, "features_w", ndim=2)
    d_s = check_int(d_s, "d_s", low=1, high=min(Fs.shape))
    d_w = check_int(d_w, "d_w", low=1, high=min(Fw.shape))
    relabellings = check_int(relabellings, "relabellings", low=1)
    rng = check_rng(seed)
    D = max(Fs.shape[1], Fw.shape[1])
    V = {}
    for key, F, d in (("s", Fs, d_s), ("w", Fw, d_w)):
        V[key] = np.zeros((D, d))
        V[key][:F.shape[1]] = _principal(F)[2][:d].T
    moved, fixed = ("s", "w") if Fs.shape[1] >= Fw.shape[1] else ("w", "s")
    out = np.empty(relabellings)
    for r in range(relabellings):
        out[r] = min(np.sum((V[fixed].T @ V[moved][rng.permutation(D)]) ** 2), min(d_s, d_w))
    return out


def random_subspace_overlap(D, d_s, d_w):
    """Expected correlation dimension ``d_s d_w / D`` of independent uniformly random subspaces.

    Parameters
    ----------
    D : int >= 1
    d_s, d_w : int in [1, D]

    Returns
    -------
    float
    """
    D = check_int(D, "D", low=1)
    d_s = check_int(d_s, "d_s", low=1, high=D)
    d_w = check_int(d_w, "d_w", low=1, high=D)
    return d_s * d_w / D


def untrained_features(X, width, seed):
    """Hidden-layer activations of an *untrained* one-hidden-layer ReLU network.

    The weights and biases are drawn as scikit-learn's ``MLPClassifier`` initialises them
    (Glorot uniform, ``U(-b, b)`` with ``b = sqrt(6 / (fan_in + fan_out))``), so the network
    differs from a trained one of the same width only by its training.

    Parameters
    ----------
    X : array_like, shape (m, p)
        Images (pixels scaled to [0, 1]).
    width : int >= 1
        Hidden units.
    seed : int or numpy.random.Generator

    Returns
    -------
    ndarray, shape (m, width)
    """
    X = check_array(X, "X", ndim=2)
    width = check_int(width, "width", low=1, high=4096)
    rng = check_rng(seed)
    bound = np.sqrt(6.0 / (X.shape[1] + width))
    W = rng.uniform(-bound, bound, (X.shape[1], width))
    b = rng.uniform(-bound, bound, width)
    return np.maximum(X @ W + b, 0.0)


@functools.lru_cache(maxsize=4)
def untrained_overlap_null(seeds=5, threshold=0.99, digit=8):
    """The overlap a skeptic expects without training: untrained weak networks against the strong one.

    For each seed an untrained network of the weak architecture (16 units) is cut at its
    ``threshold``-variance dimension ``d_w``, and its sample-space correlation dimension with the
    trained strong representation is measured over all downstream images, as for the trained
    weak network.

    A stricter null leaves *both* networks untrained: for each seed an untrained network of
    the strong architecture (64 units, cut at its own ``threshold``-variance dimension) takes
    the trained strong network's place.  Both nulls are random ReLU features of the pixels.

    Returns
    -------
    dict
        ``"d_w"`` (seeds,) and ``"d_sw"`` (seeds,) of the untrained weak networks against the
        trained strong representation, ``"share"`` ``d_sw / d_w`` (seeds,); ``"d_s_both"``,
        ``"d_sw_both"`` and ``"share_both"`` (seeds,) of the untrained weak network against an
        untrained strong one; and the trained weak network's ``"trained_share"``.
    """
    seeds = check_int(seeds, "seeds", low=1, high=100)
    rep = trained_representations(threshold, digit)
    X = downstream_images()[0]
    d_w, d_sw, d_s_both, d_sw_both = [], [], [], []
    for s in range(seeds):
        H = untrained_features(X, WEAK["hidden"][0], np.random.default_rng([7, s]))
        d = intrinsic_dimension(H, threshold)
        F_w = principal_features(H, d)
        d_w.append(d)
        d_sw.append(measured_correlation_dimension(rep["F_s"], F_w))
        H_s = untrained_features(X, STRONG["hidden"][0], np.random.default_rng([8, s]))
        d_s = intrinsic_dimension(H_s, threshold)
        d_s_both.append(d_s)
        d_sw_both.append(measured_correlation_dimension(principal_features(H_s, d_s), F_w))
    d_w, d_sw, d_sw_both = np.array(d_w), np.array(d_sw), np.array(d_sw_both)
    return {"d_w": d_w, "d_sw": d_sw, "share": d_sw / d_w, "d_s_both": np.array(d_s_both),
            "d_sw_both": d_sw_both, "share_both": d_sw_both / d_w,
            "trained_share": rep["d_sw_all"] / rep["d_w"]}


def inject_label_noise(y, level, seed, kind="gaussian"):
    """Labels with injected noise.

    Parameters
    ----------
    y : array_like, shape (m,) or (T, m)
        Clean labels (a batch of label vectors along the first axis).
    level : float
        ``kind="gaussian"``: the variance (>= 0) of the added ``N(0, level)`` noise;
        ``kind="shuffle"``: the fraction in [0, 1] of labels replaced, each by the
        label of a uniformly random other point of the same vector.
    seed : int or numpy.random.Generator
    kind : {"gaussian", "shuffle"}

    Returns
    -------
    ndarray, same shape as ``y``
    """
    check_choice(kind, "kind", ("gaussian", "shuffle"))
    y = check_array(y, "y")
    if y.ndim not in (1, 2) or y.shape[-1] < 2:
        raise ValueError(f"y must have shape (m,) or (T, m) with m >= 2, got {y.shape}")
    rng = check_rng(seed)
    if kind == "gaussian":
        level = check_float(level, "level", low=0.0)
        return y + np.sqrt(level) * rng.standard_normal(y.shape) if level > 0 else y.copy()
    level = check_float(level, "level", low=0.0, high=1.0)
    out = np.array(y, dtype=float, copy=True)
    rows = out.reshape(-1, y.shape[-1])
    src = rows.copy()
    m = rows.shape[1]
    for r in range(rows.shape[0]):
        hit = np.flatnonzero(rng.random(m) < level)
        other = (hit + rng.integers(1, m, size=hit.size)) % m  # uniformly among the other points
        rows[r, hit] = src[r, other]
    return out


# ---------------------------------------------------------------------------
# the downstream experiment
# ---------------------------------------------------------------------------
@functools.lru_cache(maxsize=8)
@_one_blas_thread
def _representations(threshold, digit):
    X, labels = downstream_images()
    raw = {k: hidden_features(pretrained_model(k), X) for k in _MODELS}
    dims = {k: intrinsic_dimension(raw[k], threshold) for k in _MODELS}
    F = {k: principal_features(raw[k], dims[k]) for k in _MODELS}
    y = (labels == digit).astype(float)
    y = (y - y.mean()) / y.std()
    m = y.size
    Us = np.linalg.svd(F["strong"], full_matrices=False)[0]
    Uw = np.linalg.svd(F["weak"], full_matrices=False)[0]
    energies = {k: max(v, 0.0) for k, v in _general_energies(Us, Uw, y / np.sqrt(m)).items()}
    out = {"raw_strong": raw["strong"], "raw_weak": raw["weak"], "F_s": F["strong"], "F_w": F["weak"],
           "y": y, "labels": labels}
    for arr in out.values():
        arr.flags.writeable = False
    out.update({"d_s": dims["strong"], "d_w": dims["weak"], "energies": energies,
                "d_sw_all": measured_correlation_dimension(F["strong"], F["weak"]),
                "threshold": threshold, "digit": digit})
    return out


def trained_representations(threshold=0.99, digit=8):
    """The two frozen representations of the downstream images and the target (cached).

    Parameters
    ----------
    threshold : float in (0, 1]
        Share of variance that fixes each model's intrinsic dimension.
    digit : int, one of 5-9
        The target is the standardised indicator of this digit among the images of 5-9.

    Returns
    -------
    dict
        ``"F_s"`` (896, d_s), ``"F_w"`` (896, d_w): principal-component features;
        ``"raw_strong"`` (896, 64), ``"raw_weak"`` (896, 16): hidden activations;
        ``"y"`` (896,): clean target (mean 0, mean square 1); ``"labels"``;
        ``"d_s"``, ``"d_w"``: intrinsic dimensions; ``"d_sw_all"``: sample-space
        overlap over all 896 images; ``"energies"``: ``rho_s``, ``rho_w``, ``bias``,
        ``delta`` of the target (see :func:`w2s_lib.subspace.subspace_risks_general`).
        Arrays are read-only (shared by the cache).
    """
    threshold = check_float(threshold, "threshold", low=0.0, high=1.0, low_open=True)
    digit = check_int(digit, "digit", low=min(DOWNSTREAM_DIGITS), high=max(DOWNSTREAM_DIGITS))
    return _representations(threshold, digit)


#: Splits on which ``d_sw`` is measured (it varies by a few hundredths between splits).
_DSW_SPLITS = 3


@functools.lru_cache(maxsize=256)
@_one_blas_thread
def _split_overlaps(threshold, digit, seed, seeds, n_train):
    """Sample-space overlaps on the first training sets drawn by :func:`trained_w2s` with an int seed."""
    rep = _representations(threshold, digit)
    m = rep["y"].size
    perms = np.argsort(np.random.default_rng(seed).random((seeds, m)), axis=1)
    return tuple(measured_correlation_dimension(rep["F_s"][b], rep["F_w"][b])
                 for b in perms[:_DSW_SPLITS, :n_train])


@_one_blas_thread
def trained_w2s(n=100, N=500, sigma2=1.0, *, n_test=200, seeds=10, seed=0, threshold=0.99, digit=8,
                noise="gaussian"):
    """Weak teacher, W2S student, strong baseline and ceiling on the trained representations.

    Parameters
    ----------
    n : int >= 2
        Labelled images (teacher and strong baseline).
    N : int >= 1
        Teacher-labelled images for the student (``N <= d_s`` gives the minimum-norm
        interpolator).
    sigma2 : float >= 0
        Injected label noise: its variance (``noise="gaussian"``) or the fraction of
        shuffled labels in [0, 1] (``noise="shuffle"``).
    n_test : int >= 1
        Held-out images; ``n + N + n_test <= 896``.
    seeds : int >= 2
        Random splits (and noise draws).
    seed : int or numpy.random.Generator
    threshold : float in (0, 1]
        Share of variance for the intrinsic dimensions.
    digit : int, one of 5-9
        The target digit.
    noise : {"gaussian", "shuffle"}
        How the label noise is injected (:func:`inject_label_noise`).

    Returns
    -------
    dict
        Mean held-out risks ``"weak"``, ``"w2s"``, ``"strong_baseline"``,
        ``"strong_ceiling"`` with ``"<key>_se"``; ``"pgr"``, ``"opr"`` (ratios of mean
        risks) with ``"pgr_se"``, ``"opr_se"``; ``"per_seed"``; ``"d_s"``, ``"d_w"``;
        ``"d_sw"`` (mean sample-space overlap on the ``n + N`` training images of the
        first three splits) and ``"d_sw_se"``; ``"energies"``; ``"noise_variance"`` (the label-noise variance:
        ``sigma2`` for Gaussian noise, the measured variance of the injected change for
        shuffling); ``"theory"``: the exact formulas with these inputs, or ``None``
        where they do not exist (``n <= max(d_s, d_w) + 1`` or ``N <= d_s + 1``).
    """
    check_choice(noise, "noise", ("gaussian", "shuffle"))
    rep = trained_representations(threshold, digit)
    d_s, d_w = rep["d_s"], rep["d_w"]
    m = rep["y"].size
    n = check_int(n, "n", low=2, high=m)
    N = check_int(N, "N", low=1, high=m)
    n_test = check_int(n_test, "n_test", low=1, high=m)
    if n + N + n_test > m:
        raise ValueError(f"n + N + n_test must be <= {m} (downstream images), got {n + N + n_test}")
    if noise == "gaussian":
        sigma2 = check_float(sigma2, "sigma2", low=0.0)
    else:
        sigma2 = check_float(sigma2, "sigma2", low=0.0, high=1.0)
    seeds = check_int(seeds, "seeds", low=2)
    rng = check_rng(seed)
    F_s, F_w, y = rep["F_s"], rep["F_w"], rep["y"]

    perms = np.argsort(rng.random((seeds, m)), axis=1)
    lab, unl, test = perms[:, :n], perms[:, n:n + N], perms[:, n + N:n + N + n_test]
    both = perms[:, :n + N]
    y_train = inject_label_noise(y[both], sigma2, rng, kind=noise)
    y_lab = y_train[:, :n]  # the unlabelled images carry the teacher's labels, not these

    teacher = _batched_min_norm_lstsq(F_w[lab], y_lab)
    pseudo = np.einsum("tmd,td->tm", F_w[unl], teacher)
    student = _batched_min_norm_lstsq(F_s[unl], pseudo)
    baseline = _batched_min_norm_lstsq(F_s[lab], y_lab)
    ceiling = _batched_min_norm_lstsq(F_s[both], y_train)

    def risk(F, coef):
        return np.mean((np.einsum("tmd,td->tm", F[test], coef) - y[test]) ** 2, axis=1)

    per_seed = {"weak": risk(F_w, teacher), "w2s": risk(F_s, student),
                "strong_baseline": risk(F_s, baseline), "strong_ceiling": risk(F_s, ceiling)}
    out = summarize_risks(per_seed)
    out["per_seed"] = per_seed
    if isinstance(seed, (int, np.integer)):  # the splits depend only on (seed, seeds, n + N): cache
        d_meas = np.array(_split_overlaps(threshold, digit, int(seed), seeds, n + N))
    else:
        d_meas = np.array([measured_correlation_dimension(F_s[b], F_w[b]) for b in both[:_DSW_SPLITS]])
    out.update({"d_s": d_s, "d_w": d_w, "d_sw": float(d_meas.mean()),
                "d_sw_se": float(d_meas.std(ddof=1) / np.sqrt(d_meas.size)), "energies": dict(rep["energies"]),
                "n": n, "N": N, "sigma2": sigma2, "noise": noise})
    noise_var = sigma2 if noise == "gaussian" else float(np.mean((y_train - y[both]) ** 2))
    out["noise_variance"] = noise_var
    if n > max(d_s, d_w) + 1 and N > d_s + 1:
        out["theory"] = subspace_risks_from_energies(d_s, d_w, min(out["d_sw"], float(min(d_s, d_w))), n, N,
                                                     noise_var, **rep["energies"])
    else:
        out["theory"] = None
    return out


_SWEEP_KEYS = ("n", "N", "sigma2")


def trained_sweep(param, values, **kwargs):
    """:func:`trained_w2s` over several values of ``n``, ``N`` or ``sigma2`` (same seed each time).

    Parameters
    ----------
    param : {"n", "N", "sigma2"}
    values : sequence
        Values of ``param``.
    **kwargs
        Other arguments of :func:`trained_w2s`; ``seed`` must be an int.

    Returns
    -------
    dict of ndarray, shape (len(values),)
        ``param``; the four risks and ``"<key>_se"``; ``"pgr"``, ``"opr"``, ``"pgr_se"``,
        ``"opr_se"``; ``"d_sw"``; ``"<key>_theory"`` for the risks, ``"pgr"`` and
        ``"opr"`` (NaN where the theory does not exist); ``"d_s"``, ``"d_w"`` (ints).
    """
    check_choice(param, "param", _SWEEP_KEYS)
    vals = check_array(values, "values", ndim=1)
    if vals.size == 0:
        raise ValueError("values must not be empty")
    if param in kwargs:
        raise ValueError(f"{param} is swept; do not pass it in kwargs as well")
    if isinstance(kwargs.get("seed", 0), np.random.Generator):
        raise TypeError("seed must be an int for trained_sweep (the same splits at every value)")
    conv = float if param == "sigma2" else int
    if param != "sigma2" and not np.all(vals == np.round(vals)):
        raise TypeError(f"values of {param} must be integers")
    results = [trained_w2s(**{param: conv(v)}, **kwargs) for v in vals]
    keys = [*RISK_KEYS, *(k + "_se" for k in RISK_KEYS), "pgr", "opr", "pgr_se", "opr_se", "d_sw"]
    out = {param: np.array([conv(v) for v in vals])}
    out.update({k: np.array([r[k] for r in results], dtype=float) for k in keys})
    for k in (*RISK_KEYS, "pgr", "opr"):
        out[k + "_theory"] = np.array([np.nan if r["theory"] is None else r["theory"][k] for r in results])
    out["d_s"], out["d_w"] = results[0]["d_s"], results[0]["d_w"]
    return out


# ---------------------------------------------------------------------------
# chapter 8's experiment (its tables, figures and explorable)
# ---------------------------------------------------------------------------
#: Chapter 8's experiment (also the ledger's claims B7): n labelled, N teacher-labelled,
#: 200 held-out images of digits 5-9, Gaussian label noise of variance 2, 20 random splits.
CH8 = dict(n=100, N=400, sigma2=2.0, n_test=200, seeds=20, seed=0, digit=8, threshold=0.99)


@functools.lru_cache(maxsize=512)
def _trained_point(n, N, sigma2):
    return trained_w2s(**{**CH8, "n": n, "N": N, "sigma2": sigma2})


def trained_point(n=CH8["n"], N=CH8["N"], sigma2=CH8["sigma2"]):
    """:func:`trained_w2s` at chapter 8's settings (:data:`CH8`) with ``n, N, sigma2`` changed (cached).

    Parameters
    ----------
    n : int, >= 2
    N : int, >= 1
        With ``n + N + 200 <= 896``.
    sigma2 : float, >= 0

    Returns
    -------
    dict
        As :func:`trained_w2s` (shared by the cache: do not modify).
    """
    return _trained_point(int(n), int(N), float(sigma2))


# ---------------------------------------------------------------------------
# The chapter's sweeps of the trained-network experiment (chapter 8)
# ---------------------------------------------------------------------------

def sweep(param, values, **fixed):
    """Cached points over ``values`` of ``param`` (``"n"``, ``"N"`` or ``"sigma2"``), arrays by key.

    Returns
    -------
    dict of ndarray
        ``param``; risks, ``"<key>_se"``, ``"pgr"``, ``"opr"``, their SEs, ``"d_sw"`` and
        ``"<key>_theory"`` (NaN where the exact formula does not exist).
    """
    if param not in ("n", "N", "sigma2"):
        raise ValueError(f"param must be 'n', 'N' or 'sigma2', got {param!r}")
    base = {"n": CH8["n"], "N": CH8["N"], "sigma2": CH8["sigma2"], **fixed}
    pts = [trained_point(**{**base, param: v}) for v in values]
    keys = [*RISK_KEYS, *(k + "_se" for k in RISK_KEYS), "pgr", "opr", "pgr_se", "opr_se", "d_sw"]
    out = {param: np.asarray(values, dtype=float)}
    out.update({k: np.array([p[k] for p in pts], dtype=float) for k in keys})
    for k in (*RISK_KEYS, "pgr", "opr"):
        out[k + "_theory"] = np.array([np.nan if p["theory"] is None else p["theory"][k] for p in pts])
    return out
