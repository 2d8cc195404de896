"""Argument validation shared by every public function of :mod:`w2s_lib`.

Each checker either returns the value converted to a canonical Python/NumPy
type or raises a :class:`TypeError` / :class:`ValueError` whose message names
the offending parameter and the allowed range.  Public functions call these at
their boundary so that bad input never reaches NumPy and never produces a NaN.
"""

from __future__ import annotations

import collections.abc
import functools
import numbers
import os

import numpy as np

__all__ = [
    "check_int",
    "check_float",
    "check_choice",
    "check_rng",
    "check_array",
    "check_unit_rows",
    "check_times",
    "check_resources",
    "memory_limit",
    "WORK_LIMIT",
]


def check_int(value, name, *, low=None, high=None):
    """Return ``value`` as a Python ``int`` after checking ``low <= value <= high``.

    Booleans and non-integral floats are rejected with :class:`TypeError`.
    Integral floats such as ``3.0`` are rejected as well: sizes must be integers.
    """
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, numbers.Integral):
        raise TypeError(f"{name} must be an integer, got {type(value).__name__} {value!r}")
    value = int(value)
    _check_range(value, name, low, high)
    return value


def check_float(value, name, *, low=None, high=None, low_open=False, high_open=False):
    """Return ``value`` as a finite Python ``float`` inside the given range."""
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, numbers.Real):
        raise TypeError(f"{name} must be a real number, got {type(value).__name__} {value!r}")
    value = float(value)
    if not np.isfinite(value):
        raise ValueError(f"{name} must be finite, got {value!r}")
    _check_range(value, name, low, high, low_open=low_open, high_open=high_open)
    return value


def _check_range(value, name, low, high, *, low_open=False, high_open=False):
    too_low = low is not None and (value <= low if low_open else value < low)
    too_high = high is not None and (value >= high if high_open else value > high)
    if too_low or too_high:
        left = "(" if low_open else "["
        right = ")" if high_open else "]"
        lo = "-inf" if low is None else repr(low)
        hi = "inf" if high is None else repr(high)
        raise ValueError(f"{name} must lie in {left}{lo}, {hi}{right}, got {value!r}")


def check_choice(value, name, choices):
    """Check that ``value`` is one of ``choices`` (strings compared exactly).

    Arrays and other unhashable values are refused with the same message (``value in choices``
    would otherwise compare an array element by element and fail with numpy's own error).
    """
    if isinstance(value, np.ndarray) or not isinstance(value, collections.abc.Hashable) or value not in choices:
        raise ValueError(f"{name} must be one of {sorted(choices)!r}, got {value!r}")
    return value


def check_rng(seed, name="seed"):
    """Turn ``seed`` (``int >= 0`` or :class:`numpy.random.Generator`) into a Generator."""
    if isinstance(seed, np.random.Generator):
        return seed
    seed = check_int(seed, name, low=0)
    return np.random.default_rng(seed)


def check_array(value, name, *, ndim=None, shape=None, finite=True):
    """Convert ``value`` to a float ``ndarray`` and check its rank, shape and entries.

    Integer and float inputs are accepted; boolean, complex, object and string
    arrays are rejected with :class:`TypeError`.

    Parameters
    ----------
    value : array_like
    name : str
        Parameter name used in error messages.
    ndim : int, optional
        Required number of dimensions.
    shape : tuple, optional
        Required shape; ``None`` entries match any length.
    finite : bool
        Reject NaN and infinities.
    """
    if isinstance(value, (str, bytes)):
        raise TypeError(f"{name} must be a numeric array, got {type(value).__name__}")
    try:
        arr = np.asarray(value)
    except Exception as exc:  # ragged lists etc.
        raise TypeError(f"{name} must be a numeric array ({exc})") from None
    if arr.dtype.kind not in "iuf":
        raise TypeError(f"{name} must be a real numeric array, got dtype {arr.dtype}")
    arr = arr.astype(float, copy=False)
    if ndim is not None and arr.ndim != ndim:
        raise ValueError(f"{name} must have {ndim} dimension(s), got shape {arr.shape}")
    if shape is not None:
        if arr.ndim != len(shape) or any(s is not None and s != a for s, a in zip(shape, arr.shape)):
            want = tuple("any" if s is None else s for s in shape)
            raise ValueError(f"{name} must have shape {want}, got {arr.shape}")
    if finite and not np.all(np.isfinite(arr)):
        raise ValueError(f"{name} must contain only finite values")
    return arr


