// The reduce family's internal interface: which axes a Reduce* layer reduces (an attribute before
// opset 18 — before 13 for ReduceSum — and a constant input since), its output shape, and one entry
// point per algorithm file; also CumSum, the running form of ReduceSum, and ArgMax / ArgMin. Only
// registry.cpp turns these into named Algorithms.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "algoscope/registry.h"
#include "ops/algorithm_text.h"

namespace algoscope::ops::reduce {

enum class Reduction { Mean, Sum, Max, Min, Prod, SumSquare, L1, L2, LogSum, LogSumExp };

struct ReduceGeometry {
  Shape input;
  std::vector<bool> reduced;  // per input axis
  Shape output;               // with or without the reduced axes (keepdims)
  bool identity = false;      // no axes and noop_with_empty_axes: the output is the input
};

// Throws Error for an axis out of range, a repeated axis, or axes given by a non-constant input.
ReduceGeometry reduce_geometry(const Layer& layer);

std::vector<TensorInfo> infer(const Layer& layer);
double flops(const Layer& layer);  // one operation per input element

// reference.cpp: one pass over the input, accumulated per output element in double.
std::unique_ptr<Kernel> prepare_reference(const Layer& layer, Reduction reduction);
AlgorithmText reference_text(Reduction reduction);

// direct.cpp: ReduceMean / ReduceSum over one contiguous block of axes, SIMD sums in double,
// OpenMP over the outer rows of large inputs.
std::optional<std::string> direct_not_applicable(const Layer& layer);
std::unique_ptr<Kernel> prepare_direct(const Layer& layer, Reduction reduction);
AlgorithmText direct_text(Reduction reduction);

// cumsum_reference.cpp: CumSum, the running sum along one axis (the axis a scalar input).
std::vector<TensorInfo> infer_cumsum(const Layer& layer);
std::unique_ptr<Kernel> prepare_cumsum_reference(const Layer& layer);
AlgorithmText cumsum_reference_text();

// arg_reference.cpp: ArgMax (max) and ArgMin: int64 indices along one axis (axis, keepdims,
// select_last_index).
std::vector<TensorInfo> infer_arg(const Layer& layer);
std::unique_ptr<Kernel> prepare_arg_reference(const Layer& layer, bool max);
AlgorithmText arg_reference_text(bool max);

}  // namespace algoscope::ops::reduce
