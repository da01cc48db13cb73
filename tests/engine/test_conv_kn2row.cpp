// kn2row (accumulating, one 1x1 GEMM per tap and a shifted add) against `reference` on the shared
// Conv sweep, 1-D layers, its workspace formula and its reason for 3-D layers.
#include <gtest/gtest.h>

#include "conv_sweep.h"

using namespace nn_test;

TEST(ConvKn2row, MatchesReferenceOnSweep) {
  // kn2row handles every 1-D and 2-D layer: all cases must be applicable.
  const algoscope::SweepReport report = conv_sweep_report("kn2row");
  EXPECT_EQ(report.applicable, report.layers);  // every layer of the sweep
}

TEST(ConvKn2row, OneDimensionalAndLargerLayers) {
  OpCase c1("Conv", 11);
  c1.input(random_tensor({2, 6, 17}, 5)).input(random_tensor({9, 2, 3}, 6), true);
  c1.input(random_tensor({9}, 7)).i("group", 3).ints("dilations", {2}).ints("pads", {2, 1});
  EXPECT_TRUE(all_close(c1.run("kn2row")[0], c1.run("reference")[0], 1e-4, 1e-3));
  // A stride-2, odd-sized layer with enough channels for OpenBLAS's blocked paths.
  OpCase c2("Conv", 11);
  c2.input(random_tensor({1, 40, 19, 23}, 8)).input(random_tensor({24, 40, 3, 3}, 9), true);
  c2.ints("strides", {2, 2}).ints("pads", {1, 0, 0, 1});
  EXPECT_TRUE(all_close(c2.run("kn2row")[0], c2.run("reference")[0], 1e-4, 1e-3));
}

TEST(ConvKn2row, WorkspaceAndNotApplicable) {
  const auto& op = *algoscope::Registry::instance().find_op("Conv");
  const auto* algo = op.find("kn2row");
  ASSERT_NE(algo, nullptr);
  OpCase c("Conv", 11);
  c.input(random_tensor({2, 4, 8, 10}, 1)).input(random_tensor({6, 2, 3, 3}, 2), true);
  c.i("group", 2).ints("pads", {1, 1, 1, 1});
  // One temporary of OC/g x H*W floats; the tap slices live in the kernel when W is constant.
  EXPECT_EQ(algo->workspace(c.layer()), size_t(3 * 80 * 4));
  OpCase r("Conv", 11);
  r.input(random_tensor({2, 4, 8, 10}, 1)).input(random_tensor({6, 2, 3, 3}, 2));
  r.i("group", 2).ints("pads", {1, 1, 1, 1});
  EXPECT_EQ(algo->workspace(r.layer()), size_t((3 * 80 + 6 * 2 * 9) * 4));
  OpCase c3("Conv", 11);
  c3.input(random_tensor({1, 2, 4, 4, 4}, 3)).input(random_tensor({2, 2, 3, 3, 3}, 4));
  auto why = algo->why_not(c3.layer());
  ASSERT_TRUE(why.has_value());
  EXPECT_NE(why->find("3 spatial axes"), std::string::npos) << *why;
}
