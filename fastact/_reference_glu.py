"""Pure-Python references of GLU and its backward pass, for the tests.

Exact: every value is computed with mpmath at 300 bits (sigmoid(b) and
sigmoid'(b) = e / (1 + e)^2, e = exp(-|b|); their relative error is below
2^-290 for any float64 b), then rounded once, to nearest even, to the
dtype asked for (float64, float32 or float16), subnormals and overflow
included.  ``*_exact`` give the mpmath values themselves, to measure errors
in fractions of an ULP.

Rows: ``glu(xs)`` takes a list of 2n floats x = [a, b] and returns the n
values a_i * sigmoid(b_i); ``glu_backward(dys, xs)`` takes n and 2n floats
and returns the 2n values [dy_i * s_i, dy_i * a_i * s_i (1 - s_i)].

Special values follow fastact's semantics (the glu docstring): NaN in an
operand that the output depends on -> NaN (dy * sigmoid(b) does not depend
on a); sigmoid(+inf) = 1, sigmoid(-inf) = 0 and sigmoid'(+-inf) = 0 are the
limits, and then the IEEE arithmetic of the product: inf * 0 -> NaN, the
sign of a zero is the product of the signs.
"""
import math

__all__ = ["glu", "glu_backward", "glu_exact", "glu_backward_exact", "round_to", "FORMATS"]

NAN = math.nan
INF = math.inf

# (significant bits, minimum normal exponent, maximum exponent) of each dtype, by name
FORMATS = {"float64": (53, -1022, 1023), "float32": (24, -126, 127), "float16": (11, -14, 15)}


def _mp():
    import mpmath

    mpmath.mp.prec = 300
    return mpmath


def _sign(v):
    """-1.0 or 1.0: the sign bit of a float (of -0.0 too)."""
    return math.copysign(1.0, v)


def round_to(v, dtype="float64"):
    """An mpmath value (or a float, inf, nan) rounded once, to nearest even, to the
    dtype (its name or a numpy dtype), as a Python float (exactly the dtype's value)."""
    if isinstance(v, float):
        if not math.isfinite(v) or v == 0:
            return v
        v = _mp().mpf(v)
    name = getattr(dtype, "name", None) or getattr(dtype, "__name__", None) or str(dtype)
    p, emin, emax = FORMATS[name]
    mp = _mp()
    if mp.isnan(v):
        return NAN
    if mp.isinf(v):
        return INF if v > 0 else -INF
    sign, man, exp, bc = v._mpf_  # v = (-1)^sign man 2^exp
    s = -1.0 if sign else 1.0
    if man == 0:
        return s * 0.0
    top = exp + bc - 1                 # floor(log2 |v|)
    q = max(top, emin) - (p - 1)       # the exponent of the dtype's ULP at |v|
    shift = q - exp
    if shift <= 0:
        n = man << -shift
    elif shift > bc + 1:               # |v| < ULP / 4: rounds to 0
        n = 0
    else:
        n, rem = divmod(man, 1 << shift)
        half = 1 << (shift - 1)
        if rem > half or (rem == half and n & 1):
            n += 1
    if n == 0:
        return s * 0.0
    if n.bit_length() + q - 1 > emax:  # beyond the largest finite value
        return s * INF
    return s * math.ldexp(n, q)


def _ieee_product(factors, exact):
    """The product of factors (floats: NaN, +-inf, +-0 or finite) whose exact value,
    when all are finite and nonzero, is `exact()`: IEEE rules for the special values."""
    if any(math.isnan(f) for f in factors):
        return NAN
    has_inf = any(math.isinf(f) for f in factors)
    has_zero = any(f == 0 for f in factors)
    if has_inf and has_zero:
        return NAN
    sign = 1.0
    for f in factors:
        sign *= _sign(f)
    if has_inf:
        return sign * INF
    if has_zero:
        return sign * 0.0
    return exact()


def _sig(mp, b):
    """sigmoid(b) as a float for b = +-inf (the limits), else mpmath."""
    if math.isinf(b):
        return 1.0 if b > 0 else 0.0
    return 1 / (1 + mp.exp(-mp.mpf(b)))


def _dsig(mp, b):
    """sigmoid'(b) = e / (1 + e)^2, e = exp(-|b|): 0.0 at +-inf, else mpmath."""
    if math.isinf(b):
        return 0.0
    e = mp.exp(-abs(mp.mpf(b)))
    return e / (1 + e) ** 2


def _glu1(mp, a, b):
    if math.isnan(a) or math.isnan(b):
        return NAN
    s = _sig(mp, b)
    sf = s if isinstance(s, float) else 1.0  # sigmoid of a finite b is > 0
    return _ieee_product([a, sf], lambda: mp.mpf(a) * s)


def _dxb1(mp, dy, a, b):
    if math.isnan(dy) or math.isnan(a) or math.isnan(b):
        return NAN
    g = _dsig(mp, b)
    gf = g if isinstance(g, float) else 1.0
    return _ieee_product([dy, a, gf], lambda: mp.mpf(dy) * mp.mpf(a) * g)


def _halves(xs):
    xs = [float(v) for v in xs]
    if len(xs) % 2 or not xs:
        raise ValueError(f"glu: halving dimension must be even and nonzero, got {len(xs)}")
    n = len(xs) // 2
    return xs[:n], xs[n:]


def glu_exact(xs):
    """[a_i * sigmoid(b_i)] for x = [a, b], as mpmath values (or NaN, +-inf, +-0.0)."""
    mp = _mp()
    a, b = _halves(xs)
    return [_glu1(mp, ai, bi) for ai, bi in zip(a, b)]


def glu_backward_exact(dys, xs):
    """[dy_i * s_i, dy_i * a_i * s_i (1 - s_i)], s = sigmoid(b), as mpmath values (or
    NaN, +-inf, +-0.0)."""
    mp = _mp()
    a, b = _halves(xs)
    dys = [float(v) for v in dys]
    if len(dys) != len(a):
        raise ValueError(f"glu_backward: dy has {len(dys)} elements, x {len(xs)}")
    da = [_glu1(mp, d, bi) for d, bi in zip(dys, b)]
    db = [_dxb1(mp, d, ai, bi) for d, ai, bi in zip(dys, a, b)]
    return da + db


def glu(xs, dtype="float64"):
    """glu of one row x = [a, b], rounded once to dtype."""
    return [round_to(v, dtype) for v in glu_exact(xs)]


def glu_backward(dys, xs, dtype="float64"):
    """glu_backward of one row (dy, x = [a, b]), rounded once to dtype."""
    return [round_to(v, dtype) for v in glu_backward_exact(dys, xs)]
