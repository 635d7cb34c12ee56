"""Accuracy at the branch thresholds of the C code and in the tails (the CI-sized part of
bench/accuracy.py, which has the full sweep and the exhaustive float32 run).

test_elementwise.py checks every ufunc on the edge points, a log sweep and random moderate
values.  Here every ufunc (default parameters) is held to its table bound, on every ISA
level, on the points where the kernels change branch:

- the neighbourhood (+-1, 2 ULP, +-2^k ULP, a small grid) of every internal threshold of
  src_c (bench/accuracy.py THRESHOLDS: tanh's 0.55 switch, the deep-tail scaling at
  x = -600 / -80, gelu's tail switch at |x| = 34 / 12, the erfcx pieces, the Taylor windows
  at the zeros of swish', gelu', gelu_tanh', mish', exp's clamps, where exp leaves the
  normal range ...);
- the regime boundaries found on the kernels themselves (overflow, underflow to subnormal
  and 0, saturation at +-1 or x) and their neighbours;
- a few hundred random bit patterns and moderate values per (ufunc, dtype).

float16 is held to 1 ULP of the float32 reference rounded to float16 on the same kind of
points, and to the float32 kernel's result rounded to float16 on every ISA level with
per-element dy and parameters (test_elementwise checks the latter on all 65536 values with
scalar parameters, on the default level).
"""
import functools
import os
import re
import sys

import numpy as np
import pytest

from fastact import _table, set_isa

import _ulp
from _ulp import UFUNCS_BY_NAME, assert_bitwise_equal, cast
from conftest import SUPPORTED_ISA

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), os.pardir, "bench"))
import accuracy as acc  # noqa: E402  (bench/accuracy.py)

N_RANDOM = 150  # per kind: 2 x 150 log-sweep, 150 random bit patterns, 150 moderate values
DTYPES = (np.float16, np.float32, np.float64)
DTYPE_IDS = {np.float16: "f16", np.float32: "f32", np.float64: "f64"}

# Measured violations of the table bound (bench/accuracy.py, docs/accuracy.md):
# (ufunc, dtype id) -> (largest error measured in ULP, repro operands, why).  The regular test
# holds these ufuncs to the measured error instead of the bound (so that they stay tested
# and cannot get worse); test_known_violations checks the repro points against the table
# bound as strict xfails: once a kernel is fixed it XPASSes and fails, and the entry must go.
KNOWN_VIOLATIONS = {}  # (name, dtype id) -> (measured max, repro operands, reason): none now


def _cases():
    for u in _table.UFUNCS:
        for dt in DTYPES:
            yield pytest.param(u.name, dt, id=f"{u.name}-{DTYPE_IDS[dt]}")


@functools.lru_cache(maxsize=None)
def _measured(act_name, dtype):
    """{ufunc name: result dict} for every ufunc of one activation on one dtype, every ISA level."""
    act = _table.BY_NAME[act_name].act
    rows = [u for u in _table.UFUNCS if u.act is act]
    res = acc.measure_activation(act, rows, dtype, N_RANDOM, SUPPORTED_ISA, small=True)
    return {r["name"]: r for r in res}


@pytest.mark.parametrize("name, dtype", list(_cases()))
def test_thresholds_and_tails_within_bound(name, dtype):
    u = _table.BY_NAME[name]
    r = _measured(u.act.name, dtype)[name]
    assert r["n"] > 0
    known = KNOWN_VIOLATIONS.get((name, DTYPE_IDS[dtype]))
    limit = max(r["bound"], known[0]) if known else r["bound"]
    assert r["max_ulp"] <= limit, acc.line(r) + f"; per ISA level {r['per_level']}"


def _known_cases():
    for (name, dt), (_, args, reason) in KNOWN_VIOLATIONS.items():
        yield pytest.param(name, dt, args, id=f"{name}-{dt}",
                           marks=pytest.mark.xfail(strict=True, reason=reason))


@pytest.mark.parametrize("name, dt, args", list(_known_cases()))
def test_known_violations(name, dt, args):
    """The repro point of each known violation, against the table bound, on every ISA level."""
    dtype = {v: k for k, v in DTYPE_IDS.items()}[dt]
    u = _table.BY_NAME[name]
    ops = [np.array([a], dtype) for a in args]
    p = acc.default_params(u)
    r64 = acc.reference_f64(name, [[float(o[0])] for o in ops] + [[float(cast(v, dtype))] for v in p])
    want, alt = acc.round_reference(r64, dtype)
    for level in SUPPORTED_ISA:
        old = set_isa(level)
        try:
            got = UFUNCS_BY_NAME[name](*ops, *p)
        finally:
            set_isa(old)
        d = acc.distance(got, want, alt)[0]
        assert d <= _ulp.ulp_bound(u, dtype), f"{name}{args} [{level}]: {got[0]!r} vs {want[0]!r}, {d:g} ULP"


