"""The softmax family (generalized ufuncs): reference agreement, edge rows,
layouts, dtypes, axes, every ISA level, and the usual competitors.

Everything runs under np.errstate(all="raise"): a kernel that leaves an FP
flag raised fails the test.
"""
import doctest
import math
import pickle

import numpy as np
import pytest

import fastact as fa
from fastact import _reference_softmax as ref
from fastact._ufuncs import get_isa, set_isa
from conftest import SUPPORTED_ISA as LEVELS

INF, NAN = math.inf, math.nan
FORWARD = ["softmax", "log_softmax", "logsumexp", "softmin"]
BACKWARD = ["softmax_backward", "log_softmax_backward"]
ALL = FORWARD + BACKWARD
DTYPES = [np.float16, np.float32, np.float64]
LENGTHS = list(range(1, 34)) + [1000]
AxisError = getattr(np, "exceptions", np).AxisError  # np.exceptions: NumPy >= 1.25

# error bounds, in ULP of the result's dtype, measured against the reference
# (which is itself within ~1 float64 ULP): float16/float32 results are
# rounded once (or twice, float16) from double
ULP = {
    "softmax": {np.float16: 1, np.float32: 1, np.float64: 4},
    "softmin": {np.float16: 1, np.float32: 1, np.float64: 4},
    "log_softmax": {np.float16: 1, np.float32: 1, np.float64: 3},
    "logsumexp": {np.float16: 1, np.float32: 1, np.float64: 3},
}


# conftest.py runs every test under np.errstate(all='raise') and provides the `isa` fixture


def gu(name):
    return getattr(fa, name)


def cast(values, dtype):
    """reference values (float64) rounded to dtype; overflow to inf is wanted"""
    with np.errstate(all="ignore"):
        return np.asarray(values, dtype=np.float64).astype(dtype)


def spacing(values, dtype):
    """ULP of dtype at the (float64) values, as float64"""
    with np.errstate(all="ignore"):  # np.spacing of a subnormal flags underflow
        return np.spacing(np.abs(cast(values, dtype))).astype(np.float64)


def ulp_error(got, want, dtype):
    """|got - want| in ULP of `dtype` at want (NaN, inf: 0 if equal, else inf)."""
    got = np.asarray(got, dtype=np.float64)
    want = np.asarray(want, dtype=np.float64)
    sp = spacing(want, dtype)
    with np.errstate(all="ignore"):
        err = np.abs(got - want) / sp
    same = (got == want) | (np.isnan(got) & np.isnan(want))
    err = np.where(same, 0.0, err)
    return np.where(np.isnan(err), np.inf, err)


def reference_rows(name, rows, rows2=None):
    f = getattr(ref, name)
    if rows2 is None:
        return [f([float(v) for v in r]) for r in rows]
    return [f([float(v) for v in a], [float(v) for v in b]) for a, b in zip(rows, rows2)]


def random_rows(rng, nrows, n, dtype):
    """rows of logits at several scales (the last row spans a wide range)"""
    scale = np.array([1.0, 20.0, 300.0][:nrows] + [3.0] * max(0, nrows - 3))[:, None]
    x = rng.standard_normal((nrows, n)) * scale
    if dtype == np.float16:
        x = np.clip(x, -6e4, 6e4)
    return x.astype(dtype)


def backward_inputs(rng, name, nrows, n, dtype):
    x = rng.standard_normal((nrows, n)) * 3
    fwd = ref.softmax if name == "softmax_backward" else ref.log_softmax
    y = cast([fwd(list(r)) for r in x], dtype)
    dy = rng.standard_normal((nrows, n)).astype(dtype)
    return y, dy


