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

// ---------------------------------------------------------------------------------------------------
// Fused distance + arg-min for small dimensions (PQ sub-vectors, low-dimensional coarse quantizers).
// For each point: v_c = norms[c] - 2 * dot(x, c) for all k centroids, kept in registers and reduced to
// the first minimum, never written out. Points are taken four at a time against each chunk of
// centroids, so every centroid load serves four points and the sixteen accumulators are independent
// (the per-point kernel above is bound by the add latency of its four chains). The dot of every
// (point, centroid) pair is summed in t order with separate multiply and add, exactly as in the
// scalar twin, so every ISA level gives bit-identical labels and distances.

static inline float ivk_nearest_self_dot(const float *x, size_t d) {
    float s = x[0] * x[0];
    for (size_t t = 1; t < d; t++) s = s + x[t] * x[t];
    return s;
}

static inline float ivk_nearest_finish(float self, float best) {
    float v = self + best;
    return v > 0 ? v : 0;
}

// One point against centroids from..k-1, scalar, continuing the running first minimum (b, arg) that
// the SIMD part left (from = 0: the whole scalar twin); writes the label and the squared distance.
static inline void ivk_nearest_point_from(const float *xp, size_t d, const float *ct, size_t k, const float *norms,
                                          size_t from, float b, size_t arg, int32_t *label, float *distance) {
    for (size_t j = from; j < k; j++) {
        float s = xp[0] * ct[j];
        for (size_t t = 1; t < d; t++) s = s + xp[t] * ct[t * k + j];
        float v = norms[j] - (s + s);
        if (j == 0 || v < b) { b = v; arg = j; }
    }
    *label = (int32_t)arg;
    *distance = ivk_nearest_finish(ivk_nearest_self_dot(xp, d), b);
}

void ivk_nearest_l2_transposed_f32_scalar(const float *x, size_t rows, size_t d, const float *ct, size_t k,
                                          const float *norms, int32_t *labels, float *distances) {
    for (size_t i = 0; i < rows; i++) ivk_nearest_point_from(x + i * d, d, ct, k, norms, 0, 0, 0, labels + i, distances + i);
}

