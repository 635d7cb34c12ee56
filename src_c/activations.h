/* activations.h -- the scalar definition of every activation and derivative.
 *
 * Included twice by kernels.inc: once with T = float, S(f) = f##_f and once
 * with T = double, S(f) = f##_d.  Each function takes the input and up to three
 * parameters (unused ones are ignored and optimized away).  The generated
 * table (fa_gen.h) says, for each ufunc, which of these a kernel applies and
 * whether its float32 kernel computes in float (exact piecewise-linear
 * functions) or in double (everything that rounds).
 *
 * Style: selects, not branches, so that loops vectorize; NaN in -> NaN out
 * (FA_NANP); kinks take PyTorch autograd's value (README "Semantics").
 */
#define FA_ARGS T x, T p1, T p2, T p3
#define FA_UNUSED (void)p1; (void)p2; (void)p3
#define FA_NANP(x, v) ((x) != (x) ? (x) : (v))

/* binary step (Heaviside with H(0) = 1) */
FA_INLINE T S(fa_binary_step)(FA_ARGS) { FA_UNUSED; return FA_NANP(x, x >= 0 ? (T)1 : (T)0); }
FA_INLINE T S(fa_zero_grad)(FA_ARGS) { FA_UNUSED; return FA_NANP(x, (T)0); }

/* identity and linear c*x */
FA_INLINE T S(fa_identity)(FA_ARGS) { FA_UNUSED; return x; }
FA_INLINE T S(fa_one_grad)(FA_ARGS) { FA_UNUSED; return FA_NANP(x, (T)1); }
FA_INLINE T S(fa_linear)(FA_ARGS) { FA_UNUSED; return p1 * x; }
FA_INLINE T S(fa_linear_grad)(FA_ARGS) { FA_UNUSED; return FA_NANP(x, p1); }

/* relu family: slope p1 on the negative side (0 for relu) */
FA_INLINE T S(fa_relu)(FA_ARGS) { FA_UNUSED; return x <= 0 ? (T)0 : x; }
FA_INLINE T S(fa_relu_grad)(FA_ARGS) { FA_UNUSED; return FA_NANP(x, x > 0 ? (T)1 : (T)0); }
FA_INLINE T S(fa_leaky_relu)(FA_ARGS) { FA_UNUSED; return x > 0 ? x : p1 * x; }
FA_INLINE T S(fa_leaky_relu_grad)(FA_ARGS) { FA_UNUSED; return FA_NANP(x, x > 0 ? (T)1 : p1); }
/* d prelu / d a */
FA_INLINE T S(fa_prelu_grad_a)(FA_ARGS) { FA_UNUSED; return x > 0 ? (T)0 : x; }
/* rrelu in inference: leaky_relu with the mean slope (lower + upper) / 2 */
FA_INLINE T S(fa_rrelu)(FA_ARGS) { FA_UNUSED; return x > 0 ? x : x * ((p1 + p2) * (T)0.5); }
FA_INLINE T S(fa_rrelu_grad)(FA_ARGS) { FA_UNUSED; return FA_NANP(x, x > 0 ? (T)1 : (p1 + p2) * (T)0.5); }

/* relu6 = min(max(x, 0), 6); leaky_relu6 leaks with slope p1 below 0 */
FA_INLINE T S(fa_relu6)(FA_ARGS) { FA_UNUSED; return x <= 0 ? (T)0 : (x > 6 ? (T)6 : x); }
FA_INLINE T S(fa_relu6_grad)(FA_ARGS) { FA_UNUSED; return FA_NANP(x, (x > 0 && x < 6) ? (T)1 : (T)0); }
FA_INLINE T S(fa_leaky_relu6)(FA_ARGS) { FA_UNUSED; return x > 0 ? (x > 6 ? (T)6 : x) : p1 * x; }
FA_INLINE T S(fa_leaky_relu6_grad)(FA_ARGS)
{
    FA_UNUSED;
    return FA_NANP(x, x <= 0 ? p1 : (x < 6 ? (T)1 : (T)0));
}

