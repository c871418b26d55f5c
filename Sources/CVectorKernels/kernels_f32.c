// float32 distance kernels: scalar, AVX2+FMA and AVX-512F versions, dispatched at run time.
#include "CVectorKernels.h"
#include "ivk_simd_private.h"

#ifdef IVK_X86
#include <cpuid.h>
#endif

float ivk_dot_f32_scalar(const float *a, const float *b, size_t n) {
    float s0 = 0, s1 = 0, s2 = 0, s3 = 0;
    size_t i = 0;
    for (; i + 4 <= n; i += 4) {
        s0 += a[i] * b[i]; s1 += a[i + 1] * b[i + 1];
        s2 += a[i + 2] * b[i + 2]; s3 += a[i + 3] * b[i + 3];
    }
    for (; i < n; i++) s0 += a[i] * b[i];
    return (s0 + s1) + (s2 + s3);
}

float ivk_l2sq_f32_scalar(const float *a, const float *b, size_t n) {
    float s0 = 0, s1 = 0, s2 = 0, s3 = 0;
    size_t i = 0;
    for (; i + 4 <= n; i += 4) {
        float d0 = a[i] - b[i], d1 = a[i + 1] - b[i + 1], d2 = a[i + 2] - b[i + 2], d3 = a[i + 3] - b[i + 3];
        s0 += d0 * d0; s1 += d1 * d1; s2 += d2 * d2; s3 += d3 * d3;
    }
    for (; i < n; i++) { float d = a[i] - b[i]; s0 += d * d; }
    return (s0 + s1) + (s2 + s3);
}

#ifdef IVK_X86
__attribute__((target("avx2,fma")))
static float ivk_dot_f32_avx2(const float *a, const float *b, size_t n) {
    __m256 acc0 = _mm256_setzero_ps(), acc1 = _mm256_setzero_ps();
    size_t i = 0;
    for (; i + 16 <= n; i += 16) {
        acc0 = _mm256_fmadd_ps(_mm256_loadu_ps(a + i), _mm256_loadu_ps(b + i), acc0);
        acc1 = _mm256_fmadd_ps(_mm256_loadu_ps(a + i + 8), _mm256_loadu_ps(b + i + 8), acc1);
    }
    for (; i + 8 <= n; i += 8)
        acc0 = _mm256_fmadd_ps(_mm256_loadu_ps(a + i), _mm256_loadu_ps(b + i), acc0);
    float s = ivk_hsum256(_mm256_add_ps(acc0, acc1));
    for (; i < n; i++) s += a[i] * b[i];
    return s;
}

__attribute__((target("avx2,fma")))
static float ivk_l2sq_f32_avx2(const float *a, const float *b, size_t n) {
    __m256 acc0 = _mm256_setzero_ps(), acc1 = _mm256_setzero_ps();
    size_t i = 0;
    for (; i + 16 <= n; i += 16) {
        __m256 d0 = _mm256_sub_ps(_mm256_loadu_ps(a + i), _mm256_loadu_ps(b + i));
        __m256 d1 = _mm256_sub_ps(_mm256_loadu_ps(a + i + 8), _mm256_loadu_ps(b + i + 8));
        acc0 = _mm256_fmadd_ps(d0, d0, acc0);
        acc1 = _mm256_fmadd_ps(d1, d1, acc1);
    }
    for (; i + 8 <= n; i += 8) {
        __m256 d0 = _mm256_sub_ps(_mm256_loadu_ps(a + i), _mm256_loadu_ps(b + i));
        acc0 = _mm256_fmadd_ps(d0, d0, acc0);
    }
    float s = ivk_hsum256(_mm256_add_ps(acc0, acc1));
    for (; i < n; i++) { float d = a[i] - b[i]; s += d * d; }
    return s;
}

