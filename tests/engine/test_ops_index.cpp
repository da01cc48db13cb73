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

// ArgMax / ArgMin (the reduce family's): axis, keepdims, select_last_index, int64 output.
TEST(OpsArg, IndicesAlongAnAxis) {
  const Tensor x = floats({2, 3}, {2, 7, 7, 9, 1, 1});
  Tensor am = OpCase("ArgMax", 13).input(x).attr("axis", int64_t{1}).run1();
  EXPECT_EQ(am.shape(), (Shape{2, 1}));
  EXPECT_EQ(values<int64_t>(am), (std::vector<int64_t>{1, 0}));
  EXPECT_EQ(values<int64_t>(OpCase("ArgMax", 13)
                                .input(x)
                                .attr("axis", int64_t{-1})
                                .attr("select_last_index", int64_t{1})
                                .run1()),
            (std::vector<int64_t>{2, 0}));
  Tensor an = OpCase("ArgMin", 13).input(x).attr("keepdims", int64_t{0}).run1();
  EXPECT_EQ(an.shape(), (Shape{3}));
  EXPECT_EQ(values<int64_t>(an), (std::vector<int64_t>{0, 1, 1}));
  EXPECT_EQ(values<int64_t>(OpCase("ArgMin", 13)
                                .input(x)
                                .attr("axis", int64_t{1})
                                .attr("keepdims", int64_t{0})
                                .attr("select_last_index", int64_t{1})
                                .run1()),
            (std::vector<int64_t>{0, 2}));
  EXPECT_EQ(values<int64_t>(OpCase("ArgMax", 13).input(int64s({4}, {3, -1, 8, 8})).run1()),
            (std::vector<int64_t>{2}));
  EXPECT_EQ(OpCase("ArgMax", 13).input(x).flops(), 6.0);
}

TEST(OpsArg, RejectInvalidNodes) {
  EXPECT_TRUE(throws_with(
      [] {
        OpCase("ArgMax", 13).input(iota({2, 3})).attr("axis", int64_t{2}).infer();
      },
      "ArgMax: axis 2 is out of range for rank 2"));
  EXPECT_TRUE(throws_with(
      [] {
        OpCase("ArgMin", 13).input(iota({0, 3})).infer();
      },
      "is empty, so it has no extremum"));
  EXPECT_TRUE(throws_with([] { OpCase("ArgMin", 13).input(bools({1}, {true})).infer(); },
                          "ArgMin does not support bool"));
}

// GatherElements / ScatterElements: ONNX's own examples, worked by hand.
TEST(OpsElements, GatherAndScatterAlongAnAxis) {
  // GatherElements axis 1: [[1, 2], [3, 4]] at [[0, 0], [1, 0]] -> [[1, 1], [4, 3]].
  Tensor g = OpCase("GatherElements", 13)
                 .input(floats({2, 2}, {1, 2, 3, 4}))
                 .input(int64s({2, 2}, {0, 0, 1, 0}))
                 .attr("axis", int64_t{1})
                 .run1();
  EXPECT_EQ(values<float>(g), (std::vector<float>{1, 1, 4, 3}));
  // Axis 0 with a negative index: rows picked per column.
  Tensor g0 = OpCase("GatherElements", 13)
                  .input(floats({3, 2}, {1, 2, 3, 4, 5, 6}))
                  .input(int64s({1, 2}, {-1, 1}))
                  .run1();
  EXPECT_EQ(g0.shape(), (Shape{1, 2}));
  EXPECT_EQ(values<float>(g0), (std::vector<float>{5, 4}));
  // ScatterElements axis 1: [[1, 2, 3, 4, 5]] with [[1, 3]] <- [[1.1, 2.1]].
  Tensor s = OpCase("ScatterElements", 11)
                 .input(floats({1, 5}, {1, 2, 3, 4, 5}))
                 .input(int64s({1, 2}, {1, 3}))
                 .input(floats({1, 2}, {1.1f, 2.1f}))
                 .attr("axis", int64_t{1})
                 .run1();
  EXPECT_EQ(values<float>(s), (std::vector<float>{1, 1.1f, 3, 2.1f, 5}));
  // Duplicate indices with add accumulate; with mul they multiply.
  Tensor add = OpCase("ScatterElements", 16)
                   .input(floats({1, 3}, {1, 2, 3}))
                   .input(int64s({1, 2}, {1, 1}))
                   .input(floats({1, 2}, {10, 20}))
                   .attr("axis", int64_t{1})
                   .attr("reduction", std::string("add"))
                   .run1();
  EXPECT_EQ(values<float>(add), (std::vector<float>{1, 32, 3}));
  Tensor mul = OpCase("ScatterElements", 16)
                   .input(floats({1, 3}, {1, 2, 3}))
                   .input(int64s({1, 2}, {2, 2}))
                   .input(floats({1, 2}, {10, 20}))
                   .attr("axis", int64_t{1})
                   .attr("reduction", std::string("mul"))
                   .run1();
  EXPECT_EQ(values<float>(mul), (std::vector<float>{1, 2, 600}));
}

