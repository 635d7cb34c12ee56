"""The public API: ufunc objects, docstrings, the defaults wrappers, aliases, pickling,
argument errors, the ISA switches, RReLU training, PReLU's slope gradient, and
agreement with PyTorch (when installed).  Table-driven where it can be.
"""
import inspect
import os
import pickle
import subprocess
import sys

import numpy as np
import pytest

import fastact as fa
from fastact import _table
from fastact._ufuncs import ufuncs as UFUNCS_BY_NAME

import _ulp
from _ulp import assert_bitwise_equal, default_params, n_data, ulp_dist

ALL = _table.UFUNCS
DEFAULTS = [u for u in ALL if u.has_defaults]
PLAIN = [u for u in ALL if not u.has_defaults]
ids = lambda u: u.name  # noqa: E731


def _x(u, dtype=np.float64, n=7):
    return [np.linspace(-3, 3, n, dtype=dtype) for _ in range(n_data(u))]


# ---- the ufunc objects --------------------------------------------------------
@pytest.mark.parametrize("u", ALL, ids=ids)
def test_is_a_ufunc(u):
    f = UFUNCS_BY_NAME[u.name]
    assert isinstance(f, np.ufunc)
    assert f.__name__ == u.name
    assert (f.nin, f.nout) == (u.nin, 1)
    assert f.signature is None
    assert f.types == [c * u.nin + "->" + c for c in "efd"]


def _formula(u):
    a = u.act
    if u.role in ("forward",):
        return a.formula
    if u.role in ("grad", "backward"):
        return a.derivative
    if u.role in ("grad_from_output", "backward_from_output"):
        return a.from_output
    pg = next(p for p in a.param_grads if u.role.endswith("_" + p.param))
    return pg.formula


@pytest.mark.parametrize("u", ALL, ids=ids)
def test_docstring_has_formula(u):
    doc = UFUNCS_BY_NAME[u.name].__doc__
    assert doc and _formula(u) in doc
    if "from_output" in u.role:
        assert "OUTPUT" in doc  # says which form it is
    for p in u.params:
        assert p.name in doc
    public = getattr(fa, u.name)
    assert public.__doc__ and _formula(u) in public.__doc__


def test_every_ufunc_is_public():
    assert set(UFUNCS_BY_NAME) == {u.name for u in ALL}
    for u in ALL:
        assert u.name in fa.__all__
        assert hasattr(fa, u.name)


def test_all_lists_existing_names_once():
    assert len(fa.__all__) == len(set(fa.__all__))
    for name in fa.__all__:
        assert hasattr(fa, name), name
    for name in ("rrelu_train", "prelu_weight_grad", "set_isa", "get_isa", "isa_supported",
                 "show_config", "DefaultsUfunc", "__version__"):
        assert name in fa.__all__


@pytest.mark.parametrize("alias, target", sorted(_table.ALIASES.items()))
def test_aliases_are_the_same_object(alias, target):
    assert getattr(fa, alias) is getattr(fa, target)
    assert alias in fa.__all__
    assert pickle.loads(pickle.dumps(getattr(fa, alias))) is getattr(fa, target)


def test_documented_aliases():
    assert fa.hswish is fa.hardswish
    assert fa.silu is fa.swish
    assert fa.silu_grad is fa.swish_grad
    assert fa.silu_backward is fa.swish_backward
    assert fa.hswish_grad is fa.hardswish_grad


# ---- plain ufuncs ---------------------------------------------------------------
@pytest.mark.parametrize("u", PLAIN, ids=ids)
def test_plain_public_object_is_the_ufunc(u):
    assert getattr(fa, u.name) is UFUNCS_BY_NAME[u.name]


@pytest.mark.parametrize("u", PLAIN, ids=ids)
def test_plain_ufunc_pickles_to_itself(u):
    f = getattr(fa, u.name)
    for proto in range(2, pickle.HIGHEST_PROTOCOL + 1):
        assert pickle.loads(pickle.dumps(f, protocol=proto)) is f


