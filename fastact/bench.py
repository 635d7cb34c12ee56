"""Benchmark machinery: fastact against the usual ways of computing activations.

``python -m fastact bench`` (and ``bench/run.py``) drive this module; it is
part of the package so that it works from an installed wheel.  It is a
benchmark, never a test: nothing here asserts a speed.

What is timed
-------------
* Every elementwise ufunc of ``fastact._table.UFUNCS`` whose role is selected
  (forward ``NAME``, derivative ``NAME_grad``, fused ``NAME_backward(dy, x)``;
  the ``*_from_output`` forms on request), called as
  ``fastact._ufuncs.ufuncs[name](*arrays, *params, out=out)`` with the table's
  default parameters (0.25 for a required one such as prelu's ``a``).
  Functions added to the table later are benchmarked without touching this file.
* Every softmax-family gufunc in ``fastact._ufuncs.gufuncs`` on a matrix, along
  the last and along the first axis (``NAME_backward(y, dy)``: the forward
  output first); all operands and the output are C-contiguous for both axes.
  GLU too, in the same table: ``glu(x)`` halves the axis, ``glu_backward(dy,
  x)`` takes dy of the halved shape (torch.nn.functional.glu; ONNX has no GLU).
* Floors: ``np.copyto`` (memory bandwidth; each result is also given as a
  fraction of copy bandwidth, counting the bytes read and written) and
  ``np.negative``; and the call overhead: fastact on 10 elements against
  ``np.negative`` on 10 elements.

Competitors (each only when importable, imported lazily here)
--------------------------------------------------------------
``numpy``        careful composites: preallocated ``out=`` temporaries, no
                 hidden allocation, derivatives written out.
``scipy``        scipy.special (expit, log_expit, ndtr, softplus, softmax, ...).
``numexpr``      one expression per function, 1 thread.
``torch``        torch CPU ops on zero-copy ``torch.from_numpy`` views, 1 thread;
                 derivatives through torch's own backward kernels
                 (``aten.sigmoid_backward``, ``threshold_backward``, ...), a
                 ``NAME_grad`` being the backward kernel applied to dy = 1.
``torch-mt``     the same with all cores (labelled; never counted as "best").
``fastact-mt``   fastact itself with ``fastact.set_num_threads(N)`` (N = ``threads``,
                 default every usable CPU; labelled, never "best"), timed only
                 where a call is split (from 2 * ``MIN_PER_THREAD`` elements on).  The
                 ``fastact`` column always runs with 1 thread.
``onnxruntime``  a one-node ONNX graph per op, 1 intra-op thread, run with IO
                 binding on the preallocated numpy buffers (no copy is timed).

Each competitor is a dict keyed by ufunc name; a name a competitor lacks shows
"-".  Before timing, every competitor's result is compared with fastact's; a
competitor that computes something else (a different parameter convention, a
wrong composite) is excluded from the table and listed under the table.

How it is timed
---------------
For each case the candidates are warmed up, each is calibrated to a batch of
back-to-back calls lasting at least ``min_time``, and then ``repeat`` rounds
run every candidate's batch once, round-robin, starting from a different
candidate each round (so drifts in clock speed or in the load of a shared
machine hit everyone alike).  The reported time is the median over rounds of
the per-call time of a batch (or the minimum: ``markdown(report, "min")``).  Outputs are preallocated and reused by every
candidate that accepts an output argument; inputs are shared.
"""
from __future__ import annotations

import datetime
import gc
import importlib
import importlib.metadata
import importlib.util
import itertools
import math
import os
import platform
import re
import statistics
import sys
import time
from dataclasses import dataclass, field, asdict

import numpy as np

import fastact
from fastact import _table
from fastact._axis import AxisGufunc, has_distinct_core_dims
from fastact._ufuncs import gufuncs as FA_GUFUNCS
from fastact._ufuncs import ufuncs as FA_UFUNCS

SIZES = (10**3, 10**5, 10**7)
DTYPES = ("float32", "float64")
ROLES = ("forward", "grad", "backward")
ALL_ROLES = ROLES + ("grad_from_output", "backward_from_output")
REQUIRED_PARAM_VALUE = 0.25      # for parameters without a default (prelu's a)
OVERHEAD_SIZE = 10               # elements in the call-overhead measurement
BANDWIDTH_MIN_SIZE = 10**6       # "% of np.copyto bandwidth" is shown from this size on (memory bound)
COMPETITORS = ("numpy", "scipy", "numexpr", "torch", "onnxruntime", "torch-mt", "fastact-mt")
SQRT_2_OVER_PI = math.sqrt(2.0 / math.pi)
SELU_ALPHA = 1.6732632423543772848170429916717
SELU_SCALE = 1.0507009873554804934193349852946


@dataclass
class Config:
    """What to run.  ``Config.quick()`` is the few-seconds variant."""

    sizes: tuple = SIZES
    dtypes: tuple = DTYPES
    roles: tuple = ROLES
    only: tuple = ()                 # activation, ufunc, alias or gufunc names; () = all
    competitors: tuple | None = None  # labels from COMPETITORS; None = every installed one
    repeat: int = 7
    min_time: float = 0.01           # seconds per timed batch
    warmup: int = 2
    softmax_shape: tuple = (1000, 1000)
    softmax_axes: tuple = (-1, 0)
    overhead: bool = True            # the 10-element call against np.negative
    floors: bool = True              # np.copyto / np.negative per (dtype, size)
    check: bool = True               # compare every competitor's result with fastact's
    seed: int = 0
    threads: int | None = None       # fastact-mt's fastact.set_num_threads(); None = every usable CPU

    @classmethod
    def quick(cls, **overrides):
        """10^5 float32 forward only, 5 short rounds: a few seconds in total."""
        kw = dict(sizes=(10**5,), dtypes=("float32",), roles=("forward",), repeat=5,
                  min_time=0.002, softmax_shape=(100, 1000))
        kw.update({k: v for k, v in overrides.items() if v is not None})
        return cls(**kw)


# =============================================================================
# Operands
# =============================================================================
class Arrays:
    """The arrays of one (dtype, shape), shared by every ufunc and competitor.

    ``x`` (inputs, N(0, 3^2)), ``dy`` (upstream gradient, N(0, 1)), ``y``
    (refilled with the forward output for the ``*_from_output`` forms), the
    output ``out``, two scratch arrays ``t`` and ``u`` for composites, and
    ``ones`` (dy = 1, turning a backward kernel into a derivative).  All are
    written once at creation so that no page fault is timed.
    """

    def __init__(self, dtype, shape, seed=0):
        rng = np.random.default_rng(seed)
        self.dtype = np.dtype(dtype)
        self.shape = tuple(shape)
        self.x = (3.0 * rng.standard_normal(shape)).astype(dtype)
        self.dy = rng.standard_normal(shape).astype(dtype)
        self.ones = np.ones(shape, dtype)
        self.y, self.out, self.t, self.u = (np.full(shape, 0.0, dtype) for _ in range(4))

    @property
    def size(self):
        return self.x.size


def _param_values(u):
    return tuple(float(p.default) if p.default is not None else REQUIRED_PARAM_VALUE
                 for p in u.params)


def _array_names(u):
    return u.inputs[: len(u.inputs) - len(u.params)]


def _fastact_args(u, A):
    """fastact's operands for ufunc row ``u``: the arrays, then the parameters."""
    if "y" in _array_names(u):
        FA_UFUNCS[u.act.name](A.x, *_param_values(u), out=A.y)
    return tuple(getattr(A, n) for n in _array_names(u)) + _param_values(u)


# =============================================================================
# Competitors
# =============================================================================
class Competitor:
    """One way of computing the functions: dicts from fastact names to builders.

    ``elementwise[ufunc_name](A, params) -> call`` and
    ``gufunc[gufunc_name](G, axis) -> call`` build, outside the timed region,
    a zero-argument callable that computes the function on the operands and
    writes into ``A.out`` (``G.out``) where the library allows it; the callable
    may return the result when it cannot (torch ops without an out= form).
    ``prepare()`` runs before every timed batch (thread counts).  ``min_size``:
    elementwise sizes below it are not timed for this competitor.
    """

    def __init__(self, label, version, elementwise=None, gufunc=None, threads=1,
                 prepare=None, title=None, min_size=0):
        self.label = label
        self.title = title or label
        self.version = version
        self.elementwise = elementwise or {}
        self.gufunc = gufunc or {}
        self.threads = threads
        self.prepare = prepare or (lambda: None)
        self.min_size = min_size


