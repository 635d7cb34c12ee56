"""The elementwise ufuncs: reference agreement in ULP, every ISA level, layouts, dtypes, semantics.

Table-driven: every test iterates over fastact._table.UFUNCS, so a new row of
the table gets all of these tests.  Expected numbers appear only in the
explicit semantics tests at the end (from DESIGN.md).
"""
import math

import numpy as np
import pytest

import fastact as fa
from fastact import _table, get_isa, set_isa

import _ulp
from _ulp import (FLOATS, UFUNCS, UFUNCS_BY_NAME, assert_bitwise_equal, bits, cast,
                  default_params, is_backward, known_bug_mask, n_data, operands, param_sets, pset_id,
                  reference_values, ulp_bound, ulp_dist)
from conftest import SUPPORTED_ISA

DTYPE_IDS = {np.float16: "f16", np.float32: "f32", np.float64: "f64"}


def _cases():
    for u in UFUNCS:
        for ps in param_sets(u):
            yield pytest.param(u.name, ps, id=f"{u.name}-{pset_id(ps)}")


CASES = list(_cases())
ALL_NAMES = [u.name for u in UFUNCS]
PARAM_NAMES = [u.name for u in UFUNCS if u.params]
dtypes = pytest.mark.parametrize("dtype", FLOATS, ids=lambda d: DTYPE_IDS[d])


def uf(name):
    return UFUNCS_BY_NAME[name]


# =============================================================================
# 1 + 4. reference agreement, on every ISA level this CPU has
# =============================================================================
@dtypes
@pytest.mark.parametrize("name, pset", CASES)
def test_reference_ulp(isa, dtype, name, pset):
    u = _table.BY_NAME[name]
    ops = operands(name, dtype, pset)
    want = reference_values(name, dtype, pset)
    got = uf(name)(*ops)
    assert got.dtype == dtype
    d = ulp_dist(got, want)
    known, _ = known_bug_mask(name, dtype, ops)  # checked by test_known_bugs
    bad = (d > ulp_bound(u, dtype)) & ~known
    assert not bad.any(), (f"{name} {np.dtype(dtype).name} [{isa}] bound "
                           f"{ulp_bound(u, dtype)} ULP: " + _ulp.describe_failures(ops, got, want, d, bad))


def _known_bug_cases():
    for bug in _ulp.KNOWN_BUGS:
        for name in bug.xfail_names or bug.names:
            for dtype in bug.dtypes:
                if any(known_bug_mask(name, dtype, operands(name, dtype, ps))[0].any()
                       for ps in param_sets(_table.BY_NAME[name])):
                    yield pytest.param(bug.key, name, dtype, id=f"{bug.key}-{name}-{DTYPE_IDS[dtype]}",
                                       marks=pytest.mark.xfail(strict=True, reason=bug.reason))


@pytest.mark.parametrize("key, name, dtype", list(_known_bug_cases()))
def test_known_bugs(isa, key, name, dtype):
    """The points of a known bug are within the table's bound (fails until the bug is fixed)."""
    u = _table.BY_NAME[name]
    bug = next(b for b in _ulp.KNOWN_BUGS if b.key == key)
    msgs = []
    for ps in param_sets(u):
        ops = operands(name, dtype, ps)
        cols = [o.astype(np.float64) if isinstance(o, np.ndarray) else np.full(len(ops[0]), o)
                for o in ops]
        m = bug.mask(u, cols)
        if not m.any():
            continue
        got = uf(name)(*ops)
        want = reference_values(name, dtype, ps)
        d = ulp_dist(got, want)
        bad = m & (d > ulp_bound(u, dtype))
        if bad.any():
            msgs.append(f"{name}{ps}: " + _ulp.describe_failures(ops, got, want, d, bad, limit=3))
    assert not msgs, "\n".join(msgs)


def _isa_results(name, dtype, pset):
    ops = operands(name, dtype, pset)
    old = get_isa()
    res = {}
    try:
        for level in SUPPORTED_ISA:
            set_isa(level)
            res[level] = uf(name)(*ops)
            # the strided (gathered) path as well
            res[level + "/strided"] = uf(name)(*[o[::-1] if isinstance(o, np.ndarray) else o
                                                 for o in ops])[::-1]
    finally:
        set_isa(old)
    return ops, res


def _isa_bug(example):
    return ("BUG: the ISA levels differ by more than 1 ULP in float64 (DESIGN: 'results within "
            "1 ULP of each other'; the FMA levels round differently from the baseline), e.g. " + example)


# (name, pset id, dtype) -> reason: where the levels differ by more than allowed
# (the FMA levels round a*b+c once, the baseline twice, so two levels may land on
# different sides of the exact value: each is within the bound b of it, so they agree
# within 2b; exact functions (b = 0) give the same bits)
ISA_ULP_BUGS = {}
ISA_NAN_BITS_BUGS = {}


def _isa_cases(bugs):
    for p in CASES:
        name, pset = p.values
        for dtype in FLOATS:
            reason = bugs.get((name, pset_id(pset), DTYPE_IDS[dtype]))
            marks = [pytest.mark.xfail(strict=True, reason=reason)] if reason else []
            yield pytest.param(name, pset, dtype, id=f"{p.id}-{DTYPE_IDS[dtype]}", marks=marks)


isa_skip = pytest.mark.skipif(len(SUPPORTED_ISA) < 2, reason="one ISA level only")


@isa_skip
@pytest.mark.parametrize("name, pset, dtype", list(_isa_cases(ISA_ULP_BUGS)))
def test_isa_levels_agree(name, pset, dtype):
    """Every level (and the gathered path) within 2 * bound ULP of the baseline."""
    tol = 2 * ulp_bound(_table.BY_NAME[name], dtype)
    ops, res = _isa_results(name, dtype, pset)
    known, _ = known_bug_mask(name, dtype, ops)
    base = res[SUPPORTED_ISA[0]]
    for level, r in res.items():
        d = np.where(known, 0, ulp_dist(r, base))
        i = int(np.argmax(d))
        args = [float(o[i]) if isinstance(o, np.ndarray) else o for o in ops]
        assert d.max() <= tol, (f"{level} vs {SUPPORTED_ISA[0]}: {d.max()} ULP at {name}{tuple(args)}: "
                              f"{r[i]!r} vs {base[i]!r}; {int((d > tol).sum())} points > {tol} ULP")


