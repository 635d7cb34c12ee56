"""Opt-in threads (fastact.set_num_threads): the same bits as one thread, in every case.

A call is split only on the contiguous fast path (float32/float64, every
operand contiguous or a scalar parameter) when the array has at least
2 * MIN_PER_THREAD elements.  Most tests lower the split threshold
(fastact._ufuncs._set_min_per_thread) so that small arrays are cut into many
uneven chunks at every alignment; a few run at the real threshold.  Every test
runs under np.errstate(all="raise") (conftest): a worker thread that leaked an
FP flag into the calling thread would fail it.
"""
import os
import subprocess
import sys
import time

import numpy as np
import pytest

import fastact as fa
from fastact import _table, _ufuncs
from fastact._ufuncs import MAX_THREADS, MIN_PER_THREAD, THREADS_AVAILABLE
from fastact._ufuncs import ufuncs as UF

from _ulp import assert_bitwise_equal
from conftest import run_in_threads

DTYPES = (np.float16, np.float32, np.float64)

# name, operands from (x, dy, p) -- p a positive array shaped like x
CALLS = [
    ("sigmoid", lambda x, dy, p: (x,)),
    ("gelu", lambda x, dy, p: (x,)),
    ("relu", lambda x, dy, p: (x,)),
    ("mish", lambda x, dy, p: (x,)),
    ("tanh_grad", lambda x, dy, p: (x,)),
    ("logsigmoid_grad", lambda x, dy, p: (x,)),
    ("swish_backward", lambda x, dy, p: (dy, x, 1.5)),          # scalar parameter
    ("gelu_backward", lambda x, dy, p: (dy, x)),
    ("leaky_relu", lambda x, dy, p: (x, p)),                    # array parameter
    ("elu_backward", lambda x, dy, p: (dy, x, p)),
    ("hardtanh", lambda x, dy, p: (x, -2.0, 3.0)),              # two scalar parameters
    ("softplus_grad", lambda x, dy, p: (x, p, np.inf)),         # array and scalar: blocked path
    ("sigmoid_backward_from_output", lambda x, dy, p: (dy, x)),
]


@pytest.fixture(autouse=True)
def _restore_threads():
    n, m = fa.get_num_threads(), _ufuncs._get_min_per_thread()
    yield
    fa.set_num_threads(n)
    _ufuncs._set_min_per_thread(m)


def operands(n, dtype, seed=0):
    """x with the awkward values (NaN, +-inf, overflowing exponentials, zeros, subnormals)
    spread over the whole array, so that every chunk gets some."""
    rng = np.random.default_rng(seed)
    x = rng.standard_normal(n) * 8
    special = np.array([np.nan, np.inf, -np.inf, 0.0, -0.0, 1e-310, -1e-40, 100.0, -100.0,
                        1e30, -1e30, 700.0, -745.0, 89.0, -104.0])
    if n:
        idx = rng.integers(0, n, size=min(n, 4 * len(special)))
        x[idx] = np.resize(special, len(idx))
    with np.errstate(all="ignore"):
        x = x.astype(dtype)
        dy = rng.standard_normal(n).astype(dtype)
        p = (np.abs(rng.standard_normal(n)) + 0.1).astype(dtype)
    return x, dy, p


def run(name, args, nthreads, out=None):
    old = fa.set_num_threads(nthreads)
    try:
        return UF[name](*args) if out is None else UF[name](*args, out=out)
    finally:
        fa.set_num_threads(old)


def check_call(name, args, threads, what, out_factory=None):
    want = run(name, args, 1) if out_factory is None else run(name, args, 1, out_factory()).copy()
    for t in threads:
        got = run(name, args, t) if out_factory is None else run(name, args, t, out_factory())
        assert_bitwise_equal(got, want, f"{what}, {t} threads")


# ---- the same bits --------------------------------------------------------------
@pytest.mark.parametrize("dtype", DTYPES, ids=lambda d: d.__name__)
@pytest.mark.parametrize("name, make", CALLS, ids=[c[0] for c in CALLS])
def test_same_bits_small_chunks(isa, name, make, dtype):
    """Threshold lowered to 16 elements per thread: many chunks, every remainder."""
    _ufuncs._set_min_per_thread(16)
    for n in (0, 1, 31, 32, 33, 64, 100, 127, 1000, 4099):
        x, dy, p = operands(n, dtype, seed=n)
        check_call(name, make(x, dy, p), (2, 3, 5, 8, 64), f"{name} {dtype.__name__} n={n} {isa}")


