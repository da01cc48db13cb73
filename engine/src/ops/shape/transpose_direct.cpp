// Transpose, `direct`: the permutation as one planned strided copy (movement.h). Axes that stay
// neighbours in the same order are merged first, so NCHW -> NHWC is a batch of [C, HW]
// transposes and a ViT head split (1x197x12x64, perm 0,2,1,3) is 12 x 197 copies of 64-float
// runs; a permutation that moves the last axis becomes a cache-blocked transpose of 8 x 8
// register tiles.
#include "ops/common.h"
#include "ops/shape/movement.h"
#include "ops/shape/shape.h"

namespace algoscope::ops::shape {
namespace {

StridedCopy transpose_plan(const Layer& layer) {
  const Shape& in = layer.inputs[0].shape;
  const std::vector<int64_t> perm = transpose_perm(layer);
  std::vector<int64_t> in_strides(in.size(), 1);
  for (size_t d = in.size(); d-- > 1;) in_strides[d - 1] = in_strides[d] * in[d];
  Shape out;
  std::vector<int64_t> strides;
  for (int64_t p : perm) {
    out.push_back(in[static_cast<size_t>(p)]);
    strides.push_back(in_strides[static_cast<size_t>(p)]);
  }
  return plan_strided_copy(out, strides, 0, dtype_size(layer.inputs[0].dtype));
}

class TransposeDirect final : public Kernel {
 public:
  explicit TransposeDirect(StridedCopy plan) : plan_(std::move(plan)) {}
  void run(KernelIO& io) override {
    run_strided_copy(plan_, io.inputs[0]->raw(), io.outputs[0]->raw());
  }
  std::string choice() const override { return describe(plan_); }

 private:
  StridedCopy plan_;
};

}  // namespace

std::unique_ptr<Kernel> prepare_transpose_direct(const Layer& layer) {
  return std::make_unique<TransposeDirect>(transpose_plan(layer));
}

AlgorithmText transpose_direct_text() {
  return {"merged axes, then row copies or an 8x8-tiled transpose",
          "At prepare time the permutation is simplified: size-1 axes are dropped and output axes "
          "that are also neighbours, in order, in the input are merged. If the last axis stays "
          "last, every output row is one memcpy of a contiguous input run (a ViT head split "
          "1x197x12x64 -> 1x12x197x64 is 2364 copies of 256 bytes). Otherwise the input axis "
          "that is contiguous and the output's last axis form a matrix transpose, done in 64 x 64 "
          "cache blocks of 8 x 8 register tiles (eight row loads, three rounds of shuffles, eight "
          "row stores, compiled for AVX-512, AVX2 and the baseline) for 4-byte elements and "
          "element loops for others. Large tensors are split across the threads. Extra memory: "
          "none. Wins over the reference's element-by-element gather whenever rows are longer "
          "than a few elements; ties on tiny tensors. Moves bits only, so the result is exact for "
          "every type."};
}

}  // namespace algoscope::ops::shape
