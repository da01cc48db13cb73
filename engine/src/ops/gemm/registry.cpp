// The Gemm family: ONNX Gemm (Y = alpha * op(A) * op(B) + beta * C) and the algorithms that compute
// it. This file is the only place their names are spelled; each algorithm lives in the file of the
// same name.
#include "ops/gemm/gemm.h"
#include "ops/registrations.h"

namespace algoscope::ops {

void register_gemm(Registry& registry) {
  OpDefinition op;
  op.op_type = "Gemm";
  op.summary = "General matrix multiply Y = alpha * op(A) * op(B) + beta * C (ONNX Gemm)";
  op.infer = gemm::infer;
  op.flops = gemm::flops;

  Algorithm reference;
  reference.name = "reference";
  reference.summary = "Triple loop with double accumulation";
  reference.teaching =
      "For every output element it sums op(A)[i,k] * op(B)[k,j] over k, scales by alpha and adds "
      "beta times the broadcast C, exactly as the ONNX definition reads. Extra memory: none. It "
      "never wins on speed (single thread, strided access to B); it is the ground truth. "
      "Numerics: double accumulation, one rounding to float per output.";
  reference.default_priority = 0;
  reference.prepare = gemm::prepare_reference;

  Algorithm openblas;
  openblas.name = "openblas";
  openblas.summary = "One OpenBLAS cblas_sgemm; beta * C broadcast into Y first";
  openblas.teaching =
      "Y is first filled with beta * C broadcast to M x N, then OpenBLAS's cache-blocked, "
      "vectorized sgemm adds alpha * op(A) * op(B) to it (transA/transB are passed through, so "
      "nothing is copied by us; OpenBLAS packs panels of A and B internally, about "
      "4 * (MC*KC + KC*NC) bytes it allocates itself). Extra memory in our workspace: none. It "
      "wins "
      "for all but the tiniest matrices, where the call overhead dominates. Numerics: float "
      "accumulation in blocked order; the error grows like sqrt(K) ulps.";
  openblas.tolerance = Tolerance{1e-4, 1e-3};
  openblas.default_priority = 10;
  openblas.not_applicable = gemm::openblas_not_applicable;
  openblas.prepare = gemm::prepare_openblas;

  registry.add_op(std::move(op));
  registry.add_algorithm("Gemm", std::move(reference));
  registry.add_algorithm("Gemm", std::move(openblas));
}

}  // namespace algoscope::ops
