"""The built HTML site, tested the way a reader uses it: in headless Chromium, with no network.

The site in ``_build/html`` (build it with the README's build command first) is served on
127.0.0.1 and opened in the Debian ``chromium`` package through Playwright's Python package.
Every request to another host is blocked, so these tests also prove the book works offline.
The tests are generic: they cover every page listed in ``_toc.yml`` and apply the chapter
checks to every page under ``chapters/``.

Outside CI the module skips when Chromium, Playwright or the built site is missing; with
``CI=true`` those skips become failures. Screenshots land in ``_build/screenshots/``.
"""

from __future__ import annotations

import functools
import http.server
import os
import pathlib
import re
import shutil
import tempfile
import threading
import urllib.parse

import numpy as np
import pytest
import yaml

ROOT = pathlib.Path(__file__).resolve().parents[1]
# W2S_SITE_DIR tests another build of the book (e.g. `--path-output` of a scratch build).
SITE = pathlib.Path(os.environ.get("W2S_SITE_DIR", ROOT / "_build" / "html"))
SCREENSHOTS = ROOT / "_build" / "screenshots"
CHROMIUM = pathlib.Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]
# No page may ask another host for anything, not even the ipywidgets manager: the site
# carries no widget state; its interactive figures are explorables, drawn by the site's
# own copy of Vega.
ALLOWED_THIRD_PARTY: tuple = ()
# Known culprits, so a failure says where to fix it.
THIRD_PARTY_HINTS = {
    "require": "myst-nb loads require.js for embedded widget state: keep nb_ipywidgets_js: {} in "
               "_config.yml and tag live-widget cells remove-output",
    "html-manager": "myst-nb loads the ipywidgets manager for embedded widget state: keep "
                    "nb_ipywidgets_js: {} in _config.yml",
    "thebe": "sphinx-thebe loads thebe from unpkg: keep launch_buttons.thebe false",
    "vega": "Vega must come from the site's _static/vendor/vega (w2s_lib/explorables/static), "
            "never a CDN: do not use Altair's default renderers",
}
WIDGET_VIEW = 'script[type="application/vnd.jupyter.widget-view+json"]'
EXPLORABLE = ".w2s-explorable"
# axe-core, the npm package pinned in js/package.json, vendored (one file, with its licence) so
# that the tests need no Node.js: scripts/vendor_js.sh refreshes it.
AXE = ROOT / "tests" / "vendor" / "axe-core" / "axe.min.js"
#: The rules axe checks: WCAG 2.0/2.1/2.2 levels A and AA, and axe's best practices.
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22a", "wcag22aa", "best-practice"]
SEARCH_TERM = "teacher"  # a word the landing page is built around


# --------------------------------------------------------------------------- the pages
def _toc_docs() -> list[str]:
    """Every document named in _toc.yml (root first), as paths without suffix."""
    toc = yaml.safe_load((ROOT / "_toc.yml").read_text())
    docs = [toc["root"]]

    def walk(node):
        if isinstance(node, dict):
            if "file" in node:
                docs.append(node["file"])
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for item in node:
                walk(item)

    walk({k: v for k, v in toc.items() if k != "root"})
    return [re.sub(r"\.(md|ipynb)$", "", d) for d in docs]


def _source(doc: str) -> pathlib.Path | None:
    for ext in (".md", ".ipynb"):
        if (ROOT / f"{doc}{ext}").exists():
            return ROOT / f"{doc}{ext}"
    return None


PAGES = [d for d in _toc_docs() if _source(d) is not None]
CHAPTERS = [d for d in PAGES if d.startswith("chapters/")]


def _story_chapters() -> list[str]:
    """Chapters of the parts that tell the story ("Part ..."), not the appendix."""
    toc = yaml.safe_load((ROOT / "_toc.yml").read_text())
    return [re.sub(r"\.(md|ipynb)$", "", e["file"]) for part in toc.get("parts", [])
            if part.get("caption", "").startswith("Part") for e in part["chapters"]]


#: Every story chapter shows figures; the ledger (appendix) is a table, tested as one.
FIGURE_CHAPTERS = [d for d in _story_chapters() if d in CHAPTERS]
LEDGER_PAGE = "chapters/10_ledger"
SCREENSHOT_PAGES = [PAGES[0]] + CHAPTERS


def _repository() -> tuple[str, str, str]:
    """(owner/name, branch, path_to_book) from _config.yml's repository section."""
    repo = yaml.safe_load((ROOT / "_config.yml").read_text()).get("repository", {})
    url = repo["url"].rstrip("/")
    slug = urllib.parse.urlparse(url).path.strip("/")
    slug = slug[:-4] if slug.endswith(".git") else slug
    return slug, repo.get("branch", "main"), (repo.get("path_to_book") or "").strip("/")


