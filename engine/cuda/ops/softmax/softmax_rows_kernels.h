// The kernel of the cuda_softmax family (softmax_rows_kernels.cu) in plain types: the .cu files
// compile as C++17 and cannot include the engine's C++20 headers. Attention's naive kernel uses it
// too, for its score rows.
#pragma once

#include <cuda_runtime.h>

#include <cstdint>

namespace algoscope::cuda {

// x viewed as [outer, length, inner]: softmax (or, with `log`, log-softmax) along `length` for
// each of the outer * inner lines. y may be x (in place).
cudaError_t softmax_lines(const float* x, float* y, int64_t outer, int64_t length, int64_t inner,
                          bool log, cudaStream_t stream);

}  // namespace algoscope::cuda
