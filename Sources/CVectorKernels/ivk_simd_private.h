// Private to CVectorKernels: the x86 feature macro, intrinsics, the shared AVX2 horizontal sum and the
// cached CPU feature query. One place for what every kernel file needs, so no file re-detects the CPU.
#ifndef IVK_SIMD_PRIVATE_H
#define IVK_SIMD_PRIVATE_H

#if defined(__x86_64__) || defined(_M_X64)
#define IVK_X86 1
#include <immintrin.h>

/// Sum of the 8 lanes of an AVX register.
__attribute__((target("avx2,fma")))
static inline float ivk_hsum256(__m256 v) {
    __m128 lo = _mm256_castps256_ps128(v), hi = _mm256_extractf128_ps(v, 1);
    lo = _mm_add_ps(lo, hi);
    __m128 sh = _mm_movehdup_ps(lo);
    __m128 s = _mm_add_ps(lo, sh);
    sh = _mm_movehl_ps(sh, s);
    s = _mm_add_ss(s, sh);
    return _mm_cvtss_f32(s);
}
#endif

/// 1 when the CPU has F16C (half-float conversion); detected once, with the ISA level (kernels_f32.c).
int ivk_cpu_has_f16c(void);

#endif
