// CPU feature detection and the level cap (cpu_features.h). Detection uses GCC's
// __builtin_cpu_supports, which reads CPUID once per process; the CPU model name comes from
// /proc/cpuinfo.
#include "cpu_features.h"

#include <cpuid.h>

#include <atomic>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <sstream>

#include "algoscope/error.h"

namespace algoscope::cpu {
namespace {

// -1: no cap; otherwise the capped IsaLevel. Atomic: tests cap while other threads may prepare.
std::atomic<int> g_cap{-1};

std::string cpuinfo_field(const std::string& text, const std::string& field) {
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);)
    if (line.compare(0, field.size(), field) == 0) {
      auto colon = line.find(':');
      if (colon == std::string::npos) continue;
      auto value = line.substr(colon + 1);
      value.erase(0, value.find_first_not_of(" \t"));
      return value;
    }
  return "?";
}

}  // namespace

const char* level_name(IsaLevel level) {
  switch (level) {
    case IsaLevel::Avx512:
      return "avx512";
    case IsaLevel::Avx2:
      return "avx2";
    case IsaLevel::Portable:
      return "portable";
  }
  return "unknown";
}

bool supports(IsaLevel level) {
  __builtin_cpu_init();
  switch (level) {
    case IsaLevel::Avx512:
      return __builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512bw") &&
             __builtin_cpu_supports("avx512vl") && __builtin_cpu_supports("avx512dq") &&
             __builtin_cpu_supports("fma");
    case IsaLevel::Avx2:
      return __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma");
    case IsaLevel::Portable:
      return true;
  }
  return false;
}

IsaLevel detected_level() {
  static const IsaLevel level = supports(IsaLevel::Avx512) ? IsaLevel::Avx512
                                : supports(IsaLevel::Avx2) ? IsaLevel::Avx2
                                                           : IsaLevel::Portable;
  return level;
}

IsaLevel default_level() {
  static const IsaLevel level = [] {
    if (const char* wanted = std::getenv("ALGOSCOPE_ISA"))
      for (IsaLevel l : {IsaLevel::Avx512, IsaLevel::Avx2, IsaLevel::Portable})
        if (std::strcmp(wanted, level_name(l)) == 0 && supports(l)) return l;
    return detected_level();
  }();
  return level;
}

IsaLevel active_level() {
  const int cap = g_cap.load(std::memory_order_relaxed);
  return cap < 0 ? default_level() : static_cast<IsaLevel>(cap);
}

void cap_level(std::optional<IsaLevel> level) {
  if (level && !supports(*level))
    throw Error(std::string("this CPU does not support the ") + level_name(*level) + " kernels");
  g_cap.store(level ? static_cast<int>(*level) : -1, std::memory_order_relaxed);
}

bool has_sha_extensions() {
  static const bool sha = [] {
    unsigned eax = 0, ebx = 0, ecx = 0, edx = 0;
    if (!__get_cpuid_count(7, 0, &eax, &ebx, &ecx, &edx)) return false;
    const bool sha_bit = ebx & (1u << 29);
    if (!__get_cpuid(1, &eax, &ebx, &ecx, &edx)) return false;
    return sha_bit && (ecx & bit_SSE4_1) && (ecx & bit_SSSE3);
  }();
  return sha;
}

std::string machine_text() {
  static const std::string base = [] {
    std::ifstream file("/proc/cpuinfo");
    std::stringstream cpuinfo;
    cpuinfo << file.rdbuf();
    const std::string text = cpuinfo.str();
    std::string s = cpuinfo_field(text, "model name") + " (family " +
                    cpuinfo_field(text, "cpu family") + ", model " + cpuinfo_field(text, "model") +
                    ");";
    __builtin_cpu_init();
    if (__builtin_cpu_supports("avx512f")) s += " avx512f";
    if (__builtin_cpu_supports("avx2")) s += " avx2";
    if (__builtin_cpu_supports("fma")) s += " fma";
    return s;
  }();
  const IsaLevel active = active_level();
  return active == detected_level() ? base : base + " capped at " + level_name(active);
}

}  // namespace algoscope::cpu
