/* activations.h -- the scalar definition of every activation and derivative.
 *
 * Included three times by kernels.inc: T = float (S(f) = f##_f), T = double
 * for float64 results (f##_d) and T = double for float32 results (f##_h).
 * Each function takes the input and up to three parameters (unused ones are
 * ignored and optimized away).  The generated table (fa_gen.h) says, for each
 * ufunc, which of these a kernel applies and whether its float32 kernel
 * computes in float or in double (the table's f32 field).
 *
 * FA_DD (set by kernels.inc) is 1 in the double instantiation behind float64
 * results: there the steps that would cancel are carried in two words.  The
 * double instantiation behind float32 results (suffix _h) and the float one
 * take the plain closed forms, far inside a float32 ULP.
 *
 * Style: selects, not branches, so that loops vectorize; NaN in -> NaN out
 * (FA_NANP); kinks take PyTorch autograd's value (README "Semantics").
 */
#define FA_ARGS T x, T p1, T p2, T p3
#define FA_UNUSED (void)p1; (void)p2; (void)p3
#define FA_NANP(x, v) ((x) != (x) ? (x) : (v))
/* a magnitude beyond which x^2 (or a Dekker split) is not formed */
#define FA_K_BIG(s) ((T)(s) * (T)(sizeof(T) == 8 ? 1e100 : 1e12))

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
/* rrelu in inference: leaky_relu with the mean slope lower/2 + upper/2 (no overflow) */
FA_INLINE T S(fa_rrelu)(FA_ARGS) { FA_UNUSED; return x > 0 ? x : x * (p1 * (T)0.5 + p2 * (T)0.5); }
FA_INLINE T S(fa_rrelu_grad)(FA_ARGS) { FA_UNUSED; return FA_NANP(x, x > 0 ? (T)1 : p1 * (T)0.5 + p2 * (T)0.5); }

/* relu6 = min(max(x, 0), 6); leaky_relu6 leaks with slope p1 below 0 */
FA_INLINE T S(fa_relu6)(FA_ARGS) { FA_UNUSED; return x <= 0 ? (T)0 : (x > 6 ? (T)6 : x); }
FA_INLINE T S(fa_relu6_grad)(FA_ARGS) { FA_UNUSED; return FA_NANP(x, (x > 0 && x < 6) ? (T)1 : (T)0); }
FA_INLINE T S(fa_leaky_relu6)(FA_ARGS) { FA_UNUSED; return x > 0 ? (x > 6 ? (T)6 : x) : p1 * x; }
FA_INLINE T S(fa_leaky_relu6_grad)(FA_ARGS)
{
    FA_UNUSED;
    return FA_NANP(x, x <= 0 ? p1 : (x < 6 ? (T)1 : (T)0));
}

/* (ph + pl) / 6 rounded once, with one division: q = ph * (1/6) is within
   an ULP, ph - 6q is exact (its product error by fa_prod_lo), and the
   remainder corrects q.  The correction is divided, not multiplied by 1/6:
   (x + 3) / 6 often lies exactly half-way between two floats, and only the
   exact rem / 6 breaks that tie to even.  |ph| < 1e30 (float), |pl| <= ULP(ph). */
FA_INLINE T S(fa__div6)(T ph, T pl)
{
    T q = ph * (T)(1.0 / 6.0), q6 = q * (T)6;
    T rem = ((ph - q6) - M(fa_prod_lo_nc)(q, (T)6, q6)) + pl;
    return q + rem / (T)6;
}
/* hardswish = x * relu6(x + 3) / 6, rounded once: x + 3 = th + tl exactly,
   x th exactly (product error), then the division by 6 */
FA_INLINE T S(fa_hardswish)(FA_ARGS)
{
    FA_UNUSED;
    T xc = M(fa_clamp)(x, (T)-3, (T)3);
    T tl, th = M(fa_two_sum)(xc, (T)3, &tl);
    T ph = xc * th, pl = M(fa_prod_lo_nc)(xc, th, ph) + xc * tl;
    T y = S(fa__div6)(ph, pl);
    y = x >= 3 ? x : y;
    return x <= -3 ? (T)0 : y;
}
/* (2x + 3) / 6 rounded once */
FA_INLINE T S(fa_hardswish_grad)(FA_ARGS)
{
    FA_UNUSED;
    T xc = M(fa_clamp)(x, (T)-3, (T)3);
    T tl, th = M(fa_two_sum)((T)2 * xc, (T)3, &tl);
    T g = S(fa__div6)(th, tl);
    g = x >= 3 ? (T)1 : g;
    return FA_NANP(x, x <= -3 ? (T)0 : g);
}

/* sigmoid = 1 / (1 + exp(-x)): one exp, one division, no cancellation
   (about 1.5 ULP); below the tail threshold exp(x) itself, scaled so that a
   subnormal result is rounded once */
FA_INLINE T S(fa__sigmoid)(T x)
{
    int tail = x < FA_TB;
    T E = M(fa_exp_scaled)(tail ? x : -x, tail ? FA_TK : 0);
    return tail ? E * FA_TU : (T)1 / ((T)1 + E);
}
/* e / (1 + e)^2 for 0 <= e <= 1, with (1 + e)^2 formed exactly */
FA_INLINE T S(fa__e_1pe2)(T e)
{
    T sh = (T)1 + e, sl = ((T)1 - sh) + e;
    T qh = sh * sh, ql = M(fa_sqr_lo)(sh, qh) + (T)2 * sh * sl;
    T g = e / qh;
    return g - g * (ql / qh);
}
FA_INLINE T S(fa_sigmoid)(FA_ARGS) { FA_UNUSED; return S(fa__sigmoid)(x); }
/* sigmoid' = s (1 - s) = e / (1 + e)^2 with e = exp(-|x|): exact in both tails */
FA_INLINE T S(fa_sigmoid_grad)(FA_ARGS) { FA_UNUSED; return S(fa__e_1pe2)(M(fa_exp)(-M(fa_abs)(x))); }
FA_INLINE T S(fa_sigmoid_grad_from_output)(FA_ARGS) { FA_UNUSED; return x * (1 - x); }

