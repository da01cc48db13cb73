// The reduce family: ONNX ReduceMean, ReduceSum, ReduceMax, ReduceMin, ReduceProd,
// ReduceSumSquare, ReduceL1, ReduceL2, ReduceLogSum and ReduceLogSumExp, CumSum, ArgMax and
// ArgMin, and the
// algorithms that
// compute them, in registry order. This file is the only place their names are spelled; each
// algorithm lives in the file of the same name, with its text (<name>_text(reduction)).
#include "cuda/variants.h"
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

  add_op(registry,
         {.op_type = "CumSum",
          .summary = "running sum along an axis (exclusive, reverse)",
          .infer = infer_cumsum,
          .flops = flops},
         {{cumsum_reference_text(),
           {.name = kReference, .tolerance = {0.0, 0.0}, .prepare = prepare_cumsum_reference}}});

  for (const bool max : {true, false})
    add_op(registry,
           {.op_type = max ? "ArgMax" : "ArgMin",
            .summary = max ? "index of the largest element along an axis (int64)"
                           : "index of the smallest element along an axis (int64)",
            .infer = infer_arg,
            .flops = flops},
           {{arg_reference_text(max),
             {.name = kReference, .tolerance = {0.0, 0.0}, .prepare = [max](const Layer& l) {
                return prepare_arg_reference(l, max);
              }}}});

  // Our CUDA kernel (engine/cuda/ops/reduce/reduction.cpp): one warp per output element. The
  // variants follow the order of `ops` above.
  for (size_t i = 0; i < std::size(ops); ++i) {
    add_cuda_algorithm(
        registry, ops[i].op_type, cuda::kCudaReduce, int(cuda::kReduceMean) + int(i), "cuda",
        Tolerance{1e-7, 1e-6},
        {"one device warp per output element, accumulated in double",
         "On the CUDA device, with the same axes as the reference (attribute or constant input, "
         "negative axes, keepdims): the input is viewed as kept and reduced axes, neighbours of "
         "the same kind merged, and each output element gets one warp of 32 threads. The lanes "
         "stride over that element's reduced inputs and fold them into a double accumulator as the "
         "reference does, the 32 partial results are combined with warp shuffles, and one lane "
         "finishes (divides for the mean, takes the root or logarithm) and rounds once to float. "
         "Reads are coalesced when the innermost axis is reduced, as in a LayerNorm's mean over "
         "the channels of each token. Extra memory: none. It wins whenever its neighbours run on "
         "the device: the pass is memory-bound, and the alternative is a round trip to the host; "
         "a reduction of very few elements per output leaves most lanes idle. Covers float32 "
         "only. Numerics: double accumulation in another order than the reference, so the float "
         "result differs by at most about one rounding (maximum and minimum are exact)."});
  }
}

}  // namespace algoscope::ops
