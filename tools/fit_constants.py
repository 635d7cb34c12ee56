"""Derive the fitted constants in src_c/ with mpmath (run: python tools/fit_constants.py).

Prints, as C initializers:
- the Taylor series of the derivatives that have a simple zero (swish', gelu',
  gelu_tanh', mish') around that zero, so the kernels can evaluate them without
  the cancellation of their closed forms there (activations.h, FA_ROOT_*);
- the root itself as a double-double (x0 = hi + lo).
The erfcx pieces and the tanh / tanhshrink polynomials in fa_math.inc and
activations.h were made the same way (mpmath chebyfit / Chebyshev nodes).
"""
import mpmath as mp

mp.mp.dps = 60


def sig(z):
    return 1 / (1 + mp.exp(-z))


FUNCS = {
    # name: (function of the kernel's variable, a starting guess for its zero)
    "SWISH": (lambda z: sig(z) * (1 + z * (1 - sig(z))), -1.28),
    "GELU": (lambda x: mp.erfc(-x / mp.sqrt(2)) / 2 + x * mp.exp(-x * x / 2) / mp.sqrt(2 * mp.pi), -0.75),
    "GELU_TANH": (lambda x: (lambda k1, k2: (lambda z: sig(z) + x * sig(z) * (1 - sig(z)) * (k1 + 3 * k2 * x * x))(
        x * (k1 + k2 * x * x)))(2 * mp.sqrt(2 / mp.pi), 2 * mp.sqrt(2 / mp.pi) * mp.mpf("0.044715")), -0.75),
    "MISH": (lambda x: (lambda t: t + x * sig(x) * (1 - t * t))(mp.tanh(mp.log1p(mp.exp(x)))), -1.19),
}
DELTA = mp.mpf("0.5")  # the window |x - x0| < DELTA


def main():
    for name, (f, guess) in FUNCS.items():
        x0 = mp.findroot(f, guess)
        hi = float(x0)
        lo = float(x0 - hi)
        cs = mp.taylor(f, x0, 40)
        # smallest n with the series' remainder below 2^-60 of |f| at the window's edge
        edge = abs(cs[1]) * DELTA
        n = next(k for k in range(2, 40) if sum(abs(c) * DELTA**j for j, c in enumerate(cs) if j > k) < edge * mp.mpf(2) ** -60)
        coefs = ", ".join("%.17g" % float(c) for c in cs[1 : n + 1])
        print(f"#define FA_ROOT_{name}_HI {hi!r}\n#define FA_ROOT_{name}_LO {lo!r}")
        print(f"#define FA_ROOT_{name}_N {n}\n#define FA_ROOT_{name}_C {{{coefs}}}\n")


if __name__ == "__main__":
    main()
