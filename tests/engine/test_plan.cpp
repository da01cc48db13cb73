// Tests of plans: the "algoscope-plan" JSON format (round trip, the exact keys DESIGN.md specifies,
// every malformed input rejected with a message that says what is wrong), validate_plan against
// a model (every problem listed, each naming its node or op type), and resolve_algorithm's
// precedence (layer entry, then op-type default, then the engine's choice) including algorithms
// that do not apply. Non-applicable algorithms come from a test-only op registered in a local
// Registry, so these tests do not depend on which built-in algorithms exist.
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <functional>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "algoscope/error.h"
#include "algoscope/loader.h"
#include "algoscope/plan.h"
#include "algoscope/registry.h"
#include "algoscope/session.h"
#include "support/assertions.h"
#include "support/one_op_registry.h"
#include "support/onnx_builder.h"
#include "support/temp_dir.h"

namespace {

using test_support::Contains;
using test_support::error_of;

using algoscope::Algorithm;
using algoscope::DType;
using algoscope::Error;
using algoscope::Layer;
using algoscope::Model;
using algoscope::Plan;
using algoscope::Tensor;

Plan sample_plan() {
  Plan p;
  p.model_name = "resnet50";
  p.model_fingerprint = "sha256:0123abcd";
  p.defaults = {{"Conv", "im2col"}, {"Gemm", "openblas"}};
  p.layers = {{"/layer1/layer1.0/conv1/Conv", "reference"}, {"fc", "default"}};
  p.measurements_json = R"({"fc":{"median_s":0.5,"runs":[1,2,3]},"machine":"zen5"})";
  return p;
}

// x[1,3,8,8] -> Conv "conv1" -> Relu "relu1" -> y: a small model the built-in registry runs.
Model conv_relu_model() {
  onnx_builder::ModelBuilder b("conv_relu");
  b.input("x", {1, 3, 8, 8});
  b.initializer("w", {4, 3, 3, 3}, onnx_builder::random_floats(108, 11));
  b.node("Conv", {"x", "w"}, {"c"}, "conv1").ints("pads", {1, 1, 1, 1});
  b.node("Relu", {"c"}, {"y"}, "relu1");
  b.output("y");
  // Unfused, so that the plan can name the Relu layer.
  return algoscope::load_model_from_bytes(b.bytes(), "conv_relu.onnx", {.fuse_activations = false});
}

// ---------------------------------------------------------------------------------------------
// JSON

TEST(PlanJson, RoundTripKeepsEverything) {
  Plan p = sample_plan();
  Plan q = Plan::from_json(p.to_json(), "round trip");
  EXPECT_EQ(q.model_name, p.model_name);
  EXPECT_EQ(q.model_fingerprint, p.model_fingerprint);
  EXPECT_EQ(q.defaults, p.defaults);
  EXPECT_EQ(q.layers, p.layers);
  EXPECT_EQ(nlohmann::json::parse(q.measurements_json), nlohmann::json::parse(p.measurements_json));
  // Stable: writing the parsed plan again gives the same text.
  EXPECT_EQ(q.to_json(), p.to_json());
  EXPECT_TRUE(q == p);
}

TEST(PlanEquality, ComparesEveryPartButNotTheSpellingOfMeasurements) {
  const Plan p = sample_plan();
  EXPECT_TRUE(p == p);
  Plan q = p;
  // Same measurements, other spacing and key order: still the same plan.
  q.measurements_json = R"({ "fc" : {"runs": [1, 2, 3]}, "x": 1 })";
  Plan r = p;
  r.measurements_json = R"({"x":1,"fc":{"runs":[1,2,3]}})";
  EXPECT_TRUE(q == r);
  r.measurements_json = R"({"x":2,"fc":{"runs":[1,2,3]}})";
  EXPECT_FALSE(q == r);
  r.measurements_json.clear();
  EXPECT_FALSE(q == r);
  auto differs = [&](auto change) {
    Plan other = p;
    change(other);
    return !(other == p) && other != p;
  };
  EXPECT_TRUE(differs([](Plan& x) { x.model_name += "2"; }));
  EXPECT_TRUE(differs([](Plan& x) { x.model_fingerprint = "sha256:ff"; }));
  EXPECT_TRUE(differs([](Plan& x) { x.defaults["Conv"] = "winograd_f2"; }));
  EXPECT_TRUE(differs([](Plan& x) { x.defaults.erase("Gemm"); }));
  EXPECT_TRUE(differs([](Plan& x) { x.layers["fc"] = "reference"; }));
  EXPECT_TRUE(differs([](Plan& x) { x.layers["new"] = "reference"; }));
  EXPECT_TRUE(differs([](Plan& x) { x.measurements_json = "{}"; }));
}

TEST(PlanJson, WritesTheDocumentedFormat) {
  const auto j = nlohmann::json::parse(sample_plan().to_json());
  ASSERT_TRUE(j.is_object());
  std::set<std::string> keys;
  for (const auto& [k, v] : j.items()) keys.insert(k);
  EXPECT_EQ(keys, (std::set<std::string>{"format", "version", "model", "defaults", "layers",
                                         "measurements"}));
  EXPECT_EQ(j["format"], "algoscope-plan");
  EXPECT_TRUE(j["version"].is_number_integer());
  EXPECT_EQ(j["version"], 1);
  EXPECT_EQ(j["model"], (nlohmann::json{{"name", "resnet50"}, {"fingerprint", "sha256:0123abcd"}}));
  EXPECT_EQ(j["defaults"], (nlohmann::json{{"Conv", "im2col"}, {"Gemm", "openblas"}}));
  EXPECT_EQ(j["layers"]["/layer1/layer1.0/conv1/Conv"], "reference");
  EXPECT_EQ(j["layers"]["fc"], "default");
  EXPECT_EQ(j["measurements"]["fc"]["runs"], (nlohmann::json{1, 2, 3}));
  // "format" leads the file, so a person (or `file`) recognises it at a glance.
  EXPECT_EQ(sample_plan().to_json().find("\"format\""), sample_plan().to_json().find('"'));
}

TEST(PlanJson, EmptyPlanHasEmptyObjectsAndNoMeasurements) {
  Model m = conv_relu_model();
  Plan p = Plan::for_model(m);
  EXPECT_EQ(p.model_name, "conv_relu");
  EXPECT_EQ(p.model_fingerprint, m.fingerprint);
  const auto j = nlohmann::json::parse(p.to_json());
  EXPECT_TRUE(j["defaults"].is_object() && j["defaults"].empty());
  EXPECT_TRUE(j["layers"].is_object() && j["layers"].empty());
  EXPECT_FALSE(j.contains("measurements"));
  Plan q = Plan::from_json(p.to_json());
  EXPECT_TRUE(q.measurements_json.empty());
  EXPECT_EQ(q.model_fingerprint, m.fingerprint);
}

TEST(PlanJson, ReadsTheDesignExample) {
  const std::string text = R"({"format": "algoscope-plan", "version": 1,
   "model": {"name": "resnet50", "fingerprint": "sha256:abc"},
   "defaults": {"Conv": "winograd_f4", "Gemm": "openblas"},
   "layers": {"/layer1/layer1.0/conv1/Conv": "im2col"},
   "measurements": {"note": "optional, written by tune"}})";
  Plan p = Plan::from_json(text);
  EXPECT_EQ(p.model_name, "resnet50");
  EXPECT_EQ(p.model_fingerprint, "sha256:abc");
  EXPECT_EQ(p.defaults.at("Conv"), "winograd_f4");
  EXPECT_EQ(p.layers.at("/layer1/layer1.0/conv1/Conv"), "im2col");
  EXPECT_EQ(nlohmann::json::parse(p.measurements_json)["note"], "optional, written by tune");
  // Only format and version are required.
  Plan minimal = Plan::from_json(R"({"format":"algoscope-plan","version":1})");
  EXPECT_TRUE(minimal.defaults.empty() && minimal.layers.empty());
  EXPECT_TRUE(minimal.model_fingerprint.empty());
}

