// BatchNormalization folding: Conv -> BatchNormalization (inference mode, constant statistics)
// becomes one Conv with scaled weights and a new bias, so the normalization costs nothing at run
// time. The Conv keeps its name and takes the BatchNormalization's output; its `fusions` name the
// folded node.
#include <cmath>
#include <string>

#include "passes/graph_edit.h"
#include "passes/pass.h"

namespace algoscope::passes {

namespace {

// Folds `bn` into the Conv before it when it can; true when it did.
bool fold_into_conv(Model& m, Node& bn, const ValueLinks& links) {
  if (bn.op_type != "BatchNormalization" || !bn.domain.empty() || bn.inputs.size() != 5 ||
      !bn.problem.empty())
    return false;
  bool extra_outputs = false;
  for (size_t i = 1; i < bn.outputs.size(); ++i) extra_outputs |= !bn.outputs[i].empty();
  if (extra_outputs || bn.attr_int("training_mode", 0) != 0) return false;
  Node* producer = links.private_producer(m, bn.inputs[0]);
  if (!producer || producer->op_type != "Conv") return false;
  Node& conv = *producer;
  const Tensor* w = m.find_constant(conv.inputs.size() > 1 ? conv.inputs[1] : "");
  const Tensor* b = conv.has_input(2) ? m.find_constant(conv.inputs[2]) : nullptr;
  const Tensor* gamma = m.find_constant(bn.inputs[1]);
  const Tensor* beta = m.find_constant(bn.inputs[2]);
  const Tensor* mean = m.find_constant(bn.inputs[3]);
  const Tensor* var = m.find_constant(bn.inputs[4]);
  if (!w || (conv.has_input(2) && !b) || !gamma || !beta || !mean || !var) return false;
  if (w->dtype() != DType::Float32 || w->rank() < 3) return false;
  const int64_t oc = w->dim(0);
  bool shapes_ok = true;
  for (const Tensor* t : {gamma, beta, mean, var})
    shapes_ok &= t->dtype() == DType::Float32 && t->numel() == oc;
  if (b) shapes_ok &= b->dtype() == DType::Float32 && b->numel() == oc;
  if (!shapes_ok) return false;
  const float eps = bn.attr_float("epsilon", 1e-5f);
  Tensor new_w = w->clone();
  Tensor new_b(DType::Float32, {oc});
  const int64_t per_channel = w->numel() / oc;
  for (int64_t o = 0; o < oc; ++o) {
    double scale = gamma->data<float>()[o] / std::sqrt(double(var->data<float>()[o]) + eps);
    float* row = new_w.data<float>() + o * per_channel;
    for (int64_t k = 0; k < per_channel; ++k) row[k] = static_cast<float>(row[k] * scale);
    double bias = b ? b->data<float>()[o] : 0.0;
    new_b.data<float>()[o] =
        static_cast<float>((bias - mean->data<float>()[o]) * scale + beta->data<float>()[o]);
  }
  const std::string w_name = conv.name + "/weight_bn_folded";
  const std::string b_name = conv.name + "/bias_bn_folded";
  add_constant(m, w_name, std::move(new_w));
  add_constant(m, b_name, std::move(new_b));
  conv.inputs.resize(3);
  conv.inputs[1] = w_name;
  conv.inputs[2] = b_name;
  absorb(m, conv, bn, Node::Fusion::Kind::BatchNormFold);
  return true;
}

}  // namespace

// Conv -> BatchNormalization (inference) becomes one Conv with scaled weights and a new bias:
// W'[o] = W[o] * g[o] / sqrt(v[o] + eps), b'[o] = (b[o] - m[o]) * g[o] / sqrt(v[o] + eps) +
// beta[o].
void fold_batchnorm(PassContext& context) {
  merge_nodes(context.model, "folded", "BatchNormalization node(s) into the preceding Conv",
              fold_into_conv);
}

}  // namespace algoscope::passes
