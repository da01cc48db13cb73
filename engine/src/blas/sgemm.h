// Single-precision GEMM through OpenBLAS, loaded at first use. OpenBLAS picks its kernels when it
// loads, and Debian's 0.3.21 mistakes AVX-512 Zen CPUs for Haswell (AVX2 kernels, ~3.5x slower);
// loading it ourselves lets us set OPENBLAS_CORETYPE first (unless the user already set it).
#pragma once

#include <cstdint>
#include <optional>
#include <string>

namespace algoscope::blas {

// Row-major C[m x n] = alpha * op(A)[m x k] * op(B)[k x n] + beta * C.
void sgemm(bool transpose_a, bool transpose_b, int64_t m, int64_t n, int64_t k, float alpha,
           const float* a, int64_t lda, const float* b, int64_t ldb, float beta, float* c,
           int64_t ldc);

// Why sgemm cannot multiply an [m x k] by a [k x n] matrix: a dimension beyond OpenBLAS's 32-bit
// integers. nullopt when it can.
std::optional<std::string> dimensions_reason(int64_t m, int64_t n, int64_t k);

// True when libopenblas could be loaded (the OpenBLAS algorithms are applicable only then).
bool openblas_available();
// OpenBLAS's own name for the kernels it chose ("SkylakeX", "Haswell", ...), or the load error.
std::string openblas_core_name();
// How this OpenBLAS runs its threads, "OpenMP", "pthreads" or "sequential", and the file loaded:
// "OpenMP (/usr/lib/.../openblas-openmp/libopenblas.so.0)"; or the load error.
std::string openblas_threading();
// OpenBLAS keeps its own thread pool; sessions set it to their thread count.
void openblas_set_threads(int threads);

}  // namespace algoscope::blas
