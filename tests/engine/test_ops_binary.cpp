// Unit tests of the binary family (Add, Sub, Mul, Div, Pow, Equal, Where) and of the shared
// broadcasting helper: exact output shapes and values for equal shapes, scalars, bias-like and
// two-sided broadcasts, the element types ONNX allows, and clear errors for invalid nodes.
#include <cmath>
#include <limits>
#include <random>

#include "op_test_util.h"
#include "ops/binary/broadcast.h"

using namespace op_test;
using algoscope::ops::broadcast_shapes;
using algoscope::ops::plan_broadcast;

namespace {

// The value at output index `flat` of a broadcast, computed the slow, obvious way.
int64_t source_index(const Shape& in, const Shape& out, int64_t flat) {
  int64_t index = 0, stride = 1;
  for (size_t d = out.size(); d-- > 0;) {
    int64_t coord = flat % out[d];
    flat /= out[d];
    size_t k = d + in.size();
    if (k < out.size()) continue;
    k -= out.size();
    if (in[k] != 1) index += coord * stride;
    stride *= in[k];
  }
  return index;
}

Tensor random_floats(Shape shape, uint32_t seed) {
  std::mt19937 rng(seed);
  std::uniform_real_distribution<float> dist(-2.0f, 2.0f);
  Tensor t(DType::Float32, std::move(shape));
  for (int64_t i = 0; i < t.numel(); ++i) t.data<float>()[i] = dist(rng);
  return t;
}

}  // namespace

TEST(OpsBroadcast, ShapesFollowNumpyRules) {
  EXPECT_EQ(broadcast_shapes({{3, 4, 5}, {5}}), (Shape{3, 4, 5}));
  EXPECT_EQ(broadcast_shapes({{2, 1}, {1, 3}}), (Shape{2, 3}));
  EXPECT_EQ(broadcast_shapes({{}, {2, 3}}), (Shape{2, 3}));
  EXPECT_EQ(broadcast_shapes({{4, 1, 2}, {3, 1}, {1}}), (Shape{4, 3, 2}));
  EXPECT_EQ(broadcast_shapes({{0, 3}, {1, 3}}), (Shape{0, 3}));
  EXPECT_TRUE(throws_with([] { broadcast_shapes({{2, 3}, {4}}); }, "cannot be broadcast"));
}

TEST(OpsBroadcast, PlanCollapsesEqualShapesAndScalarsToOneRun) {
  auto same = plan_broadcast({{2, 3, 4}, {2, 3, 4}}, {2, 3, 4});
  EXPECT_EQ(same.dims, (std::vector<int64_t>{24}));
  EXPECT_EQ(same.inner_stride(0), 1);
  EXPECT_EQ(same.inner_stride(1), 1);

  auto scalar = plan_broadcast({{2, 3, 4}, {}}, {2, 3, 4});
  EXPECT_EQ(scalar.dims, (std::vector<int64_t>{24}));
  EXPECT_EQ(scalar.inner_stride(1), 0);

  // A bias along the last axis: outer rows repeat b, the run walks both.
  auto bias = plan_broadcast({{2, 3, 4}, {4}}, {2, 3, 4});
  EXPECT_EQ(bias.dims, (std::vector<int64_t>{6, 4}));
  EXPECT_EQ(bias.strides[1], (std::vector<int64_t>{0, 1}));
}

TEST(OpsAdd, EqualShapes) {
  Tensor y = OpCase("Add", 14)
                 .input(floats({2, 2}, {1, 2, 3, 4}))
                 .input(floats({2, 2}, {10, 20, 30, 40}))
                 .run1();
  EXPECT_EQ(y.shape(), (Shape{2, 2}));
  EXPECT_EQ(values<float>(y), (std::vector<float>{11, 22, 33, 44}));
}