def _composite_entries(table, from_output=None, backward=None):
    """ufunc name -> builder, from ``{activation: (forward, derivative)}``.

    The functions have the signature ``f(x, out, t, u, *params)`` (t, u:
    scratch).  ``NAME_backward`` is the derivative computed into out, then
    ``out *= dy``; ``from_output`` maps activations to ``f'(y, out, t, u, *params)``.
    """
    def entry(f, src):
        return lambda A, p: (lambda: f(getattr(A, src), A.out, A.t, A.u, *p))

    def times_dy(f, src):
        def build(A, p):
            x, dy, o, t, u = getattr(A, src), A.dy, A.out, A.t, A.u

            def run():
                f(x, o, t, u, *p)
                np.multiply(o, dy, out=o)
            return run
        return build

    d = {}
    for name, (fwd, grad) in table.items():
        if fwd is not None:
            d[name] = entry(fwd, "x")
        if grad is not None:
            d[f"{name}_grad"] = entry(grad, "x")
            d[f"{name}_backward"] = times_dy(grad, "x")
    for name, grad in (from_output or {}).items():
        d[f"{name}_grad_from_output"] = entry(grad, "y")
        d[f"{name}_backward_from_output"] = times_dy(grad, "y")
    d.update(backward or {})
    return d


# ---- numpy: careful composites ------------------------------------------------
def _np_sigmoid(x, o, t, u):
    np.negative(x, out=t)
    np.exp(t, out=t)
    t += 1
    np.reciprocal(t, out=o)


def _np_indicator(cond, x, c, o):
    """o = 1.0 where cond(x, c) else 0.0 (a boolean ufunc written into a float array)."""
    cond(x, c, out=o, casting="unsafe")


def _np_leaky(x, o, t, u, a):
    np.multiply(x, a, out=t)
    np.maximum(x, t, out=o)          # max(x, a x) is leaky relu for 0 <= a <= 1


def _np_leaky_grad(x, o, t, u, a):
    _np_indicator(np.greater, x, 0, o)
    o *= 1 - a
    o += a


def _np_elu(x, o, t, u, alpha):
    np.minimum(x, 0, out=t)
    np.expm1(t, out=t)
    t *= alpha
    np.maximum(x, 0, out=o)
    o += t


def _np_elu_grad(x, o, t, u, alpha):
    _np_indicator(np.greater, x, 0, o)   # 1 on the right
    np.minimum(x, 0, out=t)
    np.exp(t, out=t)
    t *= alpha
    np.subtract(1, o, out=u)
    t *= u
    o += t


def _np_elu_grad_y(y, o, t, u, alpha):
    _np_indicator(np.greater, y, 0, o)
    np.add(y, alpha, out=t)
    np.subtract(1, o, out=u)
    t *= u
    o += t


def _np_relu6(x, o, t, u):
    np.clip(x, 0, 6, out=o)


def _np_box(x, o, t, lo, hi):
    """o = 1.0 on the open interval (lo, hi), else 0.0."""
    _np_indicator(np.greater, x, lo, o)
    _np_indicator(np.less, x, hi, t)
    o *= t


def _np_leaky_relu6(x, o, t, u, a):
    _np_leaky(x, o, t, u, a)
    np.minimum(o, 6, out=o)


def _np_leaky_relu6_grad(x, o, t, u, a):
    _np_box(x, o, t, 0, 6)
    _np_indicator(np.less_equal, x, 0, t)
    t *= a
    o += t


def _np_swish(x, o, t, u, beta):
    np.multiply(x, -beta, out=t)
    np.exp(t, out=t)
    t += 1
    np.divide(x, t, out=o)


def _np_swish_grad(x, o, t, u, beta):
    # s (1 + beta x (1 - s)) with s = sigmoid(beta x)
    np.multiply(x, beta, out=u)
    _np_sigmoid(u, t, o, o)          # t = s (o is scratch here)
    np.subtract(1, t, out=o)
    o *= u
    o += 1
    o *= t


def _np_hardswish(x, o, t, u):
    np.add(x, 3, out=t)
    np.clip(t, 0, 6, out=t)
    t *= x
    np.multiply(t, 1 / 6, out=o)


def _np_hardswish_grad(x, o, t, u):
    np.multiply(x, 1 / 3, out=o)
    o += 0.5
    _np_box(x, u, t, -3, 3)
    o *= u
    _np_indicator(np.greater_equal, x, 3, t)
    o += t


def _np_gelu_tanh_inner(x, t):
    """t = tanh(sqrt(2/pi) (x + 0.044715 x^3))"""
    np.multiply(x, x, out=t)
    t *= 0.044715
    t += 1
    t *= x
    t *= SQRT_2_OVER_PI
    np.tanh(t, out=t)


def _np_gelu_tanh(x, o, t, u):
    _np_gelu_tanh_inner(x, t)
    t += 1
    np.multiply(t, x, out=o)
    o *= 0.5


def _np_gelu_tanh_grad(x, o, t, u):
    # 0.5 (1 + th) + 0.5 x (1 - th^2) sqrt(2/pi) (1 + 3 * 0.044715 x^2)
    _np_gelu_tanh_inner(x, t)
    np.multiply(t, t, out=u)
    np.subtract(1, u, out=u)
    np.multiply(x, x, out=o)
    o *= 3 * 0.044715
    o += 1
    o *= u
    o *= x
    o *= SQRT_2_OVER_PI
    o += t
    o += 1
    o *= 0.5


def _np_selu(x, o, t, u):
    _np_elu(x, o, t, u, SELU_ALPHA)
    o *= SELU_SCALE


def _np_selu_grad(x, o, t, u):
    _np_elu_grad(x, o, t, u, SELU_ALPHA)
    o *= SELU_SCALE


def _np_celu(x, o, t, u, alpha):
    np.minimum(x, 0, out=t)
    t /= alpha
    np.expm1(t, out=t)
    t *= alpha
    np.maximum(x, 0, out=o)
    o += t


def _np_celu_grad(x, o, t, u, alpha):
    _np_indicator(np.greater, x, 0, o)
    np.minimum(x, 0, out=t)
    t /= alpha
    np.exp(t, out=t)
    np.subtract(1, o, out=u)
    t *= u
    o += t


def _np_softplus(x, o, t, u, beta, *threshold):
    if beta == 1:
        np.logaddexp(x, 0, out=o)
    else:
        np.multiply(x, beta, out=t)
        np.logaddexp(t, 0, out=o)
        o /= beta


def _np_softplus_grad(x, o, t, u, beta, *threshold):
    np.multiply(x, beta, out=u)
    _np_sigmoid(u, o, t, t)


def _np_mish(x, o, t, u):
    np.logaddexp(x, 0, out=t)
    np.tanh(t, out=t)
    np.multiply(x, t, out=o)


def _np_mish_grad(x, o, t, u):
    # th + x sigmoid(x) (1 - th^2), th = tanh(softplus(x))
    _np_sigmoid(x, o, u, u)
    o *= x
    np.logaddexp(x, 0, out=t)
    np.tanh(t, out=t)
    np.multiply(t, t, out=u)
    np.subtract(1, u, out=u)
    o *= u
    o += t


def _np_softsign(x, o, t, u):
    np.abs(x, out=t)
    t += 1
    np.divide(x, t, out=o)


def _np_softsign_grad(x, o, t, u):
    np.abs(x, out=t)
    t += 1
    np.multiply(t, t, out=t)
    np.reciprocal(t, out=o)


def _np_logsigmoid(x, o, t, u):
    np.negative(x, out=t)
    np.logaddexp(t, 0, out=o)
    np.negative(o, out=o)


def _np_logsigmoid_grad(x, o, t, u):       # sigmoid(-x) = 1 / (1 + exp(x))
    np.exp(x, out=t)
    t += 1
    np.reciprocal(t, out=o)


def _np_hardsigmoid(x, o, t, u):
    np.multiply(x, 1 / 6, out=o)
    o += 0.5
    np.clip(o, 0, 1, out=o)


def _np_hardsigmoid_grad(x, o, t, u):
    _np_box(x, o, t, -3, 3)
    o *= 1 / 6


def _np_hard_sigmoid(x, o, t, u, alpha, beta):
    np.multiply(x, alpha, out=o)
    o += beta
    np.clip(o, 0, 1, out=o)


def _np_hard_sigmoid_grad(x, o, t, u, alpha, beta):
    np.multiply(x, alpha, out=u)
    u += beta
    _np_box(u, o, t, 0, 1)
    o *= alpha


def _np_tanh_grad(x, o, t, u):
    np.tanh(x, out=t)
    np.multiply(t, t, out=t)
    np.subtract(1, t, out=o)


def _np_softshrink(x, o, t, u, lam):
    np.clip(x, -lam, lam, out=t)
    np.subtract(x, t, out=o)


def _np_shrink_grad(x, o, t, u, lam):
    np.abs(x, out=t)
    _np_indicator(np.greater, t, lam, o)


def _np_hardshrink(x, o, t, u, lam):
    _np_shrink_grad(x, t, o, u, lam)
    np.multiply(x, t, out=o)


def _np_threshold(x, o, t, u, th, value):
    _np_indicator(np.greater, x, th, t)    # x where x > th else value
    np.subtract(x, value, out=o)
    o *= t
    o += value