def test_thresholds_are_inside_the_finite_range():
    """Every threshold gives points in both float32 and float64 (unless it is beyond float32)."""
    for t in acc.THRESHOLDS:
        for dt in (np.float32, np.float64):
            pts = acc.neighbourhood(t.x, dt, small=True)
            if abs(t.x) < float(np.finfo(dt).max):
                assert len(pts) and np.isfinite(pts).all(), (t, dt)


def test_regime_boundaries_found():
    """The scan finds where sigmoid saturates at 1 and where its result leaves the normal
    range, as adjacent floats (float64: sigmoid(x) == 1 from x = 36.7368005696771)."""
    b = acc.regime_boundaries(["sigmoid"], np.float64, ())
    y = UFUNCS_BY_NAME["sigmoid"](b)
    assert (y == 1).any() and (y < 1).any()
    ones = b[y == 1]
    assert 36.7 < ones.min() < 36.8
    below = np.nextafter(ones.min(), 0.0)
    assert UFUNCS_BY_NAME["sigmoid"](np.array([below]))[0] < 1
    sub = b[(y > 0) & (y < np.finfo(np.float64).tiny)]
    assert len(sub) and -746 < sub.min() < -708


# ---- float64-only switches of the two-word paths -------------------------------
def _float64_switches():
    """Where only the float64 kernels change branch (src_c/activations.h), beyond
    bench/accuracy.py's THRESHOLDS: the narrower Taylor windows x0 +- WDD at the zeros of
    gelu', gelu_tanh' and mish' (src_c/fa_roots.h), mish's switches at x = -80 (e dropped
    from the polynomials) and x = 40 (mish = x, mish' = 1), and z = -40 in gelu_tanh'
    (the old tail switch, kept as a check)."""
    text = open(os.path.join(acc.ROOT, "src_c", "fa_roots.h")).read()
    out = []
    for act, key in (("gelu", "GELU"), ("gelu_tanh", "GELU_TANH"), ("mish", "MISH")):
        hi = float(re.search(rf"#define FA_ROOT_{key}_HI (\S+)", text).group(1))
        w = float(re.search(rf"#define FA_ROOT_{key}_WDD (\S+)", text).group(1))
        out += [(act, hi - w), (act, hi + w), (act, hi)]
    out += [("mish", -80.0), ("mish", 40.0), ("gelu_tanh", -acc._gelu_tanh_x_of_z(40.0))]
    return out


@pytest.mark.parametrize("act, t", _float64_switches(), ids=lambda v: str(v))
def test_float64_switches_within_bound(act, t):
    """f and f' of the activation on a dense neighbourhood of t, float64, every ISA level,
    against the table bound."""
    x = acc.neighbourhood(t, np.float64)
    for name in (act, act + "_grad"):
        u = _table.BY_NAME[name]
        r64 = acc.reference_f64(name, [[float(v) for v in x]])
        bound = _ulp.ulp_bound(u, np.float64)
        for level in SUPPORTED_ISA:
            old = set_isa(level)
            try:
                got = UFUNCS_BY_NAME[name](x)
            finally:
                set_isa(old)
            d = acc.distance(got, r64, r64)
            i = int(np.argmax(d))
            assert d[i] <= bound, f"{name}({x[i]!r}) [{level}]: {got[i]!r} vs {r64[i]!r}, {d[i]:g} ULP"


# ---- float16 ----------------------------------------------------------------
def _f16_points(u):
    x = acc.activation_points(u.act, np.float16, 40, small=True)
    return x


@pytest.mark.parametrize("name", [u.name for u in _table.UFUNCS])
def test_float16_rounds_float32_on_every_isa(name):
    """float16 = the float32 kernel rounded once, bitwise, at the float16 thresholds, with
    per-element random dy and parameters, on every ISA level."""
    u = _table.BY_NAME[name]
    f = UFUNCS_BY_NAME[name]
    x = _f16_points(u)
    rng = np.random.default_rng(len(name))
    data = [x]
    if _ulp.n_data(u) == 2:
        data.insert(0, cast(rng.uniform(-4, 4, len(x)), np.float16))
    params = [cast(rng.choice(_ulp.PARAM_ARRAY_CHOICES, len(x)), np.float16) for _ in u.params]
    ops = data + params
    want = cast(f(*[o.astype(np.float32) for o in ops]), np.float16)
    nan = np.isnan(want)
    for level in SUPPORTED_ISA:
        old = set_isa(level)
        try:
            got = f(*ops)
        finally:
            set_isa(old)
        assert got.dtype == np.float16
        assert (np.isnan(got) == nan).all(), f"{name} [{level}]: NaN at other places"
        assert_bitwise_equal(got[~nan], want[~nan], f"{name} [{level}] float16 vs rounded float32")