TEST(OpsAdd, BiasAlongLastAxis) {  // as ONNX's test_add_bcast: 3x4x5 + 5
  Tensor a = iota({3, 4, 5});
  Tensor b = floats({5}, {100, 200, 300, 400, 500});
  Tensor y = OpCase("Add", 14).input(a).input(b).run1();
  ASSERT_EQ(y.shape(), (Shape{3, 4, 5}));
  for (int64_t i = 0; i < 60; ++i) EXPECT_EQ(y.data<float>()[i], i + 100.0f * (i % 5 + 1));
}

TEST(OpsAdd, TwoSidedBroadcastAndScalar) {
  Tensor y =
      OpCase("Add", 13).input(floats({2, 1}, {1, 2})).input(floats({1, 3}, {10, 20, 30})).run1();
  EXPECT_EQ(y.shape(), (Shape{2, 3}));
  EXPECT_EQ(values<float>(y), (std::vector<float>{11, 21, 31, 12, 22, 32}));

  Tensor s = OpCase("Add", 13).input(floats({}, {5})).input(floats({3}, {1, 2, 3})).run1();
  EXPECT_EQ(s.shape(), (Shape{3}));
  EXPECT_EQ(values<float>(s), (std::vector<float>{6, 7, 8}));
}

TEST(OpsAdd, GeneralBroadcastMatchesNaiveIndexing) {
  // Shapes that exercise every combination: leading missing axes, 1s on either side, collapse.
  const std::vector<std::pair<Shape, Shape>> cases = {
      {{2, 1, 4, 1}, {3, 1, 5}}, {{1, 3, 1}, {2, 1, 4}}, {{2, 3, 4, 5}, {3, 1, 5}}, {{5, 1}, {1}},
      {{1, 1, 7}, {6, 1}},       {{2, 3, 4}, {2, 3, 4}}};
  uint32_t seed = 1;
  for (const auto& [sa, sb] : cases) {
    Tensor a = random_floats(sa, seed++);
    Tensor b = random_floats(sb, seed++);
    for (const char* op : {"Add", "Sub", "Mul", "Div"}) {
      Tensor y = OpCase(op, 14).input(a).input(b).run1();
      Shape out = broadcast_shapes({sa, sb});
      ASSERT_EQ(y.shape(), out);
      for (int64_t i = 0; i < y.numel(); ++i) {
        float x = a.data<float>()[source_index(sa, out, i)];
        float z = b.data<float>()[source_index(sb, out, i)];
        float want = op[0] == 'A' ? x + z : op[0] == 'S' ? x - z : op[0] == 'M' ? x * z : x / z;
        ASSERT_EQ(y.data<float>()[i], want) << op << " " << algoscope::shape_to_string(sa) << " "
                                            << algoscope::shape_to_string(sb) << " at " << i;
      }
    }
  }
}

TEST(OpsAdd, IntegerTypesAsInShapeSubgraphs) {
  Tensor y = OpCase("Add", 14).input(int64s({3}, {1, 2, 3})).input(int64s({}, {10})).run1();
  EXPECT_EQ(y.dtype(), DType::Int64);
  EXPECT_EQ(values<int64_t>(y), (std::vector<int64_t>{11, 12, 13}));

  Tensor m = OpCase("Mul", 14)
                 .input(tensor<int32_t>({2}, {3, -4}))
                 .input(tensor<int32_t>({2}, {5, 6}))
                 .run1();
  EXPECT_EQ(m.dtype(), DType::Int32);
  EXPECT_EQ(values<int32_t>(m), (std::vector<int32_t>{15, -24}));

  Tensor s = OpCase("Sub", 14).input(int64s({2}, {1, 2})).input(int64s({2, 1}, {10, 20})).run1();
  EXPECT_EQ(s.shape(), (Shape{2, 2}));
  EXPECT_EQ(values<int64_t>(s), (std::vector<int64_t>{-9, -8, -19, -18}));

  Tensor u = OpCase("Add", 14)
                 .input(tensor<uint8_t>({2}, {250, 1}))
                 .input(tensor<uint8_t>({2}, {10, 2}))
                 .run1();
  EXPECT_EQ(values<uint8_t>(u), (std::vector<uint8_t>{4, 3}));  // wraps like ONNX Runtime
}

