// SIMD distance kernels for float32 vectors of any dimension.
// Each kernel has a portable scalar version and AVX2+FMA (and, where it pays, AVX-512) versions
// compiled with per-function target attributes. The best one for the running CPU is picked once,
// at first use, through cpuid (never at build time: the package builds without -march flags).
#ifndef CVECTORKERNELS_H
#define CVECTORKERNELS_H

#include <stddef.h>
#include <stdint.h>
#include "pq_scan.h"
#include "argmin.h"
#include "rescore.h"
#include "maxsim.h"
#include "linear_rows.h"

#ifdef __cplusplus
extern "C" {
#endif

/// Instruction-set level chosen at run time: 0 = scalar, 1 = AVX2+FMA, 2 = AVX-512F.
int ivk_isa_level(void);
/// Name of the chosen level ("scalar", "avx2", "avx512").
const char *ivk_isa_name(void);
/// Forces a level (clamped to what the CPU supports) on the calling thread only; for tests that compare
/// kernels: other threads keep the CPU's level. Returns the level set.
int ivk_force_isa_level(int level);

/// Inner product of two float32 vectors of length n.
float ivk_dot_f32(const float *a, const float *b, size_t n);
/// Squared Euclidean distance of two float32 vectors of length n.
float ivk_l2sq_f32(const float *a, const float *b, size_t n);

/// Scalar reference versions (the "twins" the SIMD kernels are tested against).
float ivk_dot_f32_scalar(const float *a, const float *b, size_t n);
float ivk_l2sq_f32_scalar(const float *a, const float *b, size_t n);


// ---- Mixed-precision kernels: a float32 query against a stored float16 or uint8-coded vector ----

/// float32 -> IEEE binary16 (round to nearest even), n values.
void ivk_f32_to_f16(const float *src, uint16_t *dst, size_t n);
/// IEEE binary16 -> float32, n values.
void ivk_f16_to_f32(const uint16_t *src, float *dst, size_t n);

/// Inner product of a float32 query and a float16 vector.
float ivk_dot_f32_f16(const float *q, const uint16_t *v, size_t n);
/// Squared L2 distance of a float32 query and a float16 vector.
float ivk_l2sq_f32_f16(const float *q, const uint16_t *v, size_t n);
/// sum q[i] * c[i] for uint8 codes c (the query is pre-multiplied by the per-dimension scales).
float ivk_dot_f32_u8(const float *q, const uint8_t *c, size_t n);
/// sum (q[i] - scale[i] * c[i])^2 for uint8 codes c (the query has the per-dimension minimum subtracted).
float ivk_l2sq_f32_u8(const float *q, const uint8_t *c, const float *scale, size_t n);

float ivk_dot_f32_f16_scalar(const float *q, const uint16_t *v, size_t n);
float ivk_l2sq_f32_f16_scalar(const float *q, const uint16_t *v, size_t n);
float ivk_dot_f32_u8_scalar(const float *q, const uint8_t *c, size_t n);
float ivk_l2sq_f32_u8_scalar(const float *q, const uint8_t *c, const float *scale, size_t n);

/// One signature for every query-vs-stored-vector kernel, so a search loop can call one function
/// pointer resolved once per query: q = prepared float32 query, v = stored vector (float32, float16 or
/// uint8 codes), aux = per-dimension scales (uint8 L2 only, else ignored), n = dimension.
typedef float (*ivk_query_dist_fn)(const float *q, const void *v, const float *aux, size_t n);
/// Kernel kinds for ivk_query_dist_resolve.
enum {
    IVK_DOT_F32 = 0, IVK_L2SQ_F32 = 1, IVK_DOT_F16 = 2, IVK_L2SQ_F16 = 3, IVK_DOT_U8 = 4, IVK_L2SQ_U8 = 5
};
/// The best implementation of kernel `kind` for the current ISA level (NULL for an unknown kind).
ivk_query_dist_fn ivk_query_dist_resolve(int kind);

// ---- Tiny helpers for lock-free graph readers (inlined into Swift callers) ----

/// Hints the CPU to fetch the cache line at p (no effect on results).
static inline void ivk_prefetch(const void *p) { __builtin_prefetch(p, 0, 3); }
/// Prefetches every 64-byte cache line of `bytes` bytes from `p` (a stored vector usually spans several).
static inline void ivk_prefetch_range(const void *p, size_t bytes) {
    const char *c = (const char *)p;
    const char *end = c + bytes;
    for (const char *line = (const char *)((uintptr_t)c & ~(uintptr_t)63); line < end; line += 64) __builtin_prefetch(line, 0, 3);
}
/// Acquire load / release store of a 32-bit word shared between a writer and concurrent readers.
static inline uint32_t ivk_load_acquire_u32(const uint32_t *p) { return __atomic_load_n(p, __ATOMIC_ACQUIRE); }
static inline void ivk_store_release_u32(uint32_t *p, uint32_t v) { __atomic_store_n(p, v, __ATOMIC_RELEASE); }
static inline uint64_t ivk_load_acquire_u64(const uint64_t *p) { return __atomic_load_n(p, __ATOMIC_ACQUIRE); }
static inline void ivk_store_release_u64(uint64_t *p, uint64_t v) { __atomic_store_n(p, v, __ATOMIC_RELEASE); }
static inline uint64_t ivk_fetch_or_u64(uint64_t *p, uint64_t v) { return __atomic_fetch_or(p, v, __ATOMIC_ACQ_REL); }
static inline uint64_t ivk_fetch_add_u64(uint64_t *p, uint64_t v) { return __atomic_fetch_add(p, v, __ATOMIC_RELAXED); }
static inline uint64_t ivk_fetch_and_u64(uint64_t *p, uint64_t v) { return __atomic_fetch_and(p, v, __ATOMIC_ACQ_REL); }

// ---- Activations for the BERT forward pass (kernels_activation.c) ----

/// Exact GELU in place: x = 0.5·x·(1 + erf(x/√2)); AVX2 path within about 1e-7·|x| of the scalar twin.
void ivk_gelu_erf_f32(float *x, size_t n);
/// Scalar reference (libm erff).
void ivk_gelu_erf_f32_scalar(float *x, size_t n);
/// GELU backward: dx = dy·(Φ(x) + x·φ(x)) (dx may be dy); AVX2 path within about 1e-6 of the scalar twin.
void ivk_gelu_erf_grad_f32(const float *x, const float *dy, float *dx, size_t n);
/// Scalar reference (libm erff, expf).
void ivk_gelu_erf_grad_f32_scalar(const float *x, const float *dy, float *dx, size_t n);
/// Softmax of each row of a row-major rows × cols matrix, in place (max-subtracted); AVX2 path uses a
/// vector exp with relative error about 1e-7.
void ivk_softmax_rows_f32(float *x, size_t rows, size_t cols);
/// Scalar reference (libm expf).
void ivk_softmax_rows_f32_scalar(float *x, size_t rows, size_t cols);

#ifdef __cplusplus
}
#endif
#endif
