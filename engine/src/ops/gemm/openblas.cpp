// Gemm through OpenBLAS: Y is first filled with beta * C broadcast to [M, N] (or left to sgemm's
// beta = 0 when there is no C), then one cblas_sgemm computes alpha * op(A) * op(B) onto it.
// transA / transB map directly onto sgemm's transpose flags, so nothing is copied.
#include <climits>

#include "blas/sgemm.h"
#include "ops/common.h"
#include "ops/gemm/gemm.h"

namespace algoscope::ops::gemm {

std::optional<std::string> openblas_not_applicable(const Layer& layer) {
  if (!blas::openblas_available()) return blas::openblas_core_name();
  try {
    const GemmGeometry g = gemm_geometry(layer);
    if (g.m > INT_MAX || g.n > INT_MAX || g.k > INT_MAX)
      return std::string("the GEMM dimensions exceed OpenBLAS's 32-bit integers");
  } catch (const Error& e) {
    return std::string(e.what());
  }
  return std::nullopt;
}

std::unique_ptr<Kernel> prepare_openblas(const Layer& layer) {
  const GemmGeometry g = gemm_geometry(layer);
  return make_kernel([g](KernelIO& io) {
    const float* a = io.inputs[0]->data<float>();
    const float* b = io.inputs[1]->data<float>();
    const float* c = optional_float_input(io, 2, g.has_c);
    float* y = io.outputs[0]->data<float>();
    if (g.m == 0 || g.n == 0) return;
    const float beta = write_beta_c(g, c, y);
    if (g.k == 0) {
      // An empty sum: sgemm would reject the zero leading dimension, and Y is just beta * C.
      if (beta == 0.0f)
        for (int64_t i = 0; i < g.m * g.n; ++i) y[i] = 0.0f;
      return;
    }
    blas::sgemm(g.trans_a, g.trans_b, g.m, g.n, g.k, g.alpha, a, g.lda(), b, g.ldb(), beta, y, g.n);
  });
}

AlgorithmText openblas_text() {
  return {"One OpenBLAS cblas_sgemm; beta * C broadcast into Y first",
          "Y is first filled with beta * C broadcast to M x N, then OpenBLAS's cache-blocked, "
          "vectorized sgemm adds alpha * op(A) * op(B) to it (transA/transB are passed through, so "
          "nothing is copied by us; OpenBLAS packs panels of A and B internally, about "
          "4 * (MC*KC + KC*NC) bytes it allocates itself). Extra memory in our workspace: none. It "
          "wins "
          "for all but the tiniest matrices, where the call overhead dominates. Numerics: float "
          "accumulation in blocked order; the error grows like sqrt(K) ulps."};
}

}  // namespace algoscope::ops::gemm
