// The cuda_elementwise family: Add, Sub, Mul, Div and Pow on the device (variants.h: the variant
// is the op, ElementwiseVariant). Pow whose exponent is a constant 2 (a LayerNorm's variance as
// torch exports it) runs as one multiply, kSquare. The broadcast is planned once at prepare time
// with the engine's own BroadcastPlan, so the device kernel gets the merged dimensions and
// per-operand strides the host kernels use; a fused Relu/Clip (a ResNet's residual Add + Relu) is
// applied in the same pass.
#include "cuda/variants.h"
#include "device_ops.h"
#include "family.h"
#include "ops/binary/broadcast.h"
#include "ops/binary/elementwise_kernels.h"
#include "runtime.h"

namespace algoscope::cuda {
namespace {

BroadcastIndex broadcast_index(const Layer& layer) {
  const Shape out = ops::broadcast_shapes({layer.inputs[0].shape, layer.inputs[1].shape});
  const ops::BroadcastPlan plan =
      ops::plan_broadcast({layer.inputs[0].shape, layer.inputs[1].shape}, out);
  if (plan.dims.size() > size_t(kMaxBroadcastRank))
    throw Error("the broadcast needs " + std::to_string(plan.dims.size()) +
                " dimensions after merging; the CUDA kernel takes at most " +
                std::to_string(kMaxBroadcastRank));
  BroadcastIndex index;
  index.rank = int(plan.dims.size());
  for (size_t d = 0; d < plan.dims.size(); ++d) {
    index.dims[d] = plan.dims[d];
    index.a[d] = plan.strides[0][d];
    index.b[d] = plan.strides[1][d];
  }
  return index;
}

// Pow's fast path: the exponent is a constant with one element, exactly 2.
ElementwiseVariant kernel_op(const Layer& layer, int variant) {
  if (variant != kPow) return ElementwiseVariant(variant);
  const Tensor* exponent = layer.constant(1);
  if (exponent && exponent->dtype() == DType::Float32 && exponent->numel() == 1 &&
      exponent->data<float>()[0] == 2.0f)
    return kSquare;
  return kPow;
}

class ElementwiseKernel final : public DeviceKernel {
 public:
  ElementwiseKernel(const Layer& layer, int variant)
      : op_(kernel_op(layer, variant)),
        index_(broadcast_index(layer)),
        clamp_(fused_clamp(layer)) {}
  void run(KernelIO& io) override {
    Tensor& y = *io.outputs[0];
    check(binary_elementwise(op_, io.inputs[0]->data<float>(), io.inputs[1]->data<float>(),
                             y.data<float>(), y.numel(), index_, clamp_.active, clamp_.lower,
                             clamp_.upper, stream()),
          "launching the elementwise kernel");
  }

 private:
  ElementwiseVariant op_;
  BroadcastIndex index_;
  Clamp clamp_;
};

}  // namespace

Family cuda_elementwise_family() {
  return own_kernel_family<ElementwiseKernel>(
      {"elementwise", kAdd, kPow, 2, true},
      [](int, const Layer& layer) -> std::optional<std::string> {
        broadcast_index(layer);  // throws (the module catches it) with what is wrong
        return std::nullopt;
      });
}

}  // namespace algoscope::cuda
