// ONNX file -> Model. Parsing and ONNX's own shape inference use libonnx; everything after that
// works on the engine's graph: names are made unique, Identity/Dropout are bypassed, a forward
// sweep infers every value's static shape with the registry's rules and folds nodes whose inputs
// are all constant (shape sub-graphs included) by running their reference kernels, then
// BatchNormalization is folded into a preceding Conv and dead nodes and constants are dropped.
#include "algoscope/loader.h"

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <functional>
#include <limits>
#include <set>
#include <sstream>
#include <unordered_map>
#include <unordered_set>

#include "algoscope/error.h"
#include "algoscope/registry.h"
#include "onnx/shape_inference/implementation.h"
#include "onnx_tensor.h"
#include "ops/attention/attention.h"

namespace algoscope {
namespace {

constexpr int64_t kMinOpset = 7;
constexpr int64_t kMaxOpset = 17;
// Folding must not turn a small graph into a huge file-sized constant (e.g. ConstantOfShape of a
// large activation shape); such nodes simply stay in the graph.
constexpr size_t kMaxFoldedBytes = 64u << 20;
// Marks node problems that only stem from an unknown input (not from the node itself).
constexpr const char* kUnknownInput = " is not known statically";

Attribute convert_attribute(const onnx::AttributeProto& a, const std::string& origin,
                            const std::string& base_dir) {
  Attribute out;
  switch (a.type()) {
    case onnx::AttributeProto::INT:
      out.value = static_cast<int64_t>(a.i());
      break;
    case onnx::AttributeProto::FLOAT:
      out.value = a.f();
      break;
    case onnx::AttributeProto::STRING:
      out.value = a.s();
      break;
    case onnx::AttributeProto::INTS:
      out.value = std::vector<int64_t>(a.ints().begin(), a.ints().end());
      break;
    case onnx::AttributeProto::FLOATS:
      out.value = std::vector<float>(a.floats().begin(), a.floats().end());
      break;
    case onnx::AttributeProto::STRINGS:
      out.value = std::vector<std::string>(a.strings().begin(), a.strings().end());
      break;
    case onnx::AttributeProto::TENSOR:
      // A tensor of a type the engine does not compute leaves the node view-only (see
      // Node::problem).
      if (dtype_from_onnx(a.t().data_type()))
        out.value = tensor_from_proto(a.t(), origin, base_dir);
      else
        out.value = Attribute::Opaque{};
      break;
    case onnx::AttributeProto::GRAPH:
    case onnx::AttributeProto::GRAPHS:
      out.value = Attribute::Opaque{};
      break;
    default:
      out.value = Attribute::Opaque{};
      break;  // sparse tensors, type protos: view only
  }
  return out;
}

// Static type of a ValueInfoProto; unknown dims of graph inputs become `symbolic` (noted).
ValueInfo convert_value_info(const onnx::ValueInfoProto& v, std::optional<int64_t> symbolic,
                             std::vector<std::string>* notes) {
  ValueInfo out;
  out.name = v.name();
  if (!v.has_type() || !v.type().has_tensor_type()) {
    out.onnx_type = "non-tensor";
    return out;
  }
  const auto& tt = v.type().tensor_type();
  out.onnx_type = onnx_type_name(tt.elem_type());
  auto dtype = dtype_from_onnx(tt.elem_type());
  if (!dtype || !tt.has_shape()) return out;
  out.info.dtype = *dtype;
  bool known = true;
  for (const auto& d : tt.shape().dim()) {
    if (d.has_dim_value() && d.dim_value() >= 0) {
      out.info.shape.push_back(d.dim_value());
    } else if (symbolic) {
      out.info.shape.push_back(*symbolic);
      if (notes)
        notes->push_back("input '" + v.name() + "': dimension '" +
                         (d.has_dim_param() ? d.dim_param() : std::string("?")) + "' set to " +
                         std::to_string(*symbolic));
    } else {
      known = false;
    }
  }
  out.known = known;
  return out;
}

class Loader {
 public:
  Loader(const LoadOptions& options, std::string origin, std::string base_dir)
      : options_(options), origin_(std::move(origin)), base_dir_(std::move(base_dir)) {}

