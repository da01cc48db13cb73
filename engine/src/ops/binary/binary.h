// The binary (elementwise, broadcasting) op family: the arithmetic Add, Sub, Mul, Div, Pow and Mod,
// the comparisons Equal, Less, Greater, LessOrEqual and GreaterOrEqual, the logical And, Or and Xor
// (bool in, bool out), the select Where, the variadic Min, Max, Sum and Mean (1..N inputs) and
// PRelu (x, or slope * x below 0, with the slope broadcast to x).
// infer.cpp holds the ONNX semantics (type rules, broadcast shapes); reference.cpp the plain-loop
// kernels; registry.cpp names the algorithms and registers the ops.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "algoscope/registry.h"
#include "ops/algorithm_text.h"

namespace algoscope::ops::binary {

enum class BinaryOp {
  Add,
  Sub,
  Mul,
  Div,
  Pow,
  Mod,
  Equal,
  Less,
  Greater,
  LessOrEqual,
  GreaterOrEqual,
  And,
  Or,
  Xor
};

// The ops over any number of broadcast operands, and PRelu, whose two operands are planned the same
// way.
enum class NaryOp { Min, Max, Sum, Mean, PRelu };

inline bool is_comparison(BinaryOp op) {
  return op >= BinaryOp::Equal && op <= BinaryOp::GreaterOrEqual;
}
inline bool is_logical(BinaryOp op) { return op >= BinaryOp::And; }

// Add/Sub/Mul/Div/Pow/Mod: output type of A (Pow may mix base and exponent types), broadcast shape.
std::vector<TensorInfo> infer_arithmetic(BinaryOp op, const Layer& layer);
// Comparisons: both inputs of one type (numeric, or any for Equal), bool output of the broadcast
// shape.
std::vector<TensorInfo> infer_comparison(BinaryOp op, const Layer& layer);
// And/Or/Xor: bool inputs, bool output of the broadcast shape.
std::vector<TensorInfo> infer_logical(BinaryOp op, const Layer& layer);
// Whichever of the three the op is; Mod also validates its fmod attribute.
std::vector<TensorInfo> infer_binary(BinaryOp op, const Layer& layer);
// Mod's fmod attribute: true for C's fmod (sign of the dividend), false for the integer remainder
// with the divisor's sign (Python's %). Throws Error for fmod=0 on float inputs.
bool mod_is_fmod(const Layer& layer);
// Where(condition, X, Y): bool condition, X and Y of one type, three-way broadcast.
std::vector<TensorInfo> infer_where(const Layer& layer);
// Min/Max (numeric) and Sum/Mean (float32): 1..N inputs of one type, numpy broadcast of them all.
// PRelu: X and a slope of its type that broadcasts to X's shape (the output is X's shape).
std::vector<TensorInfo> infer_nary(NaryOp op, const Layer& layer);
// One operation per output element.
double elementwise_flops(const Layer& layer);
// (inputs - 1) operations per output element, plus Mean's division; PRelu one.
double nary_flops(NaryOp op, const Layer& layer);

// Plain loops over a broadcast plan computed here, once, from the layer's static shapes.
std::unique_ptr<Kernel> prepare_reference(BinaryOp op, const Layer& layer);
std::unique_ptr<Kernel> prepare_where_reference(const Layer& layer);
std::unique_ptr<Kernel> prepare_nary_reference(NaryOp op, const Layer& layer);
// What reference.cpp and direct.cpp say about their kernels; both open with kBroadcastText.
extern const char* const kBroadcastText;
AlgorithmText reference_text(BinaryOp op);
AlgorithmText where_reference_text();
AlgorithmText nary_reference_text(NaryOp op);

// direct.cpp: float32 Add/Sub/Mul/Div and Pow with a constant exponent 1, 2 or 3, vectorized
// along the broadcast plan's runs and split across OpenMP threads for large outputs.
std::optional<std::string> direct_not_applicable(BinaryOp op, const Layer& layer);
std::unique_ptr<Kernel> prepare_direct(BinaryOp op, const Layer& layer);
AlgorithmText direct_text(BinaryOp op);

// select_direct.cpp: comparisons, And/Or/Xor and Where on operands that all have the output's
// shape (no broadcasting), one vectorized flat loop split across OpenMP threads for large outputs.
std::optional<std::string> select_direct_not_applicable(BinaryOp op, const Layer& layer);
std::optional<std::string> where_direct_not_applicable(const Layer& layer);
std::unique_ptr<Kernel> prepare_select_direct(BinaryOp op, const Layer& layer);
std::unique_ptr<Kernel> prepare_where_direct(const Layer& layer);
AlgorithmText select_direct_text(BinaryOp op);
AlgorithmText where_direct_text();

}  // namespace algoscope::ops::binary
