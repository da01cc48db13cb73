// The Gemm family's internal interface: the validated geometry of a Gemm layer
// (Y = alpha * op(A) * op(B) + beta * C, C broadcast to [M, N]) and one entry point per algorithm
// file. Only registry.cpp turns these into named Algorithms.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "algoscope/registry.h"
#include "ops/algorithm_text.h"

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

std::vector<TensorInfo> infer(const Layer& layer);
double flops(const Layer& layer);  // 2 * M * N * K (the alpha/beta scaling is ignored)

// reference.cpp: triple loop in double.
std::unique_ptr<Kernel> prepare_reference(const Layer& layer);
AlgorithmText reference_text();

// openblas.cpp: beta * C broadcast into Y, then one sgemm accumulating onto it.
std::optional<std::string> openblas_not_applicable(const Layer& layer);
std::unique_ptr<Kernel> prepare_openblas(const Layer& layer);
AlgorithmText openblas_text();

// blocked.cpp: our own cache-blocked GEMM (blocked_gemm/blocked_gemm.h), constant B packed at
// prepare.
std::optional<std::string> blocked_not_applicable(const Layer& layer);
std::unique_ptr<Kernel> prepare_blocked(const Layer& layer);
AlgorithmText blocked_text();

#ifdef ALGOSCOPE_HAVE_ONEDNN
// onednn.cpp: oneDNN's dnnl_sgemm (row-major, JIT-generated kernels for this CPU).
std::unique_ptr<Kernel> prepare_onednn(const Layer& layer);
AlgorithmText onednn_text();
#endif

}  // namespace algoscope::ops::gemm
