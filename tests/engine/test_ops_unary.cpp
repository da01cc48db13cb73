// Unit tests of the unary family: activations against the C library, Clip's bounds as attributes
// (opset < 11) and as constant, runtime or omitted inputs (11+), Cast between the engine's types
// and its error for other targets, Identity, Dropout at inference, Shape's start/end window, and
// issue 19's math functions (Neg ... Shrink, IsInf, IsNaN).
#include <algorithm>
#include <cmath>
#include <limits>
#include <optional>

#include "op_test_util.h"

using namespace op_test;

TEST(OpsRelu, FloatAndIntegers) {
  Tensor y = OpCase("Relu", 14).input(floats({2, 2}, {-1, 0, 2.5f, -0.5f})).run1();
  EXPECT_EQ(y.shape(), (Shape{2, 2}));
  EXPECT_EQ(values<float>(y), (std::vector<float>{0, 0, 2.5f, 0}));
  Tensor i = OpCase("Relu", 14).input(int64s({3}, {-5, 0, 7})).run1();
  EXPECT_EQ(values<int64_t>(i), (std::vector<int64_t>{0, 0, 7}));
}

TEST(OpsActivations, MatchTheCLibrary) {
  const std::vector<float> x = {-20.0f, -1.5f, -0.25f, 0.0f, 0.3f, 1.0f, 4.0f, 20.0f};
  const Tensor in = floats({8}, x);
  Tensor sig = OpCase("Sigmoid", 13).input(in).run1();
  Tensor tanh = OpCase("Tanh", 13).input(in).run1();
  Tensor erf = OpCase("Erf", 13).input(in).run1();
  Tensor exp = OpCase("Exp", 13).input(in).run1();
  for (size_t i = 0; i < x.size(); ++i) {
    EXPECT_NEAR(sig.data<float>()[i], 1.0 / (1.0 + std::exp(-double(x[i]))), 1e-7);
    EXPECT_NEAR(tanh.data<float>()[i], std::tanh(double(x[i])), 1e-6);
    EXPECT_NEAR(erf.data<float>()[i], std::erf(double(x[i])), 1e-6);
    EXPECT_NEAR(exp.data<float>()[i], std::exp(double(x[i])), 1e-6 * std::exp(double(x[i])));
  }
  Tensor sq = OpCase("Sqrt", 13).input(floats({4}, {0, 1, 2, -1})).run1();
  EXPECT_EQ(sq.data<float>()[0], 0.0f);
  EXPECT_EQ(sq.data<float>()[1], 1.0f);
  EXPECT_EQ(sq.data<float>()[2], std::sqrt(2.0f));
  EXPECT_TRUE(std::isnan(sq.data<float>()[3]));
}

TEST(OpsActivations, PiecewiseLinearOnesFollowOnnxFormulas) {
  const std::vector<float> x = {-8.0f, -3.0f, -1.0f, 0.0f, 0.5f, 2.0f, 3.0f, 9.0f};
  const Tensor in = floats({8}, x);
  Tensor hs = OpCase("HardSigmoid", 13).input(in).run1();
  Tensor hs2 = OpCase("HardSigmoid", 13).input(in).attr("alpha", 0.5f).attr("beta", 0.25f).run1();
  Tensor hw = OpCase("HardSwish", 14).input(in).run1();
  Tensor lr = OpCase("LeakyRelu", 13).input(in).run1();
  Tensor lr2 = OpCase("LeakyRelu", 13).input(in).attr("alpha", 0.5f).run1();
  for (size_t i = 0; i < x.size(); ++i) {
    double v = x[i];
    EXPECT_NEAR(hs.data<float>()[i], std::clamp(0.2 * v + 0.5, 0.0, 1.0), 1e-7) << v;
    EXPECT_NEAR(hs2.data<float>()[i], std::clamp(0.5 * v + 0.25, 0.0, 1.0), 1e-7) << v;
    EXPECT_NEAR(hw.data<float>()[i], v * std::clamp(v / 6 + 0.5, 0.0, 1.0), 1e-6) << v;
    EXPECT_NEAR(lr.data<float>()[i], v >= 0 ? v : 0.01 * v, 1e-7) << v;
    EXPECT_NEAR(lr2.data<float>()[i], v >= 0 ? v : 0.5 * v, 1e-7) << v;
  }
}

