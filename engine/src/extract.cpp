// Single-layer reproducers (extract.h): the original ONNX nodes a layer stands for, cut out of the
// file with their initializers, and the input and output the layer had in a run of the whole
// model, written in ONNX's test_data_set layout. Values the subgraph reads that the loader folded
// (a shape computed from constants) become initializers with the folded value; values it reads
// through an Identity the loader removed are recorded under the subgraph's own name.
#include "algoscope/extract.h"

#include <filesystem>
#include <fstream>
#include <map>
#include <set>
#include <sstream>
#include <unordered_map>

#include "algoscope/error.h"
#include "algoscope/file_io.h"
#include "algoscope/loader.h"
#include "algoscope/session.h"
#include "algoscope/tensor_io.h"
#include "onnx_import.h"
#include "onnx_tensor.h"

namespace algoscope {
namespace {

namespace fs = std::filesystem;

bool is_copy(const onnx::NodeProto& n) {
  return (n.op_type() == "Identity" || n.op_type() == "Dropout") &&
         (n.domain().empty() || n.domain() == "ai.onnx");
}

// The layer's inputs and outputs in one run of the model under `plan`, by value name.
std::map<std::string, Tensor> record_layer(std::shared_ptr<const Model> model, const Node& node,
                                           const ExtractOptions& options) {
  const Plan plan = options.plan.layers.empty() && options.plan.defaults.empty()
                        ? reference_plan(*model)
                        : options.plan;
  Session session(model, plan, {.threads = options.threads, .native_layouts = false});
  size_t index = session.layers().size();
  for (size_t i = 0; i < session.layers().size(); ++i)
    if (session.layers()[i].node->name == node.name) index = i;
  if (index == session.layers().size())
    throw Error("layer '" + node.name + "' does not run in the compiled model");
  std::map<std::string, Tensor> recorded;
  const std::vector<Tensor> inputs =
      options.inputs.empty() ? random_inputs(*model) : options.inputs;
  session.run(inputs, [&](size_t layer, const KernelIO& io) {
    if (layer != index) return true;
    // Constants are taken from the file or the model, never from the run: no copy of the weights.
    for (size_t i = 0; i < io.inputs.size() && i < node.inputs.size(); ++i)
      if (io.inputs[i] && !model->find_constant(node.inputs[i]))
        recorded.emplace(node.inputs[i], io.inputs[i]->clone());
    for (size_t i = 0; i < io.outputs.size() && i < node.outputs.size(); ++i)
      if (!node.outputs[i].empty()) recorded.emplace(node.outputs[i], io.outputs[i]->clone());
    return false;  // nothing after this layer is needed
  });
  return recorded;
}

onnx::ValueInfoProto value_info(const std::string& name, const Tensor& tensor) {
  onnx::ValueInfoProto info;
  info.set_name(name);
  auto* type = info.mutable_type()->mutable_tensor_type();
  type->set_elem_type(dtype_to_onnx(tensor.dtype()));
  for (int64_t d : tensor.shape()) type->mutable_shape()->add_dim()->set_dim_value(d);
  return info;
}

// Removes what an earlier extraction left in the data folder (input_K.pb, output_K.pb), so a
// layer with fewer inputs than the last one extracted there is not read with a stale extra one.
void clear_data_folder(const fs::path& folder) {
  std::error_code ec;
  if (!fs::is_directory(folder, ec)) return;
  for (const auto& entry : fs::directory_iterator(folder, ec)) {
    const std::string name = entry.path().filename().string();
    if ((name.rfind("input_", 0) == 0 || name.rfind("output_", 0) == 0) &&
        entry.path().extension() == ".pb" && entry.is_regular_file())
      fs::remove(entry.path(), ec);
  }
}

}  // namespace

ExtractedLayer extract_layer(std::shared_ptr<const Model> model, const std::string& onnx_bytes,
                             const std::string& layer, const std::string& directory,
                             const ExtractOptions& options) {
  const Node* node = model->find_node(layer);
  if (!node) throw Error("model '" + model->name + "' has no layer named '" + layer + "'");
  if (sha256_fingerprint(onnx_bytes) != model->fingerprint)
    throw Error("the ONNX file given for extracting '" + layer + "' is not the file model '" +
                model->name + "' was loaded from (its fingerprint differs): was it changed?");
  onnx::ModelProto source;
  if (!source.ParseFromString(onnx_bytes))
    throw Error("the ONNX file of model '" + model->name + "' could not be parsed again");
  const onnx::GraphProto& graph = source.graph();

  // The original nodes: the layer's own (when the file has it) and every node merged into it.
  std::set<std::string> wanted = {node->name};
  for (const std::string& merged : node->merged_nodes()) wanted.insert(merged);
  const std::vector<std::string> names = onnx_node_names(graph);
  std::unordered_map<std::string, int> producer;  // value -> node index in the file
  for (int i = 0; i < graph.node_size(); ++i)
    for (const std::string& out : graph.node(i).output())
      if (!out.empty()) producer[out] = i;
  std::set<int> chosen;
  for (int i = 0; i < graph.node_size(); ++i)
    if (wanted.count(names[i])) chosen.insert(i);
  if (chosen.empty())
    throw Error("layer '" + layer + "' has no node in the ONNX file of model '" + model->name +
                "'");
  auto produced_inside = [&](const std::string& value) {
    auto it = producer.find(value);
    return it != producer.end() && chosen.count(it->second);
  };
  // Outputs the loader renamed past a removed Identity: take the copies along.
  for (bool grew = true; grew;) {
    grew = false;
    for (const std::string& out : node->outputs) {
      if (out.empty() || produced_inside(out)) continue;
      auto it = producer.find(out);
      if (it != producer.end() && is_copy(graph.node(it->second)) &&
          produced_inside(graph.node(it->second).input(0)))
        grew = chosen.insert(it->second).second || grew;
    }
  }
  for (const std::string& out : node->outputs)
    if (!out.empty() && !produced_inside(out))
      throw Error("layer '" + layer + "': its output '" + out +
                  "' is not computed by the ONNX nodes it stands for");
  // Constant nodes feeding the subgraph come along.
  for (bool grew = true; grew;) {
    grew = false;
    for (int i : std::set<int>(chosen))
      for (const std::string& in : graph.node(i).input()) {
        auto it = producer.find(in);
        if (!in.empty() && it != producer.end() && !chosen.count(it->second) &&
            graph.node(it->second).op_type() == "Constant")
          grew = chosen.insert(it->second).second || grew;
      }
  }

  const std::map<std::string, Tensor> recorded = record_layer(model, *node, options);
  std::unordered_map<std::string, const onnx::TensorProto*> initializers;
  for (const auto& init : graph.initializer()) initializers[init.name()] = &init;
  const std::string base_dir = fs::path(model->path).parent_path().string();

  onnx::ModelProto out;
  out.set_ir_version(source.ir_version());
  *out.mutable_opset_import() = source.opset_import();
  *out.mutable_functions() = source.functions();
  out.set_producer_name("algoscope extract");
  out.set_doc_string("layer '" + layer + "' of model '" + model->name + "' (" + model->fingerprint +
                     ")");
  onnx::GraphProto& g = *out.mutable_graph();
  g.set_name(model->name + " layer " + layer);
  ExtractedLayer result;
  std::vector<Tensor> input_tensors, output_tensors;
  std::set<std::string> declared;
  for (int i : chosen) {
    *g.add_node() = graph.node(i);
    result.onnx_nodes.push_back(names[i]);
    for (const std::string& in : graph.node(i).input()) {
      if (in.empty() || produced_inside(in) || !declared.insert(in).second) continue;
      if (auto it = initializers.find(in); it != initializers.end()) {
        onnx::TensorProto& copy = *g.add_initializer() = *it->second;
        if (copy.data_location() ==
            onnx::TensorProto::EXTERNAL)  // inlined: the folder stands alone
          copy = tensor_to_proto(tensor_from_proto(copy, model->path, base_dir), in);
        result.initializers.push_back(in);
        continue;
      }
      // A value the loader folded into a constant, or a runtime value as the layer received it:
      // under this name or, where the loader removed an Identity on the way, the name it was
      // read by.
      std::string source_name = in;
      while (!recorded.count(source_name) && !model->find_constant(source_name) &&
             producer.count(source_name) && is_copy(graph.node(producer.at(source_name))))
        source_name = graph.node(producer.at(source_name)).input(0);
      if (const Tensor* folded = model->find_constant(source_name)) {
        *g.add_initializer() = tensor_to_proto(*folded, in);
        result.initializers.push_back(in);
      } else if (auto it = recorded.find(source_name); it != recorded.end()) {
        *g.add_input() = value_info(in, it->second);
        input_tensors.push_back(it->second.clone());
        result.inputs.push_back(in);
      } else {
        throw Error("layer '" + layer + "': its input '" + in +
                    "' was not recorded in the run (it is neither an input of the layer nor a "
                    "constant)");
      }
    }
  }
  for (const std::string& name : node->outputs) {
    if (name.empty()) continue;
    const Tensor& tensor = recorded.at(name);
    *g.add_output() = value_info(name, tensor);
    output_tensors.push_back(tensor.clone());
    result.outputs.push_back(name);
  }

  std::string bytes;
  if (!out.SerializeToString(&bytes))
    throw Error("layer '" + layer + "' could not be written as ONNX (over protobuf's 2 GiB)");
  const fs::path dir(directory);
  std::error_code ec;
  fs::create_directories(dir, ec);
  if (ec) throw Error("cannot create directory '" + directory + "': " + ec.message());
  result.directory = directory;
  result.model_path = (dir / "model.onnx").string();
  result.data_path = (dir / "test_data_set_0").string();
  write_file_atomically(result.model_path, bytes, "extracted model");
  clear_data_folder(result.data_path);
  write_tensor_dir(result.data_path, "input", input_tensors);
  write_tensor_dir(result.data_path, "output", output_tensors);
  return result;
}

ExtractedLayer extract_layer(std::shared_ptr<const Model> model, const std::string& layer,
                             const std::string& directory, const ExtractOptions& options) {
  if (model->path.empty())
    throw Error("model '" + model->name + "' was not loaded from a file: give its ONNX bytes");
  std::ifstream in(model->path, std::ios::binary);
  if (!in) throw Error("cannot read '" + model->path + "' again to extract layer '" + layer + "'");
  std::stringstream bytes;
  bytes << in.rdbuf();
  return extract_layer(std::move(model), bytes.str(), layer, directory, options);
}

}  // namespace algoscope
