"""One BLAS thread for small matrices (threadpoolctl), shared by every numerics module.

Multithreaded OpenBLAS on small matrices gains little on two cores and, when another
process computes at the same time, loses a lot: its threads spin waiting for each other
(3-25x slower updates were measured in this project).  The book's matrices are small (Gram
matrices of at most a few thousand rows, batches of tiny solves), so their hot paths run
inside :func:`small_blas`, which limits BLAS/LAPACK to one thread while they run and leaves
large products alone.  No environment variable is needed; without threadpoolctl (it is a
listed dependency) the context does nothing.
"""

from __future__ import annotations

import contextlib
import functools

__all__ = ["SMALL_BLAS_SIZE", "one_blas_thread", "small_blas"]

#: Matrices with at most this many rows (or batches of such matrices) run on one BLAS thread.
SMALL_BLAS_SIZE = 4096


@functools.lru_cache(maxsize=None)
def _controller():
    try:
        import numpy  # noqa: F401
        import scipy.linalg  # noqa: F401  (load every BLAS before taking stock of them)
        from threadpoolctl import ThreadpoolController

        return ThreadpoolController()
    except Exception:  # pragma: no cover - threadpoolctl missing or failing
        return None


def one_blas_thread():
    """Context running BLAS/LAPACK on one thread (a no-op without threadpoolctl)."""
    pool = _controller()
    if pool is None:  # pragma: no cover
        return contextlib.nullcontext()
    return pool.limit(limits=1, user_api="blas")


def small_blas(n: int = 0):
    """:func:`one_blas_thread` when the problem's matrices have at most ``SMALL_BLAS_SIZE``
    rows, else a no-op context (large products keep every thread)."""
    return one_blas_thread() if n <= SMALL_BLAS_SIZE else contextlib.nullcontext()


def small_blas_call(size=None):
    """Decorator: run the function inside :func:`small_blas` (``size(*args, **kwargs)`` gives
    the largest matrix dimension; default 0, i.e. always one thread)."""

    def decorate(func):
        @functools.wraps(func)
        def wrapper(*args, **kwargs):
            with small_blas(0 if size is None else size(*args, **kwargs)):
                return func(*args, **kwargs)

        return wrapper

    return decorate
