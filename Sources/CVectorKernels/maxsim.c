// Late-interaction kernels (see include/maxsim.h): MaxSim against float32 / float16 passage rows,
// centroid interaction, residual decompression. Each SIMD kernel has a scalar twin; the level is the
// one ivk_isa_level() picked at run time (cpuid), never a build flag.
#include "CVectorKernels.h"
#include "ivk_simd_private.h"
#include <math.h>
#include <string.h>

static inline float ivk_half_to_float_scalar(uint16_t h) {
    float f;
    ivk_f16_to_f32(&h, &f, 1);
    return f;
}

// ---- scalar twins ----

float ivk_maxsim_f32_scalar(const float *q, size_t m, const float *x, size_t n, size_t d, float *best) {
    if (n == 0) { for (size_t i = 0; i < m; i++) best[i] = 0; return 0; }
    for (size_t i = 0; i < m; i++) best[i] = -INFINITY;
    for (size_t j = 0; j < n; j++) {
        const float *row = x + j * d;
        for (size_t i = 0; i < m; i++) {
            float s = ivk_dot_f32_scalar(q + i * d, row, d);
            if (s > best[i]) best[i] = s;
        }
    }
    float total = 0;
    for (size_t i = 0; i < m; i++) total += best[i];
    return total;
}

float ivk_maxsim_f16_scalar(const float *q, size_t m, const uint16_t *x, size_t n, size_t d, float *best) {
    if (n == 0) { for (size_t i = 0; i < m; i++) best[i] = 0; return 0; }
    for (size_t i = 0; i < m; i++) best[i] = -INFINITY;
    for (size_t j = 0; j < n; j++) {
        const uint16_t *row = x + j * d;
        for (size_t i = 0; i < m; i++) {
            float s = ivk_dot_f32_f16_scalar(q + i * d, row, d);
            if (s > best[i]) best[i] = s;
        }
    }
    float total = 0;
    for (size_t i = 0; i < m; i++) total += best[i];
    return total;
}

float ivk_centroid_interaction_scalar(const float *s, size_t m, const int32_t *codes, size_t n,
                                      const uint8_t *keep, float *best) {
    float init = keep ? 0.0f : -INFINITY;
    if (n == 0) init = 0;
    for (size_t i = 0; i < m; i++) best[i] = init;
    int any = 0;
    for (size_t t = 0; t < n; t++) {
        int32_t c = codes[t];
        if (keep && !keep[c]) continue;
        const float *row = s + (size_t)c * m;
        if (keep && !any) { for (size_t i = 0; i < m; i++) best[i] = -INFINITY; any = 1; }
        for (size_t i = 0; i < m; i++) if (row[i] > best[i]) best[i] = row[i];
    }
    if (keep && !any) return 0;
    float total = 0;
    for (size_t i = 0; i < m; i++) total += best[i];
    return total;
}

// ---- SIMD ----

