// OpenBLAS's CBLAS interface (Debian libopenblas-dev).
#include <cblas.h>
// OpenBLAS extension: lets callers pin BLAS threads (declared in openblas_config.h / cblas.h).
