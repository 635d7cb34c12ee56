"""Helpers of the test suite: ULP distance, test points, operands, cached references.

Everything here is driven by fastact._table: the test points of a ufunc come
from its activation's kinks, its parameter values from its Param rows, its
bound from Ufunc.ulp and its reference from fastact.reference.get(name).

Nothing here calls a fastact ufunc; the numpy work done here (casts that may
overflow, ...) runs under np.errstate(all="ignore") so that it does not trip
the suite's errstate(all="raise") fixture, which is meant for fastact only.
"""
from __future__ import annotations

import functools
from dataclasses import dataclass
from fractions import Fraction

import numpy as np

from fastact import _table, reference
from fastact._ufuncs import ufuncs as UFUNCS_BY_NAME

FLOATS = (np.float16, np.float32, np.float64)
UFUNCS = _table.UFUNCS

# the uint type of the same width, for bitwise comparisons
_UINT = {2: np.uint16, 4: np.uint32, 8: np.uint64}
_INT = {2: np.int16, 4: np.int32, 8: np.int64}

# dy values of the fused backward passes (negative and 0 included)
DY_VALUES = (1.0, -1.5, 0.0, 0.3)

# alternative parameter values, by parameter name; GENERIC otherwise
PARAM_EXTRA = {"beta": (0.5, 2.0), "c": (0.5, -2.0)}
PARAM_GENERIC = (0.2, 2.0)
PARAM_REQUIRED = 0.25  # a required parameter (prelu's a) in scalar tests
PARAM_ARRAY_CHOICES = (0.1, 0.25, 0.5, 1.0, 2.0)  # per-element parameter values


def ulp_bound(u, dtype):
    """The ULP bound of ufunc row u for dtype (float16: 1 ULP of the rounded float32 reference)."""
    dtype = np.dtype(dtype)
    if dtype == np.float16:
        return 1
    return u.ulp[0] if dtype == np.float32 else u.ulp[1]


# ---- ULP distance --------------------------------------------------------
def ordered(a):
    """Floats -> integers in the same order (sign-magnitude -> two's complement); +0 == -0."""
    a = np.asarray(a)
    i = a.view(_INT[a.dtype.itemsize]).astype(np.int64)
    mag = i & np.int64(np.iinfo(_INT[a.dtype.itemsize]).max)
    return np.where(i < 0, -mag, mag)


def ulp_dist(got, want):
    """Elementwise ULP distance (float64 array) of two arrays of one float dtype.

    NaN vs NaN is 0; NaN vs non-NaN is inf; +-0 are equal; inf is one ULP past
    the largest finite number.
    """
    got = np.asarray(got)
    want = np.asarray(want)
    assert got.dtype == want.dtype, (got.dtype, want.dtype)
    with np.errstate(all="ignore"):
        a, b = ordered(got), ordered(want)
        same = (a >= 0) == (b >= 0)
        d = np.where(same, np.abs(a - b).astype(np.float64),
                     np.abs(a).astype(np.float64) + np.abs(b).astype(np.float64))
        gn, wn = np.isnan(got), np.isnan(want)
        d = np.where(gn & wn, 0.0, d)
        d = np.where(gn ^ wn, np.inf, d)
    return d


def bits(a):
    a = np.ascontiguousarray(a)
    return a.view(_UINT[a.dtype.itemsize])


def assert_bitwise_equal(got, want, what=""):
    got, want = np.asarray(got), np.asarray(want)
    assert got.dtype == want.dtype, f"{what}: dtype {got.dtype} != {want.dtype}"
    assert got.shape == want.shape, f"{what}: shape {got.shape} != {want.shape}"
    bad = bits(got) != bits(want)
    if bad.any():
        idx = np.argwhere(bad)[:5]
        raise AssertionError(f"{what}: {int(bad.sum())} elements differ bitwise, e.g. at "
                             f"{idx.tolist()}: got {got[tuple(idx.T)]} want {want[tuple(idx.T)]}")


def cast(values, dtype):
    """values -> dtype (overflow to inf is intended: no warning)."""
    with np.errstate(all="ignore"):
        return np.asarray(values, dtype=np.float64).astype(dtype)


# ---- test points -----------------------------------------------------------
def _neighbours(v, dtype):
    v = dtype(v)
    with np.errstate(all="ignore"):
        return [v, np.nextafter(v, dtype(np.inf)), np.nextafter(v, dtype(-np.inf))]


# magnitudes where exp/expm1/sigmoid change regime (overflow, underflow, the
# tails where other libraries return 0) -- used with both signs
_EXP_EDGES = (88.7, 88.72283935546875, 103.9, 709.8, 709.782712893384, 745.2, 745.1332191019411,
              0.5, 1.0, 2.0, 10.0, 16.65, 20.0, 37.0, 40.0, 100.0, 600.0, 700.0, 1e-30, 1e30,
              1e-300, 1e300)