#ifdef IVK_X86
// Updates best[i] = max(best[i], max_j q_i·x_j) for 4 query rows × 2 passage rows at a time.
__attribute__((target("avx512f")))
static void ivk_maxsim_update_avx512(const float *q, size_t m, const float *x, size_t n, size_t d, float *best) {
    size_t j = 0;
    for (; j + 2 <= n; j += 2) {
        const float *x0 = x + j * d, *x1 = x0 + d;
        size_t i = 0;
        for (; i + 4 <= m; i += 4) {
            const float *q0 = q + i * d, *q1 = q0 + d, *q2 = q1 + d, *q3 = q2 + d;
            __m512 a00 = _mm512_setzero_ps(), a01 = _mm512_setzero_ps(), a10 = _mm512_setzero_ps(), a11 = _mm512_setzero_ps();
            __m512 a20 = _mm512_setzero_ps(), a21 = _mm512_setzero_ps(), a30 = _mm512_setzero_ps(), a31 = _mm512_setzero_ps();
            for (size_t k = 0; k < d; k += 16) {
                __m512 v0 = _mm512_loadu_ps(x0 + k), v1 = _mm512_loadu_ps(x1 + k);
                __m512 u = _mm512_loadu_ps(q0 + k);
                a00 = _mm512_fmadd_ps(u, v0, a00); a01 = _mm512_fmadd_ps(u, v1, a01);
                u = _mm512_loadu_ps(q1 + k);
                a10 = _mm512_fmadd_ps(u, v0, a10); a11 = _mm512_fmadd_ps(u, v1, a11);
                u = _mm512_loadu_ps(q2 + k);
                a20 = _mm512_fmadd_ps(u, v0, a20); a21 = _mm512_fmadd_ps(u, v1, a21);
                u = _mm512_loadu_ps(q3 + k);
                a30 = _mm512_fmadd_ps(u, v0, a30); a31 = _mm512_fmadd_ps(u, v1, a31);
            }
            // each accumulator is reduced on its own (the reduction is amortised over d/16 FMAs)
            float s;
            s = fmaxf(_mm512_reduce_add_ps(a00), _mm512_reduce_add_ps(a01)); if (s > best[i]) best[i] = s;
            s = fmaxf(_mm512_reduce_add_ps(a10), _mm512_reduce_add_ps(a11)); if (s > best[i + 1]) best[i + 1] = s;
            s = fmaxf(_mm512_reduce_add_ps(a20), _mm512_reduce_add_ps(a21)); if (s > best[i + 2]) best[i + 2] = s;
            s = fmaxf(_mm512_reduce_add_ps(a30), _mm512_reduce_add_ps(a31)); if (s > best[i + 3]) best[i + 3] = s;
        }
        for (; i < m; i++) {
            const float *q0 = q + i * d;
            __m512 a0 = _mm512_setzero_ps(), a1 = _mm512_setzero_ps();
            for (size_t k = 0; k < d; k += 16) {
                __m512 u = _mm512_loadu_ps(q0 + k);
                a0 = _mm512_fmadd_ps(u, _mm512_loadu_ps(x0 + k), a0);
                a1 = _mm512_fmadd_ps(u, _mm512_loadu_ps(x1 + k), a1);
            }
            float s = fmaxf(_mm512_reduce_add_ps(a0), _mm512_reduce_add_ps(a1));
            if (s > best[i]) best[i] = s;
        }
    }
    for (; j < n; j++) {
        const float *x0 = x + j * d;
        for (size_t i = 0; i < m; i++) {
            const float *q0 = q + i * d;
            __m512 a0 = _mm512_setzero_ps();
            for (size_t k = 0; k < d; k += 16) a0 = _mm512_fmadd_ps(_mm512_loadu_ps(q0 + k), _mm512_loadu_ps(x0 + k), a0);
            float s = _mm512_reduce_add_ps(a0);
            if (s > best[i]) best[i] = s;
        }
    }
}