def check_unit_rows(value, name, *, d=None, atol=1e-6):
    """Check a weight matrix of shape ``(M, d)`` whose rows lie on the unit sphere."""
    arr = check_array(value, name, ndim=2)
    if arr.shape[0] < 1:
        raise ValueError(f"{name} must have at least one row (M >= 1), got shape {arr.shape}")
    if arr.shape[1] < 2:
        raise ValueError(f"{name} must have d >= 2 columns, got shape {arr.shape}")
    if d is not None and arr.shape[1] != d:
        raise ValueError(f"{name} must have d = {d} columns, got shape {arr.shape}")
    norms = np.linalg.norm(arr, axis=1)
    if not np.allclose(norms, 1.0, atol=atol, rtol=0):
        worst = float(np.max(np.abs(norms - 1.0)))
        raise ValueError(f"rows of {name} must be unit vectors (|w| = 1 within {atol}); worst deviation {worst:.3g}")
    return arr


def check_times(value, name="tau"):
    """Check times: a scalar or array of finite, non-negative reals. Returns a float ndarray."""
    arr = check_array(value, name)
    if np.any(arr < 0):
        raise ValueError(f"{name} must be >= 0 (times run forward from initialisation), got min {float(arr.min())!r}")
    return arr


# ---------------------------------------------------------------------------
# resource guards
# ---------------------------------------------------------------------------
#: Fraction of the machine's physical memory one call may plan to allocate.
MEMORY_FRACTION = 0.5
#: Largest estimated work of one call, in floating-point operations (~10^13: hours on a
#: 2-core machine at the few GFLOP/s the book's small batched problems reach).  Nothing the
#: book computes comes within a factor 100 of it.
WORK_LIMIT = 1e13
_FALLBACK_RAM = 4 << 30  # used when the platform does not report its physical memory


@functools.lru_cache(maxsize=None)
def physical_memory() -> int:
    """Physical memory of the machine in bytes (read once; 4 GiB when it cannot be read)."""
    try:
        ram = int(os.sysconf("SC_PAGE_SIZE")) * int(os.sysconf("SC_PHYS_PAGES"))
    except (AttributeError, ValueError, OSError):  # pragma: no cover - non-POSIX
        ram = 0
    return ram if ram > 0 else _FALLBACK_RAM


def memory_limit() -> int:
    """Bytes one call of a public function may plan to allocate: ``MEMORY_FRACTION`` of RAM."""
    return int(MEMORY_FRACTION * physical_memory())


def _fmt_bytes(n) -> str:
    n = float(n)
    for unit in ("B", "kB", "MB", "GB", "TB", "PB", "EB"):
        if n < 1000 or unit == "EB":
            return f"{n:.3g} {unit}"
        n /= 1000
    return f"{n:.3g} EB"  # pragma: no cover


def check_resources(name, value, *, nbytes=0, flops=0, what=None):
    """Refuse, before anything is allocated, a call that would need too much memory or work.

    Parameters
    ----------
    name : str
        The parameter (or parameters, e.g. ``"trials, n, N"``) that sets the size; named in
        the message.
    value : object
        Its value, shown in the message (``repr``).
    nbytes : int or float
        Estimated peak memory of the call in bytes (Python ints: no overflow).
    flops : int or float
        Estimated floating-point operations of the call.
    what : str, optional
        What the estimate is for (e.g. ``"an (n, M) feature matrix"``), added to the message.

    Raises
    ------
    ValueError
        When ``nbytes > memory_limit()`` or ``flops > WORK_LIMIT``; the message holds the
        parameter, the estimate and the limit.
    """
    limit = memory_limit()
    about = f" ({what})" if what else ""
    if nbytes > limit:
        raise ValueError(
            f"{name} = {value!r} would need about {_fmt_bytes(nbytes)} of memory{about}, more than the "
            f"limit of {_fmt_bytes(limit)} ({MEMORY_FRACTION:g} of this machine's "
            f"{_fmt_bytes(physical_memory())} of RAM); use a smaller {name}"
        )
    if flops > WORK_LIMIT:
        raise ValueError(
            f"{name} = {value!r} would need about {float(flops):.3g} floating-point operations{about}, "
            f"more than the limit of {WORK_LIMIT:.3g} (hours of computation); use a smaller {name}"
        )


# The target direction of Part I (a unit vector beta; e_1 by default). Here, not in
# random_features, so that harmonics can check it without importing random_features.
def default_beta(d):
    """The default target direction ``beta = e_1`` in ``R^d`` (shape ``(d,)``)."""
    d = check_int(d, "d", low=2)
    beta = np.zeros(d)
    beta[0] = 1.0
    return beta


def check_beta(beta, d):
    """Validate a target direction: ``None`` -> ``e_1``; else a unit vector of shape ``(d,)``."""
    if beta is None:
        return default_beta(d)
    b = check_array(beta, "beta", ndim=1, shape=(d,))
    nrm = float(np.linalg.norm(b))
    if abs(nrm - 1.0) > 1e-6:
        raise ValueError(f"beta must be a unit vector (|beta| = 1 within 1e-6), got |beta| = {nrm:.6g}")
    return b / nrm
