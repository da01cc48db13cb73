// The binary (elementwise, broadcasting) op family: Add, Sub, Mul, Div, Pow, Equal and Where.
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

enum class BinaryOp { Add, Sub, Mul, Div, Pow, Equal };

// Add/Sub/Mul/Div/Pow: output type of A (Pow may mix base and exponent types), broadcast shape.
std::vector<TensorInfo> infer_arithmetic(BinaryOp op, const Layer& layer);
// Equal: both inputs of one type, bool output of the broadcast shape.
std::vector<TensorInfo> infer_equal(const Layer& layer);
// Where(condition, X, Y): bool condition, X and Y of one type, three-way broadcast.
std::vector<TensorInfo> infer_where(const Layer& layer);
// One operation per output element.
double elementwise_flops(const Layer& layer);

// Plain loops over a broadcast plan computed here, once, from the layer's static shapes.
std::unique_ptr<Kernel> prepare_reference(BinaryOp op, const Layer& layer);
std::unique_ptr<Kernel> prepare_where_reference(const Layer& layer);
// What reference.cpp and direct.cpp say about their kernels; both open with kBroadcastText.
extern const char* const kBroadcastText;
AlgorithmText reference_text(BinaryOp op);  // Add, Sub, Mul, Div, Pow, Equal
AlgorithmText where_reference_text();

// direct.cpp: float32 Add/Sub/Mul/Div and Pow with a constant exponent 1, 2 or 3, vectorized
// along the broadcast plan's runs and split across OpenMP threads for large outputs.
std::optional<std::string> direct_not_applicable(BinaryOp op, const Layer& layer);
std::unique_ptr<Kernel> prepare_direct(BinaryOp op, const Layer& layer);
AlgorithmText direct_text(BinaryOp op);

}  // namespace algoscope::ops::binary
