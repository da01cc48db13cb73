// Unit tests of the shape (data movement) family: exact output shapes and values of Flatten,
// Reshape, Transpose, Squeeze, Unsqueeze, Concat, Split, Slice, Gather, Pad, Expand, Constant and
// ConstantOfShape, their attribute-versus-input forms across opsets, all element types, and the
// clear errors for invalid nodes and for non-constant shape-defining inputs.
#include <limits>

#include "op_test_util.h"

using namespace op_test;
using V = std::vector<int64_t>;
using F = std::vector<float>;

namespace {

constexpr int64_t kMax = std::numeric_limits<int64_t>::max();
constexpr int64_t kMin = std::numeric_limits<int64_t>::min();

// The indices Python's slice(start, end, step) selects from a sequence of length dim, computed the
// way CPython's PySlice_AdjustIndices does (an independent formulation of the ONNX rules).
V python_slice(int64_t dim, int64_t start, int64_t end, int64_t step) {
  const int64_t lower = step > 0 ? 0 : -1, upper = step > 0 ? dim : dim - 1;
  auto adjust = [&](int64_t v) {
    if (v < 0) return std::max(v + dim, lower);
    return std::min(v, upper);
  };
  start = adjust(start);
  end = adjust(end);
  V out;
  for (int64_t i = start; step > 0 ? i < end : i > end; i += step) out.push_back(i);
  return out;
}

}  // namespace

TEST(OpsFlatten, Axes) {
  const Tensor x = iota({2, 3, 4, 5});
  auto shape_for = [&](int64_t axis) {
    return OpCase("Flatten", 13).input(x).attr("axis", axis).infer1().shape;
  };
  EXPECT_EQ(shape_for(0), (Shape{1, 120}));
  EXPECT_EQ(shape_for(1), (Shape{2, 60}));
  EXPECT_EQ(shape_for(2), (Shape{6, 20}));
  EXPECT_EQ(shape_for(4), (Shape{120, 1}));
  EXPECT_EQ(shape_for(-1), (Shape{24, 5}));
  EXPECT_EQ(shape_for(-4), (Shape{1, 120}));
  EXPECT_EQ(OpCase("Flatten", 13).input(x).infer1().shape, (Shape{2, 60}));  // default axis 1
  Tensor y = OpCase("Flatten", 13).input(x).attr("axis", int64_t{2}).run1();
  EXPECT_EQ(values<float>(y), values<float>(x));
  EXPECT_EQ(OpCase("Flatten", 13).input(x).flops(), 0.0);
  EXPECT_TRUE(throws_with([&] { shape_for(5); }, "axis 5 is out of range for rank 4"));
}

TEST(OpsReshape, CopyInferAndAllowZero) {
  const Tensor x = iota({2, 3, 4});
  auto reshape = [&](V shape, int64_t opset = 14) {
    return OpCase("Reshape", opset).input(x).constant(ints(shape)).infer1().shape;
  };
  EXPECT_EQ(reshape({4, 2, 3}), (Shape{4, 2, 3}));
  EXPECT_EQ(reshape({2, 0, 4, 1}), (Shape{2, 3, 4, 1}));  // 0 copies
  EXPECT_EQ(reshape({-1, 2, 3, 4}), (Shape{1, 2, 3, 4}));
  EXPECT_EQ(reshape({2, -1, 2}), (Shape{2, 6, 2}));
  EXPECT_EQ(reshape({0, 0, -1}), (Shape{2, 3, 4}));
  EXPECT_EQ(reshape({24}), (Shape{24}));
  EXPECT_EQ(reshape({-1}), (Shape{24}));

  Tensor y = OpCase("Reshape", 13).input(x).constant(ints({4, -1})).run1();
  EXPECT_EQ(y.shape(), (Shape{4, 6}));
  EXPECT_EQ(values<float>(y), values<float>(x));

  // allowzero=1 (opset 14): 0 is a real zero-length dimension (test_reshape_allowzero_reordered).
  Tensor empty = floats({0, 3, 4}, {});
  TensorInfo z = OpCase("Reshape", 14)
                     .input(empty)
                     .constant(ints({3, 4, 0}))
                     .attr("allowzero", int64_t{1})
                     .infer1();
  EXPECT_EQ(z.shape, (Shape{3, 4, 0}));
  // Without allowzero the 0 copies the input's 0.
  EXPECT_EQ(OpCase("Reshape", 14).input(empty).constant(ints({0, 4, 3})).infer1().shape,
            (Shape{0, 4, 3}));
  // Before opset 14 allowzero does not exist: 0 copies.
  EXPECT_EQ(reshape({0, 12}, 13), (Shape{2, 12}));
}

