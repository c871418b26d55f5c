// The package's door to BLAS and LAPACK: Debian's OpenBLAS (libopenblas0, DYNAMIC_ARCH), opened with
// dlopen instead of being linked, so that its kernel set ("core") is chosen from what the CPU can do
// before OpenBLAS initialises (see docs/encoder.md, "Which BLAS kernels run"). OpenBLAS picks its core
// in its library constructor from a table of CPU models; on a CPU newer than the table it falls back
// to SSE3 (Prescott) kernels, 2.5 to 5 times slower. The loader sets OPENBLAS_CORETYPE from cpuid
// (unless the user has set it) for the duration of dlopen, and pins OpenBLAS to one thread (unless the
// user has set a thread count): the package parallelises above BLAS, over batches and blocks.
#ifndef CBLAS_I3_H
#define CBLAS_I3_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef enum { I3BlasRowMajor = 101, I3BlasColMajor = 102 } I3BlasOrder;
typedef enum { I3BlasNoTrans = 111, I3BlasTrans = 112 } I3BlasTranspose;

// ---- CPU features and the core they call for (cpu_features.c) ----

/// Feature bits of i3_cpu_features(). OS_YMM / OS_ZMM: the OS saves the AVX / AVX-512 register state.
enum {
    I3_CPU_AVX = 1u << 0, I3_CPU_FMA = 1u << 1, I3_CPU_AVX2 = 1u << 2, I3_CPU_OS_YMM = 1u << 3,
    I3_CPU_AVX512F = 1u << 4, I3_CPU_AVX512BW = 1u << 5, I3_CPU_AVX512VL = 1u << 6,
    I3_CPU_AVX512DQ = 1u << 7, I3_CPU_AVX512CD = 1u << 8, I3_CPU_OS_ZMM = 1u << 9,
    I3_CPU_AVX512_BF16 = 1u << 10, I3_CPU_AVX512_VNNI = 1u << 11,
};
/// Short name of one feature bit ("avx2", "avx512f", ...), NULL for a bit without a name.
const char *i3_cpu_feature_name(uint32_t bit);
/// The running CPU's features (cpuid + xgetbv; 0 on non-x86 machines).
uint32_t i3_cpu_features(void);
/// ISA level of a feature set: 2 = AVX-512 (F, BW, VL, DQ, CD with OS support), 1 = AVX2 + FMA, 0 = below.
int i3_cpu_isa_level(uint32_t features);
/// The OpenBLAS core for a feature set: "SkylakeX" at level 2, "Haswell" at level 1, NULL below
/// (OpenBLAS's own choice is kept).
const char *i3blas_core_for_features(uint32_t features);
/// ISA level of an OpenBLAS core name (case-insensitive): 2 for the AVX-512 cores (SkylakeX,
/// Cooperlake, SapphireRapids), 1 for the AVX2 cores (Haswell, Zen), 0 for any other core.
int i3blas_core_isa_level(const char *core);

// ---- Loading (blas_loader.c) ----

/// Who chose the core that runs.
typedef enum {
    I3BLAS_CORE_FROM_CPU = 0,        ///< the loader set OPENBLAS_CORETYPE from cpuid
    I3BLAS_CORE_FROM_USER = 1,       ///< the user's OPENBLAS_CORETYPE
    I3BLAS_CORE_FROM_OPENBLAS = 2,   ///< OpenBLAS's own choice (the CPU is below AVX2)
    I3BLAS_CORE_PRELOADED = 3,       ///< OpenBLAS was already in the process, initialised by someone else
} i3blas_core_reason;

typedef struct {
    int loaded;                  ///< 1 when every required entry point was found
    const char *library;         ///< the file that was opened (resolved path), or the names tried
    const char *core;            ///< openblas_get_corename(), "unknown" when the library lacks it
    const char *config;          ///< openblas_get_config(), "" when the library lacks it
    const char *requested_core;  ///< what the loader put in OPENBLAS_CORETYPE, NULL if nothing
    const char *user_core;       ///< the user's OPENBLAS_CORETYPE, NULL if unset
    i3blas_core_reason reason;
    int threads_from_user;       ///< 1 when OPENBLAS_NUM_THREADS / GOTO_NUM_THREADS / OMP_NUM_THREADS was set
    uint32_t cpu_features;
    const char *error;           ///< why loading failed (dlopen / dlsym message), NULL when loaded
} i3blas_status_t;

/// Opens the library once (thread-safe; also run by a constructor at program start, while the process
/// is single-threaded) and returns what happened. Never NULL.
const i3blas_status_t *i3blas_status(void);
/// 1 when BLAS is usable.
int i3blas_available(void);

// ---- Entry points the package uses (abort with a message if called while unavailable) ----

void i3blas_sgemm(I3BlasOrder order, I3BlasTranspose ta, I3BlasTranspose tb, int m, int n, int k,
                  float alpha, const float *a, int lda, const float *b, int ldb, float beta, float *c, int ldc);
void i3blas_sgemv(I3BlasOrder order, I3BlasTranspose t, int m, int n, float alpha, const float *a, int lda,
                  const float *x, int incx, float beta, float *y, int incy);
/// Process-wide OpenBLAS thread count (benchmarks only; the package runs BLAS on one thread).
void i3blas_set_num_threads(int threads);
int i3blas_get_num_threads(void);
/// LAPACK SGESVD (Fortran convention: arguments by pointer, column-major; LP64 integers).
void i3blas_sgesvd(const char *jobu, const char *jobvt, const int *m, const int *n, float *a, const int *lda,
                   float *s, float *u, const int *ldu, float *vt, const int *ldvt, float *work,
                   const int *lwork, int *info);

#ifdef __cplusplus
}
#endif
#endif
