// Nearest-centroid selection for BLAS-batched k-means assignment. Included by CVectorKernels.h;
// implementation in argmin.c (run-time dispatch as in kernels_f32.c).
#ifndef CVECTORKERNELS_ARGMIN_H
#define CVECTORKERNELS_ARGMIN_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/// For one point with dot products dots[0..k) against k centroids of squared norms norms[0..k):
/// returns the first j minimising norms[j] - 2*dots[j] (i.e. ‖x - c_j‖² - ‖x‖²) and stores that value in
/// *best. k >= 1.
size_t ivk_argmin_l2_from_dots(const float *norms, const float *dots, size_t k, float *best);
/// Scalar reference (the twin the SIMD versions are tested against).
size_t ivk_argmin_l2_from_dots_scalar(const float *norms, const float *dots, size_t k, float *best);

/// Dot products of one point with k centroids stored transposed (component-major: ct[t*k + c]):
/// out[c] = sum_t x[t] * ct[t*k + c], summed in t order with separate multiply and add, so the AVX2 /
/// AVX-512 versions equal the scalar twin bit for bit. For small dimensions (PQ sub-vectors) this beats
/// an sgemm call, whose packing costs more than the arithmetic when d is a few components.
void ivk_dots_transposed_f32(const float *x, const float *ct, size_t d, size_t k, float *out);
void ivk_dots_transposed_f32_scalar(const float *x, const float *ct, size_t d, size_t k, float *out);

/// Fused nearest centroid for `rows` points at x (row-major, d floats each) among k centroids stored
/// transposed (ct[t*k + c]) with squared norms norms[0..k): labels[i] = the first c minimising
/// norms[c] - 2*dot(x_i, c), distances[i] = max(0, dot(x_i, x_i) + that minimum), every dot summed in t
/// order with separate multiply and add. No dot product is written to memory; four points share each
/// centroid load. For small d (the transposed centroids should fit in L2: d*k*4 bytes). The AVX2 /
/// AVX-512 versions equal the scalar twin bit for bit. Does nothing when rows, k or d is 0.
void ivk_nearest_l2_transposed_f32(const float *x, size_t rows, size_t d, const float *ct, size_t k,
                                   const float *norms, int32_t *labels, float *distances);
void ivk_nearest_l2_transposed_f32_scalar(const float *x, size_t rows, size_t d, const float *ct, size_t k,
                                          const float *norms, int32_t *labels, float *distances);

#ifdef __cplusplus
}
#endif
#endif
