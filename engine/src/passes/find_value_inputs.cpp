// Finds the runtime inputs whose values decide the model's shapes: a node whose inference failed
// for want of a constant operand (a Reshape's shape, Slice bounds, a Resize's sizes) is traced back
// through its producers to the graph inputs that operand comes from. The model then loads for
// viewing; specialize.h compiles it for given values. Each such node's problem and a load note
// name the inputs, so the message a user meets says what to give.
#include <algorithm>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "passes/pass.h"

namespace algoscope::passes {
namespace {

// The runtime inputs `value` is computed from (itself if it is one), in graph input order.
std::vector<std::string> source_inputs(const Model& model,
                                       const std::map<std::string, const Node*>& producer,
                                       const std::string& value) {
  std::set<std::string> seen, found;
  std::vector<std::string> stack = {value};
  while (!stack.empty()) {
    std::string name = stack.back();
    stack.pop_back();
    if (name.empty() || !seen.insert(name).second) continue;
    if (std::find(model.inputs.begin(), model.inputs.end(), name) != model.inputs.end())
      found.insert(name);
    if (auto it = producer.find(name); it != producer.end())
      for (const auto& in : it->second->inputs) stack.push_back(in);
  }
  std::vector<std::string> ordered;
  for (const auto& in : model.inputs)
    if (found.count(in)) ordered.push_back(in);
  return ordered;
}

std::string quoted_list(const std::vector<std::string>& names) {
  std::string text;
  for (size_t i = 0; i < names.size(); ++i)
    text += (i == 0 ? "'" : i + 1 == names.size() ? "' and '" : "', '") + names[i];
  return text + "'";
}

}  // namespace

void find_value_inputs(PassContext& context) {
  Model& model = context.model;
  std::map<std::string, const Node*> producer;
  for (const Node& n : model.nodes)
    for (const auto& out : n.outputs) producer[out] = &n;
  std::set<std::string> deciding;
  for (Node& node : model.nodes) {
    auto it = context.value_operands.find(node.name);
    if (it == context.value_operands.end() || node.problem.empty()) continue;
    std::set<std::string> inputs_of_node;
    for (const auto& operand : it->second)
      for (const auto& in : source_inputs(model, producer, operand)) inputs_of_node.insert(in);
    if (inputs_of_node.empty()) continue;
    std::vector<std::string> names(inputs_of_node.begin(), inputs_of_node.end());
    node.problem += "; it depends on the value of input " + quoted_list(names) +
                    ", give it to specialise the model (--inputs DIR)";
    deciding.insert(names.begin(), names.end());
  }
  model.value_inputs.clear();
  for (const auto& in : model.inputs)
    if (deciding.count(in)) model.value_inputs.push_back(in);
  if (!model.value_inputs.empty())
    model.load_notes.push_back("shapes depend on the value of input " +
                               quoted_list(model.value_inputs) +
                               ": view-only until run with given values, which specialise it");
}

}  // namespace algoscope::passes