# --------------------------------------------------------------------------- fixtures
def _unavailable(reason: str):
    """Skip, or fail under CI=true: a browser test that silently skips in CI tests nothing."""
    if os.environ.get("CI") == "true":
        pytest.fail(f"CI=true but the browser tests cannot run: {reason}", pytrace=False)
    pytest.skip(reason)


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):  # keep pytest output clean
        pass


@pytest.fixture(scope="module")
def site_url():
    """The built site served on a free localhost port while this module runs."""
    if not (SITE / "index.html").exists():
        _unavailable(
            f"no built site at {SITE}: build it first with "
            "`pip install -r requirements.txt && jupyter-book build -W --keep-going .`"
        )
    handler = functools.partial(_QuietHandler, directory=str(SITE))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, name="site-server", daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/"
    finally:
        server.shutdown()
        server.server_close()


class _Visit:
    """One page opened in the browser, with everything it logged and requested."""

    def __init__(self, page, url):
        self.page = page
        self.url = url
        self.status = None
        self.console_errors: list[str] = []   # every console error, unfiltered
        self.page_errors: list[str] = []      # uncaught exceptions in the page
        self.third_party: list[str] = []      # blocked requests to other hosts
        self.local_failures: list[str] = []   # localhost requests that failed or were >= 400


@pytest.fixture(scope="module")
def browser(site_url):
    """A fresh headless Chromium profile with every non-localhost request blocked."""
    if not CHROMIUM.exists():
        _unavailable(
            f"{CHROMIUM} not found: install it with "
            "`apt-get install -y chromium chromium-driver` (Debian packages, as root)"
        )
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        _unavailable("the playwright package is missing: `pip install -r requirements.txt`")

    profile = tempfile.mkdtemp(prefix="w2s-chromium-")
    with sync_playwright() as pw:
        context = pw.chromium.launch_persistent_context(
            profile,
            executable_path=str(CHROMIUM),
            headless=True,
            args=CHROMIUM_ARGS,
            viewport={"width": 1280, "height": 900},
            service_workers="block",
        )
        context.set_default_timeout(15_000)
        visits: dict[str, _Visit] = {}
        by_page: dict[int, _Visit] = {}

        def route(r):
            url = r.request.url
            if url.startswith(site_url) or url.startswith("data:"):
                r.continue_()
                return
            try:
                visit = by_page.get(id(r.request.frame.page))
            except Exception:  # a request without a frame (none expected)
                visit = None
            if visit is not None:
                visit.third_party.append(url)
            r.abort("internetdisconnected")

        context.route("**/*", route)
        try:
            yield _Browser(context, site_url, visits, by_page)
        finally:
            context.close()
            shutil.rmtree(profile, ignore_errors=True)


class _Browser:
    def __init__(self, context, base, visits, by_page):
        self.context, self.base, self.visits, self.by_page = context, base, visits, by_page

    def open(self, doc: str) -> _Visit:
        """Open ``doc`` once (cached), wait for the explorables to be drawn."""
        if doc in self.visits:
            return self.visits[doc]
        page = self.context.new_page()
        visit = _Visit(page, self.base + doc + ".html")
        self.visits[doc] = visit
        self.by_page[id(page)] = visit
        base = self.base

        def on_console(msg):  # every console error counts, whoever logged it
            if msg.type != "error":
                return
            where = (msg.location or {}).get("url", "") or visit.url
            visit.console_errors.append(f"{msg.text} (at {where})")

        def on_response(resp):
            if resp.url.startswith(base) and resp.status >= 400:
                visit.local_failures.append(f"{resp.status} {resp.url}")

        def on_failed(req):
            if req.url.startswith(base):
                visit.local_failures.append(f"{req.failure} {req.url}")

        page.on("console", on_console)
        page.on("pageerror", lambda exc: visit.page_errors.append(str(exc)))
        page.on("response", on_response)
        page.on("requestfailed", on_failed)
        response = page.goto(visit.url, wait_until="load")
        visit.status = response.status if response else None
        if page.locator(EXPLORABLE).count():
            try:  # explorable.js draws every explorable after load
                page.wait_for_function("() => window.w2sExplorables && window.w2sExplorables.ready")
                page.evaluate("() => window.w2sExplorables.ready.then(() => true)")
            except Exception as exc:  # reported by the explorable tests
                visit.page_errors.append(f"explorables did not draw: {str(exc).splitlines()[0]}")
        return visit


# --------------------------------------------------------------------------- every page
@pytest.mark.parametrize("doc", PAGES)
def test_page_loads_without_console_errors(browser, doc):
    visit = browser.open(doc)
    assert visit.status == 200, f"{visit.url} returned HTTP {visit.status}"
    problems = visit.console_errors + [f"uncaught: {e}" for e in visit.page_errors]
    problems += [f"failed request: {f}" for f in visit.local_failures]
    assert not problems, f"{doc}: JavaScript console errors:\n" + "\n".join(problems)