def check_backward(name, y, dy, got, dtype):
    """|error| <= 1 ULP of the result + the rounding of the sum (relative to
    the magnitudes that enter it: cancellation is the problem's, not ours)"""
    y64, dy64 = y.astype(np.float64), dy.astype(np.float64)
    want = np.array(reference_rows(name, y64, dy64))
    if name == "softmax_backward":
        scale = np.abs(y64) * (np.abs(dy64) + np.sum(np.abs(dy64 * y64), axis=-1, keepdims=True))
    else:
        scale = np.abs(dy64) + np.exp(y64) * np.sum(np.abs(dy64), axis=-1, keepdims=True)
    tol = spacing(want, dtype) + 8 * 2.0**-53 * scale
    np.testing.assert_array_less(np.abs(got.astype(np.float64) - want), tol + 1e-300)


# ---- agreement with the reference --------------------------------------

@pytest.mark.parametrize("axis", [-1, 0])
@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("name", FORWARD)
def test_forward_matches_reference(isa, name, dtype, axis):
    rng = np.random.default_rng(1234)
    f = gu(name)
    for n in LENGTHS:
        x = random_rows(rng, 3, n, dtype)
        arg = x if axis == -1 else np.ascontiguousarray(x.T)
        got = f(arg, axis=axis)
        assert got.dtype == dtype
        if axis == 0 and name != "logsumexp":
            got = got.T
        want = np.array(reference_rows(name, x))
        err = ulp_error(got, want, dtype)
        if name == "logsumexp" and dtype == np.float64:
            # m + log(sum): its rounding is relative to the larger of the two
            m = np.abs(x.astype(np.float64)).max(axis=-1)
            err = np.minimum(err, np.abs(got - want) / spacing(m + np.log(n), dtype))
        assert err.max() <= ULP[name][dtype], (n, err.max(), got, want)


@pytest.mark.parametrize("axis", [-1, 0])
@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("name", BACKWARD)
def test_backward_matches_reference(isa, name, dtype, axis):
    rng = np.random.default_rng(99)
    f = gu(name)
    for n in LENGTHS:
        y, dy = backward_inputs(rng, name, 3, n, dtype)
        if axis == -1:
            got = f(y, dy)
        else:
            got = f(np.ascontiguousarray(y.T), np.ascontiguousarray(dy.T), axis=0).T
        assert got.dtype == dtype
        check_backward(name, y, dy, got, dtype)


def test_float64_accuracy_against_mpmath():
    """The float64 bounds above hold against a 50-digit evaluation too."""
    mp = pytest.importorskip("mpmath")
    mp.mp.dps = 50
    rng = np.random.default_rng(5)
    worst = {name: 0.0 for name in ("softmax", "log_softmax", "logsumexp")}
    for n in (2, 7, 33, 300):
        for scale in (1.0, 30.0, 500.0):
            x = rng.standard_normal(n) * scale
            xm = [mp.mpf(float(v)) for v in x]
            m = max(xm)
            s = mp.fsum(mp.exp(v - m) for v in xm)
            # log(s) = log1p(t), t = the sum without the max's term, can be
            # 1e-223: mpmath's log1p would form 1 + t at 50 digits
            t = mp.fsum(mp.exp(v - m) for v in xm if v != m) + (xm.count(m) - 1)
            log_s = t - t * t / 2 if t < 1e-20 else mp.log1p(t)
            want = {
                "softmax": [float(mp.exp(v - m) / s) for v in xm],
                "log_softmax": [float(v - m - log_s) for v in xm],
                "logsumexp": float(m + log_s),
            }
            for name in worst:
                err = ulp_error(gu(name)(x), want[name], np.float64).max()
                worst[name] = max(worst[name], err)
    assert worst["softmax"] <= 3 and worst["log_softmax"] <= 2, worst
    assert worst["logsumexp"] <= 3, worst  # m + L cancels near 0


# ---- layouts --------------------------------------------------------------

