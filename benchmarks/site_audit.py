"""Audit every page of the built site as a reader's browser meets it: Lighthouse and axe-core.

The built site (``_build/html`` by default) is served on 127.0.0.1 **with gzip compression**,
as static hosts serve it. Each page listed in ``_toc.yml`` is then

* run through **Lighthouse** (npm ``lighthouse``, pinned in ``js/package.json`` and
  ``js/package-lock.json``) twice: the mobile default (a mid-range phone on a slow 4G link,
  simulated throttling) and ``--preset=desktop``. Lighthouse drives the system Chromium
  (``CHROME_PATH=/usr/bin/chromium``); it never downloads a browser;
* checked by **axe-core** (npm ``axe-core``, the same pinned version, vendored for the
  browser tests in ``tests/vendor/axe-core/``) in headless Chromium driven by Playwright,
  after every explorable of the page is drawn, against WCAG 2.0/2.1/2.2 A and AA and axe's
  best practices.

It prints one table (performance mobile/desktop, accessibility, best practices, SEO, first
and largest contentful paint and total blocking time on mobile, bytes transferred, axe
violations by impact) and, below it, every failing Lighthouse audit and axe rule.

Usage::

    python benchmarks/site_audit.py                  # every page, both form factors
    python benchmarks/site_audit.py --pages intro chapters/04_early_stopping --runs 3
    python benchmarks/site_audit.py --json audit.json --site /path/to/_build/html

``--runs N`` repeats Lighthouse N times per page and form factor and keeps the median
performance run (Lighthouse's own advice for noisy machines). The first run installs the npm
packages with ``npm ci`` in ``js/`` when ``js/node_modules`` is missing (Node 18+).
"""

from __future__ import annotations

import argparse
import functools
import gzip
import http.server
import io
import json
import os
import pathlib
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading

ROOT = pathlib.Path(__file__).resolve().parents[1]
JS = ROOT / "js"
LIGHTHOUSE = JS / "node_modules" / "lighthouse" / "cli" / "index.js"
AXE = ROOT / "tests" / "vendor" / "axe-core" / "axe.min.js"
CHROMIUM = "/usr/bin/chromium"
CHROME_FLAGS = "--headless=new --no-sandbox --disable-gpu --no-first-run --disable-component-update"
CATEGORIES = ("performance", "accessibility", "best-practices", "seo")
#: axe rule sets: WCAG 2.0/2.1/2.2 levels A and AA, and axe's best practices.
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22a", "wcag22aa", "best-practice"]
COMPRESSIBLE = (".html", ".js", ".css", ".json", ".svg", ".txt", ".xml", ".map", ".ico")


# --------------------------------------------------------------------------- the pages
def toc_pages(root: pathlib.Path = ROOT) -> list[str]:
    """Every document of ``_toc.yml`` (root first), as site paths without ``.html``."""
    import yaml

    toc = yaml.safe_load((root / "_toc.yml").read_text())
    docs = [toc["root"]]

    def walk(node):
        if isinstance(node, dict):
            if "file" in node:
                docs.append(node["file"])
            for key, value in node.items():
                if key != "root":
                    walk(value)
        elif isinstance(node, list):
            for item in node:
                walk(item)

    walk(toc)
    return [re.sub(r"\.(md|ipynb)$", "", d) for d in docs]


# --------------------------------------------------------------------------- the server
class GzipHandler(http.server.SimpleHTTPRequestHandler):
    """Static files, gzip-compressed (level 6, as nginx and most static hosts) when asked."""

    _cache: dict = {}

    def log_message(self, *args):
        pass

    def send_head(self):
        path = pathlib.Path(self.translate_path(self.path))
        if path.is_dir():
            path = path / "index.html"
        wants_gzip = "gzip" in self.headers.get("Accept-Encoding", "")
        if not (wants_gzip and path.suffix in COMPRESSIBLE and path.is_file()):
            return super().send_head()
        key = (str(path), path.stat().st_mtime_ns)
        body = self._cache.get(key)
        if body is None:
            body = self._cache[key] = gzip.compress(path.read_bytes(), compresslevel=6, mtime=0)
        self.send_response(200)
        self.send_header("Content-Type", self.guess_type(str(path)))
        self.send_header("Content-Encoding", "gzip")
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Cache-Control", "max-age=600")
        self.end_headers()
        return io.BytesIO(body)


