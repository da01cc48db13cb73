// Tests of the measurement services (measure.h, tuning_cache.h, select.h) against known answers.
// A test-only op in a local registry, "Scale" (y = 2x), has algorithms whose behaviour the tests
// decide: `fast` (right and cheap), `slow` (right, with a counted extra loop that makes it the
// slowest by orders of magnitude), `wrong` (adds 1e-2: check must catch it and tune must reject
// it), each counting its kernel calls. So: check names the wrong layer, tune picks `fast`, the
// tuning cache is hit on the second run (no kernel is timed again), cancelling after the N-th
// progress report returns a partial result promptly, and the JSON has the documented fields. No
// test reads a wall clock against a threshold; where timings are compared, the algorithms differ
// by a factor of thousands. The last test drives the services from a worker thread while the main
// thread cancels (run under ThreadSanitizer: see README, "Sanitizers").
#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <cmath>
#include <condition_variable>
#include <filesystem>
#include <fstream>
#include <functional>
#include <iterator>
#include <map>
#include <memory>
#include <mutex>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "algoscope/error.h"
#include "algoscope/loader.h"
#include "algoscope/measure.h"
#include "algoscope/plan.h"
#include "algoscope/registry.h"
#include "algoscope/select.h"
#include "algoscope/session.h"
#include "algoscope/tuning_cache.h"
#include "support/assertions.h"
#include "support/onnx_builder.h"
#include "support/temp_dir.h"

namespace {

using test_support::Contains;

namespace fs = std::filesystem;
using algoscope::Algorithm;
using algoscope::CancelToken;
using algoscope::DType;
using algoscope::Error;
using algoscope::Layer;
using algoscope::Model;
using algoscope::Plan;
using algoscope::Progress;
using algoscope::Tensor;
using algoscope::Tolerance;
using json = nlohmann::json;

// ---------------------------------------------------------------------------------------------
// The test op and its algorithms

// Kernel calls per algorithm name, across every registry these tests make.
std::map<std::string, std::atomic<int>>& calls() {
  static std::map<std::string, std::atomic<int>> counts;
  return counts;
}
int calls_of(const std::string& name) { return calls()[name].load(); }
int candidate_calls() { return calls_of("fast") + calls_of("slow") + calls_of("wrong"); }
void reset_calls() {
  for (const char* name : {"reference", "fast", "slow", "wrong"}) calls()[name] = 0;
}

// y = 2x (+ offset), repeated `repeat` times: the repeats are the slow algorithm's extra work.
// With `chain_bytes`, the kernel offers a native layout "test_chain" (the data stays plain) and
// does its work once, not `repeat` times, when a neighbour passes it its input or takes its output
// in that layout: the gain of a layout family, which only shows end to end. `first_call_repeat`
// makes a kernel's first call slow (like a JIT compiling on its first run).
class ScaleKernel final : public algoscope::Kernel {
 public:
  ScaleKernel(std::atomic<int>& counter, float offset, int repeat, size_t chain_bytes = 0,
              int first_call_repeat = 0, std::string chain_key = "test_chain")
      : counter_(counter),
        offset_(offset),
        repeat_(repeat),
        chain_bytes_(chain_bytes),
        first_call_repeat_(first_call_repeat),
        chain_key_(std::move(chain_key)) {}
  std::optional<algoscope::NativeLayout> native_output_layout(size_t) const override {
    if (chain_bytes_ == 0) return std::nullopt;
    return algoscope::NativeLayout{chain_key_, chain_bytes_};
  }
  std::optional<algoscope::NativeLayout> native_input_layout(size_t input) const override {
    return native_output_layout(input);
  }
  void use_native_output(size_t) override { chained_ = true; }
  void use_native_input(size_t) override { chained_ = true; }
  void run(algoscope::KernelIO& io) override {
    ++counter_;
    const float* x = io.inputs[0]->data<float>();
    float* y = io.outputs[0]->data<float>();
    const int first = std::exchange(first_call_repeat_, 0);
    const int passes = first > 0 ? first : (chained_ ? 1 : repeat_);
    for (int r = 0; r < passes; ++r) {
      for (int64_t i = 0; i < io.outputs[0]->numel(); ++i) y[i] = 2 * x[i] + offset_;
      // Keeps the compiler from folding the repeats into one pass.
      asm volatile("" : : "r"(y) : "memory");
    }
  }

