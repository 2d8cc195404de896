"""Chapter 8's explorable (``ch08:trained``): the trained networks' probes, with a kernel too.

The generic kernel tests (``test_explorables_live.py``) move each control off the grid
through its widget; here: the site's grid and the kernel's reach are those the experiment
allows, the page's data are :func:`w2s_lib.trained_features.trained_point` (and equal a
fresh :func:`~w2s_lib.trained_features.trained_w2s` run, so the cache is sound), the exact
formula exists everywhere the kernel reaches, and a setting off the grid draws the PGR curve
over the grid's N and the chosen one.
"""

from __future__ import annotations

import math

import pytest
from spec_emulator import same_records, shown

from w2s_lib.explorables import trained_networks as X8
from w2s_lib.explorables.live import LiveExplorable
from w2s_lib.subspace import RISK_KEYS
from w2s_lib.trained_features import CH8, trained_point, trained_representations, trained_w2s


@pytest.fixture(scope="module")
def ch08():
    return X8.ENTRY.build()


def test_controls_keep_the_sites_grid_and_reach_what_the_experiment_allows(ch08):
    c = ch08.control
    assert c["N"].values == X8.N_GRID and c["sigma2"].values == X8.SIGMA2_GRID
    assert ch08.defaults == {"N": CH8["N"], "sigma2": CH8["sigma2"]}
    rep = trained_representations(CH8["threshold"], CH8["digit"])
    m = rep["y"].size
    assert c["N"].reach == (X8.N_REACH[0], m - CH8["n"] - CH8["n_test"])
    assert X8.N_REACH[0] > rep["d_s"] + 1  # the exact formula exists everywhere the kernel reaches
    trained_point(CH8["n"], X8.N_REACH[1], 0.0)  # the largest N runs
    with pytest.raises(ValueError, match="n \\+ N \\+ n_test"):
        trained_w2s(**{**CH8, "N": X8.N_REACH[1] + 1})
    with pytest.raises(ValueError, match="N must lie in"):
        X8.trained_expected(N=X8.N_REACH[1] + 1)


@pytest.mark.parametrize("setting", [dict(N=100, sigma2=0.0), dict(N=400, sigma2=2.0), dict(N=550, sigma2=4.0)])
def test_the_pages_figure_is_the_experiment(ch08, setting):
    want = X8.trained_expected(**setting)  # fresh runs of trained_w2s
    for layer, rows in want.items():
        same_records(f"{setting} {layer}", shown(ch08.spec, layer, setting), rows, rtol=1e-6)
    p = trained_point(CH8["n"], setting["N"], setting["sigma2"])
    assert {r["model"]: r["risk"] for r in want["risks"]} == {k: p[k] for k in RISK_KEYS}
    assert len(want["theory"]) == 4 and len(want["pgr_theory"]) == len(X8.N_GRID)


def test_a_kernel_setting_off_the_grid_reruns_the_probes():
    live = LiveExplorable("ch08:trained")
    live.widgets["N"].value = 250  # as a reader's drag does
    live.widgets["sigma2"].value = 3.3
    assert not live.error
    setting = live.setting()
    assert setting == {"N": 250, "sigma2": 3.3}
    points = shown(live.figure.spec, "pgr_points", setting)
    assert sorted(r["N"] for r in points) == sorted({250, *X8.N_GRID})
    fresh = trained_w2s(**{**CH8, "N": 250, "sigma2": 3.3})
    (chosen,) = shown(live.figure.spec, "chosen", setting)
    assert math.isclose(chosen["pgr"], fresh["pgr"], rel_tol=1e-6)
    (readout,) = shown(live.figure.spec, "readout", setting)
    assert math.isclose(readout["opr"], fresh["opr"], rel_tol=1e-6)
