// Conv: shape inference (auto_pad, strides, dilations, errors), the reference algorithm against
// ONNX's documented examples and an independent 2-D formula, and im2col against reference on a
// sweep of shapes (groups, depthwise, strides, dilations, asymmetric pads, bias, 1-D and 3-D).
#include <gtest/gtest.h>

#include "nn_op_harness.h"

using namespace nn_test;

namespace {

OpCase conv_case(Tensor x, Tensor w, bool constant_w = false) {
  OpCase c("Conv", 13);
  c.input(std::move(x)).input(std::move(w), constant_w);
  return c;
}

Tensor ones(Shape s) {
  Tensor t(DType::Float32, std::move(s));
  for (int64_t i = 0; i < t.numel(); ++i) t.data<float>()[i] = 1.0f;
  return t;
}

struct Conv2dParams {
  int64_t n, c, h, w, oc, group, kh, kw, sh, sw, dh, dw, pt, pl, pb, pr;
  bool bias;
};

// The 2-D convolution written out independently of the engine's window code.
Tensor naive_conv2d(const Tensor& x, const Tensor& w, const Tensor* b, const Conv2dParams& p) {
  const int64_t oh = (p.h + p.pt + p.pb - ((p.kh - 1) * p.dh + 1)) / p.sh + 1;
  const int64_t ow = (p.w + p.pl + p.pr - ((p.kw - 1) * p.dw + 1)) / p.sw + 1;
  Tensor y(DType::Float32, {p.n, p.oc, oh, ow});
  const int64_t cg = p.c / p.group, ocg = p.oc / p.group;
  for (int64_t n = 0; n < p.n; ++n)
    for (int64_t o = 0; o < p.oc; ++o)
      for (int64_t i = 0; i < oh; ++i)
        for (int64_t j = 0; j < ow; ++j) {
          double acc = b ? b->data<float>()[o] : 0.0;
          for (int64_t c = 0; c < cg; ++c)
            for (int64_t u = 0; u < p.kh; ++u)
              for (int64_t v = 0; v < p.kw; ++v) {
                const int64_t hi = i * p.sh - p.pt + u * p.dh;
                const int64_t wi = j * p.sw - p.pl + v * p.dw;
                if (hi < 0 || hi >= p.h || wi < 0 || wi >= p.w) continue;
                const int64_t ci = (o / ocg) * cg + c;
                acc += double(x.data<float>()[((n * p.c + ci) * p.h + hi) * p.w + wi]) *
                       w.data<float>()[((o * cg + c) * p.kh + u) * p.kw + v];
              }
          y.data<float>()[((n * p.oc + o) * oh + i) * ow + j] = float(acc);
        }
  return y;
}

}  // namespace

TEST(OpsConv, RegistryListsReferenceFirstAndDocumentsEveryAlgorithm) {
  const auto* op = algoscope::Registry::instance().find_op("Conv");
  ASSERT_NE(op, nullptr);
  ASSERT_GE(op->algorithms.size(), 2u);
  EXPECT_EQ(op->algorithms.front().name, "reference");
  EXPECT_NE(op->find("im2col"), nullptr);
  for (const auto& a : op->algorithms) {
    SCOPED_TRACE(a.name);
    EXPECT_FALSE(a.summary.empty());
    EXPECT_FALSE(a.teaching.empty());
  }
}

