"""Property-based (hypothesis) tests of layouts, dtypes, out=/where= and parameters.

The property: a fastact ufunc gives, bit for bit, the same result on any
memory layout (sliced, negative strides, transposed, broadcast 0-stride),
with out= aliasing its input (fully or partially), with where= masks and
with parameters as Python scalars or broadcast arrays, as on contiguous
copies of the same values.  On a few elements per example the result is
also checked against fastact.reference within the table's ULP bound.

The softmax gufuncs: any axis and layout equals the contiguous last-axis call.

Then a table of bad parameters (NaN / inf / negative / crossed bounds), each
checked against the README "Semantics" table and fastact.reference: no crash,
no warning (errstate(all="raise") is on), the documented value.

Profiles: the default run keeps the hypothesis examples small (about 30 s in
all); `pytest -m slow tests/test_fuzz.py` runs the same properties with many
more examples.
"""
from __future__ import annotations

import math
import warnings

import numpy as np
import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

import fastact
from fastact import _table, reference
from fastact._axis import has_distinct_core_dims
from fastact._ufuncs import gufuncs as GUFUNCS
from fastact._ufuncs import ufuncs as UF

from _ulp import assert_bitwise_equal, cast, edge_points, reference_of, ulp_bound, ulp_dist

ELEMENTWISE = [u.name for u in _table.UFUNCS]
IN_DTYPES = (np.float16, np.float32, np.float64, np.int8, np.int32)

FAST = settings(max_examples=int(__import__("os").environ.get("FASTACT_FUZZ_EXAMPLES", 800)),
                deadline=None, derandomize=False, database=None,
                suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large,
                                       HealthCheck.filter_too_much])
SLOW = settings(FAST, max_examples=20000)


# ---- strategies ---------------------------------------------------------------
def _values(rng, n, dtype):
    """n values of dtype: mostly moderate random numbers, some edge points (NaN, +-inf,
    0, -0, subnormals, huge) for floats; the whole range for integers."""
    dtype = np.dtype(dtype)
    if dtype.kind == "i":
        info = np.iinfo(dtype)
        return rng.integers(info.min, info.max, n, endpoint=True, dtype=dtype)
    v = cast(rng.standard_normal(n) * rng.choice([1.0, 4.0, 30.0]), dtype)
    e = edge_points(dtype.type)
    k = rng.random(n) < 0.15
    v[k] = rng.choice(e, int(k.sum()))
    return v


def _layout(rng, base_shape, dtype, kind):
    """An array of shape base_shape (values random) in the given memory layout.
    Returns (array, writable)."""
    n = int(np.prod(base_shape))
    if not base_shape and kind != "broadcast":
        kind = "contig"  # a 0-d array has one layout
    if kind == "contig":
        return _values(rng, n, dtype).reshape(base_shape), True
    if kind == "sliced":  # every second element of a larger array, offset by one
        big = _values(rng, 2 * n + 3, dtype)
        return big[1:2 * n + 1:2].reshape(base_shape) if n else big[:0].reshape(base_shape), False
    if kind == "strided":  # a strided view along every axis (not reshape-able)
        shp = tuple(2 * s for s in base_shape)
        big = _values(rng, int(np.prod(shp)), dtype).reshape(shp)
        return big[tuple(slice(None, None, 2) for _ in base_shape)], True
    if kind == "negative":
        shp = base_shape
        a = _values(rng, n, dtype).reshape(shp)
        return a[tuple(slice(None, None, -1) for _ in shp)], True
    if kind == "transposed":
        a = _values(rng, n, dtype).reshape(base_shape[::-1])
        return a.T, True
    if kind == "broadcast":  # 0 strides: one row (or one element) broadcast
        if not base_shape:
            return _values(rng, 1, dtype).reshape(()), True
        small = tuple(1 if rng.random() < 0.6 else s for s in base_shape)
        a = _values(rng, int(np.prod(small)), dtype).reshape(small)
        return np.broadcast_to(a, base_shape), False
    if kind == "unaligned":  # float data at an odd byte offset
        itemsize = np.dtype(dtype).itemsize
        raw = np.zeros(n * itemsize + 1, np.uint8)[1:]
        a = raw.view(dtype).reshape(base_shape)
        a[...] = _values(rng, n, dtype).reshape(base_shape)
        return a, True
    raise ValueError(kind)


