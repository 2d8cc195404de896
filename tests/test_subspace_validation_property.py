"""Property tests: bad input raises ValueError/TypeError only; valid input gives finite numbers."""

import math

import numpy as np
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from w2s_lib.subspace import RISK_KEYS, simulate_subspace, subspace_risks, subspace_risks_from_energies

SETTINGS = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])

anything_size = st.one_of(
    st.integers(-3, 40), st.floats(allow_nan=True, allow_infinity=True), st.booleans(),
    st.none(), st.text(max_size=2), st.just(np.int64(5)), st.just(3.0),
)
anything_real = st.one_of(
    st.floats(allow_nan=True, allow_infinity=True), st.integers(-5, 5), st.none(), st.text(max_size=2),
)
anything_theta = st.one_of(
    st.lists(st.floats(allow_nan=True, allow_infinity=True, width=64), max_size=40),
    st.lists(st.floats(-3, 3), min_size=0, max_size=60).map(np.array),
    st.just("abc"), st.none(), st.just(np.zeros((3, 3))), st.just(np.array([True, False])),
)


def _all_finite(d):
    for k, v in d.items():
        if isinstance(v, dict):
            _all_finite(v)
        elif isinstance(v, float):
            assert math.isfinite(v), (k, v)


def _is_int(v):
    return isinstance(v, (int, np.integer)) and not isinstance(v, (bool, np.bool_))


def _is_real(v):
    return (isinstance(v, (int, float, np.integer, np.floating)) and not isinstance(v, (bool, np.bool_))
            and math.isfinite(float(v)))


def _exact_args_valid(d_s, d_w, d_sw, n, N, sigma2, theta):
    """Independent statement of the documented domain of :func:`subspace_risks`."""
    if not all(_is_int(v) for v in (d_s, d_w, d_sw, n, N)):
        return False
    if d_s < 1 or d_w < 1 or not 0 <= d_sw <= min(d_s, d_w):
        return False
    if n <= max(d_s, d_w) + 1 or N <= d_s + 1:
        return False
    if not _is_real(sigma2) or sigma2 < 0:
        return False
    if isinstance(theta, str) or theta is None:
        return False
    arr = np.asarray(theta)
    return (arr.dtype.kind in "iuf" and arr.ndim == 1 and bool(np.all(np.isfinite(arr)))
            and arr.shape[0] >= d_s + d_w - d_sw)


@SETTINGS
@given(d_s=anything_size, d_w=anything_size, d_sw=anything_size, n=anything_size, N=anything_size,
       sigma2=anything_real, theta=anything_theta)
def test_random_args_raise_exactly_when_invalid(d_s, d_w, d_sw, n, N, sigma2, theta):
    """An error is raised if and only if the arguments leave the documented domain.

    The one extra error allowed on valid input is an undefined PGR/OPR (zero
    denominator), which must say so.
    """
    valid = _exact_args_valid(d_s, d_w, d_sw, n, N, sigma2, theta)
    try:
        out = subspace_risks(d_s, d_w, d_sw, n, N, sigma2, theta)
    except (ValueError, TypeError) as exc:
        assert not valid or ("PGR" in str(exc) or "OPR" in str(exc)), (exc, d_s, d_w, d_sw, n, N, sigma2)
        return
    assert valid, "accepted invalid input"
    for key in (*RISK_KEYS, "pgr", "opr"):
        assert isinstance(out[key], float)
    _all_finite(out)


@st.composite
def valid_exact_args(draw):
    d_s = draw(st.integers(1, 12))
    d_w = draw(st.integers(1, 12))
    d_sw = draw(st.integers(0, min(d_s, d_w)))
    n = draw(st.integers(max(d_s, d_w) + 2, 400))
    N = draw(st.integers(d_s + 2, 5000))
    sigma2 = draw(st.floats(1e-6, 1e4))
    D = draw(st.integers(d_s + d_w - d_sw, d_s + d_w - d_sw + 5))
    theta = np.array(draw(st.lists(st.floats(-10, 10), min_size=D, max_size=D)))
    return d_s, d_w, d_sw, n, N, sigma2, theta


@SETTINGS
@given(valid_exact_args())
def test_valid_args_give_finite_consistent_risks(args):
    out = subspace_risks(*args)
    _all_finite(out)
    for key in RISK_KEYS:
        assert out[key] > 0
        assert out[key] >= out[key + "_bias"] >= 0
    assert out["strong_ceiling"] <= out["strong_baseline"]
    assert out["asymptotic"]["w2s"] <= out["w2s"]


