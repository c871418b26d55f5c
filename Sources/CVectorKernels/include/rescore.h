// Exact re-scoring of scattered rows (IVF-PQ re-ranking). Included by CVectorKernels.h; see rescore.c.
#ifndef CVECTORKERNELS_RESCORE_H
#define CVECTORKERNELS_RESCORE_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/// Scores rows[0..n) of the row-major matrix `base` (d floats per row) against the query q:
/// out[i] = dot(q, row) when negative_l2 == 0, else -l2sq(q, row), with the dispatched distance kernels.
/// Rows further ahead are prefetched, so a candidate list scattered over memory costs about one memory
/// latency for the batch instead of one per row.
void ivk_score_rows_f32(const float *q, const float *base, const uint32_t *rows, size_t n, size_t d,
                        int negative_l2, float *out);

#ifdef __cplusplus
}
#endif
#endif
