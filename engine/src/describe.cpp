// describe_layer: the facts about a layer that the CLI's `info` and the explorer both show, asked
// of the model (shapes, parameters, what the graph passes merged) and of the registry (FLOPs,
// algorithms, applicability, the default) once, here, so the two faces cannot drift apart.
#include "algoscope/describe.h"

#include "algoscope/error.h"
#include "algoscope/registry_guard.h"

namespace algoscope {
namespace {

std::string join(const std::vector<std::string>& parts, const char* separator) {
  std::string s;
  for (const auto& p : parts) s += (s.empty() ? "" : separator) + p;
  return s;
}

FusionDescription describe_fusion(const Node::Fusion& fusion) {
  FusionDescription f{fusion.kind, fusion.op, fusion.nodes, {}};
  const std::string nodes = join(fusion.nodes, ", ");
  switch (fusion.kind) {
    case Node::Fusion::Kind::BatchNormFold:
      f.text = fusion.op + " folded into the weights: " + nodes;
      break;
    case Node::Fusion::Kind::Epilogue:
      f.text = fusion.op + " in the epilogue: " + nodes;
      break;
    case Node::Fusion::Kind::Pattern:
      f.text = fusion.op + " replaces " + std::to_string(fusion.nodes.size()) +
               (fusion.nodes.size() == 1 ? " node: " : " nodes: ") + nodes;
      break;
  }
  return f;
}

std::string shapes_text(const std::vector<ValueDescription>& values, bool skip_constants) {
  std::vector<std::string> parts;
  for (const auto& v : values)
    if (!(skip_constants && v.constant)) parts.push_back(v.shape_text());
  return join(parts, ", ");
}

}  // namespace

std::string ValueDescription::shape_text() const {
  return known ? shape_to_string(info.shape) : "?";
}

std::vector<std::string> LayerDescription::applicable_algorithms() const {
  std::vector<std::string> names;
  for (const auto& a : algorithms)
    if (a.applicable()) names.push_back(a.name);
  return names;
}

const AlgorithmDescription* LayerDescription::find_algorithm(const std::string& name) const {
  for (const auto& a : algorithms)
    if (a.name == name) return &a;
  return nullptr;
}

std::string LayerDescription::input_shapes_text() const { return shapes_text(inputs, true); }
std::string LayerDescription::output_shapes_text() const { return shapes_text(outputs, false); }

ValueDescription describe_value(const Model& model, const std::string& name) {
  ValueDescription v;
  v.name = name;
  if (const ValueInfo* info = model.find_value(name)) {
    v.known = info->known;
    v.info = info->info;
    v.onnx_type = info->onnx_type;
  }
  v.constant = model.find_constant(name) != nullptr;
  return v;
}

LayerDescription describe_layer(const Model& model, const Node& node, const Registry& registry) {
  RegistryReadGuard registry_guard(registry);  // plugins may load meanwhile
  LayerDescription d;
  const auto offset = &node - model.nodes.data();
  if (offset < 0 || offset >= static_cast<std::ptrdiff_t>(model.nodes.size()))
    throw Error("describe_layer: node '" + node.name + "' is not a node of model '" + model.name +
                "'");
  d.index = static_cast<size_t>(offset);
  d.node = node.name;
  d.op_type = node.op_type;
  d.domain = node.domain;
  d.display_op = node.display_op();
  for (const auto& fusion : node.fusions) d.fusions.push_back(describe_fusion(fusion));
  d.merged_nodes = node.merged_nodes();
  for (const auto& in : node.inputs)
    if (!in.empty()) d.inputs.push_back(describe_value(model, in));
  for (const auto& out : node.outputs)
    if (!out.empty()) d.outputs.push_back(describe_value(model, out));
  d.parameters = model.parameter_count(node);

  const OpDefinition* op = node.domain.empty() ? registry.find_op(node.op_type) : nullptr;
  d.registered = op != nullptr;
  if (!op) {
    d.problem = "unsupported op " + (node.domain.empty() ? "" : node.domain + "::") + node.op_type;
    return d;
  }
  if (!node.problem.empty()) {
    d.problem = node.problem;
    return d;
  }
  const Layer layer = make_layer(model, node);
  d.flops = op->flop_count(layer);
  for (const Algorithm& a : op->algorithms) {
    AlgorithmDescription alg;
    alg.name = a.name;
    alg.backend = a.backend;
    if (auto why = a.why_not(layer)) alg.why_not = *why;
    if (alg.applicable()) {
      try {
        alg.workspace_bytes = a.workspace(layer);
        alg.prepared_bytes = a.prepared(layer);
        alg.traffic_bytes = a.traffic_bytes(layer);
      } catch (const std::exception&) {
        // A formula that cannot be evaluated leaves zeros; running the algorithm would report why.
      }
    }
    d.algorithms.push_back(std::move(alg));
  }
  try {
    d.default_algorithm = registry.default_algorithm(layer).name;
    for (auto& a : d.algorithms) a.is_default = a.name == d.default_algorithm;
  } catch (const Error& e) {
    d.problem = e.what();  // no algorithm applies: say why rather than offering a choice
  }
  return d;
}

std::vector<LayerDescription> describe_layers(const Model& model, const Registry& registry) {
  std::vector<LayerDescription> layers;
  layers.reserve(model.nodes.size());
  for (const Node& node : model.nodes) layers.push_back(describe_layer(model, node, registry));
  return layers;
}

}  // namespace algoscope
