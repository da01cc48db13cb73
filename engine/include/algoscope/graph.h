// The model as the engine sees it after loading: ONNX nodes in topological order with their ONNX
// names (plans are keyed by them), attributes, constant tensors (weights and folded shape
// sub-graphs) and the static type and shape of every value. Produced by load_model(); read by the
// registry, the session, the CLI and the GUI. It holds no protobuf types.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <variant>
#include <vector>

#include "algoscope/tensor.h"

namespace algoscope {

// The file bytes and load options a model came from, kept by a model that can be specialised
// again for other input values or sizes (specialize.h); defined in loader.h.
struct ModelSource;

// An ONNX attribute value. Graph-valued attributes (If/Loop bodies) and tensors of element types
// the engine does not compute are kept as an opaque marker (the model stays viewable).
struct Attribute {
  struct Opaque {};
  std::variant<int64_t, float, std::string, std::vector<int64_t>, std::vector<float>,
               std::vector<std::string>, Tensor, Opaque>
      value;
};

struct Node {
  std::string name;                 // the ONNX node name (unique; generated when the file has none)
  std::string op_type;              // "Conv", "Relu", ...
  std::string domain;               // "" for the default ONNX domain
  std::vector<std::string> inputs;  // value names; "" marks an omitted optional input
  std::vector<std::string> outputs;  // value names; "" marks an omitted optional output
  std::map<std::string, Attribute> attributes;
  // What graph passes merged into this node, in the order they ran, so a viewer can say exactly
  // what the node computes: a folded BatchNormalization, an activation fused into the epilogue, or
  // a pattern of ONNX nodes that the node replaces (attention).
  struct Fusion {
    enum class Kind { BatchNormFold, Epilogue, Pattern };
    Kind kind = Kind::Epilogue;
    std::string op;                  // the absorbed op ("BatchNormalization", "Relu", "Clip"), or
                                     // for a pattern the fused op that replaced it ("Attention")
    std::vector<std::string> nodes;  // the ONNX nodes it absorbed, in graph order
  };
  std::vector<Fusion> fusions;
  // An elementwise clamp merged into this node's epilogue by the loader (Conv, Gemm or Add followed
  // by Relu, or by Clip, e.g. ReLU6): y = min(max(y, lower), upper). `op` is the merged node's op
  // type.
  struct Activation {
    // Clamp: min(max(y, lower), upper) (Relu, ReLU6). Swish: y * sigmoid(y) (SiLU, written by
    // exporters as Mul(y, Sigmoid(y))). HardSwish: y * min(max(y / 6 + 1 / 2, 0), 1) (ONNX
    // HardSwish; below opset 14 torch writes Mul(y, HardSigmoid(y)) with those constants). Gelu:
    // the exact y * Phi(y) = 0.5 y (1 + erf(y / sqrt 2)) (a Gelu node, which the loader makes of
    // the Erf form). Only a Clamp uses lower and upper.
    enum class Kind { Clamp, Swish, HardSwish, Gelu };
    std::string op;
    float lower = 0.0f;
    float upper = 0.0f;
    Kind kind = Kind::Clamp;
    bool is_clamp() const { return kind == Kind::Clamp; }
  };
  std::optional<Activation> activation;
  // Why the engine cannot run this node although its op type is registered (an input of a type
  // the engine does not compute, a shape that depends on data, ...). Set by the loader.
  std::string problem;

  // The op as a person reads it: the op type plus what was fused into its epilogue
  // ("Conv+BN+Relu", "Add+Relu"); a pattern node is its op type alone ("Attention").
  std::string display_op() const;
  // Every ONNX node merged into this one, over all fusions, in the order they were merged.
  std::vector<std::string> merged_nodes() const;

  bool has_attribute(const std::string& key) const { return attributes.count(key) != 0; }
  // Typed getters; a missing attribute yields the fallback, a mistyped one throws Error naming
  // the node and the attribute.
  int64_t attr_int(const std::string& key, int64_t fallback) const;
  float attr_float(const std::string& key, float fallback) const;
  std::string attr_string(const std::string& key, const std::string& fallback) const;
  std::vector<int64_t> attr_ints(const std::string& key,
                                 const std::vector<int64_t>& fallback = {}) const;
  std::vector<float> attr_floats(const std::string& key,
                                 const std::vector<float>& fallback = {}) const;
  const Tensor* attr_tensor(const std::string& key) const;  // nullptr when absent
  // Number of inputs actually given (omitted trailing and "" inputs count as absent).
  bool has_input(size_t index) const { return index < inputs.size() && !inputs[index].empty(); }
  bool has_output(size_t index) const { return index < outputs.size() && !outputs[index].empty(); }
};

// A value whose type or shape is not (statically) known has `known == false`; such models load for
// viewing but cannot be compiled.
struct ValueInfo {
  std::string name;
  TensorInfo info;
  bool known = false;
  std::string onnx_type;  // ONNX element type name, e.g. "float", "double" (for messages)
};

struct Model {
  std::string name;         // graph name, or the file's stem
  std::string path;         // file it came from, if any
  std::string fingerprint;  // "sha256:<hex>" of the file bytes
  std::string producer;     // "pytorch 1.13.1", ...
  int64_t ir_version = 0;
  int64_t opset = 0;                        // default-domain opset import
  std::vector<Node> nodes;                  // topological order
  std::map<std::string, Tensor> constants;  // initializers, Constant outputs, folded values
  std::vector<std::string> inputs;          // runtime inputs in graph order (no initializers)
  std::vector<std::string> outputs;         // graph outputs in graph order
  std::map<std::string, ValueInfo> values;  // every named value: inputs, activations, outputs
  std::vector<std::string> load_notes;      // what the loader changed (folds, removals, defaults)
  // Runtime inputs whose values decide shapes (they feed a Reshape's shape, Slice bounds, a
  // Resize's sizes...): the model is view-only until specialised for values (specialize.h).
  std::vector<std::string> value_inputs;
  // Axes of runtime inputs that the file names (dim_param) or leaves unknown, set at load to
  // LoadOptions::symbolic_dim_value or to the size the model was specialised for.
  std::map<std::string, std::vector<size_t>> symbolic_axes;
  // Inputs fixed to constants by specialisation, with their values (removed from `inputs`).
  std::map<std::string, Tensor> fixed_inputs;
  // Set where value_inputs or symbolic_axes is not empty, so specialize() can load it again.
  std::shared_ptr<const ModelSource> source;

  const Node* find_node(const std::string& node_name) const;
  const ValueInfo* find_value(const std::string& value_name) const;
  const Tensor* find_constant(const std::string& value_name) const;
  // Total parameter elements in constant inputs of a node (weights, biases).
  int64_t parameter_count(const Node& node) const;
};

}  // namespace algoscope
