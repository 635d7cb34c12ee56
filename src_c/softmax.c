/* softmax.c -- the gufunc loops of the softmax family: rows, strides, float16.
 *
 * NumPy calls a loop with dims = {rows, n} and steps = {the outer stride of
 * every operand, then the core strides of the operands that have the core
 * dimension}.  A contiguous row goes straight to the row kernel (chosen by
 * fa_isa at every call).
 *
 * Rows that lie side by side -- axis 0 of a C-contiguous array: an
 * operand's outer stride is its element size -- go to the column kernels,
 * FA_SMC_TW rows at a time: each memory row of the tile is read
 * contiguously and the rows' maxima, exponentials and sums are vectors
 * across the rows.  They give the row kernels' bits (fa_softmax.h).  Short
 * rows of the other operands that are contiguous (the output NumPy allocates
 * for axis=0 has the core axis innermost) are staged through a transposed
 * copy of the tile.  A tile with a row whose maximum is not finite goes to
 * the row kernels.
 *
 * Any other row -- along a non-last axis, with a negative stride, or
 * float16 -- is gathered into a contiguous buffer and its result scattered
 * back, a tile of up to FA_SM_TILE rows at a time: rows side by side by
 * blocked transposition (softmax.inc), others element by element in the
 * order of memory.  float16 is widened to float32 on the way in, run through
 * the float32 kernel (itself computing in double) and rounded once on the
 * way out.  The workspace is allocated once per loop call: on the stack when
 * small, else with malloc.
 *
 * GLU (glu.inc) runs through the same loop: its operands' rows have n or 2n
 * elements (fa_gufunc.len), the kernels get the half length n.
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
#define FA_SMC_K(op, dt, isa) fa_smc_##op##_##dt##_##isa
#else /* only the portable kernels exist: they fill every slot */
#define FA_SM_K(op, dt, isa) fa_sm_##op##_##dt##_baseline
#define FA_SMC_K(op, dt, isa) fa_smc_##op##_##dt##_baseline
#endif

#define FA_SM_DECL1(op, dt, isa)                                              \
    void fa_sm_##op##_##dt##_##isa(ptrdiff_t, const char *, const char *, char *, double *); \
    int fa_smc_##op##_##dt##_##isa(const fa_smc_args *);
#define FA_SM_DECL(op, nin, core_out, uses_e)                                 \
    FA_SM_DECL1(op, f32, baseline) FA_SM_DECL1(op, f64, baseline)            \
    FA_SM_DECL1(op, f32, avx2) FA_SM_DECL1(op, f64, avx2)                    \
    FA_SM_DECL1(op, f32, avx512) FA_SM_DECL1(op, f64, avx512)
FA_SM_OPS(FA_SM_DECL)
#define FA_GLU_DECL(op, nin, sig, l0, l1, l2, im, in, nname) FA_SM_DECL(op, nin, 1, 0)
FA_GLU_OPS(FA_GLU_DECL)

enum {
#define FA_SM_ENUM(op, nin, core_out, uses_e) FA_GU_##op,
    FA_SM_OPS(FA_SM_ENUM)
#define FA_GLU_ENUM(op, nin, sig, l0, l1, l2, im, in, nname) FA_GU_##op,
    FA_GLU_OPS(FA_GLU_ENUM)
};

