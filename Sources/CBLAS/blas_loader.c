// Opens OpenBLAS with dlopen after choosing its core from cpuid, and forwards the few BLAS/LAPACK
// entry points the package uses. Why not link it: a linked OpenBLAS runs its constructor (which picks
// the core from its CPU-model table) before any code of ours, so OPENBLAS_CORETYPE set by the package
// would come too late; a library has no "before main" of its own to set it in.
#define _GNU_SOURCE
#include "CBLAS.h"
#include <dlfcn.h>
#include <limits.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef void (*sgemm_fn)(int, int, int, int, int, int, float, const float *, int, const float *, int, float,
                         float *, int);
typedef void (*sgemv_fn)(int, int, int, int, float, const float *, int, const float *, int, float, float *, int);
typedef void (*set_threads_fn)(int);
typedef int (*get_threads_fn)(void);
typedef char *(*name_fn)(void);
typedef void (*sgesvd_fn)(const char *, const char *, const int *, const int *, float *, const int *, float *,
                          float *, const int *, float *, const int *, float *, const int *, int *, size_t, size_t);

static sgemm_fn p_sgemm;
static sgemv_fn p_sgemv;
static set_threads_fn p_set_threads;
static get_threads_fn p_get_threads;
static sgesvd_fn p_sgesvd;

static i3blas_status_t status;
static char library_path[PATH_MAX];
static char core_name[64];
static char config_text[256];
static char user_core[64];
static char error_text[512];
static pthread_once_t once = PTHREAD_ONCE_INIT;

#if defined(__APPLE__)
static const char *const names[] = {"libopenblas.0.dylib", "libopenblas.dylib",
                                    "/opt/homebrew/opt/openblas/lib/libopenblas.dylib",
                                    "/usr/local/opt/openblas/lib/libopenblas.dylib"};
#else
static const char *const names[] = {"libopenblas.so.0", "libopenblas.so"};
#endif
enum { name_count = sizeof names / sizeof *names };

static int env_set(const char *name) {
    const char *v = getenv(name);
    return v != NULL && v[0] != '\0';
}

static void copy(char *dst, size_t cap, const char *src) {
    snprintf(dst, cap, "%s", src ? src : "");
}

