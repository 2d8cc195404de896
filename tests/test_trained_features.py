"""Trained-network representations (chapter 8): features, dimensions, overlaps, noise, validation."""

import numpy as np
import pytest

from w2s_lib import measured_correlation_dimension
from w2s_lib import trained_features as tf


# ---------------------------------------------------------------------------
# frozen features
# ---------------------------------------------------------------------------
def test_hidden_features_shapes_and_determinism():
    X, labels = tf.downstream_images()
    assert X.shape == (labels.size, 64) and set(np.unique(labels)) == set(tf.DOWNSTREAM_DIGITS)
    for kind, spec in (("weak", tf.WEAK), ("strong", tf.STRONG)):
        model = tf.pretrained_model(kind)
        H1 = tf.hidden_features(model, X)
        H2 = tf.hidden_features(model["model"], X.copy())
        assert H1.shape == (X.shape[0], spec["hidden"][-1])
        assert np.all(H1 >= 0)
        np.testing.assert_array_equal(H1, H2)  # frozen: the same weights give the same features
        W, b = model["model"].coefs_[0], model["model"].intercepts_[0]
        np.testing.assert_allclose(H1, np.maximum(X @ W + b, 0.0), rtol=1e-12, atol=1e-12)
        assert not model["model"].coefs_[0].flags.writeable  # the cached network cannot be changed
        assert tf.pretrained_model(kind)["model"] is model["model"]  # trained once per process


def test_weak_network_is_smaller_and_less_trained():
    assert tf.WEAK["hidden"][0] < tf.STRONG["hidden"][0]
    assert tf.WEAK["n_train"] < tf.STRONG["n_train"]
    assert tf.WEAK["max_iter"] < tf.STRONG["max_iter"]
    assert not set(tf.PRETRAIN_DIGITS) & set(tf.DOWNSTREAM_DIGITS)


def test_representations_have_the_measured_dimensions():
    rep = tf.trained_representations()
    assert rep["F_s"].shape == (rep["y"].size, rep["d_s"])
    assert rep["F_w"].shape == (rep["y"].size, rep["d_w"])
    assert rep["d_s"] == tf.intrinsic_dimension_profile(rep["raw_strong"], [0.99])[0]
    np.testing.assert_allclose(rep["y"].mean(), 0.0, atol=1e-12)
    np.testing.assert_allclose(np.mean(rep["y"] ** 2), 1.0, rtol=1e-12)
    e = rep["energies"]
    assert 0 <= e["rho_s"] <= 1 and 0 <= e["rho_w"] <= 1 and e["bias"] >= e["rho_s"] - 1e-12


# ---------------------------------------------------------------------------
# known-answer dimension and overlap
# ---------------------------------------------------------------------------
def _known_subspace_features(m=600, d_s=9, d_w=6, d_sw=4, p_s=20, p_w=11, seed=0):
    """Features whose centred column spaces are known coordinate blocks of an orthonormal U."""
    rng = np.random.default_rng(seed)
    A = rng.standard_normal((m, d_s + d_w - d_sw))
    U = np.linalg.qr(A - A.mean(axis=0))[0]  # centred orthonormal columns
    F_s = U[:, :d_s] @ rng.standard_normal((d_s, p_s))  # rank d_s, mixed into p_s units
    F_w = U[:, d_s - d_sw:] @ rng.standard_normal((d_w, p_w))
    return F_s, F_w


def test_known_subspace_recovers_dimension_and_overlap():
    F_s, F_w = _known_subspace_features()
    assert tf.intrinsic_dimension_profile(F_s, [1.0])[0] == 9
    assert tf.intrinsic_dimension_profile(F_w, [1.0])[0] == 6
    np.testing.assert_allclose(measured_correlation_dimension(F_s, F_w), 4.0, atol=1e-9)
    # the principal features of the right dimension span the same subspaces
    P_s, P_w = tf.principal_features(F_s, 9), tf.principal_features(F_w, 6)
    np.testing.assert_allclose(measured_correlation_dimension(P_s, P_w), 4.0, atol=1e-9)
    np.testing.assert_allclose(measured_correlation_dimension(P_s, F_s), 9.0, atol=1e-9)


def test_intrinsic_dimension_profile_is_monotone_in_threshold():
    rep = tf.trained_representations()
    dims = tf.intrinsic_dimension_profile(rep["raw_strong"], (0.5, 0.8, 0.9, 0.95, 0.99, 1.0))
    assert np.all(np.diff(dims) >= 0) and dims[-1] <= 64


def test_principal_features_are_uncorrelated_with_decreasing_variance():
    F_s, _ = _known_subspace_features()
    P = tf.principal_features(F_s, 5)
    C = P.T @ P
    np.testing.assert_allclose(C - np.diag(np.diag(C)), 0.0, atol=1e-8 * C.max())
    assert np.all(np.diff(np.diag(C)) <= 0)


