// The unary family's registry: Relu, Sigmoid, Tanh, Erf, Sqrt, Exp, HardSigmoid, HardSwish,
// LeakyRelu, Neg, Abs, Reciprocal, Log, Floor, Ceil, Round, Sign, Sin, Cos, Tan, Sinh, Cosh, Asin,
// Acos, Atan, Asinh, Acosh, Atanh, Softplus, Softsign, Elu, Selu, Celu, ThresholdedRelu, Shrink,
// Clip, Cast, CastLike, Identity, Dropout, Shape, Size, Not, IsInf and IsNaN with their algorithms,
// in registry order. This is the one place where the family's algorithm names are spelled; each
// algorithm lives in the file of the same name, with its text (<name>_text()).
#include "cuda/variants.h"
#include "ops/registrations.h"
#include "ops/unary/unary.h"

namespace algoscope::ops {

void register_unary(Registry& registry) {
  using namespace unary;
  constexpr Tolerance kExact{0.0, 0.0};
  struct Act {
    const char* op_type;
    Activation activation;
    const char* summary;
  };
  const Act activations[] = {
      {"Relu", Activation::Relu, "max(x, 0) elementwise"},
      {"Sigmoid", Activation::Sigmoid, "1 / (1 + exp(-x)) elementwise"},
      {"Tanh", Activation::Tanh, "hyperbolic tangent elementwise"},
      {"Erf", Activation::Erf, "Gauss error function elementwise"},
      {"Sqrt", Activation::Sqrt, "square root elementwise"},
      {"Exp", Activation::Exp, "e^x elementwise"},
      {"HardSigmoid", Activation::HardSigmoid, "max(0, min(1, alpha * x + beta)) elementwise"},
      {"HardSwish", Activation::HardSwish, "x * max(0, min(1, x / 6 + 1 / 2)) elementwise"},
      {"LeakyRelu", Activation::LeakyRelu, "x if x >= 0 else alpha * x, elementwise"},
      {"Neg", Activation::Neg, "-x elementwise"},
      {"Abs", Activation::Abs, "|x| elementwise"},
      {"Reciprocal", Activation::Reciprocal, "1 / x elementwise"},
      {"Log", Activation::Log, "natural logarithm elementwise"},
      {"Floor", Activation::Floor, "largest integer <= x elementwise"},
      {"Ceil", Activation::Ceil, "smallest integer >= x elementwise"},
      {"Round", Activation::Round, "nearest integer elementwise, halves to even"},
      {"Sign", Activation::Sign, "-1, 0 or 1 by the sign of x, elementwise"},
      {"Sin", Activation::Sin, "sine elementwise"},
      {"Cos", Activation::Cos, "cosine elementwise"},
      {"Tan", Activation::Tan, "tangent elementwise"},
      {"Sinh", Activation::Sinh, "hyperbolic sine elementwise"},
      {"Cosh", Activation::Cosh, "hyperbolic cosine elementwise"},
      {"Asin", Activation::Asin, "arcsine elementwise"},
      {"Acos", Activation::Acos, "arccosine elementwise"},
      {"Atan", Activation::Atan, "arctangent elementwise"},
      {"Asinh", Activation::Asinh, "inverse hyperbolic sine elementwise"},
      {"Acosh", Activation::Acosh, "inverse hyperbolic cosine elementwise"},
      {"Atanh", Activation::Atanh, "inverse hyperbolic tangent elementwise"},
      {"Softplus", Activation::Softplus, "log(1 + e^x) elementwise"},
      {"Softsign", Activation::Softsign, "x / (1 + |x|) elementwise"},
      {"Elu", Activation::Elu, "x if x >= 0 else alpha * (e^x - 1), elementwise"},
      {"Selu", Activation::Selu, "gamma * x if x > 0 else gamma * alpha * (e^x - 1), elementwise"},
      {"Celu", Activation::Celu, "max(0, x) + min(0, alpha * (e^(x / alpha) - 1)) elementwise"},
      {"ThresholdedRelu", Activation::ThresholdedRelu, "x if x > alpha else 0, elementwise"},
      {"Shrink", Activation::Shrink,
       "x + bias below -lambd, x - bias above lambd, else 0, elementwise"},
  };
  for (const Act& a : activations) {
    const Activation act = a.activation;
    // The direct kernel's polynomials (ops/vector_math.h) cost a few ulp; HardSigmoid may fuse
    // its multiply-add; the rest compute what the reference does.
    // Elu, Selu and Celu use the polynomial e^x too, and e^x - 1 cancels near 0.
    const bool transcendental = act == Activation::Sigmoid || act == Activation::Tanh ||
                                act == Activation::Erf || act == Activation::Exp ||
                                act == Activation::Elu || act == Activation::Selu ||
                                act == Activation::Celu;
    const Tolerance direct_tolerance = transcendental                   ? Tolerance{1e-6, 1e-5}
                                       : act == Activation::HardSigmoid ? Tolerance{1e-6, 1e-6}
                                                                        : kExact;
    std::vector<Entry> entries = {
        {activation_reference_text(act),
         {.name = kReference,
          .tolerance = act == Activation::Relu ? kExact : Tolerance{},
          .prepare = [act](const Layer& l) { return prepare_activation_reference(act, l); }}},
    };
    if (activation_has_direct(act))
      entries.push_back(
          {activation_direct_text(act),
           {.name = "direct",
            .tolerance = direct_tolerance,
            .default_priority = 10,
            .not_applicable = activation_direct_not_applicable,
            .prepare = [act](const Layer& l) { return prepare_activation_direct(act, l); }}});
    add_op(registry,
           {.op_type = a.op_type,
            .summary = a.summary,
            .infer = [act](const Layer& l) { return infer_activation(act, l); },
            .flops = elementwise_flops},
           std::move(entries));
  }

  struct Other {
    const char* op_type;
    const char* summary;
    std::function<std::vector<TensorInfo>(const Layer&)> infer;
    bool arithmetic;  // counts one FLOP per element
    AlgorithmText text;
    std::function<std::unique_ptr<Kernel>(const Layer&)> prepare;
  };
  const Other others[] = {
      {"Clip", "limits values to [min, max]", infer_clip, true, clip_reference_text(),
       prepare_clip_reference},
      {"Cast", "converts elements to another type (float32, int64, int32, uint8, bool)", infer_cast,
       false, cast_reference_text(), prepare_cast_reference},
      {"CastLike", "converts elements to the type of its second input", infer_castlike, false,
       cast_reference_text(), prepare_castlike_reference},
      {"Identity", "passes its input through", infer_identity, false, identity_reference_text(),
       prepare_copy_reference},
      {"Dropout", "identity at inference; the optional mask is all true", infer_dropout, false,
       dropout_reference_text(), prepare_copy_reference},
      {"Shape", "the input's dimensions as an int64 vector", infer_shape, false,
       shape_reference_text(), prepare_shape_reference},
      {"Size", "the input's element count as an int64 scalar", infer_size, false,
       size_reference_text(), prepare_size_reference},
      {"Not", "elementwise logical negation of a bool tensor", infer_not, true,
       not_reference_text(), prepare_not_reference},
      {"IsInf", "elementwise test for +inf / -inf; bool output", infer_float_test, true,
       isinf_reference_text(), prepare_isinf_reference},
      {"IsNaN", "elementwise test for NaN; bool output", infer_float_test, true,
       isnan_reference_text(), prepare_isnan_reference},
  };
  for (const Other& o : others)
    add_op(registry,
           {.op_type = o.op_type,
            .summary = o.summary,
            .infer = o.infer,
            .flops = o.arithmetic ? elementwise_flops : nullptr},
           {{o.text, {.name = kReference, .tolerance = kExact, .prepare = o.prepare}}});

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
    for (const CudaActivation& c : activations)
      add_cuda_algorithm(
          registry, c.op_type, cuda::kCudaActivation, c.variant, "cuda", c.tolerance,
          {"one device thread per element in a grid-stride loop",
           std::string(
               "On the CUDA device: one kernel gives each element a thread (a grid-stride loop of "
               "256-thread blocks) that applies the function with the reference's own formula and "
               "comparisons. Input and output live in device memory; the session inserts transfers "
               "where a neighbour runs on the host. Extra memory: none. It wins whenever its "
               "neighbours run on the device: the pass is memory-bound, and the alternative is a "
               "round trip to the host. Covers float32 only. Numerics: ") +
               c.numerics});
  }
}

}  // namespace algoscope::ops