/* hardswish = x * relu6(x + 3) / 6 */
FA_INLINE T S(fa_hardswish)(FA_ARGS)
{
    FA_UNUSED;
    T y = x * (x + 3) / 6;
    y = x >= 3 ? x : y;
    return x <= -3 ? (T)0 : y;
}
FA_INLINE T S(fa_hardswish_grad)(FA_ARGS)
{
    FA_UNUSED;
    T g = (2 * x + 3) / 6;
    g = x >= 3 ? (T)1 : g;
    return FA_NANP(x, x <= -3 ? (T)0 : g);
}

/* sigmoid: with e = exp(-|x|), s = 1/(1+e) for x >= 0 and e/(1+e) below;
   s' = e / (1+e)^2, exact in both tails (no 1 - s cancellation) */
FA_INLINE T S(fa_sigmoid)(FA_ARGS)
{
    FA_UNUSED;
    double e = fa_exp(-fa_abs(x));
    double r = 1.0 / (1.0 + e);
    return (T)(x >= 0 ? r : e * r);
}
FA_INLINE T S(fa_sigmoid_grad)(FA_ARGS)
{
    FA_UNUSED;
    double e = fa_exp(-fa_abs(x));
    double r = 1.0 / (1.0 + e);
    return (T)(e * r * r);
}
FA_INLINE T S(fa_sigmoid_grad_from_output)(FA_ARGS) { FA_UNUSED; return x * (1 - x); }

/* tanh; tanh' = 1 - tanh^2 = 4E / (1+E)^2 with E = exp(-2|x|) */
FA_INLINE T S(fa_tanh)(FA_ARGS) { FA_UNUSED; return (T)fa_tanh(x); }
FA_INLINE T S(fa_tanh_grad)(FA_ARGS)
{
    FA_UNUSED;
    double e = fa_exp(-2.0 * fa_abs(x));
    double r = 1.0 / (1.0 + e);
    return (T)(4.0 * e * r * r);
}
FA_INLINE T S(fa_tanh_grad_from_output)(FA_ARGS) { FA_UNUSED; return (1 - x) * (1 + x); }

/* elu = x for x > 0, alpha * expm1(x) below; elu'(0) = alpha (left branch) */
FA_INLINE T S(fa_elu)(FA_ARGS)
{
    FA_UNUSED;
    T neg = (T)((double)p1 * fa_expm1(x));
    return x > 0 ? x : neg;
}
FA_INLINE T S(fa_elu_grad)(FA_ARGS)
{
    FA_UNUSED;
    int tail = x < FA_TAIL_BELOW; /* alpha * exp(x) rounded once when subnormal */
    double e = fa_exp_scaled(x, tail ? FA_TAIL_SCALE_K : 0);
    T neg = (T)(((double)p1 * e) * (tail ? FA_TAIL_UNSCALE : 1.0));
    return x > 0 ? (T)1 : neg;
}
/* from the output y: 1 for y > 0, y + alpha below */
FA_INLINE T S(fa_elu_grad_from_output)(FA_ARGS) { FA_UNUSED; return x > 0 ? (T)1 : x + p1; }

/* swish(x, beta) = x * sigmoid(beta x);
   swish' = s + beta x s (1 - s), with s and 1 - s each computed without
   cancellation.  Below beta x = -600 the products are formed with
   exp(beta x) * 2^64 and scaled back once, so subnormal results keep their
   precision; the limits at +-inf replace inf * 0. */
#define FA_SWISH_PARTS                                                         \
    double xd = x, b = p1;                                                     \
    double bxr = b * xd;                                                       \
    double bx = ((b == 0) | (xd == 0)) ? 0.0 : bxr; /* no 0 * inf */           \
    int tail = bxr < FA_TAIL_BELOW; /* (from bxr: a mask of masks won't vectorize) */ \
    double es = fa_exp_scaled(-fa_abs(bx), tail ? FA_TAIL_SCALE_K : 0);        \
    double e = tail ? es * FA_TAIL_UNSCALE : es; /* exp(-|bx|) */              \
    double r = 1.0 / (1.0 + e);                                                \
    double s = bx >= 0 ? r : es * r; /* sigmoid(bx), scaled in the tail */     \
    double sm = bx >= 0 ? e * r : r; /* 1 - sigmoid(bx) */                     \
    double unscale = tail ? FA_TAIL_UNSCALE : 1.0

