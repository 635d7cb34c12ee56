/* fastact.h -- the C side of fastact: kernels, their dispatch, the ufunc loops.
 *
 * A kernel computes one ufunc over n contiguous elements (see kernels.inc);
 * each exists for float32 and float64 and for every instruction-set level.
 * fa_entries[] (one row per elementwise ufunc, generated from the Python
 * table) holds the kernel pointers; the ufunc loops read the level chosen at
 * import (fa_isa) and may be switched for testing with fa_set_isa().
 */
#ifndef FASTACT_H
#define FASTACT_H
#include <stddef.h>

typedef void (*fa_kernel)(ptrdiff_t n, char *const *in, char *out, int pscalar);

enum { FA_BASELINE = 0, FA_AVX2 = 1, FA_AVX512 = 2, FA_NISA = 3 };
#define FA_MAXIN 5 /* dy, x and up to three parameters */

typedef struct {
    const char *name;        /* the ufunc's name */
    int nin;                 /* operands in: data + parameters */
    int ndata;               /* data operands: 1 (x) or 2 (dy, x) */
    fa_kernel k32[FA_NISA];
    fa_kernel k64[FA_NISA];
    void *data[3];           /* per-loop data for PyUFunc_FromFuncAndData: this row */
} fa_entry;

extern fa_entry fa_entries[];
extern const int fa_nentries;
extern int fa_isa;

/* dispatch.c */
int fa_init(void);                 /* picks the level (CPU, FASTACT_ISA); returns it */
int fa_isa_supported(int level);
int fa_set_isa(int level);         /* 0 on success, -1 if the CPU lacks it */
const char *fa_isa_name(int level);
int fa_isa_from_name(const char *name); /* -1 if unknown */

/* loops.c: the ufunc inner loops (float16, float32, float64) */
void fa_loop_e(char **args, const ptrdiff_t *dims, const ptrdiff_t *steps, void *data);
void fa_loop_f(char **args, const ptrdiff_t *dims, const ptrdiff_t *steps, void *data);
void fa_loop_d(char **args, const ptrdiff_t *dims, const ptrdiff_t *steps, void *data);
typedef void (*fa_loopfunc)(char **, const ptrdiff_t *, const ptrdiff_t *, void *);
extern fa_loopfunc fa_loop_funcs[3];
extern char fa_types[FA_MAXIN + 1][3 * (FA_MAXIN + 1)];

#endif
