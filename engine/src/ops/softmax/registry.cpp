// The Softmax family: ONNX Softmax, LogSoftmax and Hardmax (all the pre-13 "flatten at axis" and
// the 13+ "single axis" semantics) and the algorithms that compute them, in registry order. This
// file is the only place their names are spelled; each algorithm lives in the file of the same
// name, with its text (<name>_text(log)).
#include "cuda/variants.h"
#include "ops/registrations.h"
#include "ops/softmax/softmax.h"

namespace algoscope::ops {

void register_softmax(Registry& registry) {
  using namespace softmax;
  for (const bool log : {false, true}) {
    add_op(registry,
           {.op_type = log ? "LogSoftmax" : "Softmax",
            .summary = log ? "x - log(sum(exp(x))) along an axis (ONNX LogSoftmax)"
                           : "exp(x) / sum(exp(x)) along an axis (ONNX Softmax)",
            .infer = infer,
            .flops = flops},
           {
               {reference_text(log),
                {.name = kReference,
                 .prepare = [log](const Layer& l) { return prepare_reference(l, log); }}},
               {direct_text(log),
                {.name = "direct",
                 .tolerance = {1e-6, 1e-5},
                 .default_priority = 10,
                 .not_applicable = direct_not_applicable,
                 .prepare = [log](const Layer& l) { return prepare_direct(l, log); }}},
           });
  }

  add_op(registry,
         {.op_type = "Hardmax",
          .summary = "1 at the first maximum along an axis, 0 elsewhere (ONNX Hardmax)",
          .infer = infer,
          .flops = [](const Layer& l) { return static_cast<double>(l.inputs[0].numel()); }},
         {{hardmax_reference_text(),
           {.name = kReference, .tolerance = {0.0, 0.0}, .prepare = prepare_hardmax_reference}}});

  // Our CUDA kernel (engine/cuda/ops/softmax/softmax_rows.cpp): one block per line.
  for (const bool log : {false, true}) {
    const std::string teaching =
        std::string(
            "On the CUDA device, each line (everything from `axis` on before opset 13, the single "
            "axis from 13) gets one block of 256 threads that strides through it three times: "
            "the maximum, reduced across the block with warp shuffles and one shared slot per "
            "warp; the sum of exp(x - max), reduced the same way; then ") +
        (log ? "x - max - log(sum)" : "exp(x - max) / sum") +
        " written. The exponentials are recomputed rather than stored, so there is no "
        "workspace. Lines along the last axis read coalesced; lines along an inner axis are "
        "strided (correct, slower). Extra memory: none. It wins whenever its neighbours run on "
        "the device (attention scores, a classifier head). Numerics: CUDA's accurate expf / "
        "logf (at most 2 ulp) and float sums in a tree, against the reference's double: within "
        "about 1e-6.";
    add_cuda_algorithm(
        registry, log ? "LogSoftmax" : "Softmax", cuda::kCudaSoftmax,
        log ? cuda::kLogSoftmax : cuda::kSoftmax, "cuda", Tolerance{1e-6, 1e-5},
        {"one device block per line: block-wide maximum, sum of exponentials, normalize",
         teaching});
  }
}

}  // namespace algoscope::ops