 private:
  std::atomic<int>& counter_;
  float offset_;
  int repeat_;
  size_t chain_bytes_;
  int first_call_repeat_;
  std::string chain_key_;
  bool chained_ = false;
};

Algorithm scale_algorithm(const std::string& name, int priority, float offset = 0, int repeat = 1,
                          const std::string& layout_family = "", int first_call_repeat = 0) {
  calls()[name] = 0;
  Algorithm a;
  a.name = name;
  a.summary = "test algorithm " + name;
  a.default_priority = priority;
  a.layout_family = layout_family;
  std::atomic<int>* counter = &calls()[name];
  a.prepare = [counter, offset, repeat, first_call_repeat,
               chains = !layout_family.empty()](const Layer& l) {
    return std::make_unique<ScaleKernel>(*counter, offset, repeat, chains ? l.inputs[0].bytes() : 0,
                                         first_call_repeat);
  };
  return a;
}

// A member of layout family "test_chain" whose native layout is `key` (members with different keys
// convert between them): `odd_repeat` passes alone on layers with an odd attribute k,
// `even_repeat` on the others, one pass where a neighbour hands it values in its layout.
Algorithm keyed_chain_algorithm(const std::string& name, const std::string& key, int odd_repeat,
                                int even_repeat) {
  Algorithm a = scale_algorithm(name, 1, 0, 1, "test_chain");
  std::atomic<int>* counter = &calls()[name];
  a.prepare = [=](const Layer& l) {
    const int repeat = l.n().attr_int("k", 0) % 2 ? odd_repeat : even_repeat;
    return std::make_unique<ScaleKernel>(*counter, 0.0f, repeat, l.inputs[0].bytes(), 0, key);
  };
  return a;
}

// An algorithm whose kernels interfere with themselves: a call after the same kernel's, with no
// other kernel of this algorithm in between (a layer timed alone, whatever else is timed between
// its calls), makes `self_repeat` passes; a call after another layer's kernel `other_repeat`. It
// stands for what timing a layer alone cannot see (in a transformer, weights cached alone and
// read from memory in the model), to show that whole-plan timings catch it.
Algorithm self_slowed_algorithm(const std::string& name, int self_repeat, int other_repeat) {
  class SelfSlowedKernel final : public algoscope::Kernel {
   public:
    SelfSlowedKernel(int64_t layer, int self_repeat, int other_repeat)
        : layer_(layer), self_repeat_(self_repeat), other_repeat_(other_repeat) {}
    void run(algoscope::KernelIO& io) override {
      // The layer (its attribute k), not the kernel's address: timing alone may prepare new
      // kernels, which can reuse a freed one's address.
      static std::atomic<int64_t> last{-1};
      const int passes = last.exchange(layer_) == layer_ ? self_repeat_ : other_repeat_;
      const float* x = io.inputs[0]->data<float>();
      float* y = io.outputs[0]->data<float>();
      for (int r = 0; r < passes; ++r) {
        for (int64_t i = 0; i < io.outputs[0]->numel(); ++i) y[i] = 2 * x[i];
        asm volatile("" : : "r"(y) : "memory");
      }
    }

   private:
    int64_t layer_;
    int self_repeat_, other_repeat_;
  };
  Algorithm a = scale_algorithm(name, 1);
  a.prepare = [=](const Layer& l) {
    return std::make_unique<SelfSlowedKernel>(l.n().attr_int("k", 0), self_repeat, other_repeat);
  };
  return a;
}

// "Scale" (y = 2x) with its reference and `algorithms`.
std::unique_ptr<algoscope::Registry> scale_registry_of(std::vector<Algorithm> algorithms) {
  auto r = std::make_unique<algoscope::Registry>();
  algoscope::OpDefinition op;
  op.op_type = "Scale";
  op.summary = "y = 2x";
  op.infer = [](const Layer& l) { return std::vector<algoscope::TensorInfo>{l.inputs[0]}; };
  op.flops = [](const Layer& l) { return double(l.inputs[0].numel()); };
  op.algorithms.push_back(scale_algorithm("reference", 0));
  r->add_op(std::move(op));
  for (Algorithm& a : algorithms) r->add_algorithm("Scale", std::move(a));
  return r;
}

// "Scale" with reference, fast, slow (the engine's default: it is timed first) and wrong.
std::unique_ptr<algoscope::Registry> scale_registry(bool with_wrong = true) {
  std::vector<Algorithm> algorithms = {scale_algorithm("slow", 10, 0, 4000),
                                       scale_algorithm("fast", 1)};
  if (with_wrong) algorithms.push_back(scale_algorithm("wrong", 5, 1e-2f));
  return scale_registry_of(std::move(algorithms));
}

// x[n] -> Scale prefix1 -> ... -> Scale prefixK -> y, built by hand (the loader does not know
// Scale). Unless `identical`, layer k has an attribute "k" = k, so each has its own tuning key.
std::shared_ptr<const Model> scale_chain(int layers = 4, int64_t n = 256,
                                         const std::string& prefix = "s", bool identical = false) {
  Model m;
  m.name = "scale_chain";
  m.fingerprint = "sha256:scale_chain_" + prefix + std::to_string(layers) + "_" + std::to_string(n);
  m.opset = 13;
  m.inputs = {"x"};
  m.outputs = {"y"};
  std::string previous = "x";
  for (int k = 1; k <= layers; ++k) {
    algoscope::Node node;
    node.name = prefix + std::to_string(k);
    node.op_type = "Scale";
    node.inputs = {previous};
    node.outputs = {k == layers ? "y" : "a" + std::to_string(k)};
    if (!identical) node.attributes["k"].value = int64_t{k};
    previous = node.outputs[0];
    m.nodes.push_back(node);
  }
  for (const auto& node : m.nodes)
    for (const std::string& v : {node.inputs[0], node.outputs[0]})
      m.values[v] = algoscope::ValueInfo{v, {DType::Float32, {n}}, true, "float"};
  return std::make_shared<const Model>(std::move(m));
}

Plan plan_with(const Model& model, const std::string& algorithm,
               const std::map<std::string, std::string>& layers = {}) {
  Plan p = Plan::for_model(model);
  p.defaults["Scale"] = algorithm;
  p.layers = layers;
  return p;
}

using TempDir = test_support::TempDir;

algoscope::TuneOptions tune_options(const std::string& cache_path) {
  algoscope::TuneOptions o;
  // The plan optimizer's strategy has tests of its own (test_plan_optimizer.cpp); these count
  // the kernel calls and whole plans of the others.
  o.strategy = algoscope::TuneStrategy::family;
  o.threads = 1;
  o.repeat = 3;
  // Exactly `repeat` samples: these tests count them (adaptive repeating has its own test).
  o.adaptive.target_ci = 0;
  o.plans_adaptive.target_ci = 0;
  o.cache_path = cache_path;
  o.measure_end_to_end = false;
  return o;
}

// One thread, `warmup` untimed runs and exactly `repeat` timed ones (no adaptive repeating): these
// tests count runs and samples.
algoscope::EndToEndOptions exact_runs(int warmup, int repeat) {
  algoscope::EndToEndOptions o;
  o.threads = 1;
  o.warmup = warmup;
  o.repeat = repeat;
  o.adaptive.target_ci = 0;
  return o;
}

// ---------------------------------------------------------------------------------------------
// Statistics

TEST(MeasureStats, OrderStatisticsOfTimings) {
  auto odd = algoscope::TimingStats::of({5, 1, 3, 2, 4});
  EXPECT_EQ(odd.samples, 5);
  EXPECT_DOUBLE_EQ(odd.median_ms, 3);
  EXPECT_DOUBLE_EQ(odd.min_ms, 1);
  EXPECT_DOUBLE_EQ(odd.max_ms, 5);
  EXPECT_DOUBLE_EQ(odd.q1_ms, 2);
  EXPECT_DOUBLE_EQ(odd.q3_ms, 4);
  EXPECT_DOUBLE_EQ(odd.iqr_ms(), 2);
  auto even = algoscope::TimingStats::of({4, 1, 3, 2});
  EXPECT_DOUBLE_EQ(even.median_ms, 2.5);
  EXPECT_DOUBLE_EQ(even.q1_ms, 1.75);
  EXPECT_DOUBLE_EQ(even.q3_ms, 3.25);
  auto one = algoscope::TimingStats::of({7});
  EXPECT_DOUBLE_EQ(one.median_ms, 7);
  EXPECT_DOUBLE_EQ(one.iqr_ms(), 0);
  EXPECT_EQ(algoscope::TimingStats::of({}).samples, 0);
}

// The median's confidence interval from order statistics: ranks n/2 ± 0.98·√n (1-based, the upper
// one past the median): for five samples the whole range, for 1..100 the 40th and 61st values.
// Outliers lie more than 3 IQR beyond a quartile.
TEST(MeasureStats, MedianConfidenceIntervalOutliersAndStability) {
  auto five = algoscope::TimingStats::of({5, 1, 3, 2, 4});
  EXPECT_DOUBLE_EQ(five.ci_low_ms, 1);
  EXPECT_DOUBLE_EQ(five.ci_high_ms, 5);
  EXPECT_DOUBLE_EQ(five.ci_relative(), 2.0 / 3.0);  // ±(5 - 1) / 2 around 3
  EXPECT_TRUE(five.unstable());
  EXPECT_EQ(five.outliers, 0);

  std::vector<double> hundred;
  for (int i = 100; i >= 1; --i) hundred.push_back(i);
  auto h = algoscope::TimingStats::of(hundred);
  EXPECT_DOUBLE_EQ(h.ci_low_ms, 40);
  EXPECT_DOUBLE_EQ(h.ci_high_ms, 61);
  EXPECT_DOUBLE_EQ(h.median_ms, 50.5);

  // Twenty runs of 10 ms and one of 50: far out, counted; the median barely moves.
  std::vector<double> steady(20, 10.0);
  steady.push_back(50);
  auto s = algoscope::TimingStats::of(steady);
  EXPECT_EQ(s.outliers, 1);
  EXPECT_DOUBLE_EQ(s.median_ms, 10);
  EXPECT_DOUBLE_EQ(s.ci_relative(), 0);
  EXPECT_FALSE(s.unstable());
  // Two samples are never a result, however close.
  EXPECT_TRUE(algoscope::TimingStats::of({10, 10}).unstable());
  EXPECT_FALSE(algoscope::TimingStats::of({10, 10}).conclusive());
}

TEST(MeasureStats, ElementwiseErrorUnderATolerance) {
  Tensor got = Tensor::from_vector<float>({4}, {0.1f, 0.75f, 0.0f, 1.0f});
  Tensor want = Tensor::from_vector<float>({4}, {0.1f, 0.5f, 0.001f, 1.0f});
  // Bounds atol + rtol * |want| (scale 1: no |want| exceeds 1): 0.11, 0.15, 0.1001, 0.2; only
  // 0.75 vs 0.5 is outside.
  auto e = algoscope::compare_tensors(got, want, {0.1, 0.1});
  EXPECT_EQ(e.elements, 4);
  EXPECT_EQ(e.mismatches, 1);
  EXPECT_FALSE(e.passed());
  EXPECT_DOUBLE_EQ(e.scale, 1.0);
  EXPECT_NEAR(e.max_abs_error, 0.25, 1e-7);
  EXPECT_NEAR(e.max_rel_error, 1.0, 1e-4);  // |0 - 0.001| / 0.001
  EXPECT_TRUE(algoscope::compare_tensors(got, want, {0.5, 0}).passed());

  // The absolute part scales with the tensor's largest magnitude: an error of 0.02 next to values
  // of 250 is float rounding, the same 0.02 in a tensor of values near 1 is not.
  Tensor large = Tensor::from_vector<float>({4}, {100.0f, -250.0f, 0.5f, 3.0f});
  Tensor large_off = Tensor::from_vector<float>({4}, {100.0f, -250.0f, 0.52f, 3.0f});
  auto scaled = algoscope::compare_tensors(large_off, large, {1e-4, 1e-3});
  EXPECT_DOUBLE_EQ(scaled.scale, 250.0);  // bound at 0.5: 1e-4 * 250 + 1e-3 * 0.5 = 0.0255
  EXPECT_TRUE(scaled.passed());
  Tensor large_wrong = Tensor::from_vector<float>({4}, {100.0f, -250.0f, 0.53f, 3.0f});
  EXPECT_EQ(algoscope::compare_tensors(large_wrong, large, {1e-4, 1e-3}).mismatches, 1);
  Tensor small = Tensor::from_vector<float>({2}, {0.5f, 1.0f});
  Tensor small_off = Tensor::from_vector<float>({2}, {0.52f, 1.0f});
  EXPECT_FALSE(algoscope::compare_tensors(small_off, small, {1e-4, 1e-3}).passed());
  EXPECT_DOUBLE_EQ(algoscope::tolerance_scale(Tensor::from_vector<float>({2}, {INFINITY, -7})), 7);

  Tensor nan = Tensor::from_vector<float>({4}, {1.0f, 2.0f, NAN, 10.0f});
  auto n = algoscope::compare_tensors(nan, want, {1e9, 0});
  EXPECT_EQ(n.mismatches, 1);
  EXPECT_TRUE(std::isinf(n.max_abs_error));

  Tensor a = Tensor::from_vector<int64_t>({3}, {1, 2, 3});
  Tensor b = Tensor::from_vector<int64_t>({3}, {1, 2, 4});
  EXPECT_EQ(algoscope::compare_tensors(a, b, {0, 0}).mismatches, 1);
  EXPECT_EQ(algoscope::compare_tensors(a, a, {0, 0}).mismatches, 0);
  EXPECT_THROW(algoscope::compare_tensors(a, got, {0, 0}), Error);
  EXPECT_THROW(algoscope::compare_tensors(got, Tensor(DType::Float32, {2, 2}), {0, 0}), Error);
}

// ---------------------------------------------------------------------------------------------
// check_plan

TEST(MeasureCheck, CatchesAndNamesTheWrongAlgorithm) {
  auto registry = scale_registry();
  auto model = scale_chain();
  std::vector<std::string> streamed;
  algoscope::CheckOptions options;
  options.threads = 1;
  options.on_layer = [&](const algoscope::LayerCheck& l) { streamed.push_back(l.node); };
  auto result = algoscope::check_plan(model, plan_with(*model, "fast", {{"s3", "wrong"}}), options,
                                      *registry);
  EXPECT_FALSE(result.passed());
  EXPECT_FALSE(result.partial);
  EXPECT_EQ(streamed, (std::vector<std::string>{"s1", "s2", "s3", "s4"}));
  ASSERT_EQ(result.layers.size(), 4u);
  auto failed = result.failed_layers();
  ASSERT_EQ(failed.size(), 1u);
  EXPECT_EQ(failed[0]->node, "s3");
  EXPECT_EQ(failed[0]->algorithm, "wrong");
  EXPECT_EQ(failed[0]->error.mismatches, 256);
  EXPECT_NEAR(failed[0]->error.max_abs_error, 1e-2, 1e-6);
  for (const auto& l : result.layers) {
    EXPECT_TRUE(l.compared) << l.node;
    if (l.node != "s3") EXPECT_EQ(l.error.max_abs_error, 0.0) << l.node;
    EXPECT_EQ(l.error.elements, 256) << l.node;
  }
  // End to end the offset went through s4 (doubled) and is caught against the reference run.
  ASSERT_EQ(result.outputs.size(), 1u);
  EXPECT_FALSE(result.outputs[0].passed());
  EXPECT_NEAR(result.outputs[0].vs_reference.max_abs_error, 2e-2, 1e-5);
  EXPECT_FALSE(result.outputs[0].vs_expected.has_value());

  // A looser tolerance lets it through, layer by layer and end to end.
  options.tolerance = Tolerance{0.05, 0};
  auto loose = algoscope::check_plan(model, plan_with(*model, "fast", {{"s3", "wrong"}}), options,
                                     *registry);
  EXPECT_TRUE(loose.passed());
  EXPECT_EQ(loose.end_to_end_tolerance.atol, 0.05);
}

// ResNet-50's layer4 on random weights: 512 -> 512 3x3 over activations in the tens, outputs in
// the thousands. Float sums of 4608 products round by more than a fixed atol of 1e-4 on the
// elements that cancel to near zero; the tolerance's magnitude scale (registry.h) lets the
// rounding through, which the registry's fixed atol did not (every GEMM-based algorithm was
// rejected there by tune).
TEST(MeasureCheck, RoundingOfLargeActivationsIsNotAMismatch) {
  using onnx_builder::random_floats;
  onnx_builder::ModelBuilder b("wide", 13);
  b.input("x", {1, 512, 7, 7});
  b.initializer("w", {512, 512, 3, 3}, random_floats(512 * 512 * 9, 11));
  b.node("Conv", {"x", "w"}, {"y"}, "conv").ints("pads", {1, 1, 1, 1});
  b.output("y");
  auto model =
      std::make_shared<const Model>(algoscope::load_model_from_bytes(b.bytes(), "wide.onnx"));
  algoscope::CheckOptions options;
  options.threads = 1;  // like every test here, so that ThreadSanitizer runs them (README)
  options.inputs = {
      Tensor::from_vector<float>({1, 512, 7, 7}, random_floats(512 * 49, 12, 0.0f, 40.0f))};
  for (const char* algorithm : {"direct", "im2col", "winograd_f2"}) {
    Plan plan = Plan::for_model(*model);
    plan.defaults["Conv"] = algorithm;
    const algoscope::CheckResult result = algoscope::check_plan(model, plan, options);
    ASSERT_EQ(result.layers.size(), 1u);
    const algoscope::ErrorStats& error = result.layers[0].error;
    EXPECT_TRUE(result.passed()) << algorithm << ": " << error.mismatches << " mismatches, max abs "
                                 << error.max_abs_error << ", scale " << error.scale;
    EXPECT_GT(error.scale, 1000) << algorithm;
    // The rounding is real: a fixed atol of the registry's size would have failed this layer.
    EXPECT_GT(error.max_abs_error, 1e-3) << algorithm;
  }
}

TEST(MeasureCheck, ReferenceLayersAreNotComparedAndExpectedOutputsAre) {
  auto registry = scale_registry();
  auto model = scale_chain(2, 8);
  algoscope::CheckOptions options;
  options.threads = 1;
  options.inputs = {Tensor::from_vector<float>({8}, {1, 2, 3, 4, 5, 6, 7, 8})};
  options.expected = {Tensor::from_vector<float>({8}, {4, 8, 12, 16, 20, 24, 28, 32})};
  reset_calls();
  auto result = algoscope::check_plan(model, plan_with(*model, "reference", {{"s2", "fast"}}),
                                      options, *registry);
  EXPECT_TRUE(result.passed());
  EXPECT_FALSE(result.layers[0].compared);
  EXPECT_TRUE(result.layers[1].compared);
  EXPECT_EQ(calls_of("fast"), 2);  // the comparison and the plan's own run
  ASSERT_TRUE(result.outputs[0].vs_expected.has_value());
  EXPECT_EQ(result.outputs[0].vs_expected->mismatches, 0);

  options.expected[0].data<float>()[7] = 33;
  auto wrong_expected = algoscope::check_plan(model, plan_with(*model, "fast"), options, *registry);
  EXPECT_FALSE(wrong_expected.passed());
  EXPECT_TRUE(wrong_expected.failed_layers().empty());
  EXPECT_EQ(wrong_expected.outputs[0].vs_expected->mismatches, 1);
  EXPECT_TRUE(wrong_expected.outputs[0].vs_reference.passed());

  options.expected = {Tensor(DType::Float32, {9})};
  EXPECT_THROW(algoscope::check_plan(model, plan_with(*model, "fast"), options, *registry), Error);
  options.expected = {};
  options.inputs = {Tensor(DType::Float32, {9})};
  EXPECT_THROW(algoscope::check_plan(model, plan_with(*model, "fast"), options, *registry), Error);
}

TEST(MeasureCheck, ProgressCountsUpAndCancelReturnsPartial) {
  auto registry = scale_registry();
  auto model = scale_chain(6);
  std::vector<Progress> reports;
  auto token = std::make_shared<CancelToken>();
  algoscope::CheckOptions options;
  options.threads = 1;
  options.control.progress = [&](const Progress& p) { reports.push_back(p); };
  options.control.cancel = token;
  auto full = algoscope::check_plan(model, plan_with(*model, "fast"), options, *registry);
  ASSERT_FALSE(reports.empty());
  for (size_t i = 1; i < reports.size(); ++i) EXPECT_GE(reports[i].done, reports[i - 1].done);
  EXPECT_EQ(reports.back().done, reports.back().total);
  EXPECT_EQ(reports.front().layer, "s1");
  EXPECT_EQ(reports.front().algorithm, "fast");

  reports.clear();
  options.control.progress = [&](const Progress& p) {
    reports.push_back(p);
    if (reports.size() == 3) token->cancel();
  };
  auto partial = algoscope::check_plan(model, plan_with(*model, "fast"), options, *registry);
  EXPECT_TRUE(partial.partial);
  EXPECT_FALSE(partial.passed());
  EXPECT_LT(partial.layers.size(), full.layers.size());
  EXPECT_TRUE(partial.outputs.empty());
  EXPECT_NE(reports.back().done, reports.back().total);
}

// Error propagation by hand: s1 and s2 compute y = 2x, `wrong` adds 0.01 to its output, the
// inputs run up to 1. With `wrong` on s1 only, s1 carries 0.01 and s2, exact itself, doubles it to
// 0.02; relative to their largest reference values (2 and 4) both are 0.005: growth 1. With
// `wrong` on both, s2 carries 0.02 + 0.01 = 0.03, relative 0.0075: growth 1.5.
TEST(MeasureCheck, PropagationAccumulatesTheErrorAsComputedByHand) {
  auto registry = scale_registry();
  auto model = scale_chain(2, 8);
  algoscope::CheckOptions options;
  options.threads = 1;
  options.inputs = {Tensor::from_vector<float>({8}, {-1, -0.75, -0.5, -0.25, 0.25, 0.5, 0.75, 1})};
  options.tolerance = Tolerance{0.05, 0};  // the error passes: propagation reports it anyway

  auto plain = algoscope::check_plan(model, plan_with(*model, "reference", {{"s1", "wrong"}}),
                                     options, *registry);
  for (const auto& l : plain.layers) EXPECT_FALSE(l.propagation) << l.node;
  EXPECT_TRUE(json::parse(algoscope::to_json(plain))["layers"][0]["propagation"].is_null());

  options.propagation = true;
  std::vector<Progress> reports;
  options.control.progress = [&](const Progress& p) { reports.push_back(p); };
  auto first = algoscope::check_plan(model, plan_with(*model, "reference", {{"s1", "wrong"}}),
                                     options, *registry);
  ASSERT_FALSE(first.partial);
  ASSERT_EQ(first.layers.size(), 2u);
  ASSERT_TRUE(first.layers[0].propagation && first.layers[1].propagation);
  const algoscope::PropagatedError& s1 = *first.layers[0].propagation;
  const algoscope::PropagatedError& s2 = *first.layers[1].propagation;
  EXPECT_NEAR(s1.local_relative, 0.005, 1e-6);
  EXPECT_NEAR(s1.accumulated.max_abs_error, 0.01, 1e-6);
  EXPECT_NEAR(s1.accumulated_relative, 0.005, 1e-6);
  EXPECT_EQ(s1.inherited_relative, 0);  // it reads the graph input
  EXPECT_EQ(s1.growth(), 0);
  EXPECT_FALSE(first.layers[1].compared);
  EXPECT_EQ(s2.local_relative, 0);
  EXPECT_NEAR(s2.accumulated.max_abs_error, 0.02, 1e-6);
  EXPECT_EQ(s2.accumulated.elements, 8);
  EXPECT_NEAR(s2.accumulated_relative, 0.005, 1e-6);
  EXPECT_NEAR(s2.inherited_relative, 0.005, 1e-6);
  EXPECT_NEAR(s2.growth(), 1.0, 1e-3);
  // The accumulated error is the end-to-end one at the last layer.
  EXPECT_NEAR(s2.accumulated.max_abs_error, first.outputs[0].vs_reference.max_abs_error, 1e-7);
  // Two units per layer (the comparison, the observed run) and the plan's run.
  EXPECT_EQ(reports.back().total, 5u);
  EXPECT_EQ(reports.back().done, 5u);

  auto both = algoscope::check_plan(model, plan_with(*model, "wrong"), options, *registry);
  ASSERT_TRUE(both.layers[1].propagation);
  const algoscope::PropagatedError& twice = *both.layers[1].propagation;
  EXPECT_NEAR(twice.local_relative, 0.0025, 1e-6);
  EXPECT_NEAR(twice.accumulated.max_abs_error, 0.03, 1e-6);
  EXPECT_NEAR(twice.accumulated_relative, 0.0075, 1e-6);
  EXPECT_NEAR(twice.growth(), 1.5, 1e-3);
  const json j = json::parse(algoscope::to_json(both))["layers"][1]["propagation"];
  EXPECT_NEAR(j["growth"].get<double>(), 1.5, 1e-3);
  EXPECT_NEAR(j["accumulated"]["max_abs_error"].get<double>(), 0.03, 1e-6);
  EXPECT_NEAR(j["inherited_relative"].get<double>(), 0.005, 1e-6);

  // Cancelled during the observed run: partial, no end-to-end comparison.
  auto token = std::make_shared<CancelToken>();
  options.control.cancel = token;
  options.control.progress = [&](const Progress& p) {
    if (p.done == 3) token->cancel();
  };
  auto cancelled = algoscope::check_plan(model, plan_with(*model, "wrong"), options, *registry);
  EXPECT_TRUE(cancelled.partial);
  EXPECT_TRUE(cancelled.outputs.empty());
}

// ---------------------------------------------------------------------------------------------
// Timing

TEST(MeasureTiming, LayersInIsolationWithSubsetsAndVerification) {
  auto registry = scale_registry();
  auto model = scale_chain();
  algoscope::LayerTimingOptions options;
  options.threads = 1;
  options.repeat = 4;
  options.adaptive.target_ci = 0;  // exactly `repeat` samples
  options.warmup = 2;
  std::vector<std::string> streamed;
  options.on_timing = [&](const algoscope::AlgorithmTiming& t) {
    streamed.push_back(t.node + ":" + t.algorithm);
  };
  auto all = algoscope::time_layers(model, plan_with(*model, "fast"), options, *registry);
  EXPECT_FALSE(all.partial);
  // Every applicable algorithm but reference, the plan's own first.
  ASSERT_EQ(all.timings.size(), 4u * 3u);
  EXPECT_EQ(all.timings_performed, 12u);
  EXPECT_EQ(streamed.front(), "s1:fast");
  for (const auto& t : all.timings) {
    EXPECT_EQ(t.time.samples, 4) << t.node << " " << t.algorithm;
    EXPECT_GT(t.time.median_ms, 0);
    EXPECT_EQ(t.flops, 256);
    EXPECT_FALSE(t.error.has_value());
  }

  reset_calls();
  options.nodes = {"s2"};
  options.algorithms = {"wrong", "reference"};
  options.verify = true;
  auto some = algoscope::time_layers(model, plan_with(*model, "fast"), options, *registry);
  ASSERT_EQ(some.timings.size(), 2u);
  EXPECT_EQ(some.timings[0].algorithm, "reference");  // registry order
  EXPECT_EQ(some.timings[1].algorithm, "wrong");
  ASSERT_TRUE(some.timings[1].error.has_value());
  EXPECT_FALSE(some.timings[1].usable());
  EXPECT_EQ(some.timings[1].time.samples, 1) << "out of tolerance: timed no further";
  EXPECT_EQ(some.timings[0].error->mismatches, 0);
  // The run stops after s2: s3 and s4 are never computed.
  EXPECT_EQ(calls_of("fast"), 2);

  options.nodes = {"nope"};
  EXPECT_THROW(algoscope::time_layers(model, plan_with(*model, "fast"), options, *registry), Error);
  options.nodes = {};
  options.algorithms = {"warp_drive"};
  EXPECT_THROW(algoscope::time_layers(model, plan_with(*model, "fast"), options, *registry), Error);
}

TEST(MeasureTiming, EndToEndSamplesEveryRunAndEveryLayer) {
  auto registry = scale_registry();
  auto model = scale_chain();
  auto options = exact_runs(2, 7);
  reset_calls();
  auto r = algoscope::time_end_to_end(model, plan_with(*model, "fast"), options, *registry);
  EXPECT_FALSE(r.partial);
  EXPECT_EQ(calls_of("fast"), 4 * 9);
  EXPECT_EQ(r.latency.samples, 7);
  EXPECT_EQ(r.kernel_sum.samples, 7);
  ASSERT_EQ(r.layers.size(), 4u);
  for (const auto& l : r.layers) {
    EXPECT_EQ(l.time.samples, 7);
    EXPECT_EQ(l.algorithm, "fast");
  }
  // The per-node times are disjoint parts of each run.
  EXPECT_GE(r.overhead.min_ms, 0);
  EXPECT_GE(r.latency.min_ms, r.kernel_sum.min_ms);
  EXPECT_EQ(r.threads, 1);
  EXPECT_EQ(r.flops, 4 * 256);

  auto token = std::make_shared<CancelToken>();
  token->cancel();
  options.control.cancel = token;
  reset_calls();
  auto cancelled = algoscope::time_end_to_end(model, plan_with(*model, "fast"), options, *registry);
  EXPECT_TRUE(cancelled.partial);
  EXPECT_EQ(cancelled.latency.samples, 0);
  EXPECT_EQ(calls_of("fast"), 0);
}

// The trace holds every timed run (not the warm-up ones) and each of its kernels, in execution
// order, each kernel inside its run and after the one before it; the Chrome trace has them all.
TEST(MeasureTiming, EndToEndTraceHasEveryRunAndKernelInOrder) {
  using algoscope::TraceSlice;
  auto registry = scale_registry();
  auto model = scale_chain();
  auto options = exact_runs(2, 3);
  EXPECT_TRUE(algoscope::time_end_to_end(model, plan_with(*model, "fast"), options, *registry)
                  .trace.empty());
  options.trace = true;
  auto r = algoscope::time_end_to_end(model, plan_with(*model, "fast"), options, *registry);
  ASSERT_EQ(r.trace.size(), 3u * 5);
  const TraceSlice* run = nullptr;
  const TraceSlice* previous = nullptr;
  size_t k = 0;
  for (const TraceSlice& slice : r.trace) {
    EXPECT_EQ(slice.thread, r.trace[0].thread);
    EXPECT_GE(slice.duration_us, 0);
    if (slice.kind == TraceSlice::Kind::run) {
      ASSERT_EQ(k % 5, 0u);
      EXPECT_EQ(slice.run, int(k / 5));
      if (run) EXPECT_GE(slice.start_us, run->start_us + run->duration_us);
      run = &slice;
      previous = nullptr;
    } else {
      ASSERT_TRUE(run);
      EXPECT_EQ(slice.kind, TraceSlice::Kind::kernel);
      EXPECT_EQ(slice.run, run->run);
      EXPECT_EQ(slice.step, k % 5 - 1);
      EXPECT_EQ(slice.name, "s" + std::to_string(k % 5));
      EXPECT_GE(slice.start_us, run->start_us);
      EXPECT_LE(slice.start_us + slice.duration_us, run->start_us + run->duration_us + 1e-6);
      if (previous) EXPECT_GE(slice.start_us, previous->start_us + previous->duration_us - 1e-6);
      previous = &slice;
    }
    ++k;
  }
  // The kernel slices are the samples of the layer statistics: their least is the minimum.
  for (size_t i = 0; i < 4; ++i) {
    double least = INFINITY;
    for (const TraceSlice& slice : r.trace)
      if (slice.kind == TraceSlice::Kind::kernel && slice.step == i)
        least = std::min(least, slice.duration_us / 1e3);
    EXPECT_NEAR(least, r.layers[i].time.min_ms, 1e-9) << i;
  }

  const json chrome = json::parse(algoscope::to_chrome_trace(r, "test"));
  size_t kernels = 0, runs = 0;
  for (const json& e : chrome["traceEvents"]) {
    if (e["ph"] != "X") continue;
    EXPECT_EQ(e["tid"], r.trace[0].thread);
    if (e["cat"] == "kernel") {
      ++kernels;
      EXPECT_EQ(e["args"]["algorithm"], "fast");
      EXPECT_EQ(e["args"]["op"], "Scale");
    }
    runs += e["cat"] == "run";
  }
  EXPECT_EQ(kernels, 12u);
  EXPECT_EQ(runs, 3u);
  EXPECT_EQ(chrome["traceEvents"][0]["args"]["name"], "test");
}

// on_repeat reports after every timed run (not the warm-up runs): the n-th report counts n runs and
// its statistics have n samples of the latency and of every layer; the last equals the final
// result. A cancel from inside the callback stops the runs there, and the result says partial
// with what was finished.
TEST(MeasureTiming, EndToEndStreamsEveryRepeat) {
  auto registry = scale_registry();
  auto model = scale_chain();
  auto options = exact_runs(2, 5);
  std::vector<algoscope::EndToEndResult> streamed;
  options.on_repeat = [&](const algoscope::RepeatReport& report) {
    EXPECT_EQ(report.runs, int(streamed.size() + 1));
    streamed.push_back(report.statistics());
  };
  auto r = algoscope::time_end_to_end(model, plan_with(*model, "fast"), options, *registry);
  ASSERT_EQ(streamed.size(), 5u);
  for (size_t n = 0; n < streamed.size(); ++n) {
    EXPECT_EQ(streamed[n].latency.samples, int(n + 1));
    ASSERT_EQ(streamed[n].layers.size(), 4u);
    for (const auto& l : streamed[n].layers) {
      EXPECT_EQ(l.time.samples, int(n + 1));
      EXPECT_EQ(l.algorithm, "fast");
    }
    EXPECT_FALSE(streamed[n].partial);
  }
  EXPECT_EQ(streamed.back().latency.median_ms, r.latency.median_ms);
  EXPECT_EQ(streamed.back().layers[2].time.min_ms, r.layers[2].time.min_ms);

  auto token = std::make_shared<CancelToken>();
  options.control.cancel = token;
  streamed.clear();
  options.on_repeat = [&](const algoscope::RepeatReport& report) {
    streamed.push_back(report.statistics());
    if (report.runs == 2) token->cancel();
  };
  reset_calls();
  auto cancelled = algoscope::time_end_to_end(model, plan_with(*model, "fast"), options, *registry);
  EXPECT_TRUE(cancelled.partial);
  EXPECT_EQ(streamed.size(), 2u);
  EXPECT_EQ(cancelled.latency.samples, 2);
  EXPECT_EQ(calls_of("fast"), 4 * (2 + 2));  // two warm-up and two timed runs of four layers
}

// Adaptive repeating stops for one of its rules and says which: without a target, exactly `repeat`
// runs; a target anything meets, at the minimum once there are three samples (fewer are never a
// result); a target nothing meets, at the most samples allowed or when the time budget is spent.
// End to end and per layer alike (`slow` on one layer: microseconds, so no two runs are equal).
TEST(MeasureTiming, AdaptiveRepeatsStopForTheRuleThatEndedThemAndSayWhich) {
  using algoscope::AdaptiveRepeat;
  using algoscope::SamplingStop;
  auto registry = scale_registry();
  auto model = scale_chain();
  using Measure = std::function<algoscope::TimingStats(AdaptiveRepeat, int)>;
  Measure end_to_end = [&](AdaptiveRepeat adaptive, int repeat) {
    algoscope::EndToEndOptions options;
    options.threads = 1;
    options.warmup = 1;
    options.repeat = repeat;
    options.adaptive = adaptive;
    return algoscope::time_end_to_end(model, plan_with(*model, "slow"), options, *registry).latency;
  };
  Measure per_layer = [&](AdaptiveRepeat adaptive, int repeat) {
    algoscope::LayerTimingOptions options;
    options.threads = 1;
    options.repeat = repeat;
    options.adaptive = adaptive;
    options.nodes = {"s2"};
    options.algorithms = {"slow"};
    auto r = algoscope::time_layers(model, plan_with(*model, "fast"), options, *registry);
    EXPECT_EQ(r.timings.size(), 1u);
    return r.timings.at(0).time;
  };
  for (const Measure& measure : {end_to_end, per_layer}) {
    auto fixed = measure({.target_ci = 0}, 4);
    EXPECT_EQ(fixed.samples, 4);
    EXPECT_EQ(fixed.stop, SamplingStop::count);

    auto loose = measure({.target_ci = 10, .max_repeat = 100, .budget_ms = 1e9}, 1);
    EXPECT_EQ(loose.samples, algoscope::TimingStats::kConclusiveSamples);
    EXPECT_EQ(loose.stop, SamplingStop::converged);
    EXPECT_LE(loose.ci_relative(), 10);

    auto limited = measure({.target_ci = 1e-12, .max_repeat = 9, .budget_ms = 1e9}, 2);
    EXPECT_EQ(limited.samples, 9);
    EXPECT_EQ(limited.stop, SamplingStop::limit);
    EXPECT_GT(limited.ci_relative(), 1e-12);

    auto budget = measure({.target_ci = 1e-12, .max_repeat = 1000, .budget_ms = 0}, 2);
    EXPECT_EQ(budget.samples, 2);
    EXPECT_EQ(budget.stop, SamplingStop::budget);
  }
}

TEST(MeasureCompare, DifferingLayersAndRatios) {
  auto registry = scale_registry();
  auto model = scale_chain();
  auto options = exact_runs(2, 5);
  auto r =
      algoscope::compare_plans(model, plan_with(*model, "fast"),
                               plan_with(*model, "fast", {{"s2", "slow"}}), options, *registry);
  EXPECT_FALSE(r.partial);
  EXPECT_EQ(r.differing_layers(), 1u);
  ASSERT_EQ(r.layers.size(), 4u);
  EXPECT_TRUE(r.layers[1].differs());
  EXPECT_EQ(r.layers[1].algorithm_a, "fast");
  EXPECT_EQ(r.layers[1].algorithm_b, "slow");
  EXPECT_FALSE(r.layers[0].differs());
  // `slow` does four thousand times the work.
  EXPECT_GT(r.layers[1].ratio(), 1.0);
  EXPECT_GT(r.latency_ratio(), 1.0);
  EXPECT_EQ(r.a.latency.samples, 5);
  EXPECT_EQ(r.b.latency.samples, 5);
}

// ---------------------------------------------------------------------------------------------
// Tuning and the tuning cache

TEST(MeasureTune, PicksTheFastestAlgorithmWithinTolerance) {
  auto registry = scale_registry();
  auto model = scale_chain();
  TempDir dir;
  std::vector<std::string> streamed;
  auto options = tune_options(dir.file("cache.json"));
  options.measure_end_to_end = true;
  options.on_layer = [&](const algoscope::TunedLayer& l) { streamed.push_back(l.node); };
  size_t timings_streamed = 0;
  options.on_timing = [&](const algoscope::AlgorithmTiming&) { ++timings_streamed; };
  auto result = algoscope::tune(model, options, *registry);
  EXPECT_FALSE(result.partial);
  EXPECT_EQ(streamed, (std::vector<std::string>{"s1", "s2", "s3", "s4"}));
  EXPECT_EQ(timings_streamed, 12u);
  ASSERT_EQ(result.layers.size(), 4u);
  for (const auto& l : result.layers) {
    EXPECT_EQ(l.algorithm, "fast") << l.node;
    EXPECT_FALSE(l.from_cache);
    ASSERT_EQ(l.candidates.size(), 3u);
    EXPECT_EQ(l.candidates[0].algorithm, "slow");  // the engine's choice is measured first
    for (const auto& c : l.candidates) {
      ASSERT_TRUE(c.error.has_value()) << c.algorithm;
      EXPECT_EQ(c.usable(), c.algorithm != "wrong") << c.algorithm;
    }
    EXPECT_EQ(result.plan.layers.at(l.node), "fast");
  }
  EXPECT_EQ(result.timings_performed, 12u);
  EXPECT_EQ(result.cache_hits, 0u);
  ASSERT_TRUE(result.end_to_end.has_value());
  EXPECT_EQ(result.end_to_end->layers[0].algorithm, "fast");
  ASSERT_TRUE(result.default_end_to_end.has_value());
  EXPECT_EQ(result.default_end_to_end->layers[0].algorithm, "slow");
  EXPECT_EQ(result.default_end_to_end->latency.samples, result.end_to_end->latency.samples);
  EXPECT_TRUE(result.family_plans.empty());  // no algorithm of a layout family
  EXPECT_FALSE(result.per_layer_end_to_end.has_value());

  // The plan loads back and fits the model; its measurements say what was measured.
  Plan loaded = Plan::from_json(result.plan.to_json());
  EXPECT_NO_THROW(algoscope::validate_plan(loaded, *model, *registry));
  EXPECT_EQ(loaded.layers, result.plan.layers);
  json m = json::parse(loaded.measurements_json);
  EXPECT_EQ(m["method"], "tune");
  EXPECT_EQ(m["partial"], false);
  EXPECT_EQ(m["timings_performed"], 12);
  ASSERT_EQ(m["layers"].size(), 4u);
  EXPECT_EQ(m["layers"][0]["algorithm"], "fast");
  EXPECT_GT(m["layers"][0]["time_ms"]["median"].get<double>(), 0);
  EXPECT_EQ(m["layers"][0]["candidates"].size(), 3u);
  EXPECT_GT(m["end_to_end"]["latency_ms"]["median"].get<double>(), 0);
  EXPECT_GT(m["default_end_to_end"]["latency_ms"]["median"].get<double>(), 0);
}

// `alone` is the fastest usable algorithm of each layer timed alone; `chained` is 10x slower
// alone but 400x faster in a chain of its family, and `chained_wrong`, of the same family, is
// fast but out of tolerance. The family's plan must win end to end, with `chained` everywhere.
TEST(MeasureTune, ALayoutFamilysPlanReplacesThePerLayerChoicesWhenFasterEndToEnd) {
  auto registry = scale_registry_of({scale_algorithm("alone", 10, 0, 400),
                                     scale_algorithm("chained", 1, 0, 4000, "test_chain"),
                                     scale_algorithm("chained_wrong", 1, 1e-2f, 1, "test_chain")});
  auto model = scale_chain(4, 4096, "c");
  TempDir dir;
  auto options = tune_options(dir.file("cache.json"));
  options.repeat = 5;
  options.prune_factor = 1e9;  // every candidate timed fully: the choice alone is certain

  auto per_layer_only = algoscope::tune(model, options, *registry);
  EXPECT_TRUE(per_layer_only.family_plans.empty());  // nothing timed end to end, nothing chosen
  for (const auto& l : per_layer_only.layers) {
    EXPECT_EQ(l.algorithm, "alone") << l.node;
    EXPECT_TRUE(l.layout_family.empty());
  }

  options.measure_end_to_end = true;
  auto result = algoscope::tune(model, options, *registry);
  ASSERT_FALSE(result.partial);
  ASSERT_EQ(result.family_plans.size(), 1u);
  const algoscope::FamilyPlan& family = result.family_plans[0];
  EXPECT_EQ(family.family, "test_chain");
  EXPECT_EQ(family.layers, 4u);
  EXPECT_TRUE(family.chosen);
  for (const auto& l : result.layers) {
    EXPECT_EQ(l.algorithm, "chained") << l.node;
    EXPECT_EQ(l.layout_family, "test_chain") << l.node;
    EXPECT_EQ(result.plan.layers.at(l.node), "chained");
  }
  ASSERT_TRUE(result.end_to_end && result.per_layer_end_to_end);
  EXPECT_EQ(result.end_to_end->layers[0].algorithm, "chained");
  EXPECT_EQ(result.per_layer_end_to_end->layers[0].algorithm, "alone");
  EXPECT_LT(result.end_to_end->latency.median_ms, result.per_layer_end_to_end->latency.median_ms);

  json m = json::parse(result.plan.measurements_json);
  ASSERT_EQ(m["family_plans"].size(), 1u);
  EXPECT_EQ(m["family_plans"][0]["family"], "test_chain");
  EXPECT_EQ(m["family_plans"][0]["layers_changed"], 4);
  EXPECT_EQ(m["family_plans"][0]["chosen"], true);
  EXPECT_GT(m["family_plans"][0]["latency_ms"]["median"].get<double>(), 0);
  EXPECT_GT(m["per_layer_end_to_end"]["latency_ms"]["median"].get<double>(), 0);
  EXPECT_EQ(m["layers"][2]["algorithm"], "chained");
  EXPECT_EQ(m["layers"][2]["layout_family"], "test_chain");
}

// tune with every candidate timed fully (the choice alone is certain) and the whole plans timed.
algoscope::TuneResult tune_whole_plans(const std::shared_ptr<const Model>& model,
                                       const algoscope::Registry& registry, int repeat = 5) {
  TempDir dir;
  auto options = tune_options(dir.file("cache.json"));
  options.repeat = repeat;
  options.prune_factor = 1e9;
  options.measure_end_to_end = true;
  return algoscope::tune(model, options, registry);
}

// `a` is faster alone on odd layers, `b` on even ones, and they keep values in different layouts:
// the family's plan of each layer's fastest member alternates them and chains nothing, while a
// plan preferring one member chains every layer. Those plans are timed too, and one wins.
TEST(MeasureTune, AFamilyPlanPreferringOneMemberKeepsOneLayout) {
  auto registry = scale_registry_of({scale_algorithm("alone", 10, 0, 1000),
                                     keyed_chain_algorithm("a", "layout_a", 2000, 4000),
                                     keyed_chain_algorithm("b", "layout_b", 4000, 2000)});
  auto model = scale_chain(4, 4096, "k");
  const auto result = tune_whole_plans(model, *registry);
  ASSERT_FALSE(result.partial);
  // The family's plans come first. (Where a loaded machine made `a` or `b` win a layer alone,
  // the plan with `alone` everywhere follows as an op's plan.)
  ASSERT_GE(result.family_plans.size(), 3u);
  for (size_t k = 3; k < result.family_plans.size(); ++k)
    EXPECT_EQ(result.family_plans[k].family, "") << k;
  EXPECT_EQ(result.family_plans[0].preferred, "");  // a, b, a, b: slower than `alone`
  EXPECT_EQ(result.family_plans[1].preferred, "a");
  EXPECT_EQ(result.family_plans[2].preferred, "b");
  EXPECT_FALSE(result.family_plans[0].chosen);
  const auto chosen = std::find_if(result.family_plans.begin(), result.family_plans.begin() + 3,
                                   [](const algoscope::FamilyPlan& p) { return p.chosen; });
  ASSERT_NE(chosen, result.family_plans.begin() + 3);
  for (const auto& layer : result.layers) {
    EXPECT_EQ(layer.algorithm, chosen->preferred) << layer.node;
    EXPECT_EQ(layer.layout_family, "test_chain") << layer.node;
  }
  EXPECT_LT(result.end_to_end->latency.median_ms,
            result.family_plans[0].end_to_end.latency.median_ms);
  json m = json::parse(result.plan.measurements_json);
  EXPECT_EQ(m["family_plans"][1]["preferred"], "a");
}

// `shared` is 1.25x slower than `alone` on each layer timed alone but 100x faster in the model (the
// same loop in both): the plan giving every Scale layer `shared` is timed as a whole and wins.
// 1.25x sits between "fastest alone" and the 1.5x beyond which an op plan is not timed, with room
// both ways for a loaded machine (CI runs tests two at a time on two cores); the medians are of 9.
TEST(MeasureTune, APlanWithOneAlgorithmForAnOpWinsWhereLayersAloneMislead) {
  auto registry = scale_registry_of(
      {self_slowed_algorithm("alone", 100, 100), self_slowed_algorithm("shared", 125, 1)});
  auto model = scale_chain(4, 4096, "u");
  const auto result = tune_whole_plans(model, *registry, 9);
  ASSERT_FALSE(result.partial);
  ASSERT_TRUE(result.per_layer_end_to_end);
  // Noise may let `shared` win a layer alone (then the plan of `alone` everywhere is timed too);
  // `alone` wins most of them.
  size_t alone_wins = 0;
  for (const auto& layer : result.per_layer_end_to_end->layers)
    alone_wins += layer.algorithm == "alone";
  EXPECT_GE(alone_wins, 3u);
  const auto uniform =
      std::find_if(result.family_plans.begin(), result.family_plans.end(),
                   [](const algoscope::FamilyPlan& p) { return p.preferred == "shared"; });
  ASSERT_NE(uniform, result.family_plans.end());
  EXPECT_EQ(uniform->family, "");
  EXPECT_EQ(uniform->op_type, "Scale");
  EXPECT_EQ(uniform->layers, alone_wins);
  EXPECT_TRUE(uniform->chosen);
  for (const auto& plan : result.family_plans) EXPECT_EQ(plan.op_type, "Scale");
  for (const auto& layer : result.layers) EXPECT_EQ(layer.algorithm, "shared") << layer.node;
  json m = json::parse(result.plan.measurements_json);
  EXPECT_EQ(m["family_plans"][uniform - result.family_plans.begin()]["op_type"], "Scale");
}

// Pruning (issue 17): a first call that is slow only because it is the first (JIT, first touch)
// does not prune; an algorithm whose first two calls are both far slower is pruned with those two
// samples. A layout family's first candidate on a layer is never pruned (issue 20: its plan
// needs a fully timed member on every layer, or values are converted around the hole), its
// second one is; a pruned candidate never enters a family's plan, so every choice is fully timed.
TEST(MeasureTune, PruningNeedsTwoSlowCallsAndSparesAFamilysFirstCandidate) {
  auto registry = scale_registry_of(
      {scale_algorithm("alone", 10, 0, 400), scale_algorithm("jit", 1, 0, 1, "", 40000),
       scale_algorithm("heavy_chained", 2, 0, 40000, "test_chain"),
       scale_algorithm("heavier_chained", 3, 0, 80000, "test_chain")});
  auto model = scale_chain(4, 4096, "p");
  TempDir dir;
  auto options = tune_options(dir.file("cache.json"));
  options.use_cache = false;
  options.prune_factor = 3;
  options.measure_end_to_end = true;
  const auto result = algoscope::tune(model, options, *registry);
  ASSERT_FALSE(result.partial);
  for (const auto& layer : result.layers) {
    SCOPED_TRACE(layer.node);
    EXPECT_EQ(layer.algorithm, layer.layout_family.empty() ? "jit" : "heavy_chained");
    for (const auto& c : layer.candidates) {
      if (c.algorithm == "jit" || c.algorithm == "heavy_chained") {
        EXPECT_FALSE(c.pruned) << c.algorithm;
        EXPECT_EQ(c.time.samples, options.repeat) << c.algorithm;
      }
      if (c.algorithm == "heavier_chained") {
        EXPECT_TRUE(c.pruned);
        EXPECT_EQ(c.time.samples, 2);
      }
    }
  }
  // The family's plan is made of its fully timed member alone.
  ASSERT_EQ(result.family_plans.size(), 1u);
  EXPECT_EQ(result.family_plans[0].family, "test_chain");
  EXPECT_EQ(result.family_plans[0].layers, result.layers.size());
}

TEST(MeasureTune, FallsBackToReferenceWhenNothingElseIsWithinTolerance) {
  auto registry = scale_registry_of({scale_algorithm("wrong", 5, 1e-2f)});
  auto model = scale_chain(2);
  TempDir dir;
  auto result = algoscope::tune(model, tune_options(dir.file("cache.json")), *registry);
  for (const auto& l : result.layers) EXPECT_EQ(l.algorithm, "reference") << l.node;
}

// A fully timed candidate with a chosen median, confidence interval, error and workspace.
algoscope::AlgorithmTiming timed(const std::string& name, double median, double ci_low,
                                 double ci_high, double error = 0, size_t workspace = 0) {
  algoscope::AlgorithmTiming t;
  t.algorithm = name;
  t.time = algoscope::TimingStats::of({ci_low, median, ci_high});
  t.time.ci_low_ms = ci_low;
  t.time.ci_high_ms = ci_high;
  algoscope::ErrorStats e;
  e.max_abs_error = error;
  e.elements = 1;
  t.error = e;
  t.workspace_bytes = workspace;
  return t;
}

// choose_algorithm's answer by name: its pointers point into the candidates, which the calls
// below pass as temporaries.
struct NamedChoice {
  std::string chosen;
  std::vector<std::string> tied;
  std::string tie_break;
};
NamedChoice choose(const std::vector<algoscope::AlgorithmTiming>& candidates,
                   const algoscope::OpDefinition* op = nullptr) {
  const algoscope::LayerChoice choice = algoscope::choose_algorithm(candidates, op);
  NamedChoice named{choice.chosen ? choice.chosen->algorithm : "", {}, choice.tie_break};
  for (const algoscope::AlgorithmTiming* t : choice.tied) named.tied.push_back(t->algorithm);
  return named;
}

TEST(MeasureTune, TiesWithinNoiseAreBrokenByErrorThenWorkspaceThenRegistryOrder) {
  // Intervals apart: the faster, no tie.
  auto apart = choose({timed("a", 1.0, 0.99, 1.01), timed("b", 1.03, 1.02, 1.05)});
  ASSERT_FALSE(apart.chosen.empty());
  EXPECT_EQ(apart.chosen, "a");
  EXPECT_TRUE(apart.tied.empty());
  EXPECT_EQ(apart.tie_break, "");
  // Intervals overlapping but medians more than kTieMargin apart: no tie, lower error or not.
  auto far = choose({timed("a", 1.0, 0.5, 1.5, 1e-3), timed("b", 1.2, 0.9, 1.5, 1e-7)});
  EXPECT_EQ(far.chosen, "a");
  EXPECT_TRUE(far.tied.empty());
  // Within noise: the lower error wins although its median is higher; the clearly slower one
  // takes no part.
  auto by_error = choose({timed("a", 1.0, 0.97, 1.03, 1e-5), timed("b", 1.02, 0.99, 1.05, 1e-7),
                          timed("c", 2, 1.9, 2.1)});
  EXPECT_EQ(by_error.chosen, "b");
  ASSERT_EQ(by_error.tied.size(), 1u);
  EXPECT_EQ(by_error.tied[0], "a");
  EXPECT_EQ(by_error.tie_break, "lower error");
  // The same error: less workspace.
  auto by_workspace =
      choose({timed("a", 1.0, 0.97, 1.03, 1e-6, 4096), timed("b", 1.01, 0.98, 1.04, 1e-6, 0)});
  EXPECT_EQ(by_workspace.chosen, "b");
  EXPECT_EQ(by_workspace.tie_break, "less workspace");
  // The same error and workspace: the registry's order, whichever was measured first.
  auto registry = scale_registry();
  const algoscope::OpDefinition* op = registry->find_op("Scale");
  ASSERT_TRUE(op);
  std::string first_listed;
  for (const Algorithm& a : op->algorithms)
    if (first_listed.empty() && (a.name == "fast" || a.name == "slow")) first_listed = a.name;
  for (bool reversed : {false, true}) {
    std::vector<algoscope::AlgorithmTiming> twins = {timed("fast", 1.0, 0.97, 1.03),
                                                     timed("slow", 1.0, 0.97, 1.03)};
    if (reversed) std::swap(twins[0], twins[1]);
    auto by_order = choose(twins, op);
    EXPECT_EQ(by_order.chosen, first_listed) << reversed;
    EXPECT_EQ(by_order.tie_break, "registry order");
  }
  // Pruned, failed or out-of-tolerance candidates never win, however fast.
  auto pruned = timed("p", 0.1, 0.09, 0.11);
  pruned.pruned = true;
  auto failed = timed("f", 0.1, 0.09, 0.11);
  failed.failure = "threw";
  auto wrong = timed("w", 0.1, 0.09, 0.11);
  wrong.error->mismatches = 1;
  auto only_ok = choose({pruned, failed, wrong, timed("ok", 5, 4.9, 5.1)});
  EXPECT_EQ(only_ok.chosen, "ok");
  EXPECT_EQ(choose({pruned, failed, wrong}).chosen, "");

  // A tuned layer's ties are in the tune JSON.
  algoscope::TuneResult result;
  algoscope::TunedLayer layer;
  layer.algorithm = "b";
  layer.tied = {"a"};
  layer.tie_break = "lower error";
  result.layers.push_back(layer);
  json j = json::parse(algoscope::to_json(result));
  EXPECT_EQ(j["layers"][0]["tied"], json::array({"a"}));
  EXPECT_EQ(j["layers"][0]["tie_break"], "lower error");
}

TEST(MeasureTune, SecondRunIsServedByTheCache) {
  auto registry = scale_registry();
  TempDir dir;
  const std::string cache = dir.file("cache.json");
  auto first = algoscope::tune(scale_chain(), tune_options(cache), *registry);
  EXPECT_EQ(first.cache_hits, 0u);
  EXPECT_EQ(first.timings_performed, 12u);
  ASSERT_TRUE(fs::exists(cache));
  EXPECT_EQ(algoscope::TuningCache(cache).size(), 4u);

  reset_calls();
  auto second = algoscope::tune(scale_chain(), tune_options(cache), *registry);
  EXPECT_EQ(second.cache_hits, 4u);
  EXPECT_EQ(second.timings_performed, 0u);
  EXPECT_EQ(candidate_calls() + calls_of("reference"), 0) << "nothing ran";
  EXPECT_EQ(second.plan.layers, first.plan.layers);
  for (size_t i = 0; i < second.layers.size(); ++i) {
    const auto& l = second.layers[i];
    EXPECT_TRUE(l.from_cache);
    // The same measurements decide alike: the same choice and the same ties.
    EXPECT_EQ(l.tied, first.layers[i].tied);
    EXPECT_EQ(l.tie_break, first.layers[i].tie_break);
    ASSERT_EQ(l.candidates.size(), 3u);
    for (size_t k = 0; k < l.candidates.size(); ++k) {
      const auto &c = l.candidates[k], &measured = first.layers[i].candidates[k];
      EXPECT_TRUE(c.from_cache);
      // What a timing is worth survives the cache.
      EXPECT_DOUBLE_EQ(c.time.ci_low_ms, measured.time.ci_low_ms);
      EXPECT_DOUBLE_EQ(c.time.ci_high_ms, measured.time.ci_high_ms);
      EXPECT_EQ(c.time.outliers, measured.time.outliers);
      EXPECT_EQ(c.time.stop, measured.time.stop);
    }
  }

  // Another model with layers of the same shapes and attributes: hits too, whatever the names.
  auto other = algoscope::tune(scale_chain(2, 256, "other"), tune_options(cache), *registry);
  EXPECT_EQ(other.cache_hits, 2u);
  EXPECT_EQ(candidate_calls(), 0);

  // Another shape, thread count, tolerance or algorithm set is another key.
  EXPECT_EQ(algoscope::tune(scale_chain(1, 512), tune_options(cache), *registry).cache_hits, 0u);
  auto two_threads = tune_options(cache);
  two_threads.threads = 2;
  EXPECT_EQ(algoscope::tune(scale_chain(1), two_threads, *registry).cache_hits, 0u);
  auto tolerant = tune_options(cache);
  tolerant.tolerance = Tolerance{0.1, 0};
  EXPECT_EQ(algoscope::tune(scale_chain(1), tolerant, *registry).cache_hits, 0u);
  EXPECT_EQ(algoscope::tune(scale_chain(1), tune_options(cache), *scale_registry(false)).cache_hits,
            0u);

  // Ignoring the cache measures again and writes nothing; clearing it empties it.
  auto ignore = tune_options(dir.file("unused.json"));
  ignore.use_cache = false;
  EXPECT_EQ(algoscope::tune(scale_chain(), ignore, *registry).timings_performed, 12u);
  EXPECT_FALSE(fs::exists(dir.file("unused.json")));
  algoscope::TuningCache::clear(cache);
  EXPECT_FALSE(fs::exists(cache));
  EXPECT_NO_THROW(algoscope::TuningCache::clear(cache));
  EXPECT_EQ(algoscope::tune(scale_chain(), tune_options(cache), *registry).cache_hits, 0u);
}

TEST(MeasureTune, IdenticalLayersAreMeasuredOnce) {
  auto registry = scale_registry();
  auto options = tune_options("");
  options.use_cache = false;
  reset_calls();
  auto result = algoscope::tune(scale_chain(4, 256, "s", true), options, *registry);
  EXPECT_EQ(result.timings_performed, 3u) << "s1's three candidates only";
  EXPECT_EQ(calls_of("reference"), 1);
  ASSERT_EQ(result.layers.size(), 4u);
  EXPECT_TRUE(result.layers[0].shared_with.empty());
  for (size_t i = 1; i < 4; ++i) {
    const auto& l = result.layers[i];
    EXPECT_EQ(l.shared_with, "s1");
    EXPECT_FALSE(l.from_cache);
    EXPECT_EQ(l.algorithm, "fast");
    EXPECT_EQ(result.plan.layers.at(l.node), "fast");
    for (const auto& c : l.candidates) {
      EXPECT_EQ(c.node, l.node);
      EXPECT_EQ(c.index, i);
    }
  }
}

// A corrupt cache is not fatal: it is set aside (its bytes kept for a bug report), the warning
// names both files, and the tune starts a good file.
TEST(MeasureTune, UnreadableCacheIsSetAsideAndStartedAfresh) {
  auto registry = scale_registry();
  TempDir dir;
  const std::string cache = dir.file("cache.json");
  std::ofstream(cache) << "{ not a cache";
  auto result = algoscope::tune(scale_chain(), tune_options(cache), *registry);
  EXPECT_EQ(result.timings_performed, 12u);
  ASSERT_EQ(result.notes.size(), 1u);
  EXPECT_TRUE(Contains(result.notes[0], cache));
  EXPECT_TRUE(Contains(result.notes[0], "set aside as '" + cache + ".corrupt'"));
  std::ifstream aside(cache + ".corrupt");
  EXPECT_EQ(std::string(std::istreambuf_iterator<char>(aside), {}), "{ not a cache");
  algoscope::TuningCache reread(cache);
  EXPECT_TRUE(reread.problem().empty()) << reread.problem();
  EXPECT_EQ(reread.size(), 4u);
}

TEST(MeasureTune, CancelMidTuneReturnsPartialResultsPromptly) {
  auto registry = scale_registry();
  auto model = scale_chain(6);
  TempDir dir;
  auto token = std::make_shared<CancelToken>();
  auto options = tune_options(dir.file("cache.json"));
  int reports = 0, calls_at_cancel = -1;
  options.control.cancel = token;
  // Per layer: the reference run and three candidates; the 6th report is inside layer 2.
  options.control.progress = [&](const Progress&) {
    if (++reports == 6) {
      token->cancel();
      calls_at_cancel = candidate_calls() + calls_of("reference");
    }
  };
  reset_calls();
  auto result = algoscope::tune(model, options, *registry);
  EXPECT_TRUE(result.partial);
  EXPECT_EQ(reports, 6) << "no report after the cancel";
  ASSERT_EQ(result.layers.size(), 1u) << "only s1 finished";
  EXPECT_EQ(result.layers[0].node, "s1");
  EXPECT_LE(candidate_calls() + calls_of("reference") - calls_at_cancel, 1)
      << "stopped within one kernel call";
  EXPECT_EQ(result.plan.layers.size(), 1u);
  EXPECT_EQ(json::parse(result.plan.measurements_json)["partial"], true);
  // What finished is cached: a second tune measures only the rest.
  options.control = {};
  auto rest = algoscope::tune(model, options, *registry);
  EXPECT_FALSE(rest.partial);
  EXPECT_EQ(rest.cache_hits, 1u);
  EXPECT_EQ(rest.timings_performed, 5u * 3u);

  // Cancelled before it starts: nothing is measured.
  token->reset();
  token->cancel();
  options.control.cancel = token;
  options.use_cache = false;
  reset_calls();
  auto nothing = algoscope::tune(model, options, *registry);
  EXPECT_TRUE(nothing.partial);
  EXPECT_TRUE(nothing.layers.empty());
  EXPECT_EQ(candidate_calls() + calls_of("reference"), 0);
}

// Found by reading the cache reader while fuzzing it (fuzz_tuning_cache): an integer field
// holding a float outside the integer's range was cast by nlohmann's get<int64_t>(), which is
// undefined behaviour (UBSan: "1e+300 is outside the range of representable values"), and a
// negative workspace became 2^64 - 1 bytes. The cache is now refused and started afresh.
TEST(MeasureTuningCache, IntegerFieldsOutOfRangeStartTheCacheAfresh) {
  TempDir dir;
  const std::string path = dir.file("cache.json");
  algoscope::AlgorithmTiming timing;
  timing.algorithm = "reference";
  timing.time = algoscope::TimingStats::of({1.0});
  algoscope::ErrorStats error;
  error.elements = 4;
  timing.error = error;
  {
    algoscope::TuningCache cache(path);
    cache.store("key", {timing});
    cache.save();
  }
  const std::string valid = [&] {
    std::ifstream in(path);
    return std::string(std::istreambuf_iterator<char>(in), {});
  }();
  ASSERT_TRUE(algoscope::TuningCache(path).problem().empty());
  for (const auto& [field, bad] : std::vector<std::pair<std::string, std::string>>{
           {"\"mismatches\": 0", "\"mismatches\": 1e300"},
           {"\"elements\": 4", "\"elements\": 4.5"},
           {"\"samples\": 1", "\"samples\": 1e12"},
           {"\"workspace_bytes\": 0", "\"workspace_bytes\": -1"}}) {
    std::string text = valid;
    ASSERT_NE(text.find(field), std::string::npos) << field;
    text.replace(text.find(field), field.size(), bad);
    std::ofstream(path, std::ios::trunc) << text;
    algoscope::TuningCache cache(path);
    EXPECT_TRUE(Contains(cache.problem(), bad.substr(1, bad.find('"', 1) - 1))) << bad;
    EXPECT_EQ(cache.size(), 0u) << bad;
  }
}

TEST(MeasureTuningCache, SignaturesKeyShapesNotNames) {
  auto a = scale_chain(1, 256, "a");
  auto b = scale_chain(1, 256, "b");
  auto c = scale_chain(1, 128, "c");
  auto sig = [](const Model& m) {
    return algoscope::layer_signature(algoscope::make_layer(m, m.nodes[0]));
  };
  EXPECT_EQ(sig(*a), sig(*b));
  EXPECT_NE(sig(*a), sig(*c));
  EXPECT_TRUE(Contains(sig(*a), "Scale"));
  EXPECT_TRUE(Contains(sig(*a), "256"));

  Model with_attribute = *a;
  with_attribute.nodes[0].attributes["alpha"].value = 0.5f;
  EXPECT_NE(sig(with_attribute), sig(*a));
  Model with_activation = *a;
  with_activation.nodes[0].activation = algoscope::Node::Activation{"Relu", 0.0f, INFINITY};
  EXPECT_NE(sig(with_activation), sig(*a));

  EXPECT_FALSE(algoscope::machine_signature().empty());
  EXPECT_TRUE(Contains(algoscope::machine_signature(), "OpenBLAS"));
}

// Sets an environment variable for the scope of a test and restores it after.
class ScopedEnv {
 public:
  ScopedEnv(const char* name, const char* value) : name_(name) {
    if (const char* old = std::getenv(name)) saved_ = old;
    value ? ::setenv(name, value, 1) : ::unsetenv(name);
  }
  ~ScopedEnv() { saved_ ? ::setenv(name_, saved_->c_str(), 1) : ::unsetenv(name_); }

