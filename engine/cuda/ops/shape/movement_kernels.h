// The Transpose kernel of the data-movement families (movement_kernels.cu) in plain types: the
// .cu files compile as C++17 and cannot include the engine's C++20 headers.
#pragma once

#include <cuda_runtime.h>

#include <cstdint>

namespace algoscope::cuda {

inline constexpr int kMaxTransposeRank = 8;

// Output dimension d has extent dims[d] and advances the input by in_strides[d] elements (the
// input's stride of dimension perm[d]).
struct TransposeIndex {
  int rank = 0;
  int64_t dims[kMaxTransposeRank] = {};
  int64_t in_strides[kMaxTransposeRank] = {};
};

// y[i] = x[offset of output element i] for numel elements of element_size bytes (1, 2, 4 or 8).
cudaError_t transpose(const void* x, void* y, int64_t numel, int element_size,
                      const TransposeIndex& index, cudaStream_t stream);

}  // namespace algoscope::cuda
