// The MatMul family: ONNX MatMul (numpy.matmul semantics: 1-D promotion, broadcast batch axes) and
// the algorithms that compute it, in registry order. This file is the only place their names are
// spelled (the cuBLAS ones with Gemm's, which are the same four); each algorithm lives in the file
// of the same name, with its text (<name>_text()).
#include "cuda/variants.h"
#include "ops/matmul/matmul.h"
#include "ops/registrations.h"

namespace algoscope::ops {

void register_matmul(Registry& registry) {
  using namespace matmul;
  add_op(registry,
         {.op_type = "MatMul",
          .summary = "Matrix product with numpy broadcasting of batch axes (ONNX MatMul)",
          .infer = infer,
          .flops = flops},
         {
             {reference_text(), {.name = kReference, .prepare = prepare_reference}},
             {openblas_text(),
              {.name = "openblas",
               .tolerance = {1e-4, 1e-3},
               .default_priority = 10,
               .not_applicable = openblas_not_applicable,
               .prepare = prepare_openblas}},
             // Pre-packed weights: faster than OpenBLAS on FC layers.
             {blocked_text(),
              {.name = "blocked",
               .tolerance = {1e-4, 1e-3},
               .default_priority = 12,
               .not_applicable = blocked_not_applicable,
               .prepare = prepare_blocked}},
#ifdef ALGOSCOPE_HAVE_ONEDNN
             {onednn_text(),
              {.name = "onednn",
               .tolerance = {1e-4, 1e-3},
               .default_priority = 1,
               .prepare = prepare_onednn}},
#endif
         });

  add_cublas_algorithms(
      registry, "MatMul", cuda::kCublasMatMul,
      "cuBLAS's cublasGemmEx (strided batched when the batch is uniform, one "
      "call per matrix otherwise) on the row-major tensors as their column-major "
      "transposes (no copies).",
      "cuBLASLt's matmul with the first candidate of its heuristic, on a uniformly strided "
      "batch (a MatMul whose batch pairs matrices unevenly is left to cublas).");
}

}  // namespace algoscope::ops
