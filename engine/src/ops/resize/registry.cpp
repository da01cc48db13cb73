// The Resize family: ONNX Resize (opsets 10 to 19: nearest, linear and cubic interpolation under
// every coordinate transformation mode) and the algorithms that compute it, in registry order.
// This file is the only place their names are spelled; each algorithm lives in the file of the
// same name, with its text (<name>_text()).
#include "ops/registrations.h"
#include "ops/resize/resize.h"

namespace algoscope::ops {

void register_resize(Registry& registry) {
  using namespace resize;
  add_op(registry,
         {.op_type = "Resize",
          .summary = "Nearest, linear or cubic resampling to new axis lengths (ONNX Resize)",
          .infer = infer,
          .flops = flops},
         {
             {reference_text(), {.name = kReference, .prepare = prepare_reference}},
             {direct_text(),
              {.name = "direct",
               .tolerance = {1e-6, 1e-5},
               .default_priority = 10,
               .not_applicable = direct_not_applicable,
               .prepare = prepare_direct}},
         });
}

}  // namespace algoscope::ops
