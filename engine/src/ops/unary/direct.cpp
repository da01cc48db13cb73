// Vectorized, multi-threaded activations for float32 (Relu, LeakyRelu, Sigmoid, HardSigmoid,
// HardSwish, Tanh, Erf, Sqrt, Exp, Neg, Abs, Sign, Reciprocal, Floor, Ceil, Round, Softsign, Elu,
// Selu, Celu, ThresholdedRelu, Shrink). Each op is one branch-free loop over a chunk of the flat
// tensor, compiled three times (AVX-512, AVX2+FMA, baseline SSE2) and picked at load time; the
// transcendentals use the Cephes-style polynomials of ops/vector_math.h instead of libm calls
// so that they vectorize (Moshier 1989; erf by two fitted polynomials). Tensors of 64K
// elements or more are split into 16K-element chunks shared by the OpenMP team.
#include <algorithm>
#include <cmath>
#include <string>

#include "ops/common.h"
#include "ops/unary/unary.h"
#include "ops/vector_math.h"

namespace algoscope::ops::unary {
namespace {

using namespace vmath;

// y[i] = f(x[i]) for i < n, one vectorized loop (inlined into each clone of its caller).
template <class F>
ALGOSCOPE_INLINE void each(const float* __restrict x, float* __restrict y, int64_t n, F f) {
#pragma omp simd
  for (int64_t i = 0; i < n; ++i) y[i] = f(x[i]);
}

// One chunk of one activation. The switch sits outside the loops so every case is a plain loop
// the compiler vectorizes for the clone's ISA.
ALGOSCOPE_INLINE void activation_chunk_body(Activation act, float alpha, float beta,
                                            const float* __restrict x, float* __restrict y,
                                            int64_t n) {
  switch (act) {
    case Activation::Relu:
      return each(x, y, n, [](float v) { return v > 0.0f ? v : 0.0f; });
    case Activation::LeakyRelu:
      return each(x, y, n, [alpha](float v) { return v >= 0.0f ? v : alpha * v; });
    case Activation::Sigmoid:
      return each(x, y, n, [](float v) { return sigmoid_approx(v); });
    case Activation::HardSigmoid:
      return each(x, y, n, [alpha, beta](float v) {
        const float s = alpha * v + beta;
        return s < 0.0f ? 0.0f : (s > 1.0f ? 1.0f : s);
      });
    case Activation::HardSwish:
      return each(x, y, n, [](float v) {
        const float s = v / 6.0f + 0.5f;
        return v * (s < 0.0f ? 0.0f : (s > 1.0f ? 1.0f : s));
      });
    case Activation::Tanh:
      return each(x, y, n, [](float v) { return tanh_approx(v); });
    case Activation::Erf:
      return each(x, y, n, [](float v) { return erf_approx(v); });
    case Activation::Sqrt:
      // sqrtps is IEEE correctly rounded, so this is exact like sqrtf (negative x gives NaN).
      return each(x, y, n, [](float v) { return std::sqrt(v); });
    case Activation::Exp:
      return each(x, y, n, [](float v) { return exp_approx(v); });
    case Activation::Neg:
      return each(x, y, n, [](float v) { return -v; });
    case Activation::Abs:
      return each(x, y, n, [](float v) { return std::fabs(v); });
    case Activation::Sign:
      return each(x, y, n, [](float v) { return v > 0.0f ? 1.0f : (v < 0.0f ? -1.0f : v); });
    case Activation::Reciprocal:
      return each(x, y, n, [](float v) { return 1.0f / v; });
    // roundps (SSE4.1, so the AVX2 and AVX-512 clones) rounds without a libm call; the baseline
    // clone calls floorf / ceilf / nearbyintf. Either way exact.
    case Activation::Floor:
      return each(x, y, n, [](float v) { return std::floor(v); });
    case Activation::Ceil:
      return each(x, y, n, [](float v) { return std::ceil(v); });
    case Activation::Round:
      return each(x, y, n, [](float v) { return std::nearbyint(v); });
    case Activation::Softsign:
      return each(x, y, n, [](float v) { return v / (1.0f + std::fabs(v)); });
    case Activation::Elu:
      return each(x, y, n,
                  [alpha](float v) { return v >= 0.0f ? v : alpha * (exp_approx(v) - 1.0f); });
    case Activation::Selu:
      return each(x, y, n, [alpha, beta](float v) {
        return v > 0.0f ? beta * v : beta * (alpha * (exp_approx(v) - 1.0f));
      });
    case Activation::Celu:
      return each(x, y, n, [alpha](float v) {
        const float e = alpha * (exp_approx(v / alpha) - 1.0f);
        return (v > 0.0f ? v : 0.0f) + (e < 0.0f ? e : 0.0f);
      });
    case Activation::ThresholdedRelu:
      return each(x, y, n, [alpha](float v) { return v > alpha ? v : 0.0f; });
    case Activation::Shrink:
      return each(x, y, n, [alpha, beta](float v) {
        return v < -alpha ? v + beta : (v > alpha ? v - beta : 0.0f);
      });
    default:
      // The libm-only activations have no direct kernel (activation_has_direct).
      return;
  }
}
ALGOSCOPE_SIMD_VARIANTS(activation_chunk, activation_chunk_body)

}  // namespace

std::optional<std::string> activation_direct_not_applicable(const Layer& layer) {
  if (layer.inputs.empty() || layer.inputs[0].dtype != DType::Float32)
    return std::string("the direct kernel covers float32 only; this ") + layer.n().op_type +
           " input is " + (layer.inputs.empty() ? "absent" : dtype_name(layer.inputs[0].dtype)) +
           ", which the reference computes";
  return std::nullopt;
}

std::unique_ptr<Kernel> prepare_activation_direct(Activation activation, const Layer& layer) {
  // Captured by name: clang 14 cannot capture structured bindings.
  const ActivationAttributes attributes = activation_attributes(activation, layer);
  return make_kernel([activation, alpha = attributes.alpha, beta = attributes.beta](KernelIO& io) {
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

AlgorithmText activation_direct_text(Activation activation) {
  const bool transcendental = activation == Activation::Sigmoid || activation == Activation::Tanh ||
                              activation == Activation::Erf || activation == Activation::Exp ||
                              activation == Activation::Elu || activation == Activation::Selu ||
                              activation == Activation::Celu;
  const char* numerics = "The same single operation per element as the reference: bit-identical.";
  switch (activation) {
    case Activation::Exp:
      numerics =
          "e^x is computed as 2^n * p(r) with x = n ln2 + r, |r| <= ln2/2, and Cephes' degree-6 "
          "polynomial p: at most about 2 ulp from the C library's expf (tested over [-87, 88]); "
          "below -87.33 it returns 0 where expf gives a subnormal.";
      break;
    case Activation::Sigmoid:
      numerics =
          "1 / (1 + e^-x) with the polynomial e^x (about 2 ulp): within about 3 ulp of the "
          "reference; exactly 0 for very negative x, as the reference.";
      break;
    case Activation::Tanh:
      numerics =
          "Cephes' odd polynomial x + x^3 P(x^2) below |x| = 0.625 (full relative precision "
          "near 0), 1 - 2 / (e^{2|x|} + 1) above it with the polynomial e^x: within about 3 ulp "
          "of tanhf.";
      break;
    case Activation::Erf:
      numerics =
          "x P(x^2) below |x| = 1 (full relative precision near 0) and 1 - e^{-x^2} Q(1 / (1 + "
          "|x| / 2)) above it, both polynomials fitted to within 2e-9 so that float rounding "
          "dominates: within 1.5e-7 absolute and 1.8e-7 relative of erf.";
      break;
    case Activation::Sqrt:
      numerics = "sqrtps / sqrtpd are correctly rounded, so the result equals sqrtf bit for bit.";
      break;
    case Activation::HardSigmoid:
      numerics =
          "alpha * x + beta may be fused into one FMA on AVX2/AVX-512 machines, so results can "
          "differ from the reference by one rounding.";
      break;
    case Activation::Elu:
    case Activation::Selu:
    case Activation::Celu:
      numerics =
          "The negative side is alpha * (e^x - 1) with the polynomial e^x (about 2 ulp); the "
          "subtraction cancels near 0, where the result is within about 1e-7 absolute of the "
          "reference's expm1 rather than a few ulp relative. The positive side is exact.";
      break;
    case Activation::Floor:
    case Activation::Ceil:
    case Activation::Round:
      numerics =
          "roundps on the AVX2 / AVX-512 copies, floorf / ceilf / nearbyintf on the baseline: "
          "exact either way (Round sends halves to the even neighbour).";
      break;
    case Activation::Reciprocal:
    case Activation::Softsign:
      numerics = "The reference's IEEE divisions, vectorized: bit-identical.";
      break;
    default:
      break;
  }
  return {
      transcendental ? "SIMD loop with a polynomial approximation, multi-threaded for large tensors"
                     : "SIMD loop (AVX-512 / AVX2 / SSE2), multi-threaded for large tensors",
      std::string(
          "The flat tensor is processed in chunks of 16K elements by a branch-free loop the "
          "compiler vectorizes; the library carries three copies of it (AVX-512, AVX2+FMA, "
          "baseline SSE2) and picks one for the running CPU when it loads. Tensors of 64K "
          "elements or more hand the chunks to the OpenMP team; smaller ones stay on the "
          "calling thread, where waking the team would cost more than the work. Extra memory: "
          "none. It wins over the reference whenever the reference's loop does not vectorize "
          "(every libm call: exp, tanh, erf) and on large tensors through threads; plain Relu "
          "is memory-bound either way. ") +
          (transcendental ? "Transcendentals: vectorized polynomials, not libm. " : "") + numerics};
}

}  // namespace algoscope::ops::unary