NUMPY = {  # activation: (forward, derivative), f(x, out, t, u, *params)
    "binary_step": (lambda x, o, t, u: _np_indicator(np.greater_equal, x, 0, o), None),
    "identity": (lambda x, o, t, u: np.copyto(o, x), None),
    "linear": (lambda x, o, t, u, c: np.multiply(x, c, out=o), None),
    "sigmoid": (_np_sigmoid, lambda x, o, t, u: (_np_sigmoid(x, t, o, o), np.subtract(1, t, out=o),
                                                 np.multiply(o, t, out=o))),
    "tanh": (lambda x, o, t, u: np.tanh(x, out=o), _np_tanh_grad),
    "relu": (lambda x, o, t, u: np.maximum(x, 0, out=o),
             lambda x, o, t, u: _np_indicator(np.greater, x, 0, o)),
    "leaky_relu": (_np_leaky, _np_leaky_grad),
    "prelu": (_np_leaky, _np_leaky_grad),
    "rrelu": (lambda x, o, t, u, lo, hi: _np_leaky(x, o, t, u, (lo + hi) / 2),
              lambda x, o, t, u, lo, hi: _np_leaky_grad(x, o, t, u, (lo + hi) / 2)),
    "elu": (_np_elu, _np_elu_grad),
    "relu6": (_np_relu6, lambda x, o, t, u: _np_box(x, o, t, 0, 6)),
    "leaky_relu6": (_np_leaky_relu6, _np_leaky_relu6_grad),
    "swish": (_np_swish, _np_swish_grad),
    "hardswish": (_np_hardswish, _np_hardswish_grad),
    "gelu_tanh": (_np_gelu_tanh, _np_gelu_tanh_grad),
    "selu": (_np_selu, _np_selu_grad),
    "celu": (_np_celu, _np_celu_grad),
    "softplus": (_np_softplus, _np_softplus_grad),
    "mish": (_np_mish, _np_mish_grad),
    "softsign": (_np_softsign, _np_softsign_grad),
    "logsigmoid": (_np_logsigmoid, _np_logsigmoid_grad),
    "hardsigmoid": (_np_hardsigmoid, _np_hardsigmoid_grad),
    "hard_sigmoid": (_np_hard_sigmoid, _np_hard_sigmoid_grad),
    "hardtanh": (lambda x, o, t, u, lo, hi: np.clip(x, lo, hi, out=o),
                 lambda x, o, t, u, lo, hi: _np_box(x, o, t, lo, hi)),
    "tanhshrink": (lambda x, o, t, u: (np.tanh(x, out=t), np.subtract(x, t, out=o)),
                   lambda x, o, t, u: (np.tanh(x, out=t), np.multiply(t, t, out=o))),
    "softshrink": (_np_softshrink, _np_shrink_grad),
    "hardshrink": (_np_hardshrink, _np_shrink_grad),
    "threshold": (_np_threshold, lambda x, o, t, u, th, value: _np_indicator(np.greater, x, th, o)),
}
NUMPY_FROM_OUTPUT = {
    "sigmoid": lambda y, o, t, u: (np.subtract(1, y, out=o), np.multiply(o, y, out=o)),
    "tanh": lambda y, o, t, u: (np.multiply(y, y, out=o), np.subtract(1, o, out=o)),
    "elu": _np_elu_grad_y,
}


# -- softmax family: numpy composites (scratch allocated at build time) --
def _keep(G, axis):
    shape = list(G.x.shape)
    shape[axis] = 1
    return np.empty(shape, G.x.dtype)


def _np_softmax(G, axis):
    x, o, m, s = G.x, G.out, _keep(G, axis), _keep(G, axis)

    def run():
        np.max(x, axis=axis, keepdims=True, out=m)
        np.subtract(x, m, out=o)
        np.exp(o, out=o)
        np.sum(o, axis=axis, keepdims=True, out=s)
        np.divide(o, s, out=o)
    return run


def _np_log_softmax(G, axis):
    x, o, m, s, t = G.x, G.out, _keep(G, axis), _keep(G, axis), np.empty_like(G.x)

    def run():
        np.max(x, axis=axis, keepdims=True, out=m)
        np.subtract(x, m, out=o)
        np.exp(o, out=t)
        np.sum(t, axis=axis, keepdims=True, out=s)
        np.log(s, out=s)
        np.subtract(o, s, out=o)
    return run


def _np_logsumexp(G, axis):
    x, o, m, t = G.x, G.out, _keep(G, axis), np.empty_like(G.x)
    m_flat = m.reshape(o.shape)

    def run():
        np.max(x, axis=axis, keepdims=True, out=m)
        np.subtract(x, m, out=t)
        np.exp(t, out=t)
        np.sum(t, axis=axis, out=o)
        np.log(o, out=o)
        np.add(o, m_flat, out=o)
    return run


def _np_softmax_backward(G, axis):   # y (dy - sum(dy y))
    dy, y, o, s = G.dy, G.y, G.out, _keep(G, axis)

    def run():
        np.multiply(dy, y, out=o)
        np.sum(o, axis=axis, keepdims=True, out=s)
        np.subtract(dy, s, out=o)
        np.multiply(o, y, out=o)
    return run


def _np_log_softmax_backward(G, axis):   # dy - exp(y) sum(dy)
    dy, y, o, s = G.dy, G.y, G.out, _keep(G, axis)

    def run():
        np.sum(dy, axis=axis, keepdims=True, out=s)
        np.exp(y, out=o)
        np.multiply(o, s, out=o)
        np.subtract(dy, o, out=o)
    return run


def _halves(a, axis):
    """the two halves of a along axis (views)"""
    n = a.shape[axis] // 2
    lo, hi = [slice(None)] * a.ndim, [slice(None)] * a.ndim
    lo[axis], hi[axis] = slice(0, n), slice(n, None)
    return a[tuple(lo)], a[tuple(hi)]


def _np_glu(G, axis):   # a / (1 + exp(-b))
    (a, b), o = _halves(G.x, axis), G.out
    t = np.empty_like(o)

    def run():
        np.negative(b, out=t)
        np.exp(t, out=t)
        np.add(t, 1, out=t)
        np.divide(a, t, out=o)
    return run


def _np_glu_backward(G, axis):   # [dy s, dy s (1 - s) a], s = sigmoid(b)
    (a, b), (oa, ob), dy = _halves(G.x, axis), _halves(G.out, axis), G.dy
    s = np.empty_like(dy)

    def run():
        np.negative(b, out=s)
        np.exp(s, out=s)
        np.add(s, 1, out=s)
        np.reciprocal(s, out=s)
        np.multiply(dy, s, out=oa)
        np.subtract(1, s, out=ob)
        np.multiply(ob, oa, out=ob)
        np.multiply(ob, a, out=ob)
    return run


NUMPY_GUFUNCS = {"softmax": _np_softmax, "log_softmax": _np_log_softmax,
                 "logsumexp": _np_logsumexp, "softmax_backward": _np_softmax_backward,
                 "log_softmax_backward": _np_log_softmax_backward,
                 "glu": _np_glu, "glu_backward": _np_glu_backward}


def _numpy_competitor():
    return Competitor("numpy", np.__version__, _composite_entries(NUMPY, NUMPY_FROM_OUTPUT),
                      NUMPY_GUFUNCS, title="numpy composite")


# ---- scipy.special ------------------------------------------------------------
def _scipy_competitor():
    sc = importlib.import_module("scipy.special")
    inv_sqrt_2pi = 1 / math.sqrt(2 * math.pi)

    def gelu_grad(x, o, t, u):     # Phi(x) + x phi(x)
        np.multiply(x, x, out=t)
        t *= -0.5
        np.exp(t, out=t)
        t *= inv_sqrt_2pi
        t *= x
        sc.ndtr(x, out=o)
        o += t

    def swish(x, o, t, u, beta):
        np.multiply(x, beta, out=t)
        sc.expit(t, out=t)
        np.multiply(x, t, out=o)

    table = {
        "sigmoid": (lambda x, o, t, u: sc.expit(x, out=o),
                    lambda x, o, t, u: (sc.expit(x, out=t), np.subtract(1, t, out=o),
                                        np.multiply(o, t, out=o))),
        "logsigmoid": (lambda x, o, t, u: sc.log_expit(x, out=o),
                       lambda x, o, t, u: (np.negative(x, out=t), sc.expit(t, out=o))),
        "swish": (swish, None),
        "gelu": (lambda x, o, t, u: (sc.ndtr(x, out=t), np.multiply(x, t, out=o)), gelu_grad),
        "softplus": (lambda x, o, t, u, beta, *th: sc.softplus(x, out=o) if beta == 1 else
                     _np_softplus(x, o, t, u, beta), None),
    }
    gufunc = {
        "softmax": lambda G, axis: (lambda: sc.softmax(G.x, axis=axis)),
        "log_softmax": lambda G, axis: (lambda: sc.log_softmax(G.x, axis=axis)),
        "logsumexp": lambda G, axis: (lambda: sc.logsumexp(G.x, axis=axis)),
    }
    return Competitor("scipy", _version("scipy"), _composite_entries(table), gufunc,
                      title="scipy.special")


