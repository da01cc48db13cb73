// Shape inference and constant folding, in forward sweeps repeated until one folds nothing: every
// value gets its static type and shape from the registry's rules, and a node whose inputs are all
// constant (shape sub-graphs: Shape needs only a static input shape) is evaluated once by its
// reference kernel and replaced by its result, so that the shapes after it are static too. In a
// file's topological order one sweep folds every chain; the repetition reaches the fixed point
// whatever the order (a model built in code, a node whose input only becomes known from a node
// listed after it). Nodes the engine cannot run keep a `problem` and, where ONNX's own shape
// inference knows more, its shapes (further sweeps then see them).
#include <algorithm>
#include <map>
#include <string>
#include <vector>

#include "algoscope/error.h"
#include "algoscope/registry.h"
#include "algoscope/resource_limits.h"
#include "onnx_import.h"
#include "passes/graph_edit.h"
#include "passes/pass.h"

namespace algoscope::passes {
namespace {

// Folding must not turn a small graph into a huge file-sized constant (e.g. ConstantOfShape of a
// large activation shape); such nodes simply stay in the graph.
constexpr size_t kMaxFoldedBytes = 64u << 20;

bool dtype_from_onnx_name(const std::string& name);
bool try_fold(Model& model, const Node& node, const OpDefinition& op, const Layer& layer,
              const std::vector<TensorInfo>& outputs);

// libonnx crashes rather than throws on some malformed nodes (see wants_onnx_shapes), and so on
// convolutions the registry lacks too: libonnx 1.12 sizes their attribute arrays
// (dilations, strides) by the data input's spatial rank and indexes them by the weight's, so an
// input without spatial dimensions dereferences an empty vector (a crash, found by fuzz_model) and
// a weight of another rank reads past the end. They may reach it only with ranks checked here.
// ConvTranspose is registered now, so its nodes never get here (a supported node with a problem
// keeps libonnx from running at all); its entry stays so that the guard holds for a registry
// without it.
bool onnx_infers_safely(const Model& model, const Node& node) {
  static const std::map<std::string, size_t> weight_input = {
      {"ConvTranspose", 1}, {"ConvInteger", 1}, {"QLinearConv", 3}};
  const auto it = weight_input.find(node.op_type);
  if (!node.domain.empty() || it == weight_input.end()) return true;
  auto rank = [&](size_t index) -> size_t {
    const ValueInfo* v = node.has_input(index) ? model.find_value(node.inputs[index]) : nullptr;
    // 0 when not known here: unchecked, so libonnx is not asked.
    return v && v->known ? v->info.shape.size() : 0;
  };
  const size_t data_rank = rank(0);
  return data_rank >= 3 && rank(it->second) == data_rank;
}

// ONNX's shape inference is only a fallback for what our own inference cannot cover: values
// behind ops the registry lacks or of types the engine does not compute (the model is then
// view-only). It runs after ours and only when every supported node passed our validation:
// libonnx crashes rather than throws on some malformed nodes (a Conv whose input has no spatial
// dimensions, attributes of the wrong length), so hostile files must not reach it.
// Unsupported nodes that libonnx would mishandle (onnx_infers_safely) keep it from running at all.
bool wants_onnx_shapes(const Model& model) {
  const Registry& registry = Registry::instance();
  bool missing = false;
  for (const Node& n : model.nodes) {
    bool supported = n.domain.empty() && registry.find_op(n.op_type);
    if (!supported) missing = true;
    if (!supported && !onnx_infers_safely(model, n)) return false;
    if (supported && !n.problem.empty() &&
        n.problem.find(kUnknownInputProblem) == std::string::npos)
      return false;
  }
  for (const auto& [name, v] : model.values) missing |= !v.known;
  return missing;
}

// Where inference failed, the operands the op wanted as constants (a Reshape's shape): the graph
// inputs they come from decide the model's shapes (find_value_inputs).
void record_value_operands(PassContext& context, const Node& node, const Layer& layer,
                           const std::string& problem) {
  if (problem.empty() || layer.missing_constants.empty()) {
    context.value_operands.erase(node.name);
    return;
  }
  std::vector<std::string> operands;
  for (size_t index : layer.missing_constants)
    if (std::find(operands.begin(), operands.end(), node.inputs[index]) == operands.end())
      operands.push_back(node.inputs[index]);
  context.value_operands[node.name] = std::move(operands);
}

// One forward sweep; returns how many nodes it folded.
size_t sweep(PassContext& context) {
  Model& model = context.model;
  const Registry& registry = Registry::instance();
  std::vector<Node> kept;
  size_t folded = 0;
  for (Node& node : model.nodes) {
    const OpDefinition* op = node.domain.empty() ? registry.find_op(node.op_type) : nullptr;
    std::string problem;
    // Inputs must be known tensors of engine types.
    for (const auto& in : node.inputs) {
      if (in.empty()) continue;
      const ValueInfo* v = model.find_value(in);
      if (!v || !v->known) {
        problem = "the type or shape of input '" + in + "'" + kUnknownInputProblem +
                  (v && !v->onnx_type.empty() && !dtype_from_onnx_name(v->onnx_type)
                       ? " (element type " + v->onnx_type + " is not computed by the engine)"
                       : "");
        break;
      }
    }
    std::vector<TensorInfo> outputs;
    if (op && problem.empty()) {
      Layer layer = make_layer(model, node);
      try {
        outputs = op->infer(layer);
        if (outputs.size() < node.outputs.size())
          throw Error("shape inference gave " + std::to_string(outputs.size()) + " outputs for " +
                      std::to_string(node.outputs.size()));
        // Shapes computed from the file's numbers (Expand's, ConstantOfShape's) can be absurd;
        // every later size computation assumes they can be counted. Whether they fit in memory
        // is the Session's question (resource_limits.h), asked before it allocates.
        for (size_t i = 0; i < node.outputs.size(); ++i)
          if (!checked_tensor_bytes(outputs[i].dtype, outputs[i].shape))
            throw Error("output '" + node.outputs[i] + "' (" +
                        tensor_type_string(outputs[i].dtype, outputs[i].shape) +
                        ") has more elements or bytes than a 64-bit size can count");
      } catch (const Error& e) {
        problem = e.what();
      }
      record_value_operands(context, node, layer, problem);
      if (problem.empty()) {
        for (size_t i = 0; i < node.outputs.size(); ++i)
          if (!node.outputs[i].empty())
            model.values[node.outputs[i]] =
                ValueInfo{node.outputs[i], outputs[i], true, dtype_name(outputs[i].dtype)};
        if (context.options.fold_constants && try_fold(model, node, *op, layer, outputs)) {
          ++folded;
          continue;
        }
      }
    } else if (!op) {
      problem = "";  // unsupported op type: reported by unsupported_ops()
    }
    node.problem = problem;
    if (!op || !problem.empty()) {
      // View-only: take ONNX's shapes where it had them.
      for (const auto& o : node.outputs) {
        if (o.empty() || (model.values.count(o) && model.values[o].known)) continue;
        auto it = context.onnx_shapes.find(o);
        model.values[o] =
            it != context.onnx_shapes.end() ? it->second : ValueInfo{o, {}, false, ""};
      }
    }
    kept.push_back(std::move(node));
  }
  model.nodes = std::move(kept);
  return folded;
}

// Sweeps until one folds nothing: each folding sweep removes a node, so this ends.
size_t sweep_to_fixed_point(PassContext& context) {
  size_t total = 0;
  while (size_t folded = sweep(context)) total += folded;
  return total;
}

bool dtype_from_onnx_name(const std::string& name) {
  return name == "float" || name == "int64" || name == "int32" || name == "bool" || name == "uint8";
}

// Evaluates a node whose inputs are all constant (Shape needs only a static input shape).
bool try_fold(Model& model, const Node& node, const OpDefinition& op, const Layer& layer,
              const std::vector<TensorInfo>& outputs) {
  bool shape_only = node.op_type == "Shape";
  for (size_t i = 0; i < node.inputs.size(); ++i)
    if (!node.inputs[i].empty() && !model.constants.count(node.inputs[i]) && !shape_only)
      return false;
  size_t bytes = 0;
  for (size_t i = 0; i < node.outputs.size(); ++i) bytes += outputs[i].bytes();
  if (bytes > kMaxFoldedBytes) return false;
  for (size_t i = 0; i < node.outputs.size(); ++i)
    if (is_graph_output(model, node.outputs[i]) && node.outputs.size() > 1) return false;
  const Algorithm* reference = op.algorithms.empty() ? nullptr : &op.algorithms.front();
  if (!reference || reference->why_not(layer)) return false;

  Layer full = layer;
  full.outputs = outputs;
  std::vector<Tensor> shape_views;  // Shape reads only the shape of its input
  KernelIO io;
  for (size_t i = 0; i < node.inputs.size(); ++i) {
    if (node.inputs[i].empty()) {
      io.inputs.push_back(nullptr);
    } else if (auto it = model.constants.find(node.inputs[i]); it != model.constants.end()) {
      io.inputs.push_back(&it->second);
    } else {
      shape_views.reserve(node.inputs.size());
      shape_views.push_back(Tensor::view(layer.inputs[i].dtype, layer.inputs[i].shape, nullptr));
      io.inputs.push_back(&shape_views.back());
    }
  }
  std::vector<Tensor> results;
  for (const auto& info : outputs) results.emplace_back(info.dtype, info.shape);
  for (auto& r : results) io.outputs.push_back(&r);
  std::vector<std::byte> workspace(reference->workspace(full) + 64);
  io.workspace = workspace.data();
  try {
    reference->prepare(full)->run(io);
  } catch (const Error&) {
    return false;  // leave it to run time, where the error will name the node
  }
  for (size_t i = 0; i < node.outputs.size(); ++i)
    if (!node.outputs[i].empty()) model.constants[node.outputs[i]] = std::move(results[i]);
  return true;
}

}  // namespace

void infer_and_fold(PassContext& context) {
  size_t folded = sweep_to_fixed_point(context);
  if (context.proto && wants_onnx_shapes(context.model)) {
    infer_onnx_shapes(*context.proto, context.model, context.onnx_shapes);
    // Again, now that values behind unsupported ops may have shapes.
    folded += sweep_to_fixed_point(context);
  }
  Model& model = context.model;
  if (folded) model.load_notes.push_back("folded " + std::to_string(folded) + " constant node(s)");
}

}  // namespace algoscope::passes
