// MatMul through oneDNN: the yardstick for `blocked` in the same binary. A MatMul the loader fused
// with its bias and/or activation (MatMul+Add+Relu, a transformer's Linear) whose batch is one tall
// product (B shared, A not broadcast) runs as oneDNN's matmul primitive, the bias as its bias
// argument and the activation as an eltwise post-op, so oneDNN applies both in its own epilogue
// like `blocked` does. Every other MatMul is dnnl_sgemm, batched exactly like the openblas
// algorithm (one call for the whole batch when B is shared), with a bias written into Y first
// (beta 1) and the activation a pass over Y.
#include "onednn/onednn.h"

#include <dnnl.h>

#include <cmath>
#include <dnnl.hpp>
#include <optional>
#include <string>
#include <unordered_map>

#include "ops/common.h"
#include "ops/matmul/matmul.h"

namespace algoscope::ops {

using namespace matmul;

namespace {

using dnnl::memory;

// Y[rows x N] = act(A[rows x K] * B[K x N] + bias) as one oneDNN matmul primitive on plain
// row-major memory (no reorders), made once at prepare time.
class FusedMatMulKernel final : public Kernel {
 public:
  FusedMatMulKernel(const MatMulGeometry& g, const Layer& layer) : has_bias_(g.has_bias) {
    using dt = memory::data_type;
    using tag = memory::format_tag;
    const int64_t rows = g.m * g.batch_count();
    src_ = memory::desc({rows, g.k}, dt::f32, tag::ab);
    weights_ = memory::desc({g.k, g.n}, dt::f32, tag::ab);
    bias_ = memory::desc({1, g.n}, dt::f32, tag::ab);
    dst_ = memory::desc({rows, g.n}, dt::f32, tag::ab);
    const auto desc = has_bias_ ? dnnl::matmul::desc(src_, weights_, bias_, dst_)
                                : dnnl::matmul::desc(src_, weights_, dst_);
    primitive_ = dnnl::matmul(dnnl::matmul::primitive_desc(
        desc, onednn::activation_attr(layer.n().activation), onednn::cpu_engine()));
  }

  void run(KernelIO& io) override {
    dnnl::engine& engine = onednn::cpu_engine();
    auto wrap = [&engine](const memory::desc& desc, const float* data) {
      return memory(desc, engine, const_cast<float*>(data));
    };
    std::unordered_map<int, memory> args = {
        {DNNL_ARG_SRC, wrap(src_, io.inputs[0]->data<float>())},
        {DNNL_ARG_WEIGHTS, wrap(weights_, io.inputs[1]->data<float>())},
        {DNNL_ARG_DST, wrap(dst_, io.outputs[0]->data<float>())}};
    if (has_bias_) args.emplace(DNNL_ARG_BIAS, wrap(bias_, io.inputs[2]->data<float>()));
    dnnl::stream& stream = onednn::cpu_stream();
    primitive_.execute(stream, args);
    stream.wait();
  }

 private:
  bool has_bias_;
  memory::desc src_, weights_, bias_, dst_;
  dnnl::matmul primitive_;
};

}  // namespace

template <>
std::unique_ptr<Kernel> MatMul::prepare_onednn(const Layer& layer) {
  const MatMulGeometry g = matmul_geometry(layer);
  const bool fused = g.has_bias || (layer.node && layer.n().activation);
  const bool tall = g.b_matrices == 1 && g.a_matrices == g.batch_count();
  // oneDNN rejects empty products; those take the sgemm path, which handles them.
  if (fused && tall && g.m > 0 && g.n > 0 && g.k > 0 && g.batch_count() > 0) {
    try {
      return std::make_unique<FusedMatMulKernel>(g, layer);
    } catch (const dnnl::error& e) {
      throw Error(std::string("oneDNN's matmul primitive failed: ") + e.what());
    }
  }
  return batched_sgemm_kernel(layer, [](int64_t m, int64_t n, int64_t k, const float* a,
                                        const float* b, float beta, float* c) {
    if (dnnl_sgemm('N', 'N', m, n, k, 1.0f, a, k, b, n, beta, c, n) != dnnl_success)
      throw Error("oneDNN's sgemm failed");
  });
}

template <>
AlgorithmText MatMul::onednn_text() {
  return {
      "oneDNN 2.6: its matmul primitive for a fused MatMul+Add(+activation), dnnl_sgemm "
      "otherwise",
      "A MatMul the loader fused with a bias row and/or an activation, whose batch is one tall "
      "(batch*M) x K product by a shared B (a transformer's Linear layers), is one oneDNN "
      "matmul primitive on the plain row-major tensors: the bias is the primitive's bias "
      "argument and the activation an eltwise post-op, both applied in oneDNN's epilogue. "
      "Any other MatMul is a oneDNN row-major sgemm per output matrix (or one for the whole "
      "batch when every matrix uses the same B), a fused bias copied into Y first and a fused "
      "activation a pass over Y afterwards. Kernels are generated at run time for this CPU. "
      "Extra memory: oneDNN's internal packing buffers. It is the yardstick the blocked GEMM "
      "is benchmarked against. Numerics: float accumulation in oneDNN's order."};
}

}  // namespace algoscope::ops
