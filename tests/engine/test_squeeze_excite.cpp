// The squeeze-excite pass and the SqueezeExcite algorithms. Hand-built blocks as PyTorch exports
// them (GlobalAveragePool, Conv 1x1 with Relu or SiLU or nothing, Conv 1x1, Sigmoid or
// HardSigmoid, Mul, with and without biases, ranks 3 to 5, planes large enough to thread) load as
// one SqueezeExcite node that computes what the unfused graph computes under every algorithm;
// blocks the pass must not touch stay unfused.
#include <gtest/gtest.h>

#include <memory>

#include "algoscope/algoscope.h"
#include "cpu_features.h"
#include "nn_op_harness.h"
#include "support/onnx_builder.h"

namespace {

using namespace algoscope;
using onnx_builder::ModelBuilder;
using onnx_builder::random_floats;

struct Block {
  std::vector<int64_t> x = {1, 24, 7, 9};
  int64_t hidden = 6;
  enum class Act { None, Relu, SiLU } act = Act::Relu;
  bool hard_gate = false;
  bool biases = true;
  bool swap_mul = false;        // Mul(gate, x) instead of Mul(x, gate)
  bool gate_is_output = false;  // the gate is also a graph output: must stay unfused
};

std::string se_block(const Block& p) {
  ModelBuilder b("se", 13);
  const int64_t c = p.x[1];
  b.input("x", std::vector<onnx_builder::Dim>(p.x.begin(), p.x.end()));
  b.node("GlobalAveragePool", {"x"}, {"squeezed"}, "pool");
  std::vector<int64_t> w1 = {p.hidden, c}, w2 = {c, p.hidden};
  for (size_t i = 2; i < p.x.size(); ++i) w1.push_back(1), w2.push_back(1);
  b.initializer("w1", w1, random_floats(size_t(p.hidden * c), 1));
  b.initializer("w2", w2, random_floats(size_t(p.hidden * c), 2));
  std::vector<std::string> fc1_in = {"squeezed", "w1"}, fc2_in = {"", "w2"};
  if (p.biases) {
    b.initializer("b1", {p.hidden}, random_floats(size_t(p.hidden), 3));
    b.initializer("b2", {c}, random_floats(size_t(c), 4));
    fc1_in.push_back("b1");
  }
  b.node("Conv", fc1_in, {"h"}, "fc1");
  std::string hidden = "h";
  if (p.act == Block::Act::Relu) {
    b.node("Relu", {"h"}, {"h_act"}, "relu");
    hidden = "h_act";
  } else if (p.act == Block::Act::SiLU) {
    b.node("Sigmoid", {"h"}, {"h_sig"}, "silu_sigmoid");
    b.node("Mul", {"h", "h_sig"}, {"h_act"}, "silu_mul");
    hidden = "h_act";
  }
  fc2_in[0] = hidden;
  if (p.biases) fc2_in.push_back("b2");
  b.node("Conv", fc2_in, {"logits"}, "fc2");
  if (p.hard_gate)
    b.node("HardSigmoid", {"logits"}, {"gate"}, "gate").f("alpha", 1.0f / 6.0f).f("beta", 0.5f);
  else
    b.node("Sigmoid", {"logits"}, {"gate"}, "gate");
  if (p.swap_mul)
    b.node("Mul", {"gate", "x"}, {"y"}, "scale");
  else
    b.node("Mul", {"x", "gate"}, {"y"}, "scale");
  b.output("y");
  if (p.gate_is_output) b.output("gate");
  return b.bytes();
}

std::vector<Tensor> run(const Model& model, const std::string& op, const std::string& algorithm) {
  auto shared = std::make_shared<const Model>(model);
  Plan plan = Plan::for_model(model);
  if (!op.empty()) plan.defaults[op] = algorithm;
  Session session(shared, plan, {.threads = 2});
  return session.run(random_inputs(model, 5));
}

void expect_fused_matches_unfused(const Block& p) {
  const std::string bytes = se_block(p);
  const Model fused = load_model_from_bytes(bytes, "fused.onnx");
  const Model plain = load_model_from_bytes(bytes, "plain.onnx", {.fuse_squeeze_excite = false});
  ASSERT_EQ(fused.nodes.size(), 1u);
  const Node& se = fused.nodes[0];
  EXPECT_EQ(se.op_type, "SqueezeExcite");
  EXPECT_EQ(se.name, "scale");  // named after the Mul it replaces
  EXPECT_EQ(se.outputs, std::vector<std::string>{"y"});
  // The pool, both convolutions, the gate and the Mul, plus the activation's nodes.
  const size_t activation_nodes = p.act == Block::Act::SiLU ? 2 : p.act == Block::Act::Relu;
  EXPECT_EQ(se.merged_nodes().size(), 5u + activation_nodes);
  EXPECT_EQ(se.display_op(), "SqueezeExcite");
  for (const Node& n : plain.nodes) ASSERT_NE(n.op_type, "SqueezeExcite");
  const Tensor want = run(plain, "", "")[0];
  for (const Algorithm& a : Registry::instance().find_op("SqueezeExcite")->algorithms) {
    if (a.backend == algoscope::Backend::Cuda) continue;  // tests/cuda
    SCOPED_TRACE(a.name);
    const Tensor got = run(fused, "SqueezeExcite", a.name)[0];
    ASSERT_EQ(got.shape(), want.shape());
    // The unfused graph's own kernels round too: twice the fused algorithm's tolerance.
    EXPECT_TRUE(nn_test::all_close(got, want, 2 * a.tolerance.atol, 2 * a.tolerance.rtol));
  }
}

TEST(SqueezeExcite, EfficientNetBlockWithSiLUAndSigmoid) {
  expect_fused_matches_unfused({.x = {1, 32, 11, 13}, .hidden = 8, .act = Block::Act::SiLU});
}

TEST(SqueezeExcite, MobileNetV3BlockWithReluAndHardSigmoid) {
  expect_fused_matches_unfused({.x = {2, 24, 5, 5}, .act = Block::Act::Relu, .hard_gate = true});
}

TEST(SqueezeExcite, NoActivationNoBiasesGateFirst) {
  expect_fused_matches_unfused({.act = Block::Act::None, .biases = false, .swap_mul = true});
}

TEST(SqueezeExcite, ThreadedPlanesAndOtherRanks) {
  // 96 x 28 x 28 = 75K elements: both passes split between the threads.
  expect_fused_matches_unfused({.x = {1, 96, 28, 28}, .hidden = 4, .act = Block::Act::SiLU});
  expect_fused_matches_unfused({.x = {2, 16, 50}, .hidden = 4});
  expect_fused_matches_unfused({.x = {1, 8, 3, 4, 5}, .hidden = 2, .hard_gate = true});
}

TEST(SqueezeExcite, NotFusedWhenAnIntermediateIsReadElsewhere) {
  const Model m = load_model_from_bytes(se_block({.gate_is_output = true}), "shared.onnx");
  for (const Node& n : m.nodes) EXPECT_NE(n.op_type, "SqueezeExcite");
}

TEST(SqueezeExcite, NotFusedWhenThePoolReadsAnotherTensor) {
  ModelBuilder b("other", 13);
  b.input("x", {1, 4, 3, 3}).input("z", {1, 4, 3, 3});
  b.node("GlobalAveragePool", {"z"}, {"s"}, "pool");
  b.initializer("w1", {2, 4, 1, 1}, random_floats(8, 1));
  b.initializer("w2", {4, 2, 1, 1}, random_floats(8, 2));
  b.node("Conv", {"s", "w1"}, {"h"}, "fc1");
  b.node("Conv", {"h", "w2"}, {"l"}, "fc2");
  b.node("Sigmoid", {"l"}, {"g"}, "gate");
  b.node("Mul", {"x", "g"}, {"y"}, "scale");
  b.output("y");
  const Model m = load_model_from_bytes(b.bytes(), "other.onnx");
  for (const Node& n : m.nodes) EXPECT_NE(n.op_type, "SqueezeExcite");
  EXPECT_EQ(m.nodes.size(), 5u);
}

TEST(SqueezeExcite, RefusesNodesTheLoaderDidNotMake) {
  nn_test::OpCase c("SqueezeExcite", 13);
  c.input(nn_test::random_tensor({1, 4, 3, 3}, 1))
      .input(nn_test::random_tensor({2, 4, 1, 1}, 2))
      .input(nn_test::random_tensor({2}, 3))
      .input(nn_test::random_tensor({4, 2, 1, 1}, 4))
      .input(nn_test::random_tensor({4}, 5));
  EXPECT_THROW(c.infer(), Error);
}

TEST(SqueezeExcite, WeightsThatDoNotChainAreAnError) {
  nn_test::OpCase c("SqueezeExcite", 13);
  c.input(nn_test::random_tensor({1, 4, 3, 3}, 1))
      .input(nn_test::random_tensor({2, 4, 1, 1}, 2))
      .input(nn_test::random_tensor({2}, 3))
      .input(nn_test::random_tensor({4, 3, 1, 1}, 4))  // H should be 2
      .input(nn_test::random_tensor({4}, 5));
  c.i("algoscope_fused", 1);
  try {
    c.infer();
    FAIL() << "W2 [4, 3, 1, 1] against H = 2 was accepted";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("W2"), std::string::npos) << e.what();
  }
}