@pytest.mark.parametrize("doc", PAGES)
def test_page_needs_no_third_party_host(browser, doc):
    """Offline readers get the whole page: nothing may come from another host."""
    visit = browser.open(doc)
    extra = sorted({u for u in visit.third_party if not any(p.match(u) for p in ALLOWED_THIRD_PARTY)})
    hints = sorted({h for u in extra for key, h in THIRD_PARTY_HINTS.items() if key in u})
    assert not extra, (
        f"{doc} requests resources from third-party hosts (blocked here, as for an offline "
        "reader):\n" + "\n".join(extra + [f"hint: {h}" for h in hints])
    )


# JavaScript: visible text outside code, scripts and typeset math.
_VISIBLE_PROSE = """() => {
  const skip = 'script, style, pre, code, .katex, .highlight, .w2s-explorable, textarea';
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  const out = [];
  for (let n = walker.nextNode(); n; n = walker.nextNode()) {
    const el = n.parentElement;
    if (!el || el.closest(skip)) continue;
    if (!el.getClientRects().length) continue;   // not rendered (display:none, hidden)
    out.push(n.textContent);
  }
  return out.join(' ');
}"""

_RAW_MATH = [
    (re.compile(r"\$\$.+?\$\$", re.S), "$$...$$"),
    (re.compile(r"(?<![\\$])\$(?=\S)[^$\n]{1,200}?(?<=\S)\$(?!\d)"), "$...$"),
    (re.compile(r"\\\(.+?\\\)", re.S), r"\(...\)"),
    (re.compile(r"\\\[.+?\\\]", re.S), r"\[...\]"),
]


@pytest.mark.parametrize("doc", PAGES)
def test_math_is_typeset_at_build_time(browser, doc):
    """Every formula arrives typeset (KaTeX at build time): its HTML, the MathML screen readers
    read, no KaTeX error, no math script, the stylesheet and fonts from the site itself."""
    visit = browser.open(doc)
    page = visit.page
    srcs = page.eval_on_selector_all("script[src]", "els => els.map(e => e.src)")
    math_js = [s for s in srcs if re.search(r"mathjax|katex", s, re.I)]
    assert not math_js, f"{doc}: formulas are typeset at build time, yet the page loads {math_js}"
    n_math = page.locator(".math").count()
    if n_math:
        css = page.eval_on_selector_all("link[rel=stylesheet]", "els => els.map(e => e.href)")
        assert any(h.startswith(browser.base + "_static/katex/katex.min.css") for h in css), (
            f"{doc}: {n_math} formulas but KaTeX's stylesheet is not linked from the site's _static/")
        untypeset = page.eval_on_selector_all(
            ".math", "els => els.filter(e => !e.querySelector('.katex .katex-html')).map(e => e.textContent)")
        assert not untypeset, f"{doc}: {len(untypeset)} of {n_math} math elements not typeset: {untypeset[:5]}"
        errors = page.eval_on_selector_all(".katex-error", "els => els.map(e => e.title || e.textContent)")
        assert not errors, f"{doc}: KaTeX could not typeset {errors[:5]}"
        # ... and read by screen readers: each carries MathML, its drawing is hidden from them.
        unread = page.eval_on_selector_all(
            ".math", "els => els.filter(e => !e.querySelector('.katex-mathml math') || "
                     "e.querySelector('.katex-html:not([aria-hidden=true])')).length")
        assert not unread, f"{doc}: {unread} of {n_math} formulas have no MathML for screen readers"
        # The math fonts arrived (a formula drawn in a fallback font is unreadable).
        fonts = page.evaluate("""async () => { await document.fonts.ready;
            return [...document.fonts].filter(f => f.family.startsWith('KaTeX'))
                                      .map(f => [f.family, f.status]); }""")
        assert not [f for f in fonts if f[1] == "error"], f"{doc}: KaTeX fonts failed to load: {fonts}"
        displayed = page.locator("div.math")
        if displayed.count():
            # a wide displayed formula scrolls inside its div.math, which the keyboard reaches
            assert page.eval_on_selector_all("div.math", "els => els.filter(e => e.tabIndex !== 0).length") == 0
    prose = page.evaluate(_VISIBLE_PROSE)
    raw = [f"{label}: {m.group(0)[:80]!r}" for rx, label in _RAW_MATH for m in rx.finditer(prose)]
    assert not raw, f"{doc}: raw (untypeset) math left in the visible text:\n" + "\n".join(raw[:10])