LAYOUTS = ("contig", "sliced", "strided", "negative", "transposed", "broadcast", "unaligned")
shapes = st.one_of(
    st.just(()),
    st.lists(st.integers(0, 3), min_size=1, max_size=4).map(tuple),
    st.lists(st.integers(1, 40), min_size=1, max_size=2).map(tuple),
    st.integers(200, 1500).map(lambda n: (n,)),  # several of the loop's 256-element blocks
)


def _param_operand(rng, shape, dtype, kind, p):
    """A parameter as a Python float or as a broadcastable array (positive, valid values)."""
    choices = (0.1, 0.25, 0.5, 1.0, 2.0)
    if p.name == "threshold" and p.default is not None:  # softplus' threshold: inf or a number
        choices = (math.inf, 20.0, 1.0)
    if kind == "scalar" or not shape:
        return float(rng.choice(choices))
    pshape = tuple(1 if rng.random() < 0.5 else s for s in shape)
    pshape = pshape[rng.integers(0, len(pshape) + 1):]  # fewer dimensions: broadcast
    a = cast(rng.choice(choices, int(np.prod(pshape))), dtype).reshape(pshape)
    if a.ndim and rng.random() < 0.3:
        a = a[..., ::-1]
    return a


def _params_of(rng, u, shape, dtype, kind):
    ps = [_param_operand(rng, shape, dtype, kind, p) for p in u.params]
    if u.act.name == "hardtanh":  # min_val < max_val (the crossed case is tested below)
        lo, hi = ps
        ps = [np.negative(lo) if isinstance(lo, np.ndarray) else -lo, hi]
    return ps


@st.composite
def cases(draw):
    name = draw(st.sampled_from(ELEMENTWISE))
    u = _table.BY_NAME[name]
    dtype = np.dtype(draw(st.sampled_from(IN_DTYPES)))
    shape = draw(shapes)
    layouts = [draw(st.sampled_from(LAYOUTS)) for _ in range(u.nin - len(u.params))]
    pkind = draw(st.sampled_from(["scalar", "array"]))
    out_mode = draw(st.sampled_from(["none", "fresh", "fresh_strided", "inplace", "overlap",
                                     "where"]))
    seed = draw(st.integers(0, 2**32 - 1))
    return name, dtype, shape, layouts, pkind, out_mode, seed


def _contig(o):
    return np.array(o, copy=True, order="C") if isinstance(o, np.ndarray) else o


def _check_reference(u, uf, ops, got, rng, k=3):
    """A few elements of got against the exact reference, within the ULP bound."""
    if got.size == 0 or u.name.endswith("_from_output"):
        return  # from-output forms take y = f(x): random y is outside their domain
    dt = got.dtype
    full = np.broadcast_arrays(*[np.asarray(o) for o in ops])
    idx = rng.integers(0, got.size, k)
    sub = []
    with np.errstate(all="ignore"):
        for o, orig in zip(full, ops):
            if isinstance(orig, float):
                sub.append(orig)
            else:
                sub.append(o.reshape(-1)[idx].astype(dt) if o.size else o)
    g = got.reshape(-1)[idx]
    # the fused backward multiplies by dy: only finite dy has a meaningful bound
    if u.role.startswith("backward"):
        keep = np.isfinite(sub[0].astype(np.float64))
        if not keep.any():
            return
        sub = [s[keep] if isinstance(s, np.ndarray) else s for s in sub]
        g = g[keep]
    want = reference_of(u.name, dt, tuple(sub))
    d = ulp_dist(g, want)
    bound = ulp_bound(u, dt)
    bad = d > bound
    assert not bad.any(), (f"{u.name} {dt}: {g[bad]} vs reference {want[bad]} "
                           f"({d[bad]} ULP > {bound}) at operands "
                           f"{[s[bad] if isinstance(s, np.ndarray) else s for s in sub]}")


