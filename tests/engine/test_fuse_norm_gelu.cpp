// The fuse_layer_norm and fuse_gelu passes and the algorithms of what they make: hand-built
// decomposed LayerNormalizations (opset 13 axes attribute and opset 18 axes input, Pow or Mul for
// the square, with and without gamma and beta) and Erf-form GELUs (Div or Mul by the constant,
// the half first or last, operands swapped) must become exactly one node that computes what the
// unfused graph does under every algorithm, and must be left alone when an intermediate has
// another reader, epsilon is not a constant or the reduced axes are not the last ones; a Gelu after
// an Add becomes the Add's epilogue (Add+Gelu). Then the
// welford LayerNormalization against reference on long rows and on rows whose mean is 1e4 with a
// tiny spread, and Gelu's direct against reference over [-12, 12].
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <memory>

#include "algoscope/algoscope.h"
#include "nn_op_harness.h"
#include "passes/pass.h"
#include "support/isa_cap.h"
#include "support/onnx_builder.h"

namespace {

using namespace algoscope;
using onnx_builder::ModelBuilder;
using onnx_builder::random_floats;

struct LayerNormGraph {
  Shape shape = {2, 5, 16};
  int axes = 1;  // how many trailing axes are normalized
  bool square_by_mul = false, gamma = true, beta = true;
  bool mean_is_last = true;       // false: reduce a middle axis instead
  bool eps_is_input = false;      // epsilon a runtime input rather than a constant
  bool deviation_output = false;  // the Sub's output is a graph output too
  bool operands_swapped = false;  // Add(eps, var), Mul(gamma, n), Add(beta, s)
};

std::string layer_norm_graph(const LayerNormGraph& p) {
  ModelBuilder b("layer_norm", 13);
  std::vector<onnx_builder::Dim> dims(p.shape.begin(), p.shape.end());
  b.input("x", dims);
  const int64_t rank = static_cast<int64_t>(p.shape.size());
  std::vector<int64_t> axes;
  for (int64_t a = rank - p.axes; a < rank; ++a) axes.push_back(p.mean_is_last ? a - rank : 1);
  Shape normalized(p.shape.end() - p.axes, p.shape.end());
  const int64_t length = shape_numel(normalized);
  auto reduce = [&](const std::string& in, const std::string& out, const std::string& name) {
    b.node("ReduceMean", {in}, {out}, name).ints("axes", axes);
  };
  reduce("x", "mean", "ln/ReduceMean");
  b.node("Sub", {"x", "mean"}, {"d"}, "ln/Sub");
  if (p.square_by_mul) {
    b.node("Mul", {"d", "d"}, {"sq"}, "ln/Square");
  } else {
    b.initializer("two", {}, {2.0f});
    b.node("Pow", {"d", "two"}, {"sq"}, "ln/Pow");
  }
  reduce("sq", "var", "ln/ReduceMean_1");
  if (p.eps_is_input)
    b.input("eps", {1});
  else
    b.initializer("eps", {}, {1e-5f});
  b.node("Add",
         p.operands_swapped ? std::vector<std::string>{"eps", "var"}
                            : std::vector<std::string>{"var", "eps"},
         {"ve"}, "ln/Add");
  b.node("Sqrt", {"ve"}, {"std"}, "ln/Sqrt");
  b.node("Div", {"d", "std"}, {"n"}, "ln/Div");
  std::string out = "n";
  const std::vector<int64_t> gdims(normalized.begin(), normalized.end());
  if (p.gamma) {
    b.initializer("gamma", gdims, random_floats(size_t(length), 3, 0.5f, 1.5f));
    b.node("Mul",
           p.operands_swapped ? std::vector<std::string>{"gamma", out}
                              : std::vector<std::string>{out, "gamma"},
           {"scaled"}, "ln/Mul");
    out = "scaled";
  }
  if (p.beta) {
    b.initializer("beta", gdims, random_floats(size_t(length), 4));
    b.node("Add",
           p.operands_swapped ? std::vector<std::string>{"beta", out}
                              : std::vector<std::string>{out, "beta"},
           {"shifted"}, "ln/Add_1");
    out = "shifted";
  }
  b.node("Relu", {out}, {"y"}, "after");  // a reader after the chain
  b.output("y");
  if (p.deviation_output) b.output("d");
  return b.bytes();
}

size_t count_op(const Model& m, const std::string& op) {
  size_t n = 0;
  for (const Node& node : m.nodes) n += node.op_type == op;
  return n;
}

std::vector<Tensor> run(const Model& model, const std::string& op, const std::string& algorithm,
                        std::vector<Tensor> inputs = {}) {
  auto shared = std::make_shared<const Model>(model);
  Plan plan = Plan::for_model(model);
  if (!op.empty()) plan.defaults[op] = algorithm;
  Session session(shared, plan, {.threads = 2});
  return session.run(inputs.empty() ? random_inputs(model, 5) : inputs);
}

std::vector<std::string> cpu_algorithms(const std::string& op) {
  std::vector<std::string> names;
  for (const Algorithm& a : Registry::instance().find_op(op)->algorithms)
    if (a.backend != Backend::Cuda) names.push_back(a.name);
  return names;
}

// The fused model has one `op` node made of `merged` nodes and computes, under every algorithm,
// what the graph computes with `flag` off.
void expect_fused(const std::string& bytes, const std::string& op, size_t merged,
                  bool LoadOptions::*flag, const std::string& name,
                  std::vector<Tensor> inputs = {}) {
  const Model fused = load_model_from_bytes(bytes, "fused.onnx");
  LoadOptions off;
  off.*flag = false;
  const Model plain = load_model_from_bytes(bytes, "plain.onnx", off);
  ASSERT_EQ(count_op(fused, op), 1u);
  EXPECT_EQ(count_op(plain, op), 0u);
  const Node* node = nullptr;
  for (const Node& n : fused.nodes)
    if (n.op_type == op) node = &n;
  EXPECT_EQ(node->name, name);
  EXPECT_EQ(node->display_op(), op);
  ASSERT_EQ(node->fusions.size(), 1u);
  EXPECT_EQ(node->fusions[0].kind, Node::Fusion::Kind::Pattern);
  EXPECT_EQ(node->merged_nodes().size(), merged);
  const Tensor want = run(plain, "", "", inputs)[0];
  for (const std::string& algorithm : cpu_algorithms(op)) {
    SCOPED_TRACE(algorithm);
    const Tensor got = run(fused, op, algorithm, inputs)[0];
    ASSERT_EQ(got.shape(), want.shape());
    EXPECT_TRUE(nn_test::all_close(got, want, 2e-5, 2e-4));
  }
}

TEST(FuseLayerNorm, TorchOpset13Form) {
  expect_fused(layer_norm_graph({}), "LayerNormalization", 9, &LoadOptions::fuse_layer_norm,
               "ln/LayerNormalization");
  const Model m = load_model_from_bytes(layer_norm_graph({}), "m.onnx");
  for (const Node& n : m.nodes)
    if (n.op_type == "LayerNormalization") {
      EXPECT_EQ(n.attr_int("axis", 0), -1);
      EXPECT_FLOAT_EQ(n.attr_float("epsilon", 0.0f), 1e-5f);
      EXPECT_EQ(n.inputs, (std::vector<std::string>{"x", "gamma", "beta"}));
    }
}

TEST(FuseLayerNorm, MulSquareTwoAxesAndSwappedOperands) {
  expect_fused(layer_norm_graph({.axes = 2, .square_by_mul = true, .operands_swapped = true}),
               "LayerNormalization", 9, &LoadOptions::fuse_layer_norm, "ln/LayerNormalization");
}

// From opset 18 ReduceMean takes its axes as an input. The loader stops at opset 17, so the
// pass runs here on a loaded opset-13 graph rewritten into the opset-18 form.
TEST(FuseLayerNorm, Opset18AxesAsInput) {
  // Without fuse_activation too: the pass must see the graph as the pipeline hands it over.
  Model m = load_model_from_bytes(layer_norm_graph({.axes = 2}), "m.onnx",
                                  {.fuse_activations = false, .fuse_layer_norm = false});
  const Model plain = m;
  m.opset = 18;
  m.constants["axes"] = Tensor::from_vector<int64_t>({2}, {-2, -1});
  m.values["axes"] = ValueInfo{"axes", {DType::Int64, {2}}, true, "int64"};
  for (Node& n : m.nodes)
    if (n.op_type == "ReduceMean") {
      n.attributes.erase("axes");
      n.inputs.push_back("axes");
    }
  LoadOptions options;
  passes::PassContext context{m, options};
  passes::fuse_layer_norm(context);
  ASSERT_EQ(count_op(m, "LayerNormalization"), 1u);
  EXPECT_EQ(count_op(m, "ReduceMean"), 0u);
  m.opset = 13;  // the fused node runs under the model's opset like the rest
  const std::vector<Tensor> inputs = random_inputs(plain, 5);
  EXPECT_TRUE(
      nn_test::all_close(run(m, "", "", inputs)[0], run(plain, "", "", inputs)[0], 2e-5, 2e-4));
}

TEST(FuseLayerNorm, GammaOrBetaMissing) {
  expect_fused(layer_norm_graph({.gamma = false}), "LayerNormalization", 8,
               &LoadOptions::fuse_layer_norm, "ln/LayerNormalization");
  expect_fused(layer_norm_graph({.beta = false}), "LayerNormalization", 8,
               &LoadOptions::fuse_layer_norm, "ln/LayerNormalization");
  expect_fused(layer_norm_graph({.gamma = false, .beta = false}), "LayerNormalization", 7,
               &LoadOptions::fuse_layer_norm, "ln/LayerNormalization");
}

// Run after fuse_activation, the Add(beta) carries the Relu in its epilogue: the pass must stop
// before it rather than drop the Relu.
TEST(FuseLayerNorm, StopsBeforeANodeWithAnEpilogue) {
  Model m = load_model_from_bytes(layer_norm_graph({}), "m.onnx", {.fuse_layer_norm = false});
  const Model plain = m;
  LoadOptions options;
  passes::PassContext context{m, options};
  passes::fuse_layer_norm(context);
  ASSERT_EQ(count_op(m, "LayerNormalization"), 1u);
  EXPECT_EQ(count_op(m, "Add"), 1u);  // Add(beta) with the Relu
  const std::vector<Tensor> inputs = random_inputs(plain, 5);
  EXPECT_TRUE(
      nn_test::all_close(run(m, "", "", inputs)[0], run(plain, "", "", inputs)[0], 2e-5, 2e-4));
}

TEST(FuseLayerNorm, LeftAloneWhenThePatternIsNotWhole) {
  const LayerNormGraph cases[] = {
      {.deviation_output = true},  // an intermediate read outside the chain
      {.eps_is_input = true},      // epsilon not a constant
      {.mean_is_last = false},     // the mean over axis 1 of [2, 5, 16]
  };
  for (const LayerNormGraph& p : cases) {
    const Model m = load_model_from_bytes(layer_norm_graph(p), "m.onnx");
    EXPECT_EQ(count_op(m, "LayerNormalization"), 0u);
    EXPECT_EQ(count_op(m, "ReduceMean"), 2u);
    EXPECT_EQ(count_op(m, "Sqrt"), 1u);
  }
}

struct GeluGraph {
  bool scale_by_mul = false;   // Mul(x, 1 / sqrt 2) instead of Div(x, sqrt 2)
  bool half_first = false;     // Mul(Mul(x, 0.5), 1 + erf)
  bool half_before_x = false;  // (1 + erf) * 0.5, then * x
  bool swapped = false;        // constants and x on the left
  bool erf_output = false;     // the Erf's output is a graph output too
  bool bias_add = false;       // x comes from an Add (which then takes the Gelu as epilogue)
};

std::string gelu_graph(const GeluGraph& p) {
  ModelBuilder b("gelu", 13);
  if (p.bias_add) {
    b.input("x0", {3, 7, 40});
    b.initializer("w", {40}, random_floats(40, 2));
    b.node("Add", {"x0", "w"}, {"x"}, "bias");
  } else {
    b.input("x", {3, 7, 40});
  }
  auto bin = [&](const char* op, const std::string& a, const std::string& c, const char* out,
                 const char* name) {
    b.node(op,
           p.swapped && std::string(op) != "Div" ? std::vector<std::string>{c, a}
                                                 : std::vector<std::string>{a, c},
           {out}, name);
  };
  b.initializer("sqrt2", {}, {std::sqrt(2.0f)});
  b.initializer("inv_sqrt2", {}, {std::sqrt(0.5f)});
  b.initializer("one", {}, {1.0f});
  b.initializer("half", {}, {0.5f});
  if (p.scale_by_mul)
    bin("Mul", "x", "inv_sqrt2", "u", "mlp/Div");
  else
    bin("Div", "x", "sqrt2", "u", "mlp/Div");
  b.node("Erf", {"u"}, {"e"}, "mlp/Erf");
  bin("Add", "e", "one", "p", "mlp/Add");
  if (p.half_first) {
    bin("Mul", "x", "half", "h", "mlp/Mul");
    bin("Mul", "p", "h", "g", "mlp/Mul_1");
  } else if (p.half_before_x) {
    bin("Mul", "p", "half", "h", "mlp/Mul");
    bin("Mul", "h", "x", "g", "mlp/Mul_1");
  } else {
    bin("Mul", "x", "p", "h", "mlp/Mul");
    bin("Mul", "h", "half", "g", "mlp/Mul_1");
  }
  b.node("Relu", {"g"}, {"y"}, "after");
  b.output("y");
  if (p.erf_output) b.output("e");
  return b.bytes();
}

TEST(FuseGelu, EveryOperandOrderAndGrouping) {
  const GeluGraph cases[] = {{},
                             {.scale_by_mul = true},
                             {.half_first = true},
                             {.half_before_x = true},
                             {.swapped = true},
                             {.scale_by_mul = true, .half_first = true, .swapped = true}};
  for (const GeluGraph& p : cases) {
    // Inputs up to |x| = 8 reach erf's tails.
    std::vector<Tensor> inputs = {random_tensor({3, 7, 40}, 11, -8.0f, 8.0f)};
    expect_fused(gelu_graph(p), "Gelu", 5, &LoadOptions::fuse_gelu, "mlp/Gelu", inputs);
  }
}

// After an Add (a transformer MLP's bias), fuse_activation takes the Gelu node into the Add's
// epilogue: one Add+Gelu node whose fusion names the five ONNX nodes, computing what Add then Gelu
// and the unfused graph compute.
TEST(FuseGelu, IntoThePrecedingAddsEpilogue) {
  const std::string bytes = gelu_graph({.bias_add = true});
  const Model fused = load_model_from_bytes(bytes, "fused.onnx");
  const Model separate = load_model_from_bytes(bytes, "separate.onnx", {.fuse_activations = false});
  const Model plain = load_model_from_bytes(bytes, "plain.onnx", {.fuse_gelu = false});
  EXPECT_EQ(count_op(fused, "Gelu"), 0u);
  EXPECT_EQ(count_op(separate, "Gelu"), 1u);
  const Node* add = nullptr;
  for (const Node& n : fused.nodes)
    if (n.name == "bias") add = &n;
  ASSERT_NE(add, nullptr);
  EXPECT_EQ(add->display_op(), "Add+Gelu");
  ASSERT_TRUE(add->activation.has_value());
  EXPECT_EQ(add->activation->kind, Node::Activation::Kind::Gelu);
  EXPECT_EQ(add->merged_nodes().size(), 5u);
  const std::vector<Tensor> inputs = {random_tensor({3, 7, 40}, 11, -8.0f, 8.0f)};
  const Tensor want = run(plain, "", "", inputs)[0];
  for (const std::string& algorithm : cpu_algorithms("Add")) {
    SCOPED_TRACE(algorithm);
    EXPECT_TRUE(nn_test::all_close(run(fused, "Add", algorithm, inputs)[0], want, 2e-5, 2e-4));
  }
  EXPECT_TRUE(nn_test::all_close(run(separate, "", "", inputs)[0], want, 2e-5, 2e-4));
}

// Conv+Gelu under every Conv algorithm that applies (oneDNN's through its gelu_erf post-op).
TEST(FuseGelu, IntoTheConvEpilogueUnderEveryConvAlgorithm) {
  ModelBuilder b("conv_gelu", 13);
  b.input("x0", {1, 8, 12, 12});
  b.initializer("w", {16, 8, 3, 3}, random_floats(16 * 8 * 9, 6));
  b.initializer("sqrt2", {}, {std::sqrt(2.0f)});
  b.initializer("one", {}, {1.0f});
  b.initializer("half", {}, {0.5f});
  b.node("Conv", {"x0", "w"}, {"x"}, "conv").ints("pads", {1, 1, 1, 1});
  b.node("Div", {"x", "sqrt2"}, {"u"}, "Div");
  b.node("Erf", {"u"}, {"e"}, "Erf");
  b.node("Add", {"e", "one"}, {"p"}, "Add");
  b.node("Mul", {"x", "p"}, {"h"}, "Mul");
  b.node("Mul", {"h", "half"}, {"y"}, "Mul_1");
  b.output("y");
  const Model fused = load_model_from_bytes(b.bytes(), "fused.onnx");
  const Model plain = load_model_from_bytes(b.bytes(), "plain.onnx", {.fuse_gelu = false});
  ASSERT_EQ(fused.nodes.size(), 1u);
  EXPECT_EQ(fused.nodes[0].display_op(), "Conv+Gelu");
  const std::vector<Tensor> inputs = {random_tensor({1, 8, 12, 12}, 12, -2.0f, 2.0f)};
  const Tensor want = run(plain, "", "", inputs)[0];
  const Layer layer = make_layer(fused, fused.nodes[0]);
  for (const Algorithm& a : Registry::instance().find_op("Conv")->algorithms) {
    if (a.backend != Backend::Cpu || a.why_not(layer)) continue;
    SCOPED_TRACE(a.name);
    EXPECT_TRUE(nn_test::all_close(run(fused, "Conv", a.name, inputs)[0], want,
                                   std::max(2e-5, 4 * a.tolerance.atol),
                                   std::max(2e-4, 4 * a.tolerance.rtol)));
  }
}

TEST(FuseGelu, LeftAloneWhenAnIntermediateIsReadElsewhere) {
  const Model m = load_model_from_bytes(gelu_graph({.erf_output = true}), "m.onnx");
  EXPECT_EQ(count_op(m, "Gelu"), 0u);
  EXPECT_EQ(count_op(m, "Erf"), 1u);
  // A constant other than sqrt 2 is not GELU.
  ModelBuilder b("not_gelu", 13);
  b.input("x", {4, 8});
  b.initializer("three", {}, {3.0f});
  b.initializer("one", {}, {1.0f});
  b.initializer("half", {}, {0.5f});
  b.node("Div", {"x", "three"}, {"u"}, "div");
  b.node("Erf", {"u"}, {"e"}, "erf");
  b.node("Add", {"e", "one"}, {"p"}, "add");
  b.node("Mul", {"x", "p"}, {"h"}, "mul");
  b.node("Mul", {"h", "half"}, {"y"}, "mul_1");
  b.output("y");
  EXPECT_EQ(count_op(load_model_from_bytes(b.bytes(), "n.onnx"), "Gelu"), 0u);
}

// Every fast LayerNormalization algorithm against reference at every ISA level this CPU runs.
void expect_row_norm_matches(const nn_test::OpCase& c, const std::string& what) {
  const auto want = c.run("reference");
  for (const char* name : {"direct", "welford"}) {
    const Algorithm* a = c.op().find(name);
    ASSERT_NE(a, nullptr);
    for (cpu::IsaLevel level : test_support::runnable_isa_levels()) {
      test_support::IsaCap cap(level);
      const auto got = c.run(name);
      for (size_t k = 0; k < got.size(); ++k) {
        double scale = 1.0;
        for (float v : nn_test::values(want[k])) scale = std::max(scale, double(std::fabs(v)));
        EXPECT_TRUE(
            nn_test::all_close(got[k], want[k], a->tolerance.atol * scale, a->tolerance.rtol))
            << what << ", " << name << ", output " << k << ", " << cpu::level_name(level);
      }
    }
  }
}

nn_test::OpCase layer_norm_case(Tensor x, int64_t axis) {
  const int64_t rank = x.rank();
  const int64_t a = axis < 0 ? axis + rank : axis;
  const Shape normalized(x.shape().begin() + a, x.shape().end());
  nn_test::OpCase c("LayerNormalization", 17);
  c.input(std::move(x));
  c.input(random_tensor(normalized, 21, 0.5f, 1.5f), true);
  c.input(random_tensor(normalized, 22), true);
  c.i("axis", axis).f("epsilon", 1e-5f).outputs({"y", "mean", "inv_std"});
  return c;
}

TEST(WelfordLayerNorm, ShapesAxesAndLongRows) {
  const Shape shapes[] = {{7},           {3, 5},    {2, 3, 17}, {4, 31, 19},
                          {1, 197, 768}, {3, 4096}, {2, 5000},  {1, 1, 70001}};
  for (const Shape& s : shapes)
    for (int64_t axis : {int64_t(-1), int64_t(0)})
      expect_row_norm_matches(
          layer_norm_case(random_tensor(s, uint32_t(shape_numel(s)), -3.0f, 3.0f), axis),
          shape_to_string(s) + " axis " + std::to_string(axis));
}

// Rows of mean 1e4 and spread 0.1: float sum(x^2) - n mean^2 loses every digit of the variance
// (x^2 ~ 1e8 has an ulp of 8, the variance is 3e-3); Welford on shifted values keeps them.
TEST(WelfordLayerNorm, LargeMeanTinyVariance) {
  for (int64_t length : {int64_t(768), int64_t(4096)}) {
    Tensor x = random_tensor({4, length}, 5, 1e4f - 0.1f, 1e4f + 0.1f);
    // The naive one-pass formula in float really does fail on these rows.
    const float* v = x.data<float>();
    float sum = 0.0f, squares = 0.0f;
    double exact_mean = 0.0;
    for (int64_t i = 0; i < length; ++i) {
      sum += v[i];
      squares += v[i] * v[i];
      exact_mean += v[i];
    }
    exact_mean /= double(length);
    double exact_var = 0.0;
    for (int64_t i = 0; i < length; ++i) exact_var += (v[i] - exact_mean) * (v[i] - exact_mean);
    exact_var /= double(length);
    const float naive_mean = sum / float(length);
    const float naive_var = squares / float(length) - naive_mean * naive_mean;
    EXPECT_GT(std::fabs(naive_var - exact_var), exact_var) << "the case is not hard enough";

    nn_test::OpCase c = layer_norm_case(x, -1);
    const Algorithm* welford = c.op().find("welford");
    const auto want = c.run("reference");
    for (cpu::IsaLevel level : test_support::runnable_isa_levels()) {
      test_support::IsaCap cap(level);
      const auto got = c.run("welford");
      double scale = 1.0;
      for (float w : nn_test::values(want[0])) scale = std::max(scale, double(std::fabs(w)));
      EXPECT_TRUE(nn_test::all_close(got[0], want[0], welford->tolerance.atol * scale,
                                     welford->tolerance.rtol))
          << "length " << length << ", " << cpu::level_name(level);
      EXPECT_TRUE(nn_test::all_close(got[2], want[2], 0.0, welford->tolerance.rtol))
          << "InvStdDev, length " << length;
    }
  }
}

TEST(WelfordLayerNorm, GroupAndInstanceNormRows) {
  nn_test::OpCase g("GroupNormalization", 18);
  g.input(random_tensor({2, 64, 32, 33}, 7, -2.0f, 2.0f));
  g.input(random_tensor({32}, 8), true).input(random_tensor({32}, 9));
  g.i("num_groups", 32).f("epsilon", 1e-4f);
  const auto want = g.run("reference");
  const Algorithm* welford = g.op().find("welford");
  ASSERT_NE(welford, nullptr);
  EXPECT_TRUE(nn_test::all_close(g.run("welford")[0], want[0], 4 * welford->tolerance.atol,
                                 welford->tolerance.rtol));
  nn_test::OpCase i("InstanceNormalization", 6);
  i.input(random_tensor({2, 3, 5, 7}, 10, -1.0f, 4.0f));
  i.input(random_tensor({3}, 11), true).input(random_tensor({3}, 12), true);
  EXPECT_TRUE(nn_test::all_close(i.run("welford")[0], i.run("reference")[0],
                                 welford->tolerance.atol, welford->tolerance.rtol));
}

TEST(GeluAlgorithms, DirectMatchesReferenceIncludingTails) {
  for (const char* approximate : {"none", "tanh"}) {
    // [-12, 12] covers erf's and tanh's saturated tails (|x| > 6) and the small-|x| branch.
    nn_test::OpCase c("Gelu", 20);
    c.input(random_tensor({5, 100003}, 3, -12.0f, 12.0f)).str("approximate", approximate);
    const Algorithm* direct = c.op().find("direct");
    ASSERT_NE(direct, nullptr);
    EXPECT_EQ(Registry::instance().default_algorithm(c.layer()).name, "direct");
    const auto want = c.run("reference");
    for (cpu::IsaLevel level : test_support::runnable_isa_levels()) {
      test_support::IsaCap cap(level);
      EXPECT_TRUE(nn_test::all_close(c.run("direct")[0], want[0], direct->tolerance.atol,
                                     direct->tolerance.rtol))
          << approximate << ", " << cpu::level_name(level);
    }
  }
}

TEST(GeluAlgorithms, RejectsAnUnknownApproximation) {
  nn_test::OpCase c("Gelu", 20);
  c.input(random_tensor({4}, 1)).str("approximate", "sigmoid");
  EXPECT_THROW(c.run("reference"), Error);
}

}  // namespace