TEST(PlanJson, SaveAndLoadFile) {
  test_support::TempDir dir;
  const std::string path = dir.file("plan.json");
  Plan p = sample_plan();
  p.save(path);
  Plan q = Plan::load(path);
  EXPECT_EQ(q.layers, p.layers);
  EXPECT_EQ(q.defaults, p.defaults);
  EXPECT_EQ(q.model_fingerprint, p.model_fingerprint);

  std::string msg = error_of([] { Plan::load("/nonexistent/plan.json"); });
  EXPECT_TRUE(Contains(msg, "/nonexistent/plan.json"));
  EXPECT_TRUE(Contains(error_of([&] { p.save("/nonexistent/dir/plan.json"); }),
                       "/nonexistent/dir/plan.json"));
}

struct BadPlan {
  const char* name;
  const char* text;
  std::vector<std::string> mentions;
};

class PlanJsonRejects : public ::testing::TestWithParam<BadPlan> {};

TEST_P(PlanJsonRejects, WithAClearMessage) {
  const BadPlan& bad = GetParam();
  std::string msg = error_of([&] { Plan::from_json(bad.text, "my_plan.json"); });
  EXPECT_TRUE(Contains(msg, "my_plan.json"));
  for (const auto& m : bad.mentions) EXPECT_TRUE(Contains(msg, m));
}

