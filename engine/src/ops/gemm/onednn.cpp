// Gemm through oneDNN's dnnl_sgemm (row-major, like ONNX): the yardstick for our own GEMMs in the
// same binary. Y is first filled with beta * C broadcast to M x N, then dnnl_sgemm accumulates
// alpha * op(A) * op(B) onto it.
#include <dnnl.h>

#include "ops/common.h"
#include "ops/gemm/gemm.h"

namespace algoscope::ops {

using namespace gemm;

template <>
std::unique_ptr<Kernel> Gemm::prepare_onednn(const Layer& layer) {
  const GemmGeometry g = gemm_geometry(layer);
  return accumulating_gemm_kernel(g, [g](const float* a, const float* b, float beta, float* y) {
    const dnnl_status_t status = dnnl_sgemm(g.trans_a ? 'T' : 'N', g.trans_b ? 'T' : 'N', g.m, g.n,
                                            g.k, g.alpha, a, g.lda(), b, g.ldb(), beta, y, g.n);
    if (status != dnnl_success)
      throw Error("oneDNN's sgemm failed with status " + std::to_string(int(status)));
  });
}

template <>
AlgorithmText Gemm::onednn_text() {
  return {
      "oneDNN 2.6's dnnl_sgemm (JIT-generated kernels for this CPU)",
      "beta * C is broadcast into Y, then oneDNN's row-major sgemm (packing and AVX-512/AVX2 "
      "micro-kernels generated at run time for this CPU) accumulates alpha * op(A) * op(B) onto "
      "it. "
      "Extra memory: oneDNN's internal packing buffers. It is the yardstick the blocked GEMM is "
      "benchmarked against. Numerics: float accumulation in oneDNN's blocked order."};
}

}  // namespace algoscope::ops
