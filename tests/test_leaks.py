"""Reference and memory leaks of the call paths.

Each kind of call -- a forward ufunc, out=, a defaults wrapper, a gufunc,
the TypeError path (no loop for complex input), and a float16 strided call --
is repeated many times; afterwards the reference counts of its inputs are
what they were and the process' resident memory has not grown.

The default run makes 10^4 calls of each kind (refcounts exact, RSS growth
< 8 MB); `pytest -m slow` makes 10^6 (RSS growth < 2 MB after warm-up, where
a leak of one 8-byte object per call would show as 8 MB).
"""
import gc
import sys

import numpy as np
import pytest

import fastact as fa


def _rss_bytes():
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * __import__("os").sysconf("SC_PAGE_SIZE")


def _kinds():
    x = np.linspace(-3, 3, 64)
    x32 = x.astype(np.float32)
    out = np.empty_like(x)
    rows = x.reshape(8, 8)
    dy = np.ones_like(rows)
    xc = x.astype(np.complex128)
    h = x.astype(np.float16)[::3]
    alpha = np.full(64, 0.2)

    def type_error():
        try:
            fa.sigmoid(xc)
        except TypeError:
            return
        raise AssertionError("no TypeError")

    def type_error_wrapper():
        try:
            fa.leaky_relu(xc, 0.1)
        except TypeError:
            return
        raise AssertionError("no TypeError")

    return {
        "forward": ((x,), lambda: fa.sigmoid(x)),
        "forward_param_array": ((x, alpha), lambda: fa.leaky_relu(x, alpha)),
        "out": ((x, out), lambda: fa.gelu(x, out=out)),
        "where": ((x, out), lambda: fa.tanh(x, out=out, where=x > 0)),
        "wrapper_defaults": ((x32,), lambda: fa.elu(x32)),
        "wrapper_kwargs": ((x32,), lambda: fa.softplus(x32, 2.0, dtype=np.float32)),
        "gufunc": ((rows,), lambda: fa.softmax(rows, axis=0)),
        "gufunc_2in": ((rows, dy), lambda: fa.softmax_backward(rows, dy)),
        "logsumexp": ((rows,), lambda: fa.logsumexp(rows, axis=1, keepdims=True)),
        "float16_strided": ((h,), lambda: fa.swish(h)),
        "type_error": ((xc,), type_error),
        "type_error_wrapper": ((xc,), type_error_wrapper),
        "reduce": ((x,), lambda: fa.leaky_relu.ufunc.reduce(x)),
    }


KINDS = list(_kinds())


def _check(kind, n, rss_limit):
    inputs, fn = _kinds()[kind]
    for _ in range(1000):  # warm-up: caches, the allocator's pools
        fn()
    gc.collect()
    refs = [sys.getrefcount(a) for a in inputs]
    rss0 = _rss_bytes()
    for _ in range(n):
        fn()
    gc.collect()
    rss1 = _rss_bytes()
    assert [sys.getrefcount(a) for a in inputs] == refs, f"{kind}: input refcounts changed"
    if "asan" in __import__("os").environ.get("LD_PRELOAD", ""):
        return  # ASan's quarantine keeps freed memory: RSS says nothing (refcounts did)
    assert rss1 - rss0 < rss_limit, f"{kind}: RSS grew by {(rss1 - rss0) / 1e6:.1f} MB over {n} calls"


@pytest.mark.parametrize("kind", KINDS)
def test_no_leak_smoke(kind):
    _check(kind, 10_000, 8 << 20)


@pytest.mark.slow
@pytest.mark.parametrize("kind", KINDS)
def test_no_leak_million(kind):
    _check(kind, 1_000_000, 2 << 20)


def test_totalrefcount_stable_if_debug_build():
    """On a debug CPython (sys.gettotalrefcount) the total count is also stable."""
    if not hasattr(sys, "gettotalrefcount"):
        pytest.skip("not a debug build of CPython")
    fns = [fn for _, fn in _kinds().values()]
    for fn in fns:
        fn()
    gc.collect()
    t0 = sys.gettotalrefcount()
    for _ in range(1000):
        for fn in fns:
            fn()
    gc.collect()
    assert sys.gettotalrefcount() - t0 < 100
