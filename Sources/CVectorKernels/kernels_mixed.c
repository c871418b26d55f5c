// Mixed-precision kernels: a float32 query against a stored float16 vector (F16C) or a uint8-coded
// vector (scalar quantization). Each has a portable scalar twin; the AVX2 versions are chosen at run
// time from ivk_isa_level() and the cached F16C bit, never at build time.
#include "CVectorKernels.h"
#include "ivk_simd_private.h"
#include <string.h>

ivk_query_dist_fn ivk_query_dist_resolve_f32(int l2);   // kernels_f32.c

// ---- binary16 conversion (portable) ----

static inline uint16_t ivk_half_from_float(float f) {
    uint32_t x;
    memcpy(&x, &f, 4);
    uint32_t sign = (x >> 16) & 0x8000u, exp = (x >> 23) & 0xffu, mant = x & 0x7fffffu;
    if (exp == 0xffu) return (uint16_t)(sign | 0x7c00u | (mant ? 0x200u : 0u));
    int e = (int)exp - 127 + 15;
    if (e >= 31) return (uint16_t)(sign | 0x7c00u);
    if (e <= 0) {
        if (e < -10) return (uint16_t)sign;
        mant |= 0x800000u;
        unsigned shift = (unsigned)(14 - e);
        uint32_t half = mant >> shift, rem = mant & ((1u << shift) - 1u), mid = 1u << (shift - 1u);
        if (rem > mid || (rem == mid && (half & 1u))) half++;
        return (uint16_t)(sign | half);
    }
    uint32_t half = sign | ((uint32_t)e << 10) | (mant >> 13);
    uint32_t rem = mant & 0x1fffu;
    if (rem > 0x1000u || (rem == 0x1000u && (half & 1u))) half++;   // a carry rounds into the exponent
    return (uint16_t)half;
}

static inline float ivk_float_from_half(uint16_t h) {
    uint32_t sign = ((uint32_t)h & 0x8000u) << 16, exp = ((uint32_t)h >> 10) & 0x1fu, mant = (uint32_t)h & 0x3ffu, x;
    if (exp == 0) {
        if (mant == 0) x = sign;
        else {
            int e = -1;
            do { e++; mant <<= 1; } while (!(mant & 0x400u));
            x = sign | ((uint32_t)(112 - e) << 23) | ((mant & 0x3ffu) << 13);
        }
    } else if (exp == 31) x = sign | 0x7f800000u | (mant << 13);
    else x = sign | ((exp + 112u) << 23) | (mant << 13);
    float f;
    memcpy(&f, &x, 4);
    return f;
}

void ivk_f32_to_f16(const float *src, uint16_t *dst, size_t n) { for (size_t i = 0; i < n; i++) dst[i] = ivk_half_from_float(src[i]); }
void ivk_f16_to_f32(const uint16_t *src, float *dst, size_t n) { for (size_t i = 0; i < n; i++) dst[i] = ivk_float_from_half(src[i]); }

// ---- scalar twins ----

float ivk_dot_f32_f16_scalar(const float *q, const uint16_t *v, size_t n) {
    float s0 = 0, s1 = 0;
    size_t i = 0;
    for (; i + 2 <= n; i += 2) { s0 += q[i] * ivk_float_from_half(v[i]); s1 += q[i + 1] * ivk_float_from_half(v[i + 1]); }
    for (; i < n; i++) s0 += q[i] * ivk_float_from_half(v[i]);
    return s0 + s1;
}

float ivk_l2sq_f32_f16_scalar(const float *q, const uint16_t *v, size_t n) {
    float s = 0;
    for (size_t i = 0; i < n; i++) { float d = q[i] - ivk_float_from_half(v[i]); s += d * d; }
    return s;
}

float ivk_dot_f32_u8_scalar(const float *q, const uint8_t *c, size_t n) {
    float s0 = 0, s1 = 0;
    size_t i = 0;
    for (; i + 2 <= n; i += 2) { s0 += q[i] * (float)c[i]; s1 += q[i + 1] * (float)c[i + 1]; }
    for (; i < n; i++) s0 += q[i] * (float)c[i];
    return s0 + s1;
}

float ivk_l2sq_f32_u8_scalar(const float *q, const uint8_t *c, const float *scale, size_t n) {
    float s = 0;
    for (size_t i = 0; i < n; i++) { float d = q[i] - scale[i] * (float)c[i]; s += d * d; }
    return s;
}

// ---- AVX2 + FMA (+ F16C) ----

