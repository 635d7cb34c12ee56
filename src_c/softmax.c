/* softmax.c -- the gufunc loops of the softmax family: rows, strides, float16.
 *
 * NumPy calls a loop with dims = {rows, n} and steps = {the outer stride of
 * every operand, then the core strides of the operands that have the core
 * dimension}.  A contiguous row goes straight to the row kernel (chosen by
 * fa_isa at every call).  Any other row -- along a non-last axis, with a
 * negative stride, or float16 -- is gathered into a contiguous buffer and
 * its result scattered back.  Rows are gathered a tile of up to FA_SM_TILE
 * at a time: along axis 0 of a C-contiguous array neighbouring rows are
 * neighbours in memory, so a tile is read a cache line at a time instead of
 * one line per element.  float16 is widened to float32 on the way in, run
 * through the float32 kernel (itself computing in double) and rounded once on
 * the way out.  The workspace is allocated once per loop call: on the stack
 * when small, else with malloc.
 */
#include <Python.h> /* only to report a failed malloc */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include "fa_softmax.h"
#include "fa_fpstatus.h"
#include "fa_half.h"

#if defined(__x86_64__) && defined(__GNUC__)
#define FA_SM_K(op, dt, isa) fa_sm_##op##_##dt##_##isa
#else /* only the portable kernels exist: they fill every slot */
#define FA_SM_K(op, dt, isa) fa_sm_##op##_##dt##_baseline
#endif

#define FA_SM_DECL1(op, dt, isa) \
    void fa_sm_##op##_##dt##_##isa(ptrdiff_t, const char *, const char *, char *, double *);
#define FA_SM_DECL(op, nin, core_out)                                         \
    FA_SM_DECL1(op, f32, baseline) FA_SM_DECL1(op, f64, baseline)            \
    FA_SM_DECL1(op, f32, avx2) FA_SM_DECL1(op, f64, avx2)                    \
    FA_SM_DECL1(op, f32, avx512) FA_SM_DECL1(op, f64, avx512)
FA_SM_OPS(FA_SM_DECL)

enum {
#define FA_SM_ENUM(op, nin, core_out) FA_GU_##op,
    FA_SM_OPS(FA_SM_ENUM)
};