INSTANTIATE_TEST_SUITE_P(
    Malformed, PlanJsonRejects,
    ::testing::Values(
        BadPlan{"truncated_json", R"({"format": "algoscope-plan", "version": 1,)", {"JSON"}},
        BadPlan{"empty_text", "", {"JSON"}},
        BadPlan{"not_an_object", R"(["algoscope-plan", 1])", {"object"}},
        BadPlan{"missing_format", R"({"version": 1})", {"format", "algoscope-plan"}},
        BadPlan{"wrong_format",
                R"({"format": "onnx-plan", "version": 1})",
                {"format", "algoscope-plan"}},
        BadPlan{"missing_version", R"({"format": "algoscope-plan"})", {"version"}},
        BadPlan{"wrong_version", R"({"format": "algoscope-plan", "version": 2})", {"version", "1"}},
        BadPlan{"string_version", R"({"format": "algoscope-plan", "version": "1"})", {"version"}},
        BadPlan{"non_string_layer_algorithm",
                R"({"format": "algoscope-plan", "version": 1, "layers": {"conv1": 3}})",
                {"layers", "conv1", "string"}},
        BadPlan{"non_string_default_algorithm",
                R"({"format": "algoscope-plan", "version": 1, "defaults": {"Conv": ["a"]}})",
                {"defaults", "Conv", "string"}},
        BadPlan{"layers_not_object",
                R"({"format": "algoscope-plan", "version": 1, "layers": ["conv1"]})",
                {"layers", "object"}},
        BadPlan{"model_not_object",
                R"({"format": "algoscope-plan", "version": 1, "model": 7})",
                {"model", "object"}},
        BadPlan{"fingerprint_not_string",
                R"({"format": "algoscope-plan", "version": 1, "model": {"fingerprint": 1}})",
                {"fingerprint", "string"}},
        BadPlan{"measurements_not_object",
                R"({"format": "algoscope-plan", "version": 1, "measurements": "fast"})",
                {"measurements", "object"}},
        // Found by fuzz_plan (fuzz/regressions/fuzz_plan/): nlohmann's out_of_range and
        // type_error escaped from_json instead of an Error naming the plan.
        BadPlan{"number_beyond_double_range",
                R"({"format": "algoscope-plan", "version": 1, "model": {"fingerprint": 6e500}})",
                {"JSON", "number overflow"}},
        BadPlan{
            "format_not_string", R"({"format": 1, "version": 1})", {"format", "algoscope-plan"}},
        BadPlan{"unknown_top_level_key",
                R"({"format": "algoscope-plan", "version": 1, "layer": {"conv1": "im2col"}})",
                {"unknown key", "layer"}}),
    [](const auto& info) { return std::string(info.param.name); });