TEST(OpsDiv, IntegerDivisionTruncatesTowardZero) {
  Tensor y =
      OpCase("Div", 14).input(int64s({4}, {7, -7, 7, 5})).input(int64s({4}, {2, 2, -2, 0})).run1();
  EXPECT_EQ(values<int64_t>(y), (std::vector<int64_t>{3, -3, -3, 0}));  // x / 0 gives 0
  Tensor f = OpCase("Div", 14).input(floats({2}, {1, -3})).input(floats({}, {2})).run1();
  EXPECT_EQ(values<float>(f), (std::vector<float>{0.5f, -1.5f}));
}

TEST(OpsPow, FloatAndMixedTypes) {
  Tensor y = OpCase("Pow", 15).input(floats({3}, {1, 2, 3})).input(floats({3}, {4, 5, 6})).run1();
  EXPECT_EQ(values<float>(y), (std::vector<float>{1, 32, 729}));

  // test_pow_bcast_scalar and test_pow_bcast_array
  Tensor s = OpCase("Pow", 15).input(floats({3}, {1, 2, 3})).input(floats({}, {2})).run1();
  EXPECT_EQ(values<float>(s), (std::vector<float>{1, 4, 9}));
  Tensor a = OpCase("Pow", 15)
                 .input(floats({2, 3}, {1, 2, 3, 4, 5, 6}))
                 .input(floats({3}, {1, 2, 3}))
                 .run1();
  EXPECT_EQ(values<float>(a), (std::vector<float>{1, 4, 27, 4, 25, 216}));

  // The result has the base's type (test_pow_types_*).
  Tensor fi = OpCase("Pow", 15).input(floats({3}, {1, 2, 3})).input(int64s({3}, {4, 5, 6})).run1();
  EXPECT_EQ(fi.dtype(), DType::Float32);
  EXPECT_EQ(values<float>(fi), (std::vector<float>{1, 32, 729}));
  Tensor fi32 =
      OpCase("Pow", 15).input(floats({2}, {2, 3})).input(tensor<int32_t>({2}, {3, 2})).run1();
  EXPECT_EQ(values<float>(fi32), (std::vector<float>{8, 9}));
  Tensor iff = OpCase("Pow", 15).input(int64s({3}, {1, 2, 3})).input(floats({3}, {4, 5, 6})).run1();
  EXPECT_EQ(iff.dtype(), DType::Int64);
  EXPECT_EQ(values<int64_t>(iff), (std::vector<int64_t>{1, 32, 729}));
  Tensor ii = OpCase("Pow", 15)
                  .input(tensor<int32_t>({3}, {1, 2, 3}))
                  .input(tensor<int32_t>({3}, {4, 5, 6}))
                  .run1();
  EXPECT_EQ(values<int32_t>(ii), (std::vector<int32_t>{1, 32, 729}));
}

TEST(OpsEqual, Values) {
  Tensor y = OpCase("Equal", 13)
                 .input(tensor<int32_t>({2, 3}, {1, 2, 3, 4, 5, 6}))
                 .input(tensor<int32_t>({3}, {1, 5, 6}))
                 .run1();
  EXPECT_EQ(y.dtype(), DType::Bool);
  EXPECT_EQ(y.shape(), (Shape{2, 3}));
  EXPECT_EQ(bool_values(y), (std::vector<bool>{true, false, false, false, true, true}));

  Tensor f = OpCase("Equal", 13)
                 .input(floats({3}, {0.0f, NAN, 1.5f}))
                 .input(floats({3}, {-0.0f, NAN, 1.5f}))
                 .run1();
  EXPECT_EQ(bool_values(f), (std::vector<bool>{true, false, true}));

  Tensor b = OpCase("Equal", 13).input(bools({2}, {true, false})).input(bools({}, {false})).run1();
  EXPECT_EQ(bool_values(b), (std::vector<bool>{false, true}));
}