TEST(OpsConv, BasicExamplesFromOnnxDocs) {
  auto with_pad = conv_case(iota_tensor({1, 1, 5, 5}), ones({1, 1, 3, 3}));
  with_pad.ints("kernel_shape", {3, 3}).ints("pads", {1, 1, 1, 1});
  const std::vector<float> expected_pad = {12,  21,  27, 33,  24,  33,  54, 63,  72,
                                           51,  63,  99, 108, 117, 81,  93, 144, 153,
                                           162, 111, 72, 111, 117, 123, 84};
  auto no_pad = conv_case(iota_tensor({1, 1, 5, 5}), ones({1, 1, 3, 3}));
  const std::vector<float> expected_no_pad = {54, 63, 72, 99, 108, 117, 144, 153, 162};
  // Strides 2 with pads only on the height axis (ONNX's asymmetric-padding example).
  auto asym = conv_case(iota_tensor({1, 1, 7, 5}), ones({1, 1, 3, 3}));
  asym.ints("strides", {2, 2}).ints("pads", {1, 0, 1, 0});
  const std::vector<float> expected_asym = {21, 33, 99, 117, 189, 207, 171, 183};
  auto same_lower = conv_case(iota_tensor({1, 1, 5, 5}), ones({1, 1, 3, 3}));
  same_lower.str("auto_pad", "SAME_LOWER").ints("strides", {2, 2});
  const std::vector<float> expected_same = {12, 27, 24, 63, 108, 81, 72, 117, 84};
  for (const char* algo : {"reference", "im2col"}) {
    SCOPED_TRACE(algo);
    auto y = with_pad.run(algo);
    EXPECT_EQ(y[0].shape(), (Shape{1, 1, 5, 5}));
    EXPECT_TRUE(all_close(y[0], expected_pad));
    y = no_pad.run(algo);
    EXPECT_EQ(y[0].shape(), (Shape{1, 1, 3, 3}));
    EXPECT_TRUE(all_close(y[0], expected_no_pad));
    y = asym.run(algo);
    EXPECT_EQ(y[0].shape(), (Shape{1, 1, 4, 2}));
    EXPECT_TRUE(all_close(y[0], expected_asym));
    y = same_lower.run(algo);
    EXPECT_EQ(y[0].shape(), (Shape{1, 1, 3, 3}));
    EXPECT_TRUE(all_close(y[0], expected_same));
  }
}

TEST(OpsConv, InferAutoPadAndDilation) {
  // SAME_UPPER: output = ceil(in / stride) whatever the kernel and dilation.
  auto c = conv_case(random_tensor({2, 4, 7, 9}, 1), random_tensor({6, 4, 3, 3}, 2));
  c.str("auto_pad", "SAME_UPPER").ints("strides", {2, 3}).ints("dilations", {2, 1});
  EXPECT_EQ(c.infer()[0].shape, (Shape{2, 6, 4, 3}));
  auto v = conv_case(random_tensor({1, 2, 10, 10}, 1), random_tensor({3, 2, 3, 3}, 2));
  v.str("auto_pad", "VALID").ints("dilations", {3, 2});
  EXPECT_EQ(v.infer()[0].shape, (Shape{1, 3, 4, 6}));
  // SAME_UPPER and SAME_LOWER differ only in where the odd padding goes.
  for (const char* mode : {"SAME_UPPER", "SAME_LOWER"}) {
    SCOPED_TRACE(mode);
    auto s = conv_case(random_tensor({1, 3, 6, 6}, 3), random_tensor({2, 3, 2, 2}, 4));
    s.str("auto_pad", mode);
    auto ref = s.run("reference");
    EXPECT_EQ(ref[0].shape(), (Shape{1, 2, 6, 6}));
    const bool upper = std::string(mode) == "SAME_UPPER";
    Conv2dParams p{1,
                   3,
                   6,
                   6,
                   2,
                   1,
                   2,
                   2,
                   1,
                   1,
                   1,
                   1,
                   upper ? 0 : 1,
                   upper ? 0 : 1,
                   upper ? 1 : 0,
                   upper ? 1 : 0,
                   false};
    auto x = random_tensor({1, 3, 6, 6}, 3);
    auto w = random_tensor({2, 3, 2, 2}, 4);
    EXPECT_TRUE(all_close(ref[0], naive_conv2d(x, w, nullptr, p)));
    EXPECT_TRUE(all_close(s.run("im2col")[0], ref[0], 1e-5, 1e-4));
  }
}

