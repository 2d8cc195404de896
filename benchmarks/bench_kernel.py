"""Kernel updates of every explorable, end to end in JupyterLab: ``kernel_update_p95_ms``.

The README's JupyterLab runs headless (``tests/lab_session.py``); each chapter with a live
figure is opened in headless Chromium and run; then every control that a kernel moves off
the page's grid (those with a ``reach``) is swept through values across its reach,
forwards and back. Each step is timed from the Enter key in the control's readout to the
next animation frame after the figure applied the kernel's update: the widget's message to
the kernel, ``w2s_lib``'s recomputation, the data sent back and Vega's redraw.

The same session first measures the floor under every update, a bare round trip
(:func:`round_trip_times`): a slider whose observer sets one traitlet of a one-line
anywidget, timed from the Enter key to the frame after the widget saw the change, split
into the leg to the kernel and the leg back (kernel and browser share the machine's clock).

The forward sweep visits each value for the first time in this kernel (what ``w2s_lib``
computes afresh); the way back revisits them (the library's caches answer, so it measures
messaging and drawing). Both count in ``kernel_update_p95_ms``; the table also gives the
slowest first visit and the revisits' p95 of each control.

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


#: The round-trip probe: an integer slider and an anywidget whose ``state`` the kernel sets
#: on each change, stamped with the kernel's receive and send times (ms since the epoch).
PROBE_SOURCE = r'''
import time
import anywidget, ipywidgets, traitlets

class Probe(anywidget.AnyWidget):
    _esm = """
function render({ model, el }) {
  const box = document.createElement("div"); box.className = "w2s-live-explorable";
  box.appendChild(document.createElement("canvas")); el.appendChild(box);
  model.on("change:state", () => {
    window.__w2sProbe = Object.assign({ got: performance.timeOrigin + performance.now() }, model.get("state"));
    el.dispatchEvent(new CustomEvent("w2s-redrawn"));
  });
}
export default { render };
"""
    state = traitlets.Dict().tag(sync=True)

probe = Probe()
slider = ipywidgets.IntSlider(value=0, min=0, max=1000, description="probe", continuous_update=False)
slider.observe(lambda c: setattr(probe, "state", {"v": c["new"], "recv": time.time() * 1e3, "sent": time.time() * 1e3}),
               names="value")
display(slider, probe)
'''
PROBE_NOTEBOOK = "zz_round_trip_probe.ipynb"


def _probe_notebook() -> dict:
    return {"nbformat": 4, "nbformat_minor": 5,
            "metadata": {"kernelspec": {"name": "python3", "display_name": "Python 3", "language": "python"}},
            "cells": [{"cell_type": "code", "id": "probe", "metadata": {}, "execution_count": None,
                       "outputs": [], "source": PROBE_SOURCE}]}


def round_trip_times(context, url: str, n: int = 30) -> dict:
    """The bare widget round trip in this JupyterLab: p50/p95 of the whole, of the leg to the
    kernel (Enter to the kernel's observer) and of the leg back (the kernel's send to the
    widget's change event), in ms."""
    from lab_session import LabPage

    page = LabPage(context, url, PROBE_NOTEBOOK)
    try:
        page.run_all()
        page.live_figures()
        page.page.evaluate("""() => document.addEventListener('keydown', e => {
            if (e.key === 'Enter') window.__w2sEnter = performance.timeOrigin + performance.now(); }, true)""")
        rows = []
        for v in range(1, n + 1):
            total = page.set_control("probe", v)
            enter, st = page.page.evaluate("() => [window.__w2sEnter, window.__w2sProbe]")
            rows.append((total, st["recv"] - enter, st["got"] - st["sent"]))
    finally:
        page.page.close()
    a = np.array(rows)
    return {leg: {"p50_ms": float(np.percentile(a[:, i], 50)), "p95_ms": float(np.percentile(a[:, i], 95))}
            for i, leg in enumerate(("round_trip", "to_kernel", "back"))}


def kernel_update_times(steps: int = STEPS, notebooks=None) -> dict:
    """``{"kernels": {explorable: {control: {p50_ms, p95_ms, n}}}, "kernel_update_p95_ms": worst,
    "round_trip": round_trip_times(...)}``."""
    from lab_session import LabPage, browser_context, jupyterlab

    from w2s_lib.explorables import registered_explorables

    entries = registered_explorables()
    per: dict = {}
    with jupyterlab(extra_notebooks={PROBE_NOTEBOOK: _probe_notebook()}) as url, browser_context() as context:
        floor = round_trip_times(context, url)
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
                        swept = values + values[::-1][1:]
                        times = [page.set_control(label, v, figure=k) for v in swept]
                        page.set_control(label, c.default, figure=k)
                        first, again = times[:len(values)], times[len(values):]
                        per.setdefault(name, {})[c.name] = {
                            "p50_ms": float(np.percentile(times, 50)), "p95_ms": float(np.percentile(times, 95)),
                            "n": len(times), "first_max_ms": float(max(first)),
                            "revisit_p95_ms": float(np.percentile(again, 95)) if again else math.nan,
                            "steps": [[v, round(t, 1)] for v, t in zip(swept, times)]}
            finally:
                page.page.close()
    worst = max((v["p95_ms"] for d in per.values() for v in d.values()), default=math.nan)
    revisit = max((v["revisit_p95_ms"] for d in per.values() for v in d.values()), default=math.nan)
    return {"kernels": per, "kernel_update_p95_ms": worst, "kernel_revisit_p95_ms": revisit, "round_trip": floor}


def main(argv=None) -> int:
    import argparse

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("notebooks", nargs="*", help="chapter prefixes to measure (default: every chapter)")
    args = parser.parse_args(argv)
    res = kernel_update_times(notebooks=args.notebooks)
    for leg, v in res["round_trip"].items():
        print(f"{'bare widget':<20} {leg:<12} p50 {v['p50_ms']:6.1f} ms   p95 {v['p95_ms']:6.1f} ms")
    for name, per in res["kernels"].items():
        for control, v in per.items():
            print(f"{name:<20} {control:<12} p50 {v['p50_ms']:6.1f} ms   p95 {v['p95_ms']:6.1f} ms   "
                  f"first visits max {v['first_max_ms']:6.1f} ms   revisits p95 {v['revisit_p95_ms']:6.1f} ms   "
                  f"(n={v['n']})")
    print(f"kernel_update_p95_ms {res['kernel_update_p95_ms']:.1f}   "
          f"(revisits only: {res['kernel_revisit_p95_ms']:.1f})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
