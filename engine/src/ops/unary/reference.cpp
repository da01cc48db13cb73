// Reference kernels of the unary family: one plain loop per op over the flat element range, with
// the C++ standard library's functions (expf, tanhf, erff, sqrtf, logf, sinf...). Clip reads its
// bounds from the inputs at run time, so constant and runtime bounds take the same path.
#include <algorithm>
#include <cmath>
#include <cstring>
#include <limits>
#include <type_traits>

#include "ops/common.h"
#include "ops/unary/unary.h"

namespace algoscope::ops::unary {
namespace {

template <class T, class F>
void map(const Tensor& x, Tensor& y, F f) {
  const T* px = x.data<T>();
  T* py = y.data<T>();
  const int64_t n = x.numel();
  for (int64_t i = 0; i < n; ++i) py[i] = f(px[i]);
}

// The lowest and highest values of T: Clip's bounds when an input or attribute is absent.
template <class T>
T lowest() {
  if constexpr (std::is_floating_point_v<T>) return -std::numeric_limits<T>::infinity();
  return std::numeric_limits<T>::lowest();
}
template <class T>
T highest() {
  if constexpr (std::is_floating_point_v<T>) return std::numeric_limits<T>::infinity();
  return std::numeric_limits<T>::max();
}

// One element converted as ONNX Cast does. Float to integer truncates toward zero; NaN gives 0 and
// out-of-range values saturate instead of being undefined behaviour.
template <class TO, class TI>
TO convert(TI v) {
  if constexpr (std::is_same_v<TO, bool>) {
    return v != TI{};
  } else if constexpr (std::is_integral_v<TO> && std::is_floating_point_v<TI>) {
    if (std::isnan(v)) return 0;
    if (v <= static_cast<TI>(std::numeric_limits<TO>::lowest()))
      return std::numeric_limits<TO>::lowest();
    if (v >= static_cast<TI>(std::numeric_limits<TO>::max())) return std::numeric_limits<TO>::max();
    return static_cast<TO>(v);
  } else {
    return static_cast<TO>(v);
  }
}

// -v: floats flip the sign bit (0 gives -0, as numpy); integers wrap through the unsigned type,
// so the lowest value negates to itself instead of overflowing (undefined behaviour).
template <class T>
T negate(T v) {
  if constexpr (std::is_floating_point_v<T>)
    return -v;
  else
    return static_cast<T>(std::make_unsigned_t<T>{0} - static_cast<std::make_unsigned_t<T>>(v));
}

}  // namespace

std::unique_ptr<Kernel> prepare_activation_reference(Activation activation, const Layer& layer) {
  // Captured by name: clang 14 cannot capture structured bindings.
  const ActivationAttributes attributes = activation_attributes(activation, layer);
  return make_kernel([activation, alpha = attributes.alpha, beta = attributes.beta](KernelIO& io) {
    const Tensor& x = *io.inputs[0];
    Tensor& y = *io.outputs[0];
    switch (activation) {
      case Activation::Relu:
        visit_dtype(x.dtype(), [&](auto tag) {
          using T = decltype(tag);
          if constexpr (!std::is_same_v<T, bool>)
            map<T>(x, y, [](T v) { return v > T{0} ? v : T{0}; });
        });
        return;
      case Activation::Sigmoid:
        // 1 / (1 + e^-x): for very negative x, e^-x overflows to inf and the result is exactly 0.
        map<float>(x, y, [](float v) { return 1.0f / (1.0f + std::exp(-v)); });
        return;
      case Activation::Tanh:
        map<float>(x, y, [](float v) { return std::tanh(v); });
        return;
      case Activation::Erf:
        map<float>(x, y, [](float v) { return std::erf(v); });
        return;
      case Activation::Exp:
        map<float>(x, y, [](float v) { return std::exp(v); });
        return;
      case Activation::Sqrt:
        map<float>(x, y, [](float v) { return std::sqrt(v); });
        return;
      case Activation::HardSigmoid:
        map<float>(x, y, [=](float v) { return std::max(0.0f, std::min(1.0f, alpha * v + beta)); });
        return;
      case Activation::HardSwish:
        // x * HardSigmoid(x) with alpha 1/6, beta 1/2 (fixed by ONNX).
        map<float>(x, y,
                   [](float v) { return v * std::max(0.0f, std::min(1.0f, v / 6.0f + 0.5f)); });
        return;
      case Activation::LeakyRelu:
        map<float>(x, y, [=](float v) { return v >= 0.0f ? v : alpha * v; });
        return;
      case Activation::Neg:
      case Activation::Abs:
      case Activation::Sign:
        visit_dtype(x.dtype(), [&](auto tag) {
          using T = decltype(tag);
          if constexpr (std::is_signed_v<T>) {
            if (activation == Activation::Neg)
              map<T>(x, y, [](T v) { return negate(v); });
            else if (activation == Activation::Abs)
              map<T>(x, y, [](T v) { return v < T{0} ? negate(v) : v; });
            else
              // NaN stays NaN; zero stays zero.
              map<T>(x, y, [](T v) { return v > T{0} ? T{1} : (v < T{0} ? T{-1} : v); });
          }
        });
        return;
      case Activation::Reciprocal:
        map<float>(x, y, [](float v) { return 1.0f / v; });
        return;
      case Activation::Log:
        map<float>(x, y, [](float v) { return std::log(v); });
        return;
      case Activation::Floor:
        map<float>(x, y, [](float v) { return std::floor(v); });
        return;
      case Activation::Ceil:
        map<float>(x, y, [](float v) { return std::ceil(v); });
        return;
      case Activation::Round:
        // Halves go to the even neighbour (the default rounding mode), as ONNX and numpy round.
        map<float>(x, y, [](float v) { return std::nearbyint(v); });
        return;
      case Activation::Sin:
        map<float>(x, y, [](float v) { return std::sin(v); });
        return;
      case Activation::Cos:
        map<float>(x, y, [](float v) { return std::cos(v); });
        return;
      case Activation::Tan:
        map<float>(x, y, [](float v) { return std::tan(v); });
        return;
      case Activation::Sinh:
        map<float>(x, y, [](float v) { return std::sinh(v); });
        return;
      case Activation::Cosh:
        map<float>(x, y, [](float v) { return std::cosh(v); });
        return;
      case Activation::Asin:
        map<float>(x, y, [](float v) { return std::asin(v); });
        return;
      case Activation::Acos:
        map<float>(x, y, [](float v) { return std::acos(v); });
        return;
      case Activation::Atan:
        map<float>(x, y, [](float v) { return std::atan(v); });
        return;
      case Activation::Asinh:
        map<float>(x, y, [](float v) { return std::asinh(v); });
        return;
      case Activation::Acosh:
        map<float>(x, y, [](float v) { return std::acosh(v); });
        return;
      case Activation::Atanh:
        map<float>(x, y, [](float v) { return std::atanh(v); });
        return;
      case Activation::Softplus:
        // log(1 + e^x) written so that e^x never overflows: x + log1p(e^-x) for positive x.
        map<float>(x, y, [](float v) {
          return v > 0.0f ? v + std::log1p(std::exp(-v)) : std::log1p(std::exp(v));
        });
        return;
      case Activation::Softsign:
        map<float>(x, y, [](float v) { return v / (1.0f + std::fabs(v)); });
        return;
      case Activation::Elu:
        // expm1 keeps full relative precision for small negative x, where e^x - 1 cancels.
        map<float>(x, y, [=](float v) { return v >= 0.0f ? v : alpha * std::expm1(v); });
        return;
      case Activation::Selu:
        // alpha and gamma as ONNX writes it: gamma * (alpha * e^x - alpha) for x <= 0.
        map<float>(x, y,
                   [=](float v) { return v > 0.0f ? beta * v : beta * (alpha * std::expm1(v)); });
        return;
      case Activation::Celu:
        map<float>(x, y, [=](float v) {
          return std::max(0.0f, v) + std::min(0.0f, alpha * std::expm1(v / alpha));
        });
        return;
      case Activation::ThresholdedRelu:
        map<float>(x, y, [=](float v) { return v > alpha ? v : 0.0f; });
        return;
      case Activation::Shrink:
        // lambd is alpha, bias is beta.
        map<float>(x, y,
                   [=](float v) { return v < -alpha ? v + beta : (v > alpha ? v - beta : 0.0f); });
        return;
    }
  });
}

std::unique_ptr<Kernel> prepare_clip_reference(const Layer& layer) {
  infer_clip(layer);
  const bool from_inputs = layer.opset >= 11;
  const ClipAttributes attrs = from_inputs ? ClipAttributes{} : clip_attributes(layer);
  return make_kernel([from_inputs, attrs](KernelIO& io) {
    const Tensor& x = *io.inputs[0];
    Tensor& y = *io.outputs[0];
    visit_dtype(x.dtype(), [&](auto tag) {
      using T = decltype(tag);
      if constexpr (!std::is_same_v<T, bool>) {
        T lo = lowest<T>(), hi = highest<T>();
        if (!from_inputs) {
          lo = static_cast<T>(attrs.min);
          hi = static_cast<T>(attrs.max);
        } else {
          if (io.inputs.size() > 1 && io.inputs[1]) lo = io.inputs[1]->data<T>()[0];
          if (io.inputs.size() > 2 && io.inputs[2]) hi = io.inputs[2]->data<T>()[0];
        }
        // Written with comparisons rather than std::clamp: NaN passes through and lo > hi gives
        // hi, as ONNX Runtime and numpy.clip do.
        map<T>(x, y, [lo, hi](T v) {
          T r = v < lo ? lo : v;
          return r > hi ? hi : r;
        });
      }
    });
  });
}

namespace {

// Converts input 0 into output 0's element type; Cast and CastLike differ only in where that type
// comes from.
std::unique_ptr<Kernel> make_cast_kernel() {
  return make_kernel([](KernelIO& io) {
    const Tensor& x = *io.inputs[0];
    Tensor& y = *io.outputs[0];
    const int64_t n = x.numel();
    visit_dtype(x.dtype(), [&](auto in_tag) {
      using TI = decltype(in_tag);
      visit_dtype(y.dtype(), [&](auto out_tag) {
        using TO = decltype(out_tag);
        const TI* px = x.data<TI>();
        TO* py = y.data<TO>();
        for (int64_t i = 0; i < n; ++i) py[i] = convert<TO>(px[i]);
      });
    });
  });
}

}  // namespace

std::unique_ptr<Kernel> prepare_cast_reference(const Layer& layer) {
  infer_cast(layer);
  return make_cast_kernel();
}

std::unique_ptr<Kernel> prepare_castlike_reference(const Layer& layer) {
  infer_castlike(layer);
  return make_cast_kernel();
}

std::unique_ptr<Kernel> prepare_size_reference(const Layer& layer) {
  infer_size(layer);
  return make_kernel(
      [](KernelIO& io) { io.outputs[0]->data<int64_t>()[0] = io.inputs[0]->numel(); });
}

AlgorithmText size_reference_text() {
  return {"writes the static element count",
          "Writes the product of the input's dimensions into an int64 scalar; the data is never "
          "read. Exact."};
}

std::unique_ptr<Kernel> prepare_copy_reference(const Layer& layer) {
  const bool dropout = layer.n().op_type == "Dropout";
  const bool mode_input = dropout && layer.opset >= 12;
  return make_kernel([mode_input](KernelIO& io) {
    const Tensor& x = *io.inputs[0];
    if (mode_input && io.inputs.size() > 2)
      require_inference_dropout(io.inputs[2], io.inputs.size() > 1 ? io.inputs[1] : nullptr);
    Tensor& y = *io.outputs[0];
    if (y.raw() != x.raw() && x.bytes()) std::memcpy(y.raw(), x.raw(), x.bytes());
    // Dropout's mask: at inference every element is kept.
    if (io.outputs.size() > 1 && io.outputs[1]) {
      Tensor& mask = *io.outputs[1];
      visit_dtype(mask.dtype(), [&](auto tag) {
        using T = decltype(tag);
        std::fill_n(mask.data<T>(), mask.numel(), static_cast<T>(1));
      });
    }
  });
}

std::unique_ptr<Kernel> prepare_shape_reference(const Layer& layer) {
  // Named copies, not a structured binding: clang before 16 cannot capture bindings (the fuzz
  // build uses clang 14).
  const auto range = shape_range(layer);
  const int64_t start = range.first, end = range.second;
  return make_kernel([start, end](KernelIO& io) {
    const Shape& s = io.inputs[0]->shape();
    int64_t* out = io.outputs[0]->data<int64_t>();
    for (int64_t d = start; d < end; ++d) out[d - start] = s[static_cast<size_t>(d)];
  });
}

AlgorithmText activation_reference_text(Activation activation) {
  const char* teaching = "";
  switch (activation) {
    case Activation::Relu:
      teaching = "One comparison per element over the flat tensor; no extra memory. Exact.";
      break;
    case Activation::Sigmoid:
      teaching =
          "Computes 1 / (1 + expf(-x)) per element; no extra memory. Relative error of a few ulp; "
          "very negative inputs give exactly 0 because expf overflows to infinity.";
      break;
    case Activation::Tanh:
      teaching =
          "Calls the C library's tanhf per element; no extra memory. Error within a few ulp; the "
          "result saturates to +-1 for |x| above about 9.";
      break;
    case Activation::Erf:
      teaching = "Calls the C library's erff per element; no extra memory. Error within a few ulp.";
      break;
    case Activation::Sqrt:
      teaching =
          "Calls sqrtf per element (correctly rounded by IEEE 754); no extra memory. Negative "
          "inputs give NaN.";
      break;
    case Activation::Exp:
      teaching =
          "Calls the C library's expf per element; no extra memory. Error within a few ulp; "
          "overflows to infinity above about 88.7.";
      break;
    case Activation::HardSigmoid:
      teaching =
          "One multiply-add and two comparisons per element (alpha 0.2, beta 0.5 unless the node "
          "says otherwise); no extra memory. One rounding of the multiply-add.";
      break;
    case Activation::HardSwish:
      teaching =
          "MobileNetV3's cheap swish: a clamp of x / 6 + 1/2 times x per element; no extra "
          "memory. A couple of roundings.";
      break;
    case Activation::LeakyRelu:
      teaching =
          "One comparison and at most one multiply per element (alpha 0.01 unless the node says "
          "otherwise); no extra memory. Exact for x >= 0.";
      break;
    case Activation::Neg:
    case Activation::Abs:
    case Activation::Sign:
      teaching =
          "One sign operation per element on float32, int32 or int64; no extra memory. Exact "
          "(integer negation of the lowest value wraps to itself; Sign keeps NaN and zero).";
      break;
    case Activation::Reciprocal:
      teaching =
          "One IEEE division 1 / x per element (correctly rounded); no extra memory. 0 gives inf.";
      break;
    case Activation::Floor:
    case Activation::Ceil:
    case Activation::Round:
      teaching =
          "One rounding to an integral float per element (floorf, ceilf, or nearbyintf, which "
          "sends halves to the even neighbour as ONNX asks); no extra memory. Exact.";
      break;
    case Activation::Log:
    case Activation::Sin:
    case Activation::Cos:
    case Activation::Tan:
    case Activation::Sinh:
    case Activation::Cosh:
    case Activation::Asin:
    case Activation::Acos:
    case Activation::Atan:
    case Activation::Asinh:
    case Activation::Acosh:
    case Activation::Atanh:
      teaching =
          "Calls the C library's float function per element (logf, sinf, cosf, tanf, sinhf, coshf, "
          "asinf, acosf, atanf, asinhf, acoshf, atanhf); no extra memory. Error within a few ulp; "
          "out-of-domain inputs "
          "give NaN (log of 0 gives -inf).";
      break;
    case Activation::Softplus:
      teaching =
          "log(1 + e^x) per element computed as x + log1p(e^-x) for x > 0 and log1p(e^x) "
          "otherwise, so e^x never overflows and large x give x; no extra memory. Within a few "
          "ulp.";
      break;
    case Activation::Softsign:
      teaching = "x / (1 + |x|) per element: two roundings; no extra memory.";
      break;
    case Activation::Elu:
    case Activation::Selu:
    case Activation::Celu:
      teaching =
          "A comparison per element and, on the negative side, alpha * expm1(x) (Celu: of "
          "x / alpha; Selu scales both sides by gamma); no extra memory. expm1 keeps full "
          "relative precision near 0 where e^x - 1 would cancel: within a few ulp.";
      break;
    case Activation::ThresholdedRelu:
      teaching =
          "x where x > alpha (1 unless the node says otherwise), else 0: one comparison per "
          "element; no extra memory. Exact.";
      break;
    case Activation::Shrink:
      teaching =
          "x + bias below -lambd, x - bias above lambd, 0 between (lambd 0.5, bias 0 by default): "
          "two comparisons and at most one addition per element; no extra memory. One rounding.";
      break;
  }
  return {"plain loop over the elements", teaching};
}

AlgorithmText clip_reference_text() {
  return {"plain loop over the elements",
          "Two comparisons per element against bounds read once per run (attributes before "
          "opset 11, optional scalar inputs from 11; absent bounds are -inf / +inf). No extra "
          "memory. Exact; NaN passes through."};
}

AlgorithmText cast_reference_text() {
  return {"plain loop over the elements",
          "Converts each element with a C++ conversion: float to integer truncates toward zero "
          "(NaN gives 0, out-of-range values saturate), anything to bool tests for non-zero. No "
          "extra memory."};
}

AlgorithmText identity_reference_text() {
  return {"copies the input",
          "One memcpy of the input into the output (the loader usually removes the node). No "
          "extra memory; exact."};
}

AlgorithmText dropout_reference_text() {
  return {"copies the input",
          "At inference Dropout keeps every element: one memcpy of the input and, when the mask "
          "output is used, a fill with true. Training mode is rejected. No extra memory; exact."};
}

std::unique_ptr<Kernel> prepare_not_reference(const Layer& layer) {
  infer_not(layer);
  return make_kernel([](KernelIO& io) {
    const bool* x = io.inputs[0]->data<bool>();
    bool* y = io.outputs[0]->data<bool>();
    const int64_t n = io.inputs[0]->numel();
    for (int64_t i = 0; i < n; ++i) y[i] = !x[i];
  });
}

AlgorithmText not_reference_text() {
  return {"plain loop over the elements",
          "y[i] = !x[i] over the flat bool tensor, a loop the compiler vectorizes as a byte-wide "
          "xor with 1. No extra memory; exact."};
}

std::unique_ptr<Kernel> prepare_isinf_reference(const Layer& layer) {
  infer_float_test(layer);
  const bool positive = layer.n().attr_int("detect_positive", 1) != 0;
  const bool negative = layer.n().attr_int("detect_negative", 1) != 0;
  return make_kernel([positive, negative](KernelIO& io) {
    const float* x = io.inputs[0]->data<float>();
    bool* y = io.outputs[0]->data<bool>();
    const int64_t n = io.inputs[0]->numel();
    const float inf = std::numeric_limits<float>::infinity();
    for (int64_t i = 0; i < n; ++i) y[i] = (positive && x[i] == inf) || (negative && x[i] == -inf);
  });
}

std::unique_ptr<Kernel> prepare_isnan_reference(const Layer& layer) {
  infer_float_test(layer);
  return make_kernel([](KernelIO& io) {
    const float* x = io.inputs[0]->data<float>();
    bool* y = io.outputs[0]->data<bool>();
    const int64_t n = io.inputs[0]->numel();
    // NaN is the one value unequal to itself (std::isnan could be folded away under fast-math).
    for (int64_t i = 0; i < n; ++i) y[i] = x[i] != x[i];
  });
}

AlgorithmText isinf_reference_text() {
  return {"plain loop over the elements",
          "Two comparisons per element against +inf and -inf (detect_positive / detect_negative "
          "choose which count); bool output, no extra memory. Exact."};
}

AlgorithmText isnan_reference_text() {
  return {"plain loop over the elements",
          "x != x per element, true exactly for NaN; bool output, no extra memory. Exact."};
}

AlgorithmText shape_reference_text() {
  return {"writes the static dimensions",
          "Writes the input's dimensions (optionally the [start, end) window of opset 15) into a "
          "1-D int64 tensor; the data is never read. Exact."};
}

}  // namespace algoscope::ops::unary
