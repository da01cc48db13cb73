// Filling a plan without measuring. Rule selectors, as the seed project had them: one algorithm
// for every layer of an op type, a list by position among the layers of an op type, or a function
// of the node and its input shapes. And the heuristic choice: per layer, the applicable algorithm
// that the registry's shape rules (Algorithm::heuristic_priority) rank highest, for when there is
// no time to tune.
#pragma once

#include <functional>
#include <string>
#include <vector>

#include "algoscope/graph.h"
#include "algoscope/plan.h"
#include "algoscope/registry.h"

namespace algoscope {

// Every layer of `op_type` (an op-type default: layers it does not apply to keep the engine's
// choice). Throws Error for an unknown op type or algorithm.
void select_for_op(Plan& plan, const std::string& op_type, const std::string& algorithm,
                   const Registry& registry = Registry::instance());

// The k-th layer of `op_type`, in node order, gets algorithms[k] (a per-layer entry; "default"
// leaves it to the engine). Throws Error unless there is exactly one name per layer of that type
// and every name is an algorithm of the op.
void select_by_position(Plan& plan, const Model& model, const std::string& op_type,
                        const std::vector<std::string>& algorithms,
                        const Registry& registry = Registry::instance());

// Asked for every layer of `op_type` ("" for every layer) with the node and its input shapes
// (empty for an omitted optional input); a non-empty answer becomes that layer's entry. Throws
// Error naming the node when the answer is not an algorithm of its op.
using SelectionRule =
    std::function<std::string(const Node& node, const std::vector<Shape>& input_shapes)>;
void select_by_rule(Plan& plan, const Model& model, const std::string& op_type,
                    const SelectionRule& rule, const Registry& registry = Registry::instance());

// The applicable algorithm with the highest Algorithm::heuristic_rank for the layer (ties go to
// registry order). Throws Error when none applies.
const Algorithm& heuristic_algorithm(const Layer& layer,
                                     const Registry& registry = Registry::instance());

// A plan naming heuristic_algorithm() for every layer the registry can run; measurements say
// {"method": "heuristic"}.
Plan heuristic_plan(const Model& model, const Registry& registry = Registry::instance());

}  // namespace algoscope
