// The Gelu op and its algorithms, in registry order. This file is the only place their names are
// spelled; each algorithm lives in the file of the same name, with its text (<name>_text()).
#include "ops/gelu/gelu.h"
#include "ops/registrations.h"

namespace algoscope::ops {

void register_gelu(Registry& registry) {
  using namespace gelu;
  add_op(registry,
         {.op_type = kOpType,
          .summary = "x * Phi(x): 0.5 x (1 + erf(x / sqrt 2)), or its tanh approximation (ONNX "
                     "Gelu, opset 20; made by the loader from PyTorch's Erf form)",
          .infer = infer,
          .flops = flops},
         {{reference_text(), {.name = kReference, .prepare = prepare_reference}},
          {direct_text(),
           {.name = "direct",
            .tolerance = {1e-6, 1e-5},
            .default_priority = 10,
            .prepare = prepare_direct}}});
}

}  // namespace algoscope::ops