# ---- numexpr --------------------------------------------------------------------
# (forward, derivative) expressions in x and the parameters p0, p1, ...
NUMEXPR = {
    "binary_step": ("where(x >= 0, 1.0, 0.0)", None),
    "linear": ("p0 * x", None),
    "sigmoid": ("1 / (1 + exp(-x))", "exp(-abs(x)) / (1 + exp(-abs(x)))**2"),
    "tanh": ("tanh(x)", "1 - tanh(x)**2"),
    "relu": ("where(x > 0, x, 0.0)", "where(x > 0, 1.0, 0.0)"),
    "leaky_relu": ("where(x > 0, x, p0 * x)", "where(x > 0, 1.0, p0)"),
    "prelu": ("where(x > 0, x, p0 * x)", "where(x > 0, 1.0, p0)"),
    "rrelu": ("where(x > 0, x, 0.5 * (p0 + p1) * x)", "where(x > 0, 1.0, 0.5 * (p0 + p1))"),
    "elu": ("where(x > 0, x, p0 * expm1(x))", "where(x > 0, 1.0, p0 * exp(x))"),
    "relu6": ("where(x > 0, where(x < 6, x, 6.0), 0.0)", "where((x > 0) & (x < 6), 1.0, 0.0)"),
    "leaky_relu6": ("where(x > 0, where(x < 6, x, 6.0), p0 * x)",
                    "where(x > 0, where(x < 6, 1.0, 0.0), p0)"),
    "swish": ("x / (1 + exp(-p0 * x))",
              "(1 + exp(-p0 * x) + p0 * x * exp(-p0 * x)) / (1 + exp(-p0 * x))**2"),
    "hardswish": ("x * where(x < -3, 0.0, where(x > 3, 6.0, x + 3)) / 6",
                  "where(x <= -3, 0.0, where(x >= 3, 1.0, (2 * x + 3) / 6))"),
    "gelu_tanh": ("0.5 * x * (1 + tanh(0.7978845608028654 * (x + 0.044715 * x * x * x)))",
                  "0.5 * (1 + tanh(0.7978845608028654 * (x + 0.044715 * x * x * x)))"
                  " + 0.5 * x * (1 - tanh(0.7978845608028654 * (x + 0.044715 * x * x * x))**2)"
                  " * 0.7978845608028654 * (1 + 0.134145 * x * x)"),
    "selu": (f"{SELU_SCALE!r} * where(x > 0, x, {SELU_ALPHA!r} * expm1(x))",
             f"where(x > 0, {SELU_SCALE!r}, {SELU_SCALE * SELU_ALPHA!r} * exp(x))"),
    "celu": ("where(x > 0, x, p0 * expm1(x / p0))", "where(x > 0, 1.0, exp(x / p0))"),
    "softplus": ("(where(x > 0, p0 * x, 0.0) + log1p(exp(-abs(p0 * x)))) / p0",
                 "1 / (1 + exp(-p0 * x))"),
    "mish": ("x * tanh(log1p(exp(x)))",
             "tanh(log1p(exp(x))) + x * (1 - tanh(log1p(exp(x)))**2) / (1 + exp(-x))"),
    "softsign": ("x / (1 + abs(x))", "1 / (1 + abs(x))**2"),
    "logsigmoid": ("-(where(x < 0, -x, 0.0) + log1p(exp(-abs(x))))", "1 / (1 + exp(x))"),
    "hardsigmoid": ("where(x <= -3, 0.0, where(x >= 3, 1.0, x / 6 + 0.5))",
                    "where((x > -3) & (x < 3), 0.16666666666666666, 0.0)"),
    "hard_sigmoid": ("where(p0 * x + p1 < 0, 0.0, where(p0 * x + p1 > 1, 1.0, p0 * x + p1))",
                     "where((p0 * x + p1 > 0) & (p0 * x + p1 < 1), p0, 0.0)"),
    "hardtanh": ("where(x < p0, p0, where(x > p1, p1, x))", "where((x > p0) & (x < p1), 1.0, 0.0)"),
    "tanhshrink": ("x - tanh(x)", "tanh(x)**2"),
    "softshrink": ("where(x > p0, x - p0, where(x < -p0, x + p0, 0.0))",
                   "where(abs(x) > p0, 1.0, 0.0)"),
    "hardshrink": ("where(abs(x) > p0, x, 0.0)", "where(abs(x) > p0, 1.0, 0.0)"),
    "threshold": ("where(x > p0, x, p1)", "where(x > p0, 1.0, 0.0)"),
}
NUMEXPR_FROM_OUTPUT = {"sigmoid": "y * (1 - y)", "tanh": "1 - y * y",
                       "elu": "where(y > 0, 1.0, y + p0)"}
_FLOAT_LITERAL = re.compile(r"(?<![\w.])(\d+\.\d*(?:e[+-]?\d+)?)")


def _numexpr_competitor():
    ne = importlib.import_module("numexpr")

    def compile_expr(expr):
        """numexpr promotes float32 with a float literal to float64: make the
        literals variables (c0, c1, ...) of the array's dtype."""
        consts = []

        def name(m):
            consts.append(float(m.group(1)))
            return f"c{len(consts) - 1}"
        return _FLOAT_LITERAL.sub(name, expr), consts

    def entry(expr, src):
        text, consts = compile_expr(expr)

        def build(A, p):
            env = {f"c{i}": A.dtype.type(c) for i, c in enumerate(consts)}
            env.update({f"p{i}": A.dtype.type(v) for i, v in enumerate(p)})
            env.update(x=A.x, y=A.y, dy=A.dy)
            out = A.out
            # default casting ("safe"): a result promoted to float64 fails instead of being cast
            return lambda: ne.evaluate(text, local_dict=env, out=out)
        return build

    d = {}
    for name, (fwd, grad) in NUMEXPR.items():
        d[name] = entry(fwd, "x")
        if grad:
            d[f"{name}_grad"] = entry(grad, "x")
            d[f"{name}_backward"] = entry(f"dy * ({grad})", "x")
    for name, grad in NUMEXPR_FROM_OUTPUT.items():
        d[f"{name}_grad_from_output"] = entry(grad, "y")
        d[f"{name}_backward_from_output"] = entry(f"dy * ({grad})", "y")

    def prepare():
        ne.set_num_threads(1)
    prepare()
    return Competitor("numexpr", ne.__version__, d, prepare=prepare, title="numexpr (1 thread)")


