"""ReLU Gegenbauer spectrum: closed form vs quadrature, multiplicities, Funk-Hecke identities."""

import math

import numpy as np
import pytest
from scipy import integrate, special

import w2s_lib as L


def _xi_quadrature(d, k):
    """E_s[relu(s) P_k(s)] by adaptive quadrature with the algebraic end-point weight."""
    a = (d - 3) / 2.0
    Z = integrate.quad(lambda s: 1.0, -1, 1, weight="alg", wvar=(a, a))[0]
    num = integrate.quad(
        lambda s: s * (1 + s) ** a * L.gegenbauer(s, k, d), 0, 1, weight="alg", wvar=(0, a),
        epsabs=1e-16, epsrel=1e-13, limit=400,
    )[0]
    return num / Z


@pytest.mark.filterwarnings("ignore::scipy.integrate.IntegrationWarning")
@pytest.mark.parametrize("d", [2, 3, 5, 16, 32])
def test_relu_coefficients_match_quadrature(d):
    K = 20
    xi = L.relu_gegenbauer_coefficients(d, K)
    q = np.array([_xi_quadrature(d, k) for k in range(K + 1)])
    assert np.allclose(xi, q, rtol=1e-9, atol=1e-14)


@pytest.mark.parametrize("d", [2, 3, 7, 32, 100])
def test_relu_coefficient_structure(d):
    xi = L.relu_gegenbauer_coefficients(d, 41)
    assert xi[1] == pytest.approx(1.0 / (2 * d), rel=1e-14)
    assert np.all(xi[3::2] == 0.0)
    even = xi[2::2]
    assert np.all(np.sign(even) == (-1.0) ** np.arange(even.size))  # signs alternate
    lam = L.kernel_eigenvalues(d, 41)
    assert np.all(np.diff(lam[2::2]) < 0)  # even eigenvalues decrease with degree


@pytest.mark.parametrize("d", [2, 3, 4, 10, 32])
def test_multiplicity_matches_dimension_formulas(d):
    # h(d,k) = dim(homogeneous polys of degree k) - dim(degree k-2)
    def hom(k):
        return math.comb(k + d - 1, d - 1) if k >= 0 else 0

    for k in range(12):
        assert L.harmonic_multiplicity(d, k) == hom(k) - hom(k - 2)
    assert np.allclose(L.multiplicities(d, 11), [hom(k) - hom(k - 2) for k in range(12)], rtol=1e-12)


@pytest.mark.parametrize("d", [3, 16, 32])
def test_relu_energy_per_degree_sums_to_second_moment(d):
    mu = L.relu_degree_energy(d, 3000)
    assert np.all(mu >= 0)
    assert mu.sum() == pytest.approx(1.0 / (2 * d), rel=1e-6)
    assert mu.sum() <= 1.0 / (2 * d)


@pytest.mark.parametrize("d", [2, 3, 6, 32])
def test_gegenbauer_recurrence_matches_scipy(d):
    s = np.linspace(-1, 1, 41)
    for k in range(15):
        if d == 2:
            ref = special.eval_chebyt(k, s)
        else:
            lam = (d - 2) / 2.0
            ref = special.eval_gegenbauer(k, lam, s) / special.eval_gegenbauer(k, lam, 1.0)
        assert np.allclose(L.gegenbauer(s, k, d), ref, atol=1e-12)


def test_gram_equals_funk_hecke_series():
    d, K = 6, 400
    W = L.sample_sphere(8, d, 0)
    C = np.clip(W @ W.T, -1, 1)
    mu = L.relu_degree_energy(d, K)
    series = sum(mu[k] * L.gegenbauer(C, k, d) for k in range(K + 1) if mu[k] > 0)
    assert np.allclose(series, L.population_gram(W), atol=1e-7)


@pytest.mark.parametrize("d,M,seed", [(8, 40, 0), (16, 256, 1), (32, 1024, 2)])
def test_teacher_energies_sum_to_norm_within_reported_truncation(d, M, seed):
    T = L.fit_teacher(L.sample_sphere(M, d, seed))
    H = T.harmonics
    kept = H.energies.sum()
    assert np.all(H.energies >= 0)
    assert H.captured_fraction >= 0.999
    assert H.tail_energy <= 0.01 * T.loss + 1e-12
    # independent check of the truncation report: the Funk-Hecke series taken to degree 400
    # must sum to the closed-form norm |f_TE|^2 (from the arccos Gram, no harmonics), and the
    # energy it puts above the kept degree must be the reported tail
    H2 = T.harmonic_energies(max_degree=400)
    assert H2.energies[: H.max_degree + 1] == pytest.approx(H.energies, rel=1e-10, abs=1e-15)
    assert H2.energies.sum() == pytest.approx(T.norm2, abs=1e-6)
    assert H2.energies[H.max_degree + 1:].sum() == pytest.approx(H.tail_energy, rel=0.02)
    assert kept < T.norm2  # the kept degrees do not already hold everything: the tail is real


@pytest.mark.parametrize("block_entries, window", [(1 << 16, 16), (64, 5), (1, 1)])
def test_teacher_energy_matches_direct_quadratic_form(block_entries, window, monkeypatch):
    """Energies per degree equal ``mu_k a^T P_k(W W^T) a`` on the dense cosine matrix, however
    the triangle is cut into row blocks and the degrees into windows (one block and one
    window; blocks of two rows and windows of five degrees; one row, one degree)."""
    import w2s_lib.harmonics as harmonics

    monkeypatch.setattr(harmonics, "_PAIR_BLOCK_ENTRIES", block_entries)
    monkeypatch.setattr(harmonics, "_DEGREE_WINDOW", window)
    d, M, K = 5, 30, 12
    W = L.sample_sphere(M, d, 3)
    a = np.random.default_rng(0).standard_normal(M)
    n2 = float(a @ L.population_gram(W) @ a)
    H = L.harmonic_energies(W, a, norm2=n2, max_degree=K)
    mu = L.relu_degree_energy(d, K)
    C = np.clip(W @ W.T, -1, 1)
    direct = [mu[k] * a @ L.gegenbauer(C, k, d) @ a for k in range(K + 1)]
    assert np.allclose(H.energies, direct, rtol=1e-10, atol=1e-15)


def test_degree_learning_times_are_eigenvalue_ratios():
    d = 32
    tk = L.degree_learning_times(d, 10)
    lam = L.kernel_eigenvalues(d, 10)
    assert tk[1] == 1.0
    assert tk[2] == pytest.approx(lam[1] / lam[2])
    assert tk[0] < 1 < tk[2] < tk[4] < tk[6]
    assert np.all(np.isinf(tk[3::2]))
