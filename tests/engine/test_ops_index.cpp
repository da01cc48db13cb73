// The index family (GatherND, ScatterND, TopK) and CumSum: values against hand-worked examples in
// ONNX's spirit (Swin's shifted-window mask is a ScatterND of constant slices), index checks at
// load and at run time, and the Errors for invalid nodes.
#include <cmath>

#include "op_test_util.h"

using namespace op_test;
using V = std::vector<int64_t>;
using F = std::vector<float>;

TEST(OpsGatherND, TuplesAddressElementsOrSlicesWithBatchDims) {
  // data [[0, 1], [2, 3]]: full tuples pick elements, 1-tuples pick rows.
  EXPECT_EQ(
      values<float>(
          OpCase("GatherND", 13).input(iota({2, 2})).input(int64s({2, 2}, {0, 0, 1, 1})).run1()),
      (F{0, 3}));
  Tensor rows = OpCase("GatherND", 13).input(iota({2, 2})).input(int64s({2, 1}, {1, -2})).run1();
  EXPECT_EQ(rows.shape(), (Shape{2, 2}));
  EXPECT_EQ(values<float>(rows), (F{2, 3, 0, 1}));
  // batch_dims=1: data [2, 2, 2], one 1-tuple per batch picks a row within its batch.
  Tensor b = OpCase("GatherND", 13)
                 .input(iota({2, 2, 2}))
                 .input(tensor<int32_t>({2, 1}, {1, 0}))
                 .attr("batch_dims", int64_t{1})
                 .run1();
  EXPECT_EQ(b.shape(), (Shape{2, 2}));
  EXPECT_EQ(values<float>(b), (F{2, 3, 4, 5}));
}

TEST(OpsGatherND, IndicesOutOfRangeAreErrors) {
  EXPECT_TRUE(throws_with(
      [] {
        OpCase("GatherND", 13).input(iota({2, 2})).constant(int64s({1, 2}, {0, 2})).infer();
      },
      "GatherND: index 2 is out of range"));
  // Computed indices are checked when the kernel runs.
  EXPECT_TRUE(throws_with(
      [] {
        OpCase("GatherND", 13).input(iota({2, 2})).input(int64s({1, 1}, {-3})).run();
      },
      "GatherND: index -3 is out of range"));
  EXPECT_TRUE(throws_with(
      [] {
        OpCase("GatherND", 13).input(iota({2, 2})).input(int64s({1, 3}, {0, 0, 0})).infer();
      },
      "must be between 1 and the data's rank 2"));
  EXPECT_TRUE(throws_with(
      [] {
        OpCase("GatherND", 13).input(iota({2, 2})).input(iota({1, 1})).infer();
      },
      "indices must be int64 or int32"));
}

TEST(OpsScatterND, WritesSlicesAndReducesRepeatedIndices) {
  // A Swin-style mask: zeros, then window regions set to 1 and 2 by row slices.
  Tensor mask = OpCase("ScatterND", 13)
                    .input(tensor<int64_t>({3, 2}, {0, 0, 0, 0, 0, 0}))
                    .constant(int64s({2, 1}, {1, -1}))
                    .input(int64s({2, 2}, {1, 1, 2, 2}))
                    .run1();
  EXPECT_EQ(values<int64_t>(mask), (V{0, 0, 1, 1, 2, 2}));
  Tensor sum = OpCase("ScatterND", 16)
                   .input(floats({3}, {1, 1, 1}))
                   .input(int64s({3, 1}, {0, 2, 0}))
                   .input(floats({3}, {5, 6, 7}))
                   .attr("reduction", std::string("add"))
                   .run1();
  EXPECT_EQ(values<float>(sum), (F{13, 1, 7}));
  Tensor prod = OpCase("ScatterND", 16)
                    .input(floats({3}, {2, 2, 2}))
                    .input(int64s({2, 1}, {1, 1}))
                    .input(floats({2}, {3, 4}))
                    .attr("reduction", std::string("mul"))
                    .run1();
  EXPECT_EQ(values<float>(prod), (F{2, 24, 2}));
  EXPECT_EQ(bool_values(OpCase("ScatterND", 13)
                            .input(bools({2}, {false, false}))
                            .input(int64s({1, 1}, {1}))
                            .input(bools({1}, {true}))
                            .run1()),
            (std::vector<bool>{false, true}));
}