def _run_case(name, dtype, shape, layouts, pkind, out_mode, seed):
    u = _table.BY_NAME[name]
    uf = UF[name]
    rng = np.random.default_rng(seed)
    data, writable = zip(*[_layout(rng, shape, dtype, k) for k in layouts])
    data = list(data)
    params = _params_of(rng, u, shape, dtype, pkind)
    ops = data + params
    cops = [_contig(o) for o in ops]
    rshape = np.broadcast_shapes(*[np.shape(o) for o in ops])

    want = uf(*cops)
    ld = want.dtype
    if out_mode == "none":
        got = uf(*ops)
    elif out_mode in ("fresh", "fresh_strided"):
        if out_mode == "fresh":
            out = np.empty(rshape, ld)
        else:
            out = _layout(rng, rshape, ld, str(rng.choice(["negative", "strided", "transposed",
                                                           "unaligned"])))[0]
        r = uf(*ops, out=out)
        assert r is out
        got = out
    elif out_mode == "inplace":  # out= the (last) data operand itself
        j = len(data) - 1
        x = data[j]
        if not writable[j] or x.dtype != ld or x.shape != rshape:
            x = _layout(rng, rshape, ld, layouts[j] if layouts[j] != "broadcast" else "contig")[0]
            data[j] = x
            ops = data + params
            cops = [_contig(o) for o in ops]
            want = uf(*cops)
        r = uf(*ops, out=x)
        assert r is x
        got = x
    elif out_mode == "overlap":  # x = base[1:], out = base[:-1] (and the reverse)
        n = int(np.prod(rshape)) if rshape else 1
        base = _values(rng, n + 1, ld)
        rev = bool(rng.integers(2))
        x = (base[:-1] if rev else base[1:]).reshape(rshape)
        out = (base[1:] if rev else base[:-1]).reshape(rshape)
        j = len(data) - 1
        data[j] = x
        ops = data + params
        cops = [_contig(o) for o in ops]
        want = uf(*cops)
        r = uf(*ops, out=out)
        assert r is out
        got = out
    else:  # where=: a random broadcastable mask into an out filled with a marker
        mshape = tuple(1 if rng.random() < 0.4 else s for s in rshape)
        mask = rng.random(mshape) < 0.5
        if rng.random() < 0.3 and mask.ndim:
            mask = mask[..., ::-1]
        out = _layout(rng, rshape, ld, "contig")[0]
        out2 = out.copy()
        uf(*ops, out=out, where=mask)
        uf(*cops, out=out2, where=np.array(mask, order="C"))
        got, want = out, out2
    assert got.dtype == want.dtype == ld
    assert_bitwise_equal(got, want, f"{name} {dtype} {shape} {layouts} {pkind} {out_mode}")
    if out_mode in ("none", "fresh", "fresh_strided"):
        _check_reference(u, uf, ops, np.asarray(got), rng)


@FAST
@given(cases())
def test_fuzz_elementwise(case):
    _run_case(*case)


@pytest.mark.slow
@SLOW
@given(cases())
def test_fuzz_elementwise_slow(case):
    _run_case(*case)


# ---- wrappers with defaults ------------------------------------------------------
DEFAULTS = [u.name for u in _table.UFUNCS if u.has_defaults]


@FAST
@given(st.sampled_from(DEFAULTS), st.sampled_from(IN_DTYPES[:3]), shapes,
       st.sampled_from(LAYOUTS), st.integers(0, 2**32 - 1))
def test_fuzz_defaults_wrapper(name, dtype, shape, layout, seed):
    """fa.NAME(x) with the defaults == the ufunc with the defaults as Python floats."""
    u = _table.BY_NAME[name]
    rng = np.random.default_rng(seed)
    data = [_layout(rng, shape, dtype, layout)[0] for _ in range(u.nin - len(u.params))]
    defaults = [float(p.default) for p in u.params]
    got = getattr(fastact, name)(*data)
    want = UF[name](*[_contig(d) for d in data], *defaults)
    assert got.dtype == np.dtype(dtype)  # Python-float defaults keep float16/float32
    assert_bitwise_equal(got, want, name)


# ---- the softmax gufuncs ------------------------------------------------------
# one shared core dimension (the softmax family); GLU's (m)->(n) is fuzzed in test_glu.py
GU_NAMES = sorted(n for n, g in GUFUNCS.items() if not has_distinct_core_dims(g))


@st.composite
def gu_cases(draw):
    name = draw(st.sampled_from(GU_NAMES))
    dtype = np.dtype(draw(st.sampled_from(IN_DTYPES)))
    shape = draw(st.one_of(
        st.lists(st.integers(0, 5), min_size=1, max_size=4).map(tuple),
        st.lists(st.integers(1, 300), min_size=1, max_size=2).map(tuple)))
    axis = draw(st.integers(-len(shape), len(shape) - 1))
    nin = GUFUNCS[name].nin
    layouts = [draw(st.sampled_from(LAYOUTS)) for _ in range(nin)]
    out_mode = draw(st.sampled_from(["none", "fresh_strided", "inplace", "keepdims"]))
    seed = draw(st.integers(0, 2**32 - 1))
    return name, dtype, shape, axis, layouts, out_mode, seed


