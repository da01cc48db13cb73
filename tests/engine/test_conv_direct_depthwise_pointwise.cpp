// Conv algorithms direct, depthwise and pointwise against `reference` on a parameterized sweep
// (batch 1-3; channels 1, 3, odd and multiples of 16; sizes 1x1, 7x7, odd and non-square; kernels
// 1/3/5/7; strides 1/2; dilations 1/2; symmetric and asymmetric pads; groups 1/2/depthwise; with
// and without bias; W constant and W runtime), every SIMD level the CPU has, and the reasons
// not_applicable gives for the layers each algorithm does not compute.
#include <gtest/gtest.h>

#include <functional>
#include <random>
#include <sstream>

#include "conv_sweep.h"
#include "cpu_features.h"
#include "nn_op_harness.h"
#include "ops/conv/conv.h"
#include "support/isa_cap.h"

using namespace nn_test;
using algoscope::cpu::IsaLevel;

namespace {

struct ConvParams {
  int64_t n, c, h, w, oc, group, kh, kw, sh, sw, dh, dw, pt, pl, pb, pr;
  bool bias;
};

std::string describe(const ConvParams& p) {
  std::ostringstream s;
  s << "N=" << p.n << " C=" << p.c << " " << p.h << "x" << p.w << " OC=" << p.oc << " g=" << p.group
    << " k=" << p.kh << "x" << p.kw << " s=" << p.sh << "x" << p.sw << " d=" << p.dh << "x" << p.dw
    << " pads=" << p.pt << "," << p.pl << "," << p.pb << "," << p.pr << (p.bias ? " bias" : "");
  return s.str();
}

bool valid(const ConvParams& p) {
  return p.h + p.pt + p.pb >= (p.kh - 1) * p.dh + 1 && p.w + p.pl + p.pr >= (p.kw - 1) * p.dw + 1;
}

OpCase make_case(const ConvParams& p, bool constant, uint32_t seed) {
  OpCase c("Conv", 11);
  c.input(random_tensor({p.n, p.c, p.h, p.w}, seed))
      .input(random_tensor({p.oc, p.c / p.group, p.kh, p.kw}, seed + 1), constant);
  if (p.bias) c.input(random_tensor({p.oc}, seed + 2), constant);
  c.i("group", p.group)
      .ints("strides", {p.sh, p.sw})
      .ints("dilations", {p.dh, p.dw})
      .ints("pads", {p.pt, p.pl, p.pb, p.pr});
  return c;
}

// A deterministic random sweep over the axes above; `shape` picks the channel/group structure.
enum class Kind { General, Depthwise, Pointwise };

std::vector<ConvParams> sweep(Kind kind, int count, uint32_t seed) {
  std::mt19937 rng(seed);
  auto pick = [&](std::initializer_list<int64_t> v) {
    return *(v.begin() + std::uniform_int_distribution<size_t>(0, v.size() - 1)(rng));
  };
  const std::vector<std::pair<int64_t, int64_t>> sizes = {{1, 1},  {7, 7}, {5, 9},   {13, 6},
                                                          {9, 37}, {2, 3}, {16, 16}, {11, 11}};
  std::vector<ConvParams> out;
  while (static_cast<int>(out.size()) < count) {
    ConvParams p{};
    p.n = pick({1, 1, 2, 3});
    const auto hw = sizes[std::uniform_int_distribution<size_t>(0, sizes.size() - 1)(rng)];
    p.h = hw.first, p.w = hw.second;
    p.bias = rng() % 2;
    if (kind == Kind::Pointwise) {
      p.c = pick({1, 3, 7, 16, 32, 17});
      p.oc = pick({1, 5, 16, 33, 64});
      p.group = 1, p.kh = p.kw = 1, p.sh = p.sw = 1, p.dh = pick({1, 2}), p.dw = pick({1, 2});
      out.push_back(p);
      continue;
    }
    const int64_t k = pick({1, 3, 3, 5, 7});
    p.kh = k, p.kw = rng() % 4 == 0 ? pick({1, 3, 5}) : k;
    p.sh = pick({1, 2}), p.sw = rng() % 4 == 0 ? pick({1, 2}) : p.sh;
    p.dh = pick({1, 1, 2}), p.dw = rng() % 4 == 0 ? pick({1, 2}) : p.dh;
    if (rng() % 3 == 0) {  // asymmetric
      p.pt = pick({0, 1, 2, 3}), p.pl = pick({0, 1, 2}), p.pb = pick({0, 1, 3}),
      p.pr = pick({0, 2});
    } else {
      p.pt = p.pl = p.pb = p.pr = pick({0, (k - 1) / 2, (k - 1) / 2, k / 2 + 1});
    }
    if (kind == Kind::Depthwise) {
      p.c = pick({1, 3, 8, 16, 17, 32});
      p.group = p.c;
      p.oc = p.c * pick({1, 1, 2, 3});
    } else {
      p.group = pick({1, 1, 2});
      p.c = p.group * pick({1, 3, 7, 16});
      p.oc = p.group * pick({1, 5, 16, 17, 33, 48});
      if (rng() % 6 == 0) p.group = p.c, p.oc = p.c;  // depthwise through the general code
    }
    if (valid(p)) out.push_back(p);
  }
  return out;
}

// Every SIMD level this CPU supports, best first.
std::vector<IsaLevel> levels() { return test_support::runnable_isa_levels(); }
using LevelCap = test_support::IsaCap;

const algoscope::Algorithm& algo(const std::string& name) {
  const auto* a = algoscope::Registry::instance().find_algorithm("Conv", name);
  if (!a) throw algoscope::Error("Conv has no algorithm " + name);
  return *a;
}

void check_against_reference(const std::string& name, const std::vector<ConvParams>& cases,
                             bool all_levels) {
  const algoscope::Tolerance tol = algo(name).tolerance;
  uint32_t seed = 100;
  for (const ConvParams& p : cases) {
    SCOPED_TRACE(describe(p));
    for (bool constant : {true, false}) {
      SCOPED_TRACE(constant ? "W constant" : "W runtime");
      OpCase c = make_case(p, constant, seed);
      const auto why = algo(name).why_not([&] {
        auto l = c.layer();
        l.outputs = c.infer();
        return l;
      }());
      ASSERT_FALSE(why.has_value()) << *why;
      const auto expected = c.run("reference");
      for (IsaLevel level : all_levels ? levels() : std::vector<IsaLevel>{levels()[0]}) {
        SCOPED_TRACE(algoscope::cpu::level_name(level));
        LevelCap cap(level);
        const auto got = c.run(name);
        ASSERT_TRUE(all_close(got[0], expected[0], tol.atol, tol.rtol));
      }
    }
    seed += 3;
  }
}

std::optional<std::string> reason(const std::string& name, const OpCase& c) {
  auto l = c.layer();
  l.outputs = c.infer();
  return algo(name).why_not(l);
}

}  // namespace