# ---- torch ----------------------------------------------------------------------
def _torch_tables(torch):
    """(forward, backward, backward-from-output, gufunc) dicts of builders on tensor views.

    forward: ``f(v, *params) -> call``; backward: ``b(v, dy, *params) -> call``
    computing dy * f'(x) with torch's backward kernel (``dy = v.ones`` gives f').
    """
    aten, nn = torch.ops.aten, torch._C._nn

    def needs_output(fwd_op, back_op):
        """Backward kernels that take the output (sigmoid, tanh): forward into a
        scratch tensor first, as autograd does."""
        def back(v, dy):
            x, t, out = v.x, v.t, v.out
            return lambda: (fwd_op(x, out=t), back_op(dy, t, grad_input=out))
        return back

    def beta_one(f):
        """swish(x, beta) is torch's silu when beta == 1 (beta: the last operand)."""
        def g(v, *a):
            if a[-1] != 1:
                raise NotImplementedError("torch's silu has no beta")
            return f(v, *a[:-1])
        return g

    fwd = {
        "sigmoid": lambda v: lambda: torch.sigmoid(v.x, out=v.out),
        "tanh": lambda v: lambda: torch.tanh(v.x, out=v.out),
        "relu": lambda v: lambda: aten.relu.out(v.x, out=v.out),
        "leaky_relu": lambda v, a: lambda: nn.leaky_relu(v.x, a, out=v.out),
        "prelu": lambda v, a: (lambda w: lambda: torch.prelu(v.x, w))(
            torch.tensor([a], dtype=v.x.dtype)),
        "rrelu": lambda v, lo, hi: lambda: torch.rrelu(v.x, lo, hi, training=False),
        "elu": lambda v, alpha: lambda: nn.elu(v.x, alpha, 1, 1, out=v.out),
        "relu6": lambda v: lambda: nn.hardtanh(v.x, 0.0, 6.0, out=v.out),
        "swish": beta_one(lambda v: lambda: nn.silu(v.x, out=v.out)),
        "hardswish": lambda v: lambda: nn.hardswish(v.x, out=v.out),
        "gelu": lambda v: lambda: nn.gelu(v.x, approximate="none", out=v.out),
        "gelu_tanh": lambda v: lambda: nn.gelu(v.x, approximate="tanh", out=v.out),
        "selu": lambda v: lambda: torch.selu(v.x),
        "celu": lambda v, alpha: lambda: torch.celu(v.x, alpha),
        "softplus": lambda v, beta, *th: lambda: nn.softplus(v.x, beta, *(th or (20.0,)), out=v.out),
        "mish": lambda v: lambda: nn.mish(v.x, out=v.out),
        "logsigmoid": lambda v: lambda: nn.log_sigmoid(v.x, out=v.out),
        "hardsigmoid": lambda v: lambda: nn.hardsigmoid(v.x, out=v.out),
        "hardtanh": lambda v, lo, hi: lambda: nn.hardtanh(v.x, lo, hi, out=v.out),
        "softshrink": lambda v, lam: lambda: nn.softshrink(v.x, lam, out=v.out),
        "hardshrink": lambda v, lam: lambda: torch.hardshrink(v.x, lam, out=v.out),
        "threshold": lambda v, th, value: lambda: torch.threshold(v.x, th, value, out=v.out),
    }

    def elu_like(alpha, scale, input_scale):
        return lambda v, dy: lambda: aten.elu_backward.grad_input(
            dy, alpha, scale, input_scale, False, v.x, grad_input=v.out)

    def log_sigmoid_back(v, dy):
        buffer = aten.log_sigmoid_forward(v.x)[1]    # saved by the forward, as autograd does
        return lambda: aten.log_sigmoid_backward.grad_input(dy, v.x, buffer, grad_input=v.out)

    back = {
        "sigmoid": needs_output(torch.sigmoid, aten.sigmoid_backward.grad_input),
        "tanh": needs_output(torch.tanh, aten.tanh_backward.grad_input),
        "relu": lambda v, dy: lambda: aten.threshold_backward.grad_input(dy, v.x, 0, grad_input=v.out),
        "leaky_relu": lambda v, dy, a: lambda: aten.leaky_relu_backward.grad_input(
            dy, v.x, a, False, grad_input=v.out),
        "elu": lambda v, dy, alpha: elu_like(alpha, 1, 1)(v, dy),
        "relu6": lambda v, dy: lambda: aten.hardtanh_backward.grad_input(dy, v.x, 0.0, 6.0, grad_input=v.out),
        "swish": beta_one(lambda v, dy: lambda: aten.silu_backward.grad_input(dy, v.x, grad_input=v.out)),
        "hardswish": lambda v, dy: lambda: aten.hardswish_backward.out(dy, v.x, out=v.out),
        "gelu": lambda v, dy: lambda: aten.gelu_backward.grad_input(dy, v.x, approximate="none", grad_input=v.out),
        "gelu_tanh": lambda v, dy: lambda: aten.gelu_backward.grad_input(dy, v.x, approximate="tanh", grad_input=v.out),
        "selu": elu_like(SELU_ALPHA, SELU_SCALE, 1),
        "celu": lambda v, dy, alpha: elu_like(alpha, 1, 1 / alpha)(v, dy),
        "softplus": lambda v, dy, beta, *th: lambda: aten.softplus_backward.grad_input(
            dy, v.x, beta, *(th or (20.0,)), grad_input=v.out),
        "mish": lambda v, dy: lambda: aten.mish_backward(dy, v.x),
        "logsigmoid": log_sigmoid_back,
        "hardsigmoid": lambda v, dy: lambda: aten.hardsigmoid_backward.grad_input(dy, v.x, grad_input=v.out),
        "hardtanh": lambda v, dy, lo, hi: lambda: aten.hardtanh_backward.grad_input(dy, v.x, lo, hi, grad_input=v.out),
        "softshrink": lambda v, dy, lam: lambda: aten.softshrink_backward.grad_input(dy, v.x, lam, grad_input=v.out),
        "hardshrink": lambda v, dy, lam: lambda: aten.hardshrink_backward.grad_input(dy, v.x, lam, grad_input=v.out),
        "threshold": lambda v, dy, th, value: lambda: aten.threshold_backward.grad_input(dy, v.x, th, grad_input=v.out),
    }
    from_output = {
        "sigmoid": lambda v, dy: lambda: aten.sigmoid_backward.grad_input(dy, v.y, grad_input=v.out),
        "tanh": lambda v, dy: lambda: aten.tanh_backward.grad_input(dy, v.y, grad_input=v.out),
        "elu": lambda v, dy, alpha: lambda: aten.elu_backward.grad_input(
            dy, alpha, 1, 1, True, v.y, grad_input=v.out),
    }
    gufunc = {
        "softmax": lambda v, d: lambda: torch._softmax(v.x, d, False, out=v.out),
        "log_softmax": lambda v, d: lambda: torch._log_softmax(v.x, d, False, out=v.out),
        "logsumexp": lambda v, d: lambda: torch.logsumexp(v.x, d, out=v.out),
        "softmax_backward": lambda v, d: lambda: aten._softmax_backward_data.out(
            v.dy, v.y, d, v.y.dtype, grad_input=v.out),
        "log_softmax_backward": lambda v, d: lambda: aten._log_softmax_backward_data.out(
            v.dy, v.y, d, v.y.dtype, out=v.out),
        "glu": lambda v, d: lambda: nn.glu(v.x, d, out=v.out),
        "glu_backward": lambda v, d: lambda: aten.glu_backward.grad_input(v.dy, v.x, d, grad_input=v.out),
    }
    return fwd, back, from_output, gufunc


class _Views:
    """torch tensors sharing memory with an Arrays (or softmax operands) object."""

    def __init__(self, torch, A):
        for k in ("x", "dy", "y", "out", "t", "ones"):
            if getattr(A, k, None) is not None:
                setattr(self, k, torch.from_numpy(getattr(A, k)))


def _torch_competitors():
    torch = importlib.import_module("torch")
    fwd, back, from_output, gufunc = _torch_tables(torch)

    def views(A):
        return _Views(torch, A)

    def on_views(f, dy=None):
        """A builder on numpy operands from one on tensor views (dy: which view is dy)."""
        def build(A, p):
            v = views(A)
            return f(v, getattr(v, dy), *p) if dy else f(v, *p)
        return build

    d = {name: on_views(f) for name, f in fwd.items()}
    for name, b in back.items():
        d[f"{name}_grad"] = on_views(b, "ones")
        d[f"{name}_backward"] = on_views(b, "dy")
    for name, b in from_output.items():
        d[f"{name}_grad_from_output"] = on_views(b, "ones")
        d[f"{name}_backward_from_output"] = on_views(b, "dy")
    g = {name: (lambda f: lambda G, axis: f(views(G), axis))(f) for name, f in gufunc.items()}
    ncpu = os.cpu_count() or 1
    return [
        Competitor("torch", torch.__version__, d, g, prepare=lambda: torch.set_num_threads(1),
                   title="torch (1 thread)"),
        Competitor("torch-mt", torch.__version__, d, g, threads=ncpu,
                   prepare=lambda: torch.set_num_threads(ncpu), title=f"torch ({ncpu} threads)"),
    ]


# ---- onnxruntime -----------------------------------------------------------------
def _no_beta(name):
    def attrs(beta, *rest):
        if beta != 1:
            raise NotImplementedError(f"ONNX {name} has no beta")
        return {}
    return attrs


# activation: (op, attributes from the parameters, constant inputs from the parameters, domain)
ONNX_OPS = {
    "sigmoid": ("Sigmoid",),
    "tanh": ("Tanh",),
    "relu": ("Relu",),
    "leaky_relu": ("LeakyRelu", lambda a: {"alpha": a}),
    "elu": ("Elu", lambda a: {"alpha": a}),
    "selu": ("Selu",),
    "celu": ("Celu", lambda a: {"alpha": a}),
    "softplus": ("Softplus", _no_beta("Softplus")),
    "softsign": ("Softsign",),
    "hardsigmoid": ("HardSigmoid", lambda: {"alpha": 1 / 6, "beta": 0.5}),
    "hard_sigmoid": ("HardSigmoid", lambda alpha, beta: {"alpha": alpha, "beta": beta}),
    "hardswish": ("HardSwish",),
    "gelu": ("Gelu", lambda: {"approximate": "none"}),
    "gelu_tanh": ("Gelu", lambda: {"approximate": "tanh"}),
    "mish": ("Mish",),
    "swish": ("QuickGelu", lambda beta: {"alpha": beta}, None, "com.microsoft"),  # x*sigmoid(alpha*x)
    "relu6": ("Clip", None, lambda: (0.0, 6.0)),
    "hardtanh": ("Clip", None, lambda lo, hi: (lo, hi)),
    "softshrink": ("Shrink", lambda lam: {"lambd": lam, "bias": lam}),
    "hardshrink": ("Shrink", lambda lam: {"lambd": lam, "bias": 0.0}),
}
ONNX_GUFUNCS = {"softmax": "Softmax", "log_softmax": "LogSoftmax", "logsumexp": "ReduceLogSumExp"}
ONNX_OPSET = 20   # Gelu


