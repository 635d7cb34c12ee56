"""Pure-Python references of the softmax family, for the tests.

One row at a time: each function takes a list of Python floats and returns a
list (logsumexp: a float).  Written with the math module and math.fsum only,
for clarity, and accurate to about one float64 ULP:

- z_i - m is carried as a double-double (d, lo): exp(z_i - m) = exp(d) (1 + lo),
  so large |z_i - m| costs nothing (a plain exp(z_i - m) would be off by up
  to |z_i - m| / 2 ULP);
- every sum is math.fsum (correctly rounded), log(sum) is log1p(sum - 1) with
  sum - 1 formed exactly by fsum;
- the dot product of softmax_backward is formed exactly with Dekker's
  product and fsum.

The special rows follow fastact's semantics (see the gufunc docstrings):
NaN anywhere -> NaN row; all -inf -> NaN (logsumexp -inf); exactly one +inf
-> the limit (one-hot; log_softmax 0 there and -inf elsewhere); several
+inf -> NaN (logsumexp +inf); an empty row -> [] (logsumexp -inf).
The backward passes evaluate their formula in IEEE arithmetic when an input
is infinite, and give a NaN row for a NaN anywhere in y or dy.
"""
import math

__all__ = ["softmax", "log_softmax", "logsumexp", "softmin", "softmax_backward",
           "log_softmax_backward"]

NAN = math.nan
INF = math.inf


def _special(xs):
    """None for a row whose max is finite; else the kind of special row."""
    if any(math.isnan(x) for x in xs):
        return "nan"
    m = max(xs, default=-INF)
    if m == -INF:
        return "all-inf"  # all -inf, or empty
    if m == INF:
        return "one-inf" if xs.count(INF) == 1 else "many-inf"
    return None


def _exps(xs):
    """m = max(xs) (finite) and exp(x - m) for every x, to ~0.5 ULP each."""
    m = max(xs)
    out = []
    for x in xs:
        d = x - m
        if d == -INF:  # x = -inf, or x - m overflows
            out.append(0.0)
            continue
        lo = math.fsum([x, -m, -d])  # x - m - d, exactly
        e = math.exp(d)
        out.append(e + e * lo)
    return m, out


def _log_sum(es):
    """log(sum(es)) for the exponentials of a row (max term exactly 1)."""
    return math.log1p(math.fsum(es + [-1.0]))


def softmax(xs):
    xs = [float(x) for x in xs]
    kind = _special(xs)
    if kind == "one-inf":
        return [1.0 if x == INF else 0.0 for x in xs]
    if kind is not None:
        return [NAN] * len(xs)
    _, es = _exps(xs)
    s = math.fsum(es)
    return [e / s for e in es]


def log_softmax(xs):
    xs = [float(x) for x in xs]
    kind = _special(xs)
    if kind == "one-inf":
        return [0.0 if x == INF else -INF for x in xs]
    if kind is not None:
        return [NAN] * len(xs)
    m, es = _exps(xs)
    L = _log_sum(es)
    out = []
    for x in xs:
        if x == -INF:
            out.append(-INF)
        elif x - m == -INF:  # overflows in float64: so does the result
            out.append(-INF)
        else:
            out.append(math.fsum([x, -m, -L]))
    return out


def logsumexp(xs):
    xs = [float(x) for x in xs]
    kind = _special(xs)
    if kind == "nan":
        return NAN
    if kind == "all-inf":
        return -INF
    if kind in ("one-inf", "many-inf"):
        return INF
    m, es = _exps(xs)
    return math.fsum([m, _log_sum(es)])


def softmin(xs):
    return softmax([-float(x) for x in xs])


def _exp(y):
    try:
        return math.exp(y)
    except OverflowError:
        return INF


def _two_prod(a, b):
    """a * b = p + err exactly (Dekker), for a finite product of moderate a, b."""
    p = a * b
    if not (math.isfinite(p) and abs(a) < 1e290 and abs(b) < 1e290):
        return p, 0.0
    split = 134217729.0  # 2^27 + 1
    ah = a * split
    ah = ah - (ah - a)
    al = a - ah
    bh = b * split
    bh = bh - (bh - b)
    bl = b - bh
    return p, ((ah * bh - p) + ah * bl + al * bh) + al * bl


def _finite(*rows):
    return all(math.isfinite(v) for row in rows for v in row)


def softmax_backward(ys, dys):
    """y * (dy - sum(dy * y)), y the softmax output."""
    ys = [float(v) for v in ys]
    dys = [float(v) for v in dys]
    if any(math.isnan(v) for v in ys + dys):
        return [NAN] * len(ys)
    if not _finite(ys, dys):  # IEEE arithmetic of the formula
        d = sum(dy * y for y, dy in zip(ys, dys))
        return [y * (dy - d) for y, dy in zip(ys, dys)]
    terms = []
    for y, dy in zip(ys, dys):
        terms.extend(_two_prod(dy, y))
    d_hi = math.fsum(terms)
    d_lo = math.fsum(terms + [-d_hi])  # dy - d to ~1 ULP even when they cancel
    return [y * math.fsum([dy, -d_hi, -d_lo]) for y, dy in zip(ys, dys)]


def log_softmax_backward(ys, dys):
    """dy - exp(y) * sum(dy), y the log_softmax output."""
    ys = [float(v) for v in ys]
    dys = [float(v) for v in dys]
    if any(math.isnan(v) for v in ys + dys):
        return [NAN] * len(ys)
    s = math.fsum(dys) if _finite(dys) else sum(dys)
    out = []
    for y, dy in zip(ys, dys):
        es = _exp(y) * s
        if math.isfinite(es) and math.isfinite(dy):
            p, err = _two_prod(_exp(y), s)
            out.append(math.fsum([dy, -p, -err]))
        else:  # IEEE arithmetic of the formula
            out.append(dy - es)
    return out