#ifdef IVK_X86
__attribute__((target("avx2,fma,f16c")))
static float ivk_dot_f32_f16_avx2(const float *q, const uint16_t *v, size_t n) {
    __m256 acc0 = _mm256_setzero_ps(), acc1 = _mm256_setzero_ps();
    size_t i = 0;
    for (; i + 16 <= n; i += 16) {
        __m256 x0 = _mm256_cvtph_ps(_mm_loadu_si128((const __m128i *)(v + i)));
        __m256 x1 = _mm256_cvtph_ps(_mm_loadu_si128((const __m128i *)(v + i + 8)));
        acc0 = _mm256_fmadd_ps(_mm256_loadu_ps(q + i), x0, acc0);
        acc1 = _mm256_fmadd_ps(_mm256_loadu_ps(q + i + 8), x1, acc1);
    }
    for (; i + 8 <= n; i += 8)
        acc0 = _mm256_fmadd_ps(_mm256_loadu_ps(q + i), _mm256_cvtph_ps(_mm_loadu_si128((const __m128i *)(v + i))), acc0);
    float s = ivk_hsum256(_mm256_add_ps(acc0, acc1));
    for (; i < n; i++) s += q[i] * ivk_float_from_half(v[i]);
    return s;
}

__attribute__((target("avx2,fma,f16c")))
static float ivk_l2sq_f32_f16_avx2(const float *q, const uint16_t *v, size_t n) {
    __m256 acc0 = _mm256_setzero_ps(), acc1 = _mm256_setzero_ps();
    size_t i = 0;
    for (; i + 16 <= n; i += 16) {
        __m256 d0 = _mm256_sub_ps(_mm256_loadu_ps(q + i), _mm256_cvtph_ps(_mm_loadu_si128((const __m128i *)(v + i))));
        __m256 d1 = _mm256_sub_ps(_mm256_loadu_ps(q + i + 8), _mm256_cvtph_ps(_mm_loadu_si128((const __m128i *)(v + i + 8))));
        acc0 = _mm256_fmadd_ps(d0, d0, acc0);
        acc1 = _mm256_fmadd_ps(d1, d1, acc1);
    }
    for (; i + 8 <= n; i += 8) {
        __m256 d0 = _mm256_sub_ps(_mm256_loadu_ps(q + i), _mm256_cvtph_ps(_mm_loadu_si128((const __m128i *)(v + i))));
        acc0 = _mm256_fmadd_ps(d0, d0, acc0);
    }
    float s = ivk_hsum256(_mm256_add_ps(acc0, acc1));
    for (; i < n; i++) { float d = q[i] - ivk_float_from_half(v[i]); s += d * d; }
    return s;
}

__attribute__((target("avx2,fma")))
static inline __m256 ivk_load8_u8(const uint8_t *c) {
    return _mm256_cvtepi32_ps(_mm256_cvtepu8_epi32(_mm_loadl_epi64((const __m128i *)c)));
}

__attribute__((target("avx2,fma")))
static float ivk_dot_f32_u8_avx2(const float *q, const uint8_t *c, size_t n) {
    __m256 acc0 = _mm256_setzero_ps(), acc1 = _mm256_setzero_ps();
    size_t i = 0;
    for (; i + 16 <= n; i += 16) {
        acc0 = _mm256_fmadd_ps(_mm256_loadu_ps(q + i), ivk_load8_u8(c + i), acc0);
        acc1 = _mm256_fmadd_ps(_mm256_loadu_ps(q + i + 8), ivk_load8_u8(c + i + 8), acc1);
    }
    for (; i + 8 <= n; i += 8) acc0 = _mm256_fmadd_ps(_mm256_loadu_ps(q + i), ivk_load8_u8(c + i), acc0);
    float s = ivk_hsum256(_mm256_add_ps(acc0, acc1));
    for (; i < n; i++) s += q[i] * (float)c[i];
    return s;
}

__attribute__((target("avx2,fma")))
static float ivk_l2sq_f32_u8_avx2(const float *q, const uint8_t *c, const float *scale, size_t n) {
    __m256 acc0 = _mm256_setzero_ps(), acc1 = _mm256_setzero_ps();
    size_t i = 0;
    for (; i + 16 <= n; i += 16) {
        __m256 d0 = _mm256_fnmadd_ps(_mm256_loadu_ps(scale + i), ivk_load8_u8(c + i), _mm256_loadu_ps(q + i));
        __m256 d1 = _mm256_fnmadd_ps(_mm256_loadu_ps(scale + i + 8), ivk_load8_u8(c + i + 8), _mm256_loadu_ps(q + i + 8));
        acc0 = _mm256_fmadd_ps(d0, d0, acc0);
        acc1 = _mm256_fmadd_ps(d1, d1, acc1);
    }
    for (; i + 8 <= n; i += 8) {
        __m256 d0 = _mm256_fnmadd_ps(_mm256_loadu_ps(scale + i), ivk_load8_u8(c + i), _mm256_loadu_ps(q + i));
        acc0 = _mm256_fmadd_ps(d0, d0, acc0);
    }
    float s = ivk_hsum256(_mm256_add_ps(acc0, acc1));
    for (; i < n; i++) { float d = q[i] - scale[i] * (float)c[i]; s += d * d; }
    return s;
}