FA_INLINE T S(fa_swish)(FA_ARGS)
{
    FA_UNUSED;
    FA_SWISH_PARTS;
    (void)sm;
    double y = (xd * s) * unscale;
    return (T)(s == 0 ? fa_copysign(0.0, xd) : y);
}
FA_INLINE T S(fa_swish_grad)(FA_ARGS)
{
    FA_UNUSED;
    FA_SWISH_PARTS;
    double t = sm == 0 ? 0.0 : bx * sm;
    double g = s == 0 ? 0.0 : (s + s * t) * unscale;
    return (T)(fa_isnan(xd) ? xd : g);
}

/* ---- the modern set ------------------------------------------------------ */
/* alpha * exp(x), rounded once even where it is subnormal */
FA_INLINE double S(fa__alpha_exp)(double a, double x)
{
    int tail = x < FA_TAIL_BELOW;
    return (a * fa_exp_scaled(x, tail ? FA_TAIL_SCALE_K : 0)) * (tail ? FA_TAIL_UNSCALE : 1.0);
}

/* SELU (Klambauer et al. 2017): scale * (x if x > 0 else alpha * expm1(x)) */
#define FA_SELU_ALPHA 1.6732632423543772848170429916717
#define FA_SELU_SCALE 1.0507009873554804934193349852946
#define FA_SELU_SA 1.7580993408473768599402175208123 /* scale * alpha */
FA_INLINE T S(fa_selu)(FA_ARGS)
{
    FA_UNUSED;
    double xd = x;
    double y = xd > 0 ? FA_SELU_SCALE * xd : FA_SELU_SA * fa_expm1(xd);
    return (T)y;
}
FA_INLINE T S(fa_selu_grad)(FA_ARGS)
{
    FA_UNUSED;
    double xd = x;
    return (T)FA_NANP(xd, xd > 0 ? FA_SELU_SCALE : S(fa__alpha_exp)(FA_SELU_SA, xd));
}

/* CELU: max(0, x) + min(0, alpha * expm1(x / alpha)); celu'(0) = 1 */
FA_INLINE T S(fa_celu)(FA_ARGS)
{
    FA_UNUSED;
    double xd = x, a = p1;
    return (T)(xd > 0 ? xd : a * fa_expm1(xd / a));
}
FA_INLINE T S(fa_celu_grad)(FA_ARGS)
{
    FA_UNUSED;
    double xd = x, a = p1;
    return (T)FA_NANP(xd, xd > 0 ? 1.0 : S(fa__alpha_exp)(1.0, xd / a));
}

/* softplus(x, beta, threshold) = log1p(exp(beta x)) / beta, written as
   (max(z, 0) + log1p(exp(-|z|))) / beta, z = beta x; x itself where
   z > threshold (PyTorch's switch; the default threshold inf never switches) */
FA_INLINE T S(fa_softplus)(FA_ARGS)
{
    FA_UNUSED;
    double xd = x, b = p1, z = b * xd;
    double y = ((z > 0 ? z : 0.0) + fa_log1p(fa_exp(-fa_abs(z)))) / b;
    y = z == __builtin_inf() ? xd : y;
    return (T)(z > (double)p2 ? xd : y);
}
/* softplus' = sigmoid(beta x) (1 above the threshold) */
FA_INLINE T S(fa_softplus_grad)(FA_ARGS)
{
    FA_UNUSED;
    double xd = x, z = (double)p1 * xd;
    double e = fa_exp(-fa_abs(z)), r = 1.0 / (1.0 + e);
    double s = z >= 0 ? r : e * r;
    return (T)FA_NANP(z, z > (double)p2 ? 1.0 : s);
}

