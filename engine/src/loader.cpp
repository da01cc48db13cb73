// ONNX file -> Model: parse the bytes with protobuf, import the graph (onnx_import.cpp), then run
// the graph passes in their order (passes/pipeline.cpp: Identity removal, shape inference with
// constant folding, BatchNormalization folding, activation and attention fusion, dead code).
#include "algoscope/loader.h"

#include <filesystem>
#include <fstream>
#include <map>

#include "algoscope/error.h"
#include "algoscope/registry.h"
#include "algoscope/registry_guard.h"
#include "algoscope/resource_limits.h"
#include "onnx_import.h"
#include "passes/pass.h"

namespace algoscope {
namespace {

Model load(const std::string& bytes, const std::string& origin, const std::string& base_dir,
           const LoadOptions& options) {
  if (bytes.empty()) throw Error("model file '" + origin + "' is empty");
  onnx::ModelProto proto;
  if (!proto.ParseFromString(bytes))
    throw Error("'" + origin +
                "' is not a valid ONNX model: it could not be parsed (the file is "
                "truncated, corrupt, or not ONNX)");
  if (proto.ir_version() <= 0 || !proto.has_graph())
    throw Error("'" + origin + "' is not a valid ONNX model: it has no IR version or no graph");
  std::unordered_map<std::string, ValueInfo> onnx_shapes;
  Model model = import_onnx(proto, bytes, origin, base_dir, options, onnx_shapes);
  // The passes infer shapes and fold with the registry's ops; plugins may load meanwhile.
  RegistryReadGuard registry_guard(Registry::instance());
  passes::PassContext context{model, options, &proto, std::move(onnx_shapes), {}};
  passes::run_graph_passes(context);
  model.fixed_inputs = options.constant_inputs;
  // Only a model that can be specialised keeps its bytes (a second copy of the file).
  if (!model.value_inputs.empty() || !model.symbolic_axes.empty())
    model.source = std::make_shared<const ModelSource>(
        ModelSource{std::make_shared<const std::string>(bytes), origin, options});
  return model;
}

}  // namespace

Model load_model_from_bytes(const std::string& bytes, const std::string& origin,
                            const LoadOptions& options) {
  std::string base_dir = std::filesystem::path(origin).parent_path().string();
  try {
    return load(bytes, origin, base_dir, options);
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
  check_allocation(static_cast<size_t>(in.tellg()), "model file '" + path + "'");
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
