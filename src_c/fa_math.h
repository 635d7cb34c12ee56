/* fa_math.h -- branch-free, vectorizable elementary functions in float and double.
 *
 * The functions are written once in fa_math.inc and instantiated here for
 * double (fa_exp, fa_log1p, ...) and float (fa_expf, fa_log1pf, ...).
 */
#ifndef FA_MATH_H
#define FA_MATH_H

#include <stdint.h>
#include <string.h>

#define FA_INLINE static inline __attribute__((always_inline))

/* FA_USE_FMA: set by the kernel files whose target has FMA (AVX2, AVX-512).
   Polynomials and the error terms of products then use fused multiply-adds
   (explicitly, never by contraction: -ffp-contract=off stays); the baseline
   rounds a*b+c twice, so the levels may differ by 1 ULP (DESIGN allows it). */
#ifndef FA_USE_FMA
#define FA_USE_FMA 0
#endif

#define T double
#define U uint64_t
#define I int64_t
#define M(f) f
#define FA_DBL 1
#define FA_LONG 1
#define FA_SIGN 0x8000000000000000ULL
#define FA_BIAS 1023
#define FA_MANT 52
#include "fa_math.inc"
#undef M
#undef FA_LONG
/* double with float32-grade polynomials: fa_exp_lp, fa_log1p_lp, ... */
#define M(f) f##_lp
#define FA_LONG 0
#include "fa_math.inc"
#undef T
#undef U
#undef I
#undef M
#undef FA_DBL
#undef FA_LONG
#undef FA_SIGN
#undef FA_BIAS
#undef FA_MANT

#define T float
#define U uint32_t
#define I int32_t
#define M(name) name##f
#define FA_DBL 0
#define FA_LONG 0
#define FA_SIGN 0x80000000U
#define FA_BIAS 127
#define FA_MANT 23
#include "fa_math.inc"
#undef T
#undef U
#undef I
#undef M
#undef FA_DBL
#undef FA_LONG
#undef FA_SIGN
#undef FA_BIAS
#undef FA_MANT

#define FA_SQRT1_2 0.70710678118654752440
#define FA_INV_SQRT_2PI 0.39894228040143267794

#endif