TEST(OpsReshape, InvalidShapes) {
  const Tensor x = iota({2, 3, 4});
  EXPECT_TRUE(throws_with(
      [&] {
        OpCase("Reshape", 14).input(x).constant(ints({-1, -1})).infer();
      },
      "more than one -1"));
  EXPECT_TRUE(throws_with(
      [&] {
        OpCase("Reshape", 14).input(x).constant(ints({5, 5})).infer();
      },
      "cannot reshape 2x3x4 (24 elements)"));
  EXPECT_TRUE(throws_with(
      [&] {
        OpCase("Reshape", 14).input(x).constant(ints({5, -1})).infer();
      },
      "cannot reshape"));
  EXPECT_TRUE(throws_with(
      [&] {
        OpCase("Reshape", 14).input(x).constant(ints({2, -3, 4})).infer();
      },
      "invalid dimension -3"));
  // Found by fuzz_model (fuzz/regressions/fuzz_model/reshape-target-product-overflows.onnx): the
  // target's product overflowed int64 (undefined behaviour) before the element counts were
  // compared.
  EXPECT_TRUE(throws_with(
      [&] {
        OpCase("Reshape", 14).input(x).constant(ints({15, kMax})).infer();
      },
      "more elements than a 64-bit size can count"));
  EXPECT_TRUE(throws_with(
      [&] {
        OpCase("Reshape", 14).input(x).constant(ints({0, kMax, -1})).infer();
      },
      "more elements than a 64-bit size can count"));
  EXPECT_TRUE(throws_with(
      [&] {
        OpCase("Reshape", 14).input(x).constant(ints({0, 0, 0, 0})).infer();
      },
      "0 (copy)"));
  EXPECT_TRUE(throws_with(
      [&] {
        OpCase("Reshape", 14)
            .input(x)
            .constant(ints({0, -1}))
            .attr("allowzero", int64_t{1})
            .infer();
      },
      "both 0 and -1"));
  EXPECT_TRUE(throws_with(
      [&] {
        OpCase("Reshape", 14).input(x).input(ints({4, 6})).infer();
      },
      "shape input must be a constant (static shapes only)"));
}

TEST(OpsTranspose, DefaultReversesAndPermValues) {
  const Tensor x = iota({2, 3, 4});
  Tensor t = OpCase("Transpose", 13).input(x).run1();
  ASSERT_EQ(t.shape(), (Shape{4, 3, 2}));
  for (int64_t a = 0; a < 4; ++a)
    for (int64_t b = 0; b < 3; ++b)
      for (int64_t c = 0; c < 2; ++c)
        EXPECT_EQ(t.data<float>()[(a * 3 + b) * 2 + c], float(c * 12 + b * 4 + a));

  Tensor p = OpCase("Transpose", 13).input(x).attr("perm", V{1, 0, 2}).run1();
  ASSERT_EQ(p.shape(), (Shape{3, 2, 4}));
  for (int64_t a = 0; a < 3; ++a)
    for (int64_t b = 0; b < 2; ++b)
      for (int64_t c = 0; c < 4; ++c)
        EXPECT_EQ(p.data<float>()[(a * 2 + b) * 4 + c], float(b * 12 + a * 4 + c));

  // Other element types move bit-exactly.
  Tensor i = OpCase("Transpose", 13).input(int64s({2, 3}, {1, 2, 3, 4, 5, 6})).run1();
  EXPECT_EQ(values<int64_t>(i), (V{1, 4, 2, 5, 3, 6}));
  Tensor b = OpCase("Transpose", 13).input(bools({1, 3}, {true, false, true})).run1();
  EXPECT_EQ(b.shape(), (Shape{3, 1}));
  EXPECT_EQ(bool_values(b), (std::vector<bool>{true, false, true}));

  EXPECT_TRUE(throws_with(
      [&] {
        OpCase("Transpose", 13).input(x).attr("perm", V{0, 0, 1}).infer();
      },
      "not a permutation"));
  EXPECT_TRUE(throws_with(
      [&] {
        OpCase("Transpose", 13).input(x).attr("perm", V{1, 0}).infer();
      },
      "one entry per dimension"));
}

TEST(OpsSqueeze, AttributeBeforeOpset13InputAfter) {
  const Tensor x = iota({1, 3, 1, 5});
  EXPECT_EQ(OpCase("Squeeze", 11).input(x).attr("axes", V{0}).infer1().shape, (Shape{3, 1, 5}));
  EXPECT_EQ(OpCase("Squeeze", 13).input(x).constant(ints({0})).infer1().shape, (Shape{3, 1, 5}));
  EXPECT_EQ(OpCase("Squeeze", 13).input(x).constant(ints({-2})).infer1().shape, (Shape{1, 3, 5}));
  // No axes: every size-1 dimension goes.
  EXPECT_EQ(OpCase("Squeeze", 11).input(x).infer1().shape, (Shape{3, 5}));
  EXPECT_EQ(OpCase("Squeeze", 13).input(x).infer1().shape, (Shape{3, 5}));
  Tensor y = OpCase("Squeeze", 13).input(x).constant(ints({0, 2})).run1();
  EXPECT_EQ(y.shape(), (Shape{3, 5}));
  EXPECT_EQ(values<float>(y), values<float>(x));

  EXPECT_TRUE(throws_with([&] { OpCase("Squeeze", 13).input(x).constant(ints({1})).infer(); },
                          "has size 3"));
  EXPECT_TRUE(throws_with([&] { OpCase("Squeeze", 13).input(x).input(ints({0})).infer(); },
                          "axes input must be a constant (static shapes only)"));
  EXPECT_TRUE(throws_with([&] { OpCase("Squeeze", 11).input(x).attr("axes", V{4}).infer(); },
                          "out of range"));
}

