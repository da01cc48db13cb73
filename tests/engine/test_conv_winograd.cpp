// winograd_f2 and winograd_f4 against `reference`: the shared sweep (only its 3x3 stride-1
// dilation-1 cases apply; the others must say why not), then Winograd-specific layers: partial edge
// tiles, pads wider than the kernel, rows of more than one strip, several tile blocks, groups and
// depthwise, every SIMD level, and the measured error next to im2col's.
#include <gtest/gtest.h>
#include <omp.h>

#include <algorithm>
#include <cmath>
#include <iostream>

#include "conv_sweep.h"
#include "cpu_features.h"
#include "nn_op_harness.h"
#include "ops/conv/conv.h"
#include "support/assertions.h"

using namespace nn_test;
namespace conv = algoscope::ops::conv;
namespace cpu = algoscope::cpu;

namespace {

using test_support::relative_difference;

const char* const kAlgorithms[] = {"winograd_f2", "winograd_f4"};

const algoscope::Algorithm& algorithm(const std::string& name) {
  const auto* a = algoscope::Registry::instance().find_op("Conv")->find(name);
  if (!a) throw algoscope::Error("no Conv algorithm " + name);
  return *a;
}

// A 3x3 stride-1 layer: pads top, left, bottom, right.
struct Case {
  int64_t n, c, h, w, oc, group, pt, pl, pb, pr;
  bool bias;
};

OpCase make_case(const Case& p, bool constant, uint32_t seed) {
  OpCase c("Conv", 11);
  c.input(random_tensor({p.n, p.c, p.h, p.w}, seed), false);
  c.input(random_tensor({p.oc, p.c / p.group, 3, 3}, seed + 1), constant);
  if (p.bias) c.input(random_tensor({p.oc}, seed + 2), constant);
  c.i("group", p.group).ints("pads", {p.pt, p.pl, p.pb, p.pr});
  return c;
}

const Case kCases[] = {
    {1, 1, 1, 1, 1, 1, 1, 1, 1, 1, true},        // 1x1 input, one partial tile
    {2, 3, 2, 2, 5, 1, 1, 1, 1, 1, false},       // smaller than a tile
    {1, 3, 7, 7, 16, 1, 1, 1, 1, 1, true},       // RGB stem, partial tiles
    {3, 5, 9, 13, 7, 1, 0, 0, 0, 0, true},       // unpadded, odd sizes
    {1, 16, 11, 6, 16, 1, 2, 0, 0, 1, false},    // asymmetric pads
    {1, 4, 5, 5, 4, 1, 3, 0, 0, 3, true},        // pads wider than the kernel
    {2, 17, 8, 8, 33, 1, 1, 1, 1, 1, true},      // channels just above a vector block
    {1, 8, 10, 12, 12, 2, 1, 1, 1, 1, true},     // two groups
    {2, 6, 9, 7, 6, 6, 1, 1, 1, 1, false},       // depthwise
    {1, 6, 8, 8, 12, 6, 1, 0, 1, 2, true},       // depthwise, channel multiplier 2
    {1, 32, 37, 70, 24, 1, 1, 1, 1, 1, true},    // more than one strip of 16 tiles per row
    {2, 64, 64, 64, 64, 1, 1, 1, 1, 1, true},    // several tile blocks, the last one partial
    {1, 128, 14, 14, 96, 1, 1, 1, 1, 1, false},  // pre-packed U (W constant), few tiles
    {2, 160, 20, 20, 144, 1, 1, 1, 1, 1, true},  // pre-packed U, blocks shared by threads
};

std::string describe(const Case& p) {
  return "N=" + std::to_string(p.n) + " C=" + std::to_string(p.c) + " " + std::to_string(p.h) +
         "x" + std::to_string(p.w) + " OC=" + std::to_string(p.oc) +
         " g=" + std::to_string(p.group) + " pads=" + std::to_string(p.pt) + "," +
         std::to_string(p.pl) + "," + std::to_string(p.pb) + "," + std::to_string(p.pr) +
         (p.bias ? " bias" : "");
}

}  // namespace

TEST(ConvWinograd, SharedSweep) {
  for (const char* name : kAlgorithms) {
    SCOPED_TRACE(name);
    // The sweep's 3x3 stride-1 dilation-1 layers (plain, grouped and depthwise, all pads).
    EXPECT_GE(run_conv_sweep(name), 6);
  }
}

TEST(ConvWinograd, MatchesReferenceOnWinogradShapes) {
  uint32_t seed = 500;
  for (const Case& p : kCases) {
    SCOPED_TRACE(describe(p));
    seed += 3;
    const Tensor ref = make_case(p, false, seed).run("reference")[0];
    for (const char* name : kAlgorithms) {
      const algoscope::Algorithm& a = algorithm(name);
      for (bool constant : {true, false}) {
        SCOPED_TRACE(std::string(name) + (constant ? " W constant" : " W at run time"));
        OpCase c = make_case(p, constant, seed);
        algoscope::Layer layer = c.layer();
        layer.outputs = c.infer();
        ASSERT_FALSE(a.why_not(layer).has_value()) << *a.why_not(layer);
        EXPECT_TRUE(all_close(c.run(name)[0], ref, a.tolerance.atol, a.tolerance.rtol));
      }
    }
  }
}

