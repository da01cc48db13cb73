// The vectorized `direct` ReduceMean / ReduceSum against `reference`: trailing, leading, middle
// and full contiguous axis blocks, keepdims on and off, axes as attribute (opset 13) and as a
// constant input (opset 18), size-1 axes inside the block, and the not_applicable reason for
// separated axes.
#include <gtest/gtest.h>

#include "nn_op_harness.h"

namespace {

using namespace nn_test;

OpCase make(const char* op, int64_t opset, Shape shape, std::vector<int64_t> axes, int64_t keep) {
  OpCase c(op, opset);
  c.input(random_tensor(shape, static_cast<uint32_t>(algoscope::shape_numel(shape)), -1.0f, 3.0f));
  const bool as_input = opset >= (std::string(op) == "ReduceSum" ? 13 : 18);
  if (as_input)
    c.input(Tensor::from_vector({static_cast<int64_t>(axes.size())},
                                std::vector<int64_t>(axes.begin(), axes.end())),
            true);
  else if (!axes.empty())
    c.ints("axes", axes);
  c.i("keepdims", keep);
  return c;
}

TEST(DirectReduce, MatchesReferenceOverContiguousBlocks) {
  struct Case {
    Shape shape;
    std::vector<int64_t> axes;
  };
  const Case cases[] = {
      {{197, 768}, {-1}},      {{1, 197, 768}, {2}},   {{7}, {0}},          {{3, 5, 7}, {1}},
      {{3, 5, 7}, {0}},        {{3, 5, 7}, {1, 2}},    {{3, 5, 7}, {0, 1}}, {{3, 5, 7}, {}},
      {{2, 64, 7, 7}, {2, 3}}, {{3, 1, 5, 7}, {0, 2}}, {{1, 300000}, {1}},  {{300000}, {0}},
      {{4, 1000, 33}, {1}},    {{1, 1, 1}, {1}},       {{5, 1}, {1}},
  };
  for (const char* op : {"ReduceMean", "ReduceSum"})
    for (int64_t opset : {13, 18})
      for (const Case& k : cases)
        for (int64_t keep : {0, 1}) {
          OpCase c = make(op, opset, k.shape, k.axes, keep);
          EXPECT_TRUE(direct_is_default_and_matches_reference(c))
              << op << " " << algoscope::shape_to_string(k.shape) << " keep " << keep;
        }
}

TEST(DirectReduce, SeparatedAxesAreLeftToReference) {
  OpCase c = make("ReduceMean", 13, {3, 5, 7}, {0, 2}, 1);
  auto why = c.op().find("direct")->why_not(c.layer());
  ASSERT_TRUE(why);
  EXPECT_NE(why->find("contiguous"), std::string::npos);
  EXPECT_EQ(algoscope::Registry::instance().default_algorithm(c.layer()).name, "reference");
}

}  // namespace