def test_sample_space_overlap_is_invariant_to_unit_relabelling_and_mixing():
    F_s, F_w = _known_subspace_features(seed=3)
    rng = np.random.default_rng(1)
    B = rng.standard_normal((F_w.shape[1], F_w.shape[1]))
    ref = measured_correlation_dimension(F_s, F_w)
    np.testing.assert_allclose(measured_correlation_dimension(F_s, F_w[:, rng.permutation(F_w.shape[1])]), ref,
                               atol=1e-9)
    np.testing.assert_allclose(measured_correlation_dimension(F_s, F_w @ B), ref, atol=1e-9)


# ---------------------------------------------------------------------------
# the naive recipe
# ---------------------------------------------------------------------------
def test_naive_recipe_averages_to_the_random_subspace_value():
    # two full-rank representations with *unrelated* unit coordinates
    rng = np.random.default_rng(5)
    F_s = rng.standard_normal((400, 40)) * np.linspace(3, 0.5, 40)
    F_w = rng.standard_normal((400, 12)) * np.linspace(2, 0.5, 12)
    vals = tf.naive_overlap_relabelled(F_s, F_w, 15, 6, 400, 0)
    expected = tf.random_subspace_overlap(40, 15, 6)
    assert expected == 15 * 6 / 40
    se = vals.std(ddof=1) / np.sqrt(vals.size)
    assert abs(vals.mean() - expected) < max(4 * se, 0.05 * expected)
    assert vals.std() > 0.05  # the naive number moves under relabelling


def test_naive_recipe_on_the_trained_pair_is_random_not_measured():
    rep = tf.trained_representations()
    D = rep["raw_strong"].shape[1]
    vals = tf.naive_overlap_relabelled(rep["raw_strong"], rep["raw_weak"], rep["d_s"], rep["d_w"], 200, 0)
    rand = tf.random_subspace_overlap(D, rep["d_s"], rep["d_w"])
    assert abs(vals.mean() - rand) < 0.1 * rand
    # the sample-space overlap is far from that value and from the random value in sample space
    assert rep["d_sw_all"] > rand + 5 * vals.std(ddof=1) / np.sqrt(vals.size)
    single = tf.naive_principal_overlap(rep["raw_strong"], rep["raw_weak"], rep["d_s"], rep["d_w"])
    assert 0 <= single <= rep["d_w"]


# ---------------------------------------------------------------------------
# noise injection
# ---------------------------------------------------------------------------
def test_gaussian_noise_has_the_requested_variance():
    y = np.random.default_rng(0).standard_normal(200_000)
    for level in (0.5, 2.0):
        noisy = tf.inject_label_noise(y, level, 1)
        np.testing.assert_allclose(np.var(noisy - y), level, rtol=0.02)
        np.testing.assert_allclose(np.mean(noisy - y), 0.0, atol=0.02)
    np.testing.assert_array_equal(tf.inject_label_noise(y, 0.0, 1), y)


def test_shuffle_noise_replaces_the_requested_fraction_by_other_labels():
    y = np.random.default_rng(0).standard_normal((3, 50_000))  # distinct values: every replacement shows
    for q in (0.0, 0.2, 0.7):
        noisy = tf.inject_label_noise(y, q, 2, kind="shuffle")
        changed = noisy != y
        np.testing.assert_allclose(changed.mean(), q, atol=0.01)
        for r in range(3):  # every new label is a label of the same vector
            assert np.all(np.isin(noisy[r][changed[r]], y[r]))
        if q > 0:  # variance of the change ~ 2 q for independent labels of unit variance
            np.testing.assert_allclose(np.mean((noisy - y) ** 2), 2 * q, rtol=0.05)


def test_injected_noise_raises_pgr_in_the_experiment():
    lo = tf.trained_w2s(sigma2=0.0, seeds=20)
    hi = tf.trained_w2s(sigma2=4.0, seeds=20)
    assert hi["pgr"] - lo["pgr"] > 2 * np.hypot(hi["pgr_se"], lo["pgr_se"])
    assert hi["opr"] > lo["opr"]


# ---------------------------------------------------------------------------
# the experiment's bookkeeping
# ---------------------------------------------------------------------------
def test_trained_w2s_theory_exists_only_where_the_formula_does():
    r = tf.trained_w2s(N=20, seeds=3)
    assert r["theory"] is None and np.isfinite(r["w2s"])
    r = tf.trained_w2s(N=300, seeds=3)
    assert r["theory"] is not None and 0 <= r["d_sw"] <= r["d_w"]


def test_sweep_matches_single_runs():
    s = tf.trained_sweep("sigma2", [0.0, 1.0], seeds=4)
    for j, s2 in enumerate((0.0, 1.0)):
        r = tf.trained_w2s(sigma2=s2, seeds=4)
        for k in ("weak", "w2s", "pgr", "opr", "d_sw"):
            np.testing.assert_allclose(s[k][j], r[k], rtol=1e-12)
        np.testing.assert_allclose(s["pgr_theory"][j], r["theory"]["pgr"], rtol=1e-12)