TEST(OpsActivations, FlopsAndInvalidTypes) {
  EXPECT_EQ(OpCase("Relu", 14).input(iota({2, 3, 4})).flops(), 24.0);
  EXPECT_EQ(OpCase("Sigmoid", 13).input(iota({5})).flops(), 5.0);
  EXPECT_TRUE(throws_with([] { OpCase("Tanh", 13).input(int64s({1}, {1})).infer(); },
                          "Tanh does not support int64"));
  EXPECT_TRUE(throws_with([] { OpCase("Relu", 14).infer(); }, "needs an input"));
}

TEST(OpsClip, AttributesBeforeOpset11) {
  Tensor y = OpCase("Clip", 6)
                 .input(floats({5}, {-3, -1, 0, 1, 3}))
                 .attr("min", -1.5f)
                 .attr("max", 2.0f)
                 .run1();
  EXPECT_EQ(values<float>(y), (std::vector<float>{-1.5f, -1, 0, 1, 2}));
  // Absent attributes leave that side unbounded.
  Tensor lo = OpCase("Clip", 6).input(floats({3}, {-3, 0, 30})).attr("min", 0.0f).run1();
  EXPECT_EQ(values<float>(lo), (std::vector<float>{0, 0, 30}));
}

TEST(OpsClip, InputsFromOpset11) {
  const Tensor x = floats({5}, {-3, -1, 0, 1, 3});
  // Constant bounds.
  Tensor c =
      OpCase("Clip", 11).input(x).constant(floats({}, {-1})).constant(floats({}, {1})).run1();
  EXPECT_EQ(values<float>(c), (std::vector<float>{-1, -1, 0, 1, 1}));
  // Runtime bounds (not constants) are read when the kernel runs.
  Tensor r = OpCase("Clip", 13).input(x).input(floats({}, {0})).input(floats({}, {2})).run1();
  EXPECT_EQ(values<float>(r), (std::vector<float>{0, 0, 0, 1, 2}));
  // Only max (min omitted as ""), only min (max not given), neither.
  Tensor m = OpCase("Clip", 13).input(x).absent().input(floats({}, {0})).run1();
  EXPECT_EQ(values<float>(m), (std::vector<float>{-3, -1, 0, 0, 0}));
  Tensor n = OpCase("Clip", 13).input(x).input(floats({}, {0})).run1();
  EXPECT_EQ(values<float>(n), (std::vector<float>{0, 0, 0, 1, 3}));
  Tensor none = OpCase("Clip", 13).input(x).absent().absent().run1();
  EXPECT_EQ(values<float>(none), values<float>(x));
  // In opset 11+ min/max attributes are not part of the op: they are ignored.
  Tensor ignored = OpCase("Clip", 12).input(x).attr("min", 0.0f).run1();
  EXPECT_EQ(values<float>(ignored), values<float>(x));
  // Integer clipping (opset 12+).
  Tensor i = OpCase("Clip", 13)
                 .input(int64s({4}, {-9, 2, 5, 9}))
                 .constant(int64s({}, {0}))
                 .constant(int64s({}, {5}))
                 .run1();
  EXPECT_EQ(values<int64_t>(i), (std::vector<int64_t>{0, 2, 5, 5}));
}

TEST(OpsClip, NaNPassesAndInvalidBounds) {
  Tensor y = OpCase("Clip", 13)
                 .input(floats({1}, {NAN}))
                 .input(floats({}, {0}))
                 .input(floats({}, {1}))
                 .run1();
  EXPECT_TRUE(std::isnan(y.data<float>()[0]));
  EXPECT_TRUE(throws_with(
      [] {
        OpCase("Clip", 13).input(iota({3})).input(floats({2}, {0, 1})).infer();
      },
      "min must be a scalar"));
  EXPECT_TRUE(throws_with(
      [] { OpCase("Clip", 13).input(iota({3})).absent().input(int64s({}, {1})).infer(); },
      "max must have the input's type"));
}

