// argmin_j (norms[j] - 2 * dots[j]): the selection step of BLAS-batched nearest-centroid search.
// 2*dots[j] is exact in float, so every version computes bit-identical values; ties go to the lowest j
// (each SIMD lane keeps its first minimum, and the reduction takes the lowest index among the lanes
// holding the overall minimum), as in the scalar twin.
#include "CVectorKernels.h"

// Separate multiply and add everywhere (no fused multiply-add), so every ISA version and the scalar twin
// round alike (avx512f code may otherwise contract a*b+c in inlined scalar tails).
#pragma STDC FP_CONTRACT OFF

#if defined(__x86_64__) || defined(_M_X64)
#define IVK_AM_X86 1
#include <immintrin.h>
#endif

size_t ivk_argmin_l2_from_dots_scalar(const float *norms, const float *dots, size_t k, float *best) {
    float b = norms[0] - (dots[0] + dots[0]);
    size_t arg = 0;
    for (size_t j = 1; j < k; j++) {
        float v = norms[j] - (dots[j] + dots[j]);
        if (v < b) { b = v; arg = j; }
    }
    *best = b;
    return arg;
}

void ivk_dots_transposed_f32_scalar(const float *x, const float *ct, size_t d, size_t k, float *out) {
    for (size_t c = 0; c < k; c++) out[c] = x[0] * ct[c];
    for (size_t t = 1; t < d; t++) {
        const float *row = ct + t * k;
        float xt = x[t];
        for (size_t c = 0; c < k; c++) out[c] = out[c] + xt * row[c];
    }
}

#ifdef IVK_AM_X86
__attribute__((target("avx2")))
static void ivk_dots_transposed_f32_avx2_from(const float *x, const float *ct, size_t d, size_t k, size_t c,
                                              float *out) {
    for (; c + 16 <= k; c += 16) {
        __m256 x0 = _mm256_set1_ps(x[0]);
        __m256 a0 = _mm256_mul_ps(x0, _mm256_loadu_ps(ct + c));
        __m256 a1 = _mm256_mul_ps(x0, _mm256_loadu_ps(ct + c + 8));
        for (size_t t = 1; t < d; t++) {
            const float *row = ct + t * k + c;
            __m256 xt = _mm256_set1_ps(x[t]);
            a0 = _mm256_add_ps(a0, _mm256_mul_ps(xt, _mm256_loadu_ps(row)));
            a1 = _mm256_add_ps(a1, _mm256_mul_ps(xt, _mm256_loadu_ps(row + 8)));
        }
        _mm256_storeu_ps(out + c, a0);
        _mm256_storeu_ps(out + c + 8, a1);
    }
    for (; c < k; c++) {
        float s = x[0] * ct[c];
        for (size_t t = 1; t < d; t++) s = s + x[t] * ct[t * k + c];
        out[c] = s;
    }
}

__attribute__((target("avx2")))
static void ivk_dots_transposed_f32_avx2(const float *x, const float *ct, size_t d, size_t k, float *out) {
    ivk_dots_transposed_f32_avx2_from(x, ct, d, k, 0, out);
}

__attribute__((target("avx512f")))
static void ivk_dots_transposed_f32_avx512(const float *x, const float *ct, size_t d, size_t k, float *out) {
    size_t c = 0;
    for (; c + 64 <= k; c += 64) {
        __m512 x0 = _mm512_set1_ps(x[0]);
        __m512 a0 = _mm512_mul_ps(x0, _mm512_loadu_ps(ct + c));
        __m512 a1 = _mm512_mul_ps(x0, _mm512_loadu_ps(ct + c + 16));
        __m512 a2 = _mm512_mul_ps(x0, _mm512_loadu_ps(ct + c + 32));
        __m512 a3 = _mm512_mul_ps(x0, _mm512_loadu_ps(ct + c + 48));
        for (size_t t = 1; t < d; t++) {
            const float *row = ct + t * k + c;
            __m512 xt = _mm512_set1_ps(x[t]);
            a0 = _mm512_add_ps(a0, _mm512_mul_ps(xt, _mm512_loadu_ps(row)));
            a1 = _mm512_add_ps(a1, _mm512_mul_ps(xt, _mm512_loadu_ps(row + 16)));
            a2 = _mm512_add_ps(a2, _mm512_mul_ps(xt, _mm512_loadu_ps(row + 32)));
            a3 = _mm512_add_ps(a3, _mm512_mul_ps(xt, _mm512_loadu_ps(row + 48)));
        }
        _mm512_storeu_ps(out + c, a0); _mm512_storeu_ps(out + c + 16, a1);
        _mm512_storeu_ps(out + c + 32, a2); _mm512_storeu_ps(out + c + 48, a3);
    }
    if (c < k) ivk_dots_transposed_f32_avx2_from(x, ct, d, k, c, out);
}
#endif

