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


# ---- the modern set -------------------------------------------------------
SELU_ALPHA = Decimal("1.6732632423543772848170429916717")
SELU_SCALE = Decimal("1.0507009873554804934193349852946")


def _mp():
    import mpmath

    mpmath.mp.prec = 200
    return mpmath


def gelu(x):
    if _isnan(x):
        return x
    if abs(x) > 40:  # |gelu(x) - max(x, 0)| < 1e-340 there
        return x if x > 0 else -0.0
    if x == 0:
        return x * 0.5
    mp = _mp()
    X = mp.mpf(x)
    return float(X * mp.erfc(-X / mp.sqrt(2)) / 2)


def gelu_grad(x):
    if _isnan(x):
        return x
    if abs(x) > 40:
        return 1.0 if x > 0 else -0.0
    mp = _mp()
    X = mp.mpf(x)
    return float(mp.erfc(-X / mp.sqrt(2)) / 2 + X * mp.exp(-X * X / 2) / mp.sqrt(2 * mp.pi))


def _gelu_tanh_z(mp, X):
    return 2 * mp.sqrt(2 / mp.pi) * (X + mp.mpf("0.044715") * X**3)


def gelu_tanh(x):
    if _isnan(x):
        return x
    if math.isinf(x):
        return x if x > 0 else 0.0
    if x == 0:
        return x * 0.5
    mp = _mp()
    X = mp.mpf(x)
    return float(X / (1 + mp.exp(-_gelu_tanh_z(mp, X))))


def gelu_tanh_grad(x):
    if _isnan(x):
        return x
    if math.isinf(x) or abs(x) > 1e100:
        return 1.0 if x > 0 else 0.0
    mp = _mp()
    X = mp.mpf(x)
    z = _gelu_tanh_z(mp, X)
    s = 1 / (1 + mp.exp(-z))
    dz = 2 * mp.sqrt(2 / mp.pi) * (1 + 3 * mp.mpf("0.044715") * X * X)
    return float(s + X * s * (1 - s) * dz)


@_hp
def selu(x):
    if _isnan(x) or x == 0:
        return x if _isnan(x) else x * float(SELU_SCALE)
    if x > 0:
        return _f(SELU_SCALE * _D(x)) if math.isfinite(x) else x
    if math.isinf(x):
        return _f(-SELU_SCALE * SELU_ALPHA)
    return _f(SELU_SCALE * SELU_ALPHA * _expm1_d(_D(x)))


@_hp
def selu_grad(x):
    if _isnan(x):
        return x
    if x > 0:
        return _f(SELU_SCALE)
    if math.isinf(x):
        return 0.0
    return _f(SELU_SCALE * SELU_ALPHA * _exp(_D(x)))


@_hp
def celu(x, alpha):
    if _isnan(x) or x > 0:
        return x
    if _isnan(alpha):
        return NAN
    if alpha == 0:  # the limit alpha -> 0+: relu
        return math.copysign(0.0, x)
    if math.isinf(alpha):  # the limit |alpha| -> inf: the identity
        return x
    if math.isinf(x):  # alpha * expm1(-inf / alpha)
        return -alpha if alpha > 0 else alpha * INF
    if x == 0:
        return alpha * x
    return _f(_D(alpha) * _expm1_d(_D(x) / _D(alpha)))


@_hp
def celu_grad(x, alpha):
    if _isnan(x):
        return x
    if x > 0:
        return 1.0
    if _isnan(alpha):
        return NAN
    if alpha == 0:
        return 0.0
    if math.isinf(alpha):
        return 1.0
    if math.isinf(x):  # exp(-inf / alpha)
        return 0.0 if alpha > 0 else INF
    return _f(_exp(_D(x) / _D(alpha)))


def _ln(d):
    return d.ln(_CTX)


@_hp
def _softplus_d(z):
    """log(1 + exp(z)) for a finite Decimal z, without cancellation"""
    if z > 0:
        return z + _ln(1 + _exp(-z))
    e = _exp(z)
    if e < Decimal("1e-30"):  # log1p(e) = e - e^2/2 + ...
        return e - e * e / 2
    return _ln(1 + e)


@_hp
def softplus(x, beta, threshold):
    if _isnan(x) or _isnan(beta):
        return NAN
    z = 0.0 if beta == 0 else beta * x
    if z > threshold:
        return x
    if beta == 0:  # log(2) / (+-0)
        return math.copysign(INF, beta)
    if math.isinf(x):
        return x if z > 0 else 0.0
    return _f(_softplus_d(_D(beta) * _D(x)) / _D(beta))


