// The cuda_reduce family: the ten Reduce* ops (ReduceMean, the LayerNorm statistic of a ViT as
// torch exports it, first among them) on the device. The engine's own reduce_geometry decides
// which axes are reduced (attribute or constant input, negative axes, keepdims,
// noop_with_empty_axes), so every opset reads as on the host; this file turns it into merged
// kept / reduced axes with their input strides for the kernel (reduction_kernels.h).
#include "cuda/variants.h"
#include "device_ops.h"
#include "family.h"
#include "ops/reduce/reduce.h"
#include "ops/reduce/reduction_kernels.h"
#include "runtime.h"

namespace algoscope::cuda {
namespace {

// Throws Error (the module turns it into a why_not reason) when more axes than the kernel takes
// remain after merging.
ReduceIndex reduce_index(const ops::reduce::ReduceGeometry& g) {
  struct Axis {
    int64_t dim, stride;
    bool reduced;
  };
  std::vector<Axis> axes;  // outermost first, size-1 axes dropped, same-kind neighbours merged
  int64_t stride = 1;
  for (size_t i = g.input.size(); i-- > 0;) {
    const int64_t dim = g.input[i];
    if (dim != 1) {
      if (!axes.empty() && axes.front().reduced == g.reduced[i] &&
          axes.front().stride * axes.front().dim == stride)
        axes.front().dim *= dim;  // the merged axis keeps the inner stride
      else
        axes.insert(axes.begin(), Axis{dim, stride, bool(g.reduced[i])});
    }
    stride *= dim;
  }
  ReduceIndex index;
  for (const Axis& a : axes) {
    int& rank = a.reduced ? index.reduced_rank : index.kept_rank;
    if (rank == kMaxReduceRank)
      throw Error("the reduction needs more than " + std::to_string(kMaxReduceRank) +
                  " kept or reduced dimensions after merging; the CUDA kernel takes at most that");
    (a.reduced ? index.reduced_dims : index.kept_dims)[rank] = a.dim;
    (a.reduced ? index.reduced_strides : index.kept_strides)[rank] = a.stride;
    ++rank;
    (a.reduced ? index.count : index.outputs) *= a.dim;
  }
  return index;
}

class ReduceKernel final : public DeviceKernel {
 public:
  ReduceKernel(const Layer& layer, int variant)
      : reduction_(ReduceVariant(variant)), g_(ops::reduce::reduce_geometry(layer)) {
    if (!g_.identity) index_ = reduce_index(g_);
  }
  void run(KernelIO& io) override {
    const Tensor& x = *io.inputs[0];
    Tensor& y = *io.outputs[0];
    if (g_.identity) {  // no axes and noop_with_empty_axes: the output is the input
      check(cudaMemcpyAsync(y.raw(), x.raw(), sizeof(float) * size_t(x.numel()),
                            cudaMemcpyDeviceToDevice, stream()),
            "copying the input of an empty reduction");
      return;
    }
    check(reduce(reduction_, x.data<float>(), y.data<float>(), index_, stream()),
          "launching the reduction kernel");
  }

 private:
  ReduceVariant reduction_;
  ops::reduce::ReduceGeometry g_;
  ReduceIndex index_;
};

}  // namespace

Family cuda_reduce_family() {
  return own_kernel_family<ReduceKernel>({"reduction", kReduceMean, kReduceLogSumExp},
                                         [](int, const Layer& layer) -> std::optional<std::string> {
                                           const ops::reduce::ReduceGeometry g =
                                               ops::reduce::reduce_geometry(layer);  // throws
                                           if (!g.identity) reduce_index(g);         // throws
                                           return std::nullopt;
                                         });
}

}  // namespace algoscope::cuda