 private:
  const char* name_;
  std::optional<std::string> saved_;
};

// Two processes saving into one cache at once, entry after entry, each saving after every store:
// the saves merge under the lock, so the file ends with every entry of both and stays readable.
TEST(MeasureTuningCache, TwoProcessesSavingAtOnceBothKeepTheirEntries) {
  TempDir dir;
  const std::string cache = dir.file("shared-cache.json");
  constexpr int kEntries = 40;
  auto writer = [&](const std::string& who) {
    algoscope::TuningCache mine(cache);
    for (int i = 0; i < kEntries; ++i) {
      algoscope::AlgorithmTiming timing;
      timing.algorithm = who;
      timing.time.median_ms = i + 1;
      mine.store(who + "/" + std::to_string(i), {timing});
      mine.save();
    }
  };
  pid_t children[2];
  const char* names[2] = {"first", "second"};
  for (int c = 0; c < 2; ++c) {
    children[c] = ::fork();
    ASSERT_GE(children[c], 0);
    if (children[c] == 0) {
      int status = 0;
      try {
        writer(names[c]);
      } catch (...) {
        status = 1;
      }
      ::_exit(status);
    }
  }
  for (pid_t child : children) {
    int status = 0;
    ASSERT_EQ(::waitpid(child, &status, 0), child);
    EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0) << "a writer failed";
  }
  algoscope::TuningCache merged(cache);
  EXPECT_TRUE(merged.problem().empty()) << merged.problem();
  EXPECT_EQ(merged.size(), size_t(2 * kEntries));
  for (const char* who : names)
    for (int i = 0; i < kEntries; ++i) {
      auto found = merged.find(std::string(who) + "/" + std::to_string(i));
      ASSERT_TRUE(found.has_value()) << who << " " << i;
      EXPECT_EQ(found->at(0).algorithm, who);
      EXPECT_EQ(found->at(0).time.median_ms, i + 1);
    }
}

