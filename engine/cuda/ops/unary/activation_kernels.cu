// Elementwise activations and Clip: one thread per element in a grid-stride loop, the function a
// template parameter so each kernel is branch-free. Each formula is the host reference's own, with
// its comparisons written the same way so NaN goes where the reference sends it (Relu maps it to
// 0, Clip passes it). Transcendentals use CUDA's accurate expf / tanhf / erff (at most 2 ulp, per
// the CUDA Programming Guide's table), not the __expf intrinsics; sqrtf and division are correctly
// rounded under nvcc's defaults.
#include "launch.h"
#include "ops/unary/activation_kernels.h"

namespace algoscope::cuda {
namespace {

// std::min / std::max exactly: (b < a) ? b : a and (a < b) ? b : a.
__device__ __forceinline__ float host_min(float a, float b) { return b < a ? b : a; }
__device__ __forceinline__ float host_max(float a, float b) { return a < b ? b : a; }

template <ActivationVariant F>
__device__ __forceinline__ float apply(float v, float alpha, float beta, float lo, float hi) {
  if constexpr (F == kRelu) return v > 0.0f ? v : 0.0f;
  if constexpr (F == kSigmoid) return 1.0f / (1.0f + expf(-v));
  if constexpr (F == kTanh) return tanhf(v);
  if constexpr (F == kErf) return erff(v);
  if constexpr (F == kSqrt) return sqrtf(v);
  if constexpr (F == kExp) return expf(v);
  if constexpr (F == kHardSigmoid) return host_max(0.0f, host_min(1.0f, alpha * v + beta));
  if constexpr (F == kHardSwish) return v * host_max(0.0f, host_min(1.0f, v / 6.0f + 0.5f));
  if constexpr (F == kLeakyRelu) return v >= 0.0f ? v : alpha * v;
  if constexpr (F == kGelu) return 0.5f * v * (1.0f + erff(v * 0.70710678118654752f));
  if constexpr (F == kGeluTanh)
    return 0.5f * v * (1.0f + tanhf(0.79788456080286536f * (v + 0.044715f * v * v * v)));
  if constexpr (F == kClip) {
    const float r = v < lo ? lo : v;
    return r > hi ? hi : r;
  }
  return v;
}

template <ActivationVariant F>
__global__ void activation_kernel(const float* __restrict__ x, float* __restrict__ y, int64_t n,
                                  ActivationParams p) {
  const float lo = p.lower_input ? *p.lower_input : p.lower;
  const float hi = p.upper_input ? *p.upper_input : p.upper;
  for (int64_t i = blockIdx.x * int64_t(blockDim.x) + threadIdx.x; i < n;
       i += int64_t(gridDim.x) * blockDim.x)
    y[i] = apply<F>(x[i], p.alpha, p.beta, lo, hi);
}

template <ActivationVariant F>
cudaError_t launch(const float* x, float* y, int64_t n, const ActivationParams& p,
                   cudaStream_t stream) {
  activation_kernel<F><<<grid_for(n), kThreads, 0, stream>>>(x, y, n, p);
  return cudaGetLastError();
}

}  // namespace

cudaError_t activation(ActivationVariant f, const float* x, float* y, int64_t n,
                       const ActivationParams& params, cudaStream_t stream) {
  if (n == 0) return cudaSuccess;
  switch (f) {
    case kRelu:
      return launch<kRelu>(x, y, n, params, stream);
    case kSigmoid:
      return launch<kSigmoid>(x, y, n, params, stream);
    case kTanh:
      return launch<kTanh>(x, y, n, params, stream);
    case kErf:
      return launch<kErf>(x, y, n, params, stream);
    case kSqrt:
      return launch<kSqrt>(x, y, n, params, stream);
    case kExp:
      return launch<kExp>(x, y, n, params, stream);
    case kHardSigmoid:
      return launch<kHardSigmoid>(x, y, n, params, stream);
    case kHardSwish:
      return launch<kHardSwish>(x, y, n, params, stream);
    case kLeakyRelu:
      return launch<kLeakyRelu>(x, y, n, params, stream);
    case kClip:
      return launch<kClip>(x, y, n, params, stream);
    case kGelu:
      return launch<kGelu>(x, y, n, params, stream);
    case kGeluTanh:
      return launch<kGeluTanh>(x, y, n, params, stream);
  }
  return cudaErrorInvalidValue;
}

}  // namespace algoscope::cuda
