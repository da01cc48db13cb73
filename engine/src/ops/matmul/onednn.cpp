// MatMul through oneDNN's dnnl_sgemm, batched exactly like the openblas algorithm (one call for
// the whole batch when B is shared): the yardstick for `blocked` in the same binary.
#include <dnnl.h>

#include "ops/common.h"
#include "ops/matmul/matmul.h"

namespace algoscope::ops {

using namespace matmul;

template <>
std::unique_ptr<Kernel> MatMul::prepare_onednn(const Layer& layer) {
  return batched_sgemm_kernel(
      layer, [](int64_t m, int64_t n, int64_t k, const float* a, const float* b, float* c) {
        if (dnnl_sgemm('N', 'N', m, n, k, 1.0f, a, k, b, n, 0.0f, c, n) != dnnl_success)
          throw Error("oneDNN's sgemm failed");
      });
}

template <>
AlgorithmText MatMul::onednn_text() {
  return {"oneDNN 2.6's dnnl_sgemm, one call per output matrix or per shared-B batch",
          "Each output matrix (or the whole batch stacked into one tall product when every matrix "
          "uses the same B) is one oneDNN row-major sgemm with micro-kernels generated at run time "
          "for this CPU. Extra memory: oneDNN's internal packing buffers. It is the yardstick the "
          "blocked GEMM is benchmarked against. Numerics: float accumulation in oneDNN's order."};
}

}  // namespace algoscope::ops
