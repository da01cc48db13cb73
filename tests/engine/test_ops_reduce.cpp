// The Reduce* ops: attribute axes (negative, several, none), keepdims, axes as a constant input
// (opset 18, ReduceSum from 13), noop_with_empty_axes, every reduction kind, and invalid axes.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>

#include "nn_op_harness.h"

using namespace nn_test;

namespace {

const std::vector<float> kReduceData = {5, 1, 20, 2, 30, 1, 40, 2, 55, 1, 60, 2};

}  // namespace

TEST(OpsReduce, ReduceMeanAxesAndKeepdims) {
  OpCase keep("ReduceMean", 13);
  keep.input(Tensor::from_vector<float>({3, 2, 2}, kReduceData)).ints("axes", {1}).i("keepdims", 1);
  auto y = keep.run("reference");
  EXPECT_EQ(y[0].shape(), (Shape{3, 1, 2}));
  EXPECT_TRUE(all_close(y[0], {12.5, 1.5, 35, 1.5, 57.5, 1.5}));
  OpCase drop("ReduceMean", 13);
  drop.input(Tensor::from_vector<float>({3, 2, 2}, kReduceData))
      .ints("axes", {-2})
      .i("keepdims", 0);
  y = drop.run("reference");
  EXPECT_EQ(y[0].shape(), (Shape{3, 2}));
  EXPECT_TRUE(all_close(y[0], {12.5, 1.5, 35, 1.5, 57.5, 1.5}));
  OpCase all("ReduceMean", 13);
  all.input(Tensor::from_vector<float>({3, 2, 2}, kReduceData));
  y = all.run("reference");
  EXPECT_EQ(y[0].shape(), (Shape{1, 1, 1}));
  EXPECT_TRUE(all_close(y[0], {18.25}));
  OpCase two("ReduceMean", 11);
  two.input(Tensor::from_vector<float>({3, 2, 2}, kReduceData))
      .ints("axes", {0, 2})
      .i("keepdims", 0);
  y = two.run("reference");
  EXPECT_EQ(y[0].shape(), (Shape{2}));
  EXPECT_TRUE(
      all_close(y[0], {(5 + 1 + 30 + 1 + 55 + 1) / 6.0f, (20 + 2 + 40 + 2 + 60 + 2) / 6.0f}));
}

TEST(OpsReduce, AxesAsInputAndOtherReductions) {
  // Opset 18: axes are a (constant) input.
  OpCase mean18("ReduceMean", 18);
  mean18.input(Tensor::from_vector<float>({3, 2, 2}, kReduceData))
      .input(Tensor::from_vector<int64_t>({1}, {2}), true)
      .i("keepdims", 0);
  EXPECT_TRUE(all_close(mean18.run("reference")[0], {3, 11, 15.5, 21, 28, 31}));
  OpCase noop("ReduceMean", 18);
  noop.input(Tensor::from_vector<float>({3, 2, 2}, kReduceData)).i("noop_with_empty_axes", 1);
  EXPECT_TRUE(all_close(noop.run("reference")[0], kReduceData));
  // ReduceSum takes axes as an input from opset 13.
  OpCase sum("ReduceSum", 13);
  sum.input(Tensor::from_vector<float>({3, 2, 2}, kReduceData))
      .input(Tensor::from_vector<int64_t>({1}, {0}), true);
  auto y = sum.run("reference");
  EXPECT_EQ(y[0].shape(), (Shape{1, 2, 2}));
  EXPECT_TRUE(all_close(y[0], {90, 3, 120, 6}));
  OpCase mx("ReduceMax", 13);
  mx.input(Tensor::from_vector<float>({3, 2, 2}, kReduceData))
      .ints("axes", {1, 2})
      .i("keepdims", 0);
  EXPECT_TRUE(all_close(mx.run("reference")[0], {20, 40, 60}));
  OpCase mn("ReduceMin", 13);
  mn.input(Tensor::from_vector<float>({3, 2, 2}, kReduceData)).ints("axes", {-1});
  EXPECT_TRUE(all_close(mn.run("reference")[0], {1, 2, 1, 2, 1, 2}));
}

TEST(OpsReduce, InvalidAxesThrow) {
  EXPECT_TRUE(throws_with(
      [] {
        OpCase c("ReduceMean", 13);
        c.input(random_tensor({2, 3}, 1)).ints("axes", {2}).infer();
      },
      "out of range"));
  EXPECT_TRUE(throws_with(
      [] {
        OpCase c("ReduceMean", 13);
        c.input(random_tensor({2, 3}, 1)).ints("axes", {1, -1}).infer();
      },
      "listed twice"));
  EXPECT_TRUE(throws_with(
      [] {
        OpCase c("ReduceMean", 18);
        c.input(random_tensor({2, 3}, 1)).input(Tensor::from_vector<int64_t>({1}, {0})).infer();
      },
      "must be a constant"));
}

TEST(OpsReduce, NormsProductsAndLogs) {
  const Tensor x = Tensor::from_vector<float>({2, 3}, {1, -2, 3, -4, 5, -6});
  auto run = [&](const char* op) {
    OpCase c(op, 13);
    c.input(x.clone()).ints("axes", {1}).i("keepdims", 0);
    return c.run("reference")[0];
  };
  EXPECT_TRUE(all_close(run("ReduceProd"), {-6, 120}));
  EXPECT_TRUE(all_close(run("ReduceSumSquare"), {14, 77}));
  EXPECT_TRUE(all_close(run("ReduceL1"), {6, 15}));
  EXPECT_TRUE(all_close(run("ReduceL2"), {std::sqrt(14.0f), std::sqrt(77.0f)}));
  const Tensor pos = Tensor::from_vector<float>({2, 2}, {1, 2, 3, 4});
  OpCase ls("ReduceLogSum", 13);
  ls.input(pos.clone()).ints("axes", {0});
  EXPECT_TRUE(all_close(ls.run("reference")[0], {std::log(4.0f), std::log(6.0f)}));
  OpCase lse("ReduceLogSumExp", 13);
  lse.input(pos.clone()).ints("axes", {1}).i("keepdims", 0);
  EXPECT_TRUE(all_close(lse.run("reference")[0], {float(std::log(std::exp(1.0) + std::exp(2.0))),
                                                  float(std::log(std::exp(3.0) + std::exp(4.0)))}));
}
