// Identity and inference-mode Dropout compute nothing: their readers read the input directly.
// When the copy is a graph output, the producer of its input is renamed to the output instead
// (the user sees the output's name); a copy from a graph input or a constant to an output stays.
#include <string>
#include <unordered_map>
#include <vector>

#include "passes/graph_edit.h"
#include "passes/pass.h"

namespace algoscope::passes {

void remove_identity(PassContext& context) {
  Model& m = context.model;
  std::unordered_map<std::string, Node*> producer;
  for (Node& n : m.nodes)
    for (auto& o : n.outputs) producer[o] = &n;
  size_t removed = 0;
  for (Node& n : m.nodes) {
    bool identity = n.op_type == "Identity" && n.domain.empty() && n.inputs.size() == 1;
    bool dropout = n.op_type == "Dropout" && n.domain.empty() && !n.inputs.empty() &&
                   !n.has_output(1) && !n.has_input(2);
    if (!(identity || dropout) || n.outputs.empty()) continue;
    const std::string x = n.inputs[0], y = n.outputs[0];
    if (!is_graph_output(m, y)) {
      replace_uses(m, y, x);
    } else if (producer.count(x) && !is_graph_output(m, x)) {
      // y is what the user sees: rename the producer's output to it instead.
      for (auto& o : producer[x]->outputs)
        if (o == x) o = y;
      replace_uses(m, x, y);
      producer[y] = producer[x];
    } else {
      continue;  // graph input or constant straight to an output: keep the copy
    }
    ++removed;
    mark_removed(n);
  }
  erase_removed(m);
  note(m, removed, "removed", "Identity/Dropout node(s)");
}

}  // namespace algoscope::passes
