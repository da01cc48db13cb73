// Writes the seed corpora that only the engine can make, from the bundled models, into
// OUT/<target>/ (scripts/fuzz.sh adds the files that exist already: the models themselves and
// ONNX's node test data):
//   plan/          plans for each model as save() writes them: empty, every op type on each of its
//                  algorithms, every layer on its default, and one with measurements
//   tuning_cache/  a cache of the models' real layer signatures, as save() writes it, and one of
//                  its entries alone
//   tensor/        each model's random inputs, and a small tensor of every element type
//   plan.dict      a libFuzzer dictionary of the plan vocabulary: keys, node names, op types and
//                  algorithm names, which random mutation would almost never spell
//   model.dict     one of the model vocabulary: the registry's op types and attribute names
// Usage: fuzz_seeds OUT MODEL.onnx...
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <set>
#include <string>
#include <vector>

#include "algoscope/loader.h"
#include "algoscope/plan.h"
#include "algoscope/registry.h"
#include "algoscope/session.h"
#include "algoscope/tensor_io.h"
#include "algoscope/tuning_cache.h"

namespace fs = std::filesystem;
using namespace algoscope;

namespace {

void write_text(const fs::path& path, const std::string& text) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out << text;
  if (!out) throw Error("cannot write '" + path.string() + "'");
}

// A dictionary entry: the word as a C-escaped string in quotes.
std::string dict_entry(const std::string& word) {
  std::string quoted = "\"";
  for (char c : word) {
    if (c == '"' || c == '\\') quoted += '\\';
    quoted += c;
  }
  return quoted + "\"";
}

void seed_plans(const Model& model, const std::string& stem, const fs::path& dir,
                std::set<std::string>& words) {
  const Registry& registry = Registry::instance();
  Plan plan = Plan::for_model(model);
  write_text(dir / (stem + "-empty.json"), plan.to_json());

  std::set<std::string> op_types;
  for (const Node& node : model.nodes) {
    words.insert(node.name);
    if (node.domain.empty() && registry.find_op(node.op_type)) op_types.insert(node.op_type);
  }
  for (const std::string& op_type : op_types) {
    words.insert(op_type);
    for (const Algorithm& algorithm : registry.find_op(op_type)->algorithms) {
      words.insert(algorithm.name);
      Plan one = Plan::for_model(model);
      one.defaults[op_type] = algorithm.name;
      write_text(dir / (stem + "-" + op_type + "-" + algorithm.name + ".json"), one.to_json());
    }
  }
  Plan layers = Plan::for_model(model);
  for (const Node& node : model.nodes)
    if (node.domain.empty() && registry.find_op(node.op_type) && node.problem.empty())
      layers.layers[node.name] = registry.default_algorithm(make_layer(model, node)).name;
  // The shape tune gives its measurements, in small.
  layers.measurements_json =
      R"({"tolerance":{"atol":1e-05,"rtol":0.0001},"layers":[{"index":0,"name":")" +
      (model.nodes.empty() ? std::string() : model.nodes[0].name) +
      R"(","algorithm":"reference","time_ms":{"median":0.5,"min":0.4},"error":null}]})";
  write_text(dir / (stem + "-layers.json"), layers.to_json());
}

