// SMM-Conv (shifted input planes scaled by single weights) against `reference` on the shared Conv
// sweep at every SIMD level this CPU has (AVX-512, AVX2, portable), plus wide rows, channel
// blocks with remainders and the reason for 3-D layers.
#include <gtest/gtest.h>

#include "conv_sweep.h"
#include "cpu_features.h"

using namespace nn_test;
namespace cpu = algoscope::cpu;

using test_support::IsaCap;

TEST(ConvSmm, MatchesReferenceOnWholeSweepAtEveryIsaLevel) {
  expect_whole_sweep_at_every_isa_level("smm");
}

TEST(ConvSmm, WideRowsAndChannelBlocks) {
  // 20 output channels: blocks of 8 (AVX-512) or 4 (AVX2) with a remainder; 45 columns: two full
  // vectors and a masked tail; stride 2 on one axis only.
  for (auto level : {cpu::IsaLevel::Avx512, cpu::IsaLevel::Avx2, cpu::IsaLevel::Portable}) {
    if (level > cpu::detected_level()) continue;
    IsaCap cap(level);
    OpCase c("Conv", 11);
    c.input(random_tensor({2, 6, 11, 45}, 1)).input(random_tensor({20, 6, 3, 5}, 2), true);
    c.input(random_tensor({20}, 3)).ints("pads", {1, 2, 1, 2}).ints("strides", {1, 2});
    EXPECT_TRUE(all_close(c.run("smm")[0], c.run("reference")[0], 1e-4, 1e-3));
    OpCase d("Conv", 11);
    d.input(random_tensor({1, 3, 9, 40}, 4)).input(random_tensor({5, 3, 3, 3}, 5));
    d.ints("dilations", {2, 3}).ints("pads", {2, 3, 2, 3});
    EXPECT_TRUE(all_close(d.run("smm")[0], d.run("reference")[0], 1e-4, 1e-3));
  }
}

TEST(ConvSmm, NoWorkspaceAndReasonFor3d) {
  const auto* algo = algoscope::Registry::instance().find_algorithm("Conv", "smm");
  ASSERT_NE(algo, nullptr);
  OpCase c("Conv", 11);
  c.input(random_tensor({1, 4, 8, 8}, 1)).input(random_tensor({4, 4, 3, 3}, 2));
  EXPECT_EQ(algo->workspace(c.layer()), 0u);
  OpCase c3("Conv", 11);
  c3.input(random_tensor({1, 2, 4, 4, 4}, 3)).input(random_tensor({2, 2, 3, 3, 3}, 4));
  auto why = algo->why_not(c3.layer());
  ASSERT_TRUE(why.has_value());
  EXPECT_NE(why->find("1-D and 2-D"), std::string::npos) << *why;
}
