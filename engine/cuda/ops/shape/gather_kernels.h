// The Gather kernel of the cuda_gather family (gather_kernels.cu) in plain types: the .cu files
// compile as C++17 and cannot include the engine's C++20 headers.
#pragma once

#include <cuda_runtime.h>

#include <cstdint>

namespace algoscope::cuda {

// The data seen as [outer, axis, inner] and the output as [outer, count, inner]:
// y[o, j, i] = x[o, indices[j], i], with a negative index counting from the axis' end. The
// indices are int64 or (indices_int32) int32 in device memory; an index outside [-axis, axis)
// (possible only when the indices are computed) writes zero bits instead of reading out of
// bounds. Elements of element_size bytes (1, 2, 4 or 8) move as bits.
struct GatherShape {
  int64_t outer = 1, axis = 1, count = 1, inner = 1;
};
cudaError_t gather(const void* x, void* y, int element_size, const void* indices,
                   bool indices_int32, const GatherShape& shape, cudaStream_t stream);

}  // namespace algoscope::cuda