def _run_gu_case(name, dtype, shape, axis, layouts, out_mode, seed):
    g = GUFUNCS[name]
    rng = np.random.default_rng(seed)
    ins = [_layout(rng, shape, dtype, k) for k in layouts]
    xs = [a for a, _ in ins]
    core_out = name != "logsumexp"
    # the contiguous call: the axis moved last, then copied
    cx = [np.array(np.moveaxis(x, axis, -1), order="C") for x in xs]
    want = g(*cx, axis=-1)
    if core_out:
        want = np.moveaxis(want, -1, axis)
    ld = want.dtype
    if out_mode == "none":
        got = g(*xs, axis=axis)
    elif out_mode == "keepdims":
        if core_out:
            got = g(*xs, axis=axis)
        else:
            got = g(*xs, axis=axis, keepdims=True)
            want = np.expand_dims(want, axis)
    elif out_mode == "fresh_strided":
        oshape = want.shape
        out = _layout(rng, oshape, ld, str(rng.choice(["negative", "strided", "transposed",
                                                       "unaligned"])))[0]
        r = g(*xs, axis=axis, out=out)
        assert r is out
        got = out
    else:  # in place: out= the first input (which is then a fresh writable copy of its layout)
        if not core_out:
            return
        x0 = xs[0]
        if not ins[0][1] or x0.dtype != ld:
            x0 = _layout(rng, shape, ld, "negative" if layouts[0] == "broadcast" else layouts[0])[0]
            xs[0] = x0
            cx = [np.array(np.moveaxis(x, axis, -1), order="C") for x in xs]
            want = np.moveaxis(g(*cx, axis=-1), -1, axis)
        r = g(*xs, axis=axis, out=x0)
        assert r is x0
        got = x0
    assert_bitwise_equal(got, want, f"{name} {dtype} {shape} axis={axis} {layouts} {out_mode}")


@FAST
@given(gu_cases())
def test_fuzz_gufuncs(case):
    _run_gu_case(*case)


@pytest.mark.slow
@SLOW
@given(gu_cases())
def test_fuzz_gufuncs_slow(case):
    _run_gu_case(*case)


# ---- ufunc methods: the loop's sequential path for aliased operands -----------------
TWO_OPERAND = [u.name for u in _table.UFUNCS if u.nin == 2]


@FAST
@given(st.sampled_from(TWO_OPERAND), st.sampled_from(IN_DTYPES[:3]), st.integers(1, 600),
       st.integers(0, 2**32 - 1))
def test_fuzz_accumulate_is_sequential(name, dtype, n, seed):
    """uf.accumulate(a) runs the loop with the output aliasing an input shifted by one
    element: it must equal the explicit left fold of scalar calls."""
    uf = UF[name]
    rng = np.random.default_rng(seed)
    a = cast(rng.uniform(-3, 3, n), dtype)
    got = uf.accumulate(a)
    want = np.empty_like(a)
    acc = a[0]
    want[0] = acc
    for i in range(1, n):
        acc = uf(acc, a[i])
        want[i] = acc
    assert_bitwise_equal(got, want, f"{name}.accumulate")
    assert_bitwise_equal(uf.reduce(a), want[-1], f"{name}.reduce")


# ---- bad parameters ----------------------------------------------------------------
NAN, INF = math.nan, math.inf
X_BAD = np.array([-INF, -1e300, -3.0, -1.0, -0.5, -1e-300, -0.0, 0.0, 1e-300, 0.5, 1.0, 3.0,
                  7.0, 1e300, INF, NAN])

