"""GLU (generalized ufuncs glu and glu_backward): the exact reference, the
tails and special values, layouts and axes, dtypes, errors, every ISA level,
the axis= wrapper, and torch.

Every test runs under np.errstate(all="raise") (conftest.py): a kernel that
leaves an FP flag raised fails it.  Errors are measured in fractions of an
ULP against fastact/_reference_glu.py (mpmath, 300 bits, rounded once).
"""
import doctest
import inspect
import math
import pickle

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import fastact as fa
from fastact import _reference_glu as ref
from fastact import ufuncs as bare
from fastact._ufuncs import get_isa, set_isa
from conftest import SUPPORTED_ISA as LEVELS
from _ulp import ulp_dist

INF, NAN = math.inf, math.nan
DTYPES = [np.float16, np.float32, np.float64]
AxisError = getattr(np, "exceptions", np).AxisError

# the enforced bounds in ULP of the result's dtype (the accuracy test prints the
# worst case, with -s; over 4 x 10^5 random points: glu and dx_a = dy * sigmoid(b)
# measured 1.6 in float64, dx_b 2.6, on every level; float32 and float16, rounded once from
# double, 0.61 and 0.50)
BOUND = {"glu": {np.float16: 1, np.float32: 1, np.float64: 2},
         "dx_a": {np.float16: 1, np.float32: 1, np.float64: 2},
         "dx_b": {np.float16: 1, np.float32: 1, np.float64: 3}}


# ---- the exact reference and the error in ULP ------------------------------------
def ulp_error(got, exact, dtype):
    """|got - exact| in ULP of dtype at exact (a fraction).  Where exact is a special
    value (NaN, +-inf, +-0) or overflows, got must be that value, sign included."""
    mp = ref._mp()
    got = float(got)
    want = ref.round_to(exact, dtype)
    if math.isnan(want) or math.isnan(got):
        return 0.0 if math.isnan(want) and math.isnan(got) else math.inf
    if isinstance(exact, float) or math.isinf(want) or math.isinf(got):
        return 0.0 if got == want and math.copysign(1, got) == math.copysign(1, want) else math.inf
    if got == 0 and math.copysign(1, got) != (1 if exact > 0 else -1):
        return math.inf  # a tiny result rounded to the zero of the wrong sign
    p, emin, _ = ref.FORMATS[np.dtype(dtype).name]
    top = int(mp.floor(mp.log(abs(exact), 2)))
    q = max(top, emin) - (p - 1)
    return float(abs(mp.mpf(got) - exact) / mp.ldexp(1, q))


def worst(got, exact, dtype):
    """(max error, the index where it is)"""
    errs = [ulp_error(g, e, dtype) for g, e in zip(np.asarray(got).ravel(), exact)]
    i = int(np.argmax(errs))
    return errs[i], i


def randn(rng, shape, dtype, scale=1.0):
    """standard normal values times scale, cast to dtype (float16 may underflow: fine)"""
    with np.errstate(all="ignore"):
        return (rng.standard_normal(shape) * scale).astype(dtype)


def random_operands(dtype, n, seed):
    """a, b, dy at every scale: moderate values, the whole finite range, the deep
    tails of sigmoid (float64: |b| beyond 600, where the kernels change form)"""
    rng = np.random.default_rng(seed)
    fi = np.finfo(dtype)
    lo, hi = math.log(float(fi.tiny)), math.log(float(fi.max))
    sgn = rng.choice([-1.0, 1.0], n)
    a = np.concatenate([rng.standard_normal(n) * 3, np.exp(rng.uniform(lo, hi, n)) * sgn])
    bmax = {np.float16: 20.0, np.float32: 110.0, np.float64: 800.0}[dtype]
    b = np.concatenate([rng.standard_normal(n) * 8, rng.uniform(-bmax, bmax, n)])
    if dtype == np.float64:  # tails, and huge a and dy that bring a tiny sigmoid back
        a = np.concatenate([a, np.exp(rng.uniform(lo, hi, n)) * sgn])
        b = np.concatenate([b, rng.uniform(-2000, 2000, n)])
    dy = rng.standard_normal(a.size) * np.exp(rng.uniform(-5, 5, a.size))
    if dtype == np.float64:
        dy[::3] *= 1e250
        dy[1::3] *= 1e-250
    with np.errstate(all="ignore"):
        return a.astype(dtype), b.astype(dtype), dy.astype(dtype)


