// Our cache-blocked GEMM (blocked_gemm/blocked_gemm.h) against a naive double-accumulating loop:
// shapes from 1 to a few hundred that straddle the micro-tile (MR, NR) and cache-block (KC, MC, NC)
// edges, every transpose combination, alpha/beta (beta 0 must not read C), leading dimensions wider
// than the rows, the pre-packed path, 1 and 2 threads, for every micro-kernel this CPU can run (the
// AVX2 and portable kernels are forced through cpu::cap_level on an AVX-512 machine). Then the Gemm
// and MatMul `blocked` algorithms against `reference` through OpCase.
#include <gtest/gtest.h>
#include <omp.h>

#include <array>
#include <cmath>
#include <limits>
#include <optional>
#include <random>
#include <sstream>
#include <vector>

#include "algoscope/registry.h"
#include "blocked_gemm/blocked_gemm.h"
#include "cpu_features.h"
#include "nn_op_harness.h"

using namespace nn_test;
namespace bg = algoscope::blocked_gemm;
namespace cpu = algoscope::cpu;

namespace {

struct Case {
  int64_t m, n, k;
  bool ta, tb;
  float alpha, beta;
  int64_t pad_a = 0, pad_b = 0, pad_c = 0;  // leading dimension minus row length
};

std::string describe(const Case& c) {
  std::ostringstream s;
  s << "m=" << c.m << " n=" << c.n << " k=" << c.k << " ta=" << c.ta << " tb=" << c.tb
    << " alpha=" << c.alpha << " beta=" << c.beta << " pads=" << c.pad_a << "," << c.pad_b << ","
    << c.pad_c;
  return s.str();
}

std::vector<float> random_vector(size_t size, uint32_t seed) {
  std::mt19937 rng(seed);
  std::uniform_real_distribution<float> dist(-1.0f, 1.0f);
  std::vector<float> v(size);
  for (float& x : v) x = dist(rng);
  return v;
}

// Runs one case through sgemm (or pack_b + sgemm_prepacked) and checks every element of C against
// double accumulation, with a bound relative to sum |alpha a b| + |beta c|, and that the padding
// columns of C are untouched.
::testing::AssertionResult check(const Case& c, bool prepacked, uint32_t seed) {
  const int64_t a_rows = c.ta ? c.k : c.m, a_cols = c.ta ? c.m : c.k;
  const int64_t b_rows = c.tb ? c.n : c.k, b_cols = c.tb ? c.k : c.n;
  const int64_t lda = a_cols + c.pad_a, ldb = b_cols + c.pad_b, ldc = c.n + c.pad_c;
  const std::vector<float> a = random_vector(std::max<int64_t>(1, a_rows * lda), seed);
  const std::vector<float> b = random_vector(std::max<int64_t>(1, b_rows * ldb), seed + 1);
  std::vector<float> c0 = random_vector(std::max<int64_t>(1, c.m * ldc), seed + 2);
  // beta == 0 must not read C: poison it.
  if (c.beta == 0.0f)
    for (int64_t i = 0; i < c.m; ++i)
      for (int64_t j = 0; j < c.n; ++j) c0[i * ldc + j] = std::nanf("");
  std::vector<float> out = c0;
  if (prepacked) {
    const bg::PackedMatrix packed = bg::pack_b(c.tb, c.k, c.n, b.data(), std::max<int64_t>(1, ldb));
    bg::sgemm_prepacked(c.ta, c.m, c.alpha, a.data(), std::max<int64_t>(1, lda), packed, c.beta,
                        out.data(), std::max<int64_t>(1, ldc));
  } else {
    bg::sgemm(c.ta, c.tb, c.m, c.n, c.k, c.alpha, a.data(), std::max<int64_t>(1, lda), b.data(),
              std::max<int64_t>(1, ldb), c.beta, out.data(), std::max<int64_t>(1, ldc));
  }
  for (int64_t i = 0; i < c.m; ++i) {
    for (int64_t j = 0; j < ldc; ++j) {
      const float got = out[i * ldc + j];
      if (j >= c.n) {
        if (!(got == c0[i * ldc + j]) && !(std::isnan(got) && std::isnan(c0[i * ldc + j])))
          return ::testing::AssertionFailure() << "padding C[" << i << "," << j << "] changed";
        continue;
      }
      double sum = 0.0, magnitude = 0.0;
      for (int64_t p = 0; p < c.k; ++p) {
        const double av = c.ta ? a[p * lda + i] : a[i * lda + p];
        const double bv = c.tb ? b[j * ldb + p] : b[p * ldb + j];
        sum += av * bv;
        magnitude += std::fabs(av * bv);
      }
      double expected = double(c.alpha) * sum;
      magnitude *= std::fabs(c.alpha);
      if (c.beta != 0.0f) {
        expected += double(c.beta) * c0[i * ldc + j];
        magnitude += std::fabs(double(c.beta) * c0[i * ldc + j]);
      }
      const double bound = 1e-6 + 1e-5 * magnitude;
      if (!(std::fabs(got - expected) <= bound))
        return ::testing::AssertionFailure()
               << "C[" << i << "," << j << "] = " << got << ", expected " << expected << " (bound "
               << bound << ")";
    }
  }
  return ::testing::AssertionSuccess();
}

std::vector<cpu::IsaLevel> runnable_isas() {
  std::vector<cpu::IsaLevel> isas = {cpu::IsaLevel::Portable};
  if (cpu::detected_level() >= cpu::IsaLevel::Avx2) isas.push_back(cpu::IsaLevel::Avx2);
  if (cpu::detected_level() >= cpu::IsaLevel::Avx512) isas.push_back(cpu::IsaLevel::Avx512);
  return isas;
}

// Forces one micro-kernel for the test and restores detection and the thread count afterwards.
class BlockedGemm : public ::testing::TestWithParam<cpu::IsaLevel> {
 protected:
  void SetUp() override {
    threads_ = omp_get_max_threads();
    cpu::cap_level(GetParam());
  }
  void TearDown() override {
    cpu::cap_level(std::nullopt);
    omp_set_num_threads(threads_);
  }
  int threads_ = 1;
};

// Calls check_case(shape, transpose_a, transpose_b, index) for every {M, N, K} shape and transpose
// pair, at one thread and at two, with index counting the calls from 1 (the cases vary their other
// parameters by it); stops at the first case that fails.
template <class CheckCase>
void for_shapes_and_transposes(const std::vector<std::array<int64_t, 3>>& shapes,
                               CheckCase check_case) {
  uint32_t index = 0;
  for (int threads : {1, 2}) {
    omp_set_num_threads(threads);
    for (const auto& s : shapes)
      for (bool ta : {false, true})
        for (bool tb : {false, true})
          ASSERT_TRUE(check_case(s, ta, tb, ++index)) << " threads=" << threads;
  }
}

TEST_P(BlockedGemm, SmallShapesAroundTileEdges) {
  // Around MR (4, 6, 14) and NR (16, 32) of every kernel, every transpose pair, alpha/beta forms.
  const std::vector<int64_t> sizes = {1, 2, 3, 5, 6, 7, 13, 14, 15, 16, 17, 28, 31, 32, 33, 45};
  const std::vector<int64_t> depths = {1, 7, 64, 257};
  const float alphas[] = {1.0f, 0.5f, -1.5f};
  const float betas[] = {0.0f, 1.0f, 0.25f};
  uint32_t seed = 1, index = 0;
  for (int threads : {1, 2}) {
    omp_set_num_threads(threads);
    for (int64_t m : sizes)
      for (int64_t n : sizes)
        for (int64_t k : depths) {
          ++index;
          const Case c{
              m, n, k, bool(index & 1), bool(index & 2), alphas[index % 3], betas[(index / 3) % 3],
              0, 0, 0};
          ASSERT_TRUE(check(c, false, seed += 3)) << describe(c) << " threads=" << threads;
        }
  }
}

TEST_P(BlockedGemm, LargerShapesEveryTransposeAndLeadingDimensions) {
  // Primes, sizes just past the cache blocks (KC = 256, MC = 336 / 288 / 128, NC = 1024 per
  // thread), the ResNet-50 FC shape.
  const std::vector<std::array<int64_t, 3>> shapes = {
      {97, 257, 300},  {300, 97, 513}, {128, 128, 128}, {1, 1000, 600}, {32, 1000, 300},
      {257, 33, 1000}, {341, 67, 259}, {20, 2100, 40},  {7, 1030, 17},  {2, 3, 2049}};
  const std::vector<std::array<float, 2>> scalars = {{1.0f, 0.0f}, {0.5f, 1.0f}, {-1.5f, 0.25f}};
  uint32_t seed = 1000;
  for_shapes_and_transposes(shapes, [&](const auto& s, bool ta, bool tb, uint32_t index) {
    const auto& ab = scalars[index % scalars.size()];
    const int64_t pad = index % 2 ? 0 : 3 + index % 5;
    const Case c{s[0], s[1], s[2], ta, tb, ab[0], ab[1], pad, pad + 1, pad + 2};
    return check(c, false, seed += 3) << describe(c);
  });
}

TEST_P(BlockedGemm, PrepackedB) {
  const std::vector<std::array<int64_t, 3>> shapes = {
      {1, 1, 1},     {1, 1000, 600}, {32, 1000, 300}, {5, 17, 3},     {14, 32, 256},
      {15, 33, 257}, {97, 257, 300}, {300, 97, 513},  {20, 2100, 40}, {341, 67, 259}};
  uint32_t seed = 5000;
  for_shapes_and_transposes(shapes, [&](const auto& s, bool ta, bool tb, uint32_t index) {
    const Case c{s[0],
                 s[1],
                 s[2],
                 ta,
                 tb,
                 index % 3 ? 1.0f : 0.75f,
                 index % 4 ? 0.0f : 0.5f,
                 int64_t(index % 3),
                 int64_t(index % 2),
                 1};
    return check(c, true, seed += 3) << describe(c);
  });
  const bg::PackedMatrix packed = bg::pack_b(false, 3, 5, random_vector(15, 1).data(), 5);
  EXPECT_EQ(packed.k(), 3);
  EXPECT_EQ(packed.n(), 5);
  EXPECT_EQ(packed.isa(), GetParam());
  EXPECT_GE(packed.bytes(), 3u * 5u * sizeof(float));
}

TEST_P(BlockedGemm, PrepackedColumnRanges) {
  // Threads that split the output columns share one packed B: each range must produce exactly
  // its columns of the full product and leave the others alone.
  const int64_t m = 37, k = 300, n = 200;
  const std::vector<float> a = random_vector(size_t(m * k), 71),
                           b = random_vector(size_t(k * n), 72);
  const bg::PackedMatrix packed = bg::pack_b(false, k, n, b.data(), n);
  const int64_t w = packed.panel_width();
  ASSERT_GT(w, 0);
  std::vector<float> full(size_t(m * n));
  bg::sgemm_prepacked(false, m, 1.0f, a.data(), k, packed, 0.0f, full.data(), n);
  for (int threads : {1, 2}) {
    omp_set_num_threads(threads);
    for (const auto& [col0, cols] : std::vector<std::pair<int64_t, int64_t>>{
             {0, n}, {0, w}, {w, n - w}, {2 * w, 1}, {n / w * w, n % w}, {w, 0}}) {
      SCOPED_TRACE("columns " + std::to_string(col0) + " + " + std::to_string(cols));
      std::vector<float> out(size_t(m * n), -7.0f);
      bg::sgemm_prepacked_columns(false, m, 1.0f, a.data(), k, packed, col0, cols, 0.0f, out.data(),
                                  n);
      for (int64_t i = 0; i < m; ++i)
        for (int64_t j = 0; j < n; ++j) {
          const bool inside = j >= col0 && j < col0 + cols;
          ASSERT_EQ(out[i * n + j], inside ? full[i * n + j] : -7.0f) << i << "," << j;
        }
    }
  }
  std::vector<float> out(size_t(m * n));
  if (w > 1)
    EXPECT_THROW(
        bg::sgemm_prepacked_columns(false, m, 1.0f, a.data(), k, packed, 1, 4, 0.0f, out.data(), n),
        algoscope::Error);
  EXPECT_THROW(bg::sgemm_prepacked_columns(false, m, 1.0f, a.data(), k, packed, 0, n + 1, 0.0f,
                                           out.data(), n),
               algoscope::Error);
}

TEST_P(BlockedGemm, DegenerateSizes) {
  // k == 0 or alpha == 0: C = beta * C (zeros for beta == 0, even over NaNs); m or n == 0: no-op.
  for (bool prepacked : {false, true}) {
    EXPECT_TRUE(check(Case{4, 5, 0, false, false, 1.0f, 0.0f}, prepacked, 1));
    EXPECT_TRUE(check(Case{4, 5, 0, false, true, 1.0f, 0.5f}, prepacked, 2));
    EXPECT_TRUE(check(Case{4, 5, 3, false, false, 0.0f, 2.0f}, prepacked, 3));
    EXPECT_TRUE(check(Case{4, 5, 3, true, false, 0.0f, 0.0f}, prepacked, 4));
    EXPECT_TRUE(check(Case{0, 5, 3, false, false, 1.0f, 1.0f}, prepacked, 5));
    EXPECT_TRUE(check(Case{4, 0, 3, false, false, 1.0f, 1.0f}, prepacked, 6));
  }
}

INSTANTIATE_TEST_SUITE_P(Kernels, BlockedGemm, ::testing::ValuesIn(runnable_isas()),
                         [](const auto& info) { return std::string(cpu::level_name(info.param)); });

TEST(BlockedGemmApi, DetectionOverrideAndBadArguments) {
  EXPECT_EQ(cpu::active_level(), cpu::detected_level());
  cpu::cap_level(cpu::IsaLevel::Portable);
  EXPECT_EQ(cpu::active_level(), cpu::IsaLevel::Portable);
  cpu::cap_level(std::nullopt);
  EXPECT_EQ(cpu::active_level(), cpu::detected_level());
  float x[4] = {};
  EXPECT_TRUE(throws_with([&] { bg::sgemm(false, false, 2, 2, 2, 1, x, 1, x, 2, 0, x, 2); },
                          "leading dimension of A"));
  EXPECT_TRUE(throws_with([&] { bg::sgemm(false, false, 2, 2, 2, 1, x, 2, x, 1, 0, x, 2); },
                          "leading dimension of B"));
  EXPECT_TRUE(throws_with([&] { bg::sgemm(false, false, 2, 2, 2, 1, x, 2, x, 2, 0, x, 1); },
                          "leading dimension of C"));
}

// ---- The `blocked` algorithms of Gemm and MatMul against `reference`.

const algoscope::Tolerance& tolerance(const std::string& op) {
  return algoscope::Registry::instance().find_algorithm(op, "blocked")->tolerance;
}

void expect_matches_reference(const OpCase& c, const std::string& op) {
  const auto expected = c.run("reference");
  const auto got = c.run("blocked");
  ASSERT_EQ(got.size(), 1u);
  EXPECT_TRUE(all_close(got[0], expected[0], tolerance(op).atol, tolerance(op).rtol));
}

TEST(OpsGemmBlocked, MatchesReferenceWithConstantAndRuntimeB) {
  const int64_t shapes[][3] = {{1, 1, 1},        {5, 7, 4},     {1, 1000, 2048},
                               {32, 1000, 2048}, {33, 65, 257}, {100, 17, 300}};
  const std::vector<Shape> c_forms = {{}, {1}, {0}, {1, 0}, {0, 1}, {0, 0}};  // 0: m or n
  uint32_t seed = 1, index = 0;
  for (const auto& s : shapes)
    for (bool ta : {false, true})
      for (bool tb : {false, true})
        for (bool constant_b : {false, true}) {
          const int64_t m = s[0], n = s[1], k = s[2];
          ++index;
          Shape cs = c_forms[index % c_forms.size()];
          if (cs.size() == 1 && cs[0] == 0) cs[0] = n;
          if (cs.size() == 2) cs = {cs[0] == 0 ? m : 1, cs[1] == 0 ? n : 1};
          SCOPED_TRACE(testing::Message()
                       << "m=" << m << " n=" << n << " k=" << k << " ta=" << ta << " tb=" << tb
                       << " constant B=" << constant_b << " C=" << algoscope::shape_to_string(cs));
          OpCase c("Gemm", 13);
          c.input(random_tensor(ta ? Shape{k, m} : Shape{m, k}, seed++))
              .input(random_tensor(tb ? Shape{n, k} : Shape{k, n}, seed++), constant_b);
          if (index % 4 != 0) c.input(random_tensor(cs, seed++));
          c.i("transA", ta).i("transB", tb);
          if (index % 3 == 1) c.f("alpha", 0.5f).f("beta", -2.0f);
          if (index % 5 == 2) c.f("beta", 0.0f);
          expect_matches_reference(c, "Gemm");
        }
}

TEST(OpsGemmBlocked, ApplicableToEveryValidGemmAndSaysWhyNot) {
  OpCase good("Gemm", 13);
  good.input(random_tensor({3, 4}, 1)).input(random_tensor({4, 5}, 2), true);
  algoscope::Layer layer = good.layer();
  const auto* algo = algoscope::Registry::instance().find_algorithm("Gemm", "blocked");
  ASSERT_NE(algo, nullptr);
  EXPECT_FALSE(algo->why_not(layer).has_value());
  OpCase bad("Gemm", 13);
  bad.input(random_tensor({3, 4}, 1)).input(random_tensor({5, 5}, 2));
  const auto why = algo->why_not(bad.layer());
  ASSERT_TRUE(why.has_value());
  EXPECT_NE(why->find("inner dimensions"), std::string::npos) << *why;
}

TEST(OpsMatMulBlocked, MatchesReferenceOverBatchForms) {
  struct M {
    Shape a, b;
  };
  const std::vector<M> cases = {
      {{1, 2048}, {2048, 1000}},       // FC, batch 1
      {{32, 2048}, {2048, 1000}},      // FC, batch 32
      {{7}, {7, 5}},                   // 1-D A
      {{3, 7}, {7}},                   // 1-D B
      {{7}, {7}},                      // dot product
      {{2, 3, 5, 33}, {33, 40}},       // shared B: one tall GEMM
      {{4, 9, 17}, {4, 17, 31}},       // batched B, small: a matrix per thread
      {{2, 1, 6, 8}, {3, 8, 5}},       // broadcast batch axes
      {{1, 6, 8}, {3, 8, 5}},          // A broadcast over B's batch
      {{2, 150, 130}, {2, 130, 140}},  // batched, larger than the per-thread threshold
      {{0, 4}, {4, 3}},                // empty
      {{2, 3, 0}, {0, 5}}};            // k == 0
  uint32_t seed = 100;
  for (const M& mc : cases)
    for (bool constant_b : {false, true}) {
      SCOPED_TRACE(testing::Message()
                   << algoscope::shape_to_string(mc.a) << " x " << algoscope::shape_to_string(mc.b)
                   << " constant B=" << constant_b);
      OpCase c("MatMul", 13);
      c.input(random_tensor(mc.a, seed++)).input(random_tensor(mc.b, seed++), constant_b);
      expect_matches_reference(c, "MatMul");
    }
}

TEST(OpsMatMulBlocked, ForcedAvx2AndPortableKernels) {
  for (cpu::IsaLevel isa : runnable_isas()) {
    SCOPED_TRACE(cpu::level_name(isa));
    cpu::cap_level(isa);
    OpCase c("MatMul", 13);
    c.input(random_tensor({3, 37, 70}, 1)).input(random_tensor({70, 45}, 2), true);
    expect_matches_reference(c, "MatMul");
    OpCase g("Gemm", 13);
    g.input(random_tensor({19, 70}, 3))
        .input(random_tensor({45, 70}, 4), true)
        .input(random_tensor({45}, 5))
        .i("transB", 1);
    expect_matches_reference(g, "Gemm");
  }
  cpu::cap_level(std::nullopt);
}

}  // namespace
