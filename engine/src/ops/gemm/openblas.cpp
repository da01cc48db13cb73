// Gemm through OpenBLAS: Y is first filled with beta * C broadcast to [M, N] (or left to sgemm's
// beta = 0 when there is no C), then one cblas_sgemm computes alpha * op(A) * op(B) onto it.
// transA / transB map directly onto sgemm's transpose flags, so nothing is copied.
#include "blas/sgemm.h"
#include "ops/common.h"
#include "ops/gemm/gemm.h"

namespace algoscope::ops {

using namespace gemm;

template <>
std::optional<std::string> Gemm::openblas_not_applicable(const Layer& layer) {
  return openblas_reason(gemm_geometry, layer, [](const GemmGeometry& g) {
    return std::array{g.m, g.n, g.k};
  });
}

template <>
std::unique_ptr<Kernel> Gemm::prepare_openblas(const Layer& layer) {
  const GemmGeometry g = gemm_geometry(layer);
  return accumulating_gemm_kernel(g, [g](const float* a, const float* b, float beta, float* y) {
    blas::sgemm(g.trans_a, g.trans_b, g.m, g.n, g.k, g.alpha, a, g.lda(), b, g.ldb(), beta, y, g.n);
  });
}

template <>
AlgorithmText Gemm::openblas_text() {
  return {"One OpenBLAS cblas_sgemm; beta * C broadcast into Y first",
          "Y is first filled with beta * C broadcast to M x N, then OpenBLAS's cache-blocked, "
          "vectorized sgemm adds alpha * op(A) * op(B) to it (transA/transB are passed through, so "
          "nothing is copied by us; OpenBLAS packs panels of A and B internally, about "
          "4 * (MC*KC + KC*NC) bytes it allocates itself). Extra memory in our workspace: none. It "
          "wins "
          "for all but the tiniest matrices, where the call overhead dominates. Numerics: float "
          "accumulation in blocked order; the error grows like sqrt(K) ulps."};
}

}  // namespace algoscope::ops
