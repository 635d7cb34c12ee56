/* the portable kernels: x86-64 baseline (SSE2), or whatever the target is */
#define FA_ISA baseline
#include "kernels.inc"
#include "softmax.inc"
