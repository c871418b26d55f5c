// A dense layer for few rows (one query's tokens): y = x · Wᵀ + b, W in [out × in] layout read in place.
//
// Blocking: the outer loop walks the outputs in groups of C, so the C weight rows of a group (C · in
// floats, 6 KB for in = 384) are read from memory once and then stay in L1/L2 while every block of R
// input rows is multiplied by them; W as a whole is read once, sequentially. Each (row, output) pair
// has its own accumulator of 16 (AVX-512) or 8 (AVX2) lanes over k, reduced across lanes at the end.
// The arithmetic of one row does not depend on the other rows or on how many there are, so a query
// gets the same vector alone or with others in a call.
#include "CVectorKernels.h"
#include "ivk_simd_private.h"


void ivk_linear_rows_f32_scalar(const float *x, size_t rows, const float *w, const float *bias, size_t in,
                                size_t out, float *y) {
    for (size_t r = 0; r < rows; r++) {
        const float *xr = x + r * in;
        for (size_t j = 0; j < out; j++) {
            const float *wj = w + j * in;
            float s = 0;
            for (size_t k = 0; k < in; k++) s += xr[k] * wj[k];
            y[r * out + j] = s + (bias ? bias[j] : 0.0f);
        }
    }
}

#ifdef IVK_X86
// ---- AVX-512F: blocks of up to 4 rows × 4 outputs (16 accumulators, 4 weight registers) ----

/// The four lane sums of a, b, c, d as one 4-float vector.
__attribute__((target("avx512f"))) static inline __m128 ivk_lr_hsum4_512(__m512 a, __m512 b, __m512 c, __m512 d) {
    __m256 a8 = _mm256_add_ps(_mm512_castps512_ps256(a), _mm256_castpd_ps(_mm512_extractf64x4_pd(_mm512_castps_pd(a), 1)));
    __m256 b8 = _mm256_add_ps(_mm512_castps512_ps256(b), _mm256_castpd_ps(_mm512_extractf64x4_pd(_mm512_castps_pd(b), 1)));
    __m256 c8 = _mm256_add_ps(_mm512_castps512_ps256(c), _mm256_castpd_ps(_mm512_extractf64x4_pd(_mm512_castps_pd(c), 1)));
    __m256 d8 = _mm256_add_ps(_mm512_castps512_ps256(d), _mm256_castpd_ps(_mm512_extractf64x4_pd(_mm512_castps_pd(d), 1)));
    __m256 h = _mm256_hadd_ps(_mm256_hadd_ps(a8, b8), _mm256_hadd_ps(c8, d8));
    return _mm_add_ps(_mm256_castps256_ps128(h), _mm256_extractf128_ps(h, 1));
}

/// y[r][c] (row stride `out`) for r < R, c < C: rows of x from `x`, weights rows from `w`.
__attribute__((target("avx512f"), always_inline)) static inline void
ivk_lr_block_avx512(const float *x, size_t in, const float *w, const float *bias, size_t out, float *y,
                    const int R, const int C, const int P) {
    __m512 acc[4][4];
    for (int r = 0; r < R; r++)
        for (int c = 0; c < C; c++) acc[r][c] = _mm512_setzero_ps();
    size_t k = 0;
    for (; k + 16 <= in; k += 16) {
        __m512 wv[4];
        for (int c = 0; c < C; c++) wv[c] = _mm512_loadu_ps(w + (size_t)c * in + k);
        if (P) for (int c = 0; c < C; c++) _mm_prefetch((const char *)(w + (size_t)(C + c) * in + k), _MM_HINT_T0);
        for (int r = 0; r < R; r++) {
            __m512 xv = _mm512_loadu_ps(x + (size_t)r * in + k);
            for (int c = 0; c < C; c++) acc[r][c] = _mm512_fmadd_ps(xv, wv[c], acc[r][c]);
        }
    }
    if (k < in) {
        __mmask16 m = (__mmask16)((1u << (in - k)) - 1);
        __m512 wv[4];
        for (int c = 0; c < C; c++) wv[c] = _mm512_maskz_loadu_ps(m, w + (size_t)c * in + k);
        for (int r = 0; r < R; r++) {
            __m512 xv = _mm512_maskz_loadu_ps(m, x + (size_t)r * in + k);
            for (int c = 0; c < C; c++) acc[r][c] = _mm512_fmadd_ps(xv, wv[c], acc[r][c]);
        }
    }
    for (int r = 0; r < R; r++) {
        float *yr = y + (size_t)r * out;
        if (C == 4) {
            __m128 s = ivk_lr_hsum4_512(acc[r][0], acc[r][1], acc[r][2], acc[r][3]);
            if (bias) s = _mm_add_ps(s, _mm_loadu_ps(bias));
            _mm_storeu_ps(yr, s);
        } else {
            for (int c = 0; c < C; c++) yr[c] = _mm512_reduce_add_ps(acc[r][c]) + (bias ? bias[c] : 0.0f);
        }
    }
}

/// All row blocks for the outputs [j, j + C).
__attribute__((target("avx512f"), always_inline)) static inline void
ivk_lr_columns_avx512(const float *x, size_t rows, const float *w, const float *bias, size_t in, size_t out,
                      float *y, const int C) {
    // The first row block also prefetches the next output group's weights (they follow in memory), so
    // the stream from memory overlaps the arithmetic instead of stalling the next group's first block.
    size_t r = 0;
    if (rows >= 4) { ivk_lr_block_avx512(x, in, w, bias, out, y, 4, C, 1); r = 4; }
    for (; r + 4 <= rows; r += 4) ivk_lr_block_avx512(x + r * in, in, w, bias, out, y + r * out, 4, C, 0);
    const int first = r == 0;
    switch (rows - r) {
    case 3: ivk_lr_block_avx512(x + r * in, in, w, bias, out, y + r * out, 3, C, first); break;
    case 2: ivk_lr_block_avx512(x + r * in, in, w, bias, out, y + r * out, 2, C, first); break;
    case 1: ivk_lr_block_avx512(x + r * in, in, w, bias, out, y + r * out, 1, C, first); break;
    default: break;
    }
}