@isa_skip
@pytest.mark.parametrize("name, pset, dtype", list(_isa_cases({})))
def test_isa_levels_nan_inf_identical(name, pset, dtype):
    """NaN at the same places on every level, +-inf bitwise identical."""
    ops, res = _isa_results(name, dtype, pset)
    base = res[SUPPORTED_ISA[0]]
    for level, r in res.items():
        assert (np.isnan(r) == np.isnan(base)).all(), f"{level}: NaN at other places"
        inf = np.isinf(base) | np.isinf(r)
        assert_bitwise_equal(r[inf], base[inf], f"{name}: inf of {level}")


@isa_skip
@pytest.mark.parametrize("name, pset, dtype", list(_isa_cases(ISA_NAN_BITS_BUGS)))
def test_isa_levels_nan_bits_identical(name, pset, dtype):
    """The NaNs themselves (sign, payload) do not depend on the level."""
    ops, res = _isa_results(name, dtype, pset)
    base = res[SUPPORTED_ISA[0]]
    nan = np.isnan(base)
    for level, r in res.items():
        assert_bitwise_equal(r[nan], base[nan], f"{name}: NaN bits of {level} (np.signbit differs)")


def test_reference_backward_is_dy_times_grad():
    """The derived backward references are dy * grad (sanity check of the reference)."""
    from fastact import reference

    for u in UFUNCS:
        if not is_backward(u):
            continue
        grad = reference.get(u.name.replace("backward", "grad"))
        back = reference.get(u.name)
        for x in (-2.0, 0.0, 0.5, 3.0):
            assert back(-1.5, x, *default_params(u)) == -1.5 * grad(x, *default_params(u))


# =============================================================================
# 2. layouts: every one compared bitwise with the contiguous result
# =============================================================================
def data_and_params(name, dtype, n=None, seed=0):
    """Contiguous data operands (x, or dy and x) of special values and random numbers,
    and the default scalar parameters."""
    u = _table.BY_NAME[name]
    x = _ulp.special_mix(dtype)
    if n is not None:
        x = x[:n].copy()
    data = [x]
    if is_backward(u):
        rng = np.random.default_rng(seed)
        data.insert(0, cast(rng.choice(_ulp.DY_VALUES + (-7.0, 1e-3), len(x)), dtype))
    return data, list(default_params(u))


def contiguous_result(f, data, params):
    """f on contiguous copies of the operands: the result every layout must reproduce."""
    return f(*[np.ascontiguousarray(d) for d in data], *params)


LAYOUTS = {
    "stride2": lambda a: a[::2],
    "stride3": lambda a: a[::3],
    "stride-1": lambda a: a[::-1],
    "stride-2": lambda a: a[-1::-2],
    "offset1": lambda a: a[1:],
    "2d": lambda a: a[:256].reshape(16, 16),
    "2d-transposed": lambda a: a[:256].reshape(16, 16).T,
    "fortran": lambda a: np.asfortranarray(a[:256].reshape(16, 16)),
    "2d-strided": lambda a: a[:256].reshape(16, 16)[::2, ::-3],
}


@dtypes
@pytest.mark.parametrize("layout", LAYOUTS)
@pytest.mark.parametrize("name", ALL_NAMES)
def test_layouts(name, dtype, layout):
    f = uf(name)
    data, params = data_and_params(name, dtype)
    t = LAYOUTS[layout]
    views = [t(d) for d in data]
    want = contiguous_result(f, views, params)
    assert_bitwise_equal(f(*views, *params), want, f"{name} {layout}")
    # the layout applied to one data operand only (fused backward: dy and x differ)
    if len(data) > 1:
        for i in range(len(data)):
            mixed = [t(d) if j == i else np.ascontiguousarray(t(d)) for j, d in enumerate(data)]
            assert_bitwise_equal(f(*mixed, *params), want, f"{name} {layout} on operand {i}")
    # the output strided too
    out = np.zeros((2,) + want.shape, dtype=want.dtype)[1] if want.ndim == 2 else \
        np.zeros(2 * want.size, dtype=want.dtype)[::-2]
    r = f(*views, *params, out=out)
    assert r is out
    assert_bitwise_equal(out, want, f"{name} {layout} with a strided out")


def _unaligned(a):
    buf = np.zeros(a.nbytes + 1, np.uint8)
    u = np.ndarray(a.shape, dtype=a.dtype, buffer=buf, offset=1)
    u[...] = a
    assert not u.flags.aligned
    return u


@dtypes
@pytest.mark.parametrize("name", ALL_NAMES)
def test_unaligned_and_byteswapped(name, dtype):
    """Misaligned operands and output, and non-native byte order, give the same bits."""
    f = uf(name)
    data, params = data_and_params(name, dtype)
    want = f(*data, *params)
    params_arr = [np.full(data[0].shape, p, dtype) for p in params]
    want_arr = f(*data, *params_arr)
    out = _unaligned(np.zeros_like(want))
    r = f(*[_unaligned(d) for d in data], *params, out=out)
    assert r is out
    assert_bitwise_equal(out, want, f"{name} unaligned")
    assert_bitwise_equal(f(*[_unaligned(d) for d in data], *[_unaligned(p) for p in params_arr]),
                         want_arr, f"{name} unaligned parameters")
    swapped = [d.astype(d.dtype.newbyteorder()) for d in data]
    assert_bitwise_equal(f(*swapped, *params), want, f"{name} byte-swapped")
    out = np.zeros(want.shape, want.dtype.newbyteorder())
    f(*data, *params, out=out)
    assert_bitwise_equal(out.astype(want.dtype), want, f"{name} byte-swapped out")