TEST(OpsWhere, ThreeWayBroadcast) {
  // condition 2x1, X 1x3, Y scalar -> 2x3
  Tensor y = OpCase("Where", 16)
                 .input(bools({2, 1}, {true, false}))
                 .input(floats({1, 3}, {1, 2, 3}))
                 .input(floats({}, {-1}))
                 .run1();
  EXPECT_EQ(y.shape(), (Shape{2, 3}));
  EXPECT_EQ(values<float>(y), (std::vector<float>{1, 2, 3, -1, -1, -1}));

  // test_where_long_example: int64 values, equal shapes
  Tensor l = OpCase("Where", 16)
                 .input(bools({2, 2}, {true, false, true, true}))
                 .input(int64s({2, 2}, {1, 2, 3, 4}))
                 .input(int64s({2, 2}, {9, 8, 7, 6}))
                 .run1();
  EXPECT_EQ(values<int64_t>(l), (std::vector<int64_t>{1, 8, 3, 4}));

  // condition broadcast along the last axis, X and Y full
  Tensor c = OpCase("Where", 16)
                 .input(bools({3}, {true, false, true}))
                 .input(iota({2, 3}))
                 .input(floats({2, 1}, {100, 200}))
                 .run1();
  EXPECT_EQ(values<float>(c), (std::vector<float>{0, 100, 2, 3, 200, 5}));
}

TEST(OpsBinary, InferShapesAndTypes) {
  TensorInfo add = OpCase("Add", 14)
                       .input(floats({3, 4, 5}, std::vector<float>(60)))
                       .input(floats({4, 1}, std::vector<float>(4)))
                       .infer1();
  EXPECT_EQ(add, (TensorInfo{DType::Float32, {3, 4, 5}}));
  TensorInfo eq =
      OpCase("Equal", 11).input(int64s({2, 1}, {0, 0})).input(int64s({3}, {0, 0, 0})).infer1();
  EXPECT_EQ(eq, (TensorInfo{DType::Bool, {2, 3}}));
}

TEST(OpsBinary, FlopsAreOnePerOutputElement) {
  EXPECT_EQ(OpCase("Mul", 14).input(iota({2, 3})).input(iota({3})).flops(), 6.0);
  EXPECT_EQ(OpCase("Add", 14).input(iota({4, 1})).input(iota({1, 5})).flops(), 20.0);
}

TEST(OpsBinary, InvalidNodesThrowClearErrors) {
  EXPECT_TRUE(throws_with(
      [] {
        OpCase("Add", 14).input(iota({2, 3})).input(iota({4})).infer();
      },
      "Add: shapes 2x3 and 4 cannot be broadcast"));
  EXPECT_TRUE(throws_with(
      [] {
        OpCase("Add", 14).input(iota({2})).input(int64s({2}, {1, 2})).infer();
      },
      "one type"));
  EXPECT_TRUE(throws_with(
      [] { OpCase("Mul", 14).input(bools({1}, {true})).input(bools({1}, {true})).infer(); },
      "does not support bool"));
  EXPECT_TRUE(
      throws_with([] { OpCase("Sub", 14).input(iota({2})).infer(); }, "input 1 is missing"));
  EXPECT_TRUE(throws_with(
      [] { OpCase("Where", 16).input(iota({2})).input(iota({2})).input(iota({2})).infer(); },
      "bool condition"));
  EXPECT_TRUE(throws_with(
      [] {
        OpCase("Where", 16)
            .input(bools({2}, {true, false}))
            .input(iota({2}))
            .input(int64s({2}, {1, 2}))
            .infer();
      },
      "one type"));
  EXPECT_TRUE(throws_with(
      [] {
        OpCase("Where", 16)
            .input(bools({3}, {true, false, true}))
            .input(iota({2}))
            .input(iota({2}))
            .infer();
      },
      "cannot be broadcast"));
  EXPECT_TRUE(throws_with(
      [] {
        OpCase("Equal", 13).input(iota({2})).input(int64s({2}, {1, 2})).infer();
      },
      "one type"));
}

