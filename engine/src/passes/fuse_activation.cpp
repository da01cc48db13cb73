// Activation fusion: a Relu or a Clip with constant bounds (ReLU6) after a Conv, a Gemm (an MLP's
// hidden layer) or an Add (a ResNet's residual join) becomes a clamp in that node's epilogue
// (Node::activation), so the activation costs no extra pass over memory where the kernel clamps
// in its own loop (direct Add, Conv's kernels, cuBLASLt's RELU epilogue); other algorithms clamp
// right after (Algorithm::applies_activation).
#include <limits>
#include <string>

#include "passes/graph_edit.h"
#include "passes/pass.h"

namespace algoscope::passes {

namespace {

// Fuses `act` into the node before it when it can; true when it did.
bool fuse_into_producer(Model& m, Node& act, const ValueLinks& links) {
  if (!act.domain.empty() || !act.problem.empty() || act.inputs.empty() ||
      (act.op_type != "Relu" && act.op_type != "Clip"))
    return false;
  Node* producer = links.private_producer(m, act.inputs[0]);
  if (!producer || producer->activation) return false;
  Node& conv = *producer;
  if (conv.op_type != "Conv" && conv.op_type != "Gemm" && conv.op_type != "Add") return false;
  const ValueInfo* v = m.find_value(act.inputs[0]);
  if (!v || !v->known || v->info.dtype != DType::Float32) return false;
  Node::Activation a{act.op_type, 0.0f, std::numeric_limits<float>::infinity()};
  if (act.op_type == "Clip") {
    a.lower = -std::numeric_limits<float>::infinity();
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

// Conv -> Relu, or Conv -> Clip with constant bounds (ReLU6), becomes one Conv whose kernel
// clamps its output (Node::activation). The same holds for Gemm and Add. The producer keeps its
// name and takes the activation's output value; its `fusions` name the activation node.
void fuse_activation(PassContext& context) {
  merge_nodes(context.model, "fused", "Relu/Clip node(s) into the preceding Conv, Gemm or Add",
              fuse_into_producer);
}

}  // namespace algoscope::passes