TEST(OpsScatterND, InvalidNodesThrowClearErrors) {
  EXPECT_TRUE(throws_with(
      [] {
        OpCase("ScatterND", 13)
            .input(iota({3, 2}))
            .input(int64s({2, 1}, {0, 1}))
            .input(iota({2, 3}))
            .infer();
      },
      "ScatterND: updates have shape 2x3"));
  EXPECT_TRUE(throws_with(
      [] {
        OpCase("ScatterND", 13)
            .input(iota({3}))
            .input(int64s({1, 1}, {0}))
            .input(int64s({1}, {1}))
            .infer();
      },
      "updates must have the data's type"));
  EXPECT_TRUE(throws_with(
      [] {
        OpCase("ScatterND", 16)
            .input(iota({3}))
            .input(int64s({1, 1}, {0}))
            .input(iota({1}))
            .attr("reduction", std::string("avg"))
            .infer();
      },
      "reduction 'avg' is not one of"));
  EXPECT_TRUE(throws_with(
      [] {
        OpCase("ScatterND", 13).input(iota({3})).input(int64s({1, 1}, {3})).input(iota({1})).run();
      },
      "ScatterND: index 3 is out of range"));
}

TEST(OpsTopK, LargestOrSmallestAlongAnAxisWithTiesByIndex) {
  // Along the last axis of [[3, 1, 3, 2], [0, 5, 5, 4]].
  auto top = [](bool largest, int64_t axis, int64_t k) {
    return OpCase("TopK", 11)
        .input(floats({2, 4}, {3, 1, 3, 2, 0, 5, 5, 4}))
        .constant(int64s({1}, {k}))
        .attr("largest", int64_t{largest})
        .attr("axis", axis)
        .outputs(2)
        .run();
  };
  std::vector<Tensor> l = top(true, -1, 2);
  EXPECT_EQ(l[0].shape(), (Shape{2, 2}));
  EXPECT_EQ(values<float>(l[0]), (F{3, 3, 5, 5}));
  EXPECT_EQ(values<int64_t>(l[1]), (V{0, 2, 1, 2}));
  std::vector<Tensor> s = top(false, 1, 3);
  EXPECT_EQ(values<float>(s[0]), (F{1, 2, 3, 0, 4, 5}));
  EXPECT_EQ(values<int64_t>(s[1]), (V{1, 3, 0, 0, 3, 1}));
  std::vector<Tensor> a0 = top(true, 0, 1);  // down the columns
  EXPECT_EQ(values<float>(a0[0]), (F{3, 5, 5, 4}));
  EXPECT_EQ(values<int64_t>(a0[1]), (V{0, 1, 1, 1}));
  EXPECT_TRUE(throws_with(
      [] { OpCase("TopK", 11).input(iota({4})).constant(int64s({1}, {5})).outputs(2).infer(); },
      "TopK: k = 5 is outside [0, 4]"));
  EXPECT_TRUE(throws_with(
      [] { OpCase("TopK", 11).input(iota({4})).input(int64s({1}, {2})).outputs(2).infer(); },
      "K input must be a constant"));
}

TEST(OpsCumSum, ForwardReverseExclusiveOnAnyAxis) {
  auto cumsum = [](Tensor x, int64_t axis, bool exclusive, bool reverse) {
    return OpCase("CumSum", 14)
        .input(std::move(x))
        .constant(int64s({}, {axis}))
        .attr("exclusive", int64_t{exclusive})
        .attr("reverse", int64_t{reverse})
        .run1();
  };
  EXPECT_EQ(values<float>(cumsum(floats({4}, {1, 2, 3, 4}), 0, false, false)), (F{1, 3, 6, 10}));
  EXPECT_EQ(values<float>(cumsum(floats({4}, {1, 2, 3, 4}), 0, true, false)), (F{0, 1, 3, 6}));
  EXPECT_EQ(values<float>(cumsum(floats({4}, {1, 2, 3, 4}), 0, false, true)), (F{10, 9, 7, 4}));
  EXPECT_EQ(values<float>(cumsum(floats({4}, {1, 2, 3, 4}), 0, true, true)), (F{9, 7, 4, 0}));
  // [[1, 2, 3], [4, 5, 6]] down the rows (axis 0) and along them (axis -1), int64.
  EXPECT_EQ(values<int64_t>(cumsum(int64s({2, 3}, {1, 2, 3, 4, 5, 6}), 0, false, false)),
            (V{1, 2, 3, 5, 7, 9}));
  EXPECT_EQ(values<int64_t>(cumsum(int64s({2, 3}, {1, 2, 3, 4, 5, 6}), -1, false, false)),
            (V{1, 3, 6, 4, 9, 15}));
  EXPECT_TRUE(
      throws_with([] { OpCase("CumSum", 14).input(iota({3})).constant(int64s({}, {1})).infer(); },
                  "CumSum: axis 1 is out of range for rank 1"));
  EXPECT_TRUE(throws_with(
      [] { OpCase("CumSum", 14).input(bools({1}, {true})).constant(int64s({}, {0})).infer(); },
      "CumSum does not support bool"));
}