__attribute__((target("avx512f")))
static float ivk_dot_f32_avx512(const float *a, const float *b, size_t n) {
    __m512 acc = _mm512_setzero_ps();
    size_t i = 0;
    if (n >= 64) {
        // Four independent accumulators hide the FMA latency on long vectors.
        __m512 acc1 = _mm512_setzero_ps(), acc2 = _mm512_setzero_ps(), acc3 = _mm512_setzero_ps();
        for (; i + 64 <= n; i += 64) {
            acc = _mm512_fmadd_ps(_mm512_loadu_ps(a + i), _mm512_loadu_ps(b + i), acc);
            acc1 = _mm512_fmadd_ps(_mm512_loadu_ps(a + i + 16), _mm512_loadu_ps(b + i + 16), acc1);
            acc2 = _mm512_fmadd_ps(_mm512_loadu_ps(a + i + 32), _mm512_loadu_ps(b + i + 32), acc2);
            acc3 = _mm512_fmadd_ps(_mm512_loadu_ps(a + i + 48), _mm512_loadu_ps(b + i + 48), acc3);
        }
        acc = _mm512_add_ps(_mm512_add_ps(acc, acc1), _mm512_add_ps(acc2, acc3));
    }
    for (; i + 16 <= n; i += 16)
        acc = _mm512_fmadd_ps(_mm512_loadu_ps(a + i), _mm512_loadu_ps(b + i), acc);
    if (i < n) {
        __mmask16 m = (__mmask16)((1u << (n - i)) - 1u);
        acc = _mm512_fmadd_ps(_mm512_maskz_loadu_ps(m, a + i), _mm512_maskz_loadu_ps(m, b + i), acc);
    }
    return _mm512_reduce_add_ps(acc);
}

__attribute__((target("avx512f")))
static float ivk_l2sq_f32_avx512(const float *a, const float *b, size_t n) {
    __m512 acc = _mm512_setzero_ps();
    size_t i = 0;
    if (n >= 64) {
        __m512 acc1 = _mm512_setzero_ps(), acc2 = _mm512_setzero_ps(), acc3 = _mm512_setzero_ps();
        for (; i + 64 <= n; i += 64) {
            __m512 d0 = _mm512_sub_ps(_mm512_loadu_ps(a + i), _mm512_loadu_ps(b + i));
            __m512 d1 = _mm512_sub_ps(_mm512_loadu_ps(a + i + 16), _mm512_loadu_ps(b + i + 16));
            __m512 d2 = _mm512_sub_ps(_mm512_loadu_ps(a + i + 32), _mm512_loadu_ps(b + i + 32));
            __m512 d3 = _mm512_sub_ps(_mm512_loadu_ps(a + i + 48), _mm512_loadu_ps(b + i + 48));
            acc = _mm512_fmadd_ps(d0, d0, acc);
            acc1 = _mm512_fmadd_ps(d1, d1, acc1);
            acc2 = _mm512_fmadd_ps(d2, d2, acc2);
            acc3 = _mm512_fmadd_ps(d3, d3, acc3);
        }
        acc = _mm512_add_ps(_mm512_add_ps(acc, acc1), _mm512_add_ps(acc2, acc3));
    }
    for (; i + 16 <= n; i += 16) {
        __m512 d = _mm512_sub_ps(_mm512_loadu_ps(a + i), _mm512_loadu_ps(b + i));
        acc = _mm512_fmadd_ps(d, d, acc);
    }
    if (i < n) {
        __mmask16 m = (__mmask16)((1u << (n - i)) - 1u);
        __m512 d = _mm512_sub_ps(_mm512_maskz_loadu_ps(m, a + i), _mm512_maskz_loadu_ps(m, b + i));
        acc = _mm512_fmadd_ps(d, d, acc);
    }
    return _mm512_reduce_add_ps(acc);
}

static int ivk_f16c = 0;

static int ivk_detect_level(void) {
    unsigned int eax, ebx, ecx, edx;
    if (!__get_cpuid(1, &eax, &ebx, &ecx, &edx)) return 0;
    __atomic_store_n(&ivk_f16c, (int)((ecx >> 29) & 1), __ATOMIC_RELAXED);
    int has_fma = (ecx >> 12) & 1, has_osxsave = (ecx >> 27) & 1, has_avx = (ecx >> 28) & 1;
    if (!(has_fma && has_osxsave && has_avx)) return 0;
    unsigned int xcr0_lo, xcr0_hi;
    __asm__ volatile("xgetbv" : "=a"(xcr0_lo), "=d"(xcr0_hi) : "c"(0));
    if ((xcr0_lo & 0x6) != 0x6) return 0;              // OS saves XMM and YMM state
    if (!__get_cpuid_count(7, 0, &eax, &ebx, &ecx, &edx)) return 0;
    int has_avx2 = (ebx >> 5) & 1, has_avx512f = (ebx >> 16) & 1;
    if (!has_avx2) return 0;
    if (has_avx512f && (xcr0_lo & 0xE6) == 0xE6) return 2; // OS saves opmask and ZMM state
    return 1;
}
#else
static int ivk_f16c = 0;
static int ivk_detect_level(void) { return 0; }
#endif

typedef float (*ivk_pair_fn)(const float *, const float *, size_t);

