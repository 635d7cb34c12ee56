/* fa_fpstatus.h -- save and restore the FP exception flags around a kernel.
 *
 * Shared by the elementwise loops (loops.c) and the softmax loops
 * (softmax.c): the branch-free kernels raise transient flags (both sides of a
 * select are evaluated) that NumPy would report as RuntimeWarnings.
 */
#ifndef FA_FPSTATUS_H
#define FA_FPSTATUS_H

#if defined(__x86_64__) || defined(_M_X64)
#include <xmmintrin.h>
typedef unsigned int fa_fpstate;
static inline fa_fpstate fa_fp_save(void) { return _mm_getcsr(); }
static inline void fa_fp_restore(fa_fpstate s)
{
    unsigned int now = _mm_getcsr();
    if ((now ^ s) & 0x3f) _mm_setcsr((now & ~0x3fu) | (s & 0x3f));
}
#else
#include <fenv.h>
typedef int fa_fpstate;
static inline fa_fpstate fa_fp_save(void) { return fetestexcept(FE_ALL_EXCEPT); }
static inline void fa_fp_restore(fa_fpstate s)
{
    int raised = fetestexcept(FE_ALL_EXCEPT) & ~s;
    if (raised) feclearexcept(raised);
}
#endif

#endif
