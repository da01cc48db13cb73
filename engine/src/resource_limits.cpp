// resource_limits.h: the process-wide memory limit, its parsing from ALGOSCOPE_MEMORY_LIMIT, and
// the checks every allocation sized by untrusted data goes through.
#include "algoscope/resource_limits.h"

#include <unistd.h>

#include <atomic>
#include <cctype>
#include <cmath>
#include <cstdio>
#include <cstdlib>

#include "algoscope/error.h"

namespace algoscope {
namespace {

// 0: no override. Atomic so that a setter on one thread and checks on others do not race.
std::atomic<size_t> g_override{0};

size_t physical_memory() {
  const long pages = sysconf(_SC_PHYS_PAGES);
  const long page_size = sysconf(_SC_PAGE_SIZE);
  if (pages <= 0 || page_size <= 0) return size_t{8} << 30;  // unknown: assume 16 GiB
  return static_cast<size_t>(pages) * static_cast<size_t>(page_size);
}

// The environment is read once: getenv racing with setenv elsewhere is not ours to fix, and a
// limit that changed under a running session would be surprising. A bad value is remembered and
// thrown at every use, so that the error is not lost on a thread nobody watches.
struct EnvironmentLimit {
  std::optional<size_t> bytes;
  std::string error;
};

const EnvironmentLimit& environment_limit() {
  static const EnvironmentLimit limit = [] {
    EnvironmentLimit out;
    if (const char* text = std::getenv("ALGOSCOPE_MEMORY_LIMIT"); text && *text) {
      try {
        out.bytes = parse_byte_size(text, "ALGOSCOPE_MEMORY_LIMIT");
      } catch (const Error& e) {
        out.error = e.what();
      }
    }
    return out;
  }();
  return limit;
}

}  // namespace

size_t default_memory_limit() {
  // Asked once: every Tensor checks the limit, and sysconf(_SC_PHYS_PAGES) is a system call.
  static const size_t half = physical_memory() / 2;
  return half;
}

size_t memory_limit() {
  if (size_t bytes = g_override.load(std::memory_order_relaxed)) return bytes;
  const EnvironmentLimit& env = environment_limit();
  if (!env.error.empty()) throw Error(env.error);
  return env.bytes ? *env.bytes : default_memory_limit();
}

void set_memory_limit(size_t bytes) {
  if (bytes == 0) throw Error("the memory limit must be positive");
  g_override.store(bytes, std::memory_order_relaxed);
}

void reset_memory_limit() { g_override.store(0, std::memory_order_relaxed); }

size_t parse_byte_size(const std::string& text, const std::string& what) {
  auto bad = [&](const std::string& why) {
    return Error(what + ": '" + text + "' is not a memory size (" + why +
                 "; write bytes or a number with K, M, G or T, e.g. 512M or 4G)");
  };
  size_t i = 0;
  while (i < text.size() && std::isspace(static_cast<unsigned char>(text[i]))) ++i;
  const size_t number_start = i;
  while (i < text.size() && (std::isdigit(static_cast<unsigned char>(text[i])) || text[i] == '.'))
    ++i;
  const std::string number = text.substr(number_start, i - number_start);
  if (number.empty() || number.find('.') != number.rfind('.') || number == ".")
    throw bad("no number");
  while (i < text.size() && std::isspace(static_cast<unsigned char>(text[i]))) ++i;
  std::string unit;
  for (; i < text.size(); ++i)
    unit += static_cast<char>(std::toupper(static_cast<unsigned char>(text[i])));
  while (!unit.empty() && std::isspace(static_cast<unsigned char>(unit.back()))) unit.pop_back();
  double scale = 1;
  if (unit.empty() || unit == "B") {
    scale = 1;
  } else {
    const std::string prefixes = "KMGT";
    const size_t p = prefixes.find(unit[0]);
    const std::string rest = unit.substr(1);
    if (p == std::string::npos || !(rest.empty() || rest == "B" || rest == "IB"))
      throw bad("unknown unit '" + unit + "'");
    scale = std::ldexp(1.0, 10 * static_cast<int>(p + 1));
  }
  const double bytes = std::strtod(number.c_str(), nullptr) * scale;
  if (!(bytes >= 1)) throw bad("it must be at least one byte");
  if (bytes >= 0x1p63) throw bad("too large");
  return static_cast<size_t>(bytes);
}

std::string format_bytes(size_t bytes) {
  if (bytes < 1024) return std::to_string(bytes) + (bytes == 1 ? " byte" : " bytes");
  const char* units[] = {"KiB", "MiB", "GiB", "TiB", "PiB", "EiB"};
  double value = static_cast<double>(bytes) / 1024;
  int unit = 0;
  while (value >= 1024 && unit < 5) value /= 1024, ++unit;
  char text[32];
  std::snprintf(text, sizeof text, "%.1f %s", value, units[unit]);
  return text;
}

void check_allocation(size_t bytes, const std::string& what, const std::string& detail) {
  const size_t limit = memory_limit();
  if (bytes <= limit) return;
  throw Error(what + " would need " + format_bytes(bytes) + detail +
              ", more than the memory limit of " + format_bytes(limit) +
              " (set ALGOSCOPE_MEMORY_LIMIT to change it)");
}

std::optional<size_t> checked_tensor_bytes(DType dtype, const Shape& shape) {
  int64_t count = 1;
  for (int64_t d : shape)
    if (d < 0 || __builtin_mul_overflow(count, d, &count)) return std::nullopt;
  size_t bytes = 0;
  if (__builtin_mul_overflow(static_cast<size_t>(count), dtype_size(dtype), &bytes))
    return std::nullopt;
  return bytes;
}

std::string tensor_type_string(DType dtype, const Shape& shape) {
  std::string s = std::string(dtype_name(dtype)) + "[";
  for (size_t i = 0; i < shape.size(); ++i) {
    if (i) s += ',';
    s += std::to_string(shape[i]);
  }
  return s + "]";
}

size_t check_tensor_allocation(DType dtype, const Shape& shape, const std::string& what) {
  const std::optional<size_t> bytes = checked_tensor_bytes(dtype, shape);
  if (!bytes)
    throw Error(what + " (" + tensor_type_string(dtype, shape) +
                ") has more elements or bytes than a 64-bit size can count");
  // Every Tensor comes through here: the message is only built when it is needed.
  if (*bytes > memory_limit())
    check_allocation(*bytes, what, " (" + tensor_type_string(dtype, shape) + ")");
  return *bytes;
}

}  // namespace algoscope