/* logsigmoid = min(x, 0) - log1p(exp(-|x|)); ' = sigmoid(-x) */
FA_INLINE T S(fa_logsigmoid)(FA_ARGS)
{
    FA_UNUSED;
    double xd = x;
    return (T)((xd < 0 ? xd : 0.0) - fa_log1p(fa_exp(-fa_abs(xd))));
}
FA_INLINE T S(fa_logsigmoid_grad)(FA_ARGS)
{
    FA_UNUSED;
    double xd = x, e = fa_exp(-fa_abs(xd)), r = 1.0 / (1.0 + e);
    return (T)(xd >= 0 ? e * r : r);
}

/* mish = x tanh(softplus(x)).  With e = exp(-|x|):
   tanh(softplus(x)) = n / (n + 2), n = e (e + 2)          for x <= 0
                     = (1 + 2e) / (1 + 2e + 2e^2)          for x > 0
   (no overflow, no cancellation); below x = -600 the product is formed with
   e * 2^64 and scaled back once. */
#define FA_MISH_PARTS                                                          \
    double xd = x;                                                             \
    int tail = xd < FA_TAIL_BELOW;                                             \
    double es = fa_exp_scaled(-fa_abs(xd), tail ? FA_TAIL_SCALE_K : 0);        \
    double e = tail ? es * FA_TAIL_UNSCALE : es;                               \
    double unscale = tail ? FA_TAIL_UNSCALE : 1.0;                             \
    double n = e * (e + 2.0), ns = es * (e + 2.0);                             \
    double dpos = 1.0 + 2.0 * e * (1.0 + e);                                   \
    double th = xd > 0 ? (1.0 + 2.0 * e) / dpos : ns / (n + 2.0); /* scaled */ \
    double sech2 = xd > 0 ? 4.0 * (1.0 + e) * (1.0 + e) * e * e / (dpos * dpos) \
                          : 4.0 * (1.0 + n) / ((n + 2.0) * (n + 2.0));         \
    double sig = xd > 0 ? 1.0 / (1.0 + e) : es / (1.0 + e) /* scaled */

FA_INLINE T S(fa_mish)(FA_ARGS)
{
    FA_UNUSED;
    FA_MISH_PARTS;
    (void)sech2; (void)sig;
    double y = xd > 0 ? xd * th : (xd * th) * unscale;
    return (T)(th == 0 ? fa_copysign(0.0, xd) : y);
}
FA_INLINE T S(fa_mish_grad)(FA_ARGS)
{
    FA_UNUSED;
    FA_MISH_PARTS;
    double t = sech2 == 0 ? 0.0 : xd * sig * sech2; /* x * sech^2 * sigmoid */
    double g = xd > 0 ? th + t : (th + t) * unscale;
    g = (es == 0 && xd < 0) ? 0.0 : g; /* x = -inf */
    return (T)FA_NANP(xd, g);
}

/* softsign = x / (1 + |x|) (+-1 at +-inf); ' = 1 / (1 + |x|)^2 */
FA_INLINE T S(fa_softsign)(FA_ARGS)
{
    FA_UNUSED;
    double xd = x, y = xd / (1.0 + fa_abs(xd));
    return (T)(fa_abs(xd) == __builtin_inf() ? fa_copysign(1.0, xd) : y);
}
FA_INLINE T S(fa_softsign_grad)(FA_ARGS)
{
    FA_UNUSED;
    double r = 1.0 / (1.0 + fa_abs((double)x)); /* 1/d first: d*d would overflow */
    return (T)(r * r);
}

