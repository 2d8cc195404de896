"""Monte Carlo of the ridgeless subspace models against the exact formulas."""

import numpy as np
import pytest

from w2s_lib.subspace import (
    RISK_KEYS,
    _batched_min_norm_lstsq,
    _sample_gram,
    correlation_dimension,
    make_theta,
    principal_cosines,
    random_subspaces,
    simulate_subspace,
    simulate_subspace_general,
    subspace_risks,
    subspace_risks_from_energies,
    subspace_risks_general,
    subspaces_with_principal_cosines,
)


def zscores(sim, exact):
    return {k: (sim[k] - exact[k]) / sim[k + "_se"] for k in RISK_KEYS}


# (name, d_s, d_w, d_sw, n, N, sigma2, theta-block energies)
GRID = [
    ("pure variance, disjoint", 10, 20, 0, 100, 200, 1.0, {}),
    ("pure variance, overlap", 10, 20, 6, 60, 40, 1.0, {}),
    ("W inside S", 12, 6, 6, 40, 80, 1.0, dict(shared=1.0, s_only=0.5)),
    ("variance dominated", 8, 12, 3, 30, 25, 4.0, dict(shared=1.0, s_only=0.2, w_only=0.2, outside=0.1)),
    ("misspecified, bias dominated", 10, 20, 5, 100, 200, 0.05, dict(shared=0.3, s_only=0.5, w_only=1.0, outside=0.5)),
    ("small N", 10, 15, 4, 50, 16, 1.0, dict(shared=1.0, w_only=0.5)),
    ("S inside W", 5, 15, 5, 40, 60, 0.5, dict(shared=1.0, w_only=1.0, outside=0.2)),
]


@pytest.mark.parametrize("case", GRID, ids=[g[0] for g in GRID])
def test_monte_carlo_matches_exact(case):
    _, d_s, d_w, d_sw, n, N, sigma2, energies = case
    theta = make_theta(d_s, d_w, d_sw, **energies) if energies else np.zeros(d_s + d_w - d_sw + 2)
    exact = subspace_risks(d_s, d_w, d_sw, n, N, sigma2, theta)
    sim = simulate_subspace(d_s, d_w, d_sw, n, N, sigma2, theta, trials=6000, seed=11)
    z = zscores(sim, exact)
    assert all(abs(v) < 3 for v in z.values()), z
    assert all(sim[k + "_se"] < 0.05 * exact[k] for k in RISK_KEYS)  # the check is sharp
    # ratio of mean risks close to the exact PGR / OPR
    assert sim["opr"] == pytest.approx(exact["opr"], rel=0.05)


@pytest.mark.parametrize("case", GRID[1:5:3], ids=[g[0] for g in GRID[1:5:3]])
def test_raw_sample_simulator_matches_exact(case):
    """The raw-design sampler (not the Wishart shortcut) agrees as well."""
    _, d_s, d_w, d_sw, n, N, sigma2, energies = case
    theta = make_theta(d_s, d_w, d_sw, **energies) if energies else np.zeros(d_s + d_w - d_sw)
    exact = subspace_risks(d_s, d_w, d_sw, n, N, sigma2, theta)
    sim = simulate_subspace(d_s, d_w, d_sw, n, N, sigma2, theta, trials=3000, seed=5, method="samples")
    z = zscores(sim, exact)
    assert all(abs(v) < 3 for v in z.values()), z


def test_perturbed_formula_is_detected():
    """The 3-SE check is sharp enough to reject plausible wrong formulas."""
    d_s, d_w, d_sw, n, N, sigma2 = 10, 20, 4, 60, 30, 1.0
    theta = make_theta(d_s, d_w, d_sw, shared=0.5, w_only=0.5)
    sim = simulate_subspace(d_s, d_w, d_sw, n, N, sigma2, theta, trials=6000, seed=3)
    exact = subspace_risks(d_s, d_w, d_sw, n, N, sigma2, theta)
    assert abs(sim["w2s"] - exact["w2s"]) < 3 * sim["w2s_se"]
    e = {k: exact_e for k, exact_e in
         zip(("rho_s", "rho_w", "bias", "delta"), _energies_of(theta, d_s, d_w, d_sw))}
    wrong = [
        exact["asymptotic"]["w2s"],  # d_s/N instead of d_s/(N - d_s - 1)
        subspace_risks_from_energies(d_s, d_w, d_sw + 1, n, N, sigma2, **e)["w2s"],  # overlap off by one
        exact["w2s"] - exact["w2s_var_teacher_bias"],  # forgetting the teacher's bias on W \ S
        exact["w2s_bias"] + exact["weak_variance"] * (d_sw / d_w + (1 - d_sw / d_w) * d_s / (N - d_s - 1))
        * (n - d_w - 1) / n,  # teacher variance with n instead of n - d_w - 1
    ]
    for value in wrong:
        assert abs(sim["w2s"] - value) > 3 * sim["w2s_se"]
    wrong_weak = exact["weak_bias"] + (sigma2 + e["rho_w"]) * d_w / (n - d_w)
    assert abs(sim["weak"] - wrong_weak) > 3 * sim["weak_se"]


