"""Property-based checks of the random-feature API boundary (hypothesis).

* One argument of a valid call replaced by junk: an error (``ValueError`` or ``TypeError``,
  naming a parameter) is raised exactly when the replacement is outside the documented domain
  (``DOMAIN``, stated independently of the library's checks); otherwise the output is NaN-free.
* Random valid arguments always give finite output.
"""

import dataclasses

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import w2s_lib as L
from w2s_lib.harmonics import MAX_DEGREE

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


# ---------------------------------------------------------------------------
# The documented domain of every parameter above, stated independently of the library's
# checks: (function, parameter) -> predicate on a replacement value (the other arguments
# keep their valid values from CALLS).
# ---------------------------------------------------------------------------
def _is_int(v):
    return isinstance(v, (int, np.integer)) and not isinstance(v, (bool, np.bool_))


def _is_real(v):
    return (isinstance(v, (int, float, np.integer, np.floating)) and not isinstance(v, (bool, np.bool_))
            and bool(np.isfinite(v)))


def _int(lo, hi=None):
    return lambda v: _is_int(v) and v >= lo and (hi is None or v <= hi)


def _real(lo=-np.inf, hi=np.inf, lo_open=False, hi_open=False):
    def ok(v):
        if not _is_real(v):
            return False
        return (v > lo if lo_open else v >= lo) and (v < hi if hi_open else v <= hi)
    return ok


def _arr(v, ndim=None, shape=None):
    """A finite real array (ints and floats; never bool, complex, str or object), or None."""
    if isinstance(v, (str, bytes)):
        return None
    try:
        a = np.asarray(v)
    except ValueError:  # ragged
        return None
    if a.dtype.kind not in "iuf" or (ndim is not None and a.ndim != ndim):
        return None
    if shape is not None and any(w is not None and w != g for w, g in zip(shape, a.shape)):
        return None
    return a.astype(float) if np.all(np.isfinite(a)) else None


def _array(ndim=None, shape=None, test=lambda a: True):
    return lambda v: (a := _arr(v, ndim, shape)) is not None and bool(test(a))


def _unit_rows(d=None, rows=None):
    def ok(v):
        a = _arr(v, 2)
        return (a is not None and a.shape[0] >= 1 and a.shape[1] >= 2 and (d is None or a.shape[1] == d)
                and (rows is None or a.shape[0] == rows) and np.allclose(np.linalg.norm(a, axis=1), 1, atol=1e-6, rtol=0))
    return ok


def _optional(pred):
    return lambda v: v is None or pred(v)


def _target(v):
    return isinstance(v, str) and v in L.TARGETS


def _seed(v):
    return isinstance(v, np.random.Generator) or _int(0)(v)


def _int_list(lo, distinct):
    def ok(v):
        if isinstance(v, (str, bytes, dict)) or v is None or isinstance(v, np.ndarray) and v.dtype.kind not in "iu":
            return False
        vals = list(np.atleast_1d(np.asarray(v, dtype=object)).ravel()) if not isinstance(v, list) else v
        return all(_int(lo)(x) for x in vals) and len(set(vals)) >= distinct
    return ok


_TIMES = _array(test=lambda a: np.all(a >= 0))
_UNIT_BETA = _optional(_array(1, (D,), lambda a: abs(np.linalg.norm(a) - 1) <= 1e-6))
_RCOND = _real(0, 1, True, True)
_MAXDEG = _int(0, MAX_DEGREE)
_LAM1 = 1.0 / (4 * D**2)
_SMAX = float(np.linalg.eigvalsh(L.population_gram(W_ST))[-1])


def _gd_stable(tau_max, n_steps):
    """Explicit gradient descent is stable iff its step times the top Gram eigenvalue is < 2."""
    return tau_max / _LAM1 / n_steps / W_ST.shape[0] * _SMAX < 2


