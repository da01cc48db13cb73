// The gated activations a Conv, Gemm or Add can take in its epilogue (Node::Activation): Swish
// (SiLU, y * sigmoid(y): EfficientNet, YOLO) and HardSwish (y * min(max(y/6 + 1/2, 0), 1):
// MobileNetV3) and the exact GELU (transformer MLPs). Fused, they cost one pass over a piece of
// output that the kernel just wrote and that is still in cache, instead of a Sigmoid and a Mul (or
// a HardSwish) each reading and writing the whole tensor. Compiled for AVX-512, AVX2 and the
// baseline like the unary kernels, with the same sigmoid (vector_math.h), so the fused node
// computes what the unfused ops would.
#include "ops/common.h"
#include "ops/vector_math.h"

namespace algoscope::ops {
namespace {

using Kind = Node::Activation::Kind;

ALGOSCOPE_INLINE void swish_body(float* __restrict y, int64_t n) {
#pragma omp simd
  for (int64_t i = 0; i < n; ++i) y[i] = y[i] * vmath::sigmoid_approx(y[i]);
}
ALGOSCOPE_SIMD_VARIANTS(swish, swish_body)

ALGOSCOPE_INLINE void hard_swish_body(float* __restrict y, int64_t n) {
#pragma omp simd
  for (int64_t i = 0; i < n; ++i) {
    float gate = y[i] / 6.0f + 0.5f;  // as the HardSwish op's kernels compute it
    gate = gate < 0.0f ? 0.0f : gate;
    gate = gate > 1.0f ? 1.0f : gate;
    y[i] = y[i] * gate;
  }
}
ALGOSCOPE_SIMD_VARIANTS(hard_swish, hard_swish_body)

// The exact GELU with the same erf and the same operations as the Gelu op's direct kernel
// (ops/gelu/direct.cpp), so Add+Gelu computes what Add then Gelu would.
ALGOSCOPE_INLINE void gelu_body(float* __restrict y, int64_t n) {
#pragma omp simd
  for (int64_t i = 0; i < n; ++i)
    y[i] = 0.5f * y[i] * (1.0f + vmath::erf_approx(y[i] * 0.7071067812f));
}
ALGOSCOPE_SIMD_VARIANTS(gelu, gelu_body)

}  // namespace

void apply_gated_activation(Kind kind, float* y, int64_t n) {
  if (kind == Kind::Swish)
    swish(y, n);
  else if (kind == Kind::HardSwish)
    hard_swish(y, n);
  else if (kind == Kind::Gelu)
    gelu(y, n);
}

}  // namespace algoscope::ops
