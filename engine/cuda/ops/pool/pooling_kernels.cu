// Pooling on the device. Windowed pools run one thread per output element: the thread unravels
// its output position, walks the (dilated) window's taps and skips those outside the input, the
// same rules as the host reference (window.h resolved pads, strides, dilations and ceil_mode
// already, so the kernel only needs the numbers). Neighbouring threads read neighbouring inputs,
// so loads coalesce for stride 1 and stay cached for stride 2. Global pools give each (image,
// channel) plane one block, whose threads stride through the plane and combine their partial
// results in shared memory: a 7x7 ResNet plane or a 112x112 MobileNet one is one block either
// way.
#include <cfloat>

#include "launch.h"
#include "ops/pool/pooling_kernels.h"

namespace algoscope::cuda {
namespace {

// The input offset (within the plane) of output position `o` and tap `k`; false when the tap lies
// in the padding. `in_padded` reports whether it lies inside the explicitly padded input (the
// taps count_include_pad counts; ceil_mode's overhang past the end padding never counts).
__device__ __forceinline__ bool tap(const PoolWindow& w, const int64_t* o, const int64_t* k,
                                    int64_t& offset, bool& in_padded) {
  bool inside = true;
  in_padded = true;
  offset = 0;
  for (int a = 0; a < w.rank; ++a) {
    const int64_t pos = o[a] * w.strides[a] - w.pad_begin[a] + k[a] * w.dilations[a];
    inside = inside && pos >= 0 && pos < w.input[a];
    in_padded = in_padded && pos >= -w.pad_begin[a] && pos < w.input[a] + w.pad_end[a];
    offset = offset * w.input[a] + pos;
  }
  return inside;
}

__device__ __forceinline__ void unravel(int64_t flat, const int64_t* extent, int rank,
                                        int64_t* index) {
  for (int a = rank - 1; a >= 0; --a) {
    index[a] = flat % extent[a];
    flat /= extent[a];
  }
}

template <bool Max>
__global__ void window_kernel(const float* __restrict__ x, float* __restrict__ y, int64_t planes,
                              PoolWindow w, bool include_pad) {
  int64_t in_size = 1, out_size = 1, k_size = 1;
  for (int a = 0; a < w.rank; ++a)
    in_size *= w.input[a], out_size *= w.output[a], k_size *= w.kernel[a];
  const int64_t total = planes * out_size;
  for (int64_t i = blockIdx.x * int64_t(blockDim.x) + threadIdx.x; i < total;
       i += int64_t(gridDim.x) * blockDim.x) {
    const float* xp = x + (i / out_size) * in_size;
    int64_t o[kMaxPoolRank], k[kMaxPoolRank];
    unravel(i % out_size, w.output, w.rank, o);
    float best = -INFINITY, sum = 0.0f;
    bool found = false;
    int64_t count = 0;
    for (int64_t kp = 0; kp < k_size; ++kp) {
      unravel(kp, w.kernel, w.rank, k);
      int64_t offset = 0;
      bool in_padded = false;
      const bool inside = tap(w, o, k, offset, in_padded);
      if (Max) {
        // The reference's rule: the first tap inside wins, then only a strictly greater one.
        if (inside) {
          const float v = xp[offset];
          if (!found || v > best) best = v;
          found = true;
        }
      } else {
        if (inside) sum += xp[offset];
        if (include_pad ? in_padded : inside) ++count;
      }
    }
    y[i] = Max ? best : (count ? sum / float(count) : 0.0f);
  }
}

template <bool Average>
__global__ void global_kernel(const float* __restrict__ x, float* __restrict__ y, int64_t size) {
  __shared__ float partial[kThreads];
  const float* xp = x + blockIdx.x * size;
  // The reference's maximum starts at -inf and takes only strictly greater values (NaN never).
  float acc = Average ? 0.0f : -INFINITY;
  for (int64_t i = threadIdx.x; i < size; i += blockDim.x) {
    const float v = xp[i];
    if (Average)
      acc += v;
    else if (v > acc)
      acc = v;
  }
  partial[threadIdx.x] = acc;
  __syncthreads();
  for (int half = blockDim.x / 2; half > 0; half /= 2) {
    if (threadIdx.x < half) {
      const float other = partial[threadIdx.x + half];
      if (Average)
        partial[threadIdx.x] += other;
      else if (other > partial[threadIdx.x])
        partial[threadIdx.x] = other;
    }
    __syncthreads();
  }
  if (threadIdx.x == 0) y[blockIdx.x] = Average ? partial[0] / float(size) : partial[0];
}

}  // namespace

cudaError_t max_pool(const float* x, float* y, int64_t planes, const PoolWindow& window,
                     cudaStream_t stream) {
  int64_t out_size = 1;
  for (int a = 0; a < window.rank; ++a) out_size *= window.output[a];
  if (planes * out_size == 0) return cudaSuccess;
  window_kernel<true>
      <<<grid_for(planes * out_size), kThreads, 0, stream>>>(x, y, planes, window, false);
  return cudaGetLastError();
}

cudaError_t average_pool(const float* x, float* y, int64_t planes, const PoolWindow& window,
                         bool count_include_pad, cudaStream_t stream) {
  int64_t out_size = 1;
  for (int a = 0; a < window.rank; ++a) out_size *= window.output[a];
  if (planes * out_size == 0) return cudaSuccess;
  window_kernel<false><<<grid_for(planes * out_size), kThreads, 0, stream>>>(x, y, planes, window,
                                                                             count_include_pad);
  return cudaGetLastError();
}

cudaError_t global_pool(const float* x, float* y, int64_t planes, int64_t size, bool average,
                        cudaStream_t stream) {
  if (planes == 0) return cudaSuccess;
  if (planes > 0x7fffffff) return cudaErrorInvalidValue;  // one block per plane
  if (average)
    global_kernel<true><<<unsigned(planes), kThreads, 0, stream>>>(x, y, size);
  else
    global_kernel<false><<<unsigned(planes), kThreads, 0, stream>>>(x, y, size);
  return cudaGetLastError();
}

}  // namespace algoscope::cuda
