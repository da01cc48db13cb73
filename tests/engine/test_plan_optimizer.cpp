// Tests of the plan optimizer (optimize/plan_optimizer.h) and tune's global strategy. The cost
// model is checked on hand-made measurements whose best plan is known (conversions saved by a
// chain of native layouts, a value two readers must agree on, a layout carried through an
// elementwise Add, copies between memory spaces, a workspace that does not fit), against the
// session's own layout negotiation on a real oneDNN network (every value the model calls native,
// the session stores natively, and no other), and end to end with spinning kernels whose costs are
// known: the predicted time of the plan tune returns is what the session's timing reports. No test
// compares a wall-clock time with a fixed bound; the spinning kernels' times are compared with each
// other.
#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <memory>
#include <nlohmann/json.hpp>
#include <random>
#include <string>
#include <vector>

#include "algoscope/error.h"
#include "algoscope/loader.h"
#include "algoscope/measure.h"
#include "algoscope/registry.h"
#include "algoscope/session.h"
#include "optimize/plan_optimizer.h"
#include "support/onnx_builder.h"
#include "support/temp_dir.h"

namespace {

using algoscope::AlgorithmTiming;
using algoscope::DType;
using algoscope::LayoutCarrying;
using algoscope::Model;
using algoscope::NativeLayout;
using algoscope::NativePort;
using algoscope::TunedLayer;
using algoscope::optimize::CostModel;
using algoscope::optimize::Prediction;

// A model of single-input, single-output nodes given as (name, op, inputs, output); every value
// has shape [n].
std::shared_ptr<const Model> graph(
    const std::vector<std::tuple<std::string, std::string, std::vector<std::string>, std::string>>&
        nodes,
    const std::vector<std::string>& inputs, const std::vector<std::string>& outputs) {
  Model m;
  m.name = "graph";
  m.opset = 13;
  m.fingerprint = "sha256:graph_" + std::to_string(nodes.size());
  m.inputs = inputs;
  m.outputs = outputs;
  for (const auto& [name, op, ins, out] : nodes) {
    algoscope::Node node;
    node.name = name;
    node.op_type = op;
    node.inputs = ins;
    node.outputs = {out};
    m.nodes.push_back(node);
    for (const std::string& v : ins)
      m.values[v] = algoscope::ValueInfo{v, {DType::Float32, {64}}, true, "float"};
    m.values[out] = algoscope::ValueInfo{out, {DType::Float32, {64}}, true, "float"};
  }
  return std::make_shared<const Model>(std::move(m));
}

// A measured candidate: `ms` alone, with native ports (input/output 0) in layout `key` that skip
// `conversion_ms` each.
AlgorithmTiming candidate(const std::string& algorithm, double ms, const std::string& key = "",
                          double conversion_ms = 0, int inputs = 1) {
  AlgorithmTiming t;
  t.algorithm = algorithm;
  t.time = algoscope::TimingStats::of({ms, ms, ms});
  t.conversions_measured = true;
  if (!key.empty()) {
    for (int k = 0; k < inputs; ++k)
      t.native_ports.push_back(
          {false, size_t(k), NativeLayout{key, 256, "", false}, conversion_ms});
    t.native_ports.push_back({true, 0, NativeLayout{key, 256, "", false}, conversion_ms});
  }
  return t;
}

std::vector<TunedLayer> layers_of(const Model& model,
                                  const std::vector<std::vector<AlgorithmTiming>>& candidates) {
  std::vector<TunedLayer> layers;
  for (size_t i = 0; i < model.nodes.size(); ++i) {
    TunedLayer l;
    l.index = i;
    l.node = model.nodes[i].name;
    l.op_type = model.nodes[i].op_type;
    l.candidates = candidates[i];
    // The per-layer choice: the fastest alone.
    l.algorithm = candidates[i][0].algorithm;
    for (const AlgorithmTiming& c : candidates[i])
      if (c.time.median_ms < l.candidates[0].time.median_ms) l.algorithm = c.algorithm;
    layers.push_back(std::move(l));
  }
  return layers;
}

// The registry the cost model asks about ops: tests give it none, so every candidate competes.
const algoscope::Registry& no_ops() {
  static algoscope::Registry registry;
  return registry;
}

std::vector<std::string> algorithms_of(const CostModel& costs, const Prediction& p) {
  std::vector<std::string> names;
  for (size_t i = 0; i < costs.size(); ++i)
    names.push_back(costs.candidate(i, p.placement[i]).algorithm);
  return names;
}

// A chain x -> n1 -> n2 -> n3 -> y: `alone` takes 1.0 ms on each layer, `chained` 1.2 ms alone
// but 0.3 ms less for each port whose neighbour passes the value in its layout. The per-layer
// plan is all `alone` (3.0 ms); the optimizer's is all `chained`: 0.9 + 0.6 + 0.9 = 2.4 ms (the
// graph's input and output stay plain).
TEST(PlanOptimizer, AChainOfNativeLayoutsBeatsTheFastestLayersAlone) {
  auto model = graph({{"n1", "Op", {"x"}, "a"}, {"n2", "Op", {"a"}, "b"}, {"n3", "Op", {"b"}, "y"}},
                     {"x"}, {"y"});
  auto layers =
      layers_of(*model, std::vector<std::vector<AlgorithmTiming>>(
                            3, {candidate("alone", 1.0), candidate("chained", 1.2, "L", 0.3)}));
  const CostModel costs(*model, layers, no_ops());
  const Prediction best = costs.optimize();
  ASSERT_TRUE(best.feasible);
  EXPECT_TRUE(best.optimal);
  EXPECT_EQ(algorithms_of(costs, best),
            (std::vector<std::string>{"chained", "chained", "chained"}));
  EXPECT_NEAR(best.predicted_ms, 2.4, 1e-9);
  EXPECT_NEAR(best.conversions_saved_ms, 1.2, 1e-9);
  EXPECT_EQ(costs.placements()[0][best.placement[0]].native_ports(), 1u);  // output only
  EXPECT_EQ(costs.placements()[1][best.placement[1]].native_ports(), 2u);

  EXPECT_NEAR(costs.predict({"alone", "alone", "alone"}).predicted_ms, 3.0, 1e-9);
  // One `alone` in the middle breaks the chain: every `chained` pays its conversions, on the
  // values a and b.
  const Prediction broken = costs.predict({"chained", "alone", "chained"});
  EXPECT_NEAR(broken.predicted_ms, 3.4, 1e-9);
  ASSERT_EQ(broken.value_costs.size(), 2u);
  EXPECT_EQ(broken.value_costs[0].value, "a");
  EXPECT_NEAR(broken.value_costs[0].conversion_ms, 0.3, 1e-9);
  EXPECT_EQ(broken.value_costs[1].value, "b");
  EXPECT_NEAR(broken.value_costs[1].conversion_ms, 0.3, 1e-9);
  EXPECT_EQ(broken.value_costs[1].copy_ms, 0);
  // A plan naming an algorithm the layer was not measured with has no prediction.
  EXPECT_FALSE(costs.predict({"alone", "missing", "alone"}).feasible);
  // Layouts as a session negotiated them: with no value native, the same plan costs 3.6 ms.
  EXPECT_NEAR(
      costs.predict({"chained", "chained", "chained"}, [](const std::string&) { return false; })
          .predicted_ms,
      3.6, 1e-9);
  // Without conversions to save, the per-layer plan is the best.
  auto flat =
      layers_of(*model, std::vector<std::vector<AlgorithmTiming>>(
                            3, {candidate("alone", 1.0), candidate("chained", 1.2, "L", 0.0)}));
  const CostModel flat_costs(*model, flat, no_ops());
  EXPECT_EQ(algorithms_of(flat_costs, flat_costs.optimize()),
            (std::vector<std::string>{"alone", "alone", "alone"}));
}

// Calibration: placements a run measured take the run's kernel times, the others scale by the
// median ratio of run to isolated times. Here the chain of `chained` ran slower than its isolated
// timings said (1.5 ms a layer against 0.6-0.9), `alone` as predicted: the optimizer turns back.
TEST(PlanOptimizer, CalibratedOnTheRunsItTrustsWhatTheModelMeasured) {
  auto model = graph({{"n1", "Op", {"x"}, "a"}, {"n2", "Op", {"a"}, "b"}, {"n3", "Op", {"b"}, "y"}},
                     {"x"}, {"y"});
  auto layers =
      layers_of(*model, std::vector<std::vector<AlgorithmTiming>>(
                            3, {candidate("alone", 1.0), candidate("chained", 1.2, "L", 0.3)}));
  CostModel costs(*model, layers, no_ops());
  const Prediction chain = costs.optimize();
  const Prediction plain = costs.predict({"alone", "alone", "alone"});
  CostModel::Observations observed;
  for (size_t i = 0; i < 3; ++i) {
    observed[{i, chain.placement[i]}] = 1.5;
    observed[{i, plain.placement[i]}] = 1.0;
  }
  costs.calibrate(observed);
  // The median of 1, 1, 1, 1.5/0.9, 1.5/0.9 and 1.5/0.6.
  EXPECT_NEAR(costs.calibration_scale(), (1 + 1.5 / 0.9) / 2, 1e-9);
  const Prediction best = costs.optimize();
  EXPECT_EQ(algorithms_of(costs, best), (std::vector<std::string>{"alone", "alone", "alone"}));
  EXPECT_NEAR(best.predicted_ms, 3.0, 1e-9);
  // The chain as the session runs it (a and b native): what the run measured.
  auto native = [](const std::string& v) { return v == "a" || v == "b"; };
  EXPECT_NEAR(costs.predict({"chained", "chained", "chained"}, native).predicted_ms, 4.5, 1e-9);

  // Everything observed twice as slow as timed alone: unobserved placements scale alike.
  CostModel doubled(*model, layers, no_ops());
  CostModel::Observations slow;
  for (size_t i = 0; i < 3; ++i) slow[{i, plain.placement[i]}] = 2.0;
  doubled.calibrate(slow);
  EXPECT_NEAR(doubled.calibration_scale(), 2.0, 1e-9);
  EXPECT_NEAR(doubled.predict({"chained", "chained", "chained"}, native).predicted_ms, 4.8, 1e-9);
  EXPECT_NEAR(doubled.predict({"chained", "alone", "chained"}).predicted_ms, 2 * 3.4, 1e-9);
}

// Two layouts: `blocked` (key B) and `last` (key C) never agree, so a value between them is
// plain, and a value with two readers is native only when both take the producer's layout.
TEST(PlanOptimizer, AValueIsNativeOnlyWhereItsProducerAndEveryReaderAgree) {
  // x -> p -> a; a -> r1 -> y1; a -> r2 -> y2
  auto model =
      graph({{"p", "Op", {"x"}, "a"}, {"r1", "Op", {"a"}, "y1"}, {"r2", "Op", {"a"}, "y2"}}, {"x"},
            {"y1", "y2"});
  // r2 can only run plain: `p`'s native output would save 0.5 ms with r1, but r2 forbids it.
  auto layers = layers_of(*model, {{candidate("blocked", 1.0, "B", 0.5)},
                                   {candidate("blocked", 1.0, "B", 0.5)},
                                   {candidate("plain", 1.0)}});
  const CostModel costs(*model, layers, no_ops());
  Prediction best = costs.optimize();
  EXPECT_NEAR(best.predicted_ms, 3.0, 1e-9);
  for (size_t i = 0; i < 3; ++i)
    EXPECT_EQ(costs.placements()[i][best.placement[i]].native_ports(), 0u);

  // With r2 able to take B too, all three agree: 0.5 + 0.5 + 0.5 ms saved.
  layers[2].candidates.push_back(candidate("blocked", 1.2, "B", 0.5));
  const CostModel agreeing(*model, layers, no_ops());
  best = agreeing.optimize();
  EXPECT_NEAR(best.predicted_ms, 0.5 + 0.5 + 0.7, 1e-9);
  EXPECT_EQ(algorithms_of(agreeing, best),
            (std::vector<std::string>{"blocked", "blocked", "blocked"}));

  // A reader in another layout (C) cannot share B: the value stays plain for everyone.
  layers[2].candidates = {candidate("last", 0.1, "C", 0.5)};
  const CostModel disagreeing(*model, layers, no_ops());
  best = disagreeing.optimize();
  EXPECT_NEAR(best.predicted_ms, 1.0 + 1.0 + 0.1, 1e-9);
}

// x -> c1 -> a; x2 -> c2 -> b; s = Add(a, b); c3(s) -> y. The Add (`direct`) carries any layout
// through; `broadcast` does not. With `direct`, a, b and s are all native.
TEST(PlanOptimizer, AnElementwiseKernelCarriesItsNeighboursLayoutThrough) {
  auto model = graph({{"c1", "Conv", {"x"}, "a"},
                      {"c2", "Conv", {"x2"}, "b"},
                      {"add", "Add", {"a", "b"}, "s"},
                      {"c3", "Conv", {"s"}, "y"}},
                     {"x", "x2"}, {"y"});
  AlgorithmTiming carrying = candidate("direct", 0.2);
  carrying.carrying = LayoutCarrying::any_layout;
  const AlgorithmTiming plain_add = candidate("broadcast", 0.1);
  auto layers = layers_of(*model, {{candidate("onednn", 1.0, "L", 0.25)},
                                   {candidate("onednn", 1.0, "L", 0.25)},
                                   {carrying, plain_add},
                                   {candidate("onednn", 1.0, "L", 0.25)}});
  const CostModel costs(*model, layers, no_ops());
  const Prediction best = costs.optimize();
  EXPECT_EQ(algorithms_of(costs, best)[2], "direct");
  EXPECT_NEAR(best.predicted_ms, 0.75 + 0.75 + 0.2 + 0.75, 1e-9);
  EXPECT_EQ(costs.placements()[2][best.placement[2]].native_ports(), 3u);
  // The Add that cannot carry the layout costs the three convolutions their conversions.
  EXPECT_NEAR(costs.predict({"onednn", "onednn", "broadcast", "onednn"}).predicted_ms, 3.1, 1e-9);
}

// Memory spaces: `device` is 10x faster than `host` alone, but its values cross to and from the
// host at a measured cost. The graph input and output are copied by the device layer itself.
TEST(PlanOptimizer, CopiesBetweenMemorySpacesAreEdgesLikeAnyOther) {
  auto model = graph({{"n1", "Op", {"x"}, "a"}, {"n2", "Op", {"a"}, "b"}, {"n3", "Op", {"b"}, "y"}},
                     {"x"}, {"y"});
  AlgorithmTiming device = candidate("device", 0.2);
  device.memory_space = "fake-device";
  device.upload_ms = {0.5};
  device.download_ms = {0.4};
  auto layers = layers_of(
      *model, std::vector<std::vector<AlgorithmTiming>>(3, {candidate("host", 2.0), device}));
  const CostModel costs(*model, layers, no_ops());
  const Prediction best = costs.optimize();
  EXPECT_EQ(algorithms_of(costs, best), (std::vector<std::string>{"device", "device", "device"}));
  EXPECT_NEAR(best.predicted_ms, 3 * 0.2 + 0.5 + 0.4, 1e-9);
  EXPECT_TRUE(best.value_costs.empty());  // nothing crosses between layers
  // Only the middle layer on the device: a and b cross, 0.5 ms up and 0.4 ms down.
  const Prediction middle = costs.predict({"host", "device", "host"});
  EXPECT_NEAR(middle.predicted_ms, 2.0 + 0.2 + 2.0 + 0.5 + 0.4, 1e-9);
  ASSERT_EQ(middle.value_costs.size(), 2u);
  EXPECT_EQ(middle.value_costs[0].value, "a");
  EXPECT_EQ(middle.value_costs[0].to_space, "fake-device");
  EXPECT_NEAR(middle.value_costs[0].copy_ms, 0.5, 1e-9);
  EXPECT_EQ(middle.value_costs[1].value, "b");
  EXPECT_EQ(middle.value_costs[1].from_space, "fake-device");
  // Slow copies make the host plan the best.
  for (TunedLayer& l : layers) l.candidates[1].upload_ms = {10.0};
  const CostModel slow_copies(*model, layers, no_ops());
  EXPECT_EQ(algorithms_of(slow_copies, slow_copies.optimize()),
            (std::vector<std::string>{"host", "host", "host"}));
}

// ---------------------------------------------------------------------------------------------
// Against the session's own negotiation, on a network with residual Adds, a channel Concat,
// pooling and BatchNormalization between oneDNN convolutions.

std::shared_ptr<const Model> mixed_network() {
  using onnx_builder::random_floats;
  onnx_builder::ModelBuilder b("mixed", 13);
  b.input("x", {1, 8, 12, 12});
  b.initializer("w0", {32, 8, 3, 3}, random_floats(32 * 8 * 9, 1));
  b.initializer("w1", {32, 32, 3, 3}, random_floats(32 * 32 * 9, 2));
  b.initializer("w2", {32, 32, 1, 1}, random_floats(32 * 32, 3));
  b.initializer("w3", {16, 64, 1, 1}, random_floats(16 * 64, 4));
  b.initializer("s", {64}, random_floats(64, 5));
  b.initializer("bb", {64}, random_floats(64, 6));
  b.initializer("m", {64}, random_floats(64, 7));
  b.initializer("v", {64}, std::vector<float>(64, 0.7f));
  b.node("Conv", {"x", "w0"}, {"a0"}, "conv0").ints("pads", {1, 1, 1, 1});
  b.node("Relu", {"a0"}, {"r0"}, "relu0");
  b.node("Conv", {"r0", "w1"}, {"c1"}, "conv1").ints("pads", {1, 1, 1, 1});
  b.node("Add", {"c1", "r0"}, {"s1"}, "add1");
  b.node("MaxPool", {"s1"}, {"p1"}, "pool1")
      .ints("kernel_shape", {3, 3})
      .ints("pads", {1, 1, 1, 1});
  b.node("Conv", {"p1", "w2"}, {"c2"}, "conv2");
  b.node("Concat", {"c2", "p1"}, {"cat"}, "concat").i("axis", 1);
  b.node("BatchNormalization", {"cat", "s", "bb", "m", "v"}, {"n"}, "bn");
  b.node("Relu", {"n"}, {"r"}, "relu");
  b.node("Conv", {"r", "w3"}, {"y"}, "conv3");
  b.output("y");
  return std::make_shared<const Model>(algoscope::load_model_from_bytes(b.bytes(), "mixed.onnx"));
}

// For the optimizer's plan and random plans over every measured candidate, the layouts the cost
// model gives each value when it is free to choose them (conversions made strictly positive, so
// that native always pays where allowed) are those the session negotiates for the same plan.
TEST(PlanOptimizer, ItsNativeValuesAreTheSessionsOnARealNetwork) {
  using namespace algoscope;
  auto model = mixed_network();
  test_support::TempDir dir;
  TuneOptions options;
  options.strategy = TuneStrategy::global;
  options.threads = 1;
  options.repeat = 2;
  options.adaptive.target_ci = 0;
  options.use_cache = false;
  options.measure_end_to_end = false;
  options.prune_factor = 0;
  TuneResult tuned = tune(model, options);
  ASSERT_FALSE(tuned.partial);
  ASSERT_TRUE(tuned.global_plan);
  EXPECT_TRUE(tuned.global_plan->chosen);  // nothing timed end to end: the prediction decides
  for (TunedLayer& l : tuned.layers)
    for (AlgorithmTiming& c : l.candidates)
      for (NativePort& p : c.native_ports) p.conversion_ms = 1.0;
  const CostModel costs(*model, tuned.layers, Registry::instance());

  std::mt19937 random(7);
  size_t plans_with_native_values = 0;
  for (int trial = 0; trial < 48; ++trial) {
    std::vector<std::string> algorithms;
    Plan plan = Plan::for_model(*model);
    for (size_t i = 0; i < costs.size(); ++i) {
      // Trial 0: the optimizer's own plan; then random usable candidates, those that offer or
      // carry a layout more often than not (native values are what is checked).
      const auto& placements = costs.placements()[i];
      std::string name = tuned.plan.layers.at(tuned.layers[i].node);
      for (int draw = 0; trial > 0 && draw < 3; ++draw) {
        const size_t p = std::uniform_int_distribution<size_t>(0, placements.size() - 1)(random);
        name = costs.candidate(i, p).algorithm;
        if (placements[p].native_ports() > 0) break;
      }
      algorithms.push_back(name);
      plan.layers[tuned.layers[i].node] = name;
    }
    SCOPED_TRACE("trial " + std::to_string(trial));
    const Prediction predicted = costs.predict(algorithms);
    ASSERT_TRUE(predicted.feasible);
    Session session(model, plan, SessionOptions{.threads = 1});
    size_t native = 0;
    for (const Node& node : model->nodes)
      for (const std::string& v : node.outputs) {
        bool model_native = false;
        for (size_t i = 0; i < costs.size(); ++i)
          model_native |=
              costs.stores_natively(i, costs.placements()[i][predicted.placement[i]], v);
        EXPECT_EQ(model_native, session.in_native_layout(v)) << v;
        native += session.in_native_layout(v);
      }
    plans_with_native_values += native > 0;
  }
  // The check means something only where oneDNN offers layouts at all (x86 with AVX2 or more).
  if (plans_with_native_values == 0) GTEST_SKIP() << "no native layouts on this machine";
}

// ---------------------------------------------------------------------------------------------
// tune's global strategy on kernels that spin for known times.

// Spins for `ms`, plus `conversion_ms` for each of its two ports (input 0, output 0) that is not
// in its native layout "spin": what a oneDNN kernel's reorders cost.
class SpinKernel final : public algoscope::Kernel {
 public:
  // alone_extra_ms: spun on top when run again right after itself, as when timed alone (negative:
  // faster alone than in a model).
  SpinKernel(double ms, double conversion_ms, size_t bytes, double alone_extra_ms = 0)
      : ms_(ms), conversion_ms_(conversion_ms), bytes_(bytes), alone_extra_ms_(alone_extra_ms) {}
  std::optional<NativeLayout> native_output_layout(size_t) const override {
    if (conversion_ms_ <= 0) return std::nullopt;
    return NativeLayout{"spin", bytes_, "", false};
  }
  std::optional<NativeLayout> native_input_layout(size_t input) const override {
    return native_output_layout(input);
  }
  void use_native_output(size_t) override { native_out_ = true; }
  void use_native_input(size_t) override { native_in_ = true; }
  void run(algoscope::KernelIO& io) override {
    // Timed alone, a kernel runs again and again; in a model, each after another one.
    static std::atomic<const SpinKernel*> last{nullptr};
    const bool again = last.exchange(this) == this;
    const double ms =
        ms_ + conversion_ms_ * (!native_in_ + !native_out_) + (again ? alone_extra_ms_ : 0);
    const auto until = std::chrono::steady_clock::now() +
                       std::chrono::duration_cast<std::chrono::steady_clock::duration>(
                           std::chrono::duration<double, std::milli>(ms));
    while (std::chrono::steady_clock::now() < until) {
    }
    const float* x = io.inputs[0]->data<float>();
    float* y = io.outputs[0]->data<float>();
    for (int64_t i = 0; i < io.outputs[0]->numel(); ++i) y[i] = x[i];
  }

