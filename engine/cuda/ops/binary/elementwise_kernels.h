// The kernels of the cuda_elementwise family (elementwise_kernels.cu) in plain types: the .cu
// files compile as C++17 and cannot include the engine's C++20 headers.
#pragma once

#include <cuda_runtime.h>

#include <cstdint>

#include "cuda/variants.h"

namespace algoscope::cuda {

// Adjacent output dimensions that both operands broadcast alike are merged first (the engine's
// BroadcastPlan), so real layers need few; more than this is refused.
inline constexpr int kMaxBroadcastRank = 8;

// The output, row-major, over `rank` merged dimensions; each operand's element strides (0 where
// it is repeated).
struct BroadcastIndex {
  int rank = 1;
  int64_t dims[kMaxBroadcastRank] = {};
  int64_t a[kMaxBroadcastRank] = {};
  int64_t b[kMaxBroadcastRank] = {};
};

// y[i] = a[..] op b[..] over the numel output elements, then clamped to [lower, upper] when
// `clamp` (a fused Relu / Clip); NaN passes the clamp unchanged.
cudaError_t binary_elementwise(ElementwiseVariant op, const float* a, const float* b, float* y,
                               int64_t numel, const BroadcastIndex& index, bool clamp, float lower,
                               float upper, cudaStream_t stream);

}  // namespace algoscope::cuda
