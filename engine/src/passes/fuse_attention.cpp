// Attention fusion: the scaled dot-product attention subgraph PyTorch exports becomes one
// Attention node (ops/attention), whose algorithms (naive, tiled, chunked) never materialize the
// whole score matrix.
#include <algorithm>
#include <optional>
#include <string>
#include <unordered_set>
#include <vector>

#include "ops/attention/attention.h"
#include "ops/common.h"
#include "passes/graph_edit.h"
#include "passes/pass.h"

namespace algoscope::passes {

// Scaled dot-product attention as PyTorch exports it (torch.nn.MultiheadAttention, ViT):
//   [Mul|Div](Q, c) -> MatMul(., Kt) -> [Mul|Div](., c) -> [Add(., mask)] -> Softmax(last axis)
//   -> MatMul(., V)
// with the scale on Q or on the scores (or both), becomes one Attention node (ops/attention)
// named after the Softmax, with the absorbed nodes in its `fusions`. Every intermediate value
// must have this chain as its only reader and not be a graph output; Q, Kt and V must share their
// leading (batch, head) dimensions.
void fuse_attention(PassContext& context) {
  Model& m = context.model;
  const ValueLinks links = value_links(m);
  std::unordered_set<std::string> names;
  for (const Node& n : m.nodes) names.insert(n.name);
  // The node producing `value` when it is an op of the default domain that only this chain
  // reads; nullptr otherwise.
  auto private_producer = [&](const std::string& value, const char* op) -> Node* {
    Node* p = links.private_producer(m, value);
    return p && p->op_type == op && !p->op_type.empty() ? p : nullptr;
  };
  // A float scalar constant factor: x * c (Mul, either side) or x / c (Div), as 1/c.
  auto scale_of = [&](const Node& n, std::string* x) -> std::optional<float> {
    for (size_t k = 0; k < 2 && k < n.inputs.size(); ++k) {
      const Tensor* c = m.find_constant(n.inputs[k]);
      if (!c || c->dtype() != DType::Float32 || c->numel() != 1) continue;
      if (n.op_type == "Div" && k != 1) continue;
      *x = n.inputs[1 - k];
      const float value = c->data<float>()[0];
      return n.op_type == "Div" ? 1.0f / value : value;
    }
    return std::nullopt;
  };
  auto float_value = [&](const std::string& v) -> const ValueInfo* {
    const ValueInfo* info = m.find_value(v);
    return info && info->known && info->info.dtype == DType::Float32 ? info : nullptr;
  };
  size_t fused = 0;
  for (Node& softmax : m.nodes) {
    if (softmax.op_type != "Softmax" || !softmax.domain.empty() || !softmax.problem.empty())
      continue;
    const ValueInfo* scores_info = float_value(softmax.inputs[0]);
    if (!scores_info || scores_info->info.shape.size() < 2) continue;
    const int64_t rank = int64_t(scores_info->info.shape.size());
    const int64_t axis = softmax.attr_int("axis", m.opset < 13 ? 1 : -1);
    if (axis != -1 && axis != rank - 1) continue;
    // Downstream: the one reader of the probabilities is MatMul(P, V).
    Node* pv = nullptr;
    for (Node& n : m.nodes)
      if (n.op_type == "MatMul" && n.domain.empty() && n.inputs.size() == 2 &&
          n.inputs[0] == softmax.outputs[0] && n.inputs[1] != softmax.outputs[0])
        pv = &n;
    if (!pv || !pv->problem.empty() || links.uses_of(softmax.outputs[0]) != 1 ||
        is_graph_output(m, softmax.outputs[0]))
      continue;
    // Upstream, walking from the Softmax's input: optional Add(mask), optional scale, MatMul.
    std::vector<Node*> chain{&softmax, pv};
    std::string value = softmax.inputs[0], mask;
    if (Node* add = private_producer(value, "Add")) {
      // The scores are the operand the Mul/Div/MatMul chain produced; the other is the mask.
      auto from_chain = [&](const std::string& v) {
        const Node* p = links.producer_of(m, v);
        if (!p) return false;
        const std::string& op = p->op_type;
        return op == "MatMul" || op == "Mul" || op == "Div";
      };
      const int score_side = from_chain(add->inputs[0]) ? 0 : from_chain(add->inputs[1]) ? 1 : -1;
      if (score_side < 0) continue;
      mask = add->inputs[1 - score_side];
      value = add->inputs[score_side];
      if (!float_value(mask) || links.uses_of(value) != 1 || is_graph_output(m, value)) continue;
      chain.push_back(add);
    }
    float scale = 1.0f;
    for (const char* op : {"Mul", "Div"})
      if (Node* n = private_producer(value, op)) {
        std::string x;
        if (auto c = scale_of(*n, &x)) {
          scale *= *c;
          value = x;
          chain.push_back(n);
          break;
        }
      }
    Node* qk = private_producer(value, "MatMul");
    if (!qk || qk->inputs.size() != 2) continue;
    chain.push_back(qk);
    std::string q = qk->inputs[0];
    const std::string kt = qk->inputs[1], v = pv->inputs[1];
    for (const char* op : {"Mul", "Div"})
      if (Node* n = private_producer(q, op)) {
        std::string x;
        if (auto c = scale_of(*n, &x)) {
          scale *= *c;
          q = x;
          chain.push_back(n);
          break;
        }
      }
    // Shapes: Q [*, Sq, D], Kt [*, D, Skv], V [*, Skv, Dv] with equal leading dimensions.
    const ValueInfo *qi = float_value(q), *ki = float_value(kt), *vi = float_value(v);
    if (!qi || !ki || !vi) continue;
    const Shape &qs = qi->info.shape, &ks = ki->info.shape, &vs = vi->info.shape;
    if (qs.size() != size_t(rank) || ks.size() != qs.size() || vs.size() != qs.size() ||
        !std::equal(qs.begin(), qs.end() - 2, ks.begin()) ||
        !std::equal(qs.begin(), qs.end() - 2, vs.begin()) || ks[rank - 2] != qs[rank - 1] ||
        vs[rank - 2] != ks[rank - 1])
      continue;

    Node attention;
    const std::string base =
        softmax.name.size() >= 7 && softmax.name.compare(softmax.name.size() - 7, 7, "Softmax") == 0
            ? softmax.name.substr(0, softmax.name.size() - 7)
            : softmax.name + "/";
    attention.name = base + ops::attention::kOpType;
    for (int k = 1; names.count(attention.name); ++k)
      attention.name = base + ops::attention::kOpType + "_" + std::to_string(k);
    names.insert(attention.name);
    attention.op_type = ops::attention::kOpType;
    attention.inputs = {q, kt, v};
    if (!mask.empty()) attention.inputs.push_back(mask);
    attention.outputs = {pv->outputs[0]};
    attention.attributes["scale"] = Attribute{scale};
    attention.attributes[ops::kFusedMarker] = Attribute{int64_t(1)};
    // Merged in graph order: the scale on Q, MatMul, scale, Add, Softmax, MatMul.
    std::vector<Node*> ordered(chain.begin(), chain.end());
    std::sort(ordered.begin(), ordered.end());
    Node::Fusion pattern{Node::Fusion::Kind::Pattern, ops::attention::kOpType, {}};
    for (Node* n : ordered) pattern.nodes.push_back(n->name);
    attention.fusions.push_back(std::move(pattern));
    for (Node* n : chain) {
      for (const auto& o : n->outputs)
        if (o != pv->outputs[0]) m.values.erase(o);
      if (n != pv) mark_removed(*n);
    }
    *pv = std::move(attention);  // takes the last MatMul's place: its inputs are all computed
    ++fused;
  }
  erase_removed(m);
  note(m, fused, "fused", "attention subgraph(s) into Attention nodes");
}

}  // namespace algoscope::passes
