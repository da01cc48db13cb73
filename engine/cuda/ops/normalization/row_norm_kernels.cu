// LayerNormalization, InstanceNormalization and GroupNormalization on the device: one block per
// row. The block's threads stride through the row three times: the sum (reduced across the
// block), the sum of squared deviations from the mean (two passes, as the host algorithms do, so
// a large mean does not cancel the variance away), then each output. Rows are contiguous, so
// every pass reads coalesced; the kernel needs no workspace.
#include "block_reduce.cuh"
#include "launch.h"
#include "ops/normalization/row_norm_kernels.h"

namespace algoscope::cuda {
namespace {

__global__ void row_norm_kernel(const float* x, const float* scale, const float* bias, float* y,
                                float* mean_out, float* inv_std_out, RowNormShape s) {
  const int64_t row = blockIdx.x;
  const float* in = x + row * s.length;
  float sum = 0.0f;
  for (int64_t i = threadIdx.x; i < s.length; i += blockDim.x) sum += in[i];
  const float mean = block_reduce<false>(sum) / float(s.length);
  float squares = 0.0f;
  for (int64_t i = threadIdx.x; i < s.length; i += blockDim.x) {
    const float d = in[i] - mean;
    squares += d * d;
  }
  const float inv_std = rsqrtf(block_reduce<false>(squares) / float(s.length) + s.epsilon);
  const int64_t params = (row % s.param_cycle) * (s.length / s.param_run);
  float* out = y + row * s.length;
  for (int64_t i = threadIdx.x; i < s.length; i += blockDim.x) {
    const int64_t p = params + i / s.param_run;
    out[i] = (in[i] - mean) * inv_std * scale[p] + (bias ? bias[p] : 0.0f);
  }
  if (threadIdx.x == 0) {
    if (mean_out) mean_out[row] = mean;
    if (inv_std_out) inv_std_out[row] = inv_std;
  }
}

}  // namespace

cudaError_t row_norm(const float* x, const float* scale, const float* bias, float* y, float* mean,
                     float* inv_std, const RowNormShape& shape, cudaStream_t stream) {
  if (shape.rows == 0 || shape.length == 0) return cudaSuccess;
  if (shape.rows > 0x7fffffff) return cudaErrorInvalidValue;  // one block per row
  row_norm_kernel<<<unsigned(shape.rows), kThreads, 0, stream>>>(x, scale, bias, y, mean, inv_std,
                                                                 shape);
  return cudaGetLastError();
}

}  // namespace algoscope::cuda
