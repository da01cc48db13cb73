// The pooling family: ONNX MaxPool, AveragePool, GlobalAveragePool and GlobalMaxPool and the
// algorithms that compute them, in registry order. This file is the only place their names are
// spelled; each algorithm lives in <op>_<algorithm>.cpp next to this file, with its text
// (<op>_<algorithm>_text()).
#include "ops/pool/pool.h"
#include "ops/registrations.h"

namespace algoscope::ops {

void register_pool(Registry& registry) {
  using namespace pool;
  add_op(
      registry,
      {.op_type = "MaxPool",
       .summary = "Maximum over sliding windows, with optional argmax Indices (ONNX MaxPool)",
       .infer = infer_max_pool,
       .flops = window_flops},
      {
          {max_pool_reference_text(), {.name = kReference, .prepare = prepare_max_pool_reference}},
          {max_pool_direct_text(),
           {.name = "direct",
            .tolerance = {0.0, 0.0},
            .default_priority = 10,
            .not_applicable = max_pool_direct_not_applicable,
            .prepare = prepare_max_pool_direct}},
      });
  add_op(registry,
         {.op_type = "AveragePool",
          .summary = "Mean over sliding windows, with or without the padding (ONNX AveragePool)",
          .infer = infer_average_pool,
          .flops = window_flops},
         {
             {average_pool_reference_text(),
              {.name = kReference, .prepare = prepare_average_pool_reference}},
             {average_pool_direct_text(),
              {.name = "direct",
               .tolerance = {1e-6, 1e-5},
               .default_priority = 10,
               .not_applicable = average_pool_direct_not_applicable,
               .prepare = prepare_average_pool_direct}},
         });
  add_op(registry,
         {.op_type = "GlobalAveragePool",
          .summary = "Mean of every channel over all spatial axes (ONNX GlobalAveragePool)",
          .infer = infer_global_pool,
          .flops = global_flops},
         {
             {global_average_pool_reference_text(),
              {.name = kReference, .prepare = prepare_global_average_pool_reference}},
             {global_average_pool_direct_text(),
              {.name = "direct",
               .tolerance = {1e-7, 1e-6},
               .default_priority = 10,
               .prepare = prepare_global_average_pool_direct}},
         });
  add_op(registry,
         {.op_type = "GlobalMaxPool",
          .summary = "Maximum of every channel over all spatial axes (ONNX GlobalMaxPool)",
          .infer = infer_global_pool,
          .flops = global_flops},
         {{global_max_pool_reference_text(),
           {.name = kReference, .prepare = prepare_global_max_pool_reference}}});
}

}  // namespace algoscope::ops
