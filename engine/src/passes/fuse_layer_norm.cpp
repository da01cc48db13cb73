// LayerNormalization fusion: below opset 17 torch.onnx writes nn.LayerNorm as nine nodes,
//   ReduceMean(x) -> Sub(x, mean) -> Pow(d, 2) -> ReduceMean -> Add(eps) -> Sqrt -> Div(d, std)
//   -> Mul(gamma) -> Add(beta)
// which cost nine passes over memory and two temporaries the size of x. This pass makes one
// LayerNormalization node (ops/normalization) of them, whose algorithms read each row twice or
// three times while it sits in cache.
#include <algorithm>
#include <optional>
#include <string>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "passes/graph_edit.h"
#include "passes/pass.h"

namespace algoscope::passes {

namespace {

// A float scalar constant's value, or nullopt.
std::optional<double> scalar_constant(const Model& m, const std::string& value) {
  const Tensor* t = m.find_constant(value);
  if (!t || t->numel() != 1) return std::nullopt;
  if (t->dtype() == DType::Float32) return t->data<float>()[0];
  if (t->dtype() == DType::Int64 || t->dtype() == DType::Int32)
    return static_cast<double>(t->to_int64_vector()[0]);
  return std::nullopt;
}

struct Matcher {
  Model& m;
  const ValueLinks& links;
  std::unordered_map<std::string, std::vector<Node*>> readers;

  Matcher(Model& model, const ValueLinks& l) : m(model), links(l) {
    for (Node& n : m.nodes) {
      std::unordered_set<std::string> seen;
      for (const std::string& in : n.inputs)
        if (!in.empty() && seen.insert(in).second) readers[in].push_back(&n);
    }
  }

  // The nodes that read `value`, each once; empty when it is a graph output (then it must stay).
  std::vector<Node*> internal_readers(const std::string& value) const {
    if (is_graph_output(m, value)) return {};
    auto it = readers.find(value);
    return it == readers.end() ? std::vector<Node*>{} : it->second;
  }
  // The one node reading `value` once, when it is `op` of the default domain without a problem.
  Node* only_reader(const std::string& value, const char* op) const {
    const std::vector<Node*> r = internal_readers(value);
    if (r.size() != 1 || links.uses_of(value) != 1) return nullptr;
    return usable(r[0], op) ? r[0] : nullptr;
  }
  // A node of `op` that computes only its ONNX op (nothing fused into it yet).
  static bool usable(const Node* n, const char* op) {
    return n && n->op_type == op && n->domain.empty() && n->problem.empty() &&
           !n->outputs.empty() && !n->activation && n->fusions.empty();
  }

  const ValueInfo* float_value(const std::string& v) const {
    const ValueInfo* info = m.find_value(v);
    return info && info->known && info->info.dtype == DType::Float32 ? info : nullptr;
  }

  // A ReduceMean's reduced axes as the first of the trailing axes it covers (keepdims on), or
  // nullopt when they are not the last axes of a rank-`rank` input.
  std::optional<int64_t> trailing_axis(const Node& reduce, int64_t rank) const {
    if (reduce.attr_int("keepdims", 1) == 0) return std::nullopt;
    std::vector<int64_t> axes;
    if (m.opset >= 18) {
      if (reduce.has_input(1)) {
        const Tensor* t = m.find_constant(reduce.inputs[1]);
        if (!t) return std::nullopt;
        axes = t->to_int64_vector();
      }
      if (axes.empty() && reduce.attr_int("noop_with_empty_axes", 0) != 0) return std::nullopt;
    } else {
      axes = reduce.attr_ints("axes", {});
    }
    if (axes.empty())
      for (int64_t a = 0; a < rank; ++a) axes.push_back(a);
    for (int64_t& a : axes) {
      if (a < -rank || a >= rank) return std::nullopt;
      if (a < 0) a += rank;
    }
    std::sort(axes.begin(), axes.end());
    if (std::adjacent_find(axes.begin(), axes.end()) != axes.end()) return std::nullopt;
    const int64_t first = rank - static_cast<int64_t>(axes.size());
    for (size_t k = 0; k < axes.size(); ++k)
      if (axes[k] != first + static_cast<int64_t>(k)) return std::nullopt;
    return first;
  }

