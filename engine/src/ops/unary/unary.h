// The unary op family: elementwise activations and math functions (Relu, Sigmoid, Tanh, Erf, Sqrt,
// Exp, Log, Neg, Abs, Floor, the trigonometric ones, Elu/Selu/Celu, Shrink...), Clip, Cast, the
// logical Not, the float tests IsInf and IsNaN, and the ops that pass a tensor through or describe
// it (Identity, CastLike, Size, Dropout at inference, Shape). infer.cpp holds the ONNX semantics
// (attributes versus inputs across opsets, type rules); reference.cpp the plain-loop kernels;
// registry.cpp names the algorithms and registers the ops.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "algoscope/registry.h"
#include "ops/algorithm_text.h"

namespace algoscope::ops::unary {

enum class Activation {
  Relu,
  Sigmoid,
  Tanh,
  Erf,
  Sqrt,
  Exp,
  HardSigmoid,
  HardSwish,
  LeakyRelu,
  Neg,
  Abs,
  Reciprocal,
  Log,
  Floor,
  Ceil,
  Round,
  Sign,
  Sin,
  Cos,
  Tan,
  Sinh,
  Cosh,
  Asin,
  Acos,
  Atan,
  Asinh,
  Acosh,
  Atanh,
  Softplus,
  Softsign,
  Elu,
  Selu,
  Celu,
  ThresholdedRelu,
  Shrink
};

// Whether the activation has the vectorized `direct` kernel: every one whose per-element work the
// compiler vectorizes (comparisons, arithmetic, rounding, the polynomial exp). The libm-only ones
// (Log, the trigonometric and hyperbolic functions, Softplus) have the reference alone.
bool activation_has_direct(Activation activation);
// Neg, Abs and Sign (and Relu) are defined on signed integers too.
bool activation_takes_integers(Activation activation);

std::vector<TensorInfo> infer_activation(Activation activation, const Layer& layer);
// An activation's two attributes with ONNX's defaults, after validating the layer as
// infer_activation does. HardSigmoid is max(0, min(1, alpha * x + beta)), alpha 0.2 and beta 0.5;
// LeakyRelu's slope is alpha, 0.01; Elu's and Celu's alpha 1; ThresholdedRelu's threshold alpha 1;
// Selu's alpha 1.6733 and its gamma as beta 1.0507; Shrink's lambd as alpha 0.5 and bias as beta 0.
struct ActivationAttributes {
  float alpha;
  float beta;
};
ActivationAttributes activation_attributes(Activation activation, const Layer& layer);
std::vector<TensorInfo> infer_clip(const Layer& layer);
std::vector<TensorInfo> infer_cast(const Layer& layer);
// CastLike: input 0 converted to input 1's element type (the second input's data is not read).
std::vector<TensorInfo> infer_castlike(const Layer& layer);
// Size: the input's element count as an int64 scalar.
std::vector<TensorInfo> infer_size(const Layer& layer);
std::vector<TensorInfo> infer_identity(const Layer& layer);
// Not: a bool input, a bool output of its shape.
std::vector<TensorInfo> infer_not(const Layer& layer);
std::vector<TensorInfo> infer_dropout(const Layer& layer);
// IsInf / IsNaN: a float32 input, a bool output of its shape; IsInf's detect_positive and
// detect_negative are 0 or 1.
std::vector<TensorInfo> infer_float_test(const Layer& layer);
std::vector<TensorInfo> infer_shape(const Layer& layer);
// One operation per element.
double elementwise_flops(const Layer& layer);

// The element type Cast converts to: its `to` attribute mapped onto the engine's types. Throws
// Error naming the ONNX type when the engine does not compute with it.
DType cast_target(const Layer& layer);
// Clip's bounds from the opset < 11 attributes; -inf / +inf when absent.
struct ClipAttributes {
  float min;
  float max;
};
ClipAttributes clip_attributes(const Layer& layer);
// Dropout in training mode would need a random mask this inference engine does not draw; with
// ratio 0 it is still the identity. Throws Error unless `training_mode` is absent or false, or the
// ratio (absent: 0.5) is 0.
void require_inference_dropout(const Tensor* training_mode, const Tensor* ratio);
// The [start, end) range of dimensions Shape reports (start/end attributes, opset 15).
std::pair<int64_t, int64_t> shape_range(const Layer& layer);

std::unique_ptr<Kernel> prepare_activation_reference(Activation activation, const Layer& layer);
AlgorithmText activation_reference_text(Activation activation);
// direct.cpp: float32 activations vectorized (polynomial exp / tanh / erf) and split across
// OpenMP threads for tensors of 64K elements or more.
std::optional<std::string> activation_direct_not_applicable(const Layer& layer);
std::unique_ptr<Kernel> prepare_activation_direct(Activation activation, const Layer& layer);
AlgorithmText activation_direct_text(Activation activation);
std::unique_ptr<Kernel> prepare_clip_reference(const Layer& layer);
std::unique_ptr<Kernel> prepare_cast_reference(const Layer& layer);
std::unique_ptr<Kernel> prepare_castlike_reference(const Layer& layer);
std::unique_ptr<Kernel> prepare_size_reference(const Layer& layer);
// Identity and Dropout: output 0 is a copy of input 0; Dropout's optional mask is all true.
std::unique_ptr<Kernel> prepare_copy_reference(const Layer& layer);
std::unique_ptr<Kernel> prepare_shape_reference(const Layer& layer);
std::unique_ptr<Kernel> prepare_not_reference(const Layer& layer);
std::unique_ptr<Kernel> prepare_isinf_reference(const Layer& layer);
std::unique_ptr<Kernel> prepare_isnan_reference(const Layer& layer);
// reference.cpp's texts for the non-activation ops.
AlgorithmText clip_reference_text();
AlgorithmText cast_reference_text();
AlgorithmText identity_reference_text();
AlgorithmText dropout_reference_text();
AlgorithmText shape_reference_text();
AlgorithmText not_reference_text();
AlgorithmText isinf_reference_text();
AlgorithmText isnan_reference_text();
AlgorithmText size_reference_text();

}  // namespace algoscope::ops::unary
