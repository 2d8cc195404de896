"""Performance benchmarks of the book: measured and reported, never asserted in tests.

Usage::

    python benchmarks/run.py                 # print the table
    python benchmarks/run.py --json out.json # also write machine-readable results
    python benchmarks/run.py --skip-book     # everything but the whole-book execution

Keys (targets on a 2-core machine in brackets):

``widget_p95_ms``          worst 95th-percentile latency over every widget callback
                           (compute + render to PNG) through its slider sweep   [< 100]
``book_execute_s``         wall time to execute every chapter notebook once     [< 120]
``gradient_flow_speedup``  closed-form student trajectory vs explicit GD         [>= 100]
``monte_carlo_speedup``    vectorized subspace Monte Carlo vs per-trial lstsq    [>= 5]
``kernel_limit_ms``        kernel-limit trajectory, 400 times, M_TE=1024, d=32   [< 300]
"""

from __future__ import annotations

import argparse
import json
import os
import pathlib
import platform
import sys
import time

import numpy as np

HERE = pathlib.Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(HERE))

TARGETS = {
    "widget_p95_ms": ("<", 100.0),
    "book_execute_s": ("<", 120.0),
    "gradient_flow_speedup": (">=", 100.0),
    "monte_carlo_speedup": (">=", 5.0),
    "kernel_limit_ms": ("<", 300.0),
}


def widget_latencies(repeats: int = 1) -> dict:
    """p50/p95 latency (ms) of every registered widget callback over its sweep.

    The default view is drawn first (the notebook has already drawn it when a reader
    touches a slider), then every setting of the sweep, in order, is timed ``repeats``
    times: compute the figure and render it to PNG with the widget's
    :class:`~w2s_lib.interactive.WidgetRenderer`, exactly as a widget update does (the
    static layer is redrawn only when the axes change).
    """
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from w2s_lib.interactive import WidgetRenderer, registered_callbacks, settle_garbage_collector, widget_update

    results = {}
    for name, cb in registered_callbacks().items():
        renderer = WidgetRenderer()  # one per widget, as interact() makes
        fig = cb.func(**cb.sweep[0])  # the default view the notebook draws first
        renderer.render(fig)
        plt.close(fig)
        first_drawn = renderer.misses  # the default view's axes, drawn before any slider moves
        settle_garbage_collector()  # as interact() does after that first draw
        times = []
        for params in cb.sweep:
            for _ in range(repeats):
                t0 = time.perf_counter()
                with widget_update():  # its closing garbage collection is timed too
                    fig = cb.func(**params)
                    renderer.render(fig)
                    plt.close(fig)
                times.append(1e3 * (time.perf_counter() - t0))
        results[name] = {
            "n": len(times),
            "p50_ms": float(np.percentile(times, 50)),
            "p95_ms": float(np.percentile(times, 95)),
            "max_ms": float(np.max(times)),
            # axes whose static layer (frame, ticks, labels) was reused / drawn over the sweep
            "static_layer_reused": renderer.hits,
            "static_layer_drawn": renderer.misses - first_drawn,
        }
    return results


def book_execute_seconds() -> dict:
    """Execute every chapter notebook once (copies; nothing is written back)."""
    import nbformat
    from nbclient import NotebookClient

    per = {}
    total = 0.0
    for path in sorted((ROOT / "chapters").glob("*.ipynb")):
        nb = nbformat.read(path, as_version=4)
        client = NotebookClient(nb, timeout=600, kernel_name="python3",
                                resources={"metadata": {"path": str(path.parent)}})
        t0 = time.perf_counter()
        client.execute()
        per[path.name] = time.perf_counter() - t0
        total += per[path.name]
    return {"total_s": total, "per_notebook_s": per}


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description="Benchmarks of the weak-to-strong book")
    parser.add_argument("--json", type=pathlib.Path, help="write results to this JSON file")
    parser.add_argument("--skip-book", action="store_true", help="skip executing the notebooks")
    args = parser.parse_args(argv)

    import bench_random_features
    import bench_subspace

    results = {"machine": {"cpus": os.cpu_count(), "python": platform.python_version(),
                           "platform": platform.platform()}}
    print("random-feature kernel ...", flush=True)
    results.update(bench_random_features.run())
    print("subspace Monte Carlo ...", flush=True)
    results.update(bench_subspace.run())
    print("widget callbacks ...", flush=True)
    widgets = widget_latencies()
    results["widgets"] = widgets
    results["widget_p95_ms"] = max(w["p95_ms"] for w in widgets.values()) if widgets else float("nan")
    if not args.skip_book:
        print("executing every chapter ...", flush=True)
        book = book_execute_seconds()
        results["book_execute_per_notebook_s"] = book["per_notebook_s"]
        results["book_execute_s"] = book["total_s"]

    print()
    print(f"{'metric':<24}{'value':>12}   target   ok")
    for key, (op, target) in TARGETS.items():
        if key not in results:
            continue
        val = results[key]
        ok = val < target if op == "<" else val >= target
        print(f"{key:<24}{val:>12.3g}   {op}{target:<6g}  {'yes' if ok else 'NO'}")
    print()
    for name, w in results["widgets"].items():
        print(f"  widget {name:<24} p50 {w['p50_ms']:6.1f} ms   p95 {w['p95_ms']:6.1f} ms   (n={w['n']}, "
              f"axes redrawn {w['static_layer_drawn']}, reused {w['static_layer_reused']})")
    if "book_execute_per_notebook_s" in results:
        for name, s in results["book_execute_per_notebook_s"].items():
            print(f"  notebook {name:<34} {s:6.1f} s")
    if args.json:
        args.json.write_text(json.dumps(results, indent=2, default=float))
        print(f"\nwrote {args.json}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
