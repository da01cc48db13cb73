// ONNX semantics of the binary family (see binary.h): which element types each op accepts and the
// numpy broadcast of the input shapes. Opset 7 onward; the legacy `broadcast` attribute of older
// opsets is not supported.
#include <algorithm>
#include <string>

#include "ops/binary/binary.h"
#include "ops/binary/broadcast.h"
#include "ops/common.h"

namespace algoscope::ops::binary {
namespace {

const char* op_name(BinaryOp op) {
  switch (op) {
    case BinaryOp::Add:
      return "Add";
    case BinaryOp::Sub:
      return "Sub";
    case BinaryOp::Mul:
      return "Mul";
    case BinaryOp::Div:
      return "Div";
    case BinaryOp::Pow:
      return "Pow";
    case BinaryOp::Mod:
      return "Mod";
    case BinaryOp::Equal:
      return "Equal";
    case BinaryOp::Less:
      return "Less";
    case BinaryOp::Greater:
      return "Greater";
    case BinaryOp::LessOrEqual:
      return "LessOrEqual";
    case BinaryOp::GreaterOrEqual:
      return "GreaterOrEqual";
    case BinaryOp::And:
      return "And";
    case BinaryOp::Or:
      return "Or";
    case BinaryOp::Xor:
      return "Xor";
  }
  return "?";
}

bool is_numeric(DType t) {
  return t == DType::Float32 || t == DType::Int64 || t == DType::Int32 || t == DType::UInt8;
}

void require_inputs(const Layer& layer, size_t count, const std::string& op) {
  for (size_t i = 0; i < count; ++i)
    require(layer.has_input(i), op + " needs " + std::to_string(count) + " inputs; input " +
                                    std::to_string(i) + " is missing");
}

// The broadcast shape, with the op's name in front of a broadcasting error.
Shape broadcast_for(const std::string& op, const std::vector<Shape>& shapes) {
  try {
    return broadcast_shapes(shapes);
  } catch (const Error& e) {
    throw Error(op + ": " + e.what());
  }
}

}  // namespace

std::vector<TensorInfo> infer_arithmetic(BinaryOp op, const Layer& layer) {
  const std::string name = op_name(op);
  require_inputs(layer, 2, name);
  const TensorInfo& a = layer.inputs[0];
  const TensorInfo& b = layer.inputs[1];
  require(is_numeric(a.dtype), name + " does not support " + dtype_name(a.dtype) + " inputs");
  require(is_numeric(b.dtype), name + " does not support " + dtype_name(b.dtype) + " inputs");
  // Pow alone lets the exponent's type differ from the base's (opset 12+); the result has the
  // base's type.
  if (op != BinaryOp::Pow)
    require(a.dtype == b.dtype, name + " needs inputs of one type, got " + dtype_name(a.dtype) +
                                    " and " + dtype_name(b.dtype));
  return {TensorInfo{a.dtype, broadcast_for(name, {a.shape, b.shape})}};
}

std::vector<TensorInfo> infer_comparison(BinaryOp op, const Layer& layer) {
  const std::string name = op_name(op);
  require_inputs(layer, 2, name);
  const TensorInfo& a = layer.inputs[0];
  const TensorInfo& b = layer.inputs[1];
  require(a.dtype == b.dtype, name + " needs inputs of one type, got " + dtype_name(a.dtype) +
                                  " and " + dtype_name(b.dtype));
  // Equal compares any type (bool since opset 11); an ordering needs numbers.
  require(op == BinaryOp::Equal || is_numeric(a.dtype),
          name + " does not support " + dtype_name(a.dtype) + " inputs");
  return {TensorInfo{DType::Bool, broadcast_for(name, {a.shape, b.shape})}};
}

std::vector<TensorInfo> infer_logical(BinaryOp op, const Layer& layer) {
  const std::string name = op_name(op);
  require_inputs(layer, 2, name);
  for (size_t i = 0; i < 2; ++i)
    require(layer.inputs[i].dtype == DType::Bool, name + " needs bool inputs, got " +
                                                      dtype_name(layer.inputs[i].dtype) +
                                                      " for input " + std::to_string(i));
  return {
      TensorInfo{DType::Bool, broadcast_for(name, {layer.inputs[0].shape, layer.inputs[1].shape})}};
}

bool mod_is_fmod(const Layer& layer) {
  const int64_t fmod = layer.n().attr_int("fmod", 0);
  require(fmod == 0 || fmod == 1, "Mod: fmod must be 0 or 1, got " + std::to_string(fmod));
  // ONNX: the sign-of-divisor remainder is defined for integers only.
  require(fmod == 1 || layer.inputs[0].dtype != DType::Float32,
          "Mod: float inputs need fmod=1 (the integer remainder fmod=0 is not defined for them)");
  return fmod == 1;
}

std::vector<TensorInfo> infer_binary(BinaryOp op, const Layer& layer) {
  switch (op) {
    case BinaryOp::Equal:
    case BinaryOp::Less:
    case BinaryOp::Greater:
    case BinaryOp::LessOrEqual:
    case BinaryOp::GreaterOrEqual:
      return infer_comparison(op, layer);
    case BinaryOp::And:
    case BinaryOp::Or:
    case BinaryOp::Xor:
      return infer_logical(op, layer);
    case BinaryOp::Mod: {
      std::vector<TensorInfo> out = infer_arithmetic(op, layer);
      mod_is_fmod(layer);
      return out;
    }
    default:
      return infer_arithmetic(op, layer);
  }
}

std::vector<TensorInfo> infer_where(const Layer& layer) {
  require_inputs(layer, 3, "Where");
  const TensorInfo& c = layer.inputs[0];
  const TensorInfo& x = layer.inputs[1];
  const TensorInfo& y = layer.inputs[2];
  require(c.dtype == DType::Bool,
          std::string("Where needs a bool condition, got ") + dtype_name(c.dtype));
  require(x.dtype == y.dtype, std::string("Where needs X and Y of one type, got ") +
                                  dtype_name(x.dtype) + " and " + dtype_name(y.dtype));
  return {TensorInfo{x.dtype, broadcast_for("Where", {c.shape, x.shape, y.shape})}};
}

std::vector<TensorInfo> infer_nary(NaryOp op, const Layer& layer) {
  const std::string& name = layer.n().op_type;
  std::vector<Shape> shapes;
  for (size_t i = 0; i < layer.inputs.size(); ++i) {
    require(layer.has_input(i), name + ": input " + std::to_string(i) + " is missing");
    shapes.push_back(layer.inputs[i].shape);
  }
  if (op == NaryOp::PRelu)
    require(layer.inputs.size() == 2,
            "PRelu needs 2 inputs (X and slope), got " + std::to_string(layer.inputs.size()));
  else
    require(!layer.inputs.empty(), name + " needs at least one input");
  const DType t = layer.inputs[0].dtype;
  for (size_t i = 1; i < layer.inputs.size(); ++i)
    require(layer.inputs[i].dtype == t, name + " needs inputs of one type, got " + dtype_name(t) +
                                            " and " + dtype_name(layer.inputs[i].dtype) +
                                            " (input " + std::to_string(i) + ")");
  // Sum and Mean are defined on floats only; Min, Max and PRelu (opset 16) on numbers.
  const bool ok = (op == NaryOp::Sum || op == NaryOp::Mean)
                      ? t == DType::Float32
                      : (t == DType::Float32 || t == DType::Int64 || t == DType::Int32 ||
                         (t == DType::UInt8 && op != NaryOp::PRelu));
  require(ok, name + " does not support " + dtype_name(t) + " inputs");
  Shape out = broadcast_for(name, shapes);
  if (op == NaryOp::PRelu)
    // The slope broadcasts to X (unidirectionally): X itself is never repeated.
    require(out == layer.inputs[0].shape, "PRelu: the slope's shape " + shape_to_string(shapes[1]) +
                                              " does not broadcast to X's shape " +
                                              shape_to_string(shapes[0]));
  return {TensorInfo{t, out}};
}

double nary_flops(NaryOp op, const Layer& layer) {
  const double per = op == NaryOp::Mean
                         ? static_cast<double>(layer.inputs.size())
                         : static_cast<double>(std::max<size_t>(1, layer.inputs.size() - 1));
  return per * elementwise_flops(layer);
}

double elementwise_flops(const Layer& layer) {
  // From the inputs rather than layer.outputs, so it also answers before outputs are filled in.
  std::vector<Shape> shapes;
  for (size_t i = 0; i < layer.inputs.size(); ++i)
    if (layer.has_input(i)) shapes.push_back(layer.inputs[i].shape);
  return static_cast<double>(shape_numel(broadcast_shapes(shapes)));
}

}  // namespace algoscope::ops::binary