TEST(MeasureTuningCache, DefaultPathFollowsTheEnvironment) {
  ScopedEnv home("HOME", "/home/someone");
  ScopedEnv xdg("XDG_CACHE_HOME", nullptr);
  {
    ScopedEnv explicit_path("ALGOSCOPE_TUNING_CACHE", "/somewhere/cache.json");
    EXPECT_EQ(algoscope::TuningCache::default_path(), "/somewhere/cache.json");
  }
  ScopedEnv no_explicit_path("ALGOSCOPE_TUNING_CACHE", nullptr);
  EXPECT_EQ(algoscope::TuningCache::default_path(),
            "/home/someone/.cache/algoscope/tuning-cache.json");
  ScopedEnv xdg_set("XDG_CACHE_HOME", "/xdg");
  EXPECT_EQ(algoscope::TuningCache::default_path(), "/xdg/algoscope/tuning-cache.json");
}

// ---------------------------------------------------------------------------------------------
// Rule selectors and the heuristic plan

TEST(MeasureSelect, RuleSelectors) {
  auto registry = scale_registry();
  auto model = scale_chain(3);
  Plan p = Plan::for_model(*model);
  algoscope::select_for_op(p, "Scale", "fast", *registry);
  EXPECT_EQ(p.defaults.at("Scale"), "fast");
  EXPECT_THROW(algoscope::select_for_op(p, "Scale", "warp_drive", *registry), Error);
  EXPECT_THROW(algoscope::select_for_op(p, "NoSuchOp", "fast", *registry), Error);

  algoscope::select_by_position(p, *model, "Scale", {"slow", "default", "wrong"}, *registry);
  EXPECT_EQ(p.layers.at("s1"), "slow");
  EXPECT_EQ(p.layers.at("s2"), "default");
  EXPECT_EQ(p.layers.at("s3"), "wrong");
  try {
    algoscope::select_by_position(p, *model, "Scale", {"fast"}, *registry);
    ADD_FAILURE() << "a list of the wrong length must be refused";
  } catch (const Error& e) {
    EXPECT_TRUE(Contains(e.what(), "3 Scale layer(s), got 1"));
  }
  EXPECT_THROW(
      algoscope::select_by_position(p, *model, "Scale", {"fast", "fast", "nope"}, *registry),
      Error);

  Plan q = Plan::for_model(*model);
  std::vector<std::string> asked;
  algoscope::select_by_rule(
      q, *model, "Scale",
      [&](const algoscope::Node& node, const std::vector<algoscope::Shape>& shapes) {
        asked.push_back(node.name);
        EXPECT_EQ(shapes, std::vector<algoscope::Shape>{{256}});
        return node.name == "s2" ? std::string("slow") : std::string();
      },
      *registry);
  EXPECT_EQ(asked, (std::vector<std::string>{"s1", "s2", "s3"}));
  EXPECT_EQ(q.layers, (std::map<std::string, std::string>{{"s2", "slow"}}));
  EXPECT_THROW(algoscope::select_by_rule(
                   q, *model, "", [](const auto&, const auto&) { return "nope"; }, *registry),
               Error);
  algoscope::Session session(model, p, {.threads = 1}, *registry);
  EXPECT_EQ(session.layers()[0].algorithm->name, "slow");
  EXPECT_EQ(session.layers()[1].algorithm->name, "slow");  // "default": the engine's choice
  EXPECT_EQ(session.layers()[2].algorithm->name, "wrong");
}

