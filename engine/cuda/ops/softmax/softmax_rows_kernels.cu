// Softmax along one axis: one block per line. The block's threads stride through the line three
// times: the maximum (reduced across the block), the sum of exp(x - max) (reduced likewise), then
// each output. Exponentials are recomputed in the third pass rather than stored, so the kernel
// needs no workspace and works in place. Block reductions go through warp shuffles and one shared
// slot per warp. Lines along the last axis (inner = 1) read and write coalesced; inner > 1 lines
// are strided, which is correct and slower.
#include <cfloat>

#include "launch.h"
#include "ops/softmax/softmax_rows_kernels.h"

namespace algoscope::cuda {
namespace {

template <bool Max>
__device__ float block_reduce(float v) {
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

__global__ void softmax_kernel(const float* x, float* y, int64_t length, int64_t inner, bool log) {
  const int64_t line = blockIdx.x;
  const int64_t base = (line / inner) * length * inner + line % inner;
  float m = -INFINITY;
  for (int64_t l = threadIdx.x; l < length; l += blockDim.x) m = fmaxf(m, x[base + l * inner]);
  m = block_reduce<true>(m);
  float s = 0.0f;
  for (int64_t l = threadIdx.x; l < length; l += blockDim.x) s += expf(x[base + l * inner] - m);
  s = block_reduce<false>(s);
  if (log) {
    const float log_sum = logf(s);
    for (int64_t l = threadIdx.x; l < length; l += blockDim.x)
      y[base + l * inner] = x[base + l * inner] - m - log_sum;
  } else {
    for (int64_t l = threadIdx.x; l < length; l += blockDim.x)
      y[base + l * inner] = expf(x[base + l * inner] - m) / s;
  }
}

}  // namespace

cudaError_t softmax_lines(const float* x, float* y, int64_t outer, int64_t length, int64_t inner,
                          bool log, cudaStream_t stream) {
  const int64_t lines = outer * inner;
  if (lines == 0 || length == 0) return cudaSuccess;
  if (lines > 0x7fffffff) return cudaErrorInvalidValue;  // one block per line
  softmax_kernel<<<unsigned(lines), kThreads, 0, stream>>>(x, y, length, inner, log);
  return cudaGetLastError();
}

}  // namespace algoscope::cuda