/* tanh; tanh' = 1 - tanh^2 = 4 E / (1 + E)^2 with E = exp(-2|x|) */
FA_INLINE T S(fa_tanh)(FA_ARGS) { FA_UNUSED; return M(fa_tanh)(x); }
FA_INLINE T S(fa_tanh_grad)(FA_ARGS)
{
    FA_UNUSED;
    /* where E is subnormal but 4 E is not, E is formed scaled (then 4E/(1+E)^2 = 4E) */
    T m2a = (T)-2 * M(fa_abs)(x);
    int tail = m2a < FA_TB;
    T es = M(fa_exp_scaled)(m2a, tail ? FA_TK : 0);
    return tail ? ((T)4 * es) * FA_TU : (T)4 * S(fa__e_1pe2)(es);
}
FA_INLINE T S(fa_tanh_grad_from_output)(FA_ARGS) { FA_UNUSED; return (1 - x) * (1 + x); }

/* elu = x for x > 0, alpha * expm1(x) below; elu'(0) = alpha (left branch) */
FA_INLINE T S(fa_elu)(FA_ARGS)
{
    FA_UNUSED;
    T neg = (T)((T)p1 * M(fa_expm1)(x));
    return x > 0 ? x : neg;
}
FA_INLINE T S(fa_elu_grad)(FA_ARGS)
{
    FA_UNUSED;
    int tail = x < FA_TB; /* alpha * exp(x) rounded once when subnormal */
    T e = M(fa_exp_scaled)(x, tail ? FA_TK : 0);
    T neg = (T)(((T)p1 * e) * (tail ? FA_TU : (T)1.0));
    return x > 0 ? (T)1 : neg;
}
/* from the output y: 1 for y > 0, y + alpha below */
FA_INLINE T S(fa_elu_grad_from_output)(FA_ARGS) { FA_UNUSED; return x > 0 ? (T)1 : x + p1; }

/* ---- products with sigmoid(z), z = zh + zl (zl: the rounding error of zh) ---- */
/* x * sigmoid(z) = x / (1 + exp(-z)): one exp, one rounding; below the tail
   threshold x * exp(z), formed with exp(z) * 2^FA_TK so that a subnormal
   result is rounded once */
FA_INLINE T S(fa__xsig)(T x, T zh, T zl)
{
    int tail = zh < FA_TB;
    T E = M(fa_exp_scaled_lo)(tail ? zh : -zh, tail ? zl : -zl, tail ? FA_TK : 0);
    T yt = E == 0 ? M(fa_copysign)((T)0, x) : (x * E) * FA_TU; /* x = -inf: not inf * 0 */
    return tail ? yt : x / ((T)1 + E);
}
/* sigmoid(z) and 1 - sigmoid(z), each without cancellation; in the tail *s
   is scaled by 2^FA_TK and *unscale = 2^-FA_TK */
FA_INLINE void S(fa__sig2)(T zh, T zl, T *s, T *sm, T *unscale)
{
    int tail = zh < FA_TB;
    T es = M(fa_exp_scaled_lo)(-M(fa_abs)(zh), zh >= 0 ? -zl : zl, tail ? FA_TK : 0);
    T e = tail ? es * FA_TU : es; /* exp(-|z|) */
    T r = (T)1 / ((T)1 + e);
    *s = zh >= 0 ? r : es * r;
    *sm = zh >= 0 ? e * r : r;
    *unscale = tail ? FA_TU : (T)1;
}
/* s (1 + w (1 - s)), s = sigmoid(z), for -40 <= z <= 0 (w = z for swish,
   x z' for gelu_tanh): written as e (1 + e + w) / (1 + e)^2 with e = exp(z),
   every step in two words (e from fa_exp_dd, 1 + w + e by TwoSum, the square
   exact) and the quotient rounded once: 1 + e + w cancels (up to 3x outside
   the Taylor window), nothing else does */
FA_INLINE T S(fa__sgrad_neg)(T zh, T zl, T wh, T wl)
{
    T zc = M(fa_clamp)(zh, (T)-40, (T)0), el;
    T eh = M(fa_exp_dd)(zc, zl, 0, &el); /* (zl: only where zc = zh is used) */
    T wc = M(fa_clamp)(wh, (T)-1e6, (T)1e6);
    T al, a = M(fa_two_sum)((T)1, wc, &al);
    T nl, nh = M(fa_two_sum)(a, eh, &nl);
    nl += (al + wl) + el;
    T pl, ph = M(fa_dd_mul)(eh, el, nh, nl, &pl);
    T dh = (T)1 + eh, dl = (((T)1 - dh) + eh) + el; /* 1 >= e */
    T ql, qh = M(fa_dd_mul)(dh, dl, dh, dl, &ql);
    return M(fa_dd_div)(ph, pl, qh, ql);
}
/* f'(x0 + d) from the Taylor series at a simple zero x0 = hi + lo (fa_roots.h):
   the closed forms cancel there.  d = (x - hi) - lo is exact near x0. */