TEST(OpsCast, BetweenEngineTypes) {
  Tensor f2i = OpCase("Cast", 13)
                   .input(floats({5}, {1.9f, -1.9f, 0.0f, 1e30f, NAN}))
                   .attr("to", int64_t{7})
                   .run1();
  EXPECT_EQ(f2i.dtype(), DType::Int64);
  EXPECT_EQ(values<int64_t>(f2i),
            (std::vector<int64_t>{1, -1, 0, std::numeric_limits<int64_t>::max(), 0}));
  Tensor i2f = OpCase("Cast", 13).input(int64s({2}, {3, -4})).attr("to", int64_t{1}).run1();
  EXPECT_EQ(i2f.dtype(), DType::Float32);
  EXPECT_EQ(values<float>(i2f), (std::vector<float>{3, -4}));
  Tensor f2b = OpCase("Cast", 9).input(floats({3}, {0, -0.5f, 2})).attr("to", int64_t{9}).run1();
  EXPECT_EQ(bool_values(f2b), (std::vector<bool>{false, true, true}));
  Tensor b2i = OpCase("Cast", 13).input(bools({2}, {true, false})).attr("to", int64_t{6}).run1();
  EXPECT_EQ(values<int32_t>(b2i), (std::vector<int32_t>{1, 0}));
  Tensor i2i = OpCase("Cast", 13).input(int64s({2}, {5, -6})).attr("to", int64_t{6}).run1();
  EXPECT_EQ(values<int32_t>(i2i), (std::vector<int32_t>{5, -6}));
  Tensor f2u = OpCase("Cast", 13).input(floats({3}, {3.7f, -2, 300})).attr("to", int64_t{2}).run1();
  EXPECT_EQ(values<uint8_t>(f2u), (std::vector<uint8_t>{3, 0, 255}));
  EXPECT_EQ(OpCase("Cast", 13).input(iota({2, 3})).attr("to", int64_t{7}).infer1(),
            (TensorInfo{DType::Int64, {2, 3}}));
}

TEST(OpsCast, UnsupportedTargetsNameTheType) {
  EXPECT_TRUE(
      throws_with([] { OpCase("Cast", 13).input(iota({2})).attr("to", int64_t{11}).infer(); },
                  "Cast to double"));
  EXPECT_TRUE(throws_with(
      [] { OpCase("Cast", 13).input(iota({2})).attr("to", int64_t{10}).infer(); }, "float16"));
  EXPECT_TRUE(throws_with(
      [] { OpCase("Cast", 13).input(iota({2})).attr("to", int64_t{8}).infer(); }, "string"));
  EXPECT_TRUE(throws_with([] { OpCase("Cast", 13).input(iota({2})).infer(); }, "'to'"));
}

TEST(OpsIdentity, CopiesAnyType) {
  Tensor y = OpCase("Identity", 16).input(int64s({2, 2}, {1, -2, 3, -4})).run1();
  EXPECT_EQ(y.shape(), (Shape{2, 2}));
  EXPECT_EQ(values<int64_t>(y), (std::vector<int64_t>{1, -2, 3, -4}));
  EXPECT_EQ(OpCase("Identity", 16).input(iota({3})).flops(), 0.0);
}

TEST(OpsDropout, IsIdentityAtInferenceWithAllTrueMask) {
  const Tensor x = iota({3, 4});
  auto out = OpCase("Dropout", 13).input(x).constant(floats({}, {0.5f})).outputs(2).run();
  ASSERT_EQ(out.size(), 2u);
  EXPECT_EQ(values<float>(out[0]), values<float>(x));
  EXPECT_EQ(out[1].dtype(), DType::Bool);
  EXPECT_EQ(out[1].shape(), (Shape{3, 4}));
  EXPECT_EQ(bool_values(out[1]), std::vector<bool>(12, true));

  // One output only; opset 7 takes ratio as an attribute and its mask has the data's type.
  EXPECT_EQ(OpCase("Dropout", 13).input(x).infer().size(), 1u);
  auto old = OpCase("Dropout", 7).input(x).attr("ratio", 0.2f).outputs(2).run();
  EXPECT_EQ(values<float>(old[0]), values<float>(x));
  EXPECT_EQ(old[1].dtype(), DType::Float32);
  EXPECT_EQ(values<float>(old[1]), std::vector<float>(12, 1.0f));

  // training_mode false is fine.
  Tensor y = OpCase("Dropout", 13).input(x).absent().constant(bools({}, {false})).run1();
  EXPECT_EQ(values<float>(y), values<float>(x));
}