#ifdef IVK_AM_X86
// NP points (1 or 4) against all centroids; UN zmm (16 centroids each) per chunk while a whole chunk fits,
// then single zmm, then a scalar tail. Lane l of each point's running minimum sees centroids ≡ l (mod 16)
// in increasing order and keeps the first minimum; the lane reduction takes the lowest index among equal
// minima; the tail (higher indices) replaces only on a strict improvement: the scalar twin's first arg-min.
__attribute__((target("avx512f"), always_inline))
static inline void ivk_nearest_group_avx512(const float *x, int np, size_t d, const float *ct, size_t k,
                                            const float *norms, int32_t *labels, float *distances) {
    enum { UN = 4 };
    __m512 bv[4];
    __m512i bi[4];
    for (int p = 0; p < np; p++) { bv[p] = _mm512_set1_ps(__builtin_inff()); bi[p] = _mm512_setzero_si512(); }
    const __m512i iota = _mm512_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15);
    size_t c = 0;
    for (; c + 16 * UN <= k; c += 16 * UN) {
        __m512 acc[4][UN];
        for (int u = 0; u < UN; u++) {
            __m512 row = _mm512_loadu_ps(ct + c + 16 * u);
            for (int p = 0; p < np; p++) acc[p][u] = _mm512_mul_ps(_mm512_set1_ps(x[p * d]), row);
        }
        for (size_t t = 1; t < d; t++) {
            const float *r = ct + t * k + c;
            __m512 xt[4];
            for (int p = 0; p < np; p++) xt[p] = _mm512_set1_ps(x[p * d + t]);
            for (int u = 0; u < UN; u++) {
                __m512 row = _mm512_loadu_ps(r + 16 * u);
                for (int p = 0; p < np; p++) acc[p][u] = _mm512_add_ps(acc[p][u], _mm512_mul_ps(xt[p], row));
            }
        }
        for (int u = 0; u < UN; u++) {
            __m512 nv = _mm512_loadu_ps(norms + c + 16 * u);
            __m512i idx = _mm512_add_epi32(iota, _mm512_set1_epi32((int)(c + 16 * u)));
            for (int p = 0; p < np; p++) {
                __m512 v = _mm512_sub_ps(nv, _mm512_add_ps(acc[p][u], acc[p][u]));
                __mmask16 lt = _mm512_cmp_ps_mask(v, bv[p], _CMP_LT_OQ);
                bv[p] = _mm512_mask_mov_ps(bv[p], lt, v);
                bi[p] = _mm512_mask_mov_epi32(bi[p], lt, idx);
            }
        }
    }
    for (; c + 16 <= k; c += 16) {
        __m512 acc[4];
        __m512 row = _mm512_loadu_ps(ct + c);
        for (int p = 0; p < np; p++) acc[p] = _mm512_mul_ps(_mm512_set1_ps(x[p * d]), row);
        for (size_t t = 1; t < d; t++) {
            row = _mm512_loadu_ps(ct + t * k + c);
            for (int p = 0; p < np; p++) acc[p] = _mm512_add_ps(acc[p], _mm512_mul_ps(_mm512_set1_ps(x[p * d + t]), row));
        }
        __m512 nv = _mm512_loadu_ps(norms + c);
        __m512i idx = _mm512_add_epi32(iota, _mm512_set1_epi32((int)c));
        for (int p = 0; p < np; p++) {
            __m512 v = _mm512_sub_ps(nv, _mm512_add_ps(acc[p], acc[p]));
            __mmask16 lt = _mm512_cmp_ps_mask(v, bv[p], _CMP_LT_OQ);
            bv[p] = _mm512_mask_mov_ps(bv[p], lt, v);
            bi[p] = _mm512_mask_mov_epi32(bi[p], lt, idx);
        }
    }
    for (int p = 0; p < np; p++) {
        const float *xp = x + p * d;
        float b = __builtin_inff();
        size_t arg = 0;
        if (k >= 16) {   // branch-free: the minimum, then the lowest index among the lanes holding it
            b = _mm512_reduce_min_ps(bv[p]);
            __mmask16 at = _mm512_cmp_ps_mask(bv[p], _mm512_set1_ps(b), _CMP_EQ_OQ);
            arg = (size_t)_mm512_mask_reduce_min_epi32(at, bi[p]);
        }
        ivk_nearest_point_from(xp, d, ct, k, norms, c, b, arg, labels + p, distances + p);
    }
}

__attribute__((target("avx512f")))
static void ivk_nearest_l2_transposed_f32_avx512(const float *x, size_t rows, size_t d, const float *ct, size_t k,
                                                 const float *norms, int32_t *labels, float *distances) {
    size_t i = 0;
    for (; i + 4 <= rows; i += 4) ivk_nearest_group_avx512(x + i * d, 4, d, ct, k, norms, labels + i, distances + i);
    for (; i < rows; i++) ivk_nearest_group_avx512(x + i * d, 1, d, ct, k, norms, labels + i, distances + i);
}