@dtypes
@pytest.mark.parametrize("name", ALL_NAMES)
def test_sizes_and_offsets(name, dtype):
    """Every size 1..33 (SIMD tails) and start offsets: elementwise identical to one big call."""
    f = uf(name)
    data, params = data_and_params(name, dtype)
    full = f(*data, *params)
    for n in range(1, 34):
        for start in (0, 1, 3):
            sl = slice(start, start + n)
            assert_bitwise_equal(f(*[d[sl] for d in data], *params), full[sl], f"{name} n={n} start={start}")
        sl = slice(0, 2 * n, 2)
        assert_bitwise_equal(f(*[d[sl] for d in data], *params), full[sl], f"{name} n={n} stride 2")
    # a size crossing the gather blocks
    sl = slice(None, None, -1)
    assert_bitwise_equal(f(*[d[sl] for d in data], *params), full[sl], f"{name} reversed")


@dtypes
@pytest.mark.parametrize("name", ALL_NAMES)
def test_scalars_and_0d(name, dtype):
    """A NumPy/Python scalar or a 0-d array in -> a NumPy scalar out, like np.tanh."""
    f = uf(name)
    data, params = data_and_params(name, dtype)
    full = f(*data, *params)
    for i in range(0, len(data[0]), 17):
        for make in (lambda v: v[()], lambda v: np.array(v), lambda v: v.item()):
            args = [make(d[i:i + 1].reshape(())) for d in data]
            r = f(*args, *params)
            like = np.tanh(args[-1])
            assert type(r) is type(like), (name, type(args[-1]), type(r), type(like))
            if isinstance(args[-1], float):  # Python float: the float64 loop
                assert_bitwise_equal(np.asarray(r), np.asarray(
                    f(*[np.float64(a) for a in args], *params)), name)
            else:
                assert_bitwise_equal(np.asarray(r), full[i], f"{name} scalar #{i}")


@dtypes
@pytest.mark.parametrize("name", ALL_NAMES)
@pytest.mark.parametrize("shape", [(0,), (3, 0), (0, 4)], ids=str)
def test_empty(name, dtype, shape):
    f = uf(name)
    _, params = data_and_params(name, dtype)
    data = [np.empty(shape, dtype) for _ in range(n_data(_table.BY_NAME[name]))]
    r = f(*data, *params)
    assert r.shape == shape and r.dtype == dtype


@dtypes
@pytest.mark.parametrize("name", ALL_NAMES)
def test_out_and_inplace(name, dtype):
    f = uf(name)
    data, params = data_and_params(name, dtype)
    want = f(*data, *params)
    # out= a separate array
    out = np.full_like(want, 5)
    assert f(*data, *params, out=out) is out
    assert_bitwise_equal(out, want, f"{name} out=")
    out = np.full_like(want, 5)
    assert f(*data, *params, out=(out,)) is out
    assert_bitwise_equal(out, want, f"{name} out=(out,)")
    # in place, into each data operand in turn
    for i in range(len(data)):
        d = [a.copy() for a in data]
        r = f(*d, *params, out=d[i])
        assert r is d[i]
        assert_bitwise_equal(r, want, f"{name} in place on operand {i}")
    # in place on a strided view
    for i in range(len(data)):
        d = [np.repeat(a, 2)[::2] for a in data]
        r = f(*d, *params, out=d[i])
        assert_bitwise_equal(r, want, f"{name} in place on strided operand {i}")


@dtypes
@pytest.mark.parametrize("name", ALL_NAMES)
def test_where(name, dtype):
    f = uf(name)
    data, params = data_and_params(name, dtype)
    want = f(*data, *params)
    mask = np.random.default_rng(1).random(want.shape) < 0.5
    out = np.full_like(want, 7)
    r = f(*data, *params, out=out, where=mask)
    assert r is out
    assert_bitwise_equal(out[mask], want[mask], f"{name} where= (computed)")
    assert (out[~mask] == 7).all(), f"{name} where=: elements outside the mask were written"
    # a broadcast mask
    out = np.full_like(want, 7)
    f(*data, *params, out=out, where=np.bool_(False))
    assert (out == 7).all()


@dtypes
@pytest.mark.parametrize("name", PARAM_NAMES)
def test_parameter_forms_agree(name, dtype):
    """A parameter as a Python float, a NumPy scalar, a 0-d array, a full array (contiguous,
    strided, reversed) and a stride-0 broadcast: the scalar fast path and the array path agree."""
    u = _table.BY_NAME[name]
    f = uf(name)
    data, _ = data_and_params(name, dtype)
    n = data[0].shape
    for pset in param_sets(u)[:-1]:  # the scalar ones
        want = f(*data, *pset)
        forms = {
            "numpy scalar": lambda p: dtype(p),
            "0-d array": lambda p: np.array(p, dtype=dtype),
            "full": lambda p: np.full(n, p, dtype=dtype),
            "strided": lambda p: np.full(2 * n[0], p, dtype=dtype)[::2],
            "reversed": lambda p: np.full(n, p, dtype=dtype)[::-1],
            "broadcast_to": lambda p: np.broadcast_to(np.array(p, dtype=dtype), n),
        }
        for fname, form in forms.items():
            got = f(*data, *[form(p) for p in pset])
            assert_bitwise_equal(got, want, f"{name}{pset} parameters as {fname}")
        # mixed: one parameter an array, the others scalars
        if len(pset) > 1:
            for i in range(len(pset)):
                ps = [forms["full"](p) if j == i else p for j, p in enumerate(pset)]
                assert_bitwise_equal(f(*data, *ps), want, f"{name}{pset} mixed parameter forms {i}")
        # the array path with a strided data operand too (the gathered path)
        got = f(*[d[::-1] for d in data], *[forms["full"](p) for p in pset])
        assert_bitwise_equal(got, want[::-1], f"{name}{pset} reversed data, full parameters")


