/* loops.c -- the ufunc inner loops: strides, float16, FP status.
 *
 * NumPy calls a loop with any strides.  When every operand is contiguous (the
 * common case) the kernel runs over the whole array at once; a parameter
 * operand with stride 0 (a scalar alpha) is passed as such.  Anything else is
 * gathered in blocks into stack buffers, computed, and scattered back.
 * float16 is always gathered: it is converted to float32, computed by the
 * float32 kernel and rounded once on the way back.
 *
 * Only the contiguous fast path may run on several threads
 * (fastact.set_num_threads, fa_threads.c): never the blocked path, float16,
 * or an output that overlaps an input other than element for element.
 *
 * The FP status word is restored after the kernel: the branch-free kernels
 * evaluate both sides of a select (e.g. exp of a clamped argument that then
 * overflows to the wanted inf, or an ordered compare with NaN), and NumPy
 * would report those transient flags as RuntimeWarnings.
 */
#include <stdint.h>
#include <string.h>
#include "fastact.h"
#include "fa_fpstatus.h"
#include "fa_half.h"
#include "fa_threads.h"

/* ---- the loop --------------------------------------------------------- */
#define FA_BLOCK 256

/* copy m elements of size es with stride st into a contiguous buffer (and back) */
static void fa_gather(char *dst, const char *src, ptrdiff_t st, ptrdiff_t m, int es, int half)
{
    if (half) {
        float *d = (float *)dst;
        for (ptrdiff_t k = 0; k < m; k++) { uint16_t h; memcpy(&h, src + k * st, 2); d[k] = fa_h2f(h); }
    } else if (es == 4) {
        for (ptrdiff_t k = 0; k < m; k++) memcpy(dst + 4 * k, src + k * st, 4);
    } else {
        for (ptrdiff_t k = 0; k < m; k++) memcpy(dst + 8 * k, src + k * st, 8);
    }
}

static void fa_scatter(char *dst, ptrdiff_t st, const char *src, ptrdiff_t m, int es, int half)
{
    if (half) {
        const float *s = (const float *)src;
        for (ptrdiff_t k = 0; k < m; k++) { uint16_t h = fa_f2h(s[k]); memcpy(dst + k * st, &h, 2); }
    } else if (es == 4) {
        for (ptrdiff_t k = 0; k < m; k++) memcpy(dst + k * st, src + 4 * k, 4);
    } else {
        for (ptrdiff_t k = 0; k < m; k++) memcpy(dst + k * st, src + 8 * k, 8);
    }
}

/* the general path: gather blocks of every operand into stack buffers (converting
   float16), run the kernel, scatter the result */
static void fa_run_blocked(fa_kernel k, int es, int half, int nin, int nd, char **args,
                           const ptrdiff_t *dims, const ptrdiff_t *steps, int pscalar)
{
    const ptrdiff_t n = dims[0];
    /* 8-byte aligned buffers, one per operand */
    double buf[FA_MAXIN + 1][FA_BLOCK];
    char *in[FA_MAXIN];
    for (int j = nd; j < nin && pscalar; j++) /* scalar parameters: convert once */
        fa_gather((char *)buf[j], args[j], 0, 1, es, half);
    for (ptrdiff_t i0 = 0; i0 < n; i0 += FA_BLOCK) {
        ptrdiff_t m = n - i0 < FA_BLOCK ? n - i0 : FA_BLOCK;
        for (int j = 0; j < nin; j++) {
            char *src = args[j] + i0 * steps[j];
            if (j >= nd && pscalar)
                in[j] = half ? (char *)buf[j] : args[j];
            else if (!half && steps[j] == es)
                in[j] = src;
            else {
                fa_gather((char *)buf[j], src, steps[j], m, es, half);
                in[j] = (char *)buf[j];
            }
        }
        char *dst = args[nin] + i0 * steps[nin];
        if (!half && steps[nin] == es) {
            k(m, in, dst, pscalar);
        } else {
            k(m, in, (char *)buf[nin], pscalar);
            fa_scatter(dst, steps[nin], (char *)buf[nin], m, es, half);
        }
    }
}

/* Does the output overlap an input other than element for element (the same
   address and stride)?  Then element i may read what element i-1 wrote. */
