"""Property-based checks of the random-feature API boundary (hypothesis).

* Invalid arguments (one argument of a valid call replaced by junk) only ever raise
  ``ValueError`` or ``TypeError``; if a replacement happens to be acceptable the call must
  still return NaN-free output.
* Random valid arguments always give finite output.
"""

import dataclasses

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import w2s_lib as L

D = 5
W_TE = L.sample_sphere(6, D, 0)
W_ST = L.sample_sphere(9, D, 1)
TEACHER = L.fit_teacher(W_TE)
TRAJ = L.student_trajectory(TEACHER, W_ST)

# name -> (function, dict of valid keyword arguments)
CALLS = {
    "sample_sphere": (L.sample_sphere, dict(n=4, d=D, seed=0)),
    "relu_features": (L.relu_features, dict(X=L.sample_sphere(3, D, 2), W=W_TE)),
    "arccos_J": (L.arccos_J, dict(theta=np.array([0.0, 1.0, np.pi]))),
    "population_gram": (L.population_gram, dict(U=W_TE, V=W_ST)),
    "target_correlation": (L.target_correlation, dict(W=W_TE, beta=np.eye(D)[1], target="relu")),
    "target_values": (L.target_values, dict(X=L.sample_sphere(3, D, 2), target="he2", beta=None)),
    "target_profile": (L.target_profile, dict(d=D, max_degree=6, target="relu")),
    "relu_gegenbauer_coefficients": (L.relu_gegenbauer_coefficients, dict(d=D, max_degree=8)),
    "kernel_eigenvalues": (L.kernel_eigenvalues, dict(d=D, max_degree=8)),
    "harmonic_multiplicity": (L.harmonic_multiplicity, dict(d=D, k=3)),
    "multiplicities": (L.multiplicities, dict(d=D, max_degree=8)),
    "relu_degree_energy": (L.relu_degree_energy, dict(d=D, max_degree=8)),
    "gegenbauer": (L.gegenbauer, dict(s=np.array([-1.0, 0.2, 1.0]), k=4, d=D)),
    "harmonic_energies": (L.harmonic_energies, dict(W=W_TE, a=TEACHER.coef, norm2=TEACHER.norm2, max_degree=6)),
    "fit_teacher": (L.fit_teacher, dict(W=W_TE, target="linear", beta=None, rcond=1e-10)),
    "least_squares_loss": (L.least_squares_loss, dict(W=W_ST, target="relu")),
    "student_loss": (L.student_loss, dict(teacher=TEACHER, tau=np.array([0.0, 1.0, 50.0]), W_student=W_ST)),
    "student_trajectory": (L.student_trajectory, dict(teacher=TEACHER, W_student=W_ST, rcond=1e-12)),
    "gradient_descent_student": (L.gradient_descent_student, dict(teacher=TEACHER, W_student=W_ST, tau_max=1.0, n_steps=50)),
    "train_on_samples": (L.train_on_samples, dict(teacher=TEACHER, W_student=W_ST, N=7, seed=3)),
    "loss_curve": (L.loss_curve, dict(trajectory=TRAJ, tau_min=0.1, tau_max=100.0, n_grid=10)),
    "early_stop": (L.early_stop, dict(trajectory=TRAJ, tau_min=0.1, tau_max=100.0, n_grid=10)),
    "optimal_stopping": (L.optimal_stopping, dict(teacher=TEACHER, W_student=None, tau_min=0.1, tau_max=100.0, n_grid=10)),
    "degree_learning_times": (L.degree_learning_times, dict(d=D, max_degree=6)),
    "floor": (L.floor, dict(tau=np.array([0.0, 2.0]), teacher_loss=0.4)),
    "pgr": (L.pgr, dict(teacher_loss=0.4, student_loss=0.1, ceiling_loss=0.0)),
    "fit_exponent": (L.fit_exponent, dict(teacher_losses=[0.1, 0.2, 0.3], student_losses=[0.01, 0.04, 0.09])),
    "teacher_size_sweep": (L.teacher_size_sweep, dict(d=D, m_values=[2, 3], seeds=[0], target="linear")),
    "lambda_1": (L.lambda_1, dict(d=D)),
    "tau_to_time": (L.tau_to_time, dict(tau=np.array([0.0, 1.0]), d=D)),
}

JUNK = [
    None, "abc", b"x", True, False, -1, 0, -7, 1.5, -0.5, 2.0, float("nan"), float("inf"), -float("inf"),
    1e300, [], [[1.0, 2.0], [3.0]], object(), {"a": 1}, 1j,
    np.array([1 + 2j, 3j]), np.array(["a", "b"]), np.array([True, False]), np.zeros(0), np.zeros((0, D)),
    np.zeros((3, D)), np.ones((3, D)), np.full((2, D), np.nan), np.eye(D)[:2] * 2.0, np.eye(3),
    np.ones((2, 2, 2)), -np.ones(3), np.array([np.inf, 1.0]), np.eye(D + 1)[:3], "linear", "cubic",
]


def _assert_no_nan(obj, finite=False):
    """Recursively check numbers, arrays, tuples and dataclasses for NaN (or non-finite)."""
    if dataclasses.is_dataclass(obj) and not isinstance(obj, type):
        for f in dataclasses.fields(obj):
            if not f.name.startswith("_"):
                _assert_no_nan(getattr(obj, f.name), finite)
    elif isinstance(obj, (tuple, list)):
        for x in obj:
            _assert_no_nan(x, finite)
    elif isinstance(obj, int) and not isinstance(obj, bool):
        return  # exact Python integers (multiplicities) cannot be NaN
    elif isinstance(obj, (float, np.ndarray, np.number)):
        arr = np.asarray(obj, dtype=float)
        assert not np.any(np.isnan(arr))
        if finite:
            assert np.all(np.isfinite(arr)), arr


