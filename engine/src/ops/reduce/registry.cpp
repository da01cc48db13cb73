// The reduce family: ONNX ReduceMean, ReduceSum, ReduceMax, ReduceMin, ReduceProd,
// ReduceSumSquare, ReduceL1, ReduceL2, ReduceLogSum and ReduceLogSumExp and the algorithms that
// compute them, in registry order. This file is the only place their names are spelled; each
// algorithm lives in the file of the same name, with its text (<name>_text(reduction)).
#include "ops/reduce/reduce.h"
#include "ops/registrations.h"

namespace algoscope::ops {

void register_reduce(Registry& registry) {
  using namespace reduce;
  struct Op {
    const char* op_type;
    const char* summary;
    Reduction reduction;
  };
  const Op ops[] = {
      {"ReduceMean", "Mean over the given axes (ONNX ReduceMean)", Reduction::Mean},
      {"ReduceSum", "Sum over the given axes (ONNX ReduceSum)", Reduction::Sum},
      {"ReduceMax", "Maximum over the given axes (ONNX ReduceMax)", Reduction::Max},
      {"ReduceMin", "Minimum over the given axes (ONNX ReduceMin)", Reduction::Min},
      {"ReduceProd", "Product over the given axes (ONNX ReduceProd)", Reduction::Prod},
      {"ReduceSumSquare", "Sum of squares over the given axes (ONNX ReduceSumSquare)",
       Reduction::SumSquare},
      {"ReduceL1", "Sum of absolute values over the given axes (ONNX ReduceL1)", Reduction::L1},
      {"ReduceL2", "Euclidean norm over the given axes (ONNX ReduceL2)", Reduction::L2},
      {"ReduceLogSum", "log of the sum over the given axes (ONNX ReduceLogSum)", Reduction::LogSum},
      {"ReduceLogSumExp",
       "log of the sum of exponentials over the given axes (ONNX ReduceLogSumExp)",
       Reduction::LogSumExp},
  };
  for (const Op& op : ops) {
    const Reduction r = op.reduction;
    std::vector<Entry> entries = {
        {reference_text(r),
         {.name = kReference, .prepare = [r](const Layer& l) { return prepare_reference(l, r); }}},
    };
    // The SIMD kernel covers the sums only (direct.cpp).
    if (r == Reduction::Mean || r == Reduction::Sum)
      entries.push_back({direct_text(r),
                         {.name = "direct",
                          .tolerance = {1e-7, 1e-6},
                          .default_priority = 10,
                          .not_applicable = direct_not_applicable,
                          .prepare = [r](const Layer& l) { return prepare_direct(l, r); }}});
    add_op(registry, {.op_type = op.op_type, .summary = op.summary, .infer = infer, .flops = flops},
           std::move(entries));
  }
}

}  // namespace algoscope::ops
