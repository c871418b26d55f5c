// Activation kernels for the BERT forward pass: exact (erf) GELU, scalar and AVX2+FMA, dispatched
// at run time through ivk_isa_level() like the distance kernels.
#include "CVectorKernels.h"
#include <math.h>

#if defined(__x86_64__) || defined(_M_X64)
#define IVK_ACT_X86 1
#include <immintrin.h>
#endif

void ivk_gelu_erf_f32_scalar(float *x, size_t n) {
    for (size_t i = 0; i < n; i++) {
        float v = x[i];
        x[i] = 0.5f * v * (1.0f + erff(v * 0.70710678118654752f));
    }
}

void ivk_gelu_erf_grad_f32_scalar(const float *x, const float *dy, float *dx, size_t n) {
    for (size_t i = 0; i < n; i++) {
        float v = x[i];
        float cdf = 0.5f * (1.0f + erff(v * 0.70710678118654752f));
        float pdf = expf(-0.5f * v * v) * 0.39894228040143268f;
        dx[i] = dy[i] * (cdf + v * pdf);
    }
}

void ivk_softmax_rows_f32_scalar(float *x, size_t rows, size_t cols) {
    for (size_t r = 0; r < rows; r++) {
        float *row = x + r * cols;
        float m = -INFINITY;
        for (size_t i = 0; i < cols; i++) if (row[i] > m) m = row[i];
        float sum = 0;
        for (size_t i = 0; i < cols; i++) { float e = expf(row[i] - m); row[i] = e; sum += e; }
        float inv = 1.0f / sum;
        for (size_t i = 0; i < cols; i++) row[i] *= inv;
    }
}

#ifdef IVK_ACT_X86
// exp(x) for 8 floats: Cephes-style range reduction x = n·ln2 + r and a degree-6 polynomial in r
// (relative error about 1e-7 on [-88, 88]).
__attribute__((target("avx2,fma")))
static inline __m256 ivk_exp256(__m256 x) {
    x = _mm256_min_ps(_mm256_max_ps(x, _mm256_set1_ps(-88.3762626647949f)), _mm256_set1_ps(88.3762626647949f));
    __m256 fx = _mm256_floor_ps(_mm256_fmadd_ps(x, _mm256_set1_ps(1.44269504088896341f), _mm256_set1_ps(0.5f)));
    x = _mm256_fnmadd_ps(fx, _mm256_set1_ps(0.693359375f), x);
    x = _mm256_fnmadd_ps(fx, _mm256_set1_ps(-2.12194440e-4f), x);
    __m256 z = _mm256_mul_ps(x, x);
    __m256 y = _mm256_set1_ps(1.9875691500e-4f);
    y = _mm256_fmadd_ps(y, x, _mm256_set1_ps(1.3981999507e-3f));
    y = _mm256_fmadd_ps(y, x, _mm256_set1_ps(8.3334519073e-3f));
    y = _mm256_fmadd_ps(y, x, _mm256_set1_ps(4.1665795894e-2f));
    y = _mm256_fmadd_ps(y, x, _mm256_set1_ps(1.6666665459e-1f));
    y = _mm256_fmadd_ps(y, x, _mm256_set1_ps(5.0000001201e-1f));
    y = _mm256_fmadd_ps(y, z, _mm256_add_ps(x, _mm256_set1_ps(1.0f)));
    __m256i e = _mm256_slli_epi32(_mm256_add_epi32(_mm256_cvttps_epi32(fx), _mm256_set1_epi32(127)), 23);
    return _mm256_mul_ps(y, _mm256_castsi256_ps(e));
}

// erfc(z), z = |x|/√2, for 8 floats, from the Chebyshev-fitted form erfc(z) = t·exp(-z² + P(t)),
// t = 1/(1 + z/2) (Numerical Recipes erfcc, fractional error < 1.2e-7).
__attribute__((target("avx2,fma")))
static inline __m256 ivk_erfc_abs_over_sqrt2_256(__m256 v) {
    const __m256 half = _mm256_set1_ps(0.5f), one = _mm256_set1_ps(1.0f);
    const __m256 absmask = _mm256_castsi256_ps(_mm256_set1_epi32(0x7fffffff));
    __m256 z = _mm256_mul_ps(_mm256_and_ps(v, absmask), _mm256_set1_ps(0.70710678118654752f));
    __m256 t = _mm256_div_ps(one, _mm256_fmadd_ps(half, z, one));
    __m256 p = _mm256_set1_ps(0.17087277f);
    p = _mm256_fmadd_ps(p, t, _mm256_set1_ps(-0.82215223f));
    p = _mm256_fmadd_ps(p, t, _mm256_set1_ps(1.48851587f));
    p = _mm256_fmadd_ps(p, t, _mm256_set1_ps(-1.13520398f));
    p = _mm256_fmadd_ps(p, t, _mm256_set1_ps(0.27886807f));
    p = _mm256_fmadd_ps(p, t, _mm256_set1_ps(-0.18628806f));
    p = _mm256_fmadd_ps(p, t, _mm256_set1_ps(0.09678418f));
    p = _mm256_fmadd_ps(p, t, _mm256_set1_ps(0.37409196f));
    p = _mm256_fmadd_ps(p, t, _mm256_set1_ps(1.00002368f));
    p = _mm256_fmadd_ps(p, t, _mm256_set1_ps(-1.26551223f));
    return _mm256_mul_ps(t, ivk_exp256(_mm256_fnmadd_ps(z, z, p)));
}