TEST(OpsDropout, TrainingModeIsAnErrorUnlessTheRatioIsZero) {
  // Absent ratio: 0.5.
  EXPECT_TRUE(throws_with(
      [] { OpCase("Dropout", 13).input(iota({2})).absent().constant(bools({}, {true})).infer(); },
      "training_mode true and ratio 0.5 is not supported"));
  EXPECT_TRUE(throws_with(
      [] {
        OpCase("Dropout", 13)
            .input(iota({2}))
            .constant(floats({}, {0.25f}))
            .constant(bools({}, {true}))
            .infer();
      },
      "ratio 0.25"));
  // A runtime flag (or ratio) could ask for random masks mid-run: refused before running.
  EXPECT_TRUE(throws_with(
      [] { OpCase("Dropout", 13).input(iota({2})).absent().input(bools({}, {true})).infer(); },
      "training_mode input must be a constant"));
  EXPECT_TRUE(throws_with(
      [] {
        OpCase("Dropout", 13)
            .input(iota({2}))
            .input(floats({}, {0.5f}))
            .constant(bools({}, {true}))
            .infer();
      },
      "ratio input must be a constant"));
  // Training with ratio 0 keeps everything: still the identity (test_training_dropout_zero_ratio).
  auto out = OpCase("Dropout", 13)
                 .input(iota({3}))
                 .constant(floats({}, {0.0f}))
                 .constant(bools({}, {true}))
                 .outputs(2)
                 .run();
  EXPECT_EQ(values<float>(out[0]), (std::vector<float>{0, 1, 2}));
  EXPECT_EQ(bool_values(out[1]), std::vector<bool>(3, true));
}

TEST(OpsShape, AllDimensions) {
  Tensor y = OpCase("Shape", 13).input(iota({3, 4, 5})).run1();
  EXPECT_EQ(y.dtype(), DType::Int64);
  EXPECT_EQ(y.shape(), (Shape{3}));
  EXPECT_EQ(values<int64_t>(y), (std::vector<int64_t>{3, 4, 5}));
  Tensor s = OpCase("Shape", 13).input(floats({}, {1})).run1();
  EXPECT_EQ(s.shape(), (Shape{0}));
  Tensor b = OpCase("Shape", 13).input(bools({2, 1}, {true, false})).run1();
  EXPECT_EQ(values<int64_t>(b), (std::vector<int64_t>{2, 1}));
}

TEST(OpsShape, StartEndFromOpset15) {
  const Tensor x = iota({3, 4, 5});
  auto window = [&](int64_t opset, std::optional<int64_t> start, std::optional<int64_t> end) {
    OpCase c("Shape", opset);
    c.input(x);
    if (start) c.attr("start", *start);
    if (end) c.attr("end", *end);
    return values<int64_t>(c.run1());
  };
  using V = std::vector<int64_t>;
  EXPECT_EQ(window(15, 1, std::nullopt), (V{4, 5}));
  EXPECT_EQ(window(15, std::nullopt, 1), (V{3}));
  EXPECT_EQ(window(15, 1, 2), (V{4}));
  EXPECT_EQ(window(15, -1, std::nullopt), (V{5}));
  EXPECT_EQ(window(15, std::nullopt, -1), (V{3, 4}));
  EXPECT_EQ(window(15, 1, -1), (V{4}));
  EXPECT_EQ(window(15, -10, std::nullopt), (V{3, 4, 5}));  // clamped
  EXPECT_EQ(window(15, std::nullopt, 10), (V{3, 4, 5}));
  EXPECT_EQ(window(15, 2, 1), (V{}));
  // Before opset 15 the attributes do not exist.
  EXPECT_EQ(window(13, 1, 2), (V{3, 4, 5}));
}

