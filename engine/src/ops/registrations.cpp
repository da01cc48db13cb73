// The one way built-in algorithms enter the registry: an op's ordered list of entries, each joining
// the text of the algorithm's file to the fields its registry.cpp lists, with the tolerance
// sentence generated here rather than written by hand.
#include "ops/registrations.h"

#include <utility>

#include "cuda/backend.h"

namespace algoscope::ops {

void add_algorithms(Registry& registry, const std::string& op_type, std::vector<Entry> entries) {
  for (Entry& entry : entries) {
    Algorithm& algorithm = entry.algorithm;
    algorithm.summary = std::move(entry.text.summary);
    algorithm.teaching =
        std::move(entry.text.teaching) + " " + tolerance_sentence(algorithm.tolerance);
    registry.add_algorithm(op_type, std::move(algorithm));
  }
}

void add_cuda_algorithm(Registry& registry, const std::string& op_type, const std::string& family,
                        int variant, std::string name, Tolerance tolerance, AlgorithmText text) {
  Algorithm algorithm = cuda::algorithm(family, variant);
  algorithm.name = std::move(name);
  algorithm.tolerance = tolerance;
  add_algorithms(registry, op_type, {{std::move(text), std::move(algorithm)}});
}

void add_op(Registry& registry, OpDefinition op, std::vector<Entry> entries) {
  const std::string op_type = op.op_type;
  registry.add_op(std::move(op));
  add_algorithms(registry, op_type, std::move(entries));
}

void add_exact_reference_ops(Registry& registry, const std::vector<ExactReferenceOp>& ops) {
  for (const ExactReferenceOp& op : ops)
    add_op(registry, {.op_type = op.op_type, .summary = op.summary, .infer = op.infer},
           {{op.text, {.name = kReference, .tolerance = {0.0, 0.0}, .prepare = op.prepare}}});
}

}  // namespace algoscope::ops
