// The normalization family: ONNX BatchNormalization (inference mode), LRN, LayerNormalization,
// InstanceNormalization and GroupNormalization and the algorithms that compute them. This file is
// the only place their names are spelled; each algorithm lives in <op>_<algorithm>.cpp next to
// this file, with its text (<op>_<algorithm>_text()); the last three share
// row_norm_<algorithm>.cpp.
#include "cuda/variants.h"
#include "ops/normalization/normalization.h"
#include "ops/registrations.h"

namespace algoscope::ops {

void register_normalization(Registry& registry) {
  using namespace normalization;
  add_op(
      registry,
      {.op_type = "BatchNormalization",
       .summary = "Per-channel affine normalization with running statistics (inference mode)",
       .infer = infer_batch_norm,
       .flops = batch_norm_flops},
      {{batch_norm_reference_text(), {.name = kReference, .prepare = prepare_batch_norm_reference}},
       {batch_norm_direct_text(),
        {.name = "direct",
         .tolerance = {1e-5, 1e-4},
         .default_priority = 10,
         .applies_activation = true,
         .not_applicable = batch_norm_direct_not_applicable,
         .prepare = prepare_batch_norm_direct}}});
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
  // Our CUDA kernel (engine/cuda/ops/normalization): one block per row, float sums.
  for (const OpDefinition& op : row_norm_ops)
    add_cuda_algorithm(
        registry, op.op_type, cuda::kCudaRowNorm, cuda::kRowNorm, "cuda", Tolerance{1e-5, 1e-4},
        {"On the GPU: one block per row, two reductions, then the outputs",
         "On the CUDA device, on the same rows as the reference: each row gets one block of 256 "
         "threads, which stride through it three times (coalesced, since rows are contiguous): "
         "the sum, reduced across the block with warp shuffles; the sum of squared deviations "
         "from the mean (two passes, so a large mean cannot cancel the variance away); then "
         "(x - mean) * rsqrt(var + epsilon) * scale + B. Extra memory: none. Wins wherever the "
         "tensor already lives on the device; a row shorter than 256 leaves threads idle. A "
         "broadcast Scale or B ([1] for a [D] row) is refused: the host expands it, the kernel "
         "does not. Numerics: float sums in a tree per block, within about 1e-6 relative of the "
         "double reference for rows of thousands."});
}

}  // namespace algoscope::ops