TEST(OpsBinary, ZeroSizedOutput) {
  Tensor y = OpCase("Add", 14).input(floats({0, 3}, {})).input(floats({3}, {1, 2, 3})).run1();
  EXPECT_EQ(y.shape(), (Shape{0, 3}));
}

TEST(OpsMod, IntegerRemainderTakesTheDivisorsSignAndFmodTheDividends) {
  const Tensor a = tensor<int64_t>({6}, {7, -7, 7, -7, 5, 3});
  const Tensor b = tensor<int64_t>({6}, {3, 3, -3, -3, 0, 1});
  // fmod=0: Python's %; a zero divisor gives 0.
  EXPECT_EQ(values<int64_t>(OpCase("Mod", 13).input(a).input(b).run1()),
            (std::vector<int64_t>{1, 2, -2, -1, 0, 0}));
  EXPECT_EQ(values<int64_t>(OpCase("Mod", 13).input(a).input(b).attr("fmod", int64_t{1}).run1()),
            (std::vector<int64_t>{1, -1, 1, -1, 0, 0}));
  // Swin's window index: arange(n) % window against a broadcast scalar, int32 this time.
  EXPECT_EQ(values<int32_t>(OpCase("Mod", 13)
                                .input(tensor<int32_t>({5}, {0, 1, 2, 3, 4}))
                                .input(tensor<int32_t>({}, {3}))
                                .run1()),
            (std::vector<int32_t>{0, 1, 2, 0, 1}));
  Tensor f = OpCase("Mod", 13)
                 .input(floats({3}, {5.5f, -5.5f, 5.5f}))
                 .input(floats({3}, {2.0f, 2.0f, -2.0f}))
                 .attr("fmod", int64_t{1})
                 .run1();
  EXPECT_EQ(values<float>(f), (std::vector<float>{1.5f, -1.5f, 1.5f}));
}

TEST(OpsCompare, OrderingsOnEveryNumericTypeWithBroadcast) {
  struct Case {
    const char* op;
    std::vector<bool> want;  // [1, 2, 3] against 2
  };
  const Case cases[] = {{"Less", {true, false, false}},
                        {"Greater", {false, false, true}},
                        {"LessOrEqual", {true, true, false}},
                        {"GreaterOrEqual", {false, true, true}},
                        {"Equal", {false, true, false}}};
  for (const Case& c : cases) {
    SCOPED_TRACE(c.op);
    EXPECT_EQ(
        bool_values(OpCase(c.op, 16).input(floats({3}, {1, 2, 3})).input(floats({}, {2})).run1()),
        c.want);
    EXPECT_EQ(
        bool_values(OpCase(c.op, 16).input(int64s({3}, {1, 2, 3})).input(int64s({1}, {2})).run1()),
        c.want);
    EXPECT_EQ(bool_values(OpCase(c.op, 16)
                              .input(tensor<int32_t>({3}, {1, 2, 3}))
                              .input(tensor<int32_t>({3}, {2, 2, 2}))
                              .run1()),
              c.want);
  }
  // NaN compares false.
  EXPECT_EQ(bool_values(OpCase("LessOrEqual", 16)
                            .input(floats({2}, {NAN, 1.0f}))
                            .input(floats({2}, {1.0f, NAN}))
                            .run1()),
            (std::vector<bool>{false, false}));
}

