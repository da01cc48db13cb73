// Residual Add fusion: a ResNet block ends in Add(Conv(...), shortcut), often with a Relu that
// fuse_activation has already put on the Add. The Add becomes the Conv's fourth input, the
// residual, added to the convolution's output before its activation, so the sum is written once
// instead of the Conv writing its output and the Add reading it back (oneDNN adds it in its own
// epilogue as a binary post-op; the other algorithms add it right after the convolution). The
// Conv keeps its name and takes the Add's output, and reads as Conv+Add+Relu.
#include <string>

#include "ops/common.h"
#include "passes/graph_edit.h"
#include "passes/pass.h"

namespace algoscope::passes {

namespace {

// Folds `add` into the Conv that produces one of its operands; true when it did. The other operand
// must exist before that Conv runs: with two Conv operands (a ResNet block with a projection
// shortcut) the later one in node order takes the Add.
bool fold_into_conv(Model& m, Node& add, const ValueLinks& links) {
  if (add.op_type != "Add" || !add.domain.empty() || !add.problem.empty() ||
      add.inputs.size() != 2 || add.outputs.size() != 1)
    return false;
  const ValueInfo* sum = m.find_value(add.outputs[0]);
  if (!sum || !sum->known || sum->info.dtype != DType::Float32) return false;
  Node* best = nullptr;
  size_t best_index = 0, best_side = 0;
  for (size_t side = 0; side < 2; ++side) {
    // The convolution's output is read by this Add only and is no graph output.
    Node* conv = links.private_producer(m, add.inputs[side]);
    if (!conv || conv->op_type != "Conv" || conv->activation || conv->inputs.size() > 3 ||
        conv->has_attribute(ops::kFusedMarker))
      continue;
    const std::string& residual = add.inputs[1 - side];
    const ValueInfo* r = m.find_value(residual);
    const ValueInfo* y = m.find_value(conv->outputs[0]);
    // Same shape on both sides: the Add broadcasts nothing. A constant residual would be a bias.
    if (!r || !r->known || !y || !y->known || r->info != sum->info || y->info != sum->info ||
        m.find_constant(residual))
      continue;
    const size_t index = links.producer.at(conv->outputs[0]);
    auto made = links.producer.find(residual);
    if (made != links.producer.end() && made->second > index) continue;  // not there yet
    if (!best || index > best_index) {
      best = conv;
      best_index = index;
      best_side = side;
    }
  }
  if (!best) return false;
  best->inputs.resize(ops::kResidualInput, "");  // an absent bias stays absent
  best->inputs.push_back(add.inputs[1 - best_side]);
  best->attributes[ops::kFusedMarker] = Attribute{int64_t(1)};
  best->activation = add.activation;
  const std::vector<Node::Fusion> add_fusions = add.fusions;  // its Relu, say
  absorb(m, *best, add, Node::Fusion::Kind::Epilogue);
  best->fusions.insert(best->fusions.end(), add_fusions.begin(), add_fusions.end());
  return true;
}

}  // namespace

// Add(Conv(x, W, B), r) [+ activation] becomes Conv(x, W, B, r) with the Add's activation.
void fuse_residual_add(PassContext& context) {
  merge_nodes(context.model, "fused", "residual Add(s) into the preceding Conv", fold_into_conv);
}

}  // namespace algoscope::passes
