// The MatMul family: ONNX MatMul (numpy.matmul semantics: 1-D promotion, broadcast batch axes) and
// the algorithms that compute it. This file is the only place their names are spelled; each
// algorithm lives in the file of the same name.
#include "ops/matmul/matmul.h"
#include "ops/registrations.h"

namespace algoscope::ops {

void register_matmul(Registry& registry) {
  OpDefinition op;
  op.op_type = "MatMul";
  op.summary = "Matrix product with numpy broadcasting of batch axes (ONNX MatMul)";
  op.infer = matmul::infer;
  op.flops = matmul::flops;

  Algorithm reference;
  reference.name = "reference";
  reference.summary = "Triple loop per batch matrix with double accumulation";
  reference.teaching =
      "For every matrix of the broadcast batch it finds the A and B matrices it pairs (a batch "
      "axis of extent 1 repeats), and sums A[i,k] * B[k,j] over k for every output element. "
      "Extra memory: none. It never wins on speed; it is the ground truth. Numerics: double "
      "accumulation, one rounding to float per output.";
  reference.default_priority = 0;
  reference.prepare = matmul::prepare_reference;

  Algorithm openblas;
  openblas.name = "openblas";
  openblas.summary = "OpenBLAS sgemm per batch matrix, or one tall sgemm when B is shared";
  openblas.teaching =
      "Each output matrix is one OpenBLAS cblas_sgemm call on the A and B matrices it pairs; when "
      "B has no batch axes (activations times a weight matrix) the batch of A is one tall "
      "(batch*M) x K matrix and the whole product is a single sgemm, which keeps OpenBLAS's "
      "threads busy. Extra memory in our workspace: none (OpenBLAS packs panels internally). It "
      "wins except for tiny matrices in large batches, where per-call overhead dominates. "
      "Numerics: float accumulation in blocked order; the error grows like sqrt(K) ulps.";
  openblas.tolerance = Tolerance{1e-4, 1e-3};
  openblas.default_priority = 10;
  openblas.not_applicable = matmul::openblas_not_applicable;
  openblas.prepare = matmul::prepare_openblas;

  registry.add_op(std::move(op));
  registry.add_algorithm("MatMul", std::move(reference));
  registry.add_algorithm("MatMul", std::move(openblas));
}

}  // namespace algoscope::ops
