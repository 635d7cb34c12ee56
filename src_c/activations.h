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
    double bx = (b == 0 || xd == 0) ? 0.0 : b * xd; /* no 0 * inf */           \
    int tail = bx < FA_TAIL_BELOW;                                             \
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