TEST(OpsUnsqueeze, AttributeBeforeOpset13InputAfter) {
  const Tensor x = iota({3, 4, 5});
  EXPECT_EQ(OpCase("Unsqueeze", 11).input(x).attr("axes", V{3}).infer1().shape,
            (Shape{3, 4, 5, 1}));
  EXPECT_EQ(OpCase("Unsqueeze", 13).input(x).constant(ints({0})).infer1().shape,
            (Shape{1, 3, 4, 5}));
  EXPECT_EQ(OpCase("Unsqueeze", 13).input(x).constant(ints({1, 4})).infer1().shape,
            (Shape{3, 1, 4, 5, 1}));
  EXPECT_EQ(OpCase("Unsqueeze", 13).input(x).constant(ints({5, 4, 2})).infer1().shape,
            (Shape{3, 4, 1, 5, 1, 1}));  // test_unsqueeze_unsorted_axes
  EXPECT_EQ(OpCase("Unsqueeze", 13).input(x).constant(ints({-2})).infer1().shape,
            (Shape{3, 4, 1, 5}));
  Tensor s = OpCase("Unsqueeze", 13).input(int64s({}, {7})).constant(ints({0})).run1();
  EXPECT_EQ(s.shape(), (Shape{1}));
  EXPECT_EQ(values<int64_t>(s), (V{7}));

  EXPECT_TRUE(throws_with(
      [&] {
        OpCase("Unsqueeze", 13).input(x).constant(ints({1, 1})).infer();
      },
      "appears twice"));
  EXPECT_TRUE(throws_with([&] { OpCase("Unsqueeze", 11).input(x).infer(); }, "'axes' attribute"));
  EXPECT_TRUE(throws_with([&] { OpCase("Unsqueeze", 13).input(x).infer(); }, "axes input"));
}

TEST(OpsConcat, AlongAxesAndTypes) {
  Tensor y = OpCase("Concat", 13)
                 .input(floats({2, 2}, {1, 2, 3, 4}))
                 .input(floats({2, 1}, {5, 6}))
                 .attr("axis", int64_t{1})
                 .run1();
  EXPECT_EQ(y.shape(), (Shape{2, 3}));
  EXPECT_EQ(values<float>(y), (F{1, 2, 5, 3, 4, 6}));

  Tensor z = OpCase("Concat", 13)
                 .input(floats({2, 2}, {1, 2, 3, 4}))
                 .input(floats({1, 2}, {5, 6}))
                 .input(floats({0, 2}, {}))
                 .attr("axis", int64_t{-2})
                 .run1();
  EXPECT_EQ(z.shape(), (Shape{3, 2}));
  EXPECT_EQ(values<float>(z), (F{1, 2, 3, 4, 5, 6}));

  // Shape sub-graphs concatenate int64 vectors.
  Tensor s =
      OpCase("Concat", 13).input(ints({1, 2})).input(ints({-1})).attr("axis", int64_t{0}).run1();
  EXPECT_EQ(values<int64_t>(s), (V{1, 2, -1}));

  EXPECT_TRUE(throws_with(
      [] {
        OpCase("Concat", 13)
            .input(iota({2, 2}))
            .input(iota({3, 1}))
            .attr("axis", int64_t{1})
            .infer();
      },
      "differ outside axis 1"));
  EXPECT_TRUE(throws_with(
      [] {
        OpCase("Concat", 13).input(iota({2})).input(ints({1})).attr("axis", int64_t{0}).infer();
      },
      "mix float32 and int64"));
  EXPECT_TRUE(throws_with([] { OpCase("Concat", 13).input(iota({2})).infer(); }, "'axis'"));
}

TEST(OpsSplit, AttributeInputAndEqualParts) {
  const Tensor x = floats({2, 6}, {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12});
  // Equal parts (no split given).
  auto eq = OpCase("Split", 13).input(x).attr("axis", int64_t{1}).outputs(3).run();
  ASSERT_EQ(eq.size(), 3u);
  EXPECT_EQ(eq[1].shape(), (Shape{2, 2}));
  EXPECT_EQ(values<float>(eq[1]), (F{3, 4, 9, 10}));
  // split attribute before opset 13.
  auto a =
      OpCase("Split", 11).input(x).attr("axis", int64_t{1}).attr("split", V{2, 4}).outputs(2).run();
  EXPECT_EQ(a[0].shape(), (Shape{2, 2}));
  EXPECT_EQ(values<float>(a[0]), (F{1, 2, 7, 8}));
  EXPECT_EQ(values<float>(a[1]), (F{3, 4, 5, 6, 9, 10, 11, 12}));
  // split input from 13, default axis 0.
  auto i =
      OpCase("Split", 13).input(ints({1, 2, 3, 4, 5, 6})).constant(ints({2, 4})).outputs(2).run();
  EXPECT_EQ(values<int64_t>(i[0]), (V{1, 2}));
  EXPECT_EQ(values<int64_t>(i[1]), (V{3, 4, 5, 6}));
  // Zero-sized parts (test_split_zero_size_splits).
  auto z = OpCase("Split", 13).input(floats({0}, {})).constant(ints({0, 0, 0})).outputs(3).infer();
  EXPECT_EQ(z.size(), 3u);
  EXPECT_EQ(z[2].shape, (Shape{0}));

  EXPECT_TRUE(
      throws_with([&] { OpCase("Split", 13).input(x).attr("axis", int64_t{1}).outputs(4).infer(); },
                  "does not split evenly"));
  EXPECT_TRUE(throws_with(
      [&] {
        OpCase("Split", 13)
            .input(x)
            .attr("axis", int64_t{1})
            .constant(ints({2, 3}))
            .outputs(2)
            .infer();
      },
      "sums to 5"));
  EXPECT_TRUE(throws_with(
      [&] {
        OpCase("Split", 13).input(x).input(ints({1, 1})).outputs(2).infer();
      },
      "split input must be a constant (static shapes only)"));
}