TEST(OpsLogical, TruthTablesWithBroadcast) {
  const Tensor a = bools({2, 2}, {false, false, true, true});
  const Tensor b = bools({2, 2}, {false, true, false, true});
  EXPECT_EQ(bool_values(OpCase("And", 7).input(a).input(b).run1()),
            (std::vector<bool>{false, false, false, true}));
  EXPECT_EQ(bool_values(OpCase("Or", 7).input(a).input(b).run1()),
            (std::vector<bool>{false, true, true, true}));
  EXPECT_EQ(bool_values(OpCase("Xor", 7).input(a).input(b).run1()),
            (std::vector<bool>{false, true, true, false}));
  EXPECT_EQ(bool_values(OpCase("Xor", 7).input(a).input(bools({2}, {true, false})).run1()),
            (std::vector<bool>{true, false, false, true}));
}

// Large enough for the direct kernels' OpenMP chunks: run() checks every algorithm against the
// reference bit for bit, and the values here against a plain loop.
TEST(OpsSelectDirect, AgreesWithTheReferenceOnLargeSameShapeOperands) {
  const int64_t n = 3 * 65536 + 7;
  Tensor a(DType::Float32, {n}), b(DType::Float32, {n});
  Tensor c(DType::Bool, {n}), d(DType::Bool, {n});
  for (int64_t i = 0; i < n; ++i) {
    a.data<float>()[i] = static_cast<float>(i % 7);
    b.data<float>()[i] = static_cast<float>(i % 5);
    c.data<bool>()[i] = i % 3 == 0;
    d.data<bool>()[i] = i % 2 == 0;
  }
  const Tensor less = OpCase("Less", 16).input(a).input(b).run1();
  const Tensor both = OpCase("And", 7).input(c).input(d).run1();
  const Tensor where = OpCase("Where", 16).input(c).input(a).input(b).run1();
  for (int64_t i = 0; i < n; ++i) {
    ASSERT_EQ(less.data<bool>()[i], i % 7 < i % 5) << i;
    ASSERT_EQ(both.data<bool>()[i], i % 6 == 0) << i;
    ASSERT_EQ(where.data<float>()[i], static_cast<float>(i % 3 == 0 ? i % 7 : i % 5)) << i;
  }
  // Broadcast operands leave the direct kernel out and say why.
  OpCase broadcast("Less", 16);
  broadcast.input(a).input(floats({1}, {2}));
  const algoscope::Layer layer = broadcast.layer();
  const algoscope::Algorithm* direct =
      algoscope::Registry::instance().find_algorithm("Less", "direct");
  ASSERT_NE(direct, nullptr);
  ASSERT_TRUE(direct->why_not(layer).has_value());
  EXPECT_NE(direct->why_not(layer)->find("broadcast"), std::string::npos);
}

TEST(OpsBinary, NewOpsRejectInvalidNodes) {
  EXPECT_TRUE(
      throws_with([] { OpCase("Mod", 13).input(iota({2})).input(iota({2})).infer(); }, "fmod=1"));
  EXPECT_TRUE(throws_with(
      [] {
        OpCase("Mod", 13)
            .input(int64s({1}, {1}))
            .input(int64s({1}, {1}))
            .attr("fmod", int64_t{2})
            .infer();
      },
      "fmod must be 0 or 1"));
  EXPECT_TRUE(throws_with(
      [] { OpCase("Less", 13).input(bools({1}, {true})).input(bools({1}, {true})).infer(); },
      "Less does not support bool"));
  EXPECT_TRUE(throws_with(
      [] {
        OpCase("Greater", 13).input(iota({2})).input(int64s({2}, {1, 2})).infer();
      },
      "Greater needs inputs of one type"));
  EXPECT_TRUE(throws_with(
      [] {
        OpCase("And", 7).input(iota({2})).input(bools({2}, {true, false})).infer();
      },
      "And needs bool inputs"));
  EXPECT_TRUE(throws_with(
      [] {
        OpCase("Or", 7)
            .input(bools({3}, {true, false, true}))
            .input(bools({2}, {true, false}))
            .infer();
      },
      "Or: shapes 3 and 2 cannot be broadcast"));
}