TEST(OpsNot, NegatesBoolsAndRejectsOtherTypes) {
  EXPECT_EQ(bool_values(OpCase("Not", 1).input(bools({2, 2}, {true, false, false, true})).run1()),
            (std::vector<bool>{false, true, true, false}));
  EXPECT_TRUE(throws_with([] { OpCase("Not", 1).input(iota({2})).infer(); },
                          "Not needs a bool input, got float32"));
}

// Issue 19's math functions: hand-computed values (exact where the op is), every algorithm run
// against the reference by OpCase.
TEST(OpsMath, SignRoundingAndReciprocal) {
  const Tensor x = floats({7}, {-2.5f, -1.5f, -0.5f, 0.0f, 0.5f, 1.5f, 2.7f});
  EXPECT_EQ(values<float>(OpCase("Neg", 13).input(x).run1()),
            (std::vector<float>{2.5f, 1.5f, 0.5f, -0.0f, -0.5f, -1.5f, -2.7f}));
  EXPECT_EQ(values<float>(OpCase("Abs", 13).input(x).run1()),
            (std::vector<float>{2.5f, 1.5f, 0.5f, 0, 0.5f, 1.5f, 2.7f}));
  EXPECT_EQ(values<float>(OpCase("Floor", 13).input(x).run1()),
            (std::vector<float>{-3, -2, -1, 0, 0, 1, 2}));
  EXPECT_EQ(values<float>(OpCase("Ceil", 13).input(x).run1()),
            (std::vector<float>{-2, -1, -0.0f, 0, 1, 2, 3}));
  // Halves to the even neighbour.
  EXPECT_EQ(values<float>(OpCase("Round", 11).input(x).run1()),
            (std::vector<float>{-2, -2, -0.0f, 0, 0, 2, 3}));
  EXPECT_EQ(values<float>(OpCase("Sign", 13).input(x).run1()),
            (std::vector<float>{-1, -1, -1, 0, 1, 1, 1}));
  EXPECT_EQ(values<float>(OpCase("Reciprocal", 13).input(floats({3}, {-4, 0.5f, 8})).run1()),
            (std::vector<float>{-0.25f, 2, 0.125f}));
  // Integers: Neg, Abs, Sign.
  EXPECT_EQ(values<int64_t>(OpCase("Neg", 13).input(int64s({3}, {-5, 0, 7})).run1()),
            (std::vector<int64_t>{5, 0, -7}));
  EXPECT_EQ(values<int32_t>(OpCase("Abs", 13).input(tensor<int32_t>({3}, {-5, 0, 7})).run1()),
            (std::vector<int32_t>{5, 0, 7}));
  EXPECT_EQ(values<int64_t>(OpCase("Sign", 13).input(int64s({3}, {-5, 0, 7})).run1()),
            (std::vector<int64_t>{-1, 0, 1}));
}

