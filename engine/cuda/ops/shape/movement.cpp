// The data-movement families, so that the glue between a network's layers stays on the device:
// cuda_copy (Flatten, Reshape, Squeeze, Unsqueeze: the bytes do not change, only the shape, so one
// device-to-device cudaMemcpyAsync; Reshape's shape input is a constant the kernel ignores),
// cuda_transpose (a gather kernel over the permuted strides) and cuda_concat (one strided 2-D
// copy per input, cudaMemcpy2DAsync, no kernel of ours) and cuda_slice (the transpose kernel over
// the slice's strided window: strides times steps, the input pointer moved to the first element).
// All move bits only, for every type.
#include <vector>

#include "cuda/variants.h"
#include "device_ops.h"
#include "family.h"
#include "ops/shape/movement_kernels.h"
#include "ops/shape/shape.h"
#include "runtime.h"

namespace algoscope::cuda {
namespace {

class CopyKernel final : public DeviceKernel {
 public:
  void run(KernelIO& io) override {
    const size_t bytes = io.outputs[0]->bytes();
    if (bytes == 0) return;
    check(cudaMemcpyAsync(io.outputs[0]->raw(), io.inputs[0]->raw(), bytes,
                          cudaMemcpyDeviceToDevice, stream()),
          "copying on the device");
  }
};

TransposeIndex transpose_index(const Layer& layer) {
  const std::vector<int64_t> perm = ops::shape::transpose_perm(layer);
  const Shape& in = layer.inputs[0].shape;
  if (perm.size() > size_t(kMaxTransposeRank))
    throw Error("the CUDA transpose takes at most " + std::to_string(kMaxTransposeRank) +
                " dimensions, not " + std::to_string(perm.size()));
  std::vector<int64_t> strides(in.size(), 1);
  for (size_t d = in.size(); d-- > 1;) strides[d - 1] = strides[d] * in[d];
  TransposeIndex index;
  index.rank = int(perm.size());
  for (size_t d = 0; d < perm.size(); ++d) {
    index.dims[d] = in[size_t(perm[d])];
    index.in_strides[d] = strides[size_t(perm[d])];
  }
  return index;
}

// Slice as a strided window (the engine's slice_params, so opsets, negative starts and steps and
// clamping read as on the host): output dimension d advances the input by step * stride, and the
// first element sits at the sum of start * stride, returned in `offset` (elements). Size-1
// dimensions are dropped, so ViT-style slices of a few axes fit the kernel's 8 whatever the rank.
TransposeIndex slice_index(const Layer& layer, int64_t& offset) {
  const ops::shape::SliceParams p = ops::shape::slice_params(layer);
  const Shape& in = layer.inputs[0].shape;
  std::vector<int64_t> strides(in.size(), 1);
  for (size_t d = in.size(); d-- > 1;) strides[d - 1] = strides[d] * in[d];
  TransposeIndex index;
  offset = 0;
  for (size_t d = 0; d < in.size(); ++d) {
    offset += p.starts[d] * strides[d];
    if (p.out[d] == 1) continue;
    if (index.rank == kMaxTransposeRank)
      throw Error("the CUDA slice takes at most " + std::to_string(kMaxTransposeRank) +
                  " dimensions longer than 1");
    index.dims[index.rank] = p.out[d];
    index.in_strides[index.rank] = p.steps[d] * strides[d];
    ++index.rank;
  }
  return index;
}

class SliceKernel final : public DeviceKernel {
 public:
  explicit SliceKernel(const Layer& layer)
      : index_(slice_index(layer, offset_)),
        element_size_(int(dtype_size(layer.inputs[0].dtype))) {}
  void run(KernelIO& io) override {
    const char* first = static_cast<const char*>(io.inputs[0]->raw()) + offset_ * element_size_;
    check(transpose(first, io.outputs[0]->raw(), io.outputs[0]->numel(), element_size_, index_,
                    stream()),
          "launching the slice kernel");
  }

 private:
  int64_t offset_ = 0;
  TransposeIndex index_;
  int element_size_;
};

class TransposeKernel final : public DeviceKernel {
 public:
  explicit TransposeKernel(const Layer& layer)
      : index_(transpose_index(layer)), element_size_(int(dtype_size(layer.inputs[0].dtype))) {}
  void run(KernelIO& io) override {
    check(transpose(io.inputs[0]->raw(), io.outputs[0]->raw(), io.outputs[0]->numel(),
                    element_size_, index_, stream()),
          "launching the transpose kernel");
  }