TEST(OpsSlice, AttributesBeforeOpset10) {
  const Tensor x = iota({3, 4});
  Tensor y = OpCase("Slice", 9).input(x).attr("starts", V{1, 0}).attr("ends", V{kMax, 3}).run1();
  EXPECT_EQ(y.shape(), (Shape{2, 3}));
  EXPECT_EQ(values<float>(y), (F{4, 5, 6, 8, 9, 10}));
  Tensor a = OpCase("Slice", 9)
                 .input(x)
                 .attr("starts", V{-2})
                 .attr("ends", V{-1})
                 .attr("axes", V{1})
                 .run1();
  EXPECT_EQ(values<float>(a), (F{2, 6, 10}));
}

TEST(OpsSlice, NegativeStepsAndClampingMatchPython) {
  const Tensor x = iota({20, 10, 5});
  struct Case {
    V starts, ends, axes, steps;
  };
  const std::vector<Case> cases = {
      {{0, 0, 3}, {20, 10, 4}, {0, 1, 2}, {1, 1, 1}},     // test_slice
      {{20, 10, 4}, {0, 0, 1}, {0, 1, 2}, {-1, -3, -2}},  // test_slice_neg_steps
      {{1}, {1000}, {1}, {1}},                            // test_slice_end_out_of_bounds
      {{1000}, {1000}, {1}, {1}},                         // test_slice_start_out_of_bounds
      {{0}, {-1}, {1}, {1}},                              // test_slice_neg
      {{-1}, {kMin}, {0}, {-1}},                          // whole axis reversed
      {{kMax}, {kMin}, {2}, {-2}},                        // huge sentinels, backwards
      {{-100}, {kMax}, {-1}, {3}},                        // negative axis, clamped start
      {{5, 2}, {5, 8}, {0, 1}, {1, 2}},                   // empty along axis 0
      {{0, 0, 3}, {20, 10, 4}, {-3, -2, -1}, {1, 1, 1}},  // test_slice_negative_axes
  };
  for (const Case& c : cases) {
    OpCase op("Slice", 13);
    op.input(x)
        .constant(ints(c.starts))
        .constant(ints(c.ends))
        .constant(ints(c.axes))
        .constant(ints(c.steps));
    Tensor y = op.run1();
    // Expected: per-axis index lists from Python's rules, then the cartesian product.
    std::vector<V> picks;
    for (int64_t d = 0; d < 3; ++d) picks.push_back(python_slice(x.dim(d), 0, x.dim(d), 1));
    for (size_t k = 0; k < c.axes.size(); ++k) {
      int64_t axis = c.axes[k] < 0 ? c.axes[k] + 3 : c.axes[k];
      picks[size_t(axis)] = python_slice(x.dim(axis), c.starts[k], c.ends[k], c.steps[k]);
    }
    Shape want_shape;
    for (const V& p : picks) want_shape.push_back(static_cast<int64_t>(p.size()));
    ASSERT_EQ(y.shape(), want_shape) << "starts " << c.starts[0];
    F want;
    for (int64_t a : picks[0])
      for (int64_t b : picks[1])
        for (int64_t e : picks[2]) want.push_back(float((a * 10 + b) * 5 + e));
    EXPECT_EQ(values<float>(y), want) << "starts " << c.starts[0];
  }
}

TEST(OpsSlice, DefaultAxesAndStepsAndErrors) {
  const Tensor x = iota({4, 3});
  Tensor y = OpCase("Slice", 13).input(x).constant(ints({1})).constant(ints({3})).run1();
  EXPECT_EQ(y.shape(), (Shape{2, 3}));
  EXPECT_EQ(values<float>(y), (F{3, 4, 5, 6, 7, 8}));
  Tensor i = OpCase("Slice", 13)
                 .input(ints({5, 6, 7}))
                 .constant(ints({-1}))
                 .constant(ints({kMin}))
                 .constant(ints({0}))
                 .constant(ints({-1}))
                 .run1();
  EXPECT_EQ(values<int64_t>(i), (V{7, 6, 5}));

  EXPECT_TRUE(throws_with(
      [&] {
        OpCase("Slice", 13)
            .input(x)
            .constant(ints({0}))
            .constant(ints({2}))
            .constant(ints({0}))
            .constant(ints({0}))
            .infer();
      },
      "step 0"));
  EXPECT_TRUE(throws_with(
      [&] { OpCase("Slice", 13).input(x).input(ints({0})).constant(ints({2})).infer(); },
      "starts input must be a constant (static shapes only)"));
  EXPECT_TRUE(throws_with(
      [&] {
        OpCase("Slice", 13)
            .input(x)
            .constant(ints({0, 0}))
            .constant(ints({1, 1}))
            .constant(ints({0, 0}))
            .infer();
      },
      "appears twice"));
  EXPECT_TRUE(throws_with(
      [&] {
        OpCase("Slice", 13).input(x).constant(ints({0, 0})).constant(ints({1})).infer();
      },
      "differ in length"));
}

