// The Softmax family: ONNX Softmax and LogSoftmax (both the pre-13 "flatten at axis" and the 13+
// "single axis" semantics) and the algorithms that compute them, in registry order. This file is
// the only place their names are spelled; each algorithm lives in the file of the same name, with
// its text (<name>_text(log)).
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
}

}  // namespace algoscope::ops