@dtypes
@pytest.mark.parametrize("name", ALL_NAMES)
def test_data_broadcast_stride0(name, dtype):
    """A data operand broadcast with stride 0 (np.broadcast_to) equals the full array."""
    f = uf(name)
    data, params = data_and_params(name, dtype)
    for v_index in (0, 5, 11):
        bdata = [np.broadcast_to(d[v_index], (300,)) for d in data]
        want = f(*[np.full(300, d[v_index]) for d in data], *params)
        assert_bitwise_equal(f(*bdata, *params), want, f"{name} stride-0 data")
        if len(data) > 1:  # only one of dy, x broadcast
            mixed = [bdata[0], np.full(300, data[1][v_index])]
            assert_bitwise_equal(f(*mixed, *params), want, f"{name} stride-0 dy")


def _param_values(u, shape, dtype, seed=0):
    rng = np.random.default_rng(seed)
    return [cast(rng.choice(_ulp.PARAM_ARRAY_CHOICES, shape), dtype) for _ in u.params]


@dtypes
@pytest.mark.parametrize("name", ALL_NAMES)
def test_broadcasting(name, dtype):
    """x of shape (5, 1) with parameters of shape (1, 4); without parameters dy (5, 1) with
    x (1, 4), or x (1, 4) into an out of shape (5, 4)."""
    u = _table.BY_NAME[name]
    f = uf(name)
    data, _ = data_and_params(name, dtype)
    shapes = [(5, 1), (1, 4)] if len(data) == 2 else [(5, 1)]
    data = [d[i * 20:i * 20 + int(np.prod(s))].reshape(s) for i, (d, s) in enumerate(zip(data, shapes))]
    params = _param_values(u, (1, 4), dtype)
    if not params and len(data) == 1:
        data = [data[0].reshape(1, 5)]
        out = np.empty((4, 5), dtype)
        r = f(*data, out=out)
        assert_bitwise_equal(r, np.broadcast_to(f(data[0]), (4, 5)), f"{name} broadcast into out")
        return
    ops = data + params
    full_shape = np.broadcast_shapes(*[o.shape for o in ops])
    want = f(*[np.broadcast_to(o, full_shape).copy() for o in ops])
    got = f(*ops)
    assert_bitwise_equal(got, want, f"{name} broadcast")


@dtypes
@pytest.mark.parametrize("name", PARAM_NAMES)
def test_per_channel_parameters(name, dtype):
    """PReLU-style per-channel parameters: x (N, C, H) with parameters (1, C, 1) and (C, 1)."""
    u = _table.BY_NAME[name]
    f = uf(name)
    N, C, H = 3, 5, 7
    data, _ = data_and_params(name, dtype)
    data = [d[:N * C * H].reshape(N, C, H) for d in data]
    for pshape in [(1, C, 1), (C, 1)]:
        params = _param_values(u, pshape, dtype, seed=len(pshape))
        want = f(*data, *[np.broadcast_to(p, (N, C, H)).copy() for p in params])
        assert_bitwise_equal(f(*data, *params), want, f"{name} per-channel {pshape}")
        # channel by channel: the scalar-parameter path gives the same values
        for c in range(C):
            pc = [p.reshape(-1)[c].item() for p in params]
            assert_bitwise_equal(f(*[d[:, c] for d in data], *[dtype(p) for p in pc]),
                                 want[:, c], f"{name} channel {c}")
    # transposed / Fortran-ordered parameter arrays
    params = _param_values(u, (N * C, H), dtype, seed=9)
    d2 = [np.asfortranarray(d.reshape(N * C, H)) for d in data]
    want = f(*[np.ascontiguousarray(d) for d in d2], *params)
    assert_bitwise_equal(f(*d2, *[np.asfortranarray(p) for p in params]), want, f"{name} fortran")
    pt = [np.ascontiguousarray(p.T).T for p in params]
    assert_bitwise_equal(f(*d2, *pt), want, f"{name} transposed parameters")


# =============================================================================
# 3. dtypes
# =============================================================================
@dtypes
@pytest.mark.parametrize("name", ALL_NAMES)
def test_float_dtype_kept(name, dtype):
    u = _table.BY_NAME[name]
    f = uf(name)
    ops = [np.linspace(-4, 4, 9, dtype=dtype) for _ in range(n_data(u))]
    ops += [np.full(9, p, dtype=dtype) for p in default_params(u)]
    assert f(*ops).dtype == dtype
    # parameters as Python floats (weak scalars) keep the dtype as well
    assert f(*ops[:n_data(u)], *default_params(u)).dtype == dtype


INT_DTYPES = [np.int8, np.int16, np.int32, np.int64, np.uint8, np.uint16, np.uint32, np.uint64,
              np.bool_]


@pytest.mark.parametrize("itype", INT_DTYPES, ids=lambda t: np.dtype(t).name)
@pytest.mark.parametrize("name", ALL_NAMES)
def test_integer_promotion_like_tanh(name, itype):
    """Integer and bool operands promote exactly as np.tanh does (int8 -> float16, ...)."""
    u = _table.BY_NAME[name]
    f = uf(name)
    vals = np.array([-3, -1, 0, 1, 2, 6, 7]) if itype is not np.bool_ else np.array([0, 1, 1, 0, 1, 0, 1])
    x = vals.astype(itype) if np.issubdtype(itype, np.signedinteger) or itype is np.bool_ \
        else np.abs(vals).astype(itype)
    ops = [x] * n_data(u) + [np.ones(7, itype)] * len(u.params)
    r = f(*ops)
    expected = np.tanh(x).dtype
    assert r.dtype == expected
    assert_bitwise_equal(r, f(*[o.astype(expected) for o in ops]), f"{name} {np.dtype(itype).name}")


BAD_INPUTS = {
    "complex": lambda n: np.ones(n, np.complex128),
    "complex64": lambda n: np.ones(n, np.complex64),
    "object": lambda n: np.array([1.0] * n, dtype=object),
    "string": lambda n: np.array(["1.0"] * n),
    "bytes": lambda n: np.array([b"1"] * n),
    "datetime": lambda n: np.array(["2020-01-01"] * n, dtype="M8[D]"),
}