@pytest.mark.parametrize("u", ALL, ids=ids)
def test_wrong_number_of_arguments(u):
    f = UFUNCS_BY_NAME[u.name]
    args = _x(u) + [np.ones(7) for _ in u.params]
    f(*args)
    with pytest.raises(TypeError):
        f(*args[:-1])
    with pytest.raises(TypeError):
        f(*args, np.ones(7), np.ones(7))  # one input too many (and an out of a wrong kind)
    with pytest.raises(TypeError):
        f()


# ---- the defaults wrappers --------------------------------------------------------
@pytest.mark.parametrize("u", DEFAULTS, ids=ids)
def test_defaults_wrapper_object(u):
    w = getattr(fa, u.name)
    assert isinstance(w, fa.DefaultsUfunc)
    assert w.ufunc is UFUNCS_BY_NAME[u.name]
    assert isinstance(w.ufunc, np.ufunc)
    assert w.__name__ == u.name
    assert (w.nin, w.nout, w.types) == (w.ufunc.nin, w.ufunc.nout, w.ufunc.types)  # passthrough
    r = repr(w)
    assert u.name in r
    for p in u.params:
        assert f"{p.name}={p.default!r}" in r


@pytest.mark.parametrize("u", DEFAULTS, ids=ids)
def test_defaults_wrapper_signature(u):
    w = getattr(fa, u.name)
    sig = inspect.signature(w)
    params = list(sig.parameters.values())
    assert [p.name for p in params[:-1]] == list(u.inputs)
    assert params[-1].kind is inspect.Parameter.VAR_KEYWORD
    for p, row in zip(params[n_data(u):-1], u.params):
        assert p.default == row.default
    assert str(sig).split(",")[0] in w.__doc__  # the docstring starts with the signature


@pytest.mark.parametrize("u", DEFAULTS, ids=ids)
def test_defaults_wrapper_calls(u):
    w = getattr(fa, u.name)
    data = _x(u)
    want = w.ufunc(*data, *default_params(u))
    assert_bitwise_equal(w(*data), want, "defaults")
    assert_bitwise_equal(w(*data, *default_params(u)), want, "explicit defaults")
    # each parameter given, the later ones defaulted
    for k in range(1, len(u.params) + 1):
        given = [0.3] * k
        ps = given + list(default_params(u))[k:]
        assert_bitwise_equal(w(*data, *given), w.ufunc(*data, *ps), f"{k} parameters given")
    # array parameters broadcast
    a = np.linspace(0.1, 0.9, 7)
    assert_bitwise_equal(w(*data, *([a] * len(u.params))), w.ufunc(*data, *([a] * len(u.params))), "array")


@pytest.mark.parametrize("u", DEFAULTS, ids=ids)
def test_defaults_wrapper_passes_ufunc_kwargs(u):
    w = getattr(fa, u.name)
    data = _x(u)
    want = w(*data)
    out = np.empty(7)
    assert w(*data, out=out) is out
    assert_bitwise_equal(out, want, "out=")
    out = np.full(7, 9.0)
    mask = np.arange(7) % 2 == 0
    w(*data, out=out, where=mask)
    assert_bitwise_equal(out[mask], want[mask], "where=")
    assert (out[~mask] == 9).all()
    data32 = _x(u, np.float32)
    assert w(*data32).dtype == np.float32
    assert w(*data32, dtype=np.float64).dtype == np.float64
    assert w(*data32, signature=(None,) * u.nin + (np.float64,)).dtype == np.float64
    with pytest.raises(TypeError):  # casting= reaches the ufunc: float64 -> float32 is not "no"
        w(*data, out=np.empty(7, np.float32), casting="no")
    # in place
    d = [a.copy() for a in data]
    w(*d, out=d[-1])
    assert_bitwise_equal(d[-1], want, "in place")


@pytest.mark.parametrize("u", DEFAULTS, ids=ids)
def test_defaults_wrapper_wrong_arguments(u):
    w = getattr(fa, u.name)
    data = _x(u)
    with pytest.raises(TypeError):
        w(*data[:-1])
    with pytest.raises(TypeError):
        w()
    with pytest.raises(TypeError):
        w(*data, *([0.5] * len(u.params)), 0.5)  # one too many
    with pytest.raises(TypeError):
        w(*data, **{u.params[0].name: 0.5})  # parameters are positional-only


