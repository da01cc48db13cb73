// Vectorized, multi-threaded activations for float32 (Relu, LeakyRelu, Sigmoid, HardSigmoid,
// HardSwish, Tanh, Erf, Sqrt, Exp). Each op is one branch-free loop over a chunk of the flat
// tensor, compiled three times (AVX-512, AVX2+FMA, baseline SSE2) and picked at load time; the
// transcendentals use the Cephes-style polynomials of ops/vector_math.h instead of libm calls
// so that they vectorize (Moshier 1989; Abramowitz & Stegun 7.1.26 for erf). Tensors of 64K
// elements or more are split into 16K-element chunks shared by the OpenMP team.
#include <algorithm>
#include <cmath>

#include "ops/common.h"
#include "ops/unary/unary.h"
#include "ops/vector_math.h"

namespace algoscope::ops::unary {
namespace {

using namespace vmath;

// One chunk of one activation. The switch sits outside the loops so every case is a plain loop
// the compiler vectorizes for the clone's ISA.
ALGOSCOPE_SIMD_CLONES void activation_chunk(Activation act, float alpha, float beta,
                                            const float* __restrict x, float* __restrict y,
                                            int64_t n) {
  switch (act) {
    case Activation::Relu:
#pragma omp simd
      for (int64_t i = 0; i < n; ++i) y[i] = x[i] > 0.0f ? x[i] : 0.0f;
      return;
    case Activation::LeakyRelu:
#pragma omp simd
      for (int64_t i = 0; i < n; ++i) y[i] = x[i] >= 0.0f ? x[i] : alpha * x[i];
      return;
    case Activation::Sigmoid:
#pragma omp simd
      for (int64_t i = 0; i < n; ++i) y[i] = sigmoid_approx(x[i]);
      return;
    case Activation::HardSigmoid:
#pragma omp simd
      for (int64_t i = 0; i < n; ++i) {
        const float v = alpha * x[i] + beta;
        y[i] = v < 0.0f ? 0.0f : (v > 1.0f ? 1.0f : v);
      }
      return;
    case Activation::HardSwish:
#pragma omp simd
      for (int64_t i = 0; i < n; ++i) {
        const float v = x[i] / 6.0f + 0.5f;
        y[i] = x[i] * (v < 0.0f ? 0.0f : (v > 1.0f ? 1.0f : v));
      }
      return;
    case Activation::Tanh:
#pragma omp simd
      for (int64_t i = 0; i < n; ++i) y[i] = tanh_approx(x[i]);
      return;
    case Activation::Erf:
#pragma omp simd
      for (int64_t i = 0; i < n; ++i) y[i] = erf_approx(x[i]);
      return;
    case Activation::Sqrt:
      // sqrtps is IEEE correctly rounded, so this is exact like sqrtf (negative x gives NaN).
#pragma omp simd
      for (int64_t i = 0; i < n; ++i) y[i] = std::sqrt(x[i]);
      return;
    case Activation::Exp:
#pragma omp simd
      for (int64_t i = 0; i < n; ++i) y[i] = exp_approx(x[i]);
      return;
  }
}

}  // namespace

std::optional<std::string> activation_direct_not_applicable(const Layer& layer) {
  if (layer.inputs.empty() || layer.inputs[0].dtype != DType::Float32)
    return std::string("the direct kernel covers float32 only; this ") + layer.n().op_type +
           " input is " + (layer.inputs.empty() ? "absent" : dtype_name(layer.inputs[0].dtype)) +
           ", which the reference computes";
  return std::nullopt;
}

std::unique_ptr<Kernel> prepare_activation_direct(Activation activation, const Layer& layer) {
  infer_activation(activation, layer);
  const float alpha =
      layer.n().attr_float("alpha", activation == Activation::LeakyRelu ? 0.01f : 0.2f);
  const float beta = layer.n().attr_float("beta", 0.5f);
  return make_kernel([activation, alpha, beta](KernelIO& io) {
    const float* x = io.inputs[0]->data<float>();
    float* y = io.outputs[0]->data<float>();
    const int64_t n = io.inputs[0]->numel();
    const int64_t chunks = (n + kChunkElements - 1) / kChunkElements;
#pragma omp parallel for schedule(static) if (n >= kParallelMinElements)
    for (int64_t c = 0; c < chunks; ++c) {
      const int64_t begin = c * kChunkElements;
      const int64_t count = std::min(kChunkElements, n - begin);
      activation_chunk(activation, alpha, beta, x + begin, y + begin, count);
    }
  });
}

}  // namespace algoscope::ops::unary
