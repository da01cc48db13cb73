// A whole block's maximum or sum of one float per thread, for kernels that give one block to
// each row (softmax, the row normalizations): warp shuffles, then one shared slot per warp
// reduced by the first warp. Every thread gets the result. Plain C++17 for the .cu files.
#pragma once

#include "launch.h"

namespace algoscope::cuda {

template <bool Max>
__device__ inline float block_reduce(float v) {
  __shared__ float warp_results[kThreads / 32];
  __shared__ float result;
  for (int offset = 16; offset > 0; offset /= 2) {
    const float other = __shfl_xor_sync(0xffffffffu, v, offset);
    v = Max ? fmaxf(v, other) : v + other;
  }
  const int warp = threadIdx.x / 32, lane = threadIdx.x % 32;
  if (lane == 0) warp_results[warp] = v;
  __syncthreads();
  if (warp == 0) {
    v = lane < int(blockDim.x / 32) ? warp_results[lane] : (Max ? -INFINITY : 0.0f);
    for (int offset = 16; offset > 0; offset /= 2) {
      const float other = __shfl_xor_sync(0xffffffffu, v, offset);
      v = Max ? fmaxf(v, other) : v + other;
    }
    if (lane == 0) result = v;
  }
  __syncthreads();
  const float r = result;
  // Nobody may overwrite `result` or `warp_results` (a next reduction) before all have read it.
  __syncthreads();
  return r;
}

}  // namespace algoscope::cuda
