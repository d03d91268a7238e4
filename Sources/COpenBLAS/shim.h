// OpenBLAS (CBLAS) and LAPACKE, as one Clang module for Swift.
// Debian/Ubuntu: apt-get install libopenblas-dev liblapacke-dev
// Notes for Swift callers: `lapack_int` is a macro (use Int32); C `char` parameters import as
// Int8; LAPACKE functions returning C `_Complex` are not imported (we use none).
#ifndef MOVIEREC_COPENBLAS_SHIM_H
#define MOVIEREC_COPENBLAS_SHIM_H
#include <cblas.h>
#include <lapacke.h>
#endif
