// Einsum: equations of every kind (matmul, batched matmul with axes in any order, transpose,
// trace, diagonal, sums, outer products, three operands, implicit output, ellipsis with
// broadcast) against values computed here with plain loops, every applicable algorithm against
// `reference` (op_test::OpCase runs them all), and the equations and operands that are wrong.
#include <gtest/gtest.h>

#include <functional>
#include <random>

#include "op_test_util.h"

namespace {

using namespace op_test;
using F = std::vector<float>;

Tensor random_tensor(Shape shape, uint32_t seed) {
  Tensor t(DType::Float32, shape);
  std::mt19937 generator(seed);
  std::uniform_real_distribution<float> uniform(-1.0f, 1.0f);
  for (int64_t i = 0; i < t.numel(); ++i) t.data<float>()[i] = uniform(generator);
  return t;
}

OpCase einsum(const std::string& equation, std::vector<Tensor> operands) {
  OpCase c("Einsum", 12);
  c.attr("equation", equation);
  for (auto& t : operands) c.input(std::move(t));
  return c;
}

// Checks `got` against want(index of each output axis), within float accumulation error.
void expect_values(const Tensor& got, const Shape& shape,
                   const std::function<double(const std::vector<int64_t>&)>& want) {
  ASSERT_EQ(got.shape(), shape);
  std::vector<int64_t> index(shape.size(), 0);
  for (int64_t i = 0; i < got.numel(); ++i) {
    int64_t rest = i;
    for (size_t axis = shape.size(); axis-- > 0;) {
      index[axis] = rest % shape[axis];
      rest /= shape[axis];
    }
    EXPECT_NEAR(got.data<float>()[i], want(index), 1e-4) << "element " << i;
  }
}

TEST(Einsum, BatchedMatmulWithAxesInAnyOrder) {
  // y[b,i,k] = sum_j x[b,j,i] * w[k,b,j]: A transposed, B's batch axis in the middle.
  const Tensor x = random_tensor({3, 5, 4}, 1), w = random_tensor({6, 3, 5}, 2);
  const float* xp = x.data<float>();
  const float* wp = w.data<float>();
  Tensor y = einsum("bji, kbj -> bik", {x, w}).run1();
  expect_values(y, {3, 4, 6}, [&](const std::vector<int64_t>& i) {
    double sum = 0;
    for (int64_t j = 0; j < 5; ++j)
      sum += double(xp[(i[0] * 5 + j) * 4 + i[1]]) * wp[(i[2] * 3 + i[0]) * 5 + j];
    return sum;
  });
}

TEST(Einsum, AttentionScoresAndOuterProduct) {
  const Tensor q = random_tensor({2, 3, 7, 8}, 3), k = random_tensor({2, 3, 9, 8}, 4);
  Tensor s = einsum("bhqd,bhkd->bhqk", {q, k}).run1();
  expect_values(s, {2, 3, 7, 9}, [&](const std::vector<int64_t>& i) {
    double sum = 0;
    for (int64_t d = 0; d < 8; ++d)
      sum += double(q.data<float>()[((i[0] * 3 + i[1]) * 7 + i[2]) * 8 + d]) *
             k.data<float>()[((i[0] * 3 + i[1]) * 9 + i[3]) * 8 + d];
    return sum;
  });
  const Tensor u = random_tensor({4}, 5), v = random_tensor({3}, 6);
  Tensor outer = einsum("i,j->ij", {u, v}).run1();
  expect_values(outer, {4, 3}, [&](const std::vector<int64_t>& i) {
    return double(u.data<float>()[i[0]]) * v.data<float>()[i[1]];
  });
}

TEST(Einsum, OneOperandTransposeTraceDiagonalAndSums) {
  const Tensor m = iota({3, 3});
  EXPECT_EQ(values<float>(einsum("ij->ji", {m}).run1()), (F{0, 3, 6, 1, 4, 7, 2, 5, 8}));
  Tensor trace = einsum("ii", {m}).run1();  // implicit output: no label used once -> scalar
  EXPECT_EQ(trace.shape(), Shape{});
  EXPECT_EQ(values<float>(trace), (F{12}));
  EXPECT_EQ(values<float>(einsum("ii->i", {m}).run1()), (F{0, 4, 8}));
  EXPECT_EQ(values<float>(einsum("ij->i", {m}).run1()), (F{3, 12, 21}));
  EXPECT_EQ(values<float>(einsum("ij->", {m}).run1()), (F{36}));
  // Batch diagonal with an ellipsis (ONNX's test_einsum_batch_diagonal, in float).
  Tensor d = einsum("...ii ->...i", {iota({2, 3, 3})}).run1();
  EXPECT_EQ(d.shape(), (Shape{2, 3}));
  EXPECT_EQ(values<float>(d), (F{0, 4, 8, 9, 13, 17}));
}

TEST(Einsum, ImplicitOutputSortsTheLabelsUsedOnce) {
  // "ba" implicit -> "ab": a transpose; "ij,jk" -> "ik".
  EXPECT_EQ(values<float>(einsum("ba", {iota({2, 3})}).run1()), (F{0, 3, 1, 4, 2, 5}));
  Tensor p = einsum("ij,jk", {iota({2, 3}), iota({3, 2})}).run1();
  EXPECT_EQ(p.shape(), (Shape{2, 2}));
  EXPECT_EQ(values<float>(p), (F{10, 13, 28, 40}));
}

TEST(Einsum, EllipsisBroadcastsAcrossOperands) {
  // x[2,1,3,4] against w[5,4,6]: the '...' axes (2,1) and (5) broadcast to (2,5).
  const Tensor x = random_tensor({2, 1, 3, 4}, 7), w = random_tensor({5, 4, 6}, 8);
  Tensor y = einsum("...ij,...jk->...ik", {x, w}).run1();
  expect_values(y, {2, 5, 3, 6}, [&](const std::vector<int64_t>& i) {
    double sum = 0;
    for (int64_t j = 0; j < 4; ++j)
      sum += double(x.data<float>()[(i[0] * 3 + i[2]) * 4 + j]) *
             w.data<float>()[(i[1] * 4 + j) * 6 + i[3]];
    return sum;
  });
}

TEST(Einsum, LabelsSummedInOneOperandAndDiagonalsUnderTheContraction) {
  // y[i] = sum_{j,k} a[i,j,j] * b[j,k]: a's diagonal, and k summed in b alone.
  const Tensor a = random_tensor({3, 4, 4}, 9), b = random_tensor({4, 5}, 10);
  Tensor y = einsum("ijj,jk->i", {a, b}).run1();
  expect_values(y, {3}, [&](const std::vector<int64_t>& i) {
    double sum = 0;
    for (int64_t j = 0; j < 4; ++j)
      for (int64_t k = 0; k < 5; ++k)
        sum += double(a.data<float>()[(i[0] * 4 + j) * 4 + j]) * b.data<float>()[j * 5 + k];
    return sum;
  });
}

TEST(Einsum, ThreeOperandsAndIntegers) {
  // A bilinear form x^T M y per batch row.
  Tensor r = einsum("bi,ij,bj->b", {iota({2, 2}), iota({2, 2}), iota({2, 2})}).run1();
  // Row 0: x=(0,1), y=(0,1): M[1][1] = 3. Row 1: x=(2,3), y=(2,3): 2*2*0 + 2*3*1 + 3*2*2 + 3*3*3.
  EXPECT_EQ(values<float>(r), (F{3, 45}));
  Tensor n = einsum("ij,jk->ik", {int64s({1, 2}, {2, 3}), int64s({2, 1}, {4, 5})}).run1();
  EXPECT_EQ(n.dtype(), DType::Int64);
  EXPECT_EQ(values<int64_t>(n), (std::vector<int64_t>{23}));
}

TEST(Einsum, ContractionAppliesToTwoFloatOperandsOnly) {
  const algoscope::Algorithm* contraction =
      algoscope::Registry::instance().find_algorithm("Einsum", "contraction");
  ASSERT_NE(contraction, nullptr);
  auto reason = [&](OpCase c) {
    algoscope::Layer l = c.layer();
    l.outputs = c.infer();
    return contraction->why_not(l).value_or("");
  };
  EXPECT_EQ(reason(einsum("ij,jk->ik", {iota({2, 3}), iota({3, 2})})), "");
  EXPECT_NE(reason(einsum("ij->ji", {iota({2, 3})})).find("one operand"), std::string::npos);
  EXPECT_NE(reason(einsum("i,i,i->", {iota({2}), iota({2}), iota({2})})).find("more than two"),
            std::string::npos);
  EXPECT_NE(reason(einsum("i,i->", {int64s({2}, {1, 2}), int64s({2}, {1, 2})})).find("float"),
            std::string::npos);
}

TEST(Einsum, WrongEquationsAndOperandsAreErrorsThatSayWhy) {
  const Tensor m = iota({2, 3});
  EXPECT_TRUE(throws_with([&] { einsum("ij,jk->ik", {m}).infer(); }, "2 operand term(s)"));
  EXPECT_TRUE(throws_with([&] { einsum("ijk->i", {m}).infer(); }, "has rank 2"));
  EXPECT_TRUE(throws_with(
      [&] {
        einsum("ij,jk->ik", {m, iota({4, 2})}).infer();
      },
      "label 'j' has extent 3"));
  EXPECT_TRUE(throws_with([&] { einsum("i1->i", {iota({2, 2})}).infer(); }, "not a label"));
  EXPECT_TRUE(throws_with([&] { einsum("ij->iz", {m}).infer(); }, "'z' is in no operand"));
  EXPECT_TRUE(throws_with([&] { einsum("ij->ii", {m}).infer(); }, "appears twice"));
  EXPECT_TRUE(throws_with(
      [&] {
        einsum("...i,...i->...", {iota({2, 3}), iota({4, 3})}).infer();
      },
      "do not broadcast"));
  EXPECT_TRUE(throws_with([&] { einsum("", {m}).infer(); }, "equation"));
  EXPECT_TRUE(throws_with(
      [&] {
        einsum("i,i->", {bools({2}, {true, false}), bools({2}, {true, true})}).infer();
      },
      "not supported"));
}

}  // namespace
