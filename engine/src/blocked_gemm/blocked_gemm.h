// Our own single-precision GEMM, structured after Goto & van de Geijn ("Anatomy of high-performance
// matrix multiplication", TOMS 2008) and BLIS (Van Zee & van de Geijn, TOMS 2015): op(B) is packed
// into KC x NR column panels and op(A) into MR x KC row panels, a macro-kernel walks cache blocks
// (KC x NC of B, MC x KC of A) and a register-blocked FMA micro-kernel computes one MR x NR tile of
// C. Micro-kernels exist for AVX-512 (14x32), AVX2 (6x16) and portable C++ (4x16); the best one the
// CPU supports is chosen at run time, never at build time. OpenMP threads split C into column or
// row stripes, so threads never wait on each other.
//
// Constant operands (Gemm / MatMul weights, convolution filters) can be packed once with pack_b()
// and multiplied many times with sgemm_prepacked(), which skips the per-call packing of B.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>

#include "cpu_features.h"

namespace algoscope::blocked_gemm {

// What the GEMM does to each finished MR x NR tile of C while the tile is still in L1, instead of a
// second pass over C (MatMul's fused bias and activation): adds bias[j] to column j of C (bias
// indexed like the columns of the C the caller passes), then hands each tile row to
// activation(context, row, cols). Applied after alpha and beta, once per element.
struct Epilogue {
  const float* bias = nullptr;  // null: no bias
  void (*activation)(const void* context, float* row, int64_t n) = nullptr;
  const void* context = nullptr;
  bool empty() const { return !bias && !activation; }
};

// The micro-kernel is the one of cpu::active_level() (AVX-512 14x32, AVX2 6x16, portable 4x16);
// tests cap the level (cpu::cap_level) to run the lower kernels on a better CPU.

// Row-major C[m x n] = alpha * op(A)[m x k] * op(B)[k x n] + beta * C, op(X) = X or X^T. A is
// stored m x k (k x m when trans_a) with row stride lda, likewise B. beta == 0 never reads C (so
// C may hold NaNs). Runs on omp_get_max_threads() threads when the product is large enough.
void sgemm(bool trans_a, bool trans_b, int64_t m, int64_t n, int64_t k, float alpha, const float* a,
           int64_t lda, const float* b, int64_t ldb, float beta, float* c, int64_t ldc,
           const Epilogue& epilogue = {});

// op(B) packed once into the panel layout of one ISA's micro-kernel: for every KC block of k, the
// ceil(n / NR) panels of KC x NR floats, the last one zero-padded. Memory: k * ceil(n/NR) * NR * 4
// bytes. Movable, not copyable.
class PackedMatrix {
 public:
  PackedMatrix() = default;
  int64_t k() const { return k_; }
  int64_t n() const { return n_; }
  cpu::IsaLevel isa() const { return isa_; }
  size_t bytes() const { return floats_ * sizeof(float); }
  bool empty() const { return !data_; }
  // Columns per packed panel: a column range given to sgemm_prepacked_columns starts on a
  // multiple of it.
  int panel_width() const { return nr_; }

 private:
  friend PackedMatrix pack_b(bool, int64_t, int64_t, const float*, int64_t);
  friend void sgemm_prepacked_columns(bool, int64_t, float, const float*, int64_t,
                                      const PackedMatrix&, int64_t, int64_t, float, float*, int64_t,
                                      const Epilogue&);
  struct Free {
    void operator()(float* p) const;
  };
  int64_t k_ = 0, n_ = 0;
  cpu::IsaLevel isa_ = cpu::IsaLevel::Portable;
  int nr_ = 0, kc_ = 0;
  int64_t panels_ = 0;
  size_t floats_ = 0;
  std::unique_ptr<float, Free> data_;
};

// Packs op(B)[k x n] (B stored k x n, or n x k when trans_b, row stride ldb) for
// cpu::active_level().
PackedMatrix pack_b(bool trans_b, int64_t k, int64_t n, const float* b, int64_t ldb);
// What pack_b(_, k, n, ...) would hold: k * ceil(n/NR) * NR * 4 bytes for the active level's NR.
size_t packed_b_bytes(int64_t k, int64_t n);

// C[m x n] = alpha * op(A)[m x k] * B + beta * C with B from pack_b (k, n taken from it). Uses the
// micro-kernel of the ISA B was packed for.
void sgemm_prepacked(bool trans_a, int64_t m, float alpha, const float* a, int64_t lda,
                     const PackedMatrix& b, float beta, float* c, int64_t ldc,
                     const Epilogue& epilogue = {});

// The same product restricted to columns [col0, col0 + cols) of B and C (c points at column 0 of
// C), col0 a multiple of b.panel_width(): lets callers that split the output channels between
// threads share one packed operand.
void sgemm_prepacked_columns(bool trans_a, int64_t m, float alpha, const float* a, int64_t lda,
                             const PackedMatrix& b, int64_t col0, int64_t cols, float beta,
                             float* c, int64_t ldc, const Epilogue& epilogue = {});

}  // namespace algoscope::blocked_gemm