def serve(site: pathlib.Path):
    """Serve ``site`` on a free 127.0.0.1 port in a daemon thread; returns (server, base URL)."""
    handler = functools.partial(GzipHandler, directory=str(site))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, name="audit-server", daemon=True).start()
    return server, f"http://127.0.0.1:{server.server_address[1]}/"


# --------------------------------------------------------------------------- Lighthouse
def ensure_npm_packages() -> None:
    """``npm ci`` in js/ when the pinned packages are not installed (no browser download)."""
    if LIGHTHOUSE.exists():
        return
    if not shutil.which("npm"):
        sys.exit("npm (Node.js 18+) is needed to install Lighthouse: apt-get install nodejs npm")
    env = dict(os.environ, PUPPETEER_SKIP_DOWNLOAD="1")
    subprocess.run(["npm", "ci", "--no-audit", "--no-fund"], cwd=JS, check=True, env=env)


def lighthouse(url: str, desktop: bool) -> dict:
    """One Lighthouse run; the parts of its JSON report the table needs."""
    with tempfile.TemporaryDirectory(prefix="w2s-lh-") as tmp:
        out = pathlib.Path(tmp) / "report.json"
        cmd = ["node", str(LIGHTHOUSE), url, "--output=json", f"--output-path={out}", "--quiet",
               f"--only-categories={','.join(CATEGORIES)}", f"--chrome-flags={CHROME_FLAGS}"]
        if desktop:
            cmd.append("--preset=desktop")
        env = dict(os.environ, CHROME_PATH=CHROMIUM, TMPDIR=tmp)
        proc = subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=600)
        if proc.returncode != 0 or not out.exists():
            raise RuntimeError(f"lighthouse failed on {url}:\n{proc.stderr[-2000:]}")
        report = json.loads(out.read_text())
    audits = report["audits"]
    scores = {c: round(100 * (report["categories"][c]["score"] or 0)) for c in CATEGORIES}
    failing = {}
    for cat in CATEGORIES[1:]:
        for ref in report["categories"][cat]["auditRefs"]:
            a = audits[ref["id"]]
            if ref.get("weight", 0) > 0 and a.get("score") is not None and a["score"] < 1:
                failing[ref["id"]] = a.get("title", "")
    num = lambda k: (audits.get(k) or {}).get("numericValue")  # noqa: E731
    return {"scores": scores, "fcp_ms": num("first-contentful-paint"),
            "lcp_ms": num("largest-contentful-paint"), "tbt_ms": num("total-blocking-time"),
            "cls": num("cumulative-layout-shift"), "bytes": num("total-byte-weight"),
            "failing": failing,
            "warnings": report.get("runWarnings", [])}


def lighthouse_median(url: str, desktop: bool, runs: int) -> dict:
    results = [lighthouse(url, desktop) for _ in range(runs)]
    perf = [r["scores"]["performance"] for r in results]
    med = statistics.median_low(perf)
    return next(r for r in results if r["scores"]["performance"] == med)


# --------------------------------------------------------------------------- axe
def axe_pages(base: str, pages: list[str]) -> dict[str, dict]:
    """axe-core on every page, after its explorables are drawn: violations by impact."""
    from playwright.sync_api import sync_playwright

    script = AXE.read_text()
    out = {}
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, headless=True,
                                     args=["--no-sandbox", "--disable-gpu"])
        try:
            for doc in pages:
                page = browser.new_page(viewport={"width": 1280, "height": 900})
                page.goto(f"{base}{doc}.html", wait_until="load")
                out[doc] = run_axe(page, script)
                page.close()
        finally:
            browser.close()
    return out


def run_axe(page, script: str) -> dict:
    """Run axe-core (its source ``script``) in ``page`` once the explorables are drawn."""
    page.evaluate("""async () => {
        if (window.w2sExplorables) await window.w2sExplorables.ready;
    }""")
    if not page.evaluate("() => !!window.axe"):
        page.add_script_tag(content=script)
    result = page.evaluate(
        "async (tags) => { const r = await axe.run(document, {runOnly: {type: 'tag', values: tags},"
        " resultTypes: ['violations']});"
        " return r.violations.map(v => ({id: v.id, impact: v.impact, help: v.help,"
        " nodes: v.nodes.map(n => n.target.join(' ')).slice(0, 5), count: v.nodes.length})); }",
        AXE_TAGS)
    by_impact: dict[str, int] = {}
    for v in result:
        by_impact[v["impact"]] = by_impact.get(v["impact"], 0) + v["count"]
    return {"violations": result, "by_impact": by_impact}


