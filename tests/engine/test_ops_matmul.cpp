// MatMul: numpy semantics (1-D promotion, broadcast batch axes, shared A or B) checked against an
// independent formula for reference and openblas, FLOPs, and invalid nodes; the bias and
// activation the loader fuses into a MatMul (MatMul+Add+Relu...) under every host algorithm.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <limits>
#include <optional>

#include "nn_op_harness.h"

using namespace nn_test;

namespace {

// numpy.matmul written out: batch axes broadcast, 1-D operands promoted.
Tensor naive_matmul(const Tensor& a, const Tensor& b, const Shape& expected_shape) {
  Shape as = a.shape(), bs = b.shape();
  if (as.size() == 1) as.insert(as.begin(), 1);
  if (bs.size() == 1) bs.push_back(1);
  const int64_t m = as[as.size() - 2], k = as.back(), n = bs.back();
  const size_t rank = std::max(as.size(), bs.size());
  while (as.size() < rank) as.insert(as.begin(), 1);
  while (bs.size() < rank) bs.insert(bs.begin(), 1);
  Shape batch(rank - 2);
  for (size_t i = 0; i + 2 < rank; ++i) batch[i] = std::max(as[i], bs[i]);
  Tensor y(DType::Float32, expected_shape);
  const int64_t count = algoscope::shape_numel(batch);
  for (int64_t bi = 0; bi < count; ++bi) {
    int64_t ao = 0, bo = 0, rem = bi, as_mul = 1, bs_mul = 1;
    for (size_t i = batch.size(); i-- > 0;) {
      const int64_t idx = rem % batch[i];
      rem /= batch[i];
      ao += (as[i] == 1 ? 0 : idx) * as_mul;
      bo += (bs[i] == 1 ? 0 : idx) * bs_mul;
      as_mul *= as[i];
      bs_mul *= bs[i];
    }
    for (int64_t i = 0; i < m; ++i)
      for (int64_t j = 0; j < n; ++j) {
        double s = 0;
        for (int64_t p = 0; p < k; ++p)
          s += double(a.data<float>()[ao * m * k + i * k + p]) *
               b.data<float>()[bo * k * n + p * n + j];
        y.data<float>()[(bi * m + i) * n + j] = float(s);
      }
  }
  return y;
}

}  // namespace

TEST(OpsMatMul, ShapesBroadcastAndPromotion) {
  struct Case {
    Shape a, b, out;
  };
  const std::vector<Case> cases = {
      {{3, 4}, {4, 5}, {3, 5}},
      {{2, 3, 4}, {2, 4, 3}, {2, 3, 3}},
      {{1, 2, 3, 4}, {1, 2, 4, 3}, {1, 2, 3, 3}},
      {{2, 3, 4}, {4, 5}, {2, 3, 5}},              // shared B: one tall sgemm
      {{3, 4}, {2, 4, 5}, {2, 3, 5}},              // shared A
      {{2, 1, 3, 4}, {1, 5, 4, 2}, {2, 5, 3, 2}},  // both broadcast
      {{4}, {4, 5}, {5}},                          // 1-D A
      {{2, 3, 4}, {4}, {2, 3}},                    // 1-D B
      {{4}, {4}, {}},                              // dot product
      {{1, 3, 4}, {4, 6}, {1, 3, 6}},
  };
  uint32_t seed = 100;
  for (const Case& cs : cases) {
    SCOPED_TRACE(algoscope::shape_to_string(cs.a) + " @ " + algoscope::shape_to_string(cs.b));
    Tensor a = random_tensor(cs.a, seed++), b = random_tensor(cs.b, seed++);
    OpCase c("MatMul", 13);
    c.input(a.clone()).input(b.clone());
    EXPECT_EQ(c.infer()[0].shape, cs.out);
    const Tensor expected = naive_matmul(a, b, cs.out);
    EXPECT_TRUE(all_close(c.run("reference")[0], expected, 1e-6, 1e-6));
    for (const auto& algo : algoscope::Registry::instance().find_op("MatMul")->algorithms)
      if (algo.name != "reference" && algo.backend != algoscope::Backend::Cuda)
        EXPECT_TRUE(all_close(c.run(algo.name)[0], expected, 1e-5, 1e-4)) << algo.name;
  }
}

