"""Random ReLU features: sphere sampling, exact Gram and target correlations vs Monte Carlo."""

import numpy as np
import pytest

import w2s_lib as L
from w2s_lib.harmonics import harmonic_multiplicity

N_MC = 200_000
Z = 4.0  # tolerance in standard errors


def _mc_mean_within(samples, exact, z=Z):
    """Column means of ``samples`` (n, m) agree with ``exact`` (m,) within z standard errors."""
    mean = samples.mean(axis=0)
    se = samples.std(axis=0, ddof=1) / np.sqrt(samples.shape[0])
    return np.abs(mean - exact) <= z * se + 1e-12, mean, se


def test_sample_sphere_rows_are_unit_and_seed_determines_them():
    X = L.sample_sphere(500, 7, 3)
    assert X.shape == (500, 7)
    assert np.allclose(np.linalg.norm(X, axis=1), 1.0, atol=1e-12)
    assert np.array_equal(X, L.sample_sphere(500, 7, 3))
    assert not np.allclose(X, L.sample_sphere(500, 7, 4))


def test_sample_sphere_has_isotropic_second_moment():
    d = 6
    X = L.sample_sphere(N_MC, d, 0)
    # E x = 0 and E x x^T = I/d
    ok, _, _ = _mc_mean_within(X, np.zeros(d))
    assert ok.all()
    outer = (X[:, :, None] * X[:, None, :]).reshape(N_MC, -1)
    ok, _, _ = _mc_mean_within(outer, (np.eye(d) / d).ravel())
    assert ok.all()


@pytest.mark.parametrize("d", [3, 8, 32])
def test_population_gram_matches_monte_carlo(d):
    W = L.sample_sphere(5, d, 1)
    W[1] = -W[0]  # opposite units: Gram exactly 0
    W[2] = W[0]  # identical units: Gram 1/(2d)
    X = L.sample_sphere(N_MC, d, 2)
    Phi = L.relu_features(X, W)
    prods = (Phi[:, :, None] * Phi[:, None, :]).reshape(N_MC, -1)
    G = L.population_gram(W)
    ok, mean, se = _mc_mean_within(prods, G.ravel())
    assert ok.all(), np.max(np.abs(mean - G.ravel()) / (se + 1e-300))
    assert G[0, 1] == pytest.approx(0.0, abs=1e-15)
    assert G[0, 2] == pytest.approx(1.0 / (2 * d), rel=1e-12)
    assert np.allclose(np.diag(G), 1.0 / (2 * d))


def test_population_gram_is_symmetric_psd_and_cross_gram_consistent():
    U = L.sample_sphere(60, 5, 0)
    V = L.sample_sphere(7, 5, 1)
    G = L.population_gram(U)
    assert np.array_equal(G, G.T)
    assert np.linalg.eigvalsh(G).min() > -1e-12
    both = L.population_gram(np.vstack([U, V]))
    assert np.allclose(L.population_gram(U, V), both[:60, 60:], atol=1e-14)


@pytest.mark.parametrize("m1, m2, d", [(1, 1, 3), (7, 3, 5), (300, 40, 4), (1100, 256, 32)])
def test_blocked_gram_paths_agree_with_the_plain_formula(m1, m2, d):
    """population_gram and the triangle it is built from (_relu_gram: one triangle,
    SciPy BLAS, row blocks) agree with J(arccos(U V^T)) / (2 pi d) evaluated in one go."""
    from w2s_lib.random_features import _J_of_cos, _relu_gram

    U, V = L.sample_sphere(m1, d, 30), L.sample_sphere(m2, d, 31)
    plain = _J_of_cos(U @ U.T) / (2 * np.pi * d)
    np.fill_diagonal(plain, 1 / (2 * d))
    G = L.population_gram(U)
    assert np.array_equal(G, G.T) and np.allclose(G, plain, rtol=0, atol=1e-16)
    assert np.allclose(L.population_gram(U, V), _J_of_cos(U @ V.T) / (2 * np.pi * d), rtol=0, atol=1e-16)
    upper = np.triu_indices(m1)
    assert np.allclose(_relu_gram(U)[upper], plain[upper], rtol=0, atol=1e-16)
    assert np.array_equal(np.diag(_relu_gram(U)), np.full(m1, 1 / (2 * d)))
    assert np.allclose(_relu_gram(U, V), _J_of_cos(U @ V.T) / (2 * np.pi * d), rtol=0, atol=1e-16)


def test_arccos_J_endpoints_and_monotone():
    th = np.linspace(0, np.pi, 101)
    J = L.arccos_J(th)
    assert J[0] == pytest.approx(np.pi) and J[-1] == pytest.approx(0.0, abs=1e-15)
    assert np.all(np.diff(J) < 0)


@pytest.mark.parametrize("target", ["linear", "relu", "he2"])
@pytest.mark.parametrize("d", [4, 16])
def test_target_correlation_matches_monte_carlo(target, d):
    beta = L.sample_sphere(1, d, 5)[0]
    W = np.vstack([L.sample_sphere(4, d, 6), beta, -beta])
    X = L.sample_sphere(N_MC, d, 7)
    prods = L.relu_features(X, W) * L.target_values(X, target, beta)[:, None]
    ok, mean, se = _mc_mean_within(prods, L.target_correlation(W, beta, target))
    assert ok.all(), (mean, se)


@pytest.mark.parametrize("target", ["linear", "relu", "he2"])
def test_targets_have_unit_energy(target):
    d = 10
    X = L.sample_sphere(N_MC, d, 8)
    f2 = L.target_values(X, target)[:, None] ** 2
    ok, mean, se = _mc_mean_within(f2, np.array([1.0]))
    assert ok.all(), (mean, se)


def test_default_target_is_sqrt_d_times_first_coordinate():
    X = L.sample_sphere(10, 9, 0)
    assert np.allclose(L.target_values(X), 3.0 * X[:, 0])


@pytest.mark.parametrize("target", ["linear", "relu", "he2"])
def test_target_profile_energies_sum_to_one(target):
    d, K = 12, 400
    t = L.target_profile(d, K, target)
    energy = sum(t[k] ** 2 * harmonic_multiplicity(d, k) for k in range(K + 1))
    tol = 1e-12 if target != "relu" else 2e-6  # relu: tail beyond degree 400
    assert energy == pytest.approx(1.0, abs=tol)
    assert energy <= 1.0 + 1e-12


def test_target_correlation_equals_harmonic_series_for_relu_target():
    d, K = 8, 300
    W = L.sample_sphere(6, d, 0)
    beta = L.sample_sphere(1, d, 1)[0]
    t = L.target_profile(d, K, "relu")
    xi = L.relu_gegenbauer_coefficients(d, K)
    Nk = L.multiplicities(d, K)
    s = W @ beta
    series = sum(t[k] * xi[k] * Nk[k] * L.gegenbauer(s, k, d) for k in range(K + 1))
    assert np.allclose(series, L.target_correlation(W, beta, "relu"), atol=1e-6)