static int fa_needs_sequential(char **args, const ptrdiff_t *steps, int nin, ptrdiff_t n, int es)
{
    if (n < 2) return 0;
    if (steps[nin] == 0) return 1;
    char *olo = args[nin], *ohi = args[nin] + (n - 1) * steps[nin];
    if (olo > ohi) { char *t = olo; olo = ohi; ohi = t; }
    ohi += es;
    for (int j = 0; j < nin; j++) {
        if (args[j] == args[nin] && steps[j] == steps[nin]) continue;
        char *lo = args[j], *hi = args[j] + (n - 1) * steps[j];
        if (lo > hi) { char *t = lo; lo = hi; hi = t; }
        hi += es;
        if (lo < ohi && olo < hi) return 1;
    }
    return 0;
}

/* es: element size in memory (2, 4, 8); the kernel works on float for 2 and 4 */
static void fa_run(const fa_entry *e, int es, char **args, const ptrdiff_t *dims,
                   const ptrdiff_t *steps)
{
    const ptrdiff_t n = dims[0];
    const int nin = e->nin, nd = e->ndata, half = es == 2;
    const fa_kernel k = es == 8 ? e->k64[fa_isa] : e->k32[fa_isa];
    int pscalar = 1, contig = !half && steps[nin] == es;
    for (int j = 0; j < nin; j++) {
        if (j >= nd && steps[j] != 0) pscalar = 0;
        if (steps[j] != es && !(j >= nd && steps[j] == 0)) contig = 0;
    }
    if (nin > nd && !pscalar) /* parameters all contiguous, or all scalar */
        for (int j = nd; j < nin; j++)
            if (steps[j] != es) contig = 0;
    if (n <= 0) return;
    fa_fpstate fp = fa_fp_save();
    if (fa_needs_sequential(args, steps, nin, n, es)) {
        /* reduce / accumulate: each output feeds the next input, so go element
           by element, in order, through the one-element blocked path */
        for (ptrdiff_t i = 0; i < n; i++) {
            char *a1[FA_MAXIN + 1];
            for (int j = 0; j <= nin; j++) a1[j] = args[j] + i * steps[j];
            const ptrdiff_t one = 1;
            fa_run_blocked(k, es, half, nin, nd, a1, &one, steps, pscalar);
        }
        fa_fp_restore(fp);
        return;
    }
    if (contig) {
        fa_run_contig(k, n, args, nin, nd, pscalar, es);
        fa_fp_restore(fp);
        return;
    }
    fa_run_blocked(k, es, half, nin, nd, args, dims, steps, pscalar);
    fa_fp_restore(fp);
}

void fa_loop_e(char **args, const ptrdiff_t *dims, const ptrdiff_t *steps, void *data)
{
    fa_run((const fa_entry *)data, 2, args, dims, steps);
}
void fa_loop_f(char **args, const ptrdiff_t *dims, const ptrdiff_t *steps, void *data)
{
    fa_run((const fa_entry *)data, 4, args, dims, steps);
}
void fa_loop_d(char **args, const ptrdiff_t *dims, const ptrdiff_t *steps, void *data)
{
    fa_run((const fa_entry *)data, 8, args, dims, steps);
}

fa_loopfunc fa_loop_funcs[3] = {fa_loop_e, fa_loop_f, fa_loop_d};

/* type signatures for 1..FA_MAXIN inputs and one output: e...e, f...f, d...d
   (NumPy type numbers: half 23, float 11, double 12) */
char fa_types[FA_MAXIN + 1][3 * (FA_MAXIN + 1)] = {
#define FA_T1(c) c, c
#define FA_T2(c) c, c, c
#define FA_T3(c) c, c, c, c
#define FA_T4(c) c, c, c, c, c
#define FA_T5(c) c, c, c, c, c, c
    {0},
    {FA_T1(23), FA_T1(11), FA_T1(12)},
    {FA_T2(23), FA_T2(11), FA_T2(12)},
    {FA_T3(23), FA_T3(11), FA_T3(12)},
    {FA_T4(23), FA_T4(11), FA_T4(12)},
    {FA_T5(23), FA_T5(11), FA_T5(12)},
};