_FONTS_DRAWN = """async () => {
    for (let y = 0; y < document.documentElement.scrollHeight; y += 400) {
        window.scrollTo(0, y);
        await new Promise(r => requestAnimationFrame(() => requestAnimationFrame(r)));
    }
    await document.fonts.ready;
    const name = (url) => url.split('?')[0].split('/').pop();
    return {fetched: performance.getEntriesByType('resource').map(e => e.name)
                       .filter(u => u.includes('/katex/fonts/')).map(name),
            preloaded: [...document.querySelectorAll('link[rel=preload][as=font]')].map(l => name(l.href))};
}"""


@pytest.mark.parametrize("doc", PAGES)
def test_math_fonts_preloaded_are_the_ones_the_page_draws(browser, doc):
    """A page preloads exactly the KaTeX fonts its formulas draw with (scrolled through, so
    every section is laid out), and fetches each once: a missing preload means a font found
    only at layout, and another layout when it arrives; an extra one, bytes for nothing."""
    page = browser.context.new_page()
    try:
        page.goto(browser.base + doc + ".html", wait_until="load")
        got = page.evaluate(_FONTS_DRAWN)
    finally:
        page.close()
    fetched, preloaded = got["fetched"], got["preloaded"]
    assert len(fetched) == len(set(fetched)), f"{doc}: a math font was fetched twice: {sorted(fetched)}"
    assert set(fetched) == set(preloaded), (
        f"{doc}: drawn but not preloaded {sorted(set(fetched) - set(preloaded))}; "
        f"preloaded but not drawn {sorted(set(preloaded) - set(fetched))}")


@pytest.mark.parametrize("doc", PAGES)
def test_references_resolve(browser, doc):
    page = browser.open(doc).page
    broken_xrefs = page.eval_on_selector_all(
        "article .xref", "els => els.filter(e => !e.closest('a[href]')).map(e => e.textContent)"
    )
    assert not broken_xrefs, f"{doc}: cross-references without a target: {broken_xrefs}"
    placeholders = re.findall(r"\[\?\]|\(\?\)|\?\?", page.evaluate(_VISIBLE_PROSE))
    assert not placeholders, f"{doc}: unresolved citation/reference placeholders: {placeholders}"
    # Every link to a place inside the site lands on an existing page and anchor.
    missing = page.evaluate(
        """async (base) => {
          const bad = [];
          const cache = {};
          for (const a of document.querySelectorAll('article a[href]')) {
            const url = new URL(a.getAttribute('href'), document.baseURI);
            if (!url.href.startsWith(base) || url.pathname.endsWith('.ipynb')) continue;
            const page = url.origin + url.pathname;
            let doc = page === location.origin + location.pathname ? document : cache[page];
            if (doc === undefined) {
              const r = await fetch(page);
              doc = cache[page] = r.ok ? new DOMParser().parseFromString(await r.text(), 'text/html') : null;
            }
            if (doc === null) { bad.push(a.getAttribute('href') + ' (page missing)'); continue; }
            const id = decodeURIComponent(url.hash.slice(1));
            if (id && !doc.getElementById(id)) bad.push(a.getAttribute('href') + ' (anchor missing)');
          }
          return bad;
        }""",
        browser.base,
    )
    assert not missing, f"{doc}: internal links to missing targets: {missing}"


@pytest.mark.parametrize("doc", PAGES)
def test_page_has_no_serious_or_critical_accessibility_violation(browser, doc):
    """axe-core on the page as a reader gets it (explorables drawn, math typeset)."""
    page = browser.open(doc).page
    if not page.evaluate("() => !!window.axe"):
        page.add_script_tag(content=AXE.read_text())
    violations = page.evaluate(
        """async (tags) => (await axe.run(document, {runOnly: {type: 'tag', values: tags},
                                                   resultTypes: ['violations']})).violations
             .map(v => ({id: v.id, impact: v.impact, help: v.help,
                         nodes: v.nodes.slice(0, 3).map(n => n.target.join(' '))}))""",
        AXE_TAGS)
    bad = [v for v in violations if v["impact"] in ("critical", "serious")]
    assert not bad, f"{doc}: axe-core finds serious or critical violations:\n" + "\n".join(
        f"{v['impact']} {v['id']} ({v['help']}): {v['nodes']}" for v in bad)


def test_page_has_a_description_for_search_engines(browser):
    for doc in PAGES:
        content = browser.open(doc).page.eval_on_selector(
            'meta[name="description"]', "e => e.getAttribute('content')")
        assert content and 50 <= len(content) <= 160, f"{doc}: description {content!r}"


def _bibliography_pages() -> list[str]:
    return [d for d in PAGES if re.search(r"[`:]\{bibliography\}", _source(d).read_text())]


def test_bibliography_lists_every_entry(browser):
    docs = _bibliography_pages()
    assert docs, "no page in _toc.yml holds a {bibliography} directive"
    n_bib = len(re.findall(r"^\s*@\w+\s*\{", (ROOT / "references.bib").read_text(), flags=re.M))
    for doc in docs:
        page = browser.open(doc).page
        entries = page.locator("article .citation").count()
        assert entries > 0, f"{doc}: the bibliography is empty"
        if ":all:" in _source(doc).read_text():
            assert entries == n_bib, f"{doc}: {entries} bibliography entries, references.bib has {n_bib}"


