// The order of the graph passes, in one place. Identity removal comes first so that shape
// inference and folding see through copies; inference and constant folding come before the
// fusions, which need static shapes and constant weights; dead code goes last, after the fusions
// have orphaned what they absorbed.
#include "passes/pass.h"

namespace algoscope::passes {

const std::vector<GraphPass>& graph_passes() {
  static const std::vector<GraphPass> passes = {
      {"remove_identity", &LoadOptions::remove_identity, remove_identity},
      // Always runs (every value needs its static shape); fold_constants only stops its folding.
      {"infer_and_fold", nullptr, infer_and_fold},
      {"find_value_inputs", nullptr, find_value_inputs},
      // After infer_and_fold, which makes a Pad's pads constant.
      {"remove_empty_pad", &LoadOptions::remove_empty_pad, remove_empty_pad},
      {"fold_batchnorm", &LoadOptions::fold_batchnorm, fold_batchnorm},
      // Before fuse_activation, whose Add epilogue would otherwise take LayerNorm's Add(beta).
      {"fuse_layer_norm", &LoadOptions::fuse_layer_norm, fuse_layer_norm},
      {"fuse_gelu", &LoadOptions::fuse_gelu, fuse_gelu},
      // Before fuse_activation, so that MatMul+Add can take a following activation too.
      {"fuse_matmul_bias", &LoadOptions::fuse_matmul_bias, fuse_matmul_bias},
      {"fuse_activation", &LoadOptions::fuse_activations, fuse_activation},
      {"fuse_attention", &LoadOptions::fuse_attention, fuse_attention},
      // After fuse_activation: the block's first Conv carries its activation by then.
      {"fuse_squeeze_excite", &LoadOptions::fuse_squeeze_excite, fuse_squeeze_excite},
      // After fuse_activation: the Add's Relu moves with it into the Conv.
      {"fuse_residual_add", &LoadOptions::fuse_residual_add, fuse_residual_add},
      {"remove_dead_code", nullptr, remove_dead_code},
  };
  return passes;
}

std::vector<std::string_view> enabled_passes(const LoadOptions& options) {
  std::vector<std::string_view> names;
  for (const GraphPass& pass : graph_passes())
    if (pass.enabled(options)) names.push_back(pass.name);
  return names;
}

void run_graph_passes(PassContext& context) {
  for (const GraphPass& pass : graph_passes())
    if (pass.enabled(context.options)) pass.run(context);
}

}  // namespace algoscope::passes