TEST(OpsGather, AxesAndNegativeIndices) {
  const Tensor x = iota({3, 4});
  Tensor r = OpCase("Gather", 13).input(x).input(ints({2, -3})).run1();
  EXPECT_EQ(r.shape(), (Shape{2, 4}));
  EXPECT_EQ(values<float>(r), (F{8, 9, 10, 11, 0, 1, 2, 3}));
  // axis 1 with 2-D indices (test_gather_2d_indices).
  Tensor c =
      OpCase("Gather", 13).input(x).input(int64s({1, 2}, {0, -1})).attr("axis", int64_t{1}).run1();
  EXPECT_EQ(c.shape(), (Shape{3, 1, 2}));
  EXPECT_EQ(values<float>(c), (F{0, 3, 4, 7, 8, 11}));
  // A scalar index drops the axis (picking one dimension out of a Shape).
  Tensor s = OpCase("Gather", 13).input(ints({1, 3, 224, 224})).constant(int64s({}, {1})).run1();
  EXPECT_EQ(s.shape(), Shape{});
  EXPECT_EQ(values<int64_t>(s), (V{3}));
  // int32 indices.
  Tensor i32 =
      OpCase("Gather", 13).input(ints({5, 6, 7})).input(tensor<int32_t>({2}, {-1, 0})).run1();
  EXPECT_EQ(values<int64_t>(i32), (V{7, 5}));

  EXPECT_TRUE(throws_with([&] { OpCase("Gather", 13).input(x).constant(ints({3})).infer(); },
                          "index 3 is out of range"));
  EXPECT_TRUE(throws_with([&] { OpCase("Gather", 13).input(x).input(ints({-4})).run(); },
                          "index -4 is out of range"));
  EXPECT_TRUE(throws_with(
      [&] { OpCase("Gather", 13).input(x).input(ints({0})).attr("axis", int64_t{2}).infer(); },
      "out of range for rank 2"));
  EXPECT_TRUE(throws_with([&] { OpCase("Gather", 13).input(x).input(iota({1})).infer(); },
                          "indices must be int64 or int32"));
}

TEST(OpsPad, ConstantModeInputsAndAttributes) {
  const Tensor x = floats({2, 2}, {1, 2, 3, 4});
  // opset 11+: pads input, constant_value input.
  Tensor y =
      OpCase("Pad", 13).input(x).constant(ints({0, 1, 1, 0})).constant(floats({}, {9})).run1();
  EXPECT_EQ(y.shape(), (Shape{3, 3}));
  EXPECT_EQ(values<float>(y), (F{9, 1, 2, 9, 3, 4, 9, 9, 9}));
  // Default value 0; runtime constant_value is read when the kernel runs.
  Tensor z = OpCase("Pad", 11).input(x).constant(ints({1, 0, 0, 0})).run1();
  EXPECT_EQ(values<float>(z), (F{0, 0, 1, 2, 3, 4}));
  Tensor r = OpCase("Pad", 13).input(x).constant(ints({0, 0, 0, 1})).input(floats({}, {-1})).run1();
  EXPECT_EQ(values<float>(r), (F{1, 2, -1, 3, 4, -1}));
  // Before opset 11: pads and value attributes.
  Tensor a = OpCase("Pad", 2).input(x).attr("pads", V{0, 1, 0, 1}).attr("value", 5.0f).run1();
  EXPECT_EQ(values<float>(a), (F{5, 1, 2, 5, 5, 3, 4, 5}));
  // Negative pads crop.
  Tensor c = OpCase("Pad", 13).input(iota({3, 3})).constant(ints({-1, 0, 0, -1})).run1();
  EXPECT_EQ(c.shape(), (Shape{2, 2}));
  EXPECT_EQ(values<float>(c), (F{3, 4, 6, 7}));
  // int64 data with an int64 constant.
  Tensor i = OpCase("Pad", 13)
                 .input(ints({1, 2}))
                 .constant(ints({1, 2}))
                 .constant(int64s({}, {-7}))
                 .run1();
  EXPECT_EQ(values<int64_t>(i), (V{-7, 1, 2, -7, -7}));
}

TEST(OpsPad, ReflectAndEdge) {
  const Tensor x =
      tensor<int32_t>({1, 4}, {1, 2, 3, 4});  // test_edge_pad/test_reflect_pad use int32
  Tensor r = OpCase("Pad", 13)
                 .input(x)
                 .attr("mode", std::string("reflect"))
                 .constant(ints({0, 2, 0, 3}))
                 .run1();
  EXPECT_EQ(r.shape(), (Shape{1, 9}));
  EXPECT_EQ(values<int32_t>(r), (std::vector<int32_t>{3, 2, 1, 2, 3, 4, 3, 2, 1}));
  Tensor e = OpCase("Pad", 13)
                 .input(x)
                 .attr("mode", std::string("edge"))
                 .constant(ints({0, 2, 0, 1}))
                 .run1();
  EXPECT_EQ(values<int32_t>(e), (std::vector<int32_t>{1, 1, 1, 2, 3, 4, 4}));
  // Both axes, reflect: like numpy.pad(x, ((1, 1), (1, 0)), 'reflect').
  Tensor m = OpCase("Pad", 13)
                 .input(iota({2, 3}))
                 .attr("mode", std::string("reflect"))
                 .constant(ints({1, 1, 1, 0}))
                 .run1();
  EXPECT_EQ(m.shape(), (Shape{4, 4}));
  EXPECT_EQ(values<float>(m), (F{4, 3, 4, 5, 1, 0, 1, 2, 4, 3, 4, 5, 1, 0, 1, 2}));
  // Reflecting farther than the axis is long folds back again (numpy 'reflect').
  Tensor far = OpCase("Pad", 13)
                   .input(floats({3}, {1, 2, 3}))
                   .attr("mode", std::string("reflect"))
                   .constant(ints({5, 0}))
                   .run1();
  EXPECT_EQ(values<float>(far), (F{2, 1, 2, 3, 2, 1, 2, 3}));
}

