// A dense layer for few rows: y = x · Wᵀ + b with W in PyTorch's [out × in] layout, read in place.
// Included by CVectorKernels.h; see linear_rows.c.
#ifndef CVECTORKERNELS_LINEAR_ROWS_H
#define CVECTORKERNELS_LINEAR_ROWS_H

#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

/// `y[rows × out] = x[rows × in] · Wᵀ + bias`, all row-major, `w` is `out × in` (each output's weights
/// contiguous, as a `torch.nn.Linear` stores them) and is read where it lies: no packing, each weight
/// read from memory once per call. Meant for a handful of rows (one query's tokens), where a BLAS's
/// per-call packing of W costs more than the product. Each output is a dot product summed in 16 (AVX-512F)
/// or 8 (AVX2+FMA) lanes and then across lanes, so results agree with a BLAS to rounding, not bit for
/// bit. Dispatched at run time like the distance kernels; `bias` may be NULL.
void ivk_linear_rows_f32(const float *x, size_t rows, const float *w, const float *bias, size_t in, size_t out,
                         float *y);
/// Scalar twin (the reference of the SIMD paths).
void ivk_linear_rows_f32_scalar(const float *x, size_t rows, const float *w, const float *bias, size_t in,
                                size_t out, float *y);

#ifdef __cplusplus
}
#endif
#endif
