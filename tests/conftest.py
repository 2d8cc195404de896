"""Shared pytest configuration for the unit tests of w2s_lib."""

import os

os.environ.setdefault("MPLBACKEND", "Agg")

from hypothesis import HealthCheck, settings  # noqa: E402

# No per-example deadline: a loaded 2-core CI machine must not turn speed into flakiness.
settings.register_profile(
    "book", deadline=None, suppress_health_check=[HealthCheck.too_slow], derandomize=True
)
settings.load_profile("book")