TEST(ConvDirect, MatchesReferenceOnSweep) {
  check_against_reference("direct", sweep(Kind::General, 140, 1), true);
}

TEST(ConvDirect, MatchesReferenceOnDepthwiseAndPointwiseShapes) {
  check_against_reference("direct", sweep(Kind::Depthwise, 20, 2), true);
  check_against_reference("direct", sweep(Kind::Pointwise, 20, 3), true);
}

TEST(ConvDirect, WideRowsAndManyChannels) {
  // Rows of several full pixel blocks plus remainders, output channels spanning several blocks
  // with a partial last one, and a 1-D layer (height 1).
  const std::vector<ConvParams> cases = {
      {2, 35, 6, 61, 70, 1, 3, 3, 1, 1, 1, 1, 1, 1, 1, 1, true},
      {1, 16, 5, 50, 40, 1, 3, 3, 1, 2, 1, 1, 1, 1, 1, 1, false},
      {1, 8, 4, 47, 24, 2, 3, 5, 1, 3, 1, 2, 0, 4, 1, 2, true},
      {1, 64, 3, 30, 64, 1, 1, 1, 1, 1, 1, 1, 0, 0, 0, 0, true},
      // Enough input channels for several passes whose weights fit in L2.
      {1, 300, 5, 6, 64, 1, 3, 3, 1, 1, 1, 1, 1, 1, 1, 1, true},
      {2, 50, 8, 9, 32, 1, 7, 7, 1, 1, 1, 1, 3, 3, 3, 3, false},
  };
  check_against_reference("direct", cases, true);
  OpCase c1("Conv", 11);
  c1.input(random_tensor({2, 5, 40}, 1))
      .input(random_tensor({20, 5, 3}, 2), true)
      .input(random_tensor({20}, 3), true);
  c1.ints("pads", {1, 2}).ints("strides", {2});
  EXPECT_TRUE(all_close(c1.run("direct")[0], c1.run("reference")[0], 1e-4, 1e-3));
}

