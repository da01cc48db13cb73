// BatchNormalization (inference, opset 7-8 spatial = 0, training mode rejected, bad parameter
// shapes; `direct` against `reference` over ranks, batches, threaded sizes and parameters given
// at run time, and with a fused Relu) and LRN (the ONNX formula at the channel edges, even and
// odd sizes, defaults).
#include <gtest/gtest.h>

#include <cmath>

#include "algoscope/algoscope.h"
#include "nn_op_harness.h"
#include "support/onnx_builder.h"

using namespace nn_test;

TEST(OpsBatchNorm, MatchesFormulaPerChannel) {
  Tensor x = random_tensor({2, 3, 4, 5}, 1);
  Tensor s = random_tensor({3}, 2), b = random_tensor({3}, 3), m = random_tensor({3}, 4);
  Tensor v = random_tensor({3}, 5, 0.1f, 2.0f);
  OpCase c("BatchNormalization", 15);
  c.input(x.clone()).input(s.clone(), true).input(b.clone(), true).input(m.clone(), true);
  c.input(v.clone(), true).f("epsilon", 1e-2f);
  auto y = c.run("reference");
  ASSERT_EQ(y[0].shape(), x.shape());
  Tensor expected(DType::Float32, x.shape());
  for (int64_t i = 0; i < x.numel(); ++i) {
    const int64_t ch = (i / 20) % 3;
    expected.data<float>()[i] =
        float((x.data<float>()[i] - m.data<float>()[ch]) /
                  std::sqrt(double(v.data<float>()[ch]) + double(1e-2f)) * s.data<float>()[ch] +
              b.data<float>()[ch]);
  }
  EXPECT_TRUE(all_close(y[0], expected, 1e-6, 1e-6));
}

TEST(OpsBatchNorm, DirectMatchesReference) {
  for (const Shape& shape : {Shape{2, 3, 4, 5}, Shape{1, 64, 56, 56}, Shape{3, 7},
                             Shape{2, 5, 3, 4, 6}, Shape{1, 1, 1, 1}}) {
    for (bool constant : {true, false}) {
      SCOPED_TRACE(algoscope::shape_to_string(shape) + (constant ? " constant" : " run-time"));
      const Shape params{shape[1]};
      OpCase c("BatchNormalization", 15);
      c.input(random_tensor(shape, 1, -3.0f, 3.0f)).input(random_tensor(params, 2), constant);
      c.input(random_tensor(params, 3), constant).input(random_tensor(params, 4), constant);
      c.input(random_tensor(params, 5, 0.1f, 2.0f), constant).f("epsilon", 1e-3f);
      EXPECT_TRUE(direct_is_default_and_matches_reference(c));
    }
  }
}

// BN followed by Relu loads as one node whose direct kernel applies the Relu in its own pass
// (DenseNet's pre-activation); the reference runs it after the session's way.
TEST(OpsBatchNorm, FusedReluMatchesTheUnfusedGraph) {
  using onnx_builder::random_floats;
  onnx_builder::ModelBuilder b("bn_relu", 15);
  b.input("x", {1, 8, 6, 6});
  b.initializer("s", {8}, random_floats(8, 1));
  b.initializer("b", {8}, random_floats(8, 2));
  b.initializer("m", {8}, random_floats(8, 3));
  b.initializer("v", {8}, std::vector<float>(8, 0.5f));
  b.node("BatchNormalization", {"x", "s", "b", "m", "v"}, {"n"}, "bn");
  b.node("Relu", {"n"}, {"y"}, "relu");
  b.output("y");
  auto model =
      std::make_shared<const algoscope::Model>(algoscope::load_model_from_bytes(b.bytes(), "m"));
  ASSERT_EQ(model->nodes.size(), 1u);
  ASSERT_TRUE(model->nodes[0].activation.has_value());
  const std::vector<Tensor> inputs = algoscope::random_inputs(*model, 7);
  auto run = [&](const std::string& algorithm) {
    algoscope::Plan plan = algoscope::Plan::for_model(*model);
    plan.defaults["BatchNormalization"] = algorithm;
    return algoscope::Session(model, plan, {.threads = 1}).run(inputs)[0];
  };
  const Tensor got = run("direct"), want = run("reference");
  int64_t zeros = 0;
  for (int64_t i = 0; i < got.numel(); ++i) zeros += got.data<float>()[i] == 0.0f;
  EXPECT_GT(zeros, 0);
  EXPECT_TRUE(all_close(got, want, 1e-5, 1e-4));
}

