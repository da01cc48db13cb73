// The library used from several threads at once: models loaded, sessions compiled under different
// plans and run on distinct inputs, measurement services (check_plan, time_layers), a thread
// listing the registry and a plugin loaded meanwhile, all at the same time. Each result must equal
// bit for bit what the same work gives when done serially. Kernels run on one thread
// (SessionOptions::threads = 1), as in the measure tests: ThreadSanitizer cannot see an OpenMP
// team's barriers. Run under ThreadSanitizer (README, "ThreadSanitizer") this is the race check of
// the loader, the passes, sessions, the measurement services and the registry.
#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <cstring>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "algoscope/algoscope.h"
#include "algoscope/registry_guard.h"
#include "support/onnx_builder.h"

namespace {

using namespace algoscope;
namespace ob = onnx_builder;

constexpr int kWorkers = 8;

// Conv algorithms the plans cycle through; one that does not apply here (or without OpenBLAS)
// falls back to the engine's choice, the same serially and in parallel.
const std::vector<std::string> kConvAlgorithms = {
    "reference", "im2col", "direct", "winograd_f2", "implicit_gemm", "kn2row", "smm", "fft"};

// A small residual network: two convolutions, a skip connection, pooling and a classifier.
std::string network_bytes() {
  ob::ModelBuilder b("tiny_residual", 13);
  b.input("x", {1, 4, 12, 12});
  b.initializer("w1", {8, 4, 3, 3}, ob::random_floats(8 * 4 * 9, 1));
  b.initializer("w2", {8, 8, 3, 3}, ob::random_floats(8 * 8 * 9, 2));
  b.initializer("w3", {10, 8}, ob::random_floats(80, 3));
  b.initializer("b3", {10}, ob::random_floats(10, 4));
  b.node("Conv", {"x", "w1"}, {"c1"}, "conv1").ints("pads", {1, 1, 1, 1});
  b.node("Relu", {"c1"}, {"r1"}, "relu1");
  b.node("Conv", {"r1", "w2"}, {"c2"}, "conv2").ints("pads", {1, 1, 1, 1});
  b.node("Add", {"c2", "r1"}, {"s"}, "add");
  b.node("GlobalAveragePool", {"s"}, {"p"}, "pool");
  b.node("Flatten", {"p"}, {"f"}, "flatten");
  b.node("Gemm", {"f", "w3", "b3"}, {"y"}, "fc").i("transB", 1);
  b.output("y");
  return b.bytes();
}

// What one unit of work produced; compared whole between the serial and the parallel run.
struct Outcome {
  std::vector<std::string> algorithms;  // per compiled layer
  std::vector<Tensor> outputs;
  std::vector<std::string> checked;  // per layer: algorithm, compared, max error bits, failure
  bool check_passed = false;
  std::vector<std::string> timed;  // per timing: node/algorithm, failure
};

Plan plan_for(const Model& model, int k) {
  Plan plan = Plan::for_model(model);
  plan.defaults["Conv"] = kConvAlgorithms[static_cast<size_t>(k) % kConvAlgorithms.size()];
  return plan;
}

// Load, compile, run. Everything it touches is its own but the registry and the bytes.
Outcome run_work(const std::string& bytes, int k) {
  auto model = std::make_shared<const Model>(load_model_from_bytes(bytes, "net.onnx"));
  Session session(model, plan_for(*model, k), {.threads = 1});
  Outcome out;
  for (const CompiledLayer& layer : session.layers())
    out.algorithms.push_back(layer.algorithm->name);
  out.outputs = session.run(random_inputs(*model, 100 + static_cast<uint64_t>(k)));
  return out;
}

std::string bits(double value) {
  uint64_t b = 0;
  std::memcpy(&b, &value, sizeof b);
  return std::to_string(b);
}

// The measurement services on the same model: a plan check and layer timings (the times
// themselves differ from run to run; which algorithms were timed and their failures do not).
Outcome measure_work(const std::string& bytes, int k) {
  auto model = std::make_shared<const Model>(load_model_from_bytes(bytes, "net.onnx"));
  const Plan plan = plan_for(*model, k);
  Outcome out;
  CheckOptions check;
  check.threads = 1;
  check.inputs = random_inputs(*model, 200 + static_cast<uint64_t>(k));
  const CheckResult result = check_plan(model, plan, check);
  out.check_passed = result.passed();
  for (const LayerCheck& layer : result.layers)
    out.checked.push_back(layer.node + " " + layer.algorithm + " " +
                          std::to_string(layer.compared) + " " + bits(layer.error.max_abs_error) +
                          " " + layer.failure);
  LayerTimingOptions timing;
  timing.threads = 1;
  timing.warmup = 0;
  timing.repeat = 1;
  timing.nodes = {"conv2"};
  timing.algorithms = kConvAlgorithms;  // not the plugin's, which arrives during the parallel run
  timing.inputs = check.inputs;
  for (const AlgorithmTiming& t : time_layers(model, plan, timing).timings)
    out.timed.push_back(t.node + "/" + t.algorithm + " " + t.failure);
  return out;
}

void expect_same(const Outcome& serial, const Outcome& parallel, const std::string& what) {
  EXPECT_EQ(serial.algorithms, parallel.algorithms) << what;
  EXPECT_EQ(serial.checked, parallel.checked) << what;
  EXPECT_EQ(serial.check_passed, parallel.check_passed) << what;
  EXPECT_EQ(serial.timed, parallel.timed) << what;
  ASSERT_EQ(serial.outputs.size(), parallel.outputs.size()) << what;
  for (size_t i = 0; i < serial.outputs.size(); ++i) {
    const Tensor& a = serial.outputs[i];
    const Tensor& b = parallel.outputs[i];
    ASSERT_EQ(a.shape(), b.shape()) << what;
    EXPECT_EQ(std::memcmp(a.raw(), b.raw(), a.bytes()), 0) << what << ": output " << i;
  }
}

TEST(Concurrency, SessionsMeasurementsRegistryReadsAndAPluginLoadAtOnceMatchSerialWork) {
  const std::string bytes = network_bytes();

  std::vector<Outcome> serial_runs, serial_measures;
  for (int k = 0; k < kWorkers; ++k) serial_runs.push_back(run_work(bytes, k));
  for (int k = 0; k < 2; ++k) serial_measures.push_back(measure_work(bytes, k));
  for (const Outcome& o : serial_measures) EXPECT_TRUE(o.check_passed);

  std::vector<Outcome> parallel_runs(kWorkers), parallel_measures(2);
  std::atomic<int> running{0};
  std::atomic<bool> go{false}, done{false};
  std::atomic<size_t> listings{0};
  PluginInfo plugin;
  std::string plugin_error;
  std::vector<std::thread> threads;
  // Everyone starts together, so that the work overlaps as much as it can.
  auto start = [&] {
    ++running;
    while (!go) std::this_thread::yield();
  };
  for (int k = 0; k < kWorkers; ++k)
    threads.emplace_back([&, k] {
      start();
      parallel_runs[static_cast<size_t>(k)] = run_work(bytes, k);
    });
  for (int k = 0; k < 2; ++k)
    threads.emplace_back([&, k] {
      start();
      parallel_measures[static_cast<size_t>(k)] = measure_work(bytes, k);
    });
  // Reads the registry the way a GUI or a tool lists it, until the others are done.
  std::thread reader([&] {
    start();
    const Registry& registry = Registry::instance();
    do {
      for (const std::string& op : registry.op_types())
        for (const Algorithm* a : algorithms_of(registry, op)) EXPECT_FALSE(a->name.empty()) << op;
      {
        RegistryReadGuard guard(registry);
        for (const Algorithm& a : registry.find_op("Conv")->algorithms) EXPECT_TRUE(a.prepare);
      }
      ++listings;
    } while (!done);
  });
  std::thread loader([&] {
    start();
    try {
      plugin = load_plugin(ALGOSCOPE_EXAMPLE_PLUGIN);
    } catch (const Error& e) {
      plugin_error = e.what();
    }
  });
  while (running < kWorkers + 4) std::this_thread::yield();
  go = true;
  for (std::thread& t : threads) t.join();
  loader.join();
  done = true;
  reader.join();

  EXPECT_EQ(plugin_error, "");
  EXPECT_EQ(plugin.algorithms, std::vector<std::string>{"Conv/example_loops"});
  EXPECT_NE(Registry::instance().find_algorithm("Conv", "example_loops"), nullptr);
  EXPECT_GT(listings.load(), 0u);
  for (int k = 0; k < kWorkers; ++k)
    expect_same(
        serial_runs[static_cast<size_t>(k)], parallel_runs[static_cast<size_t>(k)],
        "run " + std::to_string(k) + " (Conv=" + kConvAlgorithms[static_cast<size_t>(k)] + ")");
  for (int k = 0; k < 2; ++k)
    expect_same(serial_measures[static_cast<size_t>(k)], parallel_measures[static_cast<size_t>(k)],
                "measurement " + std::to_string(k));
  // The plans really differ: not every run compiled the same Conv algorithms.
  EXPECT_NE(serial_runs[0].algorithms, serial_runs[2].algorithms);
}

// Adding algorithms waits for readers on other threads; on the reading thread itself it would wait
// forever, so it is refused.
TEST(Concurrency, AddingAnAlgorithmWhileThisThreadReadsTheRegistryIsRefused) {
  Registry registry;
  OpDefinition op;
  op.op_type = "Scale";
  op.infer = [](const Layer& layer) { return std::vector<TensorInfo>{layer.inputs[0]}; };
  registry.add_op(std::move(op));
  Algorithm a;
  a.name = "fast";
  a.prepare = [](const Layer&) -> std::unique_ptr<Kernel> { return nullptr; };
  {
    RegistryReadGuard guard(registry);
    RegistryReadGuard nested(registry);  // guards nest
    try {
      registry.add_algorithm("Scale", a);
      ADD_FAILURE() << "no Error thrown";
    } catch (const Error& e) {
      EXPECT_NE(std::string(e.what()).find("on a thread that is reading it"), std::string::npos)
          << e.what();
    }
    EXPECT_EQ(algorithms_of(registry, "Scale").size(), 0u);
  }
  // Another registry is not affected by a guard on this one.
  {
    Registry other;
    RegistryReadGuard guard(other);
    registry.add_algorithm("Scale", a);
  }
  EXPECT_EQ(algorithms_of(registry, "Scale").size(), 1u);

  // A reader on another thread holds the addition back until it is done.
  std::atomic<bool> reading{false}, added{false}, release{false};
  std::thread reader([&] {
    RegistryReadGuard guard(registry);
    reading = true;
    while (!release) std::this_thread::yield();
    EXPECT_FALSE(added.load());  // still held back: we hold the guard
  });
  while (!reading) std::this_thread::yield();
  std::atomic<bool> trying{false};
  std::thread writer([&] {
    Algorithm b = a;
    b.name = "slow";
    trying = true;
    registry.add_algorithm("Scale", b);
    added = true;
  });
  while (!trying) std::this_thread::yield();
  // Time for an unguarded addition to finish (and the reader to see it), not a bound on anything.
  std::this_thread::sleep_for(std::chrono::milliseconds(50));
  release = true;
  reader.join();
  writer.join();
  EXPECT_TRUE(added.load());
  EXPECT_EQ(algorithms_of(registry, "Scale").size(), 2u);
}

}  // namespace