// Issue 19's variadic ops and PRelu: numpy broadcasting over 1..N inputs, hand-computed values.
TEST(OpsVariadic, MinMaxSumMeanBroadcastOverEveryInput) {
  const Tensor a = floats({2, 3}, {1, 5, -2, 4, 0, 9});
  const Tensor b = floats({3}, {3, 3, 3});
  const Tensor c = floats({2, 1}, {-1, 10});
  EXPECT_EQ(values<float>(OpCase("Max", 13).input(a).input(b).input(c).run1()),
            (std::vector<float>{3, 5, 3, 10, 10, 10}));
  EXPECT_EQ(values<float>(OpCase("Min", 13).input(a).input(b).input(c).run1()),
            (std::vector<float>{-1, -1, -2, 3, 0, 3}));
  Tensor sum = OpCase("Sum", 13).input(a).input(b).input(c).run1();
  EXPECT_EQ(sum.shape(), (Shape{2, 3}));
  EXPECT_EQ(values<float>(sum), (std::vector<float>{3, 7, 0, 17, 13, 22}));
  EXPECT_EQ(values<float>(OpCase("Mean", 13).input(a).input(b).input(c).run1()),
            (std::vector<float>{1, 7.0f / 3, 0, 17.0f / 3, 13.0f / 3, 22.0f / 3}));
  // One input: a copy.
  EXPECT_EQ(values<float>(OpCase("Sum", 13).input(a).run1()), values<float>(a));
  // Integers for Min and Max; NaN propagates.
  EXPECT_EQ(values<int64_t>(
                OpCase("Max", 13).input(int64s({3}, {1, -7, 4})).input(int64s({1}, {2})).run1()),
            (std::vector<int64_t>{2, 2, 4}));
  const float nan = std::numeric_limits<float>::quiet_NaN();
  Tensor m = OpCase("Min", 13).input(floats({2}, {1, nan})).input(floats({2}, {nan, 1})).run1();
  EXPECT_TRUE(std::isnan(m.data<float>()[0]));
  EXPECT_TRUE(std::isnan(m.data<float>()[1]));
  EXPECT_EQ(OpCase("Sum", 13).input(a).input(b).input(c).flops(), 12.0);
  EXPECT_EQ(OpCase("Mean", 13).input(a).input(b).flops(), 12.0);
}

TEST(OpsVariadic, PReluBroadcastsTheSlope) {
  // A per-channel slope [C, 1, 1] on [1, 2, 1, 2].
  Tensor y = OpCase("PRelu", 16)
                 .input(floats({1, 2, 1, 2}, {-1, 2, -4, 3}))
                 .input(floats({2, 1, 1}, {0.5f, 0.25f}))
                 .run1();
  EXPECT_EQ(y.shape(), (Shape{1, 2, 1, 2}));
  EXPECT_EQ(values<float>(y), (std::vector<float>{-0.5f, 2, -1, 3}));
}

TEST(OpsVariadic, RejectInvalidNodes) {
  EXPECT_TRUE(throws_with([] { OpCase("Max", 13).infer(); }, "Max needs at least one input"));
  EXPECT_TRUE(throws_with(
      [] {
        OpCase("Sum", 13).input(iota({2})).input(int64s({2}, {1, 2})).infer();
      },
      "Sum needs inputs of one type"));
  EXPECT_TRUE(throws_with(
      [] {
        OpCase("Mean", 13).input(int64s({2}, {1, 2})).infer();
      },
      "Mean does not support int64"));
  EXPECT_TRUE(throws_with(
      [] {
        OpCase("Min", 13).input(iota({2, 3})).input(iota({4})).infer();
      },
      "Min: "));
  // The slope may not grow X.
  EXPECT_TRUE(throws_with(
      [] {
        OpCase("PRelu", 16).input(iota({3})).input(iota({2, 3})).infer();
      },
      "does not broadcast to X's shape"));
  EXPECT_TRUE(
      throws_with([] { OpCase("PRelu", 16).input(iota({3})).infer(); }, "PRelu needs 2 inputs"));
}
