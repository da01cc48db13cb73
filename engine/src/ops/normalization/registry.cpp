// The normalization family: ONNX BatchNormalization (inference mode) and LRN and the algorithms
// that compute them. This file is the only place their names are spelled; each algorithm lives in
// <op>_<algorithm>.cpp next to this file, with its text (<op>_<algorithm>_text()).
#include "ops/normalization/normalization.h"
#include "ops/registrations.h"

namespace algoscope::ops {

void register_normalization(Registry& registry) {
  using namespace normalization;
  add_op(registry,
         {.op_type = "BatchNormalization",
          .summary = "Per-channel affine normalization with running statistics (inference mode)",
          .infer = infer_batch_norm,
          .flops = batch_norm_flops},
         {{batch_norm_reference_text(),
           {.name = kReference, .prepare = prepare_batch_norm_reference}}});
  add_op(registry,
         {.op_type = "LRN",
          .summary = "Local response normalization across neighbouring channels (ONNX LRN)",
          .infer = infer_lrn,
          .flops = lrn_flops},
         {{lrn_reference_text(), {.name = kReference, .prepare = prepare_lrn_reference}}});
}

}  // namespace algoscope::ops