TEST(OpsMatMul, HandComputedAndFlops) {
  OpCase c("MatMul", 9);
  c.input(Tensor::from_vector<float>({2, 2}, {1, 2, 3, 4}))
      .input(Tensor::from_vector<float>({2, 2}, {5, 6, 7, 8}));
  // Every registered host MatMul algorithm (openblas, blocked, onednn when built).
  for (const auto& algo : algoscope::Registry::instance().find_op("MatMul")->algorithms)
    if (algo.backend != algoscope::Backend::Cuda)
      EXPECT_TRUE(all_close(c.run(algo.name)[0], {19, 22, 43, 50})) << algo.name;
  OpCase big("MatMul", 13);
  big.input(random_tensor({3, 1, 8, 16}, 1)).input(random_tensor({4, 16, 5}, 2));
  EXPECT_DOUBLE_EQ(big.op().flop_count(big.layer()), 2.0 * 12 * 8 * 5 * 16);
}

TEST(OpsMatMul, InvalidNodesThrow) {
  EXPECT_TRUE(infer_throws_with("MatMul", {{2, 3}, {4, 2}}, "inner dimensions"));
  EXPECT_TRUE(infer_throws_with("MatMul", {{2, 2, 3}, {3, 3, 2}}, "cannot be broadcast"));
  EXPECT_TRUE(infer_throws_with("MatMul", {{}, {3}}, "rank 1 or more"));
}

namespace {

// The activations the loader fuses into a MatMul (Node::activation), and each one's formula.
struct FusedActivation {
  const char* name;
  std::optional<algoscope::Node::Activation> activation;
};

std::vector<FusedActivation> fused_activations() {
  using Kind = algoscope::Node::Activation::Kind;
  const float inf = std::numeric_limits<float>::infinity();
  return {{"none", std::nullopt},
          {"Relu", algoscope::Node::Activation{"Relu", 0.0f, inf}},
          {"Clip", algoscope::Node::Activation{"Clip", -0.5f, 0.75f}},
          {"SiLU", algoscope::Node::Activation{"SiLU", -inf, inf, Kind::Swish}},
          {"HardSwish", algoscope::Node::Activation{"HardSwish", -inf, inf, Kind::HardSwish}}};
}

float activate(const std::optional<algoscope::Node::Activation>& a, float y) {
  if (!a) return y;
  using Kind = algoscope::Node::Activation::Kind;
  switch (a->kind) {
    case Kind::Clamp:
      return std::min(std::max(y, a->lower), a->upper);
    case Kind::Swish:
      return float(double(y) / (1.0 + std::exp(-double(y))));
    case Kind::HardSwish:
      return float(double(y) * std::min(std::max(double(y) / 6.0 + 0.5, 0.0), 1.0));
  }
  return y;
}

}  // namespace