def test_search_finds_a_term_from_the_book(browser):
    page = browser.context.new_page()
    try:
        page.goto(f"{browser.base}search.html?q={SEARCH_TERM}", wait_until="load")
        page.wait_for_function(
            "() => document.querySelectorAll('#search-results ul.search li').length > 0 || "
            "/did not match|no documents/i.test((document.querySelector('#search-results') || {}).innerText || '')",
            timeout=20_000,
        )
        hits = page.locator("#search-results ul.search li a").all_inner_texts()
        assert hits, f"searching for {SEARCH_TERM!r} returned no page"
    finally:
        page.close()


# --------------------------------------------------------------------------- chapters
@pytest.mark.parametrize("doc", FIGURE_CHAPTERS)
def test_chapter_figures_are_present_and_loaded(browser, doc):
    page = browser.open(doc).page
    # Images load lazily (near the viewport); ask for every one now, and wait for it.
    page.evaluate("""async () => {
      for (const img of document.querySelectorAll('article img')) {
        if (img.complete && img.naturalWidth) continue;
        img.loading = 'eager';
        await new Promise(done => {
          if (img.complete && img.naturalWidth) return done();
          img.addEventListener('load', done, {once: true});
          img.addEventListener('error', done, {once: true});
          setTimeout(done, 10000);
        });
      }
    }""")
    images = page.eval_on_selector_all(
        "article img",
        """els => els.map(e => ({src: e.getAttribute('src') || '',
                                  ok: e.complete && e.naturalWidth > 0, output: !!e.closest('.cell_output')}))""",
    )
    broken = [i["src"][:80] for i in images if not i["ok"]]
    assert not broken, f"{doc}: images that did not load: {broken}"
    unsized = page.eval_on_selector_all(
        "article img", "els => els.filter(e => !(e.getAttribute('width') && e.getAttribute('height')))"
                       ".map(e => e.getAttribute('src'))")
    assert not unsized, f"{doc}: images without width and height (a layout shift as they load): {unsized}"
    figures = [i for i in images if i["output"]]
    assert figures, f"{doc}: no figure (image output of a code cell) on the page"


def test_story_chapters_are_found_in_the_toc():
    assert len(FIGURE_CHAPTERS) >= 7, FIGURE_CHAPTERS


@pytest.mark.skipif(LEDGER_PAGE not in CHAPTERS, reason="no ledger page in the toc")
def test_ledger_page_shows_every_claim_passing_with_working_chapter_links(browser):
    page = browser.open(LEDGER_PAGE).page
    rows = page.locator("article table tbody tr")
    from w2s_lib.ledger import CLAIMS

    assert rows.count() == len(CLAIMS), f"ledger table has {rows.count()} rows, {len(CLAIMS)} claims"
    texts = rows.all_inner_texts()
    assert all("pass" in t and "FAIL" not in t for t in texts), [t[:60] for t in texts if "pass" not in t]
    # the values: each row's id, measured number and threshold equal a fresh run of the ledger
    from w2s_lib.ledger import format_value, run_ledger

    cells = [rows.nth(i).locator("td").all_inner_texts() for i in range(rows.count())]
    shown = {c[0].split()[0]: c for c in cells}
    for r in run_ledger():
        assert r.id in shown, f"claim {r.id} is not on the ledger page"
        value = format_value(r.value)
        want = "< 1e-9" if value.startswith("|x|") else f"= {value}"
        assert want in shown[r.id][3], f"{r.id}: page shows {shown[r.id][3]!r}, the ledger measures {value}"
        assert f"{r.op} {r.threshold:.3g}" in shown[r.id][4], f"{r.id}: threshold {shown[r.id][4]!r}"
    hrefs = page.eval_on_selector_all("article table tbody tr a.reference.internal", "els => els.map(e => e.getAttribute('href'))")
    assert len(hrefs) >= len(CLAIMS) and all(h.split("#")[0].endswith(".html") for h in hrefs), hrefs[:5]


@pytest.mark.parametrize("doc", CHAPTERS)
def test_chapter_launch_buttons_point_at_the_notebook(browser, doc):
    page = browser.open(doc).page
    slug, branch, book_path = _repository()
    nb_path = "/".join(p for p in (book_path, f"{doc}.ipynb") if p)
    hrefs = page.eval_on_selector_all(".dropdown-launch-buttons a[href]", "els => els.map(e => e.href)")
    binder = [h for h in hrefs if "mybinder.org" in h]
    colab = [h for h in hrefs if "colab.research.google.com" in h]
    assert binder and colab, f"{doc}: launch menu lacks Binder or Colab: {hrefs}"
    b = urllib.parse.urlparse(binder[0])
    assert b.path == f"/v2/gh/{slug}/{branch}", binder[0]
    assert urllib.parse.parse_qs(b.query).get("urlpath", [""])[0].endswith(f"/tree/{nb_path}"), binder[0]
    assert colab[0] == f"https://colab.research.google.com/github/{slug}/blob/{branch}/{nb_path}", colab[0]