void seed_tuning_cache(const std::vector<Model>& models, const fs::path& dir) {
  const fs::path path = dir / "cache.json";
  fs::remove(path);
  TuningCache cache(path.string());
  // Also one entry alone: the fuzzer mutates a small file many times faster than the whole cache
  // (a quarter megabyte), which is kept as the shape a real cache has.
  const fs::path small_path = dir / "one-entry.json";
  fs::remove(small_path);
  TuningCache small(small_path.string());
  const Registry& registry = Registry::instance();
  for (const Model& model : models) {
    for (const Node& node : model.nodes) {
      if (!node.domain.empty() || !registry.find_op(node.op_type) || !node.problem.empty())
        continue;
      const Layer layer = make_layer(model, node);
      std::vector<AlgorithmTiming> candidates;
      for (const Algorithm& algorithm : registry.find_op(node.op_type)->algorithms) {
        AlgorithmTiming t;
        t.algorithm = algorithm.name;
        t.time = TimingStats::of({0.25, 0.5, 0.75});
        t.flops = registry.find_op(node.op_type)->flop_count(layer);
        t.workspace_bytes = algorithm.workspace(layer);
        if (auto why = algorithm.why_not(layer)) {
          t.failure = *why;
        } else {
          ErrorStats error;
          error.max_abs_error = 1e-6;
          error.elements = 16;
          t.error = error;
        }
        candidates.push_back(std::move(t));
      }
      const std::string key = layer_signature(layer) + " | " + machine_signature();
      if (small.size() == 0) small.store(key, candidates);
      cache.store(key, std::move(candidates));
    }
  }
  cache.save();
  small.save();
  fs::remove(path.string() + ".lock");
  fs::remove(small_path.string() + ".lock");
}

void seed_tensors(const std::vector<Model>& models, const fs::path& dir) {
  int k = 0;
  for (const Model& model : models)
    for (const Tensor& t : random_inputs(model))
      write_tensor_file((dir / ("input_" + std::to_string(k++) + ".pb")).string(), t, "x");
  const std::vector<int64_t> values = {0, 1, 2, 3, 4, 5};
  write_tensor_file((dir / "int64.pb").string(), Tensor::from_vector<int64_t>({2, 3}, values));
  write_tensor_file((dir / "int32.pb").string(),
                    Tensor::from_vector<int32_t>({6}, {1, 2, 3, 4, 5, 6}));
  write_tensor_file((dir / "bool.pb").string(), Tensor::from_vector<bool>({2}, {true, false}));
  write_tensor_file((dir / "uint8.pb").string(), Tensor::from_vector<uint8_t>({3}, {7, 8, 9}));
  write_tensor_file((dir / "scalar.pb").string(), Tensor::from_vector<float>({}, {1.5f}));
  write_tensor_file((dir / "empty.pb").string(), Tensor(DType::Float32, {0, 4}));
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 3) {
    std::fprintf(stderr, "usage: %s OUT MODEL.onnx...\n", argv[0]);
    return 2;
  }
  try {
    const fs::path out = argv[1];
    for (const char* sub : {"plan", "tuning_cache", "tensor"}) fs::create_directories(out / sub);
    std::vector<Model> models;
    std::set<std::string> words = {"format",         "version",  "model",   "name",
                                   "fingerprint",    "defaults", "layers",  "measurements",
                                   "algoscope-plan", kDefault,   kReference};
    for (int i = 2; i < argc; ++i) {
      models.push_back(load_model(argv[i]));
      seed_plans(models.back(), fs::path(argv[i]).stem().string(), out / "plan", words);
    }
    seed_tuning_cache(models, out / "tuning_cache");
    seed_tensors(models, out / "tensor");
    std::string dict;
    for (const std::string& word : words) dict += dict_entry(word) + "\n";
    write_text(out / "plan.dict", dict);
    // Model words: every op type the engine runs and the attribute names shapes depend on, so
    // that a mutation can turn one node into another or give it an attribute it lacked.
    std::set<std::string> model_words = {
        "kernel_shape", "strides", "pads",   "dilations", "group",     "axis",    "axes",  "perm",
        "keepdims",     "transA",  "transB", "auto_pad",  "ceil_mode", "epsilon", "alpha", "beta"};
    for (const std::string& op_type : Registry::instance().op_types()) model_words.insert(op_type);
    for (const Model& model : models)
      for (const Node& node : model.nodes)
        for (const auto& [name, attribute] : node.attributes) model_words.insert(name);
    dict.clear();
    for (const std::string& word : model_words) dict += dict_entry(word) + "\n";
    write_text(out / "model.dict", dict);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "fuzz_seeds: %s\n", e.what());
    return 1;
  }
  return 0;
}