@pytest.mark.parametrize("u", DEFAULTS, ids=ids)
def test_defaults_wrapper_pickles_to_itself(u):
    w = getattr(fa, u.name)
    for proto in range(2, pickle.HIGHEST_PROTOCOL + 1):
        assert pickle.loads(pickle.dumps(w, protocol=proto)) is w


@pytest.mark.parametrize("u", DEFAULTS, ids=ids)
def test_defaults_wrapper_ufunc_pickles(u):
    f = getattr(fa, u.name).ufunc
    assert pickle.loads(pickle.dumps(f)) is f


class _Recorder:
    """An __array_ufunc__ duck array (as dask/xarray): records the call."""

    def __init__(self, value):
        self.value = value

    def __array_ufunc__(self, ufunc, method, *inputs, **kwargs):
        return ("called", ufunc, method, inputs, kwargs)


@pytest.mark.parametrize("u", DEFAULTS, ids=ids)
def test_defaults_wrapper_array_ufunc_dispatch(u):
    w = getattr(fa, u.name)
    r = _Recorder(np.ones(3))
    data = [r] * n_data(u)
    tag, ufunc, method, inputs, kwargs = w(*data)
    assert tag == "called" and ufunc is w.ufunc and method == "__call__"
    assert inputs[n_data(u):] == tuple(default_params(u))
    assert all(type(p) is float for p in inputs[n_data(u):])  # weak Python floats
    assert w(*data, 0.5)[3][n_data(u)] == 0.5


# ---- ISA switches ----------------------------------------------------------------
def test_isa_api():
    assert fa.get_isa() in fa.ISA_LEVELS
    levels = [lvl for lvl in fa.ISA_LEVELS if fa.isa_supported(lvl)]
    assert "baseline" in levels
    old = fa.get_isa()
    try:
        for lvl in levels:
            assert fa.set_isa(lvl) in levels
            assert fa.get_isa() == lvl
    finally:
        fa.set_isa(old)
    with pytest.raises(ValueError):
        fa.set_isa("sse9")
    with pytest.raises(ValueError):
        fa.isa_supported("sse9")
    assert fa.get_isa() == old


def _run(code, **env):
    e = dict(os.environ, PYTHONPATH=os.path.dirname(os.path.dirname(fa.__file__)), **env)
    return subprocess.run([sys.executable, "-c", code], env=e, capture_output=True, text=True, timeout=60)


def test_env_forces_a_lower_level():
    r = _run("import fastact; print(fastact.get_isa(), fastact.detected_isa())", FASTACT_ISA="baseline")
    assert r.returncode == 0, r.stderr
    assert r.stdout.split() == ["baseline", "baseline"]


def test_env_unknown_level_warns():
    r = _run("import warnings; warnings.simplefilter('error')\n"
             "try:\n import fastact\nexcept RuntimeWarning as w: print('warned', w)", FASTACT_ISA="sse9")
    assert "warned" in r.stdout and "sse9" in r.stdout, (r.stdout, r.stderr)


def test_show_config(capsys):
    fa.show_config()
    out = capsys.readouterr().out
    assert fa.get_isa() in out and fa.__version__ in out


# ---- RReLU training ---------------------------------------------------------------
def test_rrelu_train_reproducible():
    x = np.random.default_rng(0).standard_normal(1000)
    y1, a1 = fa.rrelu_train(x, rng=42)
    y2, a2 = fa.rrelu_train(x, rng=np.random.default_rng(42))
    assert_bitwise_equal(y1, y2, "y")
    assert_bitwise_equal(a1, a2, "a")
    y3, _ = fa.rrelu_train(x, rng=43)
    assert not np.array_equal(y1, y3)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("lower, upper", [(0.125, 1 / 3), (0.1, 0.1), (0.0, 0.5)])
