// Tests of Session: compiled models compute what a plain node-by-node interpreter computes (with
// every value in its own buffer, so arena reuse mistakes show up as wrong numbers), the arena is
// smaller than the activations it holds, outputs belong to the caller (a later run or a destroyed
// session leaves them alone), graph outputs that are read by later nodes, constants or graph
// inputs come out right, the timing hook fires once per layer and only when set, a layer observer
// sees every layer and can stop the run, inputs are validated with messages naming the input and
// the expected shape, the thread count is honoured, and random_inputs is deterministic per seed.
#include <gtest/gtest.h>
#include <omp.h>

#include <algorithm>
#include <cmath>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "algoscope/error.h"
#include "algoscope/loader.h"
#include "algoscope/plan.h"
#include "algoscope/registry.h"
#include "algoscope/session.h"
#include "support/assertions.h"
#include "support/onnx_builder.h"

namespace {

using test_support::Contains;
using test_support::error_of;
using test_support::relative_difference;

using algoscope::DType;
using algoscope::Error;
using algoscope::Model;
using algoscope::Plan;
using algoscope::reference_plan;
using algoscope::Session;
using algoscope::SessionOptions;
using algoscope::Shape;
using algoscope::Tensor;
using onnx_builder::ModelBuilder;
using onnx_builder::random_floats;

// Activation, MatMul+bias and residual Add fusion stay off: these tests count nodes and check each
// against the interpreter (fusion has its own tests in test_fusion.cpp and
// test_fuse_matmul_bias.cpp).
std::shared_ptr<const Model> load(const ModelBuilder& b) {
  return std::make_shared<const Model>(algoscope::load_model_from_bytes(
      b.bytes(), b.proto().graph().name() + ".onnx",
      {.fuse_matmul_bias = false, .fuse_activations = false, .fuse_residual_add = false}));
}

std::vector<float> values(const Tensor& t) {
  const float* p = t.data<float>();
  return std::vector<float>(p, p + t.numel());
}

// Runs the model node by node with each op's "reference" algorithm, every value in a buffer of its
// own: the ground truth the session's arena must not change.
std::vector<Tensor> interpret(const Model& model, const std::vector<Tensor>& inputs) {
  std::map<std::string, Tensor> env;
  for (const auto& [name, t] : model.constants) env[name] = t;
  for (size_t i = 0; i < model.inputs.size(); ++i) env[model.inputs[i]] = inputs.at(i).clone();
  for (const algoscope::Node& node : model.nodes) {
    const auto* op = algoscope::Registry::instance().find_op(node.op_type);
    if (!op) throw Error("interpret: no op " + node.op_type);
    const algoscope::Algorithm* reference = op->find("reference");
    if (!reference) throw Error("interpret: no reference algorithm for " + node.op_type);
    algoscope::Layer layer = algoscope::make_layer(model, node);
    algoscope::KernelIO io;
    for (const auto& in : node.inputs) io.inputs.push_back(in.empty() ? nullptr : &env.at(in));
    std::vector<Tensor> outs;
    for (const auto& info : layer.outputs) outs.emplace_back(info.dtype, info.shape);
    for (auto& o : outs) io.outputs.push_back(&o);
    Tensor workspace(DType::UInt8, {static_cast<int64_t>(reference->workspace(layer)) + 64});
    io.workspace = workspace.raw();
    reference->prepare(layer)->run(io);
    for (size_t k = 0; k < node.outputs.size(); ++k)
      if (!node.outputs[k].empty()) env[node.outputs[k]] = std::move(outs[k]);
  }
  std::vector<Tensor> outputs;
  for (const auto& name : model.outputs) outputs.push_back(env.at(name).clone());
  return outputs;
}

// x[1,8,16,16] through eight layers with a residual Add: Conv, Relu, Conv, Add(.., first Conv),
// Relu, Mul by per-channel scale, Conv, Relu. Every activation is the same size, so an arena that
// reuses freed buffers needs about three of them instead of eight.
ModelBuilder conv_chain_model() {
  ModelBuilder b("conv_chain");
  b.input("x", {1, 8, 16, 16});
  for (int i = 1; i <= 3; ++i) {
    b.initializer("w" + std::to_string(i), {8, 8, 3, 3},
                  random_floats(8 * 8 * 9, 10 + i, -0.3f, 0.3f));
    b.initializer("b" + std::to_string(i), {8}, random_floats(8, 20 + i));
  }
  b.initializer("scale", {8, 1, 1}, random_floats(8, 30, 0.5f, 1.5f));
  b.node("Conv", {"x", "w1", "b1"}, {"a1"}, "conv1").ints("pads", {1, 1, 1, 1});
  b.node("Relu", {"a1"}, {"a2"}, "relu1");
  b.node("Conv", {"a2", "w2", "b2"}, {"a3"}, "conv2").ints("pads", {1, 1, 1, 1});
  b.node("Add", {"a3", "a1"}, {"a4"}, "residual");
  b.node("Relu", {"a4"}, {"a5"}, "relu2");
  b.node("Mul", {"a5", "scale"}, {"a6"}, "scale");
  b.node("Conv", {"a6", "w3", "b3"}, {"a7"}, "conv3").ints("pads", {1, 1, 1, 1});
  b.node("Relu", {"a7"}, {"y"}, "relu3");
  b.output("y");
  return b;
}

// x[4,16] -> MatMul(W1) -> Relu -> Gemm(W2, transB, bias) -> Relu -> MatMul(W3) -> Add(bias) -> y.
ModelBuilder dense_chain_model() {
  ModelBuilder b("dense_chain");
  b.input("x", {4, 16});
  b.initializer("w1", {16, 32}, random_floats(16 * 32, 41));
  b.initializer("w2", {24, 32}, random_floats(24 * 32, 42));
  b.initializer("b2", {24}, random_floats(24, 43));
  b.initializer("w3", {24, 8}, random_floats(24 * 8, 44));
  b.initializer("b3", {8}, random_floats(8, 45));
  b.node("MatMul", {"x", "w1"}, {"h1"}, "mm1");
  b.node("Relu", {"h1"}, {"h2"}, "relu1");
  b.node("Gemm", {"h2", "w2", "b2"}, {"h3"}, "gemm").i("transB", 1).f("alpha", 0.5f);
  b.node("Relu", {"h3"}, {"h4"}, "relu2");
  b.node("MatMul", {"h4", "w3"}, {"h5"}, "mm2");
  b.node("Add", {"h5", "b3"}, {"y"}, "bias");
  b.output("y");
  return b;
}

// ---------------------------------------------------------------------------------------------
// Arena and correctness

TEST(SessionArena, ReusesBuffersAndMatchesTheInterpreter) {
  auto model = load(conv_chain_model());
  ASSERT_EQ(model->nodes.size(), 8u);
  Session session(model, Plan::for_model(*model), {.threads = 1});
  ASSERT_EQ(session.layers().size(), 8u);
  const size_t one = 8 * 16 * 16 * sizeof(float);
  EXPECT_EQ(session.activation_bytes(), 8 * one);
  EXPECT_LT(session.arena_bytes(), session.activation_bytes());
  // The residual keeps a1 alive across three layers, so three buffers are the least possible.
  EXPECT_LE(session.arena_bytes(), 4 * one);

  auto inputs = algoscope::random_inputs(*model, 5);
  auto want = interpret(*model, inputs);
  auto got = session.run(inputs);
  ASSERT_EQ(got.size(), 1u);
  EXPECT_LE(relative_difference(got[0], want[0]), 1e-4);

  // With the reference algorithms everywhere the only difference left is the memory layout.
  Session ref(model, reference_plan(*model), {.threads = 1});
  auto exact = ref.run(inputs);
  EXPECT_LE(relative_difference(exact[0], want[0]), 1e-6);
  for (const auto& layer : ref.layers()) EXPECT_EQ(layer.algorithm->name, "reference");
}

TEST(SessionArena, DenseChainMatchesTheInterpreter) {
  auto model = load(dense_chain_model());
  ASSERT_EQ(model->nodes.size(), 6u);
  Session session(model, Plan::for_model(*model), {.threads = 2});
  EXPECT_LT(session.arena_bytes(), session.activation_bytes());
  auto inputs = algoscope::random_inputs(*model, 9);
  auto got = session.run(inputs);
  auto want = interpret(*model, inputs);
  ASSERT_EQ(got.size(), 1u);
  EXPECT_EQ(got[0].shape(), (Shape{4, 8}));
  EXPECT_LE(relative_difference(got[0], want[0]), 1e-4);
}

TEST(SessionArena, LayersDescribeTheCompiledNodes) {
  auto model = load(conv_chain_model());
  Session session(model, Plan::for_model(*model), {.threads = 1});
  size_t largest = 0;
  for (size_t i = 0; i < session.layers().size(); ++i) {
    const auto& layer = session.layers()[i];
    EXPECT_EQ(layer.node, &session.model().nodes[i]);
    ASSERT_NE(layer.algorithm, nullptr);
    EXPECT_EQ(layer.layer.node, layer.node);
    largest = std::max(largest, layer.workspace_bytes);
    // 2 FLOPs per multiply-add (bias and conventions aside: within 5%).
    const double conv_flops = 2.0 * 8 * 16 * 16 * 8 * 9;
    if (layer.node->op_type == "Conv") EXPECT_NEAR(layer.flops, conv_flops, 0.05 * conv_flops);
  }
  EXPECT_EQ(session.workspace_bytes(), largest);
}

TEST(SessionArena, KeepsTheModelAlive) {
  auto model = load(conv_chain_model());
  auto inputs = algoscope::random_inputs(*model, 1);
  auto want = interpret(*model, inputs);
  Session session(model, Plan::for_model(*model), {.threads = 1});
  model.reset();
  EXPECT_EQ(session.model().name, "conv_chain");
  EXPECT_LE(relative_difference(session.run(inputs)[0], want[0]), 1e-4);
}

// ---------------------------------------------------------------------------------------------
// Outputs

TEST(SessionOutputs, BelongToTheCaller) {
  ModelBuilder b("owned");
  b.input("x", {64});
  b.initializer("two", {}, {2.0f});
  b.node("Relu", {"x"}, {"a"}, "relu");
  b.node("Mul", {"a", "two"}, {"y"}, "double");
  b.output("y");
  auto model = load(b);
  auto session =
      std::make_unique<Session>(model, Plan::for_model(*model), SessionOptions{.threads = 1});

  auto x1 = algoscope::random_inputs(*model, 1);
  auto x2 = algoscope::random_inputs(*model, 2);
  const std::vector<float> x1_before = values(x1[0]);
  auto out1 = session->run(x1);
  const std::vector<float> first = values(out1[0]);
  EXPECT_EQ(values(x1[0]), x1_before) << "the session must not write its inputs";
  for (size_t i = 0; i < first.size(); ++i) EXPECT_EQ(first[i], 2 * std::max(x1_before[i], 0.0f));

  auto out2 = session->run(x2);
  EXPECT_NE(out1[0].raw(), out2[0].raw());
  EXPECT_EQ(values(out1[0]), first) << "a second run changed the first run's output";
  EXPECT_NE(values(out2[0]), first);

  // Writing into a returned output does not leak into later runs.
  std::fill(out2[0].data<float>(), out2[0].data<float>() + out2[0].numel(), 1234.0f);
  EXPECT_EQ(values(session->run(x1)[0]), first);

  // Outputs outlive the session.
  session.reset();
  EXPECT_EQ(values(out1[0]), first);
}

TEST(SessionOutputs, GraphOutputAlsoReadByLaterNodes) {
  ModelBuilder b("output_read_later");
  b.input("x", {2, 8});
  b.node("Relu", {"x"}, {"a"}, "relu1");  // graph output, and read by three later nodes
  b.node("Add", {"a", "x"}, {"b"}, "add");
  b.node("Relu", {"b"}, {"c"}, "relu2");
  b.node("Mul", {"c", "a"}, {"d"}, "mul");
  b.node("Add", {"d", "a"}, {"e"}, "add2");
  b.node("Relu", {"e"}, {"f"}, "relu3");
  b.output("f");
  b.output("a");
  b.output("d");
  auto model = load(b);
  Session session(model, Plan::for_model(*model), {.threads = 1});
  auto inputs = algoscope::random_inputs(*model, 3);
  auto got = session.run(inputs);
  auto want = interpret(*model, inputs);
  ASSERT_EQ(got.size(), 3u);
  for (size_t i = 0; i < 3; ++i) EXPECT_EQ(values(got[i]), values(want[i])) << "output " << i;
  // Spot-check against the arithmetic itself.
  const float* x = inputs[0].data<float>();
  for (int i = 0; i < 16; ++i) {
    float a = std::max(x[i], 0.0f);
    float d = std::max(a + x[i], 0.0f) * a;
    EXPECT_EQ(got[1].data<float>()[i], a);
    EXPECT_EQ(got[2].data<float>()[i], d);
    EXPECT_EQ(got[0].data<float>()[i], std::max(d + a, 0.0f));
  }
}

TEST(SessionOutputs, GraphOutputsThatAreAConstantOrAGraphInput) {
  ModelBuilder b("passthrough_outputs");
  b.input("x", {3});
  b.initializer("k", {2}, {7.0f, -8.0f});
  b.node("Relu", {"x"}, {"y"}, "relu");
  b.output("y");
  b.output("k");
  b.output("x");
  auto model = load(b);
  ASSERT_EQ(model->outputs, (std::vector<std::string>{"y", "k", "x"}));
  Session session(model, Plan::for_model(*model), {.threads = 1});

  Tensor x = Tensor::from_vector<float>({3}, {-1.0f, 0.5f, 2.0f});
  auto out = session.run({x});
  ASSERT_EQ(out.size(), 3u);
  EXPECT_EQ(values(out[0]), (std::vector<float>{0.0f, 0.5f, 2.0f}));
  EXPECT_EQ(values(out[1]), (std::vector<float>{7.0f, -8.0f}));
  EXPECT_EQ(values(out[2]), values(x));
  // Copies, not views: of the model's constant and of the caller's input.
  EXPECT_NE(out[1].raw(), model->find_constant("k")->raw());
  EXPECT_NE(out[2].raw(), x.raw());
  out[1].data<float>()[0] = 99.0f;
  x.data<float>()[0] = 42.0f;
  EXPECT_EQ(out[2].data<float>()[0], -1.0f);
  EXPECT_EQ(model->find_constant("k")->data<float>()[0], 7.0f);
  EXPECT_EQ(values(session.run({x})[1]), (std::vector<float>{7.0f, -8.0f}));
}

TEST(SessionOutputs, ModelWithoutNodes) {
  ModelBuilder b("constant_only");
  b.input("x", {2});
  b.initializer("k", {2}, {1.0f, 2.0f});
  b.output("k");
  b.output("x");
  auto model = load(b);
  EXPECT_TRUE(model->nodes.empty());
  Session session(model, Plan::for_model(*model), {.threads = 1});
  EXPECT_TRUE(session.layers().empty());
  EXPECT_EQ(session.arena_bytes(), 0u);
  auto out = session.run({Tensor::from_vector<float>({2}, {3.0f, 4.0f})});
  ASSERT_EQ(out.size(), 2u);
  EXPECT_EQ(values(out[0]), (std::vector<float>{1.0f, 2.0f}));
  EXPECT_EQ(values(out[1]), (std::vector<float>{3.0f, 4.0f}));
}

// ---------------------------------------------------------------------------------------------
// Timing hook

TEST(SessionTiming, HookCalledOncePerLayerAndNotWhenUnset) {
  auto model = load(conv_chain_model());
  Session session(model, Plan::for_model(*model), {.threads = 1});
  auto inputs = algoscope::random_inputs(*model, 1);

  std::vector<int> calls(session.layers().size(), 0);
  size_t total = 0;
  std::vector<size_t> order;
  session.set_timing_hook([&](size_t index, double seconds) {
    ASSERT_LT(index, calls.size());
    ++calls[index];
    ++total;
    order.push_back(index);
    EXPECT_GE(seconds, 0.0);
    EXPECT_LT(seconds, 60.0);
  });
  session.run(inputs);
  EXPECT_EQ(total, session.layers().size());
  for (size_t i = 0; i < calls.size(); ++i) EXPECT_EQ(calls[i], 1) << "layer " << i;
  for (size_t i = 0; i < order.size(); ++i) EXPECT_EQ(order[i], i) << "layers run in order";

  session.run(inputs);
  EXPECT_EQ(total, 2 * session.layers().size());

  session.set_timing_hook(nullptr);
  auto out = session.run(inputs);
  EXPECT_EQ(total, 2 * session.layers().size()) << "an unset hook must not be called";
  EXPECT_LE(relative_difference(out[0], interpret(*model, inputs)[0]), 1e-4);
}

TEST(SessionObserver, SeesEveryLayerAndCanStopTheRun) {
  auto model = load(conv_chain_model());
  Session session(model, Plan::for_model(*model), {.threads = 1});
  auto inputs = algoscope::random_inputs(*model, 2);
  const auto want = session.run(inputs);

  std::vector<size_t> seen;
  auto all = session.run(inputs, [&](size_t index, const algoscope::KernelIO& io) {
    seen.push_back(index);
    const auto& layer = session.layers()[index];
    EXPECT_EQ(io.inputs.size(), layer.node->inputs.size());
    EXPECT_EQ(io.outputs[0]->shape(), layer.layer.outputs[0].shape);
    return true;
  });
  EXPECT_EQ(seen.size(), session.layers().size());
  ASSERT_EQ(all.size(), 1u);
  EXPECT_EQ(values(all[0]), values(want[0]));

  // Stopping after the third layer: no later kernel runs, no outputs come back.
  size_t timed = 0;
  session.set_timing_hook([&](size_t, double) { ++timed; });
  auto stopped =
      session.run(inputs, [](size_t index, const algoscope::KernelIO&) { return index < 2; });
  EXPECT_TRUE(stopped.empty());
  EXPECT_EQ(timed, 3u);
  session.set_timing_hook(nullptr);
  EXPECT_EQ(values(session.run(inputs)[0]), values(want[0])) << "the session stays usable";
}

// ---------------------------------------------------------------------------------------------
// Input validation

TEST(SessionInputs, WrongCountShapeOrTypeNameTheInput) {
  ModelBuilder b("two_inputs");
  b.input("image", {1, 3, 8, 8});
  b.input("bias", {1, 3, 1, 1});
  b.node("Add", {"image", "bias"}, {"y"}, "add");
  b.output("y");
  auto model = load(b);
  Session session(model, Plan::for_model(*model), {.threads = 1});
  Tensor image(DType::Float32, {1, 3, 8, 8});
  Tensor bias(DType::Float32, {1, 3, 1, 1});
  EXPECT_NO_THROW(session.run({image, bias}));

  std::string msg = error_of([&] { session.run({image}); });
  EXPECT_TRUE(Contains(msg, "2 input"));
  EXPECT_TRUE(Contains(msg, "got 1"));
  EXPECT_TRUE(Contains(error_of([&] { session.run({}); }), "got 0"));
  EXPECT_TRUE(Contains(error_of([&] { session.run({image, bias, bias}); }), "got 3"));

  msg = error_of([&] { session.run({image, Tensor(DType::Float32, {1, 3, 1, 2})}); });
  EXPECT_TRUE(Contains(msg, "'bias'"));
  EXPECT_TRUE(Contains(msg, "1x3x1x1"));
  EXPECT_TRUE(Contains(msg, "1x3x1x2"));
  EXPECT_FALSE(Contains(msg, "'image'"));

  msg = error_of([&] { session.run({Tensor(DType::Float32, {3, 8, 8}), bias}); });
  EXPECT_TRUE(Contains(msg, "'image'"));
  EXPECT_TRUE(Contains(msg, "1x3x8x8"));

  msg = error_of([&] { session.run({Tensor(DType::Int64, {1, 3, 8, 8}), bias}); });
  EXPECT_TRUE(Contains(msg, "'image'"));
  EXPECT_TRUE(Contains(msg, algoscope::dtype_name(DType::Float32)));
  EXPECT_TRUE(Contains(msg, algoscope::dtype_name(DType::Int64)));

  // A failed run leaves the session usable.
  EXPECT_NO_THROW(session.run({image, bias}));
}

// ---------------------------------------------------------------------------------------------
// Threads

TEST(SessionThreads, OptionIsHonoured) {
  auto model = load(conv_chain_model());
  auto inputs = algoscope::random_inputs(*model, 4);
  Session one(model, Plan::for_model(*model), {.threads = 1});
  Session two(model, Plan::for_model(*model), {.threads = 2});
  Session all(model, Plan::for_model(*model), {.threads = 0});
  EXPECT_EQ(one.threads(), 1);
  EXPECT_EQ(two.threads(), 2);
  EXPECT_GE(all.threads(), 1);
  auto a = one.run(inputs);
  auto b = two.run(inputs);
  EXPECT_LE(relative_difference(b[0], a[0]), 1e-5);
}

// ---------------------------------------------------------------------------------------------
// random_inputs

TEST(SessionRandomInputs, DeterministicPerSeed) {
  ModelBuilder b("mixed_inputs");
  b.input("x", {2, 3, 5});
  b.input("idx", {4}, onnx_builder::kInt64);
  b.initializer("table", {10, 2}, random_floats(20, 1));
  b.node("Relu", {"x"}, {"y"}, "relu");
  b.node("Gather", {"table", "idx"}, {"g"}, "gather").i("axis", 0);
  b.output("y");
  b.output("g");
  auto model = load(b);

  auto a = algoscope::random_inputs(*model, 17);
  auto a2 = algoscope::random_inputs(*model, 17);
  auto c = algoscope::random_inputs(*model, 18);
  auto dflt = algoscope::random_inputs(*model);
  ASSERT_EQ(a.size(), 2u);
  EXPECT_EQ(a[0].dtype(), DType::Float32);
  EXPECT_EQ(a[0].shape(), (Shape{2, 3, 5}));
  EXPECT_EQ(a[1].dtype(), DType::Int64);
  EXPECT_EQ(a[1].shape(), (Shape{4}));
  EXPECT_EQ(values(a[0]), values(a2[0]));
  EXPECT_NE(values(a[0]), values(c[0]));
  EXPECT_EQ(values(dflt[0]), values(algoscope::random_inputs(*model, 42)[0]));
  std::vector<float> v = values(a[0]);
  EXPECT_TRUE(std::all_of(v.begin(), v.end(), [](float f) { return f >= -1.0f && f < 1.0f; }));
  EXPECT_GT(*std::max_element(v.begin(), v.end()) - *std::min_element(v.begin(), v.end()), 0.5f);
  EXPECT_EQ(a[1].to_int64_vector(), (std::vector<int64_t>{0, 0, 0, 0}));

  // They are valid inputs for the model.
  Session session(model, Plan::for_model(*model), {.threads = 1});
  auto out = session.run(a);
  ASSERT_EQ(out.size(), 2u);
  const float* row0 = model->find_constant("table")->data<float>();
  for (int i = 0; i < 4; ++i) {
    EXPECT_EQ(out[1].data<float>()[2 * i], row0[0]);
    EXPECT_EQ(out[1].data<float>()[2 * i + 1], row0[1]);
  }
}

}  // namespace

