"""Derive the fitted constants in src_c/ with mpmath (run: python tools/fit_constants.py).

Prints, as C initializers:
- the Taylor series of the derivatives that have a simple zero (swish', gelu',
  gelu_tanh', mish') around that zero, so the kernels can evaluate them without
  the cancellation of their closed forms there (activations.h, FA_ROOT_*);
- the root itself as a double-double (x0 = hi + lo), and the rounding errors of
  the series' first two coefficients (FA_ROOT_*_CL);
- the float64 kernels' narrower windows |d| < WDD and the number of terms NDD
  they need (their closed forms, in two words, are accurate closer to x0).
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
# the float64 kernels' windows (FA_ROOT_*_WDD, with NDD terms): their closed forms
# are carried in two words and cancel harmlessly closer to the zero
DELTA_DD = {"SWISH": mp.mpf("0.5"), "GELU": mp.mpf("0.125"), "GELU_TANH": mp.mpf(1) / 32,
            "MISH": mp.mpf(1) / 32}


def n_terms(cs, delta):
    """smallest n with the series' remainder below 2^-60 of |f| at the window's edge"""
    edge = abs(cs[1]) * delta
    return next(k for k in range(2, 40)
                if sum(abs(c) * delta**j for j, c in enumerate(cs) if j > k) < edge * mp.mpf(2) ** -60)


def main():
    for name, (f, guess) in FUNCS.items():
        x0 = mp.findroot(f, guess)
        hi = float(x0)
        lo = float(x0 - hi)
        cs = mp.taylor(f, x0, 40)
        n = n_terms(cs, DELTA)
        coefs = ", ".join("%.17g" % float(c) for c in cs[1 : n + 1])
        print(f"#define FA_ROOT_{name}_HI {hi!r}\n#define FA_ROOT_{name}_LO {lo!r}")
        # the rounding errors of the first two coefficients (the float64 kernels
        # evaluate the series' last steps in two words: fa__series_dd)
        c0l, c1l = (float(c - float(c)) for c in cs[1:3])
        print(f"#define FA_ROOT_{name}_N {n}\n#define FA_ROOT_{name}_C {{{coefs}}}")
        print(f"#define FA_ROOT_{name}_CL {{{c0l!r}, {c1l!r}}}")
        print(f"#define FA_ROOT_{name}_WDD {float(DELTA_DD[name])!r}\n#define FA_ROOT_{name}_NDD {n_terms(cs, DELTA_DD[name])}\n")


if __name__ == "__main__":
    main()
