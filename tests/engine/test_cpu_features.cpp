// The CPU feature module: one detected level, one cap that every hand-written kernel and the
// tuning cache's machine key follow, and a clear error for a level the CPU lacks.
#include <gtest/gtest.h>

#include <string>

#include "algoscope/error.h"
#include "algoscope/tuning_cache.h"
#include "cpu_features.h"

namespace cpu = algoscope::cpu;

TEST(CpuFeatures, CapLowersTheActiveLevelAndMarksTheMachineKey) {
  const cpu::IsaLevel top = cpu::detected_level();
  EXPECT_TRUE(cpu::supports(top));
  EXPECT_TRUE(cpu::supports(cpu::IsaLevel::Portable));
  EXPECT_EQ(cpu::active_level(), top);
  const std::string uncapped = algoscope::machine_signature();
  EXPECT_EQ(uncapped.find("capped"), std::string::npos) << uncapped;

  cpu::cap_level(cpu::IsaLevel::Portable);
  EXPECT_EQ(cpu::active_level(), cpu::IsaLevel::Portable);
  // Timings of the portable kernels must not be served to an uncapped run, and vice versa.
  if (top != cpu::IsaLevel::Portable) {
    EXPECT_NE(algoscope::machine_signature(), uncapped);
    EXPECT_NE(algoscope::machine_signature().find("capped at portable"), std::string::npos);
  }
  cpu::cap_level(std::nullopt);
  EXPECT_EQ(cpu::active_level(), top);
  EXPECT_EQ(algoscope::machine_signature(), uncapped);
}

TEST(CpuFeatures, CappingAboveTheCpuIsAnError) {
  if (cpu::detected_level() == cpu::IsaLevel::Avx512) GTEST_SKIP() << "this CPU has every level";
  EXPECT_THROW(cpu::cap_level(cpu::IsaLevel::Avx512), algoscope::Error);
  EXPECT_EQ(cpu::active_level(), cpu::detected_level());
}

TEST(CpuFeatures, LevelNames) {
  EXPECT_STREQ(cpu::level_name(cpu::IsaLevel::Portable), "portable");
  EXPECT_STREQ(cpu::level_name(cpu::IsaLevel::Avx2), "avx2");
  EXPECT_STREQ(cpu::level_name(cpu::IsaLevel::Avx512), "avx512");
}
