// Gemm: shape inference, the reference algorithm against an independent double formula
// (transA/transB, alpha/beta, every broadcast form of C, omitted C), openblas against it, FLOPs,
// and invalid nodes.
#include <gtest/gtest.h>

#include "nn_op_harness.h"

using namespace nn_test;

namespace {

// Y = alpha * op(A) op(B) + beta * C, C given already broadcast as a function of (i, j).
template <class CFn>
Tensor naive_gemm(const Tensor& a, const Tensor& b, bool ta, bool tb, float alpha, float beta,
                  CFn c) {
  const int64_t m = ta ? a.dim(1) : a.dim(0), k = ta ? a.dim(0) : a.dim(1);
  const int64_t n = tb ? b.dim(0) : b.dim(1);
  Tensor y(DType::Float32, {m, n});
  for (int64_t i = 0; i < m; ++i)
    for (int64_t j = 0; j < n; ++j) {
      double s = 0;
      for (int64_t p = 0; p < k; ++p)
        s += double(ta ? a.data<float>()[p * m + i] : a.data<float>()[i * k + p]) *
             (tb ? b.data<float>()[j * k + p] : b.data<float>()[p * n + j]);
      y.data<float>()[i * n + j] = float(alpha * s + beta * c(i, j));
    }
  return y;
}

}  // namespace

// Every registered host Gemm algorithm (openblas, blocked, onednn when built, plugins): each must
// pass the same cases. The GPU ones (device memory) are tests/cuda's.
std::vector<std::string> gemm_algorithms(bool with_reference) {
  std::vector<std::string> names;
  for (const auto& a : algoscope::Registry::instance().find_op("Gemm")->algorithms)
    if ((with_reference || a.name != "reference") && a.backend != algoscope::Backend::Cuda)
      names.push_back(a.name);
  return names;
}

TEST(OpsGemm, HandComputedExample) {
  OpCase c("Gemm", 13);
  c.input(Tensor::from_vector<float>({2, 3}, {1, 2, 3, 4, 5, 6}))
      .input(Tensor::from_vector<float>({3, 2}, {1, 0, 0, 1, 1, 1}))
      .input(Tensor::from_vector<float>({2}, {10, 20}))
      .f("alpha", 2.0f)
      .f("beta", 0.5f);
  // A*B = [[4, 5], [10, 11]]
  for (const std::string& algo : gemm_algorithms(true)) {
    auto y = c.run(algo);
    EXPECT_EQ(y[0].shape(), (Shape{2, 2}));
    EXPECT_TRUE(all_close(y[0], {13, 20, 25, 32}));
  }
}

TEST(OpsGemm, TransposesAndBroadcastC) {
  const int64_t m = 5, n = 7, k = 4;
  const std::vector<Shape> c_shapes = {{}, {1}, {n}, {1, n}, {m, 1}, {m, n}, {1, 1}};
  uint32_t seed = 1;
  for (bool ta : {false, true})
    for (bool tb : {false, true})
      for (const Shape& cs : c_shapes) {
        SCOPED_TRACE(testing::Message() << "transA=" << ta << " transB=" << tb
                                        << " C=" << algoscope::shape_to_string(cs));
        Tensor a = random_tensor(ta ? Shape{k, m} : Shape{m, k}, seed++);
        Tensor b = random_tensor(tb ? Shape{n, k} : Shape{k, n}, seed++);
        Tensor cc = random_tensor(cs, seed++);
        auto cval = [&](int64_t i, int64_t j) -> double {
          if (cs.empty()) return cc.data<float>()[0];
          if (cs.size() == 1) return cc.data<float>()[cs[0] == 1 ? 0 : j];
          return cc.data<float>()[(cs[0] == 1 ? 0 : i) * cs[1] + (cs[1] == 1 ? 0 : j)];
        };
        const Tensor expected = naive_gemm(a, b, ta, tb, 0.25f, 0.35f, cval);
        OpCase c("Gemm", 11);
        c.input(a.clone()).input(b.clone()).input(cc.clone());
        c.i("transA", ta).i("transB", tb).f("alpha", 0.25f).f("beta", 0.35f);
        EXPECT_EQ(c.infer()[0].shape, (Shape{m, n}));
        EXPECT_TRUE(all_close(c.run("reference")[0], expected, 1e-6, 1e-6));
        for (const std::string& algo : gemm_algorithms(false))
          EXPECT_TRUE(all_close(c.run(algo)[0], expected, 1e-5, 1e-4)) << algo;
      }
}

TEST(OpsGemm, WithoutCAndLarger) {
  Tensor a = random_tensor({67, 131}, 3), b = random_tensor({131, 45}, 4);
  const Tensor expected =
      naive_gemm(a, b, false, false, 1.0f, 0.0f, [](int64_t, int64_t) { return 0.0; });
  OpCase c("Gemm", 13);
  c.input(a.clone()).input(b.clone(), true);
  EXPECT_TRUE(all_close(c.run("reference")[0], expected, 1e-6, 1e-6));
  for (const std::string& algo : gemm_algorithms(false))
    EXPECT_TRUE(all_close(c.run(algo)[0], expected, 1e-4, 1e-3)) << algo;
  // An explicitly omitted C ("" input) is the same.
  OpCase d("Gemm", 13);
  d.input(a.clone()).input(b.clone()).absent();
  for (const std::string& algo : gemm_algorithms(false))
    EXPECT_TRUE(all_close(d.run(algo)[0], expected, 1e-4, 1e-3)) << algo;
  EXPECT_DOUBLE_EQ(d.op().flop_count(d.layer()), 2.0 * 67 * 131 * 45);
}

TEST(OpsGemm, InvalidNodesThrow) {
  EXPECT_TRUE(infer_throws_with("Gemm", {{2, 3}, {4, 2}}, "inner dimensions"));
  EXPECT_TRUE(infer_throws_with("Gemm", {{2, 3, 1}, {3, 2}}, "must be 2-D"));
  EXPECT_TRUE(infer_throws_with("Gemm", {{2, 3}, {3, 4}, {3}}, "cannot be broadcast"));
}
