"""The form every chapter shares (DESIGN.md, "Each chapter, as a textbook chapter").

Numbered results with proofs (sphinx-proof), exercises with hidden solutions
(sphinx-exercise), numbers in prose glued from the computation, one library alias, one
notation, references instead of typed chapter numbers. Every chapter of Parts I-III is
checked, including chapters added later (by glob).
"""

from __future__ import annotations

import re
from pathlib import Path

import nbformat
import pytest

ROOT = Path(__file__).resolve().parents[1]
CHAPTERS = sorted(p for p in (ROOT / "chapters").glob("0*.ipynb"))
RESULT = re.compile(r"^:::\{prf:(theorem|proposition|lemma|corollary)\}", re.M)
PROOF = re.compile(r"^:::\{prf:proof\}", re.M)
EXERCISE = re.compile(r"^:::\{exercise\}\n:label: ([\w-]+)", re.M)
SOLUTION = re.compile(r"^:::\{solution\} ([\w-]+)\n:class: dropdown", re.M)


def _markdown(path):
    return "\n\n".join(c.source for c in nbformat.read(path, 4).cells if c.cell_type == "markdown")


def _code(path):
    return "\n\n".join(c.source for c in nbformat.read(path, 4).cells if c.cell_type == "code")


def test_every_chapter_of_the_toc_is_checked():
    assert len(CHAPTERS) >= 9, [p.name for p in CHAPTERS]


@pytest.mark.parametrize("path", CHAPTERS, ids=lambda p: p.stem)
def test_chapter_states_at_least_two_numbered_results_each_with_a_proof(path):
    md = _markdown(path)
    results, proofs = len(RESULT.findall(md)), len(PROOF.findall(md))
    assert results >= 2, f"{path.name}: {results} numbered results"
    assert proofs >= results, f"{path.name}: {results} results but {proofs} proofs"


@pytest.mark.parametrize("path", CHAPTERS, ids=lambda p: p.stem)
def test_chapter_has_three_exercises_whose_solutions_are_hidden(path):
    md = _markdown(path)
    exercises = EXERCISE.findall(md)
    solved = set(SOLUTION.findall(md))
    assert len(exercises) >= 3, f"{path.name}: {len(exercises)} exercises"
    assert set(exercises) <= solved, f"{path.name}: exercises without a hidden solution: {set(exercises) - solved}"
    assert "**Exercise" not in md, f"{path.name}: an exercise outside sphinx-exercise"


@pytest.mark.parametrize("path", CHAPTERS, ids=lambda p: p.stem)
def test_every_glued_number_in_the_prose_is_computed_in_the_chapter(path):
    used = set(re.findall(r"\{glue:text\}`(\w+)", _markdown(path)))
    glued = set(re.findall(r"glue\(\s*f?\"([\w{}]+)\"", _code(path)))
    expanded = {g for g in glued if "{" not in g}
    patterns = [re.compile("^" + re.sub(r"\{\w+\}", r"\\w+", g) + "$") for g in glued if "{" in g]
    missing = {u for u in used if u not in expanded and not any(p.match(u) for p in patterns)}
    assert not missing, f"{path.name}: prose uses glue names that no cell computes: {missing}"
    prefix = path.stem[:2]
    assert all(u.startswith(f"ch{prefix}_") for u in used), f"{path.name}: glue names must start with ch{prefix}_"


@pytest.mark.parametrize("path", CHAPTERS, ids=lambda p: p.stem)
def test_one_alias_one_notation_and_references_not_typed_chapter_numbers(path):
    code, md = _code(path), _markdown(path)
    assert "import w2s_lib as L" not in code
    assert not re.search(r"\bN\(d, ?k\)|\bN\(d, ?2\)", md), f"{path.name}: the harmonic count is h(d,k)"
    typed = re.findall(r"(?<![<`])\b(?:Chapter|chapter) [1-9]\b(?![^`]*>`)", md)
    assert not typed, f"{path.name}: typed chapter numbers {typed}; use {{doc}} references"


@pytest.mark.parametrize("path", sorted((ROOT / "chapters").glob("*.ipynb")), ids=lambda p: p.stem)
def test_references_resolve_inside_the_notebook_so_jupyterlab_can_render_them(path):
    """{ref}/{prf:ref}/{numref} targets are labels of the same notebook; another chapter is a {doc} link.

    jupyterlab-myst resolves references only inside one notebook and logs a console error for any
    other target (the site would resolve it, so only this test and the JupyterLab test notice)."""
    nb = nbformat.read(path, as_version=4)
    md = "\n".join(c.source for c in nb.cells if c.cell_type == "markdown")
    labels = set(re.findall(r"^\(([\w:-]+)\)=", md, re.M)) | set(re.findall(r"^:label:\s*(\S+)", md, re.M))
    refs = re.findall(r"\{(?:ref|prf:ref|numref|eq)\}`(?:[^`<]*<)?([^`>]+)>?`", md)
    foreign = sorted({r for r in refs if r not in labels})
    assert not foreign, f"{path.name}: references to labels of other documents (use {{doc}}): {foreign}"


_API_ROLE = re.compile(r"\{py:(func|class)\}`([^`]+)`")


@pytest.mark.parametrize("path", [p for p in CHAPTERS if p.name[:2] in {f"{i:02d}" for i in range(1, 10)}],
                         ids=lambda p: p.stem)
def test_chapter_links_its_formulas_to_the_library_reference(path):
    """Chapters 1-9 name the w2s_lib functions that compute their formulas, as links into the
    library reference (appendix/api.md): each target exists, in a module that page documents,
    and is written as a full dotted path with no title (JupyterLab's MyST shows a titled role raw)."""
    import importlib

    documented = set(re.findall(r"automodule:: (w2s_lib\.\w+)", (ROOT / "appendix" / "api.md").read_text()))
    targets = [m.group(2) for m in _API_ROLE.finditer(_markdown(path))]
    assert targets, f"{path.name}: no {{py:func}} link to the library reference"
    for target in targets:
        assert "<" not in target, f"{path.name}: titled role {target!r}"
        module, _, name = target.rpartition(".")
        assert module in documented, f"{path.name}: {target} is not in a module the reference documents"
        assert hasattr(importlib.import_module(module), name), f"{path.name}: {target} does not exist"
