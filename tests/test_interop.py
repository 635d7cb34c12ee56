"""fastact with the rest of the ecosystem: dask, xarray, pickle, ndarray subclasses, __array_ufunc__.

fastact's public functions are real ufuncs (or DefaultsUfunc wrappers that
call one), so NumPy's dispatch protocols apply: a dask array stays lazy, an
xarray DataArray keeps its dims and coords, an ndarray subclass survives, and
any object with ``__array_ufunc__`` sees the call.  Everything pickles by
name, which is what dask's process workers need.

The dask and xarray tests skip when those are not installed
(``pip install "fastact[interop]"``); the dask.distributed cluster test is
marked slow (starting two worker processes takes several seconds).
"""
import os
import pickle
import subprocess
import sys

import numpy as np
import pytest

import fastact as fa
from fastact import ufuncs as bare

# every public object but the module (modules do not pickle) and __version__ (a str)
PUBLIC = [n for n in fa.__all__ if n not in ("ufuncs", "__version__")]
BARE = list(bare.__all__)


@pytest.fixture
def x32():
    return np.random.default_rng(7).standard_normal((64, 24)).astype(np.float32) * 4


# ---- pickle ------------------------------------------------------------------------
@pytest.mark.parametrize("protocol", [0, 2, pickle.HIGHEST_PROTOCOL])
def test_pickle_every_public_object(protocol):
    for name in PUBLIC:
        obj = getattr(fa, name)
        assert pickle.loads(pickle.dumps(obj, protocol)) is obj, name


@pytest.mark.parametrize("protocol", [0, 2, pickle.HIGHEST_PROTOCOL])
def test_pickle_every_bare_ufunc(protocol):
    assert BARE and len(BARE) == len(set(BARE))
    for name in BARE:
        u = getattr(bare, name)
        assert isinstance(u, np.ufunc) and u.__name__ == name, name
        assert pickle.loads(pickle.dumps(u, protocol)) is u, name


def test_pickle_by_name_in_a_fresh_interpreter(tmp_path):
    """A new process (a dask worker) finds every object from its pickled name alone."""
    objs = {n: getattr(fa, n) for n in PUBLIC}
    objs.update({"ufuncs." + n: getattr(bare, n) for n in BARE})
    path = tmp_path / "objs.pkl"
    path.write_bytes(pickle.dumps(objs))
    code = ("import pickle, sys\n"
            "objs = pickle.loads(open(sys.argv[1], 'rb').read())\n"  # imports fastact by itself
            "import fastact, fastact.ufuncs\n"
            "bad = [k for k, v in objs.items() if v is not (getattr(fastact.ufuncs, k[7:]) "
            "if k.startswith('ufuncs.') else getattr(fastact, k))]\n"
            "print(len(objs), bad)\n")
    env = dict(os.environ, PYTHONPATH=os.path.dirname(os.path.dirname(os.path.abspath(fa.__file__))))
    r = subprocess.run([sys.executable, "-c", code, str(path)], capture_output=True, text=True,
                       env=env, timeout=120, cwd=tmp_path)
    assert r.returncode == 0, r.stderr
    assert r.stdout.strip() == f"{len(objs)} []"


def test_cloudpickle_pickles_by_reference():
    cloudpickle = pytest.importorskip("cloudpickle")
    for obj in (fa.leaky_relu, fa.leaky_relu.ufunc, fa.tanh, fa.softmax, fa.hswish):
        data = cloudpickle.dumps(obj)
        assert len(data) < 200  # a name, not a serialized object
        assert pickle.loads(data) is obj


# ---- ndarray subclasses and __array_ufunc__ ----------------------------------------
class Tagged(np.ndarray):
    """A tiny ndarray subclass carrying a tag."""

    def __new__(cls, a, tag="t"):
        obj = np.asarray(a).view(cls)
        obj.tag = tag
        return obj

    def __array_finalize__(self, obj):
        self.tag = getattr(obj, "tag", None)


def test_ndarray_subclass_is_kept(x32):
    t = Tagged(x32, tag="mine")
    for f, args in [(fa.hswish, ()), (fa.leaky_relu, ()), (fa.leaky_relu, (0.2,)),
                    (fa.prelu, (np.float32(0.25),)), (fa.gelu_grad, ())]:
        y = f(t, *args)
        assert type(y) is Tagged and y.tag == "mine", f
        assert y.dtype == np.float32
        np.testing.assert_array_equal(np.asarray(y), f(x32, *args))
    y = fa.relu_backward(np.ones_like(x32), t)
    assert type(y) is Tagged
    y = fa.softmax(t, axis=-1)
    assert type(y) is Tagged and y.tag == "mine"
    assert type(fa.leaky_relu(t, subok=False)) is np.ndarray
    assert type(fa.hswish(t, subok=False)) is np.ndarray