@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("name", FORWARD)
def test_noncontiguous_and_negative_strides(name, dtype):
    rng = np.random.default_rng(7)
    f = gu(name)
    base = random_rows(rng, 3, 64, dtype)
    big = np.repeat(np.repeat(base, 2, axis=0), 2, axis=1)  # (6, 128)
    views = {
        "step2": (big[::2, ::2], -1),
        "reversed": (base[::-1, ::-1], -1),
        "neg-step": (big[::-2, ::-2], -1),
        "fortran": (np.asfortranarray(base), -1),
        "axis0-strided": (big[::2, ::2].T, 0),
        "axis0-reversed": (base.T[::-1], 0),
    }
    for label, (v, axis) in views.items():
        rows = v if axis == -1 else v.T
        want = f(np.ascontiguousarray(rows))
        got = f(v, axis=axis)
        if axis == 0 and name != "logsumexp":
            got = got.T
        np.testing.assert_array_equal(got, want, err_msg=label)


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("name", BACKWARD)
def test_backward_layouts(name, dtype):
    rng = np.random.default_rng(8)
    y, dy = backward_inputs(rng, name, 4, 40, dtype)
    f = gu(name)
    want = f(y, dy)
    np.testing.assert_array_equal(f(y[::-1, ::-1], dy[::-1, ::-1]), want[::-1, ::-1])
    np.testing.assert_array_equal(f(np.asfortranarray(y), dy), want)
    np.testing.assert_array_equal(f(y.T, dy.T, axis=0), want.T)
    # broadcasting: one dy row for every y row
    np.testing.assert_array_equal(f(y, dy[:1]), f(y, np.repeat(dy[:1], 4, axis=0)))


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("name", ["softmax", "log_softmax", "softmin"])
def test_out_and_in_place(name, dtype):
    rng = np.random.default_rng(3)
    f = gu(name)
    x = random_rows(rng, 5, 37, dtype)
    want = f(x)
    out = np.empty_like(x)
    assert f(x, out=out) is out
    np.testing.assert_array_equal(out, want)
    # in place, contiguous and along axis 0
    y = x.copy()
    assert f(y, out=y) is y
    np.testing.assert_array_equal(y, want)
    y = np.ascontiguousarray(x.T)
    f(y, out=y, axis=0)
    np.testing.assert_array_equal(y.T, want)
    # a strided output
    big = np.zeros((5, 74), dtype)
    f(x, out=big[:, ::2])
    np.testing.assert_array_equal(big[:, ::2], want)
    assert not big[:, 1::2].any()
    # overlapping input and output (NumPy copies what it must)
    z = np.concatenate([x, x], axis=1)
    f(z[:, :37], out=z[:, 1:38])
    np.testing.assert_array_equal(z[:, 1:38], want)


def test_backward_in_place():
    rng = np.random.default_rng(4)
    y, dy = backward_inputs(rng, "softmax_backward", 3, 21, np.float64)
    want = fa.softmax_backward(y, dy)
    fa.softmax_backward(y, dy, out=dy)
    np.testing.assert_array_equal(dy, want)


@pytest.mark.parametrize("n", [2500, 5000, 100_000])
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_long_rows(n, dtype):
    """rows longer than the stack workspace (malloc'd), along both axes"""
    rng = np.random.default_rng(n)
    x = (rng.standard_normal((3, n)) * 5).astype(dtype)
    for name in ("softmax", "log_softmax", "logsumexp"):
        f = gu(name)
        got = f(x)
        got0 = f(np.ascontiguousarray(x.T), axis=0)
        np.testing.assert_array_equal(got0 if name == "logsumexp" else got0.T, got)
        want = np.array(reference_rows(name, x))
        err = ulp_error(got, want, dtype)
        assert err.max() <= ULP[name][dtype] + (2 if dtype == np.float64 else 0), err.max()
    p = fa.softmax(x)
    assert np.all(np.abs(p.astype(np.float64).sum(axis=-1) - 1) < n * np.finfo(dtype).eps)


