// Implicit GEMM through an indirection buffer against `reference`: the shared Conv sweep at every
// SIMD level, a layer deep enough to need several 256-row panels and wide enough for several
// pixel tiles, its workspace formula and its reason for 3-D layers.
#include <gtest/gtest.h>
#include <omp.h>

#include "conv_sweep.h"
#include "cpu_features.h"

using namespace nn_test;
namespace cpu = algoscope::cpu;

using test_support::IsaCap;

TEST(ConvImplicitGemm, MatchesReferenceOnWholeSweepAtEveryIsaLevel) {
  expect_whole_sweep_at_every_isa_level("implicit_gemm");
}

TEST(ConvImplicitGemm, DeepAndWideLayer) {
  // K = 40 * 9 = 360: two depth panels; OC = 20: an 8-row remainder panel; 21x23 = 483 pixels:
  // several tiles and a partial last panel.
  for (auto level : {cpu::IsaLevel::Avx512, cpu::IsaLevel::Avx2}) {
    if (level > cpu::detected_level()) continue;
    IsaCap cap(level);
    for (bool constant : {true, false}) {
      OpCase c("Conv", 11);
      c.input(random_tensor({2, 40, 21, 23}, 1)).input(random_tensor({20, 40, 3, 3}, 2), constant);
      c.input(random_tensor({20}, 3)).ints("pads", {1, 1, 1, 1});
      EXPECT_TRUE(all_close(c.run("implicit_gemm")[0], c.run("reference")[0], 1e-4, 1e-3));
    }
  }
}

TEST(ConvImplicitGemm, WorkspaceAndReasonFor3d) {
  const auto* algo = algoscope::Registry::instance().find_algorithm("Conv", "implicit_gemm");
  ASSERT_NE(algo, nullptr);
  OpCase c("Conv", 11);
  c.input(random_tensor({1, 4, 8, 8}, 1)).input(random_tensor({4, 4, 3, 3}, 2), true);
  c.ints("pads", {1, 1, 1, 1});
  // 64 pixels = 2 panels of 32, one tile: 256 x 64 floats per processor.
  const size_t panel = 256 * 64 * 4;
  EXPECT_EQ(algo->workspace(c.layer()), panel * std::max(1, omp_get_num_procs()));
  OpCase r("Conv", 11);
  r.input(random_tensor({1, 4, 8, 8}, 1)).input(random_tensor({4, 4, 3, 3}, 2));
  r.ints("pads", {1, 1, 1, 1});
  // A runtime W is packed per call: one 8-row panel of K = 36.
  EXPECT_EQ(algo->workspace(r.layer()), panel * std::max(1, omp_get_num_procs()) + 8 * 36 * 4);
  OpCase c3("Conv", 11);
  c3.input(random_tensor({1, 2, 4, 4, 4}, 3)).input(random_tensor({2, 2, 3, 3, 3}, 4));
  auto why = algo->why_not(c3.layer());
  ASSERT_TRUE(why.has_value());
  EXPECT_NE(why->find("1-D and 2-D"), std::string::npos) << *why;
}
