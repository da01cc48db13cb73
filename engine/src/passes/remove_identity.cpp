// Identity and inference-mode Dropout compute nothing: their readers read the input directly.
// When the copy is a graph output, the producer of its input is renamed to the output instead
// (the user sees the output's name); a copy from a graph input or a constant to an output stays.
#include <string>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "passes/graph_edit.h"
#include "passes/pass.h"

namespace algoscope::passes {

void remove_identity(PassContext& context) {
  Model& m = context.model;
  std::unordered_map<std::string, Node*> producer;
  for (Node& n : m.nodes)
    for (auto& o : n.outputs) producer[o] = &n;
  const std::unordered_set<std::string> outputs(m.outputs.begin(), m.outputs.end());
  // Readers are redirected once, at the end, through this map (value -> what to read instead):
  // rewriting every node per removed copy would take time quadratic in a chain of copies.
  std::unordered_map<std::string, std::string> renamed;
  auto resolve = [&](std::string name) {
    for (auto it = renamed.find(name); it != renamed.end(); it = renamed.find(name))
      name = it->second;
    return name;
  };
  size_t removed = 0;
  for (Node& n : m.nodes) {
    bool identity = n.op_type == "Identity" && n.domain.empty() && n.inputs.size() == 1;
    bool dropout = n.op_type == "Dropout" && n.domain.empty() && !n.inputs.empty() &&
                   !n.has_output(1) && !n.has_input(2);
    if (!(identity || dropout) || n.outputs.empty()) continue;
    const std::string x = resolve(n.inputs[0]), y = n.outputs[0];
    if (!outputs.count(y)) {
      renamed[y] = x;
    } else if (producer.count(x) && !outputs.count(x)) {
      // y is what the user sees: rename the producer's output to it instead.
      for (auto& o : producer[x]->outputs)
        if (o == x) o = y;
      renamed[x] = y;
      producer[y] = producer[x];
    } else {
      continue;  // graph input or constant straight to an output: keep the copy
    }
    ++removed;
    mark_removed(n);
  }
  erase_removed(m);
  if (!renamed.empty()) {
    // Chains resolve in one step from here on (each value's final name, stored).
    for (auto& [from, to] : renamed) to = resolve(to);
    for (Node& n : m.nodes)
      for (auto& in : n.inputs)
        if (auto it = renamed.find(in); it != renamed.end()) in = it->second;
  }
  note(m, removed, "removed", "Identity/Dropout node(s)");
}

}  // namespace algoscope::passes