def test_all_levels_agree():
    """one algorithm on every level, the same lanes: NaN and inf at the same places,
    the rest within 1 ULP in float32, 2 in float64 (the FMA levels round exp's
    polynomial steps once, the baseline twice)"""
    rng = np.random.default_rng(11)
    x = rng.standard_normal((300, 45)) * 10
    x[3, 5] = NAN
    x[4, :] = -INF
    x[5, 7] = INF
    x[6, [1, 9]] = INF
    dy = rng.standard_normal(x.shape)
    for dtype in (np.float32, np.float64):
        xs, dys = x.astype(dtype), dy.astype(dtype)
        p = fa.softmax(np.nan_to_num(xs, nan=0.0, posinf=0.0, neginf=0.0))
        args = {name: (xs,) for name in FORWARD}
        args.update(softmax_backward=(p, dys), log_softmax_backward=(np.log(p), dys))
        results = {}
        old = get_isa()
        try:
            for level in LEVELS:
                set_isa(level)
                results[level] = {name: gu(name)(*args[name]) for name in ALL}
        finally:
            set_isa(old)
        for level in LEVELS[1:]:
            for name in ALL:
                a, b = results[LEVELS[0]][name], results[level][name]
                np.testing.assert_array_equal(np.isnan(a), np.isnan(b))
                inf = np.isinf(a) | np.isinf(b)
                np.testing.assert_array_equal(a[inf], b[inf], err_msg=f"{level} {name}")
                # the FMA levels round a*b+c once (exp's polynomial): a last-bit difference
                tol = 1 if dtype == np.float32 else 2
                assert ulp_error(b, a.astype(np.float64), dtype).max() <= tol, (level, name)


# ---- edge rows ----------------------------------------------------------------

def _edge_rows(dtype):
    big = 6e4 if dtype == np.float16 else 1e30
    fmax = float(np.finfo(dtype).max)
    L2, L4 = math.log(2), math.log(4)
    # (row, softmax, log_softmax, logsumexp)
    return [
        ([NAN, 1.0, 2.0], [NAN] * 3, [NAN] * 3, NAN),
        ([1.0, NAN], [NAN] * 2, [NAN] * 2, NAN),
        ([NAN], [NAN], [NAN], NAN),
        ([-INF, -INF], [NAN] * 2, [NAN] * 2, -INF),
        ([-INF], [NAN], [NAN], -INF),
        ([-INF, NAN], [NAN] * 2, [NAN] * 2, NAN),
        ([INF, 1.0, -INF], [1.0, 0.0, 0.0], [0.0, -INF, -INF], INF),
        ([INF], [1.0], [0.0], INF),
        ([2.0, INF], [0.0, 1.0], [-INF, 0.0], INF),
        ([INF, INF, 0.0], [NAN] * 3, [NAN] * 3, INF),
        ([INF, NAN], [NAN] * 2, [NAN] * 2, NAN),
        ([INF, -INF, INF], [NAN] * 3, [NAN] * 3, INF),
        ([5.0], [1.0], [0.0], 5.0),
        ([-INF, 0.0], [0.0, 1.0], [-INF, 0.0], 0.0),
        ([0.0, -1000.0], [1.0, 0.0], [0.0, -1000.0], 0.0),
        ([big, 0.0], [1.0, 0.0], [0.0, -big], big),
        ([-big, 0.0], [0.0, 1.0], [-big, 0.0], 0.0),
        ([big, big], [0.5, 0.5], [-L2, -L2], float(np.asarray(big + L2, dtype))),
        ([fmax, -fmax], [1.0, 0.0], [0.0, -INF], fmax),
        ([3.0, 3.0, 3.0, 3.0], [0.25] * 4, [-L4] * 4, 3.0 + L4),
    ]


