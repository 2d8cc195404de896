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


def test_markdown_table_has_six_cells_in_every_row(results):
    import re

    for row in ledger.markdown_table(results).splitlines():
        cells = re.split(r"(?<!\\)\|", row)[1:-1]  # unescaped pipes delimit cells
        assert len(cells) == 6, row


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