TEST(OpsConv, ReferenceAndIm2colMatchIndependentFormulaOnSweep) {
  const std::vector<Conv2dParams> sweep = {
      {1, 3, 8, 8, 4, 1, 3, 3, 1, 1, 1, 1, 1, 1, 1, 1, true},     // plain 3x3, pad 1
      {2, 4, 9, 7, 6, 2, 3, 3, 2, 2, 1, 1, 1, 1, 1, 1, false},    // groups, stride 2
      {1, 8, 10, 10, 8, 8, 3, 3, 1, 1, 1, 1, 1, 1, 1, 1, true},   // depthwise
      {1, 6, 11, 9, 12, 6, 3, 3, 2, 1, 1, 1, 0, 1, 1, 0, true},   // depthwise x2 multiplier, asym
      {1, 3, 12, 12, 5, 1, 3, 3, 1, 1, 2, 2, 2, 2, 2, 2, false},  // dilation 2
      {1, 2, 9, 13, 3, 1, 2, 4, 3, 2, 2, 3, 0, 3, 2, 1, true},    // mixed everything
      {2, 5, 6, 6, 7, 1, 1, 1, 1, 1, 1, 1, 0, 0, 0, 0, true},     // pointwise (no workspace)
      {1, 4, 7, 7, 4, 1, 1, 1, 2, 2, 1, 1, 0, 0, 0, 0, false},    // strided 1x1
      {1, 3, 5, 5, 2, 1, 5, 5, 1, 1, 1, 1, 0, 0, 0, 0, true},     // kernel covers the input
      {1, 2, 4, 4, 2, 1, 3, 3, 1, 1, 1, 1, 3, 0, 0, 3, false},    // pads larger than half kernel
  };
  uint32_t seed = 10;
  for (const Conv2dParams& p : sweep) {
    SCOPED_TRACE(testing::Message()
                 << "case C=" << p.c << " OC=" << p.oc << " g=" << p.group << " k=" << p.kh << "x"
                 << p.kw << " s=" << p.sh << "x" << p.sw << " d=" << p.dh << "x" << p.dw);
    Tensor x = random_tensor({p.n, p.c, p.h, p.w}, seed++);
    Tensor w = random_tensor({p.oc, p.c / p.group, p.kh, p.kw}, seed++);
    Tensor b = random_tensor({p.oc}, seed++);
    const Tensor expected = naive_conv2d(x, w, p.bias ? &b : nullptr, p);
    for (bool constant : {false, true}) {
      OpCase c("Conv", 11);
      c.input(x.clone()).input(w.clone(), constant);
      if (p.bias) c.input(b.clone(), constant);
      c.i("group", p.group)
          .ints("strides", {p.sh, p.sw})
          .ints("dilations", {p.dh, p.dw})
          .ints("pads", {p.pt, p.pl, p.pb, p.pr});
      if (constant) c.ints("kernel_shape", {p.kh, p.kw});
      auto ref = c.run("reference");
      ASSERT_EQ(ref[0].shape(), expected.shape());
      EXPECT_TRUE(all_close(ref[0], expected, 1e-6, 1e-6));
      EXPECT_TRUE(all_close(c.run("im2col")[0], expected, 1e-5, 1e-4));
    }
  }
}

TEST(OpsConv, OneAndThreeDimensional) {
  // 1-D by hand: x = 0..5, w = [1, 2], stride 2, pad 1 at the start.
  auto c1 = conv_case(iota_tensor({1, 1, 6}), Tensor::from_vector<float>({1, 1, 2}, {1, 2}));
  c1.ints("strides", {2}).ints("pads", {1, 0});
  for (const char* algo : {"reference", "im2col"}) {
    auto y = c1.run(algo);
    EXPECT_EQ(y[0].shape(), (Shape{1, 1, 3}));
    EXPECT_TRUE(all_close(y[0], {0 * 1 + 0 * 2, 1 * 1 + 2 * 2, 3 * 1 + 4 * 2}));
  }
  auto c1g = conv_case(random_tensor({2, 6, 17}, 5), random_tensor({9, 2, 3}, 6));
  c1g.input(random_tensor({9}, 7)).i("group", 3).ints("dilations", {2}).ints("pads", {2, 1});
  EXPECT_TRUE(all_close(c1g.run("im2col")[0], c1g.run("reference")[0], 1e-5, 1e-4));

  auto c3 = conv_case(random_tensor({1, 4, 5, 6, 7}, 8), random_tensor({6, 2, 3, 2, 3}, 9));
  c3.i("group", 2).ints("strides", {1, 2, 2}).ints("pads", {1, 0, 1, 1, 1, 0});
  auto ref = c3.run("reference");
  EXPECT_EQ(ref[0].shape(), (Shape{1, 6, 5, 3, 3}));
  EXPECT_TRUE(all_close(c3.run("im2col")[0], ref[0], 1e-5, 1e-4));
  // A 3-D convolution with all-ones weights sums its (unpadded) window.
  auto s3 = conv_case(ones({1, 1, 3, 3, 3}), ones({1, 1, 3, 3, 3}));
  s3.ints("pads", {1, 1, 1, 1, 1, 1});
  auto y3 = s3.run("reference");
  EXPECT_FLOAT_EQ(y3[0].data<float>()[0], 8.0f);    // corner: 2x2x2
  EXPECT_FLOAT_EQ(y3[0].data<float>()[13], 27.0f);  // centre: 3x3x3
}