@pytest.mark.parametrize("dtype", DTYPES)
def test_edge_rows(isa, dtype):
    for row, p, logp, lse in _edge_rows(dtype):
        x = np.array(row, dtype=dtype)
        for name, want in (("softmax", p), ("log_softmax", logp), ("logsumexp", lse)):
            got = gu(name)(x)
            np.testing.assert_array_equal(got, cast(want, dtype), err_msg=f"{name}({row})")
            np.testing.assert_array_equal(got, cast(getattr(ref, name)(row), dtype),
                                          err_msg=f"reference {name}({row})")
        # softmin mirrors softmax
        np.testing.assert_array_equal(fa.softmin(-x), fa.softmax(x))
        # the same row along axis 0, and inside a batch of ordinary rows
        np.testing.assert_array_equal(fa.softmax(x[:, None], axis=0)[:, 0], fa.softmax(x))
        batch = np.stack([np.linspace(-1, 1, len(row)).astype(dtype), x, x[::-1]])
        np.testing.assert_array_equal(fa.log_softmax(batch)[1], fa.log_softmax(x))


def test_edge_rows_exact_values():
    assert fa.log_softmax(np.array([0.0, -1000.0]))[0] == 0.0
    np.testing.assert_array_equal(fa.softmax(np.array([1e30, 0.0], np.float32)), [1.0, 0.0])
    np.testing.assert_array_equal(fa.softmax(np.array([0.0, 1e30, -1e30])), [0.0, 1.0, 0.0])
    np.testing.assert_array_equal(fa.softmin(np.array([-INF, 1.0, 2.0])), [1.0, 0.0, 0.0])
    assert np.isnan(fa.softmin(np.array([-INF, -INF]))).all()
    assert np.isnan(fa.softmin(np.array([INF, INF]))).all()
    # a single element is exactly 1 (log: 0) whatever its value
    v = np.array([[-3e38], [0.0], [7.5], [3e38]], np.float32)
    np.testing.assert_array_equal(fa.softmax(v), 1.0)
    np.testing.assert_array_equal(fa.log_softmax(v), 0.0)
    # results near the bottom of float64 (e^-700; e^-745 is subnormal)
    x = np.array([0.0, -745.0, -700.0, -708.5])
    assert ulp_error(fa.softmax(x), ref.softmax(list(x)), np.float64).max() <= 1


@pytest.mark.parametrize("dtype", DTYPES)
def test_backward_edge_rows(dtype):
    y = np.array([0.25, 0.75], dtype)
    nan_row = np.array([NAN, NAN], dtype)
    for name in BACKWARD:
        f = gu(name)
        np.testing.assert_array_equal(f(np.array([NAN, 0.5], dtype), y), nan_row)
        np.testing.assert_array_equal(f(y, np.array([0.5, NAN], dtype)), nan_row)
    # log_softmax output with -inf (a probability of 0): gradient passes dy through
    ly = np.array([0.0, -INF], dtype)
    np.testing.assert_array_equal(fa.log_softmax_backward(ly, np.array([1.0, 2.0], dtype)),
                                  np.array([1.0 - 3.0, 2.0], dtype))
    # one-hot softmax output: zero gradient
    np.testing.assert_array_equal(fa.softmax_backward(np.array([1.0, 0.0], dtype),
                                                      np.array([3.0, -2.0], dtype)), [0.0, 0.0])
    # infinite dy: IEEE arithmetic of the formula, as the reference
    for name in BACKWARD:
        yy = np.array([0.5, 0.5], dtype) if name == "softmax_backward" else np.log(
            np.array([0.5, 0.5], dtype))
        dy = np.array([INF, 1.0], dtype)
        want = cast(getattr(ref, name)(list(yy.astype(float)), list(dy.astype(float))), dtype)
        np.testing.assert_array_equal(gu(name)(yy, dy), want)


