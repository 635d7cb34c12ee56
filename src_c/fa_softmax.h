/* fa_softmax.h -- the softmax family: row kernels, their table, the gufunc loops.
 *
 * A row kernel computes one gufunc over one contiguous row of n elements:
 *     void fa_sm_<op>_<f32|f64>_<isa>(ptrdiff_t n, const char *a, const char *b,
 *                                      char *y, double *e)
 * a is x (or y, the forward output, for a backward), b is dy (backward
 * only), y the output row (one element for logsumexp) and e a scratch row of
 * n + FA_SM_PAD doubles.  The kernels are written once (softmax_row.h), compiled per
 * instruction-set level (softmax.inc, included by kernels_<isa>.c) and picked
 * through fa_isa at call time.  softmax.c holds the gufunc loops: strides,
 * float16 and the FP status.
 */
#ifndef FA_SOFTMAX_H
#define FA_SOFTMAX_H
#include <stddef.h>
#include "fastact.h"

#define FA_SM_PAD 16 /* scratch beyond n that the kernels may use */

typedef void (*fa_sm_kernel)(ptrdiff_t n, const char *a, const char *b, char *y, double *e);

/* X(name, nin, core_out): nin data operands of n elements each; core_out = 0
   when the output is one value per row ((n)->()) */
#define FA_SM_OPS(X)                                                          \
    X(softmax, 1, 1)                                                          \
    X(log_softmax, 1, 1)                                                      \
    X(logsumexp, 1, 0)                                                        \
    X(softmin, 1, 1)                                                          \
    X(softmax_backward, 2, 1)                                                 \
    X(log_softmax_backward, 2, 1)

typedef struct {
    const char *name;       /* the gufunc's name */
    const char *signature;  /* its core signature, "(n)->(n)" ... */
    int nin;
    int core_out;
    fa_sm_kernel k32[FA_NISA];
    fa_sm_kernel k64[FA_NISA];
    void *data[3];          /* per-loop data for NumPy: this row */
} fa_gufunc;

extern fa_gufunc fa_gufuncs[];
extern const int fa_ngufuncs;
extern fa_loopfunc fa_gu_loop_funcs[3]; /* float16, float32, float64 */

#endif