TEST(PlanRequested, LayerThenOpDefaultThenDefault) {
  algoscope::Node conv;
  conv.name = "conv1";
  conv.op_type = "Conv";
  algoscope::Node conv2 = conv;
  conv2.name = "conv2";
  algoscope::Node relu;
  relu.name = "relu1";
  relu.op_type = "Relu";
  Plan p;
  p.defaults["Conv"] = "im2col";
  p.layers["conv1"] = "reference";
  EXPECT_EQ(p.requested(conv), "reference");
  EXPECT_EQ(p.requested(conv2), "im2col");
  EXPECT_EQ(p.requested(relu), Plan::kDefault);
  EXPECT_EQ(Plan::kDefault, "default");
}

// ---------------------------------------------------------------------------------------------
// validate_plan against the built-in registry

TEST(PlanValidate, AcceptsAFittingPlan) {
  Model m = conv_relu_model();
  Plan p = Plan::for_model(m);
  EXPECT_NO_THROW(algoscope::validate_plan(p, m));
  p.layers["conv1"] = "reference";
  p.defaults["Relu"] = "reference";
  p.defaults["Gemm"] = "reference";  // an op the model lacks is harmless
  p.defaults["Conv"] = Plan::kDefault;
  EXPECT_NO_THROW(algoscope::validate_plan(p, m));
  p.model_fingerprint.clear();  // not tied to a model
  EXPECT_NO_THROW(algoscope::validate_plan(p, m));
}

TEST(PlanValidate, ListsEveryProblemWithItsNode) {
  Model m = conv_relu_model();
  Plan p = Plan::for_model(m);
  p.model_name = "other_model";
  p.model_fingerprint = "sha256:feedface";
  p.layers["ghost_node"] = "reference";
  p.layers["conv1"] = "warp_drive";
  p.defaults["NotAnOp"] = "reference";
  p.defaults["Relu"] = "turbo";
  std::string msg = error_of([&] { algoscope::validate_plan(p, m); });
  // Fingerprint mismatch, with both fingerprints.
  EXPECT_TRUE(Contains(msg, "sha256:feedface"));
  EXPECT_TRUE(Contains(msg, m.fingerprint));
  // Unknown node.
  EXPECT_TRUE(Contains(msg, "ghost_node"));
  // Unknown algorithm for a layer, naming the node and the known algorithms.
  EXPECT_TRUE(Contains(msg, "conv1"));
  EXPECT_TRUE(Contains(msg, "warp_drive"));
  EXPECT_TRUE(Contains(msg, "reference"));
  // Unknown op type in defaults, and an unknown default algorithm of a known op.
  EXPECT_TRUE(Contains(msg, "NotAnOp"));
  EXPECT_TRUE(Contains(msg, "turbo"));
  EXPECT_TRUE(Contains(msg, "relu1")) << "the layer the bad default reaches is named";
  // One line per problem.
  size_t lines = std::count(msg.begin(), msg.end(), '\n');
  EXPECT_GE(lines, 5u) << msg;
}

TEST(PlanValidate, SessionRejectsAPlanThatDoesNotFit) {
  Model m = conv_relu_model();
  Plan p = Plan::for_model(m);
  p.layers["ghost_node"] = "reference";
  std::string msg = error_of([&] { algoscope::Session s(std::make_shared<const Model>(m), p); });
  EXPECT_TRUE(Contains(msg, "ghost_node"));
}

// ---------------------------------------------------------------------------------------------
// resolve_algorithm with a test-only op in a local registry

// Marks which algorithm ran: y = x + offset.
class AddOffset : public algoscope::Kernel {
 public:
  explicit AddOffset(float offset) : offset_(offset) {}
  void run(algoscope::KernelIO& io) override {
    const Tensor& x = *io.inputs[0];
    Tensor& y = *io.outputs[0];
    for (int64_t i = 0; i < x.numel(); ++i) y.data<float>()[i] = x.data<float>()[i] + offset_;
  }

