// The cuda_squeeze_excite family: the SqueezeExcite node (made by the loader's squeeze-excite
// pass) on the device, with the engine's own geometry reading the weights' shapes and the
// activations the pass recorded. The workspace holds the channel means and gates.
#include "ops/squeeze_excite/squeeze_excite.h"

#include "cuda/variants.h"
#include "device_ops.h"
#include "family.h"
#include "ops/squeeze_excite/squeeze_excite_kernels.h"
#include "runtime.h"

namespace algoscope::cuda {
namespace {

SqueezeExciteShape plain_shape(const ops::squeeze_excite::Geometry& g) {
  const ops::Epilogue& a = g.hidden_activation;
  return {g.batch, g.channels, g.hidden,    g.plane,      a.active ? int(a.kind) + 1 : 0,
          a.lower, a.upper,    g.hard_gate, g.gate_alpha, g.gate_beta};
}

class SqueezeExciteKernel final : public DeviceKernel {
 public:
  SqueezeExciteKernel(const Layer& layer, int)
      : g_(ops::squeeze_excite::geometry(layer)), s_(plain_shape(g_)) {}
  void run(KernelIO& io) override {
    check(squeeze_excite(s_, io.inputs[0]->data<float>(), io.inputs[1]->data<float>(),
                         g_.has_b1 ? io.inputs[2]->data<float>() : nullptr,
                         io.inputs[3]->data<float>(),
                         g_.has_b2 ? io.inputs[4]->data<float>() : nullptr,
                         static_cast<float*>(io.workspace), io.outputs[0]->data<float>(), stream()),
          "launching the squeeze-excite kernels");
  }

 private:
  ops::squeeze_excite::Geometry g_;
  SqueezeExciteShape s_;
};

}  // namespace

Family cuda_squeeze_excite_family() {
  Family f = own_kernel_family<SqueezeExciteKernel>(
      {"squeeze-excite", kSqueezeExcite, kSqueezeExcite, 1},
      [](int, const Layer& layer) -> std::optional<std::string> {
        const ops::squeeze_excite::Geometry g = ops::squeeze_excite::geometry(layer);
        if (g.batch * g.channels > 0x7fffffff) return std::string("more planes than CUDA blocks");
        if (g.hidden > 12 * 1024)
          return "the hidden vector (" + std::to_string(g.hidden) +
                 " units) does not fit in a block's 48 KB of shared memory";
        return std::nullopt;
      });
  f.workspace_bytes = [](int, const Layer& layer) -> size_t {
    const ops::squeeze_excite::Geometry g = ops::squeeze_excite::geometry(layer);
    return size_t(2 * g.batch * g.channels) * sizeof(float);
  };
  return f;
}

}  // namespace algoscope::cuda