/* hardsigmoid (PyTorch) = relu6(x + 3) / 6; ' = 1/6 inside (-3, 3), 0 at +-3 */
FA_INLINE T S(fa_hardsigmoid)(FA_ARGS)
{
    FA_UNUSED;
    double xd = x, y = (xd + 3.0) / 6.0;
    y = xd >= 3 ? 1.0 : y;
    return (T)(xd <= -3 ? 0.0 : y);
}
FA_INLINE T S(fa_hardsigmoid_grad)(FA_ARGS)
{
    FA_UNUSED;
    return FA_NANP(x, (x > -3 && x < 3) ? (T)(1.0 / 6.0) : (T)0);
}
/* hard_sigmoid (Keras, ONNX) = clip(alpha x + beta, 0, 1) */
FA_INLINE T S(fa_hard_sigmoid)(FA_ARGS)
{
    FA_UNUSED;
    double a = p1, xd = x, p = a * xd; /* a x + b with a x exact: no FMA on baseline */
    double v = (p + (double)p2) + fa_prod_lo(a, xd, p);
    return (T)(v <= 0 ? 0.0 : (v >= 1 ? 1.0 : v));
}
FA_INLINE T S(fa_hard_sigmoid_grad)(FA_ARGS)
{
    FA_UNUSED;
    double a = p1, xd = x, p = a * xd; /* a x + b with a x exact: no FMA on baseline */
    double v = (p + (double)p2) + fa_prod_lo(a, xd, p);
    return (T)FA_NANP(v, (v > 0 && v < 1) ? (double)p1 : 0.0);
}

/* hardtanh = clamp(x, min_val, max_val) (max_val if min_val > max_val) */
FA_INLINE T S(fa_hardtanh)(FA_ARGS)
{
    FA_UNUSED;
    T y = x < p1 ? p1 : x;
    return y > p2 ? p2 : y;
}
FA_INLINE T S(fa_hardtanh_grad)(FA_ARGS)
{
    FA_UNUSED;
    return FA_NANP(x, (x > p1 && x < p2) ? (T)1 : (T)0);
}

/* tanhshrink = x - tanh(x); for |x| < 1, x^3 q(x^2) with q fitted (mpmath
   chebyfit, error < 4e-20) so that the cancellation never happens */
FA_INLINE T S(fa_tanhshrink)(FA_ARGS)
{
    FA_UNUSED;
    double xd = x, s = xd * xd;
    double q = 8.5381619012121558e-09;
    q = q * s + -9.3641446229657593e-08;
    q = q * s + 5.122767150793262e-07;
    q = q * s + -1.9216974143833895e-06;
    q = q * s + 5.7774841368659152e-06;
    q = q * s + -1.541627724102249e-05;
    q = q * s + 3.8991741215043214e-05;
    q = q * s + -9.67910218266933e-05;
    q = q * s + 0.0002390884367049363;
    q = q * s + -0.00059001756852543189;
    q = q * s + 0.0014558326516768139;
    q = q * s + -0.003592127823422879;
    q = q * s + 0.0088632355125660544;
    q = q * s + -0.021869488535296695;
    q = q * s + 0.053968253968231523;
    q = q * s + -0.13333333333333311;
    q = q * s + 0.33333333333333331;
    double small = xd * s * q;
    return (T)(fa_abs(xd) < 1.0 ? small : xd - fa_tanh(xd));
}
FA_INLINE T S(fa_tanhshrink_grad)(FA_ARGS)
{
    FA_UNUSED;
    double t = fa_tanh(x);
    return (T)(t * t);
}

/* softshrink: x - l above l, x + l below -l, 0 between; hardshrink: x outside [-l, l] */
FA_INLINE T S(fa_softshrink)(FA_ARGS)
{
    FA_UNUSED;
    T y = x > p1 ? x - p1 : (T)0;
    y = x < -p1 ? x + p1 : y;
    return FA_NANP(x, y);
}
FA_INLINE T S(fa_shrink_grad)(FA_ARGS)
{
    FA_UNUSED;
    return FA_NANP(x, (x > p1 || x < -p1) ? (T)1 : (T)0);
}
FA_INLINE T S(fa_hardshrink)(FA_ARGS)
{
    FA_UNUSED;
    return FA_NANP(x, (x > p1 || x < -p1) ? x : (T)0);
}

/* threshold(x, threshold, value) = x if x > threshold else value */
FA_INLINE T S(fa_threshold)(FA_ARGS)
{
    FA_UNUSED;
    return FA_NANP(x, x > p1 ? x : p2);
}
FA_INLINE T S(fa_threshold_grad)(FA_ARGS)
{
    FA_UNUSED;
    return FA_NANP(x, x > p1 ? (T)1 : (T)0);
}

