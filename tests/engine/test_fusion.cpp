// Activation fusion: the loader merges a Relu, a Clip (ReLU6), a HardSwish or a two-node SiLU or
// HardSwish gate that follows a Conv, a Gemm or an Add into it (Node::activation). The fused model
// must compute what the unfused one does under every Conv algorithm, those that clamp in their own
// epilogue (oneDNN's post-op) and those the session clamps after; and fusion must not happen where
// it would change the graph's meaning.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <memory>

#include "algoscope/algoscope.h"
#include "support/onnx_builder.h"

namespace {

using namespace algoscope;
using onnx_builder::ModelBuilder;
using onnx_builder::random_floats;

// x -> Conv(3x3, pad 1, `groups`) -> activation -> y; `activation` adds the activation node(s).
// The input has as many channels as `groups` when that exceeds 4 (depthwise).
template <class F>
std::string conv_then(int64_t opset, F activation, int64_t groups = 1) {
  ModelBuilder b("fusion", opset);
  const int64_t channels = std::max<int64_t>(4, groups);
  b.input("x", {1, channels, 9, 9});
  b.initializer("w", {8, channels / groups, 3, 3}, random_floats(8 * channels / groups * 9, 1));
  b.initializer("b", {8}, random_floats(8, 2));
  b.node("Conv", {"x", "w", "b"}, {"c"}, "conv").ints("pads", {1, 1, 1, 1}).i("group", groups);
  activation(b);
  return b.bytes();
}

std::vector<Tensor> run_all(const Model& model, const std::string& algorithm) {
  auto shared = std::make_shared<const Model>(model);
  Plan plan = Plan::for_model(model);
  plan.defaults["Conv"] = algorithm;
  Session session(shared, plan, {.threads = 2});
  return session.run(random_inputs(model, 7));
}

// Runs the fused model under every applicable Conv algorithm; collects in `in_epilogue` the names
// of those that applied the activation in their own epilogue.
void expect_fused_equals_unfused(const std::string& bytes, const std::string& op,
                                 std::vector<std::string>* in_epilogue = nullptr,
                                 const std::vector<std::string>& merged = {"act"}) {
  Model fused = load_model_from_bytes(bytes, "fused.onnx");
  Model plain = load_model_from_bytes(bytes, "plain.onnx", {.fuse_activations = false});
  ASSERT_EQ(fused.nodes.size(), 1u);
  const Node& conv = fused.nodes[0];
  ASSERT_TRUE(conv.activation.has_value());
  EXPECT_EQ(conv.activation->op, op);
  EXPECT_EQ(conv.merged_nodes(), merged);
  EXPECT_EQ(conv.display_op(), "Conv+" + op);
  EXPECT_EQ(conv.outputs[0], "y");
  ASSERT_EQ(plain.nodes.size(), 1 + merged.size());
  const std::vector<Tensor> want = run_all(plain, "reference");
  int clamped = 0;
  for (const Algorithm& a : Registry::instance().find_op("Conv")->algorithms) {
    if (a.why_not(make_layer(fused, conv))) continue;
    SCOPED_TRACE(a.name);
    const std::vector<Tensor> got = run_all(fused, a.name);
    ASSERT_EQ(got[0].shape(), want[0].shape());
    double worst = 0;
    for (int64_t i = 0; i < want[0].numel(); ++i) {
      float g = got[0].data<float>()[i], w = want[0].data<float>()[i];
      clamped += g == conv.activation->lower || g == conv.activation->upper;
      worst = std::max(worst, std::fabs(double(g) - w) / (1.0 + std::fabs(double(w))));
    }
    EXPECT_LE(worst, std::max(a.tolerance.atol, a.tolerance.rtol)) << a.name;
    if (a.applies_activation && in_epilogue) in_epilogue->push_back(a.name);
  }
  // A gated activation reaches no bound; matching `want` (computed with it) shows it applied.
  if (conv.activation->is_clamp()) EXPECT_GT(clamped, 0) << "the test data never reaches the clamp";
}

bool contains(const std::vector<std::string>& names, const std::string& name) {
  return std::find(names.begin(), names.end(), name) != names.end();
}

TEST(Fusion, ConvReluBecomesOneNodeAndComputesTheSame) {
  std::vector<std::string> in_epilogue;
  expect_fused_equals_unfused(conv_then(13,
                                        [](ModelBuilder& b) {
                                          b.node("Relu", {"c"}, {"y"}, "act");
                                          b.output("y");
                                        }),
                              "Relu", &in_epilogue);
  // The engine's own kernels clamp in their epilogue (not a second pass over the output).
  for (const char* name : {"direct", "winograd_f2", "winograd_f4"})
    EXPECT_TRUE(contains(in_epilogue, name)) << name;
}

TEST(Fusion, DepthwiseConvRelu6InTheEpilogue) {
  const std::string bytes = conv_then(
      13,
      [](ModelBuilder& b) {
        b.initializer("lo", {}, {0.0f}).initializer("hi", {}, {0.5f});
        b.node("Clip", {"c", "lo", "hi"}, {"y"}, "act");
        b.output("y");
      },
      8);
  std::vector<std::string> in_epilogue;
  expect_fused_equals_unfused(bytes, "Clip", &in_epilogue);
  EXPECT_TRUE(contains(in_epilogue, "depthwise"));
}

TEST(Fusion, ConvClipWithConstantBoundsIsRelu6) {
  std::string bytes = conv_then(13, [](ModelBuilder& b) {
    b.initializer("lo", {}, {0.0f}).initializer("hi", {}, {0.5f});
    b.node("Clip", {"c", "lo", "hi"}, {"y"}, "act");
    b.output("y");
  });
  Model m = load_model_from_bytes(bytes, "clip.onnx");
  ASSERT_TRUE(m.nodes[0].activation.has_value());
  EXPECT_EQ(m.nodes[0].activation->lower, 0.0f);
  EXPECT_EQ(m.nodes[0].activation->upper, 0.5f);
  expect_fused_equals_unfused(bytes, "Clip");
}

TEST(Fusion, ClipAttributesBeforeOpset11) {
  expect_fused_equals_unfused(
      conv_then(9,
                [](ModelBuilder& b) {
                  b.node("Clip", {"c"}, {"y"}, "act").f("min", -0.25f).f("max", 0.25f);
                  b.output("y");
                }),
      "Clip");
}

// SiLU as exporters write it, Mul(y, Sigmoid(y)) with y on either side of the Mul, and
// HardSwish as one node (opset 14) or as Mul(y, HardSigmoid(y)) (torch below opset 14): one
// Conv whose kernels apply the activation, equal to the unfused nodes under every algorithm.
TEST(Fusion, GatedActivationsSiLUAndHardSwishInTheEpilogue) {
  for (bool gate_first : {false, true}) {
    SCOPED_TRACE(gate_first ? "Mul(sigmoid, y)" : "Mul(y, sigmoid)");
    std::vector<std::string> in_epilogue;
    expect_fused_equals_unfused(conv_then(13,
                                          [&](ModelBuilder& b) {
                                            b.node("Sigmoid", {"c"}, {"s"}, "gate");
                                            b.node("Mul",
                                                   gate_first ? std::vector<std::string>{"s", "c"}
                                                              : std::vector<std::string>{"c", "s"},
                                                   {"y"}, "act");
                                            b.output("y");
                                          }),
                                "SiLU", &in_epilogue, {"gate", "act"});
    for (const char* name : {"direct", "winograd_f2", "onednn_auto"})
      EXPECT_TRUE(contains(in_epilogue, name)) << name;
  }
  expect_fused_equals_unfused(conv_then(14,
                                        [](ModelBuilder& b) {
                                          b.node("HardSwish", {"c"}, {"y"}, "act");
                                          b.output("y");
                                        }),
                              "HardSwish");
  expect_fused_equals_unfused(
      conv_then(
          13,
          [](ModelBuilder& b) {
            b.node("HardSigmoid", {"c"}, {"s"}, "gate").f("alpha", 1.0f / 6.0f).f("beta", 0.5f);
            b.node("Mul", {"c", "s"}, {"y"}, "act");
            b.output("y");
          }),
      "HardSwish", nullptr, {"gate", "act"});
  std::vector<std::string> depthwise;
  expect_fused_equals_unfused(conv_then(
                                  13,
                                  [](ModelBuilder& b) {
                                    b.node("Sigmoid", {"c"}, {"s"}, "gate");
                                    b.node("Mul", {"c", "s"}, {"y"}, "act");
                                    b.output("y");
                                  },
                                  8),
                              "SiLU", &depthwise, {"gate", "act"});
  EXPECT_TRUE(contains(depthwise, "depthwise"));
}

TEST(Fusion, GatesThatAreNotSiLUOrHardSwishStayNodes) {
  // The Conv output read by a third node, a HardSigmoid with other constants, a Mul of the gate
  // with another value: each keeps its nodes.
  auto node_count = [](const std::string& bytes) {
    return load_model_from_bytes(bytes, "gate.onnx").nodes.size();
  };
  EXPECT_EQ(node_count(conv_then(13,
                                 [](ModelBuilder& b) {
                                   b.node("Sigmoid", {"c"}, {"s"}, "gate");
                                   b.node("Mul", {"c", "s"}, {"y"}, "act");
                                   b.node("Relu", {"c"}, {"z"}, "other");
                                   b.output("y");
                                   b.output("z");
                                 })),
            4u);
  EXPECT_EQ(node_count(conv_then(13,
                                 [](ModelBuilder& b) {
                                   b.node("HardSigmoid", {"c"}, {"s"}, "gate");  // alpha 0.2
                                   b.node("Mul", {"c", "s"}, {"y"}, "act");
                                   b.output("y");
                                 })),
            3u);
  EXPECT_EQ(node_count(conv_then(13,
                                 [](ModelBuilder& b) {
                                   b.input("x2", {1, 8, 9, 9});
                                   b.node("Sigmoid", {"x2"}, {"s"}, "gate");
                                   b.node("Mul", {"c", "s"}, {"y"}, "act");
                                   b.output("y");
                                 })),
            3u);
}

TEST(Fusion, NotWhenTheConvOutputHasAnotherReaderOrBoundsAreRuntime) {
  Model two_readers = load_model_from_bytes(conv_then(13,
                                                      [](ModelBuilder& b) {
                                                        b.node("Relu", {"c"}, {"y"}, "act");
                                                        b.node("Add", {"c", "y"}, {"z"}, "add");
                                                        b.output("z");
                                                      }),
                                            "two.onnx");
  EXPECT_EQ(two_readers.nodes.size(), 3u);
  EXPECT_FALSE(two_readers.nodes[0].activation.has_value());

  Model conv_is_output = load_model_from_bytes(conv_then(13,
                                                         [](ModelBuilder& b) {
                                                           b.node("Relu", {"c"}, {"y"}, "act");
                                                           b.output("c").output("y");
                                                         }),
                                               "out.onnx");
  EXPECT_FALSE(conv_is_output.nodes[0].activation.has_value());

  ModelBuilder b("runtime_bounds", 13);
  b.input("x", {1, 4, 9, 9}).input("hi", {});
  b.initializer("w", {8, 4, 3, 3}, random_floats(8 * 4 * 9, 1));
  b.node("Conv", {"x", "w"}, {"c"}, "conv").ints("pads", {1, 1, 1, 1});
  b.node("Clip", {"c", "", "hi"}, {"y"}, "act");
  b.output("y");
  Model runtime = load_model_from_bytes(b.bytes(), "runtime.onnx");
  EXPECT_EQ(runtime.nodes.size(), 2u);
  EXPECT_FALSE(runtime.nodes[0].activation.has_value());
}

// An MLP's hidden layer: Gemm (with a bias row) -> Relu or ReLU6 becomes one Gemm+Relu / Gemm+Clip
// node, and every host Gemm algorithm computes what the two nodes compute, within its tolerance.
TEST(Fusion, GemmReluBecomesOneNodeAndComputesTheSame) {
  for (bool relu6 : {false, true}) {
    SCOPED_TRACE(relu6 ? "Clip(0, 6)" : "Relu");
    ModelBuilder b("gemm_relu", 13);
    b.input("x", {6, 40});
    b.initializer("w", {24, 40}, random_floats(24 * 40, 4));
    b.initializer("c", {24}, random_floats(24, 5));
    b.node("Gemm", {"x", "w", "c"}, {"g"}, "fc").i("transB", 1);
    if (relu6) {
      b.initializer("lo", {}, {0.0f});
      b.initializer("hi", {}, {0.6f});
      b.node("Clip", {"g", "lo", "hi"}, {"y"}, "act");
    } else {
      b.node("Relu", {"g"}, {"y"}, "act");
    }
    b.output("y");
    Model fused = load_model_from_bytes(b.bytes(), "fused.onnx");
    Model plain = load_model_from_bytes(b.bytes(), "plain.onnx", {.fuse_activations = false});
    ASSERT_EQ(fused.nodes.size(), 1u);
    ASSERT_TRUE(fused.nodes[0].activation.has_value());
    EXPECT_EQ(fused.nodes[0].display_op(), relu6 ? "Gemm+Clip" : "Gemm+Relu");
    EXPECT_EQ(fused.nodes[0].merged_nodes(), std::vector<std::string>{"act"});
    ASSERT_EQ(plain.nodes.size(), 2u);
    const std::vector<Tensor> inputs = random_inputs(plain, 9);
    auto run = [&](const Model& model, const std::string& algorithm) {
      Plan plan = Plan::for_model(model);
      plan.defaults["Gemm"] = algorithm;
      return Session(std::make_shared<const Model>(model), plan, {.threads = 2}).run(inputs)[0];
    };
    const Tensor want = run(plain, "reference");
    int64_t clamped = 0;
    for (const Algorithm& algorithm : Registry::instance().find_op("Gemm")->algorithms) {
      if (algorithm.backend != Backend::Cpu) continue;
      SCOPED_TRACE(algorithm.name);
      const Tensor got = run(fused, algorithm.name);
      ASSERT_EQ(got.shape(), want.shape());
      for (int64_t i = 0; i < want.numel(); ++i) {
        const float w = want.data<float>()[i], g = got.data<float>()[i];
        ASSERT_LE(std::fabs(g - w),
                  algorithm.tolerance.atol + algorithm.tolerance.rtol * std::fabs(w))
            << i;
        ASSERT_GE(g, 0.0f) << i;
        if (relu6) ASSERT_LE(g, 0.6f) << i;
        clamped += g == 0.0f || (relu6 && g == 0.6f);
      }
    }
    EXPECT_GT(clamped, 0) << "the test data never reaches the clamp";
  }
}

// A ResNet's residual join: Add -> Relu becomes one Add that clamps, under the direct kernel (in
// its own loop) and the reference (clamped after) alike, bit for bit what the two nodes compute;
// an Add that broadcasts a bias fuses too.
TEST(Fusion, AddReluBecomesOneNodeAndComputesTheSame) {
  for (bool broadcast : {false, true}) {
    SCOPED_TRACE(broadcast ? "broadcast bias" : "equal shapes");
    ModelBuilder b("add_relu", 13);
    b.input("x", {1, 8, 40, 40});
    if (broadcast)
      b.initializer("z", {1, 8, 1, 1}, random_floats(8, 3));
    else
      b.input("z", {1, 8, 40, 40});
    b.node("Add", {"x", "z"}, {"s"}, "add");
    b.node("Relu", {"s"}, {"y"}, "act");
    b.output("y");
    Model fused = load_model_from_bytes(b.bytes(), "fused.onnx");
    Model plain = load_model_from_bytes(b.bytes(), "plain.onnx", {.fuse_activations = false});
    ASSERT_EQ(fused.nodes.size(), 1u);
    ASSERT_TRUE(fused.nodes[0].activation.has_value());
    EXPECT_EQ(fused.nodes[0].activation->op, "Relu");
    EXPECT_EQ(fused.nodes[0].merged_nodes(), std::vector<std::string>{"act"});
    EXPECT_EQ(fused.nodes[0].display_op(), "Add+Relu");
    ASSERT_EQ(plain.nodes.size(), 2u);
    const std::vector<Tensor> inputs = random_inputs(plain, 5);
    auto run = [&](const Model& model, const std::string& algorithm) {
      Plan plan = Plan::for_model(model);
      plan.defaults["Add"] = algorithm;
      return Session(std::make_shared<const Model>(model), plan, {.threads = 2}).run(inputs)[0];
    };
    const Tensor want = run(plain, "reference");
    int64_t zeros = 0;
    for (const char* algorithm : {"direct", "reference"}) {
      SCOPED_TRACE(algorithm);
      const Tensor got = run(fused, algorithm);
      ASSERT_EQ(got.shape(), want.shape());
      for (int64_t i = 0; i < want.numel(); ++i) {
        ASSERT_EQ(got.data<float>()[i], want.data<float>()[i]) << i;
        zeros += got.data<float>()[i] == 0.0f;
      }
    }
    EXPECT_GT(zeros, 0) << "the test data never reaches the clamp";
  }
}

}  // namespace