  Model load(const std::string& bytes) {
    if (bytes.empty()) throw Error("model file '" + origin_ + "' is empty");
    onnx::ModelProto proto;
    if (!proto.ParseFromString(bytes))
      throw Error("'" + origin_ +
                  "' is not a valid ONNX model: it could not be parsed (the file is "
                  "truncated, corrupt, or not ONNX)");
    if (proto.ir_version() <= 0 || !proto.has_graph())
      throw Error("'" + origin_ + "' is not a valid ONNX model: it has no IR version or no graph");
    model_.fingerprint = sha256_fingerprint(bytes);
    model_.ir_version = proto.ir_version();
    model_.producer = proto.producer_name() +
                      (proto.producer_version().empty() ? "" : " " + proto.producer_version());
    for (const auto& op : proto.opset_import())
      if (op.domain().empty() || op.domain() == "ai.onnx") model_.opset = op.version();
    if (model_.opset == 0 && proto.opset_import_size() == 0)
      throw Error("'" + origin_ + "' is not a valid ONNX model: it imports no opset");
    if (model_.opset && (model_.opset < kMinOpset || model_.opset > kMaxOpset))
      model_.load_notes.push_back("opset " + std::to_string(model_.opset) +
                                  " is outside the supported range " + std::to_string(kMinOpset) +
                                  "-" + std::to_string(kMaxOpset) +
                                  "; ops whose meaning changed there may compute differently");

    convert_graph(proto.graph());
    check_topology();
    if (options_.remove_identity) remove_identities();
    infer_and_fold();
    if (wants_onnx_shapes()) {
      run_onnx_shape_inference(proto);
      infer_and_fold();  // again, now that values behind unsupported ops may have shapes
    }
    if (options_.fold_batchnorm) fold_batchnorms();
    if (options_.fuse_activations) fuse_activations();
    if (options_.fuse_attention) fuse_attention();
    remove_dead_code();
    return std::move(model_);
  }

 private:
  // ONNX's shape inference is only a fallback for what our own inference cannot cover: values
  // behind ops the registry lacks or of types the engine does not compute (the model is then
  // view-only). It runs after ours and only when every supported node passed our validation:
  // libonnx crashes rather than throws on some malformed nodes (a Conv whose input has no spatial
  // dimensions, attributes of the wrong length), so hostile files must not reach it.
  bool wants_onnx_shapes() const {
    const Registry& registry = Registry::instance();
    bool missing = false;
    for (const Node& n : model_.nodes) {
      bool supported = n.domain.empty() && registry.find_op(n.op_type);
      if (!supported) missing = true;
      if (supported && !n.problem.empty() && n.problem.find(kUnknownInput) == std::string::npos)
        return false;
    }
    for (const auto& [name, v] : model_.values) missing |= !v.known;
    return missing;
  }

  void run_onnx_shape_inference(onnx::ModelProto& proto) {
    try {
      onnx::shape_inference::InferShapes(proto);
    } catch (const std::exception& e) {
      model_.load_notes.push_back(std::string("ONNX shape inference failed: ") + e.what());
      return;
    }
    for (const auto& v : proto.graph().value_info())
      onnx_shapes_[v.name()] = convert_value_info(v, std::nullopt, nullptr);
  }

