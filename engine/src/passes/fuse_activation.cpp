// Activation fusion: a Relu, a Clip with constant bounds (ReLU6), a HardSwish or a Gelu (made by
// fuse_gelu) after a Conv, a Gemm or a MatMul (an MLP's hidden layer, MatMul+Add on 3-D input), an
// Add (a ResNet's residual join) or a BatchNormalization that could not be folded (DenseNet's
// pre-activation BN+Relu) becomes that node's epilogue (Node::activation), and so does a
// gated activation written as two nodes: SiLU, Mul(y, Sigmoid(y)), and HardSwish below opset 14,
// Mul(y, HardSigmoid(y)). The activation then costs no extra pass over memory where the kernel
// applies it in its own loop (direct Add, Conv's kernels, oneDNN's post-ops, cuBLASLt's RELU
// epilogue, the blocked GEMM's tile epilogue); other algorithms apply it right after
// (Algorithm::applies_activation).
#include <limits>
#include <string>
#include <vector>

#include "passes/graph_edit.h"
#include "passes/pass.h"

namespace algoscope::passes {

namespace {

constexpr float kInfinity = std::numeric_limits<float>::infinity();

// Whether `producer` can take an activation into its epilogue on its float output `value`.
bool takes_epilogue(const Model& m, const Node* producer, const std::string& value) {
  if (!producer || producer->activation) return false;
  if (producer->op_type != "Conv" && producer->op_type != "Gemm" && producer->op_type != "MatMul" &&
      producer->op_type != "Add" && producer->op_type != "BatchNormalization")
    return false;
  const ValueInfo* v = m.find_value(value);
  return v && v->known && v->info.dtype == DType::Float32;
}

// Mul(y, Sigmoid(y)) or Mul(y, HardSigmoid(y) with HardSwish's constants), `mul` the Mul, fused
// into y's producer when y is read by those two nodes only; true when it did.
bool fuse_gate(Model& m, Node& mul, const ValueLinks& links) {
  if (mul.op_type != "Mul" || !mul.domain.empty() || !mul.problem.empty() || mul.inputs.size() != 2)
    return false;
  for (size_t side = 0; side < 2; ++side) {
    const std::string& y = mul.inputs[side];
    Node* gate = links.private_producer(m, mul.inputs[1 - side]);
    if (!gate || gate->inputs.empty() || gate->inputs[0] != y) continue;
    Node::Activation a{"SiLU", -kInfinity, kInfinity, Node::Activation::Kind::Swish};
    if (gate->op_type == "HardSigmoid") {
      // Only HardSwish's own constants: the epilogue computes y / 6 + 1 / 2.
      if (gate->attr_float("alpha", 0.2f) != 1.0f / 6.0f || gate->attr_float("beta", 0.5f) != 0.5f)
        continue;
      a = {"HardSwish", -kInfinity, kInfinity, Node::Activation::Kind::HardSwish};
    } else if (gate->op_type != "Sigmoid") {
      continue;
    }
    if (links.uses_of(y) != 2 || is_graph_output(m, y)) continue;
    Node* producer = links.producer_of(m, y);
    if (!producer || !producer->domain.empty() || !producer->problem.empty() ||
        !takes_epilogue(m, producer, y))
      continue;
    producer->activation = a;
    take_output(m, *producer, mul);
    producer->fusions.push_back({Node::Fusion::Kind::Epilogue, a.op, {gate->name, mul.name}});
    mark_removed(*gate);
    mark_removed(mul);
    return true;
  }
  return false;
}

// A Gelu node (approximate = "none", as fuse_gelu makes them) into y's producer; true when it did.
// The fusion lists the ONNX nodes the Gelu node stood for, not its own made-up name.
bool fuse_gelu_epilogue(Model& m, Node& gelu, const ValueLinks& links) {
  if (gelu.op_type != "Gelu" || !gelu.domain.empty() || !gelu.problem.empty() ||
      gelu.inputs.empty() || gelu.attr_string("approximate", "none") != "none")
    return false;
  Node* producer = links.private_producer(m, gelu.inputs[0]);
  if (!takes_epilogue(m, producer, gelu.inputs[0])) return false;
  const Node::Activation a{"Gelu", -kInfinity, kInfinity, Node::Activation::Kind::Gelu};
  producer->activation = a;
  take_output(m, *producer, gelu);
  const std::vector<std::string> merged = gelu.merged_nodes();
  producer->fusions.push_back({Node::Fusion::Kind::Epilogue, a.op,
                               merged.empty() ? std::vector<std::string>{gelu.name} : merged});
  mark_removed(gelu);
  return true;
}

// Fuses `act` into the node before it when it can; true when it did.
bool fuse_into_producer(Model& m, Node& act, const ValueLinks& links) {
  if (fuse_gate(m, act, links)) return true;
  if (fuse_gelu_epilogue(m, act, links)) return true;
  if (!act.domain.empty() || !act.problem.empty() || act.inputs.empty() ||
      (act.op_type != "Relu" && act.op_type != "Clip" && act.op_type != "HardSwish"))
    return false;
  Node* producer = links.private_producer(m, act.inputs[0]);
  if (!takes_epilogue(m, producer, act.inputs[0])) return false;
  Node& conv = *producer;
  Node::Activation a{act.op_type, 0.0f, kInfinity};
  if (act.op_type == "HardSwish")
    a = {"HardSwish", -kInfinity, kInfinity, Node::Activation::Kind::HardSwish};
  if (act.op_type == "Clip") {
    a.lower = -kInfinity;
    if (m.opset < 11) {
      a.lower = act.attr_float("min", a.lower);
      a.upper = act.attr_float("max", a.upper);
    } else {
      // Bounds that are runtime inputs cannot be baked into the kernel.
      const Tensor* lo = act.has_input(1) ? m.find_constant(act.inputs[1]) : nullptr;
      const Tensor* hi = act.has_input(2) ? m.find_constant(act.inputs[2]) : nullptr;
      if ((act.has_input(1) && !lo) || (act.has_input(2) && !hi)) return false;
      if ((lo && (lo->dtype() != DType::Float32 || lo->numel() != 1)) ||
          (hi && (hi->dtype() != DType::Float32 || hi->numel() != 1)))
        return false;
      if (lo) a.lower = lo->data<float>()[0];
      if (hi) a.upper = hi->data<float>()[0];
    }
  }
  conv.activation = a;
  absorb(m, conv, act, Node::Fusion::Kind::Epilogue);
  return true;
}

}  // namespace

// Conv -> Relu, Conv -> Clip with constant bounds (ReLU6), Conv -> HardSwish and the two-node
// SiLU and HardSwish become one Conv whose kernel applies the activation to its output
// (Node::activation). The same holds for Gemm, MatMul and Add. The producer keeps its name and
// takes the activation's output value; its `fusions` name the activation's nodes.
void fuse_activation(PassContext& context) {
  merge_nodes(context.model, "fused",
              "activation(s) (Relu, Clip, HardSwish, SiLU, Gelu) into the preceding Conv, Gemm, "
              "MatMul or Add",
              fuse_into_producer);
}

}  // namespace algoscope::passes
