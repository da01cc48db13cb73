// The MatMul family's internal interface: the validated geometry of a numpy-style MatMul (1-D
// operands promoted, batch axes broadcast, and the optional bias the fuse_matmul_bias pass gives
// it as a third input) and the helpers its algorithm files share. Every MatMul algorithm adds the
// bias and applies the node's fused activation (Node::activation) itself. The files'
// entry points are MatrixProduct<MatMulOp>'s (matrix_product.h); only registry.cpp turns them into
// named Algorithms.
#pragma once

#include <memory>
#include <utility>
#include <vector>

#include "algoscope/registry.h"
#include "ops/common.h"
#include "ops/matrix_product.h"

namespace algoscope::ops::matmul {

struct MatMulGeometry {
  int64_t m = 0, n = 0, k = 0;
  Shape batch;                          // broadcast batch shape (may be empty)
  std::vector<int64_t> a_batch_stride;  // per batch axis, in matrices; 0 where A broadcasts
  std::vector<int64_t> b_batch_stride;
  int64_t a_matrices = 1, b_matrices = 1;  // distinct matrices stored in A and B
  Shape output;
  // A bias of N floats added to every output row: the constant of an Add the loader folded into
  // the MatMul (passes/fuse_matmul_bias.cpp), its third input, shape [N] or [1, ..., 1, N].
  bool has_bias = false;

  int64_t batch_count() const { return shape_numel(batch); }
  // Element offsets of the A and B matrices that output matrix `index` multiplies.
  int64_t a_offset(int64_t index) const;
  int64_t b_offset(int64_t index) const;
};

// Validates the layer (ranks >= 1, inner dimensions, broadcastable batch axes, the bias's shape);
// throws Error.
MatMulGeometry matmul_geometry(const Layer& layer);

// MatMul's algorithm files (matrix_product.h), defined in this folder.
using MatMul = MatrixProduct<MatMulOp>;

// A MatMul kernel: run(a, b, bias, y) on each call's operands, bias null when the layer has none.
template <class Run>
std::unique_ptr<Kernel> matmul_kernel(const MatMulGeometry& g, Run run) {
  return make_kernel([has_bias = g.has_bias, run = std::move(run)](KernelIO& io) {
    run(io.inputs[0]->data<float>(), io.inputs[1]->data<float>(),
        optional_float_input(io, 2, has_bias), io.outputs[0]->data<float>());
  });
}

// Adds bias[0, n) to each of the `rows` rows of y[rows x n] (bias may be null), then applies the
// epilogue's activation: the second pass over the output of the algorithms whose GEMM cannot
// apply them while a tile is in cache (reference, openblas).
void add_bias_and_activation(const Epilogue& epilogue, const float* bias, int64_t rows, int64_t n,
                             float* y);

// A row-major sgemm without transposes: C[m x n] = A[m x k] * B[k x n] + beta * C (alpha 1; beta 0
// or 1, and beta 0 never reads C).
using PlainSgemm = void (*)(int64_t m, int64_t n, int64_t k, const float* a, const float* b,
                            float beta, float* c);
// The kernel of the layer running its batch as calls of `sgemm`: one call for the whole batch when
// B is shared, otherwise one per output matrix (the openblas and onednn algorithms). A bias is
// written into Y first and the calls accumulate onto it (beta 1); the fused activation is a pass
// over Y after the last call.
std::unique_ptr<Kernel> batched_sgemm_kernel(const Layer& layer, PlainSgemm sgemm);

}  // namespace algoscope::ops::matmul