DOMAIN = {
    "sample_sphere": dict(n=_int(1), d=_int(2), seed=_seed),
    "relu_features": dict(X=_array(2, (None, D)), W=_unit_rows(D)),
    "arccos_J": dict(theta=_array(test=lambda a: np.all((a >= 0) & (a <= np.pi)))),
    "population_gram": dict(U=_unit_rows(D), V=_optional(_unit_rows(D))),
    "target_correlation": dict(W=_unit_rows(D), beta=_UNIT_BETA, target=_target),
    "target_values": dict(X=_array(2, test=lambda a: a.shape[1] >= 2), target=_target, beta=_UNIT_BETA),
    "target_profile": dict(d=_int(2), max_degree=_MAXDEG, target=_target),
    "relu_gegenbauer_coefficients": dict(d=_int(2), max_degree=_MAXDEG),
    "kernel_eigenvalues": dict(d=_int(2), max_degree=_MAXDEG),
    "harmonic_multiplicity": dict(d=_int(2), k=_MAXDEG),
    "multiplicities": dict(d=_int(2), max_degree=_MAXDEG),
    "relu_degree_energy": dict(d=_int(2), max_degree=_MAXDEG),
    "gegenbauer": dict(s=_array(test=lambda a: np.all(np.abs(a) <= 1)), k=_MAXDEG, d=_int(2)),
    "harmonic_energies": dict(W=_unit_rows(rows=W_TE.shape[0]), a=_array(1, (W_TE.shape[0],)), norm2=_real(0),
                              max_degree=_optional(_int(1, MAX_DEGREE))),
    "fit_teacher": dict(W=_unit_rows(), target=_target, beta=_UNIT_BETA, rcond=_RCOND),
    "least_squares_loss": dict(W=_unit_rows(), target=_target),
    "student_loss": dict(teacher=lambda v: isinstance(v, L.Teacher), tau=_TIMES, W_student=_optional(_unit_rows(D))),
    "student_trajectory": dict(teacher=lambda v: isinstance(v, L.Teacher), W_student=_optional(_unit_rows(D)),
                               rcond=_RCOND),
    "gradient_descent_student": dict(teacher=lambda v: isinstance(v, L.Teacher), W_student=_unit_rows(D),
                                     tau_max=lambda v: _real(0, lo_open=True)(v) and _gd_stable(v, 50),
                                     n_steps=lambda v: _int(1)(v) and _gd_stable(1.0, v)),
    "train_on_samples": dict(teacher=lambda v: isinstance(v, L.Teacher), W_student=_unit_rows(D), N=_int(1), seed=_seed),
    "loss_curve": dict(trajectory=lambda v: v is TRAJ, tau_min=_real(0, 100.0, True, True),
                       tau_max=_real(0.1, lo_open=True), n_grid=_int(3)),
    "early_stop": dict(trajectory=lambda v: v is TRAJ, tau_min=_real(0, 100.0, True, True),
                       tau_max=_real(0.1, lo_open=True), n_grid=_int(3)),
    "optimal_stopping": dict(teacher=lambda v: isinstance(v, L.Teacher), W_student=_optional(_unit_rows(D)),
                             tau_min=_real(0, 100.0, True, True), tau_max=_real(0.1, lo_open=True), n_grid=_int(3)),
    "degree_learning_times": dict(d=_int(2), max_degree=_int(1)),
    "floor": dict(tau=_TIMES, teacher_loss=_real(0, 1)),
    "pgr": dict(teacher_loss=_real(0, lo_open=True), student_loss=_real(0), ceiling_loss=_real(0, 0.4, hi_open=True)),
    "fit_exponent": dict(
        teacher_losses=_array(1, (3,), lambda a: np.all(a > 0) and np.ptp(a) > 0),
        student_losses=_array(1, (3,), lambda a: np.all(a > 0))),
    "teacher_size_sweep": dict(d=_int(2), m_values=_int_list(1, 2), seeds=_int_list(0, 1), target=_target),
    "lambda_1": dict(d=_int(2)),
    "tau_to_time": dict(tau=_TIMES, d=_int(2)),
}

#: Replacements that are valid for some parameters and not others, added to JUNK.
VALID_TOO = [1, 2, 3, 7, 0.25, 1e-3, np.int64(4), L.sample_sphere(4, D, 5), L.sample_sphere(3, 3, 6),
             np.array([0.0, 0.5, 3.0]), np.array([0.1, 0.2, 0.4]), [2, 3], np.random.default_rng(1),
             L.fit_teacher(L.sample_sphere(4, D, 7)), "relu", "he2"]


def test_domain_covers_every_parameter_of_every_call():
    for name, (fn, kw) in CALLS.items():
        assert set(DOMAIN[name]) <= set(kw), name
        assert all(DOMAIN[name][k](v) for k, v in kw.items() if k in DOMAIN[name]), f"{name}: its valid call is outside DOMAIN"


@pytest.mark.parametrize("name,key", [(n, k) for n in sorted(DOMAIN) for k in sorted(DOMAIN[n])])
def test_an_error_is_raised_exactly_when_an_argument_is_invalid(name, key):
    """Replace one argument of a valid call by each value of JUNK and VALID_TOO: the call raises a
    ValueError/TypeError whose message names a parameter if and only if the value is outside the
    documented domain (DOMAIN); otherwise it returns NaN-free output."""
    fn, kw = CALLS[name]
    wrong = []
    for value in JUNK + VALID_TOO:
        valid = DOMAIN[name][key](value)
        try:
            out = fn(**{**kw, key: value})
        except (ValueError, TypeError) as exc:
            if valid:
                wrong.append(f"rejected valid {key}={value!r}: {exc}")
            elif not any(p in str(exc) for p in kw):
                wrong.append(f"error for {key}={value!r} names no parameter: {exc}")
            continue
        if not valid:
            wrong.append(f"accepted invalid {key}={value!r}")
        else:
            _assert_no_nan(out)
    assert not wrong, f"{name}:\n" + "\n".join(wrong)


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
