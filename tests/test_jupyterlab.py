"""The README's local kernel path, as a reader takes it: JupyterLab, offline, in Chromium.

The README's command (``<!-- ci:lab -->``) is started headless (``lab_session``). Then:

* every chapter opens **without running**: its stored explorable draws (JupyterLab's own
  Vega renders the Vega-Lite output, the live widget's model being absent), its MyST renders
  (an admonition as an aside, a dropdown solution as a closed ``<details>``, no raw
  ``:class:`` option or ``{doc}`` role left in the text), with no console error and no
  request to another host;
* chapter 1 **runs**: its kernel controls appear above a live figure; typing a width off
  the page's grid redraws the figure, and the data the live Vega view now holds equal
  ``w2s_lib``'s at that setting.

Like the site's browser tests, it skips outside CI when Chromium or Playwright is missing,
and fails under ``CI=true``.
"""

from __future__ import annotations

import json
import math
import os
import pathlib

import pytest

from lab_session import CHROMIUM, LabPage, browser_context, jupyterlab, readme_lab_command

ROOT = pathlib.Path(__file__).resolve().parents[1]
NOTEBOOKS = sorted(p.name for p in (ROOT / "chapters").glob("*.ipynb"))


def _unavailable(reason):
    if os.environ.get("CI") == "true":
        pytest.fail(f"CI=true but the JupyterLab tests cannot run: {reason}", pytrace=False)
    pytest.skip(reason)


@pytest.fixture(scope="module")
def lab():
    if not CHROMIUM.exists():
        _unavailable(f"{CHROMIUM} not found: `apt-get install -y chromium chromium-driver`")
    try:
        import playwright  # noqa: F401
    except ImportError:
        _unavailable("the playwright package is missing: `pip install -r requirements.txt`")
    with jupyterlab() as url, browser_context() as context:
        yield url, context


def test_the_readme_command_is_jupyterlab_on_the_chapters():
    assert readme_lab_command() == ["jupyter", "lab", "chapters/"]


def _explorable_outputs(notebook):
    nb = json.loads((ROOT / "chapters" / notebook).read_text())
    return [o for c in nb["cells"] if c["cell_type"] == "code" for o in c.get("outputs", [])
            if "application/vnd.vegalite.v5+json" in o.get("data", {})]


@pytest.mark.parametrize("notebook", NOTEBOOKS)
def test_a_chapter_opens_offline_with_its_figures_and_its_myst_rendered(lab, notebook):
    url, context = lab
    before = len(context.external)
    page = LabPage(context, url, notebook)
    try:
        p = page.page
        n_fig = len(_explorable_outputs(notebook))
        if n_fig:
            p.wait_for_selector(".jp-RenderedVegaLite canvas", timeout=60_000)
            assert p.locator(".jp-RenderedVegaLite canvas").count() == n_fig
        src = (ROOT / "chapters" / notebook).read_text()
        if ":class: dropdown" in src:  # jupyterlab-myst renders markdown cells asynchronously
            # dropdown admonitions render as details.myst-admonition, sphinx-exercise solutions as
            # details.myst-exercise
            p.wait_for_function("document.querySelectorAll('details.myst-admonition, details.myst-exercise').length > 0",
                                timeout=30_000)
        text = p.locator(".jp-Notebook").inner_text()
        for raw in (":class:", "```{", ":::{", "{doc}`", "{cite}`", "{ref}`", "{prf:ref}`", "{glue:text}`", "{admonition}"):
            assert raw not in text, f"{notebook}: MyST not rendered, {raw!r} shows as text"
        if "{admonition}" in src or ":::{" in src or "```{" in src:
            assert p.locator(".myst-admonition").count() > 0, f"{notebook}: no admonition rendered"
        if ":class: dropdown" in src:
            closed = p.evaluate("() => Array.from(document.querySelectorAll('details.myst-admonition, details.myst-exercise'))"
                                ".filter(d => !d.open).length")
            assert closed > 0, f"{notebook}: dropdown solutions are not hidden"
        assert not page.console_errors, f"{notebook}: console errors {page.console_errors}"
        assert len(context.external) == before, f"{notebook}: requests to other hosts {context.external[before:]}"
    finally:
        page.page.close()


def test_chapter_1_runs_and_its_kernel_controls_move_the_figure_off_the_grid(lab):
    from w2s_lib.explorables.kernel import M_GRID, kernel_expected

    url, context = lab
    before = len(context.external)
    page = LabPage(context, url, "01_setup.ipynb")
    try:
        page.run_all()
        assert page.live_figures() == 1
        M = 300
        assert M not in M_GRID
        ms = page.set_control("features M", M)
        assert ms > 0
        gaps = page.view_data("gaps")
        assert [(g["d"], g["M"]) for g in gaps] == [(8, M)]
        want = kernel_expected(d=8, M=M)
        assert math.isclose(gaps[0]["gap"], want["readout"][0]["gap"], rel_tol=1e-6)
        finite = page.view_data("finite")
        assert len(finite) == 1 and finite[0]["M"] == M
        got = finite[0]["kernel"]
        assert len(got) == len(want["finite"])
        assert all(math.isclose(g, w["kernel"], rel_tol=1e-6, abs_tol=1e-12) for g, w in zip(got, want["finite"]))
        # the dimension too, off the grid (d = 5 is not a radio option on the site)
        page.set_control("dimension d", 5)
        limit = page.view_data("limit")
        assert {r["d"] for r in limit} == {5}
        assert not page.console_errors, page.console_errors
        assert len(context.external) == before, context.external[before:]
    finally:
        page.page.close()