__attribute__((target("avx512f"))) static void
ivk_linear_rows_f32_avx512(const float *x, size_t rows, const float *w, const float *bias, size_t in,
                           size_t out, float *y) {
    size_t j = 0;
    for (; j + 4 <= out; j += 4)
        ivk_lr_columns_avx512(x, rows, w + j * in, bias ? bias + j : NULL, in, out, y + j, 4);
    for (; j < out; j++)
        ivk_lr_columns_avx512(x, rows, w + j * in, bias ? bias + j : NULL, in, out, y + j, 1);
}

// ---- AVX2+FMA: blocks of up to 3 rows × 4 outputs (12 accumulators, 4 weight registers) ----

/// The four lane sums of a, b, c, d as one 4-float vector.
__attribute__((target("avx2,fma"))) static inline __m128 ivk_lr_hsum4_256(__m256 a, __m256 b, __m256 c, __m256 d) {
    __m256 h = _mm256_hadd_ps(_mm256_hadd_ps(a, b), _mm256_hadd_ps(c, d));
    return _mm_add_ps(_mm256_castps256_ps128(h), _mm256_extractf128_ps(h, 1));
}

/// Loads the first n < 8 floats of p, zeros after them.
__attribute__((target("avx2,fma"))) static inline __m256 ivk_lr_load_partial256(const float *p, size_t n) {
    float tmp[8] = {0, 0, 0, 0, 0, 0, 0, 0};
    for (size_t i = 0; i < n; i++) tmp[i] = p[i];
    return _mm256_loadu_ps(tmp);
}

__attribute__((target("avx2,fma"), always_inline)) static inline void
ivk_lr_block_avx2(const float *x, size_t in, const float *w, const float *bias, size_t out, float *y,
                  const int R, const int C) {
    __m256 acc[3][4];
    for (int r = 0; r < R; r++)
        for (int c = 0; c < C; c++) acc[r][c] = _mm256_setzero_ps();
    size_t k = 0;
    for (; k + 8 <= in; k += 8) {
        __m256 wv[4];
        for (int c = 0; c < C; c++) wv[c] = _mm256_loadu_ps(w + (size_t)c * in + k);
        for (int r = 0; r < R; r++) {
            __m256 xv = _mm256_loadu_ps(x + (size_t)r * in + k);
            for (int c = 0; c < C; c++) acc[r][c] = _mm256_fmadd_ps(xv, wv[c], acc[r][c]);
        }
    }
    if (k < in) {
        __m256 wv[4];
        for (int c = 0; c < C; c++) wv[c] = ivk_lr_load_partial256(w + (size_t)c * in + k, in - k);
        for (int r = 0; r < R; r++) {
            __m256 xv = ivk_lr_load_partial256(x + (size_t)r * in + k, in - k);
            for (int c = 0; c < C; c++) acc[r][c] = _mm256_fmadd_ps(xv, wv[c], acc[r][c]);
        }
    }
    for (int r = 0; r < R; r++) {
        float *yr = y + (size_t)r * out;
        if (C == 4) {
            __m128 s = ivk_lr_hsum4_256(acc[r][0], acc[r][1], acc[r][2], acc[r][3]);
            if (bias) s = _mm_add_ps(s, _mm_loadu_ps(bias));
            _mm_storeu_ps(yr, s);
        } else {
            for (int c = 0; c < C; c++) yr[c] = ivk_hsum256(acc[r][c]) + (bias ? bias[c] : 0.0f);
        }
    }
}

__attribute__((target("avx2,fma"), always_inline)) static inline void
ivk_lr_columns_avx2(const float *x, size_t rows, const float *w, const float *bias, size_t in, size_t out,
                    float *y, const int C) {
    size_t r = 0;
    for (; r + 3 <= rows; r += 3) ivk_lr_block_avx2(x + r * in, in, w, bias, out, y + r * out, 3, C);
    switch (rows - r) {
    case 2: ivk_lr_block_avx2(x + r * in, in, w, bias, out, y + r * out, 2, C); break;
    case 1: ivk_lr_block_avx2(x + r * in, in, w, bias, out, y + r * out, 1, C); break;
    default: break;
    }
}

__attribute__((target("avx2,fma"))) static void
ivk_linear_rows_f32_avx2(const float *x, size_t rows, const float *w, const float *bias, size_t in,
                         size_t out, float *y) {
    size_t j = 0;
    for (; j + 4 <= out; j += 4)
        ivk_lr_columns_avx2(x, rows, w + j * in, bias ? bias + j : NULL, in, out, y + j, 4);
    for (; j < out; j++)
        ivk_lr_columns_avx2(x, rows, w + j * in, bias ? bias + j : NULL, in, out, y + j, 1);
}
#endif

void ivk_linear_rows_f32(const float *x, size_t rows, const float *w, const float *bias, size_t in, size_t out,
                         float *y) {
#ifdef IVK_X86
    int level = ivk_isa_level();
    if (level >= 2) { ivk_linear_rows_f32_avx512(x, rows, w, bias, in, out, y); return; }
    if (level >= 1) { ivk_linear_rows_f32_avx2(x, rows, w, bias, in, out, y); return; }
#endif
    ivk_linear_rows_f32_scalar(x, rows, w, bias, in, out, y);
}
