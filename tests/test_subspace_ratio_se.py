"""Delta-method standard errors of PGR / OPR (ratios of mean risks)."""

import numpy as np
import pytest

from w2s_lib import digits_w2s, ratio_of_means_se, simulate_subspace, subspace_risks


def test_ratio_se_matches_spread_over_independent_runs():
    theta = np.zeros(31)
    runs = [simulate_subspace(10, 20, 4, 100, 200, 1.0, theta, 200, seed) for seed in range(40)]
    for key in ("pgr", "opr"):
        spread = np.std([r[key] for r in runs], ddof=1)
        se = np.mean([r[key + "_se"] for r in runs])
        assert 0.7 < se / spread < 1.4, (key, se, spread)


def test_exact_ratios_within_four_se():
    theta = np.zeros(31)
    for d_sw in (0, 5, 10):
        sim = simulate_subspace(10, 20, d_sw, 100, 200, 1.0, theta, 2000, 1)
        exact = subspace_risks(10, 20, d_sw, 100, 200, 1.0, theta)
        for key in ("pgr", "opr"):
            assert abs(sim[key] - exact[key]) < 4 * sim[key + "_se"], (d_sw, key)


def test_ratio_se_formula_and_validation():
    rng = np.random.default_rng(0)
    num, den = rng.normal(1, 0.1, 50), rng.normal(2, 0.1, 50)
    R = num.mean() / den.mean()
    expected = np.std(num - R * den, ddof=1) / np.sqrt(50) / den.mean()
    assert ratio_of_means_se(num, den) == pytest.approx(expected, rel=1e-12)
    assert ratio_of_means_se([1.0], [2.0]) == 0.0
    with pytest.raises(ValueError, match="den"):
        ratio_of_means_se([1.0, 2.0], [1.0, -1.0])
    with pytest.raises(ValueError, match="den"):
        ratio_of_means_se([1.0, 2.0], [1.0])


def test_digits_w2s_reports_ratio_se():
    r = digits_w2s(d_sw=10, seeds=6, seed=0)
    assert r["pgr_se"] > 0 and r["opr_se"] > 0
    assert np.isfinite([r["pgr_se"], r["opr_se"]]).all()
