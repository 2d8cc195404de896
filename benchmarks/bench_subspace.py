"""Speed of the vectorized subspace Monte Carlo against a plain per-trial loop.

Setting of issue 4: 2,000 trials at d_s = 10, d_w = 20 (d_sw = 5), n = 100,
N = 200.  The loop draws the same Gaussian design per trial and calls
``numpy.linalg.lstsq`` four times (teacher, student, baseline, ceiling).
Run ``python benchmarks/bench_subspace.py``; timings are not part of any test.
"""

from __future__ import annotations

import time

import numpy as np

from w2s_lib.subspace import make_theta, simulate_subspace

D_S, D_W, D_SW, N_LAB, N_UNL, SIGMA2, TRIALS = 10, 20, 5, 100, 200, 1.0, 2000


def loop_lstsq(theta, trials, seed):
    """Reference: one trial at a time with ``numpy.linalg.lstsq``; returns mean risks."""
    rng = np.random.default_rng(seed)
    union = D_S + D_W - D_SW
    t = np.append(theta[:union], np.sqrt(np.sum(theta[union:] ** 2)))
    S, W = slice(0, D_S), slice(D_S - D_SW, D_S - D_SW + D_W)
    rho_s = float(np.sum(theta**2) - np.sum(theta[S] ** 2))
    rho_w = float(np.sum(theta**2) - np.sum(theta[W] ** 2))
    risks = np.zeros((trials, 4))
    for i in range(trials):
        u = rng.standard_normal((N_LAB + N_UNL, t.size))
        y = u @ t + np.sqrt(SIGMA2) * rng.standard_normal(N_LAB + N_UNL)
        lab, unl = slice(0, N_LAB), slice(N_LAB, None)
        a_w = np.linalg.lstsq(u[lab, W], y[lab], rcond=None)[0]
        a_st = np.linalg.lstsq(u[unl, S], u[unl, W] @ a_w, rcond=None)[0]
        a_b = np.linalg.lstsq(u[lab, S], y[lab], rcond=None)[0]
        a_c = np.linalg.lstsq(u[:, S], y, rcond=None)[0]
        risks[i] = [np.sum((a_w - theta[W]) ** 2) + rho_w, np.sum((a_st - theta[S]) ** 2) + rho_s,
                    np.sum((a_b - theta[S]) ** 2) + rho_s, np.sum((a_c - theta[S]) ** 2) + rho_s]
    return risks.mean(axis=0)


def _best_of(fn, repeats):
    best = np.inf
    for _ in range(repeats):
        start = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - start)
    return best


def run(repeats=3):
    """Time both implementations.

    Returns
    -------
    dict
        ``"monte_carlo_speedup"`` (loop time / vectorized time, default
        sampler), ``"vectorized_seconds"``, ``"vectorized_samples_seconds"``
        (vectorized over trials, raw design matrices instead of Wishart Gram
        draws), ``"samples_speedup"``, ``"loop_seconds"``, ``"trials"``.
    """
    theta = make_theta(D_S, D_W, D_SW, shared=1.0, s_only=0.5, w_only=0.5, outside=0.2)
    args = (D_S, D_W, D_SW, N_LAB, N_UNL, SIGMA2, theta, TRIALS, 0)
    simulate_subspace(*args)  # warm-up
    vec = _best_of(lambda: simulate_subspace(*args), repeats)
    vec_samples = _best_of(lambda: simulate_subspace(*args, method="samples"), repeats)
    loop = _best_of(lambda: loop_lstsq(theta, TRIALS, 0), 1)
    return {
        "monte_carlo_speedup": loop / vec,
        "samples_speedup": loop / vec_samples,
        "vectorized_seconds": vec,
        "vectorized_samples_seconds": vec_samples,
        "loop_seconds": loop,
        "trials": TRIALS,
    }


if __name__ == "__main__":
    res = run()
    print(f"trials                      {res['trials']}")
    print(f"vectorized (Wishart Grams)  {res['vectorized_seconds']:.3f} s")
    print(f"vectorized (raw designs)    {res['vectorized_samples_seconds']:.3f} s")
    print(f"per-trial lstsq loop        {res['loop_seconds']:.3f} s")
    print(f"speedup (default sampler)   {res['monte_carlo_speedup']:.1f}x")
    print(f"speedup (raw designs)       {res['samples_speedup']:.1f}x")
