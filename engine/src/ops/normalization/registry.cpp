// The normalization family: ONNX BatchNormalization (inference mode), LRN, LayerNormalization,
// InstanceNormalization and GroupNormalization and the algorithms that compute them. This file is
// the only place their names are spelled; each algorithm lives in <op>_<algorithm>.cpp next to
// this file, with its text (<op>_<algorithm>_text()); the last three share
// row_norm_<algorithm>.cpp.
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

  // The three normalizations by statistics of the input itself share their algorithms
  // (row_norm_*.cpp): each is rows standardized by their own mean and variance.
  const OpDefinition row_norm_ops[] = {
      {.op_type = "LayerNormalization",
       .summary = "Standardize each row of everything from `axis` on, then scale and shift (ONNX "
                  "LayerNormalization, opset 17)",
       .infer = infer_layer_norm,
       .flops = row_norm_flops},
      {.op_type = "InstanceNormalization",
       .summary = "Standardize each channel plane of each image, then scale and shift per channel "
                  "(ONNX InstanceNormalization)",
       .infer = infer_instance_norm,
       .flops = row_norm_flops},
      {.op_type = "GroupNormalization",
       .summary = "Standardize each group of channels of each image, then scale and shift (ONNX "
                  "GroupNormalization: per group at opset 18, per channel from 21)",
       .infer = infer_group_norm,
       .flops = row_norm_flops},
  };
  for (const OpDefinition& op : row_norm_ops)
    add_op(registry, op,
           {{row_norm_reference_text(op.op_type),
             {.name = kReference, .prepare = prepare_row_norm_reference}},
            {row_norm_direct_text(op.op_type),
             {.name = "direct",
              .tolerance = {1e-5, 1e-4},
              .default_priority = 10,
              .prepare = prepare_row_norm_direct}},
            {row_norm_welford_text(op.op_type),
             {.name = "welford",
              .tolerance = {1e-5, 1e-4},
              .default_priority = 5,
              .prepare = prepare_row_norm_welford}}});
}

}  // namespace algoscope::ops
