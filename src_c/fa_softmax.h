/* fa_softmax.h -- the softmax family and GLU: row kernels, their table, the gufunc loops.
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
 *
 * A column kernel computes the same gufunc over a tile of w <= FA_SMC_TW
 * rows that lie side by side in memory -- axis 0 of a C-contiguous array:
 * element k of row j is at a + k * sa + j * sizeof(element) -- so that
 * each memory row is read contiguously, a vector of rows at a time.  It does
 * the row kernel's arithmetic element for element (the same sum lanes and
 * folding tree), so its results are the same bits.
 *     int fa_smc_<op>_<f32|f64>_<isa>(const fa_smc_args *)
 * returns nonzero, having written nothing, when a row's maximum is not
 * finite (+-inf, all NaN): the caller then runs the row kernels on that tile.
 */
#ifndef FA_SOFTMAX_H
#define FA_SOFTMAX_H
#include <stddef.h>
#include "fastact.h"

#define FA_SM_PAD 16 /* scratch beyond n that the kernels may use */

typedef void (*fa_sm_kernel)(ptrdiff_t n, const char *a, const char *b, char *y, double *e);

#define FA_SMC_TW 64 /* rows (columns of memory) in a column tile */
typedef struct {
    ptrdiff_t n, w;     /* row length (memory rows), rows in the tile (<= FA_SMC_TW) */
    const char *a, *b;  /* x (or y), dy: row 0, element 0 */
    char *y;            /* the output's row 0, element 0 */
    ptrdiff_t sa, sb;   /* strides between elements k and k + 1 of a row */
    ptrdiff_t sy;       /* the same for y; for a (n)->() output, between its rows */
    double *ws;         /* FA_SMC_WS doubles of workspace */
    double *e;          /* float32 softmax, softmin: n * FA_SMC_TW doubles for
                           the exponentials, or NULL to compute them twice
                           (float64 keeps them in y) */
} fa_smc_args;
typedef int (*fa_smc_kernel)(const fa_smc_args *);
#define FA_SMC_WS ((3 * 16 + 8) * FA_SMC_TW) /* three sums of 16 lanes, row vectors */

/* X(name, nin, core_out, uses_e): nin data operands of n elements each;
   core_out = 0 when the output is one value per row ((n)->()); uses_e = 1
   when the column kernel keeps the exponentials (fa_smc_args.e) */
#define FA_SM_OPS(X)                                                          \
    X(softmax, 1, 1, 1)                                                       \
    X(log_softmax, 1, 1, 0)                                                   \
    X(logsumexp, 1, 0, 0)                                                     \
    X(softmin, 1, 1, 1)                                                       \
    X(softmax_backward, 2, 1, 0)                                              \
    X(log_softmax_backward, 2, 1, 0)

typedef struct {
    const char *name;       /* the gufunc's name */
    const char *signature;  /* its core signature, "(n)->(n)" ... */
    int nin;
    int core_out;
    fa_sm_kernel k32[FA_NISA];
    fa_sm_kernel k64[FA_NISA];
    fa_smc_kernel c32[FA_NISA]; /* column tiles */
    fa_smc_kernel c64[FA_NISA];
    int uses_e;
    void *data[3];          /* per-loop data for NumPy: this row */
    /* the core length of each operand in units of the kernels' n: 1 (n), 2
       (GLU's halved axis, m = 2n) or 0 (no core dimension: logsumexp's
       output); n = dims[1] / len[0] */
    int len[3];
    /* GLU: the indices of m and n among the core dimensions, which the
       core-dimension hook (glu.c) checks (m = 2n, m > 0) and completes;
       -1 for the softmax family */
    int halve[2];
    const char *n_operand;  /* GLU: the operand whose core length is n, for messages */
} fa_gufunc;

/* GLU (glu.inc), the same kernels' signatures, on the axis that is halved:
   x = [a, b] (m = 2n elements), glu = a * sigmoid(b) (n elements), and
   glu_backward(dy, x) = [dy * sigmoid(b), dy * a * sigmoid(b) (1 - sigmoid(b))].
   The row kernel gets a = x and y (n: the half length); glu_backward's gets
   a = dy, b = x.  Its column kernel takes the tile of w rows side by side as
   fa_smc_args says, with n = the half length (element n + k of x is memory
   row n + k); it never declines a tile.
   X(name, nin, signature, len0, len1, len2, index of m, of n, n's operand) */
#define FA_GLU_OPS(X)                                                         \
    X(glu, 1, "(m)->(n)", 2, 1, 0, 0, 1, "out")                               \
    X(glu_backward, 2, "(n),(m)->(m)", 1, 2, 2, 1, 0, "dy")

/* glu.c: install the core-dimension hook on a GLU gufunc when the NumPy it
   runs on has the hook (feature version >= 2.1); 1 if installed, else 0 */
int fa_glu_install_hook(void *ufunc, unsigned int numpy_feature_version); /* a PyUFuncObject */

extern fa_gufunc fa_gufuncs[];
extern const int fa_ngufuncs;
extern fa_loopfunc fa_gu_loop_funcs[3]; /* float16, float32, float64 */

#endif
