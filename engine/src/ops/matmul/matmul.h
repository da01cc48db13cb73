// The MatMul family's internal interface: the validated geometry of a numpy-style MatMul (1-D
// operands promoted, batch axes broadcast) and one entry point per algorithm file. Only
// registry.cpp turns these into named Algorithms.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "algoscope/registry.h"
#include "ops/algorithm_text.h"

namespace algoscope::ops::matmul {

struct MatMulGeometry {
  int64_t m = 0, n = 0, k = 0;
  Shape batch;                          // broadcast batch shape (may be empty)
  std::vector<int64_t> a_batch_stride;  // per batch axis, in matrices; 0 where A broadcasts
  std::vector<int64_t> b_batch_stride;
  int64_t a_matrices = 1, b_matrices = 1;  // distinct matrices stored in A and B
  Shape output;

  int64_t batch_count() const { return shape_numel(batch); }
  // Element offsets of the A and B matrices that output matrix `index` multiplies.
  int64_t a_offset(int64_t index) const;
  int64_t b_offset(int64_t index) const;
};

// Validates the layer (ranks >= 1, inner dimensions, broadcastable batch axes); throws Error.
MatMulGeometry matmul_geometry(const Layer& layer);

std::vector<TensorInfo> infer(const Layer& layer);
double flops(const Layer& layer);  // 2 * batch * M * N * K

// reference.cpp: loops in double.
std::unique_ptr<Kernel> prepare_reference(const Layer& layer);
AlgorithmText reference_text();

// A row-major sgemm without transposes: C[m x n] = A[m x k] * B[k x n] (alpha 1, beta 0).
using PlainSgemm = void (*)(int64_t m, int64_t n, int64_t k, const float* a, const float* b,
                            float* c);
// The batch of a MatMul as calls of `sgemm`: one call for the whole batch when B is shared,
// otherwise one per output matrix (shared by the openblas and onednn algorithms).
void run_batched(const MatMulGeometry& g, const float* a, const float* b, float* y,
                 PlainSgemm sgemm);

// openblas.cpp: one sgemm per output matrix, or one for the whole batch when B is shared.
std::optional<std::string> openblas_not_applicable(const Layer& layer);
std::unique_ptr<Kernel> prepare_openblas(const Layer& layer);
AlgorithmText openblas_text();

// blocked.cpp: our own cache-blocked GEMM (blocked_gemm/blocked_gemm.h), constant B packed at
// prepare.
std::optional<std::string> blocked_not_applicable(const Layer& layer);
std::unique_ptr<Kernel> prepare_blocked(const Layer& layer);
AlgorithmText blocked_text();

#ifdef ALGOSCOPE_HAVE_ONEDNN
// onednn.cpp: oneDNN's dnnl_sgemm, batched like openblas.
std::unique_ptr<Kernel> prepare_onednn(const Layer& layer);
AlgorithmText onednn_text();
#endif

}  // namespace algoscope::ops::matmul