def test_rrelu_train_slopes(lower, upper, dtype):
    x = np.random.default_rng(1).standard_normal(5000).astype(dtype)
    x[:3] = [0.0, -0.0, np.inf]
    y, a = fa.rrelu_train(x, lower, upper, rng=7)
    assert y.dtype == dtype and a.dtype == dtype and a.shape == x.shape
    neg = x <= 0
    assert (a[x > 0] == 1).all()
    assert (a[neg] >= dtype(lower)).all() and (a[neg] <= dtype(upper)).all()
    assert_bitwise_equal(y, fa.prelu(x, a), "y == prelu(x, a)")
    # backward: prelu_backward with the returned slopes is dy * (1 or a)
    dy = np.ones_like(x)
    assert_bitwise_equal(fa.prelu_backward(dy, x, a), np.where(x > 0, dy, a).astype(dtype), "backward")


def test_rrelu_train_mean_slope():
    lower, upper = 0.125, 1 / 3
    x = -np.ones(200_000)
    _, a = fa.rrelu_train(x, lower, upper, rng=3)
    # the mean of 2e5 uniforms: standard error (upper - lower) / sqrt(12 n) ~ 1.3e-4
    assert abs(a.mean() - (lower + upper) / 2) < 1e-3
    assert a.min() >= lower and a.max() <= upper
    # inference uses the mean slope
    assert fa.rrelu(np.array([-1.0]), lower, upper)[0] == pytest.approx(-(lower + upper) / 2, rel=1e-15)


def test_rrelu_train_errors():
    with pytest.raises(ValueError):
        fa.rrelu_train(np.ones(3), 0.5, 0.1, rng=0)
    with pytest.raises(ValueError):
        fa.rrelu_train(np.ones(3), 0.1, np.inf, rng=0)
    with pytest.raises(ValueError):
        fa.rrelu_train(np.ones(3), np.nan, 0.2, rng=0)
    with pytest.raises(TypeError):
        fa.rrelu_train(np.ones(3), 0.1, 0.2)  # rng is required
    with pytest.raises(TypeError):
        fa.rrelu_train(np.ones(3, complex), rng=0)


def test_rrelu_train_shapes():
    x = np.random.default_rng(2).standard_normal((4, 5, 6)).astype(np.float32)
    y, a = fa.rrelu_train(x, rng=0)
    assert y.shape == a.shape == x.shape
    y0, a0 = fa.rrelu_train(np.float64(-2.0), rng=0)
    assert np.ndim(y0) == 0 and y0 == -2.0 * a0


# ---- PReLU slope gradient ---------------------------------------------------------
@pytest.mark.parametrize("xshape, ashape, axes", [
    ((4, 3, 5), (1, 3, 1), (0, 2)),
    ((4, 3, 5), (3, 1), (0, 2)),
    ((4, 3, 5), (5,), (0, 1)),
    ((4, 3, 5), (), (0, 1, 2)),
    ((4, 3, 5), (4, 3, 5), ()),
    ((6, 3), (1, 3), (0,)),
])
def test_prelu_weight_grad(xshape, ashape, axes):
    rng = np.random.default_rng(5)
    x = rng.standard_normal(xshape)
    dy = rng.standard_normal(xshape)
    a = rng.uniform(0.1, 0.5, ashape)
    g = fa.prelu_weight_grad(dy, x, a)
    assert np.shape(g) == np.shape(a)
    manual = np.where(x > 0, 0.0, dy * x)
    manual = manual.sum(axis=axes) if axes else manual
    np.testing.assert_allclose(np.asarray(g).ravel(), np.asarray(manual).ravel(), rtol=1e-13, atol=1e-13)
    # the elementwise pieces
    assert_bitwise_equal(fa.prelu_backward_a(dy, x, a), dy * np.where(x > 0, 0.0, x), "prelu_backward_a")
    assert_bitwise_equal(fa.prelu_grad_a(x, a), np.where(x > 0, 0.0, x), "prelu_grad_a")


