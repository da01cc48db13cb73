// MatMul through OpenBLAS sgemm. When every output matrix uses the same B (B has no batch axes, the
// common "activations x weights" case of transformers), the batch of A is contiguous and the whole
// product is one sgemm with M * batch rows; otherwise one sgemm per output matrix, with A and B
// located through the broadcast strides. A fused bias is written into Y first and sgemm
// accumulates onto it (beta 1); a fused activation is one more pass over Y.
#include "blas/sgemm.h"
#include "ops/common.h"
#include "ops/matmul/matmul.h"

namespace algoscope::ops {

using namespace matmul;

template <>
std::optional<std::string> MatMul::openblas_not_applicable(const Layer& layer) {
  // The tall product of a shared B has batch * M rows.
  return openblas_reason(matmul_geometry, layer, [](const MatMulGeometry& g) {
    return std::array{g.m * g.batch_count(), g.n, g.k};
  });
}

template <>
std::unique_ptr<Kernel> MatMul::prepare_openblas(const Layer& layer) {
  return batched_sgemm_kernel(
      layer, [](int64_t m, int64_t n, int64_t k, const float* a, const float* b, float beta,
                float* c) { blas::sgemm(false, false, m, n, k, 1.0f, a, k, b, n, beta, c, n); });
}

template <>
AlgorithmText MatMul::openblas_text() {
  return {
      "OpenBLAS sgemm per batch matrix, or one tall sgemm when B is shared",
      "Each output matrix is one OpenBLAS cblas_sgemm call on the A and B matrices it pairs; when "
      "B has no batch axes (activations times a weight matrix) the batch of A is one tall "
      "(batch*M) x K matrix and the whole product is a single sgemm, which keeps OpenBLAS's "
      "threads busy. A bias fused by the loader (MatMul+Add) is copied into every row of Y first "
      "and sgemm accumulates onto it (beta = 1); a fused activation is a pass over Y after the "
      "product. Extra memory in our workspace: none (OpenBLAS packs panels internally). It "
      "wins except for tiny matrices in large batches, where per-call overhead dominates. "
      "Numerics: float accumulation in blocked order; the error grows like sqrt(K) ulps."};
}

}  // namespace algoscope::ops
