// MatMul + bias fusion: PyTorch exports nn.Linear on 3-D input (every projection and MLP layer of
// a transformer) as MatMul(x, W^T) followed by Add(., b) with a constant bias b of shape [N]. The
// Add becomes the MatMul's third input, which its algorithms add in the GEMM's epilogue (the
// blocked GEMM while each register tile is in L1), so the output is written once instead of being
// read and written again by the Add; fuse_activation, which runs after this pass, can then fold a
// following Relu/Clip/SiLU/HardSwish into the same node. The MatMul keeps its name and takes the
// Add's output; its `fusions` name the Add, so it reads as MatMul+Add.
#include <string>

#include "ops/common.h"
#include "passes/graph_edit.h"
#include "passes/pass.h"

namespace algoscope::passes {

namespace {

// Whether `bias` broadcasts along the last axis only of a MatMul output of shape `out` with N =
// out.back() columns: [N] or [1, ..., 1, N], no more axes than the output has.
bool is_bias_row(const Shape& bias, const Shape& out) {
  if (bias.empty() || out.empty() || bias.size() > out.size() || bias.back() != out.back())
    return false;
  for (size_t i = 0; i + 1 < bias.size(); ++i)
    if (bias[i] != 1) return false;
  return true;
}

// Whether a Softmax reads `value`: then the Add is an attention mask on the scores, left for
// fuse_attention to take with its MatMul.
bool read_by_softmax(const Model& m, const std::string& value) {
  for (const Node& n : m.nodes)
    if (n.op_type == "Softmax" && !n.inputs.empty() && n.inputs[0] == value) return true;
  return false;
}

// Folds `add` into the MatMul that produces one of its operands when the other is a bias row;
// true when it did.
bool fold_into_matmul(Model& m, Node& add, const ValueLinks& links) {
  if (add.op_type != "Add" || !add.domain.empty() || !add.problem.empty() ||
      add.inputs.size() != 2 || add.outputs.size() != 1 || add.activation)
    return false;
  for (size_t side = 0; side < 2; ++side) {
    // The product is read by this Add only and is no graph output (private_producer).
    Node* matmul = links.private_producer(m, add.inputs[side]);
    if (!matmul || matmul->op_type != "MatMul" || matmul->inputs.size() != 2 ||
        matmul->activation || !matmul->fusions.empty())
      continue;
    const std::string& bias_name = add.inputs[1 - side];
    const Tensor* bias = m.find_constant(bias_name);
    const ValueInfo* product = m.find_value(matmul->outputs[0]);
    const ValueInfo* sum = m.find_value(add.outputs[0]);
    const ValueInfo* b = m.find_value(matmul->inputs[1]);
    if (!bias || bias->dtype() != DType::Float32 || !product || !product->known || !sum ||
        !sum->known || !b || !b->known)
      continue;
    // The bias runs along N: B must be a matrix (a 1-D B drops the N axis from the output), and
    // the Add must not broadcast the product to a larger shape.
    if (product->info.dtype != DType::Float32 || b->info.shape.size() < 2 ||
        sum->info.shape != product->info.shape || !is_bias_row(bias->shape(), product->info.shape))
      continue;
    if (read_by_softmax(m, add.outputs[0])) continue;
    matmul->inputs.push_back(bias_name);
    matmul->attributes[ops::kFusedMarker] = Attribute{int64_t(1)};
    absorb(m, *matmul, add, Node::Fusion::Kind::Epilogue);
    return true;
  }
  return false;
}

}  // namespace

// Add(MatMul(x, W), b), b a constant [N] or [1, ..., 1, N], becomes MatMul(x, W, b).
void fuse_matmul_bias(PassContext& context) {
  merge_nodes(context.model, "fused", "bias Add(s) into the preceding MatMul", fold_into_matmul);
}

}  // namespace algoscope::passes