@pytest.mark.parametrize("kind", BAD_INPUTS)
@pytest.mark.parametrize("name", ALL_NAMES)
def test_unsupported_dtypes_raise_typeerror(name, kind):
    u = _table.BY_NAME[name]
    f = uf(name)
    bad = BAD_INPUTS[kind](3)
    good = np.ones(3)
    for i in range(u.nin):  # the unsupported dtype in each operand position
        ops = [bad if j == i else good for j in range(u.nin)]
        with pytest.raises(TypeError):
            f(*ops)


@pytest.mark.parametrize("dtype", [np.float16, np.float32], ids=lambda d: DTYPE_IDS[d])
@pytest.mark.parametrize("name", sorted(n for n, o in vars(fa).items() if isinstance(o, fa.DefaultsUfunc)))
def test_defaults_wrapper_keeps_dtype(name, dtype):
    w = getattr(fa, name)
    u = _table.BY_NAME[w.ufunc.__name__]
    data = [np.linspace(-3, 3, 7, dtype=dtype) for _ in range(n_data(u))]
    r = w(*data)
    assert r.dtype == dtype
    assert_bitwise_equal(r, w.ufunc(*data, *[dtype(p) for p in default_params(u)]), name)


@pytest.mark.parametrize("itype", [np.int8, np.int16, np.bool_], ids=lambda t: np.dtype(t).name)
def test_defaults_wrapper_integer_promotion(itype):
    """An integer array with the Python-float default promotes as NumPy promotes an integer
    array and a Python float (np.add(x, 0.01)): to float64 (documented in the README)."""
    x = np.array([0, 1, 1], dtype=itype)
    assert fa.leaky_relu(x).dtype == np.add(x, 0.01).dtype == np.float64
    assert fa.relu(x).dtype == np.tanh(x).dtype


# =============================================================================
# parameters at special values (NaN, +-0, negative, 3) against the reference
# =============================================================================
# (+-inf and huge values are left out: there the reference itself is inconsistent, e.g.
# inf * exp(-65504) is inf in Decimal but exp(-3.4e38) underflows to 0 in it too)
SPECIAL_PARAMS = (np.nan, 0.0, -0.0, -0.5, 3.0)

_ELU_SUBNORMAL = (
    "BUG: elu in float64 at subnormal x: fa_expm1 computes 2 * (0.5 * x) for tiny x and 0.5 * x "
    "rounds (to 0 for the smallest subnormal), so expm1(-5e-324) = -0.0; alpha scales that error: "
    "elu(-5e-324, 3.0) = -0.0, exact -1.5e-323 (3 ULP, bound 2); elu(-5e-324, 1e300) = -0.0, "
    "exact -4.94e-24; elu(-5e-324, inf) = NaN (inf * -0.0), exact -inf")
_SWISH_NAN_BETA = (
    "BUG: NaN in -> NaN out fails for swish's beta: swish(0.0, nan) = 0.0, swish_grad(0.0, nan) = "
    "0.5, swish_backward(dy, 0.0, nan) = 0.5*dy (the reference, and leaky_relu/elu with a NaN "
    "parameter, give NaN); the kernel replaces beta*x by 0 when x == 0 before looking at beta")
SPECIAL_PARAM_BUGS = {}


def _special_param_cases():
    for u in UFUNCS:
        if not u.params:
            continue
        for dtype in FLOATS:
            for v in SPECIAL_PARAMS:
                key = (u.name, DTYPE_IDS[dtype], f"{v:g}")
                marks = ([pytest.mark.xfail(strict=True, reason=SPECIAL_PARAM_BUGS[key])]
                         if key in SPECIAL_PARAM_BUGS else [])
                yield pytest.param(u.name, dtype, v, id="-".join(key), marks=marks)


@pytest.mark.parametrize("name, dtype, value", list(_special_param_cases()))
def test_special_parameter_values(name, dtype, value):
    u = _table.BY_NAME[name]
    x = np.concatenate([_ulp.edge_points(dtype, tuple(u.act.kinks)), _ulp.random_points(dtype, 50)])
    data = [cast(np.resize(np.array(_ulp.DY_VALUES), x.shape), dtype), x] if is_backward(u) else [x]
    ops = tuple(data) + (value,) * len(u.params)
    p = cast(value, dtype)
    got = uf(name)(*data, *([p] * len(u.params)))
    want = _ulp.reference_of(name, dtype, ops)
    d = ulp_dist(got, want)
    known, _ = known_bug_mask(name, dtype, ops)
    bad = (d > ulp_bound(u, dtype)) & ~known
    assert not bad.any(), f"{name}(x, {value}): " + _ulp.describe_failures(ops, got, want, d, bad)


# =============================================================================
# 6. semantics (explicit values, from DESIGN.md)
# =============================================================================
F64 = np.float64
ALL_FLOAT = pytest.mark.parametrize("dtype", FLOATS, ids=lambda d: DTYPE_IDS[d])


def at(f, x, *p, dtype=F64):
    """f at the scalar x, as a 1-element array of dtype (the array path)."""
    return f(np.array([x], dtype=dtype), *p)[0]


def is_neg_zero(v):
    return v == 0 and math.copysign(1.0, float(v)) < 0


@ALL_FLOAT
def test_kink_relu(dtype):
    assert at(fa.relu_grad, 0.0, dtype=dtype) == 0
    assert at(fa.relu_grad, -0.0, dtype=dtype) == 0


@ALL_FLOAT
def test_kink_leaky_relu(dtype):
    assert at(fa.leaky_relu_grad, 0.0, dtype=dtype) == dtype(0.01)
    assert at(fa.leaky_relu_grad, 0.0, 0.3, dtype=dtype) == dtype(0.3)
    assert at(fa.prelu_grad, 0.0, 0.25, dtype=dtype) == 0.25


