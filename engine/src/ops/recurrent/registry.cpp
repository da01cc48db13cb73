// The recurrent family: ONNX LSTM, GRU and RNN (opsets 7 to 17: every direction, layout 0 and 1,
// sequence_lens, initial states, LSTM's peepholes and input_forget, GRU's linear_before_reset,
// clip and the spec's activations) and the algorithms that compute them, in registry order. This
// file is the only place their names are spelled; each algorithm lives in the file of the same
// name, with its text (<name>_text()), and serves all three ops.
#include "ops/recurrent/recurrent.h"
#include "ops/registrations.h"

namespace algoscope::ops {

void register_recurrent(Registry& registry) {
  using namespace recurrent;
  const std::pair<const char*, const char*> ops[] = {
      {"LSTM", "Long short-term memory over a sequence (ONNX LSTM): gates i, o, f, c"},
      {"GRU", "Gated recurrent unit over a sequence (ONNX GRU): gates z, r, h"},
      {"RNN", "Simple recurrent layer over a sequence (ONNX RNN): H_t = f(x W^T + H R^T + b)"},
  };
  for (const auto& op : ops)
    add_op(registry, {.op_type = op.first, .summary = op.second, .infer = infer, .flops = flops},
           {
               {reference_text(), {.name = kReference, .prepare = prepare_reference}},
               {fused_text(),
                {.name = "fused",
                 .tolerance = {1e-5, 1e-4},
                 .default_priority = 10,
                 .workspace_bytes = fused_workspace,
                 .prepare = prepare_fused}},
           });
}

}  // namespace algoscope::ops
