// MatMul through OpenBLAS sgemm. When every output matrix uses the same B (B has no batch axes, the
// common "activations x weights" case of transformers), the batch of A is contiguous and the whole
// product is one sgemm with M * batch rows; otherwise one sgemm per output matrix, with A and B
// located through the broadcast strides.
#include <algorithm>
#include <climits>

#include "blas/sgemm.h"
#include "ops/common.h"
#include "ops/matmul/matmul.h"

namespace algoscope::ops::matmul {

std::optional<std::string> openblas_not_applicable(const Layer& layer) {
  if (!blas::openblas_available()) return blas::openblas_core_name();
  try {
    const MatMulGeometry g = matmul_geometry(layer);
    if (g.m * g.batch_count() > INT_MAX || g.n > INT_MAX || g.k > INT_MAX)
      return std::string("the GEMM dimensions exceed OpenBLAS's 32-bit integers");
  } catch (const Error& e) {
    return std::string(e.what());
  }
  return std::nullopt;
}

std::unique_ptr<Kernel> prepare_openblas(const Layer& layer) {
  const MatMulGeometry g = matmul_geometry(layer);
  return make_kernel([g](KernelIO& io) {
    const float* a = io.inputs[0]->data<float>();
    const float* b = io.inputs[1]->data<float>();
    float* y = io.outputs[0]->data<float>();
    const int64_t batches = g.batch_count();
    if (batches == 0 || g.m == 0 || g.n == 0) return;
    if (g.k == 0) {
      std::fill(y, y + batches * g.m * g.n, 0.0f);
      return;
    }
    // B shared and A not broadcast: A's matrices are stacked rows of one tall matrix.
    if (g.b_matrices == 1 && g.a_matrices == batches) {
      blas::sgemm(false, false, g.m * batches, g.n, g.k, 1.0f, a, g.k, b, g.n, 0.0f, y, g.n);
      return;
    }
    for (int64_t batch = 0; batch < batches; ++batch)
      blas::sgemm(false, false, g.m, g.n, g.k, 1.0f, a + g.a_offset(batch), g.k,
                  b + g.b_offset(batch), g.n, 0.0f, y + batch * g.m * g.n, g.n);
  });
}

}  // namespace algoscope::ops::matmul
