// Graph-editing helpers shared by the passes (graph_edit.h).
#include "passes/graph_edit.h"

#include <algorithm>

#include "onnx_tensor.h"

namespace algoscope::passes {

int ValueLinks::uses_of(const std::string& value) const {
  auto it = uses.find(value);
  return it == uses.end() ? 0 : it->second;
}

Node* ValueLinks::producer_of(Model& model, const std::string& value) const {
  auto it = producer.find(value);
  return it == producer.end() ? nullptr : &model.nodes[it->second];
}

Node* ValueLinks::private_producer(Model& model, const std::string& value) const {
  Node* p = producer_of(model, value);
  if (!p || uses_of(value) != 1 || is_graph_output(model, value)) return nullptr;
  if (!p->domain.empty() || !p->problem.empty()) return nullptr;
  return p;
}

ValueLinks value_links(const Model& model) {
  ValueLinks links;
  for (const Node& n : model.nodes)
    for (const auto& in : n.inputs) ++links.uses[in];
  for (size_t i = 0; i < model.nodes.size(); ++i)
    for (const auto& o : model.nodes[i].outputs) links.producer[o] = i;
  return links;
}

bool is_graph_output(const Model& model, const std::string& value) {
  return std::find(model.outputs.begin(), model.outputs.end(), value) != model.outputs.end();
}

void replace_uses(Model& model, const std::string& from, const std::string& to) {
  for (Node& n : model.nodes)
    for (auto& in : n.inputs)
      if (in == from) in = to;
}

// An empty op type is the mark: no ONNX node has one, and every pass already skips op types it
// does not match.
void mark_removed(Node& node) { node.op_type.clear(); }

bool is_removed(const Node& node) { return node.op_type.empty(); }

void erase_removed(Model& model) { std::erase_if(model.nodes, is_removed); }

void add_constant(Model& model, const std::string& name, Tensor value) {
  // The ONNX type name, as for initializers read from the file.
  model.values[name] =
      ValueInfo{name, value.info(), true, onnx_type_name(dtype_to_onnx(value.dtype()))};
  model.constants[name] = std::move(value);
}

void take_output(Model& model, Node& into, const Node& from) {
  model.values.erase(into.outputs[0]);
  into.outputs[0] = from.outputs[0];
}

void absorb(Model& model, Node& into, Node& from, Node::Fusion::Kind kind) {
  take_output(model, into, from);
  into.fusions.push_back({kind, from.op_type, {from.name}});
  mark_removed(from);
}

void merge_nodes(Model& model, const std::string& verb, const std::string& what,
                 bool (*merge)(Model& model, Node& node, const ValueLinks& links)) {
  const ValueLinks links = value_links(model);
  size_t merged = 0;
  for (Node& node : model.nodes)
    if (merge(model, node, links)) ++merged;
  erase_removed(model);
  note(model, merged, verb, what);
}

void note(Model& model, size_t count, const std::string& verb, const std::string& what) {
  if (count) model.load_notes.push_back(verb + " " + std::to_string(count) + " " + what);
}

}  // namespace algoscope::passes
