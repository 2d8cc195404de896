"""Re-execute chapter notebooks in place so their stored outputs match the library.

Usage::

    python scripts/refresh_outputs.py                 # every chapters/*.ipynb
    python scripts/refresh_outputs.py chapters/03_student.ipynb

Each notebook runs top to bottom in a fresh ``python3`` kernel with its own folder
as the working directory.  Widget state is not saved: a live widget needs a kernel,
and the static site shows each widget's explorable instead.  Timing metadata is not
recorded (it would only add noise to diffs).  nbval later compares these stored outputs against a fresh run.
"""

from __future__ import annotations

import argparse
import pathlib
import sys
import time

import nbformat
from nbclient import NotebookClient

ROOT = pathlib.Path(__file__).resolve().parents[1]


def refresh(path: pathlib.Path, timeout: int = 600) -> float:
    """Execute one notebook in place; return the wall time in seconds."""
    nb = nbformat.read(path, as_version=4)
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    client = NotebookClient(
        nb,
        timeout=timeout,
        kernel_name="python3",
        resources={"metadata": {"path": str(path.parent)}},
        # nbclient's Output-widget hook needs the widget state while executing; it is
        # dropped from the saved notebook below.
        store_widget_state=True,
        record_timing=False,
    )
    start = time.perf_counter()
    client.execute()
    elapsed = time.perf_counter() - start
    nb.metadata.pop("widgets", None)
    nbformat.write(nb, path)
    return elapsed


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("notebooks", nargs="*", type=pathlib.Path,
                        help="notebooks to refresh (default: every chapters/*.ipynb)")
    args = parser.parse_args(argv)
    paths = args.notebooks or sorted((ROOT / "chapters").glob("*.ipynb"))
    if not paths:
        print("no notebooks found under chapters/", file=sys.stderr)
        return 1
    for path in paths:
        print(f"executing {path} ...", flush=True)
        print(f"  done in {refresh(path.resolve()):.1f} s", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