void ivk_dots_transposed_f32(const float *x, const float *ct, size_t d, size_t k, float *out) {
#ifdef IVK_AM_X86
    int level = ivk_isa_level();
    if (level >= 2) { ivk_dots_transposed_f32_avx512(x, ct, d, k, out); return; }
    if (level == 1) { ivk_dots_transposed_f32_avx2(x, ct, d, k, out); return; }
#endif
    ivk_dots_transposed_f32_scalar(x, ct, d, k, out);
}

#ifdef IVK_AM_X86
__attribute__((target("avx2,fma")))
static size_t ivk_argmin_l2_from_dots_avx2(const float *norms, const float *dots, size_t k, float *best) {
    if (k < 16) return ivk_argmin_l2_from_dots_scalar(norms, dots, k, best);
    __m256 bv = _mm256_set1_ps(__builtin_inff());
    __m256i bi = _mm256_setzero_si256();
    __m256i idx = _mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7);
    const __m256i step = _mm256_set1_epi32(8);
    size_t j = 0;
    for (; j + 8 <= k; j += 8) {
        __m256 d = _mm256_loadu_ps(dots + j);
        __m256 v = _mm256_sub_ps(_mm256_loadu_ps(norms + j), _mm256_add_ps(d, d));
        __m256 lt = _mm256_cmp_ps(v, bv, _CMP_LT_OQ);
        bv = _mm256_blendv_ps(bv, v, lt);
        bi = _mm256_blendv_epi8(bi, idx, _mm256_castps_si256(lt));
        idx = _mm256_add_epi32(idx, step);
    }
    float vals[8]; int ids[8];
    _mm256_storeu_ps(vals, bv);
    _mm256_storeu_si256((__m256i *)(void *)ids, bi);
    float b = vals[0]; size_t arg = (size_t)ids[0];
    for (int l = 1; l < 8; l++) {
        if (vals[l] < b || (vals[l] == b && (size_t)ids[l] < arg)) { b = vals[l]; arg = (size_t)ids[l]; }
    }
    for (; j < k; j++) {
        float v = norms[j] - (dots[j] + dots[j]);
        if (v < b) { b = v; arg = j; }
    }
    *best = b;
    return arg;
}

__attribute__((target("avx512f")))
static size_t ivk_argmin_l2_from_dots_avx512(const float *norms, const float *dots, size_t k, float *best) {
    if (k < 32) return ivk_argmin_l2_from_dots_avx2(norms, dots, k, best);
    __m512 bv = _mm512_set1_ps(__builtin_inff());
    __m512i bi = _mm512_setzero_si512();
    __m512i idx = _mm512_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15);
    const __m512i step = _mm512_set1_epi32(16);
    size_t j = 0;
    for (; j + 16 <= k; j += 16) {
        __m512 d = _mm512_loadu_ps(dots + j);
        __m512 v = _mm512_sub_ps(_mm512_loadu_ps(norms + j), _mm512_add_ps(d, d));
        __mmask16 lt = _mm512_cmp_ps_mask(v, bv, _CMP_LT_OQ);
        bv = _mm512_mask_mov_ps(bv, lt, v);
        bi = _mm512_mask_mov_epi32(bi, lt, idx);
        idx = _mm512_add_epi32(idx, step);
    }
    float vals[16]; int ids[16];
    _mm512_storeu_ps(vals, bv);
    _mm512_storeu_si512((void *)ids, bi);
    float b = vals[0]; size_t arg = (size_t)ids[0];
    for (int l = 1; l < 16; l++) {
        if (vals[l] < b || (vals[l] == b && (size_t)ids[l] < arg)) { b = vals[l]; arg = (size_t)ids[l]; }
    }
    for (; j < k; j++) {
        float v = norms[j] - (dots[j] + dots[j]);
        if (v < b) { b = v; arg = j; }
    }
    *best = b;
    return arg;
}
#endif

size_t ivk_argmin_l2_from_dots(const float *norms, const float *dots, size_t k, float *best) {
#ifdef IVK_AM_X86
    int level = ivk_isa_level();
    if (level >= 2) return ivk_argmin_l2_from_dots_avx512(norms, dots, k, best);
    if (level == 1) return ivk_argmin_l2_from_dots_avx2(norms, dots, k, best);
#endif
    return ivk_argmin_l2_from_dots_scalar(norms, dots, k, best);
}
