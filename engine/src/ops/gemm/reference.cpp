// Gemm by its definition: every Y[i, j] = alpha * sum_k op(A)[i, k] * op(B)[k, j] + beta * C[i, j]
// with C broadcast, summed in double, single-threaded. The ground truth for the other Gemm
// algorithms.
#include "ops/common.h"
#include "ops/gemm/gemm.h"

namespace algoscope::ops {

using namespace gemm;

template <>
std::unique_ptr<Kernel> Gemm::prepare_reference(const Layer& layer) {
  const GemmGeometry g = gemm_geometry(layer);
  return gemm_kernel(g, [g](const float* a, const float* b, const float* c, float* y) {
    for (int64_t i = 0; i < g.m; ++i) {
      for (int64_t j = 0; j < g.n; ++j) {
        double acc = 0.0;
        for (int64_t p = 0; p < g.k; ++p) {
          const double av = g.trans_a ? a[p * g.m + i] : a[i * g.k + p];
          const double bv = g.trans_b ? b[j * g.k + p] : b[p * g.n + j];
          acc += av * bv;
        }
        double out = static_cast<double>(g.alpha) * acc;
        if (c) out += static_cast<double>(g.beta) * c[i * g.c_row_stride + j * g.c_col_stride];
        y[i * g.n + j] = static_cast<float>(out);
      }
    }
  });
}

template <>
AlgorithmText Gemm::reference_text() {
  return {
      "Triple loop with double accumulation",
      "For every output element it sums op(A)[i,k] * op(B)[k,j] over k, scales by alpha and adds "
      "beta times the broadcast C, exactly as the ONNX definition reads. Extra memory: none. It "
      "never wins on speed (single thread, strided access to B); it is the ground truth. "
      "Numerics: double accumulation, one rounding to float per output."};
}

}  // namespace algoscope::ops
