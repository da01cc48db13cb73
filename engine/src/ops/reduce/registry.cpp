// The reduce family: ONNX ReduceMean, ReduceSum, ReduceMax, ReduceMin, ReduceProd,
// ReduceSumSquare, ReduceL1, ReduceL2, ReduceLogSum and ReduceLogSumExp and the algorithms that
// compute them. This file is the only place their names are spelled; each algorithm lives in the
// file of the same name.
#include <string>

#include "ops/reduce/reduce.h"
#include "ops/registrations.h"

namespace algoscope::ops {

namespace {

void add_reduce(Registry& registry, const char* op_type, const char* summary, const char* what,
                reduce::Reduction reduction) {
  OpDefinition op;
  op.op_type = op_type;
  op.summary = summary;
  op.infer = reduce::infer;
  op.flops = reduce::flops;
  Algorithm reference;
  reference.name = "reference";
  reference.summary = std::string("One pass over the input, ") + what + " per output in double";
  reference.teaching =
      std::string(
          "It walks the input once in memory order and folds every element into the "
          "accumulator of the output element it belongs to (the reduced axes collapse to "
          "one index); the ") +
      what +
      " is kept in double. Extra memory: 8 bytes per output element for the double "
      "accumulators, allocated per call. One streaming pass, so memory-bound. Numerics: one "
      "rounding per output (exact for maximum and minimum).";
  reference.prepare = [reduction](const Layer& layer) {
    return reduce::prepare_reference(layer, reduction);
  };
  registry.add_op(std::move(op));
  registry.add_algorithm(op_type, std::move(reference));
}

// The vectorized kernel (reduce/direct.cpp) of ReduceMean and ReduceSum.
Algorithm direct(reduce::Reduction reduction) {
  const bool mean = reduction == reduce::Reduction::Mean;
  Algorithm a;
  a.name = "direct";
  a.summary = "SIMD row sums in double over a contiguous block of axes, multi-threaded";
  a.teaching =
      std::string(
          "When the reduced axes form one contiguous block the input is a [outer, R, inner] "
          "array and the output [outer, inner]. With inner = 1 (LayerNorm's mean over the last "
          "axis, a mean over all spatial axes) every output is one contiguous row of R "
          "elements summed by a SIMD reduction; with inner > 1 the R rows of `inner` elements "
          "are added into a row of accumulators, vectorized along inner. Sums are kept in "
          "double (the float inputs widened inside the vector lanes)") +
      (mean ? " and multiplied by 1 / R at the end." : ".") +
      " The loops exist for AVX-512, AVX2+FMA and SSE2 and the running CPU's copy is chosen at "
      "load time; inputs of 64K elements or more share the outer rows (or, for one large full "
      "reduction, chunks of it) across the OpenMP team. Extra memory: 8 * inner bytes per "
      "thread when inner > 1, allocated per call. It wins over the reference, which updates "
      "one scattered accumulator per element, on every shape: the work becomes a few "
      "streaming SIMD passes. Numerics: double sums, one float rounding per output (within "
      "about one ulp of the reference, whose double sum runs in another order). Reduced axes "
      "that are not contiguous (e.g. axes 0 and 2 of a 3-D tensor) are left to the reference.";
  a.tolerance = Tolerance{1e-7, 1e-6};
  a.default_priority = 10;
  a.not_applicable = reduce::direct_not_applicable;
  a.prepare = [reduction](const Layer& layer) { return reduce::prepare_direct(layer, reduction); };
  return a;
}

}  // namespace

void register_reduce(Registry& registry) {
  add_reduce(registry, "ReduceMean", "Mean over the given axes (ONNX ReduceMean)", "running sum",
             reduce::Reduction::Mean);
  add_reduce(registry, "ReduceSum", "Sum over the given axes (ONNX ReduceSum)", "running sum",
             reduce::Reduction::Sum);
  registry.add_algorithm("ReduceMean", direct(reduce::Reduction::Mean));
  registry.add_algorithm("ReduceSum", direct(reduce::Reduction::Sum));
  add_reduce(registry, "ReduceMax", "Maximum over the given axes (ONNX ReduceMax)",
             "running maximum", reduce::Reduction::Max);
  add_reduce(registry, "ReduceMin", "Minimum over the given axes (ONNX ReduceMin)",
             "running minimum", reduce::Reduction::Min);
  add_reduce(registry, "ReduceProd", "Product over the given axes (ONNX ReduceProd)",
             "running product", reduce::Reduction::Prod);
  add_reduce(registry, "ReduceSumSquare",
             "Sum of squares over the given axes (ONNX ReduceSumSquare)", "running sum of squares",
             reduce::Reduction::SumSquare);
  add_reduce(registry, "ReduceL1", "Sum of absolute values over the given axes (ONNX ReduceL1)",
             "running sum of absolute values", reduce::Reduction::L1);
  add_reduce(registry, "ReduceL2", "Euclidean norm over the given axes (ONNX ReduceL2)",
             "running sum of squares", reduce::Reduction::L2);
  add_reduce(registry, "ReduceLogSum", "log of the sum over the given axes (ONNX ReduceLogSum)",
             "running sum", reduce::Reduction::LogSum);
  add_reduce(registry, "ReduceLogSumExp",
             "log of the sum of exponentials over the given axes (ONNX ReduceLogSumExp)",
             "running sum of exponentials", reduce::Reduction::LogSumExp);
}

}  // namespace algoscope::ops
