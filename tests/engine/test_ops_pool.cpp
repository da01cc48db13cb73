// Pooling: MaxPool (pads, strides, SAME auto_pad, ceil_mode, dilations, Indices in both storage
// orders), AveragePool (with and without count_include_pad, ceil_mode windows past the padding),
// GlobalAveragePool, 1-D and 3-D, and invalid nodes. Expected values are ONNX's documented examples
// or computed by hand.
#include <gtest/gtest.h>

#include "nn_op_harness.h"

using namespace nn_test;

namespace {

OpCase pool(const std::string& op, Tensor x, std::vector<int64_t> kernel, int64_t opset = 12) {
  OpCase c(op, opset);
  c.input(std::move(x)).ints("kernel_shape", std::move(kernel));
  return c;
}

std::vector<int64_t> int_values(const Tensor& t) {
  return std::vector<int64_t>(t.data<int64_t>(), t.data<int64_t>() + t.numel());
}

}  // namespace

TEST(OpsPool, MaxPoolOnnxExamples) {
  auto pads = pool("MaxPool", iota_tensor({1, 1, 5, 5}, 1), {5, 5});
  pads.ints("pads", {2, 2, 2, 2});
  EXPECT_TRUE(
      all_close(pads.run("reference")[0], {13, 14, 15, 15, 15, 18, 19, 20, 20, 20, 23, 24, 25,
                                           25, 25, 23, 24, 25, 25, 25, 23, 24, 25, 25, 25}));
  auto ceil = pool("MaxPool", iota_tensor({1, 1, 4, 4}, 1), {3, 3});
  ceil.ints("strides", {2, 2}).i("ceil_mode", 1);
  auto y = ceil.run("reference");
  EXPECT_EQ(y[0].shape(), (Shape{1, 1, 2, 2}));
  EXPECT_TRUE(all_close(y[0], {11, 12, 15, 16}));
  auto dil = pool("MaxPool", iota_tensor({1, 1, 4, 4}, 1), {2, 2});
  dil.ints("strides", {1, 1}).ints("dilations", {2, 2});
  EXPECT_TRUE(all_close(dil.run("reference")[0], {11, 12, 15, 16}));
  auto same = pool("MaxPool", iota_tensor({1, 1, 5, 5}, 1), {3, 3});
  same.ints("strides", {2, 2}).str("auto_pad", "SAME_UPPER");
  EXPECT_TRUE(all_close(same.run("reference")[0], {7, 9, 10, 17, 19, 20, 22, 24, 25}));
  // SAME_LOWER puts the extra padding first: with a 2x2 kernel every window looks up-left.
  auto lower = pool("MaxPool", iota_tensor({1, 1, 3, 3}, 1), {2, 2});
  lower.str("auto_pad", "SAME_LOWER");
  EXPECT_TRUE(all_close(lower.run("reference")[0], {1, 2, 3, 4, 5, 6, 7, 8, 9}));
  auto upper = pool("MaxPool", iota_tensor({1, 1, 3, 3}, 1), {2, 2});
  upper.str("auto_pad", "SAME_UPPER");
  EXPECT_TRUE(all_close(upper.run("reference")[0], {5, 6, 6, 8, 9, 9, 8, 9, 9}));
}

TEST(OpsPool, MaxPoolIndices) {
  auto row = pool("MaxPool", iota_tensor({1, 1, 5, 5}, 1), {5, 5});
  row.ints("pads", {2, 2, 2, 2}).outputs({"y", "indices"});
  auto info = row.infer();
  ASSERT_EQ(info.size(), 2u);
  EXPECT_EQ(info[1].dtype, DType::Int64);
  auto y = row.run("reference");
  EXPECT_EQ(int_values(y[1]),
            (std::vector<int64_t>{12, 13, 14, 14, 14, 17, 18, 19, 19, 19, 22, 23, 24,
                                  24, 24, 22, 23, 24, 24, 24, 22, 23, 24, 24, 24}));
  auto col = pool("MaxPool", iota_tensor({1, 1, 5, 5}, 1), {2, 2});
  col.ints("strides", {2, 2}).i("storage_order", 1).outputs({"y", "indices"});
  y = col.run("reference");
  EXPECT_TRUE(all_close(y[0], {7, 9, 17, 19}));
  EXPECT_EQ(int_values(y[1]), (std::vector<int64_t>{6, 16, 8, 18}));
  // N and C are part of the flattened index.
  auto batch = pool("MaxPool", iota_tensor({2, 2, 2, 2}), {2, 2});
  batch.outputs({"y", "indices"});
  EXPECT_EQ(int_values(batch.run("reference")[1]), (std::vector<int64_t>{3, 7, 11, 15}));
}