#define FA_ROOT_D(x, NAME)                                                      \
    (((x) - (T)FA_ROOT_##NAME##_HI) -                                           \
     (T)((FA_ROOT_##NAME##_HI - (double)(T)FA_ROOT_##NAME##_HI) + FA_ROOT_##NAME##_LO))
#define FA_ROOT_WINDOW ((T)0.5)
FA_INLINE T S(fa__series)(T d, const double *c, int n)
{
    T p = (T)c[n - 1];
#pragma GCC unroll 32
    for (int j = n - 2; j >= 0; j--) p = p * d + (T)c[j];
    return p * d;
}
#define FA_ROOT_SERIES(d, NAME)                                                 \
    S(fa__series)((d), (const double[])FA_ROOT_##NAME##_C, FA_ROOT_##NAME##_N)

/* swish(x, beta) = x * sigmoid(beta x), with beta x formed exactly (hi + lo);
   swish' = g(beta x), g(z) = s (1 + z (1 - s)), s = sigmoid(z); the limits at
   +-inf replace inf * 0; a NaN beta gives NaN */
#define FA_SWISH_Z                                                              \
    T xd = x, b = p1, bxr = b * xd, bxl = M(fa_prod_lo)(b, xd, bxr);          \
    T zh = b == 0 ? (T)0 : bxr, zl = b == 0 ? (T)0 : bxl; /* no 0 * inf */     \
    zh = xd == 0 ? (T)0 : zh;                                                   \
    zl = xd == 0 ? (T)0 : zl

FA_INLINE T S(fa_swish)(FA_ARGS)
{
    FA_UNUSED;
    FA_SWISH_Z;
    T y = S(fa__xsig)(xd, zh, zl);
    return b != b ? b : y;
}
FA_INLINE T S(fa_swish_grad)(FA_ARGS)
{
    FA_UNUSED;
    FA_SWISH_Z;
    T s, sm, u;
    S(fa__sig2)(zh, zl, &s, &sm, &u);
    T t = sm == 0 ? (T)0 : zh * sm;
    T g = s == 0 ? (T)0 : (s + s * t) * u;
    if (FA_DD) { /* the closed form cancels below 0 */
        T gn = S(fa__sgrad_neg)(zh, zl, zh, zl);
        T zin = zh > (T)-40 ? zh : (T)0; /* -40 < z < 0 as one compare: */
        g = zin < 0 ? gn : g;                /* no mask of masks (AVX2) */
    }
    T d = FA_ROOT_D(zh, SWISH) + zl;
    g = M(fa_abs)(d) < FA_ROOT_WINDOW ? FA_ROOT_SERIES(d, SWISH) : g;
    return b != b ? b : g;
}

/* ---- the modern set ------------------------------------------------------ */
/* alpha * exp(x), rounded once even where it is subnormal */
FA_INLINE T S(fa__alpha_exp)(T a, T x, T xlo)
{
    int tail = x < FA_TB;
    return (a * M(fa_exp_scaled_lo)(x, xlo, tail ? FA_TK : 0)) * (tail ? FA_TU : (T)1.0);
}

/* SELU (Klambauer et al. 2017): scale * (x if x > 0 else alpha * expm1(x)) */
#define FA_SELU_ALPHA 1.6732632423543772848170429916717
#define FA_SELU_SCALE 1.0507009873554804934193349852946
#define FA_SELU_SA 1.7580993408473768599402175208123 /* scale * alpha */
FA_INLINE T S(fa_selu)(FA_ARGS)
{
    FA_UNUSED;
    T xd = x;
    T y = xd > 0 ? (T)FA_SELU_SCALE * xd : (T)FA_SELU_SA * M(fa_expm1)(xd);
    return (T)y;
}
FA_INLINE T S(fa_selu_grad)(FA_ARGS)
{
    FA_UNUSED;
    T xd = x;
    return (T)FA_NANP(xd, xd > 0 ? (T)FA_SELU_SCALE : S(fa__alpha_exp)(FA_SELU_SA, xd, (T)0));
}

/* CELU: max(0, x) + min(0, alpha * expm1(x / alpha)); celu'(0) = 1 */
FA_INLINE T S(fa_celu)(FA_ARGS)
{
    FA_UNUSED;
    T xd = x, a = p1;
    T neg = a == 0 ? M(fa_copysign)((T)0, xd) : a * M(fa_expm1)(xd / a); /* alpha 0: relu */
    neg = M(fa_abs)(a) == (T)__builtin_inf() ? xd : neg; /* alpha +-inf: the identity (its limit) */
    return (T)(xd > 0 ? xd : neg);
}
FA_INLINE T S(fa_celu_grad)(FA_ARGS)
{
    FA_UNUSED;
    T xd = x, a = p1;
    /* q = x / a to twice the precision: exp(q) has |q| times q's relative error */
    T q = xd / a, qa = q * a, ql = ((xd - qa) - M(fa_prod_lo)(q, a, qa)) / a;
    ql = M(fa_abs)(q) < (T)1e30 ? ql : (T)0;
    T neg = a == 0 ? (T)0 : S(fa__alpha_exp)((T)1.0, q, ql); /* alpha 0: relu' */
    neg = M(fa_abs)(a) == (T)__builtin_inf() ? (T)1 : neg; /* alpha +-inf: identity' */
    return (T)FA_NANP(xd, xd > 0 ? (T)1.0 : neg);
}

/* softplus(x, beta, threshold) = log1p(exp(beta x)) / beta, written as
   max(x, 0) + log1p(exp(-|z|)) / beta with z = beta x formed exactly (hi + lo:
   exp(-|z|) has |z| times z's relative error); x itself where z > threshold
   (PyTorch's switch; the default threshold inf never switches) */
#define FA_SOFTPLUS_Z                                                           \
    T xd = x, b = p1, z = b == 0 ? (T)0 : b * xd, zl = M(fa_prod_lo)(b, xd, z); \
    T e = M(fa_exp_scaled_lo)(-M(fa_abs)(z), z >= 0 ? -zl : zl, 0) /* exp(-|z|) */

FA_INLINE T S(fa_softplus)(FA_ARGS)
{
    FA_UNUSED;
    FA_SOFTPLUS_Z;
    T y = (z > 0 ? xd : (T)0) + M(fa_log1p)(e) / b;
    y = z == (T)__builtin_inf() ? xd : y;
    return (T)(z > (T)p2 ? xd : y);
}
/* softplus' = sigmoid(beta x) (1 above the threshold) */
FA_INLINE T S(fa_softplus_grad)(FA_ARGS)
{
    FA_UNUSED;
    FA_SOFTPLUS_Z;
    T r = (T)1 / ((T)1 + e);
    T s = z >= 0 ? r : e * r;
    return (T)FA_NANP(z, z > (T)p2 ? (T)1.0 : s);
}

/* logsigmoid = min(x, 0) - log1p(exp(-|x|)); ' = sigmoid(-x) */
FA_INLINE T S(fa_logsigmoid)(FA_ARGS)
{
    FA_UNUSED;
    T xd = x;
    return (T)((xd < 0 ? xd : (T)0.0) - M(fa_log1p)(M(fa_exp)(-M(fa_abs)(xd))));
}
FA_INLINE T S(fa_logsigmoid_grad)(FA_ARGS)
{
    FA_UNUSED;
    T xd = x, e = M(fa_exp)(-M(fa_abs)(xd)), r = (T)1.0 / ((T)1.0 + e);
    return (T)(xd >= 0 ? e * r : r);
}

/* float64: f'(x0 + d) from the Taylor series at a simple zero (fa_roots.h)
   with its last steps in two words: d = x - x0 = dh + dl (TwoSum, x0 = HI +
   LO), P2 = C[2] + C[3] d + ... in one word, q = C[0] + C[1] d + d^2 P2 with
   C[0], C[1] in two words (CL), and d q rounded once.  The float64 closed
   forms are in two words and cancel only closer to x0: the window is
   |d| < WDD, with the NDD terms it needs (fa_roots.h).  x is clamped to
   x0 +- 1. */
FA_INLINE T S(fa__series_dd)(T x, double hi, double lo, const double *c, const double *cl, int n)
{
    T xw = M(fa_clamp)(x, (T)(hi - 1.0), (T)(hi + 1.0));
    T dl, dh = M(fa_two_sum)(xw, (T)-hi, &dl);
    dl -= (T)lo;
    T p = (T)c[n - 1];
#pragma GCC unroll 32
    for (int j = n - 2; j >= 2; j--) p = p * dh + (T)c[j];
    T t2 = (dh * dh) * p;
    T t1 = (T)c[1] * dh;
    T t1l = M(fa_prod_lo_nc)((T)c[1], dh, t1) + ((T)c[1] * dl + (T)cl[1] * dh);
    T q1l, q1 = M(fa_two_sum)((T)c[0], t1, &q1l);
    T ql, qh = M(fa_two_sum)(q1, t2, &ql);
    ql += (q1l + t1l) + (T)cl[0];
    T gl, gh = M(fa_dd_mul)(dh, dl, qh, ql, &gl);
    return gh + gl;
}
/* g, or the series where x is in the window of the zero of NAME's
   derivative (d = FA_ROOT_D(x, NAME)) */
#define FA_ROOT_SELECT(g, x, d, NAME)                                           \
    (FA_DD ? (M(fa_abs)(d) < (T)FA_ROOT_##NAME##_WDD                            \
                  ? S(fa__series_dd)((x), FA_ROOT_##NAME##_HI, FA_ROOT_##NAME##_LO, \
                                     (const double[])FA_ROOT_##NAME##_C,         \
                                     (const double[])FA_ROOT_##NAME##_CL,        \
                                     FA_ROOT_##NAME##_NDD)                       \
                  : (g))                                                        \
           : (M(fa_abs)(d) < FA_ROOT_WINDOW ? FA_ROOT_SERIES(d, NAME) : (g)))

/* mish = x tanh(softplus(x)).  With e = exp(-|x|):
   tanh(softplus(x)) = n / (n + 2), n = e (e + 2)          for x <= 0
                     = (1 + 2e) / (1 + 2e + 2e^2)          for x > 0
   (no overflow, no cancellation); below x = -600 the product is formed with
   e * 2^64 and scaled back once.  Float64 results: FA_MISH_DD below. */
#define FA_MISH_PARTS                                                          \
    T xd = x;                                                             \
    int tail = xd < FA_TB;                                             \
    T es = M(fa_exp_scaled)(-M(fa_abs)(xd), tail ? FA_TK : 0);        \
    T e = tail ? es * FA_TU : es;                               \
    T unscale = tail ? FA_TU : (T)1.0;                             \
    T n = e * (e + (T)2.0), ns = es * (e + (T)2.0);                             \
    T dpos = (T)1.0 + (T)2.0 * e * ((T)1.0 + e);                                   \
    T th = xd > 0 ? ((T)1.0 + (T)2.0 * e) / dpos : ns / (n + (T)2.0); /* scaled */ \
    T sech2 = xd > 0 ? (T)4.0 * ((T)1.0 + e) * ((T)1.0 + e) * e * e / (dpos * dpos) \
                          : (T)4.0 * ((T)1.0 + n) / ((n + (T)2.0) * (n + (T)2.0));         \
    T sig = xd > 0 ? (T)1.0 / ((T)1.0 + e) : es / ((T)1.0 + e) /* scaled */

/* float64 (FA_DD): mish and mish' in two words, rounded once.  With
   e = exp(-|x|) (fa_exp_dd2; scaled by 2^FA_TK below FA_TB) they are the same
   rational functions of exp(x), written in e so that nothing overflows:
     x <= 0:  mish  = x e (2 + e) / Q,  Q = 2 + 2e + e^2,
              mish' = e A / Q^2,  A = 4 (1 + x) + (6 + 4x) e + 4 e^2 + e^3;
     x > 0:   mish  = x (1 + 2e) / Q,  Q = 1 + 2e + 2e^2,
              mish' = A / Q^2,    A = 1 + 4 e + (6 + 4x) e^2 + 4 (1 + x) e^3.
   The coefficients are selected per lane (one code path), the polynomials
   evaluated by Horner in two words.  A cancels only near x = -1 (4 (1 + x)
   is exact as a TwoSum) and at the zero of mish' (the Taylor window).
   Below x = -80 the polynomials drop e (below 2^-110 relative): mish =
   x e, mish' = e (1 + x), with e scaled in the deep tail.  Above x = 40,
   mish = x and mish' = 1 (to 2^-100). */
#define FA_MISH_DD                                                              \
    T xc = M(fa_clamp)(x, (T)-800, (T)40);                                      \
    T el, es = M(fa_exp_dd2)(-M(fa_abs)(xc), (T)0, x < FA_TB ? FA_TK : 0, &el);  \
    T unscale = x < FA_TB ? FA_TU : (T)1;                                       \
    T ep = x < (T)-80 ? (T)0 : es, epl = x < (T)-80 ? (T)0 : el;                \
    T Fh = x > 0 ? (T)1 : es, Fl = x > 0 ? (T)0 : el; /* the factor e */       \
    T q0 = x > 0 ? (T)1 : (T)2, q2 = x > 0 ? (T)2 : (T)1; /* q1 = 2 */         \
    T t1l, t1 = M(fa_two_sum)((T)2, q2 * ep, &t1l);                             \
    t1l += q2 * epl;                                                            \
    T t2l, t2 = M(fa_dd_mul)(ep, epl, t1, t1l, &t2l);                           \
    T Ql, Qh = M(fa_two_sum)(q0, t2, &Ql);                                      \
    Ql += t2l

FA_INLINE T S(fa__mish_d)(T x)
{
    FA_MISH_DD;
    T p0 = x > 0 ? (T)1 : (T)2, p1 = x > 0 ? (T)2 : (T)1; /* P = p0 + p1 e */
    T Pl, Ph = M(fa_two_sum)(p0, p1 * ep, &Pl);
    Pl += p1 * epl;
    T Nl, Nh = M(fa_dd_mul)(Fh, Fl, Ph, Pl, &Nl);
    T Xl, Xh = M(fa_dd_mul)(xc, (T)0, Nh, Nl, &Xl);
    T y = M(fa_dd_div)(Xh, Xl, Qh, Ql) * unscale;
    y = x > (T)40 ? x : y;
    y = es == 0 ? M(fa_copysign)((T)0, x) : y; /* x = -inf */
    return x == 0 ? x : y;
}
FA_INLINE T S(fa__mish_grad_d)(T x)
{
    FA_MISH_DD;
    T ul, uh = M(fa_two_sum)((T)1, xc, &ul); /* 1 + x */
    uh *= (T)4;
    ul *= (T)4;
    T vl, vh = M(fa_two_sum)((T)6, (T)4 * xc, &vl); /* 6 + 4x */
    /* A = a0 + e (a1 + e (a2 + e a3)) */
    T a3 = x > 0 ? uh : (T)1, a3l = x > 0 ? ul : (T)0;
    T a2 = x > 0 ? vh : (T)4, a2l = x > 0 ? vl : (T)0;
    T a1 = x > 0 ? (T)4 : vh, a1l = x > 0 ? (T)0 : vl;
    T a0 = x > 0 ? (T)1 : uh, a0l = x > 0 ? (T)0 : ul;
    T hl, h = M(fa_dd_mul)(ep, epl, a3, a3l, &hl);
    T sl, sh = M(fa_two_sum)(a2, h, &sl);
    sl += a2l + hl;
    h = M(fa_dd_mul)(ep, epl, sh, sl, &hl);
    sh = M(fa_two_sum)(a1, h, &sl);
    sl += a1l + hl;
    h = M(fa_dd_mul)(ep, epl, sh, sl, &hl);
    sh = M(fa_two_sum)(a0, h, &sl);
    sl += a0l + hl;
    T Nl, Nh = M(fa_dd_mul)(Fh, Fl, sh, sl, &Nl);
    T Dl, Dh = M(fa_dd_mul)(Qh, Ql, Qh, Ql, &Dl);
    T g = M(fa_dd_div)(Nh, Nl, Dh, Dl) * unscale;
    g = x > (T)40 ? (T)1 : g;
    return es == 0 ? (T)0 : g; /* x = -inf */
}

FA_INLINE T S(fa_mish)(FA_ARGS)
{
    FA_UNUSED;
    if (FA_DD) return S(fa__mish_d)(x);
    FA_MISH_PARTS;
    (void)sech2; (void)sig;
    T y = xd > 0 ? xd * th : (xd * th) * unscale;
    return (T)(th == 0 ? M(fa_copysign)((T)0.0, xd) : y);
}
FA_INLINE T S(fa_mish_grad)(FA_ARGS)
{
    FA_UNUSED;
    FA_MISH_PARTS;
    T t = sech2 == 0 ? (T)0.0 : xd * sig * sech2; /* x * sech^2 * sigmoid */
    T g = xd > 0 ? th + t : (th + t) * unscale;
    g = (es == 0 && xd < 0) ? (T)0.0 : g; /* x = -inf */
    if (FA_DD) g = S(fa__mish_grad_d)(x);
    T d = FA_ROOT_D(xd, MISH);
    g = FA_ROOT_SELECT(g, xd, d, MISH);
    return (T)FA_NANP(xd, g);
}

/* softsign = x / (1 + |x|) (+-1 at +-inf); ' = 1 / (1 + |x|)^2 */
FA_INLINE T S(fa_softsign)(FA_ARGS)
{
    FA_UNUSED;
    T xd = x, y = xd / ((T)1.0 + M(fa_abs)(xd));
    return (T)(M(fa_abs)(xd) == (T)__builtin_inf() ? M(fa_copysign)((T)1.0, xd) : y);
}
FA_INLINE T S(fa_softsign_grad)(FA_ARGS)
{
    FA_UNUSED;
    /* d = 1 + |x| = dh + dl exactly; 1/d^2 = (1/q)(1 - ql/q - 2 dl/dh) with
       q + ql = dh^2 exactly: one rounding (r * r where dh^2 would overflow) */
    T ax = M(fa_abs)((T)x), dh = (T)1 + ax;
    T dl = ax < (T)1 ? ((T)1 - dh) + ax : (ax - dh) + (T)1;
    T qh = dh * dh, ql = M(fa_sqr_lo)(M(fa_clamp)(dh, (T)0, FA_K_BIG(1)), qh);
    T g = ((T)1 / qh) * ((T)1 - (ql / qh + (T)2 * dl / dh));
    T r = (T)1 / dh;
    return ax < FA_K_BIG(1) ? g : r * r;
}

/* hardsigmoid (PyTorch) = relu6(x + 3) / 6; ' = 1/6 inside (-3, 3), 0 at +-3 */
FA_INLINE T S(fa_hardsigmoid)(FA_ARGS)
{
    FA_UNUSED;
    T xc = M(fa_clamp)(x, (T)-3, (T)3);
    T tl, th = M(fa_two_sum)(xc, (T)3, &tl);
    T y = S(fa__div6)(th, tl); /* (x + 3) / 6 rounded once */
    y = x >= 3 ? (T)1.0 : y;
    return (T)(x <= -3 ? (T)0.0 : y);
}
FA_INLINE T S(fa_hardsigmoid_grad)(FA_ARGS)
{
    FA_UNUSED;
    return FA_NANP(x, (x > -3 && x < 3) ? (T)((T)1.0 / (T)6.0) : (T)0);
}
/* hard_sigmoid (Keras, ONNX) = clip(alpha x + beta, 0, 1).  v = alpha x + beta
   is held as vh + ve exactly (Dekker product, TwoSum), so the result is rounded
   once and the clip points 0 and 1 are decided on the exact value */
#define FA_HARD_SIGMOID_V                                                       \
    T a = p1, xd = x, b = p2, p = a == 0 ? (T)0 : a * xd; /* alpha 0: constant */ \
    T vh = p + b, bb = vh - p;                                                  \
    T ve = ((p - (vh - bb)) + (b - bb)) + M(fa_prod_lo)(a, xd, p);              \
    /* the sign of the low part; where a x underflowed, the sign of a x */      \
    T sgn = (a * (T)0x1p100) * xd;                                              \
    T vs = p == 0 ? sgn : ve;                                                   \
    /* v > 0 and v < 1, decided on the exact value (as 1 / 0 in T: nested      \
       selects, since gcc's AVX2 vectorizer rejects a mask of masks) */         \
    T above0 = vh > 0 ? (T)1 : (vh == 0 ? (vs > 0 ? (T)1 : (T)0) : (T)0);      \
    T below1 = vh < 1 ? (T)1 : (vh == 1 ? (vs < 0 ? (T)1 : (T)0) : (T)0)

FA_INLINE T S(fa_hard_sigmoid)(FA_ARGS)
{
    FA_UNUSED;
#if FA_USE_FMA
    /* alpha x + beta rounded once; rounding is monotonic, so clipping the
       rounded value gives the correctly rounded clip of the exact one */
    T xa = p1 == 0 ? (T)0 : x; /* alpha 0: beta (no 0 * inf) */
    return FA_NANP(x, M(fa_clamp)(M(fa_fma)(p1, xa, p2), (T)0, (T)1));
#else
    FA_HARD_SIGMOID_V;
    T v = vh + ve;
    v = below1 != 0 ? v : (T)1;
    v = above0 != 0 ? v : (T)0;
    return FA_NANP(vh, v);
#endif
}
FA_INLINE T S(fa_hard_sigmoid_grad)(FA_ARGS)
{
    FA_UNUSED;
    FA_HARD_SIGMOID_V;
    return FA_NANP(vh, above0 * below1 != 0 ? a : (T)0);
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

/* tanhshrink = x - tanh(x): for |x| < 1, x^3 q(x^2) with q fitted (mpmath
   chebyfit, error < 4e-20); above, (|x| - 1) + 2 / (1 + exp(2|x|)) with the
   sign of x: both terms positive and |x| - 1 exact, so nothing cancels */
FA_INLINE T S(fa_tanhshrink)(FA_ARGS)
{
    FA_UNUSED;
    T xd = x, s = xd * xd;
    T q = (T)8.5381619012121558e-09;
    q = q * s + (T)-9.3641446229657593e-08;
    q = q * s + (T)5.122767150793262e-07;
    q = q * s + (T)-1.9216974143833895e-06;
    q = q * s + (T)5.7774841368659152e-06;
    q = q * s + (T)-1.541627724102249e-05;
    q = q * s + (T)3.8991741215043214e-05;
    q = q * s + (T)-9.67910218266933e-05;
    q = q * s + (T)0.0002390884367049363;
    q = q * s + (T)-0.00059001756852543189;
    q = q * s + (T)0.0014558326516768139;
    q = q * s + (T)-0.003592127823422879;
    q = q * s + (T)0.0088632355125660544;
    q = q * s + (T)-0.021869488535296695;
    q = q * s + (T)0.053968253968231523;
    T q2 = q;
    q = q * s + (T)-0.13333333333333311;
    q = q * s + (T)0.33333333333333331;
    /* x^3 = c + cl exactly enough (x^2 and x * x^2 by Dekker): one rounding less */
    T xs = M(fa_clamp)(xd, (T)-1, (T)1);
    T sl = M(fa_sqr_lo)(xs, s), c = xd * s, cl = M(fa_prod_lo)(xs, s, c) + xd * sl;
    T small = c * q + cl * q;
    T a = M(fa_abs)(xd);
    if (FA_DD) { /* the last two Horner steps and the product in two words */
        T ss = xs * xs;
        T t1l, t1h = M(fa_dd_mul)(ss, sl, q2, (T)0, &t1l);
        T r1l, r1h = M(fa_two_sum)((T)-0.13333333333333311, t1h, &r1l);
        T t0l, t0h = M(fa_dd_mul)(ss, sl, r1h, r1l + t1l, &t0l);
        T qhl, qh = M(fa_two_sum)((T)0.33333333333333331, t0h, &qhl);
        T cs = xs * ss, csl = M(fa_prod_lo_nc)(xs, ss, cs) + xs * sl;
        T yl, yh = M(fa_dd_mul)(cs, csl, qh, qhl + t0l, &yl);
        T an = a > (T)1e-60 ? a : (T)1; /* no subnormal Dekker products */
        small = an < (T)1 ? yh + yl : small;
    }
    T big = M(fa_copysign)((a - (T)1) + (T)2 / ((T)1 + M(fa_exp)((T)2 * a)), xd);
    return a < (T)1 ? small : big;
}
/* tanhshrink' = tanh^2: 1 - sech^2 above |x| = 1 (sech^2 = 4e / (1 + e)^2,
   e = exp(-2|x|), accurate; it is < 0.42 there, so nothing cancels) */
FA_INLINE T S(fa_tanhshrink_grad)(FA_ARGS)
{
    FA_UNUSED;
    T t = M(fa_tanh)(x);
    T sech2 = (T)4 * S(fa__e_1pe2)(M(fa_exp)((T)-2 * M(fa_abs)(x)));
    T y = M(fa_abs)(x) < (T)1 ? t * t : (T)1 - sech2;
    if (FA_DD) { /* below 1: tanh in two words, squared, rounded once */
        T tl, th = M(fa_tanh_abs_dd)(x, &tl);
        T yn = th * th + (M(fa_sqr_lo)(th, th * th) + (T)2 * th * tl);
        T an = M(fa_abs)(x) > (T)1e-60 ? M(fa_abs)(x) : (T)1;
        y = an < (T)1 ? yn : y;
    }
    return y;
}

/* softshrink: x - l above l, x + l below -l, 0 between; hardshrink: x outside [-l, l] */
FA_INLINE T S(fa_softshrink)(FA_ARGS)
{
    FA_UNUSED;
    T y = x < -p1 ? x + p1 : (T)0;
    y = x > p1 ? x - p1 : y; /* (the first test wins for a negative lambd) */
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

/* float64 (FA_DD): the parts of gelu and gelu' in two words.
   E = exp(-x^2/2) 2^k = Eh + El (x^2 exact, k = FA_TK above |x| = 34 and
   *unscale = 2^-k), C = erfcx(|x|/sqrt2) = Ch + Cl (fa_erfcx_s2_dd); |x| is
   clamped to 40, where E is 0 even scaled */
#define FA_INV_SQRT_2PI_LO (-2.49232720227773e-17)
FA_INLINE void S(fa__gelu_dd)(T x, T *Eh, T *El, T *Ch, T *Cl, T *unscale)
{
    T xc = M(fa_clamp)(x, (T)-40, (T)40), ax = M(fa_abs)(xc);
    T sq = xc * xc, sql = M(fa_sqr_lo)(xc, sq);
    *Eh = M(fa_exp_dd2)((T)-0.5 * sq, (T)-0.5 * sql, ax > (T)34 ? FA_TK : 0, El);
    *unscale = ax > (T)34 ? FA_TU : (T)1;
    *Ch = M(fa_erfcx_s2_dd)(xc, Cl);
}
/* gelu with h = x (E C / 2) in two words, rounded once: h (x <= 0), x - h (x > 0) */
FA_INLINE T S(fa__gelu_d)(T x)
{
    T Eh, El, Ch, Cl, u;
    S(fa__gelu_dd)(x, &Eh, &El, &Ch, &Cl, &u);
    T xc = M(fa_clamp)(x, (T)-40, (T)40);
    T Pl, Ph = M(fa_dd_mul)(Eh, El, Ch, Cl, &Pl);
    T hl, hh = M(fa_dd_mul)(xc, (T)0, (T)0.5 * Ph, (T)0.5 * Pl, &hl);
    T yn = (hh + hl) * u;
    T hu = hh * u, yl, yp = M(fa_two_sum)(xc, -hu, &yl);
    yp = yp + (yl - hl * u);
    T y = x > 0 ? yp : yn;
    y = Eh == 0 ? (x > 0 ? x : M(fa_copysign)((T)0, x)) : y;
    return x == 0 ? x : y;
}
/* gelu' = E (k + C/2) (x <= 0), 1 + E (k - C/2) (x > 0), k = x/sqrt(2 pi):
   k +- C/2 and the product in two words, rounded once */
FA_INLINE T S(fa__gelu_grad_d)(T x)
{
    T Eh, El, Ch, Cl, u;
    S(fa__gelu_dd)(x, &Eh, &El, &Ch, &Cl, &u);
    T xc = M(fa_clamp)(x, (T)-40, (T)40);
    T kh = xc * (T)FA_INV_SQRT_2PI;
    T kl = M(fa_prod_lo_nc)(xc, (T)FA_INV_SQRT_2PI, kh) + xc * (T)FA_INV_SQRT_2PI_LO;
    T hc = x > 0 ? (T)-0.5 : (T)0.5;
    T Sl, Sh = M(fa_two_sum)(kh, hc * Ch, &Sl);
    Sl += kl + hc * Cl;
    T Pl, Ph = M(fa_dd_mul)(Eh, El, Sh, Sl, &Pl);
    T gn = (Ph + Pl) * u;
    T gl, gp = M(fa_two_sum)((T)1, Ph * u, &gl);
    gp = gp + (gl + Pl * u);
    T g = x > 0 ? gp : gn;
    return Eh == 0 ? (x > 0 ? (T)1 : (T)0) : g;
}

/* GELU, erf form: x Phi(x), Phi(x) = erfc(-x/sqrt2)/2.  With
   E = exp(-x^2/2) (x^2 exact) and C = erfcx(|x|/sqrt2):
   h = x E C / 2;  gelu = h (x <= 0),  x - h (x > 0)
   gelu' = E (C/2 + x/sqrt(2 pi)) (x <= 0),  1 + E (x/sqrt(2 pi) - C/2) (x > 0)
   No erf(x) - 1 cancellation anywhere: gelu(-30) = -1.47e-196 to full precision.
   Float64 results take the same formulas in two words (fa__gelu_d and
   fa__gelu_grad_d above), rounded once. */
#define FA_GELU_PARTS                                                          \
    T xd = x;                                                             \
    T ax = M(fa_abs)(xd);                                                    \
    int tail = ax > (T)(sizeof(T) == 8 ? 34.0 : 12.0); /* exp(-x^2/2) near subnormal */ \
    T E = M(fa_exp_mhalfsq)(xd, tail ? FA_TK : 0);                 \
    T unscale = tail ? FA_TU : (T)1.0;                             \
    T C = M(fa_erfcx)(ax * (T)FA_SQRT1_2)

FA_INLINE T S(fa_gelu)(FA_ARGS)
{
    FA_UNUSED;
    if (FA_DD) return S(fa__gelu_d)(x);
    FA_GELU_PARTS;
    T h = E == 0 ? (T)0.0 : (((T)0.5 * xd) * E * C) * unscale;
    return (T)(xd > 0 ? xd - h : (E == 0 ? M(fa_copysign)((T)0.0, xd) : h));
}
FA_INLINE T S(fa_gelu_grad)(FA_ARGS)
{
    FA_UNUSED;
    FA_GELU_PARTS;
    T k = xd * (T)FA_INV_SQRT_2PI;
    T g = xd > 0 ? (T)1.0 + (E * (k - (T)0.5 * C)) * unscale : (E * ((T)0.5 * C + k)) * unscale;
    g = E == 0 ? (xd > 0 ? (T)1.0 : (T)0.0) : g;
    if (FA_DD) g = S(fa__gelu_grad_d)(x);
    T d = FA_ROOT_D(xd, GELU);
    g = FA_ROOT_SELECT(g, xd, d, GELU);
    return (T)FA_NANP(xd, g);
}

/* float64: g(z) = s (1 + w (1 - s)), s = sigmoid(z), for every z (w = x z'
   for gelu_tanh), in two words and rounded once.  With e = exp(-|z|):
     g = (e (1 + w) + e^2) / (1 + e)^2   (z < 0),
     g = (1 + e (1 + w)) / (1 + e)^2     (z >= 0);
   e from fa_exp_dd2, scaled by 2^FA_TK below FA_TB (there e^2 and the e of
   1 + e are dropped: below 2^-800 relative).  Only 1 + w and, for z < 0,
   e (1 + w) + e^2 cancel, both carried exactly enough in two words. */
FA_INLINE T S(fa__sgrad_dd)(T zh, T zl, T wh, T wl)
{
    T el, es = M(fa_exp_dd2)(-M(fa_abs)(zh), zh >= 0 ? -zl : zl, zh < FA_TB ? FA_TK : 0, &el);
    T eu = zh < FA_TB ? (T)0 : es, eul = zh < FA_TB ? (T)0 : el; /* e, unscaled */
    T wc = M(fa_clamp)(wh, (T)-1e6, (T)1e6); /* |w| > 1e6: e = 0 */
    T al, ah = M(fa_two_sum)((T)1, wc, &al);
    al += wc == wh ? wl : (T)0;
    T pl, ph = M(fa_dd_mul)(es, el, ah, al, &pl); /* e (1 + w) */
    T ql, qh = M(fa_dd_mul)(eu, eul, eu, eul, &ql); /* e^2 */
    T ch = zh < 0 ? qh : (T)1, cl = zh < 0 ? ql : (T)0;
    T nl, nh = M(fa_two_sum)(ph, ch, &nl);
    nl += pl + cl;
    T dh = (T)1 + eu, dl = (((T)1 - dh) + eu) + eul; /* e <= 1 */
    T Dl, Dh = M(fa_dd_mul)(dh, dl, dh, dl, &Dl);
    T g = M(fa_dd_div)(nh, nl, Dh, Dl) * (zh < FA_TB ? FA_TU : (T)1);
    return es == 0 ? (zh < 0 ? (T)0 : (T)1) : g; /* (+0, not -0) */
}

/* GELU, tanh form (PyTorch approximate='tanh'):
   x (1 + tanh(u)) / 2 = x sigmoid(2u),  u = sqrt(2/pi) (x + (T)0.044715 x^3) */
/* K1, K2 as double-doubles (float-floats for float) */
#define FA_GT_K1 ((T)(sizeof(T) == 8 ? 1.5957691216057308 : 1.5957691669464111))
#define FA_GT_K1L ((T)(sizeof(T) == 8 ? -9.96930880911092e-17 : -4.534068054340423e-08))
#define FA_GT_K2 ((T)(sizeof(T) == 8 ? 0.07135481627260025 : 0.07135481387376785))
#define FA_GT_K2L ((T)(sizeof(T) == 8 ? -6.175149918155315e-19 : 2.3988324659995897e-09))
/* z = 2u = x (K1 + K2 x^2) to twice the working precision: in the tail the
   result's relative error is |z| times that of z */
#define FA_GELU_TANH_Z                                                          \
    T xd = x, xc = M(fa_clamp)(xd, FA_K_BIG(-1), FA_K_BIG(1));                 \
    T x2 = xc * xc, x2l = M(fa_sqr_lo)(xc, x2);                                \
    T p = FA_GT_K2 * x2, pl = M(fa_prod_lo)(FA_GT_K2, x2, p) + FA_GT_K2 * x2l + FA_GT_K2L * x2; \
    T m = FA_GT_K1 + p, mb = m - FA_GT_K1; /* TwoSum: m + ml = K1 + p exactly */ \
    T ml = ((FA_GT_K1 - (m - mb)) + (p - mb)) + (pl + FA_GT_K1L);              \
    T zh = xd * m, zl = M(fa_prod_lo)(xd, m, zh) + xd * ml;                    \
    zl = M(fa_abs)(xd) > FA_K_BIG(1) ? (T)0 : zl

FA_INLINE T S(fa_gelu_tanh)(FA_ARGS)
{
    FA_UNUSED;
    FA_GELU_TANH_Z;
    return S(fa__xsig)(xd, zh, zl);
}
/* d/dx = s + x s (1 - s) z',  z' = K1 + 3 K2 x^2 */
FA_INLINE T S(fa_gelu_tanh_grad)(FA_ARGS)
{
    FA_UNUSED;
    FA_GELU_TANH_Z;
    T s, sm, u;
    S(fa__sig2)(zh, zl, &s, &sm, &u);
    T dz = FA_GT_K1 + (T)3 * FA_GT_K2 * x2;
    T t = sm == 0 ? (T)0 : xd * sm * dz;
    t = M(fa_abs)(xd) > FA_K_BIG(1) ? (T)0 : t; /* sm = 0 there; x^3 would overflow */
    T g = s == 0 ? (T)0 : (s + s * t) * u;
    if (FA_DD) { /* the whole of it in two words, w = x z' too */
        T p3l, p3 = M(fa_two_sum)((T)2 * p, p, &p3l);
        T dzl, dzh = M(fa_two_sum)(FA_GT_K1, p3, &dzl);
        dzl += (p3l + (T)3 * pl) + FA_GT_K1L;
        T wh = xd * dzh, wl = M(fa_prod_lo)(xd, dzh, wh) + xd * dzl;
        g = S(fa__sgrad_dd)(zh, zl, wh, wl);
    }
    T d = FA_ROOT_D(xd, GELU_TANH);
    g = FA_ROOT_SELECT(g, xd, d, GELU_TANH);
    return (T)FA_NANP(xd, g);
}
