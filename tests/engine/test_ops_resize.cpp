// ONNX Resize's semantics beyond ONNX's own node tests (tests/conformance runs those): output
// shapes from scales and sizes across opsets 10 to 19 (opset 11's empty inputs, opset 18's axes
// and keep_aspect_ratio_policy), values where opsets differ (opset 10's floor, opset 19's
// half_pixel_symmetric), any rank and non-float nearest in the reference, and the errors a bad
// node gets, which name the node when a model holding it is run.
#include <gtest/gtest.h>

#include <memory>

#include "algoscope/algoscope.h"
#include "op_test_util.h"
#include "support/onnx_builder.h"

namespace {

using namespace op_test;

Tensor scales(std::vector<float> v) {
  const int64_t n = static_cast<int64_t>(v.size());
  return floats({n}, std::move(v));
}

// Resize(X, roi absent, scales) at opset 13.
OpCase with_scales(Tensor x, std::vector<float> s, const std::string& mode = "nearest") {
  OpCase c("Resize", 13);
  c.input(std::move(x)).absent().constant(scales(std::move(s))).attr("mode", mode);
  return c;
}

// Resize(X, roi absent, scales absent, sizes) at `opset`.
OpCase with_sizes(Tensor x, std::vector<int64_t> sizes, int64_t opset = 13) {
  OpCase c("Resize", opset);
  c.input(std::move(x)).absent().absent().constant(ints(std::move(sizes)));
  return c;
}

TEST(OpsResize, OutputShapeIsTheFloorOfInTimesScale) {
  EXPECT_EQ(with_scales(iota({1, 2, 5, 7}), {1, 1, 2, 0.5f}).infer1().shape, (Shape{1, 2, 10, 3}));
  EXPECT_EQ(with_scales(iota({1, 1, 3, 3}), {1, 1, 1.7f, 0.34f}).infer1().shape,
            (Shape{1, 1, 5, 1}));
  EXPECT_EQ(with_sizes(iota({2, 3, 4}), {2, 5, 9}).infer1().shape, (Shape{2, 5, 9}));
}

TEST(OpsResize, Opset10TakesScalesSecondAndFloorsNearest) {
  OpCase c("Resize", 10);
  c.input(floats({1, 1, 1, 3}, {1, 2, 3})).constant(scales({1, 1, 1, 1.5f}));
  // Asymmetric coordinates x / 1.5 = 0, 0.67, 1.33, 2: the floor takes 0, 0, 1, 2 (opset 11's
  // default round_prefer_floor would take 0, 1, 1, 2).
  EXPECT_EQ(values<float>(c.run1()), (std::vector<float>{1, 1, 2, 3}));
  OpCase cubic("Resize", 10);
  cubic.input(iota({1, 1, 2, 2})).constant(scales({1, 1, 2, 2})).attr("mode", std::string("cubic"));
  EXPECT_TRUE(throws_with([&] { cubic.infer(); }, "cubic needs opset 11"));
}

TEST(OpsResize, Opset11EmptyRoiAndScalesMeanSizes) {
  OpCase c("Resize", 11);
  c.input(floats({1, 1, 2, 2}, {1, 2, 3, 4}))
      .constant(floats({0}, {}))
      .constant(floats({0}, {}))
      .constant(ints({1, 1, 4, 4}));
  EXPECT_EQ(c.infer1().shape, (Shape{1, 1, 4, 4}));
  // half_pixel nearest, round_prefer_floor: x = (i + 0.5) / 2 - 0.5 = -0.25, 0.25, 0.75, 1.25.
  EXPECT_EQ(values<float>(c.run1()),
            (std::vector<float>{1, 1, 2, 2, 1, 1, 2, 2, 3, 3, 4, 4, 3, 3, 4, 4}));
}

TEST(OpsResize, Opset18AxesAndKeepAspectRatio) {
  OpCase c("Resize", 18);
  c.input(iota({1, 2, 4, 6}))
      .absent()
      .constant(scales({0.5f, 2}))
      .attr("axes", std::vector<int64_t>{-1, 2});
  EXPECT_EQ(c.infer1().shape, (Shape{1, 2, 8, 3}));
  // not_larger: one scale min(3/4, 9/6) = 0.75 for both axes, lengths 3 and round(4.5) = 5.
  OpCase smaller = with_sizes(iota({1, 1, 4, 6}), {3, 9}, 18);
  smaller.attr("axes", std::vector<int64_t>{2, 3})
      .attr("keep_aspect_ratio_policy", std::string("not_larger"));
  EXPECT_EQ(smaller.infer1().shape, (Shape{1, 1, 3, 5}));
  OpCase larger = with_sizes(iota({1, 1, 4, 6}), {3, 9}, 18);
  larger.attr("axes", std::vector<int64_t>{2, 3})
      .attr("keep_aspect_ratio_policy", std::string("not_smaller"));
  EXPECT_EQ(larger.infer1().shape, (Shape{1, 1, 6, 9}));
  larger.run();  // every algorithm agrees
}

TEST(OpsResize, Opset19HalfPixelSymmetric) {
  // ONNX's test_resize_downsample_scales_linear_half_pixel_symmetric (opset 19).
  OpCase c("Resize", 19);
  c.input(floats({1, 1, 1, 4}, {1, 2, 3, 4}))
      .absent()
      .constant(scales({1, 1, 1, 0.6f}))
      .attr("mode", std::string("linear"))
      .attr("coordinate_transformation_mode", std::string("half_pixel_symmetric"));
  const Tensor y = c.run1();
  ASSERT_EQ(y.shape(), (Shape{1, 1, 1, 2}));
  EXPECT_NEAR(y.data<float>()[0], 1.6666666f, 1e-6);
  EXPECT_NEAR(y.data<float>()[1], 3.3333333f, 1e-6);
  OpCase old("Resize", 18);
  old.input(iota({1, 1, 1, 4})).absent().constant(scales({1, 1, 1, 0.6f}));
  old.attr("coordinate_transformation_mode", std::string("half_pixel_symmetric"));
  EXPECT_TRUE(throws_with([&] { old.infer(); }, "half_pixel_symmetric needs opset 19"));
}

TEST(OpsResize, ReferenceResizesAnyRankAndNearestAnyType) {
  // Rank 1, linear, align_corners: 0, 1.5, 3 over [0, 2, 4, 6].
  OpCase line = with_scales(floats({4}, {0, 2, 4, 6}), {0.75f}, "linear");
  line.attr("coordinate_transformation_mode", std::string("align_corners"));
  // align_corners uses in * scale = 3 as the output length: x = i * 3 / 2.
  EXPECT_EQ(values<float>(line.run1()), (std::vector<float>{0, 3, 6}));
  // Rank 5, depth resized.
  OpCase volume = with_scales(iota({1, 2, 3, 2, 2}), {1, 1, 2, 1, 1}, "linear");
  const Tensor y = volume.run1();
  ASSERT_EQ(y.shape(), (Shape{1, 2, 6, 2, 2}));
  // Depth 3 -> 6, half_pixel: x = -0.25 (edge), 0.25, 0.75, 1.25, 1.75, 2.25 (edge); the input
  // steps by 4 along depth.
  const float expected_depth[] = {0, 1, 3, 5, 7, 8};
  for (int d = 0; d < 6; ++d) EXPECT_FLOAT_EQ(y.data<float>()[d * 4], expected_depth[d]) << d;
  // Nearest copies int64 elements.
  OpCase ints64("Resize", 13);
  ints64.input(int64s({1, 3}, {7, -8, 9})).absent().constant(scales({1, 2}));
  EXPECT_EQ(values<int64_t>(ints64.run1()), (std::vector<int64_t>{7, 7, -8, -8, 9, 9}));
  // tf_crop_and_resize past the input writes extrapolation_value, truncated and clamped into an
  // integer type (-7.5 is -7 as int64, 0 as uint8).
  auto cropped = [](Tensor x) {
    OpCase c("Resize", 13);
    c.input(std::move(x))
        .constant(floats({4}, {0, 0.5f, 1, 1.5f}))
        .absent()
        .constant(ints({1, 3}))
        .attr("coordinate_transformation_mode", std::string("tf_crop_and_resize"))
        .attr("extrapolation_value", -7.5f);
    return c.run1();
  };
  // Columns 0.5 * 2 + i * 2 / 2 = 1, 2, 3 of a 3-wide row: the last is outside.
  EXPECT_EQ(values<int64_t>(cropped(int64s({1, 3}, {4, 5, 6}))), (std::vector<int64_t>{5, 6, -7}));
  EXPECT_EQ(values<uint8_t>(cropped(tensor<uint8_t>({1, 3}, {4, 5, 6}))),
            (std::vector<uint8_t>{5, 6, 0}));
}

TEST(OpsResize, PytorchHalfPixelToOneElementTakesTheFirst) {
  OpCase c = with_sizes(floats({1, 1, 1, 4}, {5, 6, 7, 8}), {1, 1, 1, 1});
  c.attr("mode", std::string("linear"))
      .attr("coordinate_transformation_mode", std::string("pytorch_half_pixel"));
  EXPECT_EQ(values<float>(c.run1()), (std::vector<float>{5}));
}

TEST(OpsResize, FlopsCountTapsOfResizedAxes) {
  // Linear over H and W of a 1x3x8x8 output: 2 axes x 2 taps x (multiply + add) per element.
  EXPECT_DOUBLE_EQ(with_scales(iota({1, 3, 4, 4}), {1, 1, 2, 2}, "linear").flops(),
                   2.0 * 2 * 2 * 3 * 64);
  EXPECT_DOUBLE_EQ(with_scales(iota({1, 3, 4, 4}), {1, 1, 2, 2}).flops(), 0.0);
}

TEST(OpsResize, InvalidNodesThrow) {
  auto infer_fails = [](OpCase c, const std::string& part) {
    return throws_with([&] { c.infer(); }, part);
  };
  OpCase both("Resize", 13);
  both.input(iota({1, 1, 2, 2}))
      .absent()
      .constant(scales({1, 1, 2, 2}))
      .constant(ints({1, 1, 4, 4}));
  EXPECT_TRUE(infer_fails(both, "give scales or sizes, not both"));
  OpCase neither("Resize", 13);
  neither.input(iota({1, 1, 2, 2}));
  EXPECT_TRUE(infer_fails(neither, "needs scales or sizes"));
  EXPECT_TRUE(
      infer_fails(with_scales(iota({1, 1, 2, 2}), {2, 2}), "scales has 2 values; it needs 4"));
  EXPECT_TRUE(
      infer_fails(with_sizes(iota({1, 1, 2, 2}), {1, 4, 4}), "sizes has 3 values; it needs 4"));
  EXPECT_TRUE(infer_fails(with_scales(iota({1, 1, 2, 2}), {1, 1, 0, 2}),
                          "scales must be positive, axis 2 has 0"));
  EXPECT_TRUE(infer_fails(with_scales(iota({1, 1, 2, 2}), {1, 1, -2, 2}), "must be positive"));
  EXPECT_TRUE(
      infer_fails(with_sizes(iota({1, 1, 2, 2}), {1, 1, -3, 2}), "sizes must not be negative"));
  OpCase runtime_scales("Resize", 13);
  runtime_scales.input(iota({1, 1, 2, 2})).absent().input(scales({1, 1, 2, 2}));
  EXPECT_TRUE(infer_fails(runtime_scales, "scales input must be a constant"));
  OpCase antialias = with_scales(iota({1, 1, 4, 4}), {1, 1, 0.5f, 0.5f}, "linear");
  antialias.attr("antialias", int64_t{1});
  EXPECT_NO_THROW(antialias.infer());  // opset 13 has no such attribute
  OpCase antialias18("Resize", 18);
  antialias18.input(iota({1, 1, 4, 4})).absent().constant(scales({1, 1, 0.5f, 0.5f}));
  antialias18.attr("antialias", int64_t{1});
  EXPECT_TRUE(infer_fails(antialias18,
                          "antialias=1 (a widened kernel when downsampling) is not "
                          "implemented"));
  OpCase tf_nn = with_scales(iota({1, 1, 2, 2}), {1, 1, 2, 2});
  tf_nn.attr("coordinate_transformation_mode", std::string("tf_half_pixel_for_nn"));
  EXPECT_TRUE(infer_fails(tf_nn, "tf_half_pixel_for_nn was removed in opset 13"));
  OpCase bad_mode = with_scales(iota({1, 1, 2, 2}), {1, 1, 2, 2}, "bilinear");
  EXPECT_TRUE(infer_fails(bad_mode, "mode 'bilinear' is not one of nearest, linear, cubic"));
  OpCase bad_rounding = with_scales(iota({1, 1, 2, 2}), {1, 1, 2, 2});
  bad_rounding.attr("nearest_mode", std::string("up"));
  EXPECT_TRUE(infer_fails(bad_rounding, "nearest_mode 'up'"));
  EXPECT_TRUE(infer_fails(with_scales(int64s({1, 2}, {1, 2}), {1, 2}, "linear"),
                          "interpolate float32 only"));
  OpCase crop_roi("Resize", 13);
  crop_roi.input(iota({1, 1, 4, 4}))
      .constant(floats({4}, {0, 0, 1, 1}))
      .constant(scales({1, 1, 1, 1}));
  crop_roi.attr("coordinate_transformation_mode", std::string("tf_crop_and_resize"));
  EXPECT_TRUE(infer_fails(crop_roi, "roi has 4 values; it needs 8"));
}

// Issue 19: a bad Resize in a model is reported with the node's name when the model is compiled.
TEST(OpsResize, BadNodeInAModelNamesTheNode) {
  onnx_builder::ModelBuilder b("bad_resize");
  b.input("x", {1, 1, 4, 4});
  b.initializer("scales", {4}, {1, 1, 2, 2});
  b.int64_initializer("sizes", {4}, {1, 1, 8, 8});
  b.node("Resize", {"x", "", "scales", "sizes"}, {"y"}, "decoder/up1").s("mode", "linear");
  b.output("y");
  auto model = std::make_shared<const algoscope::Model>(
      algoscope::load_model_from_bytes(b.bytes(), "bad_resize.onnx"));
  EXPECT_TRUE(throws_with(
      [&] { algoscope::Session(model, algoscope::Plan::for_model(*model), {.threads = 1}); },
      "node 'decoder/up1' (Resize): Resize: give scales or sizes, not both"));
}

}  // namespace