# (activation, parameter tuples) -- NaN, +-inf, negative, zero, crossed bounds
BAD_PARAMS = {
    "linear": [(NAN,), (INF,), (-INF,), (-2.0,), (0.0,)],
    "leaky_relu": [(NAN,), (INF,), (-INF,), (-0.5,), (0.0,)],
    "prelu": [(NAN,), (INF,), (-INF,), (-0.5,)],
    "leaky_relu6": [(NAN,), (INF,), (-INF,), (-0.5,)],
    "rrelu": [(NAN, 0.3), (0.1, NAN), (INF, 0.3), (-INF, INF), (0.5, 0.1), (-0.5, -0.2)],
    "elu": [(NAN,), (INF,), (-INF,), (-1.0,), (0.0,)],
    "celu": [(NAN,), (INF,), (-INF,), (-1.0,), (0.0,)],
    "swish": [(NAN,), (INF,), (-INF,), (-1.0,), (0.0,)],
    "softplus": [(NAN, INF), (INF, INF), (-INF, INF), (-1.0, INF), (0.0, INF), (1.0, NAN),
                 (1.0, -INF), (1.0, -1.0)],
    "hard_sigmoid": [(NAN, 0.5), (0.2, NAN), (INF, 0.5), (0.2, INF), (-0.2, 0.5), (0.0, 0.5),
                     (0.0, 2.0)],
    "hardtanh": [(NAN, 1.0), (-1.0, NAN), (-INF, INF), (INF, -INF), (2.0, -2.0), (1.0, 1.0),
                 (0.5, -0.5)],
    "softshrink": [(NAN,), (INF,), (-INF,), (-0.5,), (0.0,)],
    "hardshrink": [(NAN,), (INF,), (-INF,), (-0.5,), (0.0,)],
    "threshold": [(NAN, 0.0), (0.0, NAN), (INF, 1.0), (-INF, 1.0), (0.0, INF)],
}
BAD_CASES = [(u.name, p) for u in _table.UFUNCS if u.act.name in BAD_PARAMS
             for p in BAD_PARAMS[u.act.name] if not u.name.endswith("_from_output")]


def _bad_operands(u, dtype):
    x = cast(X_BAD, dtype)
    if u.role.startswith("backward"):
        dy = cast(np.resize([1.0, -1.5, 0.3], x.size), dtype)
        return [dy, x]
    return [x]


# Library bugs found by this table: (activation names, parameter tuple) -> reason.
# Those cases are xfail(strict=True): fixing the bug makes them XPASS and fail.
_MAX = "max"  # the dtype's largest finite value (rrelu's mean slope overflows)
KNOWN_BAD = {
}


def _ieee_hard_sigmoid(role, data, alpha, beta):
    """hard_sigmoid evaluated in plain IEEE arithmetic: v = alpha * x + beta, NaN if v is NaN."""
    x = data[-1].astype(np.float64)
    with np.errstate(all="ignore"):
        v = alpha * x + beta
        if role == "forward":
            return np.where(np.isnan(v), np.nan, np.clip(v, 0.0, 1.0))
        g = np.where(np.isnan(v), np.nan, np.where((v > 0) & (v < 1), alpha, 0.0))
        return g if role == "grad" else data[0].astype(np.float64) * g


def _softplus_limit(x, beta):
    """softplus(x, beta = +-inf): the limit relu(x) (beta = inf) or min(x, 0) (beta = -inf);
    NaN at x = +-0 (inf * 0)."""
    x = x.astype(np.float64)
    with np.errstate(all="ignore"):
        y = np.maximum(x, 0.0) if beta > 0 else np.minimum(x, 0.0)
    return np.where(x == 0, np.nan, y)


# fastact.reference cannot serve as the oracle here (see the xfail tests below): the
# expected values are written out instead
def _explicit_expectation(u, params, data):
    a = u.act.name
    if a == "hard_sigmoid" and not all(map(math.isfinite, params)):
        return _ieee_hard_sigmoid(u.role, data, *params)
    if u.name == "softplus" and math.isinf(params[0]) and params[1] == INF:
        return _softplus_limit(data[-1], params[0])
    return None


def _resolve(params, dtype):
    fmax = float(np.finfo(dtype).max)
    return tuple(fmax if p == _MAX else (-fmax if p == "-max" else p) for p in params)


BAD_PARAMS["rrelu"] += [(_MAX, _MAX), ("-max", "-max")]
BAD_CASES = [(u.name, p) for u in _table.UFUNCS if u.act.name in BAD_PARAMS
             for p in BAD_PARAMS[u.act.name] if not u.name.endswith("_from_output")]


def _bad_param_cases():
    out = []
    for dtype in (np.float32, np.float64):
        for name, params in BAD_CASES:
            u = _table.BY_NAME[name]
            reason = KNOWN_BAD.get((u.act.name, params))
            if u.act.name == "rrelu" and dtype == np.float32:
                reason = None
            marks = [pytest.mark.xfail(strict=True, reason=reason)] if reason else []
            out.append(pytest.param(name, params, dtype, marks=marks,
                                    id=f"{name}-{'-'.join(map(str, params))}-{dtype.__name__}"))
    return out


