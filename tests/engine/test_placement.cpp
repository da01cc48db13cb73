// Tests of value placement (memory_space.h, engine/src/session/placement.cpp) with fake kernels
// of two memory spaces: the host and a fake device whose memory is host memory the test keeps
// track of. Every kernel checks that each tensor it is handed (inputs, constants, outputs,
// workspace) lies in the space it declared; the session must insert transfers exactly at the
// boundaries between spaces, in execution order, time them as their own steps, copy constants
// once at compile time, hand observers host copies, and compute what the all-host plan computes.
#include <gtest/gtest.h>

#include <cstdlib>
#include <cstring>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "algoscope/error.h"
#include "algoscope/loader.h"
#include "algoscope/measure.h"
#include "algoscope/memory_space.h"
#include "algoscope/plan.h"
#include "algoscope/registry.h"
#include "algoscope/session.h"
#include "support/one_op_registry.h"
#include "support/onnx_builder.h"

namespace {

using algoscope::DType;
using algoscope::Kernel;
using algoscope::KernelIO;
using algoscope::Layer;
using algoscope::MemorySpace;
using algoscope::Model;
using algoscope::Plan;
using algoscope::Session;
using algoscope::Tensor;

// What happened, in order: "k<node>" for a kernel, "up"/"down" for copies into and out of the
// fake device.
std::vector<std::string>& events() {
  static std::vector<std::string> log;
  return log;
}

// A device whose memory is tracked host memory, so tests can ask who owns a pointer.
class FakeDevice final : public MemorySpace {
 public:
  std::string name() const override { return "fake:0"; }
  void* allocate(size_t bytes) override {
    void* p = std::aligned_alloc(256, (bytes + 255) / 256 * 256);
    blocks_[static_cast<std::byte*>(p)] = bytes;
    return p;
  }
  void deallocate(void* data) noexcept override {
    blocks_.erase(static_cast<std::byte*>(data));
    std::free(data);
  }
  void copy_from_host(void* destination, const void* source, size_t bytes) override {
    EXPECT_TRUE(owns(destination, bytes)) << "upload into memory the device does not own";
    EXPECT_FALSE(owns(source, 1)) << "upload from device memory";
    std::memcpy(destination, source, bytes);
    events().push_back("up");
  }
  void copy_to_host(void* destination, const void* source, size_t bytes) override {
    EXPECT_TRUE(owns(source, bytes)) << "download from memory the device does not own";
    EXPECT_FALSE(owns(destination, 1)) << "download into device memory";
    std::memcpy(destination, source, bytes);
    events().push_back("down");
  }
  void synchronize() override { ++synchronizations; }

  // With clock_ms set, the device has a clock (like CUDA events): every interval it times lasts
  // exactly clock_ms, a value no host clock would read for these tiny kernels.
  std::unique_ptr<algoscope::DeviceTimer> make_timer() override {
    if (!clock_ms) return nullptr;
    struct FakeClock final : algoscope::DeviceTimer {
      explicit FakeClock(FakeDevice& d) : device(d) {}
      void start() override { ++device.timer_starts; }
      double stop_ms() override { return *device.clock_ms; }
      FakeDevice& device;
    };
    return std::make_unique<FakeClock>(*this);
  }

  // True when [p, p + bytes) lies inside one block this device allocated.
  bool owns(const void* p, size_t bytes) const {
    auto* b = static_cast<const std::byte*>(p);
    auto it = blocks_.upper_bound(const_cast<std::byte*>(b));
    if (it == blocks_.begin()) return false;
    --it;
    return b >= it->first && b + bytes <= it->first + it->second;
  }
  int synchronizations = 0;
  std::optional<double> clock_ms;
  int timer_starts = 0;

