// The cuda_softmax family: Softmax (variant kSoftmax) and LogSoftmax (kLogSoftmax) on the device,
// with the engine's own softmax_geometry deciding what a line is (the whole flattened tail before
// opset 13, one axis from 13), so both opset semantics match the host.
#include "cuda/variants.h"
#include "device_ops.h"
#include "family.h"
#include "ops/softmax/softmax.h"
#include "ops/softmax/softmax_rows_kernels.h"
#include "runtime.h"

namespace algoscope::cuda {
namespace {

class SoftmaxKernel final : public DeviceKernel {
 public:
  SoftmaxKernel(const Layer& layer, int variant)
      : g_(ops::softmax::softmax_geometry(layer)), log_(variant == kLogSoftmax) {}
  void run(KernelIO& io) override {
    check(softmax_lines(io.inputs[0]->data<float>(), io.outputs[0]->data<float>(), g_.outer,
                        g_.length, g_.inner, log_, stream()),
          "launching the softmax kernel");
  }

 private:
  ops::softmax::SoftmaxGeometry g_;
  bool log_;
};

}  // namespace

Family cuda_softmax_family() {
  return own_kernel_family<SoftmaxKernel>(
      {"softmax", kSoftmax, kLogSoftmax},
      [](int, const Layer& layer) -> std::optional<std::string> {
        const ops::softmax::SoftmaxGeometry g = ops::softmax::softmax_geometry(layer);
        if (g.outer * g.inner > 0x7fffffff) return std::string("more lines than CUDA blocks");
        return std::nullopt;
      });
}

}  // namespace algoscope::cuda
