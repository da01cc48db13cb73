// The vectorized `direct` LayerNormalization, InstanceNormalization and GroupNormalization against
// `reference` at every instruction-set level this CPU runs (AVX-512, AVX2, portable): rows whose
// length is not a multiple of the vector width, every axis (first, last, negative), a large
// epsilon, a broadcast Scale, no B, inputs whose mean is large against their spread, and sizes on
// both sides of the threading threshold; Mean and InvStdDev too.
#include <gtest/gtest.h>

#include "nn_op_harness.h"
#include "support/isa_cap.h"

namespace {

using namespace nn_test;

// Runs `c` with direct at each level and with reference; every output must agree within direct's
// tolerance (relative to the output's magnitude, as the engine's checks measure it).
void expect_direct_matches_reference(const OpCase& c, const std::string& what) {
  const algoscope::Algorithm* direct = c.op().find("direct");
  ASSERT_NE(direct, nullptr);
  EXPECT_EQ(algoscope::Registry::instance().default_algorithm(c.layer()).name, "direct");
  const auto want = c.run("reference");
  for (algoscope::cpu::IsaLevel level : test_support::runnable_isa_levels()) {
    test_support::IsaCap cap(level);
    const auto got = c.run("direct");
    ASSERT_EQ(got.size(), want.size());
    for (size_t k = 0; k < got.size(); ++k) {
      double scale = 1.0;
      for (float v : values(want[k])) scale = std::max(scale, double(std::fabs(v)));
      EXPECT_TRUE(
          all_close(got[k], want[k], direct->tolerance.atol * scale, direct->tolerance.rtol))
          << what << ", output " << k << ", " << algoscope::cpu::level_name(level);
    }
  }
}

void layer_norm(Shape shape, int64_t axis, float epsilon = 1e-5f, bool bias = true,
                float offset = 0.0f, Shape scale_shape = {}) {
  const int64_t rank = static_cast<int64_t>(shape.size());
  const int64_t a = axis < 0 ? axis + rank : axis;
  const Shape normalized(shape.begin() + a, shape.end());
  OpCase c("LayerNormalization", 17);
  const auto seed = static_cast<uint32_t>(algoscope::shape_numel(shape) + a);
  c.input(random_tensor(shape, seed, offset - 3.0f, offset + 3.0f));
  c.input(random_tensor(scale_shape.empty() ? normalized : scale_shape, seed + 1), true);
  if (bias) c.input(random_tensor(normalized, seed + 2), true);
  c.i("axis", axis).f("epsilon", epsilon).outputs({"y", "mean", "inv_std"});
  expect_direct_matches_reference(c, "LayerNormalization " + algoscope::shape_to_string(shape) +
                                         " axis " + std::to_string(axis));
}

TEST(DirectRowNorm, LayerNormOverShapesAndAxes) {
  const Shape shapes[] = {{7}, {3, 5}, {2, 3, 17}, {2, 3, 4, 5}, {1, 1, 33}, {4, 31, 19}};
  for (const Shape& s : shapes)
    for (int64_t axis = -static_cast<int64_t>(s.size()); axis < static_cast<int64_t>(s.size());
         ++axis)
      layer_norm(s, axis);
}

TEST(DirectRowNorm, LayerNormTransformerRowsAndLargeTensors) {
  layer_norm({1, 197, 768}, -1);  // ViT-B/16: above the threading threshold
  layer_norm({3, 50, 1000}, 2);   // rows of 1000: not a multiple of 16
  layer_norm({2, 1, 70000}, -1);  // two long rows, one per thread
  layer_norm({1, 1, 70001}, 1);   // one row longer than the threshold: single-threaded
}

TEST(DirectRowNorm, LayerNormEpsilonBiasScaleAndOffset) {
  layer_norm({4, 33}, -1, 10.0f);                         // epsilon larger than the variance
  layer_norm({4, 33}, 1, 1e-5f, false);                   // no B
  layer_norm({4, 3, 11}, 1, 1e-5f, true, 0.0f, {1, 11});  // Scale broadcast over a dimension
  layer_norm({4, 3, 11}, -2, 1e-5f, true, 0.0f, {1});     // one Scale for all
  layer_norm({8, 100}, -1, 1e-5f, true, 50.0f);           // mean 50, spread 3
}

TEST(DirectRowNorm, InstanceNormOverShapes) {
  const Shape shapes[] = {{1, 1, 1}, {2, 3, 17}, {2, 3, 5, 7}, {1, 4, 2, 3, 5}, {2, 64, 33, 31}};
  for (const Shape& s : shapes) {
    for (float epsilon : {1e-5f, 4.0f}) {
      OpCase c("InstanceNormalization", 6);
      const auto seed = static_cast<uint32_t>(algoscope::shape_numel(s));
      c.input(random_tensor(s, seed, -1.0f, 4.0f)).input(random_tensor({s[1]}, seed + 1), true);
      c.input(random_tensor({s[1]}, seed + 2), true).f("epsilon", epsilon);
      expect_direct_matches_reference(c, "InstanceNormalization " + algoscope::shape_to_string(s));
    }
  }
}

TEST(DirectRowNorm, GroupNormBothOpsetsOverShapesAndGroups) {
  struct Case {
    Shape shape;
    int64_t groups;
  };
  const Case cases[] = {{{2, 6, 5, 7}, 1},    {{2, 6, 5, 7}, 2}, {{2, 6, 5, 7}, 3},
                        {{2, 6, 5, 7}, 6},    {{1, 4, 9}, 2},    {{3, 8}, 4},
                        {{2, 64, 32, 33}, 32}};
  for (int64_t opset : {18, 21})
    for (const Case& k : cases) {
      const int64_t params = opset >= 21 ? k.shape[1] : k.groups;
      const auto seed = static_cast<uint32_t>(algoscope::shape_numel(k.shape) + k.groups);
      OpCase c("GroupNormalization", opset);
      c.input(random_tensor(k.shape, seed, -2.0f, 2.0f));
      c.input(random_tensor({params}, seed + 1), true).input(random_tensor({params}, seed + 2));
      c.i("num_groups", k.groups).f("epsilon", 1e-4f);
      expect_direct_matches_reference(c, "GroupNormalization opset " + std::to_string(opset) + " " +
                                             algoscope::shape_to_string(k.shape) + " / " +
                                             std::to_string(k.groups));
    }
}

}  // namespace
