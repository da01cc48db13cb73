// The attention pass and the Attention algorithms. Hand-built ONNX attention blocks (scale on the
// scores or on Q, with and without additive masks, causal -inf masks, sequences longer than the
// algorithms' blocks and chunks) are loaded fused and unfused: the fused model must have exactly
// one Attention node and compute what the unfused graph computes under every algorithm. flash and
// chunked must never need the Sq x Skv score matrix (workspace checked on 4096 tokens, and run).
#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <memory>

#include "algoscope/algoscope.h"
#include "nn_op_harness.h"
#include "support/onnx_builder.h"

namespace {

using namespace algoscope;
using onnx_builder::ModelBuilder;
using onnx_builder::random_floats;

struct Block {
  int64_t batch = 1, heads = 2, sq = 10, skv = 12, d = 8, dv = 5;
  enum class Scale { OnScores, OnQ } scale = Scale::OnScores;
  enum class Mask { None, Broadcast, Causal } mask = Mask::None;
};

// q, k, v inputs [batch, heads, S, D]; K transposed by a Transpose node, as PyTorch exports it.
std::string attention_block(const Block& p) {
  ModelBuilder b("attention", 13);
  b.input("q", {p.batch, p.heads, p.sq, p.d});
  b.input("k", {p.batch, p.heads, p.skv, p.d});
  b.input("v", {p.batch, p.heads, p.skv, p.dv});
  b.node("Transpose", {"k"}, {"kt"}, "transpose_k").ints("perm", {0, 1, 3, 2});
  const float scale = 1.0f / std::sqrt(float(p.d));
  b.initializer("scale", {}, {p.scale == Block::Scale::OnQ ? std::sqrt(float(p.d)) : scale});
  std::string scores = "scores";
  if (p.scale == Block::Scale::OnQ) {
    b.node("Div", {"q", "scale"}, {"q_scaled"}, "scale_q");
    b.node("MatMul", {"q_scaled", "kt"}, {scores}, "qk");
  } else {
    b.node("MatMul", {"q", "kt"}, {"raw"}, "qk");
    b.node("Mul", {"raw", "scale"}, {scores}, "scale_scores");
  }
  if (p.mask != Block::Mask::None) {
    std::vector<float> mask(size_t(p.sq * p.skv));
    const std::vector<float> noise = random_floats(mask.size(), 9);
    for (int64_t i = 0; i < p.sq; ++i)
      for (int64_t j = 0; j < p.skv; ++j)
        mask[size_t(i * p.skv + j)] = p.mask == Block::Mask::Causal && j > i
                                          ? -std::numeric_limits<float>::infinity()
                                          : noise[size_t(i * p.skv + j)];
    b.initializer("mask", {p.sq, p.skv}, mask);  // broadcast over batch and heads
    b.node("Add", {"mask", scores}, {"masked"}, "add_mask");
    scores = "masked";
  }
  b.node("Softmax", {scores}, {"probs"}, "softmax").i("axis", -1);
  b.node("MatMul", {"probs", "v"}, {"y"}, "pv");
  b.output("y");
  return b.bytes();
}

std::vector<Tensor> run(const Model& model, const std::string& op, const std::string& algorithm) {
  auto shared = std::make_shared<const Model>(model);
  Plan plan = Plan::for_model(model);
  if (!op.empty()) plan.defaults[op] = algorithm;
  Session session(shared, plan, {.threads = 2});
  return session.run(random_inputs(model, 5));
}

std::vector<std::string> attention_algorithms() {
  std::vector<std::string> names;
  for (const Algorithm& a : Registry::instance().find_op("Attention")->algorithms)
    if (a.backend != algoscope::Backend::Cuda) names.push_back(a.name);  // GPU: tests/cuda
  return names;
}

void expect_fused_matches_unfused(const Block& p) {
  const std::string bytes = attention_block(p);
  const Model fused = load_model_from_bytes(bytes, "fused.onnx");
  const Model plain = load_model_from_bytes(bytes, "plain.onnx", {.fuse_attention = false});
  size_t attention_nodes = 0;
  for (const Node& n : fused.nodes) attention_nodes += n.op_type == "Attention";
  ASSERT_EQ(attention_nodes, 1u);
  ASSERT_EQ(fused.nodes.size(), 2u);  // the Transpose of K, and the Attention
  const Node& att = fused.nodes[1];
  EXPECT_EQ(att.name, "softmax/Attention");  // named after the Softmax it replaces
  EXPECT_EQ(att.outputs, std::vector<std::string>{"y"});
  EXPECT_EQ(att.merged_nodes().size(), p.mask == Block::Mask::None ? 4u : 5u);
  // The absorbed MatMuls, scales and Softmax are a pattern, not a BatchNormalization or an
  // activation: the node reads as plain "Attention".
  EXPECT_EQ(att.display_op(), "Attention");
  ASSERT_EQ(att.fusions.size(), 1u);
  EXPECT_EQ(att.fusions[0].kind, algoscope::Node::Fusion::Kind::Pattern);
  const Tensor want = run(plain, "", "")[0];  // the unfused graph under the engine's defaults
  for (const std::string& name : attention_algorithms()) {
    SCOPED_TRACE(name);
    const Tensor got = run(fused, "Attention", name)[0];
    ASSERT_EQ(got.shape(), want.shape());
    const Algorithm* a = Registry::instance().find_algorithm("Attention", name);
    EXPECT_TRUE(nn_test::all_close(got, want, a->tolerance.atol, a->tolerance.rtol));
  }
}

TEST(Attention, ScaleOnScoresNoMask) { expect_fused_matches_unfused({}); }

TEST(Attention, ScaleOnQueryAsPyTorchExportsIt) {
  expect_fused_matches_unfused({.batch = 2, .heads = 3, .scale = Block::Scale::OnQ});
}

TEST(Attention, BroadcastAdditiveMask) {
  expect_fused_matches_unfused({.mask = Block::Mask::Broadcast});
}

TEST(Attention, CausalMaskOverSeveralBlocksAndChunks) {
  // 130 queries: three query blocks; 700 keys: three flash tiles and two chunks. Query i sees
  // keys 0..i only, so whole tiles and chunks are -inf for every row.
  expect_fused_matches_unfused(
      {.heads = 1, .sq = 130, .skv = 700, .d = 16, .dv = 24, .mask = Block::Mask::Causal});
}

TEST(Attention, NotFusedWhenScoresAreReadElsewhere) {
  ModelBuilder b("shared_scores", 13);
  b.input("q", {2, 4, 8}).input("kt", {2, 8, 6}).input("v", {2, 6, 8});
  b.node("MatMul", {"q", "kt"}, {"s"}, "qk");
  b.node("Softmax", {"s"}, {"p"}, "softmax").i("axis", -1);
  b.node("MatMul", {"p", "v"}, {"y"}, "pv");
  b.output("y").output("s");  // the scores are a graph output too
  const Model m = load_model_from_bytes(b.bytes(), "shared.onnx");
  for (const Node& n : m.nodes) EXPECT_NE(n.op_type, "Attention");
}

// A layer of `heads` heads of `tokens` tokens, depth 64, as the loader would make it.
nn_test::OpCase long_layer(int64_t heads, int64_t tokens, uint32_t seed) {
  nn_test::OpCase c("Attention", 13);
  c.input(nn_test::random_tensor({heads, tokens, 64}, seed))
      .input(nn_test::random_tensor({heads, 64, tokens}, seed + 1))
      .input(nn_test::random_tensor({heads, tokens, 64}, seed + 2));
  c.f("scale", 0.125f).i("algoscope_fused", 1);
  return c;
}

TEST(Attention, FlashAndChunkedNeverHoldTheScoreMatrix) {
  const size_t score_bytes = size_t(4096) * 4096 * sizeof(float);
  nn_test::OpCase vit_long = long_layer(12, 4096, 1);
  Layer layer = vit_long.layer();
  layer.outputs = vit_long.infer();
  const auto* op = Registry::instance().find_op("Attention");
  EXPECT_GE(op->find("naive")->workspace(layer), score_bytes);
  for (const char* name : {"flash", "chunked"}) {
    SCOPED_TRACE(name);
    // Per thread a tile or a chunk, independent of how many heads: far below one score matrix.
    EXPECT_LT(op->find(name)->workspace(layer), score_bytes / 32);
  }
  // And they compute the same function on 4096 tokens (one head, against naive).
  nn_test::OpCase one_head = long_layer(1, 4096, 7);
  const Tensor naive = one_head.run("naive")[0];
  for (const char* name : {"flash", "chunked"})
    EXPECT_TRUE(nn_test::all_close(one_head.run(name)[0], naive, 1e-5, 1e-4)) << name;
}

TEST(Attention, RefusesNodesTheLoaderDidNotMake) {
  nn_test::OpCase c("Attention", 13);
  c.input(nn_test::random_tensor({2, 4, 8}, 1))
      .input(nn_test::random_tensor({2, 8, 6}, 2))
      .input(nn_test::random_tensor({2, 6, 8}, 3));
  EXPECT_THROW(c.infer(), Error);
}

}  // namespace
