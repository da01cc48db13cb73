// Measuring the roofline's two roofs (roofline.h) and caching them. The peak is measured, not the
// datasheet's: chains of FMAs on registers at the active ISA level on every thread (what the
// cores deliver, boost clocks and shared vCPUs included), and a large GEMM's best rate beside it
// (what the best-tuned kernel reaches). The bandwidth arrays are 64 MiB each, several times any
// L3 here, touched before timing so page faults are not measured.
#include "algoscope/roofline.h"

#include <immintrin.h>
#include <omp.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <vector>

#include "algoscope/file_io.h"
#include "algoscope/tuning_cache.h"
#include "blas/sgemm.h"
#include "blocked_gemm/blocked_gemm.h"
#include "cpu_features.h"
#include "measure/json.h"

namespace algoscope {
namespace {

namespace fs = std::filesystem;
using measure::json;
using Clock = std::chrono::steady_clock;

// Best of `repeat` timings of `work`, in seconds, after one untimed call.
template <typename Work>
double best_seconds(int repeat, Work&& work) {
  work();
  double best = 1e30;
  for (int r = 0; r < repeat; ++r) {
    const auto start = Clock::now();
    work();
    best = std::min(best, std::chrono::duration<double>(Clock::now() - start).count());
  }
  return best;
}

double gemm_gflops() {
  // Square products large enough that packing is a small share (a 2048^3 one is 17 GFLOP); the
  // best of ten calls, since a shared machine only ever slows a call down.
  double best = 0;
  for (const int64_t n : {int64_t(1024), int64_t(2048)}) {
    std::vector<float> a(n * n, 0.5f), b(n * n, 0.25f), c(n * n);
    const double flops = 2.0 * n * n * n;
    best = std::max(best, flops / best_seconds(10, [&] {
                            blocked_gemm::sgemm(false, false, n, n, n, 1.0f, a.data(), n, b.data(),
                                                n, 0.0f, c.data(), n);
                          }));
    if (blas::openblas_available())
      best = std::max(best, flops / best_seconds(10, [&] {
                              blas::sgemm(false, false, n, n, n, 1.0f, a.data(), n, b.data(), n,
                                          0.0f, c.data(), n);
                            }));
  }
  return best * 1e-9;
}

// The cores' arithmetic peak: independent chains of fused multiply-adds on registers at the
// active instruction-set level, nothing loaded or stored. A kernel cannot beat it; a GEMM comes
// within a few per cent of it on a quiet core. FLOPs per call: 2 * lanes * chains * iterations.
// Twelve independent chains: enough FMAs in flight to fill two pipes of 4-cycle latency.
__attribute__((target("avx512f"))) double fma_avx512(int64_t iterations) {
  __m512 acc[12];
  for (int c = 0; c < 12; ++c) acc[c] = _mm512_set1_ps(float(c) * 1e-3f);
  const __m512 a = _mm512_set1_ps(0.999999f), b = _mm512_set1_ps(1e-7f);
  for (int64_t i = 0; i < iterations; ++i)
    for (int c = 0; c < 12; ++c) acc[c] = _mm512_fmadd_ps(acc[c], a, b);
  for (int c = 1; c < 12; ++c) acc[0] = _mm512_add_ps(acc[0], acc[c]);
  float lanes[16];
  _mm512_storeu_ps(lanes, acc[0]);
  return lanes[0];  // used, so the loop is not optimized away
}

__attribute__((target("avx2,fma"))) double fma_avx2(int64_t iterations) {
  __m256 acc[12];
  for (int c = 0; c < 12; ++c) acc[c] = _mm256_set1_ps(float(c) * 1e-3f);
  const __m256 a = _mm256_set1_ps(0.999999f), b = _mm256_set1_ps(1e-7f);
  for (int64_t i = 0; i < iterations; ++i)
    for (int c = 0; c < 12; ++c) acc[c] = _mm256_fmadd_ps(acc[c], a, b);
  for (int c = 1; c < 12; ++c) acc[0] = _mm256_add_ps(acc[0], acc[c]);
  float lanes[8];
  _mm256_storeu_ps(lanes, acc[0]);
  return lanes[0];
}

double fma_gflops(int threads) {
  const cpu::IsaLevel level = cpu::active_level();
  if (level == cpu::IsaLevel::Portable) return 0;
  const int lanes = level == cpu::IsaLevel::Avx512 ? 16 : 8;
  constexpr int64_t kIterations = 20'000'000;
  std::atomic<double> sink{0};
  const double seconds = best_seconds(5, [&] {
#pragma omp parallel num_threads(threads)
    {
      const double r =
          level == cpu::IsaLevel::Avx512 ? fma_avx512(kIterations) : fma_avx2(kIterations);
      sink.store(r, std::memory_order_relaxed);
    }
  });
  return 2.0 * lanes * 12 * double(kIterations) * threads / seconds * 1e-9;
}

void measure_bandwidth(MachineRoofs& roofs) {
  constexpr int64_t n = int64_t(64) << 20 >> 2;  // 64 MiB of floats per array
  std::vector<float> a(n), b(n), c(n);
#pragma omp parallel for schedule(static)
  for (int64_t i = 0; i < n; ++i) {
    a[i] = 0.0f;
    b[i] = 1.0f;
    c[i] = 2.0f;
  }
  float* pa = a.data();
  const float* pb = b.data();
  const float* pc = c.data();
  const double copy = best_seconds(5, [&] {
#pragma omp parallel for schedule(static)
    for (int64_t i = 0; i < n; ++i) pa[i] = pb[i];
  });
  const double triad = best_seconds(5, [&] {
#pragma omp parallel for schedule(static)
    for (int64_t i = 0; i < n; ++i) pa[i] = pb[i] + 3.0f * pc[i];
  });
  roofs.copy_gbs = 2.0 * n * sizeof(float) / copy * 1e-9;
  roofs.triad_gbs = 3.0 * n * sizeof(float) / triad * 1e-9;
}

std::string cache_key(int threads) {
  return machine_signature() + "; " + cpu::level_name(cpu::active_level()) + "; " +
         std::to_string(threads) + " threads";
}

int resolved_threads(int threads) { return threads > 0 ? threads : omp_get_num_procs(); }

}  // namespace

double MachineRoofs::attainable_gflops(double intensity) const {
  return std::min(peak_gflops, intensity * bandwidth_gbs());
}

double MachineRoofs::ridge_intensity() const {
  return bandwidth_gbs() > 0 ? peak_gflops / bandwidth_gbs() : 0;
}

MachineRoofs measure_machine_roofs(int threads) {
  MachineRoofs roofs;
  roofs.threads = resolved_threads(threads);
  roofs.machine = machine_signature();
  const int saved = omp_get_max_threads();
  omp_set_num_threads(roofs.threads);
  blas::openblas_set_threads(roofs.threads);
  roofs.gemm_gflops = gemm_gflops();
  roofs.peak_gflops = std::max(roofs.gemm_gflops, fma_gflops(roofs.threads));
  measure_bandwidth(roofs);
  omp_set_num_threads(saved);
  blas::openblas_set_threads(saved);
  return roofs;
}

std::string default_roofs_path() { return cache_file_path("ALGOSCOPE_ROOFS_CACHE", "roofs.json"); }

MachineRoofs machine_roofs(int threads, const std::string& cache_path) {
  const std::string path = cache_path.empty() ? default_roofs_path() : cache_path;
  const std::string key = cache_key(resolved_threads(threads));
  json cache = json::object();
  try {
    std::ifstream in(path);
    if (in) {
      std::stringstream text;
      text << in.rdbuf();
      cache = json::parse(text.str());
      if (!cache.is_object()) cache = json::object();
      if (auto it = cache.find(key); it != cache.end()) {
        MachineRoofs roofs;
        roofs.peak_gflops = it->at("peak_gflops").get<double>();
        roofs.gemm_gflops = it->value("gemm_gflops", 0.0);
        roofs.copy_gbs = it->at("copy_gbs").get<double>();
        roofs.triad_gbs = it->at("triad_gbs").get<double>();
        roofs.threads = resolved_threads(threads);
        roofs.machine = machine_signature();
        roofs.from_cache = true;
        if (roofs.peak_gflops > 0 && roofs.bandwidth_gbs() > 0) return roofs;
      }
    }
  } catch (const std::exception&) {
    cache = json::object();  // unreadable: measured again and written afresh
  }
  MachineRoofs roofs = measure_machine_roofs(threads);
  cache[key] = {{"peak_gflops", roofs.peak_gflops},
                {"gemm_gflops", roofs.gemm_gflops},
                {"copy_gbs", roofs.copy_gbs},
                {"triad_gbs", roofs.triad_gbs}};
  try {
    std::error_code ec;
    fs::create_directories(fs::path(path).parent_path(), ec);
    write_file_atomically(path, cache.dump(2), "roofline cache");
  } catch (const std::exception&) {
    // A read-only cache folder costs a second of measuring next time, nothing more.
  }
  return roofs;
}

}  // namespace algoscope
