"""Pure-Python scalar references of every fastact function, for the tests.

Written for clarity, not speed: one Python float in, one out.  Rational
functions (the relu family, hardswish, the from-output derivatives) are
evaluated exactly with fractions.Fraction; transcendental ones with the
standard library's decimal module at 60 significant digits.  Either way the
float returned is the correctly rounded value (to float64; the tests round
that once more to float32 or float16), so the ULP distance the tests measure
is the kernel's own error.

Each function is named after its ufunc.  Backward passes are not listed:
NAME_backward(dy, x, *p) is dy * NAME_grad(x, *p) (see ``backward``).
Special values follow the semantics table of the README: NaN in -> NaN out,
the mathematical limits at +-inf, PyTorch autograd's values at kinks.
"""
import math
import functools
from decimal import Context, Decimal, localcontext
from fractions import Fraction

NAN = math.nan
INF = math.inf
_CTX = Context(prec=60, Emax=10**9, Emin=-(10**9), traps=[])


def _isnan(x):
    return x != x


def _exact(f):
    """Round an exact Fraction (or float) to the nearest float."""
    try:
        return float(f)
    except OverflowError:
        return INF if f > 0 else -INF


def _D(x):
    return Decimal(x)


def _hp(f):
    """evaluate f's Decimal arithmetic at 60 digits, without traps"""

    @functools.wraps(f)
    def g(*args):
        with localcontext(_CTX):
            return f(*args)

    return g


def _exp(d):
    return d.exp(_CTX)


def _f(d):
    return float(d)


# ---- piecewise linear -----------------------------------------------------
def binary_step(x):
    return x if _isnan(x) else (1.0 if x >= 0 else 0.0)


def binary_step_grad(x):
    return x if _isnan(x) else 0.0


def identity(x):
    return x


def identity_grad(x):
    return x if _isnan(x) else 1.0


def linear(x, c):
    return c * x


def linear_grad(x, c):
    return x if _isnan(x) else c


def relu(x):
    return x if (_isnan(x) or x > 0) else 0.0


def relu_grad(x):
    return x if _isnan(x) else (1.0 if x > 0 else 0.0)


def leaky_relu(x, alpha):
    return x if x > 0 else alpha * x


def leaky_relu_grad(x, alpha):
    return x if _isnan(x) else (1.0 if x > 0 else alpha)


prelu = leaky_relu
prelu_grad = leaky_relu_grad


def prelu_grad_a(x, a):
    return 0.0 if x > 0 else x


def _mean_slope(lower, upper):
    if math.isfinite(lower) and math.isfinite(upper):
        return (Fraction(lower) + Fraction(upper)) / 2
    return (lower + upper) / 2


def rrelu(x, lower, upper):
    if _isnan(x) or x > 0:
        return x
    m = _mean_slope(lower, upper)
    if not math.isfinite(x) or isinstance(m, float):
        return x * float(m)
    return _exact(Fraction(x) * m)


def rrelu_grad(x, lower, upper):
    return x if _isnan(x) else (1.0 if x > 0 else _exact(_mean_slope(lower, upper)))


def relu6(x):
    if _isnan(x):
        return x
    return 0.0 if x <= 0 else (6.0 if x > 6 else x)


def relu6_grad(x):
    return x if _isnan(x) else (1.0 if 0 < x < 6 else 0.0)


def leaky_relu6(x, alpha):
    return min(x, 6.0) if x > 0 else alpha * x


def leaky_relu6_grad(x, alpha):
    if _isnan(x):
        return x
    return alpha if x <= 0 else (1.0 if x < 6 else 0.0)


def hardswish(x):
    if _isnan(x):
        return x
    if x <= -3:
        return 0.0
    if x >= 3:
        return x
    return _exact(Fraction(x) * (Fraction(x) + 3) / 6)


def hardswish_grad(x):
    if _isnan(x):
        return x
    if x <= -3:
        return 0.0
    if x >= 3:
        return 1.0
    return _exact((2 * Fraction(x) + 3) / 6)


# ---- sigmoid family -------------------------------------------------------
def _sigmoid_d(d):
    """sigmoid of a finite Decimal, as a Decimal"""
    return 1 / (1 + _exp(-d))


