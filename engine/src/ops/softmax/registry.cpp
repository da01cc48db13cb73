// The Softmax family: ONNX Softmax and LogSoftmax (both the pre-13 "flatten at axis" and the 13+
// "single axis" semantics) and the algorithms that compute it. This file is the only place their
// names are spelled; each algorithm lives in the file of the same name.
#include "ops/registrations.h"
#include "ops/softmax/softmax.h"

namespace algoscope::ops {

void register_softmax(Registry& registry) {
  OpDefinition op;
  op.op_type = "Softmax";
  op.summary = "exp(x) / sum(exp(x)) along an axis (ONNX Softmax)";
  op.infer = softmax::infer;
  op.flops = softmax::flops;
  Algorithm reference;
  reference.name = "reference";
  reference.summary = "Three passes per line: maximum, sum of exponentials, normalize; in double";
  reference.teaching =
      "Along every softmax line it finds the maximum, sums exp(x - max) and writes "
      "exp(x - max) / sum; subtracting the maximum keeps exp from overflowing without changing "
      "the result. Before opset 13 a line is everything from `axis` on (the input flattened to "
      "2-D); from opset 13 it is the single axis. Extra memory: none. Three passes over each line "
      "(exponentials recomputed rather than stored). Numerics: double arithmetic, one rounding per "
      "output; outputs of a line sum to 1 within float rounding.";
  reference.prepare = [](const Layer& layer) { return softmax::prepare_reference(layer, false); };
  registry.add_op(std::move(op));
  registry.add_algorithm("Softmax", std::move(reference));

  OpDefinition log_op;
  log_op.op_type = "LogSoftmax";
  log_op.summary = "x - log(sum(exp(x))) along an axis (ONNX LogSoftmax)";
  log_op.infer = softmax::infer;
  log_op.flops = softmax::flops;
  Algorithm log_reference;
  log_reference.name = "reference";
  log_reference.summary = "Maximum, sum of exponentials, x - max - log(sum); in double";
  log_reference.teaching =
      "Along every line it finds the maximum m, sums exp(x - m) and writes x - m - log(sum), "
      "which stays finite where log(softmax) would take the log of an underflowed zero. The line "
      "is everything from `axis` on before opset 13 and the single axis from opset 13. Extra "
      "memory: none. Numerics: double arithmetic, one rounding per output.";
  log_reference.prepare = [](const Layer& layer) {
    return softmax::prepare_reference(layer, true);
  };
  registry.add_op(std::move(log_op));
  registry.add_algorithm("LogSoftmax", std::move(log_reference));
}

}  // namespace algoscope::ops
