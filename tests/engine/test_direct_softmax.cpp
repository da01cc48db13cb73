// The vectorized `direct` Softmax / LogSoftmax against `reference`: opset 11 (flatten at axis)
// and opset 13 (single axis), every axis of 1-D to 4-D inputs, contiguous and strided lines,
// sizes around the threading threshold, large logits (stability).
#include <gtest/gtest.h>

#include "nn_op_harness.h"

namespace {

using namespace nn_test;

void check(const char* op, int64_t opset, Shape shape, int64_t axis, float scale = 5.0f) {
  OpCase c(op, opset);
  c.input(random_tensor(shape, static_cast<uint32_t>(algoscope::shape_numel(shape) + axis), -scale,
                        scale));
  c.i("axis", axis);
  EXPECT_TRUE(direct_is_default_and_matches_reference(c))
      << op << " opset " << opset << " " << algoscope::shape_to_string(shape) << " axis " << axis;
}

TEST(DirectSoftmax, MatchesReferenceOverShapesAxesAndOpsets) {
  const Shape shapes[] = {{1}, {7}, {3, 5}, {2, 3, 17}, {2, 3, 4, 5}, {1, 1, 33}, {12, 197, 197}};
  for (const char* op : {"Softmax", "LogSoftmax"})
    for (int64_t opset : {11, 13})
      for (const Shape& s : shapes)
        for (int64_t axis = -static_cast<int64_t>(s.size()); axis < static_cast<int64_t>(s.size());
             ++axis)
          check(op, opset, s, axis);
}

TEST(DirectSoftmax, LargeLogitsStayFinite) {
  for (const char* op : {"Softmax", "LogSoftmax"}) {
    check(op, 13, {4, 1000}, -1, 80.0f);
    check(op, 13, {4, 100, 3}, 1, 80.0f);
  }
  OpCase c("Softmax", 13);
  c.input(Tensor::from_vector(Shape{3}, std::vector<float>{1000.0f, 1001.0f, -1000.0f}));
  EXPECT_TRUE(all_close(c.run("direct")[0], c.run("reference")[0], 1e-6, 1e-5));
}

}  // namespace
