// LayerNormalization, InstanceNormalization and GroupNormalization: the reference against the
// ONNX formulas written out by hand (Mean and InvStdDev included), shape inference (the
// statistics' shapes for every axis), GroupNormalization's opset 18 per-group and opset 21
// per-channel parameters, and bad nodes (Scale of the wrong shape, axis out of range, groups that
// do not divide the channels) refused with an Error that names what is wrong, and, through the
// loader, the node.
#include <gtest/gtest.h>

#include <cmath>
#include <memory>

#include "algoscope/algoscope.h"
#include "nn_op_harness.h"
#include "support/onnx_builder.h"

namespace {

using namespace nn_test;

// y = (x - mean) / sqrt(var + eps) * scale[p(i)] + bias[p(i)] over rows of `length`, in double.
std::vector<float> standardized(const Tensor& x, int64_t length, double eps,
                                const std::function<double(int64_t row, int64_t i)>& scale,
                                const std::function<double(int64_t row, int64_t i)>& bias) {
  std::vector<float> y(static_cast<size_t>(x.numel()));
  const float* v = x.data<float>();
  for (int64_t r = 0; r < x.numel() / length; ++r) {
    double mean = 0, var = 0;
    for (int64_t i = 0; i < length; ++i) mean += v[r * length + i];
    mean /= double(length);
    for (int64_t i = 0; i < length; ++i) var += std::pow(v[r * length + i] - mean, 2);
    var /= double(length);
    for (int64_t i = 0; i < length; ++i)
      y[size_t(r * length + i)] =
          float((v[r * length + i] - mean) / std::sqrt(var + eps) * scale(r, i) + bias(r, i));
  }
  return y;
}

TEST(OpsLayerNorm, MatchesFormulaWithMeanAndInvStdDev) {
  OpCase c("LayerNormalization", 17);
  c.input(Tensor::from_vector<float>({2, 3}, {1, 2, 6, -1, -1, -1}));
  c.input(Tensor::from_vector<float>({3}, {1, 2, 3}), true);
  c.input(Tensor::from_vector<float>({3}, {0, 1, 0}), true);
  c.outputs({"y", "mean", "inv_std"}).f("epsilon", 0.5f);
  const auto out = c.run("reference");
  ASSERT_EQ(out.size(), 3u);
  EXPECT_EQ(out[1].shape(), (Shape{2, 1}));
  EXPECT_EQ(out[2].shape(), (Shape{2, 1}));
  // Row 0: mean 3, var (4 + 1 + 9) / 3 = 14/3; row 1: mean -1, var 0, so y = B.
  const double inv0 = 1.0 / std::sqrt(14.0 / 3 + 0.5), inv1 = 1.0 / std::sqrt(0.5);
  EXPECT_TRUE(all_close(out[0],
                        {float(-2 * inv0), float(-1 * inv0 * 2 + 1), float(3 * inv0 * 3), 0, 1, 0},
                        1e-6, 1e-6));
  EXPECT_TRUE(all_close(out[1], {3, -1}, 1e-6, 1e-6));
  EXPECT_TRUE(all_close(out[2], {float(inv0), float(inv1)}, 1e-6, 1e-6));
}

TEST(OpsLayerNorm, StatisticsShapesFollowTheAxis) {
  for (int64_t axis : {0, 1, 2, 3, -1, -2, -3, -4}) {
    OpCase c("LayerNormalization", 17);
    const Shape x{2, 3, 4, 5};
    const int64_t a = axis < 0 ? axis + 4 : axis;
    c.input(random_tensor(x, 1)).input(random_tensor(Shape(x.begin() + a, x.end()), 2));
    c.outputs({"y", "mean", "inv_std"}).i("axis", axis);
    const auto info = c.infer();
    ASSERT_EQ(info.size(), 3u);
    EXPECT_EQ(info[0].shape, x);
    Shape stats(x.begin(), x.begin() + a);
    stats.resize(4, 1);
    EXPECT_EQ(info[1].shape, stats) << "axis " << axis;
    EXPECT_EQ(info[2].shape, stats) << "axis " << axis;
  }
  // Only the outputs the node names; the default axis is the last.
  OpCase c("LayerNormalization", 17);
  c.input(random_tensor({2, 3}, 1)).input(random_tensor({3}, 2));
  EXPECT_EQ(c.infer().size(), 1u);
}

TEST(OpsLayerNorm, BroadcastScaleAndMissingBias) {
  const Tensor x = random_tensor({3, 2, 4}, 3);
  OpCase c("LayerNormalization", 17);
  c.input(x.clone()).input(Tensor::from_vector<float>({1, 4}, {1, 2, 3, 4})).i("axis", 1);
  const auto y = c.run("reference");
  EXPECT_TRUE(all_close(y[0],
                        standardized(
                            x, 8, 1e-5, [](int64_t, int64_t i) { return double(i % 4 + 1); },
                            [](int64_t, int64_t) { return 0.0; }),
                        1e-6, 1e-5));
}

TEST(OpsLayerNorm, BadNodesThrow) {
  auto make = [](Shape scale, int64_t axis) {
    OpCase c("LayerNormalization", 17);
    c.input(random_tensor({2, 3, 8}, 1)).input(random_tensor(scale, 2)).i("axis", axis);
    return c;
  };
  EXPECT_TRUE(throws_with([&] { make({7}, -1).infer(); },
                          "Scale must have shape 8 (or one that broadcasts to it)"));
  EXPECT_TRUE(throws_with([&] { make({3}, 1).infer(); }, "Scale must have shape 3x8"));
  EXPECT_EQ(make({8}, 1).infer().size(), 1u);  // [8] broadcasts over the 3 rows of 3x8
  EXPECT_TRUE(throws_with([&] { make({8}, 3).infer(); }, "axis 3 is out of range for rank 3"));
  EXPECT_TRUE(throws_with([&] { make({8}, -4).infer(); }, "out of range"));
  EXPECT_TRUE(throws_with([&] { make({8}, -1).i("stash_type", 11).infer(); }, "stash_type 11"));
  EXPECT_TRUE(throws_with(
      [] {
        OpCase c("LayerNormalization", 17);
        c.input(random_tensor({2, 8}, 1)).input(random_tensor({8}, 2)).input(random_tensor({2}, 3));
        c.infer();
      },
      "input B must have shape 8"));
  EXPECT_TRUE(throws_with(
      [] {
        OpCase c("LayerNormalization", 17);
        c.input(random_tensor({2, 8}, 1));
        c.infer();
      },
      "needs input Scale"));
}

// Through the loader: the node is kept for viewing, and compiling a session names it.
TEST(OpsLayerNorm, ModelWithBadScaleNamesTheNode) {
  onnx_builder::ModelBuilder b("bad_layer_norm", 17);
  b.input("x", {1, 4, 8});
  b.initializer("scale", {6}, onnx_builder::random_floats(6, 1));
  b.node("LayerNormalization", {"x", "scale"}, {"y"}, "encoder/ln_1");
  b.output("y");
  auto model = std::make_shared<const algoscope::Model>(
      algoscope::load_model_from_bytes(b.bytes(), "bad_layer_norm.onnx"));
  EXPECT_TRUE(throws_with(
      [&] { algoscope::Session(model, algoscope::Plan::for_model(*model), {.threads = 1}); },
      "node 'encoder/ln_1' (LayerNormalization): LayerNormalization input Scale must have "
      "shape 8"));
}

TEST(OpsInstanceNorm, MatchesFormulaPerChannelPlane) {
  const Tensor x = random_tensor({2, 3, 4, 5}, 4, -2.0f, 5.0f);
  const Tensor s = random_tensor({3}, 5), b = random_tensor({3}, 6);
  OpCase c("InstanceNormalization", 6);
  c.input(x.clone()).input(s.clone(), true).input(b.clone(), true).f("epsilon", 1e-2f);
  const auto y = c.run("reference");
  EXPECT_TRUE(all_close(
      y[0],
      standardized(
          x, 20, double(1e-2f), [&](int64_t r, int64_t) { return double(s.data<float>()[r % 3]); },
          [&](int64_t r, int64_t) { return double(b.data<float>()[r % 3]); }),
      1e-6, 1e-5));
  EXPECT_TRUE(throws_with(
      [] {
        OpCase bad("InstanceNormalization", 6);
        bad.input(random_tensor({1, 3, 4}, 1)).input(random_tensor({4}, 2));
        bad.input(random_tensor({3}, 3)).infer();
      },
      "scale must have shape 3 (one per channel), got 4"));
  EXPECT_TRUE(throws_with(
      [] {
        OpCase bad("InstanceNormalization", 6);
        bad.input(random_tensor({1, 3}, 1)).input(random_tensor({3}, 2));
        bad.input(random_tensor({3}, 3)).infer();
      },
      "rank 3 or more"));
}

TEST(OpsGroupNorm, Opset18ScalesPerGroupAndOpset21PerChannel) {
  const Tensor x = random_tensor({2, 6, 3, 2}, 7, -1.0f, 3.0f);  // 6 channels of 3x2
  const int64_t groups = 3, length = 2 * 6;                      // 2 channels per group
  const Tensor per_group = random_tensor({3}, 8), group_bias = random_tensor({3}, 9);
  OpCase g18("GroupNormalization", 18);
  g18.input(x.clone()).input(per_group.clone(), true).input(group_bias.clone(), true);
  g18.i("num_groups", groups).f("epsilon", 1e-3f);
  EXPECT_TRUE(all_close(
      g18.run("reference")[0],
      standardized(
          x, length, double(1e-3f),
          [&](int64_t r, int64_t) { return double(per_group.data<float>()[r % groups]); },
          [&](int64_t r, int64_t) { return double(group_bias.data<float>()[r % groups]); }),
      1e-6, 1e-5));

  const Tensor per_channel = random_tensor({6}, 10), channel_bias = random_tensor({6}, 11);
  OpCase g21("GroupNormalization", 21);
  g21.input(x.clone()).input(per_channel.clone(), true).input(channel_bias.clone(), true);
  g21.i("num_groups", groups).f("epsilon", 1e-3f);
  auto channel = [&](int64_t r, int64_t i) { return (r % groups) * 2 + i / 6; };
  EXPECT_TRUE(all_close(
      g21.run("reference")[0],
      standardized(
          x, length, double(1e-3f),
          [&](int64_t r, int64_t i) { return double(per_channel.data<float>()[channel(r, i)]); },
          [&](int64_t r, int64_t i) { return double(channel_bias.data<float>()[channel(r, i)]); }),
      1e-6, 1e-5));
}

// One group per channel at opset 21 is InstanceNormalization.
TEST(OpsGroupNorm, OneGroupPerChannelIsInstanceNorm) {
  const Tensor x = random_tensor({2, 4, 5, 3}, 12);
  const Tensor s = random_tensor({4}, 13), b = random_tensor({4}, 14);
  OpCase group("GroupNormalization", 21), instance("InstanceNormalization", 6);
  group.input(x.clone()).input(s.clone()).input(b.clone()).i("num_groups", 4);
  instance.input(x.clone()).input(s.clone()).input(b.clone());
  for (const char* algorithm : {"reference", "direct"})
    EXPECT_TRUE(all_close(group.run(algorithm)[0], instance.run("reference")[0], 1e-6, 1e-5))
        << algorithm;
}

TEST(OpsGroupNorm, BadNodesThrow) {
  auto make = [](int64_t opset, int64_t groups, int64_t params) {
    OpCase c("GroupNormalization", opset);
    c.input(random_tensor({1, 6, 4}, 1)).input(random_tensor({params}, 2));
    c.input(random_tensor({params}, 3)).i("num_groups", groups);
    return c;
  };
  EXPECT_EQ(make(18, 3, 3).infer().size(), 1u);
  EXPECT_EQ(make(21, 3, 6).infer().size(), 1u);
  EXPECT_TRUE(throws_with([&] { make(18, 4, 4).infer(); },
                          "num_groups 4 must divide the 6 channels of X 1x6x4"));
  EXPECT_TRUE(throws_with([&] { make(18, 3, 6).infer(); },
                          "scale must have shape 3 (one per group before opset 21), got 6"));
  EXPECT_TRUE(throws_with([&] { make(21, 3, 3).infer(); },
                          "scale must have shape 6 (one per channel from opset 21), got 3"));
  EXPECT_TRUE(throws_with(
      [] {
        OpCase c("GroupNormalization", 18);
        c.input(random_tensor({1, 6, 4}, 1)).input(random_tensor({3}, 2));
        c.input(random_tensor({3}, 3)).infer();
      },
      "needs the num_groups attribute"));
}

}  // namespace
