// Nodes that compute nothing but a copy of their first input leave the graph: Identity and
// inference-mode Dropout (remove_identity, before shape inference sees them), and Pad with all-zero
// pads (remove_empty_pad, once infer_and_fold has made its pads constant; torch writes one before
// each AveragePool of DenseNet). Their readers read the input directly. When the copy is a graph
// output, the producer of its input is renamed to the output instead (the user sees the output's
// name); a copy from a graph input or a constant to an output stays.
#include <algorithm>
#include <string>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "passes/graph_edit.h"
#include "passes/pass.h"

namespace algoscope::passes {
namespace {

// Removes every node `is_copy` accepts, as the file's comment says; notes "removed N <what>".
template <typename IsCopy>
void remove_copies(Model& m, IsCopy is_copy, const std::string& what) {
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
    if (n.outputs.empty() || n.inputs.empty() || !is_copy(n)) continue;
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
  note(m, removed, "removed", what);
}

}  // namespace

void remove_identity(PassContext& context) {
  remove_copies(
      context.model,
      [](const Node& n) {
        const bool identity = n.op_type == "Identity" && n.domain.empty() && n.inputs.size() == 1;
        const bool dropout =
            n.op_type == "Dropout" && n.domain.empty() && !n.has_output(1) && !n.has_input(2);
        return identity || dropout;
      },
      "Identity/Dropout node(s)");
}

void remove_empty_pad(PassContext& context) {
  const Model& m = context.model;
  remove_copies(
      context.model,
      [&m](const Node& n) {
        if (n.op_type != "Pad" || !n.domain.empty() || n.has_output(1)) return false;
        std::vector<int64_t> pads;
        if (n.has_input(1)) {  // opset 11 on: pads is an input, constant by now or unknown
          auto it = m.constants.find(n.inputs[1]);
          if (it == m.constants.end() || it->second.dtype() != DType::Int64) return false;
          const int64_t* p = it->second.data<int64_t>();
          pads.assign(p, p + it->second.numel());
        } else {
          pads = n.attr_ints("pads", {});
        }
        return std::all_of(pads.begin(), pads.end(), [](int64_t p) { return p == 0; });
      },
      "Pad node(s) with zero padding");
}

}  // namespace algoscope::passes
