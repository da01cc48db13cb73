// The vectorized `direct` activations against `reference` (sizes around the SIMD widths and the
// 64K-element threading threshold, special values), and the polynomial approximations of
// ops/vector_math.h against the C library over dense sweeps, which is where the maximum errors
// stated in the teaching texts come from.
#include <gtest/gtest.h>

#include <cmath>
#include <cstdlib>
#include <limits>
#include <string>

#include "cpu_features.h"
#include "nn_op_harness.h"
#include "ops/vector_math.h"

namespace {

using namespace nn_test;

const char* kActivations[] = {"Relu", "LeakyRelu", "Sigmoid", "HardSigmoid", "HardSwish",
                              "Tanh", "Erf",       "Sqrt",    "Exp"};

// all_close, except that equal infinities and NaN against NaN also match (special values).
::testing::AssertionResult same_or_close(const Tensor& a, const Tensor& b, double atol,
                                         double rtol) {
  Tensor a2 = Tensor::from_vector(a.shape(), values(a)),
         b2 = Tensor::from_vector(b.shape(), values(b));
  for (int64_t i = 0; i < a.numel(); ++i) {
    float& x = a2.data<float>()[i];
    float& y = b2.data<float>()[i];
    if ((std::isnan(x) && std::isnan(y)) || (std::isinf(x) && x == y)) x = y = 0.0f;
  }
  return all_close(a2, b2, atol, rtol);
}

// ctest runs the Direct* tests again with ALGOSCOPE_ISA=avx2 and =portable, so that every
// level's vectorised loops are checked on one AVX-512 machine; ALGOSCOPE_EXPECT_LEVEL says which
// level that run must be exercising (otherwise the second run would prove nothing).
TEST(SimdVariants, RunAtTheExpectedLevel) {
  const char* want = std::getenv("ALGOSCOPE_EXPECT_LEVEL");
  const char* level = algoscope::cpu::level_name(algoscope::cpu::active_level());
  if (!want) GTEST_SKIP() << "running the " << level << " loops";
  EXPECT_STREQ(level, want);
  EXPECT_NE(algoscope::cpu::machine_text().find(std::string("capped at ") + want),
            std::string::npos)
      << algoscope::cpu::machine_text();
}

void expect_matches(const OpCase& c) {
  const algoscope::Algorithm* direct = c.op().find("direct");
  ASSERT_NE(direct, nullptr);
  const auto ref = c.run("reference");
  const auto got = c.run("direct");
  EXPECT_TRUE(same_or_close(got[0], ref[0], direct->tolerance.atol, direct->tolerance.rtol))
      << c.op().op_type;
}

TEST(DirectUnary, MatchesReferenceOverSizes) {
  for (const char* op : kActivations) {
    for (int64_t n : {1, 3, 7, 16, 17, 33, 100, 1000, 16385, 65536, 70001}) {
      OpCase c(op, 13);
      const float lo = std::string(op) == "Sqrt" ? 0.0f : -10.0f;
      c.input(random_tensor({n}, static_cast<uint32_t>(n), lo, 10.0f));
      if (std::string(op) == "LeakyRelu") c.f("alpha", 0.1f);
      if (std::string(op) == "HardSigmoid") c.f("alpha", 0.3f).f("beta", 0.4f);
      expect_matches(c);
    }
    OpCase c(op, 13);
    c.input(random_tensor({2, 3, 5, 7}, 9, -3.0f, 3.0f));
    expect_matches(c);
  }
}

TEST(DirectUnary, SpecialValues) {
  const float inf = std::numeric_limits<float>::infinity();
  const std::vector<float> v = {0.0f,  -0.0f,  1e-30f, -1e-30f, 1e-6f, -1e-6f, 0.6249f, 0.6251f,
                                0.49f, 0.51f,  20.0f,  -20.0f,  88.0f, -87.0f, 88.8f,   -88.0f,
                                -100,  100.0f, inf,    -inf,    5.0f,  -5.0f,  1.0f,    -1.0f};
  for (const char* op : {"Sigmoid", "Tanh", "Erf", "Exp", "Relu"}) {
    OpCase c(op, 13);
    c.input(Tensor::from_vector({static_cast<int64_t>(v.size())}, v));
    expect_matches(c);
  }
  OpCase nan("Exp", 13);
  nan.input(Tensor::from_vector(Shape{1}, std::vector<float>{std::nanf("")}));
  EXPECT_TRUE(std::isnan(nan.run("direct")[0].data<float>()[0]));
}

TEST(DirectUnary, IsTheDefaultAndLeavesIntegersToReference) {
  OpCase f("Relu", 13);
  f.input(random_tensor({4}, 1));
  EXPECT_EQ(algoscope::Registry::instance().default_algorithm(f.layer()).name, "direct");
  Tensor t(DType::Int64, {3});
  OpCase i("Relu", 13);
  i.input(std::move(t));
  const auto why = f.op().find("direct")->why_not(i.layer());
  ASSERT_TRUE(why.has_value());
  EXPECT_NE(why->find("float32"), std::string::npos);
  EXPECT_EQ(algoscope::Registry::instance().default_algorithm(i.layer()).name, "reference");
}

// Max error in ulps of the float result against the double-precision function.
template <class F, class G>
double max_ulp(F approx, G exact, float lo, float hi, int steps, double abs_floor = 0.0) {
  double worst = 0.0;
  for (int i = 0; i <= steps; ++i) {
    const float x = lo + (hi - lo) * static_cast<float>(i) / static_cast<float>(steps);
    const double want = exact(static_cast<double>(x));
    const double got = approx(x);
    // ilogb(0) is INT_MIN: a zero result is judged by the absolute floor (or the smallest normal).
    const float want_f = static_cast<float>(want);
    const double ulp = want_f == 0.0f || !std::isfinite(want_f)
                           ? std::max(abs_floor, double(std::numeric_limits<float>::min()))
                           : std::max(std::ldexp(1.0, std::ilogb(want_f) - 23), abs_floor);
    worst = std::max(worst, std::fabs(got - want) / ulp);
  }
  return worst;
}

TEST(DirectUnary, PolynomialErrorsAgainstLibm) {
  using namespace algoscope::ops::vmath;
  const double exp_ulp = max_ulp([](float x) { return exp_approx(x); },
                                 [](double x) { return std::exp(x); }, -87.0f, 88.0f, 2000000);
  const double sig_ulp =
      max_ulp([](float x) { return sigmoid_approx(x); },
              [](double x) { return 1.0 / (1.0 + std::exp(-x)); }, -80.0f, 20.0f, 2000000);
  const double tanh_ulp = max_ulp([](float x) { return tanh_approx(x); },
                                  [](double x) { return std::tanh(x); }, -10.0f, 10.0f, 2000000);
  double erf_abs = 0.0, erf_rel = 0.0;
  for (int i = 0; i <= 2000000; ++i) {
    const float x = -6.0f + 12.0f * static_cast<float>(i) / 2000000.0f;
    const double d = std::fabs(erf_approx(x) - std::erf(static_cast<double>(x)));
    erf_abs = std::max(erf_abs, d);
    if (x != 0.0f) erf_rel = std::max(erf_rel, d / std::fabs(std::erf(static_cast<double>(x))));
  }
  std::printf(
      "max error: exp %.2f ulp, sigmoid %.2f ulp, tanh %.2f ulp, erf %.3g abs "
      "(%.3g rel)\n",
      exp_ulp, sig_ulp, tanh_ulp, erf_abs, erf_rel);
  EXPECT_LE(exp_ulp, 3.0);
  EXPECT_LE(sig_ulp, 4.0);
  EXPECT_LE(tanh_ulp, 4.0);
  // GELU needs erf to about 1e-7 (vector_math.h measures 1.5e-7 absolute, 1.8e-7 relative).
  EXPECT_LE(erf_abs, 2e-7);
  EXPECT_LE(erf_rel, 2.5e-7);
}

}  // namespace