// GELU(x) = 0.5·x·(1 + erf(x/√2)) with erfc(z), z = |x|/√2, from the kernel above:
// x < 0: 0.5·x·erfc(z);  x ≥ 0: 0.5·x·(2 − erfc(z)).
__attribute__((target("avx2,fma")))
static void ivk_gelu_erf_f32_avx2(float *x, size_t n) {
    const __m256 half = _mm256_set1_ps(0.5f), two = _mm256_set1_ps(2.0f);
    size_t i = 0;
    for (; i + 8 <= n; i += 8) {
        __m256 v = _mm256_loadu_ps(x + i);
        __m256 erfc = ivk_erfc_abs_over_sqrt2_256(v);
        __m256 neg = _mm256_cmp_ps(v, _mm256_setzero_ps(), _CMP_LT_OQ);
        __m256 factor = _mm256_blendv_ps(_mm256_sub_ps(two, erfc), erfc, neg);
        _mm256_storeu_ps(x + i, _mm256_mul_ps(_mm256_mul_ps(half, v), factor));
    }
    if (i < n) ivk_gelu_erf_f32_scalar(x + i, n - i);
}

// GELU backward: dx = dy·(Φ(x) + x·φ(x)), Φ(x) = erfc(|x|/√2)/2 for x < 0 and 1 − that for x ≥ 0,
// φ(x) = exp(−x²/2)/√(2π). dx may be dy (each lane is read before it is written).
__attribute__((target("avx2,fma")))
static void ivk_gelu_erf_grad_f32_avx2(const float *x, const float *dy, float *dx, size_t n) {
    const __m256 half = _mm256_set1_ps(0.5f), one = _mm256_set1_ps(1.0f);
    size_t i = 0;
    for (; i + 8 <= n; i += 8) {
        __m256 v = _mm256_loadu_ps(x + i);
        __m256 tail = _mm256_mul_ps(half, ivk_erfc_abs_over_sqrt2_256(v));
        __m256 neg = _mm256_cmp_ps(v, _mm256_setzero_ps(), _CMP_LT_OQ);
        __m256 cdf = _mm256_blendv_ps(_mm256_sub_ps(one, tail), tail, neg);
        __m256 pdf = _mm256_mul_ps(ivk_exp256(_mm256_mul_ps(_mm256_set1_ps(-0.5f), _mm256_mul_ps(v, v))),
                                   _mm256_set1_ps(0.39894228040143268f));
        _mm256_storeu_ps(dx + i, _mm256_mul_ps(_mm256_loadu_ps(dy + i), _mm256_fmadd_ps(v, pdf, cdf)));
    }
    if (i < n) ivk_gelu_erf_grad_f32_scalar(x + i, dy + i, dx + i, n - i);
}

__attribute__((target("avx2,fma")))
static void ivk_softmax_rows_f32_avx2(float *x, size_t rows, size_t cols) {
    for (size_t r = 0; r < rows; r++) {
        float *row = x + r * cols;
        size_t i = 0;
        __m256 vm = _mm256_set1_ps(-INFINITY);
        for (; i + 8 <= cols; i += 8) vm = _mm256_max_ps(vm, _mm256_loadu_ps(row + i));
        __m128 m4 = _mm_max_ps(_mm256_castps256_ps128(vm), _mm256_extractf128_ps(vm, 1));
        m4 = _mm_max_ps(m4, _mm_movehl_ps(m4, m4));
        m4 = _mm_max_ss(m4, _mm_shuffle_ps(m4, m4, 1));
        float m = _mm_cvtss_f32(m4);
        for (; i < cols; i++) if (row[i] > m) m = row[i];
        __m256 vmax = _mm256_set1_ps(m), vs = _mm256_setzero_ps();
        i = 0;
        for (; i + 8 <= cols; i += 8) {
            __m256 e = ivk_exp256(_mm256_sub_ps(_mm256_loadu_ps(row + i), vmax));
            _mm256_storeu_ps(row + i, e);
            vs = _mm256_add_ps(vs, e);
        }
        __m128 s4 = _mm_add_ps(_mm256_castps256_ps128(vs), _mm256_extractf128_ps(vs, 1));
        s4 = _mm_add_ps(s4, _mm_movehl_ps(s4, s4));
        s4 = _mm_add_ss(s4, _mm_shuffle_ps(s4, s4, 1));
        float sum = _mm_cvtss_f32(s4);
        for (; i < cols; i++) { float e = expf(row[i] - m); row[i] = e; sum += e; }
        __m256 inv = _mm256_set1_ps(1.0f / sum);
        i = 0;
        for (; i + 8 <= cols; i += 8) _mm256_storeu_ps(row + i, _mm256_mul_ps(_mm256_loadu_ps(row + i), inv));
        float inv1 = 1.0f / sum;
        for (; i < cols; i++) row[i] *= inv1;
    }
}
#endif

void ivk_softmax_rows_f32(float *x, size_t rows, size_t cols) {
#ifdef IVK_ACT_X86
    if (ivk_isa_level() >= 1) { ivk_softmax_rows_f32_avx2(x, rows, cols); return; }
#endif
    ivk_softmax_rows_f32_scalar(x, rows, cols);
}

void ivk_gelu_erf_f32(float *x, size_t n) {
#ifdef IVK_ACT_X86
    if (ivk_isa_level() >= 1) { ivk_gelu_erf_f32_avx2(x, n); return; }
#endif
    ivk_gelu_erf_f32_scalar(x, n);
}

void ivk_gelu_erf_grad_f32(const float *x, const float *dy, float *dx, size_t n) {
#ifdef IVK_ACT_X86
    if (ivk_isa_level() >= 1) { ivk_gelu_erf_grad_f32_avx2(x, dy, dx, n); return; }
#endif
    ivk_gelu_erf_grad_f32_scalar(x, dy, dx, n);
}
