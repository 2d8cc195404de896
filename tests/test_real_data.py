"""Intrinsic / correlation dimension and the digits weak-to-strong pipeline."""

import numpy as np
import pytest

from w2s_lib.real_data import (
    digits_feature_maps,
    digits_kpca_basis,
    digits_overlap_sweep,
    digits_target,
    digits_w2s,
    intrinsic_dimension,
    measured_correlation_dimension,
    spectrum_intrinsic_dimension,
)

OVERLAPS = [8, 11, 14, 17, 20]


def test_spectrum_intrinsic_dimension():
    lam = np.array([50.0, 30.0, 15.0, 4.0, 0.6, 0.4])
    assert spectrum_intrinsic_dimension(lam, 0.99) == 4  # 99 of 100
    assert spectrum_intrinsic_dimension(lam, 0.995) == 5
    assert spectrum_intrinsic_dimension(lam[::-1], 0.5) == 1
    assert spectrum_intrinsic_dimension(lam, 1.0) == 6
    with pytest.raises(ValueError, match="threshold"):
        spectrum_intrinsic_dimension(lam, 0.0)
    with pytest.raises(ValueError, match="zero"):
        spectrum_intrinsic_dimension(np.zeros(3))


def test_intrinsic_dimension_of_low_rank_data():
    rng = np.random.default_rng(0)
    F = rng.standard_normal((500, 3)) @ rng.standard_normal((3, 12)) + 1e-4 * rng.standard_normal((500, 12))
    assert intrinsic_dimension(F + 7.0) == 3  # centring removes the offset


def test_measured_correlation_dimension_coordinates_and_invariance():
    rng = np.random.default_rng(1)
    Z = rng.standard_normal((4000, 30))
    Z = np.linalg.qr(Z - Z.mean(0))[0]  # exactly orthonormal centred columns
    F_s, F_w = Z[:, :10], Z[:, 6:20]  # overlap 4
    assert measured_correlation_dimension(F_s, F_w) == pytest.approx(4.0, abs=1e-10)
    # invariant to invertible mixing of each map and to an offset
    A, B = rng.standard_normal((10, 10)), rng.standard_normal((14, 14))
    assert measured_correlation_dimension(F_s @ A + 3, F_w @ B) == pytest.approx(4.0, abs=1e-8)
    with pytest.raises(ValueError, match="same number of rows"):
        measured_correlation_dimension(F_s, F_w[:-1])


def test_kpca_basis_cached_and_orthogonal():
    a = digits_kpca_basis()
    b = digits_kpca_basis()
    assert a["whitened"] is b["whitened"]  # lru_cache
    W = a["whitened"]
    np.testing.assert_allclose(W.T @ W / W.shape[0], np.eye(W.shape[1]), atol=1e-8)
    assert np.all(np.diff(a["eigenvalues"]) <= 1e-12)
    assert not a["features"].flags.writeable
    y = digits_target(0)
    assert y.mean() == pytest.approx(0, abs=1e-12) and np.mean(y**2) == pytest.approx(1)


def test_feature_maps_nominal_overlap_on_full_set():
    F_s, F_w = digits_feature_maps(40, 20, 11)
    assert F_s.shape == (1797, 40) and F_w.shape == (1797, 20)
    assert measured_correlation_dimension(F_s, F_w) == pytest.approx(11.0, abs=1e-6)


@pytest.fixture(scope="module")
def raw_sweep():
    return digits_overlap_sweep(OVERLAPS, seeds=16, seed=0)


def test_digits_measured_overlap_orders_pgr(raw_sweep):
    r = raw_sweep
    # d_sw is measured on the training points, not assumed: close to nominal but not equal
    assert np.all(np.diff(r["d_sw_measured"]) > 0)
    assert np.all(np.abs(r["d_sw_measured"] - r["d_sw_nominal"]) < 1.0)
    assert np.any(np.abs(r["d_sw_measured"][:-1] - r["d_sw_nominal"][:-1]) > 1e-3)
    order = np.argsort(r["d_sw_measured"])
    assert np.all(np.diff(r["pgr"][order]) < 0)  # smaller overlap -> higher PGR
    assert np.all(np.diff(r["pgr_theory"][order]) < 0)  # as the formula predicts
    np.testing.assert_allclose(r["pgr"], r["pgr_theory"], atol=0.15)
    # W2S beats its teacher whenever W is not inside S; with W inside S it copies it
    assert np.all(r["w2s"][:-1] < r["weak"][:-1])
    assert r["w2s"][-1] == pytest.approx(r["weak"][-1], rel=1e-8)
    assert r["pgr"][0] > 0.4


