// OpenBLAS's CBLAS interface (Debian libopenblas-dev).
#include <cblas.h>
// OpenBLAS extension: lets callers pin BLAS threads (declared in openblas_config.h / cblas.h).

#include <stddef.h>

// LAPACK singular value decomposition (Fortran `SGESVD`), exported by Debian's libopenblas0 but declared
// in no header that libopenblas-dev ships (it has no lapack.h). Fortran calling convention: every
// argument by pointer, column-major matrices, and one trailing hidden length per CHARACTER argument.
// `blasint` is the library's integer (32-bit in the LP64 build that Debian installs as libopenblas0).
void sgesvd_(const char *jobu, const char *jobvt, const blasint *m, const blasint *n, float *a,
             const blasint *lda, float *s, float *u, const blasint *ldu, float *vt, const blasint *ldvt,
             float *work, const blasint *lwork, blasint *info, size_t jobu_len, size_t jobvt_len);