def _onnxruntime_competitor():
    ort = importlib.import_module("onnxruntime")
    onnx = importlib.import_module("onnx")
    helper, TensorProto = onnx.helper, onnx.TensorProto
    elem = {np.dtype(np.float32): TensorProto.FLOAT, np.dtype(np.float64): TensorProto.DOUBLE}

    def session(op, dtype, attrs=None, consts=(), domain="", axes=None):
        """A one-node graph y = op(x, *consts), 1 intra-op thread."""
        t = elem[np.dtype(dtype)]
        inits = [helper.make_tensor(f"c{i}", t, [], [c]) for i, c in enumerate(consts)]
        inputs = ["x"] + [i.name for i in inits]
        if axes is not None:
            inits.append(helper.make_tensor("axes", TensorProto.INT64, [1], [axes]))
            inputs.append("axes")
        node = helper.make_node(op, inputs, ["y"], domain=domain, **(attrs or {}))
        graph = helper.make_graph([node], op, [helper.make_tensor_value_info("x", t, None)],
                                  [helper.make_tensor_value_info("y", t, None)], initializer=inits)
        opsets = [helper.make_opsetid("", ONNX_OPSET)]
        if domain:
            opsets.append(helper.make_opsetid(domain, 1))
        model = helper.make_model(graph, opset_imports=opsets)
        model.ir_version = 10
        so = ort.SessionOptions()
        so.intra_op_num_threads = 1
        so.inter_op_num_threads = 1
        so.execution_mode = ort.ExecutionMode.ORT_SEQUENTIAL
        so.log_severity_level = 3
        return ort.InferenceSession(model.SerializeToString(), so, providers=["CPUExecutionProvider"])

    def bound(sess, x, out):
        # the binding is a pointer and a shape: the buffers must be C-contiguous
        for a in (x, out):
            if not a.flags.c_contiguous:
                raise ValueError("onnxruntime IO binding needs C-contiguous buffers")
        io = sess.io_binding()
        io.bind_input("x", "cpu", 0, x.dtype, x.shape, x.ctypes.data)
        io.bind_output("y", "cpu", 0, out.dtype, out.shape, out.ctypes.data)
        return lambda: sess.run_with_iobinding(io)

    def entry(spec):
        op, attrs, consts, domain = (tuple(spec) + (None, None, ""))[:4]

        def build(A, p):
            sess = session(op, A.dtype, attrs(*p) if attrs else {}, consts(*p) if consts else (),
                           domain or "")
            return bound(sess, A.x, A.out)
        return build

    def gentry(op):
        def build(G, axis):
            if op == "ReduceLogSumExp":
                sess = session(op, G.x.dtype, {"keepdims": 0}, axes=axis)
            else:
                sess = session(op, G.x.dtype, {"axis": axis})
            return bound(sess, G.x, G.out)
        return build

    return Competitor("onnxruntime", ort.__version__, {n: entry(s) for n, s in ONNX_OPS.items()},
                      {n: gentry(op) for n, op in ONNX_GUFUNCS.items()},
                      title="onnxruntime (1 thread)")


# ---- fastact with threads ------------------------------------------------------------
def _fastact_mt_competitor(threads=None):
    """fastact's ufuncs with fastact.set_num_threads(threads): only sizes that are split."""
    from fastact._ufuncs import MIN_PER_THREAD

    n = threads or fastact._ufuncs.usable_cpus()

    def entry(u):
        return lambda A, p: (lambda uf=FA_UFUNCS[u.name], args=_fastact_args(u, A), out=A.out:
                             uf(*args, out=out))

    return Competitor("fastact-mt", fastact.__version__,
                      {u.name: entry(u) for u in _table.UFUNCS if u.name in FA_UFUNCS},
                      threads=n, prepare=lambda: fastact.set_num_threads(n),
                      title=f"fastact ({n} threads)", min_size=2 * MIN_PER_THREAD)


_FACTORIES = {
    "numpy": ("numpy", _numpy_competitor),
    "scipy": ("scipy", _scipy_competitor),
    "numexpr": ("numexpr", _numexpr_competitor),
    "torch": ("torch", _torch_competitors),
    "onnxruntime": ("onnxruntime", _onnxruntime_competitor),
    "fastact-mt": ("fastact", _fastact_mt_competitor),
}


def load_competitors(wanted=None, log=None, threads=None):
    """The installed competitors (``wanted``: labels from COMPETITORS; None: all).

    ``threads``: fastact-mt's thread count (None: every usable CPU; with one
    usable CPU fastact-mt is then left out unless asked for by name)."""
    wanted = COMPETITORS if wanted is None else tuple(wanted)
    unknown = set(wanted) - set(COMPETITORS)
    if unknown:
        raise ValueError(f"unknown competitor(s) {sorted(unknown)}; choose from {COMPETITORS}")
    explicit = wanted is not COMPETITORS
    out = []
    for key, (module, factory) in _FACTORIES.items():
        labels = ("torch", "torch-mt") if key == "torch" else (key,)
        if not set(labels) & set(wanted):
            continue
        if key == "onnxruntime" and importlib.util.find_spec("onnx") is None:
            module = "onnx"
        if importlib.util.find_spec(module) is None:
            if log:
                log(f"{key}: not installed, skipped")
            continue
        if key == "fastact-mt":
            if not fastact._ufuncs.THREADS_AVAILABLE or (
                    threads is None and fastact._ufuncs.usable_cpus() < 2 and not explicit):
                if log:
                    log("fastact-mt: no threads (build or CPUs), skipped")
                continue
            out.append(factory(threads))
            continue
        try:
            made = factory()
        except Exception as e:  # a broken install must not stop the benchmark
            if log:
                log(f"{key}: import failed ({type(e).__name__}: {e}), skipped")
            continue
        out += [c for c in (made if isinstance(made, list) else [made]) if c.label in wanted]
    order = {label: i for i, label in enumerate(COMPETITORS)}
    return sorted(out, key=lambda c: order[c.label])


# =============================================================================
# Timing
# =============================================================================
def _batch(fn, number):
    """Seconds for ``number`` back-to-back calls."""
    it = itertools.repeat(None, number)
    t0 = time.perf_counter()
    for _ in it:
        fn()
    return time.perf_counter() - t0


def time_interleaved(candidates, repeat, min_time, warmup=2):
    """Time ``candidates`` ({key: (prepare, fn)}) round-robin.

    Each candidate is warmed up and calibrated to a batch of at least
    ``min_time`` seconds; then ``repeat`` rounds time one batch of each,
    rotating the starting candidate.  Every batch is preceded by the
    candidate's ``prepare()`` and one untimed call.  Returns {key: {"median": s, "times": [...],
    "number": n}} with per-call seconds.
    """
    keys = list(candidates)
    number = {}
    gc_was_enabled = gc.isenabled()
    gc.disable()
    try:
        for k in keys:
            prepare, fn = candidates[k]
            prepare()
            for _ in range(max(1, warmup)):
                fn()
            n = 1
            while True:
                t = _batch(fn, n)
                if t >= min_time / 8 or n >= 1 << 22:
                    break
                n *= 8
            number[k] = max(1, math.ceil(n * min_time / t)) if t > 0 else n
        times = {k: [] for k in keys}
        for r in range(repeat):
            start = r % len(keys)
            for k in keys[start:] + keys[:start]:
                prepare, fn = candidates[k]
                prepare()
                fn()  # untimed: a thread pool resized by prepare() (torch: ~3 ms) settles first
                times[k].append(_batch(fn, number[k]) / number[k])
    finally:
        if gc_was_enabled:
            gc.enable()
    return {k: {"median": statistics.median(times[k]), "times": times[k], "number": number[k]}
            for k in keys}


# =============================================================================
# Selection
# =============================================================================
def select(only=(), roles=ROLES):
    """(elementwise ufunc rows, gufunc names) selected by ``only`` and ``roles``.

    A name in ``only`` may be an activation (all its ufuncs of the selected
    roles), an exact ufunc name (taken whatever its role), an alias (silu),
    or a gufunc name.
    """
    rows = [u for u in _table.UFUNCS if u.role in roles and u.name in FA_UFUNCS]
    gnames = list(FA_GUFUNCS)
    if not only:
        return rows, gnames
    names = set()
    for token in only:
        for name in filter(None, (s.strip() for s in token.split(","))):
            names.add(_table.ALIASES.get(name, name))
    acts = {a.name for a in _table.ACTIVATIONS}
    known = acts | set(FA_UFUNCS) | set(FA_GUFUNCS)
    unknown = sorted(names - known)
    if unknown:
        raise ValueError(f"unknown function(s) {unknown}; see `python -m fastact info`")
    rows = [u for u in _table.UFUNCS if u.name in FA_UFUNCS
            and (u.name in names or (u.act.name in names and u.role in roles))]
    return rows, [g for g in gnames if g in names]


# =============================================================================
# Running
# =============================================================================
def _rel_tolerance(dtype):
    return 2e-4 if np.dtype(dtype) == np.float32 else 1e-7