_EXACT = {}


def exact_values(dtype, n=400, seed=2024):
    """operands and the exact results, computed once per dtype (the ISA levels share them)"""
    key = (dtype, n, seed)
    if key not in _EXACT:
        a, b, dy = random_operands(dtype, n, seed)
        e_glu = [ref.glu_exact([ai, bi])[0] for ai, bi in zip(a, b)]
        e_bwd = [ref.glu_backward_exact([d], [ai, bi]) for d, ai, bi in zip(dy, a, b)]
        _EXACT[key] = (a, b, dy, e_glu, [e[0] for e in e_bwd], [e[1] for e in e_bwd])
    return _EXACT[key]


@pytest.mark.parametrize("dtype", DTYPES)
def test_accuracy_against_the_exact_reference(isa, dtype):
    a, b, dy, e_glu, e_da, e_db = exact_values(dtype)
    x = np.stack([a, b], axis=-1)                # rows [a_i, b_i]
    y = fa.glu(x)
    assert y.dtype == dtype and y.shape == (a.size, 1)
    d = fa.glu_backward(dy[:, None], x)
    assert d.dtype == dtype and d.shape == x.shape
    for name, got, want in (("glu", y[:, 0], e_glu), ("dx_a", d[:, 0], e_da), ("dx_b", d[:, 1], e_db)):
        err, i = worst(got, want, dtype)
        print(f"{isa} {np.dtype(dtype).name} {name}: max {err:.3f} ULP at dy={dy[i]!r} a={a[i]!r} b={b[i]!r}")
        assert err <= BOUND[name][dtype], (name, err, dy[i], a[i], b[i], got[i])


def _special_values(dtype):
    fi = np.finfo(dtype)
    v = [NAN, INF, -INF, 0.0, -0.0, 1.0, -1.5, 30.0, -30.0, 100.0, -100.0, -600.0, -700.0,
         -745.0, -800.0, 800.0, 1e-300, 1e300, -1e200, float(fi.smallest_subnormal),
         -3 * float(fi.smallest_subnormal), float(fi.tiny), float(fi.max), -float(fi.max)]
    with np.errstate(all="ignore"):
        return np.unique(np.array(v, dtype=dtype))  # one NaN; the overflows become +-inf


@pytest.mark.parametrize("dtype", DTYPES)
def test_special_values_every_combination(isa, dtype):
    """every pair (a, b) and triple (dy, a, b) of NaN, +-inf, +-0, subnormals, the
    extremes and the tails: the exact value (special values exactly, signs included)"""
    v = _special_values(dtype)
    A, B = (g.ravel() for g in np.meshgrid(v, v, indexing="ij"))
    y = fa.glu(np.stack([A, B], -1))[:, 0]
    want = [ref.glu_exact([ai, bi])[0] for ai, bi in zip(A, B)]
    err, i = worst(y, want, dtype)
    assert err <= BOUND["glu"][dtype], (A[i], B[i], y[i], ref.round_to(want[i], dtype))
    D, A, B = (g.ravel() for g in np.meshgrid(v, v, v, indexing="ij"))
    d = fa.glu_backward(D[:, None], np.stack([A, B], -1))
    want = [ref.glu_backward_exact([di], [ai, bi]) for di, ai, bi in zip(D, A, B)]
    for k, name in enumerate(("dx_a", "dx_b")):
        err, i = worst(d[:, k], [w[k] for w in want], dtype)
        assert err <= BOUND[name][dtype], (name, D[i], A[i], B[i], d[i, k], ref.round_to(want[i][k], dtype))