@_hp
def softplus_grad(x, beta, threshold):
    if _isnan(x) or _isnan(beta):
        return NAN
    z = 0.0 if beta == 0 else beta * x
    if z > threshold:
        return 1.0
    if math.isinf(z):
        return 1.0 if z > 0 else 0.0
    if beta == 0:
        return 0.5
    return _f(_sigmoid_d(_D(beta) * _D(x)))


@_hp
def logsigmoid(x):
    if _isnan(x):
        return x
    if math.isinf(x):
        return x if x < 0 else 0.0
    return _f(-_softplus_d(-_D(x)))


@_hp
def logsigmoid_grad(x):
    if _isnan(x):
        return x
    if math.isinf(x):
        return 0.0 if x > 0 else 1.0
    return _f(_sigmoid_d(-_D(x)))


@_hp
def mish(x):
    if _isnan(x):
        return x
    if math.isinf(x):
        return x if x > 0 else 0.0
    if x == 0:
        return x * 0.6
    return _f(_D(x) * _tanh_d(_softplus_d(_D(x))))


@_hp
def mish_grad(x):
    if _isnan(x):
        return x
    if math.isinf(x):
        return 1.0 if x > 0 else 0.0
    d = _D(x)
    t = _tanh_d(_softplus_d(d))
    return _f(t + d * _sigmoid_d(d) * (1 - t * t))


def softsign(x):
    if _isnan(x):
        return x
    if math.isinf(x):
        return math.copysign(1.0, x)
    return _exact(Fraction(x) / (1 + abs(Fraction(x))))


def softsign_grad(x):
    if _isnan(x):
        return x
    if math.isinf(x):
        return 0.0
    return _exact(1 / (1 + abs(Fraction(x))) ** 2)


def hardsigmoid(x):
    if _isnan(x):
        return x
    if x <= -3:
        return 0.0
    if x >= 3:
        return 1.0
    return _exact((Fraction(x) + 3) / 6)


def hardsigmoid_grad(x):
    """1/6 correctly rounded to the dtype: the tests round this double once more,
    which gives the correctly rounded float32/float16 1/6 as well"""
    if _isnan(x):
        return x
    return 1.0 / 6.0 if -3 < x < 3 else 0.0


def hard_sigmoid(x, alpha, beta):
    if _isnan(x) or _isnan(alpha) or _isnan(beta):
        return NAN
    if alpha == 0:  # a constant, also at x = +-inf
        v = Fraction(beta) if math.isfinite(beta) else beta
    elif math.isinf(x):
        v = alpha * x + beta
    else:
        v = Fraction(alpha) * Fraction(x) + Fraction(beta)
    return 0.0 if v <= 0 else (1.0 if v >= 1 else _exact(v))


def hard_sigmoid_grad(x, alpha, beta):
    if _isnan(x) or _isnan(alpha) or _isnan(beta):
        return NAN
    if alpha == 0:
        v = beta
    else:
        v = alpha * x + beta if math.isinf(x) else Fraction(alpha) * Fraction(x) + Fraction(beta)
    return alpha if 0 < v < 1 else 0.0


def hardtanh(x, min_val, max_val):
    if _isnan(x):
        return x
    y = min_val if x < min_val else x
    return max_val if y > max_val else y


def hardtanh_grad(x, min_val, max_val):
    return x if _isnan(x) else (1.0 if min_val < x < max_val else 0.0)


@_hp
def tanhshrink(x):
    if _isnan(x):
        return x
    if math.isinf(x):
        return x
    d = _D(x)
    if abs(d) < Decimal("1e-10"):
        return _f(d**3 / 3)
    with localcontext(Context(prec=400, Emax=10**9, Emin=-(10**9), traps=[])):
        return _f(d - _tanh_d(d))


@_hp
def tanhshrink_grad(x):
    if _isnan(x):
        return x
    if math.isinf(x):
        return 1.0
    t = _tanh_d(_D(x))
    return _f(t * t)


def softshrink(x, lambd):
    if _isnan(x):
        return x
    if x > lambd:
        return x - lambd
    if x < -lambd:
        return x + lambd
    return 0.0


def _shrink_grad(x, lambd):
    return x if _isnan(x) else (1.0 if (x > lambd or x < -lambd) else 0.0)


softshrink_grad = hardshrink_grad = _shrink_grad


def hardshrink(x, lambd):
    if _isnan(x):
        return x
    return x if (x > lambd or x < -lambd) else 0.0


def threshold(x, threshold, value):
    return x if (_isnan(x) or x > threshold) else value


def threshold_grad(x, threshold, value):
    return x if _isnan(x) else (1.0 if x > threshold else 0.0)


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


# the softmax family (row functions on lists of floats) lives in its own module
from fastact._reference_softmax import (  # noqa: E402,F401
    log_softmax,
    log_softmax_backward,
    logsumexp,
    softmax,
    softmax_backward,
    softmin,
)