// Between two oneDNN convolutions that hand each other NHWC values (oneDNN 2.6's brgemm kernels,
// which it picks at AVX-512), the direct kernel reads and writes NHWC itself: x and y stay in
// oneDNN's layout, and the output matches the same plan with every value reordered to the plain
// layout within the last convolution's tolerance. Where oneDNN's layout is channel-blocked (AVX2),
// the block stays plain.
TEST(SqueezeExcite, DirectWorksInOneDnnsChannelsLastLayout) {
  if (!Registry::instance().find_algorithm("Conv", "onednn_direct"))
    GTEST_SKIP() << "built without oneDNN";
  for (int64_t channels : {32, 96}) {
    SCOPED_TRACE(std::to_string(channels) + " channels");
    ModelBuilder b("conv_se_conv", 13);
    const int64_t c = channels, hidden = 8;
    b.input("x", {1, 3, 28, 28});
    b.initializer("w_in", {c, 3, 3, 3}, random_floats(size_t(c * 27), 6));
    b.initializer("w1", {hidden, c, 1, 1}, random_floats(size_t(hidden * c), 7));
    b.initializer("w2", {c, hidden, 1, 1}, random_floats(size_t(hidden * c), 8));
    b.initializer("w_out", {16, c, 1, 1}, random_floats(size_t(16 * c), 9));
    b.node("Conv", {"x", "w_in"}, {"a"}, "conv_in").ints("pads", {1, 1, 1, 1});
    b.node("GlobalAveragePool", {"a"}, {"squeezed"}, "pool");
    b.node("Conv", {"squeezed", "w1"}, {"h"}, "fc1");
    b.node("Relu", {"h"}, {"h_act"}, "relu");
    b.node("Conv", {"h_act", "w2"}, {"logits"}, "fc2");
    b.node("Sigmoid", {"logits"}, {"gate"}, "gate");
    b.node("Mul", {"a", "gate"}, {"scaled"}, "scale");
    b.node("Conv", {"scaled", "w_out"}, {"y"}, "conv_out");
    b.output("y");
    auto model = std::make_shared<const Model>(load_model_from_bytes(b.bytes(), "cse.onnx"));
    ASSERT_EQ(model->nodes.size(), 3u);
    Plan plan = Plan::for_model(*model);
    plan.defaults["Conv"] = "onednn_direct";
    plan.defaults["SqueezeExcite"] = "direct";
    Session native(model, plan, {.threads = 2});
    Session plain(model, plan, {.threads = 2, .native_layouts = false});
    const bool channels_last = cpu::active_level() >= cpu::IsaLevel::Avx512;
    EXPECT_EQ(native.native_layout_values(), channels_last ? 2u : 0u);  // a and scaled
    const std::vector<Tensor> inputs = random_inputs(*model, 10);
    const Tensor got = native.run(inputs)[0], want = plain.run(inputs)[0];
    // The means sum in another order; conv_out then sums C such products: its tolerance.
    const Algorithm* conv = Registry::instance().find_algorithm("Conv", "onednn_direct");
    EXPECT_TRUE(nn_test::all_close(got, want, conv->tolerance.atol, conv->tolerance.rtol));
  }
}

}  // namespace
