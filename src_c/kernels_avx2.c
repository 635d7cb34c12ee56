/* the kernels for AVX2 + FMA (Haswell and later); chosen at run time */
#if defined(__x86_64__) && defined(__GNUC__)
#pragma GCC target("avx2,fma")
#define FA_ISA avx2
#define FA_USE_FMA 1
#include "kernels.inc"
#include "softmax.inc"
#endif
