// Loads libopenblas with dlopen after choosing its core type (see sgemm.h for why), and exposes
// cblas_sgemm and the thread-count setter through plain functions.
//
// Which build: Debian ships OpenBLAS on pthreads (the default) and on OpenMP (libopenblas0-openmp).
// Our kernels and oneDNN run on libgomp's team, whose threads spin-wait for a while after each
// parallel region; a second pool of OpenBLAS pthreads then competes with them for the cores. On 2
// cores a 1x1 convolution through OpenBLAS right after one of our kernels took about twice its
// isolated time, and a tuned ResNet-50 ran in 78 ms on the pthreads build against 55-61 ms on the
// OpenMP build. So the OpenMP build comes first, then whatever libopenblas.so.0 the system's
// alternatives point at. $ALGOSCOPE_OPENBLAS names a file to load instead (A/B measurements).
#include <dlfcn.h>

#include <climits>
#include <cstdlib>
#include <mutex>
#include <string>
#include <vector>

#include "algoscope/error.h"
#include "blas/sgemm.h"
#include "cpu_features.h"

namespace algoscope::blas {
namespace {

enum CblasOrder { kRowMajor = 101 };
enum CblasTranspose { kNoTrans = 111, kTrans = 112 };

using SgemmFn = void (*)(int, int, int, int, int, int, float, const float*, int, const float*, int,
                         float, float*, int);
using SetThreadsFn = void (*)(int);
using CoreNameFn = char* (*)();
using ParallelFn = int (*)();

struct OpenBlas {
  SgemmFn sgemm = nullptr;
  SetThreadsFn set_threads = nullptr;
  CoreNameFn core_name = nullptr;
  ParallelFn parallel = nullptr;  // openblas_get_parallel: 0 sequential, 1 pthreads, 2 OpenMP
  std::string file;               // what was loaded
  std::string error;
};

const OpenBlas& library() {
  static OpenBlas lib;
  static std::once_flag once;
  std::call_once(once, [] {
    // Zen 4/5 and Intel server cores with AVX-512: OpenBLAS's SkylakeX kernels are the right
    // ones, unless ALGOSCOPE_ISA holds the engine to AVX2 (then the library's AVX2 kernels, so
    // that the whole process runs as an AVX2 machine would). Only our own choice when the user
    // has not made one; setenv before the library's constructor.
    if (std::getenv("OPENBLAS_CORETYPE") == nullptr && cpu::supports(cpu::IsaLevel::Avx512))
      setenv("OPENBLAS_CORETYPE",
             cpu::default_level() == cpu::IsaLevel::Avx512 ? "SkylakeX" : "Haswell", 0);
    std::vector<std::string> candidates;
    if (const char* chosen = std::getenv("ALGOSCOPE_OPENBLAS"); chosen && *chosen) {
      candidates = {chosen};
    } else {
#ifdef ALGOSCOPE_OPENBLAS_OPENMP
      candidates.push_back(ALGOSCOPE_OPENBLAS_OPENMP);
#endif
      candidates.insert(candidates.end(), {"libopenblas.so.0", "libopenblas.so"});
    }
    void* handle = nullptr;
    std::string why;
    for (const std::string& file : candidates) {
      handle = dlopen(file.c_str(), RTLD_NOW | RTLD_LOCAL);
      if (handle) {
        lib.file = file;
        break;
      }
      const char* error = dlerror();
      why = error ? error : "unknown reason";
    }
    if (!handle) {
      lib.error = "OpenBLAS could not be loaded: " + why;
      return;
    }
    lib.sgemm = reinterpret_cast<SgemmFn>(dlsym(handle, "cblas_sgemm"));
    lib.set_threads = reinterpret_cast<SetThreadsFn>(dlsym(handle, "openblas_set_num_threads"));
    lib.core_name = reinterpret_cast<CoreNameFn>(dlsym(handle, "openblas_get_corename"));
    lib.parallel = reinterpret_cast<ParallelFn>(dlsym(handle, "openblas_get_parallel"));
    if (!lib.sgemm) lib.error = "libopenblas has no cblas_sgemm";
  });
  return lib;
}

}  // namespace

std::optional<std::string> dimensions_reason(int64_t m, int64_t n, int64_t k) {
  if (m > INT_MAX || n > INT_MAX || k > INT_MAX)
    return std::string("the GEMM dimensions exceed OpenBLAS's 32-bit integers");
  return std::nullopt;
}

bool openblas_available() { return library().sgemm != nullptr; }

std::string openblas_core_name() {
  const OpenBlas& lib = library();
  if (!lib.error.empty()) return lib.error;
  return lib.core_name ? lib.core_name() : "unknown";
}

std::string openblas_threading() {
  const OpenBlas& lib = library();
  if (!lib.error.empty()) return lib.error;
  const int kind = lib.parallel ? lib.parallel() : -1;
  const char* name = kind == 0   ? "sequential"
                     : kind == 1 ? "pthreads"
                     : kind == 2 ? "OpenMP"
                                 : "unknown";
  return std::string(name) + " (" + lib.file + ")";
}

void openblas_set_threads(int threads) {
  const OpenBlas& lib = library();
  if (lib.set_threads && threads > 0) lib.set_threads(threads);
}

void sgemm(bool transpose_a, bool transpose_b, int64_t m, int64_t n, int64_t k, float alpha,
           const float* a, int64_t lda, const float* b, int64_t ldb, float beta, float* c,
           int64_t ldc) {
  const OpenBlas& lib = library();
  if (!lib.sgemm) throw Error(lib.error);
  lib.sgemm(kRowMajor, transpose_a ? kTrans : kNoTrans, transpose_b ? kTrans : kNoTrans,
            static_cast<int>(m), static_cast<int>(n), static_cast<int>(k), alpha, a,
            static_cast<int>(lda), b, static_cast<int>(ldb), beta, c, static_cast<int>(ldc));
}

}  // namespace algoscope::blas
