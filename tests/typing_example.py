"""A small user program that mypy checks against fastact's stubs (tests/test_typing.py).

It also runs: test_typing.py executes it, so every line here is real usage.
"""
from __future__ import annotations

import pickle
from typing import Any

import numpy as np
from numpy.typing import NDArray

import fastact as fa
from fastact import ufuncs

x: NDArray[np.float32] = np.linspace(-4, 4, 9, dtype=np.float32)
dy = np.ones_like(x)

# plain ufuncs: np.ufunc, with every ufunc keyword and method
f: np.ufunc = fa.hswish
y = fa.hswish(x)
fa.sigmoid(x, out=np.empty_like(x))
fa.relu(x, where=x > 0, out=np.zeros_like(x))
fa.tanh_grad(x, dtype=np.float64)
g = fa.relu_backward(dy, x)
m = fa.prelu.reduce(np.ones((3, 4), np.float32), axis=0)
nin: int = fa.prelu.nin

# the wrappers with defaults: positional parameters, ufunc keywords pass through
w: fa.DefaultsUfunc = fa.leaky_relu
fa.leaky_relu(x)
fa.leaky_relu(x, 0.02)
fa.leaky_relu(x, np.full((1,), 0.02, np.float32), out=np.empty_like(x), casting="same_kind")
fa.softplus(x, 1.0, 20.0)
fa.hardtanh(x, -2.0, 2.0, dtype=np.float64)
fa.elu_backward_from_output(dy, fa.elu(x))
u: np.ufunc = fa.leaky_relu.ufunc
assert u is ufuncs.leaky_relu
nargs: Any = fa.swish.nargs          # ufunc attributes through the wrapper
assert fa.silu is fa.swish

# the softmax gufuncs
p = fa.softmax(np.ones((2, 3)), axis=-1)
lse = fa.logsumexp(np.ones((2, 3)), axis=1, keepdims=True)

# training helpers
yt, slopes = fa.rrelu_train(x, rng=np.random.default_rng(0))
ga = fa.prelu_weight_grad(dy, x, np.full(1, 0.25, np.float32))

# the SIMD level
level: str = fa.get_isa()
levels: tuple[str, ...] = fa.ISA_LEVELS
ok: bool = fa.isa_supported("baseline")
version: str = fa.__version__

assert pickle.loads(pickle.dumps(fa.leaky_relu)) is fa.leaky_relu
