// The roofline model's two roofs for this machine (Williams, Waterman & Patterson, CACM 2009): the
// peak rate of arithmetic, measured with fused multiply-adds on registers and, beside it, as the
// best GFLOP/s of a large single-precision GEMM (the kernel the GEMM-based algorithms run), and
// the memory bandwidth, measured as a copy and a triad
// (a[i] = b[i] + s * c[i], STREAM's) over arrays far larger than the caches. A layer's algorithm
// with arithmetic intensity I (FLOPs over the bytes it must move: Algorithm::traffic_bytes) can
// reach at most min(peak, I * bandwidth) GFLOP/s; how far below that it runs is what a user sees in
// the explorer's roofline chart. Measuring takes about a second, so the result is cached per
// machine signature, instruction-set level and thread count.
#pragma once

#include <string>

namespace algoscope {

struct MachineRoofs {
  // The compute roof: the better of independent FMA chains on registers at the active ISA level
  // and gemm_gflops.
  double peak_gflops = 0;
  double gemm_gflops = 0;  // the best of the engine's blocked GEMM and OpenBLAS's sgemm
  double copy_gbs = 0;     // bytes read plus bytes written per second, GB/s (1e9)
  double triad_gbs = 0;    // likewise for the triad (two arrays read, one written)
  int threads = 0;
  std::string machine;  // machine_signature() when measured
  bool from_cache = false;

  double bandwidth_gbs() const { return copy_gbs > triad_gbs ? copy_gbs : triad_gbs; }
  // The roofline: the most GFLOP/s a kernel of this arithmetic intensity (FLOP/byte) can reach.
  double attainable_gflops(double intensity) const;
  // The intensity where the two roofs meet: below it a kernel is bound by memory.
  double ridge_intensity() const;
};

// Measures now, on `threads` threads (0: all), at the active instruction-set level.
MachineRoofs measure_machine_roofs(int threads = 0);

// The cached roofs for this machine and thread count, measured (and stored) when the cache has
// none. `cache_path` empty: default_roofs_path(). A cache file that cannot be read or written is
// ignored (the measurement is returned all the same).
MachineRoofs machine_roofs(int threads = 0, const std::string& cache_path = "");

// $ALGOSCOPE_ROOFS_CACHE, else $XDG_CACHE_HOME/algoscope/roofs.json, else ~/.cache/algoscope/...
std::string default_roofs_path();

}  // namespace algoscope