 private:
  std::map<std::byte*, size_t> blocks_;
};

FakeDevice& device() {
  static FakeDevice d;
  return d;
}

// y = 2 * x (+ c when a second input is given). Checks the space of every tensor it touches.
class AffineKernel final : public Kernel {
 public:
  AffineKernel(std::string node, bool on_device) : node_(std::move(node)), on_device_(on_device) {}
  MemorySpace* memory_space() const override { return on_device_ ? &device() : nullptr; }
  // Like cuDNN's find, the device algorithm says what it picked.
  std::string choice() const override { return on_device_ ? "the fake device's pick" : ""; }
  void run(KernelIO& io) override {
    events().push_back("k" + node_);
    auto check = [&](const void* p, size_t bytes, const char* what) {
      EXPECT_EQ(device().owns(p, bytes), on_device_)
          << node_ << ": " << what << " is in the wrong memory space";
    };
    for (const Tensor* t : io.inputs) check(t->raw(), t->bytes(), "an input");
    for (const Tensor* t : io.outputs) check(t->raw(), t->bytes(), "an output");
    check(io.workspace, 16, "the workspace");
    const float* x = io.inputs[0]->data<float>();
    const float* c = io.inputs.size() > 1 ? io.inputs[1]->data<float>() : nullptr;
    float* y = io.outputs[0]->data<float>();
    for (int64_t i = 0; i < io.outputs[0]->numel(); ++i) y[i] = 2 * x[i] + (c ? c[i] : 0.0f);
  }