def _energies_of(theta, d_s, d_w, d_sw):
    from w2s_lib.subspace import theta_energies

    e = theta_energies(theta, d_s, d_w, d_sw)
    return e["rho_s"], e["rho_w"], e["bias"], e["delta"]


@pytest.mark.parametrize("method", ["gram", "samples"])
def test_w_inside_s_student_copies_teacher(method):
    d_s, d_w = 15, 6
    theta = make_theta(d_s, d_w, d_w, shared=1.0, s_only=1.0, outside=0.5)
    sim = simulate_subspace(d_s, d_w, d_w, 30, 50, 1.0, theta, trials=200, seed=0,
                            return_coefs=True, method=method)
    student, teacher = sim["coefs"]["w2s"], sim["coefs"]["weak"]
    assert student.shape == (200, d_s) and teacher.shape == (200, d_w)
    scale = np.abs(teacher).max()
    np.testing.assert_allclose(student[:, d_s - d_w:], teacher, rtol=0, atol=1e-12 * scale)
    np.testing.assert_allclose(student[:, : d_s - d_w], 0.0, rtol=0, atol=1e-12 * scale)
    np.testing.assert_allclose(sim["per_trial"]["w2s"], sim["per_trial"]["weak"], rtol=1e-10)


def test_disjoint_variance_vanishes_in_simulation():
    theta = np.zeros(25)
    var = [simulate_subspace(5, 20, 0, 60, N, 1.0, theta, trials=2000, seed=1)["w2s"] for N in (10, 50, 500, 5000)]
    assert np.all(np.diff(var) < 0)
    assert var[-1] < 0.01 * var[0]
    teacher = subspace_risks(5, 20, 0, 60, 5000, 1.0, theta)["weak"]
    assert var[-1] < 0.005 * teacher


def test_simulated_pgr_opr_ordered_by_overlap():
    theta = np.zeros(30)
    sims = [simulate_subspace(10, 20, d_sw, 100, 200, 1.0, theta, trials=3000, seed=7) for d_sw in (0, 3, 6, 10)]
    assert np.all(np.diff([s["pgr"] for s in sims]) < 0)
    assert np.all(np.diff([s["opr"] for s in sims]) < 0)
    assert np.all(np.diff([s["pgr_trial_mean"] for s in sims]) < 0)


def test_per_trial_ratios_and_determinism():
    theta = make_theta(6, 8, 2, shared=1.0, w_only=0.3)
    a = simulate_subspace(6, 8, 2, 30, 40, 1.0, theta, trials=500, seed=42)
    b = simulate_subspace(6, 8, 2, 30, 40, 1.0, theta, trials=500, seed=42)
    assert a["w2s"] == b["w2s"] and a["pgr_trial_mean"] == b["pgr_trial_mean"]
    assert a["pgr_trials_used"] == 500
    per = a["per_trial"]
    ratio = (per["weak"] - per["w2s"]) / (per["weak"] - per["strong_ceiling"])
    assert a["pgr_trial_mean"] == pytest.approx(ratio.mean(), rel=1e-12)
    assert np.isfinite([a["pgr_trial_se"], a["opr_trial_mean"], a["opr_trial_se"]]).all()


def test_underdetermined_is_min_norm():
    """N < d_s: the student interpolates with the minimum-norm solution; no formula exists."""
    theta = make_theta(20, 8, 4, shared=1.0, s_only=1.0)
    with pytest.raises(ValueError, match="simulate_subspace"):
        subspace_risks(20, 8, 4, 40, 10, 1.0, theta)
    sim = simulate_subspace(20, 8, 4, 40, 10, 1.0, theta, trials=300, seed=0)
    assert np.isfinite([sim[k] for k in RISK_KEYS]).all()
    # interpolating N < d_s points cannot beat the bias of missing S \ W
    assert sim["w2s"] > 1.0


@pytest.mark.parametrize("m, p", [(30, 7), (7, 7), (4, 9)])
def test_batched_min_norm_matches_lstsq(m, p):
    rng = np.random.default_rng(0)
    X = rng.standard_normal((5, m, p))
    y = rng.standard_normal((5, m))
    got = _batched_min_norm_lstsq(X, y)
    want = np.stack([np.linalg.lstsq(X[i], y[i], rcond=None)[0] for i in range(5)])
    np.testing.assert_allclose(got, want, rtol=1e-9, atol=1e-11)


def test_wishart_sampler_moments():
    rng = np.random.default_rng(0)
    m, p, T = 12, 4, 40_000
    G = _sample_gram(rng, T, m, p)
    np.testing.assert_allclose(G.mean(axis=0), m * np.eye(p), atol=0.1)
    assert G[:, 0, 0].var() == pytest.approx(2 * m, rel=0.05)  # chi2(m)
    assert G[:, 3, 3].var() == pytest.approx(2 * m, rel=0.05)
    assert G[:, 1, 3].var() == pytest.approx(m, rel=0.05)