TEST(OpsBatchNorm, DirectDeclinesPerElementParameters) {
  OpCase c("BatchNormalization", 7);
  c.input(random_tensor({1, 2, 3, 1}, 1)).input(random_tensor({2, 3, 1}, 2));
  c.input(random_tensor({2, 3, 1}, 3)).input(random_tensor({2, 3, 1}, 4));
  c.input(random_tensor({2, 3, 1}, 5, 0.1f, 1.0f)).i("spatial", 0);
  auto why = c.op().find("direct")->why_not(c.layer());
  ASSERT_TRUE(why.has_value());
  EXPECT_NE(why->find("one per element"), std::string::npos) << *why;
  EXPECT_EQ(algoscope::Registry::instance().default_algorithm(c.layer()).name, "reference");
}

TEST(OpsBatchNorm, SpatialZeroHasPerElementParameters) {
  OpCase c("BatchNormalization", 7);
  c.input(Tensor::from_vector<float>({2, 2, 1, 1}, {1, 2, 3, 4}));
  c.input(Tensor::from_vector<float>({2, 1, 1}, {2, 3}));    // scale
  c.input(Tensor::from_vector<float>({2, 1, 1}, {10, 20}));  // B
  c.input(Tensor::from_vector<float>({2, 1, 1}, {1, 1}));    // mean
  c.input(Tensor::from_vector<float>({2, 1, 1}, {1, 1}));    // var
  c.i("spatial", 0).f("epsilon", 0.0f);
  EXPECT_TRUE(all_close(c.run("reference")[0], {10, 23, 14, 29}));
}

TEST(OpsBatchNorm, TrainingModeAndBadShapesThrow) {
  auto make = [](int64_t opset) {
    OpCase c("BatchNormalization", opset);
    c.input(random_tensor({1, 3, 2, 2}, 1));
    for (int i = 0; i < 4; ++i) c.input(random_tensor({3}, 2 + i));
    return c;
  };
  EXPECT_TRUE(throws_with([&] { make(15).i("training_mode", 1).infer(); },
                          "training mode is not supported"));
  EXPECT_TRUE(throws_with(
      [&] {
        make(9).outputs({"y", "mean", "var"}).infer();
      },
      "training mode is not supported"));
  EXPECT_EQ(make(15).outputs({"y", "", ""}).infer().size(), 1u);
  EXPECT_TRUE(throws_with(
      [] {
        OpCase c("BatchNormalization", 15);
        c.input(random_tensor({1, 3, 2, 2}, 1));
        for (int i = 0; i < 4; ++i) c.input(random_tensor({4}, 2 + i));
        c.infer();
      },
      "must have shape 3"));
  EXPECT_TRUE(throws_with(
      [] {
        OpCase c("BatchNormalization", 15);
        c.input(random_tensor({1, 3, 2, 2}, 1)).input(random_tensor({3}, 2));
        c.infer();
      },
      "needs inputs"));
}

TEST(OpsLrn, OnnxFormulaAtTheEdges) {
  // alpha / size = 1 and beta = 1 make y = x / (1 + window sum of squares).
  OpCase odd("LRN", 13);
  odd.input(Tensor::from_vector<float>({1, 3, 1, 1}, {1, 2, 3}));
  odd.i("size", 3).f("alpha", 3.0f).f("beta", 1.0f).f("bias", 1.0f);
  EXPECT_TRUE(all_close(odd.run("reference")[0], {1.0f / 6, 2.0f / 15, 3.0f / 14}));
  // Even size: floor((size-1)/2) = 0 channels before, ceil((size-1)/2) = 1 after.
  OpCase even("LRN", 13);
  even.input(Tensor::from_vector<float>({1, 3, 1, 1}, {1, 2, 3}));
  even.i("size", 2).f("alpha", 2.0f).f("beta", 1.0f).f("bias", 1.0f);
  EXPECT_TRUE(all_close(even.run("reference")[0], {1.0f / 6, 2.0f / 14, 3.0f / 10}));
  // Defaults: alpha 1e-4, beta 0.75, bias 1.
  Tensor x = random_tensor({2, 5, 3, 3}, 7);
  OpCase def("LRN", 13);
  def.input(x.clone()).i("size", 3);
  auto y = def.run("reference");
  const float* xv = x.data<float>();
  for (int64_t n = 0; n < 2; ++n)
    for (int64_t ch = 0; ch < 5; ++ch)
      for (int64_t i = 0; i < 9; ++i) {
        double sq = 0;
        for (int64_t j = std::max<int64_t>(0, ch - 1); j <= std::min<int64_t>(4, ch + 1); ++j)
          sq += double(xv[(n * 5 + j) * 9 + i]) * xv[(n * 5 + j) * 9 + i];
        const double e = xv[(n * 5 + ch) * 9 + i] / std::pow(1.0 + 1e-4 / 3 * sq, 0.75);
        EXPECT_NEAR(y[0].data<float>()[(n * 5 + ch) * 9 + i], e, 1e-6);
      }
  EXPECT_TRUE(throws_with(
      [] {
        OpCase c("LRN", 13);
        c.input(random_tensor({1, 3, 2, 2}, 1)).infer();
      },
      "size"));
}
