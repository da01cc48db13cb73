// The Einsum family: ONNX Einsum (opset 12+) and the algorithms that compute it, in registry order.
// This file is the only place their names are spelled; each algorithm lives in the file of the
// same name, with its text (<name>_text()).
#include "ops/einsum/einsum.h"
#include "ops/registrations.h"

namespace algoscope::ops {

void register_einsum(Registry& registry) {
  using namespace einsum;
  add_op(registry,
         {.op_type = "Einsum",
          .summary = "Sums of products over labelled axes (ONNX Einsum: matmul, transpose, trace, "
                     "diagonal, outer and batched products from one equation)",
          .infer = infer,
          .flops = flops},
         {
             {reference_text(), {.name = kReference, .prepare = prepare_reference}},
             {contraction_text(),
              {.name = "contraction",
               .tolerance = {1e-5, 1e-4},
               .default_priority = 10,
               .not_applicable = contraction_not_applicable,
               .workspace_bytes = contraction_workspace,
               .prepare = prepare_contraction}},
         });
}

}  // namespace algoscope::ops