def _result_array(res, default):
    """The array a call produced: its return value, or ``default`` (its out=)."""
    if res is None or isinstance(res, tuple):
        return default
    if hasattr(res, "numpy"):
        res = res.numpy()
    return res if isinstance(res, np.ndarray) else default


def _mismatch(got, ref, dtype):
    """None if ``got`` agrees with fastact's ``ref``, else a short description."""
    got = np.asarray(got, dtype=np.float64)
    ref = np.asarray(ref, dtype=np.float64)
    if got.shape != ref.shape:
        return f"shape {got.shape} != {ref.shape}"
    tol = _rel_tolerance(dtype)
    scale = max(1.0, float(np.nanmax(np.abs(ref))) if ref.size else 1.0)
    bad = ~np.isclose(got, ref, rtol=tol, atol=tol * scale * 0.01, equal_nan=True)
    if not bad.any():
        return None
    i = int(np.flatnonzero(bad.ravel())[0])
    return (f"{int(bad.sum())} of {bad.size} values differ, e.g. {got.ravel()[i]!r} vs "
            f"fastact {ref.ravel()[i]!r}")


def _build_candidates(builders, ref, out, dtype, check, skipped, where):
    """{label: (prepare, call)} of the competitors that build and agree with ``ref``."""
    cands = {}
    for comp, build in builders:
        try:
            fn = build()
            out.fill(np.nan)
            res = fn()
        except Exception as e:
            skipped.append(dict(where, competitor=comp.label, reason=f"{type(e).__name__}: {e}"[:200]))
            continue
        if check:
            why = _mismatch(_result_array(res, out), ref, dtype)
            if why:
                skipped.append(dict(where, competitor=comp.label, reason="result differs: " + why))
                continue
        cands[comp.label] = (comp.prepare, fn)
    return cands


def _meta(competitors):
    def cpu_model():
        try:
            with open("/proc/cpuinfo") as f:
                for line in f:
                    if line.startswith("model name"):
                        return line.split(":", 1)[1].strip()
        except OSError:
            pass
        return platform.processor() or platform.machine()

    try:
        usable = len(os.sched_getaffinity(0))
    except AttributeError:
        usable = os.cpu_count()
    versions = {name: _version(name) for name in
                ("numpy", "scipy", "numexpr", "torch", "onnxruntime", "onnx")}
    versions["fastact"] = fastact.__version__
    return {
        "fastact_commit": _git_commit(),
        "loadavg_start": _loadavg(),
        "date": datetime.datetime.now().astimezone().isoformat(timespec="seconds"),
        "cpu": cpu_model(),
        "cores": os.cpu_count(),
        "cores_usable": usable,
        "machine": platform.machine(),
        "system": platform.platform(),
        "python": platform.python_version(),
        "fastact_isa": fastact.get_isa(),
        "versions": versions,
        "competitors": {c.label: {"title": c.title, "version": c.version, "threads": c.threads}
                        for c in competitors},
    }


def _git_commit():
    """The commit of the fastact checkout being timed, if it is one (else None)."""
    import subprocess
    root = os.path.dirname(os.path.dirname(os.path.abspath(fastact.__file__)))
    try:
        r = subprocess.run(["git", "-C", root, "describe", "--always", "--dirty", "--abbrev=12"],
                           capture_output=True, text=True, timeout=10)
    except (OSError, subprocess.SubprocessError):
        return None
    return (r.stdout.strip() or None) if r.returncode == 0 else None


def _loadavg():
    """1-minute load average (a busy shared machine makes every number noisy)."""
    try:
        return round(os.getloadavg()[0], 2)
    except (AttributeError, OSError):
        return None


def _version(dist):
    try:
        return importlib.metadata.version(dist)
    except importlib.metadata.PackageNotFoundError:
        return None


def run(config: Config | None = None, log=None):
    """Run the benchmark; returns a JSON-able dict (see ``markdown`` to render it).

    ``log``: a callable receiving progress lines (e.g. print to stderr).
    """
    config = config or Config()
    log = log or (lambda msg: None)
    rows, gnames = select(config.only, config.roles)
    competitors = load_competitors(config.competitors, log, config.threads)
    report = {"meta": _meta(competitors), "config": asdict(config),
              "elementwise": [], "softmax": [], "floors": [], "overhead": [], "skipped": []}
    threads_before = fastact.set_num_threads(1)  # the fastact column: 1 thread
    try:
        _run_all(report, config, rows, gnames, competitors, log)
    finally:
        fastact.set_num_threads(threads_before)
    report["meta"]["loadavg_end"] = _loadavg()
    return report


def _run_all(report, config, rows, gnames, competitors, log):
    with np.errstate(all="ignore"):
        for dtype in config.dtypes:
            for size in (config.sizes if rows else ()):
                log(f"{dtype} n={size:.0e}: {len(rows)} ufuncs")
                _run_elementwise(report, config, rows, competitors, np.dtype(dtype), size)
            if config.overhead and rows:
                log(f"{dtype}: call overhead on {OVERHEAD_SIZE} elements")
                _run_overhead(report, config, rows, np.dtype(dtype))
            if gnames:
                log(f"{dtype}: softmax family {config.softmax_shape}")
                _run_softmax(report, config, gnames, competitors, np.dtype(dtype))


def _noop():
    pass


def _run_elementwise(report, config, rows, competitors, dtype, size):
    A = Arrays(dtype, (size,), config.seed)
    if config.floors:
        x, out = A.x, A.out
        res = time_interleaved({"np.copyto": (_noop, lambda: np.copyto(out, x)),
                                "np.negative": (_noop, lambda: np.negative(x, out=out))},
                               config.repeat, config.min_time, config.warmup)
        for k, r in res.items():
            report["floors"].append({"floor": k, "dtype": dtype.name, "size": size,
                                     "median_s": r["median"], "times_s": r["times"],
                                     "number": r["number"]})
    ref = np.empty_like(A.out)
    for u in rows:
        where = {"name": u.name, "dtype": dtype.name, "size": size}
        uf, args = FA_UFUNCS[u.name], _fastact_args(u, A)
        uf(*args, out=ref)
        params = _param_values(u)
        builders = [(_FASTACT, lambda uf=uf, args=args, out=A.out: (lambda: uf(*args, out=out)))]
        builders += [(c, (lambda b: lambda: b(A, params))(c.elementwise[u.name]))
                     for c in competitors if u.name in c.elementwise and size >= c.min_size]
        cands = _build_candidates(builders, ref, A.out, dtype, config.check,
                                  report["skipped"], where)
        res = time_interleaved(cands, config.repeat, config.min_time, config.warmup)
        for label, r in res.items():
            report["elementwise"].append(dict(
                where, activation=u.act.name, role=u.role, competitor=label,
                arrays=len(_array_names(u)), median_s=r["median"], times_s=r["times"],
                number=r["number"]))


def _run_overhead(report, config, rows, dtype):
    A = Arrays(dtype, (OVERHEAD_SIZE,), config.seed)
    x, out = A.x, A.out
    for u in rows:
        uf, args = FA_UFUNCS[u.name], _fastact_args(u, A)
        res = time_interleaved({"fastact": (_noop, lambda: uf(*args, out=out)),
                                "np.negative": (_noop, lambda: np.negative(x, out=out))},
                               config.repeat, config.min_time, config.warmup)
        report["overhead"].append({
            "name": u.name, "dtype": dtype.name, "size": OVERHEAD_SIZE,
            "fastact_s": res["fastact"]["median"], "negative_s": res["np.negative"]["median"],
            "fastact_times_s": res["fastact"]["times"], "negative_times_s": res["np.negative"]["times"]})


class _GufuncOperands:
    """x, dy, y (the base function's output, for NAME_backward) and out for a gufunc.

    ``NAME_backward`` takes the forward *output* first: ``softmax_backward(y, dy)``
    = y (dy - sum(dy y)), ``log_softmax_backward(y, dy)`` = dy - exp(y) sum(dy).
    ``glu_backward(dy, x)`` takes the input, and dy of the halved shape.

    Every array is C-contiguous whatever the axis.  A gufunc called with
    ``axis=0`` allocates its result with the core axis innermost in memory
    (Fortran order for a matrix); such an array must not become the shared
    ``out``: ``torch.from_numpy`` views of it carry those strides, and torch's
    softmax ``out=`` kernels and onnxruntime's IO binding (a bare pointer and
    a shape) write C-order data into it, so their results came out scrambled.
    """

    def __init__(self, name, dtype, shape, axis, seed):
        A = Arrays(dtype, shape, seed)
        self.x, self.dy, self.y = A.x, A.dy, None
        g = _with_axis(FA_GUFUNCS[name])
        if name == "glu_backward":
            self.dy = np.ascontiguousarray(_halves(A.dy, axis)[0])
            self.args = (self.dy, self.x)
        elif g.nin == 1:
            self.args = (self.x,)
        elif g.nin == 2 and name.endswith("_backward") and name[:-9] in FA_GUFUNCS:
            self.y = np.ascontiguousarray(_with_axis(FA_GUFUNCS[name[:-9]])(self.x, axis=axis))
            self.args = (self.y, self.dy)
        else:
            raise NotImplementedError(f"no operand convention for gufunc {name} (nin={g.nin})")
        self.ref = g(*self.args, axis=axis)
        self.out = np.empty(self.ref.shape, self.ref.dtype)   # C order, as the inputs


