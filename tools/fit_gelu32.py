"""Fit the float32 GELU constants of src_c/activations_f32.h (run: python tools/fit_gelu32.py).

Prints the C block between the "fit_gelu32.py" markers of activations_f32.h (paste it
there).  Every polynomial is fitted with mpmath (40 digits) on Chebyshev nodes by Lawson's
iteratively reweighted least squares (near-minimax in the weighted error); then its
coefficients are rounded to float32 one at a time, lowest degree first, the others refitted
after each rounding (the first two of GELU and GRAD are kept as float32 pairs hi + lo), so
the printed error is that of the float32 coefficients, on a grid 4 times denser than the fit's.

With Phi the normal CDF, c = 1/sqrt(2 pi), a = |x|, Q(a) = Phi(-a) exp(a^2/2)
(= erfcx(a/sqrt2)/2), x0 = -0.7517915... the zero of gelu' and t = 1/(1 + K a):

- EXP: exp(r) = 1 + r + r^2 p(r) on |r| <= 0.35 (the reduced argument of exp(-a^2/2));
- GELU: S(t) = Q(a) / t (K = 1/2), a in [0, 14.5], in the variable t - 1/4;
  gelu(x) = -E a t S(t) for x < 0, x - E a t S(t) for x >= 0, E = exp(-a^2/2);
- GRAD: F(t) = (a c - Q(a)) / (a + x0) (K = 1/4), a in [0, 14.75], in t - 1/2;
  gelu'(x) = -E (a + x0) F(t) for x < 0, 1 + E (a + x0) F(t) for x >= 0;
- GELU_L, GRAD_L: l(t) = -t d/dt log f(t) for f = t S(t) and F: the kernel evaluates the
  polynomial at the rounded t and corrects by exp(-rho l(t)), rho the relative error of t.
"""
import argparse
import sys
import time

import mpmath as mp
import numpy as np

mp.mp.dps = 40
C = 1 / mp.sqrt(2 * mp.pi)
K = mp.mpf(1) / 2  # t = 1/(1 + K a): K a is exact


def f32(v):
    return mp.mpf(float(np.float32(float(v))))


def nodes(lo, hi, n):
    lo, hi = mp.mpf(lo), mp.mpf(hi)
    return [(lo + hi) / 2 - (hi - lo) / 2 * mp.cos(mp.pi * (i + mp.mpf(1) / 2) / n) for i in range(n)]


def horner(coef, x):
    p = mp.mpf(0)
    for c in reversed(coef):
        p = p * x + c
    return p


def lawson(xs, ys, w, deg, fixed, iters):
    """sum c_j x^j ~ y minimizing max |w (p - y)|; c_0.. fixed as given."""
    n, nf = len(xs), len(fixed)
    cols = list(range(nf, deg + 1))
    rest = [ys[i] - horner(fixed, xs[i]) for i in range(n)]
    pw = [[xs[i] ** j for j in cols] for i in range(n)]
    lam = [mp.mpf(1) / n] * n
    best = None
    for _ in range(iters):
        A = mp.matrix(n, len(cols))
        b = mp.matrix(n, 1)
        for i in range(n):
            s = mp.sqrt(lam[i]) * w[i]
            b[i] = s * rest[i]
            for jj in range(len(cols)):
                A[i, jj] = s * pw[i][jj]
        sc = [mp.sqrt(sum(A[i, jj] ** 2 for i in range(n))) or 1 for jj in range(len(cols))]
        for i in range(n):
            for jj in range(len(cols)):
                A[i, jj] /= sc[jj]
        sol, _ = mp.qr_solve(A, b)
        coef = list(fixed) + [sol[jj] / sc[jj] for jj in range(len(cols))]
        err = [w[i] * (horner(coef, xs[i]) - ys[i]) for i in range(n)]
        m = max(abs(e) for e in err)
        if best is None or m < best[0]:
            best = (m, coef)
        tot = sum(lam[i] * abs(err[i]) for i in range(n))
        lam = [max(lam[i] * abs(err[i]) / tot, mp.mpf(10) ** -30) for i in range(n)]
    return best[1], best[0]