TEST(OpsPad, Errors) {
  const Tensor x = iota({2, 2});
  EXPECT_TRUE(throws_with(
      [&] {
        OpCase("Pad", 13).input(x).constant(ints({1, 1})).infer();
      },
      "must have 4 entries"));
  EXPECT_TRUE(throws_with(
      [&] {
        OpCase("Pad", 13).input(x).input(ints({1, 1, 1, 1})).infer();
      },
      "pads input must be a constant (static shapes only)"));
  EXPECT_TRUE(throws_with(
      [&] {
        OpCase("Pad", 13)
            .input(x)
            .constant(ints({0, 0, 0, 0}))
            .attr("mode", std::string("wrap"))
            .infer();
      },
      "mode 'wrap' is not supported"));
  EXPECT_TRUE(throws_with(
      [&] {
        OpCase("Pad", 13).input(x).constant(ints({-3, 0, 0, 0})).infer();
      },
      "crop more than"));
  EXPECT_TRUE(throws_with(
      [&] {
        OpCase("Pad", 13).input(x).constant(ints({0, 0, 0, 0})).constant(ints({1})).infer();
      },
      "constant_value must have the data's type"));
}

TEST(OpsExpand, BidirectionalBroadcast) {
  const Tensor x = floats({3, 1}, {1, 2, 3});
  Tensor y = OpCase("Expand", 13).input(x).constant(ints({2, 1, 6})).run1();  // dim changed
  ASSERT_EQ(y.shape(), (Shape{2, 3, 6}));
  for (int64_t i = 0; i < 36; ++i) EXPECT_EQ(y.data<float>()[i], float(i / 6 % 3 + 1));
  Tensor u = OpCase("Expand", 13).input(x).constant(ints({3, 4})).run1();  // dim unchanged
  EXPECT_EQ(u.shape(), (Shape{3, 4}));
  EXPECT_EQ(values<float>(u), (F{1, 1, 1, 1, 2, 2, 2, 2, 3, 3, 3, 3}));
  // The shape may be smaller than the data's: the output keeps the larger dimension.
  EXPECT_EQ(OpCase("Expand", 13).input(x).constant(ints({1})).infer1().shape, (Shape{3, 1}));
  Tensor b = OpCase("Expand", 13).input(bools({}, {true})).constant(ints({2})).run1();
  EXPECT_EQ(bool_values(b), (std::vector<bool>{true, true}));

  EXPECT_TRUE(throws_with(
      [&] {
        OpCase("Expand", 13).input(x).constant(ints({2, 4})).infer();
      },
      "Expand: shapes 3x1 and 2x4 cannot be broadcast"));
  EXPECT_TRUE(throws_with(
      [&] {
        OpCase("Expand", 13).input(x).input(ints({3, 4})).infer();
      },
      "shape input must be a constant (static shapes only)"));
}

TEST(OpsConstant, ValueAttributes) {
  Tensor v = OpCase("Constant", 13).attr("value", floats({2}, {1.5f, -2})).run1();
  EXPECT_EQ(v.shape(), (Shape{2}));
  EXPECT_EQ(values<float>(v), (F{1.5f, -2}));
  Tensor f = OpCase("Constant", 13).attr("value_float", 3.0f).run1();
  EXPECT_EQ(f.shape(), Shape{});
  EXPECT_EQ(values<float>(f), (F{3}));
  Tensor fs = OpCase("Constant", 13).attr("value_floats", F{1, 2}).run1();
  EXPECT_EQ(fs.shape(), (Shape{2}));
  Tensor i = OpCase("Constant", 13).attr("value_int", int64_t{-4}).run1();
  EXPECT_EQ(i.dtype(), DType::Int64);
  EXPECT_EQ(values<int64_t>(i), (V{-4}));
  Tensor is = OpCase("Constant", 13).attr("value_ints", V{7, 8, 9}).run1();
  EXPECT_EQ(values<int64_t>(is), (V{7, 8, 9}));
  EXPECT_TRUE(throws_with([] { OpCase("Constant", 13).infer(); }, "needs a value attribute"));
  EXPECT_TRUE(
      throws_with([] { OpCase("Constant", 13).attr("value_string", std::string("a")).infer(); },
                  "string values are not supported"));
}