@ALL_FLOAT
def test_kink_relu6(dtype):
    assert at(fa.relu6_grad, 0.0, dtype=dtype) == 0
    assert at(fa.relu6_grad, 6.0, dtype=dtype) == 0
    assert at(fa.relu6_grad, 3.0, dtype=dtype) == 1


@ALL_FLOAT
def test_kink_hardswish(dtype):
    assert at(fa.hardswish_grad, -3.0, dtype=dtype) == 0
    assert at(fa.hardswish_grad, 3.0, dtype=dtype) == 1


@ALL_FLOAT
def test_kink_elu(dtype):
    assert at(fa.elu_grad, 0.0, dtype=dtype) == 1.0
    assert at(fa.elu_grad, 0.0, 0.5, dtype=dtype) == 0.5
    assert at(fa.elu_grad, -0.0, 2.0, dtype=dtype) == 2.0


@ALL_FLOAT
def test_binary_step_at_zero(dtype):
    assert at(fa.binary_step, 0.0, dtype=dtype) == 1
    assert at(fa.binary_step, -0.0, dtype=dtype) == 1
    assert at(fa.binary_step, -np.finfo(dtype).smallest_subnormal, dtype=dtype) == 0


SIGN_OF_ZERO = ["identity", "linear", "leaky_relu", "prelu", "elu", "swish", "tanh", "hardswish",
                "rrelu", "leaky_relu6"]


@ALL_FLOAT
@pytest.mark.parametrize("name", SIGN_OF_ZERO)
def test_negative_zero_keeps_sign(name, dtype):
    u = _table.BY_NAME[name]
    f = uf(name)
    for p in param_sets(u)[:-1]:
        if name == "linear" and p[0] < 0:
            continue  # c * -0.0 = +0.0 for c < 0
        r = f(np.array([-0.0], dtype=dtype), *p)[0]
        assert is_neg_zero(r), f"{name}(-0.0, {p}) = {r!r}"
        r = f(np.array([0.0], dtype=dtype), *p)[0]
        assert r == 0 and not is_neg_zero(r)
        assert is_neg_zero(f(dtype(-0.0), *p)), f"{name}(-0.0) scalar"


@ALL_FLOAT
def test_infinity_limits(dtype):
    inf = np.array([np.inf, -np.inf], dtype=dtype)
    assert fa.sigmoid(inf).tolist() == [1.0, 0.0]
    assert fa.tanh(inf).tolist() == [1.0, -1.0]
    assert fa.swish(inf).tolist() == [np.inf, 0.0]
    assert fa.silu(inf).tolist() == [np.inf, 0.0]
    assert fa.swish(inf, 2.0).tolist() == [np.inf, 0.0]
    assert fa.swish_grad(inf).tolist() == [1.0, 0.0]
    assert fa.elu(inf).tolist() == [np.inf, -1.0]
    assert fa.elu(inf, 0.5).tolist() == [np.inf, -0.5]
    assert fa.hardswish(inf).tolist() == [np.inf, 0.0]
    assert fa.relu6(inf).tolist() == [6.0, 0.0]
    assert fa.leaky_relu(inf).tolist() == [np.inf, -np.inf]


@ALL_FLOAT
@pytest.mark.parametrize("name", [u.name for u in UFUNCS if u.role == "grad"])
def test_every_grad_finite_at_infinity(name, dtype):
    u = _table.BY_NAME[name]
    for p in param_sets(u)[:-1]:
        r = uf(name)(np.array([np.inf, -np.inf, np.finfo(dtype).max, -np.finfo(dtype).max],
                              dtype=dtype), *p)
        assert np.isfinite(r).all(), f"{name}(+-inf, +-max; {p}) = {r}"


@ALL_FLOAT
@pytest.mark.parametrize("name", ALL_NAMES)
def test_nan_in_nan_out(name, dtype):
    u = _table.BY_NAME[name]
    for p in param_sets(u)[:-1]:
        ops = [np.array([np.nan, 1.0], dtype=dtype) for _ in range(n_data(u))]
        r = uf(name)(*ops, *p)
        assert np.isnan(r[0]), f"{name}(nan; {p}) = {r[0]}"
        if is_backward(u):  # NaN in dy alone, and in x alone
            for i in range(2):
                ops = [np.array([np.nan if j == i else 1.0], dtype=dtype) for j in range(2)]
                assert np.isnan(uf(name)(*ops, *p)[0]), f"{name}: NaN in operand {i}"


def _ulps32(got, want):
    return ulp_dist(np.array([got], np.float32), np.array([want], np.float32))[0]


def test_sigmoid_grad_tails():
    """sigmoid'(x) = e^-x / (1 + e^-x)^2: nonzero and accurate where torch/numpy return 0."""
    from fastact import reference

    for x in (16.65, 20.0, 40.0, -40.0, 100.0):
        for dtype in (np.float32, np.float64):
            got = at(fa.sigmoid_grad, x, dtype=dtype)
            want = dtype(reference.sigmoid_grad(float(dtype(x))))
            assert got > 0
            assert ulp_dist(np.array([got]), np.array([want]))[0] <= 1, (x, dtype, got, want)
    # against an independent formula: exp(-40) / (1 + exp(-40))**2 = exp(-40) - 2 exp(-80) + ...
    assert at(fa.sigmoid_grad, 40.0) == pytest.approx(math.exp(-40.0), rel=1e-15)
    assert at(fa.sigmoid_grad, 20.0) == pytest.approx(math.exp(-20) / (1 + math.exp(-20)) ** 2, rel=1e-15)


def test_tanh_grad_tail():
    # 1 - tanh(10)**2 = 4 e^-20 / (1 + e^-20)^2
    e = math.exp(-20.0)
    assert at(fa.tanh_grad, 10.0) == pytest.approx(4 * e / (1 + e) ** 2, rel=1e-15)
    assert at(fa.tanh_grad, 10.0, dtype=np.float32) == pytest.approx(4 * e / (1 + e) ** 2, rel=1e-7)
    assert at(fa.tanh_grad, -10.0) == at(fa.tanh_grad, 10.0)


