// The kernels of the cuda_pool family (pooling_kernels.cu) in plain types: the .cu files compile
// as C++17 and cannot include the engine's C++20 headers.
#pragma once

#include <cuda_runtime.h>

#include <cstdint>

namespace algoscope::cuda {

inline constexpr int kMaxPoolRank = 3;

// The engine's ops::Window (window.h) of a MaxPool / AveragePool layer, 1 to 3 spatial axes.
struct PoolWindow {
  int rank = 0;
  int64_t input[kMaxPoolRank] = {}, kernel[kMaxPoolRank] = {}, strides[kMaxPoolRank] = {},
          dilations[kMaxPoolRank] = {}, pad_begin[kMaxPoolRank] = {}, pad_end[kMaxPoolRank] = {},
          output[kMaxPoolRank] = {};
};

// x [planes, window.input...] -> y [planes, window.output...].
cudaError_t max_pool(const float* x, float* y, int64_t planes, const PoolWindow& window,
                     cudaStream_t stream);
cudaError_t average_pool(const float* x, float* y, int64_t planes, const PoolWindow& window,
                         bool count_include_pad, cudaStream_t stream);
// x [planes, size] -> y [planes]: the mean (average) or the maximum of each plane.
cudaError_t global_pool(const float* x, float* y, int64_t planes, int64_t size, bool average,
                        cudaStream_t stream);

}  // namespace algoscope::cuda
