// A squeeze-and-excitation block on the device in three launches: one block per (image, channel)
// sums its plane (coalesced, reduced with block_reduce.cuh) into the channel's mean; one block
// per image forms the hidden vector in shared memory (a thread per hidden unit, dot products over
// the means), applies the first convolution's activation, then the gates (a thread per channel);
// a grid-stride pass writes x times its channel's gate. The small products are a few thousand
// multiply-adds per image: one block does them without a cuBLAS call's overhead.
#include "block_reduce.cuh"
#include "launch.h"
#include "ops/squeeze_excite/squeeze_excite_kernels.h"

namespace algoscope::cuda {
namespace {

__global__ void channel_means(const float* x, int64_t plane, float* means) {
  const float* p = x + int64_t(blockIdx.x) * plane;
  float sum = 0.0f;
  for (int64_t i = threadIdx.x; i < plane; i += blockDim.x) sum += p[i];
  sum = block_reduce<false>(sum);
  if (threadIdx.x == 0) means[blockIdx.x] = sum / float(plane);
}

__device__ float hidden_activation(const SqueezeExciteShape& s, float v) {
  switch (s.hidden_kind) {
    case 1:
      return fminf(fmaxf(v, s.hidden_lower), s.hidden_upper);
    case 2:
      return v / (1.0f + expf(-v));
    case 3:
      return v * fminf(fmaxf(v / 6.0f + 0.5f, 0.0f), 1.0f);
    default:
      return v;
  }
}

__global__ void excite(SqueezeExciteShape s, const float* means, const float* w1, const float* b1,
                       const float* w2, const float* b2, float* gates) {
  extern __shared__ float hidden[];
  const int64_t n = blockIdx.x;
  const float* m = means + n * s.channels;
  for (int64_t h = threadIdx.x; h < s.hidden; h += blockDim.x) {
    float v = b1 ? b1[h] : 0.0f;
    for (int64_t c = 0; c < s.channels; ++c) v += w1[h * s.channels + c] * m[c];
    hidden[h] = hidden_activation(s, v);
  }
  __syncthreads();
  for (int64_t c = threadIdx.x; c < s.channels; c += blockDim.x) {
    float v = b2 ? b2[c] : 0.0f;
    for (int64_t h = 0; h < s.hidden; ++h) v += w2[c * s.hidden + h] * hidden[h];
    gates[n * s.channels + c] = s.hard_gate
                                    ? fminf(fmaxf(s.gate_alpha * v + s.gate_beta, 0.0f), 1.0f)
                                    : 1.0f / (1.0f + expf(-v));
  }
}

__global__ void scale(const float* x, const float* gates, int64_t plane, int64_t n, float* y) {
  for (int64_t i = blockIdx.x * int64_t(blockDim.x) + threadIdx.x; i < n;
       i += int64_t(gridDim.x) * blockDim.x)
    y[i] = x[i] * gates[i / plane];
}

}  // namespace

cudaError_t squeeze_excite(const SqueezeExciteShape& s, const float* x, const float* w1,
                           const float* b1, const float* w2, const float* b2, float* workspace,
                           float* y, cudaStream_t stream) {
  const int64_t planes = s.batch * s.channels;
  if (planes == 0 || s.plane == 0) return cudaSuccess;
  if (planes > 0x7fffffff || s.hidden * int64_t(sizeof(float)) > 48 * 1024)
    return cudaErrorInvalidValue;
  float* means = workspace;
  float* gates = workspace + planes;
  channel_means<<<unsigned(planes), kThreads, 0, stream>>>(x, s.plane, means);
  excite<<<unsigned(s.batch), kThreads, size_t(s.hidden) * sizeof(float), stream>>>(
      s, means, w1, b1, w2, b2, gates);
  scale<<<grid_for(planes * s.plane), kThreads, 0, stream>>>(x, gates, s.plane, planes * s.plane,
                                                             y);
  return cudaGetLastError();
}

}  // namespace algoscope::cuda
