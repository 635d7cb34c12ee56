/* fa_half.h -- float16 <-> float32 conversion (round to nearest even),
 * shared by the elementwise loops (loops.c) and the softmax loops (softmax.c).
 */
#ifndef FA_HALF_H
#define FA_HALF_H
#include <stdint.h>
#include <string.h>

static inline uint32_t fa__f32_bits(float f) { uint32_t u; memcpy(&u, &f, 4); return u; }
static inline float fa__f32_from(uint32_t u) { float f; memcpy(&f, &u, 4); return f; }

static inline float fa_h2f(uint16_t h)
{
    uint32_t sign = (uint32_t)(h & 0x8000) << 16, e = (h >> 10) & 0x1f, m = h & 0x3ff;
    if (e == 0x1f) return fa__f32_from(sign | 0x7f800000u | (m << 13));
    if (e == 0) return fa__f32_from(sign | fa__f32_bits((float)m * 5.9604644775390625e-08f)); /* m * 2^-24 */
    return fa__f32_from(sign | ((e + 112) << 23) | (m << 13));
}

static inline uint16_t fa_f2h(float f)
{
    uint32_t x = fa__f32_bits(f), sign = (x >> 16) & 0x8000, ax = x & 0x7fffffffu;
    if (ax >= 0x7f800000u) /* inf or NaN (kept quiet, payload top bits kept) */
        return (uint16_t)(sign | 0x7c00 | (ax > 0x7f800000u ? 0x200 | ((ax >> 13) & 0x3ff) : 0));
    if (ax >= 0x477ff000u) return (uint16_t)(sign | 0x7c00); /* >= 65520 rounds to inf */
    if (ax < 0x38800000u) { /* below 2^-14: the FPU rounds to the 2^-24 grid */
        float t = fa__f32_from(ax) + 0.5f;
        return (uint16_t)(sign | (fa__f32_bits(t) - 0x3f000000u));
    }
    ax += 0xc8000fffu + ((ax >> 13) & 1); /* rebias and round half to even */
    return (uint16_t)(sign | (ax >> 13));
}

#endif