// A bias row fused into the MatMul (its third input, [N] or [1, ..., 1, N]) and each fused
// activation: every host algorithm against the formula and against reference, at ranks 2, 3 and 4,
// with N off the vector width, a shared B (one tall GEMM), a batch of B matrices, a broadcast A,
// K beyond one cache block, K = 0, and B constant (pre-packed) or not.
TEST(OpsMatMul, FusedBiasAndActivationUnderEveryAlgorithm) {
  struct Case {
    Shape a, b, bias;
  };
  const std::vector<Case> cases = {
      {{7, 19}, {19, 37}, {37}},                       // rank 2, N = 37 is no multiple of 16
      {{2, 13, 24}, {24, 45}, {45}},                   // rank 3, shared B: one tall GEMM
      {{2, 3, 5, 24}, {2, 3, 24, 21}, {1, 1, 1, 21}},  // rank 4, one B per output matrix
      {{3, 8, 6}, {1, 6, 17}, {1, 17}},                // B with a unit batch axis
      {{4, 8}, {3, 8, 6}, {6}},                        // A broadcast over B's batch
      {{2, 33, 300}, {300, 70}, {70}},                 // K over a KC block, M over MR tiles
      {{1, 64, 256}, {256, 300}, {300}},               // large enough for two threads' stripes
      {{2, 3, 0}, {0, 5}, {5}},                        // K = 0: the output is the bias
  };
  const auto& algorithms = algoscope::Registry::instance().find_op("MatMul")->algorithms;
  uint32_t seed = 300;
  for (const Case& cs : cases) {
    const Tensor a = random_tensor(cs.a, seed++), b = random_tensor(cs.b, seed++);
    const Tensor bias = random_tensor(cs.bias, seed++);
    OpCase plain("MatMul", 13);
    plain.input(a.clone()).input(b.clone());
    const Shape out = plain.infer()[0].shape;
    const Tensor product = naive_matmul(a, b, out);
    for (const FusedActivation& act : fused_activations()) {
      for (bool constant : {false, true}) {
        SCOPED_TRACE(algoscope::shape_to_string(cs.a) + " @ " + algoscope::shape_to_string(cs.b) +
                     " + " + algoscope::shape_to_string(cs.bias) + ", " + act.name +
                     (constant ? ", constant B and bias" : ""));
        OpCase c("MatMul", 13);
        c.input(a.clone()).input(b.clone(), constant).input(bias.clone(), constant);
        c.i("algoscope_fused", 1);
        c.node().activation = act.activation;
        ASSERT_EQ(c.infer()[0].shape, out);
        Tensor expected = product.clone();
        const int64_t n = cs.bias.back();
        for (int64_t i = 0; i < expected.numel(); ++i) {
          float& y = expected.data<float>()[i];
          y = activate(act.activation, float(double(y) + bias.data<float>()[i % n]));
        }
        const Tensor want = c.run("reference")[0];
        EXPECT_TRUE(all_close(want, expected, 1e-5, 1e-5));
        for (const auto& algo : algorithms) {
          if (algo.name == "reference" || algo.backend == algoscope::Backend::Cuda) continue;
          EXPECT_TRUE(algo.applies_activation) << algo.name;
          EXPECT_TRUE(all_close(c.run(algo.name)[0], want, 1e-5, 1e-4)) << algo.name;
        }
      }
    }
  }
}

TEST(OpsMatMul, BiasAddsOneFlopPerOutput) {
  OpCase c("MatMul", 13);
  c.input(random_tensor({2, 3, 4}, 1)).input(random_tensor({4, 5}, 2)).input(random_tensor({5}, 3));
  c.i("algoscope_fused", 1);
  EXPECT_DOUBLE_EQ(c.op().flop_count(c.layer()), 2.0 * 3 * 5 * (2 * 4 + 1));
}

TEST(OpsMatMul, InvalidBiasThrows) {
  // Not a row of N: a per-row bias, a wrong length, more axes than the output, a 1-D B.
  EXPECT_TRUE(infer_throws_with("MatMul", {{2, 3}, {3, 4}, {2, 4}}, "bias (input 3) must have"));
  EXPECT_TRUE(infer_throws_with("MatMul", {{2, 3}, {3, 4}, {3}}, "with N = 4"));
  EXPECT_TRUE(infer_throws_with("MatMul", {{2, 3}, {3, 4}, {1, 1, 4}}, "rank at most 2"));
  EXPECT_TRUE(infer_throws_with("MatMul", {{2, 3}, {3}, {1}}, "needs a matrix B"));
  // A well-shaped third input in a file (not made by the pass) is no bias: ONNX has none.
  EXPECT_TRUE(infer_throws_with("MatMul", {{2, 3}, {3, 4}, {4}}, "MatMul takes two inputs"));
}
