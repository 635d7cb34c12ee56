"""Training-mode helpers built on the ufuncs: RReLU's random slopes, PReLU's slope gradient."""
import numpy as np


def rrelu_train(x, lower=0.125, upper=1.0 / 3.0, *, rng):
    """RReLU in training mode, as PyTorch's ``F.rrelu(x, lower, upper, training=True)``.

    Draws one slope per element, ``a ~ U(lower, upper)``, from ``rng`` (a
    ``numpy.random.Generator``, or a seed for ``numpy.random.default_rng``)
    and returns ``(y, a)`` with ``y = x if x > 0 else a * x``.  ``a`` has x's
    shape and dtype and is 1 where ``x > 0`` (PyTorch's "noise"), so that the
    backward pass is ``fastact.prelu_backward(dy, x, a)``.  In inference use
    ``fastact.rrelu(x, lower, upper)``: the mean slope ``(lower + upper) / 2``.

    The other classic form, ``x / a`` with ``a ~ U(3, 8)``, is
    ``fastact.prelu(x, 1 / rng.uniform(3, 8, x.shape))``.

    Raises ValueError unless ``lower <= upper`` (both finite).
    """
    from fastact import prelu

    lower, upper = float(lower), float(upper)
    if not (np.isfinite(lower) and np.isfinite(upper) and lower <= upper):
        raise ValueError(f"rrelu_train needs finite lower <= upper, got lower={lower}, upper={upper}")
    rng = np.random.default_rng(rng)
    x = np.asarray(x)
    dtype = prelu(x.ravel()[:0], x.ravel()[:0]).dtype  # the loop NumPy picks (TypeError if none)
    a = rng.uniform(lower, upper, size=x.shape).astype(dtype)
    np.copyto(a, 1, where=x > 0)
    return prelu(x, a), a


def prelu_weight_grad(dy, x, a):
    """Gradient of PReLU with respect to its slope ``a``, reduced to ``a``'s shape.

    ``prelu_backward_a(dy, x, a)`` summed over every axis along which ``a``
    was broadcast against ``x`` (PyTorch's ``weight.grad`` for nn.PReLU).
    """
    from fastact import prelu_backward_a

    a = np.asarray(a)
    g = prelu_backward_a(dy, x, a)
    lead = g.ndim - a.ndim
    g = g.sum(axis=tuple(range(lead))) if lead else g
    axes = tuple(i for i, n in enumerate(a.shape) if n == 1 and g.shape[i] != 1)
    return g.sum(axis=axes, keepdims=True) if axes else g
