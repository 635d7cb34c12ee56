/* fa_math.h -- branch-free, vectorizable double-precision elementary functions.
 *
 * Every function here is written as straight-line code (range reduction, a
 * polynomial, selects) so that gcc's loop vectorizer turns the loops of the
 * kernels into SIMD code; there is no libm call.  Special values are produced
 * by selects, not branches.  Overflow to +-inf may raise the FP overflow flag:
 * the ufunc loops (loops.c) restore the FP status word around every kernel
 * call, so users never see a warning for a valid input.
 *
 * float32 kernels of transcendental activations evaluate these in double and
 * round once, which keeps them far inside the accuracy target.
 */
#ifndef FA_MATH_H
#define FA_MATH_H

#include <stdint.h>
#include <string.h>

#define FA_INLINE static inline __attribute__((always_inline))

FA_INLINE uint64_t fa_bits(double x) { uint64_t u; memcpy(&u, &x, 8); return u; }
FA_INLINE double fa_from_bits(uint64_t u) { double x; memcpy(&x, &u, 8); return x; }
FA_INLINE double fa_abs(double x) { return fa_from_bits(fa_bits(x) & 0x7fffffffffffffffULL); }
/* |mag| with the sign of s */
FA_INLINE double fa_copysign(double mag, double s)
{
    return fa_from_bits((fa_bits(mag) & 0x7fffffffffffffffULL) | (fa_bits(s) & 0x8000000000000000ULL));
}
FA_INLINE int fa_isnan(double x) { return x != x; }
/* clamp that lets NaN through (both comparisons are false for NaN) */
FA_INLINE double fa_clamp(double x, double lo, double hi)
{
    x = x < lo ? lo : x;
    return x > hi ? hi : x;
}

/* ---- exp and expm1: x = n*ln2 + r, |r| <= ln2/2 ---------------------- */
#define FA_LOG2E 1.4426950408889634074
#define FA_LN2_HI 6.93147180369123816490e-01 /* 32 trailing zero bits: n*hi exact */
#define FA_LN2_LO 1.90821492927058770002e-10
#define FA_SHIFT 6755399441055744.0          /* 1.5 * 2^52: rounds to an integer */

/* expm1(r) for |r| <= 0.3466: Taylor series to r^13 (truncation < 2^-60) */
FA_INLINE double fa__expm1_poly(double r)
{
    double p = 1.0 / 6227020800.0;          /* 1/13! */
    p = p * r + 1.0 / 479001600.0;
    p = p * r + 1.0 / 39916800.0;
    p = p * r + 1.0 / 3628800.0;
    p = p * r + 1.0 / 362880.0;
    p = p * r + 1.0 / 40320.0;
    p = p * r + 1.0 / 5040.0;
    p = p * r + 1.0 / 720.0;
    p = p * r + 1.0 / 120.0;
    p = p * r + 1.0 / 24.0;
    p = p * r + 1.0 / 6.0;
    p = p * r + 0.5;
    return r + (r * r) * p;
}

/* x (already clamped to a finite range or NaN) -> n (as an int64) and r */
FA_INLINE double fa__reduce(double x, int64_t *n)
{
    double k = x * FA_LOG2E + FA_SHIFT;
    double nd = k - FA_SHIFT;
    *n = (int64_t)(fa_bits(k) - fa_bits(FA_SHIFT));
    return (x - nd * FA_LN2_HI) - nd * FA_LN2_LO;
}

/* 2^n for -1022 <= n <= 1023 (no check) */
FA_INLINE double fa__pow2i(int64_t n) { return fa_from_bits((uint64_t)(n + 1023) << 52); }

/* exp(x) * 2^k for every double x and 0 <= k <= 128: < 1 ULP;
   +inf -> inf, -inf -> 0, NaN -> NaN.  2^(n+k) is applied as two factors so
   that a subnormal result is rounded once.  With k > 0 a product such as
   x * exp(x) keeps full precision where exp(x) alone would be subnormal:
   compute (x * fa_exp_scaled(x, 64)) * 0x1p-64. */
FA_INLINE double fa_exp_scaled(double x, int64_t k)
{
    int64_t n;
    double xc = fa_clamp(x, -746.0 - 0.6931471805599453 * (double)k, 710.0);
    double r = fa__reduce(xc, &n);
    double p = 1.0 + fa__expm1_poly(r);
    n += k;
    int64_t n1 = n >> 1;
    return (p * fa__pow2i(n1)) * fa__pow2i(n - n1);
}

FA_INLINE double fa_exp(double x) { return fa_exp_scaled(x, 0); }

/* the deep negative tail, where results are subnormal: scale by 2^64 first */
#define FA_TAIL_SCALE_K 64
#define FA_TAIL_UNSCALE 0x1p-64
#define FA_TAIL_BELOW (-600.0)

/* expm1(x) for every double; +inf -> inf, -inf -> -1.
   expm1(x) = 2^n (q + 1) - 1 = 2 * (h q + (h - 1/2)) with h = 2^(n-1):
   h - 1/2 is exact for small n and h stays a normal number up to n = 1024. */
FA_INLINE double fa_expm1(double x)
{
    int64_t n;
    double xc = fa_clamp(x, -60.0, 710.0);
    double r = fa__reduce(xc, &n);
    double q = fa__expm1_poly(r);
    double h = fa__pow2i(n - 1);
    double y = 2.0 * (h * q + (h - 0.5));
    return x == 0.0 ? x : y; /* keeps -0.0 */
}

/* ---- log1p ------------------------------------------------------------ */
/* log(1+f) - f + f^2/2 for f in [sqrt(1/2)-1, sqrt(2)-1], fdlibm's split
   with a Taylor series in s = f/(2+f) (|s| <= 0.1716) */