// AVX2: the same scheme with 8-lane registers, two per chunk (16 centroids).
__attribute__((target("avx2"), always_inline))
static inline void ivk_nearest_group_avx2(const float *x, int np, size_t d, const float *ct, size_t k,
                                          const float *norms, int32_t *labels, float *distances) {
    enum { UN = 2 };
    __m256 bv[4];
    __m256i bi[4];
    for (int p = 0; p < np; p++) { bv[p] = _mm256_set1_ps(__builtin_inff()); bi[p] = _mm256_setzero_si256(); }
    const __m256i iota = _mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7);
    size_t c = 0;
    for (; c + 8 * UN <= k; c += 8 * UN) {
        __m256 acc[4][UN];
        for (int u = 0; u < UN; u++) {
            __m256 row = _mm256_loadu_ps(ct + c + 8 * u);
            for (int p = 0; p < np; p++) acc[p][u] = _mm256_mul_ps(_mm256_set1_ps(x[p * d]), row);
        }
        for (size_t t = 1; t < d; t++) {
            const float *r = ct + t * k + c;
            __m256 xt[4];
            for (int p = 0; p < np; p++) xt[p] = _mm256_set1_ps(x[p * d + t]);
            for (int u = 0; u < UN; u++) {
                __m256 row = _mm256_loadu_ps(r + 8 * u);
                for (int p = 0; p < np; p++) acc[p][u] = _mm256_add_ps(acc[p][u], _mm256_mul_ps(xt[p], row));
            }
        }
        for (int u = 0; u < UN; u++) {
            __m256 nv = _mm256_loadu_ps(norms + c + 8 * u);
            __m256i idx = _mm256_add_epi32(iota, _mm256_set1_epi32((int)(c + 8 * u)));
            for (int p = 0; p < np; p++) {
                __m256 v = _mm256_sub_ps(nv, _mm256_add_ps(acc[p][u], acc[p][u]));
                __m256 lt = _mm256_cmp_ps(v, bv[p], _CMP_LT_OQ);
                bv[p] = _mm256_blendv_ps(bv[p], v, lt);
                bi[p] = _mm256_blendv_epi8(bi[p], idx, _mm256_castps_si256(lt));
            }
        }
    }
    for (int p = 0; p < np; p++) {
        const float *xp = x + p * d;
        float b = __builtin_inff();
        size_t arg = 0;
        if (k >= 8 * UN) {   // branch-free: the minimum, then the lowest index among the lanes holding it
            __m256 m = _mm256_min_ps(bv[p], _mm256_permute2f128_ps(bv[p], bv[p], 1));
            m = _mm256_min_ps(m, _mm256_shuffle_ps(m, m, _MM_SHUFFLE(1, 0, 3, 2)));
            m = _mm256_min_ps(m, _mm256_shuffle_ps(m, m, _MM_SHUFFLE(2, 3, 0, 1)));
            __m256 at = _mm256_cmp_ps(bv[p], m, _CMP_EQ_OQ);
            __m256i ix = _mm256_blendv_epi8(_mm256_set1_epi32(0x7fffffff), bi[p], _mm256_castps_si256(at));
            ix = _mm256_min_epi32(ix, _mm256_permute2x128_si256(ix, ix, 1));
            ix = _mm256_min_epi32(ix, _mm256_shuffle_epi32(ix, _MM_SHUFFLE(1, 0, 3, 2)));
            ix = _mm256_min_epi32(ix, _mm256_shuffle_epi32(ix, _MM_SHUFFLE(2, 3, 0, 1)));
            b = _mm256_cvtss_f32(m);
            arg = (size_t)_mm256_cvtsi256_si32(ix);
        }
        ivk_nearest_point_from(xp, d, ct, k, norms, c, b, arg, labels + p, distances + p);
    }
}

__attribute__((target("avx2")))
static void ivk_nearest_l2_transposed_f32_avx2(const float *x, size_t rows, size_t d, const float *ct, size_t k,
                                               const float *norms, int32_t *labels, float *distances) {
    size_t i = 0;
    for (; i + 4 <= rows; i += 4) ivk_nearest_group_avx2(x + i * d, 4, d, ct, k, norms, labels + i, distances + i);
    for (; i < rows; i++) ivk_nearest_group_avx2(x + i * d, 1, d, ct, k, norms, labels + i, distances + i);
}
#endif

void ivk_nearest_l2_transposed_f32(const float *x, size_t rows, size_t d, const float *ct, size_t k,
                                   const float *norms, int32_t *labels, float *distances) {
    if (rows == 0 || k == 0 || d == 0) return;
#ifdef IVK_AM_X86
    int level = ivk_isa_level();
    if (level >= 2) { ivk_nearest_l2_transposed_f32_avx512(x, rows, d, ct, k, norms, labels, distances); return; }
    if (level == 1) { ivk_nearest_l2_transposed_f32_avx2(x, rows, d, ct, k, norms, labels, distances); return; }
#endif
    ivk_nearest_l2_transposed_f32_scalar(x, rows, d, ct, k, norms, labels, distances);
}