@pytest.mark.parametrize("name", ["swish_grad", "swish_backward"])
def test_swish_grad_beta_x_rounded(name):
    """beta*x is formed exactly (hi + lo): deep in the tail, beta*x < -128, with an inexact product."""
    from fastact import reference

    u = _table.BY_NAME[name]
    x = np.array([-7000.0, -6543.21, -3000.0, -1500.0])
    data = [np.ones_like(x), x] if is_backward(u) else [x]
    got = uf(name)(*data, 0.1)
    want = np.array([reference.get(name)(*[float(d[i]) for d in data], 0.1) for i in range(len(x))])
    assert ulp_dist(got, want).max() <= ulp_bound(u, np.float64), ulp_dist(got, want)


def test_swish_float32_deep_tail():
    """swish(-100) = -100 / (1 + e^100) ~ -3.72e-42: a float32 subnormal, nonzero and exact."""
    got = at(fa.swish, -100.0, dtype=np.float32)
    want = np.float32(-100.0 * math.exp(-100.0) / (1 + math.exp(-100.0)))
    assert got != 0 and got == want
    assert at(fa.swish, -100.0) == pytest.approx(-100.0 * math.exp(-100.0), rel=1e-15)


@pytest.mark.parametrize("dtype", [np.float32, np.float64], ids=lambda d: DTYPE_IDS[d])
@pytest.mark.parametrize("name", [u.act.name for u in UFUNCS if u.role == "grad_from_output"])
def test_from_output_matches_input_form(name, dtype):
    """NAME_grad_from_output(NAME(x)) ~ NAME_grad(x) on moderate points: within a few ULP plus
    what the rounding of y = NAME(x) itself carries into the from-output formula (measured as
    the change of the from-output derivative over one ULP of y, times f's bound + 1/2)."""
    u = _table.BY_NAME[name]
    fwd_bound = ulp_bound(u, dtype)
    x = _ulp.moderate_points(dtype, n=200, lim=3.0)
    for p in param_sets(u)[:-1]:
        y = uf(name)(x, *p)
        g_out = uf(name + "_grad_from_output")(y, *p)
        g_in = uf(name + "_grad")(x, *p)
        with np.errstate(all="ignore"):
            y_next = np.nextafter(y, dtype(np.inf))
        sensitivity = np.maximum(ulp_dist(uf(name + "_grad_from_output")(y_next, *p), g_out), 1)
        tol = 4 + (fwd_bound + 0.5) * sensitivity
        d = ulp_dist(g_out, g_in)
        assert (d <= tol).all(), (name, p, d.max(), x[np.argmax(d - tol)])
        dy = cast(np.resize([1.0, -2.0, 0.5], x.shape), dtype)
        b_out = uf(name + "_backward_from_output")(dy, y, *p)
        assert ulp_dist(b_out, cast(dy.astype(np.float64) * g_out.astype(np.float64), dtype)).max() <= 1
        assert (ulp_dist(b_out, uf(name + "_backward")(dy, x, *p)) <= tol + 1).all()


@pytest.mark.parametrize("dtype", FLOATS, ids=lambda d: DTYPE_IDS[d])
def test_no_fp_warnings_on_extremes(dtype):
    """Explicitly: every ufunc on overflowing/underflowing inputs raises no FP flag."""
    x = _ulp.edge_points(dtype, (0.0, 6.0, -3.0, 3.0))
    with np.errstate(all="raise"):
        for u in UFUNCS:
            ops = [x] * n_data(u)
            for p in param_sets(u)[:-1]:
                uf(u.name)(*ops, *p)


# =============================================================================
# float16: every one of the 65536 values
# =============================================================================
ALL_F16 = np.arange(1 << 16, dtype=np.uint32).astype(np.uint16).view(np.float16)


@pytest.mark.parametrize("name", ALL_NAMES)
def test_float16_all_values_round_the_float32_result(name):
    """float16 is computed by the float32 kernel and rounded once: for every float16 input,
    f(x16) == float16(f(float32(x16))) bitwise (NaN: at the same places)."""
    u = _table.BY_NAME[name]
    f = uf(name)
    x = ALL_F16
    data = [x]
    if is_backward(u):
        data.insert(0, cast(np.resize(np.array(_ulp.DY_VALUES), x.shape), np.float16))
    for pset in param_sets(u)[:-1]:
        p16 = [np.float16(p) for p in pset]
        got = f(*data, *p16)
        assert got.dtype == np.float16
        want = cast(f(*[d.astype(np.float32) for d in data], *[np.float32(p) for p in p16]), np.float16)
        nan = np.isnan(want)
        assert (np.isnan(got) == nan).all(), f"{name}{pset}: NaN at other places"
        assert_bitwise_equal(got[~nan], want[~nan], f"{name}{pset} float16 vs rounded float32")


# =============================================================================
# slow (pytest -m slow): exhaustive float16 and random float32/float64 bit patterns
# =============================================================================
def _check_against_reference(name, dtype, x, pset):
    u = _table.BY_NAME[name]
    data = [x]
    if is_backward(u):
        data.insert(0, cast(np.resize(np.array(_ulp.DY_VALUES), x.shape), dtype))
    ops = tuple(data) + tuple(pset)
    got = uf(name)(*ops)
    want = _ulp.reference_of(name, dtype, ops)
    d = ulp_dist(got, want)
    known, _ = known_bug_mask(name, dtype, ops)
    bad = (d > ulp_bound(u, dtype)) & ~known
    assert not bad.any(), f"{name} {np.dtype(dtype).name}: " + _ulp.describe_failures(ops, got, want, d, bad)


@pytest.mark.slow
@pytest.mark.parametrize("name, pset", CASES)
def test_slow_float16_exhaustive(name, pset):
    if pset == "array":
        pytest.skip("scalar parameters only")
    _check_against_reference(name, np.float16, ALL_F16.copy(), pset)