def test_semantics():
    g = fa.glu
    # the tails: not flushed to 0 (torch gives 0 for all three)
    assert g(np.array([1.0, -100.0], np.float32))[0] == np.float32(ref.glu([1.0, -100.0], "float32")[0]) > 0
    assert g(np.array([1e30, -100.0], np.float32))[0] == np.float32(3.7200760e-14)
    assert g(np.array([1e300, -800.0]))[0] == ref.glu([1e300, -800.0])[0] > 3e-48
    # the limits at b = +-inf; inf * 0 is NaN, inf * a positive sigmoid is inf
    np.testing.assert_array_equal(g(np.array([[2.5, INF], [2.5, -INF], [-2.5, -INF]])), [[2.5], [0.0], [-0.0]])
    assert np.signbit(g(np.array([-2.5, -INF])))[0]
    assert np.isnan(g(np.array([INF, -INF])))[0] and np.isnan(g(np.array([-INF, -INF])))[0]
    assert g(np.array([INF, -200.0], np.float32))[0] == INF  # sigmoid(-200) > 0 (torch: NaN)
    assert g(np.array([-INF, 1.0]))[0] == -INF
    # signed zeros, NaN
    assert np.signbit(g(np.array([-0.0, 3.0])))[0] and not np.signbit(g(np.array([0.0, 3.0])))[0]
    assert np.isnan(g(np.array([NAN, -INF])))[0] and np.isnan(g(np.array([1.0, NAN])))[0]
    # backward: dx_a does not depend on a; a NaN a spoils dx_b only
    d = fa.glu_backward(np.array([1.0]), np.array([NAN, 0.0]))
    assert d[0] == 0.5 and np.isnan(d[1])
    np.testing.assert_array_equal(fa.glu_backward(np.array([2.0]), np.array([3.0, 0.0])), [1.0, 1.5])
    np.testing.assert_array_equal(fa.glu_backward(np.array([1.0]), np.array([3.0, INF])), [1.0, 0.0])
    d = fa.glu_backward(np.array([INF]), np.array([1.0, -INF]))  # inf * sigmoid(-inf) = inf * 0
    assert np.isnan(d).all()
    # the backward pass is the derivative: central differences in float64
    rng = np.random.default_rng(3)
    x = rng.standard_normal((4, 6))
    dy = rng.standard_normal((4, 3))
    h = 1e-6
    num = np.zeros_like(x)
    for i in range(x.shape[1]):
        e = np.zeros_like(x)
        e[:, i] = h
        num[:, i] = ((g(x + e) - g(x - e)) * dy).sum(axis=1) / (2 * h)
    np.testing.assert_allclose(fa.glu_backward(dy, x), num, rtol=1e-7, atol=1e-9)


def test_no_elementwise_derivative():
    """GLU's derivative is a Jacobian (m -> m/2), not f'(x): glu_backward is it"""
    assert not hasattr(fa, "glu_grad") and "glu_grad" not in fa.__all__
    assert "glu_grad" in fa.glu.__doc__ and "Jacobian" in fa.glu.__doc__


def test_all_levels_agree():
    """one algorithm on every level: NaN, inf and zeros at the same places, the rest
    within 1 ULP in float32/float16, 2 in float64 (the FMA levels round the
    polynomial steps of exp once, the baseline twice)"""
    rng = np.random.default_rng(17)
    for dtype in DTYPES:
        a, b, dy = random_operands(dtype, 500, 9)
        x = np.stack([a, b], -1)
        sv = _special_values(dtype)
        x = np.concatenate([x, np.stack(np.meshgrid(sv, sv), -1).reshape(-1, 2)])
        dy = np.concatenate([dy, randn(rng, x.shape[0] - dy.size, dtype)])[:, None]
        res = {}
        old = get_isa()
        try:
            for level in LEVELS:
                set_isa(level)
                res[level] = (fa.glu(x), fa.glu_backward(dy, x), fa.glu(x.T, axis=0))
        finally:
            set_isa(old)
        tol = 2 if dtype == np.float64 else 1
        for level in LEVELS[1:]:
            for r0, r1 in zip(res[LEVELS[0]], res[level]):
                msg = f"{level} {np.dtype(dtype).name}"
                for special in (np.isnan, np.isinf, lambda v: v == 0):
                    np.testing.assert_array_equal(special(r0), special(r1), err_msg=msg)
                assert ulp_dist(r0, r1).max() <= tol, msg


