// Buffer sharing in the session's memory plan (session/sharing.cpp): a batch-1 channel Concat
// whose inputs have no other reader is computed in place (its producers write straight into its
// output, the layer says "in place" and copies nothing) and still matches a node-by-node
// reference interpreter in which every value has its own buffer; an input that another layer
// also reads, the same value twice, a concat axis with a longer axis before it, graph inputs and
// outputs all fall back to copying; nested Concats share one block; Reshape's output shares its
// input's buffer. Each model runs twice, on 1 and 2 threads, so a lifetime mistake in the arena
// (a block released while a shared slot still needs it) shows up as wrong numbers.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "algoscope/error.h"
#include "algoscope/loader.h"
#include "algoscope/plan.h"
#include "algoscope/registry.h"
#include "algoscope/session.h"
#include "support/onnx_builder.h"

namespace {

using algoscope::DType;
using algoscope::Model;
using algoscope::Plan;
using algoscope::Session;
using algoscope::Tensor;
using onnx_builder::ModelBuilder;
using onnx_builder::random_floats;

std::shared_ptr<const Model> load(const ModelBuilder& b) {
  return std::make_shared<const Model>(
      algoscope::load_model_from_bytes(b.bytes(), b.proto().graph().name() + ".onnx",
                                       {.fuse_activations = false, .fuse_residual_add = false}));
}

// Every node with its `reference`, every value in its own buffer.
std::vector<Tensor> interpret(const Model& model, const std::vector<Tensor>& inputs) {
  std::map<std::string, Tensor> env;
  for (const auto& [name, t] : model.constants) env[name] = t;
  for (size_t i = 0; i < model.inputs.size(); ++i) env[model.inputs[i]] = inputs.at(i).clone();
  for (const algoscope::Node& node : model.nodes) {
    const algoscope::Algorithm* reference =
        algoscope::Registry::instance().find_op(node.op_type)->find("reference");
    algoscope::Layer layer = algoscope::make_layer(model, node);
    algoscope::KernelIO io;
    for (const auto& in : node.inputs) io.inputs.push_back(in.empty() ? nullptr : &env.at(in));
    std::vector<Tensor> outs;
    for (const auto& info : layer.outputs) outs.emplace_back(info.dtype, info.shape);
    for (auto& o : outs) io.outputs.push_back(&o);
    Tensor workspace(DType::UInt8, {static_cast<int64_t>(reference->workspace(layer)) + 64});
    io.workspace = workspace.raw();
    reference->prepare(layer)->run(io);
    for (size_t k = 0; k < node.outputs.size(); ++k) env[node.outputs[k]] = std::move(outs[k]);
  }
  std::vector<Tensor> outputs;
  for (const auto& name : model.outputs) outputs.push_back(env.at(name).clone());
  return outputs;
}

// The compiled layer of node `name`.
const algoscope::CompiledLayer& layer_of(const Session& s, const std::string& name) {
  for (const auto& l : s.layers())
    if (l.node->name == name) return l;
  throw algoscope::Error("no layer " + name);
}

// Runs the engine's default plan twice at 1 and 2 threads; every run must equal the interpreter
// bit for bit (the same reference kernels compute every value; only the buffers differ).
void expect_matches_interpreter(const std::shared_ptr<const Model>& model) {
  const std::vector<Tensor> inputs = algoscope::random_inputs(*model, 3);
  const std::vector<Tensor> want = interpret(*model, inputs);
  for (int threads : {1, 2}) {
    Plan plan = Plan::for_model(*model);
    // Only the data movement keeps the engine's default (direct): the arithmetic layers run
    // their reference, so the comparison can be exact.
    for (const auto& n : model->nodes)
      if (n.op_type != "Concat" && n.op_type != "Reshape" && n.op_type != "Flatten")
        plan.defaults[n.op_type] = "reference";
    Session session(model, plan, {.threads = threads});
    for (int run = 0; run < 2; ++run) {
      const std::vector<Tensor> got = session.run(inputs);
      ASSERT_EQ(got.size(), want.size());
      for (size_t k = 0; k < got.size(); ++k)
        EXPECT_EQ(0, std::memcmp(got[k].raw(), want[k].raw(), want[k].bytes()))
            << "output " << k << ", run " << run << ", " << threads << " thread(s)";
    }
  }
}

void conv(ModelBuilder& b, const std::string& name, const std::string& in, const std::string& out,
          int64_t cin, int64_t cout, int64_t k, int seed) {
  b.initializer(name + ".w", {cout, cin, k, k},
                random_floats(cout * cin * k * k, seed, -0.3f, 0.3f));
  b.initializer(name + ".b", {cout}, random_floats(cout, seed + 1));
  b.node("Conv", {in, name + ".w", name + ".b"}, {out}, name)
      .ints("pads", {k / 2, k / 2, k / 2, k / 2});
}

// A SqueezeNet fire module: squeeze 1x1, expand 1x1 and 3x3 with Relu, channel Concat, then a
// Conv reading the Concat.
ModelBuilder fire(bool extra_reader) {
  ModelBuilder b(extra_reader ? "fire_shared" : "fire");
  b.input("x", {1, 8, 10, 10});
  conv(b, "squeeze", "x", "s", 8, 4, 1, 10);
  b.node("Relu", {"s"}, {"sr"}, "squeeze_relu");
  conv(b, "e1", "sr", "a", 4, 16, 1, 20);
  b.node("Relu", {"a"}, {"ar"}, "e1_relu");
  conv(b, "e3", "sr", "c", 4, 16, 3, 30);
  b.node("Relu", {"c"}, {"cr"}, "e3_relu");
  b.node("Concat", {"ar", "cr"}, {"cat"}, "concat").i("axis", 1);
  conv(b, "next", "cat", "n", 32, 8, 1, 40);
  if (extra_reader) {
    // ar is also read after the Concat: it must keep its own buffer.
    b.node("ReduceMean", {"ar"}, {"m"}, "mean").ints("axes", {1}).i("keepdims", 1);
    b.node("Add", {"n", "m"}, {"y"}, "add");
  } else {
    b.node("Relu", {"n"}, {"y"}, "next_relu");
  }
  b.output("y");
  return b;
}

TEST(SessionSharing, ChannelConcatIsInPlaceAndCopiesNothing) {
  const auto model = load(fire(false));
  Session session(model, Plan::for_model(*model), {.threads = 1});
  const auto& concat = layer_of(session, "concat");
  EXPECT_TRUE(concat.in_place);
  EXPECT_EQ(concat.choice, "in place");
  // The producers' outputs are views into the Concat's output: it copies nothing, which shows
  // as a smaller arena than the plan whose Concat is the (copying) reference.
  Plan copying = Plan::for_model(*model);
  copying.defaults["Concat"] = "reference";
  Session copy(model, copying, {.threads = 1});
  EXPECT_FALSE(layer_of(copy, "concat").in_place);
  EXPECT_LT(session.arena_bytes(), copy.arena_bytes());
  // The producers really wrote the output: observe the Concat's io, whose inputs lie inside
  // its output at their offsets.
  bool seen = false;
  session.run(algoscope::random_inputs(*model, 1), [&](size_t i, const algoscope::KernelIO& io) {
    if (session.layers()[i].node->name != "concat") return true;
    const auto* out = static_cast<const std::byte*>(io.outputs[0]->raw());
    EXPECT_EQ(io.inputs[0]->raw(), out);
    EXPECT_EQ(io.inputs[1]->raw(), out + io.inputs[0]->bytes());
    seen = true;
    return true;
  });
  EXPECT_TRUE(seen);
  expect_matches_interpreter(model);
}

TEST(SessionSharing, InputWithAnotherReaderIsCopied) {
  const auto model = load(fire(true));
  Session session(model, Plan::for_model(*model), {.threads = 1});
  const auto& concat = layer_of(session, "concat");
  EXPECT_FALSE(concat.in_place);
  EXPECT_EQ(concat.choice, "in place for 1 of 2 inputs");
  expect_matches_interpreter(model);
}

TEST(SessionSharing, FallsBackWhereInputsAreNotBlocksOrNotOurs) {
  ModelBuilder b("fallbacks");
  b.input("x", {1, 4, 6, 6});
  conv(b, "c1", "x", "a", 4, 4, 3, 1);
  conv(b, "c2", "x", "c", 4, 4, 1, 2);
  // Axis 2 with 4 channels before it: each input is 4 blocks of the output, not one.
  b.node("Concat", {"a", "c"}, {"h"}, "height").i("axis", 2);
  // The same value twice, and a graph input.
  conv(b, "c3", "x", "d", 4, 4, 1, 3);
  b.node("Concat", {"d", "d", "x"}, {"twice"}, "twice").i("axis", 1);
  b.node("ReduceMean", {"h"}, {"hm"}, "hm").ints("axes", {2}).i("keepdims", 1);
  b.node("ReduceMean", {"twice"}, {"tm"}, "tm").ints("axes", {1}).i("keepdims", 1);
  b.node("Add", {"hm", "tm"}, {"y0"}, "add");
  // A Concat that is a graph output keeps fresh caller storage.
  conv(b, "c4", "x", "e", 4, 4, 1, 4);
  conv(b, "c5", "x", "f", 4, 4, 1, 5);
  b.node("Concat", {"e", "f"}, {"y1"}, "out_concat").i("axis", 1);
  b.output("y0").output("y1");
  const auto model = load(b);
  Session session(model, Plan::for_model(*model), {.threads = 1});
  for (const char* name : {"height", "twice", "out_concat"}) {
    EXPECT_FALSE(layer_of(session, name).in_place) << name;
    EXPECT_EQ(layer_of(session, name).choice.find("in place"), std::string::npos) << name;
  }
  expect_matches_interpreter(model);
}

TEST(SessionSharing, NestedConcatsAndReshapeShareOneBlock) {
  ModelBuilder b("nested");
  b.input("x", {1, 3, 8, 8});
  conv(b, "c1", "x", "a", 3, 8, 3, 1);
  conv(b, "c2", "x", "c", 3, 8, 1, 2);
  b.node("Concat", {"a", "c"}, {"inner"}, "inner").i("axis", 1);
  conv(b, "c3", "x", "d", 3, 16, 3, 3);
  b.node("Concat", {"inner", "d"}, {"outer"}, "outer").i("axis", -3);
  b.int64_initializer("shape", {2}, {1, -1});
  b.node("Reshape", {"outer", "shape"}, {"flat"}, "flatten");
  b.node("Relu", {"flat"}, {"y"}, "relu");
  b.output("y");
  const auto model = load(b);
  Session session(model, Plan::for_model(*model), {.threads = 1});
  EXPECT_TRUE(layer_of(session, "inner").in_place);
  EXPECT_TRUE(layer_of(session, "outer").in_place);
  EXPECT_TRUE(layer_of(session, "flatten").in_place);
  expect_matches_interpreter(model);
}

}  // namespace

