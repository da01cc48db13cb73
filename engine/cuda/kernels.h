// Small CUDA kernels the library-backed algorithms need around their library calls (kernels.cu):
// explicit zero padding for cuDNN's symmetric-pads-only API, a bias + clamp epilogue where cuDNN
// or cuBLAS offers no fused one, and Gemm's broadcast C. All are queued on the given stream and
// return the launch status (the caller turns it into an Error). Plain types only: the .cu files
// are compiled as C++17, the engine's headers need C++20.
#pragma once

#include <cuda_runtime.h>

#include <cstdint>

namespace algoscope::cuda {

// Copies x [planes, spatial...] into `padded` with `begin`/`end` zeros around each of the `rank`
// (1 to 3) spatial axes of extent `extent`.
cudaError_t pad_input(const float* x, int64_t planes, int rank, const int64_t* extent,
                      const int64_t* begin, const int64_t* end, float* padded, cudaStream_t stream);

// y[n, c, i] = clamp(y[n, c, i] + bias[c], lower, upper) over [batch, channels, inner]; bias may
// be null.
cudaError_t bias_and_clamp(float* y, const float* bias, int64_t batch, int64_t channels,
                           int64_t inner, float lower, float upper, cudaStream_t stream);

// y[i, j] = beta * c[i * row_stride + j * column_stride] over [rows, columns] (strides 0
// broadcast): ONNX Gemm's C written into Y before the product accumulates onto it.
cudaError_t broadcast_matrix(float* y, const float* c, int64_t rows, int64_t columns,
                             int64_t row_stride, int64_t column_stride, float beta,
                             cudaStream_t stream);

}  // namespace algoscope::cuda
