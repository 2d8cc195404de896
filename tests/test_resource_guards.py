"""Resource guards: absurd sizes raise a clear ValueError at once, before anything is allocated.

Every guard goes through :func:`w2s_lib._validation.check_resources`, which compares an
estimate of the call's peak memory with a fraction of the machine's RAM and an estimate of
its work with ``WORK_LIMIT``.  These tests check the message (parameter, estimate, limit) and,
with :mod:`tracemalloc`, that the refusal comes before any large allocation.  No timings.
"""

import re
import tracemalloc

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import w2s_lib as w
from w2s_lib import _validation as v

SETTINGS = settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
TH = w.make_theta(4, 3, 2)  # d_s = 4, d_w = 3, d_sw = 2


def _refused(func, param, *, kind=None):
    """Call ``func``; it must raise ValueError naming ``param`` with an estimate and a limit,
    having allocated (Python-visible) less than 1 MB on the way."""
    tracemalloc.start()
    try:
        with pytest.raises(ValueError) as info:
            func()
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    msg = str(info.value)
    assert msg.startswith(f"{param} = "), msg
    assert "would need about" in msg and "more than the limit" in msg, msg
    if kind == "memory":
        assert re.search(r"about [\d.]+(e\+\d+)? [kMGTPE]?B of memory", msg), msg
    elif kind == "work":
        assert "floating-point operations" in msg, msg
    assert peak < 1 << 20, f"{peak} bytes traced before the guard fired"
    return msg


def test_limits_follow_the_machine():
    assert v.physical_memory() > 0
    assert v.memory_limit() == int(v.MEMORY_FRACTION * v.physical_memory())
    assert 0 < v.MEMORY_FRACTION < 1


def test_check_resources_message_holds_estimate_and_limit():
    limit = v.memory_limit()
    with pytest.raises(ValueError, match=r"^size = 7 would need about .* of memory \(a thing\)") as info:
        v.check_resources("size", 7, nbytes=10 * limit, what="a thing")
    assert v._fmt_bytes(10 * limit) in str(info.value) and v._fmt_bytes(limit) in str(info.value)
    with pytest.raises(ValueError, match=r"^steps = 3 would need about 1e\+14 floating-point"):
        v.check_resources("steps", 3, flops=1e14)
    # at the limits: accepted
    v.check_resources("size", 7, nbytes=limit, flops=v.WORK_LIMIT)


def test_sample_sphere_issue_example():
    msg = _refused(lambda: w.sample_sphere(10**12, 3, 0), "n", kind="memory")
    assert "TB" in msg


@SETTINGS
@given(n=st.integers(10**10, 10**20), d=st.integers(2, 10**6))
def test_sample_sphere_absurd_n(n, d):
    if 16 * n * d <= v.memory_limit():  # pragma: no cover - not absurd on a huge machine
        return
    _refused(lambda: w.sample_sphere(n, d, 0), "n", kind="memory")


@SETTINGS
@given(trials=st.integers(10**9, 10**18), method=st.sampled_from(["auto", "gram", "samples"]))
def test_simulate_subspace_absurd_trials(trials, method):
    _refused(lambda: w.simulate_subspace(4, 3, 2, 20, 50, 1.0, TH, trials, 0, method=method), "trials")


@SETTINGS
@given(n=st.integers(10**11, 10**16))
def test_simulate_subspace_absurd_sample_size(n):
    _refused(lambda: w.simulate_subspace(4, 3, 2, n, 50, 1.0, TH, 1, 0, method="samples"), "n + N")


def test_simulate_subspace_general_absurd_trials():
    V_s, V_w = w.random_subspaces(8, 3, 2, 0)
    _refused(lambda: w.simulate_subspace_general(V_s, V_w, 20, 50, 1.0, np.ones(8), 10**10, 0), "trials")