@SETTINGS
@given(d_s=st.integers(1, 6), d_w=st.integers(1, 6), data=st.data())
def test_simulation_valid_args_finite(d_s, d_w, data):
    """Any sizes, including underdetermined fits (minimum-norm), give finite results."""
    d_sw = data.draw(st.integers(0, min(d_s, d_w)))
    n = data.draw(st.integers(1, 20))
    N = data.draw(st.integers(1, 20))
    sigma2 = data.draw(st.floats(0.01, 10))
    D = d_s + d_w - d_sw + data.draw(st.integers(0, 3))
    theta = np.array(data.draw(st.lists(st.floats(-3, 3), min_size=D, max_size=D)))
    trials = data.draw(st.integers(1, 6))
    out = simulate_subspace(d_s, d_w, d_sw, n, N, sigma2, theta, trials, seed=data.draw(st.integers(0, 99)))
    for key in RISK_KEYS:
        assert math.isfinite(out[key]) and out[key] >= 0 and math.isfinite(out[key + "_se"])
    for key in ("pgr", "opr", "pgr_trial_mean", "pgr_trial_se", "opr_trial_mean", "opr_trial_se"):
        assert math.isfinite(out[key])


def _simulation_args_valid(d_s, d_w, d_sw, n, N, sigma2, trials, seed, theta_len):
    """Independent statement of the documented domain of :func:`simulate_subspace`."""
    if not all(_is_int(v) for v in (d_s, d_w, d_sw, n, N, trials)):
        return False
    if d_s < 1 or d_w < 1 or not 0 <= d_sw <= min(d_s, d_w) or n < 1 or N < 1 or trials < 1:
        return False
    if not _is_real(sigma2) or sigma2 < 0:
        return False
    if not (isinstance(seed, np.random.Generator) or (_is_int(seed) and seed >= 0)):
        return False
    return theta_len >= d_s + d_w - d_sw


SIM_PARAMS = ("d_s", "d_w", "d_sw", "n", "N", "sigma2", "trials", "seed", "theta_len")


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_simulation_raises_exactly_when_invalid(data):
    """``simulate_subspace`` raises a ValueError/TypeError naming a parameter if and only if its
    arguments leave the documented domain (any sizes >= 1 are valid: underdetermined fits use
    the minimum-norm solution); otherwise every reported risk is finite.

    A valid call is drawn, then (in most examples) one argument is replaced by a value from a
    wide strategy that is sometimes valid and often not, so both sides of every boundary are hit.
    """
    d_s, d_w = data.draw(st.integers(1, 6)), data.draw(st.integers(1, 6))
    args = dict(d_s=d_s, d_w=d_w, d_sw=data.draw(st.integers(0, min(d_s, d_w))), n=data.draw(st.integers(1, 20)),
                N=data.draw(st.integers(1, 20)), sigma2=data.draw(st.floats(0, 10)), trials=data.draw(st.integers(1, 4)),
                seed=data.draw(st.one_of(st.integers(0, 99), st.just(np.random.default_rng(0)))),
                theta_len=d_s + d_w + data.draw(st.integers(0, 3)))
    key = data.draw(st.sampled_from((None, *SIM_PARAMS)))
    if key == "sigma2":
        args[key] = data.draw(st.one_of(anything_real, st.booleans()))
    elif key == "seed":
        args[key] = data.draw(st.one_of(st.integers(-3, 5), st.none(), st.floats(), st.text(max_size=2)))
    elif key == "theta_len":
        args[key] = data.draw(st.integers(0, 14))
    elif key is not None:
        args[key] = data.draw(st.one_of(st.integers(-3, 14), st.floats(allow_nan=True, allow_infinity=True),
                                        st.booleans(), st.none(), st.text(max_size=2), st.just(np.int64(2))))
    valid = _simulation_args_valid(**args)
    theta = np.ones(args.pop("theta_len"))
    try:
        out = simulate_subspace(theta=theta, **args)
    except (ValueError, TypeError) as exc:
        assert not valid, f"rejected valid input {args}: {exc}"
        assert str(exc).split()[0] in SIM_PARAMS[:-1] + ("theta",), exc
        return
    assert valid, f"accepted invalid input {args}"
    for k in RISK_KEYS:
        assert math.isfinite(out[k]) and out[k] >= 0


@SETTINGS
@given(d_sw=anything_real, rho=anything_real)
def test_energy_form_raises_exactly_when_invalid(d_sw, rho):
    valid = _is_real(d_sw) and 0 <= d_sw <= 10 and _is_real(rho) and rho >= 0
    try:
        out = subspace_risks_from_energies(10, 20, d_sw, 100, 200, 1.0, rho_s=rho, rho_w=0.1, bias=0.2, delta=0.0)
    except (ValueError, TypeError) as exc:
        assert not valid, exc
        return
    assert valid, "accepted invalid input"
    _all_finite(out)
