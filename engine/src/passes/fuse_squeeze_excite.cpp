// Squeeze-and-excitation fusion: the block EfficientNet, MobileNetV3 and RegNet-Y export as five
// nodes becomes one SqueezeExcite node (ops/squeeze_excite), whose kernel reads x twice and
// writes y once with no intermediate tensors and none of the four extra node launches. Runs after
// fuse_activation, so the first convolution's activation is already in its epilogue.
#include <string>
#include <unordered_set>

#include "ops/squeeze_excite/squeeze_excite.h"
#include "passes/graph_edit.h"
#include "passes/pass.h"

namespace algoscope::passes {
namespace {

// A Conv that is a plain matrix product on 1x1 maps: constant weight [out, in, 1...], constant
// or no bias, one group, unit kernel without padding or dilation effects.
bool is_pointwise_on_means(const Model& m, const Node& conv) {
  if (conv.op_type != "Conv" || conv.inputs.size() < 2) return false;
  const Tensor* w = m.find_constant(conv.inputs[1]);
  if (!w || w->dtype() != DType::Float32 || w->shape().size() < 3) return false;
  for (size_t i = 2; i < w->shape().size(); ++i)
    if (w->shape()[i] != 1) return false;
  if (conv.has_input(2) && !m.find_constant(conv.inputs[2])) return false;
  if (conv.attr_int("group", 1) != 1) return false;
  for (int64_t p : conv.attr_ints("pads"))
    if (p != 0) return false;
  const std::string pad = conv.attr_string("auto_pad", "NOTSET");
  return pad == "NOTSET" || pad == "VALID";
}

}  // namespace

// x -> GlobalAveragePool -> Conv 1x1 (+ fused activation) -> Conv 1x1 -> Sigmoid | HardSigmoid
//   -> Mul(x, gate) (either operand order)
// becomes SqueezeExcite(x, W1, b1, W2, b2) named after the Mul, which it replaces. Every
// intermediate must be read only by the next node of the chain and not be a graph output; the
// second Conv must have no activation of its own.
void fuse_squeeze_excite(PassContext& context) {
  Model& m = context.model;
  const ValueLinks links = value_links(m);
  size_t fused = 0;
  for (Node& mul : m.nodes) {
    if (mul.op_type != "Mul" || !mul.domain.empty() || !mul.problem.empty() ||
        mul.inputs.size() != 2 || is_removed(mul))
      continue;
    for (size_t side = 0; side < 2; ++side) {
      const std::string& x = mul.inputs[side];
      Node* gate = links.private_producer(m, mul.inputs[1 - side]);
      if (!gate || (gate->op_type != "Sigmoid" && gate->op_type != "HardSigmoid")) continue;
      Node* fc2 = links.private_producer(m, gate->inputs[0]);
      if (!fc2 || !is_pointwise_on_means(m, *fc2) || fc2->activation) continue;
      Node* fc1 = links.private_producer(m, fc2->inputs[0]);
      if (!fc1 || !is_pointwise_on_means(m, *fc1)) continue;
      Node* pool = links.private_producer(m, fc1->inputs[0]);
      if (!pool || pool->op_type != "GlobalAveragePool" || pool->inputs[0] != x) continue;
      const ValueInfo* xi = m.find_value(x);
      if (!xi || !xi->known || xi->info.dtype != DType::Float32 || xi->info.shape.size() < 3)
        continue;
      // Weights chain C -> H -> C over x's channels.
      const Shape &w1 = m.find_constant(fc1->inputs[1])->shape(),
                  &w2 = m.find_constant(fc2->inputs[1])->shape();
      if (w1.size() != xi->info.shape.size() || w2.size() != w1.size() ||
          w1[1] != xi->info.shape[1] || w2[0] != xi->info.shape[1] || w2[1] != w1[0])
        continue;

      Node se;
      se.name = mul.name;
      se.op_type = ops::squeeze_excite::kOpType;
      se.inputs = {x, fc1->inputs[1], fc1->has_input(2) ? fc1->inputs[2] : "", fc2->inputs[1],
                   fc2->has_input(2) ? fc2->inputs[2] : ""};
      se.outputs = mul.outputs;
      se.attributes[ops::kFusedMarker] = Attribute{int64_t(1)};
      ops::squeeze_excite::set_hidden_activation(se, fc1->activation);
      se.attributes["gate"] = Attribute{gate->op_type};
      if (gate->op_type == "HardSigmoid") {
        se.attributes["gate_alpha"] = Attribute{gate->attr_float("alpha", 0.2f)};
        se.attributes["gate_beta"] = Attribute{gate->attr_float("beta", 0.5f)};
      }
      // One pattern, in graph order, with what the first convolution had absorbed (its
      // activation's nodes): as an epilogue of this node it would read as applied to y.
      Node::Fusion pattern{Node::Fusion::Kind::Pattern, ops::squeeze_excite::kOpType, {}};
      pattern.nodes = {pool->name, fc1->name};
      for (const std::string& absorbed : fc1->merged_nodes()) pattern.nodes.push_back(absorbed);
      for (const Node* n : {fc2, gate, &mul}) pattern.nodes.push_back(n->name);
      se.fusions.push_back(std::move(pattern));
      for (Node* n : {pool, fc1, fc2, gate}) {
        for (const std::string& o : n->outputs) m.values.erase(o);
        mark_removed(*n);
      }
      mul = std::move(se);
      ++fused;
      break;
    }
  }
  erase_removed(m);
  note(m, fused, "fused", "squeeze-and-excitation block(s) into SqueezeExcite nodes");
}

}  // namespace algoscope::passes