@pytest.mark.parametrize("doc", SCREENSHOT_PAGES)
def test_screenshot_for_a_person_to_look_at(browser, doc):
    page = browser.open(doc).page
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOTS / (doc.replace("/", "__") + ".png")
    page.evaluate("() => window.scrollTo(0, 0)")
    page.screenshot(path=str(path), full_page=True)
    # Not blank and not cut: the image spans the whole page, and a real share of it is ink
    # (text, formulas, figures), in more than a handful of colours.
    import matplotlib.image

    img = matplotlib.image.imread(str(path))[..., :3]
    height = page.evaluate("() => document.documentElement.scrollHeight")
    assert img.shape[0] >= 0.95 * height, f"{path}: {img.shape[0]} px tall, the page is {height}"
    ink = np.mean(np.min(img, axis=2) < 0.75)
    colours = len(np.unique((img[::4, ::4] * 255).astype(np.uint8).reshape(-1, 3), axis=0))
    assert ink > 0.002 and colours > 50, f"{path} looks empty: {ink:.2%} ink, {colours} colours"


# --------------------------------------------------------------------------- explorables
def _explorables_by_doc() -> dict[str, list[str]]:
    """Which explorables each chapter's stored outputs hold (read from the notebooks)."""
    import json

    from w2s_lib.explorables import MIME_TYPE

    found: dict[str, list[str]] = {}
    for doc in CHAPTERS:
        nb = json.loads(_source(doc).read_text())
        for cell in nb["cells"]:
            for out in cell.get("outputs", []):
                spec = out.get("data", {}).get(MIME_TYPE)
                if spec:
                    found.setdefault(doc, []).append(spec["usermeta"]["w2s_explorable"])
    return found


EXPLORABLE_DOCS = _explorables_by_doc()


@functools.lru_cache(maxsize=None)
def _built(name):
    """The explorable ``name`` built by w2s_lib (its controls, defaults and expected values)."""
    from w2s_lib.explorables import registered_explorables

    entry = registered_explorables()[name]
    return entry, entry.build()


def _control_ends() -> list[tuple[str, str, str, int]]:
    """(doc, explorable, control, end) for every control of every explorable on a page."""
    out = []
    for doc, names in sorted(EXPLORABLE_DOCS.items()):
        for name in names:
            for c in _built(name)[1].controls:
                out += [(doc, name, c.name, 0), (doc, name, c.name, 1)]
    return out


def test_every_story_chapter_has_an_explorable_and_every_explorable_a_page():
    from w2s_lib.explorables import registered_explorables

    missing = [d for d in FIGURE_CHAPTERS if d not in EXPLORABLE_DOCS]
    assert not missing, f"story chapters without an explorable: {missing}"
    shown = {n for names in EXPLORABLE_DOCS.values() for n in names}
    registered = set(registered_explorables())
    assert shown == registered, (f"registered but on no page: {registered - shown}; "
                                 f"on a page but not registered: {shown - registered}")


@pytest.mark.parametrize("doc", sorted(EXPLORABLE_DOCS))
def test_explorables_draw_offline_with_the_sites_own_vega(browser, doc):
    visit = browser.open(doc)
    page = visit.page
    names = page.eval_on_selector_all(EXPLORABLE, "els => els.map(e => [e.dataset.explorable, e.dataset.ready])")
    assert sorted(n for n, _ in names) == sorted(EXPLORABLE_DOCS[doc]), names
    assert all(r == "1" for _, r in names), f"{doc}: explorables not drawn: {names}"
    # no live-widget machinery on the static site: no widget view, no require.js
    assert page.locator(WIDGET_VIEW).count() == 0, f"{doc}: a live-widget output is on the static page"
    srcs = page.eval_on_selector_all("script[src]", "els => els.map(e => e.src)")
    vega = [s for s in srcs if "/vega/" in s]
    assert len(vega) == 3 and all(s.startswith(browser.base + "_static/vendor/vega/") for s in vega), vega
    assert not [s for s in srcs if "require" in s], srcs
    # every control of the explorable has its input next to the figure
    for name in EXPLORABLE_DOCS[doc]:
        for c in _built(name)[1].controls:
            n = page.locator(f'{EXPLORABLE}[data-explorable="{name}"] .vega-bindings [name="{c.name}"]').count()
            assert n >= 1, f"{doc} {name}: no input for control {c.name!r}"


