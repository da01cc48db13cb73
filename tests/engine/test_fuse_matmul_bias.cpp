// The fuse_matmul_bias pass: Add(MatMul(x, W), b) with b a constant row ([N] or [1, ..., 1, N])
// becomes one MatMul with b as its third input, shown as MatMul+Add, and a following activation
// then fuses into it too (MatMul+Add+Relu). Hand-built graphs, loaded with the pass on and off:
// the fused model must compute what the unfused one does under every MatMul algorithm, and
// nothing fuses where the graph's meaning would change (a bias that is not a row, a runtime bias,
// a product read twice or that is a graph output, a 1-D W, an Add that broadcasts the product to
// more axes, an attention mask before a Softmax).
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <functional>
#include <memory>

#include "algoscope/algoscope.h"
#include "support/onnx_builder.h"

namespace {

using namespace algoscope;
using onnx_builder::ModelBuilder;
using onnx_builder::random_floats;

struct Linear {
  Shape x = {2, 5, 8};  // the input; W is [8, 13]
  Shape bias = {13};
  bool bias_first = false;      // Add(b, MatMul) instead of Add(MatMul, b)
  bool runtime_bias = false;    // b a graph input rather than an initializer
  bool vector_w = false;        // W of shape [8]: the product has no N axis
  bool product_output = false;  // the product is a graph output as well
  bool product_read_twice = false;
  // Adds the node(s) after the Add, reading "sum" and writing "y"; empty: the Add writes "y".
  std::function<void(ModelBuilder&)> after;
};

std::vector<onnx_builder::Dim> dims(const Shape& shape) {
  return std::vector<onnx_builder::Dim>(shape.begin(), shape.end());
}

std::string linear(const Linear& p) {
  ModelBuilder b("linear", 13);
  b.input("x", dims(p.x));
  const int64_t n = 13;
  if (p.vector_w)
    b.initializer("w", {8}, random_floats(8, 1));
  else
    b.initializer("w", {8, n}, random_floats(8 * n, 1));
  int64_t bias_count = 1;
  for (int64_t d : p.bias) bias_count *= d;
  if (p.runtime_bias)
    b.input("b", dims(p.bias));
  else
    b.initializer("b", p.bias, random_floats(bias_count, 2));
  b.node("MatMul", {"x", "w"}, {"p"}, "matmul");
  const std::string sum = p.after ? "sum" : "y";
  b.node("Add",
         p.bias_first ? std::vector<std::string>{"b", "p"} : std::vector<std::string>{"p", "b"},
         {sum}, "add");
  if (p.after) p.after(b);
  b.output("y");
  if (p.product_output) b.output("p");
  if (p.product_read_twice) {
    b.node("Neg", {"p"}, {"neg"}, "neg");
    b.output("neg");
  }
  return b.bytes();
}

std::vector<Tensor> run(const Model& model, const std::string& matmul_algorithm) {
  auto shared = std::make_shared<const Model>(model);
  Plan plan = Plan::for_model(model);
  plan.defaults["MatMul"] = matmul_algorithm;
  Session session(shared, plan, {.threads = 2});
  return session.run(random_inputs(model, 5));
}

const Node* find_matmul(const Model& m) {
  for (const Node& n : m.nodes)
    if (n.op_type == "MatMul") return &n;
  return nullptr;
}

// Loads `bytes` fused and unfused; the fused model has one node, `display`, that computes what the
// unfused graph computes under every host MatMul algorithm.
void expect_fused(const std::string& bytes, const std::string& display,
                  const std::vector<std::string>& merged) {
  const Model fused = load_model_from_bytes(bytes, "fused.onnx");
  const Model plain = load_model_from_bytes(bytes, "plain.onnx", {.fuse_matmul_bias = false});
  ASSERT_EQ(fused.nodes.size(), 1u);
  const Node& mm = fused.nodes[0];
  EXPECT_EQ(mm.name, "matmul");
  EXPECT_EQ(mm.display_op(), display);
  EXPECT_EQ(mm.merged_nodes(), merged);
  ASSERT_EQ(mm.inputs.size(), 3u);
  EXPECT_EQ(mm.inputs[2], "b");
  EXPECT_EQ(mm.outputs[0], "y");
  ASSERT_NE(find_matmul(plain), nullptr);
  EXPECT_EQ(find_matmul(plain)->inputs.size(), 2u);
  const std::vector<Tensor> want = run(plain, "reference");
  for (const Algorithm& a : Registry::instance().find_op("MatMul")->algorithms) {
    if (a.why_not(make_layer(fused, mm))) continue;
    SCOPED_TRACE(a.name);
    const std::vector<Tensor> got = run(fused, a.name);
    ASSERT_EQ(got[0].shape(), want[0].shape());
    double worst = 0;
    for (int64_t i = 0; i < want[0].numel(); ++i) {
      const double g = got[0].data<float>()[i], w = want[0].data<float>()[i];
      worst = std::max(worst, std::fabs(g - w) / (1.0 + std::fabs(w)));
    }
    EXPECT_LE(worst, std::max(a.tolerance.atol, a.tolerance.rtol));
  }
}

void expect_not_fused(const std::string& bytes) {
  const Model m = load_model_from_bytes(bytes, "not_fused.onnx");
  const Node* mm = find_matmul(m);
  ASSERT_NE(mm, nullptr);
  EXPECT_EQ(mm->inputs.size(), 2u);
  EXPECT_EQ(mm->display_op(), "MatMul");
  EXPECT_TRUE(std::any_of(m.nodes.begin(), m.nodes.end(),
                          [](const Node& n) { return n.op_type == "Add"; }));
}

}  // namespace

