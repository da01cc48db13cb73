// Plugins: the template plugin (engine/plugins/example) loads, marks its algorithm as a plugin's,
// is selectable in a plan, passes the same Conv sweep as the built-in algorithms, and every way a
// plugin can be wrong (missing file, not a library, no export, other ABI, failed registration) is
// a clear Error. The sweep itself must catch a wrong algorithm.
#include <dlfcn.h>
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <memory>

#include "algoscope/algoscope.h"
#include "nn_op_harness.h"
#include "ops/registrations.h"
#include "support/onnx_builder.h"
#include "support/temp_dir.h"

namespace {

using namespace algoscope;

const char* kPlugin = ALGOSCOPE_EXAMPLE_PLUGIN;

::testing::AssertionResult throws_with(const std::function<void()>& f, const std::string& text) {
  try {
    f();
  } catch (const Error& e) {
    if (std::string(e.what()).find(text) != std::string::npos) return ::testing::AssertionSuccess();
    return ::testing::AssertionFailure() << "message lacks '" << text << "': " << e.what();
  }
  return ::testing::AssertionFailure() << "no Error thrown";
}

TEST(Plugin, TemplateLoadsAndIsMarkedAsAPlugins) {
  const PluginInfo info = load_plugin(kPlugin);
  EXPECT_EQ(info.algorithms, std::vector<std::string>{"Conv/example_loops"});
  const Algorithm* a = Registry::instance().find_algorithm("Conv", "example_loops");
  ASSERT_NE(a, nullptr);
  EXPECT_EQ(a->backend, Backend::Plugin);
  EXPECT_EQ(a->origin, std::filesystem::canonical(kPlugin).string());
  EXPECT_FALSE(a->teaching.empty());
  // Loading again is harmless and reports the same.
  EXPECT_EQ(load_plugin(kPlugin).algorithms, info.algorithms);
  bool listed = false;
  for (const PluginInfo& p : loaded_plugins()) listed |= p.path == info.path;
  EXPECT_TRUE(listed);
  // Built-in algorithms stay built-in.
  EXPECT_EQ(Registry::instance().find_algorithm("Conv", "direct")->backend, Backend::Cpu);
}

TEST(Plugin, TemplatePassesTheConvSweep) {
  load_plugin(kPlugin);
  const SweepReport report = sweep_algorithm("Conv", "example_loops");
  EXPECT_TRUE(report.passed()) << report.summary();
  EXPECT_EQ(report.applicable, report.layers);  // 1-D and 2-D: every layer of the sweep
}

TEST(Plugin, SelectableInAPlan) {
  load_plugin(kPlugin);
  onnx_builder::ModelBuilder b("two_convs", 13);
  b.input("x", {1, 4, 11, 9});
  b.initializer("w1", {6, 4, 3, 3}, onnx_builder::random_floats(6 * 4 * 9, 1));
  b.initializer("w2", {6, 3, 1, 1}, onnx_builder::random_floats(6 * 3, 2));
  b.node("Conv", {"x", "w1"}, {"a"}, "conv1").ints("pads", {1, 1, 1, 1});
  b.node("Conv", {"a", "w2"}, {"y"}, "conv2").i("group", 2);
  b.output("y");
  auto model = std::make_shared<const Model>(load_model_from_bytes(b.bytes(), "two.onnx"));
  Plan plan = Plan::for_model(*model);
  plan.layers["conv1"] = "example_loops";
  plan.defaults["Conv"] = "example_loops";
  // Through JSON, as a user's plan file would carry it.
  const Plan reread = Plan::from_json(plan.to_json());
  Session session(model, reread, {.threads = 2});
  for (const CompiledLayer& l : session.layers()) EXPECT_EQ(l.algorithm->name, "example_loops");
  Plan reference = Plan::for_model(*model);
  reference.defaults["Conv"] = "reference";
  const auto inputs = random_inputs(*model, 3);
  EXPECT_TRUE(nn_test::all_close(session.run(inputs)[0],
                                 Session(model, reference, {.threads = 2}).run(inputs)[0], 1e-5,
                                 1e-4));
}

TEST(Plugin, BadPluginsAreClearErrors) {
  EXPECT_TRUE(throws_with([] { load_plugin("/nonexistent/libnothing.so"); }, "no such file"));
  test_support::TempDir dir;
  const std::string garbage = dir.file("garbage.so");
  std::ofstream(garbage) << "this is not an ELF file";
  EXPECT_TRUE(throws_with([&] { load_plugin(garbage); }, "cannot be loaded"));
  // A real library without the export: the engine itself.
  EXPECT_TRUE(throws_with([] { load_plugin(ALGOSCOPE_ENGINE_LIBRARY); },
                          "does not export algoscope_register_plugin"));
  // The export refuses another ABI version (what an old plugin meets after an engine upgrade).
  void* handle = dlopen(kPlugin, RTLD_NOW | RTLD_LOCAL);
  ASSERT_NE(handle, nullptr);
  auto fn =
      reinterpret_cast<algoscope_register_plugin_fn>(dlsym(handle, "algoscope_register_plugin"));
  ASSERT_NE(fn, nullptr);
  Registry empty;
  const char* why = fn(ALGOSCOPE_PLUGIN_ABI + 1, &empty);
  ASSERT_NE(why, nullptr);
  EXPECT_NE(std::string(why).find("ABI"), std::string::npos) << why;
  // Registration errors come back as messages: this registry has no Conv op.
  why = fn(ALGOSCOPE_PLUGIN_ABI, &empty);
  ASSERT_NE(why, nullptr);
  EXPECT_NE(std::string(why).find("Conv"), std::string::npos) << why;
  dlclose(handle);
}

TEST(Plugin, SweepCatchesAWrongAlgorithm) {
  Registry registry;  // private: a wrong algorithm must not reach the process-wide registry
  ops::register_conv(registry);
  Algorithm wrong = *registry.find_algorithm("Conv", "reference");
  wrong.name = "test_off_by_a_bit";
  auto reference_prepare = wrong.prepare;
  wrong.prepare = [reference_prepare](const Layer& layer) -> std::unique_ptr<Kernel> {
    struct Off final : Kernel {
      std::unique_ptr<Kernel> inner;
      void run(KernelIO& io) override {
        inner->run(io);
        io.outputs[0]->data<float>()[0] += 1e-2f;
      }
    };
    auto k = std::make_unique<Off>();
    k->inner = reference_prepare(layer);
    return k;
  };
  registry.add_algorithm("Conv", std::move(wrong));
  const SweepReport report = sweep_algorithm("Conv", "test_off_by_a_bit", 8, registry);
  EXPECT_FALSE(report.passed());
  EXPECT_EQ(report.failures.size(), size_t(report.runs));
  EXPECT_GT(report.worst_error_ratio, 1.0);
  EXPECT_NE(report.summary().find("test_off_by_a_bit"), std::string::npos);
  EXPECT_TRUE(throws_with([&] { sweep_algorithm("Conv", "no_such", 1, registry); }, "no_such"));
  EXPECT_TRUE(throws_with([&] { sweep_algorithm("Relu", "reference", 1, registry); }, "Relu"));
}

}  // namespace