def test_general_random_subspaces_match_formula():
    V_s, V_w = random_subspaces(40, 10, 15, seed=0)
    d_sw = correlation_dimension(V_s, V_w)
    assert 0 < d_sw < 10 and d_sw != round(d_sw)
    assert d_sw == pytest.approx(np.sum(principal_cosines(V_s, V_w) ** 2), rel=1e-12)
    theta = 0.2 * np.random.default_rng(1).standard_normal(40)
    exact = subspace_risks_general(V_s, V_w, 60, 100, 1.0, theta)
    assert exact["d_sw"] == pytest.approx(d_sw)
    sim = simulate_subspace_general(V_s, V_w, 60, 100, 1.0, theta, trials=6000, seed=2)
    z = zscores(sim, exact)
    assert all(abs(v) < 3 for v in z.values()), z


def test_prescribed_principal_angles():
    cos = np.array([1.0, 1.0, 0.8, 0.6, 0.5, 0.3, 0.0, 0.0])
    V_s, V_w = subspaces_with_principal_cosines(30, 8, 12, cos, seed=3)
    np.testing.assert_allclose(principal_cosines(V_s, V_w), np.sort(cos)[::-1], atol=1e-12)
    d_sw = correlation_dimension(V_s, V_w)
    assert d_sw == pytest.approx(np.sum(cos**2))  # 3.34: between the integer overlaps 3 and 4
    theta = np.zeros(30)  # pure variance: the scalar formula with fractional d_sw applies
    sim = simulate_subspace_general(V_s, V_w, 50, 30, 2.0, theta, trials=8000, seed=4)
    exact = subspace_risks_from_energies(8, 12, d_sw, 50, 30, 2.0, rho_s=0, rho_w=0, bias=0, delta=0)
    z = zscores(sim, exact)
    assert all(abs(v) < 3 for v in z.values()), z
    # the nearest integer overlaps are rejected: d_sw really is fractional
    for wrong in (3, 4):
        alt = subspace_risks_from_energies(8, 12, wrong, 50, 30, 2.0, rho_s=0, rho_w=0, bias=0, delta=0)
        assert abs(sim["w2s"] - alt["w2s"]) > 3 * sim["w2s_se"]


def test_general_reduces_to_coordinates():
    d_s, d_w, d_sw, D = 6, 5, 2, 12
    V_s = np.eye(D)[:, :d_s]
    V_w = np.eye(D)[:, d_s - d_sw: d_s - d_sw + d_w]
    theta = np.linspace(-1, 1, D)
    a = subspace_risks_general(V_s, V_w, 30, 40, 0.7, theta)
    b = subspace_risks(d_s, d_w, d_sw, 30, 40, 0.7, theta)
    for key in (*RISK_KEYS, "pgr", "opr"):
        assert a[key] == pytest.approx(b[key], rel=1e-12)


@pytest.mark.parametrize(
    "kwargs, exc, match",
    [
        (dict(trials=0), ValueError, "trials"),
        (dict(trials=10.0), TypeError, "trials"),
        (dict(seed=-1), ValueError, "seed"),
        (dict(method="fast"), ValueError, "method"),
        (dict(N=5, method="gram"), ValueError, "samples"),
        (dict(sigma2=float("nan")), ValueError, "sigma2"),
        (dict(d_sw=7), ValueError, "d_sw"),
    ],
)
def test_simulation_bad_input(kwargs, exc, match):
    args = dict(d_s=6, d_w=8, d_sw=2, n=30, N=40, sigma2=1.0, theta=np.zeros(12), trials=10, seed=0)
    args.update(kwargs)
    with pytest.raises(exc, match=match):
        simulate_subspace(**args)


@pytest.mark.parametrize("case", [GRID[1], GRID[3], GRID[6]], ids=[GRID[i][0] for i in (1, 3, 6)])
def test_w2s_split_inherited_and_reduced_parts_match_monte_carlo(case):
    """Chapter 6's split of the student's risk: each part's Monte Carlo mean within 4.5 SE of its formula."""
    from w2s_lib.subspace import w2s_split_mc

    _, d_s, d_w, d_sw, n, N, sigma2, energies = case
    theta = make_theta(d_s, d_w, d_sw, **energies) if energies else None
    r = w2s_split_mc(d_s, d_w, d_sw, n, N, sigma2, theta, trials=6000, seed=11)
    assert r["inherited_exact"] + r["reduced_exact"] + r["bias_exact"] == pytest.approx(r["total_exact"], rel=1e-12)
    for part in ("inherited", "reduced", "cross", "total"):
        assert abs(r[part + "_mc"] - r[part + "_exact"]) < 4.5 * r[part + "_se"] + 1e-12, part
    # the four parts add up trial by trial, so also in the mean
    assert r["bias_mc"] + r["inherited_mc"] + r["reduced_mc"] + r["cross_mc"] == pytest.approx(r["total_mc"], rel=1e-9)