@_hp
def sigmoid(x):
    if _isnan(x):
        return x
    if math.isinf(x):
        return 1.0 if x > 0 else 0.0
    return _f(_sigmoid_d(_D(x)))


@_hp
def sigmoid_grad(x):
    if _isnan(x):
        return x
    if math.isinf(x):
        return 0.0
    e = _exp(-abs(_D(x)))
    return _f(e / ((1 + e) * (1 + e)))


def sigmoid_grad_from_output(y):
    if not math.isfinite(y):
        return y * (1 - y)
    return _exact(Fraction(y) * (1 - Fraction(y)))


def _tanh_d(d):
    """tanh of a finite Decimal"""
    if abs(d) < Decimal("1e-15"):  # the series: no cancellation in exp(2x) - 1
        return d - d * d * d / 3 + 2 * d**5 / 15
    e = _exp(-2 * abs(d))
    t = (1 - e) / (1 + e)
    return t if d > 0 else -t


@_hp
def tanh(x):
    if _isnan(x) or x == 0:
        return x
    if math.isinf(x):
        return math.copysign(1.0, x)
    return _f(_tanh_d(_D(x)))


@_hp
def tanh_grad(x):
    if _isnan(x):
        return x
    if math.isinf(x):
        return 0.0
    e = _exp(-2 * abs(_D(x)))
    return _f(4 * e / ((1 + e) * (1 + e)))


def tanh_grad_from_output(y):
    if not math.isfinite(y):
        return (1 - y) * (1 + y)
    return _exact((1 - Fraction(y)) * (1 + Fraction(y)))


# ---- exponential family ---------------------------------------------------
def _expm1_d(d):
    if abs(d) < Decimal("1e-20"):
        return d + d * d / 2
    return _exp(d) - 1


@_hp
def elu(x, alpha):
    if _isnan(x) or x > 0:
        return x
    if math.isinf(x):
        return -alpha
    if x == 0:
        return alpha * x  # keeps the sign of zero
    return _f(_D(alpha) * _expm1_d(_D(x)))


@_hp
def elu_grad(x, alpha):
    if _isnan(x):
        return x
    if x > 0:
        return 1.0
    if math.isinf(x):
        return alpha * 0.0
    return _f(_D(alpha) * _exp(_D(x)))


def elu_grad_from_output(y, alpha):
    if _isnan(y) or y > 0:
        return y if _isnan(y) else 1.0
    if not (math.isfinite(y) and math.isfinite(alpha)):
        return y + alpha
    return _exact(Fraction(y) + Fraction(alpha))


@_hp
def swish(x, beta):
    if _isnan(x) or _isnan(beta):
        return NAN
    if x == 0:
        return x * 0.5
    if beta == 0:
        return x * 0.5
    if math.isinf(x) or math.isinf(beta):
        bx = beta * x
        return x if bx > 0 else math.copysign(0.0, x)
    return _f(_D(x) * _sigmoid_d(_D(beta) * _D(x)))


@_hp
def swish_grad(x, beta):
    if _isnan(x) or _isnan(beta):
        return NAN
    if beta == 0 or x == 0:
        return 0.5
    bx = beta * x
    if math.isinf(bx):
        return 1.0 if bx > 0 else 0.0
    d = _D(beta) * _D(x)
    s = _sigmoid_d(d)
    return _f(s + d * s * (1 - s))


# ---- helpers for the tests ------------------------------------------------
def backward(grad):
    """The reference of NAME_backward from the one of NAME_grad: dy * f'(x)."""

    def f(dy, x, *p):
        return dy * grad(x, *p)

    return f


def get(name):
    """The reference function of the ufunc `name` (backward ones derived)."""
    g = globals()
    if name in g and callable(g[name]):
        return g[name]
    for suffix, grad_suffix in (("_backward_from_output", "_grad_from_output"),
                                ("_backward_a", "_grad_a"), ("_backward", "_grad")):
        if name.endswith(suffix):
            return backward(g[name[: -len(suffix)] + grad_suffix])
    raise KeyError(f"no reference for {name!r}")