def fit(f, lo, hi, deg, weight=None, n=90, iters=14, two=0):
    """float32 coefficients of a polynomial ~ f on [lo, hi]; weight(x, f(x)) (default 1/|f|);
    the first `two` coefficients are kept as float32 pairs hi + lo (returned as such, as
    mpf hi + lo in one entry: split them with f32)."""
    xs = nodes(lo, hi, n)
    ys = [f(x) for x in xs]
    w = [1 / abs(y) if weight is None else weight(x, y) for x, y in zip(xs, ys)]
    fixed = []
    coef, _ = lawson(xs, ys, w, deg, fixed, iters)
    while len(fixed) <= deg:
        c = coef[len(fixed)]
        fixed.append(f32(c) + f32(c - f32(c)) if len(fixed) < two else f32(c))
        if len(fixed) <= deg:
            coef, _ = lawson(xs, ys, w, deg, fixed, iters)
    # the error of the float32 polynomial, on a denser grid than the fit's
    xd = nodes(lo, hi, 4 * n)
    err = max(abs((horner(fixed, x) - f(x)) * (1 / abs(f(x)) if weight is None else weight(x, f(x))))
              for x in xd)
    return fixed, err


def Q(a):
    return mp.erfc(a / mp.sqrt(2)) * mp.exp(a * a / 2) / 2


def Phi(x):
    return mp.erfc(-x / mp.sqrt(2)) / 2


def gprime(x):
    return Phi(x) + x * C * mp.exp(-x * x / 2)


def a_of_t(t):
    return (1 / t - 1) / K


def t_of_a(a):
    return 1 / (1 + K * a)


def cf(v):
    s = repr(float(np.float32(float(v))))
    return s + "f"


def emit(name, coef, err, what, two=0):
    print(f"/* {what}: {len(coef) - 1} degrees, weighted error {float(err):.2e} */")
    print(f"#define FA_G32_{name}_N {len(coef)}")
    print(f"#define FA_G32_{name} {{{', '.join(cf(c) for c in coef)}}}")
    if two:
        lo = [cf(c - f32(c)) for c in coef[:two]]
        print(f"#define FA_G32_{name}_LO {{{', '.join(lo)}}} /* the low words of the first {two} */")


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--quick", action="store_true", help="fewer nodes and iterations (a check, not the constants)")
    args = ap.parse_args()
    kw = dict(n=50, iters=8) if args.quick else {}
    t0 = time.time()
    root = mp.findroot(gprime, -0.75)
    print("/* ---- begin: generated by tools/fit_gelu32.py (mpmath %s); regenerate, don't edit ---- */"
          % mp.__version__)
    print(f"#define FA_G32_ROOT_HI {cf(-root)} /* -(the zero of gelu') = HI + LO */")
    print(f"#define FA_G32_ROOT_LO {cf(-root - f32(-root))}")

    co, e = fit(lambda r: (mp.exp(r) - 1 - r) / (r * r) if r != 0 else mp.mpf(1) / 2, -0.35, 0.35, 4,
                weight=lambda r, y: r * r / mp.exp(r), **kw)
    emit("EXP", co, e, "exp(r) = 1 + r + r^2 p(r), |r| <= 0.35; error of r^2 p relative to exp(r)")

    global K
    for name, k, tc, amax, deg, f, what in (
            ("GELU", mp.mpf(1) / 2, mp.mpf(1) / 4, mp.mpf("14.5"), 12, lambda a: Q(a) * (1 + K * a),
             "S(t) = Q(a) / t"),
            ("GRAD", mp.mpf(1) / 4, mp.mpf(1) / 2, mp.mpf("14.75"), 9,
             lambda a: (a * C - Q(a)) / (a + root), "F(t) = (a c - Q(a)) / (a - x0)")):
        K = k
        print(f"#define FA_G32_{name}_K {cf(k)} /* t = 1/(1 + K a) */")
        print(f"#define FA_G32_{name}_T0 {cf(tc)} /* the polynomials' variable: t - T0 (exact) */")
        ft = lambda v: f(a_of_t(tc + v))
        lo, hi = t_of_a(amax) - tc, 1 - tc
        co, e = fit(ft, lo, hi, deg, two=2, **kw)
        emit(name, co, e, f"{what}, 0 <= a <= {float(amax)}; relative error", two=2)
        tf = lambda v: (tc + v) * ft(v) if name == "GELU" else ft(v)  # the function of t multiplied by t_true
        co, e = fit(lambda v: -(tc + v) * mp.diff(tf, v) / tf(v), lo, hi, 2, weight=lambda v, y: 1, **kw)
        emit(name + "_L", co, e, "l(t) = -t d/dt log(" + ("t S(t)" if name == "GELU" else "F(t)") +
             "); absolute error")
    print("/* ---- end: generated by tools/fit_gelu32.py ---- */")
    print(f"/* {time.time() - t0:.0f} s */", file=sys.stderr)


if __name__ == "__main__":
    main()