#endif

/// 1 when the AVX2 mixed kernels may run (AVX2+FMA level chosen and, for float16, F16C present).
static int ivk_mixed_simd(int needs_f16c) {
#ifdef IVK_X86
    if (ivk_isa_level() < 1) return 0;
    return needs_f16c ? ivk_cpu_has_f16c() : 1;
#else
    (void)needs_f16c;
    return 0;
#endif
}

float ivk_dot_f32_f16(const float *q, const uint16_t *v, size_t n) {
#ifdef IVK_X86
    if (ivk_mixed_simd(1)) return ivk_dot_f32_f16_avx2(q, v, n);
#endif
    return ivk_dot_f32_f16_scalar(q, v, n);
}

float ivk_l2sq_f32_f16(const float *q, const uint16_t *v, size_t n) {
#ifdef IVK_X86
    if (ivk_mixed_simd(1)) return ivk_l2sq_f32_f16_avx2(q, v, n);
#endif
    return ivk_l2sq_f32_f16_scalar(q, v, n);
}

float ivk_dot_f32_u8(const float *q, const uint8_t *c, size_t n) {
#ifdef IVK_X86
    if (ivk_mixed_simd(0)) return ivk_dot_f32_u8_avx2(q, c, n);
#endif
    return ivk_dot_f32_u8_scalar(q, c, n);
}

float ivk_l2sq_f32_u8(const float *q, const uint8_t *c, const float *scale, size_t n) {
#ifdef IVK_X86
    if (ivk_mixed_simd(0)) return ivk_l2sq_f32_u8_avx2(q, c, scale, n);
#endif
    return ivk_l2sq_f32_u8_scalar(q, c, scale, n);
}

// ---- uniform-signature adapters ----

#define IVK_ADAPT(name, call) \
    static float name(const float *q, const void *v, const float *aux, size_t n) { (void)aux; return call; }
IVK_ADAPT(ivk_qd_dot_f16_scalar, ivk_dot_f32_f16_scalar(q, (const uint16_t *)v, n))
IVK_ADAPT(ivk_qd_l2sq_f16_scalar, ivk_l2sq_f32_f16_scalar(q, (const uint16_t *)v, n))
IVK_ADAPT(ivk_qd_dot_u8_scalar, ivk_dot_f32_u8_scalar(q, (const uint8_t *)v, n))
IVK_ADAPT(ivk_qd_l2sq_u8_scalar, ivk_l2sq_f32_u8_scalar(q, (const uint8_t *)v, aux, n))
#ifdef IVK_X86
__attribute__((target("avx2,fma,f16c"))) IVK_ADAPT(ivk_qd_dot_f16_avx2, ivk_dot_f32_f16_avx2(q, (const uint16_t *)v, n))
__attribute__((target("avx2,fma,f16c"))) IVK_ADAPT(ivk_qd_l2sq_f16_avx2, ivk_l2sq_f32_f16_avx2(q, (const uint16_t *)v, n))
__attribute__((target("avx2,fma"))) IVK_ADAPT(ivk_qd_dot_u8_avx2, ivk_dot_f32_u8_avx2(q, (const uint8_t *)v, n))
__attribute__((target("avx2,fma"))) IVK_ADAPT(ivk_qd_l2sq_u8_avx2, ivk_l2sq_f32_u8_avx2(q, (const uint8_t *)v, aux, n))
#endif

ivk_query_dist_fn ivk_query_dist_resolve(int kind) {
    switch (kind) {
    case IVK_DOT_F32: return ivk_query_dist_resolve_f32(0);
    case IVK_L2SQ_F32: return ivk_query_dist_resolve_f32(1);
#ifdef IVK_X86
    case IVK_DOT_F16: return ivk_mixed_simd(1) ? ivk_qd_dot_f16_avx2 : ivk_qd_dot_f16_scalar;
    case IVK_L2SQ_F16: return ivk_mixed_simd(1) ? ivk_qd_l2sq_f16_avx2 : ivk_qd_l2sq_f16_scalar;
    case IVK_DOT_U8: return ivk_mixed_simd(0) ? ivk_qd_dot_u8_avx2 : ivk_qd_dot_u8_scalar;
    case IVK_L2SQ_U8: return ivk_mixed_simd(0) ? ivk_qd_l2sq_u8_avx2 : ivk_qd_l2sq_u8_scalar;
#else
    case IVK_DOT_F16: return ivk_qd_dot_f16_scalar;
    case IVK_L2SQ_F16: return ivk_qd_l2sq_f16_scalar;
    case IVK_DOT_U8: return ivk_qd_dot_u8_scalar;
    case IVK_L2SQ_U8: return ivk_qd_l2sq_u8_scalar;
#endif
    default: return 0;
    }
}
