// FFT convolution (tiled, FFTW3f) against `reference`: the shared Conv sweep, multi-tile layers
// with 3x3 and 7x7 kernels (where its error is largest), strided and dilated layers and the
// reason for 3-D layers.
#include <gtest/gtest.h>

#include "conv_sweep.h"

using namespace nn_test;

TEST(ConvFft, MatchesReferenceOnSweep) {
  const algoscope::SweepReport report = conv_sweep_report("fft");
  EXPECT_EQ(report.applicable, report.layers);  // every layer of the sweep
}

TEST(ConvFft, ManyTilesAndLargeKernels) {
  const auto* algo = algoscope::Registry::instance().find_algorithm("Conv", "fft");
  ASSERT_NE(algo, nullptr);
  struct Case {
    Shape x, w;
    std::vector<int64_t> pads, strides, dilations;
  };
  const std::vector<Case> cases = {
      {{2, 16, 40, 37}, {24, 16, 3, 3}, {1, 1, 1, 1}, {1, 1}, {1, 1}},
      {{1, 8, 45, 45}, {16, 8, 7, 7}, {3, 3, 3, 3}, {1, 1}, {1, 1}},
      {{1, 3, 64, 60}, {8, 3, 7, 7}, {3, 2, 3, 4}, {2, 2}, {1, 1}},
      {{1, 6, 30, 30}, {6, 6, 5, 5}, {4, 4, 4, 4}, {1, 1}, {2, 2}},
  };
  uint32_t seed = 1;
  for (const Case& k : cases) {
    OpCase c("Conv", 11);
    c.input(random_tensor(k.x, seed++)).input(random_tensor(k.w, seed++), true);
    c.input(random_tensor({k.w[0]}, seed++));
    c.ints("pads", k.pads).ints("strides", k.strides).ints("dilations", k.dilations);
    EXPECT_TRUE(all_close(c.run("fft")[0], c.run("reference")[0], algo->tolerance.atol,
                          algo->tolerance.rtol));
  }
}

TEST(ConvFft, ReasonFor3d) {
  const auto* algo = algoscope::Registry::instance().find_algorithm("Conv", "fft");
  ASSERT_NE(algo, nullptr);
  OpCase c3("Conv", 11);
  c3.input(random_tensor({1, 2, 4, 4, 4}, 3)).input(random_tensor({2, 2, 3, 3, 3}, 4));
  auto why = algo->why_not(c3.layer());
  ASSERT_TRUE(why.has_value());
  EXPECT_NE(why->find("1-D and 2-D"), std::string::npos) << *why;
}