@functools.lru_cache(maxsize=None)
def edge_points(dtype, kinks=()):
    """0, -0, kinks and their float neighbours, +-inf, NaN, subnormal/normal/max limits, exp edges."""
    dtype = np.dtype(dtype).type
    fi = np.finfo(dtype)
    vals = [dtype(0.0), dtype(-0.0), dtype(np.inf), dtype(-np.inf), dtype(np.nan)]
    for k in kinks:
        vals += _neighbours(k, dtype)
    for m in (fi.smallest_subnormal, fi.tiny, fi.max, fi.eps, 1.0):
        vals += _neighbours(m, dtype) + _neighbours(-m, dtype)
    for m in _EXP_EDGES:
        vals += list(cast([m, -m], dtype))
    out = np.array(vals, dtype=dtype)
    return out


@functools.lru_cache(maxsize=None)
def sweep_points(dtype, n=None):
    """A log-spaced sweep over the whole finite range, both signs."""
    dtype = np.dtype(dtype).type
    fi = np.finfo(dtype)
    n = n or {np.float16: 60, np.float32: 200, np.float64: 400}[dtype]
    with np.errstate(all="ignore"):
        pos = np.geomspace(float(fi.smallest_subnormal), float(fi.max), n)
        pos = cast(pos, dtype)
        pos = pos[np.isfinite(pos) & (pos > 0)]
    return np.concatenate([pos, -pos])


@functools.lru_cache(maxsize=None)
def random_points(dtype, n=200, seed=12345):
    rng = np.random.default_rng(seed)
    v = np.concatenate([rng.standard_normal(n) * 5, rng.uniform(-30, 30, n)])
    return cast(v, dtype)


@functools.lru_cache(maxsize=None)
def points(dtype, kinks=()):
    """All points of the reference test for one dtype (read-only)."""
    p = np.concatenate([edge_points(dtype, kinks), sweep_points(dtype), random_points(dtype)])
    p.setflags(write=False)
    return p


def moderate_points(dtype, n=64, seed=7, lim=10.0):
    """Seeded random points in (-lim, lim) plus 0 and -0 (for layout/ISA tests)."""
    rng = np.random.default_rng(seed)
    return cast(np.concatenate([rng.uniform(-lim, lim, n), [0.0, -0.0]]), dtype)


def special_mix(dtype, n=257, seed=3):
    """A mixed array for layout tests: random values, the edge points, NaN, +-inf."""
    dtype = np.dtype(dtype).type
    rng = np.random.default_rng(seed)
    e = edge_points(dtype)
    v = np.concatenate([e, cast(rng.standard_normal(n - len(e)) * 8, dtype)])
    rng.shuffle(v)
    return v


# ---- parameters and operands -----------------------------------------------
def default_params(u):
    return tuple(PARAM_REQUIRED if p.default is None else float(p.default) for p in u.params)


def param_sets(u):
    """Scalar parameter tuples to test u with: the defaults, then one changed at a time;
    plus "array" (per-element parameters) when u has parameters."""
    if not u.params:
        return [()]
    base = default_params(u)
    out = [base]
    for i, p in enumerate(u.params):
        for v in PARAM_EXTRA.get(p.name, PARAM_GENERIC):
            s = list(base)
            s[i] = v
            if tuple(s) not in out:
                out.append(tuple(s))
    return out + ["array"]


def pset_id(pset):
    return "noparams" if pset == () else ("array" if pset == "array" else
                                          "-".join(f"{v:g}" for v in pset))


def n_data(u):
    return u.nin - len(u.params)


def is_backward(u):
    return u.role.startswith("backward")


@functools.lru_cache(maxsize=None)
def operands(name, dtype, pset):
    """The input operands (a tuple of read-only dtype arrays / Python floats) of the
    reference test of ufunc `name` for dtype and parameter set `pset`."""
    u = _table.BY_NAME[name]
    dtype = np.dtype(dtype).type
    x = points(dtype, tuple(u.act.kinks))
    if is_backward(u):
        dy = np.repeat(cast(DY_VALUES, dtype), len(x))
        x = np.tile(x, len(DY_VALUES))
        data = [dy, x]
    else:
        data = [x.copy()]
    n = len(data[0])
    if pset == "array":
        rng = np.random.default_rng(len(name))
        params = [cast(rng.choice(PARAM_ARRAY_CHOICES, n), dtype) for _ in u.params]
    else:
        params = list(pset)
    ops = tuple(data + params)
    for o in ops:
        if isinstance(o, np.ndarray):
            o.setflags(write=False)
    return ops