 private:
  TransposeIndex index_;
  int element_size_;
};

// The output is [outer, sum of the inputs' axis extents * inner]; input k fills a column band of
// width axis_k * inner elements.
class ConcatKernel final : public DeviceKernel {
 public:
  explicit ConcatKernel(const Layer& layer) {
    const int64_t axis = ops::shape::concat_axis(layer);
    const Shape& out = layer.outputs.empty() ? layer.inputs[0].shape : layer.outputs[0].shape;
    const size_t element = dtype_size(layer.inputs[0].dtype);
    int64_t inner = 1, total = 0;
    for (size_t d = size_t(axis) + 1; d < out.size(); ++d) inner *= out[d];
    outer_ = 1;
    for (size_t d = 0; d < size_t(axis); ++d) outer_ *= out[d];
    for (size_t i = 0; i < layer.inputs.size(); ++i) {
      const int64_t extent = layer.has_input(i) ? layer.inputs[i].shape[size_t(axis)] : 0;
      widths_.push_back(size_t(extent * inner) * element);
      offsets_.push_back(size_t(total * inner) * element);
      total += extent;
    }
    pitch_ = size_t(total * inner) * element;
  }
  void run(KernelIO& io) override {
    char* y = static_cast<char*>(io.outputs[0]->raw());
    for (size_t i = 0; i < widths_.size(); ++i) {
      if (!io.inputs[i] || widths_[i] == 0 || outer_ == 0) continue;
      check(cudaMemcpy2DAsync(y + offsets_[i], pitch_, io.inputs[i]->raw(), widths_[i], widths_[i],
                              size_t(outer_), cudaMemcpyDeviceToDevice, stream()),
            "copying a Concat input on the device");
    }
  }

 private:
  int64_t outer_ = 1;
  size_t pitch_ = 0;
  std::vector<size_t> widths_, offsets_;
};

std::optional<std::string> common_checks(const Layer& layer) {
  if (!layer.has_input(0)) return std::string("needs an input");
  if (auto problem = no_fused_activation(layer)) return problem;
  return std::nullopt;
}

}  // namespace

Family cuda_copy_family() {
  Family f;
  f.why_not = [](int, const Layer& layer) -> std::optional<std::string> {
    if (auto problem = common_checks(layer)) return problem;
    if (!layer.outputs.empty() && layer.outputs[0].numel() * dtype_size(layer.outputs[0].dtype) !=
                                      layer.inputs[0].numel() * dtype_size(layer.inputs[0].dtype))
      return std::string("the output does not hold the input's bytes");
    return std::nullopt;
  };
  f.prepare = [](int, const Layer&) -> std::unique_ptr<Kernel> {
    return std::make_unique<CopyKernel>();
  };
  return f;
}

Family cuda_transpose_family() {
  Family f;
  f.why_not = [](int, const Layer& layer) -> std::optional<std::string> {
    if (auto problem = common_checks(layer)) return problem;
    transpose_index(layer);  // throws (the module catches it) with what is wrong
    return std::nullopt;
  };
  f.prepare = [](int, const Layer& layer) -> std::unique_ptr<Kernel> {
    return std::make_unique<TransposeKernel>(layer);
  };
  return f;
}

Family cuda_slice_family() {
  Family f;
  f.why_not = [](int, const Layer& layer) -> std::optional<std::string> {
    if (auto problem = common_checks(layer)) return problem;
    const int size = int(dtype_size(layer.inputs[0].dtype));
    if (size != 1 && size != 2 && size != 4 && size != 8)
      return std::string("the CUDA slice moves elements of 1, 2, 4 or 8 bytes");
    int64_t offset = 0;
    slice_index(layer, offset);  // throws (the module catches it) with what is wrong
    return std::nullopt;
  };
  f.prepare = [](int, const Layer& layer) -> std::unique_ptr<Kernel> {
    return std::make_unique<SliceKernel>(layer);
  };
  return f;
}

Family cuda_concat_family() {
  Family f;
  f.why_not = [](int, const Layer& layer) -> std::optional<std::string> {
    if (auto problem = common_checks(layer)) return problem;
    ops::shape::concat_axis(layer);  // throws with what is wrong
    return std::nullopt;
  };
  f.prepare = [](int, const Layer& layer) -> std::unique_ptr<Kernel> {
    return std::make_unique<ConcatKernel>(layer);
  };
  return f;
}

}  // namespace algoscope::cuda
