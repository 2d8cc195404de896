"""Exact ridgeless risks in subspaces: formulas, limits, orderings, sweeps, regimes."""

import numpy as np
import pytest

from w2s_lib.subspace import (
    RISK_KEYS,
    classify_regime,
    make_theta,
    regime_from_risks,
    subspace_risks,
    subspace_risks_from_energies,
    sweep_subspace,
    theta_energies,
)


def test_hand_computed_case():
    # S = {0, 1}, W = {1, 2}; rho_s = 9.25, rho_w = 1.25, B = 10.25, delta = 9
    theta = np.array([1.0, 2.0, 3.0, 0.5])
    r = subspace_risks(2, 2, 1, 10, 20, 0.5, theta)
    assert r["weak"] == pytest.approx(1.25 + 1.75 * 2 / 7, rel=1e-14)
    assert r["strong_baseline"] == pytest.approx(9.25 + 9.75 * 2 / 7, rel=1e-14)
    assert r["strong_ceiling"] == pytest.approx(9.25 + 9.75 * 2 / 27, rel=1e-14)
    w2s = 10.25 + 1.75 / 7 * (1 + 1 * 2 / 17) + 9 * 2 / 17
    assert r["w2s"] == pytest.approx(w2s, rel=1e-14)
    assert r["pgr"] == pytest.approx((r["weak"] - w2s) / (r["weak"] - r["strong_ceiling"]), rel=1e-14)
    assert r["opr"] == pytest.approx(r["strong_baseline"] / w2s, rel=1e-14)
    assert r["asymptotic"]["w2s"] == pytest.approx(10.25 + 0.25 * (1 + 2 / 20) + 9 * 2 / 20, rel=1e-14)
    for key in RISK_KEYS:
        assert r[key] == pytest.approx(r[key + "_bias"] + r[key + "_variance"], rel=1e-14)
    parts = r["w2s_var_inherited"] + r["w2s_var_discrepancy"] + r["w2s_var_teacher_bias"]
    assert r["w2s_variance"] == pytest.approx(parts, rel=1e-14)
    assert all(isinstance(r[k], float) for k in (*RISK_KEYS, "pgr", "opr"))


def test_theta_energies_blocks():
    theta = make_theta(6, 4, 2, shared=1.0, s_only=2.0, w_only=3.0, outside=4.0, D=12)
    assert theta.shape == (12,)
    e = theta_energies(theta, 6, 4, 2)
    assert e["rho_s"] == pytest.approx(3.0 + 4.0)
    assert e["rho_w"] == pytest.approx(2.0 + 4.0)
    assert e["bias"] == pytest.approx(2.0 + 3.0 + 4.0)
    assert e["delta"] == pytest.approx(3.0)


def test_w_inside_s_student_equals_teacher():
    theta = make_theta(12, 5, 5, shared=1.0, s_only=0.7, outside=0.3)
    r = subspace_risks(12, 5, 5, 40, 60, 2.0, theta)
    assert r["w2s"] == pytest.approx(r["weak"], rel=1e-14)
    assert r["w2s_var_discrepancy"] == 0.0
    assert r["pgr"] == pytest.approx(0.0, abs=1e-14)


def test_disjoint_variance_vanishes_with_N():
    theta = np.zeros(30)
    Ns = [20, 50, 200, 1000, 10_000, 100_000]
    var = [subspace_risks(10, 15, 0, 60, N, 1.0, theta)["w2s_variance"] for N in Ns]
    assert np.all(np.diff(var) < 0)
    assert var[-1] < 1e-3 * var[0]
    # decays like d_s / N times the teacher's variance
    teacher_var = subspace_risks(10, 15, 0, 60, 100_000, 1.0, theta)["weak_variance"]
    assert var[-1] == pytest.approx(teacher_var * 10 / (100_000 - 11), rel=1e-12)


@pytest.mark.parametrize("theta_kind", ["zero", "shared"])
def test_pgr_opr_decrease_with_overlap(theta_kind):
    d_s, d_w, n, N, sigma2 = 10, 20, 100, 200, 1.0
    pgr, opr = [], []
    for d_sw in range(0, d_s + 1):
        if theta_kind == "zero":
            theta = np.zeros(d_s + d_w)
        else:  # the signal lives in S n W (the first shared coordinate is always shared)
            theta = np.zeros(d_s + d_w)
            theta[d_s - 1] = 1.0 if d_sw > 0 else 0.0
            if d_sw == 0:
                continue
        r = subspace_risks(d_s, d_w, d_sw, n, N, sigma2, theta)
        pgr.append(r["pgr"])
        opr.append(r["opr"])
    assert np.all(np.diff(pgr) < 0)
    assert np.all(np.diff(opr) < 0)


def test_pgr_above_one_when_overlap_tiny_and_noise_large():
    r = subspace_risks(10, 20, 0, 100, 200, 4.0, np.zeros(30))
    assert r["pgr"] > 1.0
    assert classify_regime(10, 20, 0, 100, 200, 4.0, np.zeros(30))["beats_ceiling"]


def test_bias_dominated_failure():
    # small noise, target energy in W \ S (the strong features are misspecified)
    theta = make_theta(10, 20, 5, shared=0.2, w_only=1.0)
    flags = classify_regime(10, 20, 5, 100, 200, 0.01, theta)
    assert flags["fails"] and flags["bias_dominated"]
    assert not flags["beats_teacher"]


