/* dispatch.c -- the table of kernels and the choice of instruction-set level.
 *
 * The level is chosen once at import from the CPU's features; FASTACT_ISA
 * (baseline | avx2 | avx512) forces a lower one.  Non-x86 builds only have
 * the portable kernels, which then fill every slot.
 */
#include <stdlib.h>
#include <string.h>
#include "fastact.h"
#include "fa_gen.h"

#define FA_ND_F 1
#define FA_ND_B 2

#if defined(__x86_64__) && defined(__GNUC__)
#define FA_X86 1
#define FA_K(NAME, DT, ISA) fa_k_##NAME##_##DT##_##ISA
#else
#define FA_X86 0
#define FA_K(NAME, DT, ISA) fa_k_##NAME##_##DT##_baseline
#endif

#define FA_DECL1(NAME, DT, ISA) void fa_k_##NAME##_##DT##_##ISA(ptrdiff_t, char *const *, char *, int);
#define FA_DECL(NAME, FN, KIND, NP, CT32)                                     \
    FA_DECL1(NAME, f32, baseline) FA_DECL1(NAME, f64, baseline)              \
    FA_DECL1(NAME, f32, avx2) FA_DECL1(NAME, f64, avx2)                      \
    FA_DECL1(NAME, f32, avx512) FA_DECL1(NAME, f64, avx512)
FA_ELEMENTWISE(FA_DECL)

#define FA_ROW(NAME, FN, KIND, NP, CT32)                                      \
    {#NAME, FA_ND_##KIND + NP, FA_ND_##KIND,                                 \
     {FA_K(NAME, f32, baseline), FA_K(NAME, f32, avx2), FA_K(NAME, f32, avx512)}, \
     {FA_K(NAME, f64, baseline), FA_K(NAME, f64, avx2), FA_K(NAME, f64, avx512)}, \
     {NULL, NULL, NULL}},
fa_entry fa_entries[] = {FA_ELEMENTWISE(FA_ROW)};
const int fa_nentries = sizeof(fa_entries) / sizeof(fa_entries[0]);

int fa_isa = FA_BASELINE;
static const char *const fa_isa_names[FA_NISA] = {"baseline", "avx2", "avx512"};

const char *fa_isa_name(int level)
{
    return (level >= 0 && level < FA_NISA) ? fa_isa_names[level] : "unknown";
}

int fa_isa_from_name(const char *name)
{
    for (int i = 0; i < FA_NISA; i++)
        if (strcmp(name, fa_isa_names[i]) == 0) return i;
    return -1;
}

int fa_isa_supported(int level)
{
    if (level == FA_BASELINE) return 1;
#if FA_X86
    __builtin_cpu_init();
    if (level == FA_AVX2)
        return __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma");
    if (level == FA_AVX512)
        return __builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512dq") &&
               __builtin_cpu_supports("avx512vl") && __builtin_cpu_supports("avx512bw") &&
               fa_isa_supported(FA_AVX2);
#endif
    return 0;
}

int fa_set_isa(int level)
{
    if (level < 0 || level >= FA_NISA || !fa_isa_supported(level)) return -1;
    fa_isa = level;
    return 0;
}

int fa_init(void)
{
    for (int i = 0; i < fa_nentries; i++)
        for (int d = 0; d < 3; d++) fa_entries[i].data[d] = &fa_entries[i];
    int best = FA_BASELINE;
    for (int l = FA_NISA - 1; l > FA_BASELINE; l--)
        if (fa_isa_supported(l)) { best = l; break; }
    const char *env = getenv("FASTACT_ISA");
    if (env && *env) {
        int want = fa_isa_from_name(env);
        if (want >= 0 && want < best) best = want; /* only ever lower */
    }
    fa_isa = best;
    return best;
}