def test_digits_cautionary_large_overlap(raw_sweep):
    r = raw_sweep
    # d_sw = d_w - 3: the student keeps most of the teacher's variance, little gain
    assert r["pgr"][-2] < 0.25 < r["pgr"][0]
    assert (r["weak"][-2] - r["w2s"][-2]) < 0.3 * (r["weak"][0] - r["w2s"][0])


def test_digits_smooth_target_orders_pgr_and_opr():
    r = digits_overlap_sweep(OVERLAPS, seeds=12, seed=1, target_components=8)
    assert np.all(np.diff(r["pgr"]) < 0)
    assert np.all(np.diff(r["opr"]) < 0)
    assert np.all(np.diff(r["opr_theory"]) < 0)
    assert np.all(r["opr"] > 1)


def test_digits_result_fields_and_determinism():
    a = digits_w2s(d_sw=10, seeds=4, seed=3)
    b = digits_w2s(d_sw=10, seeds=4, seed=3)
    assert a["w2s"] == b["w2s"]
    assert 1 <= a["intrinsic_dim_weak"] <= 20 and 1 <= a["intrinsic_dim_strong"] <= 40
    assert a["intrinsic_dim_strong"] > a["intrinsic_dim_weak"]
    for key in ("weak", "w2s", "strong_baseline", "strong_ceiling", "pgr", "opr"):
        assert np.isfinite(a[key]) and np.isfinite(a["theory"][key])
    assert a["per_seed"]["w2s"].shape == (4,)


@pytest.mark.parametrize(
    "kwargs, exc, match",
    [
        (dict(d_sw=25), ValueError, "d_sw"),
        (dict(n=40), ValueError, "n"),
        (dict(N=1500), ValueError, "n \\+ N \\+ n_test"),
        (dict(sigma2=-0.1), ValueError, "sigma2"),
        (dict(digit=10), ValueError, "digit"),
        (dict(seeds=0), ValueError, "seeds"),
        (dict(d_s=4.0), TypeError, "d_s"),
        (dict(n_components=45), ValueError, "n_components"),
    ],
)
def test_digits_bad_input(kwargs, exc, match):
    with pytest.raises(exc, match=match):
        digits_w2s(**kwargs)


def test_noise_variance_estimate_is_unbiased_with_misfit_monte_carlo():
    """E[RSS/(n-d)] - rho = sigma^2 for Gaussian features and an independent misfit of energy rho."""
    from w2s_lib import estimate_noise_variance

    rng = np.random.default_rng(3)
    n, d, sigma2, rho, trials = 60, 12, 0.7, 0.4, 4000
    beta = rng.standard_normal(d) / np.sqrt(d)
    est = np.empty(trials)
    for t in range(trials):
        X = rng.standard_normal((n, d))
        misfit = np.sqrt(rho) * rng.standard_normal(n)  # the target's part outside the span
        y = X @ beta + misfit + np.sqrt(sigma2) * rng.standard_normal(n)
        est[t] = estimate_noise_variance(X, y, rho)
    se = est.std(ddof=1) / np.sqrt(trials)
    assert abs(est.mean() - sigma2) < 4 * se


def test_noise_variance_estimate_on_digits_recovers_the_injected_noise():
    from w2s_lib import digits_w2s

    for n in (100, 200):
        r = digits_w2s(d_sw=10, n=n, seeds=8, seed=0, sigma2=2.0)
        assert abs(r["sigma2_estimated"] - 2.0) < 3 * r["sigma2_estimated_se"] + 0.05
        # the theory with the estimated noise stays close to the theory with the injected noise
        assert abs(r["theory_estimated_sigma2"]["pgr"] - r["theory"]["pgr"]) < 0.05


@pytest.mark.parametrize("features, labels, rho, match", [
    (np.ones((3, 3)), np.ones(3), 0.0, "features"),
    (np.ones((5, 2)), np.ones(4), 0.0, "labels"),
    (np.ones((5, 2)), np.ones(5), -1.0, "rho"),
    (np.full((5, 2), np.nan), np.ones(5), 0.0, "features"),
])
def test_noise_variance_estimate_rejects_bad_input_by_name(features, labels, rho, match):
    from w2s_lib import estimate_noise_variance

    with pytest.raises(ValueError, match=match):
        estimate_noise_variance(features, labels, rho)
