// The cuda_attention family: the fused Attention node (ops/attention) on the device, naive
// (kNaiveAttention: the score matrix in the workspace) or flash (kFlashAttention: tiles and an
// online softmax). The engine's attention_geometry validates the layer and gives the mask's
// broadcast strides; its per-head mask offsets are uploaded once at prepare time.
#include "ops/attention/attention.h"

#include <vector>

#include "cuda/variants.h"
#include "device_ops.h"
#include "family.h"
#include "ops/attention/attention_kernels.h"
#include "runtime.h"

namespace algoscope::cuda {
namespace {

size_t score_bytes(const ops::attention::AttentionGeometry& g) {
  return sizeof(float) * size_t(g.heads) * size_t(g.sq) * size_t(g.skv);
}

class AttentionKernel final : public DeviceKernel {
 public:
  AttentionKernel(const Layer& layer, int variant) : flash_(variant == kFlashAttention) {
    const ops::attention::AttentionGeometry g = ops::attention::attention_geometry(layer);
    s_.heads = g.heads, s_.sq = g.sq, s_.skv = g.skv, s_.d = g.d, s_.dv = g.dv;
    s_.scale = g.scale;
    has_mask_ = g.has_mask;
    if (g.has_mask) {
      offsets_ = DeviceCopy(g.mask_head_offset.data(), g.mask_head_offset.size() * sizeof(int64_t));
      s_.mask_head_offset = static_cast<const int64_t*>(offsets_.data());
      s_.mask_row_stride = g.mask_row_stride, s_.mask_col_stride = g.mask_col_stride;
    }
  }
  void run(KernelIO& io) override {
    const float* q = io.inputs[0]->data<float>();
    const float* kt = io.inputs[1]->data<float>();
    const float* v = io.inputs[2]->data<float>();
    const float* mask = has_mask_ ? io.inputs[3]->data<float>() : nullptr;
    float* y = io.outputs[0]->data<float>();
    if (flash_)
      check(flash_attention(s_, q, kt, v, mask, y, stream()), "launching flash attention");
    else
      check(naive_attention(s_, q, kt, v, mask, static_cast<float*>(io.workspace), y, stream()),
            "launching naive attention");
  }

 private:
  bool flash_;
  bool has_mask_ = false;
  AttentionShape s_;
  DeviceCopy offsets_;
};

}  // namespace

Family cuda_attention_family() {
  Family f = own_kernel_family<AttentionKernel>(
      {"attention", kNaiveAttention, kFlashAttention, 0},
      [](int variant, const Layer& layer) -> std::optional<std::string> {
        const ops::attention::AttentionGeometry g = ops::attention::attention_geometry(layer);
        if (variant == kFlashAttention && (g.d > kFlashMaxHeadDim || g.dv > kFlashMaxHeadDim))
          return "the flash kernel keeps head sizes up to " + std::to_string(kFlashMaxHeadDim) +
                 " in shared memory; this layer has d = " + std::to_string(g.d) +
                 ", dv = " + std::to_string(g.dv);
        return std::nullopt;
      });
  f.workspace_bytes = [](int variant, const Layer& layer) -> size_t {
    if (variant != kNaiveAttention) return 0;
    return score_bytes(ops::attention::attention_geometry(layer));
  };
  return f;
}

}  // namespace algoscope::cuda