def test_masked_array_keeps_its_mask():
    m = np.ma.array([-1.0, 2.0, 3.0], mask=[False, True, False])
    y = fa.sigmoid(m)
    assert isinstance(y, np.ma.MaskedArray)
    np.testing.assert_array_equal(y.mask, m.mask)
    np.testing.assert_allclose(y.compressed(), 1 / (1 + np.exp(-np.array([-1.0, 3.0]))), rtol=1e-15)
    y = fa.elu(m)
    assert isinstance(y, np.ma.MaskedArray) and y.mask.tolist() == [False, True, False]


class Recorder:
    """Takes over every ufunc call through NumPy's __array_ufunc__ protocol."""

    def __init__(self):
        self.calls = []

    def __array_ufunc__(self, ufunc, method, *inputs, **kwargs):
        self.calls.append((ufunc, method, inputs, kwargs))
        return "handled"


def test_array_ufunc_override_sees_the_real_ufunc():
    r = Recorder()
    assert fa.hswish(r) == "handled"
    assert r.calls[-1] == (fa.hardswish, "__call__", (r,), {})
    # a wrapper calls its ufunc: the default parameter arrives as a Python float
    assert fa.leaky_relu(r) == "handled"
    ufunc, method, inputs, kwargs = r.calls[-1]
    assert ufunc is fa.leaky_relu.ufunc is bare.leaky_relu and method == "__call__"
    assert inputs == (r, 0.01) and type(inputs[1]) is float and kwargs == {}
    fa.softplus(r, 2.0, where=True)
    assert r.calls[-1][2] == (r, 2.0, float("inf")) and r.calls[-1][3] == {"where": True}
    # r in any operand position, the ufunc methods and the gufuncs
    fa.relu_backward(np.ones(3), r)
    assert r.calls[-1][0] is fa.relu_backward and r.calls[-1][2][1] is r
    fa.prelu.reduce(r, axis=0)
    assert r.calls[-1][:2] == (fa.prelu, "reduce")
    fa.softmax(r, axis=0)
    assert r.calls[-1][0] is fa.softmax and r.calls[-1][3] == {"axis": 0}


def test_array_ufunc_none_opts_out():
    class OptOut:
        __array_ufunc__ = None

    for f in (fa.hswish, fa.leaky_relu, fa.softmax):
        with pytest.raises(TypeError):
            f(OptOut())
    with pytest.raises(TypeError):
        fa.relu_backward(np.ones(3), OptOut())


# ---- dask ---------------------------------------------------------------------------
def test_dask_stays_lazy_and_agrees(x32):
    dask = pytest.importorskip("dask")
    da = pytest.importorskip("dask.array")
    computed = []

    def load():
        computed.append(1)
        return x32

    dx = da.from_delayed(dask.delayed(load)(), shape=x32.shape, dtype=x32.dtype).rechunk((16, 24))
    cases = [(fa.hswish, ()), (fa.sigmoid_grad, ()), (fa.leaky_relu, ()), (fa.leaky_relu, (0.2,)),
             (fa.softplus, (2.0, 20.0)), (fa.gelu, ())]
    lazy = [(f(dx, *args), f(x32, *args)) for f, args in cases]
    slopes = np.linspace(0.1, 0.3, x32.shape[1], dtype=np.float32)
    lazy.append((fa.prelu(dx, da.from_array(slopes)), fa.prelu(x32, slopes)))
    lazy.append((fa.elu_backward(da.ones_like(dx), dx), fa.elu_backward(np.ones_like(x32), x32)))
    lazy.append((fa.softmax(dx, axis=-1), fa.softmax(x32, axis=-1)))  # a gufunc: core axis in one chunk
    for y, ref in lazy:
        assert isinstance(y, da.Array)
        assert y.dtype == np.float32 and y.shape == ref.shape  # float32 kept, without computing
    assert computed == []  # nothing ran yet
    results = dask.compute(*(y for y, _ in lazy), scheduler="sync")
    for (y, ref), got in zip(lazy, results):
        assert isinstance(got, np.ndarray) and got.dtype == np.float32
        np.testing.assert_array_equal(got, ref)


