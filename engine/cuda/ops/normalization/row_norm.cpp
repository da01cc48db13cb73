// The cuda_row_norm family: LayerNormalization, InstanceNormalization and GroupNormalization on the
// device (one variant: the op comes from the layer), with the engine's own row_norm_geometry
// deciding rows, lengths and which Scale / B element each element takes, so axis, groups and both
// GroupNormalization opsets resolve exactly as on the host. LayerNormalization's optional Mean
// and InvStdDev outputs are written when the node asks for them.
#include "cuda/variants.h"
#include "device_ops.h"
#include "family.h"
#include "ops/common.h"
#include "ops/normalization/normalization.h"
#include "ops/normalization/row_norm_kernels.h"
#include "runtime.h"

namespace algoscope::cuda {
namespace {

class RowNormKernel final : public DeviceKernel {
 public:
  RowNormKernel(const Layer& layer, int)
      : g_(ops::normalization::row_norm_geometry(layer)),
        shape_{g_.rows, g_.length, g_.param_run, g_.param_cycle, float(g_.epsilon)} {}
  void run(KernelIO& io) override {
    const float* bias = g_.has_bias ? io.inputs[2]->data<float>() : nullptr;
    float* mean = g_.statistics_outputs ? ops::optional_float_output(io, 1) : nullptr;
    float* inv_std = g_.statistics_outputs ? ops::optional_float_output(io, 2) : nullptr;
    check(row_norm(io.inputs[0]->data<float>(), io.inputs[1]->data<float>(), bias,
                   io.outputs[0]->data<float>(), mean, inv_std, shape_, stream()),
          "launching the row normalization kernel");
  }

 private:
  ops::normalization::RowNormGeometry g_;
  RowNormShape shape_;
};

}  // namespace

Family cuda_row_norm_family() {
  return own_kernel_family<RowNormKernel>(
      {"row normalization", kRowNorm, kRowNorm, 2},
      [](int, const Layer& layer) -> std::optional<std::string> {
        const ops::normalization::RowNormGeometry g = ops::normalization::row_norm_geometry(layer);
        if (g.rows > 0x7fffffff) return std::string("more rows than CUDA blocks");
        // The host expands a broadcast Scale or B (LayerNormalization's [1] or [1, D]) into a
        // row's worth; on the device each must already hold one value per parameter.
        const int64_t params = shape_numel(g.param_shape);
        for (size_t i = 1; i < (g.has_bias ? 3u : 2u); ++i)
          if (layer.inputs[i].numel() != params)
            return "input " + std::to_string(i) + " is broadcast (" +
                   std::to_string(layer.inputs[i].numel()) + " values for " +
                   std::to_string(params) + " parameters); the CUDA kernel takes it unbroadcast";
        return std::nullopt;
      });
}

}  // namespace algoscope::cuda
