// Concat, `direct`: one memcpy per input per outer row, like the reference, but skipping every
// input the memory plan already placed in its block of the output. Where each input is one
// contiguous block of the output (all axes before the concat axis have length 1: batch-1 NCHW
// channel concat in SqueezeNet, GoogLeNet, Inception), the session lets the producers write
// straight into the output (Kernel::inputs_in_output) and this kernel then moves nothing. Such a
// concat also passes oneDNN's layouts through (Kernel::concatenates_channels): channel-blocked
// ones unchanged, channels-last ones copied as a run of channels per pixel.
#include "ops/common.h"
#include "ops/shape/movement.h"
#include "ops/shape/shape.h"

namespace algoscope::ops::shape {
namespace {

class ConcatDirect final : public Kernel {
 public:
  ConcatDirect(Blocks plan, Blocks channels_last_plan)
      : plan_(std::move(plan)), channels_last_plan_(std::move(channels_last_plan)) {}
  void run(KernelIO& io) override {
    std::vector<std::byte*> parts;
    for (const Tensor* t : io.inputs)
      parts.push_back(static_cast<std::byte*>(const_cast<void*>(t->raw())));
    run_blocks(channels_last_ ? channels_last_plan_ : plan_,
               static_cast<std::byte*>(io.outputs[0]->raw()), parts, true);
  }
  std::vector<size_t> inputs_in_output() const override {
    if (plan_.outer != 1 || channels_last_) return {};
    return plan_.at;
  }
  // One block per input: the bytes move unchanged, so a channel-blocked layout passes through;
  // in a channels-last one each pixel's channels are a row of the output instead.
  bool concatenates_channels() const override { return !channels_last_plan_.block.empty(); }
  void concatenate_channels_last() override { channels_last_ = true; }

 private:
  Blocks plan_;
  // For a batch-1 channel concat (else empty): the output as [pixels, channels], each input a
  // run of its channels in every row.
  Blocks channels_last_plan_;
  bool channels_last_ = false;
};

}  // namespace

std::unique_ptr<Kernel> prepare_concat_direct(const Layer& layer) {
  // Shape inference validates the node (ranks, axis, types) before the shapes are trusted.
  const Shape out = infer_concat(layer)[0].shape;
  const size_t axis = static_cast<size_t>(concat_axis(layer));
  std::vector<int64_t> extents;
  for (const TensorInfo& in : layer.inputs) extents.push_back(in.shape[axis]);
  const size_t esize = dtype_size(layer.inputs[0].dtype);
  Blocks plan = plan_blocks(out, axis, extents, esize);
  Blocks channels_last;
  if (axis == 1 && out.size() >= 3 && plan.outer == 1 && out[1] > 0)
    channels_last = plan_blocks({shape_numel(out) / out[1], out[1]}, 1, extents, esize);
  return std::make_unique<ConcatDirect>(std::move(plan), std::move(channels_last));
}

AlgorithmText concat_direct_text() {
  return {"block copies, none for inputs already in place",
          "Views every tensor as [outer, axis x inner], where outer is the product of the axes "
          "before the concat axis: each input is one contiguous block of every output row, "
          "copied with memcpy (rows split across the threads when large). When outer is 1 "
          "(batch-1 NCHW channel concat), each input is a single block of the output, and the "
          "session's memory plan lets the producer of each input write straight into its block "
          "when that producer writes the plain layout and nothing else reads the input; the "
          "kernel then finds those inputs in place and copies nothing (bench --layers shows the "
          "layer as 'in place'). Extra memory: none; in place it saves the inputs' own buffers. "
          "Moves bits only, so the result is exact for every type."};
}

}  // namespace algoscope::ops::shape