TEST(OpsConstantOfShape, ValueAndDefault) {
  Tensor d = OpCase("ConstantOfShape", 9).constant(ints({2, 3})).run1();
  EXPECT_EQ(d.dtype(), DType::Float32);
  EXPECT_EQ(d.shape(), (Shape{2, 3}));
  EXPECT_EQ(values<float>(d), F(6, 0.0f));
  Tensor o =
      OpCase("ConstantOfShape", 9).constant(ints({4})).attr("value", floats({1}, {1})).run1();
  EXPECT_EQ(values<float>(o), F(4, 1.0f));
  Tensor i = OpCase("ConstantOfShape", 9)
                 .constant(ints({2}))
                 .attr("value", tensor<int32_t>({1}, {-3}))
                 .run1();
  EXPECT_EQ(i.dtype(), DType::Int32);
  EXPECT_EQ(values<int32_t>(i), (std::vector<int32_t>{-3, -3}));
  Tensor z =
      OpCase("ConstantOfShape", 9).constant(ints({0})).attr("value", int64s({1}, {5})).run1();
  EXPECT_EQ(z.shape(), (Shape{0}));
  Tensor s = OpCase("ConstantOfShape", 9).constant(ints({})).run1();
  EXPECT_EQ(s.shape(), Shape{});

  EXPECT_TRUE(throws_with([] { OpCase("ConstantOfShape", 9).input(ints({2})).infer(); },
                          "shape input must be a constant (static shapes only)"));
  EXPECT_TRUE(throws_with([] { OpCase("ConstantOfShape", 9).constant(ints({-1})).infer(); },
                          "negative dimension"));
  EXPECT_TRUE(throws_with(
      [] {
        OpCase("ConstantOfShape", 9).constant(ints({2})).attr("value", floats({2}, {1, 2})).infer();
      },
      "one element"));
}

TEST(OpsShapeFamily, KernelsWorkWhenEveryInputIsConstant) {
  // The loader folds shape sub-graphs with these kernels: every input is a layer constant there.
  Tensor y = OpCase("Gather", 13).constant(ints({1, 3, 224, 224})).constant(ints({2, 3})).run1();
  EXPECT_EQ(values<int64_t>(y), (V{224, 224}));
  Tensor c =
      OpCase("Concat", 13).constant(ints({1})).constant(ints({-1})).attr("axis", int64_t{0}).run1();
  EXPECT_EQ(values<int64_t>(c), (V{1, -1}));
  Tensor u = OpCase("Unsqueeze", 13).constant(int64s({}, {5})).constant(ints({0})).run1();
  EXPECT_EQ(values<int64_t>(u), (V{5}));
}

TEST(OpsTile, RepeatsEveryAxisInAnyRank) {
  // [[0, 1, 2], [3, 4, 5]] tiled 2 x 2.
  Tensor y = OpCase("Tile", 13).input(iota({2, 3})).constant(ints({2, 2})).run1();
  EXPECT_EQ(y.shape(), (Shape{4, 6}));
  EXPECT_EQ(values<float>(y), (F{0, 1, 2, 0, 1, 2, 3, 4, 5, 3, 4, 5,  //
                                 0, 1, 2, 0, 1, 2, 3, 4, 5, 3, 4, 5}));
  // Rank 3 with a repeat of 1 in the middle and of 3 outside: against modular indexing.
  Tensor z = OpCase("Tile", 13).input(iota({2, 2, 2})).constant(ints({3, 1, 2})).run1();
  ASSERT_EQ(z.shape(), (Shape{6, 2, 4}));
  for (int64_t i = 0; i < 6; ++i)
    for (int64_t j = 0; j < 2; ++j)
      for (int64_t k = 0; k < 4; ++k)
        EXPECT_EQ(z.data<float>()[(i * 2 + j) * 4 + k], float((i % 2) * 4 + j * 2 + k % 2));
  EXPECT_EQ(OpCase("Tile", 13).input(iota({2, 3})).constant(ints({0, 1})).run1().shape(),
            (Shape{0, 3}));
  EXPECT_TRUE(throws_with(
      [] {
        OpCase("Tile", 13).input(iota({2, 3})).constant(ints({2})).infer();
      },
      "one entry per dimension"));
  EXPECT_TRUE(throws_with([] { OpCase("Tile", 13).input(iota({2})).constant(ints({-1})).infer(); },
                          "negative"));
  EXPECT_TRUE(throws_with([] { OpCase("Tile", 13).input(iota({2})).input(ints({2})).infer(); },
                          "must be a constant"));
}

TEST(OpsRange, LengthAndValuesForEachType) {
  Tensor i = OpCase("Range", 11)
                 .constant(int64s({}, {10}))
                 .constant(int64s({}, {1}))
                 .constant(int64s({}, {-3}))
                 .run1();
  EXPECT_EQ(values<int64_t>(i), (V{10, 7, 4}));
  Tensor f = OpCase("Range", 11)
                 .constant(floats({}, {1.0f}))
                 .constant(floats({}, {2.0f}))
                 .constant(floats({}, {0.25f}))
                 .run1();
  EXPECT_EQ(values<float>(f), (F{1.0f, 1.25f, 1.5f, 1.75f}));
  Tensor e = OpCase("Range", 11)
                 .constant(tensor<int32_t>({}, {5}))
                 .constant(tensor<int32_t>({}, {1}))
                 .constant(tensor<int32_t>({}, {2}))
                 .run1();
  EXPECT_EQ(e.shape(), (Shape{0}));
  EXPECT_TRUE(throws_with(
      [] {
        OpCase("Range", 11)
            .constant(int64s({}, {0}))
            .constant(int64s({}, {4}))
            .constant(int64s({}, {0}))
            .infer();
      },
      "delta must not be 0"));
  EXPECT_TRUE(throws_with(
      [] {
        OpCase("Range", 11)
            .constant(int64s({}, {0}))
            .input(int64s({}, {4}))
            .constant(int64s({}, {1}))
            .infer();
      },
      "limit input must be a constant"));
  EXPECT_TRUE(throws_with(
      [] {
        OpCase("Range", 11)
            .constant(int64s({}, {0}))
            .constant(floats({}, {4}))
            .constant(int64s({}, {1}))
            .infer();
      },
      "must have one type"));
}