#define FA_GU_ROW(op, sig, nin, core_out, uses_e, lens, halve, nname)          \
    {#op, sig, nin, core_out, \
     {FA_SM_K(op, f32, baseline), FA_SM_K(op, f32, avx2), FA_SM_K(op, f32, avx512)}, \
     {FA_SM_K(op, f64, baseline), FA_SM_K(op, f64, avx2), FA_SM_K(op, f64, avx512)}, \
     {FA_SMC_K(op, f32, baseline), FA_SMC_K(op, f32, avx2), FA_SMC_K(op, f32, avx512)}, \
     {FA_SMC_K(op, f64, baseline), FA_SMC_K(op, f64, avx2), FA_SMC_K(op, f64, avx512)}, \
     uses_e, {&fa_gufuncs[FA_GU_##op], &fa_gufuncs[FA_GU_##op], &fa_gufuncs[FA_GU_##op]}, \
     lens, halve, nname},
#define FA_SM_ROW(op, nin, core_out, uses_e)                                  \
    FA_GU_ROW(op, nin == 2 ? "(n),(n)->(n)" : core_out ? "(n)->(n)" : "(n)->()", nin, core_out, \
              uses_e, FA_SM_LIST(1, nin > 1 || core_out, core_out), FA_SM_LIST(-1, -1), NULL)
#define FA_GLU_ROW(op, nin, sig, l0, l1, l2, im, in, nname)                   \
    FA_GU_ROW(op, sig, nin, 1, 0, FA_SM_LIST(l0, l1, l2), FA_SM_LIST(im, in), nname)
#define FA_SM_LIST(...) {__VA_ARGS__}
fa_gufunc fa_gufuncs[] = {FA_SM_OPS(FA_SM_ROW) FA_GLU_OPS(FA_GLU_ROW)};
const int fa_ngufuncs = sizeof(fa_gufuncs) / sizeof(fa_gufuncs[0]);

#define FA_SM_TILE 32          /* rows gathered together ... */
#define FA_SM_TILE_BYTES 131072 /* ... up to this many bytes per operand */
#define FA_SM_STACK 2048       /* workspace (in doubles) kept on the stack */
#define FA_SMC_EMAX (1 << 20)  /* bytes of a column tile's exponentials kept, at most */
#ifndef FA_SMC_STAGE_N
#define FA_SMC_STAGE_N 512     /* rows up to this long may be staged for the column kernels
                                  (short rows: the row kernels' overhead per row shows) */
#endif

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

/* the transposition of softmax.inc, for each level */
typedef void (*fa_sm_tfunc)(const char *, ptrdiff_t, char *, ptrdiff_t, ptrdiff_t, ptrdiff_t, int);
void fa_sm_transpose_baseline(const char *, ptrdiff_t, char *, ptrdiff_t, ptrdiff_t, ptrdiff_t, int);
#if defined(__x86_64__) && defined(__GNUC__)
void fa_sm_transpose_avx2(const char *, ptrdiff_t, char *, ptrdiff_t, ptrdiff_t, ptrdiff_t, int);
void fa_sm_transpose_avx512(const char *, ptrdiff_t, char *, ptrdiff_t, ptrdiff_t, ptrdiff_t, int);
static const fa_sm_tfunc fa_sm_transpose[FA_NISA] = {fa_sm_transpose_baseline, fa_sm_transpose_avx2,
                                                      fa_sm_transpose_avx512};
#else
static const fa_sm_tfunc fa_sm_transpose[FA_NISA] = {fa_sm_transpose_baseline, fa_sm_transpose_baseline,
                                                      fa_sm_transpose_baseline};
#endif

/* rows that lie side by side (os = es), of n > 1 elements, not contiguous */
#define FA_SM_SIDE(es, cs, os, n, rows) ((es) != 2 && (os) == (es) && (cs) != (es) && (n) > 1 && (rows) > 1)

/* strided rows (element size es, core stride cs, row stride os) -> contiguous
   rows of n compute elements (float for float16) */
static void fa_sm_gather(char *buf, const char *src, ptrdiff_t cs, ptrdiff_t os, ptrdiff_t n,
                         ptrdiff_t rows, int es)
{
    if (FA_SM_SIDE(es, cs, os, n, rows)) { /* memory row k holds element k of every row */
        fa_sm_transpose[fa_isa](src, cs, buf, n * es, n, rows, es);
    } else if (es == 2) {
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
    if (FA_SM_SIDE(es, cs, os, n, rows)) {
        fa_sm_transpose[fa_isa](buf, n * es, dst, cs, rows, n, es);
    } else if (es == 2) {
        const float *s = (const float *)buf;
        FA_SM_TILE_LOOP(uint16_t h = fa_f2h(s[b * n + k]); memcpy(dst + b * os + k * cs, &h, 2));
    } else if (es == 4) {
        FA_SM_TILE_LOOP(memcpy(dst + b * os + k * cs, buf + 4 * (b * n + k), 4));
    } else {
        FA_SM_TILE_LOOP(memcpy(dst + b * os + k * cs, buf + 8 * (b * n + k), 8));
    }
}

/* what a loop call needs to run the row kernels on a range of rows */
typedef struct {
    fa_sm_kernel kern;
    int nin, nop, es, ces;
    ptrdiff_t n, tile;
    ptrdiff_t cs[3];  /* core strides; 0 for a one-value-per-row output */
    ptrdiff_t len[3]; /* elements per row: n (2n: GLU's x), or 1 for that output */
    int direct[3];    /* operand used where it lies (no gather/scatter) */
    char *tbuf[3];    /* the tile buffers of the others */
    double *scratch;  /* the kernels' scratch row */
} fa_sm_rowrun;

/* rows r0 <= r < r1, gathered (where not direct) a tile at a time */
static void fa_sm_rows(const fa_sm_rowrun *R, char **args, const ptrdiff_t *steps, ptrdiff_t r0,
                       ptrdiff_t r1)
{
    const int nin = R->nin, nop = R->nop, es = R->es;
    const ptrdiff_t n = R->n;
    for (; r0 < r1; r0 += R->tile) {
        const ptrdiff_t nb = r1 - r0 < R->tile ? r1 - r0 : R->tile;
        for (int j = 0; j < nin; j++)
            if (!R->direct[j])
                fa_sm_gather(R->tbuf[j], args[j] + r0 * steps[j], R->cs[j], steps[j], R->len[j], nb, es);
        for (ptrdiff_t b = 0; b < nb; b++) {
            char *at[3] = {NULL, NULL, NULL}; /* x (or y, dy), out */
            for (int j = 0; j < nop; j++)
                at[j] = R->direct[j] ? args[j] + (r0 + b) * steps[j] : R->tbuf[j] + b * R->len[j] * R->ces;
            R->kern(n, at[0], nin > 1 ? at[1] : NULL, at[nin], R->scratch);
        }
        if (!R->direct[nin])
            fa_sm_scatter(args[nin] + r0 * steps[nin], R->cs[nin], steps[nin], R->tbuf[nin], R->len[nin],
                          nb, es);
    }
}

/* GLU: the core dimensions must be m = 2n > 0.  The core-dimension hook
   (glu.c) makes sure of that before NumPy calls the loop; where NumPy has no
   such hook (2.0: then out= must be given), this check raises instead. */
static int fa_glu_dims_bad(const fa_gufunc *g, const ptrdiff_t *dims)
{
    const ptrdiff_t m = dims[1 + g->halve[0]], n = dims[1 + g->halve[1]];
    if (m > 0 && m == 2 * n) return 0;
    PyGILState_STATE st = PyGILState_Ensure();
    PyErr_Format(PyExc_ValueError,
                 "%s: the halved axis must have an even, nonzero length m = 2n; got m = %zd, n = %zd (%s)",
                 g->name, (Py_ssize_t)m, (Py_ssize_t)n, g->n_operand);
    PyGILState_Release(st);
    return 1;
}

/* es: element size in memory (2, 4, 8) */
static void fa_sm_loop(const fa_gufunc *g, int es, char **args, const ptrdiff_t *dims,
                       const ptrdiff_t *steps)
{
    const ptrdiff_t rows = dims[0], n = dims[1] / g->len[0]; /* GLU's x: m = 2n */
    const int half = es == 2;
    fa_sm_rowrun R;
    if (g->halve[0] >= 0 && fa_glu_dims_bad(g, dims)) return;
    R.kern = es == 8 ? g->k64[fa_isa] : g->k32[fa_isa];
    R.nin = g->nin, R.nop = g->nin + 1, R.es = es, R.ces = half ? 4 : es, R.n = n;
    const int nin = R.nin, nop = R.nop;
    int all_direct = 1;
    /* column tiles: the rows of an operand with the core dimension lie side
       by side (axis 0 of a C-contiguous array), and those of every other
       one too -- or, for short rows, are contiguous: they are staged through
       a transposed copy (stage[j]) */
    int cols = !half && n >= 2 && rows >= 2, nside = 0, nstage = 0, stage[3] = {0, 0, 0};
    if (rows <= 0) return;
    ptrdiff_t lmax = 0; /* the longest row of an operand */
    for (int j = 0; j < nop; j++) {
        int core = g->len[j] > 0;
        R.cs[j] = core ? steps[nop + j] : 0;
        R.len[j] = core ? n * g->len[j] : 1;
        lmax = R.len[j] > lmax ? R.len[j] : lmax;
        R.direct[j] = !half && (!core || R.len[j] <= 1 || R.cs[j] == es);
        all_direct &= R.direct[j];
        if (core && steps[j] == es) {
            nside++;
        } else if (core) {
            stage[j] = R.cs[j] == es && R.len[j] <= FA_SMC_STAGE_N;
            cols &= stage[j];
            nstage++;
        }
    }
    /* a transposition per staged operand against one per side-by-side
       operand on the row kernels' side (measured: no better beyond that) */
    cols &= nside > 0 && nstage <= nside;
    /* workspace: the kernels' scratch row, one tile per gathered operand,
       then the column tiles' */
    ptrdiff_t tile = all_direct || n == 0 ? 1 : FA_SM_TILE_BYTES / (lmax * R.ces);
    tile = tile > rows ? rows : tile;
    R.tile = tile < 1 ? 1 : (tile > FA_SM_TILE ? FA_SM_TILE : tile);
    const ptrdiff_t scratch = n + FA_SM_PAD;
    ptrdiff_t need = scratch, ecol = 0;
    for (int j = 0; j < nop; j++)
        if (!R.direct[j]) need += (R.tile * R.len[j] * R.ces + 7) / 8;
    if (cols) {
        need += FA_SMC_WS;
        if (g->uses_e && es == 4 && n <= FA_SMC_EMAX / (FA_SMC_TW * 8)) ecol = n * FA_SMC_TW;
        need += ecol;
        for (int j = 0; j < nop; j++)
            if (stage[j]) need += R.len[j] * FA_SMC_TW * es / 8;
    }
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
    R.scratch = ws;
    double *next = ws + scratch;
    for (int j = 0; j < nop; j++) {
        R.tbuf[j] = NULL;
        if (!R.direct[j]) R.tbuf[j] = (char *)next, next += (R.tile * R.len[j] * R.ces + 7) / 8;
    }

    fa_fpstate fp = fa_fp_save();
    if (cols) {
        const fa_smc_kernel ck = es == 8 ? g->c64[fa_isa] : g->c32[fa_isa];
        const fa_sm_tfunc tr = fa_sm_transpose[fa_isa];
        const ptrdiff_t ts = FA_SMC_TW * es; /* the stride of a staged tile's memory rows */
        char *sbuf[3] = {NULL, NULL, NULL};
        fa_smc_args A;
        A.n = n;
        A.ws = next;
        next += FA_SMC_WS;
        A.e = ecol ? next : NULL;
        next += ecol;
        for (int j = 0; j < nop; j++)
            if (stage[j]) sbuf[j] = (char *)next, next += R.len[j] * FA_SMC_TW * es / 8;
        A.sa = stage[0] ? ts : R.cs[0];
        A.sb = nin < 2 ? 0 : stage[1] ? ts : R.cs[1];
        A.sy = !g->core_out ? steps[nin] : stage[nin] ? ts : R.cs[nin];
        A.b = NULL;
        for (ptrdiff_t r0 = 0; r0 < rows; r0 += FA_SMC_TW) {
            char *at[3] = {NULL, NULL, NULL};
            A.w = rows - r0 < FA_SMC_TW ? rows - r0 : FA_SMC_TW;
            for (int j = 0; j < nop; j++) {
                at[j] = args[j] + r0 * steps[j];
                if (stage[j] && j < nin) tr(at[j], steps[j], sbuf[j], ts, A.w, R.len[j], es);
            }
            A.a = stage[0] ? sbuf[0] : at[0];
            if (nin > 1) A.b = stage[1] ? sbuf[1] : at[1];
            A.y = stage[nin] ? sbuf[nin] : at[nin];
            if (ck(&A)) /* a row whose maximum is not finite: the row kernels */
                fa_sm_rows(&R, args, steps, r0, r0 + A.w);
            else if (stage[nin])
                tr(sbuf[nin], ts, at[nin], steps[nin], R.len[nin], A.w, es);
        }
    } else {
        fa_sm_rows(&R, args, steps, 0, rows);
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