TEST(OpsPool, AveragePoolOnnxExamples) {
  auto excl = pool("AveragePool", iota_tensor({1, 1, 5, 5}, 1), {5, 5}, 11);
  excl.ints("pads", {2, 2, 2, 2});
  EXPECT_TRUE(all_close(excl.run("reference")[0],
                        {7,    7.5, 8,    8.5, 9,    9.5, 10,   10.5, 11,   11.5, 12,   12.5, 13,
                         13.5, 14,  14.5, 15,  15.5, 16,  16.5, 17,   17.5, 18,   18.5, 19}));
  auto incl = pool("AveragePool", iota_tensor({1, 1, 5, 5}, 1), {5, 5}, 11);
  incl.ints("pads", {2, 2, 2, 2}).i("count_include_pad", 1);
  EXPECT_TRUE(all_close(
      incl.run("reference")[0],
      {2.52f, 3.6f, 4.8f,  4.08f, 3.24f, 4.56f,  6.4f,  8.4f,  7.04f, 5.52f, 7.2f,  10.0f, 13.0f,
       10.8f, 8.4f, 6.96f, 9.6f,  12.4f, 10.24f, 7.92f, 6.12f, 8.4f,  10.8f, 8.88f, 6.84f}));
  auto ceil = pool("AveragePool", iota_tensor({1, 1, 4, 4}, 1), {3, 3}, 11);
  ceil.ints("strides", {2, 2}).i("ceil_mode", 1);
  EXPECT_TRUE(all_close(ceil.run("reference")[0], {6, 7.5, 12, 13.5}));
  auto same = pool("AveragePool", iota_tensor({1, 1, 5, 5}, 1), {3, 3}, 11);
  same.ints("strides", {2, 2}).str("auto_pad", "SAME_UPPER");
  EXPECT_TRUE(all_close(same.run("reference")[0], {4, 5.5, 7, 11.5, 13, 14.5, 19, 20.5, 22}));
}

TEST(OpsPool, AveragePoolCeilWindowPastThePadding) {
  // x = 1..6, kernel 3, stride 2, pads 1+1, ceil_mode: the last window [5, 6, 7] holds one input,
  // one pad and one tap beyond the padding that never counts (PyTorch's rule).
  for (int64_t include : {0, 1}) {
    auto c = pool("AveragePool", iota_tensor({1, 1, 6}, 1), {3}, 11);
    c.ints("strides", {2}).ints("pads", {1, 1}).i("ceil_mode", 1).i("count_include_pad", include);
    auto y = c.run("reference");
    EXPECT_EQ(y[0].shape(), (Shape{1, 1, 4}));
    if (include)
      EXPECT_TRUE(all_close(y[0], {1, 3, 5, 3}));
    else
      EXPECT_TRUE(all_close(y[0], {1.5, 3, 5, 6}));
  }
  // Without ceil_mode the same layer has 3 outputs; with it but no room, the window is dropped.
  auto floor = pool("AveragePool", iota_tensor({1, 1, 6}, 1), {3}, 11);
  floor.ints("strides", {2}).ints("pads", {1, 1});
  EXPECT_EQ(floor.infer()[0].shape, (Shape{1, 1, 3}));
  auto dropped = pool("MaxPool", iota_tensor({1, 1, 5}, 1), {2});
  dropped.ints("strides", {2}).ints("pads", {1, 1}).i("ceil_mode", 1);
  EXPECT_EQ(dropped.infer()[0].shape, (Shape{1, 1, 3}));
}

