// ONNX semantics of the unary family (see unary.h): the accepted element types, Clip's bounds as
// attributes (opset < 11) or optional inputs (11+), Cast's target type, Dropout's inference-only
// contract and Shape's start/end window (opset 15).
#include <algorithm>
#include <cstdio>
#include <limits>
#include <string>

#include "onnx_tensor.h"
#include "ops/common.h"
#include "ops/unary/unary.h"

namespace algoscope::ops::unary {
namespace {

const TensorInfo& first_input(const Layer& layer, const std::string& op) {
  require(layer.has_input(0), op + " needs an input");
  return layer.inputs[0];
}

}  // namespace

bool activation_has_direct(Activation activation) {
  switch (activation) {
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
    case Activation::Softplus:
      return false;
    default:
      return true;
  }
}

bool activation_takes_integers(Activation activation) {
  return activation == Activation::Relu || activation == Activation::Neg ||
         activation == Activation::Abs || activation == Activation::Sign;
}

ActivationAttributes activation_attributes(Activation activation, const Layer& layer) {
  infer_activation(activation, layer);
  const Node& n = layer.n();
  switch (activation) {
    case Activation::LeakyRelu:
      return {n.attr_float("alpha", 0.01f), 0.0f};
    case Activation::Elu:
    case Activation::Celu:
    case Activation::ThresholdedRelu:
      return {n.attr_float("alpha", 1.0f), 0.0f};
    case Activation::Selu:
      // ONNX's defaults are the float32 roundings of Klambauer et al.'s constants.
      return {n.attr_float("alpha", 1.67326319217681884765625f),
              n.attr_float("gamma", 1.05070102214813232421875f)};
    case Activation::Shrink:
      return {n.attr_float("lambd", 0.5f), n.attr_float("bias", 0.0f)};
    default:
      return {n.attr_float("alpha", 0.2f), n.attr_float("beta", 0.5f)};
  }
}

std::vector<TensorInfo> infer_activation(Activation activation, const Layer& layer) {
  const std::string& name = layer.n().op_type;
  const TensorInfo& x = first_input(layer, name);
  // Relu (opset 14), Neg, Abs and Sign also accept signed integers; the rest are float only here.
  bool ok = x.dtype == DType::Float32 || (activation_takes_integers(activation) &&
                                          (x.dtype == DType::Int64 || x.dtype == DType::Int32));
  require(ok, name + " does not support " + dtype_name(x.dtype) + " inputs");
  if (activation == Activation::Celu)
    require(layer.n().attr_float("alpha", 1.0f) != 0.0f,
            "Celu: alpha must not be 0 (it divides x)");
  return {x};
}

ClipAttributes clip_attributes(const Layer& layer) {
  return {layer.n().attr_float("min", -std::numeric_limits<float>::infinity()),
          layer.n().attr_float("max", std::numeric_limits<float>::infinity())};
}

std::vector<TensorInfo> infer_clip(const Layer& layer) {
  const TensorInfo& x = first_input(layer, "Clip");
  require(x.dtype != DType::Bool, "Clip does not support bool inputs");
  if (layer.opset < 11) {
    require(x.dtype == DType::Float32, "Clip before opset 11 takes float32 only");
    clip_attributes(layer);  // read now, so that a mistyped attribute fails at load time
  } else {
    const char* names[] = {"", "min", "max"};
    for (size_t i = 1; i <= 2; ++i) {
      if (!layer.has_input(i)) continue;
      const TensorInfo& bound = layer.inputs[i];
      require(bound.dtype == x.dtype, std::string("Clip's ") + names[i] +
                                          " must have the input's type " + dtype_name(x.dtype) +
                                          ", got " + dtype_name(bound.dtype));
      require(bound.numel() == 1, std::string("Clip's ") + names[i] +
                                      " must be a scalar, got shape " +
                                      shape_to_string(bound.shape));
    }
  }
  return {x};
}

DType cast_target(const Layer& layer) {
  require(layer.n().has_attribute("to"), "Cast needs a 'to' attribute");
  const int64_t to = layer.n().attr_int("to", 0);
  if (auto type = to == int32_t(to) ? dtype_from_onnx(int32_t(to)) : std::nullopt) return *type;
  throw Error("Cast to " + (to == int32_t(to) ? onnx_type_name(int32_t(to)) : "unknown") +
              " (ONNX element type " + std::to_string(to) +
              ") is not supported: the engine computes with float32, int64, int32, uint8 and bool");
}

std::vector<TensorInfo> infer_cast(const Layer& layer) {
  const TensorInfo& x = first_input(layer, "Cast");
  return {TensorInfo{cast_target(layer), x.shape}};
}

std::vector<TensorInfo> infer_castlike(const Layer& layer) {
  const TensorInfo& x = first_input(layer, "CastLike");
  require(layer.has_input(1), "CastLike needs a second input (target_type) giving the type");
  return {TensorInfo{layer.inputs[1].dtype, x.shape}};
}

std::vector<TensorInfo> infer_size(const Layer& layer) {
  first_input(layer, "Size");
  return {TensorInfo{DType::Int64, Shape{}}};
}

std::vector<TensorInfo> infer_identity(const Layer& layer) {
  return {first_input(layer, "Identity")};
}

std::vector<TensorInfo> infer_not(const Layer& layer) {
  const TensorInfo& x = first_input(layer, "Not");
  require(x.dtype == DType::Bool,
          std::string("Not needs a bool input, got ") + dtype_name(x.dtype));
  return {x};
}

std::vector<TensorInfo> infer_float_test(const Layer& layer) {
  const std::string& name = layer.n().op_type;
  const TensorInfo& x = first_input(layer, name);
  require(x.dtype == DType::Float32, name + " needs a float32 input, got " + dtype_name(x.dtype));
  for (const char* flag : {"detect_positive", "detect_negative"}) {
    const int64_t v = layer.n().attr_int(flag, 1);
    require(v == 0 || v == 1, name + ": " + flag + " must be 0 or 1, got " + std::to_string(v));
  }
  return {TensorInfo{DType::Bool, x.shape}};
}

std::vector<TensorInfo> infer_dropout(const Layer& layer) {
  const TensorInfo& x = first_input(layer, "Dropout");
  // From opset 12 the mode is an input. An inference engine must know it before running: a
  // runtime flag could ask for random masks mid-run.
  if (layer.opset >= 12 && layer.has_input(2)) {
    require(layer.constant(2) != nullptr,
            "Dropout: the training_mode input must be a constant (the engine runs inference only)");
    require(!layer.has_input(1) || layer.constant(1),
            "Dropout: the ratio input must be a constant when training_mode is given");
    require_inference_dropout(layer.constant(2), layer.has_input(1) ? layer.constant(1) : nullptr);
  }
  std::vector<TensorInfo> out{x};
  if (layer.n().outputs.size() > 1) {
    // The mask is bool from opset 10; before that it has the data's type.
    out.push_back(TensorInfo{layer.opset >= 10 ? DType::Bool : x.dtype, x.shape});
  }
  return out;
}

void require_inference_dropout(const Tensor* training_mode, const Tensor* ratio) {
  if (!training_mode || training_mode->numel() == 0) return;
  if (training_mode->to_int64_vector()[0] == 0) return;
  // The ratio is a float; read it as one (to_int64_vector would truncate 0.5 to 0).
  double r = 0.5;  // ONNX's default
  if (ratio && ratio->numel() > 0)
    r = ratio->dtype() == DType::Float32 ? ratio->data<float>()[0]
                                         : static_cast<double>(ratio->to_int64_vector()[0]);
  char ratio_text[32];
  std::snprintf(ratio_text, sizeof ratio_text, "%g", r);
  require(r == 0.0, std::string("Dropout with training_mode true and ratio ") + ratio_text +
                        " is not supported: the engine runs inference only");
}

std::pair<int64_t, int64_t> shape_range(const Layer& layer) {
  const int64_t rank = static_cast<int64_t>(layer.inputs[0].shape.size());
  int64_t start = 0, end = rank;
  if (layer.opset >= 15) {
    start = layer.n().attr_int("start", 0);
    end = layer.n().attr_int("end", rank);
  }
  // Negative values count from the back; then both clamp into [0, rank].
  if (start < 0) start += rank;
  if (end < 0) end += rank;
  start = std::clamp<int64_t>(start, 0, rank);
  end = std::clamp<int64_t>(end, 0, rank);
  return {start, std::max(start, end)};
}

std::vector<TensorInfo> infer_shape(const Layer& layer) {
  first_input(layer, "Shape");
  auto [start, end] = shape_range(layer);
  return {TensorInfo{DType::Int64, Shape{end - start}}};
}

double elementwise_flops(const Layer& layer) {
  return layer.has_input(0) ? static_cast<double>(layer.inputs[0].numel()) : 0.0;
}

}  // namespace algoscope::ops::unary