# ---- layouts, axes, out= ------------------------------------------------------------
def glu_np(x, axis):
    """the rows moved last and made contiguous: the plain path, for comparisons"""
    return np.moveaxis(fa.glu(np.ascontiguousarray(np.moveaxis(x, axis, -1))), -1, axis)


def glu_backward_np(dy, x, axis):
    c = [np.ascontiguousarray(np.moveaxis(v, axis, -1)) for v in (dy, x)]
    return np.moveaxis(fa.glu_backward(*c), -1, axis)


def same(got, want, msg=""):
    assert got.shape == want.shape and got.dtype == want.dtype, (msg, got.shape, want.shape)
    np.testing.assert_array_equal(got, want, err_msg=msg)


@pytest.mark.parametrize("dtype", DTYPES)
def test_axes_and_layouts(isa, dtype):
    rng = np.random.default_rng(5)
    base = randn(rng, (6, 10, 8), dtype, 4)
    big = np.repeat(np.repeat(np.repeat(base, 2, 0), 2, 1), 2, 2)
    views = {"contiguous": base, "step2": big[::2, ::2, ::2], "reversed": base[::-1, ::-1, ::-1],
             "neg-step": big[::-2, ::-2, ::-2], "fortran": np.asfortranarray(base),
             "transposed": base.transpose(2, 0, 1).copy().transpose(1, 2, 0)}
    for label, v in views.items():
        for axis in (-1, 0, 1, -2):
            want = glu_np(v, axis)
            same(fa.glu(v, axis=axis), want, f"{label} axis={axis}")
            dy = randn(rng, want.shape, dtype)
            same(fa.glu_backward(dy, v, axis=axis), glu_backward_np(dy, v, axis), f"{label} axis={axis}")
            dyr = np.ascontiguousarray(dy[::-1, :, ::-1])[::-1, :, ::-1]  # the same values, negative strides
            same(fa.glu_backward(dyr, v, axis=axis), glu_backward_np(dy, v, axis), f"dy reversed, {label} axis={axis}")


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("shape", [(2, 1), (2, 70), (4, 64), (130, 65), (1000, 3), (2, 5000), (600, 7)])
def test_axis0_column_tiles(isa, dtype, shape):
    """axis 0 of C-contiguous arrays (the column-tile and transposition paths),
    with NumPy's output and with a C-contiguous out="""
    rng = np.random.default_rng(shape[0] * 7 + shape[1])
    x = randn(rng, shape, dtype, 3)
    want = np.ascontiguousarray(fa.glu(np.ascontiguousarray(x.T)).T)
    same(fa.glu(x, axis=0), want)
    out = np.empty((shape[0] // 2, shape[1]), dtype)
    assert fa.glu(x, axis=0, out=out) is out
    same(out, want)
    dy = randn(rng, want.shape, dtype)
    wantb = np.ascontiguousarray(fa.glu_backward(np.ascontiguousarray(dy.T), np.ascontiguousarray(x.T)).T)
    same(fa.glu_backward(dy, x, axis=0), wantb)
    outb = np.empty_like(x)
    fa.glu_backward(dy, x, axis=0, out=outb)
    same(outb, wantb)


@pytest.mark.parametrize("n", [2500, 70_000])
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_long_rows(dtype, n):
    """rows longer than the stack workspace, along both axes"""
    rng = np.random.default_rng(n)
    x = randn(rng, (3, 2 * n), dtype, 5)
    y = fa.glu(x)
    same(fa.glu(np.ascontiguousarray(x.T), axis=0).T, y)
    same(fa.glu(x[:, ::-1])[:, ::-1], fa.glu(np.ascontiguousarray(x[:, ::-1]))[:, ::-1])
    a, b = x[:, :n].astype(np.float64), x[:, n:].astype(np.float64)
    np.testing.assert_allclose(y, a / (1 + np.exp(-b)), rtol=4 * np.finfo(dtype).eps)


@pytest.mark.parametrize("dtype", DTYPES)
def test_out_broadcasting_and_in_place(dtype):
    rng = np.random.default_rng(11)
    x = randn(rng, (5, 12), dtype)
    want = fa.glu(x)
    out = np.zeros((5, 12), dtype)
    assert fa.glu(x, out=out[:, ::2]) is not None
    same(out[:, ::2], want)
    assert not out[:, 1::2].any()
    # glu_backward in place on x (out= x), and with one dy row for every x row
    dy = randn(rng, (5, 6), dtype)
    wantb = fa.glu_backward(dy, x)
    xi = x.copy()
    assert fa.glu_backward(dy, xi, out=xi) is xi
    same(xi, wantb)
    xi = np.ascontiguousarray(x.T)
    fa.glu_backward(np.ascontiguousarray(dy.T), xi, out=xi, axis=0)
    same(xi.T, wantb)
    same(fa.glu_backward(dy[:1], x), fa.glu_backward(np.repeat(dy[:1], 5, axis=0), x))
    # overlapping input and output (NumPy copies what it must)
    z = np.concatenate([x, x], axis=1)
    fa.glu_backward(dy, z[:, :12], out=z[:, 1:13])
    same(z[:, 1:13], wantb)
    # the bare gufunc: axes=, and through the wrapper
    same(bare.glu(x, axes=[(-1,), (-1,)]), want)
    same(fa.glu(x.T, axes=[(0,), (0,)]), want.T)


def test_empty_and_small():
    for dtype in DTYPES:
        for shape, axis, oshape in [((0, 4), -1, (0, 2)), ((3, 0, 4), -1, (3, 0, 2)), ((4, 0), 0, (2, 0)),
                                    ((2,), -1, (1,)), ((2, 1), 0, (1, 1)), ((0, 2, 5), 1, (0, 1, 5))]:
            x = np.ones(shape, dtype)
            y = fa.glu(x, axis=axis)
            assert y.shape == oshape and y.dtype == dtype
            np.testing.assert_array_equal(y, np.full(oshape, 1 / (1 + np.exp(-1.0)), dtype))
            d = fa.glu_backward(np.ones(oshape, dtype), x, axis=axis)
            assert d.shape == shape and d.dtype == dtype


# ---- errors, dtypes, the wrapper -----------------------------------------------------
def test_errors():
    with pytest.raises(ValueError, match="halving dimension must be even and nonzero.*length 5"):
        fa.glu(np.ones((3, 5)))
    with pytest.raises(ValueError, match="halving dimension must be even and nonzero.*length 3"):
        fa.glu(np.ones((3, 4)), axis=0)
    with pytest.raises(ValueError, match="halving dimension must be even and nonzero.*length 0"):
        fa.glu(np.ones((3, 0)))
    with pytest.raises(ValueError, match="halving dimension"):
        fa.glu(np.ones((0, 3)))  # odd even without any row
    with pytest.raises(ValueError, match="out must have half the length of x along the axis, 2, but has 3"):
        fa.glu(np.ones((2, 4)), out=np.ones((2, 3)))
    with pytest.raises(ValueError, match="dy must have half the length of x along the axis, 3, but has 4"):
        fa.glu_backward(np.ones((2, 4)), np.ones((2, 6)))
    with pytest.raises(ValueError, match="glu_backward: halving dimension"):
        fa.glu_backward(np.ones((2, 3)), np.ones((2, 7)))
    with pytest.raises(ValueError):
        fa.glu_backward(np.ones((2, 3)), np.ones((2, 6)), out=np.ones((2, 3)))
    for axis in (2, -3):
        with pytest.raises(AxisError):
            fa.glu(np.ones((2, 4)), axis=axis)
    with pytest.raises(TypeError, match="not both"):
        fa.glu(np.ones(4), axis=0, axes=[(0,), (0,)])
    with pytest.raises(TypeError):  # NumPy's own: axis= needs one shared core dimension
        bare.glu(np.ones(4), axis=0)
    for bad in (np.ones(4, complex), np.array([1, 2, 3, 4], dtype=object)):
        with pytest.raises(TypeError):
            fa.glu(bad)


def test_dtypes():
    for dtype in DTYPES:
        assert fa.glu(np.ones(4, dtype)).dtype == dtype
        assert fa.glu_backward(np.ones(2, dtype), np.ones(4, dtype)).dtype == dtype
    for it in (np.int8, np.int32, np.int64, np.uint16, bool):  # as np.tanh
        assert fa.glu(np.ones(4, it)).dtype == np.tanh(np.ones(1, it)).dtype
    assert fa.glu([1, 2, 3, 4]).dtype == np.float64
    np.testing.assert_array_equal(fa.glu(np.array([1, 2, 0, 0], np.int16)), np.array([0.5, 1.0], np.float32))
    assert fa.glu(np.ones(4, np.float32), dtype=np.float64).dtype == np.float64


def test_the_wrapper_and_the_gufunc():
    for name, sig, nin, params in (("glu", "(m)->(n)", 1, ["x", "axis", "kwargs"]),
                                   ("glu_backward", "(n),(m)->(m)", 2, ["dy", "x", "axis", "kwargs"])):
        w, g = getattr(fa, name), getattr(bare, name)
        assert isinstance(w, fa.AxisGufunc) and w.ufunc is g and isinstance(g, np.ufunc)
        assert g.signature == sig and w.signature == sig and w.nin == nin and g.__name__ == name
        assert g.types[0].startswith("e") and g.types[1].startswith("f") and g.types[2].startswith("d")
        assert list(inspect.signature(w).parameters) == params
        assert inspect.signature(w).parameters["axis"].default == -1
        assert w.__doc__.startswith(f"{name}(") and "axis" in w.__doc__ and name in repr(w)
        for obj in (w, g):
            assert pickle.loads(pickle.dumps(obj)) is obj
        assert name in fa.__all__ and name in bare.__all__
    assert isinstance(fa.softmax, np.ufunc)  # one shared core dimension: NumPy's axis= works


def test_docstrings_and_examples():
    parser, runner = doctest.DocTestParser(), doctest.DocTestRunner(optionflags=doctest.NORMALIZE_WHITESPACE)
    for name in ("glu", "glu_backward"):
        doc = getattr(fa, name).__doc__
        assert "axis" in doc and "Examples" in doc and "ULP" in doc, name
        test = parser.get_doctest(doc, {}, name, None, 0)
        assert test.examples, name
        runner.run(test)
    assert runner.summarize(verbose=False).failed == 0


# ---- random shapes, axes and layouts (hypothesis) ------------------------------------
def _layout(rng, shape, dtype, kind):
    base = randn(rng, shape, dtype, 4)
    if kind == "contiguous":
        return base
    if kind == "fortran":
        return np.asfortranarray(base)
    if kind == "negative":
        return np.ascontiguousarray(base[(slice(None, None, -1),) * base.ndim])[(slice(None, None, -1),) * base.ndim]
    big = np.zeros(tuple(2 * s for s in shape), dtype)
    v = big[(slice(None, None, 2),) * len(shape)]
    v[...] = base
    return v


@settings(max_examples=150, deadline=None)
@given(st.sampled_from(DTYPES), st.lists(st.integers(1, 6), min_size=1, max_size=3),
       st.data(), st.integers(0, 2**32 - 1))
def test_fuzz_layouts(dtype, shape, data, seed):
    axis = data.draw(st.integers(-len(shape), len(shape) - 1))
    shape[axis] *= 2
    shape = tuple(shape)
    rng = np.random.default_rng(seed)
    kinds = ["contiguous", "fortran", "negative", "strided"]
    x = _layout(rng, shape, dtype, data.draw(st.sampled_from(kinds)))
    want = glu_np(x, axis)
    same(fa.glu(x, axis=axis), want)
    dy = _layout(rng, want.shape, dtype, data.draw(st.sampled_from(kinds)))
    same(fa.glu_backward(dy, x, axis=axis), glu_backward_np(dy, x, axis))
    out = _layout(rng, want.shape, dtype, data.draw(st.sampled_from(kinds)))
    assert fa.glu(x, axis=axis, out=out) is out
    same(out, want)


# ---- torch ------------------------------------------------------------------------------
def test_against_torch():
    torch = pytest.importorskip("torch")
    F = torch.nn.functional
    rng = np.random.default_rng(22)
    x = rng.standard_normal((30, 40, 6)) * 6
    for dtype, rtol in ((np.float64, 1e-15), (np.float32, 6e-7)):  # both sides err: a few ULP
        xs = x.astype(dtype)
        for axis in (-1, 0, 1):
            t = torch.from_numpy(xs.copy()).requires_grad_(True)
            ty = F.glu(t, axis)
            np.testing.assert_allclose(fa.glu(xs, axis=axis), ty.detach().numpy(), rtol=rtol, atol=1e-38)
            dy = randn(rng, ty.shape, dtype)
            ty.backward(torch.from_numpy(dy))
            got, want = fa.glu_backward(dy, xs, axis=axis), t.grad.numpy()
            n = xs.shape[axis] // 2
            da, db = np.split(got, 2, axis=axis)
            ta, tb = np.split(want, 2, axis=axis)
            np.testing.assert_allclose(da, ta, rtol=rtol, atol=1e-38)
            # torch forms 1 - s, which cancels where s -> 1: its error is relative to
            # dy a s, not to the result (fastact's: <= 3 ULP of the result, see above)
            a = np.take(xs, range(n), axis=axis).astype(np.float64)
            b = np.take(xs, range(n, 2 * n), axis=axis).astype(np.float64)
            scale = np.abs(dy * a / (1 + np.exp(-b)))
            np.testing.assert_array_less(np.abs(db - tb), 2 * rtol * scale + 1e-38)
            rel = np.abs(db - tb).astype(np.float64) / np.maximum(np.abs(db), 1e-300)
            k = np.unravel_index(np.argmax(rel), db.shape)  # where torch is worst: we are right
            exact = ref.glu_backward_exact([dy[k]], [a[k], b[k]])[1]
            assert ulp_error(db[k], exact, dtype) <= BOUND["dx_b"][dtype]
    with pytest.raises(RuntimeError, match="Halving dimension must be even"):
        F.glu(torch.ones(3), 0)
    # where torch flushes to 0 or gives NaN and fastact the exact value or the limit
    t32 = torch.tensor([[1.0, -100.0], [1e30, -100.0], [INF, -200.0]], dtype=torch.float32)
    np.testing.assert_array_equal(F.glu(t32, -1).numpy()[:2, 0], [0.0, 0.0])
    assert torch.isnan(F.glu(t32, -1)[2, 0])
    got = fa.glu(t32.numpy())[:, 0]
    assert got[0] > 0 and got[1] == np.float32(3.7200760e-14) and got[2] == INF
    assert F.glu(torch.tensor([1e300, -800.0], dtype=torch.float64), 0).item() == 0.0
    assert fa.glu(np.array([1e300, -800.0]))[0] > 3e-48
    # and where both give NaN: inf * sigmoid(-inf) = inf * 0
    assert torch.isnan(F.glu(torch.tensor([INF, -INF]), 0)).all() and np.isnan(fa.glu(np.array([INF, -INF]))).all()