def _as_float_lists(ops, dtype, n):
    """Operands -> lists of Python floats of the values the ufunc actually sees
    (parameters rounded to dtype, as the ufunc loop of that dtype casts them)."""
    cols = []
    with np.errstate(all="ignore"):  # signaling NaNs raise "invalid" in the cast
        for o in ops:
            if isinstance(o, np.ndarray):
                cols.append(o.astype(np.float64).tolist())
            else:
                cols.append([float(cast(o, dtype))] * n)
    return cols


_REF_CACHE = {}


def reference_values(name, dtype, pset):
    """The reference result of the operands(name, dtype, pset), rounded to dtype.

    float64 and float32: the reference (correctly rounded to float64) rounded to
    the dtype; float16: rounded to float32 first, then float16.  Cached per
    (name, dtype, pset).
    """
    key = (name, np.dtype(dtype).name, pset)
    if key not in _REF_CACHE:
        r = reference_of(name, dtype, operands(name, dtype, pset))
        r.setflags(write=False)
        _REF_CACHE[key] = r
    return _REF_CACHE[key]


def reference_of(name, dtype, ops):
    """The reference of ufunc `name` on operands ops (arrays of dtype, or scalars), rounded
    to dtype (float16: through float32).  Not cached."""
    dtype = np.dtype(dtype).type
    n = len(ops[0])
    f = reference.get(name)
    cols = _as_float_lists(ops, dtype, n)
    r = np.array([f(*args) for args in zip(*cols)], dtype=np.float64)
    if dtype == np.float16:
        return cast(cast(r, np.float32), np.float16)
    return cast(r, dtype)


def describe_failures(ops, got, want, d, bad, limit=8):
    idx = np.flatnonzero(bad)[:limit]
    lines = []
    for i in idx:
        args = ", ".join(repr(float(o[i])) if isinstance(o, np.ndarray) else repr(o) for o in ops)
        lines.append(f"  f({args}) = {float(got[i])!r}, reference {float(want[i])!r}, {d[i]:g} ULP")
    return f"{int(bad.sum())} of {bad.size} points out of bound:\n" + "\n".join(lines)


# ---- known library bugs ------------------------------------------------------
# Each is a predicate over the test points of some ufuncs/dtypes.  The reference
# test leaves those points out (so that the rest of the ufunc stays tested) and
# test_known_bugs checks exactly them, marked xfail(strict=True): when the bug is
# fixed, that test XPASSes and fails, and the entry must be removed here.
@dataclass(frozen=True)
class KnownBug:
    key: str
    names: tuple
    dtypes: tuple
    mask: object  # (ufunc row, list of float64 operand arrays) -> bool array
    reason: str
    # the names test_known_bugs checks on the regular points (default: all of `names`); a name
    # left out is checked by a dedicated test with points that do reach the bug
    xfail_names: tuple = None


def _x_and_p(u, cols):
    """The x operand and the parameters (float64 arrays) of the operand columns."""
    nd = n_data(u)
    return cols[nd - 1], cols[nd:]


def _bx_inexact(u, cols):
    """beta*x is not exact in float64 and large enough for its rounding error
    (about |beta*x|/2 ULP) to pass the bound: beta*x < -4 for swish (bound 3),
    < -128 for swish_grad/backward (bound 64/65)."""
    x, (beta,) = _x_and_p(u, cols)
    with np.errstate(all="ignore"):
        bx = beta * x
    out = np.zeros(x.shape, bool)
    limit = -4.0 if u.role == "forward" else -128.0
    for i in np.flatnonzero(np.isfinite(bx) & (bx < limit)):
        out[i] = Fraction(float(beta[i])) * Fraction(float(x[i])) != Fraction(float(bx[i]))
    return out


def _near_swish_grad_zero(u, cols):
    x, (beta,) = _x_and_p(u, cols)
    with np.errstate(all="ignore"):
        return np.abs(beta * x + 1.2784645427610738) < 0.05


KNOWN_BUGS = ()  # none at present


def known_bug_mask(name, dtype, ops):
    """(mask of the points of ops that belong to a known bug, list of the bugs that apply)."""
    u = _table.BY_NAME[name]
    dtype = np.dtype(dtype).type
    n = len(ops[0])
    mask = np.zeros(n, bool)
    bugs = []
    cols = None
    for b in KNOWN_BUGS:
        if name in b.names and dtype in b.dtypes:
            if cols is None:
                with np.errstate(all="ignore"):
                    cols = [o.astype(np.float64) if isinstance(o, np.ndarray) else
                            np.full(n, float(cast(o, dtype))) for o in ops]
            m = b.mask(u, cols)
            if m.any():
                mask |= m
                bugs.append(b)
    return mask, bugs
