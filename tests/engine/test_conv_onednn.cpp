// oneDNN as a provider: its three convolution variants run the shared Conv sweep against
// `reference`, its Winograd variant explains where it does not apply, neighbouring oneDNN
// convolutions pass their values in oneDNN's blocked layout without reorders, also through the
// residual Adds between them, and such plans can be timed end to end and tuned (the services must
// not observe those values).
#include <gtest/gtest.h>

#include <memory>
#include <optional>

#include "algoscope/algoscope.h"
#include "conv_sweep.h"
#include "cpu_features.h"
#include "support/onnx_builder.h"

using namespace nn_test;

namespace {

bool has_onednn() { return algoscope::Registry::instance().find_algorithm("Conv", "onednn_auto"); }

TEST(ConvOnednn, DirectAndAutoMatchReferenceOnTheSweep) {
  if (!has_onednn()) GTEST_SKIP() << "built without oneDNN";
  EXPECT_GT(run_conv_sweep("onednn_direct", 2), 50);
  EXPECT_GT(run_conv_sweep("onednn_auto", 3), 30);
}

TEST(ConvOnednn, WinogradAppliesTo3x3Stride1AndSaysWhyNotElsewhere) {
  if (!has_onednn()) GTEST_SKIP() << "built without oneDNN";
  const auto* winograd = algoscope::Registry::instance().find_algorithm("Conv", "onednn_winograd");
  auto layer_for = [](int64_t k, int64_t stride) {
    OpCase c("Conv", 11);
    c.input(random_tensor({1, 32, 14, 14}, 1)).input(random_tensor({32, 32, k, k}, 2), true);
    c.ints("strides", {stride, stride}).ints("pads", {k / 2, k / 2, k / 2, k / 2});
    return c;
  };
  OpCase five = layer_for(5, 1);
  algoscope::Layer l5 = five.layer();
  l5.outputs = five.infer();
  auto why = winograd->why_not(l5);
  ASSERT_TRUE(why.has_value());
  // The reason names the condition that fails, not every condition (issue 17).
  EXPECT_NE(why->find("3x3 only; this kernel is 5x5"), std::string::npos) << *why;
  OpCase strided = layer_for(3, 2);
  algoscope::Layer l3s = strided.layer();
  l3s.outputs = strided.infer();
  why = winograd->why_not(l3s);
  ASSERT_TRUE(why.has_value());
  EXPECT_NE(why->find("needs stride 1"), std::string::npos) << *why;
  OpCase three = layer_for(3, 1);
  algoscope::Layer l3 = three.layer();
  l3.outputs = three.infer();
  __builtin_cpu_init();
  if (algoscope::cpu::default_level() < algoscope::cpu::IsaLevel::Avx512) {
    // An AVX2 CPU, or ALGOSCOPE_ISA=avx2 holding oneDNN to AVX2 on an AVX-512 one.
    why = winograd->why_not(l3);
    ASSERT_TRUE(why.has_value());
    EXPECT_NE(why->find("needs AVX-512; kernels run at avx2 here"), std::string::npos) << *why;
    GTEST_SKIP() << "oneDNN's Winograd needs AVX-512";
  }
  ASSERT_FALSE(winograd->why_not(l3).has_value());
  EXPECT_TRUE(all_close(three.run("onednn_winograd")[0], three.run("reference")[0],
                        winograd->tolerance.atol, winograd->tolerance.rtol));
}

// A session that keeps blocked values between kernels against one that reorders to the plain
// layout after every kernel: skipping a reorder pair must not change a single bit. Both against
// the all-reference run within the convolution algorithm's tolerance.
void expect_same_function(const algoscope::Tensor& got, const algoscope::Tensor& plain_got,
                          const algoscope::Tensor& want, const char* conv_algorithm) {
  ASSERT_EQ(got.shape(), want.shape());
  ASSERT_EQ(plain_got.shape(), want.shape());
  for (int64_t i = 0; i < got.numel(); ++i)
    ASSERT_EQ(got.data<float>()[i], plain_got.data<float>()[i]) << i;
  const algoscope::Algorithm* a =
      algoscope::Registry::instance().find_algorithm("Conv", conv_algorithm);
  ASSERT_NE(a, nullptr);
  EXPECT_TRUE(all_close(got, want, a->tolerance.atol, a->tolerance.rtol));
}

// One model under `plan` keeping blocked values between kernels (native), under the same plan
// reordering to the plain layout after every kernel (plain), and under the reference plan; all on
// two threads.
struct LayoutSessions {
  LayoutSessions(const std::shared_ptr<const algoscope::Model>& model, const algoscope::Plan& plan)
      : native(model, plan, {.threads = 2}),
        plain(model, plan, {.threads = 2, .native_layouts = false}),
        reference(model, algoscope::Plan::for_model(*model), {.threads = 2}) {}
  algoscope::Session native, plain, reference;
};

// x -> conv1 (3->16, 3x3) + Relu -> c1 -> conv2 (16->32, 3x3) -> c2 -> conv3 (32->32, 1x1) -> y,
// and with `branch` y = Add(c2, conv3(c2)), so that a non-oneDNN node reads c2 as well.
algoscope::Model conv_chain(bool branch) {
  using onnx_builder::random_floats;
  onnx_builder::ModelBuilder b("chain", 13);
  b.input("x", {2, 3, 20, 20});
  b.initializer("w1", {16, 3, 3, 3}, random_floats(16 * 3 * 9, 1));
  b.initializer("w2", {32, 16, 3, 3}, random_floats(32 * 16 * 9, 2));
  b.initializer("w3", {32, 32, 1, 1}, random_floats(32 * 32, 3));
  b.initializer("b3", {32}, random_floats(32, 4));
  b.node("Conv", {"x", "w1"}, {"a1"}, "conv1").ints("pads", {1, 1, 1, 1});
  b.node("Relu", {"a1"}, {"c1"}, "relu1");
  b.node("Conv", {"c1", "w2"}, {"c2"}, "conv2").ints("pads", {1, 1, 1, 1});
  b.node("Conv", {"c2", "w3", "b3"}, {branch ? "c3" : "y"}, "conv3");
  if (branch) b.node("Add", {"c2", "c3"}, {"y"}, "add");
  b.output("y");
  // The Add stays a node of its own: the point is a reader outside the family.
  return algoscope::load_model_from_bytes(b.bytes(), "chain.onnx", {.fuse_residual_add = false});
}

TEST(ConvOnednn, NeighboursPassBlockedValuesWithoutReorders) {
  if (!has_onednn()) GTEST_SKIP() << "built without oneDNN";
  using namespace algoscope;
  for (bool branch : {false, true}) {
    SCOPED_TRACE(branch ? "c2 also read by Add" : "plain chain");
    auto model = std::make_shared<const Model>(conv_chain(branch));
    Plan onednn = Plan::for_model(*model);
    onednn.defaults["Conv"] = "onednn_auto";
    const std::vector<Tensor> inputs = random_inputs(*model, 3);
    LayoutSessions s(model, onednn);
    // c1 always stays blocked; c2 only when no other kernel reads it.
    EXPECT_EQ(s.native.native_layout_values(), branch ? 1u : 2u);
    EXPECT_EQ(s.plain.native_layout_values(), 0u);
    // An observer (the measurement services' recorder) cannot read blocked values: refused.
    EXPECT_THROW(s.native.run(inputs, [](size_t, const KernelIO&) { return true; }), Error);
    EXPECT_NO_THROW(s.plain.run(inputs, [](size_t, const KernelIO&) { return true; }));
    expect_same_function(s.native.run(inputs)[0], s.plain.run(inputs)[0],
                         s.reference.run(inputs)[0], "onednn_auto");
  }
}

TEST(ConvOnednn, PlansWithBlockedValuesAreTimedCheckedAndCancelled) {
  if (!has_onednn()) GTEST_SKIP() << "built without oneDNN";
  using namespace algoscope;
  auto model = std::make_shared<const Model>(conv_chain(false));
  Plan onednn = Plan::for_model(*model);
  onednn.defaults["Conv"] = "onednn_auto";
  ASSERT_EQ(Session(model, onednn, {.threads = 1}).native_layout_values(), 2u);
  EndToEndOptions options;
  options.threads = 1;
  options.warmup = 1;
  options.repeat = 3;
  options.adaptive.target_ci = 0;  // exactly `repeat` runs
  EndToEndResult timed = time_end_to_end(model, onednn, options);
  EXPECT_FALSE(timed.partial);
  EXPECT_EQ(timed.latency.samples, 3);
  for (const LayerTime& layer : timed.layers) EXPECT_EQ(layer.time.samples, 3);
  PlanComparison compared = compare_plans(model, onednn, Plan::for_model(*model), options);
  EXPECT_FALSE(compared.partial);
  EXPECT_EQ(compared.a.latency.samples, 3);
  // check runs the plan's own session (blocked values and all) end to end.
  CheckOptions check_options;
  check_options.threads = 1;
  const CheckResult checked = check_plan(model, onednn, check_options);
  EXPECT_FALSE(checked.partial);
  EXPECT_EQ(checked.outputs.size(), 1u);
  EXPECT_TRUE(checked.passed());
  // Cancelled during the first run: the run is abandoned between two kernels.
  auto token = std::make_shared<CancelToken>();
  options.control.cancel = token;
  options.control.progress = [&](const Progress& p) {
    if (p.done == 1) token->cancel();
  };
  options.repeat = 1000000;
  EndToEndResult cancelled = time_end_to_end(model, onednn, options);
  EXPECT_TRUE(cancelled.partial);
  EXPECT_LE(cancelled.latency.samples, 1);
}

// Two residual blocks as a ResNet has them, `channels` wide:
//   r0 = Relu(conv0(x)); r1 = Relu(Add(conv_a(r0), r0)); r2 = Add(conv_b(r1), r1); y = conv_c(r2)
// and with `pool_reader` also p = MaxPool(r1), a plain-layout reader inside the residual chain.
// Loaded with the residual Adds as nodes unless `fuse`.
algoscope::Model residual_blocks(int64_t channels, bool pool_reader, bool fuse = false) {
  using onnx_builder::random_floats;
  const int64_t c = channels;
  onnx_builder::ModelBuilder b("residual", 13);
  b.input("x", {1, 3, 14, 14});
  b.initializer("w0", {c, 3, 3, 3}, random_floats(c * 3 * 9, 1));
  b.initializer("wa", {c, c, 1, 1}, random_floats(c * c, 2));
  b.initializer("wb", {c, c, 3, 3}, random_floats(c * c * 9, 3));
  b.initializer("wc", {16, c, 1, 1}, random_floats(16 * c, 4));
  b.node("Conv", {"x", "w0"}, {"a0"}, "conv0").ints("pads", {1, 1, 1, 1});
  b.node("Relu", {"a0"}, {"r0"}, "relu0");
  b.node("Conv", {"r0", "wa"}, {"a"}, "conv_a");
  b.node("Add", {"a", "r0"}, {"s1"}, "add1");
  b.node("Relu", {"s1"}, {"r1"}, "relu1");
  b.node("Conv", {"r1", "wb"}, {"b"}, "conv_b").ints("pads", {1, 1, 1, 1});
  b.node("Add", {"b", "r1"}, {"r2"}, "add2");
  b.node("Conv", {"r2", "wc"}, {"y"}, "conv_c");
  b.output("y");
  if (pool_reader) {
    b.node("MaxPool", {"r1"}, {"p"}, "pool").ints("kernel_shape", {2, 2});
    b.output("p");
  }
  return algoscope::load_model_from_bytes(b.bytes(), "residual.onnx", {.fuse_residual_add = fuse});
}

TEST(ConvOnednn, ResidualAddsKeepTheBlockedLayoutBetweenConvolutions) {
  if (!has_onednn()) GTEST_SKIP() << "built without oneDNN";
  using namespace algoscope;
  // Two widths; oneDNN stores both unpadded here, so a padded layout through the Add is tested on
  // the kernel itself (DirectBinary.InAnyLayoutCoversThePaddedStorage).
  for (int64_t channels : {32, 24}) {
    for (bool pool_reader : {false, true}) {
      SCOPED_TRACE(std::to_string(channels) + " channels" + (pool_reader ? ", pooled" : ""));
      auto model = std::make_shared<const Model>(residual_blocks(channels, pool_reader));
      Plan onednn = Plan::for_model(*model);
      onednn.defaults["Conv"] = "onednn_direct";
      onednn.defaults["Add"] = "direct";
      const std::vector<Tensor> inputs = random_inputs(*model, 11);
      LayoutSessions s(model, onednn);
      // r0, a, r1, b and r2 form one group through the two Adds: all blocked, or, when the
      // MaxPool reads r1 in the plain layout, all plain.
      EXPECT_EQ(s.native.native_layout_values(), pool_reader ? 0u : 5u);
      const std::vector<Tensor> got = s.native.run(inputs), plain_got = s.plain.run(inputs);
      const std::vector<Tensor> want = s.reference.run(inputs);
      ASSERT_EQ(got.size(), want.size());
      for (size_t o = 0; o < got.size(); ++o)
        expect_same_function(got[o], plain_got[o], want[o], "onednn_direct");
    }
  }
  // A reference Add (not layout-agnostic) keeps the chain plain: only conv0's a0 -> nothing.
  auto model = std::make_shared<const Model>(residual_blocks(32, false));
  Plan mixed = Plan::for_model(*model);
  mixed.defaults["Conv"] = "onednn_direct";
  mixed.defaults["Add"] = "reference";
  EXPECT_EQ(Session(model, mixed, {.threads = 1}).native_layout_values(), 0u);
}

// The same blocks with their Adds fused into conv_a and conv_b (fuse_residual_add): every Conv
// algorithm computes them as the unfused model's reference run does, within its tolerance;
// oneDNN's direct and automatic ones add the residual in their epilogue and keep r0, r1 and r2 in
// their layout (r1 stays plain when the MaxPool reads it), bit-identical to the same plan
// reordering after every kernel; the others get it added after them by the session.
TEST(ConvOnednn, AResidualAddFusedIntoTheConvMatchesTheAddEveryAlgorithm) {
  using namespace algoscope;
  for (int64_t channels : {32, 24}) {
    for (bool pool_reader : {false, true}) {
      SCOPED_TRACE(std::to_string(channels) + " channels" + (pool_reader ? ", pooled" : ""));
      auto model = std::make_shared<const Model>(residual_blocks(channels, pool_reader, true));
      auto unfused = std::make_shared<const Model>(residual_blocks(channels, pool_reader, false));
      ASSERT_EQ(model->nodes.size(), pool_reader ? 5u : 4u);
      EXPECT_EQ(model->nodes[1].display_op(), "Conv+Add+Relu");
      EXPECT_EQ(model->nodes[2].display_op(), "Conv+Add");
      const std::vector<Tensor> inputs = random_inputs(*model, 11);
      Plan all_reference = Plan::for_model(*unfused);
      for (const Node& n : unfused->nodes) all_reference.layers[n.name] = kReference;
      const std::vector<Tensor> want = Session(unfused, all_reference, {.threads = 2}).run(inputs);
      const Layer fused_layer = make_layer(*model, model->nodes[1]);
      ASSERT_EQ(fused_layer.inputs.size(), 4u);
      size_t tried = 0;
      for (const Algorithm& a : Registry::instance().find_op("Conv")->algorithms) {
        if (a.why_not(fused_layer) || a.why_not(make_layer(*model, model->nodes[2]))) continue;
        SCOPED_TRACE(a.name);
        ++tried;
        Plan plan = Plan::for_model(*model);
        plan.defaults["Conv"] = a.name;
        LayoutSessions s(model, plan);
        const std::vector<Tensor> got = s.native.run(inputs), plain_got = s.plain.run(inputs);
        ASSERT_EQ(got.size(), want.size());
        for (size_t o = 0; o < got.size(); ++o)
          expect_same_function(got[o], plain_got[o], want[o], a.name.c_str());
        if (a.name == "onednn_direct" || a.name == "onednn_auto")
          EXPECT_EQ(s.native.native_layout_values(), pool_reader ? 2u : 3u);
      }
      EXPECT_GE(tried, has_onednn() ? 8u : 6u);
    }
  }
}

// An Inception-like block, `c` channels wide:
//   r0 = Relu(conv0(x)); a = conv_a(r0) (1x1); b = conv_b(r0) (3x3);
//   p = conv_p(MaxPool 3x3/1(r0)); q = conv_q(AveragePool 3x3/1, padding counted(r0));
//   cat = Concat(a, b, p, q); y = conv_y(MaxPool 2x2/2(cat))
algoscope::Model inception_block(int64_t c) {
  using onnx_builder::random_floats;
  onnx_builder::ModelBuilder b("inception", 13);
  b.input("x", {1, 3, 12, 12});
  b.initializer("w0", {c, 3, 3, 3}, random_floats(c * 3 * 9, 1));
  b.initializer("wa", {c, c, 1, 1}, random_floats(c * c, 2));
  b.initializer("wb", {c, c, 3, 3}, random_floats(c * c * 9, 3));
  b.initializer("wp", {c, c, 1, 1}, random_floats(c * c, 4));
  b.initializer("wq", {c, c, 1, 1}, random_floats(c * c, 5));
  b.initializer("wy", {16, 4 * c, 1, 1}, random_floats(16 * 4 * c, 6));
  b.node("Conv", {"x", "w0"}, {"a0"}, "conv0").ints("pads", {1, 1, 1, 1});
  b.node("Relu", {"a0"}, {"r0"}, "relu0");
  b.node("Conv", {"r0", "wa"}, {"a"}, "conv_a");
  b.node("Conv", {"r0", "wb"}, {"b"}, "conv_b").ints("pads", {1, 1, 1, 1});
  b.node("MaxPool", {"r0"}, {"pm"}, "pool_p")
      .ints("kernel_shape", {3, 3})
      .ints("pads", {1, 1, 1, 1});
  b.node("Conv", {"pm", "wp"}, {"p"}, "conv_p");
  b.node("AveragePool", {"r0"}, {"qm"}, "pool_q")
      .ints("kernel_shape", {3, 3})
      .ints("pads", {1, 1, 1, 1})
      .i("count_include_pad", 1);
  b.node("Conv", {"qm", "wq"}, {"q"}, "conv_q");
  b.node("Concat", {"a", "b", "p", "q"}, {"cat"}, "concat").i("axis", 1);
  b.node("MaxPool", {"cat"}, {"down"}, "pool_down")
      .ints("kernel_shape", {2, 2})
      .ints("strides", {2, 2});
  b.node("Conv", {"down", "wy"}, {"y"}, "conv_y");
  b.output("y");
  return algoscope::load_model_from_bytes(b.bytes(), "inception.onnx");
}

// Every value of the block stays in oneDNN's layout when pooling is oneDNN's too. Where that
// layout is channel-blocked (nChw16c), the Concat's inputs are written in place when the branch
// widths are whole blocks, and a width the block does not divide keeps the Concat's values plain
// (r0, pm, qm and down stay in it); where it is channels-last (NHWC, oneDNN's brgemm kernels), the
// Concat copies each pixel's channels whatever the width. The result does not change by one bit
// against the same plan reordering after every kernel.
TEST(ConvOnednn, PoolingAndChannelConcatKeepTheirLayout) {
  if (!has_onednn()) GTEST_SKIP() << "built without oneDNN";
  using algoscope::cpu::IsaLevel;
  if (algoscope::cpu::active_level() < IsaLevel::Avx2) GTEST_SKIP() << "no oneDNN layouts";
  using namespace algoscope;
  const int64_t block = cpu::active_level() >= IsaLevel::Avx512 ? 16 : 8;
  std::optional<bool> channel_blocked;  // learnt from the whole-block case
  for (int64_t channels : {int64_t{32}, block + block / 2}) {
    SCOPED_TRACE(std::to_string(channels) + " channels");
    auto model = std::make_shared<const Model>(inception_block(channels));
    Plan onednn = Plan::for_model(*model);
    onednn.defaults["Conv"] = "onednn_direct";
    onednn.defaults["MaxPool"] = "onednn";
    onednn.defaults["AveragePool"] = "onednn";
    const std::vector<Tensor> inputs = random_inputs(*model, 17);
    LayoutSessions s(model, onednn);
    bool concat_in_place = false;
    for (const CompiledLayer& layer : s.native.layers())
      if (layer.node->name == "concat") concat_in_place = layer.in_place;
    if (!channel_blocked) {
      channel_blocked = concat_in_place;
      // r0, pm, qm, a, b, p, q, cat and down.
      EXPECT_EQ(s.native.native_layout_values(), 9u);
    } else {
      // Blocked: the Concat's values are plain (in place as such); r0, pm, qm and down are not.
      EXPECT_EQ(concat_in_place, *channel_blocked);
      EXPECT_EQ(s.native.native_layout_values(), *channel_blocked ? 4u : 9u);
    }
    expect_same_function(s.native.run(inputs)[0], s.plain.run(inputs)[0],
                         s.reference.run(inputs)[0], "onednn_direct");
  }
}

// A DenseNet-like block: r0 = Relu(conv0(x)); c1 = conv1(r0); cat = Concat(r0, c1);
// y = conv2(Relu(BatchNormalization(cat))). Between oneDNN's channels-last convolutions the
// Concat copies per pixel and the BN (direct, its Relu fused) works in NHWC: every value stays in
// oneDNN's layout. Where oneDNN's layout is channel-blocked, the BN cannot take it, and the group
// through the Concat stays plain.
TEST(ConvOnednn, DenseBlockKeepsChannelsLastThroughConcatAndBatchNorm) {
  if (!has_onednn()) GTEST_SKIP() << "built without oneDNN";
  using namespace algoscope;
  using onnx_builder::random_floats;
  onnx_builder::ModelBuilder b("dense", 13);
  b.input("x", {1, 3, 14, 14});
  b.initializer("w0", {32, 3, 3, 3}, random_floats(32 * 27, 1));
  b.initializer("w1", {32, 32, 3, 3}, random_floats(32 * 32 * 9, 2));
  b.initializer("w2", {16, 64, 1, 1}, random_floats(16 * 64, 3));
  b.initializer("s", {64}, random_floats(64, 4));
  b.initializer("bb", {64}, random_floats(64, 5));
  b.initializer("m", {64}, random_floats(64, 6));
  b.initializer("v", {64}, std::vector<float>(64, 0.7f));
  b.node("Conv", {"x", "w0"}, {"a0"}, "conv0").ints("pads", {1, 1, 1, 1});
  b.node("Relu", {"a0"}, {"r0"}, "relu0");
  b.node("Conv", {"r0", "w1"}, {"c1"}, "conv1").ints("pads", {1, 1, 1, 1});
  b.node("Concat", {"r0", "c1"}, {"cat"}, "concat").i("axis", 1);
  b.node("BatchNormalization", {"cat", "s", "bb", "m", "v"}, {"n"}, "bn");
  b.node("Relu", {"n"}, {"r"}, "relu");
  b.node("Conv", {"r", "w2"}, {"y"}, "conv2");
  b.output("y");
  auto model = std::make_shared<const Model>(load_model_from_bytes(b.bytes(), "dense.onnx"));
  Plan onednn = Plan::for_model(*model);
  onednn.defaults["Conv"] = "onednn_direct";
  onednn.defaults["BatchNormalization"] = "direct";
  const std::vector<Tensor> inputs = random_inputs(*model, 19);
  LayoutSessions s(model, onednn);
  const bool channels_last = cpu::active_level() >= cpu::IsaLevel::Avx512;
  EXPECT_EQ(s.native.native_layout_values(), channels_last ? 4u : 0u);  // r0, c1, cat, r
  const Tensor got = s.native.run(inputs)[0], plain = s.plain.run(inputs)[0];
  const Tensor want = s.reference.run(inputs)[0];
  const Algorithm* conv = Registry::instance().find_algorithm("Conv", "onednn_direct");
  EXPECT_TRUE(all_close(got, plain, conv->tolerance.atol, conv->tolerance.rtol));
  EXPECT_TRUE(all_close(got, want, conv->tolerance.atol, conv->tolerance.rtol));
}

}  // namespace
