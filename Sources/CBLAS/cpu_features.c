// cpuid feature bits and the one mapping from them to an OpenBLAS core name (tested over a table in
// SystemLibraryTests). Deliberately no table of CPU models: the ISA decides.
#include "CBLAS.h"
#include <ctype.h>
#include <string.h>

#if defined(__x86_64__) || defined(__i386__)
#include <cpuid.h>
uint32_t i3_cpu_features(void) {
    unsigned int eax, ebx, ecx, edx;
    uint32_t f = 0;
    if (!__get_cpuid(1, &eax, &ebx, &ecx, &edx)) return 0;
    if ((ecx >> 28) & 1) f |= I3_CPU_AVX;
    if ((ecx >> 12) & 1) f |= I3_CPU_FMA;
    unsigned int xcr0 = 0;
    if ((ecx >> 27) & 1) {   // OSXSAVE: xgetbv is allowed
        unsigned int hi;
        __asm__ volatile("xgetbv" : "=a"(xcr0), "=d"(hi) : "c"(0));
        if ((xcr0 & 0x6) == 0x6) f |= I3_CPU_OS_YMM;
        if ((xcr0 & 0xE6) == 0xE6) f |= I3_CPU_OS_ZMM;
    }
    if (__get_cpuid_count(7, 0, &eax, &ebx, &ecx, &edx)) {
        if ((ebx >> 5) & 1) f |= I3_CPU_AVX2;
        if ((ebx >> 16) & 1) f |= I3_CPU_AVX512F;
        if ((ebx >> 17) & 1) f |= I3_CPU_AVX512DQ;
        if ((ebx >> 28) & 1) f |= I3_CPU_AVX512CD;
        if ((ebx >> 30) & 1) f |= I3_CPU_AVX512BW;
        if ((ebx >> 31) & 1) f |= I3_CPU_AVX512VL;
        if ((ecx >> 11) & 1) f |= I3_CPU_AVX512_VNNI;
    }
    if (__get_cpuid_count(7, 1, &eax, &ebx, &ecx, &edx) && ((eax >> 5) & 1)) f |= I3_CPU_AVX512_BF16;
    return f;
}
#else
uint32_t i3_cpu_features(void) { return 0; }
#endif

const char *i3_cpu_feature_name(uint32_t bit) {
    switch (bit) {
    case I3_CPU_AVX: return "avx";
    case I3_CPU_FMA: return "fma";
    case I3_CPU_AVX2: return "avx2";
    case I3_CPU_OS_YMM: return "os-ymm";
    case I3_CPU_AVX512F: return "avx512f";
    case I3_CPU_AVX512BW: return "avx512bw";
    case I3_CPU_AVX512VL: return "avx512vl";
    case I3_CPU_AVX512DQ: return "avx512dq";
    case I3_CPU_AVX512CD: return "avx512cd";
    case I3_CPU_OS_ZMM: return "os-zmm";
    case I3_CPU_AVX512_BF16: return "avx512_bf16";
    case I3_CPU_AVX512_VNNI: return "avx512_vnni";
    default: return NULL;
    }
}

int i3_cpu_isa_level(uint32_t f) {
    const uint32_t avx2 = I3_CPU_AVX | I3_CPU_FMA | I3_CPU_AVX2 | I3_CPU_OS_YMM;
    const uint32_t avx512 = avx2 | I3_CPU_AVX512F | I3_CPU_AVX512BW | I3_CPU_AVX512VL | I3_CPU_AVX512DQ
                          | I3_CPU_AVX512CD | I3_CPU_OS_ZMM;
    if ((f & avx512) == avx512) return 2;
    if ((f & avx2) == avx2) return 1;
    return 0;
}

const char *i3blas_core_for_features(uint32_t f) {
    switch (i3_cpu_isa_level(f)) {
    case 2: return "SkylakeX";
    case 1: return "Haswell";
    default: return NULL;
    }
}

static int same_name(const char *a, const char *b) {
    for (; *a && *b; a++, b++)
        if (tolower((unsigned char)*a) != tolower((unsigned char)*b)) return 0;
    return *a == *b;
}

int i3blas_core_isa_level(const char *core) {
    if (!core) return 0;
    static const char *const avx512[] = {"SkylakeX", "Cooperlake", "SapphireRapids"};
    static const char *const avx2[] = {"Haswell", "Zen"};
    for (size_t i = 0; i < sizeof avx512 / sizeof *avx512; i++) if (same_name(core, avx512[i])) return 2;
    for (size_t i = 0; i < sizeof avx2 / sizeof *avx2; i++) if (same_name(core, avx2[i])) return 1;
    return 0;
}
