// GELU fusion: ONNX has a Gelu op only from opset 20, so torch.onnx writes nn.GELU() (the exact
// form) as five elementwise nodes,
//   Div(x, sqrt 2) -> Erf -> Add(1) -> Mul(x, .) -> Mul(0.5)
// or with Mul(x, 1 / sqrt 2) for the Div and the 0.5 taken first, Mul(Mul(x, 0.5), 1 + erf), with
// the operands of each Add and Mul in either order. Five passes over a transformer MLP's widest
// tensor become one Gelu node (ops/gelu).
#include <algorithm>
#include <cmath>
#include <optional>
#include <string>
#include <unordered_set>
#include <vector>

#include "ops/gelu/gelu.h"
#include "passes/graph_edit.h"
#include "passes/pass.h"

namespace algoscope::passes {

namespace {

std::optional<float> float_scalar(const Model& m, const std::string& value) {
  const Tensor* t = m.find_constant(value);
  if (!t || t->dtype() != DType::Float32 || t->numel() != 1) return std::nullopt;
  return t->data<float>()[0];
}

bool near(std::optional<float> v, double want) {
  return v && std::fabs(*v - want) <= 1e-6 * std::fabs(want);
}

struct Chain {
  Model& m;
  const ValueLinks& links;

  // The node that reads `value` as its only reader, when it is `op` in the default domain.
  Node* only_reader(const std::string& value, const char* op) const {
    if (links.uses_of(value) != 1 || is_graph_output(m, value)) return nullptr;
    for (Node& n : m.nodes)
      if (n.op_type == op && n.inputs.size() == 2 && (n.inputs[0] == value || n.inputs[1] == value))
        return plain(&n) ? &n : nullptr;
    return nullptr;
  }
  // A node of the default domain that computes only its ONNX op (nothing fused into it yet).
  static bool plain(const Node* n) {
    return n && n->domain.empty() && n->problem.empty() && !n->activation && n->fusions.empty();
  }
  // The operand of binary `n` other than `value`, or "".
  static std::string other(const Node& n, const std::string& value) {
    if (n.inputs.size() != 2) return "";
    if (n.inputs[0] == value && n.inputs[1] != value) return n.inputs[1];
    if (n.inputs[1] == value && n.inputs[0] != value) return n.inputs[0];
    return "";
  }
};

// Fuses the GELU around `erf`; true when it did.
bool fuse_at(Chain& c, Node& erf, std::unordered_set<std::string>& names) {
  Model& m = c.m;
  if (erf.op_type != "Erf" || !Chain::plain(&erf) || erf.inputs.empty()) return false;
  // x / sqrt 2 (Div) or x * (1 / sqrt 2) (Mul, either side).
  Node* scale = c.links.private_producer(m, erf.inputs[0]);
  if (!Chain::plain(scale) || scale->inputs.size() != 2) return false;
  std::string x;
  if (scale->op_type == "Div" && near(float_scalar(m, scale->inputs[1]), std::sqrt(2.0)))
    x = scale->inputs[0];
  else if (scale->op_type == "Mul")
    for (size_t k = 0; k < 2; ++k)
      if (near(float_scalar(m, scale->inputs[k]), std::sqrt(0.5))) x = scale->inputs[1 - k];
  const ValueInfo* xi = x.empty() ? nullptr : m.find_value(x);
  if (!xi || !xi->known || xi->info.dtype != DType::Float32) return false;
  // erf + 1.
  Node* add = c.only_reader(erf.outputs[0], "Add");
  if (!add || !near(float_scalar(m, Chain::other(*add, erf.outputs[0])), 1.0)) return false;
  const std::string& p = add->outputs[0];
  // Then p * x * 0.5 in two Muls, in any grouping the exporter chose.
  Node* first = c.only_reader(p, "Mul");
  if (!first) return false;
  const std::string a = Chain::other(*first, p);
  std::vector<Node*> chain{scale, &erf, add, first};
  std::string out;
  if (a == x || near(float_scalar(m, a), 0.5)) {
    // (p * x) * 0.5 or (p * 0.5) * x.
    Node* second = c.only_reader(first->outputs[0], "Mul");
    if (!second) return false;
    const std::string b = Chain::other(*second, first->outputs[0]);
    const bool ok = a == x ? near(float_scalar(m, b), 0.5) : b == x;
    if (!ok) return false;
    chain.push_back(second);
    out = second->outputs[0];
  } else {
    // p * (x * 0.5), the half taken first.
    Node* half = c.links.private_producer(m, a);
    if (!Chain::plain(half) || half->op_type != "Mul" || half->inputs.size() != 2) return false;
    const std::string h = Chain::other(*half, x);
    if (h.empty() || !near(float_scalar(m, h), 0.5)) return false;
    chain.push_back(half);
    out = first->outputs[0];
  }
  // The output must be x's shape (a broadcasting operand would make it larger).
  const ValueInfo* oi = m.find_value(out);
  if (!oi || !oi->known || oi->info.shape != xi->info.shape) return false;

  const std::string suffix = "Erf";
  const std::string base =
      erf.name.size() >= suffix.size() &&
              erf.name.compare(erf.name.size() - suffix.size(), suffix.size(), suffix) == 0
          ? erf.name.substr(0, erf.name.size() - suffix.size())
          : erf.name + "/";
  Node gelu;
  gelu.name = base + ops::gelu::kOpType;
  for (int n = 1; names.count(gelu.name); ++n)
    gelu.name = base + ops::gelu::kOpType + "_" + std::to_string(n);
  names.insert(gelu.name);
  gelu.op_type = ops::gelu::kOpType;
  gelu.inputs = {x};
  gelu.outputs = {out};
  gelu.attributes["approximate"] = Attribute{std::string("none")};
  std::vector<Node*> ordered = chain;
  std::sort(ordered.begin(), ordered.end());
  Node::Fusion pattern{Node::Fusion::Kind::Pattern, ops::gelu::kOpType, {}};
  for (Node* n : ordered) pattern.nodes.push_back(n->name);
  gelu.fusions.push_back(std::move(pattern));
  for (Node* n : chain) {
    if (n->outputs[0] != out) m.values.erase(n->outputs[0]);
    mark_removed(*n);
  }
  *ordered.back() = std::move(gelu);  // the last node of the chain: x is computed by then
  return true;
}

}  // namespace

// The exact GELU written as Div/Mul, Erf, Add, Mul, Mul (any operand order, the 0.5 applied
// first or last) becomes one Gelu node (approximate = "none") named after the Erf, with the
// absorbed nodes in its `fusions`. Every intermediate must be read only inside the chain and not
// be a graph output; otherwise the nodes stay as they are.
void fuse_gelu(PassContext& context) {
  Model& m = context.model;
  const ValueLinks links = value_links(m);
  Chain chain{m, links};
  std::unordered_set<std::string> names;
  for (const Node& n : m.nodes) names.insert(n.name);
  size_t fused = 0;
  for (size_t i = 0; i < m.nodes.size(); ++i)
    if (fuse_at(chain, m.nodes[i], names)) ++fused;
  erase_removed(m);
  note(m, fused, "fused", "GELU subgraph(s) (Div, Erf, Add, Mul, Mul) into Gelu nodes");
}

}  // namespace algoscope::passes
