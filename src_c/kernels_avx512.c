/* the kernels for AVX-512 F/DQ/VL/BW (Skylake-X and later); chosen at run time */
#if defined(__x86_64__) && defined(__GNUC__)
#pragma GCC target("avx512f,avx512dq,avx512vl,avx512bw,avx2,fma,prefer-vector-width=512")
#define FA_ISA avx512
#define FA_USE_FMA 1
#include "kernels.inc"
#include "softmax.inc"
#endif
