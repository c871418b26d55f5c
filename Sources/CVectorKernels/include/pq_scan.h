// Product-quantization code scanning (asymmetric distance computation) for IVF-PQ.
// Included by CVectorKernels.h; the implementation is pq_scan.c (same run-time dispatch as kernels_f32.c).
#ifndef CVECTORKERNELS_PQ_SCAN_H
#define CVECTORKERNELS_PQ_SCAN_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/// Scores n PQ codes of m one-byte sub-codes each (row-major, code i at codes + i*m) against a lookup
/// table of m rows of 256 floats: out[i] = bias + sum_j lut[j*256 + codes[i*m + j]] (summed in j order).
/// Runs the scalar version, 4 codes interleaved: fastest measured (see pq_scan.c).
void ivk_pq_scan_u8(const float *lut, const uint8_t *codes, size_t n, size_t m, float bias, float *out);
/// Scalar reference (the twin the SIMD versions are tested against).
void ivk_pq_scan_u8_scalar(const float *lut, const uint8_t *codes, size_t n, size_t m, float bias, float *out);
/// Two-table variant: out[i] = bias + sum_j (lut_a[j*256 + c] + lut_b[j*256 + c]) with c = codes[i*m + j];
/// bit-identical to summing the table lut_a + lut_b with ivk_pq_scan_u8, without building it (for short
/// lists, where building an m×256 table costs more than the second lookup per sub-code).
void ivk_pq_scan2_u8(const float *lut_a, const float *lut_b, const uint8_t *codes, size_t n, size_t m,
                     float bias, float *out);
/// Inner-product lookup table of a query: out[j*256 + c] = sum_t q[j*dsub + t] * cbt[(j*dsub + t)*256 + c]
/// for m sub-quantizers of dsub components, with the codebooks stored transposed (sub-quantizer,
/// component, codeword). Summed in t order with separate multiply and add, so the AVX2 / AVX-512
/// versions equal the scalar twin bit for bit.
void ivk_pq_ip_table(const float *q, const float *cbt, size_t m, size_t dsub, float *out);
void ivk_pq_ip_table_scalar(const float *q, const float *cbt, size_t m, size_t dsub, float *out);
/// Asks the CPU to bring [p, p + bytes) into cache (one prefetch per 64-byte line; a no-op where the
/// compiler has no prefetch builtin). Used for the next probed list's L2 terms (m × 256 floats, read
/// while the current list is scanned) and never changes a result.
void ivk_prefetch_bytes(const void *p, size_t bytes);
/// out[i] = a[i] + b[i]: AVX-512 / AVX2 by ivk_isa_level(), bit-identical to the scalar twin.
void ivk_add_f32(const float *a, const float *b, size_t n, float *out);
void ivk_add_f32_scalar(const float *a, const float *b, size_t n, float *out);
/// Same result with AVX2 / AVX-512 gathers, chosen by ivk_isa_level() (scalar when neither is available).
/// Slower than the scalar version on AMD Zen 5 (see pq_scan.c), so ivk_pq_scan_u8 does not use it.
void ivk_pq_scan_u8_gather(const float *lut, const uint8_t *codes, size_t n, size_t m, float bias, float *out);
/// Name of the version ivk_pq_scan_u8_gather runs ("scalar", "avx2", "avx512").
const char *ivk_pq_scan_gather_name(void);

#ifdef __cplusplus
}
#endif
#endif
