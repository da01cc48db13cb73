// A registry of its own for the tests of the engine's machinery (plans, placement) rather than of
// an op: one made-up op whose output has its first input's type and shape, with the algorithms a
// test gives it.
#pragma once

#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "algoscope/registry.h"

namespace test_support {

// The op `op_type` with `algorithms` in registry order (the first one is registered with the op,
// the others added to it, as the engine's registries do).
inline std::unique_ptr<algoscope::Registry> one_op_registry(
    const std::string& op_type, const std::string& summary,
    std::vector<algoscope::Algorithm> algorithms) {
  auto registry = std::make_unique<algoscope::Registry>();
  algoscope::OpDefinition op;
  op.op_type = op_type;
  op.summary = summary;
  op.infer = [](const algoscope::Layer& l) {
    return std::vector<algoscope::TensorInfo>{l.inputs[0]};
  };
  op.algorithms.push_back(std::move(algorithms.at(0)));
  registry->add_op(std::move(op));
  for (size_t i = 1; i < algorithms.size(); ++i)
    registry->add_algorithm(op_type, std::move(algorithms[i]));
  return registry;
}

}  // namespace test_support
