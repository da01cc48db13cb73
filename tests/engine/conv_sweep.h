// The Conv sweep shared by the per-algorithm tests: algoscope::sweep_algorithm (the same function
// plugin authors call, engine/include/algoscope/algorithm_sweep.h) run on one algorithm, its
// failures reported as GoogleTest failures.
#pragma once

#include <gtest/gtest.h>

#include <string>

#include "algoscope/algorithm_sweep.h"
#include "nn_op_harness.h"

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

}  // namespace nn_test