def _compare(where, shown, expected, rtol):
    import math

    # every data layer the figure draws is compared: a layer without an expected value fails
    unchecked = sorted(set(shown) - set(expected))
    assert not unchecked, f"{where}: layers drawn with no expected value from w2s_lib: {unchecked}"
    for layer, rows in expected.items():
        got = shown.get(layer)
        assert got is not None, f"{where}: layer {layer!r} not drawn (drawn: {sorted(shown)})"
        assert len(got) == len(rows), f"{where}: layer {layer!r} shows {len(got)} items, w2s_lib gives {len(rows)}"
        keys = sorted(rows[0]) if rows else []
        missing = [k for k in keys if got and k not in got[0]]
        assert not missing, f"{where}: layer {layer!r} items lack fields {missing}: {got[0]}"

        def key(r):  # round-off (|x| < 1e-12, within the comparison's abs_tol) sorts as zero
            return tuple((f"{r[k]:.4g}" if abs(r[k]) >= 1e-12 else "0")
                         if isinstance(r[k], (int, float)) and not isinstance(r[k], bool)
                         else str(r[k]) for k in keys)

        for want, have in zip(sorted(rows, key=key), sorted(got, key=key)):
            for k in keys:
                w, h = want[k], have[k]
                if isinstance(w, (int, float)) and not isinstance(w, bool):
                    assert math.isclose(h, w, rel_tol=rtol, abs_tol=1e-12), (
                        f"{where}: layer {layer!r} field {k!r}: browser {h!r}, w2s_lib {w!r}")
                else:
                    assert h == w, f"{where}: layer {layer!r} field {k!r}: browser {h!r}, w2s_lib {w!r}"


def _show(page, name, setting):
    return page.evaluate("([n, s]) => window.w2sExplorables.set(n, s)", [name, setting])


@pytest.mark.parametrize("doc,name", [(d, n) for d, ns in sorted(EXPLORABLE_DOCS.items()) for n in ns])
def test_explorable_default_view_equals_w2s_lib(browser, doc, name):
    entry, explorable = _built(name)
    page = browser.open(doc).page
    shown = _show(page, name, explorable.defaults)
    _compare(f"{doc} {name} at {explorable.defaults}", shown, entry.expected(**explorable.defaults), entry.rtol)


@pytest.mark.parametrize("doc,name,control,end", _control_ends())
def test_explorable_control_at_each_end_equals_w2s_lib(browser, doc, name, control, end):
    """Each control moved to each end of its range (the others at their defaults)."""
    entry, explorable = _built(name)
    page = browser.open(doc).page
    setting = dict(explorable.defaults)
    setting[control] = explorable.control[control].ends[end]
    try:
        shown = _show(page, name, setting)
        _compare(f"{doc} {name} at {setting}", shown, entry.expected(**setting), entry.rtol)
    finally:  # leave the page as a reader finds it
        _show(page, name, explorable.defaults)


# --------------------------------------------------------------------------- explorables: access
def _alt_text(page, name):
    return page.eval_on_selector(f'{EXPLORABLE}[data-explorable="{name}"] .w2s-explorable-alt',
                                 "e => e.textContent")


@pytest.mark.parametrize("doc", PAGES)
def test_sections_reserve_at_least_their_height_until_laid_out(browser, doc):
    """Each second-level section's height before it is laid out (``contain-intrinsic-size``,
    w2s_lib.sitemeta.section_height_bound) is at least the height it takes once drawn, on a
    phone and on a desktop: otherwise its content overflows onto the next sections wherever a
    tool lays it out without showing it (axe's target-size then reports overlapping controls)."""
    page = browser.context.new_page()
    try:
        for width in (360, 1280):
            page.set_viewport_size({"width": width, "height": 800})
            page.goto(browser.base + doc + ".html", wait_until="load")
            y = 0
            while y < page.evaluate("document.documentElement.scrollHeight"):
                page.evaluate(f"window.scrollTo(0, {y})")
                page.wait_for_timeout(20)
                y += 600
            page.wait_for_timeout(200)
            rows = page.eval_on_selector_all(".bd-article > section > section", """els => els.map(e => [e.id,
                Math.ceil(e.getBoundingClientRect().height),
                parseFloat((e.style.containIntrinsicSize || '').replace('auto', '')) || null])""")
            unsized = [r[0] for r in rows if r[2] is None]
            assert not unsized, f"{doc}: sections without a height bound: {unsized}"
            over = [r for r in rows if r[1] > r[2]]
            assert not over, f"{doc} at {width} px: sections taller than their bound (id, px, bound): {over}"
    finally:
        page.close()


