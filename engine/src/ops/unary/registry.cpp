// The unary family's registry: Relu, LeakyRelu, Clip, Sigmoid, HardSigmoid, HardSwish, Tanh, Erf,
// Sqrt, Exp, Cast, Identity, Dropout
// and Shape with their algorithms. This is the one place where the family's algorithm names are
// spelled.
#include <string>
#include <utility>

#include "cuda/backend.h"
#include "cuda/variants.h"
#include "ops/registrations.h"
#include "ops/unary/unary.h"

namespace algoscope::ops {
namespace {

using InferFn = std::function<std::vector<TensorInfo>(const Layer&)>;
using PrepareFn = std::function<std::unique_ptr<Kernel>(const Layer&)>;

Algorithm reference(std::string summary, std::string teaching, PrepareFn prepare,
                    Tolerance tolerance = {}) {
  Algorithm a;
  a.name = "reference";
  a.backend = Backend::Cpu;
  a.summary = std::move(summary);
  a.teaching = std::move(teaching);
  a.tolerance = tolerance;
  a.default_priority = 0;
  a.prepare = std::move(prepare);
  return a;
}

void add(Registry& registry, std::string op_type, std::string summary, InferFn infer,
         bool arithmetic, Algorithm algorithm) {
  OpDefinition def;
  def.op_type = std::move(op_type);
  def.summary = std::move(summary);
  def.infer = std::move(infer);
  if (arithmetic) def.flops = unary::elementwise_flops;
  def.algorithms.push_back(std::move(algorithm));
  registry.add_op(std::move(def));
}

constexpr Tolerance kExact{0.0, 0.0};

// The vectorized float32 kernel of every activation (unary/direct.cpp). Transcendentals use the
// polynomial approximations of ops/vector_math.h, so their tolerance is a few ulp.
Algorithm direct_activation(unary::Activation act) {
  using unary::Activation;
  const bool transcendental = act == Activation::Sigmoid || act == Activation::Tanh ||
                              act == Activation::Erf || act == Activation::Exp;
  Algorithm a;
  a.name = "direct";
  a.backend = Backend::Cpu;
  a.summary = transcendental
                  ? "SIMD loop with a polynomial approximation, multi-threaded for large tensors"
                  : "SIMD loop (AVX-512 / AVX2 / SSE2), multi-threaded for large tensors";
  std::string numerics;
  switch (act) {
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
          "The Taylor series to x^15 below |x| = 0.5 (relative error < 1e-7) and Abramowitz & "
          "Stegun 7.1.26 above it (absolute error 1.5e-7 plus rounding): within 4e-7 absolute "
          "of erff.";
      break;
    case Activation::Sqrt:
      numerics = "sqrtps / sqrtpd are correctly rounded, so the result equals sqrtf bit for bit.";
      break;
    case Activation::HardSigmoid:
      numerics =
          "alpha * x + beta may be fused into one FMA on AVX2/AVX-512 machines, so results can "
          "differ from the reference by one rounding.";
      break;
    default:
      numerics = "The same single operation per element as the reference: bit-identical.";
      break;
  }
  a.teaching =
      "The flat tensor is processed in chunks of 16K elements by a branch-free loop the compiler "
      "vectorizes; the library carries three copies of it (AVX-512, AVX2+FMA, baseline SSE2) and "
      "picks one for the running CPU when it loads. Tensors of 64K elements or more hand the "
      "chunks to the OpenMP team; smaller ones stay on the calling thread, where waking the "
      "team would cost more than the work. Extra memory: none. It wins over the reference "
      "whenever the reference's loop does not vectorize (every libm call: exp, tanh, erf) and "
      "on large tensors through threads; plain Relu is memory-bound either way. " +
      (transcendental ? std::string("Transcendentals: vectorized polynomials, not libm. ")
                      : std::string()) +
      numerics;
  a.tolerance = transcendental                   ? Tolerance{1e-6, 1e-5}
                : act == Activation::HardSigmoid ? Tolerance{1e-6, 1e-6}
                                                 : kExact;
  a.default_priority = 10;
  a.not_applicable = unary::activation_direct_not_applicable;
  a.prepare = [act](const Layer& layer) { return unary::prepare_activation_direct(act, layer); };
  return a;
}

}  // namespace

void register_unary(Registry& registry) {
  using unary::Activation;
  struct Act {
    const char* op_type;
    Activation activation;
    const char* summary;
    const char* teaching;
  };
  const Act activations[] = {
      {"Relu", Activation::Relu, "max(x, 0) elementwise",
       "One comparison per element over the flat tensor; no extra memory. Exact."},
      {"Sigmoid", Activation::Sigmoid, "1 / (1 + exp(-x)) elementwise",
       "Computes 1 / (1 + expf(-x)) per element; no extra memory. Relative error of a few ulp; "
       "very negative inputs give exactly 0 because expf overflows to infinity."},
      {"Tanh", Activation::Tanh, "hyperbolic tangent elementwise",
       "Calls the C library's tanhf per element; no extra memory. Error within a few ulp; the "
       "result saturates to +-1 for |x| above about 9."},
      {"Erf", Activation::Erf, "Gauss error function elementwise",
       "Calls the C library's erff per element; no extra memory. Error within a few ulp."},
      {"Sqrt", Activation::Sqrt, "square root elementwise",
       "Calls sqrtf per element (correctly rounded by IEEE 754); no extra memory. Negative "
       "inputs give NaN."},
      {"Exp", Activation::Exp, "e^x elementwise",
       "Calls the C library's expf per element; no extra memory. Error within a few ulp; "
       "overflows to infinity above about 88.7."},
      {"HardSigmoid", Activation::HardSigmoid, "max(0, min(1, alpha * x + beta)) elementwise",
       "One multiply-add and two comparisons per element (alpha 0.2, beta 0.5 unless the node "
       "says otherwise); no extra memory. One rounding of the multiply-add."},
      {"HardSwish", Activation::HardSwish, "x * max(0, min(1, x / 6 + 1 / 2)) elementwise",
       "MobileNetV3's cheap swish: a clamp of x / 6 + 1/2 times x per element; no extra memory. "
       "A couple of roundings."},
      {"LeakyRelu", Activation::LeakyRelu, "x if x >= 0 else alpha * x, elementwise",
       "One comparison and at most one multiply per element (alpha 0.01 unless the node says "
       "otherwise); no extra memory. Exact for x >= 0."},
  };
  for (const Act& a : activations) {
    Activation act = a.activation;
    add(
        registry, a.op_type, a.summary,
        [act](const Layer& layer) { return unary::infer_activation(act, layer); }, true,
        reference(
            "plain loop over the elements", a.teaching,
            [act](const Layer& layer) { return unary::prepare_activation_reference(act, layer); },
            act == Activation::Relu ? kExact : Tolerance{}));
    registry.add_algorithm(a.op_type, direct_activation(act));
  }

  add(registry, "Clip", "limits values to [min, max]", unary::infer_clip, true,
      reference("plain loop over the elements",
                "Two comparisons per element against bounds read once per run (attributes before "
                "opset 11, optional scalar inputs from 11; absent bounds are -inf / +inf). No "
                "extra memory. Exact; NaN passes through.",
                unary::prepare_clip_reference, kExact));

  add(registry, "Cast", "converts elements to another type (float32, int64, int32, uint8, bool)",
      unary::infer_cast, false,
      reference("plain loop over the elements",
                "Converts each element with a C++ conversion: float to integer truncates toward "
                "zero (NaN gives 0, out-of-range values saturate), anything to bool tests for "
                "non-zero. No extra memory.",
                unary::prepare_cast_reference, kExact));

  add(registry, "Identity", "passes its input through", unary::infer_identity, false,
      reference("copies the input",
                "One memcpy of the input into the output (the loader usually removes the node). "
                "No extra memory; exact.",
                unary::prepare_copy_reference, kExact));

  add(registry, "Dropout", "identity at inference; the optional mask is all true",
      unary::infer_dropout, false,
      reference("copies the input",
                "At inference Dropout keeps every element: one memcpy of the input and, when the "
                "mask output is used, a fill with true. Training mode is rejected. No extra "
                "memory; exact.",
                unary::prepare_copy_reference, kExact));

  add(registry, "Shape", "the input's dimensions as an int64 vector", unary::infer_shape, false,
      reference("writes the static dimensions",
                "Writes the input's dimensions (optionally the [start, end) window of opset 15) "
                "into a 1-D int64 tensor; the data is never read. Exact.",
                unary::prepare_shape_reference, kExact));

  // Our CUDA kernel (engine/cuda/ops/unary/activation.cpp): one grid-stride pass on the device.
  {
    struct CudaActivation {
      const char* op_type;
      int variant;
      const char* numerics;
      Tolerance tolerance;
    };
    const char* kTranscendental =
        "CUDA's accurate libdevice function (at most 2 ulp by the CUDA Programming Guide), not "
        "the fast __expf-style intrinsics: within a few ulp of the host's libm.";
    const CudaActivation activations[] = {
        {"Relu", cuda::kRelu, "Exact (NaN gives 0, as the reference).", kExact},
        {"Sigmoid", cuda::kSigmoid, kTranscendental, Tolerance{1e-6, 1e-5}},
        {"Tanh", cuda::kTanh, kTranscendental, Tolerance{1e-6, 1e-5}},
        {"Erf", cuda::kErf, kTranscendental, Tolerance{1e-6, 1e-5}},
        {"Sqrt", cuda::kSqrt, "sqrtf is correctly rounded under nvcc's defaults: exact.", kExact},
        {"Exp", cuda::kExp, kTranscendental, Tolerance{1e-6, 1e-5}},
        {"HardSigmoid", cuda::kHardSigmoid,
         "nvcc fuses alpha * x + beta into one FMA, so results can differ from the reference by "
         "one rounding.",
         Tolerance{1e-6, 1e-6}},
        {"HardSwish", cuda::kHardSwish,
         "The reference's operations in its order; a fused multiply-add may save one rounding.",
         Tolerance{1e-6, 1e-6}},
        {"LeakyRelu", cuda::kLeakyRelu, "Exact: one comparison and at most one multiply.", kExact},
        {"Clip", cuda::kClip,
         "Exact; NaN passes through and min > max gives max, as the reference. Bounds come from "
         "the attributes (opset < 11) or the optional scalar inputs (read on the host when "
         "constant, by the kernel from device memory when computed).",
         kExact},
    };
    for (const CudaActivation& c : activations) {
      Algorithm a = cuda::algorithm(cuda::kCudaActivation, c.variant);
      a.name = "cuda";
      a.summary = "one device thread per element in a grid-stride loop";
      a.teaching =
          std::string(
              "On the CUDA device: one kernel gives each element a thread (a grid-stride loop of "
              "256-thread blocks) that applies the function with the reference's own formula and "
              "comparisons. Input and output live in device memory; the session inserts transfers "
              "where a neighbour runs on the host. Extra memory: none. It wins whenever its "
              "neighbours run on the device: the pass is memory-bound, and the alternative is a "
              "round trip to the host. Covers float32 only. Numerics: ") +
          c.numerics;
      a.tolerance = c.tolerance;
      registry.add_algorithm(c.op_type, std::move(a));
    }
  }
}

}  // namespace algoscope::ops
