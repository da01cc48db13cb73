// What a person is shown about one layer of a loaded model, in one place for every face (the CLI's
// `info`, the explorer's layer table and inspector): the op as it reads after the graph passes
// (Conv+BN+Relu, Attention) with what each pass merged into it, the shapes it reads and writes,
// its parameters and FLOPs, every registered algorithm of its op with its backend and whether it
// applies (and why not), the engine's default choice, and why the node cannot run when it cannot.
// The faces format these facts; they do not work them out again.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "algoscope/graph.h"
#include "algoscope/registry.h"

namespace algoscope {

// One value a layer reads or writes.
struct ValueDescription {
  std::string name;
  bool known = false;     // static type and shape known
  TensorInfo info;        // valid when known
  std::string onnx_type;  // the ONNX element type name (for values the engine does not compute)
  bool constant = false;  // a weight, bias or folded value rather than an activation
  std::string shape_text() const;  // "1x64x56x56", or "?" when not known
};

// One merged piece of a node (Node::Fusion) in words.
struct FusionDescription {
  Node::Fusion::Kind kind = Node::Fusion::Kind::Epilogue;
  std::string op;                  // the absorbed op, or the pattern's fused op
  std::vector<std::string> nodes;  // the ONNX nodes it absorbed
  // "BatchNormalization folded into the weights: bn1", "Relu in the epilogue: relu1",
  // "Attention replaces 6 nodes: qk, scale, softmax, ...".
  std::string text;
};

// One registered algorithm of the layer's op.
struct AlgorithmDescription {
  std::string name;
  Backend backend = Backend::Cpu;
  std::string why_not;      // empty when it can compute this layer
  bool is_default = false;  // the engine's own choice for this layer
  // Its memory on this layer (applicable algorithms only): Algorithm::workspace, ::prepared and
  // ::traffic_bytes (the roofline's bytes moved per call).
  size_t workspace_bytes = 0;
  size_t prepared_bytes = 0;
  double traffic_bytes = 0;
  bool applicable() const { return why_not.empty(); }
};

struct LayerDescription {
  size_t index = 0;  // position in Model::nodes
  std::string node;  // the ONNX node name
  std::string op_type;
  std::string domain;
  std::string display_op;  // Node::display_op(): "Conv+BN+Relu", "Add+Relu", "Attention"
  std::vector<FusionDescription> fusions;
  std::vector<std::string> merged_nodes;  // Node::merged_nodes()
  std::vector<ValueDescription> inputs;   // present inputs, constants included
  std::vector<ValueDescription> outputs;  // present outputs
  int64_t parameters = 0;                 // elements of constant inputs
  double flops = 0;                       // 0 when the node cannot run
  bool registered = false;                // the registry knows the op (default domain)
  // Why the engine cannot run this node; empty when it can: "unsupported op Softplus", the
  // loader's Node::problem, or why no algorithm applies.
  std::string problem;
  std::vector<AlgorithmDescription> algorithms;  // registry order; empty when not registered
  std::string default_algorithm;                 // the engine's choice; empty when not runnable

  bool runnable() const { return problem.empty(); }
  std::vector<std::string> applicable_algorithms() const;
  const AlgorithmDescription* find_algorithm(const std::string& name) const;
  // Shapes of the activations (not the constants) it reads, and of what it writes: "1x3x8x8".
  std::string input_shapes_text() const;
  std::string output_shapes_text() const;
};

// One named value of `model` (an input, activation, output or constant).
ValueDescription describe_value(const Model& model, const std::string& name);

// Describes `node`, which must belong to `model`.
LayerDescription describe_layer(const Model& model, const Node& node,
                                const Registry& registry = Registry::instance());
// Every node in model order.
std::vector<LayerDescription> describe_layers(const Model& model,
                                              const Registry& registry = Registry::instance());

}  // namespace algoscope