def _random_bits(dtype, n, seed):
    it = {np.float32: np.uint32, np.float64: np.uint64}[dtype]
    rng = np.random.default_rng(seed)
    return rng.integers(0, np.iinfo(it).max, n, dtype=it, endpoint=True).view(dtype)


@pytest.mark.slow
@pytest.mark.parametrize("dtype", [np.float32, np.float64], ids=lambda d: DTYPE_IDS[d])
@pytest.mark.parametrize("name, pset", CASES)
def test_slow_random_bit_patterns(isa, name, pset, dtype):
    """Uniformly random bit patterns (every exponent equally likely) and a dense sweep of
    [-40, 40], where the transcendental ones change regime."""
    if pset == "array":
        pytest.skip("scalar parameters only")
    x = np.concatenate([_random_bits(dtype, 4000, len(name)),
                        np.linspace(-40, 40, 4001, dtype=dtype)])
    _check_against_reference(name, dtype, x, pset)


# =============================================================================
# the ufunc methods of the two-operand ufuncs: reduce, accumulate, reduceat, outer, at
# =============================================================================
BINARY = [u.name for u in UFUNCS if u.nin == 2]

UFUNC_METHOD_BUG = (
    "BUG: ufunc.reduce / reduceat (any dtype) and ufunc.accumulate (float16) of the two-operand "
    "fastact ufuncs are wrong.  NumPy calls the inner loop with the accumulator aliased to the "
    "output (reduce: operand 0 and the output at stride 0; accumulate: operand 0 = out[:-1], "
    "output = out[1:]); loops.c gathers a block of every input operand before computing it (and "
    "float16 is always gathered), so each element sees the accumulator's value from before the "
    "block -- for accumulate the uninitialized contents of the new output: "
    "fastact.identity_backward.accumulate(np.full(8, 3.0, np.float16), out=np.full(8, 42, np.float16)) "
    "= [3, 3, 42, 42, 42, 42, 42, 42], without out= garbage (NaN, -4.352e+04, ...).  And "
    "fastact.leaky_relu.ufunc.reduce(np.array([-1.0, 0.5, 0.5])) = -0.5, but "
    "leaky_relu(leaky_relu(-1, 0.5), 0.5) = -0.25 (.accumulate gives -0.25 as its last element); "
    "fastact.relu_backward.reduceat(x, [0, 10, 200]) returns values that are no fold at all.")
# ufuncs whose fold does not depend on the accumulator's intermediate values on the seeded data
# of test_ufunc_methods, so they pass in float32/64 (where only reduce/reduceat are wrong) in
# spite of the bug: linear_grad(acc, c) = c, binary_step_backward (acc * 0), identity_backward
# (acc * 1), prelu_grad_a (ignores its slope operand).  In float16 accumulate fails for all.
_FOLD_BLIND = {"f16": set(),
               "f32": {"linear_grad", "binary_step_backward", "identity_backward", "prelu_grad_a"}}
_FOLD_BLIND["f64"] = _FOLD_BLIND["f32"]
# (name, dtype id) -> reason
UFUNC_METHOD_BUGS = {}  # (reduce/accumulate: loops.c runs aliased operands in order)


def _method_cases():
    for name in BINARY:
        for dtype in FLOATS:
            reason = UFUNC_METHOD_BUGS.get((name, DTYPE_IDS[dtype]))
            marks = [pytest.mark.xfail(strict=True, reason=reason)] if reason else []
            yield pytest.param(name, dtype, id=f"{name}-{DTYPE_IDS[dtype]}", marks=marks)


@pytest.mark.parametrize("name, dtype", list(_method_cases()))
def test_ufunc_methods(name, dtype):
    """reduce, accumulate and reduceat equal the left fold computed one call at a time;
    outer and at equal the elementwise calls."""
    f = uf(name)
    x = cast(np.random.default_rng(0).standard_normal(300) * 2, dtype)
    with np.errstate(all="ignore"):  # the folds may overflow; the FP flags are not the point here
        acc = [x[0]]
        for v in x[1:]:
            acc.append(f(acc[-1], v))
        acc = np.array(acc, dtype=dtype)
        errors = []
        # out= prefilled with NaN: the accumulator must never be read before it is written
        # (without out= NumPy allocates it uninitialized and a wrong loop reads garbage)
        r = f.accumulate(x, out=np.full_like(x, np.nan))
        if not np.array_equal(bits(r), bits(acc)):
            errors.append(f"accumulate: first difference at {np.flatnonzero(bits(r) != bits(acc))[0]}")
        r = f.reduce(x)
        if bits(np.array([r]))[0] != bits(acc[-1:])[0]:
            errors.append(f"reduce: {r!r}, fold {acc[-1]!r}")
        r = f.reduce(np.stack([x, x]), axis=1)
        if not np.array_equal(bits(r), bits(acc[[-1, -1]])):
            errors.append(f"reduce(axis=1): {r}, fold {acc[-1]!r}")
        r = f.reduce(np.stack([x, x], axis=1), axis=0)  # the accumulator is a contiguous row
        if not np.array_equal(bits(r), bits(acc[[-1, -1]])):
            errors.append(f"reduce(axis=0): {r}, fold {acc[-1]!r}")
        idx = [0, 10, 200]
        want = []
        for s, e in zip(idx, idx[1:] + [len(x)]):
            a = x[s]
            for v in x[s + 1:e]:
                a = f(a, v)
            want.append(a)
        r = f.reduceat(x, idx)
        if not np.array_equal(bits(r), bits(np.array(want, dtype=dtype))):
            errors.append(f"reduceat: {r}, fold {want}")
    y = x[:7]
    assert_bitwise_equal(f.outer(y, y), f(y[:, None], y[None, :]), f"{name}.outer")
    a = x[:20].copy()
    f.at(a, [0, 3, 3, 19], x[5])
    b = x[:20].copy()
    for i in [0, 3, 3, 19]:
        b[i] = f(b[i], x[5])
    assert_bitwise_equal(a, b, f"{name}.at")
    assert not errors, f"{name} {np.dtype(dtype).name}: " + "; ".join(errors)