 private:
  double ms_, conversion_ms_;
  size_t bytes_;
  double alone_extra_ms_;
  bool native_in_ = false, native_out_ = false;
};

algoscope::Algorithm spin_algorithm(const std::string& name, double ms, double conversion_ms,
                                    size_t workspace = 0, double alone_extra_ms = 0) {
  algoscope::Algorithm a;
  a.name = name;
  a.summary = "spins " + std::to_string(ms) + " ms";
  a.tolerance = {0, 0};
  if (conversion_ms > 0) a.layout_family = "spin";
  if (workspace) a.workspace_bytes = [workspace](const algoscope::Layer&) { return workspace; };
  a.prepare = [=](const algoscope::Layer& l) {
    return std::make_unique<SpinKernel>(ms, conversion_ms, l.inputs[0].bytes(), alone_extra_ms);
  };
  return a;
}

// "Spin" (y = x): `reference` copies, `alone` spins 1.5 ms, `chained` 1.0 ms plus 0.5 ms per port
// not passed natively (2.0 ms alone), `greedy` 0.2 ms with a workspace of 1 GiB.
std::unique_ptr<algoscope::Registry> spin_registry() {
  auto r = std::make_unique<algoscope::Registry>();
  algoscope::OpDefinition op;
  op.op_type = "Spin";
  op.infer = [](const algoscope::Layer& l) {
    return std::vector<algoscope::TensorInfo>{l.inputs[0]};
  };
  op.algorithms.push_back(spin_algorithm("reference", 0, 0));
  r->add_op(std::move(op));
  r->add_algorithm("Spin", spin_algorithm("alone", 1.5, 0));
  r->add_algorithm("Spin", spin_algorithm("chained", 1.0, 0.5));
  r->add_algorithm("Spin", spin_algorithm("greedy", 0.2, 0, size_t{1} << 30));
  return r;
}

std::shared_ptr<const Model> spin_chain(int layers) {
  std::vector<std::tuple<std::string, std::string, std::vector<std::string>, std::string>> nodes;
  std::string previous = "x";
  for (int k = 1; k <= layers; ++k) {
    const std::string out = k == layers ? "y" : "v" + std::to_string(k);
    nodes.emplace_back("s" + std::to_string(k), "Spin", std::vector<std::string>{previous}, out);
    previous = out;
  }
  return graph(nodes, {"x"}, {"y"});
}

algoscope::TuneOptions spin_tune_options(const std::string& cache) {
  algoscope::TuneOptions o;
  o.threads = 1;
  o.repeat = 5;
  o.adaptive.target_ci = 0;
  o.plans_adaptive.target_ci = 0;
  o.cache_path = cache;
  o.prune_factor = 0;
  return o;
}

// Four layers: per layer `alone` wins (1.5 ms against 2.0 ms, `greedy` excluded by the budget);
// the optimizer's plan chains `chained` through (1.5 + 1.0 + 1.0 + 1.5 = 5.0 ms against 6.0 ms)
// and says why; the prediction of each plan is what the session's per-layer timing adds up to.
TEST(PlanOptimizer, TuneGlobalChoosesTheChainAndPredictsWhatTheSessionTimes) {
  using namespace algoscope;
  auto registry = spin_registry();
  auto model = spin_chain(4);
  test_support::TempDir dir;
  TuneOptions options = spin_tune_options(dir.file("cache.json"));
  options.memory_budget_bytes = 1 << 20;  // no room for `greedy`'s workspace
  const TuneResult result = tune(model, options, *registry);
  ASSERT_FALSE(result.partial);
  ASSERT_TRUE(result.global_plan && result.end_to_end && result.per_layer_end_to_end);
  const GlobalPlan& g = *result.global_plan;
  EXPECT_TRUE(g.optimal);
  EXPECT_TRUE(g.chosen);
  EXPECT_EQ(g.changed_layers, 4u);
  for (const TunedLayer& l : result.layers) {
    EXPECT_EQ(l.algorithm, "chained") << l.node;
    EXPECT_TRUE(l.planned_globally);
    EXPECT_EQ(result.plan.layers.at(l.node), "chained");
  }
  for (const PlannedLayer& l : g.layers) {
    EXPECT_EQ(l.fastest_alone, "alone");
    EXPECT_GT(l.alone_ms, l.fastest_alone_ms);       // slower alone...
    EXPECT_GT(l.plan_cost_without_ms, 0) << l.node;  // ...but the plan would cost more without it
  }
  EXPECT_EQ(g.layers[1].native_ports, (std::vector<std::string>{"input 0", "output 0"}));
  // Predicted against measured, each plan: the spins dominate, so the two agree to within what a
  // shared machine adds to a few milliseconds (the ratio, not a time, is checked).
  const double measured = g.end_to_end.kernel_sum.median_ms;
  EXPECT_NEAR(measured / g.predicted_ms, 1.0, 0.2);
  EXPECT_NEAR(result.per_layer_end_to_end->kernel_sum.median_ms / result.per_layer_predicted_ms,
              1.0, 0.2);
  EXPECT_LT(g.predicted_ms, result.per_layer_predicted_ms);
  EXPECT_LE(result.end_to_end->arena_bytes + result.end_to_end->workspace_bytes,
            options.memory_budget_bytes);

  nlohmann::json m = nlohmann::json::parse(result.plan.measurements_json);
  EXPECT_EQ(m["strategy"], "global");
  EXPECT_EQ(m["global_plan"]["chosen"], true);
  EXPECT_EQ(m["global_plan"]["layers"].size(), 4u);
  EXPECT_EQ(m["global_plan"]["layers"][0]["fastest_alone"], "alone");
  EXPECT_GT(m["global_plan"]["predicted_ms"].get<double>(), 0);
  EXPECT_GT(m["global_plan"]["measured_over_predicted"].get<double>(), 0);
  EXPECT_EQ(m["layers"][0]["candidates"][0]["carrying"], "none");
  // The optimizer's plan is the layout family's, timed in the first batch: no second one.
  EXPECT_EQ(g.rival, "");
  EXPECT_FALSE(g.rival_end_to_end);
  EXPECT_EQ(g.drift, 1);
  EXPECT_TRUE(m["global_plan"]["rival_latency_ms"].is_null());

  // Without the budget, `greedy` (0.2 ms alone, no layout) wins everywhere.
  options.memory_budget_bytes = 0;
  options.use_cache = true;  // the measurements above are reused: only the plans are new
  const TuneResult unbounded = tune(model, options, *registry);
  EXPECT_EQ(unbounded.cache_hits, 4u);
  for (const TunedLayer& l : unbounded.layers) EXPECT_EQ(l.algorithm, "greedy") << l.node;

  // A budget below what the activations need alone is refused with the figures.
  options.memory_budget_bytes = 16;
  EXPECT_THROW(
      {
        try {
          tune(model, options, *registry);
        } catch (const Error& e) {
          EXPECT_NE(std::string(e.what()).find("memory budget of 16 bytes"), std::string::npos)
              << e.what();
          throw;
        }
      },
      Error);
}

// The Spin ops with a "Tail" op (y = x) of these algorithms.
std::unique_ptr<algoscope::Registry> spin_tail_registry(std::vector<algoscope::Algorithm> tails) {
  using namespace algoscope;
  auto registry = spin_registry();
  OpDefinition tail;
  tail.op_type = "Tail";
  tail.infer = [](const Layer& l) { return std::vector<TensorInfo>{l.inputs[0]}; };
  tail.algorithms.push_back(spin_algorithm("reference", 0, 0));
  registry->add_op(std::move(tail));
  for (Algorithm& a : tails) registry->add_algorithm("Tail", std::move(a));
  return registry;
}

// `spins` Spin layers, then two Tails t1 and t2.
std::shared_ptr<const Model> spin_tail_chain(int spins) {
  std::vector<std::tuple<std::string, std::string, std::vector<std::string>, std::string>> nodes;
  std::string previous = "x";
  for (int k = 1; k <= spins + 2; ++k) {
    const std::string out = k == spins + 2 ? "y" : "v" + std::to_string(k);
    nodes.emplace_back(k <= spins ? "s" + std::to_string(k) : "t" + std::to_string(k - spins),
                       k <= spins ? "Spin" : "Tail", std::vector<std::string>{previous}, out);
    previous = out;
  }
  return graph(nodes, {"x"}, {"y"});
}

// tune's global strategy on `spins` Spin layers and two Tails of these algorithms, with a memory
// budget that keeps `greedy` out.
algoscope::TuneResult tune_spin_tails(std::vector<algoscope::Algorithm> tails, int spins) {
  auto registry = spin_tail_registry(std::move(tails));
  test_support::TempDir dir;
  algoscope::TuneOptions options = spin_tune_options(dir.file("cache.json"));
  options.memory_budget_bytes = 1 << 20;
  return algoscope::tune(spin_tail_chain(spins), options, *registry);
}

// Four Spin layers and two Tails. Tail's `tail_alone` spins 7.5 ms timed alone but 1.5 ms in the
// model, `tail_chained` 5.0 ms plus 0.5 ms per port not passed natively. From the isolated
// timings the optimizer chains all six (1.5 + 1 + 1 + 1 + 5 + 5.5 = 15 ms against 18 ms per
// layer); the op plan with tail_alone (6 + 1.5 + 1.5 = 9 ms) is timed too and shows tail_alone's
// real time. Calibrated on that, the optimizer chains the Spins only and ends on tail_alone
// (1.5 + 1 + 1 + 1.5 + 3 = 8 ms): a plan no run timed, timed then in a second batch beside the
// first batch's fastest, the op plan.
TEST(PlanOptimizer, ANewOptimizerPlanIsTimedBesideTheFastestInASecondBatch) {
  using namespace algoscope;
  const TuneResult result = tune_spin_tails(
      {spin_algorithm("tail_alone", 1.5, 0, 0, 6.0), spin_algorithm("tail_chained", 5.0, 0.5)}, 4);
  ASSERT_FALSE(result.partial);
  ASSERT_TRUE(result.global_plan && result.end_to_end);
  const GlobalPlan& g = *result.global_plan;
  for (const auto& [node, algorithm] : g.plan.layers)
    EXPECT_EQ(algorithm, node[0] == 't' ? "tail_alone" : "chained") << node;
  for (const FamilyPlan& f : result.family_plans) EXPECT_NE(f.plan.layers, g.plan.layers);
  ASSERT_EQ(result.per_layer_plan.layers.at("t1"), "tail_chained");
  EXPECT_EQ(g.rival, "Tail by tail_alone");
  ASSERT_TRUE(g.rival_end_to_end);
  for (const auto& l : g.rival_end_to_end->layers)
    EXPECT_EQ(l.algorithm, l.node[0] == 't' ? "tail_alone" : "alone") << l.node;
  const auto op_plan =
      std::find_if(result.family_plans.begin(), result.family_plans.end(),
                   [](const FamilyPlan& f) { return f.preferred == "tail_alone"; });
  ASSERT_NE(op_plan, result.family_plans.end());
  EXPECT_EQ(g.drift, g.rival_end_to_end->latency.median_ms / op_plan->end_to_end.latency.median_ms);
  EXPECT_TRUE(g.chosen);  // 8 against 9 ms, within one batch
  EXPECT_LT(g.end_to_end.latency.median_ms, g.rival_end_to_end->latency.median_ms);
  EXPECT_NEAR(g.measured_over_predicted(), 1.0, 0.2);
  nlohmann::json m = nlohmann::json::parse(result.plan.measurements_json);
  EXPECT_EQ(m["global_plan"]["rival"], "Tail by tail_alone");
  EXPECT_EQ(m["global_plan"]["drift"].get<double>(), g.drift);
  EXPECT_EQ(m["global_plan"]["rival_latency_ms"]["median"].get<double>(),
            g.rival_end_to_end->latency.median_ms);
  EXPECT_EQ(m["global_plan"]["measured_over_predicted"].get<double>(), g.measured_over_predicted());
}

// Twelve Spin layers and two Tails. `tail_alone` spins 1.0 ms alone but 2.4 ms in the model,
// `tail_other` 1.4 ms both ways, `tail_chained` 5.0 ms plus 0.5 ms per port not native. From the
// isolated timings the optimizer chains the Spins and ends on tail_alone (13 + 4.8 = 17.8 ms in
// the model), a plan of its own; the op plan with tail_other (18 + 2.8 = 20.8 ms) and the family's
// (13 + 10.5 = 23.5 ms) are slower. Calibrated, it ends on tail_other instead (15.8 ms): new, and
// timed in a second batch beside the fastest of the first, the optimizer's own first plan.
TEST(PlanOptimizer, TheOptimizersFirstPlanCanBeTheRivalOfItsSecond) {
  using namespace algoscope;
  const TuneResult result = tune_spin_tails(
      {spin_algorithm("tail_alone", 2.4, 0, 0, -1.4), spin_algorithm("tail_other", 1.4, 0),
       spin_algorithm("tail_chained", 5.0, 0.5)},
      12);
  ASSERT_FALSE(result.partial);
  ASSERT_TRUE(result.global_plan && result.end_to_end);
  const GlobalPlan& g = *result.global_plan;
  for (const auto& [node, algorithm] : g.plan.layers)
    EXPECT_EQ(algorithm, node[0] == 't' ? "tail_other" : "chained") << node;
  EXPECT_EQ(result.per_layer_plan.layers.at("t1"), "tail_alone");
  EXPECT_EQ(g.rival, "optimizer's first");
  ASSERT_TRUE(g.rival_end_to_end);
  for (const auto& l : g.rival_end_to_end->layers)
    EXPECT_EQ(l.algorithm, l.node[0] == 't' ? "tail_alone" : "chained") << l.node;
  EXPECT_TRUE(g.chosen);
  EXPECT_NEAR(g.measured_over_predicted(), 1.0, 0.2);
}

// per-layer times no whole plan but its own; family adds the layout family's; global the
// optimizer's too.
TEST(PlanOptimizer, EachStrategyTimesItsOwnPlans) {
  using namespace algoscope;
  auto registry = spin_registry();
  auto model = spin_chain(3);
  test_support::TempDir dir;
  TuneOptions options = spin_tune_options(dir.file("cache.json"));
  options.memory_budget_bytes = 1 << 20;
  options.repeat = 3;
  options.strategy = TuneStrategy::per_layer;
  const TuneResult per_layer = tune(model, options, *registry);
  EXPECT_TRUE(per_layer.family_plans.empty());
  EXPECT_FALSE(per_layer.global_plan);
  for (const TunedLayer& l : per_layer.layers) EXPECT_EQ(l.algorithm, "alone");
  EXPECT_EQ(nlohmann::json::parse(per_layer.plan.measurements_json)["strategy"], "per-layer");

  options.strategy = TuneStrategy::family;
  const TuneResult family = tune(model, options, *registry);
  EXPECT_FALSE(family.family_plans.empty());
  EXPECT_FALSE(family.global_plan);
  EXPECT_EQ(family.family_plans[0].predicted_ms, 0);  // no cost model without global

  EXPECT_EQ(tune_strategy_named("global"), TuneStrategy::global);
  EXPECT_EQ(tune_strategy_named("per-layer"), TuneStrategy::per_layer);
  EXPECT_FALSE(tune_strategy_named("best"));
}

}  // namespace
