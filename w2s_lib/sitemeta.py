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
* **A lighter MathJax.** sphinx-mathjax-offline serves MathJax from the site itself and
  points Sphinx at its combined ``tex-chtml.js`` (1.16 MB, the right-click menu included);
  the book loads ``startup.js`` instead, whose loader then fetches only the components that
  ``mathjax3_config`` in ``_config.yml`` lists (TeX input, CommonHTML output, the hidden
  MathML screen readers read) and its lazy mode (``ui/lazy``): about 0.67 MB. Lazy mode
  typesets only the formulas near the viewport while the page loads, which takes most of the
  main-thread blocking time of a chapter (70-400 formulas) out of page load; :data:`MATH_SCRIPT`
  then typesets the formulas still waiting a few at a time in idle time, so that within
  seconds every formula is typeset, with its hidden MathML, wherever the reader is (a screen
  reader or find-in-page does not wait for a scroll).
* **Images sized and lazy.** Every image of the book gets its ``width`` and ``height`` (no
  layout shift while it loads) and ``loading="lazy"`` (images below the fold load when the
  reader scrolls near them).
* **Display math reachable by keyboard.** Without MathJax's menu no formula is focusable, so a
  wide displayed equation that scrolls sideways could not be scrolled from the keyboard
  (scrollable-region-focusable): :data:`MATH_SCRIPT` makes each one a tab stop, as
  the menu did.
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

import html
import pathlib
import re

from docutils import nodes

#: MathJax entry points: sphinx-mathjax-offline's combined file, and the bare loader used instead.
MATHJAX_COMBINED = "mathjax/tex-chtml.js"
MATHJAX_LOADER = "mathjax/startup.js"
#: Formulas typeset per idle callback once the page has loaded.
LAZY_BATCH = 4
#: Inline script on pages with math, run before MathJax's deferred ``startup.js`` reads its
#: configuration. MathJax typesets lazily (``ui/lazy`` in ``_config.yml``): only the formulas
#: near the viewport when the page loads, each other one when it is scrolled near. This script
#: (1) makes each typeset displayed equation a tab stop (a wide one scrolls sideways and must be
#: reachable by keyboard), as a MathJax render action, so that formulas typeset later get it
#: too; (2) once the page has loaded, typesets the formulas still waiting, a few at a time in
#: the browser's idle time, so that after a few seconds every formula is typeset (and read by
#: screen readers, found by the browser's find-in-page) wherever the reader is.
MATH_SCRIPT = """(function () {
  var M = window.MathJax = window.MathJax || {};
  // A render action (added once MathJax has made its document: MathJax 3.2.2's lazy mode
  // does not accept new render actions in the configuration).
  function focusable(doc) {
    for (var m of doc.math) {
      if (m.display && !m.lazyTypeset && m.typesetRoot && m.typesetRoot.setAttribute &&
          !m.typesetRoot.hasAttribute("tabindex")) m.typesetRoot.setAttribute("tabindex", "0");
    }
  }
  var startup = M.startup = M.startup || {};
  startup.ready = function () {
    MathJax.startup.defaultReady();
    MathJax.startup.document.addRenderAction("w2sFocusable", 201, focusable, function () {});
    MathJax.startup.promise.then(function () {
      if (document.readyState === "complete") idle(fill);
      else window.addEventListener("load", function () { idle(fill); });
    });
  };
  var idle = window.requestIdleCallback ? window.requestIdleCallback.bind(window)
    : function (f) { return setTimeout(f, 50); };
  function fill() {
    var doc = MathJax.startup.document;
    if (!doc || !doc.lazyObserve) return;
    var asked = new WeakSet();
    (function step() {
      if (doc.lazyIdle) { idle(step); return; }
      var waiting = Array.prototype.filter.call(document.querySelectorAll("mjx-lazy"), function (t) {
        return !asked.has(t);
      }).slice(0, LAZY_BATCH);
      if (!waiting.length) return;
      waiting.forEach(function (t) { asked.add(t); });
      doc.lazyObserve(waiting.map(function (t) { return {isIntersecting: true, target: t}; }));
      idle(step);
    })();
  }
})();""".replace("LAZY_BATCH", str(LAZY_BATCH))
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


# --------------------------------------------------------------------------- theme markup
_FA_TAG = re.compile(r'\s*<script defer src="[^"]*' + re.escape(FA_SCRIPT) + r'[^"]*"></script>')
_SEARCH_SCRIPTS = re.compile(
    r'<script src="([^"]*(?:_static/searchtools\.js|_static/language_data\.js|searchindex\.js))"></script>')


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
    if 'class="math' in context.get("body", ""):
        app.add_js_file(None, body=MATH_SCRIPT, priority=900)
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


def _post_process(app, exception):
    if exception is not None or app.builder.format != "html":
        return
    out = pathlib.Path(app.outdir)
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
        if icons:
            new, missing = inline_icons(new, icons)
            missing_all |= missing
        if new != page:
            path.write_text(new, encoding="utf-8")
    if missing_all:
        from sphinx.util import logging

        logging.getLogger(__name__).warning("icons not found in %s: %s", FA_SCRIPT, sorted(missing_all))


def _config_inited(app, config):
    # sphinx-mathjax-offline sets mathjax_path in its setup(), over the book's configuration.
    if config.mathjax_path == MATHJAX_COMBINED:
        config.mathjax_path = MATHJAX_LOADER


def setup(app):
    """Sphinx extension: descriptions, inline icons, theme accessibility fixes, MathJax."""
    app.connect("config-inited", _config_inited, priority=900)
    app.connect("html-page-context", _page_context, priority=900)
    app.connect("missing-reference", _resolve_short_names)
    app.connect("build-finished", _post_process)
    return {"parallel_read_safe": True, "parallel_write_safe": True, "version": "1"}