 private:
  float offset_;
};

Algorithm test_algorithm(const std::string& name, int priority, float offset,
                         std::optional<int64_t> max_elements = std::nullopt) {
  Algorithm a;
  a.name = name;
  a.summary = "test algorithm " + name;
  a.default_priority = priority;
  if (max_elements)
    a.not_applicable = [name, limit = *max_elements](const Layer& l) -> std::optional<std::string> {
      if (l.inputs[0].numel() <= limit) return std::nullopt;
      return name + " handles at most " + std::to_string(limit) + " elements";
    };
  a.prepare = [offset](const Layer&) { return std::make_unique<AddOffset>(offset); };
  return a;
}

// "TestOp": y = x + offset, with "reference" (+0, priority 0), "special" (+200, priority 5) and
// "fast" (+100, priority 10, only for inputs of at most 4 elements).
std::unique_ptr<algoscope::Registry> test_registry() {
  return test_support::one_op_registry(
      "TestOp", "test op",
      {test_algorithm("reference", 0, 0.0f), test_algorithm("special", 5, 200.0f),
       test_algorithm("fast", 10, 100.0f, 4)});
}

// A one-node model built by hand (the loader would not know TestOp): x[n] -> TestOp "t1" -> y.
Model test_model(int64_t n) {
  Model m;
  m.name = "test_model";
  m.fingerprint = "sha256:test";
  m.opset = 13;
  m.inputs = {"x"};
  m.outputs = {"y"};
  for (const char* v : {"x", "y"})
    m.values[v] = algoscope::ValueInfo{v, {DType::Float32, {n}}, true, "float"};
  algoscope::Node t;
  t.name = "t1";
  t.op_type = "TestOp";
  t.inputs = {"x"};
  t.outputs = {"y"};
  m.nodes.push_back(t);
  return m;
}

TEST(PlanResolve, PrecedenceLayerThenOpDefaultThenEngine) {
  auto registry = test_registry();
  Model small = test_model(4);
  Layer layer = algoscope::make_layer(small, small.nodes[0]);
  Plan p;
  EXPECT_EQ(algoscope::resolve_algorithm(p, layer, *registry).name, "fast");  // highest priority
  p.defaults["TestOp"] = "special";
  EXPECT_EQ(algoscope::resolve_algorithm(p, layer, *registry).name, "special");
  p.layers["t1"] = "reference";
  EXPECT_EQ(algoscope::resolve_algorithm(p, layer, *registry).name, "reference");
  p.layers["t1"] = Plan::kDefault;  // an explicit "default" layer entry beats the op default
  EXPECT_EQ(algoscope::resolve_algorithm(p, layer, *registry).name, "fast");
}

TEST(PlanResolve, EngineDefaultSkipsAlgorithmsThatDoNotApply) {
  auto registry = test_registry();
  Model wide = test_model(8);
  Layer layer = algoscope::make_layer(wide, wide.nodes[0]);
  EXPECT_EQ(algoscope::resolve_algorithm(Plan{}, layer, *registry).name, "special");
}

TEST(PlanResolve, OpDefaultThatDoesNotApplyFallsBackWithANote) {
  auto registry = test_registry();
  Model wide = test_model(8);
  Layer layer = algoscope::make_layer(wide, wide.nodes[0]);
  Plan p;
  p.defaults["TestOp"] = "fast";
  std::string note;
  const Algorithm& chosen = algoscope::resolve_algorithm(p, layer, *registry, &note);
  EXPECT_EQ(chosen.name, "special");
  EXPECT_TRUE(Contains(note, "t1"));
  EXPECT_TRUE(Contains(note, "fast"));
  EXPECT_TRUE(Contains(note, "at most 4 elements"));
  EXPECT_TRUE(Contains(note, "special"));
  // Where the default applies there is nothing to note.
  Model small = test_model(2);
  std::string quiet;
  EXPECT_EQ(algoscope::resolve_algorithm(p, algoscope::make_layer(small, small.nodes[0]), *registry,
                                         &quiet)
                .name,
            "fast");
  EXPECT_TRUE(quiet.empty()) << quiet;
  // The fallback is accepted by validation too.
  EXPECT_NO_THROW(algoscope::validate_plan(p, wide, *registry));
}