TEST(OpsMath, LibmFunctions) {
  const std::vector<float> x = {-0.9f, -0.3f, 0.0f, 0.4f, 0.8f};
  const Tensor in = floats({5}, x);
  const std::pair<const char*, double (*)(double)> fns[] = {
      {"Sin", std::sin},   {"Cos", std::cos},   {"Tan", std::tan},   {"Sinh", std::sinh},
      {"Cosh", std::cosh}, {"Asin", std::asin}, {"Acos", std::acos}, {"Atan", std::atan}};
  for (const auto& f : fns) {
    Tensor y = OpCase(f.first, 7).input(in).run1();
    for (size_t i = 0; i < x.size(); ++i)
      EXPECT_NEAR(y.data<float>()[i], f.second(double(x[i])), 1e-6) << f.first << " " << x[i];
  }
  const Tensor h = floats({3}, {-0.5f, 0.0f, 0.75f});
  const Tensor ge1 = floats({3}, {1.0f, 1.5f, 10.0f});
  for (size_t i = 0; i < 3; ++i) {
    EXPECT_NEAR(OpCase("Asinh", 9).input(h).run1().data<float>()[i],
                std::asinh(double(h.data<float>()[i])), 1e-6);
    EXPECT_NEAR(OpCase("Atanh", 9).input(h).run1().data<float>()[i],
                std::atanh(double(h.data<float>()[i])), 1e-6);
    EXPECT_NEAR(OpCase("Acosh", 9).input(ge1).run1().data<float>()[i],
                std::acosh(double(ge1.data<float>()[i])), 1e-6);
  }
  EXPECT_TRUE(std::isnan(OpCase("Acosh", 9).input(floats({1}, {0.5f})).run1().data<float>()[0]));
  Tensor lg = OpCase("Log", 13).input(floats({4}, {1, 2.718281828f, 0, -1})).run1();
  EXPECT_EQ(lg.data<float>()[0], 0.0f);
  EXPECT_NEAR(lg.data<float>()[1], 1.0, 1e-6);
  EXPECT_EQ(lg.data<float>()[2], -std::numeric_limits<float>::infinity());
  EXPECT_TRUE(std::isnan(lg.data<float>()[3]));
  // Softplus never overflows: 100 gives 100, -100 gives e^-100 (about 3.7e-44).
  Tensor sp = OpCase("Softplus", 1).input(floats({4}, {-100, -1, 0, 100})).run1();
  EXPECT_GT(sp.data<float>()[0], 0.0f);
  EXPECT_LT(sp.data<float>()[0], 1e-43f);
  EXPECT_NEAR(sp.data<float>()[1], std::log1p(std::exp(-1.0)), 1e-7);
  EXPECT_NEAR(sp.data<float>()[2], std::log(2.0), 1e-7);
  EXPECT_EQ(sp.data<float>()[3], 100.0f);
  EXPECT_EQ(values<float>(OpCase("Softsign", 1).input(floats({3}, {-3, 0, 1})).run1()),
            (std::vector<float>{-0.75f, 0, 0.5f}));
}

TEST(OpsMath, ExponentialUnitsAndThresholds) {
  const std::vector<float> x = {-3.0f, -1.0f, -1e-4f, 0.0f, 0.5f, 2.0f};
  const Tensor in = floats({6}, x);
  Tensor elu = OpCase("Elu", 6).input(in).run1();
  Tensor elu2 = OpCase("Elu", 6).input(in).attr("alpha", 2.0f).run1();
  Tensor selu = OpCase("Selu", 6).input(in).run1();
  Tensor selu2 = OpCase("Selu", 6).input(in).attr("alpha", 2.0f).attr("gamma", 3.0f).run1();
  Tensor celu = OpCase("Celu", 12).input(in).attr("alpha", 2.0f).run1();
  const double a = 1.67326319217681884765625, g = 1.05070102214813232421875;
  for (size_t i = 0; i < x.size(); ++i) {
    const double v = x[i];
    EXPECT_NEAR(elu.data<float>()[i], v >= 0 ? v : std::expm1(v), 1e-6) << v;
    EXPECT_NEAR(elu2.data<float>()[i], v >= 0 ? v : 2 * std::expm1(v), 1e-6) << v;
    EXPECT_NEAR(selu.data<float>()[i], v > 0 ? g * v : g * a * std::expm1(v), 1e-6) << v;
    EXPECT_NEAR(selu2.data<float>()[i], v > 0 ? 3 * v : 6 * std::expm1(v), 1e-6) << v;
    EXPECT_NEAR(celu.data<float>()[i], std::max(0.0, v) + std::min(0.0, 2 * std::expm1(v / 2)),
                1e-6)
        << v;
  }
  const Tensor t = floats({6}, {-2, -0.5f, 0.25f, 1, 1.5f, 3});
  EXPECT_EQ(values<float>(OpCase("ThresholdedRelu", 10).input(t).run1()),
            (std::vector<float>{0, 0, 0, 0, 1.5f, 3}));
  EXPECT_EQ(values<float>(OpCase("ThresholdedRelu", 10).input(t).attr("alpha", 0.0f).run1()),
            (std::vector<float>{0, 0, 0.25f, 1, 1.5f, 3}));
  // Hard shrink (lambd 0.5, bias 0) and soft shrink (lambd 1, bias 1).
  EXPECT_EQ(values<float>(OpCase("Shrink", 9).input(t).run1()),
            (std::vector<float>{-2, 0, 0, 1, 1.5f, 3}));
  EXPECT_EQ(
      values<float>(OpCase("Shrink", 9).input(t).attr("lambd", 1.0f).attr("bias", 1.0f).run1()),
      (std::vector<float>{-1, 0, 0, 0, 0.5f, 2}));
}