def test_empty_rows():
    """n = 0: an empty result, and logsumexp of an empty row is -inf"""
    for dtype in DTYPES:
        x = np.zeros((4, 0), dtype)
        for name in ("softmax", "log_softmax", "softmin"):
            r = gu(name)(x)
            assert r.shape == (4, 0) and r.dtype == dtype
        for name in BACKWARD:
            assert gu(name)(x, x).shape == (4, 0)
        lse = fa.logsumexp(x)
        assert lse.dtype == dtype
        np.testing.assert_array_equal(lse, np.full(4, -INF, dtype))
        assert fa.logsumexp(np.zeros(0, dtype)) == -INF
        assert ref.logsumexp([]) == -INF and ref.softmax([]) == []
        # and no rows at all
        assert fa.softmax(np.zeros((0, 5), dtype)).shape == (0, 5)
        assert fa.logsumexp(np.zeros((0, 5), dtype)).shape == (0,)
        assert fa.logsumexp(np.zeros((0, 5), dtype), axis=0).shape == (5,)


# ---- the ufunc machinery: dtypes, axes, keepdims, errors -----------------------

def test_signatures_and_types():
    sigs = {"softmax": "(n)->(n)", "log_softmax": "(n)->(n)", "softmin": "(n)->(n)",
            "logsumexp": "(n)->()", "softmax_backward": "(n),(n)->(n)",
            "log_softmax_backward": "(n),(n)->(n)"}
    for name, sig in sigs.items():
        f = gu(name)
        assert isinstance(f, np.ufunc) and f.signature == sig and f.__name__ == name
        assert f.types[0].startswith("e") and f.types[1].startswith("f") and f.types[2].startswith("d")
        assert pickle.loads(pickle.dumps(f)) is f
        assert name in fa.__all__


@pytest.mark.parametrize("name", ALL)
def test_dtypes(name):
    f = gu(name)
    nin = f.nin
    for dtype in DTYPES:
        assert f(*[np.ones((2, 3), dtype)] * nin).dtype == dtype
    for it in (np.int8, np.int32, np.int64, np.uint16, bool):  # promote like np.tanh
        r = f(*[np.ones((2, 3), it)] * nin)
        assert r.dtype == np.tanh(np.ones(1, it)).dtype
    assert f(*[[[1, 2, 3]]] * nin).dtype == np.float64
    for bad in (np.ones(3, complex), np.array([1, 2, 3], dtype=object), np.array(["a", "b"])):
        with pytest.raises(TypeError):
            f(*[bad] * nin)


@pytest.mark.parametrize("name", ALL)
def test_axis_errors(name):
    f = gu(name)
    x = np.ones((3, 4))
    with pytest.raises(AxisError):
        f(*[x] * f.nin, axis=2)
    with pytest.raises(AxisError):
        f(*[x] * f.nin, axis=-3)


def test_axis_and_keepdims():
    rng = np.random.default_rng(2)
    x = rng.standard_normal((3, 4, 5))
    for axis in range(-3, 3):
        want = np.moveaxis(fa.softmax(np.moveaxis(x, axis, -1)), -1, axis)
        np.testing.assert_array_equal(fa.softmax(x, axis=axis), want)
        lse = fa.logsumexp(x, axis=axis)
        np.testing.assert_array_equal(lse, fa.logsumexp(np.moveaxis(x, axis, -1)))
        kd = fa.logsumexp(x, axis=axis, keepdims=True)
        assert kd.shape == tuple(1 if i == axis % 3 else s for i, s in enumerate(x.shape))
        np.testing.assert_array_equal(kd.squeeze(axis), lse)
        # the usual use: softmax = exp(x - logsumexp(x, keepdims=True))
        np.testing.assert_allclose(np.exp(x - kd), fa.softmax(x, axis=axis), rtol=1e-14)
    out = np.empty((3, 5))
    assert fa.logsumexp(x, axis=1, out=out) is out
    np.testing.assert_array_equal(out, fa.logsumexp(x, axis=1))
    np.testing.assert_array_equal(fa.softmax_backward(x, x, axes=[1, 1, 1]),
                                  np.moveaxis(fa.softmax_backward(np.moveaxis(x, 1, -1),
                                                                  np.moveaxis(x, 1, -1)), -1, 1))


