// ONNX import (onnx_import.h): the file's graph as the engine's Model, with nothing changed but
// what the engine needs to address it: every node gets a unique name (plans key on names), empty
// trailing optional inputs are dropped, and nodes are put in topological order when the file is
// merely out of order. Tensors of types the engine does not compute keep the model viewable.
#include "onnx_import.h"

#include <algorithm>
#include <filesystem>
#include <optional>
#include <unordered_set>

#include "algoscope/error.h"
#include "onnx/defs/schema.h"
#include "onnx/shape_inference/implementation.h"
#include "onnx_tensor.h"

namespace algoscope {
namespace {

constexpr int64_t kMinOpset = 7;
constexpr int64_t kMaxOpset = 17;

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
                             std::vector<std::string>* notes,
                             std::vector<size_t>* symbolic_axes = nullptr) {
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
    // A graph input is what the caller must supply: a negative size there is a broken file, not
    // an unknown dimension to guess (elsewhere, value_info is only a hint and is re-inferred).
    if (notes && d.has_dim_value() && d.dim_value() < 0)
      throw Error("input '" + v.name() + "' declares dimension " + std::to_string(d.dim_value()) +
                  "; a dimension is a size >= 0, or a name (dim_param) for one given at run time");
    if (d.has_dim_value() && d.dim_value() >= 0) {
      out.info.shape.push_back(d.dim_value());
    } else if (symbolic) {
      if (symbolic_axes) symbolic_axes->push_back(out.info.shape.size());
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

class Importer {
 public:
  Importer(const LoadOptions& options, const std::string& origin, const std::string& base_dir,
           std::unordered_map<std::string, ValueInfo>& onnx_shapes)
      : options_(options), origin_(origin), base_dir_(base_dir), onnx_shapes_(onnx_shapes) {}

  Model import(const onnx::ModelProto& proto, const std::string& bytes) {
    model_.fingerprint = sha256_fingerprint(bytes);
    model_.ir_version = proto.ir_version();
    model_.producer = proto.producer_name() +
                      (proto.producer_version().empty() ? "" : " " + proto.producer_version());
    for (const auto& op : proto.opset_import())
      if (op.domain().empty() || op.domain() == "ai.onnx") model_.opset = op.version();
    if (model_.opset == 0 && proto.opset_import_size() == 0)
      throw Error("'" + origin_ + "' is not a valid ONNX model: it imports no opset");
    // Past the newest opset the engine implements (and the ONNX library knows), ops may mean
    // something else (opset 18 moved Reduce*, Pad and Split attributes into inputs): refused.
    const int64_t newest = std::min<int64_t>(
        kMaxOpset, onnx::OpSchemaRegistry::DomainToVersionRange::Instance().Map().at("").second);
    if (model_.opset > newest)
      throw Error(
          "'" + origin_ + "' declares ONNX opset " + std::to_string(model_.opset) +
          ", newer than opset " + std::to_string(newest) +
          ", the highest algoscope supports; export it again at opset " + std::to_string(newest) +
          " or lower (torch.onnx.export(..., opset_version=" + std::to_string(newest) + "))");
    if (model_.opset && model_.opset < kMinOpset)
      model_.load_notes.push_back("opset " + std::to_string(model_.opset) +
                                  " is older than the supported range " +
                                  std::to_string(kMinOpset) + "-" + std::to_string(newest) +
                                  "; ops whose meaning changed there may compute differently");

    convert_graph(proto.graph());
    check_topology();
    return std::move(model_);
  }

 private:
  // An input shape given at load (LoadOptions::input_shapes) for an input with named or unknown
  // dimensions: only those may change, the fixed ones are the model's.
  void set_input_shape(const std::string& name, const Shape& shape,
                       const std::vector<size_t>& symbolic_axes, ValueInfo& info) {
    const Shape& declared = info.info.shape;
    auto axis_is_symbolic = [&](size_t axis) {
      return std::find(symbolic_axes.begin(), symbolic_axes.end(), axis) != symbolic_axes.end();
    };
    if (!info.known || shape.size() != declared.size())
      throw Error("input '" + name + "' has rank " + std::to_string(declared.size()) +
                  ", it cannot take shape " + shape_to_string(shape));
    for (size_t axis = 0; axis < shape.size(); ++axis) {
      if (shape[axis] < 0)
        throw Error("input '" + name + "' cannot take shape " + shape_to_string(shape) +
                    ": a size must be >= 0");
      if (shape[axis] != declared[axis] && !axis_is_symbolic(axis))
        throw Error("input '" + name + "' cannot take shape " + shape_to_string(shape) +
                    ": its axis " + std::to_string(axis) + " is fixed at " +
                    std::to_string(declared[axis]) + " by the model");
    }
    if (shape != declared)
      model_.load_notes.push_back("input '" + name + "' specialised to shape " +
                                  shape_to_string(shape));
    info.info.shape = shape;
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
      std::vector<size_t> symbolic_axes;
      std::vector<std::string> notes;  // "dimension 'N' set to 1", unless a shape is given
      ValueInfo info = convert_value_info(in, options_.symbolic_dim_value, &notes, &symbolic_axes);
      if (auto it = options_.constant_inputs.find(in.name());
          it != options_.constant_inputs.end()) {
        const Tensor& value = it->second;
        if (info.known && info.info.dtype != value.dtype())
          throw Error("input '" + in.name() + "' is declared " + dtype_name(info.info.dtype) +
                      " but was given " + dtype_name(value.dtype()));
        if (info.known) set_input_shape(in.name(), value.shape(), symbolic_axes, info);
        model_.constants[in.name()] = value;
        model_.values[in.name()] =
            ValueInfo{in.name(), value.info(), true, dtype_name(value.dtype())};
        model_.load_notes.push_back("input '" + in.name() + "' fixed to a constant");
        continue;
      }
      if (auto it = options_.input_shapes.find(in.name()); it != options_.input_shapes.end())
        set_input_shape(in.name(), it->second, symbolic_axes, info);
      else
        model_.load_notes.insert(model_.load_notes.end(), notes.begin(), notes.end());
      if (!symbolic_axes.empty()) model_.symbolic_axes[in.name()] = symbolic_axes;
      model_.inputs.push_back(in.name());
      model_.values[in.name()] = std::move(info);
    }
    for (const auto& [name, shape] : options_.input_shapes)
      if (std::find(model_.inputs.begin(), model_.inputs.end(), name) == model_.inputs.end())
        throw Error("'" + origin_ + "' has no runtime input named '" + name + "' to give a shape");
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
    const std::vector<std::string> names = onnx_node_names(g);
    for (int i = 0; i < g.node_size(); ++i) {
      const auto& n = g.node(i);
      Node node;
      node.op_type = n.op_type();
      node.domain = n.domain() == "ai.onnx" ? "" : n.domain();
      node.name = names[i];
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
    // Depth-first with an explicit stack, not recursion: a file that lists a long chain backwards
    // would otherwise recurse once per node and overflow the thread's stack.
    std::vector<std::pair<size_t, size_t>> stack;  // (node, next of its inputs to look at)
    auto enter = [&](size_t i) {
      if (state[i] == 1)
        throw Error("'" + origin_ + "' is malformed: the graph has a cycle through node '" +
                    model_.nodes[i].name + "'");
      state[i] = 1;
      stack.emplace_back(i, 0);
    };
    for (size_t start = 0; start < model_.nodes.size(); ++start) {
      if (state[start] == 2) continue;
      enter(start);
      while (!stack.empty()) {
        const size_t i = stack.back().first;
        const Node& node = model_.nodes[i];
        if (stack.back().second == node.inputs.size()) {
          state[i] = 2;
          ordered.push_back(node);
          stack.pop_back();
          continue;
        }
        const std::string& in = node.inputs[stack.back().second++];
        if (in.empty() || defined.count(in)) continue;
        auto it = producer.find(in);
        if (it == producer.end())
          throw Error("'" + origin_ + "' is malformed or truncated: node '" + node.name + "' (" +
                      node.op_type + ") uses value '" + in +
                      "', which no node, input or initializer defines");
        if (state[it->second] != 2) enter(it->second);
      }
    }
    for (const auto& out : model_.outputs)
      if (!defined.count(out) && !producer.count(out))
        throw Error("'" + origin_ + "' is malformed or truncated: graph output '" + out +
                    "' is not defined by any node");
    model_.nodes = std::move(ordered);
  }

  const LoadOptions& options_;
  const std::string& origin_;
  const std::string& base_dir_;
  std::unordered_map<std::string, ValueInfo>& onnx_shapes_;
  Model model_;
};

}  // namespace

std::vector<std::string> onnx_node_names(const onnx::GraphProto& g) {
  std::vector<std::string> result;
  std::unordered_set<std::string> taken;
  for (int i = 0; i < g.node_size(); ++i) {
    const auto& n = g.node(i);
    const std::string base = n.name().empty() ? n.op_type() + "_" + std::to_string(i) : n.name();
    std::string name = base;
    // Plans key on names, so they must be unique.
    for (int k = 2; taken.count(name); ++k) name = base + "_" + std::to_string(k);
    taken.insert(name);
    result.push_back(std::move(name));
  }
  return result;
}

Model import_onnx(const onnx::ModelProto& proto, const std::string& bytes,
                  const std::string& origin, const std::string& base_dir,
                  const LoadOptions& options,
                  std::unordered_map<std::string, ValueInfo>& onnx_shapes) {
  return Importer(options, origin, base_dir, onnx_shapes).import(proto, bytes);
}

void infer_onnx_shapes(onnx::ModelProto& proto, Model& model,
                       std::unordered_map<std::string, ValueInfo>& onnx_shapes) {
  try {
    onnx::shape_inference::InferShapes(proto);
  } catch (const std::exception& e) {
    model.load_notes.push_back(std::string("ONNX shape inference failed: ") + e.what());
    return;
  }
  for (const auto& v : proto.graph().value_info())
    onnx_shapes[v.name()] = convert_value_info(v, std::nullopt, nullptr);
}

}  // namespace algoscope