  void convert_graph(const onnx::GraphProto& g) {
    // Exporters name every graph alike ("torch_jit", "main_graph"); the file says which model it
    // is (ONNX test folders keep "model.onnx" in a folder named after the model).
    std::filesystem::path file(origin_);
    std::string stem = file.stem().string();
    if (stem == "model" && file.has_parent_path()) stem = file.parent_path().filename().string();
    model_.name = !stem.empty() ? stem : g.name().empty() ? "model" : g.name();
    std::unordered_set<std::string> initializer_names;
    for (const auto& init : g.initializer()) {
      initializer_names.insert(init.name());
      ValueInfo v;
      v.name = init.name();
      v.onnx_type = onnx_type_name(init.data_type());
      try {
        Tensor t = tensor_from_proto(init, origin_, base_dir_);
        v.info = t.info();
        v.known = true;
        model_.constants[init.name()] = std::move(t);
      } catch (const Error& e) {
        // A weight the engine cannot compute with (e.g. double) is viewable but not runnable.
        if (dtype_from_onnx(init.data_type())) throw;
      }
      model_.values[init.name()] = v;
    }
    for (const auto& in : g.input()) {
      if (initializer_names.count(in.name())) continue;  // old exporters list weights as inputs
      ValueInfo info = convert_value_info(in, options_.symbolic_dim_value, &model_.load_notes);
      if (auto it = options_.constant_inputs.find(in.name());
          it != options_.constant_inputs.end()) {
        const Tensor& value = it->second;
        if (info.known && info.info != value.info())
          throw Error("input '" + in.name() + "' is declared " + dtype_name(info.info.dtype) + " " +
                      shape_to_string(info.info.shape) + " but was given " +
                      dtype_name(value.dtype()) + " " + shape_to_string(value.shape()));
        model_.constants[in.name()] = value;
        model_.values[in.name()] =
            ValueInfo{in.name(), value.info(), true, dtype_name(value.dtype())};
        model_.load_notes.push_back("input '" + in.name() + "' fixed to a constant");
        continue;
      }
      model_.inputs.push_back(in.name());
      model_.values[in.name()] = std::move(info);
    }
    for (const auto& [name, value] : options_.constant_inputs)
      if (!model_.values.count(name))
        throw Error("'" + origin_ + "' has no input named '" + name + "' to fix to a constant");
    for (const auto& v : g.value_info()) {
      ValueInfo info = convert_value_info(v, std::nullopt, nullptr);
      onnx_shapes_[v.name()] = info;
    }
    for (const auto& out : g.output()) {
      model_.outputs.push_back(out.name());
      onnx_shapes_[out.name()] = convert_value_info(out, std::nullopt, nullptr);
    }
    std::unordered_set<std::string> names;
    for (int i = 0; i < g.node_size(); ++i) {
      const auto& n = g.node(i);
      Node node;
      node.op_type = n.op_type();
      node.domain = n.domain() == "ai.onnx" ? "" : n.domain();
      node.name = n.name().empty() ? n.op_type() + "_" + std::to_string(i) : n.name();
      // Plans key on names, so they must be unique.
      for (int k = 2; names.count(node.name); ++k)
        node.name = (n.name().empty() ? n.op_type() + "_" + std::to_string(i) : n.name()) + "_" +
                    std::to_string(k);
      names.insert(node.name);
      node.inputs.assign(n.input().begin(), n.input().end());
      node.outputs.assign(n.output().begin(), n.output().end());
      while (!node.inputs.empty() && node.inputs.back().empty()) node.inputs.pop_back();
      for (const auto& a : n.attribute())
        node.attributes[a.name()] =
            convert_attribute(a, origin_ + ", node '" + node.name + "'", base_dir_);
      model_.nodes.push_back(std::move(node));
    }
    if (model_.nodes.empty() && model_.outputs.empty())
      throw Error("'" + origin_ + "' is not a valid ONNX model: its graph is empty");
  }

  // ONNX requires topological order; a truncated or hand-broken file shows up here as a value
  // that nothing defines. Reorders when the file is merely out of order.
  void check_topology() {
    std::unordered_set<std::string> defined(model_.inputs.begin(), model_.inputs.end());
    for (const auto& [name, t] : model_.constants) defined.insert(name);
    for (const auto& [name, v] : model_.values) defined.insert(name);  // initializers of odd types
    std::unordered_map<std::string, size_t> producer;
    for (size_t i = 0; i < model_.nodes.size(); ++i)
      for (const auto& o : model_.nodes[i].outputs)
        if (!o.empty()) {
          if (producer.count(o) || defined.count(o))
            throw Error("'" + origin_ + "' is malformed: value '" + o + "' is defined twice");
          producer[o] = i;
        }
    std::vector<Node> ordered;
    std::vector<int> state(model_.nodes.size(), 0);  // 0 new, 1 visiting, 2 done
    std::function<void(size_t)> visit = [&](size_t i) {
      if (state[i] == 2) return;
      if (state[i] == 1)
        throw Error("'" + origin_ + "' is malformed: the graph has a cycle through node '" +
                    model_.nodes[i].name + "'");
      state[i] = 1;
      for (const auto& in : model_.nodes[i].inputs) {
        if (in.empty() || defined.count(in)) continue;
        auto it = producer.find(in);
        if (it == producer.end())
          throw Error("'" + origin_ + "' is malformed or truncated: node '" + model_.nodes[i].name +
                      "' (" + model_.nodes[i].op_type + ") uses value '" + in +
                      "', which no node, input or initializer defines");
        visit(it->second);
      }
      state[i] = 2;
      ordered.push_back(model_.nodes[i]);
    };
    for (size_t i = 0; i < model_.nodes.size(); ++i) visit(i);
    for (const auto& out : model_.outputs)
      if (!defined.count(out) && !producer.count(out))
        throw Error("'" + origin_ + "' is malformed or truncated: graph output '" + out +
                    "' is not defined by any node");
    model_.nodes = std::move(ordered);
  }

  bool is_graph_output(const std::string& v) const {
    return std::find(model_.outputs.begin(), model_.outputs.end(), v) != model_.outputs.end();
  }

  void replace_uses(const std::string& from, const std::string& to) {
    for (Node& n : model_.nodes)
      for (auto& in : n.inputs)
        if (in == from) in = to;
  }

