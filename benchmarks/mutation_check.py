"""Mutation check: does a small, plausible error in an exact formula make something fail?

For each mutation (a factor, a sign, an off-by-one in a dimension) the script copies
``w2s_lib`` into a temporary directory, applies one textual patch, and in a
subprocess runs the reproducibility ledger and the unit tests that exercise that
formula.  It reports, per mutation, how many ledger claims and how many tests fail;
a mutation that nothing catches is reported as ``MISSED`` and the exit status is 1.

Usage (about 5-10 minutes on 2 cores)::

    python benchmarks/mutation_check.py            # every mutation
    python benchmarks/mutation_check.py floor_exp  # only the named mutations
"""

from __future__ import annotations

import json
import os
import pathlib
import re
import shutil
import subprocess
import sys
import tempfile

ROOT = pathlib.Path(__file__).resolve().parents[1]

#: name -> (file in w2s_lib, exact text, replacement, unit-test files to run)
MUTATIONS = {
    "synthesis_shrink_off_by_one": (
        "synthesis.py", "return 0.0 if N == np.inf else d_s / (N - d_s - 1.0)",
        "return 0.0 if N == np.inf else d_s / (N - d_s)", ["tests/test_synthesis.py"]),
    "ball_constraint_unsquared": (
        "synthesis.py", "h = lambda mu: float(np.sum(E[on] * lam[on] / (lam[on] + mu) ** 2)) - R2",
        "h = lambda mu: float(np.sum(E[on] * lam[on] / (lam[on] + mu))) - R2", ["tests/test_synthesis.py"]),
    "subspace_slack_factor": (
        "synthesis.py", "slack = -2.0 * E_ws - 2.0 * r * out_s", "slack = -2.0 * E_ws - r * out_s",
        ["tests/test_synthesis.py"]),
    "teacher_var_off_by_one": (
        "subspace.py", "tw = (sigma2 + rho_w) / (n - d_w - 1.0)", "tw = (sigma2 + rho_w) / (n - d_w)",
        ["tests/test_subspace_exact.py", "tests/test_subspace_mc_random.py"]),
    "student_shrink_off_by_one": (
        "subspace.py", "shrink = d_s / (N - d_s - 1.0)", "shrink = d_s / (N - d_s)",
        ["tests/test_subspace_exact.py", "tests/test_subspace_mc_random.py"]),
    "ceiling_uses_N_only": (
        "subspace.py", '"strong_ceiling_variance": (sigma2 + rho_s) * d_s / (n + N - d_s - 1.0)',
        '"strong_ceiling_variance": (sigma2 + rho_s) * d_s / (N - d_s - 1.0)',
        ["tests/test_subspace_exact.py", "tests/test_subspace_mc_random.py"]),
    "inherited_var_factor": (
        "subspace.py", '"w2s_var_inherited": tw * d_sw,', '"w2s_var_inherited": 1.1 * tw * d_sw,',
        ["tests/test_subspace_exact.py", "tests/test_subspace_mc_random.py"]),
    "gram_J_sign": (
        "random_features.py", "+ (np.pi - np.arccos(cos)) * cos", "- (np.pi - np.arccos(cos)) * cos",
        ["tests/test_random_features.py", "tests/test_teacher.py"]),
    "gram_diag_factor": (
        "random_features.py", "np.fill_diagonal(G, 1.0 / (2.0 * d))", "np.fill_diagonal(G, 1.0 / d)",
        ["tests/test_random_features.py", "tests/test_teacher.py"]),
    "target_corr_factor": (
        "random_features.py", "return s / (2.0 * np.sqrt(d))", "return s / (2.0 * d)",
        ["tests/test_random_features.py", "tests/test_teacher.py"]),
    "multiplicity_off_by_one": (
        "harmonics.py", "- math.lgamma(d - 1.0)", "- math.lgamma(d - 2.0)",
        ["tests/test_harmonics.py"]),
    "floor_exponent": (
        "limits.py", "return (1.0 - learned * (1.0 - lte)) ** 2", "return (1.0 - learned * (1.0 - lte)) ** 1.9",
        ["tests/test_early_stopping_limits.py", "tests/test_es_additions.py"]),
    "optimum_lag_factor": (
        "early_stopping.py", "lag = s * (2.0 * (lte - e1) + s * float(energies[1]))",
        "lag = s * ((lte - e1) + s * float(energies[1]))", ["tests/test_early_stopping_limits.py"]),
    "crossover_energy_factor": (
        "subspace.py", "return sigma2 * (d_w - d_sw) * (1.0 - r) / ((n - d_w - 1.0) * (1.0 + r))",
        "return sigma2 * (d_w - d_sw) * (1.0 - r) / (n - d_w - 1.0)", ["tests/test_ledger.py"]),
    "crossover_overlap_ceiling": (
        "subspace.py", "return ((n - d_w - 1.0) * d_s / (n + N - d_s - 1.0) - d_w * r) / (1.0 - r)",
        "return ((n - d_w - 1.0) * d_s / (N - d_s - 1.0) - d_w * r) / (1.0 - r)", ["tests/test_ledger.py"]),
    "split_reduced_part": (
        "subspace.py", '"reduced": ex["w2s_var_discrepancy"] + ex["w2s_var_teacher_bias"]',
        '"reduced": ex["w2s_var_discrepancy"]', ["tests/test_subspace_simulation.py"]),
}

