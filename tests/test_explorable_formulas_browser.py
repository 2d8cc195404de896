"""Formulas that an explorable evaluates in the browser, compared with w2s_lib at many settings.

``ch06:risks`` computes the exact risks of :mod:`w2s_lib.subspace` as Vega expressions
(``w2s_lib/explorables/subspace.py``). Here the chapter-6 page of the built site is
opened in headless Chromium (fixtures of ``test_site_browser.py``: site served on
localhost, every other host blocked), its controls are moved through
``window.w2sExplorables.set`` to several hundred seeded random settings over the
controls' whole ranges (the clamping edges, ``sigma2 = 0`` and every target included),
and every number the figure shows -- the four risks, their bias/variance segments, PGR,
OPR, the clamped parameters -- is compared with ``w2s_lib``
(:func:`w2s_lib.subspace.guarded_risks` after :func:`w2s_lib.subspace.clamp_subspace_params`)
at relative error 1e-9. Monte Carlo is checked as the page stores it: points at the base
configuration (:func:`w2s_lib.explorables.subspace.stored_on_site`), elsewhere a note that
it needs a kernel (a kernel draws it anywhere: ``test_explorables_subspace.py``).
"""

from __future__ import annotations

import math

import numpy as np
import pytest
from test_site_browser import EXPLORABLE_DOCS, _compare, _show, browser, site_url  # noqa: F401

from w2s_lib.explorables import registered_explorables
from w2s_lib.explorables.subspace import stored_on_site
from w2s_lib.subspace import GROUND_TRUTHS, RISK_KEYS, clamp_subspace_params, guarded_risks

NAME = "ch06:risks"
RTOL = 1e-9
N_RANDOM = 240


def _doc(name):
    docs = [d for d, names in EXPLORABLE_DOCS.items() if name in names]
    if not docs:
        pytest.fail(f"no chapter's stored outputs hold {name}: the formula check has nothing to test")
    return docs[0]


def _settings(explorable, n_random=N_RANDOM, seed=20261202):
    """Seeded random settings over every control's range, plus the corners that clamp."""
    rng = np.random.default_rng(seed)
    c = explorable.control
    out = []
    for i in range(n_random):
        s = {}
        for name in ("d_s", "d_w", "d_sw", "n", "N", "sigma2", "target"):
            values = c[name].values
            # a quarter of the draws put each number at one end of its range
            if name != "target" and rng.random() < 0.25:
                s[name] = values[0] if rng.random() < 0.5 else values[-1]
            else:
                s[name] = values[int(rng.integers(len(values)))]
        s["target"] = GROUND_TRUTHS[i % len(GROUND_TRUTHS)]  # every target equally often
        s["monte_carlo"] = bool(rng.random() < 0.2)
        out.append(s)
    # settings that clamp every parameter, or sit exactly on a bound, or make every risk zero
    for target in GROUND_TRUTHS:
        for s2 in (0.0, 4.0):
            out += [
                dict(d_s=40, d_w=40, d_sw=40, n=4, N=4, sigma2=s2, target=target, monte_carlo=False),
                dict(d_s=2, d_w=2, d_sw=40, n=4, N=4, sigma2=s2, target=target, monte_carlo=True),
                dict(d_s=40, d_w=2, d_sw=2, n=42, N=42, sigma2=s2, target=target, monte_carlo=False),
                dict(d_s=2, d_w=40, d_sw=0, n=43, N=5, sigma2=s2, target=target, monte_carlo=False),
                dict(d_s=7, d_w=7, d_sw=7, n=9, N=9, sigma2=s2, target=target, monte_carlo=False),
                dict(d_s=10, d_w=20, d_sw=10, n=100, N=200, sigma2=1.0, target=target, monte_carlo=True),
            ]
    return out


def _rel(have, want):
    return abs(have - want) / abs(want) if want != 0 else abs(have)


def test_ch06_formulas_in_the_browser_equal_w2s_lib_at_many_settings(browser):  # noqa: F811
    doc = _doc(NAME)
    entry = registered_explorables()[NAME]
    explorable = entry.build()
    assert entry.rtol <= RTOL
    page = browser.open(doc).page
    settings = _settings(explorable)
    worst, worst_at, undefined = 0.0, None, 0
    try:
        for setting in settings:
            shown = _show(page, NAME, setting)
            # 1. the whole view, as the generic explorable tests compare it (Monte Carlo as the page stores it)
            want = dict(entry.expected(**setting))
            stored = setting["monte_carlo"] and stored_on_site(setting)
            if setting["monte_carlo"] and not stored:
                assert len(shown["mc_note"]) == 1 and not shown["mc"], setting
                assert not shown.get("mc_errors") and not shown.get("mc_key"), setting
                mc_layers = ("mc", "mc_note", "mc_errors", "mc_key")  # checked just above
                want = {k: v for k, v in want.items() if k not in mc_layers}
                shown = {k: v for k, v in shown.items() if k not in mc_layers}
            _compare(f"{doc} {NAME} at {setting}", shown, want, RTOL)
            # 2. every displayed risk, PGR and OPR against w2s_lib's numbers, directly
            p, _ = clamp_subspace_params(*(setting[k] for k in ("d_s", "d_w", "d_sw", "n", "N")))
            r = guarded_risks(p["d_s"], p["d_w"], p["d_sw"], p["n"], p["N"], float(setting["sigma2"]),
                              setting["target"])
            assert shown["clamped"][0]["d_sw"] == p["d_sw"] and shown["clamped"][0]["n"] == p["n"]
            risks = {row["model"]: row["risk"] for row in shown["risks"]}
            assert set(risks) == set(RISK_KEYS)
            everything_zero = max(r[k] for k in RISK_KEYS) <= 1e-12
            for k in RISK_KEYS:
                assert math.isfinite(risks[k])
                if abs(risks[k] - r[k]) <= 1e-12:  # round-off of exact zeros (as _compare's abs_tol)
                    continue
                rel = _rel(risks[k], r[k])
                if rel > worst:
                    worst, worst_at = rel, (setting, k)
            ratios = shown["ratios"][0]
            for key in ("pgr", "opr"):
                if r[key] is None or everything_zero:
                    assert not ratios[key + "_ok"], (setting, key, ratios)
                    assert "undefined" in ratios["text"], (setting, ratios["text"])
                    undefined += 1
                else:
                    assert isinstance(ratios[key], (int, float)) and math.isfinite(ratios[key]), (setting, key)
                    rel = _rel(ratios[key], r[key])
                    assert rel < RTOL or abs(ratios[key] - r[key]) < 1e-12, (setting, key, ratios[key], r[key])
                    if rel > worst and abs(ratios[key] - r[key]) >= 1e-12:
                        worst, worst_at = rel, (setting, key)
            assert "NaN" not in str(shown["ratios"][0].get("text", ""))
            assert worst < RTOL, (worst, worst_at)
    finally:  # leave the page as a reader finds it
        _show(page, NAME, explorable.defaults)
    print(f"\n{NAME}: {len(settings)} settings, worst relative error {worst:.2e} at {worst_at}; "
          f"{undefined} undefined ratios")
    assert len(settings) >= 200