TEST(ConvDirect, WorkspaceOnlyForRuntimeWeights) {
  const ConvParams p{1, 4, 8, 8, 6, 2, 3, 3, 1, 1, 1, 1, 1, 1, 1, 1, true};
  auto constant = make_case(p, true, 1);
  auto runtime = make_case(p, false, 1);
  EXPECT_EQ(algo("direct").workspace(constant.layer()), 0u);
  EXPECT_GT(algo("direct").workspace(runtime.layer()), 0u);
}

TEST(ConvDirect, NotApplicableTo3d) {
  OpCase c("Conv", 11);
  c.input(random_tensor({1, 2, 4, 4, 4}, 1)).input(random_tensor({3, 2, 3, 3, 3}, 2));
  const auto why = reason("direct", c);
  ASSERT_TRUE(why.has_value());
  EXPECT_NE(why->find("3 spatial axes"), std::string::npos) << *why;
}

TEST(ConvDepthwise, MatchesReferenceOnSweep) {
  check_against_reference("depthwise", sweep(Kind::Depthwise, 160, 4), true);
}

// The shared Conv sweep (its depthwise 3x3, 5x5 and 7x7 layers at strides 1 and 2 among them)
// at every ISA level: the blocked AVX-512 and AVX2 kernels and the row-at-a-time ones.
TEST(ConvDepthwise, ConvSweepAtEveryIsaLevel) {
  EXPECT_GE(run_conv_sweep("depthwise"), 30);
  run_conv_sweep_at_lower_isa_levels("depthwise");
}

TEST(ConvDepthwise, WideRowsStridesAndOneDimensional) {
  const std::vector<ConvParams> cases = {
      {1, 3, 5, 150, 3, 3, 3, 3, 1, 1, 1, 1, 1, 1, 1, 1, true},   // 64-pixel passes + tail
      {2, 4, 9, 141, 8, 4, 3, 3, 2, 2, 1, 1, 0, 1, 1, 0, false},  // stride 2, multiplier 2
      {1, 2, 6, 70, 2, 2, 5, 5, 3, 3, 2, 2, 2, 2, 2, 2, true},    // stride 3 (scalar rows)
      {1, 5, 7, 33, 5, 5, 7, 7, 1, 2, 1, 1, 3, 3, 3, 3, true},    // 7x7, stride 2 columns
      {2, 3, 8, 140, 6, 3, 5, 5, 1, 2, 1, 1, 2, 1, 0, 2, true},   // row pairs, stride 2 columns
      // Blocks of rows and chunks of columns: ConvNeXt's 7x7, EfficientNet's 5x5 stride 2 with
      // multiplier 2, three chunks with a partial last vector, a 7x5 kernel with column dilation.
      {1, 2, 20, 56, 2, 2, 7, 7, 1, 1, 1, 1, 3, 3, 3, 3, true},
      {1, 3, 15, 57, 6, 3, 5, 5, 2, 2, 1, 1, 2, 2, 2, 2, false},
      {1, 2, 10, 131, 2, 2, 3, 3, 1, 1, 1, 1, 1, 1, 1, 1, true},
      {2, 2, 9, 40, 2, 2, 7, 5, 1, 1, 1, 2, 3, 4, 3, 4, true},
  };
  check_against_reference("depthwise", cases, true);
  OpCase c1("Conv", 11);
  c1.input(random_tensor({2, 6, 45}, 1)).input(random_tensor({12, 1, 5}, 2), true);
  c1.i("group", 6).ints("pads", {2, 1}).ints("strides", {2});
  for (IsaLevel level : levels()) {
    LevelCap cap(level);
    EXPECT_TRUE(all_close(c1.run("depthwise")[0], c1.run("reference")[0], 1e-5, 1e-4));
  }
}

TEST(ConvDepthwise, NeedsNoWorkspace) {
  // The stride-2 phase planes are off (depthwise.cpp, kStrideTwoBlocked): nothing is copied.
  const ConvParams s1{1, 4, 14, 14, 4, 4, 5, 5, 1, 1, 1, 1, 2, 2, 2, 2, true};
  const ConvParams s2{1, 4, 14, 15, 4, 4, 7, 7, 2, 2, 1, 1, 3, 3, 3, 3, true};
  const ConvParams dilated{1, 4, 14, 15, 4, 4, 3, 3, 2, 2, 2, 2, 2, 2, 2, 2, true};
  for (const ConvParams& p : {s1, s2, dilated})
    EXPECT_EQ(algo("depthwise").workspace(make_case(p, true, 1).layer()), 0u);
}

