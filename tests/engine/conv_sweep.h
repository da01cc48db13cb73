// The Conv sweep shared by the per-algorithm tests (kn2row, smm, implicit_gemm, fft): a fixed,
// deterministic set of 2-D layers crossing kernels 1/3/5/7, strides 1/2, dilations 1/2, groups
// 1/2/depthwise and no/symmetric/asymmetric pads, with batch 1-3, channels 1, 3, odd and multiples
// of 16, inputs from 1x1 to 16x16 (odd, non-square), with and without bias. Each case runs an
// algorithm with W constant (prepared) and W as a runtime input and compares it with `reference`.
#pragma once

#include <algorithm>
#include <string>
#include <vector>

#include "nn_op_harness.h"

namespace nn_test {

struct ConvSweepCase {
  int64_t n, c, h, w, oc, group, kh, kw, sh, sw, dh, dw, pt, pl, pb, pr;
  bool bias;
  std::string describe() const {
    return "N=" + std::to_string(n) + " C=" + std::to_string(c) + " " + std::to_string(h) + "x" +
           std::to_string(w) + " OC=" + std::to_string(oc) + " g=" + std::to_string(group) +
           " k=" + std::to_string(kh) + "x" + std::to_string(kw) + " s=" + std::to_string(sh) +
           "x" + std::to_string(sw) + " d=" + std::to_string(dh) + "x" + std::to_string(dw) +
           " pads=" + std::to_string(pt) + "," + std::to_string(pl) + "," + std::to_string(pb) +
           "," + std::to_string(pr) + (bias ? " bias" : "");
  }
};

inline std::vector<ConvSweepCase> conv_sweep() {
  std::vector<ConvSweepCase> cases;
  const int64_t channels[] = {1, 3, 5, 16, 32, 7};
  const int64_t sizes[][2] = {{1, 1}, {7, 7}, {9, 5}, {5, 11}, {12, 12}, {16, 3}, {13, 16}};
  int i = 0;
  for (int64_t k : {1, 3, 5, 7})
    for (int64_t s : {1, 2})
      for (int64_t d : {1, 2})
        for (int grouping = 0; grouping < 3; ++grouping)   // 1, 2, depthwise
          for (int padding = 0; padding < 3; ++padding) {  // none, symmetric, asymmetric
            ConvSweepCase c{};
            c.n = 1 + i % 3;
            int64_t ch = channels[i % 6];
            if (grouping == 1) ch = std::max<int64_t>(2, ch + ch % 2);
            c.c = ch;
            c.group = grouping == 0 ? 1 : grouping == 1 ? 2 : ch;
            // Output channels: a different count than the input where groups allow.
            c.oc = grouping == 2 ? ch * (1 + i % 2) : c.group * (1 + (i * 7) % 5);
            if (grouping == 0 && i % 4 == 0) c.oc = 16;
            c.kh = k, c.kw = (i % 5 == 0 && k > 1) ? k - 2 : k;  // some non-square kernels
            c.sh = s, c.sw = (i % 7 == 3) ? 1 : s;
            c.dh = d, c.dw = (i % 6 == 1) ? 1 : d;
            const int64_t half_h = (c.kh - 1) * c.dh / 2, half_w = (c.kw - 1) * c.dw / 2;
            if (padding == 1) c.pt = c.pb = half_h, c.pl = c.pr = half_w;
            if (padding == 2)
              c.pt = half_h + 1, c.pb = 0, c.pl = 0, c.pr = std::max<int64_t>(1, half_w);
            c.h = sizes[i % 7][0], c.w = sizes[i % 7][1];
            // The padded input must hold one dilated kernel.
            c.h = std::max(c.h, (c.kh - 1) * c.dh + 1 - c.pt - c.pb);
            c.w = std::max(c.w, (c.kw - 1) * c.dw + 1 - c.pl - c.pr);
            c.bias = i % 2 == 0;
            cases.push_back(c);
            ++i;
          }
  return cases;
}

// Runs `algorithm` on every sweep case (every `step`-th one) with W constant and W at run time,
// checks it against `reference` within the algorithm's registered tolerance, and returns how
// many cases were applicable. Not-applicable cases must give a non-empty reason.
inline int run_conv_sweep(const std::string& algorithm, int step = 1) {
  const auto& op = *algoscope::Registry::instance().find_op("Conv");
  const algoscope::Algorithm* algo = op.find(algorithm);
  EXPECT_NE(algo, nullptr) << algorithm;
  if (!algo) return 0;
  int applicable = 0;
  uint32_t seed = 1000;
  const auto cases = conv_sweep();
  for (size_t ci = 0; ci < cases.size(); ci += step) {
    const ConvSweepCase& p = cases[ci];
    SCOPED_TRACE(algorithm + ": " + p.describe());
    Tensor x = random_tensor({p.n, p.c, p.h, p.w}, seed++);
    Tensor w = random_tensor({p.oc, p.c / p.group, p.kh, p.kw}, seed++);
    Tensor b = random_tensor({p.oc}, seed++);
    Tensor expected;
    bool have_expected = false;
    for (bool constant : {false, true}) {
      OpCase c("Conv", 11);
      c.input(x.clone()).input(w.clone(), constant);
      if (p.bias) c.input(b.clone(), constant);
      c.i("group", p.group)
          .ints("strides", {p.sh, p.sw})
          .ints("dilations", {p.dh, p.dw})
          .ints("pads", {p.pt, p.pl, p.pb, p.pr});
      algoscope::Layer layer = c.layer();
      layer.outputs = c.infer();
      if (auto why = algo->why_not(layer)) {
        EXPECT_FALSE(why->empty());
        continue;
      }
      if (!constant) ++applicable;
      if (!have_expected) expected = c.run("reference")[0], have_expected = true;
      const auto got = c.run(algorithm);
      EXPECT_TRUE(all_close(got[0], expected, algo->tolerance.atol, algo->tolerance.rtol))
          << (constant ? "W constant" : "W at run time");
    }
  }
  // One 1-D layer (the algorithms that handle it treat it as height 1).
  OpCase c1("Conv", 11);
  c1.input(random_tensor({2, 6, 17}, seed++)).input(random_tensor({9, 2, 3}, seed++));
  c1.input(random_tensor({9}, seed++)).i("group", 3).ints("dilations", {2}).ints("pads", {2, 1});
  algoscope::Layer layer = c1.layer();
  layer.outputs = c1.infer();
  if (!algo->why_not(layer)) {
    SCOPED_TRACE(algorithm + ": 1-D");
    EXPECT_TRUE(all_close(c1.run(algorithm)[0], c1.run("reference")[0], algo->tolerance.atol,
                          algo->tolerance.rtol));
  }
  return applicable;
}

}  // namespace nn_test