def test_explorables_load_when_they_near_the_viewport(browser):
    """The page's text comes first: no Vega and no explorable data until a figure nears view."""
    doc = sorted(EXPLORABLE_DOCS)[0]
    page = browser.context.new_page()
    try:
        requested = []
        page.on("request", lambda r: requested.append(r.url))
        page.goto(browser.base + doc + ".html", wait_until="load")
        page.wait_for_timeout(300)
        first = page.eval_on_selector(EXPLORABLE, "e => e.getBoundingClientRect().top")
        if first > 900 + 800:  # below the fold by more than the loading margin
            assert not [u for u in requested if "/vega/" in u or "_explorables/" in u], requested
            assert page.eval_on_selector(EXPLORABLE, "e => e.dataset.ready || ''") == ""
        page.eval_on_selector(EXPLORABLE, "e => e.scrollIntoView()")
        page.wait_for_function(f"() => document.querySelector('{EXPLORABLE}').dataset.ready === '1'")
        assert [u for u in requested if "/vega/" in u] and [u for u in requested if "_explorables/" in u]
    finally:
        page.close()


@pytest.mark.parametrize("doc,name", [(d, n) for d, ns in sorted(EXPLORABLE_DOCS.items()) for n in ns])
def test_explorable_has_a_text_alternative_and_labelled_controls(browser, doc, name):
    _, explorable = _built(name)
    page = browser.open(doc).page
    where = f'{EXPLORABLE}[data-explorable="{name}"]'
    figure = page.eval_on_selector(
        f"{where} .w2s-explorable-view",
        "v => { const c = v.querySelector('canvas') || v; return [c.getAttribute('role'),"
        " c.getAttribute('aria-describedby')]; }")
    alt_id = page.eval_on_selector(f"{where} .w2s-explorable-alt", "e => [e.id, e.getAttribute('aria-live')]")
    assert figure == ["img", alt_id[0]] and alt_id[1] == "polite", (figure, alt_id)
    text = _alt_text(page, name)
    assert text.startswith("Interactive figure") and "Controls:" in text, text
    # every control is a native input with an accessible name, and the text names its value
    names = page.evaluate(
        """(where) => [...document.querySelectorAll(where + ' .vega-bindings .vega-bind')].map(b => {
             const label = b.querySelector('.vega-bind-name').textContent.trim();
             const group = b.querySelector('[role="radiogroup"]');
             return {label, inputs: [...b.querySelectorAll('input, select')].map(i => i.name),
                     grouped: !b.querySelector('input[type="radio"]') ||
                              (!!group && document.getElementById(group.getAttribute('aria-labelledby'))
                               .textContent.trim() === label)};
           })""", where)
    assert {n for b in names for n in b["inputs"]} >= {c.name for c in explorable.controls}, names
    for b in names:
        assert b["label"] and f"{b['label']} = " in text and b["grouped"], (b, text)


@pytest.mark.parametrize("doc,name,control", [(d, n, c.name) for d, ns in sorted(EXPLORABLE_DOCS.items())
                                              for n in ns for c in _built(n)[1].controls])
def test_moving_a_control_by_keyboard_updates_the_text_alternative(browser, doc, name, control):
    """A reader who tabs to a control and presses an arrow key hears the figure's new state."""
    _, explorable = _built(name)
    page = browser.open(doc).page
    try:
        _show(page, name, explorable.defaults)
        page.wait_for_timeout(200)
        selector = f'{EXPLORABLE}[data-explorable="{name}"] .vega-bindings [name="{control}"]'
        kind = page.eval_on_selector(selector, "e => e.tagName === 'SELECT' ? 'select' : e.type")
        if kind == "radio":  # focus the checked one, as Tab does
            selector += ":checked"
        keys = {"checkbox": ["Space"], "select": ["ArrowDown", "ArrowUp"]}.get(kind, ["ArrowRight", "ArrowLeft"])
        for key in keys:
            before = _alt_text(page, name)
            page.focus(selector)
            page.keyboard.press(key)
            try:
                page.wait_for_function(
                    "([sel, before]) => document.querySelector(sel).textContent !== before",
                    arg=[f'{EXPLORABLE}[data-explorable="{name}"] .w2s-explorable-alt', before], timeout=3000)
                break
            except Exception:
                continue  # at the end of its range: try the other direction
        else:
            pytest.fail(f"{doc} {name}: moving {control!r} by keyboard did not change the text "
                        f"alternative: {before!r}")
    finally:
        _show(page, name, explorable.defaults)


def test_vendored_axe_core_is_the_pinned_npm_package():
    import json

    lock = json.loads((ROOT / "js" / "package-lock.json").read_text())["packages"]
    pin = json.loads((ROOT / "js" / "package.json").read_text())["dependencies"]["axe-core"]
    assert lock["node_modules/axe-core"]["version"] == pin
    assert AXE.read_text()[:40].startswith(f"/*! axe v{pin}"), "run scripts/vendor_js.sh"
    assert (AXE.parent / "LICENSE").exists()
