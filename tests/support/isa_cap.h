// The instruction-set levels a kernel test walks through: every level this CPU runs (AVX-512,
// AVX2, portable), each forced for one scope with cpu::cap_level, so one AVX-512 machine tests
// the kernels an AVX2-only or older machine would run.
#pragma once

#include <optional>
#include <vector>

#include "cpu_features.h"

namespace test_support {

// Caps the kernels' level for the lifetime of the object and restores detection afterwards, also
// when an assertion leaves the scope early.
struct IsaCap {
  explicit IsaCap(algoscope::cpu::IsaLevel level) { algoscope::cpu::cap_level(level); }
  ~IsaCap() { algoscope::cpu::cap_level(std::nullopt); }
  IsaCap(const IsaCap&) = delete;
  IsaCap& operator=(const IsaCap&) = delete;
};

// The levels this CPU can run, best first.
inline std::vector<algoscope::cpu::IsaLevel> runnable_isa_levels() {
  using algoscope::cpu::IsaLevel;
  std::vector<IsaLevel> levels;
  for (IsaLevel level : {IsaLevel::Avx512, IsaLevel::Avx2, IsaLevel::Portable})
    if (level <= algoscope::cpu::detected_level()) levels.push_back(level);
  return levels;
}

}  // namespace test_support
