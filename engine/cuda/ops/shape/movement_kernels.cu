// Transpose on the device: one thread per output element, which unravels its output index and
// gathers from the permuted input offset. Writes are coalesced, reads strided (a tiled
// shared-memory transpose would coalesce both; the tensors this serves, ViT's head splits of
// a few hundred KB, are small). Elements move as unsigned integers of their size: the bits only.
#include "launch.h"
#include "ops/shape/movement_kernels.h"

namespace algoscope::cuda {
namespace {

template <class T>
__global__ void transpose_kernel(const T* __restrict__ x, T* __restrict__ y, int64_t numel,
                                 TransposeIndex index) {
  for (int64_t i = blockIdx.x * int64_t(blockDim.x) + threadIdx.x; i < numel;
       i += int64_t(gridDim.x) * blockDim.x) {
    int64_t rest = i, offset = 0;
    for (int d = index.rank - 1; d >= 0; --d) {
      offset += (rest % index.dims[d]) * index.in_strides[d];
      rest /= index.dims[d];
    }
    y[i] = x[offset];
  }
}

template <class T>
cudaError_t launch(const void* x, void* y, int64_t numel, const TransposeIndex& index,
                   cudaStream_t stream) {
  transpose_kernel<T><<<grid_for(numel), kThreads, 0, stream>>>(static_cast<const T*>(x),
                                                                static_cast<T*>(y), numel, index);
  return cudaGetLastError();
}

}  // namespace

cudaError_t transpose(const void* x, void* y, int64_t numel, int element_size,
                      const TransposeIndex& index, cudaStream_t stream) {
  if (numel == 0) return cudaSuccess;
  switch (element_size) {
    case 1:
      return launch<uint8_t>(x, y, numel, index, stream);
    case 2:
      return launch<uint16_t>(x, y, numel, index, stream);
    case 4:
      return launch<uint32_t>(x, y, numel, index, stream);
    case 8:
      return launch<uint64_t>(x, y, numel, index, stream);
  }
  return cudaErrorInvalidValue;
}

}  // namespace algoscope::cuda