/* GELU, erf form: x Phi(x), Phi(x) = erfc(-x/sqrt2)/2.  With
   E = exp(-x^2/2) (x^2 exact) and C = erfcx(|x|/sqrt2):
   h = x E C / 2;  gelu = h (x <= 0),  x - h (x > 0)
   gelu' = E (C/2 + x/sqrt(2 pi)) (x <= 0),  1 + E (x/sqrt(2 pi) - C/2) (x > 0)
   No erf(x) - 1 cancellation anywhere: gelu(-30) = -1.47e-196 to full precision. */
#define FA_GELU_PARTS                                                          \
    double xd = x;                                                             \
    double ax = fa_abs(xd);                                                    \
    int tail = ax > 34.0; /* exp(-x^2/2) subnormal: scale by 2^64 */           \
    double E = fa_exp_mhalfsq(xd, tail ? FA_TAIL_SCALE_K : 0);                 \
    double unscale = tail ? FA_TAIL_UNSCALE : 1.0;                             \
    double C = fa_erfcx(ax * FA_SQRT1_2)

FA_INLINE T S(fa_gelu)(FA_ARGS)
{
    FA_UNUSED;
    FA_GELU_PARTS;
    double h = E == 0 ? 0.0 : ((0.5 * xd) * E * C) * unscale;
    return (T)(xd > 0 ? xd - h : (E == 0 ? fa_copysign(0.0, xd) : h));
}
FA_INLINE T S(fa_gelu_grad)(FA_ARGS)
{
    FA_UNUSED;
    FA_GELU_PARTS;
    double k = xd * FA_INV_SQRT_2PI;
    double g = xd > 0 ? 1.0 + (E * (k - 0.5 * C)) * unscale : (E * (0.5 * C + k)) * unscale;
    g = E == 0 ? (xd > 0 ? 1.0 : 0.0) : g;
    return (T)FA_NANP(xd, g);
}

/* GELU, tanh form (PyTorch approximate='tanh'):
   x (1 + tanh(u)) / 2 = x sigmoid(2u),  u = sqrt(2/pi) (x + 0.044715 x^3) */
#define FA_GELU_TANH_K1 1.5957691216057307117597842397375 /* 2 sqrt(2/pi) */
#define FA_GELU_TANH_K2 0.071354816272600248776 /* 2 sqrt(2/pi) 0.044715 */
#define FA_GELU_TANH_PARTS                                                     \
    double xd = x, x2 = xd * xd;                                               \
    double z = xd * (FA_GELU_TANH_K1 + FA_GELU_TANH_K2 * x2); /* 2u */         \
    int tail = z < FA_TAIL_BELOW;                                              \
    double es = fa_exp_scaled(-fa_abs(z), tail ? FA_TAIL_SCALE_K : 0);         \
    double e = tail ? es * FA_TAIL_UNSCALE : es;                               \
    double r = 1.0 / (1.0 + e);                                                \
    double s = z >= 0 ? r : es * r;  /* sigmoid(2u), scaled in the tail */     \
    double sm = z >= 0 ? e * r : r;  /* 1 - sigmoid(2u) */                     \
    double unscale = tail ? FA_TAIL_UNSCALE : 1.0

FA_INLINE T S(fa_gelu_tanh)(FA_ARGS)
{
    FA_UNUSED;
    FA_GELU_TANH_PARTS;
    (void)sm;
    double y = (xd * s) * unscale;
    return (T)(s == 0 ? fa_copysign(0.0, xd) : y);
}
/* d/dx = s + x s (1 - s) (2u)',  (2u)' = K1 + 3 K2 x^2 */
FA_INLINE T S(fa_gelu_tanh_grad)(FA_ARGS)
{
    FA_UNUSED;
    FA_GELU_TANH_PARTS;
    double dz = FA_GELU_TANH_K1 + 3.0 * FA_GELU_TANH_K2 * x2;
    double t = sm == 0 ? 0.0 : xd * sm * dz;
    t = fa_abs(xd) > 1e100 ? 0.0 : t; /* sm = 0 there; x^3 would overflow */
    double g = s == 0 ? 0.0 : (s + s * t) * unscale;
    return (T)FA_NANP(xd, g);
}