def _with_axis(g):
    """the gufunc, callable with axis= (GLU's, with two core dimensions: its AxisGufunc)"""
    return AxisGufunc(g) if isinstance(g, np.ufunc) and has_distinct_core_dims(g) else g


def _run_softmax(report, config, gnames, competitors, dtype):
    for name in gnames:
        g = _with_axis(FA_GUFUNCS[name])
        for axis in config.softmax_axes:
            where = {"name": name, "dtype": dtype.name, "shape": list(config.softmax_shape),
                     "axis": axis}
            try:
                G = _GufuncOperands(name, dtype, config.softmax_shape, axis, config.seed)
            except Exception as e:
                report["skipped"].append(dict(where, competitor="fastact", reason=str(e)))
                continue
            builders = [(_FASTACT, lambda G=G, axis=axis: (lambda: g(*G.args, axis=axis, out=G.out)))]
            builders += [(c, (lambda b: lambda: b(G, axis))(c.gufunc[name]))
                         for c in competitors if name in c.gufunc]
            cands = _build_candidates(builders, G.ref, G.out, dtype, config.check,
                                      report["skipped"], where)
            res = time_interleaved(cands, config.repeat, config.min_time, config.warmup)
            for label, r in res.items():
                report["softmax"].append(dict(where, competitor=label, size=G.x.size,
                                              median_s=r["median"], times_s=r["times"],
                                              number=r["number"]))


_FASTACT = Competitor("fastact", fastact.__version__, prepare=lambda: fastact.set_num_threads(1))


# =============================================================================
# Rendering
# =============================================================================
def _fmt(v, digits=3):
    return "-" if v is None else f"{v:.{digits}g}"


def _columns(report):
    comps = report["meta"]["competitors"]
    return list(comps), {k: c["title"] for k, c in comps.items()}, \
        {k for k, c in comps.items() if c["threads"] == 1}


def _table_md(header, rows):
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    lines += ["| " + " | ".join(r) + " |" for r in rows]
    return "\n".join(lines)


def _size_text(n):
    e = math.log10(n) if n > 0 else 0
    return f"10^{int(e)}" if e == int(e) else str(n)


STATS = ("median", "min")


def _stat(times, stat):
    return statistics.median(times) if stat == "median" else min(times)


def markdown(report, stat="median"):
    """Render a report (as returned by ``run`` or read back from its JSON) as markdown.

    ``stat``: "median" (the default) or "min" of the rounds' per-call times;
    the minimum is the better estimate when the machine is busy.
    """
    if stat not in STATS:
        raise ValueError(f"stat must be one of {STATS}")
    m = report["meta"]
    labels, titles, single = _columns(report)
    v = m["versions"]
    lines = [
        "# fastact benchmark",
        "",
        f"- {m['date']}; CPU: {m['cpu']} ({m['cores']} cores, {m['cores_usable']} usable); "
        f"{m['system']}; Python {m['python']}; load average {m.get('loadavg_start')} at the "
        f"start, {m.get('loadavg_end')} at the end",
        "; ".join([f"- fastact {v['fastact']} ({m.get('fastact_commit') or 'not a git checkout'}), "
                   f"SIMD level **{m['fastact_isa']}**", f"numpy {v['numpy']}"]
                  + [f"{c['title']} {c['version']}" for k, c in m["competitors"].items()
                     if k != "numpy"]),
        f"- ns per element, {stat} of {report['config']['repeat']} rounds; competitors "
        "interleaved round-robin, each batch >= "
        f"{report['config']['min_time'] * 1e3:g} ms; outputs preallocated (out=) wherever "
        "the library allows. best = the fastest single-threaded competitor; "
        "best/fastact > 1 means fastact is faster. % copy BW (from "
        f"{_size_text(BANDWIDTH_MIN_SIZE)} elements) = fastact's bandwidth, bytes read + "
        "written, as a fraction of np.copyto's at that size.",
        "",
    ]
    floors = {(f["dtype"], f["size"], f["floor"]): _stat(f["times_s"], stat) for f in report["floors"]}
    groups = {}
    for r in report["elementwise"]:
        groups.setdefault((r["dtype"], r["size"]), {}).setdefault(r["name"], {})[r["competitor"]] = r
    for (dtype, size), by_name in groups.items():
        itemsize = np.dtype(dtype).itemsize
        cp, neg = floors.get((dtype, size, "np.copyto")), floors.get((dtype, size, "np.negative"))
        head = f"## {dtype}, {_size_text(size)} elements"
        show_bw = cp and size >= BANDWIDTH_MIN_SIZE
        if cp:
            head += (f" (floors: np.copyto {cp / size * 1e9:.3g} ns = "
                     f"{2 * size * itemsize / cp / 1e9:.3g} GB/s; np.negative {neg / size * 1e9:.3g} ns)")
        cols = [c for c in labels if any(c in d for d in by_name.values())]
        header = ["function", "fastact"] + [titles[c] for c in cols] + ["best", "best/fastact"]
        header += ["% copy BW"] if show_bw else []
        rows = []
        for name, d in by_name.items():
            sec = {c: _stat(d[c]["times_s"], stat) for c in d}
            ns = {c: sec[c] / size * 1e9 for c in d}
            fa = ns.get("fastact")
            best = min((c for c in cols if c in ns and c in single), key=ns.get, default=None)
            row = [name, _fmt(fa)] + [_fmt(ns.get(c)) for c in cols]
            row += [titles[best].split(" (")[0] if best else "-",
                    f"{ns[best] / fa:.2f}" if best and fa else "-"]
            if show_bw:
                nbytes = (d["fastact"]["arrays"] + 1) * size * itemsize
                row.append(f"{100 * (nbytes / sec['fastact']) / (2 * size * itemsize / cp):.0f}%"
                           if fa else "-")
            rows.append(row)
        lines += [head, "", _table_md(header, rows), ""]

    sm = {}
    for r in report["softmax"]:
        sm.setdefault(r["dtype"], {}).setdefault((r["name"], r["axis"]), {})[r["competitor"]] = r
    for dtype, by_case in sm.items():
        shape = report["config"]["softmax_shape"]
        cols = [c for c in labels if any(c in d for d in by_case.values())]
        header = ["function", "axis", "fastact"] + [titles[c] for c in cols] + ["best", "best/fastact"]
        rows = []
        for (name, axis), d in by_case.items():
            ns = {c: _stat(d[c]["times_s"], stat) / d[c]["size"] * 1e9 for c in d}
            fa = ns.get("fastact")
            best = min((c for c in cols if c in ns and c in single), key=ns.get, default=None)
            rows.append([name, str(axis), _fmt(fa)] + [_fmt(ns.get(c)) for c in cols]
                        + [titles[best].split(" (")[0] if best else "-",
                           f"{ns[best] / fa:.2f}" if best and fa else "-"])
        lines += [f"## softmax family, {dtype}, shape {tuple(shape)} (ns per element)", "",
                  _table_md(header, rows), ""]

    ov = {}
    for r in report["overhead"]:
        ov.setdefault(r["dtype"], []).append(r)
    for dtype, rs in ov.items():
        rows = []
        for r in rs:
            fa, neg = _stat(r["fastact_times_s"], stat), _stat(r["negative_times_s"], stat)
            rows.append([r["name"], f"{fa * 1e6:.3f}", f"{neg * 1e6:.3f}", f"{fa / neg:.2f}"])
        lines += [f"## call overhead, {dtype}, {OVERHEAD_SIZE} elements (us per call, out= given)", "",
                  _table_md(["function", "fastact", "np.negative", "fastact/np.negative"], rows), ""]

    if report["skipped"]:
        lines += ["## not timed (no such function, or a result that differs from fastact's)", ""]
        merged = {}  # the same reason at several sizes or axes: one line
        for s in report["skipped"]:
            key = (s["competitor"], s["name"], s["dtype"], s["reason"])
            merged.setdefault(key, []).append(str(s.get("size", s.get("axis"))))
        for (comp, name, dtype, reason), where in merged.items():
            lines.append(f"- {comp}, {name}, {dtype} ({', '.join(where)}): {reason}")
        lines.append("")
    return "\n".join(lines)


def write_json(report, path):
    import json
    with open(path, "w") as f:
        json.dump(report, f, indent=1)
        f.write("\n")


def default_log(msg):
    print(f"[fastact.bench] {msg}", file=sys.stderr, flush=True)