TEST(MeasureSelect, HeuristicFollowsTheShapeRules) {
  auto registry = scale_registry();
  // A rule: `fast` for small layers, else the priorities (where `slow` wins).
  auto rule = [](const Layer& l) { return l.inputs[0].numel() <= 128 ? 100 : 1; };
  registry->add_algorithm("Scale", [&] {
    Algorithm a = scale_algorithm("small", 1);
    a.heuristic_priority = rule;
    return a;
  }());
  auto small = scale_chain(2, 64);
  auto large = scale_chain(2, 1024);
  Plan p = algoscope::heuristic_plan(*small, *registry);
  EXPECT_EQ(p.layers.at("s1"), "small");
  EXPECT_EQ(p.layers.at("s2"), "small");
  EXPECT_EQ(json::parse(p.measurements_json)["method"], "heuristic");
  EXPECT_NO_THROW(algoscope::validate_plan(Plan::from_json(p.to_json()), *small, *registry));
  EXPECT_EQ(algoscope::heuristic_plan(*large, *registry).layers.at("s1"), "slow");
}

// The built-in registry's rules on real layers: what README.md promises for the heuristic plan.
TEST(MeasureSelect, HeuristicPlanOfConvolutionsAndGemm) {
  using onnx_builder::random_floats;
  onnx_builder::ModelBuilder b("heuristic");
  b.input("x", {1, 64, 16, 16});
  b.initializer("w1", {64, 64, 3, 3}, random_floats(64 * 64 * 9, 1));
  b.initializer("w2", {64, 1, 3, 3}, random_floats(64 * 9, 2));
  b.initializer("w3", {8, 64, 1, 1}, random_floats(8 * 64, 3));
  b.initializer("w4", {8, 8, 3, 3}, random_floats(8 * 8 * 9, 4));
  b.initializer("w5", {10, 8 * 16 * 16}, random_floats(10 * 8 * 16 * 16, 5));
  b.node("Conv", {"x", "w1"}, {"a"}, "wide3x3").ints("pads", {1, 1, 1, 1});
  b.node("Conv", {"a", "w2"}, {"b"}, "depthwise3x3").i("group", 64).ints("pads", {1, 1, 1, 1});
  b.node("Conv", {"b", "w3"}, {"c"}, "pointwise1x1");
  b.node("Conv", {"c", "w4"}, {"d"}, "narrow3x3").ints("pads", {1, 1, 1, 1});
  b.node("Flatten", {"d"}, {"f"}, "flatten");
  b.node("Gemm", {"f", "w5"}, {"y"}, "fc").i("transB", 1);
  b.output("y");
  Model model = algoscope::load_model_from_bytes(b.bytes(), "heuristic.onnx");
  Plan plan = algoscope::heuristic_plan(model);
  EXPECT_EQ(plan.layers.at("wide3x3"), "winograd_f4");
  EXPECT_EQ(plan.layers.at("depthwise3x3"), "depthwise");
  EXPECT_EQ(plan.layers.at("pointwise1x1"), "pointwise");
  EXPECT_EQ(plan.layers.at("narrow3x3"), "direct");
  EXPECT_EQ(plan.layers.at("fc"), "blocked");
  EXPECT_NO_THROW(algoscope::validate_plan(plan, model));
}