TEST(OpsElements, RejectInvalidNodesAndIndices) {
  EXPECT_TRUE(throws_with(
      [] {
        OpCase("GatherElements", 13).input(iota({2, 2})).input(int64s({2}, {0, 1})).infer();
      },
      "must have the data's rank"));
  EXPECT_TRUE(throws_with(
      [] {
        OpCase("GatherElements", 13).input(iota({2, 2})).input(int64s({1, 2}, {0, 2})).run();
      },
      "GatherElements: index 2 is out of range for axis 0 of size 2"));
  EXPECT_TRUE(throws_with(
      [] {
        OpCase("ScatterElements", 11)
            .input(iota({2}))
            .input(int64s({1}, {0}))
            .input(iota({2}))
            .infer();
      },
      "updates 2 must have the indices' shape 1"));
  EXPECT_TRUE(throws_with(
      [] {
        OpCase("ScatterElements", 16)
            .input(iota({2}))
            .input(int64s({1}, {0}))
            .input(iota({1}))
            .attr("reduction", std::string("avg"))
            .infer();
      },
      "reduction must be none, add, mul, max or min"));
}

TEST(OpsOneHot, RowsAlongTheNewAxis) {
  // Indices [0, 2, -1] with depth 3 and values [0, 5]: -1 counts from depth.
  Tensor y = OpCase("OneHot", 11)
                 .input(int64s({3}, {0, 2, -1}))
                 .constant(int64s({}, {3}))
                 .input(floats({2}, {0, 5}))
                 .run1();
  EXPECT_EQ(y.shape(), (Shape{3, 3}));
  EXPECT_EQ(values<float>(y), (std::vector<float>{5, 0, 0, 0, 0, 5, 0, 0, 5}));
  // Axis 0 and an out-of-range index (a row of off values).
  Tensor z = OpCase("OneHot", 11)
                 .input(int64s({2}, {1, 7}))
                 .constant(int64s({}, {2}))
                 .input(int64s({2}, {-1, 1}))
                 .attr("axis", int64_t{0})
                 .run1();
  EXPECT_EQ(z.shape(), (Shape{2, 2}));
  EXPECT_EQ(values<int64_t>(z), (std::vector<int64_t>{-1, -1, 1, -1}));
  EXPECT_TRUE(throws_with(
      [] {
        OpCase("OneHot", 11)
            .input(int64s({1}, {0}))
            .input(int64s({}, {3}))
            .input(floats({2}, {0, 1}))
            .infer();
      },
      "depth must be a constant"));
  EXPECT_TRUE(throws_with(
      [] {
        OpCase("OneHot", 11)
            .input(int64s({1}, {0}))
            .constant(int64s({}, {3}))
            .input(floats({3}, {0, 1, 2}))
            .infer();
      },
      "values must hold two elements"));
}
