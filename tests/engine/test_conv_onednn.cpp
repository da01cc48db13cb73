// oneDNN as a provider: its three convolution variants run the shared Conv sweep against
// `reference`, and its Winograd variant explains where it does not apply.
#include <gtest/gtest.h>

#include "conv_sweep.h"

using namespace nn_test;

namespace {

bool has_onednn() { return algoscope::Registry::instance().find_algorithm("Conv", "onednn_auto"); }

TEST(ConvOnednn, DirectAndAutoMatchReferenceOnTheSweep) {
  if (!has_onednn()) GTEST_SKIP() << "built without oneDNN";
  EXPECT_GT(run_conv_sweep("onednn_direct", 2), 50);
  EXPECT_GT(run_conv_sweep("onednn_auto", 3), 30);
}

TEST(ConvOnednn, WinogradAppliesTo3x3Stride1AndSaysWhyNotElsewhere) {
  if (!has_onednn()) GTEST_SKIP() << "built without oneDNN";
  const auto* winograd = algoscope::Registry::instance().find_algorithm("Conv", "onednn_winograd");
  auto layer_for = [](int64_t k, int64_t stride) {
    OpCase c("Conv", 11);
    c.input(random_tensor({1, 32, 14, 14}, 1)).input(random_tensor({32, 32, k, k}, 2), true);
    c.ints("strides", {stride, stride}).ints("pads", {k / 2, k / 2, k / 2, k / 2});
    return c;
  };
  OpCase five = layer_for(5, 1);
  algoscope::Layer l5 = five.layer();
  l5.outputs = five.infer();
  auto why = winograd->why_not(l5);
  ASSERT_TRUE(why.has_value());
  EXPECT_NE(why->find("Winograd"), std::string::npos) << *why;
  __builtin_cpu_init();
  if (!__builtin_cpu_supports("avx512f")) GTEST_SKIP() << "oneDNN's Winograd needs AVX-512";
  OpCase three = layer_for(3, 1);
  algoscope::Layer l3 = three.layer();
  l3.outputs = three.infer();
  ASSERT_FALSE(winograd->why_not(l3).has_value());
  EXPECT_TRUE(all_close(three.run("onednn_winograd")[0], three.run("reference")[0],
                        winograd->tolerance.atol, winograd->tolerance.rtol));
}

}  // namespace
