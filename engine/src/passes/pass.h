// Graph passes: what the loader does to a freshly imported ONNX graph before anyone sees it. Each
// pass is one function over the model in its own file of this folder; pipeline.cpp lists them in
// the order they run, with the LoadOptions switch that turns each one off. A new pass is one new
// file and one line there (ncnn pnnx's pass_level folders are the model).
#pragma once

#include <map>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "algoscope/graph.h"
#include "algoscope/loader.h"

namespace onnx {
class ModelProto;
}

namespace algoscope::passes {

// Ends the problem of a node whose input has no static type or shape: a consequence of another
// node's problem (or of an op the engine lacks), not of the node itself.
inline constexpr const char* kUnknownInputProblem = " is not known statically";

// What a pass works on: the model, the options it was loaded with, and what the import kept of
// the ONNX file for passes that fall back on ONNX's own shape inference.
struct PassContext {
  Model& model;
  const LoadOptions& options;
  // The parsed file; ONNX shape inference annotates it in place. Null when a caller runs passes
  // on a model that did not come from a file (then no ONNX fallback is possible).
  onnx::ModelProto* proto = nullptr;
  // ONNX's declared or inferred type of values (graph value_info and outputs), by value name.
  std::unordered_map<std::string, ValueInfo> onnx_shapes;
  // Nodes whose shape inference failed for want of a constant operand: node name -> the values it
  // asked for as constants (filled by infer_and_fold, traced by find_value_inputs).
  std::map<std::string, std::vector<std::string>> value_operands;
};

struct GraphPass {
  std::string_view name;
  // The LoadOptions flag that enables the pass; nullptr for passes every load needs.
  bool LoadOptions::*enabled_by = nullptr;
  void (*run)(PassContext&) = nullptr;

  bool enabled(const LoadOptions& options) const { return !enabled_by || options.*enabled_by; }
};

// Every pass in the order the loader runs them (pipeline.cpp).
const std::vector<GraphPass>& graph_passes();
// The names of the passes that `options` leaves on, in order.
std::vector<std::string_view> enabled_passes(const LoadOptions& options);
// Runs the enabled passes in order.
void run_graph_passes(PassContext& context);

// The passes, one file each.
void remove_identity(PassContext& context);
void remove_empty_pad(PassContext& context);
void infer_and_fold(PassContext& context);
void find_value_inputs(PassContext& context);
void fold_batchnorm(PassContext& context);
void fuse_matmul_bias(PassContext& context);
void fuse_layer_norm(PassContext& context);
void fuse_gelu(PassContext& context);
void fuse_activation(PassContext& context);
void fuse_attention(PassContext& context);
void fuse_squeeze_excite(PassContext& context);
void fuse_residual_add(PassContext& context);
void remove_dead_code(PassContext& context);

}  // namespace algoscope::passes