// ---------------------------------------------------------------------------------------------
// JSON (the shapes README.md documents)

TEST(MeasureJson, DocumentedFields) {
  auto registry = scale_registry();
  auto model = scale_chain(2);
  algoscope::CheckOptions check_options;
  check_options.threads = 1;
  json check = json::parse(algoscope::to_json(algoscope::check_plan(
      model, plan_with(*model, "fast", {{"s2", "wrong"}}), check_options, *registry)));
  EXPECT_EQ(check["passed"], false);
  EXPECT_EQ(check["failed_layers"], json::array({"s2"}));
  ASSERT_EQ(check["layers"].size(), 2u);
  for (const char* key : {"index", "name", "op", "algorithm", "compared", "passed", "error"})
    EXPECT_TRUE(check["layers"][1].contains(key)) << key;
  for (const char* key : {"max_abs_error", "max_rel_error", "mismatches", "elements", "atol",
                          "rtol", "scale", "passed"})
    EXPECT_TRUE(check["layers"][1]["error"].contains(key)) << key;
  EXPECT_EQ(check["layers"][1]["error"]["mismatches"], 256);
  EXPECT_EQ(check["outputs"][0]["name"], "y");
  EXPECT_TRUE(check["outputs"][0]["vs_expected"].is_null());

  auto e2e_options = exact_runs(2, 3);
  json bench = json::parse(algoscope::to_json(
      algoscope::time_end_to_end(model, plan_with(*model, "fast"), e2e_options, *registry)));
  for (const char* key : {"median", "min", "max", "q1", "q3", "iqr", "ci_low", "ci_high",
                          "ci_relative", "outliers", "unstable", "stop", "samples"})
    EXPECT_TRUE(bench["latency_ms"].contains(key)) << key;
  EXPECT_EQ(bench["latency_ms"]["samples"], 3);
  EXPECT_EQ(bench["latency_ms"]["stop"], "count");
  for (const char* key : {"kernel_sum_ms", "overhead_ms", "overhead_percent", "threads", "flops"})
    EXPECT_TRUE(bench.contains(key)) << key;
  ASSERT_EQ(bench["layers"].size(), 2u);
  for (const char* key : {"name", "op", "algorithm", "time_ms", "gflops", "percent"})
    EXPECT_TRUE(bench["layers"][0].contains(key)) << key;

  json comparison = json::parse(algoscope::to_json(algoscope::compare_plans(
      model, plan_with(*model, "fast"), plan_with(*model, "slow"), e2e_options, *registry)));
  EXPECT_EQ(comparison["differing_layers"], 2);
  EXPECT_GT(comparison["latency_ratio"].get<double>(), 0);
  EXPECT_EQ(comparison["layers"][0]["algorithm_b"], "slow");
  EXPECT_TRUE(comparison["a"].contains("latency_ms"));

  algoscope::LayerTimingOptions layer_options;
  layer_options.threads = 1;
  layer_options.verify = true;
  json timings = json::parse(algoscope::to_json(
      algoscope::time_layers(model, plan_with(*model, "fast"), layer_options, *registry)));
  EXPECT_EQ(timings["timings_performed"], 6);
  EXPECT_TRUE(timings["timings"][0]["error"].contains("passed"));
}