_LEDGER = (
    "import json, sys; from w2s_lib import ledger\n"
    "res = []\n"
    "for c in ledger.CLAIMS:\n"
    "    try:\n"
    "        res.append(ledger._measure(c).passed)\n"
    "    except Exception:\n"
    "        res.append(False)\n"
    "print(json.dumps([len(res), len(res) - sum(res)]))\n"
)


def _run(tmp: pathlib.Path, tests: list[str]) -> tuple[int, int, int, int]:
    env = {**os.environ, "PYTHONPATH": str(tmp)}
    led = subprocess.run([sys.executable, "-c", _LEDGER], cwd=tmp, env=env, capture_output=True, text=True)
    try:
        n_claims, claims_failed = json.loads(led.stdout.strip().splitlines()[-1])
    except (ValueError, IndexError):  # the ledger itself crashed
        n_claims, claims_failed = 0, -1
    py = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "-p", "no:randomly",
         "-o", "addopts=", *[str(tmp / t) for t in tests]],
        cwd=tmp, env=env, capture_output=True, text=True)
    tail = py.stdout.strip().splitlines()[-1] if py.stdout.strip() else ""
    failed = sum(int(m) for m in re.findall(r"(\d+) (?:failed|error)", tail))
    passed = sum(int(m) for m in re.findall(r"(\d+) passed", tail))
    return n_claims, claims_failed, failed, failed + passed


def main(argv=None) -> int:
    """Apply each mutation in a scratch copy and report what catches it."""
    names = (argv if argv is not None else sys.argv[1:]) or list(MUTATIONS)
    unknown = sorted(set(names) - set(MUTATIONS))
    if unknown:
        raise SystemExit(f"unknown mutations {unknown}; choose from {sorted(MUTATIONS)}")
    rows, missed = [], []
    for name in names:
        fname, old, new, tests = MUTATIONS[name]
        with tempfile.TemporaryDirectory() as d:
            tmp = pathlib.Path(d)
            shutil.copytree(ROOT / "w2s_lib", tmp / "w2s_lib", ignore=shutil.ignore_patterns("__pycache__"))
            shutil.copytree(ROOT / "tests", tmp / "tests", ignore=shutil.ignore_patterns("__pycache__"))
            for f in ("pyproject.toml", "_toc.yml", "references.bib"):
                shutil.copy(ROOT / f, tmp / f)
            path = tmp / "w2s_lib" / fname
            text = path.read_text()
            if text.count(old) != 1:
                raise SystemExit(f"{name}: the text to mutate is not found exactly once in {fname}")
            path.write_text(text.replace(old, new))
            n_claims, cf, tf, tn = _run(tmp, tests)
        caught = cf != 0 or tf > 0
        rows.append((name, fname, cf, n_claims, tf, tn, caught))
        if not caught:
            missed.append(name)
        print(f"{name:<28} {fname:<20} claims failing {cf:>3}/{n_claims:<3} tests failing {tf:>3}/{tn:<4} "
              f"{'caught' if caught else 'MISSED'}", flush=True)
    print(f"{len(rows) - len(missed)} of {len(rows)} mutations caught")
    return 1 if missed else 0


if __name__ == "__main__":
    sys.exit(main())