TEST(ConvDepthwise, StrideTwoWithoutWorkspaceRunsRowAtATime) {
  // A caller that hands no workspace still gets the right answer (the row-at-a-time kernels).
  const ConvParams p{1, 3, 15, 33, 6, 3, 5, 5, 2, 2, 1, 1, 2, 2, 2, 2, true};
  OpCase c = make_case(p, true, 7);
  const auto expected = c.run("reference");
  algoscope::Layer layer = c.layer();
  layer.outputs = c.infer();
  const algoscope::Tensor x = random_tensor({p.n, p.c, p.h, p.w}, 7);
  const algoscope::Tensor w = random_tensor({p.oc, 1, p.kh, p.kw}, 8);
  const algoscope::Tensor b = random_tensor({p.oc}, 9);
  for (IsaLevel level : levels()) {
    SCOPED_TRACE(algoscope::cpu::level_name(level));
    LevelCap cap(level);
    auto kernel = algo("depthwise").prepare(layer);
    algoscope::Tensor y(layer.outputs[0].dtype, layer.outputs[0].shape);
    algoscope::KernelIO io;
    io.inputs = {&x, &w, &b};
    io.outputs = {&y};
    kernel->run(io);
    EXPECT_TRUE(all_close(y, expected[0], 1e-5, 1e-4));
  }
}

TEST(ConvDepthwise, NotApplicableToOtherGroupings) {
  OpCase dense("Conv", 11);
  dense.input(random_tensor({1, 4, 6, 6}, 1)).input(random_tensor({4, 4, 3, 3}, 2));
  auto why = reason("depthwise", dense);
  ASSERT_TRUE(why.has_value());
  EXPECT_NE(why->find("group 1 and 4 input channels"), std::string::npos) << *why;
  OpCase grouped("Conv", 11);
  grouped.input(random_tensor({1, 4, 6, 6}, 1)).input(random_tensor({4, 2, 3, 3}, 2));
  grouped.i("group", 2);
  EXPECT_TRUE(reason("depthwise", grouped).has_value());
  OpCase three("Conv", 11);
  three.input(random_tensor({1, 2, 4, 4, 4}, 1)).input(random_tensor({2, 1, 3, 3, 3}, 2));
  three.i("group", 2);
  why = reason("depthwise", three);
  ASSERT_TRUE(why.has_value());
  EXPECT_NE(why->find("spatial axes"), std::string::npos) << *why;
}

TEST(ConvPointwise, MatchesReferenceOnSweep) {
  check_against_reference("pointwise", sweep(Kind::Pointwise, 60, 5), false);
  // 1-D and 3-D 1x1 layers are the same matrix product.
  OpCase c1("Conv", 11);
  c1.input(random_tensor({3, 5, 11}, 1))
      .input(random_tensor({7, 5, 1}, 2), true)
      .input(random_tensor({7}, 3));
  EXPECT_TRUE(all_close(c1.run("pointwise")[0], c1.run("reference")[0], 1e-4, 1e-3));
  OpCase c3("Conv", 11);
  c3.input(random_tensor({2, 4, 3, 5, 6}, 1)).input(random_tensor({9, 4, 1, 1, 1}, 2));
  EXPECT_TRUE(all_close(c3.run("pointwise")[0], c3.run("reference")[0], 1e-4, 1e-3));
}

TEST(ConvPointwise, NotApplicableReasons) {
  auto layer_with = [](std::function<void(OpCase&)> edit, Shape w) {
    OpCase c("Conv", 11);
    c.input(random_tensor({1, 4, 8, 8}, 1)).input(random_tensor(std::move(w), 2));
    edit(c);
    return c;
  };
  struct Case {
    OpCase c;
    const char* expect;
  };
  std::vector<Case> cases;
  cases.push_back({layer_with([](OpCase&) {}, {4, 4, 3, 3}), "1x1 kernel, this layer's is 3x3"});
  cases.push_back({layer_with(
                       [](OpCase& c) {
                         c.ints("strides", {2, 2});
                       },
                       {4, 4, 1, 1}),
                   "strides 2x2"});
  cases.push_back({layer_with(
                       [](OpCase& c) {
                         c.ints("pads", {0, 1, 0, 1});
                       },
                       {4, 4, 1, 1}),
                   "unpadded"});
  cases.push_back({layer_with([](OpCase& c) { c.i("group", 2); }, {4, 2, 1, 1}), "group 2"});
  for (const Case& k : cases) {
    const auto why = reason("pointwise", k.c);
    ASSERT_TRUE(why.has_value()) << k.expect;
    EXPECT_NE(why->find(k.expect), std::string::npos) << *why;
  }
  EXPECT_EQ(algo("pointwise").workspace(cases[1].c.layer()), 0u);
}
