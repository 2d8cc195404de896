"""Kernel updates of every explorable, end to end in JupyterLab: ``kernel_update_p95_ms``.

The README's JupyterLab runs headless (``tests/lab_session.py``); each chapter with a live
figure is opened in headless Chromium and run; then every control that a kernel moves off
the page's grid (those with a ``reach``) is swept through values across its reach,
forwards and back. Each step is timed from the Enter key in the control's readout to the
next animation frame after the figure applied the kernel's update: the widget's message to
the kernel, ``w2s_lib``'s recomputation, the data sent back and Vega's redraw.

Run alone: ``python benchmarks/bench_kernel.py`` (prints a table); ``run.py`` calls it.
"""

from __future__ import annotations

import json
import math
import pathlib
import sys

import numpy as np

ROOT = pathlib.Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))

#: Values per control and direction (the two ends of its reach and points between).
STEPS = 6


def sweep_values(control, steps: int = STEPS) -> list:
    """Values across a control's reach (geometric for a log control), without repeats."""
    lo, hi = control.reach
    if control.log:
        vals = np.geomspace(lo, hi, steps)
    else:
        vals = np.linspace(lo, hi, steps)
    out = []
    for v in vals:
        v = int(round(v)) if control.integer else float(f"{v:.3g}")
        if v not in out and v != control.default:
            out.append(v)
    return out


def _notebook_figures() -> dict[str, list[str]]:
    """Which explorables each chapter shows, in order (from the stored outputs)."""
    from w2s_lib.explorables import MIME_TYPE

    out = {}
    for path in sorted((ROOT / "chapters").glob("*.ipynb")):
        nb = json.loads(path.read_text())
        names = [o["data"][MIME_TYPE]["usermeta"]["w2s_explorable"] for c in nb["cells"]
                 if c["cell_type"] == "code" for o in c.get("outputs", []) if MIME_TYPE in o.get("data", {})]
        if names:
            out[path.name] = names
    return out


def kernel_update_times(steps: int = STEPS, notebooks=None) -> dict:
    """``{"kernels": {explorable: {control: {p50_ms, p95_ms, n}}}, "kernel_update_p95_ms": worst}``."""
    from lab_session import LabPage, browser_context, jupyterlab

    from w2s_lib.explorables import registered_explorables

    entries = registered_explorables()
    per: dict = {}
    with jupyterlab() as url, browser_context() as context:
        for notebook, names in _notebook_figures().items():
            if notebooks and not any(notebook.startswith(n) for n in notebooks):
                continue
            page = LabPage(context, url, notebook)
            try:
                page.run_all()
                page.live_figures()
                for k, name in enumerate(names):
                    for c in entries[name].controls:
                        if c.reach is None:
                            continue
                        label = c.label or c.name
                        values = sweep_values(c, steps)
                        times = [page.set_control(label, v, figure=k) for v in values + values[::-1][1:]]
                        page.set_control(label, c.default, figure=k)
                        per.setdefault(name, {})[c.name] = {
                            "p50_ms": float(np.percentile(times, 50)), "p95_ms": float(np.percentile(times, 95)),
                            "n": len(times)}
            finally:
                page.page.close()
    worst = max((v["p95_ms"] for d in per.values() for v in d.values()), default=math.nan)
    return {"kernels": per, "kernel_update_p95_ms": worst}


def main(argv=None) -> int:
    import argparse

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("notebooks", nargs="*", help="chapter prefixes to measure (default: every chapter)")
    args = parser.parse_args(argv)
    res = kernel_update_times(notebooks=args.notebooks)
    for name, per in res["kernels"].items():
        for control, v in per.items():
            print(f"{name:<20} {control:<12} p50 {v['p50_ms']:6.1f} ms   p95 {v['p95_ms']:6.1f} ms   (n={v['n']})")
    print(f"kernel_update_p95_ms {res['kernel_update_p95_ms']:.1f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