  // Identity and inference-mode Dropout compute nothing; consumers read the input directly.
  void remove_identities() {
    std::unordered_map<std::string, Node*> producer;
    for (Node& n : model_.nodes)
      for (auto& o : n.outputs) producer[o] = &n;
    std::vector<std::string> removed;
    for (Node& n : model_.nodes) {
      bool identity = n.op_type == "Identity" && n.domain.empty() && n.inputs.size() == 1;
      bool dropout = n.op_type == "Dropout" && n.domain.empty() && !n.inputs.empty() &&
                     !n.has_output(1) && !n.has_input(2);
      if (!(identity || dropout) || n.outputs.empty()) continue;
      const std::string x = n.inputs[0], y = n.outputs[0];
      if (!is_graph_output(y)) {
        replace_uses(y, x);
      } else if (producer.count(x) && !is_graph_output(x)) {
        // y is what the user sees: rename the producer's output to it instead.
        for (auto& o : producer[x]->outputs)
          if (o == x) o = y;
        replace_uses(x, y);
        producer[y] = producer[x];
      } else {
        continue;  // graph input or constant straight to an output: keep the copy
      }
      removed.push_back(n.name);
      n.op_type.clear();  // marked for erase
    }
    std::erase_if(model_.nodes, [](const Node& n) { return n.op_type.empty(); });
    if (!removed.empty())
      model_.load_notes.push_back("removed " + std::to_string(removed.size()) +
                                  " Identity/Dropout node(s)");
  }