namespace {

// oneDNN convolutions hand a value between them in their own layout, whose bytes are not the
// plain ones. Here a feeds b in it, and b and c reach the Concat in it too: in place where the
// layout is channel-blocked (their blocks lie where their plain channels would), copied pixel by
// pixel where it is channels-last (test_conv_onednn.cpp tells the two apart). The result matches
// the all-reference interpreter within oneDNN's tolerance.
TEST(SessionSharing, OneDnnValuesAroundAConcatKeepTheirMeaning) {
  if (!algoscope::Registry::instance().find_algorithm("Conv", "onednn_auto"))
    GTEST_SKIP() << "built without oneDNN";
  ModelBuilder b("onednn_concat");
  b.input("x", {1, 16, 12, 12});
  conv(b, "c1", "x", "a", 16, 32, 3, 1);
  conv(b, "c2", "a", "b", 32, 16, 3, 2);
  conv(b, "c3", "x", "c", 16, 16, 1, 3);
  b.node("Concat", {"b", "c"}, {"cat"}, "concat").i("axis", 1);
  conv(b, "c4", "cat", "y", 32, 16, 1, 4);
  b.output("y");
  const auto model = load(b);
  Plan plan = Plan::for_model(*model);
  plan.defaults["Conv"] = "onednn_auto";
  Session session(model, plan, {.threads = 1});
  EXPECT_EQ(session.native_layout_values(), 4u);  // a, b, c and cat
  const std::vector<Tensor> inputs = algoscope::random_inputs(*model, 5);
  const Tensor want = interpret(*model, inputs)[0];
  for (int run = 0; run < 2; ++run) {
    const Tensor got = session.run(inputs)[0];
    double scale = 1.0;
    for (int64_t i = 0; i < want.numel(); ++i)
      scale = std::max(scale, double(std::fabs(want.data<float>()[i])));
    for (int64_t i = 0; i < want.numel(); ++i)
      ASSERT_NEAR(got.data<float>()[i], want.data<float>()[i], 1e-4 * scale) << "element " << i;
  }
}

}  // namespace