# --------------------------------------------------------------------------- report
def _fmt_s(ms):
    return "-" if ms is None else f"{ms / 1000:.1f}"


def table(rows: list[dict]) -> str:
    head = ("| page | perf mobile | perf desktop | a11y | best pr. | SEO | FCP / LCP mobile (s) "
            "| TBT mobile (ms) | transferred (kB) | axe critical / serious / other |")
    lines = [head, "|" + "---|" * (head.count("|") - 1)]
    for r in rows:
        m, d, a = r.get("mobile"), r.get("desktop"), r.get("axe")

        def worst(cat):
            vals = [x["scores"][cat] for x in (m, d) if x]
            return str(min(vals)) if vals else "-"

        axe_cell = "-"
        if a:
            bi = a["by_impact"]
            other = sum(v for k, v in bi.items() if k not in ("critical", "serious"))
            axe_cell = f"{bi.get('critical', 0)} / {bi.get('serious', 0)} / {other}"
        lines.append(
            f"| {r['page']} | {m['scores']['performance'] if m else '-'} "
            f"| {d['scores']['performance'] if d else '-'} | {worst('accessibility')} "
            f"| {worst('best-practices')} | {worst('seo')} "
            f"| {_fmt_s(m and m['fcp_ms'])} / {_fmt_s(m and m['lcp_ms'])} "
            f"| {'-' if not m else round(m['tbt_ms'])} "
            f"| {'-' if not m else round(m['bytes'] / 1024)} | {axe_cell} |")
    return "\n".join(lines)


def details(rows: list[dict]) -> str:
    out = []
    for r in rows:
        for ff in ("mobile", "desktop"):
            x = r.get(ff)
            if x and x["failing"]:
                out.append(f"{r['page']} ({ff}) Lighthouse: " + "; ".join(
                    f"{k} ({t})" for k, t in sorted(x["failing"].items())))
        a = r.get("axe")
        for v in (a or {}).get("violations", []):
            out.append(f"{r['page']} axe {v['impact']}: {v['id']} x{v['count']} ({v['help']}): "
                       + ", ".join(v["nodes"]))
    return "\n".join(out)


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--site", type=pathlib.Path, default=ROOT / "_build" / "html")
    ap.add_argument("--pages", nargs="*", help="pages (site paths without .html); default: _toc.yml")
    ap.add_argument("--runs", type=int, default=1, help="Lighthouse runs per page and form factor")
    ap.add_argument("--no-lighthouse", action="store_true")
    ap.add_argument("--no-axe", action="store_true")
    ap.add_argument("--no-desktop", action="store_true")
    ap.add_argument("--json", type=pathlib.Path, help="also write every number here")
    args = ap.parse_args(argv)
    if not (args.site / "index.html").exists():
        sys.exit(f"no built site at {args.site}: run `jupyter-book build -W --keep-going .` first")
    pages = args.pages or toc_pages()
    server, base = serve(args.site)
    rows = [{"page": p} for p in pages]
    try:
        if not args.no_lighthouse:
            ensure_npm_packages()
            for row in rows:
                url = f"{base}{row['page']}.html"
                row["mobile"] = lighthouse_median(url, False, args.runs)
                if not args.no_desktop:
                    row["desktop"] = lighthouse_median(url, True, args.runs)
                print(f"lighthouse {row['page']}: mobile {row['mobile']['scores']}"
                      + (f", desktop {row['desktop']['scores']}" if "desktop" in row else ""),
                      file=sys.stderr, flush=True)
        if not args.no_axe:
            for doc, res in axe_pages(base, pages).items():
                next(r for r in rows if r["page"] == doc)["axe"] = res
    finally:
        server.shutdown()
        server.server_close()
    print(table(rows))
    extra = details(rows)
    if extra:
        print("\nFailing Lighthouse audits and axe violations:\n" + extra)
    if args.json:
        args.json.write_text(json.dumps(rows, indent=1))
    ok = all(
        (r.get("axe") is None or not (r["axe"]["by_impact"].get("critical") or r["axe"]["by_impact"].get("serious")))
        for r in rows)
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