 private:
  std::string node_;
  bool on_device_;
};

algoscope::Algorithm affine_algorithm(const std::string& name, bool on_device) {
  algoscope::Algorithm a;
  a.name = name;
  a.backend = on_device ? algoscope::Backend::Cuda : algoscope::Backend::Cpu;
  a.summary = "test algorithm";
  a.workspace_bytes = [](const Layer&) { return size_t{16}; };
  a.prepare = [on_device](const Layer& l) {
    return std::make_unique<AffineKernel>(l.n().name, on_device);
  };
  return a;
}

std::unique_ptr<algoscope::Registry> affine_registry() {
  return test_support::one_op_registry(
      "Affine", "y = 2x + c",
      {affine_algorithm("reference", false), affine_algorithm("device", true)});
}

// x -> 0 (host) -> v0 -> 1 (device, + constant K) -> v1 -> 2 (device) -> v2
// 3 (host) reads v2 and v1 -> y (graph output); 4 (device) reads v1 -> z (graph output, made on
// the device).
std::shared_ptr<const Model> mixed_model() {
  Model m;
  m.name = "mixed";
  m.fingerprint = "sha256:mixed";
  m.opset = 13;
  m.inputs = {"x"};
  m.outputs = {"y", "z"};
  auto node = [&](const std::string& name, std::vector<std::string> in, const std::string& out) {
    algoscope::Node n;
    n.name = name;
    n.op_type = "Affine";
    n.inputs = std::move(in);
    n.outputs = {out};
    m.nodes.push_back(n);
  };
  node("0", {"x"}, "v0");
  node("1", {"v0", "K"}, "v1");
  node("2", {"v1"}, "v2");
  node("3", {"v2", "v1"}, "y");
  node("4", {"v1"}, "z");
  Tensor k(DType::Float32, {8});
  for (int i = 0; i < 8; ++i) k.data<float>()[i] = 0.5f * i;
  m.constants["K"] = k;
  for (const char* v : {"x", "v0", "v1", "v2", "y", "z", "K"})
    m.values[v] = algoscope::ValueInfo{v, {DType::Float32, {8}}, true, "float"};
  return std::make_shared<const Model>(std::move(m));
}

Plan plan_of(const Model& model, const std::vector<std::string>& device_nodes) {
  Plan plan = Plan::for_model(model);
  plan.defaults["Affine"] = "reference";
  for (const auto& n : device_nodes) plan.layers[n] = "device";
  return plan;
}

std::vector<Tensor> input() {
  Tensor x(DType::Float32, {8});
  for (int i = 0; i < 8; ++i) x.data<float>()[i] = 1.0f + i;
  return {x};
}

std::vector<float> values(const Tensor& t) {
  return std::vector<float>(t.data<float>(), t.data<float>() + t.numel());
}

TEST(Placement, TransfersAreInsertedExactlyAtTheBoundariesInExecutionOrder) {
  auto registry = affine_registry();
  auto model = mixed_model();
  Session session(model, plan_of(*model, {"1", "2", "4"}), {.threads = 1}, *registry);

  ASSERT_EQ(session.transfers().size(), 4u);
  std::vector<std::string> names;
  for (const auto& t : session.transfers()) names.push_back(t.step_name());
  EXPECT_EQ(names,
            (std::vector<std::string>{"transfer v0 host->fake:0", "transfer v2 fake:0->host",
                                      "transfer v1 fake:0->host", "transfer z fake:0->host"}));
  for (const auto& t : session.transfers()) EXPECT_EQ(t.bytes, 32u);
  ASSERT_EQ(session.compile_transfers().size(), 1u);
  EXPECT_EQ(session.compile_transfers()[0].step_name(), "transfer K host->fake:0");
  EXPECT_FALSE(session.compile_transfers()[0].per_run);
  EXPECT_EQ(session.layers()[1].space, &device());
  EXPECT_EQ(session.layers()[3].space, nullptr);

  events().clear();
  std::vector<Tensor> out = session.run(input());
  // The constant went up at compile time, not here; v2 and v1 go down for node 3 (in its input
  // order), and z right after node 4 made it.
  EXPECT_EQ(events(),
            (std::vector<std::string>{"k0", "up", "k1", "k2", "down", "down", "k3", "k4", "down"}));
  // A second run repeats exactly the per-run steps.
  events().clear();
  out = session.run(input());
  EXPECT_EQ(events().size(), 9u);

  auto all_host_registry = affine_registry();
  Session host(model, plan_of(*model, {}), {.threads = 1}, *all_host_registry);
  EXPECT_TRUE(host.transfers().empty());
  EXPECT_TRUE(host.compile_transfers().empty());
  std::vector<Tensor> want = host.run(input());
  ASSERT_EQ(out.size(), 2u);
  EXPECT_EQ(values(out[0]), values(want[0]));
  EXPECT_EQ(values(out[1]), values(want[1]));
  EXPECT_FALSE(device().owns(out[0].raw(), 1));
  EXPECT_FALSE(device().owns(out[1].raw(), 1));
}

TEST(Placement, TransfersAreTimedAsTheirOwnStepsAfterTheDeviceIsWaitedFor) {
  auto registry = affine_registry();
  auto model = mixed_model();
  Session session(model, plan_of(*model, {"1", "2", "4"}), {.threads = 1}, *registry);
  std::vector<size_t> layers, transfers;
  session.set_timing_hook([&](size_t i, double seconds) {
    EXPECT_GE(seconds, 0.0);
    layers.push_back(i);
  });
  session.set_transfer_timing_hook([&](size_t i, double seconds) {
    EXPECT_GE(seconds, 0.0);
    transfers.push_back(i);
  });
  const int before = device().synchronizations;
  session.run(input());
  EXPECT_EQ(layers, (std::vector<size_t>{0, 1, 2, 3, 4}));
  EXPECT_EQ(transfers, (std::vector<size_t>{0, 1, 2, 3}));
  // Each device kernel and each upload is waited for before its clock stops.
  EXPECT_GE(device().synchronizations - before, 4);
}

// A space with its own clock (CUDA events on a GPU) times its kernels, in a session's per-layer
// timing and in isolated timing; host kernels and transfers keep the host clock.
TEST(Placement, DeviceKernelsAreTimedOnTheDeviceClock) {
  auto registry = affine_registry();
  auto model = mixed_model();
  device().clock_ms = 250.0;
  device().timer_starts = 0;
  {
    Session session(model, plan_of(*model, {"1", "2", "4"}), {.threads = 1}, *registry);
    std::map<size_t, double> layer_seconds;
    session.set_timing_hook([&](size_t i, double seconds) { layer_seconds[i] = seconds; });
    std::vector<double> transfer_seconds;
    session.set_transfer_timing_hook(
        [&](size_t, double seconds) { transfer_seconds.push_back(seconds); });
    session.run(input());
    ASSERT_EQ(layer_seconds.size(), 5u);
    for (size_t device_layer : {1, 2, 4}) EXPECT_EQ(layer_seconds[device_layer], 0.25);
    for (size_t host_layer : {0, 3}) EXPECT_NE(layer_seconds[host_layer], 0.25);
    for (double seconds : transfer_seconds) EXPECT_NE(seconds, 0.25);
    EXPECT_EQ(device().timer_starts, 3);

    algoscope::LayerTimingOptions options;
    options.threads = 1;
    options.repeat = 3;
    options.algorithms = {"reference", "device"};
    options.inputs = input();
    const auto timed = algoscope::time_layers(model, plan_of(*model, {}), options, *registry);
    int device_rows = 0;
    for (const auto& t : timed.timings) {
      if (t.algorithm != "device") {
        EXPECT_NE(t.time.median_ms, 250.0) << t.node;
        continue;
      }
      ++device_rows;
      EXPECT_EQ(t.time.median_ms, 250.0) << t.node;
      EXPECT_EQ(t.time.samples, 3) << t.node;
    }
    EXPECT_EQ(device_rows, 5);
  }
  device().clock_ms.reset();
}

TEST(Placement, EndToEndTimingReportsEachTransferAsItsOwnRow) {
  auto registry = affine_registry();
  auto model = mixed_model();
  algoscope::EndToEndOptions options;
  options.threads = 1;
  options.warmup = 1;
  options.repeat = 3;
  options.adaptive.target_ci = 0;  // exactly `repeat` runs
  options.inputs = input();
  const algoscope::EndToEndResult r =
      algoscope::time_end_to_end(model, plan_of(*model, {"1", "2", "4"}), options, *registry);
  ASSERT_EQ(r.transfers.size(), 4u);
  EXPECT_EQ(r.transfers[0].transfer.step_name(), "transfer v0 host->fake:0");
  for (const auto& t : r.transfers) EXPECT_EQ(t.time.samples, 3);
  EXPECT_EQ(r.transfer_sum.samples, 3);
  EXPECT_EQ(r.layers.size(), 5u);
  EXPECT_EQ(r.layers[1].choice, "the fake device's pick");
  EXPECT_EQ(r.layers[0].choice, "");
  EXPECT_NE(algoscope::to_json(r).find("\"transfer v1 fake:0->host\""), std::string::npos);
}

TEST(Placement, ObserversSeeHostCopiesOfDeviceValues) {
  auto registry = affine_registry();
  auto model = mixed_model();
  Session session(model, plan_of(*model, {"1", "2", "4"}), {.threads = 1}, *registry);
  std::vector<float> v1;
  session.run(input(), [&](size_t i, const KernelIO& io) {
    for (const Tensor* t : io.inputs) EXPECT_FALSE(device().owns(t->raw(), 1)) << i;
    for (const Tensor* t : io.outputs) EXPECT_FALSE(device().owns(t->raw(), 1)) << i;
    if (i == 1) v1 = values(*io.outputs[0]);
    return true;
  });
  // v1 = 2 * (2 * x) + K
  ASSERT_EQ(v1.size(), 8u);
  for (int i = 0; i < 8; ++i) EXPECT_EQ(v1[i], 4.0f * (1.0f + i) + 0.5f * i);
}

TEST(Placement, AllDeviceChainHasOnlyTheBoundaryTransfers) {
  auto registry = affine_registry();
  auto model = mixed_model();
  Session session(model, plan_of(*model, {"0", "1", "2", "3", "4"}), {.threads = 1}, *registry);
  std::vector<std::string> names;
  for (const auto& t : session.transfers()) names.push_back(t.step_name());
  // In: x once. Out: the two graph outputs. Nothing between the first and last layer.
  EXPECT_EQ(names, (std::vector<std::string>{"transfer x host->fake:0", "transfer y fake:0->host",
                                             "transfer z fake:0->host"}));
  auto host_registry = affine_registry();
  Session host(model, plan_of(*model, {}), {.threads = 1}, *host_registry);
  std::vector<Tensor> got = session.run(input()), want = host.run(input());
  EXPECT_EQ(values(got[0]), values(want[0]));
  EXPECT_EQ(values(got[1]), values(want[1]));
}

// A Conv with a fused residual on a device: the session prepares the device Conv for the plain
// convolution, which writes into the workspace, and adds the residual with the device Add of the
// same memory space, activation included; nothing of it touches the host between the two.
TEST(Placement, AFusedResidualIsAddedOnTheDeviceByAnAddOfItsSpace) {
  algoscope::Registry& registry = algoscope::Registry::instance();
  if (!registry.find_algorithm("Conv", "test_fake_device_conv")) {
    class DeviceConv final : public Kernel {
     public:
      explicit DeviceConv(std::unique_ptr<Kernel> reference) : reference_(std::move(reference)) {}
      MemorySpace* memory_space() const override { return &device(); }
      void run(KernelIO& io) override {
        events().push_back("kconv");
        for (const Tensor* t : io.inputs)
          if (t) EXPECT_TRUE(device().owns(t->raw(), t->bytes())) << "a conv input on the host";
        EXPECT_EQ(io.inputs.size(), 3u);  // X, W and the absent bias: no residual
        EXPECT_TRUE(device().owns(io.outputs[0]->raw(), io.outputs[0]->bytes()));
        reference_->run(io);  // the fake device's memory is host memory
      }

     private:
      std::unique_ptr<Kernel> reference_;
    };
    class DeviceAdd final : public Kernel {
     public:
      explicit DeviceAdd(std::optional<algoscope::Node::Activation> activation)
          : activation_(activation) {}
      MemorySpace* memory_space() const override { return &device(); }
      void run(KernelIO& io) override {
        events().push_back("kadd");
        for (const Tensor* t : {io.inputs[0], io.inputs[1], (const Tensor*)io.outputs[0]})
          EXPECT_TRUE(device().owns(t->raw(), t->bytes())) << "an add operand on the host";
        EXPECT_NE(io.inputs[0]->raw(), io.outputs[0]->raw());  // the sum is not written in place
        for (int64_t i = 0; i < io.outputs[0]->numel(); ++i) {
          float y = io.inputs[0]->data<float>()[i] + io.inputs[1]->data<float>()[i];
          if (activation_) y = std::min(std::max(y, activation_->lower), activation_->upper);
          io.outputs[0]->data<float>()[i] = y;
        }
      }

     private:
      std::optional<algoscope::Node::Activation> activation_;
    };
    algoscope::Algorithm conv;
    conv.name = "test_fake_device_conv";
    conv.backend = algoscope::Backend::Cuda;
    conv.default_priority = -1000;
    conv.applies_activation = true;
    conv.prepare = [](const Layer& layer) -> std::unique_ptr<Kernel> {
      EXPECT_FALSE(layer.n().activation.has_value());  // the Add applies it
      return std::make_unique<DeviceConv>(
          algoscope::Registry::instance().find_algorithm("Conv", "reference")->make_kernel(layer));
    };
    registry.add_algorithm("Conv", std::move(conv));
    algoscope::Algorithm add;
    add.name = "test_fake_device_add";
    add.backend = algoscope::Backend::Cuda;
    add.default_priority = -1000;
    add.applies_activation = true;
    add.prepare = [](const Layer& layer) -> std::unique_ptr<Kernel> {
      return std::make_unique<DeviceAdd>(layer.n().activation);
    };
    registry.add_algorithm("Add", std::move(add));
  }
  auto build = [](bool fuse) {
    onnx_builder::ModelBuilder b("residual_on_device", 13);
    b.input("x", {1, 4, 6, 6});
    b.initializer("w", {4, 4, 3, 3}, onnx_builder::random_floats(144, 3));
    b.node("Conv", {"x", "w"}, {"c"}, "conv").ints("pads", {1, 1, 1, 1});
    b.node("Add", {"c", "x"}, {"s"}, "add");
    b.node("Relu", {"s"}, {"y"}, "relu");
    b.output("y");
    return std::make_shared<const Model>(
        algoscope::load_model_from_bytes(b.bytes(), "r.onnx", {.fuse_residual_add = fuse}));
  };
  auto fused = build(true), unfused = build(false);
  ASSERT_EQ(fused->nodes.size(), 1u);
  const Layer layer = algoscope::make_layer(*fused, fused->nodes[0]);
  const algoscope::Algorithm* conv = registry.find_algorithm("Conv", "test_fake_device_conv");
  ASSERT_FALSE(conv->why_not(layer).has_value());
  EXPECT_EQ(conv->workspace(layer), 4u * 6 * 6 * sizeof(float));  // the plain convolution's output

  Plan plan = Plan::for_model(*fused);
  plan.layers["conv"] = "test_fake_device_conv";
  Session session(fused, plan, {.threads = 1});
  Plan all_reference = Plan::for_model(*unfused);
  for (const auto& n : unfused->nodes) all_reference.layers[n.name] = "reference";
  Session want(unfused, all_reference, {.threads = 1});
  Tensor x(DType::Float32, {1, 4, 6, 6});
  for (int64_t i = 0; i < x.numel(); ++i) x.data<float>()[i] = 0.1f * float(i % 13) - 0.6f;
  events().clear();
  const std::vector<Tensor> got = session.run({x}), expected = want.run({x});
  // x goes up once (read as X and as the residual), the sum comes down once.
  EXPECT_EQ(events(), (std::vector<std::string>{"up", "kconv", "kadd", "down"}));
  ASSERT_EQ(got[0].shape(), expected[0].shape());
  for (int64_t i = 0; i < got[0].numel(); ++i)
    EXPECT_NEAR(got[0].data<float>()[i], expected[0].data<float>()[i], 1e-5f) << i;
}

}  // namespace
