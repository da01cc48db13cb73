// The unary op family: elementwise activations (Relu, Sigmoid, Tanh, Erf, Sqrt, Exp), Clip, Cast,
// the logical Not, and the ops that pass a tensor through or describe it (Identity, Dropout at
// inference, Shape). infer.cpp holds the ONNX semantics (attributes versus inputs across opsets,
// type rules); reference.cpp the plain-loop kernels; registry.cpp names the algorithms and
// registers the ops.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "algoscope/registry.h"
#include "ops/algorithm_text.h"

namespace algoscope::ops::unary {

enum class Activation { Relu, Sigmoid, Tanh, Erf, Sqrt, Exp, HardSigmoid, HardSwish, LeakyRelu };

std::vector<TensorInfo> infer_activation(Activation activation, const Layer& layer);
// An activation's alpha and beta attributes with ONNX's defaults (HardSigmoid is
// max(0, min(1, alpha * x + beta)), alpha 0.2 and beta 0.5; LeakyRelu's slope is alpha, 0.01),
// after validating the layer as infer_activation does.
struct ActivationAttributes {
  float alpha;
  float beta;
};
ActivationAttributes activation_attributes(Activation activation, const Layer& layer);
std::vector<TensorInfo> infer_clip(const Layer& layer);
std::vector<TensorInfo> infer_cast(const Layer& layer);
std::vector<TensorInfo> infer_identity(const Layer& layer);
// Not: a bool input, a bool output of its shape.
std::vector<TensorInfo> infer_not(const Layer& layer);
std::vector<TensorInfo> infer_dropout(const Layer& layer);
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
// Identity and Dropout: output 0 is a copy of input 0; Dropout's optional mask is all true.
std::unique_ptr<Kernel> prepare_copy_reference(const Layer& layer);
std::unique_ptr<Kernel> prepare_shape_reference(const Layer& layer);
std::unique_ptr<Kernel> prepare_not_reference(const Layer& layer);
// reference.cpp's texts for the non-activation ops.
AlgorithmText clip_reference_text();
AlgorithmText cast_reference_text();
AlgorithmText identity_reference_text();
AlgorithmText dropout_reference_text();
AlgorithmText shape_reference_text();
AlgorithmText not_reference_text();

}  // namespace algoscope::ops::unary
