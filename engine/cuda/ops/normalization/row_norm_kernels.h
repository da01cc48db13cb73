// The kernel of the cuda_row_norm family (row_norm_kernels.cu) in plain types: the .cu files
// compile as C++17 and cannot include the engine's C++20 headers.
#pragma once

#include <cuda_runtime.h>

#include <cstdint>

namespace algoscope::cuda {

// RowNormGeometry's view (engine/src/ops/normalization/normalization.h) in plain fields: x is
// [rows, length]; element i of row r takes scale and bias element
// (r % param_cycle) * (length / param_run) + i / param_run.
struct RowNormShape {
  int64_t rows, length, param_run, param_cycle;
  float epsilon;
};

// y = (x - mean) / sqrt(var + epsilon) * scale + bias per row (bias may be null); mean and
// inv_std, when not null, receive each row's mean and 1 / sqrt(var + epsilon).
cudaError_t row_norm(const float* x, const float* scale, const float* bias, float* y, float* mean,
                     float* inv_std, const RowNormShape& shape, cudaStream_t stream);

}  // namespace algoscope::cuda