@SETTINGS
@given(D=st.integers(10**10, 10**18))
def test_subspace_dimensions_absurd(D):
    _refused(lambda: w.make_theta(3, 2, 1, D=D), "D", kind="memory")
    _refused(lambda: w.random_subspaces(D, 3, 2, 0), "D", kind="memory")
    _refused(lambda: w.subspaces_with_principal_cosines(D, 3, 2, [0.5, 0.5], 0), "D", kind="memory")


def test_rotation_dimension_quadratic():
    # D = 10^5 is a small vector but a 10^5 x 10^5 rotation (80 GB)
    _refused(lambda: w.subspaces_with_principal_cosines(10**5, 3, 2, [0.5, 0.5], 0), "D", kind="memory")


def test_sweep_subspace_absurd_grid():
    # 10^4 x 10^4 x 10^3 points: refused before the per-pair checks loop over them
    grid = {"n": np.arange(10, 10**4 + 10), "N": np.arange(10, 10**4 + 10), "sigma2": np.linspace(0, 1, 1000)}
    with pytest.raises(ValueError, match=r"^grid = \{'n': 10000, 'N': 10000, 'sigma2': 1000\} would need"):
        w.sweep_subspace(grid, d_s=4, d_w=3, d_sw=2, n=20, N=50, sigma2=1.0, theta=TH)


@pytest.fixture(scope="module")
def teacher():
    return w.fit_teacher(w.sample_sphere(8, 3, 0))


@SETTINGS
@given(n_steps=st.integers(10**12, 10**18))
def test_gradient_descent_absurd_steps(teacher, n_steps):
    W_st = w.sample_sphere(4, 3, 1)
    _refused(lambda: w.gradient_descent_student(teacher, W_st, 10.0, n_steps), "n_steps")


@SETTINGS
@given(N=st.integers(10**10, 10**18))
def test_train_on_samples_absurd_N(teacher, N):
    W_st = w.sample_sphere(4, 3, 1)
    _refused(lambda: w.train_on_samples(teacher, W_st, N, 0), "N")


@SETTINGS
@given(n_grid=st.integers(10**11, 10**18))
def test_loss_curve_absurd_grid(teacher, n_grid):
    traj = w.student_trajectory(teacher, w.sample_sphere(4, 3, 1))
    _refused(lambda: w.loss_curve(traj, n_grid=n_grid), "n_grid", kind="memory")
    _refused(lambda: w.early_stop(traj, n_grid=n_grid), "n_grid", kind="memory")
    kernel = w.student_trajectory(teacher)
    _refused(lambda: w.loss_curve(kernel, n_grid=n_grid), "n_grid", kind="memory")


@SETTINGS
@given(m=st.integers(10**6, 10**12))
def test_teacher_size_sweep_absurd_width(m):
    _refused(lambda: w.teacher_size_sweep(4, [2, m], [0]), "m_values")


def test_gram_of_many_weights():
    # 2 * 10^5 weights are 3.2 MB, their Gram matrix 320 GB
    W = w.sample_sphere(2 * 10**5, 2, 0)
    for func, param in ((w.population_gram, "U.shape[0] (M)"), (w.fit_teacher, "W.shape[0] (M_TE)"),
                        (lambda W: w.relu_features(W, W), "X.shape[0] (n)")):
        pattern = re.escape(param) + r" = 200000 would need about .* GB of memory"
        with pytest.raises(ValueError, match=pattern):
            func(W)
    small = w.fit_teacher(w.sample_sphere(8, 2, 1))
    with pytest.raises(ValueError, match=r"^W_student.shape\[0\] \(M_ST\) = 200000 would need"):
        w.student_trajectory(small, W)


@SETTINGS
@given(n=st.integers(1, 60), d=st.integers(2, 12))
def test_ordinary_sizes_pass(n, d):
    # the guards must not fire on the sizes the book uses
    X = w.sample_sphere(n, d, 0)
    assert X.shape == (n, d)
    assert w.population_gram(X).shape == (n, n)
