// Gemm through our own cache-blocked GEMM (blocked_gemm/blocked_gemm.h; Goto & van de Geijn, TOMS
// 2008, and BLIS). When B is a constant of the model (the weights of a fully connected layer) it is
// packed into the micro-kernel's panel layout once, at prepare time, so a run only packs A; when
// B is a runtime input it is packed per call. Y is first filled with beta * C broadcast to M x N
// and the GEMM then accumulates alpha * op(A) * op(B) onto it.
#include <algorithm>
#include <memory>

#include "blocked_gemm/blocked_gemm.h"
#include "ops/common.h"
#include "ops/gemm/gemm.h"

namespace algoscope::ops::gemm {

std::optional<std::string> blocked_not_applicable(const Layer& layer) {
  try {
    gemm_geometry(layer);
  } catch (const Error& e) {
    return std::string(e.what());
  }
  return std::nullopt;
}

std::unique_ptr<Kernel> prepare_blocked(const Layer& layer) {
  const GemmGeometry g = gemm_geometry(layer);
  // shared_ptr: the kernel may be moved around; the packed panels are made exactly once.
  std::shared_ptr<const algoscope::blocked_gemm::PackedMatrix> packed;
  if (const Tensor* b = layer.constant(1))
    packed = std::make_shared<algoscope::blocked_gemm::PackedMatrix>(
        algoscope::blocked_gemm::pack_b(g.trans_b, g.k, g.n, b->data<float>(), g.ldb()));
  return make_kernel([g, packed](KernelIO& io) {
    const float* a = io.inputs[0]->data<float>();
    const float* c =
        g.has_c && io.inputs.size() > 2 && io.inputs[2] ? io.inputs[2]->data<float>() : nullptr;
    float* y = io.outputs[0]->data<float>();
    if (g.m == 0 || g.n == 0) return;
    const float beta = write_beta_c(g, c, y);
    if (packed)
      algoscope::blocked_gemm::sgemm_prepacked(g.trans_a, g.m, g.alpha, a, g.lda(), *packed, beta,
                                               y, g.n);
    else
      algoscope::blocked_gemm::sgemm(g.trans_a, g.trans_b, g.m, g.n, g.k, g.alpha, a, g.lda(),
                                     io.inputs[1]->data<float>(), g.ldb(), beta, y, g.n);
  });
}

}  // namespace algoscope::ops::gemm