def test_small_N_amplifies_discrepancy():
    theta = np.zeros(30)
    small = subspace_risks(10, 20, 2, 100, 15, 1.0, theta)
    large = subspace_risks(10, 20, 2, 100, 40, 1.0, theta)
    assert small["w2s_var_discrepancy"] > small["weak_variance"] * (18 / 20)  # d_s/(N-d_s-1) = 2.5
    assert small["w2s"] > small["weak"]  # N = 1.5 d_s: the student is worse than its teacher
    assert large["w2s"] < large["weak"]
    flags = regime_from_risks(small, d_s=10, N=15)
    assert flags["small_N"] and flags["fails"]


def test_asymptotic_form_approaches_exact():
    theta = make_theta(10, 20, 4, shared=1.0, s_only=0.3, w_only=0.5, outside=0.2)
    gaps = []
    for N in [30, 100, 1000, 10_000]:
        r = subspace_risks(10, 20, 4, 100, N, 1.0, theta)
        gaps.append(abs(r["w2s"] - r["asymptotic"]["w2s"]))
    assert np.all(np.diff(gaps) < 0)
    assert gaps[-1] < 1e-5 * gaps[0] * 100  # O(1/N^2)
    assert gaps[0] > 1e-2  # the two forms differ visibly for small N


def test_sweep_matches_pointwise():
    theta = make_theta(8, 12, 3, shared=1.0, s_only=0.5, w_only=0.4, outside=0.2, D=25)
    grid = {"n": [30, 60, 120], "N": [20, 100], "d_sw": [1, 3, 6], "sigma2": [0.0, 1.0]}
    res = sweep_subspace(grid, d_s=8, d_w=12, d_sw=3, n=50, N=50, sigma2=0.5, theta=theta)
    assert res["pgr"].shape == (3, 2, 3, 2)
    for i, n in enumerate(grid["n"]):
        for j, N in enumerate(grid["N"]):
            for k, d_sw in enumerate(grid["d_sw"]):
                for m, s2 in enumerate(grid["sigma2"]):
                    r = subspace_risks(8, 12, d_sw, n, N, s2, theta)
                    for key in (*RISK_KEYS, "pgr", "opr", "w2s_variance"):
                        assert res[key][i, j, k, m] == pytest.approx(r[key], rel=1e-12)
                    assert res["w2s_asymptotic"][i, j, k, m] == pytest.approx(r["asymptotic"]["w2s"], rel=1e-12)


def test_opr_rises_with_N_and_levels_off():
    res = sweep_subspace({"N": [15, 30, 100, 1000, 10_000, 100_000]}, d_s=10, d_w=20, d_sw=2,
                         n=100, N=200, sigma2=1.0, theta=np.zeros(30))
    assert np.all(np.diff(res["opr"]) > 0)
    steps = np.diff(res["opr"])
    assert steps[-1] < 0.05 * steps[1]


def test_fractional_overlap_interpolates():
    kw = dict(d_s=10, d_w=20, n=100, N=200, sigma2=1.0, rho_s=0.0, rho_w=0.0, bias=0.0, delta=0.0)
    lo = subspace_risks_from_energies(d_sw=2, **kw)
    hi = subspace_risks_from_energies(d_sw=3, **kw)
    mid = subspace_risks_from_energies(d_sw=2.5, **kw)
    assert mid["w2s"] == pytest.approx(0.5 * (lo["w2s"] + hi["w2s"]), rel=1e-14)


def test_degenerate_ratio_raises():
    theta = np.zeros(30)
    theta[8] = 1.0  # inside S n W for d_s=10, d_sw=5: teacher exact, every risk 0
    with pytest.raises(ValueError, match="PGR is undefined"):
        subspace_risks(10, 20, 5, 100, 200, 0.0, theta)
    r = subspace_risks_from_energies(10, 20, 5, 100, 200, 0.0, rho_s=0, rho_w=0, bias=0, delta=0, ratios=False)
    assert r["w2s"] == 0.0 and "pgr" not in r


@pytest.mark.parametrize(
    "kwargs, exc, match",
    [
        (dict(d_sw=11), ValueError, "d_sw"),
        (dict(d_sw=2.0), TypeError, "d_sw"),
        (dict(n=21), ValueError, "simulate_subspace"),
        (dict(N=11), ValueError, "simulate_subspace"),
        (dict(sigma2=-1.0), ValueError, "sigma2"),
        (dict(theta=np.zeros(10)), ValueError, "theta"),
        (dict(n=100.0), TypeError, "n"),
    ],
)
def test_bad_input(kwargs, exc, match):
    args = dict(d_s=10, d_w=20, d_sw=2, n=100, N=200, sigma2=1.0, theta=np.zeros(30))
    args.update(kwargs)
    with pytest.raises(exc, match=match):
        subspace_risks(**args)


def test_opr_is_defined_whenever_the_students_risk_is_nonzero_however_large_the_others():
    """OPR = ER_s / ER_w2s: a small but non-zero ER_w2s next to a huge ER_s is a large ratio, not 0/0
    (a regression: the zero test once compared ER_w2s with the largest risk)."""
    from w2s_lib.subspace import subspace_risks_from_energies

    r = subspace_risks_from_energies(10, 20, 0, 100, 200, 1.0, rho_s=2e11, rho_w=0.1, bias=0.2, delta=0.0)
    assert r["opr"] == pytest.approx(r["strong_baseline"] / r["w2s"], rel=1e-12)
    assert r["opr"] > 1e11
    with pytest.raises(ValueError, match="(PGR|OPR) is undefined"):
        subspace_risks_from_energies(10, 20, 5, 100, 200, 0.0, rho_s=0.0, rho_w=0.0, bias=0.0, delta=0.0)
