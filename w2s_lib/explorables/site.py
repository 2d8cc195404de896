"""How explorables reach the static site (Sphinx / myst-nb glue; no numerics here).

Two pieces, both registered by the build:

* :class:`ExplorableMimeRenderer`, a myst-nb MIME render plugin (entry point
  ``myst_nb.mime_renderers`` in ``pyproject.toml``): an output holding
  :data:`~w2s_lib.explorables.MIME_TYPE` becomes a ``<div class="w2s-explorable">`` with
  the spec as JSON beside it. myst-nb renders one MIME type per output and would call
  this type unknown (a warning, so a failed ``-W`` build) without the plugin.
* :func:`setup`, a Sphinx extension (listed in ``_config.yml``): on the pages that hold
  an explorable, and only there, it adds ``static/explorable.js`` (deferred), which draws
  every ``div`` with Vega, Vega-Lite and vega-embed (from ``static/vendor/vega`` beside this
  module, copied from the npm packages pinned in ``js/``). It also moves each spec out of
  the page into a JSON file of its own (``_explorables/<name>.<hash>.json``), so the page's
  text arrives first: explorable.js fetches the spec, and Vega, only when the figure nears
  the viewport.
"""

from __future__ import annotations

import hashlib
import html
import json
import pathlib
import re

from . import MIME_TYPE, SCHEMA_V6

#: Scripts an explorable page loads, in order (paths under ``_static/``).
SCRIPTS = (
    "vendor/vega/vega.min.js",
    "vendor/vega/vega-lite.min.js",
    "vendor/vega/vega-embed.min.js",
    "explorable.js",
)
STYLESHEET = "explorable.css"
#: Where those files live: package data of w2s_lib, added to Sphinx's ``html_static_path``.
#: (Not the book's ``_static/``: Jupyter Book adds every .js/.css file found there to
#: every page, and Vega weighs 830 kB.)
STATIC_DIR = pathlib.Path(__file__).with_name("static")
MARKER = 'class="w2s-explorable"'
#: Where the specs are written in the built site (one file per spec, named by its content).
SPEC_DIR = "_explorables"
_INLINE = re.compile(
    r'<div class="w2s-explorable" data-explorable="(?P<name>[^"]*)">'
    r'(?P<view><div class="w2s-explorable-view"></div>)'
    r'<script type="application/json" class="w2s-explorable-spec">(?P<spec>.*?)</script>',
    re.S,
)


def explorable_html(spec: dict) -> str:
    """The HTML of one explorable on the site: a container, the spec, a caption slot."""
    name = spec.get("usermeta", {}).get("w2s_explorable", "explorable")
    payload = json.dumps(spec, separators=(",", ":"), allow_nan=False).replace("</", "<\\/")
    return (
        f'<div class="w2s-explorable" data-explorable="{html.escape(name)}">'
        f'<div class="w2s-explorable-view"></div>'
        f'<script type="application/json" class="w2s-explorable-spec">{payload}</script>'
        f'<noscript>This figure is drawn by JavaScript in your browser.</noscript>'
        f"</div>"
    )


#: A live widget's view (the kernel's controls of :func:`w2s_lib.explorables.live.explore`).
WIDGET_VIEW = "application/vnd.jupyter.widget-view+json"


class ExplorableMimeRenderer:
    """myst-nb plugin: render the explorable MIME type as the site's HTML explorable, and
    drop live-widget views (a kernel's controls: the site has no kernel, and the explorable
    beside them carries its own controls)."""

    # (builder, MIME type, priority): before every other face of the output on HTML builds.
    mime_priority_overrides = [
        ("html", MIME_TYPE, 1),
        ("dirhtml", MIME_TYPE, 1),
        ("singlehtml", MIME_TYPE, 1),
    ]

    @staticmethod
    def handle_mime(renderer, data, inline):
        if data.mime_type == WIDGET_VIEW:
            return []
        if inline or data.mime_type != MIME_TYPE:
            return None
        from docutils import nodes

        spec = data.content if isinstance(data.content, dict) else json.loads(data.content)
        spec = dict(spec, **{"$schema": SCHEMA_V6})  # the site's Vega-Lite is 6.4.1
        return [nodes.raw("", explorable_html(spec), format="html")]


def externalize_specs(body: str, write, pathto) -> str:
    """Move every inline spec of ``body`` into a file; the div points at it (``data-spec-src``).

    ``write(relpath, text)`` stores a file under the site's root, ``pathto(relpath)`` is the
    URL of that file relative to the page.
    """

    def move(m):
        payload = m.group("spec")
        digest = hashlib.sha256(payload.encode()).hexdigest()[:12]
        safe = re.sub(r"[^A-Za-z0-9_-]+", "_", html.unescape(m.group("name")))
        rel = f"{SPEC_DIR}/{safe}.{digest}.json"
        write(rel, payload)
        return (f'<div class="w2s-explorable" data-explorable="{m.group("name")}" '
                f'data-spec-src="{html.escape(pathto(rel))}">{m.group("view")}')

    return _INLINE.sub(move, body)


def _add_assets(app, pagename, templatename, context, doctree):
    body = context.get("body", "")
    if MARKER not in body:
        return

    def write(rel, text):
        path = pathlib.Path(app.outdir) / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        if not path.exists():
            path.write_text(text, encoding="utf-8")

    context["body"] = externalize_specs(body, write, lambda rel: context["pathto"](rel, 1))
    # Only explorable.js: it loads Vega (the other SCRIPTS) itself, when a figure nears view.
    app.add_js_file(SCRIPTS[-1], priority=400, loading_method="defer")
    app.add_css_file(STYLESHEET)


def _add_static_path(app, config):
    config.html_static_path = list(config.html_static_path) + [str(STATIC_DIR)]


def setup(app):
    """Sphinx extension: serve the explorable scripts, and load them on the pages that need them."""
    app.connect("config-inited", _add_static_path)
    app.connect("html-page-context", _add_assets)
    return {"parallel_read_safe": True, "parallel_write_safe": True, "version": "1"}