FA_INLINE double fa__log1p_core(double f, double kd, double c)
{
    double s = f / (2.0 + f);
    double z = s * s;
    double R = 2.0 / 21.0;
    R = R * z + 2.0 / 19.0;
    R = R * z + 2.0 / 17.0;
    R = R * z + 2.0 / 15.0;
    R = R * z + 2.0 / 13.0;
    R = R * z + 2.0 / 11.0;
    R = R * z + 2.0 / 9.0;
    R = R * z + 2.0 / 7.0;
    R = R * z + 2.0 / 5.0;
    R = R * z + 2.0 / 3.0;
    R = R * z;
    double hfsq = 0.5 * f * f;
    return kd * FA_LN2_HI - ((hfsq - (s * (hfsq + R) + (kd * FA_LN2_LO + c))) - f);
}

/* log1p(x) for every double: about 1 ULP; -1 -> -inf, < -1 -> NaN */
FA_INLINE double fa_log1p(double x)
{
    double u = 1.0 + x;
    uint64_t iu = fa_bits(u);
    /* bring the mantissa into [sqrt(1/2), sqrt(2)) */
    uint64_t hu = (iu >> 32) + (0x3ff00000 - 0x3fe6a09e);
    int64_t k = (int64_t)(hu >> 20) - 0x3ff;
    uint64_t mb = (((hu & 0x000fffff) + 0x3fe6a09e) << 32) | (iu & 0xffffffffULL);
    double f = fa_from_bits(mb) - 1.0;
    double kd = (double)k;
    /* rounding error of u = 1 + x, relative to u */
    double c = k >= 2 ? 1.0 - (u - x) : x - (u - 1.0);
    c = k < 54 ? c / u : 0.0;
    double y = fa__log1p_core(f, kd, c);
    y = x == 0.0 ? x : y;                   /* keeps -0.0 */
    y = x == __builtin_inf() ? x : y;
    y = x == -1.0 ? -__builtin_inf() : y;
    y = x < -1.0 ? __builtin_nan("") : y;
    return fa_isnan(x) ? x : y;
}

/* ---- tanh ------------------------------------------------------------- */
/* tanh(|x|) = -t / (2 + t) with t = expm1(-2|x|) in (-1, 0] */
FA_INLINE double fa_tanh(double x)
{
    double t = fa_expm1(-2.0 * fa_abs(x));
    return fa_copysign(-t / (2.0 + t), x);
}

/* ---- exact squares, erfc ---------------------------------------------- */
/* x*x = hi + lo exactly (Dekker; |x| <= 1e150), the same on every ISA */
FA_INLINE double fa_sqr_lo(double x, double hi)
{
    double c = 134217729.0 * x; /* 2^27 + 1: splits x into 26-bit halves */
    double xh = c - (c - x), xl = x - xh;
    return ((xh * xh - hi) + 2.0 * xh * xl) + xl * xl;
}

/* the rounding error of p = a * b (Dekker), 0 where the split would overflow */
FA_INLINE double fa_prod_lo(double a, double b, double p)
{
    double ca = 134217729.0 * a, cb = 134217729.0 * b;
    double ah = ca - (ca - a), al = a - ah, bh = cb - (cb - b), bl = b - bh;
    double lo = (((ah * bh - p) + ah * bl) + al * bh) + al * bl;
    return (fa_abs(a) < 1e150 && fa_abs(b) < 1e150 && fa_abs(p) < 1e290) ? lo : 0.0;
}

/* exp(-x*x/2) * 2^k with x*x formed exactly (the rounding of x*x alone would
   cost |x|^2 * 2^-53 relative error in the tail); |x| is clamped to 40, where
   the result is 0 anyway */
FA_INLINE double fa_exp_mhalfsq(double x, int64_t k)
{
    double xc = fa_clamp(x, -40.0, 40.0);
    double hi = xc * xc, lo = fa_sqr_lo(xc, hi);
    return fa_exp_scaled(-0.5 * hi, k) * (1.0 - 0.5 * lo);
}

/* erfcx(w) = exp(w^2) erfc(w) for w >= 0: Chebyshev series in
   t = (w - 3.75) / (w + 3.75) (Schonfelder's mapping of [0, inf) onto
   [-1, 1)); 25 terms, fitted with mpmath, truncation < 1e-18 */
FA_INLINE double fa_erfcx(double w)
{
    static const double c[25] = {
    0.30507154096160022,
    -0.4348412727125775,
    0.17635119364360549,
    -0.060710795609249413,
    0.017712068995694115,
    -0.0043211193855672942,
    0.00085421667688709865,
    -0.00012715509060916275,
    1.1248167243671189e-05,
    3.1306388542182096e-07,
    -2.70988068537762e-07,
    3.0737622701407687e-08,
    2.5156203848176228e-09,
    -1.0289299213203192e-09,
    2.9944052119949941e-11,
    2.6051789687266936e-11,
    -2.6348399241719693e-12,
    -6.4340450989063649e-13,
    1.1245740180166345e-13,
    1.7281533389986097e-14,
    -4.264101694942375e-15,
    -5.4537197788019059e-16,
    1.5869760776167123e-16,
    2.0899837844334044e-17,
    -5.9005268694088059e-18
    };
    double wc = fa_clamp(w, 0.0, 1e300);
    double t = (wc - 3.75) / (wc + 3.75);
    double b1 = 0.0, b2 = 0.0;
#pragma GCC unroll 24
    for (int k = 24; k >= 1; k--) { /* Clenshaw */
        double b0 = c[k] + 2.0 * t * b1 - b2;
        b2 = b1;
        b1 = b0;
    }
    return c[0] + t * b1 - b2;
}

#define FA_SQRT1_2 0.70710678118654752440
#define FA_INV_SQRT_2PI 0.39894228040143267794

#endif
