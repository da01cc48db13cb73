// Gather on the device: one thread per output element, which splits its index into
// (outer, j, inner), reads indices[j] (normalizing a negative one) and copies the input element
// at (outer, index, inner). Consecutive threads share j and walk inner, so reads and writes both
// coalesce when inner is long; ViT's class-token pick (one index on axis 1) reads one row.
#include "launch.h"
#include "ops/shape/gather_kernels.h"

namespace algoscope::cuda {
namespace {

template <class T, class I>
__global__ void gather_kernel(const T* __restrict__ x, T* __restrict__ y,
                              const I* __restrict__ indices, GatherShape s, int64_t numel) {
  for (int64_t e = blockIdx.x * int64_t(blockDim.x) + threadIdx.x; e < numel;
       e += int64_t(gridDim.x) * blockDim.x) {
    const int64_t i = e % s.inner;
    const int64_t j = (e / s.inner) % s.count;
    const int64_t o = e / (s.inner * s.count);
    int64_t index = int64_t(indices[j]);
    if (index < 0) index += s.axis;
    y[e] = (index >= 0 && index < s.axis) ? x[(o * s.axis + index) * s.inner + i] : T(0);
  }
}

template <class T>
cudaError_t launch(const void* x, void* y, const void* indices, bool indices_int32,
                   const GatherShape& s, int64_t numel, cudaStream_t stream) {
  const int grid = grid_for(numel);
  if (indices_int32)
    gather_kernel<T, int32_t>
        <<<grid, kThreads, 0, stream>>>(static_cast<const T*>(x), static_cast<T*>(y),
                                        static_cast<const int32_t*>(indices), s, numel);
  else
    gather_kernel<T, int64_t>
        <<<grid, kThreads, 0, stream>>>(static_cast<const T*>(x), static_cast<T*>(y),
                                        static_cast<const int64_t*>(indices), s, numel);
  return cudaGetLastError();
}

}  // namespace

cudaError_t gather(const void* x, void* y, int element_size, const void* indices,
                   bool indices_int32, const GatherShape& shape, cudaStream_t stream) {
  const int64_t numel = shape.outer * shape.count * shape.inner;
  if (numel == 0) return cudaSuccess;
  switch (element_size) {
    case 1:
      return launch<uint8_t>(x, y, indices, indices_int32, shape, numel, stream);
    case 2:
      return launch<uint16_t>(x, y, indices, indices_int32, shape, numel, stream);
    case 4:
      return launch<uint32_t>(x, y, indices, indices_int32, shape, numel, stream);
    case 8:
      return launch<uint64_t>(x, y, indices, indices_int32, shape, numel, stream);
  }
  return cudaErrorInvalidValue;
}

}  // namespace algoscope::cuda