@pytest.mark.parametrize("name", sorted(CALLS))
def test_every_valid_reference_call_returns_finite_output(name):
    fn, kw = CALLS[name]
    out = fn(**kw)
    _assert_no_nan(out, finite=name != "degree_learning_times")


@settings(max_examples=250)
@given(
    name=st.sampled_from(sorted(CALLS)),
    junk=st.sampled_from(range(len(JUNK))),
    pick=st.integers(0, 10),
)
def test_invalid_arguments_only_raise_value_or_type_errors(name, junk, pick):
    fn, kw = CALLS[name]
    kw = dict(kw)
    key = sorted(kw)[pick % len(kw)]
    kw[key] = JUNK[junk]
    try:
        out = fn(**kw)
    except (ValueError, TypeError):
        return
    _assert_no_nan(out)


@settings(max_examples=200)
@given(
    name=st.sampled_from(["relu_gegenbauer_coefficients", "kernel_eigenvalues", "multiplicities",
                          "relu_degree_energy", "harmonic_multiplicity", "target_profile", "degree_learning_times"]),
    d=st.integers(-5, 10**6),
    k=st.integers(-5, 3 * 10**4),
)
def test_degree_functions_reject_bad_sizes_and_never_give_nan(name, d, k):
    fn = getattr(L, name)
    try:
        out = fn(d, k)
    except (ValueError, TypeError):
        assert d < 2 or k < 0 or k > 20000 or (name == "degree_learning_times" and k < 1)
        return
    assert d >= 2 and 0 <= k <= 20000
    _assert_no_nan(out)


@settings(max_examples=25)
@given(
    d=st.integers(2, 12),
    m_te=st.integers(1, 24),
    m_st=st.integers(1, 24),
    n=st.integers(1, 30),
    seed=st.integers(0, 2**31),
    target=st.sampled_from(L.TARGETS),
    taus=st.lists(st.floats(0, 1e12, allow_nan=False) | st.sampled_from([0.0, 1e300]), min_size=1, max_size=5),
)
def test_random_valid_pipeline_gives_finite_losses_in_range(d, m_te, m_st, n, seed, target, taus):
    T = L.fit_teacher(L.sample_sphere(m_te, d, seed), target=target)
    assert 0.0 <= T.loss <= 1.0 and np.all(np.isfinite(T.coef))
    W = L.sample_sphere(m_st, d, seed + 1)
    tau = np.array(taus)
    for Ws in (None, W):
        ls = L.student_loss(T, tau, Ws)
        assert ls.shape == tau.shape and np.all(np.isfinite(ls)) and np.all(ls >= 0)
    s = L.train_on_samples(T, W, n, seed + 2)
    assert np.all(np.isfinite(s.loss(tau))) and np.isfinite(s.interpolating_loss)
    r = L.optimal_stopping(T, n_grid=20)
    assert np.isfinite(r.tau_star) and 0 <= r.loss_star <= 1.0 + 1e-9
    assert np.all(np.isfinite(L.floor(tau, T.loss)))
    H = T.harmonics
    assert 0.0 <= H.captured_fraction <= 1.0


@pytest.mark.parametrize(
    "fn,kw,err,match",
    [
        (L.sample_sphere, dict(n=0, d=3, seed=0), ValueError, "n must lie"),
        (L.sample_sphere, dict(n=3, d=1, seed=0), ValueError, "d must lie"),
        (L.sample_sphere, dict(n=3.0, d=3, seed=0), TypeError, "n must be an integer"),
        (L.sample_sphere, dict(n=3, d=3, seed=-1), ValueError, "seed"),
        (L.fit_teacher, dict(W=np.ones((3, D))), ValueError, "rows of W must be unit"),
        (L.fit_teacher, dict(W=W_TE, target="cubic"), ValueError, "target must be one of"),
        (L.fit_teacher, dict(W=W_TE, beta=np.ones(D)), ValueError, "beta must be a unit"),
        (L.fit_teacher, dict(W=np.ones((3, 1))), ValueError, "d >= 2"),
        (L.student_loss, dict(teacher=TEACHER, tau=-1.0), ValueError, "tau must be >= 0"),
        (L.student_loss, dict(teacher=TEACHER, tau=np.nan), ValueError, "tau must contain only finite"),
        (L.student_loss, dict(teacher=TEACHER, tau=1.0, W_student=L.sample_sphere(4, D + 1, 0)), ValueError, "W_student must have d = 5"),
        (L.student_loss, dict(teacher="teacher", tau=1.0), TypeError, "teacher must be"),
        (L.student_loss, dict(teacher=TEACHER, tau=np.array([1 + 1j])), TypeError, "tau must be a real"),
        (L.train_on_samples, dict(teacher=TEACHER, W_student=W_ST, N=0, seed=0), ValueError, "N must lie"),
        (L.gradient_descent_student, dict(teacher=TEACHER, W_student=W_ST, tau_max=1e6, n_steps=1), ValueError, "n_steps must be >"),
        (L.floor, dict(tau=1.0, teacher_loss=1.5), ValueError, "teacher_loss must lie"),
    ],
)
def test_specific_bad_arguments_name_the_parameter_and_range(fn, kw, err, match):
    with pytest.raises(err, match=match):
        fn(**kw)
