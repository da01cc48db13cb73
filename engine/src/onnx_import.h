// ONNX import: a parsed ModelProto becomes the engine's Model (metadata, initializers, inputs,
// outputs and nodes with unique names, in topological order), before any graph pass runs. Also
// ONNX's own shape inference, which the shape pass falls back on for what the registry cannot
// infer. Internal: protobuf stays out of the public headers.
#pragma once

#include <string>
#include <unordered_map>
#include <vector>

#include "algoscope/graph.h"
#include "algoscope/loader.h"
#include "onnx/onnx_pb.h"

namespace algoscope {

// Converts `proto` (parsed from `bytes`, which give the fingerprint). `origin` names the file in
// errors, `base_dir` resolves external data. ONNX's declared types of intermediate values and
// outputs go to `onnx_shapes`. Throws Error for a malformed graph (a value defined twice or by
// nothing, a cycle).
Model import_onnx(const onnx::ModelProto& proto, const std::string& bytes,
                  const std::string& origin, const std::string& base_dir,
                  const LoadOptions& options,
                  std::unordered_map<std::string, ValueInfo>& onnx_shapes);

// The engine's name of every node of `graph`, by position: its ONNX name, or op type and position
// for an unnamed node, made unique with a suffix (plans key on these names).
std::vector<std::string> onnx_node_names(const onnx::GraphProto& graph);

// Runs ONNX shape inference on `proto` and adds the inferred value types to `onnx_shapes`; a
// failure becomes a load note on `model`.
void infer_onnx_shapes(onnx::ModelProto& proto, Model& model,
                       std::unordered_map<std::string, ValueInfo>& onnx_shapes);

}  // namespace algoscope
