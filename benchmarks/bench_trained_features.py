"""Performance of chapter 8's numerics (measurements, not tests).

Run ``python benchmarks/bench_trained_features.py``.  ``run()`` returns a dict (seconds):

``train_s``
    Pretraining both networks from scratch (weak and strong MLPs, caches cleared).
``representations_s``
    Frozen features, intrinsic dimensions, principal features and target energies.
``point_s``
    One :func:`w2s_lib.trained_features.trained_w2s` call at the chapter's settings
    (20 splits), after the caches are warm except the split overlaps.
``chapter_numerics_s``
    Every sweep the chapter and its explorable draw (figure-module cache cleared),
    with warm networks.
``ledger_b7_s``
    The ledger's claims B7a-B7i in a warm process (their own caches cleared).

Timings are the best of a few repetitions (a loaded 2-core machine is noisy).
"""

from __future__ import annotations

import time

import numpy as np

from w2s_lib import figures_trained as ft
from w2s_lib import ledger
from w2s_lib import trained_features as tf
from w2s_lib.explorables.trained_networks import N_GRID, SIGMA2_GRID


def _best_of(fn, repeats, reset=lambda: None):
    best = np.inf
    for _ in range(repeats):
        reset()
        start = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - start)
    return best


def _clear_all():
    tf._train.cache_clear()
    tf._representations.cache_clear()
    tf._split_overlaps.cache_clear()
    ft._point.cache_clear()
    ledger._b7.cache_clear()


def _chapter_numerics():
    ft.sweep("N", ft.N_DIP)
    ft.sweep("N", ft.N_VALUES)
    ft.sweep("n", ft.n_VALUES)
    ft.sweep("sigma2", ft.SIGMA2_VALUES)
    for s2 in SIGMA2_GRID:
        ft.sweep("N", N_GRID, sigma2=s2)


def run(repeats=3):
    """Time the pieces (see the module docstring)."""
    train = _best_of(lambda: (tf.pretrained_model("weak"), tf.pretrained_model("strong")), repeats, _clear_all)
    reps = _best_of(lambda: tf.trained_representations(), repeats, lambda: tf._representations.cache_clear())
    tf.trained_representations()
    point = _best_of(lambda: tf.trained_w2s(**ft.CH8), repeats, lambda: tf._split_overlaps.cache_clear())

    def reset_chapter():
        ft._point.cache_clear()
        tf._split_overlaps.cache_clear()

    chapter = _best_of(_chapter_numerics, repeats, reset_chapter)
    b7 = [c for c in ledger.CLAIMS if c.id.startswith("B7")]

    def reset_ledger():
        ledger._b7.cache_clear()
        tf._split_overlaps.cache_clear()

    claims = _best_of(lambda: ledger.run_ledger(b7), repeats, reset_ledger)
    return {"train_s": train, "representations_s": reps, "point_s": point,
            "chapter_numerics_s": chapter, "ledger_b7_s": claims}


if __name__ == "__main__":
    for key, value in run().items():
        print(f"{key:22s} {value:.3f}")