  // The operand of a binary `node` other than `value` (which it reads once), or "".
  static std::string other_operand(const Node& node, const std::string& value) {
    if (node.inputs.size() != 2) return "";
    if (node.inputs[0] == value && node.inputs[1] != value) return node.inputs[1];
    if (node.inputs[1] == value && node.inputs[0] != value) return node.inputs[0];
    return "";
  }

  // Whether `p` is a float value that broadcasts to `normalized` (X[axis:]) as LayerNormalization's
  // Scale or B: no more dimensions, each 1 or equal, aligned at the right.
  bool parameter_fits(const std::string& p, const Shape& normalized) const {
    const ValueInfo* info = float_value(p);
    if (!info || info->info.shape.size() > normalized.size()) return false;
    const Shape& s = info->info.shape;
    for (size_t k = 0; k < s.size(); ++k) {
      const int64_t want = normalized[normalized.size() - s.size() + k];
      if (s[k] != 1 && s[k] != want) return false;
    }
    return true;
  }
};

// Fuses the chain that starts at `first` (the ReduceMean of the mean); true when it did.
bool fuse_from(Matcher& k, Node& first, std::unordered_set<std::string>& names) {
  Model& m = k.m;
  if (!Matcher::usable(&first, "ReduceMean") || first.inputs.empty()) return false;
  const std::string x = first.inputs[0];
  const ValueInfo* xi = k.float_value(x);
  if (!xi) return false;
  const Shape shape = xi->info.shape;
  const int64_t rank = static_cast<int64_t>(shape.size());
  const std::optional<int64_t> axis = k.trailing_axis(first, rank);
  if (!axis || rank == 0) return false;
  const Shape normalized(shape.begin() + *axis, shape.end());

  // mean -> Sub(x, mean) -> d, read by the square and by the Div.
  const std::string& mean = first.outputs[0];
  Node* sub = k.only_reader(mean, "Sub");
  if (!sub || sub->inputs.size() != 2 || sub->inputs[0] != x || sub->inputs[1] != mean)
    return false;
  const std::string& d = sub->outputs[0];
  const std::vector<Node*> d_readers = k.internal_readers(d);
  if (d_readers.size() != 2) return false;
  Node *square = nullptr, *div = nullptr;
  for (Node* r : d_readers) {
    if (Matcher::usable(r, "Div") && r->inputs.size() == 2 && r->inputs[0] == d &&
        r->inputs[1] != d)
      div = r;
    else if (Matcher::usable(r, "Pow") && r->inputs.size() == 2 && r->inputs[0] == d &&
             scalar_constant(m, r->inputs[1]) == 2.0)
      square = r;
    else if (Matcher::usable(r, "Mul") && r->inputs.size() == 2 && r->inputs[0] == d &&
             r->inputs[1] == d)
      square = r;
  }
  if (!square || !div) return false;
  if (k.links.uses_of(d) != (square->op_type == "Mul" ? 3 : 2)) return false;

  // Pow -> ReduceMean (the same axes) -> Add(eps) -> Sqrt -> the Div's divisor.
  Node* second = k.only_reader(square->outputs[0], "ReduceMean");
  if (!second || second->inputs[0] != square->outputs[0] || k.trailing_axis(*second, rank) != axis)
    return false;
  Node* add_eps = k.only_reader(second->outputs[0], "Add");
  if (!add_eps) return false;
  const std::string eps_value = Matcher::other_operand(*add_eps, second->outputs[0]);
  const Tensor* eps = eps_value.empty() ? nullptr : m.find_constant(eps_value);
  if (!eps || eps->dtype() != DType::Float32 || eps->numel() != 1) return false;
  const float epsilon = eps->data<float>()[0];
  Node* sqrt = k.only_reader(add_eps->outputs[0], "Sqrt");
  if (!sqrt || k.only_reader(sqrt->outputs[0], "Div") != div || div->inputs[1] != sqrt->outputs[0])
    return false;

  std::vector<Node*> chain{&first, sub, square, second, add_eps, sqrt, div};
  // Optional Mul(gamma), then optional Add(beta), each taken only when the value before it has no
  // other reader.
  std::string out = div->outputs[0], scale, bias;
  if (Node* mul = k.only_reader(out, "Mul")) {
    const std::string p = Matcher::other_operand(*mul, out);
    if (!p.empty() && k.parameter_fits(p, normalized)) {
      scale = p;
      out = mul->outputs[0];
      chain.push_back(mul);
    }
  }
  if (Node* add = k.only_reader(out, "Add")) {
    const std::string p = Matcher::other_operand(*add, out);
    if (!p.empty() && k.parameter_fits(p, normalized)) {
      bias = p;
      out = add->outputs[0];
      chain.push_back(add);
    }
  }

  const std::string suffix = "ReduceMean";
  const std::string base =
      first.name.size() >= suffix.size() &&
              first.name.compare(first.name.size() - suffix.size(), suffix.size(), suffix) == 0
          ? first.name.substr(0, first.name.size() - suffix.size())
          : first.name + "/";
  Node fused;
  fused.name = base + "LayerNormalization";
  for (int n = 1; names.count(fused.name); ++n)
    fused.name = base + "LayerNormalization_" + std::to_string(n);
  names.insert(fused.name);
  if (scale.empty()) {
    // Without a Mul the scale is 1: LayerNormalization's Scale input is not optional.
    scale = fused.name + "/scale";
    Tensor ones(DType::Float32, normalized);
    std::fill(ones.data<float>(), ones.data<float>() + ones.numel(), 1.0f);
    add_constant(m, scale, std::move(ones));
  }
  fused.op_type = "LayerNormalization";
  fused.inputs = {x, scale};
  if (!bias.empty()) fused.inputs.push_back(bias);
  fused.outputs = {out};
  fused.attributes["axis"] = Attribute{*axis - rank};
  fused.attributes["epsilon"] = Attribute{epsilon};
  std::vector<Node*> ordered = chain;
  std::sort(ordered.begin(), ordered.end());
  Node::Fusion pattern{Node::Fusion::Kind::Pattern, "LayerNormalization", {}};
  for (Node* n : ordered) pattern.nodes.push_back(n->name);
  fused.fusions.push_back(std::move(pattern));
  for (Node* n : chain) {
    if (n->outputs[0] != out) m.values.erase(n->outputs[0]);
    mark_removed(*n);
  }
  // The last node of the chain in graph order: every input of the fused node is computed by then.
  *ordered.back() = std::move(fused);
  return true;
}

}  // namespace

// The decomposed LayerNormalization over the last axes (ReduceMean's axes as an attribute, or as
// an input from opset 18; the square as Pow(d, 2) or Mul(d, d)) with a constant epsilon and an
// optional Mul(gamma) and Add(beta) becomes one LayerNormalization node (axis from the reduced
// axes, epsilon; scale 1 where there is no Mul) named after the first ReduceMean, with the
// absorbed nodes in its `fusions`. Every intermediate value must be read only inside the chain
// and not be a graph output; otherwise the nodes stay as they are.
void fuse_layer_norm(PassContext& context) {
  Model& m = context.model;
  const ValueLinks links = value_links(m);
  Matcher matcher(m, links);
  std::unordered_set<std::string> names;
  for (const Node& n : m.nodes) names.insert(n.name);
  size_t fused = 0;
  for (size_t i = 0; i < m.nodes.size(); ++i)
    if (fuse_from(matcher, m.nodes[i], names)) ++fused;
  erase_removed(m);
  note(m, fused, "fused", "decomposed layer normalization(s) into LayerNormalization nodes");
}

}  // namespace algoscope::passes