TEST(FuseMatMulBias, LinearOnThreeDInputBecomesOneNode) {
  expect_fused(linear({}), "MatMul+Add", {"add"});
  expect_fused(linear({.bias_first = true}), "MatMul+Add", {"add"});
  expect_fused(linear({.bias = {1, 1, 13}}), "MatMul+Add", {"add"});
  expect_fused(linear({.x = {4, 8}, .bias = {1, 13}}), "MatMul+Add", {"add"});
  expect_fused(linear({.x = {2, 2, 3, 8}, .bias = {1, 13}}), "MatMul+Add", {"add"});
}

TEST(FuseMatMulBias, AFollowingActivationFusesToo) {
  expect_fused(linear({.after = [](ModelBuilder& b) { b.node("Relu", {"sum"}, {"y"}, "relu"); }}),
               "MatMul+Add+Relu", {"add", "relu"});
  expect_fused(linear({.after =
                           [](ModelBuilder& b) {
                             b.node("Sigmoid", {"sum"}, {"gate"}, "sigmoid");
                             b.node("Mul", {"sum", "gate"}, {"y"}, "mul");
                           }}),
               "MatMul+Add+SiLU", {"add", "sigmoid", "mul"});
  expect_fused(linear({.after =
                           [](ModelBuilder& b) {
                             b.initializer("lo", {}, {-0.25f}).initializer("hi", {}, {0.25f});
                             b.node("Clip", {"sum", "lo", "hi"}, {"y"}, "clip");
                           }}),
               "MatMul+Add+Clip", {"add", "clip"});
}

TEST(FuseMatMulBias, OnlyWhereTheMeaningIsKept) {
  expect_not_fused(linear({.bias = {5, 13}}));                // a bias per row, not a row
  expect_not_fused(linear({.bias = {1, 1, 1, 13}}));          // broadcasts the product to rank 4
  expect_not_fused(linear({.runtime_bias = true}));           // not a constant
  expect_not_fused(linear({.bias = {1}, .vector_w = true}));  // no N axis to add along
  expect_not_fused(linear({.product_output = true}));
  expect_not_fused(linear({.product_read_twice = true}));
  // An additive mask on attention scores is left to fuse_attention.
  expect_not_fused(linear({.after = [](ModelBuilder& b) {
    b.node("Softmax", {"sum"}, {"y"}, "softmax").i("axis", -1);
  }}));
  // The LoadOptions switch turns the pass off.
  const Model off = load_model_from_bytes(linear({}), "off.onnx", {.fuse_matmul_bias = false});
  EXPECT_EQ(off.nodes.size(), 2u);
}

TEST(FuseMatMulBias, AMatMulWithoutBiasTakesAnActivation) {
  ModelBuilder b("matmul_relu", 13);
  b.input("x", {3, 8});
  b.input("w", {8, 21});
  b.node("MatMul", {"x", "w"}, {"p"}, "matmul");
  b.node("Relu", {"p"}, {"y"}, "relu");
  b.output("y");
  const Model fused = load_model_from_bytes(b.bytes(), "fused.onnx");
  ASSERT_EQ(fused.nodes.size(), 1u);
  EXPECT_EQ(fused.nodes[0].display_op(), "MatMul+Relu");
  const Model plain = load_model_from_bytes(b.bytes(), "plain.onnx", {.fuse_activations = false});
  const std::vector<Tensor> want = run(plain, "reference");
  for (const Algorithm& a : Registry::instance().find_op("MatMul")->algorithms) {
    if (a.why_not(make_layer(fused, fused.nodes[0]))) continue;
    SCOPED_TRACE(a.name);
    const std::vector<Tensor> got = run(fused, a.name);
    for (int64_t i = 0; i < want[0].numel(); ++i)
      EXPECT_NEAR(got[0].data<float>()[i], want[0].data<float>()[i], 1e-4);
  }
}