__attribute__((target("avx2,fma")))
static void ivk_maxsim_update_avx2(const float *q, size_t m, const float *x, size_t n, size_t d, float *best) {
    size_t j = 0;
    for (; j + 2 <= n; j += 2) {
        const float *x0 = x + j * d, *x1 = x0 + d;
        size_t i = 0;
        for (; i + 2 <= m; i += 2) {
            const float *q0 = q + i * d, *q1 = q0 + d;
            __m256 a00 = _mm256_setzero_ps(), a01 = _mm256_setzero_ps(), a10 = _mm256_setzero_ps(), a11 = _mm256_setzero_ps();
            for (size_t k = 0; k < d; k += 8) {
                __m256 v0 = _mm256_loadu_ps(x0 + k), v1 = _mm256_loadu_ps(x1 + k);
                __m256 u = _mm256_loadu_ps(q0 + k);
                a00 = _mm256_fmadd_ps(u, v0, a00); a01 = _mm256_fmadd_ps(u, v1, a01);
                u = _mm256_loadu_ps(q1 + k);
                a10 = _mm256_fmadd_ps(u, v0, a10); a11 = _mm256_fmadd_ps(u, v1, a11);
            }
            float s;
            s = fmaxf(ivk_hsum256(a00), ivk_hsum256(a01)); if (s > best[i]) best[i] = s;
            s = fmaxf(ivk_hsum256(a10), ivk_hsum256(a11)); if (s > best[i + 1]) best[i + 1] = s;
        }
        for (; i < m; i++) {
            const float *q0 = q + i * d;
            __m256 a0 = _mm256_setzero_ps(), a1 = _mm256_setzero_ps();
            for (size_t k = 0; k < d; k += 8) {
                __m256 u = _mm256_loadu_ps(q0 + k);
                a0 = _mm256_fmadd_ps(u, _mm256_loadu_ps(x0 + k), a0);
                a1 = _mm256_fmadd_ps(u, _mm256_loadu_ps(x1 + k), a1);
            }
            float s = fmaxf(ivk_hsum256(a0), ivk_hsum256(a1));
            if (s > best[i]) best[i] = s;
        }
    }
    for (; j < n; j++) {
        const float *x0 = x + j * d;
        for (size_t i = 0; i < m; i++) {
            const float *q0 = q + i * d;
            __m256 a0 = _mm256_setzero_ps();
            for (size_t k = 0; k < d; k += 8) a0 = _mm256_fmadd_ps(_mm256_loadu_ps(q0 + k), _mm256_loadu_ps(x0 + k), a0);
            float s = ivk_hsum256(a0);
            if (s > best[i]) best[i] = s;
        }
    }
}

__attribute__((target("avx512f")))
static void ivk_f16_to_f32_avx512(const uint16_t *src, float *dst, size_t n) {
    size_t i = 0;
    for (; i + 16 <= n; i += 16) _mm512_storeu_ps(dst + i, _mm512_cvtph_ps(_mm256_loadu_si256((const __m256i *)(src + i))));
    for (; i < n; i++) dst[i] = ivk_half_to_float_scalar(src[i]);
}

__attribute__((target("avx2,f16c")))
static void ivk_f16_to_f32_f16c(const uint16_t *src, float *dst, size_t n) {
    size_t i = 0;
    for (; i + 8 <= n; i += 8) _mm256_storeu_ps(dst + i, _mm256_cvtph_ps(_mm_loadu_si128((const __m128i *)(src + i))));
    for (; i < n; i++) dst[i] = ivk_half_to_float_scalar(src[i]);
}

__attribute__((target("avx512f")))
static void ivk_rowmax_avx512(const float *row, float *best, size_t m) {
    size_t i = 0;
    for (; i + 16 <= m; i += 16) _mm512_storeu_ps(best + i, _mm512_max_ps(_mm512_loadu_ps(best + i), _mm512_loadu_ps(row + i)));
    if (i < m) {
        __mmask16 k = (__mmask16)((1u << (m - i)) - 1u);
        _mm512_mask_storeu_ps(best + i, k, _mm512_max_ps(_mm512_maskz_loadu_ps(k, best + i), _mm512_maskz_loadu_ps(k, row + i)));
    }
}

__attribute__((target("avx512f")))
static float ivk_centroid_interaction_avx512(const float *s, size_t m, const int32_t *codes, size_t n,
                                             const uint8_t *keep, float *best) {
    for (size_t i = 0; i < m; i++) best[i] = -INFINITY;
    int any = 0;
    for (size_t t = 0; t < n; t++) {
        int32_t c = codes[t];
        if (keep && !keep[c]) continue;
        any = 1;
        ivk_rowmax_avx512(s + (size_t)c * m, best, m);
    }
    if (!any) { for (size_t i = 0; i < m; i++) best[i] = 0; return 0; }
    float total = 0;
    for (size_t i = 0; i < m; i++) total += best[i];
    return total;
}
#endif

void ivk_f16_to_f32_fast(const uint16_t *src, float *dst, size_t n) {
#ifdef IVK_X86
    int level = ivk_isa_level();
    if (level >= 2) { ivk_f16_to_f32_avx512(src, dst, n); return; }
    if (level >= 1 && ivk_cpu_has_f16c()) { ivk_f16_to_f32_f16c(src, dst, n); return; }
#endif
    ivk_f16_to_f32(src, dst, n);
}