#define FA_SM_ROW(op, nin, core_out)                                          \
    {#op, nin == 2 ? "(n),(n)->(n)" : core_out ? "(n)->(n)" : "(n)->()", nin, core_out, \
     {FA_SM_K(op, f32, baseline), FA_SM_K(op, f32, avx2), FA_SM_K(op, f32, avx512)}, \
     {FA_SM_K(op, f64, baseline), FA_SM_K(op, f64, avx2), FA_SM_K(op, f64, avx512)}, \
     {&fa_gufuncs[FA_GU_##op], &fa_gufuncs[FA_GU_##op], &fa_gufuncs[FA_GU_##op]}},
fa_gufunc fa_gufuncs[] = {FA_SM_OPS(FA_SM_ROW)};
const int fa_ngufuncs = sizeof(fa_gufuncs) / sizeof(fa_gufuncs[0]);

#define FA_SM_TILE 16          /* rows gathered together ... */
#define FA_SM_TILE_BYTES 32768  /* ... up to this many bytes per operand */
#define FA_SM_STACK 2048       /* workspace (in doubles) kept on the stack */

#define FA_SM_ABS(v) ((v) < 0 ? -(v) : (v))

/* STMT for every element (b, k) of a tile of `rows` rows of n elements, in
   the order that walks memory with the smaller stride innermost */
#define FA_SM_TILE_LOOP(STMT)                                                 \
    do {                                                                      \
        if (FA_SM_ABS(os) < FA_SM_ABS(cs)) {                                  \
            for (ptrdiff_t k = 0; k < n; k++)                                 \
                for (ptrdiff_t b = 0; b < rows; b++) { STMT; }                \
        } else {                                                              \
            for (ptrdiff_t b = 0; b < rows; b++)                              \
                for (ptrdiff_t k = 0; k < n; k++) { STMT; }                   \
        }                                                                     \
    } while (0)

/* strided rows (element size es, core stride cs, row stride os) -> contiguous
   rows of n compute elements (float for float16) */
static void fa_sm_gather(char *buf, const char *src, ptrdiff_t cs, ptrdiff_t os, ptrdiff_t n,
                         ptrdiff_t rows, int es)
{
    if (es == 2) {
        float *d = (float *)buf;
        FA_SM_TILE_LOOP(uint16_t h; memcpy(&h, src + b * os + k * cs, 2); d[b * n + k] = fa_h2f(h));
    } else if (es == 4) {
        FA_SM_TILE_LOOP(memcpy(buf + 4 * (b * n + k), src + b * os + k * cs, 4));
    } else {
        FA_SM_TILE_LOOP(memcpy(buf + 8 * (b * n + k), src + b * os + k * cs, 8));
    }
}

static void fa_sm_scatter(char *dst, ptrdiff_t cs, ptrdiff_t os, const char *buf, ptrdiff_t n,
                          ptrdiff_t rows, int es)
{
    if (es == 2) {
        const float *s = (const float *)buf;
        FA_SM_TILE_LOOP(uint16_t h = fa_f2h(s[b * n + k]); memcpy(dst + b * os + k * cs, &h, 2));
    } else if (es == 4) {
        FA_SM_TILE_LOOP(memcpy(dst + b * os + k * cs, buf + 4 * (b * n + k), 4));
    } else {
        FA_SM_TILE_LOOP(memcpy(dst + b * os + k * cs, buf + 8 * (b * n + k), 8));
    }
}

/* es: element size in memory (2, 4, 8) */
static void fa_sm_loop(const fa_gufunc *g, int es, char **args, const ptrdiff_t *dims,
                       const ptrdiff_t *steps)
{
    const ptrdiff_t rows = dims[0], n = dims[1];
    const int nin = g->nin, nop = nin + 1, half = es == 2, ces = half ? 4 : es;
    const fa_sm_kernel kern = es == 8 ? g->k64[fa_isa] : g->k32[fa_isa];
    ptrdiff_t cs[3];  /* core strides; 0 for a one-value-per-row output */
    ptrdiff_t len[3]; /* elements per row: n, or 1 for that output */
    int direct[3];    /* operand used where it lies (no gather/scatter) */
    int all_direct = 1;
    if (rows <= 0) return;
    for (int j = 0; j < nop; j++) {
        int core = j < nin || g->core_out;
        cs[j] = core ? steps[nop + j] : 0;
        len[j] = core ? n : 1;
        direct[j] = !half && (!core || n <= 1 || cs[j] == es);
        all_direct &= direct[j];
    }
    /* workspace: the kernels' scratch row, then one tile per gathered operand */
    ptrdiff_t tile = all_direct || n == 0 ? 1 : FA_SM_TILE_BYTES / (n * ces);
    tile = tile < 1 ? 1 : (tile > FA_SM_TILE ? FA_SM_TILE : tile);
    const ptrdiff_t scratch = n + FA_SM_PAD;
    ptrdiff_t need = scratch;
    for (int j = 0; j < nop; j++)
        if (!direct[j]) need += (tile * len[j] * ces + 7) / 8;
    double stackbuf[FA_SM_STACK], *ws = stackbuf;
    if (need > FA_SM_STACK) {
        ws = (double *)malloc((size_t)need * sizeof(double));
        if (ws == NULL) { /* NumPy checks for a Python error after the loop */
            PyGILState_STATE st = PyGILState_Ensure();
            PyErr_NoMemory();
            PyGILState_Release(st);
            return;
        }
    }
    char *tbuf[3] = {NULL, NULL, NULL};
    double *next = ws + scratch;
    for (int j = 0; j < nop; j++)
        if (!direct[j]) tbuf[j] = (char *)next, next += (tile * len[j] * ces + 7) / 8;

    fa_fpstate fp = fa_fp_save();
    for (ptrdiff_t r0 = 0; r0 < rows; r0 += tile) {
        const ptrdiff_t nb = rows - r0 < tile ? rows - r0 : tile;
        for (int j = 0; j < nin; j++)
            if (!direct[j]) fa_sm_gather(tbuf[j], args[j] + r0 * steps[j], cs[j], steps[j], n, nb, es);
        for (ptrdiff_t b = 0; b < nb; b++) {
            char *at[3] = {NULL, NULL, NULL}; /* x (or y, dy), out */
            for (int j = 0; j < nop; j++)
                at[j] = direct[j] ? args[j] + (r0 + b) * steps[j] : tbuf[j] + b * len[j] * ces;
            kern(n, at[0], nin > 1 ? at[1] : NULL, at[nin], ws);
        }
        if (!direct[nin])
            fa_sm_scatter(args[nin] + r0 * steps[nin], cs[nin], steps[nin], tbuf[nin], len[nin], nb, es);
    }
    fa_fp_restore(fp);
    if (ws != stackbuf) free(ws);
}

void fa_gu_loop_e(char **args, const ptrdiff_t *dims, const ptrdiff_t *steps, void *data)
{
    fa_sm_loop((const fa_gufunc *)data, 2, args, dims, steps);
}
void fa_gu_loop_f(char **args, const ptrdiff_t *dims, const ptrdiff_t *steps, void *data)
{
    fa_sm_loop((const fa_gufunc *)data, 4, args, dims, steps);
}
void fa_gu_loop_d(char **args, const ptrdiff_t *dims, const ptrdiff_t *steps, void *data)
{
    fa_sm_loop((const fa_gufunc *)data, 8, args, dims, steps);
}

fa_loopfunc fa_gu_loop_funcs[3] = {fa_gu_loop_e, fa_gu_loop_f, fa_gu_loop_d};
