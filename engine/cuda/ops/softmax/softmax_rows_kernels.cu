// Softmax along one axis: one block per line. The block's threads stride through the line three
// times: the maximum (reduced across the block, block_reduce.cuh), the sum of exp(x - max)
// (reduced likewise), then each output. Exponentials are recomputed in the third pass rather than
// stored, so the kernel needs no workspace and works in place. Lines along the last axis
// (inner = 1) read and write coalesced; inner > 1 lines are strided, which is correct and slower.
#include <cfloat>

#include "block_reduce.cuh"
#include "launch.h"
#include "ops/softmax/softmax_rows_kernels.h"

namespace algoscope::cuda {
namespace {

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
