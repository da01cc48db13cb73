// The separable `direct` Resize against `reference`: every mode (nearest under each nearest_mode,
// linear, cubic with and without exclude_outside and another cubic_coeff_a), every coordinate
// transformation of opset 13 (and opset 11's tf_half_pixel_for_nn), upsampling, downsampling,
// fractional and mixed scales, sizes down to 1, an axis left as it is, tf_crop_and_resize with a
// region reaching outside the input, odd and single-pixel planes, and outputs large enough for
// the OpenMP path; then the layers direct leaves to the reference and why.
#include <gtest/gtest.h>

#include "nn_op_harness.h"

namespace {

using namespace nn_test;

struct Interpolation {
  const char* mode;
  const char* nearest_mode;
  float cubic_a;
  int64_t exclude_outside;
};

const Interpolation kInterpolations[] = {
    {"nearest", "round_prefer_floor", -0.75f, 0},
    {"nearest", "round_prefer_ceil", -0.75f, 0},
    {"nearest", "floor", -0.75f, 0},
    {"nearest", "ceil", -0.75f, 0},
    {"linear", "round_prefer_floor", -0.75f, 0},
    {"cubic", "round_prefer_floor", -0.75f, 0},
    {"cubic", "round_prefer_floor", -0.5f, 1},
};

const char* const kCoordinates[] = {"half_pixel", "pytorch_half_pixel", "align_corners",
                                    "asymmetric", "tf_crop_and_resize"};

struct Geometry {
  Shape x;
  std::vector<float> scales;  // or
  std::vector<int64_t> sizes;
};

const Geometry kGeometries[] = {
    {{1, 1, 1, 1}, {1, 1, 3, 2}, {}},         // one pixel
    {{1, 3, 5, 7}, {1, 1, 2, 2}, {}},         // x2 up, odd planes
    {{2, 3, 9, 4}, {1, 1, 0.5f, 0.5f}, {}},   // x2 down
    {{1, 2, 7, 11}, {1, 1, 1.7f, 0.6f}, {}},  // fractional, H up and W down
    {{1, 2, 6, 5}, {1, 1, 1, 3}, {}},         // H left as it is
    {{1, 2, 13, 3}, {}, {1, 2, 1, 8}},        // to one row
    {{2, 1, 5, 9}, {}, {2, 1, 11, 4}},        // sizes
    {{1, 4, 64, 64}, {1, 1, 2, 2}, {}},       // 64K outputs: the OpenMP path
    {{1, 3, 31, 17}, {}, {1, 3, 64, 47}},     // odd sizes, 2 threads over 192 rows
};

OpCase make(const Geometry& g, const Interpolation& in, const char* coordinates) {
  OpCase c("Resize", 13);
  c.input(random_tensor(g.x, static_cast<uint32_t>(algoscope::shape_numel(g.x)), -2.0f, 2.0f));
  const int64_t rank = static_cast<int64_t>(g.x.size());
  if (std::string(coordinates) == "tf_crop_and_resize")
    // A region that starts inside and ends past the input along H and W: part of the output is
    // extrapolation_value.
    c.input(Tensor::from_vector<float>({2 * rank}, {0, 0, 0.2f, -0.1f, 1, 1, 1.3f, 0.9f}), true);
  else
    c.absent();
  if (!g.scales.empty()) {
    c.input(Tensor::from_vector<float>({rank}, g.scales), true);
  } else {
    c.absent().input(Tensor::from_vector<int64_t>({rank}, g.sizes), true);
  }
  c.str("mode", in.mode).str("nearest_mode", in.nearest_mode);
  c.f("cubic_coeff_a", in.cubic_a).i("exclude_outside", in.exclude_outside);
  c.str("coordinate_transformation_mode", coordinates).f("extrapolation_value", -7.5f);
  return c;
}

TEST(DirectResize, MatchesReferenceInEveryModeAndGeometry) {
  for (const Geometry& g : kGeometries)
    for (const Interpolation& in : kInterpolations)
      for (const char* coordinates : kCoordinates) {
        const OpCase c = make(g, in, coordinates);
        EXPECT_TRUE(direct_is_default_and_matches_reference(c))
            << algoscope::shape_to_string(g.x) << " " << in.mode << " " << in.nearest_mode
            << " a=" << in.cubic_a << " exclude " << in.exclude_outside << " " << coordinates;
      }
}

TEST(DirectResize, NearestIsExact) {
  const OpCase c = make(kGeometries[3], kInterpolations[0], "half_pixel");
  const Tensor direct = c.run("direct")[0], reference = c.run("reference")[0];
  EXPECT_EQ(values(direct), values(reference));
}

TEST(DirectResize, TfHalfPixelForNnAtOpset11) {
  for (const char* rounding : {"round_prefer_floor", "round_prefer_ceil", "floor", "ceil"}) {
    OpCase c("Resize", 11);
    // One channel: tf_half_pixel_for_nn maps i to i + 0.5, which the ceiling modes round to
    // i + 1, so even an axis of unchanged length moves unless it has one element.
    c.input(random_tensor({1, 1, 5, 8}, 3))
        .input(Tensor::from_vector<float>({0}, {}), true)
        .input(Tensor::from_vector<float>({0}, {}), true)
        .input(Tensor::from_vector<int64_t>({4}, {1, 1, 3, 13}), true);
    c.str("coordinate_transformation_mode", "tf_half_pixel_for_nn").str("nearest_mode", rounding);
    EXPECT_TRUE(direct_is_default_and_matches_reference(c)) << rounding;
  }
}

TEST(DirectResize, LeavesOtherLayersToTheReference) {
  auto why_not = [](const OpCase& c) {
    return c.op().find("direct")->why_not(c.layer()).value_or("applies");
  };
  OpCase rank3("Resize", 13);
  rank3.input(random_tensor({2, 5, 7}, 1))
      .absent()
      .input(Tensor::from_vector<float>({3}, {1, 2, 2}), true);
  EXPECT_EQ(why_not(rank3), "the direct kernel resizes 4-D NCHW tensors only");
  OpCase channels("Resize", 13);
  channels.input(random_tensor({1, 2, 4, 4}, 1))
      .absent()
      .input(Tensor::from_vector<float>({4}, {1, 2, 2, 2}), true);
  EXPECT_EQ(why_not(channels),
            "the direct kernel resizes H and W only (N and C must stay as they are)");
  OpCase ints("Resize", 13);
  ints.input(Tensor::from_vector<int64_t>({1, 1, 1, 2}, {1, 2}))
      .absent()
      .input(Tensor::from_vector<float>({4}, {1, 1, 2, 2}), true);
  EXPECT_EQ(why_not(ints), "the direct kernel covers float32 only");
  // Each is still computed, by the reference (the engine's default there).
  for (const OpCase* c : {&rank3, &channels, &ints})
    EXPECT_EQ(algoscope::Registry::instance().default_algorithm(c->layer()).name, "reference");
}

}  // namespace