// ---------------------------------------------------------------------------------------------
// Small layers on one thread

namespace {

// A registry whose only op is Relu, computed by a kernel that records the OpenMP team size it
// was given (what a kernel's `#pragma omp parallel` would use) per layer, in run order.
std::unique_ptr<algoscope::Registry> team_recording_registry(std::vector<int>& teams) {
  auto registry = std::make_unique<algoscope::Registry>();
  algoscope::OpDefinition op;
  op.op_type = "Relu";
  op.infer = [](const algoscope::Layer& l) {
    return std::vector<algoscope::TensorInfo>{l.inputs[0]};
  };
  algoscope::Algorithm reference;
  reference.name = algoscope::kReference;
  reference.prepare = [&teams](const algoscope::Layer&) -> std::unique_ptr<algoscope::Kernel> {
    struct Recorder final : algoscope::Kernel {
      std::vector<int>* teams;
      void run(algoscope::KernelIO& io) override {
        teams->push_back(omp_get_max_threads());
        const float* x = io.inputs[0]->data<float>();
        float* y = io.outputs[0]->data<float>();
        for (int64_t i = 0; i < io.outputs[0]->numel(); ++i) y[i] = std::max(x[i], 0.0f);
      }
    };
    auto kernel = std::make_unique<Recorder>();
    kernel->teams = &teams;
    return kernel;
  };
  op.algorithms.push_back(std::move(reference));
  registry->add_op(std::move(op));
  return registry;
}

}  // namespace

