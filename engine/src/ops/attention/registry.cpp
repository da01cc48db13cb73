// The Attention family: scaled dot-product attention as one node (made by the loader's attention
// pass from PyTorch's exported subgraph) and the algorithms that compute it, in registry order.
// This file is the only place their names are spelled; each algorithm lives in the file of the same
// name, with its text (<name>_text()).
#include "ops/attention/attention.h"
#include "ops/registrations.h"

namespace algoscope::ops {

void register_attention(Registry& registry) {
  using namespace attention;
  add_op(registry,
         {.op_type = kOpType,
          .summary = "softmax(scale * Q K^T + mask) V per head: PyTorch's exported attention "
                     "subgraph as one node",
          .infer = infer,
          .flops = flops},
         {
             {reference_text(),
              {.name = kReference, .tolerance = {1e-6, 1e-5}, .prepare = prepare_reference}},
             {naive_text(),
              {.name = "naive",
               .default_priority = 10,
               .workspace_bytes = naive_workspace_bytes,
               .prepare = prepare_naive}},
             {flash_text(),
              {.name = "flash",
               .default_priority = 5,
               .workspace_bytes = flash_workspace_bytes,
               .prepare = prepare_flash}},
             {chunked_text(),
              {.name = "chunked",
               .default_priority = 4,
               .workspace_bytes = chunked_workspace_bytes,
               .prepare = prepare_chunked}},
         });
}

}  // namespace algoscope::ops
