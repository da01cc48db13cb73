// The kernel of the cuda_reduce family (reduction_kernels.cu) in plain types: the .cu files
// compile as C++17 and cannot include the engine's C++20 headers.
#pragma once

#include <cuda_runtime.h>

#include <cstdint>

#include "cuda/variants.h"

namespace algoscope::cuda {

// Adjacent axes of the same kind (kept or reduced) are merged and size-1 axes dropped first, so
// real layers need one or two of each; more than this is refused.
inline constexpr int kMaxReduceRank = 8;

// The input seen as kept axes (whose row-major order is the output's) and reduced axes, each
// with its extent and input element stride.
struct ReduceIndex {
  int kept_rank = 0;
  int64_t kept_dims[kMaxReduceRank] = {};
  int64_t kept_strides[kMaxReduceRank] = {};
  int reduced_rank = 0;
  int64_t reduced_dims[kMaxReduceRank] = {};
  int64_t reduced_strides[kMaxReduceRank] = {};
  int64_t outputs = 1;  // product of kept_dims
  int64_t count = 1;    // product of reduced_dims: elements per output
};

// y[o] = the reduction (the variant) of the `count` input elements of output o, accumulated in
// double, for every one of index.outputs outputs.
cudaError_t reduce(ReduceVariant reduction, const float* x, float* y, const ReduceIndex& index,
                   cudaStream_t stream);

}  // namespace algoscope::cuda