TEST(SessionThreads, LayersBelowTheWorkThresholdRunOnOneThread) {
  // A 16-byte Relu and a 1 MiB one (2 x 256Ki floats read and written).
  ModelBuilder b("small_and_large");
  b.input("small", {1, 4});
  b.input("large", {1, 256 * 1024});
  b.node("Relu", {"small"}, {"small_out"}, "small_relu");
  b.node("Relu", {"large"}, {"large_out"}, "large_relu");
  b.output("small_out");
  b.output("large_out");
  auto model = load(b);
  auto inputs = algoscope::random_inputs(*model, 5);
  std::vector<int> teams;
  auto registry = team_recording_registry(teams);
  auto teams_under = [&](int64_t threshold) {
    Session session(model, Plan::for_model(*model), {.threads = 2, .one_thread_below = threshold},
                    *registry);
    teams.clear();
    auto out = session.run(inputs);
    EXPECT_EQ(omp_get_max_threads(), 2) << "the session's team is restored after the run";
    EXPECT_EQ(out[1].data<float>()[7], std::max(inputs[1].data<float>()[7], 0.0f));
    std::vector<int> layer_threads;
    for (const auto& layer : session.layers()) layer_threads.push_back(layer.threads);
    EXPECT_EQ(layer_threads, teams) << "CompiledLayer::threads is what the kernel got";
    return teams;
  };
  EXPECT_EQ(teams_under(-1), (std::vector<int>{1, 2}));  // the default threshold
  EXPECT_EQ(teams_under(0), (std::vector<int>{2, 2}));
  EXPECT_EQ(teams_under(int64_t(1) << 40), (std::vector<int>{1, 1}));
}

TEST(SessionThreads, ThresholdFromTheEnvironmentIsCheckedAndUsed) {
  auto model = load(conv_chain_model());
  ASSERT_EQ(setenv("ALGOSCOPE_ONE_THREAD_BELOW", "lots", 1), 0);
  EXPECT_TRUE(test_support::Contains(
      test_support::error_of([&] { Session s(model, Plan::for_model(*model), {.threads = 2}); }),
      "ALGOSCOPE_ONE_THREAD_BELOW"));
  ASSERT_EQ(setenv("ALGOSCOPE_ONE_THREAD_BELOW", "0", 1), 0);
  Session session(model, Plan::for_model(*model), {.threads = 2});
  unsetenv("ALGOSCOPE_ONE_THREAD_BELOW");
  for (const auto& layer : session.layers()) EXPECT_EQ(layer.threads, 2) << layer.node->name;
}