// DepthToSpace / SpaceToDepth (ONNX's examples), Trilu and EyeLike, hand-computed.
TEST(OpsDepthSpace, BothModesAndTheInverse) {
  // [1, 4, 1, 2], blocksize 2: channel c of block (i, j) is (i*2 + j) for DCR.
  const Tensor x = iota({1, 4, 1, 2});  // channel k holds 2k, 2k+1
  Tensor dcr = OpCase("DepthToSpace", 13).input(x).attr("blocksize", int64_t{2}).run1();
  EXPECT_EQ(dcr.shape(), (Shape{1, 1, 2, 4}));
  EXPECT_EQ(values<float>(dcr), (F{0, 2, 1, 3, 4, 6, 5, 7}));
  // CRD with a single output channel reads channel i*2 + j as well.
  Tensor crd = OpCase("DepthToSpace", 13)
                   .input(x)
                   .attr("blocksize", int64_t{2})
                   .attr("mode", std::string("CRD"))
                   .run1();
  EXPECT_EQ(values<float>(crd), (F{0, 2, 1, 3, 4, 6, 5, 7}));
  // With 2 output channels the modes differ: DCR takes channel (i*2+j)*2 + c, CRD c*4 + i*2 + j.
  const Tensor x8 = iota({1, 8, 1, 1});
  EXPECT_EQ(
      values<float>(OpCase("DepthToSpace", 13).input(x8).attr("blocksize", int64_t{2}).run1()),
      (F{0, 2, 4, 6, 1, 3, 5, 7}));
  EXPECT_EQ(values<float>(OpCase("DepthToSpace", 13)
                              .input(x8)
                              .attr("blocksize", int64_t{2})
                              .attr("mode", std::string("CRD"))
                              .run1()),
            (F{0, 1, 2, 3, 4, 5, 6, 7}));
  // SpaceToDepth undoes DCR.
  Tensor back = OpCase("SpaceToDepth", 13).input(dcr).attr("blocksize", int64_t{2}).run1();
  EXPECT_EQ(back.shape(), (Shape{1, 4, 1, 2}));
  EXPECT_EQ(values<float>(back), values<float>(x));
  EXPECT_TRUE(throws_with(
      [] {
        OpCase("DepthToSpace", 13).input(iota({1, 3, 1, 1})).attr("blocksize", int64_t{2}).infer();
      },
      "channel count 3 is not a multiple of blocksize^2 = 4"));
  EXPECT_TRUE(throws_with(
      [] {
        OpCase("SpaceToDepth", 13).input(iota({1, 1, 3, 2})).attr("blocksize", int64_t{2}).infer();
      },
      "spatial size 3x2 is not a multiple of blocksize 2"));
  EXPECT_TRUE(throws_with(
      [] {
        OpCase("SpaceToDepth", 13).input(iota({1, 1, 2, 2})).infer();
      },
      "needs a blocksize attribute"));
}

TEST(OpsTrilu, UpperLowerAndK) {
  const Tensor x = iota({3, 3});  // 0..8
  EXPECT_EQ(values<float>(OpCase("Trilu", 14).input(x).run1()), (F{0, 1, 2, 0, 4, 5, 0, 0, 8}));
  EXPECT_EQ(values<float>(OpCase("Trilu", 14).input(x).attr("upper", int64_t{0}).run1()),
            (F{0, 0, 0, 3, 4, 0, 6, 7, 8}));
  EXPECT_EQ(values<float>(OpCase("Trilu", 14).input(x).input(int64s({}, {1})).run1()),
            (F{0, 1, 2, 0, 0, 5, 0, 0, 0}));
  EXPECT_EQ(
      values<float>(
          OpCase("Trilu", 14).input(x).constant(int64s({}, {-1})).attr("upper", int64_t{0}).run1()),
      (F{0, 0, 0, 3, 0, 0, 6, 7, 0}));
  EXPECT_TRUE(throws_with([] { OpCase("Trilu", 14).input(iota({3})).infer(); },
                          "Trilu needs an input of rank 2 or more"));
}

TEST(OpsEyeLike, DiagonalAndType) {
  Tensor e = OpCase("EyeLike", 9).input(iota({2, 3})).attr("k", int64_t{1}).run1();
  EXPECT_EQ(values<float>(e), (F{0, 1, 0, 0, 0, 1}));
  Tensor i = OpCase("EyeLike", 9).input(iota({2, 2})).attr("dtype", int64_t{7}).run1();
  EXPECT_EQ(i.dtype(), DType::Int64);
  EXPECT_EQ(values<int64_t>(i), (V{1, 0, 0, 1}));
  EXPECT_TRUE(throws_with([] { OpCase("EyeLike", 9).input(iota({2})).infer(); },
                          "EyeLike needs a 2-D input"));
}