TEST(OpsMath, LargeTensorsTakeTheThreadedDirectPath) {
  // 100K elements: the direct kernel splits them across threads; OpCase compares with reference.
  Tensor x(DType::Float32, {100000});
  for (int64_t i = 0; i < x.numel(); ++i) x.data<float>()[i] = float(i % 2001 - 1000) / 97.0f;
  for (const char* op : {"Neg", "Abs", "Floor", "Ceil", "Round", "Sign", "Reciprocal", "Softsign",
                         "Elu", "Selu", "Celu", "ThresholdedRelu", "Shrink"})
    EXPECT_EQ(OpCase(op, 13).input(x).run1().numel(), 100000) << op;
}

TEST(OpsMath, FloatTests) {
  const float inf = std::numeric_limits<float>::infinity();
  const float nan = std::numeric_limits<float>::quiet_NaN();
  const Tensor x = floats({5}, {-inf, -1, 0, inf, nan});
  EXPECT_EQ(bool_values(OpCase("IsInf", 10).input(x).run1()),
            (std::vector<bool>{true, false, false, true, false}));
  EXPECT_EQ(bool_values(OpCase("IsInf", 10).input(x).attr("detect_negative", int64_t{0}).run1()),
            (std::vector<bool>{false, false, false, true, false}));
  EXPECT_EQ(bool_values(OpCase("IsInf", 10).input(x).attr("detect_positive", int64_t{0}).run1()),
            (std::vector<bool>{true, false, false, false, false}));
  EXPECT_EQ(bool_values(OpCase("IsNaN", 13).input(x).run1()),
            (std::vector<bool>{false, false, false, false, true}));
  EXPECT_EQ(OpCase("IsNaN", 13).input(x).infer1().dtype, DType::Bool);
}

TEST(OpsMath, FlopsAndBadInputs) {
  EXPECT_EQ(OpCase("Log", 13).input(iota({2, 3})).flops(), 6.0);
  EXPECT_EQ(OpCase("IsNaN", 13).input(iota({4})).flops(), 4.0);
  EXPECT_TRUE(throws_with([] { OpCase("Sin", 7).input(int64s({1}, {1})).infer(); },
                          "Sin does not support int64"));
  EXPECT_TRUE(throws_with([] { OpCase("Floor", 13).input(int64s({1}, {1})).infer(); },
                          "Floor does not support int64"));
  EXPECT_TRUE(throws_with([] { OpCase("Elu", 6).infer(); }, "Elu needs an input"));
  EXPECT_TRUE(throws_with([] { OpCase("Celu", 12).input(iota({2})).attr("alpha", 0.0f).infer(); },
                          "alpha must not be 0"));
  EXPECT_TRUE(throws_with([] { OpCase("IsInf", 10).input(int64s({1}, {1})).infer(); },
                          "IsInf needs a float32 input"));
  EXPECT_TRUE(throws_with(
      [] { OpCase("IsInf", 10).input(iota({2})).attr("detect_positive", int64_t{2}).infer(); },
      "detect_positive must be 0 or 1"));
}

TEST(OpsCastLike, TakesTheSecondInputsType) {
  Tensor y =
      OpCase("CastLike", 15).input(floats({3}, {1.7f, -2.5f, 0})).input(int64s({1}, {0})).run1();
  EXPECT_EQ(y.dtype(), DType::Int64);
  EXPECT_EQ(values<int64_t>(y), (std::vector<int64_t>{1, -2, 0}));
  EXPECT_TRUE(throws_with([] { OpCase("CastLike", 15).input(iota({2})).infer(); },
                          "CastLike needs a second input"));
}

TEST(OpsSize, ElementCountAsScalar) {
  Tensor y = OpCase("Size", 13).input(iota({2, 3, 4})).run1();
  EXPECT_EQ(y.shape(), (Shape{}));
  EXPECT_EQ(values<int64_t>(y), (std::vector<int64_t>{24}));
}
