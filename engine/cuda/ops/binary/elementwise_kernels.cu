// Add, Sub, Mul, Div and Pow with numpy broadcasting: one thread per output element in a
// grid-stride loop. The broadcast index arrives merged (elementwise_kernels.h), so the common
// cases, equal shapes and a scalar operand, are rank 1 and need no division per element; other
// patterns (a channel bias [1, C, 1, 1]) unravel the output index over the few merged dimensions.
// The arithmetic is the one IEEE float operation of the op (nvcc's default -prec-div=true makes
// division correctly rounded), so results equal the host's bit for bit. Pow is CUDA's powf (a few
// ulp, like the host's libm, not bit-identical); with a constant exponent 2 the module asks for
// kSquare, one multiply, which is what a LayerNorm's variance needs.
#include "launch.h"
#include "ops/binary/elementwise_kernels.h"

namespace algoscope::cuda {
namespace {

template <ElementwiseVariant Op>
__device__ __forceinline__ float apply(float a, float b) {
  if constexpr (Op == kAdd) return a + b;
  if constexpr (Op == kSub) return a - b;
  if constexpr (Op == kMul) return a * b;
  if constexpr (Op == kPow) return powf(a, b);
  if constexpr (Op == kSquare) return a * a;
  return a / b;
}

template <ElementwiseVariant Op>
__global__ void binary_kernel(const float* __restrict__ a, const float* __restrict__ b,
                              float* __restrict__ y, int64_t numel, BroadcastIndex index,
                              bool clamp, float lower, float upper) {
  for (int64_t i = blockIdx.x * int64_t(blockDim.x) + threadIdx.x; i < numel;
       i += int64_t(gridDim.x) * blockDim.x) {
    int64_t oa = 0, ob = 0;
    if (index.rank == 1) {
      oa = i * index.a[0], ob = i * index.b[0];
    } else {
      int64_t rest = i;
      for (int d = index.rank - 1; d >= 0; --d) {
        const int64_t coordinate = rest % index.dims[d];
        rest /= index.dims[d];
        oa += coordinate * index.a[d], ob += coordinate * index.b[d];
      }
    }
    float v = apply<Op>(a[oa], b[ob]);
    // Comparisons, as the host's Clip: NaN passes (fminf/fmaxf would turn it into a bound).
    if (clamp) {
      v = v < lower ? lower : v;
      v = v > upper ? upper : v;
    }
    y[i] = v;
  }
}

}  // namespace

cudaError_t binary_elementwise(ElementwiseVariant op, const float* a, const float* b, float* y,
                               int64_t numel, const BroadcastIndex& index, bool clamp, float lower,
                               float upper, cudaStream_t stream) {
  if (numel == 0) return cudaSuccess;
  const int grid = grid_for(numel);
  switch (op) {
    case kAdd:
      binary_kernel<kAdd>
          <<<grid, kThreads, 0, stream>>>(a, b, y, numel, index, clamp, lower, upper);
      break;
    case kSub:
      binary_kernel<kSub>
          <<<grid, kThreads, 0, stream>>>(a, b, y, numel, index, clamp, lower, upper);
      break;
    case kMul:
      binary_kernel<kMul>
          <<<grid, kThreads, 0, stream>>>(a, b, y, numel, index, clamp, lower, upper);
      break;
    case kDiv:
      binary_kernel<kDiv>
          <<<grid, kThreads, 0, stream>>>(a, b, y, numel, index, clamp, lower, upper);
      break;
    case kPow:
      binary_kernel<kPow>
          <<<grid, kThreads, 0, stream>>>(a, b, y, numel, index, clamp, lower, upper);
      break;
    case kSquare:
      binary_kernel<kSquare>
          <<<grid, kThreads, 0, stream>>>(a, b, y, numel, index, clamp, lower, upper);
      break;
  }
  return cudaGetLastError();
}

}  // namespace algoscope::cuda
