// Softmax and LogSoftmax: opset < 13 flatten-at-axis vs opset >= 13 single-axis semantics and
// their default axes against an independent formula, large inputs, log-softmax's finiteness, and
// an out-of-range axis.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>

#include "nn_op_harness.h"

using namespace nn_test;

namespace {

// Softmax over index sets: `line(o, j)` gives the flat index of element j of line o.
template <class F>
Tensor naive_softmax(const Tensor& x, int64_t lines, int64_t length, F line) {
  Tensor y(DType::Float32, x.shape());
  for (int64_t o = 0; o < lines; ++o) {
    double mx = -INFINITY, sum = 0;
    for (int64_t j = 0; j < length; ++j) mx = std::max<double>(mx, x.data<float>()[line(o, j)]);
    for (int64_t j = 0; j < length; ++j) sum += std::exp(x.data<float>()[line(o, j)] - mx);
    for (int64_t j = 0; j < length; ++j)
      y.data<float>()[line(o, j)] = float(std::exp(x.data<float>()[line(o, j)] - mx) / sum);
  }
  return y;
}

}  // namespace

TEST(OpsSoftmax, OldAndNewAxisSemantics) {
  Tensor x = random_tensor({2, 3, 4}, 11, -5.0f, 5.0f);
  // Opset 11, axis 1: the input is a 2 x 12 matrix; each row sums to 1.
  OpCase old_axis("Softmax", 11);
  old_axis.input(x.clone()).i("axis", 1);
  EXPECT_TRUE(all_close(old_axis.run("reference")[0],
                        naive_softmax(x, 2, 12, [](int64_t o, int64_t j) { return o * 12 + j; }),
                        1e-6, 1e-5));
  // Opset 11 default axis is 1 as well.
  OpCase old_default("Softmax", 11);
  old_default.input(x.clone());
  EXPECT_TRUE(all_close(old_default.run("reference")[0], old_axis.run("reference")[0], 0, 0));
  // Opset 13, axis 1: only the axis of length 3.
  OpCase new_axis("Softmax", 13);
  new_axis.input(x.clone()).i("axis", 1);
  EXPECT_TRUE(all_close(
      new_axis.run("reference")[0],
      naive_softmax(x, 8, 3, [](int64_t o, int64_t j) { return (o / 4) * 12 + j * 4 + o % 4; }),
      1e-6, 1e-5));
  // Opset 13 default axis is -1: the last axis.
  OpCase new_default("Softmax", 13);
  new_default.input(x.clone());
  EXPECT_TRUE(all_close(new_default.run("reference")[0],
                        naive_softmax(x, 6, 4, [](int64_t o, int64_t j) { return o * 4 + j; }),
                        1e-6, 1e-5));
  // Opset 11, axis 0: the whole tensor is one line.
  OpCase all("Softmax", 11);
  all.input(x.clone()).i("axis", 0);
  EXPECT_TRUE(all_close(all.run("reference")[0],
                        naive_softmax(x, 1, 24, [](int64_t, int64_t j) { return j; }), 1e-7, 1e-5));
}

TEST(OpsSoftmax, LargeInputsDoNotOverflow) {
  OpCase c("Softmax", 13);
  c.input(Tensor::from_vector<float>({2, 4}, {0, 1, 2, 3, 10000, 10001, 10002, 10003}));
  const std::vector<float> row = {0.032058604f, 0.087144318f, 0.23688282f, 0.64391426f};
  std::vector<float> expected = row;
  expected.insert(expected.end(), row.begin(), row.end());
  EXPECT_TRUE(all_close(c.run("reference")[0], expected, 1e-7, 1e-6));
  EXPECT_TRUE(throws_with(
      [] {
        OpCase b("Softmax", 13);
        b.input(random_tensor({2, 3}, 1)).i("axis", 2).infer();
      },
      "out of range"));
}

TEST(OpsSoftmax, LogSoftmaxIsLogOfSoftmaxAndStaysFinite) {
  Tensor x = random_tensor({3, 4, 5}, 21, -5.0f, 5.0f);
  for (int64_t opset : {11, 13}) {
    OpCase sm("Softmax", opset), lsm("LogSoftmax", opset);
    sm.input(x.clone()).i("axis", 1);
    lsm.input(x.clone()).i("axis", 1);
    Tensor p = sm.run("reference")[0];
    Tensor lp = lsm.run("reference")[0];
    for (int64_t i = 0; i < p.numel(); ++i)
      EXPECT_NEAR(lp.data<float>()[i], std::log(p.data<float>()[i]), 1e-5);
  }
  // exp(-1000) underflows to zero in softmax; log-softmax still gives -1000.
  OpCase big("LogSoftmax", 13);
  big.input(Tensor::from_vector<float>({1, 2}, {0, -1000}));
  EXPECT_TRUE(all_close(big.run("reference")[0], {0, -1000}));
}

TEST(OpsHardmax, OneAtTheFirstMaximumOfEachLine) {
  const Tensor x = Tensor::from_vector<float>({2, 3}, {1, 5, 5, 7, -1, 2});
  OpCase last("Hardmax", 13);
  last.input(x.clone());
  const Tensor y = last.run("reference")[0];
  const std::vector<float> expected = {0, 1, 0, 1, 0, 0};  // ties keep the first index
  EXPECT_EQ(std::vector<float>(y.data<float>(), y.data<float>() + 6), expected);
  OpCase axis0("Hardmax", 13);
  axis0.input(x.clone()).i("axis", 0);
  const Tensor z = axis0.run("reference")[0];
  EXPECT_EQ(std::vector<float>(z.data<float>(), z.data<float>() + 6),
            (std::vector<float>{0, 1, 1, 1, 0, 0}));
  // Opset 11, axis 0: the whole tensor is one line.
  OpCase flat("Hardmax", 11);
  flat.input(x.clone()).i("axis", 0);
  const Tensor w = flat.run("reference")[0];
  EXPECT_EQ(std::vector<float>(w.data<float>(), w.data<float>() + 6),
            (std::vector<float>{0, 0, 0, 1, 0, 0}));
}