# ---- PyTorch ----------------------------------------------------------------------
def _torch_cases():
    return {
        # name: (fastact forward, fastact grad, torch function, kinks)
        "relu": (fa.relu, fa.relu_grad, lambda F, t: F.relu(t), (0.0,)),
        "leaky_relu": (fa.leaky_relu, fa.leaky_relu_grad, lambda F, t: F.leaky_relu(t, 0.01), (0.0,)),
        "elu": (fa.elu, fa.elu_grad, lambda F, t: F.elu(t), (0.0,)),
        "hardswish": (fa.hardswish, fa.hardswish_grad, lambda F, t: F.hardswish(t), (-3.0, 3.0)),
        "silu": (fa.silu, fa.silu_grad, lambda F, t: F.silu(t), ()),
        "sigmoid": (fa.sigmoid, fa.sigmoid_grad, lambda F, t: F.sigmoid(t), ()),
        "tanh": (fa.tanh, fa.tanh_grad, lambda F, t: F.tanh(t), ()),
        "relu6": (fa.relu6, fa.relu6_grad, lambda F, t: F.relu6(t), (0.0, 6.0)),
    }


TORCH_NAMES = list(_torch_cases())


def _torch_fwd_grad(torch, fn, x, dtype):
    import torch.nn.functional as F

    t = torch.tensor(x, dtype=dtype, requires_grad=True)
    y = fn(F, t)
    y.backward(torch.ones_like(y))
    return y.detach().numpy(), t.grad.numpy()


@pytest.mark.parametrize("name", TORCH_NAMES)
def test_torch_moderate_inputs(name):
    """float32 forward within 4 ULP of torch's float32; float32 gradients within 4 ULP of
    torch's float64 autograd rounded to float32 (torch's float32 sigmoid'/tanh' use the
    output form y(1-y) / 1-y^2 and lose up to thousands of ULP near |x| = 10 themselves)."""
    torch = pytest.importorskip("torch")
    f, g, tfn, kinks = _torch_cases()[name]
    rng = np.random.default_rng(11)
    x = rng.uniform(-10, 10, 4000).astype(np.float32)
    y32, _ = _torch_fwd_grad(torch, tfn, x, torch.float32)
    y64, g64 = _torch_fwd_grad(torch, tfn, x.astype(np.float64), torch.float64)
    d = ulp_dist(f(x), y32)
    assert d.max() <= 4, (name, "forward vs torch float32", d.max(), x[np.argmax(d)])
    d = ulp_dist(f(x), _ulp.cast(y64, np.float32))
    assert d.max() <= 2, (name, "forward vs torch float64", d.max(), x[np.argmax(d)])
    d = ulp_dist(g(x), _ulp.cast(g64, np.float32))
    assert d.max() <= 4, (name, "grad vs torch float64 autograd", d.max(), x[np.argmax(d)])
    # float64 forward against torch float64
    x64 = rng.uniform(-10, 10, 4000)
    y64, _ = _torch_fwd_grad(torch, tfn, x64, torch.float64)
    d = ulp_dist(f(x64), y64)
    assert d.max() <= 4, (name, "float64 forward vs torch", d.max(), x64[np.argmax(d)])


@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("name", [n for n in TORCH_NAMES if _torch_cases()[n][3]])
def test_torch_kinks_exact(name, dtype):
    """At the kinks (and their float neighbours) f and f' equal torch autograd exactly."""
    torch = pytest.importorskip("torch")
    f, g, tfn, kinks = _torch_cases()[name]
    npd = np.dtype(dtype).type
    x = np.array(list(kinks) + [-0.0] * (0.0 in kinks), dtype=npd)
    ty, tg = _torch_fwd_grad(torch, tfn, x, getattr(torch, dtype))
    assert_bitwise_equal(g(x), tg, f"{name}' at its kinks vs torch")
    assert (f(x) == ty).all(), (name, f(x), ty)
    # the float neighbours of the kinks: the same branch as torch (torch itself may be off by
    # an ULP there: hardswish'(nextafter(-3, 0)) is -0.49999994 in torch's float32, the
    # correctly rounded value is -0.4999999106)
    with np.errstate(all="ignore"):
        xn = np.concatenate([np.nextafter(x, npd(np.inf)), np.nextafter(x, npd(-np.inf))])
    ty, tg = _torch_fwd_grad(torch, tfn, xn, getattr(torch, dtype))
    assert ulp_dist(g(xn), tg).max() <= 1, (name, xn, g(xn), tg)
    assert ulp_dist(f(xn), ty).max() <= 1, (name, xn, f(xn), ty)
