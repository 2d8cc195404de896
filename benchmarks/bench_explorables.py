"""Explorable latency on the built site: input event -> re-run dataflow -> redrawn canvas.

Opens every chapter page of a built site (``_build/html``) in headless Chromium (the
Debian package, driven by Playwright; every non-localhost request blocked), and moves
each control of each explorable through its values (all of them, or an evenly spaced
subset of at most ``max_values``), one after another as a drag does, there and back (and
again, until at least :data:`MIN_STEPS` steps are timed). Each step is timed
in the page by ``window.w2sExplorables.sweep``: from setting the input's value and
dispatching its ``input``/``change`` event until ``view.runAsync()`` resolves, i.e. the
dataflow has re-run and the canvas is redrawn.

Usage: ``python benchmarks/bench_explorables.py [site_dir]``.
"""

from __future__ import annotations

import functools
import http.server
import json
import pathlib
import sys
import tempfile
import threading

import numpy as np

ROOT = pathlib.Path(__file__).resolve().parents[1]
CHROMIUM = "/usr/bin/chromium"
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
        "--disable-background-networking", "--disable-component-update", "--disable-sync"]


#: Fewest timed steps per control (a control with 3 values is swept there and back 4 times).
MIN_STEPS = 20


class _Quiet(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass


def _sweep_values(control, max_values, min_steps=MIN_STEPS):
    values = list(control.values)
    if len(values) > max_values:
        idx = np.unique(np.linspace(0, len(values) - 1, max_values).round().astype(int))
        values = [values[i] for i in idx]
    # there and back: a drag to one end and back to the start (every step a change: the end
    # value is not set twice); repeated for controls with few values, so that a p95 is not
    # just the slowest of a handful of steps
    steps = values + values[-2::-1]
    while len(steps) < min_steps and len(values) > 1:
        steps += values[1:] + values[-2::-1]
    return steps


def explorable_update_times(site_dir=None, max_values: int = 40, warmup: int = 2) -> dict:
    """Per-explorable, per-control update latencies (ms) on the built site.

    Returns ``{"explorable_update_p95_ms": worst p95 over all explorables,
    "explorable_update_p50_ms": ..., "explorables": {name: {control: {p50_ms, p95_ms,
    max_ms, n}}}}``. Raises ``FileNotFoundError`` when the site is not built.
    """
    from playwright.sync_api import sync_playwright

    from w2s_lib.explorables import registered_explorables

    site = pathlib.Path(site_dir or ROOT / "_build" / "html")
    if not (site / "index.html").exists():
        raise FileNotFoundError(f"no built site at {site}")
    entries = registered_explorables()
    pages = sorted(p for p in site.rglob("*.html")
                   if "_static" not in p.parts and 'class="w2s-explorable"' in p.read_text(errors="ignore"))
    handler = functools.partial(_Quiet, directory=str(site))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    base = f"http://127.0.0.1:{server.server_address[1]}/"
    out: dict = {}
    all_times: list[float] = []
    try:
        with sync_playwright() as pw, tempfile.TemporaryDirectory() as profile:
            ctx = pw.chromium.launch_persistent_context(profile, executable_path=CHROMIUM, headless=True,
                                                        args=ARGS, viewport={"width": 1280, "height": 900})
            ctx.route("**/*", lambda r: r.continue_() if r.request.url.startswith(base) else r.abort())
            for path in pages:
                page = ctx.new_page()
                page.goto(base + path.relative_to(site).as_posix(), wait_until="load")
                names = page.eval_on_selector_all(".w2s-explorable", "els => els.map(e => e.dataset.explorable)")
                if not names:
                    page.close()
                    continue
                page.evaluate("() => window.w2sExplorables.ready.then(() => true)")
                for name in names:
                    explorable = entries[name].build()
                    per = {}
                    for c in explorable.controls:
                        values = _sweep_values(c, max_values)
                        # warm-up steps (first use of a code path), not counted
                        page.evaluate("([n, p, v]) => window.w2sExplorables.sweep(n, p, v)",
                                      [name, c.name, values[:warmup]])
                        times = page.evaluate("([n, p, v]) => window.w2sExplorables.sweep(n, p, v)",
                                              [name, c.name, values])
                        page.evaluate("([n, s]) => window.w2sExplorables.set(n, s).then(() => true)",
                                      [name, explorable.defaults])
                        per[c.name] = {"n": len(times), "p50_ms": float(np.percentile(times, 50)),
                                       "p95_ms": float(np.percentile(times, 95)), "max_ms": float(max(times))}
                        all_times += times
                    out[name] = per
                page.close()
            ctx.close()
    finally:
        server.shutdown()
        server.server_close()
    worst = max((v["p95_ms"] for per in out.values() for v in per.values()), default=float("nan"))
    return {
        "explorable_update_p95_ms": worst,
        "explorable_update_p50_ms": float(np.percentile(all_times, 50)) if all_times else float("nan"),
        "explorables": out,
    }


if __name__ == "__main__":
    res = explorable_update_times(sys.argv[1] if len(sys.argv) > 1 else None)
    for name, per in res["explorables"].items():
        for c, v in per.items():
            print(f"{name:<20} {c:<10} p50 {v['p50_ms']:6.2f} ms  p95 {v['p95_ms']:6.2f} ms  "
                  f"max {v['max_ms']:6.2f} ms  (n={v['n']})")
    print(json.dumps({k: v for k, v in res.items() if k != "explorables"}))
