// Late-interaction (ColBERT) kernels: MaxSim of a query bag against a passage bag, centroid interaction
// and residual decompression (PLAID). Included by CVectorKernels.h; see maxsim.c.
#ifndef CVECTORKERNELS_MAXSIM_H
#define CVECTORKERNELS_MAXSIM_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/// MaxSim: sum over the m query rows q (m × d, float32) of the largest inner product with any of the
/// n passage rows x (n × d). `best` is scratch of m floats (left holding each row's maximum). Returns
/// 0 when n == 0. Dispatched at run time (AVX-512F, AVX2+FMA, scalar); SIMD paths need d % 8 == 0
/// (AVX2) or d % 16 == 0 (AVX-512) and otherwise fall back to the scalar twin.
float ivk_maxsim_f32(const float *q, size_t m, const float *x, size_t n, size_t d, float *best);
/// The same against float16 passage rows (converted with F16C / AVX-512F in the SIMD paths).
float ivk_maxsim_f16(const float *q, size_t m, const uint16_t *x, size_t n, size_t d, float *best);
/// Scalar twins.
float ivk_maxsim_f32_scalar(const float *q, size_t m, const float *x, size_t n, size_t d, float *best);
float ivk_maxsim_f16_scalar(const float *q, size_t m, const uint16_t *x, size_t n, size_t d, float *best);

/// Centroid interaction (PLAID stages 2 and 3): `s` is the K × m matrix of centroid-query scores
/// (row c = centroid c against every query row). For the n tokens of a passage with centroid ids
/// `codes`, returns sum over query rows of the max over tokens of s[codes[t]][row]. With `keep`
/// (K bytes, nonzero = kept), tokens whose centroid is not kept are skipped and a row with no kept
/// token adds 0; without it, a passage with n == 0 scores 0. `best` is scratch of m floats.
float ivk_centroid_interaction(const float *s, size_t m, const int32_t *codes, size_t n, const uint8_t *keep,
                               float *best);
float ivk_centroid_interaction_scalar(const float *s, size_t m, const int32_t *codes, size_t n,
                                      const uint8_t *keep, float *best);

/// Residual decompression: out[t] = normalize(centroids[codes[t]] + residual(t)) for n tokens of d
/// dimensions, where token t's residual is d·nbits/8 packed bytes and `lut` maps each byte value to
/// its 8/nbits bucket weights (256 × 8/nbits floats, first dimension in the high bits). nbits is 1, 2
/// or 4 and d·nbits must be a multiple of 8. Portable C (the compiler vectorises the row loops).
void ivk_residual_decompress(const float *centroids, const int32_t *codes, const uint8_t *residuals, size_t n,
                             size_t d, int nbits, const float *lut, float *out);

/// float16 -> float32 with F16C / AVX-512F when present (n values).
void ivk_f16_to_f32_fast(const uint16_t *src, float *dst, size_t n);

#ifdef __cplusplus
}
#endif
#endif