// The CPU's level, detected once (cpuid); -1 until then. A test may force a lower level, but only on
// its own thread (ivk_thread_level), so code running on other threads at the same time keeps the CPU's
// kernels and its results stay bit for bit what they were.
static int ivk_cpu_level = -1;
static _Thread_local int ivk_thread_level = -1;

static inline int ivk_cpu(void) {
    int level = __atomic_load_n(&ivk_cpu_level, __ATOMIC_ACQUIRE);
    if (__builtin_expect(level >= 0, 1)) return level;
    level = ivk_detect_level();   // idempotent: racing first callers store the same value
    __atomic_store_n(&ivk_cpu_level, level, __ATOMIC_RELEASE);
    return level;
}

int ivk_isa_level(void) {
    int forced = ivk_thread_level;
    return __builtin_expect(forced >= 0, 0) ? forced : ivk_cpu();
}

int ivk_cpu_has_f16c(void) { ivk_cpu(); return __atomic_load_n(&ivk_f16c, __ATOMIC_RELAXED); }

const char *ivk_isa_name(void) {
    switch (ivk_isa_level()) { case 2: return "avx512"; case 1: return "avx2"; default: return "scalar"; }
}

int ivk_force_isa_level(int level) {
    int cpu = ivk_cpu();
    if (level > cpu) level = cpu;
    if (level < 0) level = 0;
    ivk_thread_level = level;
    return level;
}

static ivk_pair_fn ivk_dot_at(int level) {
#ifdef IVK_X86
    if (level >= 2) return ivk_dot_f32_avx512;
    if (level == 1) return ivk_dot_f32_avx2;
#endif
    (void)level;
    return ivk_dot_f32_scalar;
}

static ivk_pair_fn ivk_l2sq_at(int level) {
#ifdef IVK_X86
    if (level >= 2) return ivk_l2sq_f32_avx512;
    if (level == 1) return ivk_l2sq_f32_avx2;
#endif
    (void)level;
    return ivk_l2sq_f32_scalar;
}

float ivk_dot_f32(const float *a, const float *b, size_t n) { return ivk_dot_at(ivk_isa_level())(a, b, n); }
float ivk_l2sq_f32(const float *a, const float *b, size_t n) { return ivk_l2sq_at(ivk_isa_level())(a, b, n); }

// Uniform-signature adapters for ivk_query_dist_resolve (see kernels_mixed.c); the static callee
// is inlined into each adapter, so a resolved pointer costs one indirect call and no dispatch check.
static float ivk_qd_dot_f32_scalar(const float *q, const void *v, const float *aux, size_t n) { (void)aux; return ivk_dot_f32_scalar(q, (const float *)v, n); }
static float ivk_qd_l2sq_f32_scalar(const float *q, const void *v, const float *aux, size_t n) { (void)aux; return ivk_l2sq_f32_scalar(q, (const float *)v, n); }
#ifdef IVK_X86
__attribute__((target("avx2,fma")))
static float ivk_qd_dot_f32_avx2(const float *q, const void *v, const float *aux, size_t n) { (void)aux; return ivk_dot_f32_avx2(q, (const float *)v, n); }
__attribute__((target("avx2,fma")))
static float ivk_qd_l2sq_f32_avx2(const float *q, const void *v, const float *aux, size_t n) { (void)aux; return ivk_l2sq_f32_avx2(q, (const float *)v, n); }
__attribute__((target("avx512f")))
static float ivk_qd_dot_f32_avx512(const float *q, const void *v, const float *aux, size_t n) { (void)aux; return ivk_dot_f32_avx512(q, (const float *)v, n); }
__attribute__((target("avx512f")))
static float ivk_qd_l2sq_f32_avx512(const float *q, const void *v, const float *aux, size_t n) { (void)aux; return ivk_l2sq_f32_avx512(q, (const float *)v, n); }
#endif

/// float32 kernels of the uniform signature for the current level (used by ivk_query_dist_resolve).
ivk_query_dist_fn ivk_query_dist_resolve_f32(int l2) {
    int level = ivk_isa_level();
#ifdef IVK_X86
    if (level >= 2) return l2 ? ivk_qd_l2sq_f32_avx512 : ivk_qd_dot_f32_avx512;
    if (level == 1) return l2 ? ivk_qd_l2sq_f32_avx2 : ivk_qd_dot_f32_avx2;
#endif
    (void)level;
    return l2 ? ivk_qd_l2sq_f32_scalar : ivk_qd_dot_f32_scalar;
}