def test_generator_seed_gives_same_result_as_int_seed():
    a = tf.trained_w2s(seeds=4, seed=7)
    b = tf.trained_w2s(seeds=4, seed=np.random.default_rng(7))
    np.testing.assert_allclose(a["d_sw"], b["d_sw"], rtol=1e-12)
    np.testing.assert_allclose(a["w2s"], b["w2s"], rtol=1e-12)


# ---------------------------------------------------------------------------
# argument validation
# ---------------------------------------------------------------------------
@pytest.mark.parametrize("call, match", [
    (lambda: tf.train_network(hidden=()), "hidden"),
    (lambda: tf.train_network(hidden=(0,)), "hidden"),
    (lambda: tf.train_network(n_train=5), "n_train"),
    (lambda: tf.train_network(max_iter=0), "max_iter"),
    (lambda: tf.pretrained_model("medium"), "kind"),
    (lambda: tf.hidden_features(tf.pretrained_model("weak"), np.zeros((3, 10))), "X"),
    (lambda: tf.hidden_features(tf.pretrained_model("weak"), np.zeros((3, 64)), layer=1), "layer"),
    (lambda: tf.principal_features(np.zeros((5, 3)), 4), "d"),
    (lambda: tf.intrinsic_dimension_profile(np.eye(3), []), "thresholds"),
    (lambda: tf.intrinsic_dimension_profile(np.eye(3), [1.5]), "threshold"),
    (lambda: tf.naive_principal_overlap(np.eye(4), np.eye(3), 5, 1), "d_s"),
    (lambda: tf.naive_overlap_relabelled(np.eye(4), np.eye(3), 2, 1, 0, 0), "relabellings"),
    (lambda: tf.random_subspace_overlap(10, 11, 2), "d_s"),
    (lambda: tf.inject_label_noise(np.zeros(5), -1.0, 0), "level"),
    (lambda: tf.inject_label_noise(np.zeros(5), 1.5, 0, kind="shuffle"), "level"),
    (lambda: tf.inject_label_noise(np.zeros(5), 0.1, 0, kind="flip"), "kind"),
    (lambda: tf.inject_label_noise(np.zeros(1), 0.1, 0), "y"),
    (lambda: tf.trained_representations(digit=3), "digit"),
    (lambda: tf.trained_representations(threshold=0.0), "threshold"),
    (lambda: tf.trained_w2s(n=500, N=400, n_test=200), "n \\+ N \\+ n_test"),
    (lambda: tf.trained_w2s(seeds=1), "seeds"),
    (lambda: tf.trained_w2s(sigma2=-0.5), "sigma2"),
    (lambda: tf.trained_w2s(sigma2=2.0, noise="shuffle"), "sigma2"),
    (lambda: tf.trained_sweep("d_sw", [1, 2]), "param"),
    (lambda: tf.trained_sweep("N", []), "values"),
    (lambda: tf.trained_sweep("N", [100], N=5), "swept"),
])
def test_invalid_arguments_raise_value_error_naming_the_parameter(call, match):
    with pytest.raises(ValueError, match=match):
        call()


def test_type_errors():
    with pytest.raises(TypeError, match="model"):
        tf.hidden_features(object(), np.zeros((2, 64)))
    with pytest.raises(TypeError, match="integers"):
        tf.trained_sweep("N", [100.5])
    with pytest.raises(TypeError, match="seed"):
        tf.trained_sweep("N", [100], seed=np.random.default_rng(0))


def test_untrained_features_follow_sklearns_initialisation_bounds():
    from w2s_lib.trained_features import untrained_features

    X = np.random.default_rng(0).uniform(0, 1, (50, 64))
    H = untrained_features(X, 16, 3)
    assert H.shape == (50, 16) and np.all(H >= 0)
    # same seed, same network; the pre-activations are bounded by the Glorot bound times (|x|_1 + 1)
    np.testing.assert_array_equal(H, untrained_features(X, 16, 3))
    bound = np.sqrt(6.0 / (64 + 16))
    assert H.max() <= bound * (X.sum(1).max() + 1)
    with pytest.raises(ValueError, match="width"):
        untrained_features(X, 0, 0)


def test_untrained_null_overlap_is_large_but_below_the_trained_networks():
    """Most of the overlap exists before training (the null is far above d_s d_w / D); training adds some."""
    from w2s_lib.trained_features import untrained_overlap_null

    null = untrained_overlap_null(5)
    assert np.all(null["share"] > 0.5)
    assert null["trained_share"] > null["share"].max()


def test_untrained_null_with_both_networks_untrained():
    """The stricter null (both architectures untrained, each cut at its own 99%-variance dimension)."""
    from w2s_lib.trained_features import untrained_overlap_null

    null = untrained_overlap_null(5)
    assert null["share_both"].shape == (5,) and null["d_s_both"].shape == (5,)
    np.testing.assert_allclose(null["share_both"], null["d_sw_both"] / null["d_w"])
    assert np.all(null["d_sw_both"] <= null["d_w"] + 1e-9)
    assert np.all(null["share_both"] > 0.5)
    assert null["trained_share"] > null["share_both"].max()