def test_docstrings_and_examples():
    parser, runner = doctest.DocTestParser(), doctest.DocTestRunner(optionflags=doctest.NORMALIZE_WHITESPACE)
    for name in ALL:
        doc = gu(name).__doc__
        assert "axis" in doc and "Examples" in doc, name
        test = parser.get_doctest(doc, {}, name, None, 0)
        assert test.examples, name
        runner.run(test)
    assert runner.summarize(verbose=False).failed == 0


# ---- competitors --------------------------------------------------------------

def test_against_scipy():
    special = pytest.importorskip("scipy.special")
    rng = np.random.default_rng(21)
    x = rng.standard_normal((50, 40)) * 8
    for axis in (-1, 0):
        np.testing.assert_allclose(fa.softmax(x, axis=axis), special.softmax(x, axis=axis),
                                   rtol=1e-14, atol=1e-300)
        # scipy forms log(1 + small), good to ~1e-16 absolute only (we use log1p)
        np.testing.assert_allclose(fa.log_softmax(x, axis=axis), special.log_softmax(x, axis=axis),
                                   rtol=1e-14, atol=1e-15)
        np.testing.assert_allclose(fa.logsumexp(x, axis=axis), special.logsumexp(x, axis=axis),
                                   rtol=1e-14)
    x32 = x.astype(np.float32)
    np.testing.assert_allclose(fa.softmax(x32), special.softmax(x32.astype(np.float64), axis=-1),
                               rtol=2 ** -23, atol=1e-45)
    # the edge rows on which we agree with scipy (NaN, all -inf, logsumexp's infinities)
    with np.errstate(all="ignore"):
        for row in ([NAN, 1.0], [-INF, -INF], [INF, INF], [0.0, -1000.0]):
            r = np.array(row)
            np.testing.assert_array_equal(fa.logsumexp(r), special.logsumexp(r))
            if INF not in row:
                np.testing.assert_array_equal(fa.softmax(r), special.softmax(r))
                np.testing.assert_array_equal(fa.log_softmax(r), special.log_softmax(r))
        np.testing.assert_array_equal(fa.logsumexp(np.zeros(0)), special.logsumexp(np.zeros(0)))


def test_against_torch():
    torch = pytest.importorskip("torch")
    rng = np.random.default_rng(22)
    x = rng.standard_normal((30, 50)) * 6
    for dtype, rtol in ((np.float64, 1e-13), (np.float32, 4e-6)):
        xs = x.astype(dtype)
        t = torch.from_numpy(xs)
        for axis in (-1, 0):
            np.testing.assert_allclose(fa.softmax(xs, axis=axis), torch.softmax(t, axis).numpy(),
                                       rtol=rtol, atol=1e-30)
            np.testing.assert_allclose(fa.log_softmax(xs, axis=axis), torch.log_softmax(t, axis).numpy(),
                                       rtol=rtol, atol=rtol / 10)
            np.testing.assert_allclose(fa.logsumexp(xs, axis=axis), torch.logsumexp(t, axis).numpy(),
                                       rtol=rtol)
            np.testing.assert_allclose(fa.softmin(xs, axis=axis),
                                       torch.nn.functional.softmin(t, axis).numpy(), rtol=rtol, atol=1e-30)
    # the backward passes against autograd (float64)
    dy = rng.standard_normal(x.shape)
    for name, fwd in (("softmax_backward", torch.softmax), ("log_softmax_backward", torch.log_softmax)):
        tx = torch.from_numpy(x.copy()).requires_grad_(True)
        ty = fwd(tx, -1)
        ty.backward(torch.from_numpy(dy))
        got = gu(name)(ty.detach().numpy(), dy)
        np.testing.assert_allclose(got, tx.grad.numpy(), rtol=1e-12, atol=1e-15)
    # where torch gives NaN and we give the limit: one +inf
    r = np.array([INF, 0.0])
    assert torch.softmax(torch.from_numpy(r), 0).isnan().all()
    np.testing.assert_array_equal(fa.softmax(r), [1.0, 0.0])