TEST(ConvWinograd, EverySimdLevelAgrees) {
  const Case cases[] = {kCases[2], kCases[6], kCases[9], kCases[10]};
  uint32_t seed = 900;
  for (const Case& p : cases) {
    SCOPED_TRACE(describe(p));
    seed += 3;
    const Tensor ref = make_case(p, true, seed).run("reference")[0];
    for (cpu::IsaLevel level :
         {cpu::IsaLevel::Portable, cpu::IsaLevel::Avx2, cpu::IsaLevel::Avx512}) {
      if (level > cpu::detected_level()) continue;
      cpu::cap_level(level);
      for (const char* name : kAlgorithms) {
        SCOPED_TRACE(std::string(name) + " level " + std::to_string(int(level)));
        const algoscope::Algorithm& a = algorithm(name);
        EXPECT_TRUE(all_close(make_case(p, true, seed).run(name)[0], ref, a.tolerance.atol,
                              a.tolerance.rtol));
      }
    }
    cpu::cap_level(std::nullopt);
  }
}

TEST(ConvWinograd, NotApplicableSaysWhy) {
  auto reason = [](OpCase c, const char* name) {
    algoscope::Layer layer = c.layer();
    layer.outputs = c.infer();
    const auto why = algorithm(name).why_not(layer);
    return why ? *why : std::string();
  };
  auto conv2d = [](int64_t kh, int64_t kw) {
    OpCase c("Conv", 11);
    c.input(random_tensor({1, 4, 9, 9}, 1)).input(random_tensor({4, 4, kh, kw}, 2), true);
    return c;
  };
  EXPECT_EQ(reason(conv2d(5, 5), "winograd_f2"),
            "Winograd F(2x2,3x3) needs a 3x3 kernel, this layer's is 5x5");
  EXPECT_EQ(reason(conv2d(1, 3), "winograd_f4"),
            "Winograd F(4x4,3x3) needs a 3x3 kernel, this layer's is 1x3");
  auto strided = conv2d(3, 3);
  strided.ints("strides", {2, 2});
  EXPECT_EQ(reason(strided, "winograd_f4"),
            "Winograd F(4x4,3x3) needs stride 1, this layer's strides are 2x2");
  auto dilated = conv2d(3, 3);
  dilated.ints("dilations", {1, 2});
  EXPECT_EQ(reason(dilated, "winograd_f2"),
            "Winograd F(2x2,3x3) needs dilation 1, this layer's dilations are 1x2");
  OpCase c1("Conv", 11);
  c1.input(random_tensor({1, 2, 9}, 1)).input(random_tensor({2, 2, 3}, 2));
  EXPECT_EQ(reason(c1, "winograd_f4"),
            "Winograd F(4x4,3x3) is for 2-D convolutions, this one has 1 spatial axes");
  OpCase c3("Conv", 11);
  c3.input(random_tensor({1, 2, 5, 5, 5}, 1)).input(random_tensor({2, 2, 3, 3, 3}, 2));
  EXPECT_EQ(reason(c3, "winograd_f2"),
            "Winograd F(2x2,3x3) is for 2-D convolutions, this one has 3 spatial axes");
}

TEST(ConvWinograd, WorkspaceFormula) {
  // 64 -> 64 channels, 16x16 output: F(4x4,3x3) has 4x4 tiles of 36 positions; all 16 tiles fit
  // one block, so each processor's slot holds V + M = 36 * 16 * (64 + 64) floats, plus one
  // U = 36 * 64 * 64 floats when W is a runtime input.
  const size_t slots = size_t(std::max(1, omp_get_num_procs()));
  for (bool constant : {true, false}) {
    OpCase c("Conv", 11);
    c.input(random_tensor({1, 64, 16, 16}, 1))
        .input(random_tensor({64, 64, 3, 3}, 2), constant)
        .ints("pads", {1, 1, 1, 1});
    const algoscope::Layer layer = c.layer();
    const size_t vm4 = 36 * 16 * (64 + 64) * 4;
    EXPECT_EQ(algorithm("winograd_f4").workspace(layer),
              slots * vm4 + (constant ? 0 : 36 * 64 * 64 * 4));
    // F(2x2,3x3): 8x8 tiles of 16 positions.
    const size_t vm2 = 16 * 64 * (64 + 64) * 4;
    EXPECT_EQ(algorithm("winograd_f2").workspace(layer),
              slots * vm2 + (constant ? 0 : 16 * 64 * 64 * 4));
  }
}

// The numbers quoted in the teaching texts: max |err| / max |ref| on typical layers, inputs and
// weights uniform in [-1, 1]. Winograd must stay within the documented factor of im2col's error.
TEST(ConvWinograd, ErrorRelativeToIm2col) {
  const Case layers[] = {{1, 64, 28, 28, 64, 1, 1, 1, 1, 1, true},
                         {1, 256, 14, 14, 256, 1, 1, 1, 1, 1, true}};
  uint32_t seed = 1500;
  for (const Case& p : layers) {
    seed += 3;
    OpCase c = make_case(p, true, seed);
    const Tensor ref = c.run("reference")[0];
    const double e_im2col = relative_difference(c.run("im2col")[0], ref);
    const double e_f2 = relative_difference(c.run("winograd_f2")[0], ref);
    const double e_f4 = relative_difference(c.run("winograd_f4")[0], ref);
    std::cout << "[ max rel error ] " << describe(p) << ": im2col " << e_im2col << ", winograd_f2 "
              << e_f2 << ", winograd_f4 " << e_f4 << "\n";
    EXPECT_LT(e_f2, 1e-6);
    EXPECT_LT(e_f4, 3e-5);
    EXPECT_LT(e_f2, 5 * std::max(e_im2col, 5e-8));
    EXPECT_LT(e_f4, 50 * std::max(e_im2col, 5e-8));
  }
}
