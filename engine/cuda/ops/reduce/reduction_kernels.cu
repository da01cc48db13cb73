// The Reduce* ops on the device: one warp per output element. The warp's lanes stride over the
// element's reduced inputs (unravelled over the merged reduced axes; one multiply when there is
// one), fold them into a double accumulator as the host reference does, combine the 32 partial
// results with shuffles, and lane 0 finishes (mean, square root, logarithm) and rounds once to
// float. A LayerNorm's mean over 768 channels is then 24 loads per lane, and the reads of a warp
// are coalesced whenever the innermost reduced axis is the input's innermost.
#include "launch.h"
#include "ops/reduce/reduction_kernels.h"

namespace algoscope::cuda {
namespace {

constexpr int kWarpsPerBlock = kThreads / 32;

template <ReduceVariant R>
__device__ __forceinline__ double initial() {
  if constexpr (R == kReduceMax) return -__longlong_as_double(0x7ff0000000000000LL);  // -inf
  if constexpr (R == kReduceMin) return __longlong_as_double(0x7ff0000000000000LL);   // +inf
  if constexpr (R == kReduceProd) return 1.0;
  return 0.0;
}

// The value an element adds to the accumulator.
template <ReduceVariant R>
__device__ __forceinline__ double term(double v) {
  if constexpr (R == kReduceSumSquare || R == kReduceL2) return v * v;
  if constexpr (R == kReduceL1) return fabs(v);
  if constexpr (R == kReduceLogSumExp) return exp(v);
  return v;
}

// Folding two accumulators: std::max / std::min exactly as the reference writes them, so a NaN
// input is skipped the same way (it never wins a comparison against the running value).
template <ReduceVariant R>
__device__ __forceinline__ double combine(double acc, double v) {
  if constexpr (R == kReduceMax) return acc < v ? v : acc;
  if constexpr (R == kReduceMin) return v < acc ? v : acc;
  if constexpr (R == kReduceProd) return acc * v;
  return acc + v;
}

template <ReduceVariant R>
__device__ __forceinline__ double finish(double acc, int64_t count) {
  if constexpr (R == kReduceMean) return acc / double(count);
  if constexpr (R == kReduceL2) return sqrt(acc);
  if constexpr (R == kReduceLogSum || R == kReduceLogSumExp) return log(acc);
  return acc;
}

template <ReduceVariant R>
__global__ void reduce_kernel(const float* __restrict__ x, float* __restrict__ y,
                              ReduceIndex index) {
  const int lane = threadIdx.x % 32;
  const int64_t first = blockIdx.x * int64_t(kWarpsPerBlock) + threadIdx.x / 32;
  const int64_t stride = int64_t(gridDim.x) * kWarpsPerBlock;
  for (int64_t o = first; o < index.outputs; o += stride) {  // the whole warp takes one output
    int64_t base = 0, rest = o;
    for (int d = index.kept_rank - 1; d >= 0; --d) {
      base += (rest % index.kept_dims[d]) * index.kept_strides[d];
      rest /= index.kept_dims[d];
    }
    double acc = initial<R>();
    for (int64_t r = lane; r < index.count; r += 32) {
      int64_t offset = base;
      if (index.reduced_rank == 1) {
        offset += r * index.reduced_strides[0];
      } else {
        int64_t left = r;
        for (int d = index.reduced_rank - 1; d >= 0; --d) {
          offset += (left % index.reduced_dims[d]) * index.reduced_strides[d];
          left /= index.reduced_dims[d];
        }
      }
      acc = combine<R>(acc, term<R>(double(x[offset])));
    }
    for (int shift = 16; shift > 0; shift /= 2)
      acc = combine<R>(acc, __shfl_down_sync(0xffffffffu, acc, shift));
    if (lane == 0) y[o] = float(finish<R>(acc, index.count));
  }
}

template <ReduceVariant R>
cudaError_t launch(const float* x, float* y, const ReduceIndex& index, cudaStream_t stream) {
  const int64_t blocks = (index.outputs + kWarpsPerBlock - 1) / kWarpsPerBlock;
  const int grid = int(blocks < 65535 ? (blocks > 0 ? blocks : 1) : 65535);
  reduce_kernel<R><<<grid, kThreads, 0, stream>>>(x, y, index);
  return cudaGetLastError();
}

}  // namespace

cudaError_t reduce(ReduceVariant reduction, const float* x, float* y, const ReduceIndex& index,
                   cudaStream_t stream) {
  if (index.outputs == 0) return cudaSuccess;
  switch (reduction) {
    case kReduceMean:
      return launch<kReduceMean>(x, y, index, stream);
    case kReduceSum:
      return launch<kReduceSum>(x, y, index, stream);
    case kReduceMax:
      return launch<kReduceMax>(x, y, index, stream);
    case kReduceMin:
      return launch<kReduceMin>(x, y, index, stream);
    case kReduceProd:
      return launch<kReduceProd>(x, y, index, stream);
    case kReduceSumSquare:
      return launch<kReduceSumSquare>(x, y, index, stream);
    case kReduceL1:
      return launch<kReduceL1>(x, y, index, stream);
    case kReduceL2:
      return launch<kReduceL2>(x, y, index, stream);
    case kReduceLogSum:
      return launch<kReduceLogSum>(x, y, index, stream);
    case kReduceLogSumExp:
      return launch<kReduceLogSumExp>(x, y, index, stream);
  }
  return cudaErrorInvalidValue;
}

}  // namespace algoscope::cuda
