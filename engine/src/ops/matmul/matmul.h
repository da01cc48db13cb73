// The MatMul family's internal interface: the validated geometry of a numpy-style MatMul (1-D
// operands promoted, batch axes broadcast) and the helpers its algorithm files share. The files'
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

  int64_t batch_count() const { return shape_numel(batch); }
  // Element offsets of the A and B matrices that output matrix `index` multiplies.
  int64_t a_offset(int64_t index) const;
  int64_t b_offset(int64_t index) const;
};

// Validates the layer (ranks >= 1, inner dimensions, broadcastable batch axes); throws Error.
MatMulGeometry matmul_geometry(const Layer& layer);

// MatMul's algorithm files (matrix_product.h), defined in this folder.
using MatMul = MatrixProduct<MatMulOp>;

// A MatMul kernel: run(a, b, y) on each call's operands.
template <class Run>
std::unique_ptr<Kernel> matmul_kernel(Run run) {
  return make_kernel([run = std::move(run)](KernelIO& io) {
    run(io.inputs[0]->data<float>(), io.inputs[1]->data<float>(), io.outputs[0]->data<float>());
  });
}

// A row-major sgemm without transposes: C[m x n] = A[m x k] * B[k x n] (alpha 1, beta 0).
using PlainSgemm = void (*)(int64_t m, int64_t n, int64_t k, const float* a, const float* b,
                            float* c);
// The kernel of the layer running its batch as calls of `sgemm`: one call for the whole batch when
// B is shared, otherwise one per output matrix (the openblas and onednn algorithms).
std::unique_ptr<Kernel> batched_sgemm_kernel(const Layer& layer, PlainSgemm sgemm);

}  // namespace algoscope::ops::matmul
