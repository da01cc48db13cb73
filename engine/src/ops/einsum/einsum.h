// The Einsum family's internal interface (ONNX Einsum, opset 12+): geometry.cpp parses the
// equation ("bij,bjk->bik", spaces, "..." and the implicit output form) into labels, checks them
// against the operands' shapes and gives each operand's stride per label, which shape inference,
// the FLOP count and both kernels share. A label repeated within one operand (a diagonal, "ii->i")
// sums its axes' strides; an ellipsis axis of extent 1 against a longer one broadcasts (stride 0).
// Only registry.cpp turns the entry points below into named Algorithms.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "algoscope/registry.h"
#include "ops/algorithm_text.h"

namespace algoscope::ops::einsum {

struct EinsumGeometry {
  // Every label of the equation, numbered 0..labels-1 in first-seen order, with its extent.
  std::vector<int64_t> extent;
  // Per operand, per label: the element stride that one step along the label moves (the sum over
  // the operand's axes with that label; 0 where the operand lacks the label or broadcasts it).
  std::vector<std::vector<int64_t>> stride;
  // Per operand, whether it has the label.
  std::vector<std::vector<bool>> has;
  std::vector<int> output;  // the output's labels, in order
  Shape output_shape;
  DType dtype = DType::Float32;

  size_t labels() const { return extent.size(); }
  bool in_output(int label) const;
};

// Parses and validates; throws Error("Einsum: ...") saying what is wrong.
EinsumGeometry einsum_geometry(const Layer& layer);

std::vector<TensorInfo> infer(const Layer& layer);
// One multiply per operand beyond the first and one add, per term of the full sum.
double flops(const Layer& layer);

std::unique_ptr<Kernel> prepare_reference(const Layer& layer);
AlgorithmText reference_text();

std::optional<std::string> contraction_not_applicable(const Layer& layer);
size_t contraction_workspace(const Layer& layer);
std::unique_ptr<Kernel> prepare_contraction(const Layer& layer);
AlgorithmText contraction_text();

}  // namespace algoscope::ops::einsum
