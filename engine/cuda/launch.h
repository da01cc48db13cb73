// Launch geometry shared by our own CUDA kernels (the .cu files under ops/): memory-bound passes
// run grid-stride loops of 256-thread blocks, and the grid is capped so that a huge tensor
// reuses threads instead of asking for more blocks than the launch allows. Plain C++17: the .cu
// files include it.
#pragma once

#include <cstdint>

namespace algoscope::cuda {

inline constexpr int kThreads = 256;

// Blocks for a grid-stride loop over n elements: enough to fill an H100 many times over, never
// zero (a launch with no blocks is an error).
inline int grid_for(int64_t n) {
  const int64_t blocks = (n + kThreads - 1) / kThreads;
  return static_cast<int>(blocks < 65535 ? (blocks > 0 ? blocks : 1) : 65535);
}

}  // namespace algoscope::cuda
