// The shape family's `direct` algorithms (Transpose, Slice, Concat, Split) against `reference`,
// byte for byte: every permutation of ranks 1 to 4 and random ones of ranks 5 and 6 over shapes
// with size-1 axes and sizes around the 8 x 8 tile (and the ViT head split 1x197x12x64), random
// slices with negative axes, negative steps, clamped bounds and empty windows, uneven splits and
// concats with empty parts, in 1-, 4- and 8-byte types, at every ISA level this CPU runs and on
// 1 and 2 threads; then that direct is the default, and bad nodes are Errors naming the node.
#include <omp.h>

#include <algorithm>
#include <numeric>
#include <optional>
#include <random>

#include "cpu_features.h"
#include "op_test_util.h"

namespace {

using namespace op_test;
namespace cpu = algoscope::cpu;
using V = std::vector<int64_t>;

// A tensor of `shape` in `dtype` whose bytes are all different-ish (from a seeded generator).
Tensor random_bytes(DType dtype, const Shape& shape, uint32_t seed) {
  Tensor t(dtype, shape);
  std::mt19937 rng(seed);
  auto* p = static_cast<unsigned char*>(t.raw());
  for (size_t i = 0; i < t.bytes(); ++i) p[i] = static_cast<unsigned char>(rng());
  if (dtype == DType::Bool)
    for (size_t i = 0; i < t.bytes(); ++i) p[i] &= 1;
  return t;
}

std::vector<cpu::IsaLevel> runnable_levels() {
  std::vector<cpu::IsaLevel> levels = {cpu::IsaLevel::Portable};
  if (cpu::detected_level() >= cpu::IsaLevel::Avx2) levels.push_back(cpu::IsaLevel::Avx2);
  if (cpu::detected_level() >= cpu::IsaLevel::Avx512) levels.push_back(cpu::IsaLevel::Avx512);
  return levels;
}

// direct and reference produce the same bytes on every output (outputs start poisoned).
::testing::AssertionResult direct_matches_reference(const OpCase& c) {
  const algoscope::Algorithm* direct = c.op().find("direct");
  if (!direct) return ::testing::AssertionFailure() << "no direct algorithm";
  const std::vector<Tensor> want = c.run_with(*c.op().reference());
  const std::vector<Tensor> got = c.run_with(*direct);
  for (size_t k = 0; k < want.size(); ++k)
    if (got[k].shape() != want[k].shape() ||
        std::memcmp(got[k].raw(), want[k].raw(), want[k].bytes()) != 0)
      return ::testing::AssertionFailure() << "output " << k << " differs";
  return ::testing::AssertionSuccess();
}

// Runs `body` at each ISA level and on 1 and 2 threads, restoring both afterwards.
template <class Body>
void at_every_level(Body body) {
  const int threads = omp_get_max_threads();
  for (cpu::IsaLevel level : runnable_levels())
    for (int t : {1, 2}) {
      cpu::cap_level(level);
      omp_set_num_threads(t);
      SCOPED_TRACE(std::string(cpu::level_name(level)) + ", " + std::to_string(t) + " thread(s)");
      body();
    }
  cpu::cap_level(std::nullopt);
  omp_set_num_threads(threads);
}

const DType kTypes[] = {DType::Float32, DType::Int64, DType::UInt8};

TEST(DirectShape, TransposeEveryPermutationMatchesReference) {
  std::mt19937 rng(7);
  // Shapes per rank: size-1 axes, sizes around 8 (tile edges) and 64 (cache blocks).
  const std::vector<Shape> shapes = {{5},
                                     {1},
                                     {9, 17},
                                     {64, 8},
                                     {1, 13},
                                     {3, 1, 4},
                                     {7, 9, 16},
                                     {2, 33, 70},
                                     {1, 197, 12, 64},
                                     {2, 3, 8, 9},
                                     {4, 1, 5, 1},
                                     {2, 3, 1, 4, 5},
                                     {3, 2, 9, 1, 8},
                                     {2, 1, 3, 2, 2, 5},
                                     {1, 2, 3, 4, 5, 6}};
  at_every_level([&] {
    for (const Shape& shape : shapes) {
      V perm(shape.size());
      std::iota(perm.begin(), perm.end(), 0);
      std::vector<V> perms;
      if (shape.size() <= 4) {
        do perms.push_back(perm);
        while (std::next_permutation(perm.begin(), perm.end()));
      } else {
        for (int i = 0; i < 12; ++i) {
          std::shuffle(perm.begin(), perm.end(), rng);
          perms.push_back(perm);
        }
      }
      for (const V& p : perms)
        for (DType dtype : kTypes) {
          OpCase c("Transpose", 13);
          c.input(random_bytes(dtype, shape, static_cast<uint32_t>(p.size() * 31 + p[0])));
          c.attr("perm", p);
          EXPECT_TRUE(direct_matches_reference(c))
              << algoscope::shape_to_string(shape) << " perm " << ::testing::PrintToString(p) << " "
              << algoscope::dtype_name(dtype);
        }
    }
    // Over 1 MiB, for the threaded paths: NCHW -> NHWC (tiled, bands of 64 rows across the
    // team, a ragged last band), its inverse, and a head split whose rows stay rows.
    const std::vector<std::pair<Shape, V>> large = {{{1, 67, 61, 80}, {0, 2, 3, 1}},
                                                    {{2, 40, 40, 97}, {0, 3, 1, 2}},
                                                    {{1, 197, 12, 128}, {0, 2, 1, 3}}};
    for (const auto& [shape, p] : large) {
      OpCase c("Transpose", 13);
      c.input(random_bytes(DType::Float32, shape, 9)).attr("perm", p);
      EXPECT_TRUE(direct_matches_reference(c))
          << algoscope::shape_to_string(shape) << " perm " << ::testing::PrintToString(p);
    }
  });
}

TEST(DirectShape, SliceRandomWindowsMatchReference) {
  std::mt19937 rng(11);
  auto pick = [&](int64_t lo, int64_t hi) {
    return std::uniform_int_distribution<int64_t>(lo, hi)(rng);
  };
  at_every_level([&] {
    for (int trial = 0; trial < 300; ++trial) {
      const size_t rank = static_cast<size_t>(pick(1, 6));
      Shape shape;
      for (size_t d = 0; d < rank; ++d) shape.push_back(pick(1, rank <= 3 ? 12 : 5));
      V starts, ends, axes, steps;
      for (size_t d = 0; d < rank; ++d) {
        if (pick(0, 2) == 0) continue;  // an axis the slice leaves alone
        const int64_t n = shape[d];
        // Bounds beyond the axis in both directions (clamped), negative ones counting from the
        // end, and now and then an empty window.
        int64_t step = pick(0, 3) == 0 ? -pick(1, 3) : pick(1, 3);
        int64_t start = pick(-n - 2, n + 2), end = pick(-n - 2, n + 2);
        if (pick(0, 9) == 0) end = start;
        if (pick(0, 6) == 0) end = step > 0 ? INT64_MAX : INT64_MIN;
        starts.push_back(start);
        ends.push_back(end);
        axes.push_back(pick(0, 1) ? static_cast<int64_t>(d)
                                  : static_cast<int64_t>(d) - static_cast<int64_t>(rank));
        steps.push_back(step);
      }
      if (axes.empty()) continue;
      for (DType dtype : kTypes) {
        OpCase c("Slice", 13);
        c.input(random_bytes(dtype, shape, static_cast<uint32_t>(trial)));
        c.constant(ints(starts)).constant(ints(ends)).constant(ints(axes)).constant(ints(steps));
        EXPECT_TRUE(direct_matches_reference(c))
            << algoscope::shape_to_string(shape) << " starts " << ::testing::PrintToString(starts)
            << " ends " << ::testing::PrintToString(ends) << " axes "
            << ::testing::PrintToString(axes) << " steps " << ::testing::PrintToString(steps);
      }
    }
    // Outputs over 1 MiB, for the threaded paths: a channel crop (runs) and a reversed width
    // (strided loops).
    OpCase crop("Slice", 13);
    crop.input(random_bytes(DType::Float32, {1, 96, 80, 80}, 3))
        .constant(ints({8}))
        .constant(ints({90}))
        .constant(ints({1}));
    EXPECT_TRUE(direct_matches_reference(crop));
    OpCase reverse("Slice", 13);
    reverse.input(random_bytes(DType::Float32, {1, 64, 80, 80}, 4))
        .constant(ints({-1}))
        .constant(ints({INT64_MIN}))
        .constant(ints({-1}))
        .constant(ints({-1}));
    EXPECT_TRUE(direct_matches_reference(reverse));
  });
}

TEST(DirectShape, ConcatAndSplitMatchReference) {
  std::mt19937 rng(5);
  auto pick = [&](int64_t lo, int64_t hi) {
    return std::uniform_int_distribution<int64_t>(lo, hi)(rng);
  };
  at_every_level([&] {
    for (int trial = 0; trial < 120; ++trial) {
      const size_t rank = static_cast<size_t>(pick(1, 6));
      Shape shape;
      for (size_t d = 0; d < rank; ++d) shape.push_back(pick(1, 5));
      const int64_t axis = pick(-static_cast<int64_t>(rank), static_cast<int64_t>(rank) - 1);
      const size_t a = static_cast<size_t>(axis < 0 ? axis + static_cast<int64_t>(rank) : axis);
      const size_t parts = static_cast<size_t>(pick(1, 4));
      V extents;
      for (size_t k = 0; k < parts; ++k) extents.push_back(pick(0, 4));  // empty parts too
      const DType dtype = kTypes[trial % 3];
      OpCase concat("Concat", 13);
      int64_t total = 0;
      for (size_t k = 0; k < parts; ++k) {
        Shape s = shape;
        s[a] = extents[k];
        total += extents[k];
        concat.input(random_bytes(dtype, s, static_cast<uint32_t>(trial * 8 + k)));
      }
      concat.attr("axis", axis);
      EXPECT_TRUE(direct_matches_reference(concat))
          << algoscope::shape_to_string(shape) << " axis " << axis << " extents "
          << ::testing::PrintToString(extents);
      // Split: the same uneven extents out of one tensor.
      Shape whole = shape;
      whole[a] = total;
      OpCase split("Split", 13);
      split.input(random_bytes(dtype, whole, static_cast<uint32_t>(trial)))
          .constant(ints(extents))
          .attr("axis", axis)
          .outputs(parts);
      EXPECT_TRUE(direct_matches_reference(split))
          << algoscope::shape_to_string(whole) << " axis " << axis << " split "
          << ::testing::PrintToString(extents);
    }
    // Over 1 MiB: batch-1 channel concat (one row: the parts across the team) and a batch-8 one
    // (the rows across the team).
    for (int64_t batch : {1, 8}) {
      OpCase concat("Concat", 13);
      concat.input(random_bytes(DType::Float32, {batch, 96, 56, 28}, 1))
          .input(random_bytes(DType::Float32, {batch, 32, 56, 28}, 2))
          .input(random_bytes(DType::Float32, {batch, 64, 56, 28}, 3))
          .attr("axis", int64_t{1});
      EXPECT_TRUE(direct_matches_reference(concat)) << "batch " << batch;
      OpCase split("Split", 13);
      split.input(random_bytes(DType::Float32, {batch, 192, 56, 28}, 4))
          .constant(ints({96, 32, 64}))
          .attr("axis", int64_t{1})
          .outputs(3);
      EXPECT_TRUE(direct_matches_reference(split)) << "batch " << batch;
    }
  });
}

TEST(DirectShape, DirectIsTheDefault) {
  OpCase t("Transpose", 13);
  t.input(iota({2, 3})).attr("perm", V{1, 0});
  OpCase s("Slice", 13);
  s.input(iota({4})).constant(ints({1})).constant(ints({3}));
  OpCase c("Concat", 13);
  c.input(iota({2})).input(iota({3})).attr("axis", int64_t{0});
  OpCase p("Split", 13);
  p.input(iota({4})).attr("axis", int64_t{0}).outputs(2);
  for (const OpCase* o : {&t, &s, &c, &p}) {
    algoscope::Layer l = o->layer();
    l.outputs = o->op().infer(l);
    EXPECT_EQ(algoscope::Registry::instance().default_algorithm(l).name, "direct") << l.n().op_type;
    const algoscope::Algorithm* direct = o->op().find("direct");
    ASSERT_NE(direct, nullptr);
    EXPECT_EQ(direct->tolerance.atol, 0.0);
    EXPECT_EQ(direct->tolerance.rtol, 0.0);
    EXPECT_NE(direct->teaching.find("exact"), std::string::npos);
  }
}

TEST(DirectShape, BadNodesAreErrorsNamingTheNode) {
  auto prepare_direct = [](const OpCase& c) {
    algoscope::Layer l = c.layer();
    c.op().find("direct")->make_kernel(l);
  };
  OpCase perm("Transpose", 13);
  perm.input(iota({2, 3})).attr("perm", V{0, 0});
  EXPECT_TRUE(throws_with([&] { prepare_direct(perm); }, "node_under_test"));
  OpCase short_perm("Transpose", 13);
  short_perm.input(iota({2, 3, 4})).attr("perm", V{1, 0});
  EXPECT_TRUE(throws_with([&] { prepare_direct(short_perm); }, "perm"));
  OpCase axis("Slice", 13);
  axis.input(iota({2, 3})).constant(ints({0})).constant(ints({1})).constant(ints({2}));
  EXPECT_TRUE(throws_with([&] { prepare_direct(axis); }, "node_under_test"));
  OpCase step("Slice", 13);
  step.input(iota({4})).constant(ints({0})).constant(ints({2})).constant(ints({0})).constant(
      ints({0}));
  EXPECT_TRUE(throws_with([&] { prepare_direct(step); }, "step"));
  OpCase concat_axis("Concat", 13);
  concat_axis.input(iota({2})).input(iota({3})).attr("axis", int64_t{1});
  EXPECT_TRUE(throws_with([&] { prepare_direct(concat_axis); }, "node_under_test"));
  OpCase split_sizes("Split", 13);
  split_sizes.input(iota({4})).constant(ints({1, 2})).attr("axis", int64_t{0}).outputs(2);
  EXPECT_TRUE(throws_with([&] { prepare_direct(split_sizes); }, "node_under_test"));
}

}  // namespace