TEST(OpsPool, OneAndThreeDimensionalAndGlobal) {
  auto p1 = pool("MaxPool", Tensor::from_vector<float>({1, 1, 5}, {3, -1, 4, 1, 5}), {2});
  EXPECT_TRUE(all_close(p1.run("reference")[0], {3, 4, 4, 5}));
  auto a3 = pool("AveragePool", iota_tensor({1, 2, 2, 2, 4}), {2, 2, 2}, 11);
  a3.ints("strides", {2, 2, 2});
  auto y = a3.run("reference");
  EXPECT_EQ(y[0].shape(), (Shape{1, 2, 1, 1, 2}));
  // Channel 0 holds 0..15: the first window is {0,1,4,5,8,9,12,13}, mean 6.5.
  EXPECT_TRUE(all_close(y[0], {6.5, 8.5, 22.5, 24.5}));
  OpCase g("GlobalAveragePool", 1);
  g.input(iota_tensor({2, 3, 3, 3}, 1));
  auto gy = g.run("reference");
  EXPECT_EQ(gy[0].shape(), (Shape{2, 3, 1, 1}));
  EXPECT_TRUE(all_close(gy[0], {5, 14, 23, 32, 41, 50}));
  OpCase g1("GlobalAveragePool", 13);
  g1.input(iota_tensor({1, 2, 4}));
  EXPECT_TRUE(all_close(g1.run("reference")[0], {1.5, 5.5}));
  EXPECT_DOUBLE_EQ(g.op().flop_count(g.layer()), 54.0);
  auto f = pool("MaxPool", iota_tensor({1, 2, 6, 6}), {3, 3});
  EXPECT_DOUBLE_EQ(f.op().flop_count(f.layer()), 2.0 * 16 * 9);
}

TEST(OpsPool, InvalidNodesThrow) {
  EXPECT_TRUE(throws_with(
      [] {
        OpCase c("MaxPool", 12);
        c.input(iota_tensor({1, 1, 4, 4})).infer();
      },
      "kernel_shape"));
  EXPECT_TRUE(throws_with(
      [] {
        pool("AveragePool", iota_tensor({4, 4}), {2}).infer();
      },
      "rank 3 or more"));
  EXPECT_TRUE(throws_with(
      [] {
        pool("MaxPool", iota_tensor({1, 1, 4, 4}), {2}).infer();
      },
      "kernel_shape has 1 values"));
  EXPECT_TRUE(throws_with(
      [] {
        pool("MaxPool", iota_tensor({1, 1, 2, 2}), {3, 3}).infer();
      },
      "larger than the padded input"));
  EXPECT_TRUE(throws_with(
      [] {
        auto c = pool("MaxPool", iota_tensor({1, 1, 4, 4}), {2, 2});
        c.ints("strides", {0, 1}).infer();
      },
      "strides must be positive"));
  EXPECT_TRUE(throws_with(
      [] {
        OpCase c("GlobalAveragePool", 1);
        c.input(iota_tensor({3, 3})).infer();
      },
      "rank 3 or more"));
}

TEST(OpsPool, MaxPoolUint8) {
  std::vector<uint8_t> x(25);
  for (int i = 0; i < 25; ++i) x[i] = static_cast<uint8_t>(i + 1);
  auto c = pool("MaxPool", Tensor::from_vector<uint8_t>({1, 1, 5, 5}, x), {5, 5});
  c.ints("pads", {2, 2, 2, 2});
  EXPECT_EQ(c.infer()[0].dtype, DType::UInt8);
  auto y = c.run("reference");
  const uint8_t* v = y[0].data<uint8_t>();
  EXPECT_EQ(std::vector<uint8_t>(v, v + 5), (std::vector<uint8_t>{13, 14, 15, 15, 15}));
  EXPECT_TRUE(throws_with(
      [&] {
        OpCase a("AveragePool", 11);
        a.input(Tensor::from_vector<uint8_t>({1, 1, 5, 5}, x)).ints("kernel_shape", {2, 2}).infer();
      },
      "must be float32"));
}

TEST(OpsPool, GlobalMaxPool) {
  OpCase g("GlobalMaxPool", 1);
  g.input(Tensor::from_vector<float>({1, 2, 2, 2}, {1, 7, -3, 2, -5, -1, -8, -2}));
  auto y = g.run("reference");
  EXPECT_EQ(y[0].shape(), (Shape{1, 2, 1, 1}));
  EXPECT_TRUE(all_close(y[0], {7, -1}));
}