def test_dask_threads_and_chunking(x32):
    da = pytest.importorskip("dask.array")
    x = np.tile(x32, (20, 1))
    dx = da.from_array(x, chunks=(100, 7))  # ragged chunks along both axes
    got = fa.mish(dx).compute(scheduler="threads")
    np.testing.assert_array_equal(got, fa.mish(x))
    got = fa.logsumexp(dx.rechunk({1: -1}), axis=1).compute(scheduler="threads")
    np.testing.assert_array_equal(got, fa.logsumexp(x, axis=1))


@pytest.mark.slow
def test_dask_distributed_two_process_workers(x32):
    """Tasks pickled by name run in two worker processes of a LocalCluster."""
    da = pytest.importorskip("dask.array")
    distributed = pytest.importorskip("dask.distributed")
    x = np.tile(x32, (8, 1))
    dx = da.from_array(x, chunks=(64, 24))
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                                  dashboard_address=None) as cluster, distributed.Client(cluster) as client:
        pids = client.run(os.getpid)
        assert len(set(pids.values())) == 2 and os.getpid() not in pids.values()
        y = fa.leaky_relu(dx) + fa.swish_grad(dx, 1.5) + fa.softmax(dx, axis=-1)
        got = client.compute(y).result()
        futures = client.map(fa.hswish, [x[:10], x[10:20]])  # the ufunc itself as a task
        parts = client.gather(futures)
    np.testing.assert_array_equal(got, fa.leaky_relu(x) + fa.swish_grad(x, 1.5) + fa.softmax(x, axis=-1))
    np.testing.assert_array_equal(np.concatenate(parts), fa.hswish(x[:20]))


# ---- xarray -------------------------------------------------------------------------
@pytest.fixture
def xr_array(x32):
    xr = pytest.importorskip("xarray")
    return xr.DataArray(x32, dims=("time", "channel"),
                        coords={"time": np.arange(x32.shape[0]) * 0.5,
                                "channel": [f"c{i}" for i in range(x32.shape[1])]},
                        name="signal", attrs={"units": "V"})


def _same_frame(y, a):
    assert y.dims == a.dims and y.shape == a.shape
    for k in a.coords:
        np.testing.assert_array_equal(y.coords[k].values, a.coords[k].values)


def test_xarray_keeps_dims_and_coords(xr_array, x32):
    xr = pytest.importorskip("xarray")
    for f, args in [(fa.gelu, ()), (fa.leaky_relu, ()), (fa.leaky_relu, (0.2,)), (fa.tanh_grad, ())]:
        y = f(xr_array, *args)
        assert isinstance(y, xr.DataArray), f
        _same_frame(y, xr_array)
        assert y.dtype == np.float32
        np.testing.assert_array_equal(y.values, f(x32, *args))
    # parameters broadcast by dimension name, not by position
    slopes = xr.DataArray(np.linspace(0.1, 0.3, x32.shape[1], dtype=np.float32), dims="channel",
                          coords={"channel": xr_array.channel})
    y = fa.prelu(xr_array, slopes)
    _same_frame(y, xr_array)
    np.testing.assert_array_equal(y.values, fa.prelu(x32, slopes.values[None, :]))
    y = fa.relu_backward(xr.ones_like(xr_array), xr_array)
    _same_frame(y, xr_array)


def test_xarray_gufunc_through_apply_ufunc(xr_array, x32):
    xr = pytest.importorskip("xarray")
    y = xr.apply_ufunc(fa.softmax, xr_array, input_core_dims=[["channel"]],
                       output_core_dims=[["channel"]])
    _same_frame(y, xr_array)
    np.testing.assert_array_equal(y.values, fa.softmax(x32, axis=-1))
    lse = xr.apply_ufunc(fa.logsumexp, xr_array, input_core_dims=[["time"]])
    assert lse.dims == ("channel",)
    np.testing.assert_array_equal(lse.values, fa.logsumexp(x32, axis=0))


def test_xarray_backed_by_dask_stays_lazy(xr_array, x32):
    pytest.importorskip("dask.array")
    chunked = xr_array.chunk({"time": 16})
    y = fa.swish(chunked, 2.0)
    assert y.chunks is not None  # still a dask-backed DataArray
    _same_frame(y, xr_array)
    np.testing.assert_array_equal(y.compute().values, fa.swish(x32, 2.0))
