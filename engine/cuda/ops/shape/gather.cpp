// The cuda_gather family: Gather along any axis on the device, for data of every type (bits are
// moved) and int64 or int32 indices. Constant indices (ViT's class-token pick x[:, 0]) are checked
// by the engine's shape inference, converted to int64 and uploaded once at prepare time; computed
// indices are read by the kernel from device memory each run.
#include <vector>

#include "cuda/variants.h"
#include "device_ops.h"
#include "family.h"
#include "ops/shape/gather_kernels.h"
#include "ops/shape/shape.h"
#include "runtime.h"

namespace algoscope::cuda {
namespace {

GatherShape gather_shape(const Layer& layer) {
  const Shape& x = layer.inputs[0].shape;
  const size_t axis = size_t(ops::shape::gather_axis(layer));
  GatherShape s;
  for (size_t d = 0; d < axis; ++d) s.outer *= x[d];
  s.axis = x[axis];
  for (size_t d = axis + 1; d < x.size(); ++d) s.inner *= x[d];
  s.count = layer.inputs[1].numel();
  return s;
}

class GatherKernel final : public DeviceKernel {
 public:
  explicit GatherKernel(const Layer& layer)
      : shape_(gather_shape(layer)),
        element_size_(int(dtype_size(layer.inputs[0].dtype))),
        indices_int32_(layer.inputs[1].dtype == DType::Int32) {
    if (const Tensor* t = layer.constant(1)) {
      const std::vector<int64_t> indices = t->to_int64_vector();
      if (!indices.empty()) constant_ = DeviceCopy(indices.data(), indices.size() * 8);
      constant_indices_ = true;
      indices_int32_ = false;
    }
  }
  void run(KernelIO& io) override {
    const void* indices = constant_indices_ ? constant_.data() : io.inputs[1]->raw();
    check(gather(io.inputs[0]->raw(), io.outputs[0]->raw(), element_size_, indices, indices_int32_,
                 shape_, stream()),
          "launching the gather kernel");
  }

 private:
  GatherShape shape_;
  int element_size_;
  bool indices_int32_;
  bool constant_indices_ = false;
  DeviceCopy constant_;
};

}  // namespace

Family cuda_gather_family() {
  Family f;
  f.why_not = [](int, const Layer& layer) -> std::optional<std::string> {
    if (!layer.has_input(0) || !layer.has_input(1)) return std::string("needs data and indices");
    if (auto problem = no_fused_activation(layer)) return problem;
    const DType indices = layer.inputs[1].dtype;
    if (indices != DType::Int64 && indices != DType::Int32)
      return std::string("indices must be int64 or int32");
    const int size = int(dtype_size(layer.inputs[0].dtype));
    if (size != 1 && size != 2 && size != 4 && size != 8)
      return std::string("the CUDA gather moves elements of 1, 2, 4 or 8 bytes");
    gather_shape(layer);  // throws (the module catches it) for a bad axis
    return std::nullopt;
  };
  f.prepare = [](int, const Layer& layer) -> std::unique_ptr<Kernel> {
    return std::make_unique<GatherKernel>(layer);
  };
  return f;
}

}  // namespace algoscope::cuda
