// Slice, `direct`: the strided window as one planned strided copy (movement.h). A window with
// step 1 on the innermost axes copies contiguous runs with memcpy (the channel or spatial crops
// of detection heads, the q/k/v split of a fused projection); other steps and reversed axes run
// strided element loops. Dimensions the window keeps whole merge into longer runs first.
#include "ops/common.h"
#include "ops/shape/movement.h"
#include "ops/shape/shape.h"

namespace algoscope::ops::shape {
namespace {

class SliceDirect final : public Kernel {
 public:
  explicit SliceDirect(StridedCopy plan) : plan_(std::move(plan)) {}
  void run(KernelIO& io) override {
    run_strided_copy(plan_, io.inputs[0]->raw(), io.outputs[0]->raw());
  }
  std::string choice() const override { return describe(plan_); }

 private:
  StridedCopy plan_;
};

}  // namespace

std::unique_ptr<Kernel> prepare_slice_direct(const Layer& layer) {
  const SliceParams p = slice_params(layer);
  const Shape& in = layer.inputs[0].shape;
  std::vector<int64_t> in_strides(in.size(), 1);
  for (size_t d = in.size(); d-- > 1;) in_strides[d - 1] = in_strides[d] * in[d];
  std::vector<int64_t> strides(in.size());
  int64_t offset = 0;
  for (size_t d = 0; d < in.size(); ++d) {
    offset += p.starts[d] * in_strides[d];
    strides[d] = p.steps[d] * in_strides[d];
  }
  return std::make_unique<SliceDirect>(
      plan_strided_copy(p.out, strides, offset, dtype_size(layer.inputs[0].dtype)));
}

AlgorithmText slice_direct_text() {
  return {"merged axes, then row copies or strided loops",
          "Starts, ends and steps are clamped at prepare time, as the reference does, into an "
          "offset and one stride per axis; size-1 output axes are dropped and axes the window "
          "covers whole merge with their outer neighbour. When the innermost remaining step is "
          "1, each output row is one memcpy of a contiguous input run; otherwise (steps other "
          "than 1, reversed axes) an element loop with the stride. Large tensors are split "
          "across the threads. Extra memory: none. Wins over the reference's element gather "
          "when the window keeps rows of more than a few elements; the same speed otherwise. "
          "Moves bits only, so the result is exact for every type."};
}

}  // namespace algoscope::ops::shape