/// 1 when the level allows a SIMD MaxSim of dimension d (AVX-512: d % 16, AVX2: d % 8); sets *wide.
static int ivk_maxsim_simd(size_t d, int *wide) {
#ifdef IVK_X86
    int level = ivk_isa_level();
    if (level >= 2 && d % 16 == 0) { *wide = 1; return 1; }
    if (level >= 1 && d % 8 == 0) { *wide = 0; return 1; }
#else
    (void)d;
#endif
    *wide = 0;
    return 0;
}

static float ivk_finish(const float *best, size_t m) {
    float total = 0;
    for (size_t i = 0; i < m; i++) total += best[i];
    return total;
}

float ivk_maxsim_f32(const float *q, size_t m, const float *x, size_t n, size_t d, float *best) {
    int wide;
    if (n == 0 || !ivk_maxsim_simd(d, &wide)) return ivk_maxsim_f32_scalar(q, m, x, n, d, best);
    for (size_t i = 0; i < m; i++) best[i] = -INFINITY;
#ifdef IVK_X86
    if (wide) ivk_maxsim_update_avx512(q, m, x, n, d, best);
    else ivk_maxsim_update_avx2(q, m, x, n, d, best);
#endif
    return ivk_finish(best, m);
}

#define IVK_F16_BLOCK_FLOATS 8192   // passage rows converted per block (32 KiB on the stack)

float ivk_maxsim_f16(const float *q, size_t m, const uint16_t *x, size_t n, size_t d, float *best) {
    int wide;
    if (n == 0 || d > IVK_F16_BLOCK_FLOATS || !ivk_maxsim_simd(d, &wide)) return ivk_maxsim_f16_scalar(q, m, x, n, d, best);
#ifdef IVK_X86
    if (!wide && !ivk_cpu_has_f16c()) return ivk_maxsim_f16_scalar(q, m, x, n, d, best);
    float buf[IVK_F16_BLOCK_FLOATS];
    size_t rows = IVK_F16_BLOCK_FLOATS / d;
    for (size_t i = 0; i < m; i++) best[i] = -INFINITY;
    for (size_t j = 0; j < n; j += rows) {
        size_t r = n - j < rows ? n - j : rows;
        if (wide) {
            ivk_f16_to_f32_avx512(x + j * d, buf, r * d);
            ivk_maxsim_update_avx512(q, m, buf, r, d, best);
        } else {
            ivk_f16_to_f32_f16c(x + j * d, buf, r * d);
            ivk_maxsim_update_avx2(q, m, buf, r, d, best);
        }
    }
    return ivk_finish(best, m);
#else
    return ivk_maxsim_f16_scalar(q, m, x, n, d, best);
#endif
}

float ivk_centroid_interaction(const float *s, size_t m, const int32_t *codes, size_t n, const uint8_t *keep,
                               float *best) {
#ifdef IVK_X86
    if (ivk_isa_level() >= 2 && n > 0) return ivk_centroid_interaction_avx512(s, m, codes, n, keep, best);
#endif
    return ivk_centroid_interaction_scalar(s, m, codes, n, keep, best);
}

void ivk_residual_decompress(const float *centroids, const int32_t *codes, const uint8_t *residuals, size_t n,
                             size_t d, int nbits, const float *lut, float *out) {
    size_t per = (size_t)(8 / nbits), bytes = d * (size_t)nbits / 8;
    for (size_t t = 0; t < n; t++) {
        const float *c = centroids + (size_t)codes[t] * d;
        const uint8_t *r = residuals + t * bytes;
        float *o = out + t * d;
        for (size_t b = 0; b < bytes; b++) {
            const float *w = lut + (size_t)r[b] * per;
            for (size_t k = 0; k < per; k++) o[b * per + k] = c[b * per + k] + w[k];
        }
        float ss = 0;
        for (size_t k = 0; k < d; k++) ss += o[k] * o[k];
        if (ss > 0) {
            float inv = 1.0f / sqrtf(ss);
            for (size_t k = 0; k < d; k++) o[k] *= inv;
        }
    }
}
