// The Gemm family: ONNX Gemm (Y = alpha * op(A) * op(B) + beta * C) and the algorithms that compute
// it, in registry order. This file is the only place their names are spelled; each algorithm lives
// in the file of the same name, with its text (<name>_text()).
#include "ops/gemm/gemm.h"
#include "ops/registrations.h"

namespace algoscope::ops {

void register_gemm(Registry& registry) {
  using namespace gemm;
  add_op(registry,
         {.op_type = "Gemm",
          .summary = "General matrix multiply Y = alpha * op(A) * op(B) + beta * C (ONNX Gemm)",
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
}

}  // namespace algoscope::ops
