// ConvTranspose: shape inference by the ONNX formulas (pads, output_padding, output_shape,
// auto_pad), hand-computed values every algorithm must reproduce, the errors a bad node gets (and
// that they name the node in a model), and every algorithm against `reference` on the
// ConvTranspose sweep (groups, strides 1-3, dilations, pads, output_padding, 1-D, 3-D, bias) at
// every ISA level this CPU runs.
#include <gtest/gtest.h>

#include <memory>

#include "algoscope/algorithm_sweep.h"
#include "algoscope/algoscope.h"
#include "nn_op_harness.h"
#include "support/isa_cap.h"
#include "support/onnx_builder.h"

using namespace nn_test;

namespace {

// ConvTranspose(X, W[, B]) at opset 11 with W constant.
OpCase convt(Tensor x, Tensor w) {
  OpCase c("ConvTranspose", 11);
  c.input(std::move(x)).input(std::move(w), true);
  return c;
}

// The 1-D input [1, 2, 3] and a kernel of `k` ones, one channel each.
OpCase convt_1d(std::vector<float> kernel = {1, 1, 1}) {
  const int64_t k = static_cast<int64_t>(kernel.size());
  return convt(Tensor::from_vector<float>({1, 1, 3}, {1, 2, 3}),
               Tensor::from_vector<float>({1, 1, k}, kernel));
}

// How many CPU algorithms ConvTranspose has (all apply to the hand cases but subpixel to dilation).
int all_algorithms() {
  int count = 0;
  for (const algoscope::Algorithm& a :
       algoscope::Registry::instance().find_op("ConvTranspose")->algorithms)
    count += a.backend == algoscope::Backend::Cpu;
  return count;
}

// Every CPU algorithm that applies must give `expected`; returns how many ran.
int expect_every_algorithm(const OpCase& c, const std::vector<float>& expected) {
  int ran = 0;
  for (const algoscope::Algorithm& a : c.op().algorithms) {
    if (a.backend != algoscope::Backend::Cpu) continue;
    algoscope::Layer l = c.layer();
    l.outputs = c.op().infer(l);
    if (a.why_not(l)) continue;
    EXPECT_TRUE(all_close(c.run(a.name)[0], expected)) << a.name;
    ++ran;
  }
  return ran;
}

TEST(OpsConvTranspose, OutputShapesFollowTheOnnxFormula) {
  // ONNX's examples: 3x3 input, 3x3 kernel, two output channels.
  auto example = [] {
    return convt(random_tensor({1, 1, 3, 3}, 1), random_tensor({1, 2, 3, 3}, 2));
  };
  EXPECT_EQ(example().infer()[0].shape, (Shape{1, 2, 5, 5}));
  EXPECT_EQ(example().ints("strides", {3, 2}).ints("output_padding", {1, 1}).infer()[0].shape,
            (Shape{1, 2, 10, 8}));
  EXPECT_EQ(example().ints("strides", {3, 2}).ints("pads", {1, 2, 1, 2}).infer()[0].shape,
            (Shape{1, 2, 7, 3}));
  EXPECT_EQ(example().ints("strides", {3, 2}).ints("output_shape", {10, 8}).infer()[0].shape,
            (Shape{1, 2, 10, 8}));
  // The whole shape (N, M, spatial) as output_shape, as some exporters write it.
  EXPECT_EQ(example().ints("strides", {3, 2}).ints("output_shape", {1, 2, 10, 8}).infer()[0].shape,
            (Shape{1, 2, 10, 8}));
  // SAME: input * stride, whatever the kernel; VALID ignores pads.
  EXPECT_EQ(example().str("auto_pad", "SAME_UPPER").ints("strides", {2, 2}).infer()[0].shape,
            (Shape{1, 2, 6, 6}));
  EXPECT_EQ(example().str("auto_pad", "SAME_LOWER").ints("strides", {3, 1}).infer()[0].shape,
            (Shape{1, 2, 9, 3}));
  EXPECT_EQ(example().str("auto_pad", "VALID").ints("pads", {1, 1, 1, 1}).infer()[0].shape,
            (Shape{1, 2, 5, 5}));
  EXPECT_EQ(example().ints("dilations", {2, 2}).infer()[0].shape, (Shape{1, 2, 7, 7}));
  // Groups: M = W.shape[1] * group.
  OpCase grouped = convt(random_tensor({2, 4, 5}, 1), random_tensor({4, 3, 2}, 2));
  grouped.i("group", 2).ints("strides", {2});
  EXPECT_EQ(grouped.infer()[0].shape, (Shape{2, 6, 10}));
  // 3-D.
  EXPECT_EQ(
      convt(random_tensor({1, 1, 3, 4, 5}, 1), random_tensor({1, 2, 3, 3, 3}, 2)).infer()[0].shape,
      (Shape{1, 2, 5, 6, 7}));
}

TEST(OpsConvTranspose, FlopsCountEveryInputPixelTimesEveryTap) {
  OpCase c = convt(random_tensor({2, 4, 5, 6}, 1), random_tensor({4, 3, 3, 3}, 2));
  c.i("group", 2).ints("strides", {2, 2});
  // N * C * H*W * (M/g) * KH*KW multiply-adds.
  algoscope::Layer l = c.layer();
  l.outputs = c.op().infer(l);
  EXPECT_DOUBLE_EQ(c.op().flop_count(l), 2.0 * 2 * 4 * 30 * 3 * 9);
}

TEST(OpsConvTranspose, ValuesByHand) {
  // y[i * s + k - pad] += x[i] * w[k].
  EXPECT_EQ(expect_every_algorithm(convt_1d(), {1, 3, 6, 5, 3}), all_algorithms());
  EXPECT_EQ(expect_every_algorithm(convt_1d().ints("strides", {2}), {1, 1, 3, 2, 5, 3, 3}),
            all_algorithms());
  EXPECT_EQ(
      expect_every_algorithm(convt_1d().ints("strides", {2}).ints("pads", {1, 1}), {1, 3, 2, 5, 3}),
      all_algorithms());
  // output_padding adds positions at the end that only the bias reaches.
  OpCase biased = convt_1d().ints("strides", {2}).ints("output_padding", {1});
  biased.input(Tensor::from_vector<float>({1}, {0.5f}), true);
  EXPECT_EQ(expect_every_algorithm(biased, {1.5f, 1.5f, 3.5f, 2.5f, 5.5f, 3.5f, 3.5f, 0.5f}),
            all_algorithms());
  // Dilation 2: taps at 0 and 2; subpixel does not apply.
  EXPECT_EQ(expect_every_algorithm(convt_1d({1, 10}).ints("dilations", {2}), {1, 2, 13, 20, 30}),
            all_algorithms() - 1);
  // Kernel smaller than the stride: the phases no tap reaches hold zeros.
  EXPECT_EQ(expect_every_algorithm(convt_1d({1}).ints("strides", {3}), {1, 0, 0, 2, 0, 0, 3}),
            all_algorithms());
}

TEST(OpsConvTranspose, AutoPadAndOutputShapePlaceThePadding) {
  // Stride 2, kernel 3 over 3 inputs covers 7 positions; SAME asks for 6: total padding 1, which
  // ONNX puts at the end for SAME_UPPER (pads[start] = total / 2) and at the start otherwise.
  EXPECT_EQ(expect_every_algorithm(convt_1d().ints("strides", {2}).str("auto_pad", "SAME_UPPER"),
                                   {1, 1, 3, 2, 5, 3}),
            all_algorithms());
  EXPECT_EQ(expect_every_algorithm(convt_1d().ints("strides", {2}).str("auto_pad", "SAME_LOWER"),
                                   {1, 3, 2, 5, 3, 3}),
            all_algorithms());
  // output_shape 5: total 2, one each side; 4: total 3, two at the start (NOTSET) or one
  // (SAME_UPPER).
  EXPECT_EQ(expect_every_algorithm(convt_1d().ints("strides", {2}).ints("output_shape", {5}),
                                   {1, 3, 2, 5, 3}),
            all_algorithms());
  EXPECT_EQ(expect_every_algorithm(convt_1d().ints("strides", {2}).ints("output_shape", {4}),
                                   {3, 2, 5, 3}),
            all_algorithms());
  EXPECT_EQ(
      expect_every_algorithm(
          convt_1d().ints("strides", {2}).ints("output_shape", {4}).str("auto_pad", "SAME_UPPER"),
          {1, 3, 2, 5}),
      all_algorithms());
  // An output_shape beyond the 7 covered positions pads nothing; the extra ones hold the bias.
  OpCase wide = convt_1d().ints("strides", {2}).ints("output_shape", {9});
  wide.input(Tensor::from_vector<float>({1}, {0.5f}), true);
  EXPECT_EQ(expect_every_algorithm(wide, {1.5f, 1.5f, 3.5f, 2.5f, 5.5f, 3.5f, 3.5f, 0.5f, 0.5f}),
            all_algorithms());
}

TEST(OpsConvTranspose, InvalidNodesThrow) {
  auto fails = [](OpCase c, const std::string& part) {
    return throws_with([&] { c.infer(); }, part);
  };
  auto base = [] { return convt(random_tensor({1, 4, 3, 3}, 1), random_tensor({4, 2, 3, 3}, 2)); };
  EXPECT_TRUE(fails(convt(random_tensor({1, 3, 3, 3}, 1), random_tensor({4, 2, 3, 3}, 2)),
                    "must have the 3 input channels of X first"));
  EXPECT_TRUE(fails(base().i("group", 3), "input channels 4 are not divisible by group 3"));
  EXPECT_TRUE(fails(base().i("group", 0), "group must be positive"));
  EXPECT_TRUE(fails(base().ints("strides", {2}), "strides has 1 values but the input has 2"));
  EXPECT_TRUE(fails(base().ints("strides", {0, 1}), "strides must be positive"));
  EXPECT_TRUE(fails(base().ints("dilations", {1, -1}), "dilations must be positive"));
  EXPECT_TRUE(fails(base().ints("output_padding", {1, -1}), "output_padding must be non-negative"));
  EXPECT_TRUE(fails(base().ints("pads", {1, 1}), "pads has 2 values but should have 4"));
  EXPECT_TRUE(fails(base().ints("pads", {-1, 0, 0, 0}), "pads must not be negative"));
  EXPECT_TRUE(fails(base().ints("pads", {3, 0, 2, 0}), "output would be empty on spatial axis 0"));
  EXPECT_TRUE(
      fails(base().ints("output_shape", {5}), "output_shape 5 has 1 values but the input has 2"));
  EXPECT_TRUE(fails(base().ints("output_shape", {5, 0}), "output_shape must be positive"));
  EXPECT_TRUE(fails(base().str("auto_pad", "SAME"), "auto_pad 'SAME' is not one of"));
  EXPECT_TRUE(fails(base().ints("kernel_shape", {2, 2}),
                    "kernel_shape 2x2 does not match the weight shape 4x2x3x3"));
  EXPECT_TRUE(fails(base().input(random_tensor({4}, 3), true), "bias B must have shape [2]"));
  EXPECT_TRUE(fails(convt(random_tensor({1, 4}, 1), random_tensor({4, 2}, 2)), "rank 3 or more"));
  EXPECT_TRUE(
      fails(convt(random_tensor({1, 0, 3}, 1), random_tensor({0, 2, 3}, 2)), "has no channels"));
  EXPECT_TRUE(fails(convt(random_tensor({1, 4, 0}, 1), random_tensor({4, 2, 3}, 2)),
                    "has an empty spatial axis"));
  EXPECT_TRUE(fails(base().ints("strides", {int64_t(1) << 62, 1}), "more than 2^52 positions"));
  EXPECT_TRUE(fails(convt(random_tensor({1, 4, 3}, 1), random_tensor({4, 2, 3, 3}, 2)),
                    "must have the rank of X"));
}

// A bad ConvTranspose in a model is reported with the node's name when the model is compiled.
TEST(OpsConvTranspose, BadNodeInAModelNamesTheNode) {
  onnx_builder::ModelBuilder b("bad_deconv");
  b.input("x", {1, 4, 3, 3});
  b.input("w", {4, 2, 3, 3});
  b.node("ConvTranspose", {"x", "w"}, {"y"}, "decoder/up1").ints("strides", {2});
  b.output("y");
  auto model = std::make_shared<const algoscope::Model>(
      algoscope::load_model_from_bytes(b.bytes(), "bad_deconv.onnx"));
  EXPECT_TRUE(throws_with(
      [&] { algoscope::Session(model, algoscope::Plan::for_model(*model), {.threads = 1}); },
      "node 'decoder/up1' (ConvTranspose): ConvTranspose strides has 1 values"));
}

TEST(OpsConvTranspose, SubpixelSaysWhyNotForDilation) {
  OpCase c = convt(random_tensor({1, 2, 4, 4}, 1), random_tensor({2, 2, 3, 3}, 2));
  c.ints("dilations", {2, 2}).ints("strides", {2, 2});
  const auto why = c.op().find("subpixel")->why_not(c.layer());
  ASSERT_TRUE(why.has_value());
  EXPECT_NE(why->find("subpixel needs dilation 1"), std::string::npos) << *why;
}

// Every algorithm against `reference` on the whole sweep; at lower ISA levels every second layer.
class ConvTransposeSweep : public ::testing::TestWithParam<std::string> {};

TEST_P(ConvTransposeSweep, MatchesReference) {
  const std::string algorithm = GetParam();
  const algoscope::SweepReport report = algoscope::sweep_algorithm("ConvTranspose", algorithm);
  EXPECT_TRUE(report.failures.empty()) << report.summary();
  EXPECT_GT(report.layers, 90);
  if (algorithm == "subpixel") {
    // Every layer with dilation 1 on both axes: at least a third of the sweep.
    EXPECT_GT(report.applicable * 3, report.layers) << report.summary();
    EXPECT_LT(report.applicable, report.layers) << report.summary();
  } else {
    EXPECT_EQ(report.applicable, report.layers) << report.summary();
  }
  const auto levels = test_support::runnable_isa_levels();
  for (size_t i = 1; i < levels.size(); ++i) {
    SCOPED_TRACE(algoscope::cpu::level_name(levels[i]));
    test_support::IsaCap cap(levels[i]);
    const algoscope::SweepReport lower = algoscope::sweep_algorithm("ConvTranspose", algorithm, 2);
    EXPECT_TRUE(lower.failures.empty()) << lower.summary();
    EXPECT_GT(lower.applicable, 0);
  }
}

INSTANTIATE_TEST_SUITE_P(Algorithms, ConvTransposeSweep,
                         ::testing::Values("reference", "direct", "col2im", "subpixel",
                                           "zero_insertion"));

}  // namespace
