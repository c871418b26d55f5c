// SIMD distance kernels for float32 vectors of any dimension.
// Each kernel has a portable scalar version and AVX2+FMA (and, where it pays, AVX-512) versions
// compiled with per-function target attributes. The best one for the running CPU is picked once,
// at first use, through cpuid (never at build time: the package builds without -march flags).
#ifndef CVECTORKERNELS_H
#define CVECTORKERNELS_H

#include <stddef.h>
#include <stdint.h>
#include "pq_scan.h"

#ifdef __cplusplus
extern "C" {
#endif

/// Instruction-set level chosen at run time: 0 = scalar, 1 = AVX2+FMA, 2 = AVX-512F.
int ivk_isa_level(void);
/// Name of the chosen level ("scalar", "avx2", "avx512").
const char *ivk_isa_name(void);
/// Forces a level (clamped to what the CPU supports); for tests that compare kernels. Returns the level set.
int ivk_force_isa_level(int level);

/// Inner product of two float32 vectors of length n.
float ivk_dot_f32(const float *a, const float *b, size_t n);
/// Squared Euclidean distance of two float32 vectors of length n.
float ivk_l2sq_f32(const float *a, const float *b, size_t n);

/// Scalar reference versions (the "twins" the SIMD kernels are tested against).
float ivk_dot_f32_scalar(const float *a, const float *b, size_t n);
float ivk_l2sq_f32_scalar(const float *a, const float *b, size_t n);

#ifdef __cplusplus
}
#endif
#endif