TEST(OpsConv, WorkspaceAndFlops) {
  const auto& op = *algoscope::Registry::instance().find_op("Conv");
  const auto* im2col = op.find("im2col");
  ASSERT_NE(im2col, nullptr);
  auto c = conv_case(random_tensor({2, 4, 8, 8}, 1), random_tensor({6, 2, 3, 3}, 2));
  c.i("group", 2).ints("pads", {1, 1, 1, 1});
  auto layer = c.layer();
  // One image and group: (C/g * 3*3) rows x (8*8) columns of floats.
  EXPECT_EQ(im2col->workspace(layer), size_t(2 * 9 * 64 * 4));
  EXPECT_DOUBLE_EQ(op.flop_count(layer), 2.0 * 2 * 6 * 64 * 2 * 9);
  auto pw = conv_case(random_tensor({1, 4, 8, 8}, 1), random_tensor({6, 4, 1, 1}, 2));
  EXPECT_EQ(im2col->workspace(pw.layer()), 0u);
  EXPECT_FALSE(im2col->why_not(layer).has_value());
}

TEST(OpsConv, InvalidNodesThrowClearErrors) {
  EXPECT_TRUE(throws_with(
      [] {
        conv_case(random_tensor({1, 3, 5, 5}, 1), random_tensor({2, 4, 3, 3}, 2)).infer();
      },
      "channel mismatch"));
  EXPECT_TRUE(throws_with(
      [] {
        conv_case(random_tensor({1, 3, 5}, 1), random_tensor({2, 3, 3, 3}, 2)).infer();
      },
      "must have the rank of X"));
  EXPECT_TRUE(throws_with(
      [] {
        conv_case(random_tensor({1, 5}, 1), random_tensor({2, 5}, 2)).infer();
      },
      "rank 3 or more"));
  EXPECT_TRUE(throws_with(
      [] {
        auto c = conv_case(random_tensor({1, 4, 5, 5}, 1), random_tensor({3, 2, 3, 3}, 2));
        c.i("group", 2).infer();
      },
      "not divisible by group"));
  EXPECT_TRUE(throws_with(
      [] {
        auto c = conv_case(random_tensor({1, 2, 5, 5}, 1), random_tensor({3, 2, 3, 3}, 2));
        c.input(random_tensor({4}, 3)).infer();
      },
      "bias"));
  EXPECT_TRUE(throws_with(
      [] {
        auto c = conv_case(random_tensor({1, 2, 5, 5}, 1), random_tensor({3, 2, 3, 3}, 2));
        c.ints("kernel_shape", {5, 5}).infer();
      },
      "kernel_shape"));
  EXPECT_TRUE(throws_with(
      [] {
        auto c = conv_case(random_tensor({1, 2, 5, 5}, 1), random_tensor({3, 2, 3, 3}, 2));
        c.ints("pads", {1, 1}).infer();
      },
      "pads has 2 values"));
  EXPECT_TRUE(throws_with(
      [] {
        auto c = conv_case(random_tensor({1, 2, 5, 5}, 1), random_tensor({3, 2, 3, 3}, 2));
        c.str("auto_pad", "SAME").infer();
      },
      "auto_pad"));
  EXPECT_TRUE(throws_with(
      [] {
        conv_case(random_tensor({1, 2, 2, 2}, 1), random_tensor({3, 2, 3, 3}, 2)).infer();
      },
      "larger than the padded input"));
}