// ---------------------------------------------------------------------------------------------
// Threads: what a GUI does. The services run on a worker thread that streams its results; the
// main thread waits for progress and cancels. Run this under ThreadSanitizer.

TEST(MeasureThreads, DrivenFromAWorkerThreadAndCancelledFromAnother) {
  auto registry = scale_registry();
  auto model = scale_chain(40, 4096);
  TempDir dir;
  auto token = std::make_shared<CancelToken>();
  std::mutex mutex;
  std::condition_variable changed;
  std::vector<Progress> seen;
  std::vector<std::string> layers_streamed;
  algoscope::TuneResult result;

  std::thread worker([&] {
    auto options = tune_options(dir.file("cache.json"));
    options.control.cancel = token;
    options.control.progress = [&](const Progress& p) {
      std::lock_guard lock(mutex);
      seen.push_back(p);
      changed.notify_all();
    };
    options.on_layer = [&](const algoscope::TunedLayer& l) {
      std::lock_guard lock(mutex);
      layers_streamed.push_back(l.node);
    };
    result = algoscope::tune(model, options, *registry);
    // A check on the same thread afterwards, with the token still cancelled.
    algoscope::CheckOptions check_options;
    check_options.threads = 1;
    check_options.control.cancel = token;
    auto check = algoscope::check_plan(model, plan_with(*model, "fast"), check_options, *registry);
    EXPECT_TRUE(check.partial);
  });
  {
    std::unique_lock lock(mutex);
    changed.wait(lock, [&] { return seen.size() >= 10; });
  }
  token->cancel();
  worker.join();
  EXPECT_TRUE(result.partial);
  EXPECT_LT(result.layers.size(), 40u);
  EXPECT_EQ(layers_streamed.size(), result.layers.size());
  for (size_t i = 0; i < result.layers.size(); ++i)
    EXPECT_EQ(result.layers[i].node, layers_streamed[i]);
}

}  // namespace