static void load(void) {
    status.cpu_features = i3_cpu_features();
    status.threads_from_user = env_set("OPENBLAS_NUM_THREADS") || env_set("GOTO_NUM_THREADS")
                            || env_set("OMP_NUM_THREADS");
    if (env_set("OPENBLAS_CORETYPE")) {
        copy(user_core, sizeof user_core, getenv("OPENBLAS_CORETYPE"));
        status.user_core = user_core;
    }

    // Already in the process (linked by the program, or opened by another library)?
    void *handle = NULL;
    for (int i = 0; i < name_count && !handle; i++) handle = dlopen(names[i], RTLD_NOW | RTLD_LOCAL | RTLD_NOLOAD);
    if (handle) {
        status.reason = I3BLAS_CORE_PRELOADED;
    } else {
        const char *want = status.user_core ? NULL : i3blas_core_for_features(status.cpu_features);
        if (want) {
            status.requested_core = want;
            setenv("OPENBLAS_CORETYPE", want, 1);
            status.reason = I3BLAS_CORE_FROM_CPU;
        } else {
            status.reason = status.user_core ? I3BLAS_CORE_FROM_USER : I3BLAS_CORE_FROM_OPENBLAS;
        }
        const char *why = NULL;
        for (int i = 0; i < name_count && !handle; i++) {
            handle = dlopen(names[i], RTLD_NOW | RTLD_LOCAL);
            if (!handle && !why) why = dlerror();
        }
        // The variable was only for OpenBLAS's constructor: leave the environment as the user gave it.
        if (want) unsetenv("OPENBLAS_CORETYPE");
        if (!handle) {
            snprintf(error_text, sizeof error_text,
                     "OpenBLAS could not be opened (%s); install Debian's libopenblas0 (libopenblas-dev)",
                     why ? why : "no file found");
            status.error = error_text;
            status.library = names[0];
            return;
        }
    }

    p_sgemm = (sgemm_fn)dlsym(handle, "cblas_sgemm");
    p_sgemv = (sgemv_fn)dlsym(handle, "cblas_sgemv");
    p_sgesvd = (sgesvd_fn)dlsym(handle, "sgesvd_");
    p_set_threads = (set_threads_fn)dlsym(handle, "openblas_set_num_threads");
    p_get_threads = (get_threads_fn)dlsym(handle, "openblas_get_num_threads");
    name_fn corename = (name_fn)dlsym(handle, "openblas_get_corename");
    name_fn config = (name_fn)dlsym(handle, "openblas_get_config");

    Dl_info info;
    char resolved[PATH_MAX];
    if (p_sgemm && dladdr((void *)p_sgemm, &info) && info.dli_fname) {
        copy(library_path, sizeof library_path, realpath(info.dli_fname, resolved) ? resolved : info.dli_fname);
    }
    status.library = library_path;
    copy(core_name, sizeof core_name, corename ? corename() : "unknown");
    status.core = core_name;
    copy(config_text, sizeof config_text, config ? config() : "");
    status.config = config_text;

    const char *missing = !p_sgemm ? "cblas_sgemm" : !p_sgemv ? "cblas_sgemv" : !p_sgesvd ? "sgesvd_" : NULL;
    if (missing) {
        snprintf(error_text, sizeof error_text, "%s has no %s (a full OpenBLAS with LAPACK is needed)",
                 library_path, missing);
        status.error = error_text;
        return;
    }
    // One BLAS thread unless the user asked for more: the package runs its own workers, each calling
    // BLAS, and a process-wide count changed per call would disturb concurrent callers.
    if (!status.threads_from_user && p_set_threads) p_set_threads(1);
    status.loaded = 1;
}

const i3blas_status_t *i3blas_status(void) {
    pthread_once(&once, load);
    return &status;
}

int i3blas_available(void) { return i3blas_status()->loaded; }

// Open at program start, while the process has one thread (setenv is not safe beside other threads).
__attribute__((constructor)) static void i3blas_open_at_start(void) { (void)i3blas_status(); }

static void unavailable(const char *what) {
    fprintf(stderr, "I3Retriever: %s called without BLAS: %s\n", what,
            status.error ? status.error : "not loaded");
    abort();
}

void i3blas_sgemm(I3BlasOrder order, I3BlasTranspose ta, I3BlasTranspose tb, int m, int n, int k,
                  float alpha, const float *a, int lda, const float *b, int ldb, float beta, float *c, int ldc) {
    if (!i3blas_available()) unavailable("sgemm");
    p_sgemm(order, ta, tb, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc);
}

void i3blas_sgemv(I3BlasOrder order, I3BlasTranspose t, int m, int n, float alpha, const float *a, int lda,
                  const float *x, int incx, float beta, float *y, int incy) {
    if (!i3blas_available()) unavailable("sgemv");
    p_sgemv(order, t, m, n, alpha, a, lda, x, incx, beta, y, incy);
}

void i3blas_set_num_threads(int threads) {
    if (i3blas_available() && p_set_threads) p_set_threads(threads);
}

int i3blas_get_num_threads(void) {
    return i3blas_available() && p_get_threads ? p_get_threads() : 1;
}

void i3blas_sgesvd(const char *jobu, const char *jobvt, const int *m, const int *n, float *a, const int *lda,
                   float *s, float *u, const int *ldu, float *vt, const int *ldvt, float *work,
                   const int *lwork, int *info) {
    if (!i3blas_available()) unavailable("sgesvd");
    p_sgesvd(jobu, jobvt, m, n, a, lda, s, u, ldu, vt, ldvt, work, lwork, info, 1, 1);
}
