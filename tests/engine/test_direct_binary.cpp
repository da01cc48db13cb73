// The vectorized `direct` Add/Sub/Mul/Div/Pow against `reference` over broadcast patterns (equal
// shapes, scalars both ways, a row, a column, a channel bias [1, C, 1, 1], two-sided broadcasts)
// on tiny, odd and above-threshold sizes, and its applicability rules.
#include <gtest/gtest.h>

#include "nn_op_harness.h"

namespace {

using namespace nn_test;

struct Pattern {
  Shape a, b;
};

const Pattern kPatterns[] = {
    {{1}, {1}},
    {{7}, {7}},
    {{2, 3, 5, 7}, {2, 3, 5, 7}},
    {{2, 3, 5, 7}, {}},
    {{}, {2, 3, 5, 7}},
    {{197, 768}, {768}},
    {{197, 768}, {197, 1}},
    {{1, 197, 768}, {1, 197, 1}},
    {{3, 17, 9, 11}, {1, 17, 1, 1}},
    {{1, 17, 1, 1}, {3, 17, 9, 11}},
    {{1, 256, 56, 56}, {1, 256, 56, 56}},
    {{1, 256, 56, 56}, {1, 256, 1, 1}},
    {{1, 256, 56, 56}, {1}},
    {{5, 1, 33}, {1, 4, 1}},
    {{300, 1}, {1, 301}},
    {{70000}, {70000}},
    {{2, 40000}, {40000}},
};

TEST(DirectBinary, MatchesReferenceOverBroadcastPatterns) {
  uint32_t seed = 1;
  for (const char* op : {"Add", "Sub", "Mul", "Div"}) {
    for (const Pattern& p : kPatterns) {
      OpCase c(op, 14);
      c.input(random_tensor(p.a, seed++, 0.5f, 2.0f));
      c.input(random_tensor(p.b, seed++, -2.0f, -0.5f));
      EXPECT_TRUE(direct_is_default_and_matches_reference(c))
          << op << " " << algoscope::shape_to_string(p.a) << " " << algoscope::shape_to_string(p.b);
    }
  }
}

// With operands of the output's shape the kernel runs in a neighbour's native layout. A blocked
// layout may pad the channels (20 channels in 16-wide blocks take 32), so after use_any_layout the
// kernel must cover the whole storage, not the plain element count: every element, padding
// included, is a + b. With a broadcast operand it must not claim to work in any layout.
TEST(DirectBinary, InAnyLayoutCoversThePaddedStorage) {
  OpCase c("Add", 14);
  c.input(random_tensor({1, 20, 7, 7}, 1)).input(random_tensor({1, 20, 7, 7}, 2));
  const algoscope::Algorithm* direct = c.op().find("direct");
  ASSERT_NE(direct, nullptr);
  const std::unique_ptr<algoscope::Kernel> kernel = direct->prepare(c.layer());
  ASSERT_TRUE(kernel->works_in_any_layout());
  const int64_t padded = 32 * 7 * 7;
  kernel->use_any_layout(padded * sizeof(float));
  const Tensor a = random_tensor({padded}, 3), b = random_tensor({padded}, 4);
  Tensor y(algoscope::DType::Float32, {padded});
  algoscope::KernelIO io{{&a, &b}, {&y}};
  kernel->run(io);
  for (int64_t i = 0; i < padded; ++i)
    ASSERT_EQ(y.data<float>()[i], a.data<float>()[i] + b.data<float>()[i]) << i;

  OpCase bias("Add", 14);
  bias.input(random_tensor({1, 20, 7, 7}, 5)).input(random_tensor({1, 20, 1, 1}, 6));
  EXPECT_FALSE(direct->prepare(bias.layer())->works_in_any_layout());
}

TEST(DirectBinary, PowWithConstantExponent) {
  for (float e : {1.0f, 2.0f, 3.0f}) {
    for (Shape s : {Shape{1}, Shape{197, 768}, Shape{3, 5, 7}, Shape{70001}}) {
      OpCase c("Pow", 15);
      c.input(random_tensor(s, 3, -3.0f, 3.0f));
      c.input(Tensor::from_vector(Shape{}, std::vector<float>{e}), true);
      const algoscope::Algorithm* direct = c.op().find("direct");
      ASSERT_FALSE(direct->why_not(c.layer()));
      EXPECT_TRUE(all_close(c.run("direct")[0], c.run("reference")[0], direct->tolerance.atol,
                            direct->tolerance.rtol))
          << e;
    }
  }
}

TEST(DirectBinary, NotApplicableExplains) {
  const algoscope::OpDefinition* pow = algoscope::Registry::instance().find_op("Pow");
  {
    OpCase c("Pow", 15);
    c.input(random_tensor({4}, 1)).input(random_tensor({1}, 2));  // runtime exponent
    auto why = pow->find("direct")->why_not(c.layer());
    ASSERT_TRUE(why);
    EXPECT_NE(why->find("constant"), std::string::npos);
    EXPECT_EQ(algoscope::Registry::instance().default_algorithm(c.layer()).name, "reference");
  }
  {
    OpCase c("Pow", 15);
    c.input(random_tensor({4}, 1))
        .input(Tensor::from_vector(Shape{}, std::vector<float>{0.5f}), true);
    EXPECT_TRUE(pow->find("direct")->why_not(c.layer()));
  }
  {
    OpCase c("Add", 14);
    c.input(Tensor(DType::Int64, {3})).input(Tensor(DType::Int64, {3}));
    auto why = c.op().find("direct")->why_not(c.layer());
    ASSERT_TRUE(why);
    EXPECT_NE(why->find("float32"), std::string::npos);
  }
}

}  // namespace
