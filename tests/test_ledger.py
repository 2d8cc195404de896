"""The reproducibility ledger: every claim passes, and a failing claim is reported as one."""

import dataclasses
import json
import pathlib

import pytest
import yaml

from w2s_lib import ledger

ROOT = pathlib.Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def results():
    return ledger.run_ledger()


def test_every_claim_of_the_book_passes(results):
    failing = [f"{r.id}: {r.quantity} = {r.value:.3g}, needs {r.op} {r.threshold:.3g}" for r in results if not r.passed]
    assert not failing, "failing claims:\n" + "\n".join(failing)


def test_ledger_covers_both_papers_with_unique_ids(results):
    ids = [r.id for r in results]
    assert len(ids) == len(set(ids)) >= 14
    assert sum(i.startswith("A") for i in ids) >= 8 and sum(i.startswith("B") for i in ids) >= 6


def test_every_measured_value_is_finite(results):
    import math

    assert all(math.isfinite(r.value) for r in results)


def _broken(claim):
    """The same claim with its threshold moved past the measured value."""
    value = claim.measure()
    return dataclasses.replace(claim, op="<", threshold=value - 1.0)


def test_cli_exits_nonzero_and_marks_fail_when_a_claim_fails(monkeypatch, capsys):
    broken = _broken(ledger.CLAIMS[0])
    monkeypatch.setattr(ledger, "CLAIMS", (broken, ledger.CLAIMS[1]))
    assert ledger.main([]) == 1
    out = capsys.readouterr().out
    assert "FAIL" in out and "1 of 2 claims pass" in out


def test_cli_json_lists_every_claim(monkeypatch, capsys):
    monkeypatch.setattr(ledger, "CLAIMS", ledger.CLAIMS[:3])
    assert ledger.main(["--json"]) == 0
    rows = json.loads(capsys.readouterr().out)
    assert [r["id"] for r in rows] == [c.id for c in ledger.CLAIMS[:3]]
    assert all(r["passed"] for r in rows)


def test_markdown_table_has_six_cells_in_every_row_and_a_header_over_each(results):
    import re

    for row in ledger.markdown_table(results).splitlines():
        cells = re.split(r"(?<!\\)\|", row)[1:-1]  # unescaped pipes delimit cells
        assert len(cells) == 6, row
    header = re.split(r"(?<!\\)\|", ledger.markdown_table(results).splitlines()[0])[1:-1]
    assert all(c.strip() for c in header), f"every column has a header (axe: empty-table-header): {header}"


def test_each_claim_links_to_a_chapter_in_the_toc():
    toc = yaml.safe_load((ROOT / "_toc.yml").read_text())
    files = {e["file"] for part in toc["parts"] for e in part["chapters"]}
    missing = sorted({c.chapter for c in ledger.CLAIMS} - files)
    assert not missing, f"ledger links to chapters not in the toc: {missing}"


def test_every_claim_has_a_kind_and_paper_claims_say_where(results):
    for r in results:
        assert r.kind in ("paper", "derived", "measured"), r.id
        if r.kind == "paper":
            assert r.where.startswith(("[RF]", "[ID]")), r.id


def test_margin_is_positive_exactly_when_the_claim_passes(results):
    for r in results:
        assert (r.margin > 0 or (r.margin == 0 and r.op in ("<=", ">="))) == r.passed, r.id
    assert ledger.claim_margin(3.0, ">", 1.0) == 2.0 and ledger.claim_margin(3.0, "<", 1.0) == -2.0
    with pytest.raises(ValueError, match="op"):
        ledger.claim_margin(1.0, "==", 1.0)


def test_cli_json_gives_kind_and_margin(monkeypatch, capsys):
    monkeypatch.setattr(ledger, "CLAIMS", ledger.CLAIMS[:2])
    ledger.main(["--json"])
    rows = json.loads(capsys.readouterr().out)
    assert all({"kind", "where", "margin"} <= set(r) for r in rows)


@pytest.mark.parametrize("d_s,d_w,d_sw,n,N,sigma2", [(10, 20, 5, 100, 200, 1.0), (6, 15, 2, 40, 30, 0.3),
                                                     (12, 8, 7, 60, 500, 2.5), (3, 9, 1, 25, 11, 1.0)])
def test_crossover_energy_is_where_the_exact_risks_of_teacher_and_student_tie(d_s, d_w, d_sw, n, N, sigma2):
    """B4a's E*: with theta inside V_w and energy E* on V_w minus V_s, ER_w = ER_w2s exactly; below it the
    student wins, above it the teacher does (the exact formulas, not the crossover's own algebra)."""
    from w2s_lib.subspace import make_theta, subspace_risks

    from w2s_lib.subspace import crossover_energy

    e_star = crossover_energy(d_s, d_w, d_sw, n, N, sigma2)
    assert e_star > 0
    for f, sign in ((1.0, 0), (0.8, 1), (1.25, -1)):
        r = subspace_risks(d_s, d_w, d_sw, n, N, sigma2, make_theta(d_s, d_w, d_sw, shared=1.0, w_only=f * e_star))
        gain = r["weak"] - r["w2s"]
        if sign == 0:
            assert gain == pytest.approx(0.0, abs=1e-12 * r["weak"])
        else:
            assert sign * gain > 0


@pytest.mark.parametrize("d_s,d_w,n,N", [(10, 20, 100, 200), (5, 12, 60, 400), (8, 30, 200, 1000)])
def test_crossover_overlap_is_where_the_exact_risks_of_ceiling_and_student_tie(d_s, d_w, n, N):
    """B5's d_sw*: with theta = 0, ER_c = ER_w2s exactly at the (real) overlap d_sw* (energy form,
    which accepts a real d_sw), and the student beats the ceiling just below it."""
    from w2s_lib.subspace import subspace_risks_from_energies

    from w2s_lib.subspace import crossover_overlap

    d_star = crossover_overlap(d_s, d_w, n, N)
    assert 0 < d_star < min(d_s, d_w)
    zero = dict(rho_s=0.0, rho_w=0.0, bias=0.0, delta=0.0, ratios=False)
    at = subspace_risks_from_energies(d_s, d_w, d_star, n, N, 1.0, **zero)
    assert at["w2s"] == pytest.approx(at["strong_ceiling"], rel=1e-12)
    below = subspace_risks_from_energies(d_s, d_w, 0.9 * d_star, n, N, 1.0, **zero)
    assert below["w2s"] < below["strong_ceiling"]