  void infer_and_fold() {
    const Registry& registry = Registry::instance();
    std::vector<Node> kept;
    size_t folded = 0;
    for (Node& node : model_.nodes) {
      const OpDefinition* op = node.domain.empty() ? registry.find_op(node.op_type) : nullptr;
      std::string problem;
      // Inputs must be known tensors of engine types.
      for (const auto& in : node.inputs) {
        if (in.empty()) continue;
        const ValueInfo* v = model_.find_value(in);
        if (!v || !v->known) {
          problem = "the type or shape of input '" + in + "'" + kUnknownInput +
                    (v && !v->onnx_type.empty() && !dtype_from_onnx_name(v->onnx_type)
                         ? " (element type " + v->onnx_type + " is not computed by the engine)"
                         : "");
          break;
        }
      }
      std::vector<TensorInfo> outputs;
      if (op && problem.empty()) {
        Layer layer = make_layer(model_, node);
        try {
          outputs = op->infer(layer);
          if (outputs.size() < node.outputs.size())
            throw Error("shape inference gave " + std::to_string(outputs.size()) + " outputs for " +
                        std::to_string(node.outputs.size()));
        } catch (const Error& e) {
          problem = e.what();
        }
        if (problem.empty()) {
          for (size_t i = 0; i < node.outputs.size(); ++i)
            if (!node.outputs[i].empty())
              model_.values[node.outputs[i]] =
                  ValueInfo{node.outputs[i], outputs[i], true, dtype_name(outputs[i].dtype)};
          if (options_.fold_constants && try_fold(node, *op, layer, outputs)) {
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
          if (o.empty() || (model_.values.count(o) && model_.values[o].known)) continue;
          auto it = onnx_shapes_.find(o);
          model_.values[o] = it != onnx_shapes_.end() ? it->second : ValueInfo{o, {}, false, ""};
        }
      }
      kept.push_back(std::move(node));
    }
    model_.nodes = std::move(kept);
    if (folded)
      model_.load_notes.push_back("folded " + std::to_string(folded) + " constant node(s)");
  }

  static bool dtype_from_onnx_name(const std::string& name) {
    return name == "float" || name == "int64" || name == "int32" || name == "bool" ||
           name == "uint8";
  }

  // Evaluates a node whose inputs are all constant (Shape needs only a static input shape).
  bool try_fold(const Node& node, const OpDefinition& op, const Layer& layer,
                const std::vector<TensorInfo>& outputs) {
    bool shape_only = node.op_type == "Shape";
    for (size_t i = 0; i < node.inputs.size(); ++i)
      if (!node.inputs[i].empty() && !model_.constants.count(node.inputs[i]) && !shape_only)
        return false;
    size_t bytes = 0;
    for (size_t i = 0; i < node.outputs.size(); ++i) bytes += outputs[i].bytes();
    if (bytes > kMaxFoldedBytes) return false;
    for (size_t i = 0; i < node.outputs.size(); ++i)
      if (is_graph_output(node.outputs[i]) && node.outputs.size() > 1) return false;
    const Algorithm* reference = op.algorithms.empty() ? nullptr : &op.algorithms.front();
    if (!reference || reference->why_not(layer)) return false;

    Layer full = layer;
    full.outputs = outputs;
    std::vector<Tensor> shape_views;  // Shape reads only the shape of its input
    KernelIO io;
    for (size_t i = 0; i < node.inputs.size(); ++i) {
      if (node.inputs[i].empty()) {
        io.inputs.push_back(nullptr);
      } else if (auto it = model_.constants.find(node.inputs[i]); it != model_.constants.end()) {
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
      if (!node.outputs[i].empty()) model_.constants[node.outputs[i]] = std::move(results[i]);
    return true;
  }

  // For the fusion passes: how many node inputs read each value, and which node produces it.
  std::pair<std::unordered_map<std::string, int>, std::unordered_map<std::string, size_t>>
  value_links() const {
    std::unordered_map<std::string, int> uses;
    for (const Node& n : model_.nodes)
      for (const auto& in : n.inputs) ++uses[in];
    std::unordered_map<std::string, size_t> producer;
    for (size_t i = 0; i < model_.nodes.size(); ++i)
      for (const auto& o : model_.nodes[i].outputs) producer[o] = i;
    return {std::move(uses), std::move(producer)};
  }
  // Conv -> BatchNormalization (inference) becomes one Conv with scaled weights and a new bias:
  // W'[o] = W[o] * g[o] / sqrt(v[o] + eps), b'[o] = (b[o] - m[o]) * g[o] / sqrt(v[o] + eps) +
  // beta[o].
  void fold_batchnorms() {
    auto [uses, producer] = value_links();
    size_t folded = 0;
    for (Node& bn : model_.nodes) {
      if (bn.op_type != "BatchNormalization" || !bn.domain.empty() || bn.inputs.size() != 5 ||
          !bn.problem.empty())
        continue;
      bool extra_outputs = false;
      for (size_t i = 1; i < bn.outputs.size(); ++i) extra_outputs |= !bn.outputs[i].empty();
      if (extra_outputs || bn.attr_int("training_mode", 0) != 0) continue;
      auto p = producer.find(bn.inputs[0]);
      if (p == producer.end()) continue;
      Node& conv = model_.nodes[p->second];
      if (conv.op_type != "Conv" || !conv.domain.empty() || !conv.problem.empty() ||
          uses[bn.inputs[0]] != 1 || is_graph_output(bn.inputs[0]))
        continue;
      const Tensor* w = model_.find_constant(conv.inputs.size() > 1 ? conv.inputs[1] : "");
      const Tensor* b = conv.has_input(2) ? model_.find_constant(conv.inputs[2]) : nullptr;
      const Tensor* gamma = model_.find_constant(bn.inputs[1]);
      const Tensor* beta = model_.find_constant(bn.inputs[2]);
      const Tensor* mean = model_.find_constant(bn.inputs[3]);
      const Tensor* var = model_.find_constant(bn.inputs[4]);
      if (!w || (conv.has_input(2) && !b) || !gamma || !beta || !mean || !var) continue;
      if (w->dtype() != DType::Float32 || w->rank() < 3) continue;
      const int64_t oc = w->dim(0);
      bool shapes_ok = true;
      for (const Tensor* t : {gamma, beta, mean, var})
        shapes_ok &= t->dtype() == DType::Float32 && t->numel() == oc;
      if (b) shapes_ok &= b->dtype() == DType::Float32 && b->numel() == oc;
      if (!shapes_ok) continue;
      const float eps = bn.attr_float("epsilon", 1e-5f);
      Tensor new_w = w->clone();
      Tensor new_b(DType::Float32, {oc});
      const int64_t per_channel = w->numel() / oc;
      for (int64_t o = 0; o < oc; ++o) {
        double scale = gamma->data<float>()[o] / std::sqrt(double(var->data<float>()[o]) + eps);
        float* row = new_w.data<float>() + o * per_channel;
        for (int64_t k = 0; k < per_channel; ++k) row[k] = static_cast<float>(row[k] * scale);
        double bias = b ? b->data<float>()[o] : 0.0;
        new_b.data<float>()[o] =
            static_cast<float>((bias - mean->data<float>()[o]) * scale + beta->data<float>()[o]);
      }
      const std::string w_name = conv.name + "/weight_bn_folded";
      const std::string b_name = conv.name + "/bias_bn_folded";
      model_.values[w_name] = ValueInfo{w_name, new_w.info(), true, "float"};
      model_.values[b_name] = ValueInfo{b_name, new_b.info(), true, "float"};
      model_.constants[w_name] = std::move(new_w);
      model_.constants[b_name] = std::move(new_b);
      conv.inputs.resize(3);
      conv.inputs[1] = w_name;
      conv.inputs[2] = b_name;
      model_.values.erase(conv.outputs[0]);
      conv.outputs[0] = bn.outputs[0];
      conv.fusions.push_back({Node::Fusion::Kind::BatchNormFold, bn.op_type, {bn.name}});
      bn.op_type.clear();
      ++folded;
    }
    std::erase_if(model_.nodes, [](const Node& n) { return n.op_type.empty(); });
    if (folded)
      model_.load_notes.push_back("folded " + std::to_string(folded) +
                                  " BatchNormalization node(s) into the preceding Conv");
  }

  // Conv -> Relu, or Conv -> Clip with constant bounds (ReLU6), becomes one Conv whose kernel
  // clamps its output (Node::activation): the activation costs no extra pass over memory. The same
  // holds for Add -> Relu, a ResNet's residual join. The Conv or Add keeps its name and takes the
  // activation's output value; its `fusions` name the activation node.
  void fuse_activations() {
    auto [uses, producer] = value_links();
    size_t fused = 0;
    for (Node& act : model_.nodes) {
      if (!act.domain.empty() || !act.problem.empty() || act.inputs.empty() ||
          (act.op_type != "Relu" && act.op_type != "Clip"))
        continue;
      auto p = producer.find(act.inputs[0]);
      if (p == producer.end()) continue;
      Node& conv = model_.nodes[p->second];
      if ((conv.op_type != "Conv" && conv.op_type != "Add") || !conv.domain.empty() ||
          !conv.problem.empty() || conv.activation || uses[act.inputs[0]] != 1 ||
          is_graph_output(act.inputs[0]))
        continue;
      const ValueInfo* v = model_.find_value(act.inputs[0]);
      if (!v || !v->known || v->info.dtype != DType::Float32) continue;
      Node::Activation a{act.op_type, 0.0f, std::numeric_limits<float>::infinity()};
      if (act.op_type == "Clip") {
        a.lower = -std::numeric_limits<float>::infinity();
        if (model_.opset < 11) {
          a.lower = act.attr_float("min", a.lower);
          a.upper = act.attr_float("max", a.upper);
        } else {
          // Bounds that are runtime inputs cannot be baked into the kernel.
          const Tensor* lo = act.has_input(1) ? model_.find_constant(act.inputs[1]) : nullptr;
          const Tensor* hi = act.has_input(2) ? model_.find_constant(act.inputs[2]) : nullptr;
          if ((act.has_input(1) && !lo) || (act.has_input(2) && !hi)) continue;
          if ((lo && (lo->dtype() != DType::Float32 || lo->numel() != 1)) ||
              (hi && (hi->dtype() != DType::Float32 || hi->numel() != 1)))
            continue;
          if (lo) a.lower = lo->data<float>()[0];
          if (hi) a.upper = hi->data<float>()[0];
        }
      }
      model_.values.erase(conv.outputs[0]);
      conv.outputs[0] = act.outputs[0];
      conv.activation = a;
      conv.fusions.push_back({Node::Fusion::Kind::Epilogue, act.op_type, {act.name}});
      act.op_type.clear();
      ++fused;
    }
    std::erase_if(model_.nodes, [](const Node& n) { return n.op_type.empty(); });
    if (fused)
      model_.load_notes.push_back("fused " + std::to_string(fused) +
                                  " Relu/Clip node(s) into the preceding Conv or Add");
  }

  // Scaled dot-product attention as PyTorch exports it (torch.nn.MultiheadAttention, ViT):
  //   [Mul|Div](Q, c) -> MatMul(., Kt) -> [Mul|Div](., c) -> [Add(., mask)] -> Softmax(last axis)
  //   -> MatMul(., V)
  // with the scale on Q or on the scores (or both), becomes one Attention node (ops/attention)
  // named after the Softmax, with the absorbed nodes in its `fusions`. Every intermediate value
  // must have this chain as its only reader and not be a graph output; Q, Kt and V must share their
  // leading (batch, head) dimensions.
  void fuse_attention() {
    auto [uses, producer] = value_links();
    std::unordered_set<std::string> names;
    for (const Node& n : model_.nodes) names.insert(n.name);
    // The node producing `value` when it is an op of the default domain that only this chain
    // reads; nullptr otherwise.
    auto private_producer = [&](const std::string& value, const char* op) -> Node* {
      auto p = producer.find(value);
      if (p == producer.end() || uses[value] != 1 || is_graph_output(value)) return nullptr;
      Node& n = model_.nodes[p->second];
      if (n.op_type != op || !n.domain.empty() || !n.problem.empty() || n.op_type.empty())
        return nullptr;
      return &n;
    };
    // A float scalar constant factor: x * c (Mul, either side) or x / c (Div), as 1/c.
    auto scale_of = [&](const Node& n, std::string* x) -> std::optional<float> {
      for (size_t k = 0; k < 2 && k < n.inputs.size(); ++k) {
        const Tensor* c = model_.find_constant(n.inputs[k]);
        if (!c || c->dtype() != DType::Float32 || c->numel() != 1) continue;
        if (n.op_type == "Div" && k != 1) continue;
        *x = n.inputs[1 - k];
        const float value = c->data<float>()[0];
        return n.op_type == "Div" ? 1.0f / value : value;
      }
      return std::nullopt;
    };
    auto float_value = [&](const std::string& v) -> const ValueInfo* {
      const ValueInfo* info = model_.find_value(v);
      return info && info->known && info->info.dtype == DType::Float32 ? info : nullptr;
    };
    size_t fused = 0;
    for (Node& softmax : model_.nodes) {
      if (softmax.op_type != "Softmax" || !softmax.domain.empty() || !softmax.problem.empty())
        continue;
      const ValueInfo* scores_info = float_value(softmax.inputs[0]);
      if (!scores_info || scores_info->info.shape.size() < 2) continue;
      const int64_t rank = int64_t(scores_info->info.shape.size());
      const int64_t axis = softmax.attr_int("axis", model_.opset < 13 ? 1 : -1);
      if (axis != -1 && axis != rank - 1) continue;
      // Downstream: the one reader of the probabilities is MatMul(P, V).
      Node* pv = nullptr;
      for (Node& n : model_.nodes)
        if (n.op_type == "MatMul" && n.domain.empty() && n.inputs.size() == 2 &&
            n.inputs[0] == softmax.outputs[0] && n.inputs[1] != softmax.outputs[0])
          pv = &n;
      if (!pv || !pv->problem.empty() || uses[softmax.outputs[0]] != 1 ||
          is_graph_output(softmax.outputs[0]))
        continue;
      // Upstream, walking from the Softmax's input: optional Add(mask), optional scale, MatMul.
      std::vector<Node*> chain{&softmax, pv};
      std::string value = softmax.inputs[0], mask;
      if (Node* add = private_producer(value, "Add")) {
        // The scores are the operand the Mul/Div/MatMul chain produced; the other is the mask.
        auto from_chain = [&](const std::string& v) {
          auto p = producer.find(v);
          if (p == producer.end()) return false;
          const std::string& op = model_.nodes[p->second].op_type;
          return op == "MatMul" || op == "Mul" || op == "Div";
        };
        const int score_side = from_chain(add->inputs[0]) ? 0 : from_chain(add->inputs[1]) ? 1 : -1;
        if (score_side < 0) continue;
        mask = add->inputs[1 - score_side];
        value = add->inputs[score_side];
        if (!float_value(mask) || uses[value] != 1 || is_graph_output(value)) continue;
        chain.push_back(add);
      }
      float scale = 1.0f;
      for (const char* op : {"Mul", "Div"})
        if (Node* n = private_producer(value, op)) {
          std::string x;
          if (auto c = scale_of(*n, &x)) {
            scale *= *c;
            value = x;
            chain.push_back(n);
            break;
          }
        }
      Node* qk = private_producer(value, "MatMul");
      if (!qk || qk->inputs.size() != 2) continue;
      chain.push_back(qk);
      std::string q = qk->inputs[0];
      const std::string kt = qk->inputs[1], v = pv->inputs[1];
      for (const char* op : {"Mul", "Div"})
        if (Node* n = private_producer(q, op)) {
          std::string x;
          if (auto c = scale_of(*n, &x)) {
            scale *= *c;
            q = x;
            chain.push_back(n);
            break;
          }
        }
      // Shapes: Q [*, Sq, D], Kt [*, D, Skv], V [*, Skv, Dv] with equal leading dimensions.
      const ValueInfo *qi = float_value(q), *ki = float_value(kt), *vi = float_value(v);
      if (!qi || !ki || !vi) continue;
      const Shape &qs = qi->info.shape, &ks = ki->info.shape, &vs = vi->info.shape;
      if (qs.size() != size_t(rank) || ks.size() != qs.size() || vs.size() != qs.size() ||
          !std::equal(qs.begin(), qs.end() - 2, ks.begin()) ||
          !std::equal(qs.begin(), qs.end() - 2, vs.begin()) || ks[rank - 2] != qs[rank - 1] ||
          vs[rank - 2] != ks[rank - 1])
        continue;

      Node attention;
      const std::string base =
          softmax.name.size() >= 7 &&
                  softmax.name.compare(softmax.name.size() - 7, 7, "Softmax") == 0
              ? softmax.name.substr(0, softmax.name.size() - 7)
              : softmax.name + "/";
      attention.name = base + ops::attention::kOpType;
      for (int k = 1; names.count(attention.name); ++k)
        attention.name = base + ops::attention::kOpType + "_" + std::to_string(k);
      names.insert(attention.name);
      attention.op_type = ops::attention::kOpType;
      attention.inputs = {q, kt, v};
      if (!mask.empty()) attention.inputs.push_back(mask);
      attention.outputs = {pv->outputs[0]};
      attention.attributes["scale"] = Attribute{scale};
      attention.attributes[ops::attention::kFusedMarker] = Attribute{int64_t(1)};
      // Merged in graph order: the scale on Q, MatMul, scale, Add, Softmax, MatMul.
      std::vector<Node*> ordered(chain.begin(), chain.end());
      std::sort(ordered.begin(), ordered.end());
      Node::Fusion pattern{Node::Fusion::Kind::Pattern, ops::attention::kOpType, {}};
      for (Node* n : ordered) pattern.nodes.push_back(n->name);
      attention.fusions.push_back(std::move(pattern));
      for (Node* n : chain) {
        for (const auto& o : n->outputs)
          if (o != pv->outputs[0]) model_.values.erase(o);
        if (n != pv) n->op_type.clear();
      }
      *pv = std::move(attention);  // takes the last MatMul's place: its inputs are all computed
      ++fused;
    }
    std::erase_if(model_.nodes, [](const Node& n) { return n.op_type.empty(); });
    if (fused)
      model_.load_notes.push_back("fused " + std::to_string(fused) +
                                  " attention subgraph(s) into Attention nodes");
  }

  // Drops nodes whose outputs nobody reads, then constants and values nothing refers to.
  void remove_dead_code() {
    std::unordered_set<std::string> live(model_.outputs.begin(), model_.outputs.end());
    std::vector<Node> kept;
    for (auto it = model_.nodes.rbegin(); it != model_.nodes.rend(); ++it) {
      bool needed = false;
      for (const auto& o : it->outputs) needed |= !o.empty() && live.count(o);
      if (!needed) continue;
      for (const auto& in : it->inputs) live.insert(in);
      kept.push_back(std::move(*it));
    }
    std::reverse(kept.begin(), kept.end());
    model_.nodes = std::move(kept);
    for (const auto& in : model_.inputs) live.insert(in);
    for (const Node& n : model_.nodes)
      for (const auto& o : n.outputs) live.insert(o);
    std::erase_if(model_.constants, [&](const auto& kv) { return !live.count(kv.first); });
    std::erase_if(model_.values, [&](const auto& kv) { return !live.count(kv.first); });
  }

  const LoadOptions& options_;
  std::string origin_;
  std::string base_dir_;
  Model model_;
  std::unordered_map<std::string, ValueInfo> onnx_shapes_;
};

}  // namespace

Model load_model_from_bytes(const std::string& bytes, const std::string& origin,
                            const LoadOptions& options) {
  std::string base_dir = std::filesystem::path(origin).parent_path().string();
  try {
    return Loader(options, origin, base_dir).load(bytes);
  } catch (const Error& e) {
    // Errors from deep inside (a mistyped attribute read by a graph pass) name the node but not
    // the file; the contract is that every load error names the file.
    if (std::string(e.what()).find(origin) == std::string::npos)
      throw Error("'" + origin + "': " + e.what());
    throw;
  } catch (const std::exception& e) {
    // protobuf/libonnx failures on hostile input must still read as a model error.
    throw Error("'" + origin + "' could not be loaded: " + e.what());
  }
}

Model load_model(const std::string& path, const LoadOptions& options) {
  std::error_code ec;
  if (!std::filesystem::exists(path, ec)) throw Error("model file '" + path + "' does not exist");
  if (std::filesystem::is_directory(path, ec))
    throw Error("'" + path + "' is a directory, not an ONNX model file");
  std::ifstream in(path, std::ios::binary | std::ios::ate);
  if (!in) throw Error("cannot open model file '" + path + "'");
  // One read of the known size: stream-buffer copies cost seconds on 100 MB models.
  std::string bytes(static_cast<size_t>(in.tellg()), '\0');
  in.seekg(0);
  in.read(bytes.data(), static_cast<std::streamsize>(bytes.size()));
  if (!in) throw Error("cannot read model file '" + path + "'");
  Model model = load_model_from_bytes(bytes, path, options);
  model.path = path;
  return model;
}

std::vector<std::pair<std::string, std::vector<std::string>>> unsupported_ops(const Model& model) {
  const Registry& registry = Registry::instance();
  std::map<std::string, std::vector<std::string>> by_op;
  for (const Node& n : model.nodes) {
    std::string key = n.domain.empty() ? n.op_type : n.domain + "::" + n.op_type;
    if (!n.domain.empty() || !registry.find_op(n.op_type)) by_op[key].push_back(n.name);
  }
  return {by_op.begin(), by_op.end()};
}

}  // namespace algoscope
