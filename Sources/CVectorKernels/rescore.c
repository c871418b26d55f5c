// Exact scores of scattered rows with software prefetching (see include/rescore.h). The arithmetic is
// ivk_dot_f32 / ivk_l2sq_f32 (run-time dispatched in kernels_f32.c); this file only orders the memory
// traffic, so it needs no SIMD twin of its own.
#include "CVectorKernels.h"

#define IVK_PREFETCH_AHEAD 6

static inline void ivk_prefetch_row(const float *p, size_t d) {
    const char *c = (const char *)p;
    size_t bytes = d * sizeof(float);
    for (size_t o = 0; o < bytes; o += 64) __builtin_prefetch(c + o, 0, 0);
}

void ivk_score_rows_f32(const float *q, const float *base, const uint32_t *rows, size_t n, size_t d,
                        int negative_l2, float *out) {
    size_t ahead = n < IVK_PREFETCH_AHEAD ? n : IVK_PREFETCH_AHEAD;
    for (size_t i = 0; i < ahead; i++) ivk_prefetch_row(base + (size_t)rows[i] * d, d);
    for (size_t i = 0; i < n; i++) {
        if (i + IVK_PREFETCH_AHEAD < n) ivk_prefetch_row(base + (size_t)rows[i + IVK_PREFETCH_AHEAD] * d, d);
        const float *r = base + (size_t)rows[i] * d;
        out[i] = negative_l2 ? -ivk_l2sq_f32(q, r, d) : ivk_dot_f32(q, r, d);
    }
}
