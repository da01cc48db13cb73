// What the libFuzzer targets share: the contract they check and a private scratch folder. The
// engine promises that bad input fails with algoscope::Error (error.h); any other exception that
// escapes a public entry point is a defect, so the targets report it and abort (libFuzzer then
// saves the input) instead of letting std::terminate hide which call threw what.
#pragma once

#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <limits>
#include <string>
#include <typeinfo>

#include "algoscope/error.h"
#include "algoscope/resource_limits.h"
#include "algoscope/tensor.h"

namespace algoscope::fuzz {

// The engine's memory limit in the targets, far under libFuzzer's -rss_limit_mb and
// -malloc_limit_mb (2 GB, scripts/fuzz.sh): every allocation the engine sizes from its input
// must be checked against the limit and refused with an Error, so one that reaches libFuzzer's
// limit instead is a missing check. Called from each target's LLVMFuzzerInitialize.
inline void limit_engine_memory() { set_memory_limit(size_t{256} << 20); }

// Runs `body`; algoscope::Error is the clean failure, anything else aborts with its type.
template <class Body>
void expect_clean_errors(const char* what, Body&& body) {
  try {
    body();
  } catch (const Error&) {
  } catch (const std::exception& e) {
    std::fprintf(stderr, "%s: %s escaped (not algoscope::Error): %s\n", what, typeid(e).name(),
                 e.what());
    std::abort();
  } catch (...) {
    std::fprintf(stderr, "%s: a non-std exception escaped\n", what);
    std::abort();
  }
}

// Stops the run when an invariant the engine promises does not hold.
inline void check(bool holds, const char* what) {
  if (holds) return;
  std::fprintf(stderr, "invariant broken: %s\n", what);
  std::abort();
}

// An empty folder of this process's own, removed at exit: the readers that take a path get the
// input written there, and external-data references in fuzzed files resolve inside it (nothing
// else of the machine's files is reachable, see onnx_tensor.cpp).
inline const std::filesystem::path& scratch_dir() {
  static const std::filesystem::path dir = [] {
    std::filesystem::path d =
        std::filesystem::temp_directory_path() / ("algoscope-fuzz-" + std::to_string(::getpid()));
    std::filesystem::remove_all(d);
    std::filesystem::create_directories(d);
    std::atexit([] {
      std::error_code ec;
      std::filesystem::remove_all(scratch_dir(), ec);
    });
    return d;
  }();
  return dir;
}

inline std::string write_scratch_file(const std::string& name, const uint8_t* data, size_t size) {
  const std::string path = (scratch_dir() / name).string();
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out.write(reinterpret_cast<const char*>(data), static_cast<std::streamsize>(size));
  out.close();
  if (!out) {
    std::fprintf(stderr, "cannot write the scratch file %s\n", path.c_str());
    std::abort();
  }
  return path;
}

// Bytes of a value of this type and shape, or SIZE_MAX when that does not fit in 64 bits (the
// targets compare against small bounds, so they must not overflow where the engine might). A zero
// dimension anywhere makes it 0, even after a prefix that would overflow.
inline size_t bytes_or_max(DType dtype, const Shape& shape) {
  constexpr size_t kMax = std::numeric_limits<size_t>::max();
  for (int64_t d : shape)
    if (d < 0) return kMax;
  for (int64_t d : shape)
    if (d == 0) return 0;
  size_t bytes = dtype_size(dtype);
  for (int64_t d : shape) {
    if (bytes > kMax / static_cast<size_t>(d)) return kMax;
    bytes *= static_cast<size_t>(d);
  }
  return bytes;
}

}  // namespace algoscope::fuzz