@pytest.mark.parametrize("name", sorted(UF))
def test_every_ufunc_same_bits(name):
    """Every elementwise ufunc, float32 and float64, with parameters as arrays and as scalars."""
    _ufuncs._set_min_per_thread(16)
    uf = UF[name]
    u = _table.BY_NAME[name]
    nd = len(u.inputs) - len(u.params)
    for dtype in (np.float32, np.float64):
        x, dy, p = operands(1003, dtype, seed=5)
        data = (dy, x)[2 - nd:]
        for params in ((p,) * (uf.nin - nd), (0.75,) * (uf.nin - nd)):
            check_call(name, data + params, (2, 3, 7), f"{name} {dtype.__name__}")


@pytest.mark.parametrize("dtype", [np.float32, np.float64], ids=lambda d: d.__name__)
def test_same_bits_misaligned_output_and_inputs(isa, dtype):
    """Chunks start on 64-byte lines of the output: outputs and inputs at every element
    offset from a line, and an input misaligned relative to the output."""
    _ufuncs._set_min_per_thread(16)
    n = 1000
    x, dy, p = operands(n + 16, dtype)
    buf = np.empty(n + 16, dtype)
    for off in range(0, 64 // np.dtype(dtype).itemsize + 1):
        for name, make in (("gelu", lambda xx, d, q: (xx,)), ("elu_backward", lambda xx, d, q: (d, xx, q))):
            args = make(x[off:off + n], dy[3:3 + n], p[off // 2:off // 2 + n])
            check_call(name, args, (2, 3, 7), f"{name} offset {off}",
                       out_factory=lambda: buf[16 - off:16 - off + n])


@pytest.mark.parametrize("dtype", DTYPES, ids=lambda d: d.__name__)
def test_same_bits_at_the_real_threshold(isa, dtype):
    """The default threshold: just below, at and above 2 and 3 chunks' worth."""
    assert _ufuncs._get_min_per_thread() == MIN_PER_THREAD
    for n in (2 * MIN_PER_THREAD - 1, 2 * MIN_PER_THREAD, 3 * MIN_PER_THREAD + 17):
        x, dy, p = operands(n, dtype, seed=n)
        for name, make in (CALLS[0], CALLS[6], CALLS[8], CALLS[9]):
            check_call(name, make(x, dy, p), (2, 3), f"{name} {dtype.__name__} n={n} {isa}")


@pytest.mark.parametrize("dtype", DTYPES, ids=lambda d: d.__name__)
def test_in_place(isa, dtype):
    """out=x (exactly the input): split like any other call."""
    _ufuncs._set_min_per_thread(16)
    x, dy, p = operands(3001, dtype)
    for name, args in (("sigmoid", lambda v: (v,)), ("swish_backward", lambda v: (dy, v, 0.5)),
                       ("leaky_relu", lambda v: (v, p))):
        want = UF[name](*args(x))
        for t in (2, 3, 8):
            v = x.copy()
            run(name, args(v), t, out=v)
            assert_bitwise_equal(v, want, f"{name} in place, {t} threads")


def test_overlapping_output_stays_sequential():
    """An output that overlaps its input shifted by one element (each element reads what the
    previous one wrote) runs in order, element by element: never split."""
    _ufuncs._set_min_per_thread(16)
    base = operands(2001, np.float64)[0]
    want = base.copy()
    run("sigmoid", (want[:-1],), 1, out=want[1:])
    for t in (2, 4):
        got = base.copy()
        run("sigmoid", (got[:-1],), t, out=got[1:])
        assert_bitwise_equal(got, want, f"overlap, {t} threads")
    for method in ("accumulate", "reduce"):   # a binary ufunc's reduce/accumulate: out feeds in
        f = getattr(UF["gelu_backward"], method)
        want = f(base)
        for t in (2, 4):
            with fa.threads(t):
                assert_bitwise_equal(f(base), want, f"gelu_backward.{method}, {t} threads")


@pytest.mark.parametrize("dtype", DTYPES, ids=lambda d: d.__name__)
def test_non_contiguous_falls_back(isa, dtype):
    """Strided, reversed and 2-d transposed operands take the blocked path: same bits."""
    _ufuncs._set_min_per_thread(16)
    x, dy, p = operands(6000, dtype)
    x2 = x.reshape(60, 100)
    for name, args in (("gelu", (x[::2],)), ("gelu", (x[::-1],)), ("tanh_grad", (x2.T,)),
                       ("elu_backward", (dy[::3], x[::3], 0.7)), ("leaky_relu", (x2, p[:100])),
                       ("hardtanh", (x2[:, ::2], -1.0, np.float64(2.0)))):
        check_call(name, args, (2, 4), f"{name} {dtype.__name__} strided")


def test_where_and_casting_and_2d(isa):
    """where=, a cast (float32 in, float64 out: NumPy buffers) and a C-contiguous 2-d array."""
    _ufuncs._set_min_per_thread(16)
    x, _, _ = operands(5000, np.float32)
    mask = np.arange(5000) % 3 != 0
    check_call("sigmoid", (x,), (2, 3), "out=", out_factory=lambda: np.zeros(5000, np.float32))
    want = np.zeros(5000, np.float32)
    UF["sigmoid"](x, out=want, where=mask)
    for t in (2, 3):
        got = np.zeros(5000, np.float32)
        with fa.threads(t):
            UF["sigmoid"](x, out=got, where=mask)
        assert_bitwise_equal(got, want, f"where, {t} threads")
    check_call("gelu", (x,), (2, 3), "cast", out_factory=lambda: np.empty(5000, np.float64))
    check_call("gelu", (x.reshape(50, 100),), (2, 3), "2-d")


def test_concurrent_python_threads_each_splitting():
    """Six Python threads call at once while each call itself starts worker threads."""
    _ufuncs._set_min_per_thread(64)
    fa.set_num_threads(3)
    jobs = []
    for dtype in (np.float32, np.float64):
        x, dy, p = operands(20011, dtype, seed=7)
        for name, make in CALLS:
            jobs.append((f"{name} {dtype.__name__}", UF[name], make(x, dy, p)))
    with fa.threads(1):
        want = [uf(*a) for _, uf, a in jobs]

    def worker(k):
        out = {}
        for _ in range(3):
            for i in np.random.default_rng(k).permutation(len(jobs)):
                what, uf, a = jobs[i]
                o = out.setdefault(i, np.empty_like(want[i]))
                uf(*a, out=o)
                assert_bitwise_equal(o, want[i], f"thread {k}: {what}")

    run_in_threads(worker, 6)
    assert fa.get_num_threads() == 3


# ---- no FP flags leak -----------------------------------------------------------
def test_no_fp_flags_leak_from_workers():
    """Worker threads run exp overflows and NaN compares; the calling thread's status
    stays clean (errstate raise is on), and a real NumPy warning still works."""
    _ufuncs._set_min_per_thread(16)
    x = np.full(4096, 1e4, np.float32)
    x[::7] = np.nan
    x[::5] = -1e4
    with fa.threads(4):
        for name in ("sigmoid", "gelu", "mish", "logsigmoid_grad", "softplus"):
            UF[name](x) if UF[name].nin == 1 else UF[name](x, 1.0, 20.0)
    with pytest.raises(FloatingPointError):
        np.float32(1e30) * np.float32(1e30)
    with np.errstate(all="warn"), pytest.warns(RuntimeWarning):
        np.divide(np.ones(3), np.zeros(3))


# ---- the Python API -------------------------------------------------------------
def test_default_is_one_thread():
    r = _run("import fastact; print(fastact.get_num_threads())", FASTACT_NUM_THREADS="")
    assert r.returncode == 0, r.stderr
    assert r.stdout.split() == ["1"]


def test_set_and_get():
    fa.set_num_threads(1)
    assert fa.set_num_threads(3) == 1
    assert fa.get_num_threads() == 3
    assert fa.set_num_threads(np.int64(2)) == 3
    assert fa.get_num_threads() == 2
    fa.set_num_threads(None)
    assert fa.get_num_threads() == min(_ufuncs.usable_cpus(), MAX_THREADS)
    fa.set_num_threads(MAX_THREADS)
    assert fa.get_num_threads() == MAX_THREADS
    assert fa.set_num_threads(1) == MAX_THREADS


@pytest.mark.parametrize("bad", [0, -1, MAX_THREADS + 1, 10**30])
def test_bad_count_value_error(bad):
    fa.set_num_threads(2)
    with pytest.raises(ValueError, match="number of threads"):
        fa.set_num_threads(bad)
    assert fa.get_num_threads() == 2


@pytest.mark.parametrize("bad", [2.0, "2", True, [2], np.float64(2)])
def test_bad_count_type_error(bad):
    fa.set_num_threads(2)
    with pytest.raises(TypeError):
        fa.set_num_threads(bad)
    assert fa.get_num_threads() == 2


def test_context_manager_restores():
    fa.set_num_threads(1)
    with fa.threads(4) as n:
        assert n == 4 and fa.get_num_threads() == 4
        with fa.threads(2):
            assert fa.get_num_threads() == 2
        assert fa.get_num_threads() == 4
    assert fa.get_num_threads() == 1
    with pytest.raises(KeyError):
        with fa.threads(3):
            raise KeyError("x")
    assert fa.get_num_threads() == 1
    with pytest.raises(ValueError):
        with fa.threads(0):
            pass
    assert fa.get_num_threads() == 1


def test_min_per_thread_setter():
    old = _ufuncs._set_min_per_thread(100)
    assert old == MIN_PER_THREAD and _ufuncs._get_min_per_thread() == 100
    with pytest.raises(ValueError):
        _ufuncs._set_min_per_thread(0)


def _run(code, **env):
    e = dict(os.environ, PYTHONPATH=os.path.dirname(os.path.dirname(fa.__file__)), **env)
    return subprocess.run([sys.executable, "-c", code], env=e, capture_output=True, text=True, timeout=60)


@pytest.mark.parametrize("value, want", [("3", 3), (" 2 ", 2), ("auto", None), ("AUTO", None)])
def test_env_variable(value, want):
    r = _run("import warnings; warnings.simplefilter('error')\n"
             "import fastact; print(fastact.get_num_threads())", FASTACT_NUM_THREADS=value)
    assert r.returncode == 0, r.stderr
    assert int(r.stdout) == (want or min(_ufuncs.usable_cpus(), MAX_THREADS))


@pytest.mark.parametrize("value", ["0", "-2", "two", "1.5", str(MAX_THREADS + 1)])
def test_env_variable_invalid_warns(value):
    r = _run("import warnings\n"
             "with warnings.catch_warnings(record=True) as w:\n"
             "    warnings.simplefilter('always')\n"
             "    import fastact\n"
             "print(fastact.get_num_threads(), [str(x.message) for x in w])",
             FASTACT_NUM_THREADS=value)
    assert r.returncode == 0, r.stderr
    assert r.stdout.startswith("1 ") and "FASTACT_NUM_THREADS" in r.stdout, r.stdout


def test_show_config_and_info_report_threads(capsys):
    with fa.threads(2):
        fa.show_config()
    out = capsys.readouterr().out
    assert "threads: 2" in out
    r = _run("import fastact.__main__ as m; m.main(['info'])", FASTACT_NUM_THREADS="3")
    assert r.returncode == 0, r.stderr
    assert "threads: 3" in r.stdout and "FASTACT_NUM_THREADS=3" in r.stdout


# ---- the threads run at once ----------------------------------------------------
@pytest.mark.skipif(not THREADS_AVAILABLE, reason="no threads in this build")
def test_split_uses_more_than_one_core():
    """gelu on 2^22 float64 with 2 threads: process CPU time clearly above wall time.
    Skipped when the machine has no second free core (retried: shared machines)."""
    try:
        ncpu = len(os.sched_getaffinity(0))
    except AttributeError:  # pragma: no cover
        ncpu = os.cpu_count() or 1
    if ncpu < 2:
        pytest.skip("needs 2 CPUs")
    x = np.random.default_rng(1).standard_normal(1 << 22)
    out = np.empty_like(x)
    fa.set_num_threads(1)
    c0, w0 = time.process_time(), time.perf_counter()
    fa.gelu(x, out=out)
    one = time.perf_counter() - w0
    if (time.process_time() - c0) / one < 0.8:
        pytest.skip("machine loaded: one thread does not get a whole core")
    reps = max(2, int(0.3 / max(one, 1e-4)))
    best = 0.0
    fa.set_num_threads(2)
    for _ in range(5):
        c0, w0 = time.process_time(), time.perf_counter()
        for _ in range(reps):
            fa.gelu(x, out=out)
        best = max(best, (time.process_time() - c0) / (time.perf_counter() - w0))
        if best > 1.3:
            break
    if best <= 1.3 and os.getloadavg()[0] > ncpu - 1:
        pytest.skip(f"machine loaded (load average {os.getloadavg()[0]:.1f}): no second core free")
    assert best > 1.3, f"CPU/wall = {best:.2f} with 2 threads: the call does not seem to be split"


# ---- the benchmark's fastact-mt column ---------------------------------------------
def test_bench_fastact_mt_column():
    """`fastact (N threads)` is timed only where a call is split, agrees with fastact, is
    never "best", and the thread count is restored after the run."""
    from fastact import bench

    fa.set_num_threads(3)
    config = bench.Config(sizes=(300, 2 * MIN_PER_THREAD), dtypes=("float32",), roles=("forward",),
                          only=("relu", "sigmoid"), competitors=("fastact-mt",), threads=2,
                          repeat=1, min_time=1e-5, warmup=0, overhead=False, floors=False)
    report = bench.run(config)
    assert fa.get_num_threads() == 3
    assert not report["skipped"], report["skipped"]
    mt = {(r["name"], r["size"]) for r in report["elementwise"] if r["competitor"] == "fastact-mt"}
    assert mt == {("relu", 2 * MIN_PER_THREAD), ("sigmoid", 2 * MIN_PER_THREAD)}
    assert report["meta"]["competitors"]["fastact-mt"] == {
        "title": "fastact (2 threads)", "version": fa.__version__, "threads": 2}
    text = bench.markdown(report)
    assert "fastact (2 threads)" in text
    assert "| relu |" in text
