// Rule selectors and the heuristic plan (select.h). Selectors check names against the registry at
// once, so a typo fails where it is made; applicability is left to validate_plan, which names
// every layer it does not fit.
#include "algoscope/select.h"

#include "algoscope/error.h"
#include "algoscope/registry_guard.h"

namespace algoscope {
namespace {

const OpDefinition& known_op(const std::string& op_type, const Registry& registry) {
  const OpDefinition* op = registry.find_op(op_type);
  if (!op) throw Error("unknown op type '" + op_type + "'");
  return *op;
}

void require_algorithm(const OpDefinition& op, const std::string& name, const std::string& where) {
  if (name == Plan::kDefault || op.find(name)) return;
  std::string known;
  for (const Algorithm& a : op.algorithms) known += (known.empty() ? "" : ", ") + a.name;
  throw Error(where + ": op " + op.op_type + " has no algorithm '" + name + "' (known: " + known +
              ")");
}

std::vector<Shape> input_shapes(const Model& model, const Node& node) {
  std::vector<Shape> shapes;
  for (const std::string& input : node.inputs) {
    const ValueInfo* v = input.empty() ? nullptr : model.find_value(input);
    shapes.push_back(v ? v->info.shape : Shape{});
  }
  return shapes;
}

}  // namespace

void select_for_op(Plan& plan, const std::string& op_type, const std::string& algorithm,
                   const Registry& registry) {
  RegistryReadGuard registry_guard(registry);  // plugins may load meanwhile
  require_algorithm(known_op(op_type, registry), algorithm, "select_for_op");
  plan.defaults[op_type] = algorithm;
}

void select_by_position(Plan& plan, const Model& model, const std::string& op_type,
                        const std::vector<std::string>& algorithms, const Registry& registry) {
  RegistryReadGuard registry_guard(registry);  // plugins may load meanwhile
  const OpDefinition& op = known_op(op_type, registry);
  std::vector<const Node*> layers;
  for (const Node& node : model.nodes)
    if (node.op_type == op_type && node.domain.empty()) layers.push_back(&node);
  if (layers.size() != algorithms.size())
    throw Error("select_by_position: model '" + model.name + "' has " +
                std::to_string(layers.size()) + " " + op_type + " layer(s), got " +
                std::to_string(algorithms.size()) + " algorithm name(s)");
  for (size_t k = 0; k < layers.size(); ++k)
    require_algorithm(op, algorithms[k],
                      "select_by_position, " + op_type + " layer " + std::to_string(k) + " ('" +
                          layers[k]->name + "')");
  for (size_t k = 0; k < layers.size(); ++k) plan.layers[layers[k]->name] = algorithms[k];
}

void select_by_rule(Plan& plan, const Model& model, const std::string& op_type,
                    const SelectionRule& rule, const Registry& registry) {
  RegistryReadGuard registry_guard(registry);  // plugins may load meanwhile
  if (!op_type.empty()) known_op(op_type, registry);
  for (const Node& node : model.nodes) {
    if (!op_type.empty() && node.op_type != op_type) continue;
    std::string name = rule(node, input_shapes(model, node));
    if (name.empty()) continue;
    const OpDefinition* op = node.domain.empty() ? registry.find_op(node.op_type) : nullptr;
    if (!op)
      throw Error("select_by_rule: node '" + node.name + "' has unsupported op " + node.op_type);
    require_algorithm(*op, name, "select_by_rule, node '" + node.name + "'");
    plan.layers[node.name] = name;
  }
}

const Algorithm& heuristic_algorithm(const Layer& layer, const Registry& registry) {
  RegistryReadGuard registry_guard(registry);  // plugins may load meanwhile
  const OpDefinition* op = registry.find_op(layer.n().op_type);
  if (!op)
    throw Error("node '" + layer.n().name + "': op type " + layer.n().op_type +
                " is not supported");
  const Algorithm* best = nullptr;
  int best_rank = 0;
  for (const Algorithm& a : op->algorithms) {
    if (a.why_not(layer)) continue;
    const int rank = a.heuristic_rank(layer);
    if (!best || rank > best_rank) best = &a, best_rank = rank;
  }
  // None applies: the engine's own choice throws with every algorithm's reason.
  return best ? *best : registry.default_algorithm(layer);
}

Plan heuristic_plan(const Model& model, const Registry& registry) {
  RegistryReadGuard registry_guard(registry);  // plugins may load meanwhile
  Plan plan = Plan::for_model(model);
  for (const Node& node : model.nodes) {
    if (!node.domain.empty() || !node.problem.empty() || !registry.find_op(node.op_type)) continue;
    plan.layers[node.name] = heuristic_algorithm(make_layer(model, node), registry).name;
  }
  plan.measurements_json = R"({"method": "heuristic"})";
  return plan;
}

}  // namespace algoscope