// A plan choosing `algorithm` for layer t1 of the test model.
Plan plan_choosing_for_t1(const std::string& algorithm) {
  Plan p;
  p.layers["t1"] = algorithm;
  return p;
}

// What resolving layer t1 of test_model(elements) throws under plan_choosing_for_t1(algorithm);
// the message must name the layer and the algorithm.
std::string per_layer_choice_error(int64_t elements, const std::string& algorithm) {
  const auto registry = test_registry();
  const Model model = test_model(elements);
  const std::string msg = error_of([&] {
    algoscope::resolve_algorithm(plan_choosing_for_t1(algorithm),
                                 algoscope::make_layer(model, model.nodes[0]), *registry);
  });
  EXPECT_TRUE(Contains(msg, "t1"));
  EXPECT_TRUE(Contains(msg, algorithm));
  return msg;
}

TEST(PlanResolve, PerLayerChoiceThatDoesNotApplyThrows) {
  EXPECT_TRUE(Contains(per_layer_choice_error(8, "fast"), "at most 4 elements"));
  const std::string msg = error_of([] {
    algoscope::validate_plan(plan_choosing_for_t1("fast"), test_model(8), *test_registry());
  });
  EXPECT_TRUE(Contains(msg, "t1"));
  EXPECT_TRUE(Contains(msg, "at most 4 elements"));
}

TEST(PlanResolve, UnknownAlgorithmNamesTheKnownOnes) {
  const std::string msg = per_layer_choice_error(4, "warp");
  for (const char* known : {"reference", "special", "fast"}) EXPECT_TRUE(Contains(msg, known));
}

TEST(PlanResolve, SessionRunsTheResolvedAlgorithm) {
  // The output's offset shows which algorithm the compiled session used.
  auto registry = test_registry();
  auto wide = std::make_shared<const Model>(test_model(8));
  Tensor x(DType::Float32, {8});
  auto run_with = [&](const Plan& plan) {
    algoscope::Session s(wide, plan, {.threads = 1}, *registry);
    return s.run({x})[0].data<float>()[0];
  };
  EXPECT_EQ(run_with(Plan{}), 200.0f);
  Plan layer_ref;
  layer_ref.layers["t1"] = "reference";
  EXPECT_EQ(run_with(layer_ref), 0.0f);
  Plan op_fast;
  op_fast.defaults["TestOp"] = "fast";  // does not apply: the engine's choice stands
  EXPECT_EQ(run_with(op_fast), 200.0f);
  Plan layer_fast;
  layer_fast.layers["t1"] = "fast";
  std::string msg = error_of([&] { run_with(layer_fast); });
  EXPECT_TRUE(Contains(msg, "t1"));
  EXPECT_TRUE(Contains(msg, "at most 4 elements"));
}

TEST(PlanResolve, RegistryRejectsBadAlgorithms) {
  auto registry = test_registry();
  EXPECT_THROW(registry->add_algorithm("TestOp", test_algorithm("fast", 0, 0)), Error);
  EXPECT_THROW(registry->add_algorithm("TestOp", test_algorithm("default", 0, 0)), Error);
  EXPECT_THROW(registry->add_algorithm("NoSuchOp", test_algorithm("x", 0, 0)), Error);
  algoscope::OpDefinition dup;
  dup.op_type = "TestOp";
  EXPECT_THROW(registry->add_op(std::move(dup)), Error);
  // The local registry leaves the global one alone.
  EXPECT_EQ(algoscope::Registry::instance().find_op("TestOp"), nullptr);
}

}  // namespace
