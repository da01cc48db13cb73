// info, algorithms and run: model inspection, the registry listing and running under a plan.
#include "cli/commands.h"

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <memory>
#include <nlohmann/json.hpp>
#include <sstream>

#include "algoscope/algoscope.h"
#include "cli/arguments.h"
#include "cli/model_arguments.h"
#include "cli/table.h"

namespace algoscope::cli {
namespace {

using json = nlohmann::ordered_json;

std::string shapes_of(const Model& model, const std::vector<std::string>& names) {
  std::string s;
  for (const auto& n : names) {
    if (n.empty()) continue;
    const ValueInfo* v = model.find_value(n);
    if (!s.empty()) s += ", ";
    s += v && v->known ? shape_to_string(v->info.shape) : "?";
  }
  return s;
}

json value_json(const ValueDescription& v) {
  json j = {{"name", v.name}};
  if (v.known) {
    j["dtype"] = dtype_name(v.info.dtype);
    j["shape"] = v.info.shape;
  } else {
    j["dtype"] = v.onnx_type;
    j["shape"] = nullptr;
  }
  j["constant"] = v.constant;
  return j;
}

json value_json(const Model& model, const std::string& name) {
  return value_json(describe_value(model, name));
}

const char* fusion_kind_name(Node::Fusion::Kind kind) {
  switch (kind) {
    case Node::Fusion::Kind::BatchNormFold:
      return "batchnorm_fold";
    case Node::Fusion::Kind::Epilogue:
      return "epilogue";
    case Node::Fusion::Kind::Pattern:
      return "pattern";
  }
  return "";
}

}  // namespace

int command_info(const std::vector<std::string>& args) {
  Arguments a = parse_arguments(args, {{"--json", false}});
  double load_ms = 0;
  auto model_ptr = load(one_model(a, "info"), &load_ms);
  const Model& model = *model_ptr;
  auto unsupported = unsupported_ops(model);
  double total_flops = 0;
  int64_t total_params = 0;
  for (const auto& [name, t] : model.constants) total_params += t.numel();

  if (a.has("--json")) {
    json j;
    j["name"] = model.name;
    j["path"] = model.path;
    j["fingerprint"] = model.fingerprint;
    j["producer"] = model.producer;
    j["ir_version"] = model.ir_version;
    j["opset"] = model.opset;
    j["load_ms"] = load_ms;
    j["inputs"] = json::array();
    for (const auto& n : model.inputs) j["inputs"].push_back(value_json(model, n));
    j["outputs"] = json::array();
    for (const auto& n : model.outputs) j["outputs"].push_back(value_json(model, n));
    j["layers"] = json::array();
    for (const LayerDescription& d : describe_layers(model)) {
      const Node& node = model.nodes[d.index];
      total_flops += d.flops;
      json l = {{"name", d.node}, {"op", d.op_type}, {"domain", d.domain}};
      l["inputs"] = json::array();
      for (const auto& in : d.inputs) l["inputs"].push_back(value_json(in));
      l["outputs"] = json::array();
      for (const auto& out : d.outputs) l["outputs"].push_back(value_json(out));
      l["parameters"] = d.parameters;
      l["flops"] = d.flops;
      l["algorithms"] = d.applicable_algorithms();
      l["default"] = d.default_algorithm;
      l["not_applicable"] = json::object();
      l["backends"] = json::object();
      for (const auto& alg : d.algorithms) {
        if (!alg.applicable()) l["not_applicable"][alg.name] = alg.why_not;
        l["backends"][alg.name] = backend_name(alg.backend);
      }
      l["merged"] = d.merged_nodes;
      l["display_op"] = d.display_op;
      l["fusions"] = json::array();
      for (const auto& f : d.fusions)
        l["fusions"].push_back({{"kind", fusion_kind_name(f.kind)},
                                {"op", f.op},
                                {"nodes", f.nodes},
                                {"text", f.text}});
      if (node.activation)
        l["activation"] = {
            {"op", node.activation->op},
            {"lower",
             std::isinf(node.activation->lower) ? json(nullptr) : json(node.activation->lower)},
            {"upper",
             std::isinf(node.activation->upper) ? json(nullptr) : json(node.activation->upper)}};
      l["problem"] = d.problem;
      j["layers"].push_back(l);
    }
    j["total_flops"] = total_flops;
    j["parameters"] = total_params;
    j["unsupported"] = json::object();
    for (const auto& [op, nodes] : unsupported) j["unsupported"][op] = nodes;
    j["notes"] = model.load_notes;
    std::cout << j.dump(2) << "\n";
    return 0;
  }

  Table table(
      {"#", "layer", "op", "inputs", "outputs", "params", "FLOPs", "algorithms (* default)"},
      {true, false, false, false, false, true, true, false});
  for (const LayerDescription& d : describe_layers(model)) {
    total_flops += d.flops;
    std::string algorithms;
    for (const auto& alg : d.algorithms)
      if (alg.applicable())
        algorithms += (algorithms.empty() ? "" : " ") + alg.name + (alg.is_default ? "*" : "");
    if (!d.registered)
      algorithms = "(unsupported op)";
    else if (!d.runnable())
      algorithms = "(cannot run: " + d.problem + ")";
    table.add({std::to_string(d.index), d.node, d.display_op, d.input_shapes_text(),
               d.output_shapes_text(), human_count(static_cast<double>(d.parameters)),
               human_count(d.flops), algorithms});
  }
  std::cout << "model     " << model.name << "  (" << model.path << ")\n"
            << "producer  " << model.producer << ", IR " << model.ir_version << ", opset "
            << model.opset << "\n"
            << "sha256    " << model.fingerprint.substr(7) << "\n";
  for (const auto& n : model.inputs)
    std::cout << "input     " << n << "  " << shapes_of(model, {n}) << "\n";
  for (const auto& n : model.outputs)
    std::cout << "output    " << n << "  " << shapes_of(model, {n}) << "\n";
  std::cout << "layers    " << model.nodes.size() << ", parameters "
            << human_count(double(total_params)) << ", FLOPs " << human_count(total_flops)
            << ", loaded in " << std::lround(load_ms) << " ms\n";
  for (const auto& note : model.load_notes) std::cout << "note      " << note << "\n";
  std::cout << "\n";
  table.print(std::cout);
  if (!unsupported.empty()) {
    std::cout << "\nunsupported ops (the model can be viewed but not run):\n";
    for (const auto& [op, nodes] : unsupported)
      std::cout << "  " << op << ": " << nodes.size() << " node(s), e.g. " << nodes.front() << "\n";
  }
  return 0;
}

int command_algorithms(const std::vector<std::string>& args) {
  Arguments a = parse_arguments(args, {{"--op", true}, {"--json", false}});
  if (!a.positional.empty()) throw UsageError("algorithms takes no positional arguments");
  const Registry& registry = Registry::instance();
  std::vector<std::string> ops = registry.op_types();
  if (auto op = a.value("--op")) {
    if (!registry.find_op(*op)) {
      std::string known;
      for (const auto& o : ops) known += (known.empty() ? "" : ", ") + o;
      throw UsageError("unknown op type '" + *op + "' (known: " + known + ")");
    }
    ops = {*op};
  }
  if (a.has("--json")) {
    json j = json::array();
    for (const auto& op_type : ops) {
      const OpDefinition* op = registry.find_op(op_type);
      json o = {{"op", op_type}, {"summary", op->summary}, {"algorithms", json::array()}};
      for (const Algorithm& alg : op->algorithms) {
        json entry = {{"name", alg.name},
                      {"backend", backend_name(alg.backend)},
                      {"device", backend_device(alg.backend)},
                      {"summary", alg.summary},
                      {"teaching", alg.teaching},
                      {"tolerance", {{"atol", alg.tolerance.atol}, {"rtol", alg.tolerance.rtol}}},
                      {"default_priority", alg.default_priority}};
        if (!alg.origin.empty()) entry["plugin"] = alg.origin;  // the file it came from
        o["algorithms"].push_back(std::move(entry));
      }
      j.push_back(o);
    }
    std::cout << j.dump(2) << "\n";
    return 0;
  }
  Table table({"op", "algorithm", "backend", "atol", "rtol", "summary"},
              {false, false, false, true, true, false});
  for (const auto& op_type : ops) {
    const OpDefinition* op = registry.find_op(op_type);
    for (const Algorithm& alg : op->algorithms) {
      char atol[32], rtol[32];
      std::snprintf(atol, sizeof atol, "%.0e", alg.tolerance.atol);
      std::snprintf(rtol, sizeof rtol, "%.0e", alg.tolerance.rtol);
      table.add({op_type, alg.name, backend_name(alg.backend), atol, rtol, alg.summary});
    }
  }
  table.print(std::cout);
  // Where the GPU algorithms would run, or why they cannot here.
  bool any_cuda = false;
  for (const auto& op_type : ops)
    for (const Algorithm& alg : registry.find_op(op_type)->algorithms)
      any_cuda = any_cuda || alg.backend == Backend::Cuda;
  if (any_cuda) std::cout << "\ncuda algorithms: " << backend_device(Backend::Cuda) << "\n";
  if (a.value("--op")) {
    for (const Algorithm& alg : registry.find_op(*a.value("--op"))->algorithms)
      std::cout << "\n"
                << alg.name << "\n"
                << std::string(alg.name.size(), '=') << "\n"
                << alg.teaching << "\n";
  }
  return 0;
}

int command_extract(const std::vector<std::string>& args) {
  Arguments a = parse_arguments(args, {{"--layer", true},
                                       {"-o", true},
                                       {"--plan", true},
                                       {"--select", true, true},
                                       {"--inputs", true},
                                       {"--threads", true}});
  const auto layer = a.value("--layer");
  const auto directory = a.value("-o");
  if (!layer) throw UsageError("extract needs --layer NAME (the layer names are in `info MODEL`)");
  if (!directory) throw UsageError("extract needs -o DIR, the folder to write the layer into");
  ExtractOptions options;
  options.threads = a.int_value("--threads", 0, 1);
  auto model = load(one_model(a, "extract"));
  options.inputs = model_inputs(a, model);
  // Without a plan the input is recorded in the all-reference run: the ground truth.
  if (a.has("--plan") || a.has("--select")) options.plan = build_plan(a, *model);
  const ExtractedLayer x = extract_layer(model, *layer, *directory, options);
  std::cout << "layer '" << *layer << "' of " << model->name << ": ONNX node(s) ";
  for (size_t i = 0; i < x.onnx_nodes.size(); ++i) std::cout << (i ? ", " : "") << x.onnx_nodes[i];
  std::cout << "\nwritten to " << x.model_path << " with " << x.initializers.size()
            << " initializer(s); its input(s) and output(s) in "
            << (a.has("--plan") || a.has("--select") ? "this plan's" : "the reference")
            << " run in " << x.data_path << "\ncheck it alone: algoscope-cli check " << x.model_path
            << " --inputs " << x.data_path << " --expected " << x.data_path << "\n";
  return 0;
}

int command_run(const std::vector<std::string>& args) {
  Arguments a = parse_arguments(args, {{"--plan", true},
                                       {"--select", true, true},
                                       {"--inputs", true},
                                       {"--outputs", true},
                                       {"--threads", true}});
  const int threads = a.int_value("--threads", 0, 1);
  double load_ms = 0;
  auto model = load(one_model(a, "run"), &load_ms);
  std::vector<Tensor> inputs = model_inputs(a, model);
  Plan plan = build_plan(a, *model);

  auto compile_start = Clock::now();
  Session session(model, plan, SessionOptions{threads});
  double compile_ms = ms_since(compile_start);
  auto run_start = Clock::now();
  std::vector<Tensor> outputs = session.run(inputs);
  double run_ms = ms_since(run_start);

  std::cout << "model " << model->name << ": loaded in " << std::lround(load_ms)
            << " ms, compiled in " << std::lround(compile_ms) << " ms, ran in " << run_ms
            << " ms on " << session.threads() << " thread(s); activations "
            << human_bytes(double(session.arena_bytes())) << " (of "
            << human_bytes(double(session.activation_bytes())) << " without reuse)\n";
  Table table({"output", "dtype", "shape", "min", "max", "mean", "first values"});
  for (size_t i = 0; i < outputs.size(); ++i) {
    const Tensor& t = outputs[i];
    std::vector<std::string> row = {model->outputs[i], dtype_name(t.dtype()),
                                    shape_to_string(t.shape())};
    if (t.dtype() == DType::Float32 && t.numel() > 0) {
      const float* p = t.data<float>();
      double lo = p[0], hi = p[0], sum = 0;
      for (int64_t k = 0; k < t.numel(); ++k)
        lo = std::min<double>(lo, p[k]), hi = std::max<double>(hi, p[k]), sum += p[k];
      std::ostringstream first;
      for (int64_t k = 0; k < std::min<int64_t>(4, t.numel()); ++k) first << (k ? " " : "") << p[k];
      row.insert(row.end(), {std::to_string(lo), std::to_string(hi),
                             std::to_string(sum / double(t.numel())), first.str()});
    }
    table.add(row);
  }
  table.print(std::cout);
  if (auto dir = a.value("--outputs")) {
    write_tensor_dir(*dir, "output", outputs);
    std::cout << "wrote " << outputs.size() << " output(s) to " << *dir << "\n";
  }
  return 0;
}

}  // namespace algoscope::cli
