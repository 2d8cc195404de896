"""Exact subspace risks against Monte Carlo over many random configurations (z-score summary)."""

import numpy as np
import pytest

from w2s_lib.ledger import subspace_mc_zscores


@pytest.fixture(scope="module")
def z():
    return subspace_mc_zscores(configs=30, trials=500, seed=7)


def test_z_scores_look_standard_normal(z):
    # 120 comparisons: no outlier beyond 4.5 SE, mean near 0, spread near 1
    assert np.max(np.abs(z)) < 4.5
    assert abs(z.mean()) < 4 / np.sqrt(z.size)
    assert 0.7 < z.std() < 1.4


def test_a_wrong_formula_is_detected():
    """The same summary rejects the exact formula with d_s/(N - d_s) in place of d_s/(N - d_s - 1)."""
    from w2s_lib import subspace

    rng = np.random.default_rng(3)
    worst = 0.0
    for i in range(6):
        d_s, d_w, d_sw, n, N = 10, 10, 2, 60, int(rng.integers(13, 20))
        theta = np.zeros(18)
        exact = subspace.subspace_risks(d_s, d_w, d_sw, n, N, 1.0, theta)
        wrong = exact["w2s"] - (1.0 / (n - d_w - 1)) * (d_w - d_sw) * d_s * (1 / (N - d_s - 1) - 1 / (N - d_s))
        mc = subspace.simulate_subspace(d_s, d_w, d_sw, n, N, 1.0, theta, trials=2000, seed=i)
        worst = max(worst, abs(mc["w2s"] - wrong) / mc["w2s_se"])
    assert worst > 4.0
