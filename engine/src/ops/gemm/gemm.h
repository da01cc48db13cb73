// The Gemm family's internal interface: the validated geometry of a Gemm layer
// (Y = alpha * op(A) * op(B) + beta * C, C broadcast to [M, N]) and the helpers its algorithm files
// share. The files' entry points are MatrixProduct<GemmOp>'s (matrix_product.h); only registry.cpp
// turns them into named Algorithms.
#pragma once

#include <algorithm>
#include <memory>
#include <utility>

#include "algoscope/registry.h"
#include "ops/common.h"
#include "ops/matrix_product.h"

namespace algoscope::ops::gemm {

struct GemmGeometry {
  int64_t m = 0, n = 0, k = 0;
  bool trans_a = false, trans_b = false;
  float alpha = 1.0f, beta = 1.0f;
  bool has_c = false;
  // C[i, j] of the broadcast C is c[i * c_row_stride + j * c_col_stride] (strides 0 broadcast).
  int64_t c_row_stride = 0, c_col_stride = 0;

  int64_t lda() const { return trans_a ? m : k; }
  int64_t ldb() const { return trans_b ? k : n; }
};

// Validates the layer (2-D A and B, inner dimensions, C unidirectionally broadcastable to
// [M, N]); throws Error with what is wrong.
GemmGeometry gemm_geometry(const Layer& layer);

// Writes beta * C (broadcast to M x N) into y and returns the beta a GEMM must then accumulate
// with: 1 when C was written, 0 when there is no C (or beta is 0) and y is left untouched.
float write_beta_c(const GemmGeometry& g, const float* c, float* y);

// Gemm's algorithm files (matrix_product.h), defined in this folder.
using Gemm = MatrixProduct<GemmOp>;

// A Gemm kernel: run(a, b, c, y) on each call's operands, c null when the layer has no C.
template <class Run>
std::unique_ptr<Kernel> gemm_kernel(const GemmGeometry& g, Run run) {
  return make_kernel([has_c = g.has_c, run = std::move(run)](KernelIO& io) {
    run(io.inputs[0]->data<float>(), io.inputs[1]->data<float>(),
        optional_float_input(io, 2, has_c), io.outputs[0]->data<float>());
  });
}

// A Gemm kernel through a GEMM that accumulates onto Y: each run writes beta * C into Y, then
// calls accumulate(a, b, beta_y, y) to add alpha * op(A) * op(B) with the beta write_beta_c
// returns. Empty products stop here: nothing to do for M or N = 0, and for K = 0 (which BLAS
// rejects) Y is beta * C, or zeros.
template <class Accumulate>
std::unique_ptr<Kernel> accumulating_gemm_kernel(const GemmGeometry& g, Accumulate accumulate) {
  return gemm_kernel(g, [g, accumulate = std::move(accumulate)](const float* a, const float* b,
                                                                const float* c, float* y) {
    if (g.m == 0 || g.n == 0) return;
    const float beta = write_beta_c(g, c, y);
    if (g.k == 0) {
      if (beta == 0.0f) std::fill(y, y + g.m * g.n, 0.0f);
      return;
    }
    accumulate(a, b, beta, y);
  });
}

}  // namespace algoscope::ops::gemm