@pytest.mark.parametrize("name,params,dtype", _bad_param_cases())
def test_bad_parameters(name, params, dtype):
    """No crash, no FP warning (errstate raise), and exactly the documented value: the
    reference (README semantics), or the IEEE / limit value where written out above."""
    u = _table.BY_NAME[name]
    params = _resolve(params, dtype)
    data = _bad_operands(u, dtype)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        got = UF[name](*data, *params)
        # the same as a broadcast parameter array (the non-scalar path of the loop)
        got_arr = UF[name](*data, *[np.full(data[0].shape, p, dtype) for p in params])
    assert_bitwise_equal(got, got_arr, f"{name}{params}: scalar vs array parameter")
    explicit = _explicit_expectation(u, params, data)
    if explicit is not None:
        want = cast(explicit, dtype)
    else:
        want = reference_of(name, dtype, tuple(data) + tuple(params))
    d = ulp_dist(got, want)
    bound = ulp_bound(u, dtype)
    if u.role.startswith("backward"):  # dy * f'(x): the reference product is rounded twice
        bound = max(bound, 1)
    bad = d > bound
    assert not bad.any(), "\n".join(
        f"{name}({', '.join(str(float(o[i])) for o in data)}, {params}) = {float(got[i])!r}, "
        f"want {float(want[i])!r}" for i in np.flatnonzero(bad)[:8])


@pytest.mark.xfail(strict=True, raises=OverflowError, reason=(
    "BUG (fastact/reference.py): reference.hard_sigmoid / hard_sigmoid_grad raise "
    "OverflowError ('cannot convert Infinity to integer ratio', Fraction(inf)) for an "
    "infinite alpha or beta and finite x; want the IEEE value, e.g. "
    "hard_sigmoid(1.0, inf, 0.5) = 1.0 (the kernel's)"))
def test_reference_hard_sigmoid_infinite_parameter():
    assert reference.hard_sigmoid(1.0, INF, 0.5) == 1.0
    assert reference.hard_sigmoid(1.0, 0.2, INF) == 1.0
    assert reference.hard_sigmoid_grad(1.0, 0.2, INF) == 0.0


@pytest.mark.xfail(strict=True, reason=(
    "BUG (fastact/reference.py): reference.softplus(x, beta=+-inf) gives NaN (Decimal inf/inf) "
    "for x > 0 (beta = inf) and x < 0 (beta = -inf); the limit, which the kernel returns, "
    "is x: softplus(1.0, inf) = 1.0, softplus(-1.0, -inf) = -1.0"))
def test_reference_softplus_infinite_beta():
    assert reference.softplus(1.0, INF, INF) == 1.0
    assert reference.softplus(-1.0, -INF, INF) == -1.0


def test_rrelu_train_rejects_crossed_or_nonfinite_bounds():
    x = np.linspace(-2, 2, 9)
    for lo, hi in [(0.5, 0.1), (NAN, 0.3), (0.1, NAN), (-INF, 0.3), (0.1, INF)]:
        with pytest.raises(ValueError):
            fastact.rrelu_train(x, lo, hi, rng=0)
    # lower == upper is allowed: the slope is that value exactly
    y, a = fastact.rrelu_train(x, 0.25, 0.25, rng=0)
    assert np.all(a[x <= 0] == 0.25) and np.all(a[x > 0] == 1)
    assert_bitwise_equal(y, np.where(x > 0, x, 0.25 * x))


def test_hardtanh_crossed_bounds_is_max_val_everywhere():
    """README: hardtanh with min_val > max_val -> every output is max_val (as torch.clamp);
    NaN stays NaN."""
    x = cast(X_BAD, np.float64)
    y = fastact.hardtanh(x, 2.0, -2.0)
    want = np.where(np.isnan(x), np.nan, -2.0)
    assert_bitwise_equal(y, want)
    g = fastact.hardtanh_grad(x, 2.0, -2.0)
    assert_bitwise_equal(g, np.where(np.isnan(x), np.nan, 0.0))


@pytest.mark.parametrize("name,dy,x", [("tanh_backward", -30.322725, 53.00338),
                                       ("sigmoid_backward", 30.0, 105.0)])
def test_backward_underflowed_derivative(name, dy, x):
    u = _table.BY_NAME[name]
    ops = (np.array([dy], np.float32), np.array([x], np.float32))
    got = UF[name](*ops)
    want = reference_of(name, np.float32, ops)
    assert ulp_dist(got, want)[0] <= ulp_bound(u, np.float32), (got, want)
