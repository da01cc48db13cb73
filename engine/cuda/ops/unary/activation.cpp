// The cuda_activation family: the float32 activations the unary registry lists (Relu, Sigmoid,
// Tanh, Erf, Sqrt, Exp, HardSigmoid, HardSwish, LeakyRelu), Clip and Gelu on the device, so that a
// network's activations never send a tensor back to the host. The variant is the function
// (variants.h). Attributes are read once here with the reference's defaults; Clip's bounds come
// from its attributes (opset < 11) or its optional scalar inputs, read on the host when they are
// constants and by the kernel from device memory when they are computed.
#include <limits>

#include "cuda/variants.h"
#include "device_ops.h"
#include "family.h"
#include "ops/unary/activation_kernels.h"
#include "ops/unary/unary.h"
#include "runtime.h"

namespace algoscope::cuda {
namespace {

class ActivationKernel final : public DeviceKernel {
 public:
  ActivationKernel(const Layer& layer, int variant) : f_(ActivationVariant(variant)) {
    if (f_ == kGelu && layer.n().attr_string("approximate", "none") == "tanh") f_ = kGeluTanh;
    p_.alpha = layer.n().attr_float("alpha", f_ == kLeakyRelu ? 0.01f : 0.2f);
    p_.beta = layer.n().attr_float("beta", 0.5f);
    if (f_ != kClip) return;
    p_.lower = -std::numeric_limits<float>::infinity();
    p_.upper = std::numeric_limits<float>::infinity();
    if (layer.opset < 11) {
      const ops::unary::ClipAttributes attributes = ops::unary::clip_attributes(layer);
      p_.lower = attributes.min, p_.upper = attributes.max;
      return;
    }
    for (size_t i : {size_t{1}, size_t{2}}) {
      if (!layer.has_input(i)) continue;
      float& bound = i == 1 ? p_.lower : p_.upper;
      if (const Tensor* c = layer.constant(i))
        bound = c->data<float>()[0];
      else
        runtime_bound_[i] = true;
    }
  }
  void run(KernelIO& io) override {
    ActivationParams p = p_;
    if (runtime_bound_[1]) p.lower_input = io.inputs[1]->data<float>();
    if (runtime_bound_[2]) p.upper_input = io.inputs[2]->data<float>();
    Tensor& y = *io.outputs[0];
    check(activation(f_, io.inputs[0]->data<float>(), y.data<float>(), y.numel(), p, stream()),
          "launching the activation kernel");
  }

 private:
  ActivationVariant f_;
  ActivationParams p_;
  bool runtime_bound_[3] = {false, false, false};
};

}  // namespace

Family cuda_activation_family() {
  return own_kernel_family<ActivationKernel>({"activation", kRelu, kGelu});
}

}  // namespace algoscope::cuda
