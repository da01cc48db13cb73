// The Conv sweep shared by the per-algorithm tests: algoscope::sweep_algorithm (the same function
// plugin authors call, engine/include/algoscope/algorithm_sweep.h) run on one algorithm, its
// failures reported as GoogleTest failures.
#pragma once

#include <gtest/gtest.h>

#include <string>

#include "algoscope/algorithm_sweep.h"
#include "nn_op_harness.h"
#include "support/isa_cap.h"

namespace nn_test {

// Runs the sweep (every `step`-th layer); every applicable layer must match `reference` and every
// declined one must say why. Returns the report (applicable layers, layers in the sweep, ...).
inline algoscope::SweepReport conv_sweep_report(const std::string& algorithm, int step = 1) {
  const algoscope::SweepReport report = algoscope::sweep_algorithm("Conv", algorithm, step);
  EXPECT_TRUE(report.failures.empty()) << report.summary();
  return report;
}

// The number of sweep layers the algorithm applies to.
inline int run_conv_sweep(const std::string& algorithm, int step = 1) {
  return conv_sweep_report(algorithm, step).applicable;
}

// The sweep (every second layer) again with the kernels capped below this CPU's best level, so an
// AVX-512 machine also checks the AVX2 and portable code paths.
inline void run_conv_sweep_at_lower_isa_levels(const std::string& algorithm) {
  const auto levels = test_support::runnable_isa_levels();
  for (size_t i = 1; i < levels.size(); ++i) {
    SCOPED_TRACE(algoscope::cpu::level_name(levels[i]));
    test_support::IsaCap cap(levels[i]);
    EXPECT_GT(run_conv_sweep(algorithm, 2), 0);
  }
}

// Both sweeps for an algorithm that computes every layer of the sweep with SIMD kernels: every
// layer at this CPU's best level must be applicable and match, then every second one at each lower
// level.
inline void expect_whole_sweep_at_every_isa_level(const std::string& algorithm) {
  const algoscope::SweepReport report = conv_sweep_report(algorithm);
  EXPECT_EQ(report.applicable, report.layers);
  run_conv_sweep_at_lower_isa_levels(algorithm);
}

}  // namespace nn_test
