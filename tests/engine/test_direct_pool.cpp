// The vectorized `direct` MaxPool, AveragePool and GlobalAveragePool against `reference`: 1-D and
// 2-D windows, kernels 1-7, strides 1-3, dilations 1-2, symmetric and asymmetric pads, ceil_mode,
// count_include_pad, auto_pad, tiny / odd / non-square / ResNet-sized inputs, batch 1-3, and the
// not_applicable reasons (Indices output, 3-D windows, uint8). oneDNN's pooling (`onednn`, when
// built with oneDNN) over the same geometries and global pools, and its own reasons.
#include <gtest/gtest.h>

#include "nn_op_harness.h"

namespace {

using namespace nn_test;

struct Geometry {
  Shape x;
  std::vector<int64_t> kernel, strides, pads, dilations;
  int64_t ceil_mode = 0;
  std::string auto_pad;
};

const Geometry kGeometries[] = {
    {{1, 1, 1, 1}, {1, 1}, {1, 1}, {0, 0, 0, 0}, {1, 1}},
    {{1, 3, 7, 7}, {3, 3}, {1, 1}, {1, 1, 1, 1}, {1, 1}},
    {{2, 5, 9, 11}, {3, 3}, {2, 2}, {1, 1, 1, 1}, {1, 1}},
    {{2, 5, 9, 11}, {3, 3}, {2, 2}, {0, 0, 0, 0}, {1, 1}, 1},
    {{3, 4, 10, 13}, {2, 3}, {2, 3}, {0, 1, 1, 2}, {1, 1}, 1},
    {{1, 16, 8, 8}, {2, 2}, {2, 2}, {0, 0, 0, 0}, {1, 1}},
    {{1, 2, 12, 12}, {3, 3}, {1, 1}, {2, 2, 2, 2}, {2, 2}},
    {{1, 3, 15, 17}, {5, 5}, {3, 3}, {2, 1, 2, 1}, {1, 2}, 1},
    {{1, 2, 9, 9}, {7, 7}, {1, 1}, {3, 3, 3, 3}, {1, 1}},
    {{2, 3, 6, 5}, {1, 1}, {2, 2}, {0, 0, 0, 0}, {1, 1}},
    {{1, 3, 11, 11}, {3, 3}, {2, 2}, {}, {}, 0, "SAME_UPPER"},
    {{1, 3, 11, 11}, {4, 4}, {3, 3}, {}, {}, 0, "SAME_LOWER"},
    {{1, 64, 112, 112}, {3, 3}, {2, 2}, {1, 1, 1, 1}, {1, 1}},
    {{2, 4, 31}, {3}, {2}, {1, 2}, {1}, 1},
    {{1, 3, 20}, {5}, {1}, {0, 0}, {2}},
};

OpCase make(const char* op, const Geometry& g, int64_t include_pad) {
  OpCase c(op, op == std::string("MaxPool") ? 12 : 19);
  c.input(random_tensor(g.x, static_cast<uint32_t>(algoscope::shape_numel(g.x)), -2.0f, 2.0f));
  c.ints("kernel_shape", g.kernel).ints("strides", g.strides).i("ceil_mode", g.ceil_mode);
  if (!g.pads.empty()) c.ints("pads", g.pads);
  if (!g.dilations.empty()) c.ints("dilations", g.dilations);
  if (!g.auto_pad.empty()) c.str("auto_pad", g.auto_pad);
  if (op == std::string("AveragePool")) c.i("count_include_pad", include_pad);
  return c;
}

TEST(DirectPool, MatchesReferenceOverGeometries) {
  for (const char* op : {"MaxPool", "AveragePool"})
    for (const Geometry& g : kGeometries)
      for (int64_t include_pad : {0, 1}) {
        if (op == std::string("MaxPool") && include_pad) continue;
        OpCase c = make(op, g, include_pad);
        EXPECT_TRUE(direct_is_default_and_matches_reference(c))
            << op << " " << algoscope::shape_to_string(g.x) << " k" << g.kernel[0] << " s"
            << g.strides[0] << " include_pad " << include_pad;
      }
}

TEST(DirectPool, GlobalAveragePool) {
  for (Shape s : {Shape{1, 1, 1, 1}, Shape{1, 3, 7, 7}, Shape{2, 5, 3, 11}, Shape{1, 2048, 7, 7},
                  Shape{2, 3, 33}, Shape{1, 2, 300, 300}, Shape{1, 2, 3, 4, 5}}) {
    OpCase c("GlobalAveragePool", 13);
    c.input(random_tensor(s, 5, -1.0f, 3.0f));
    EXPECT_TRUE(direct_is_default_and_matches_reference(c)) << algoscope::shape_to_string(s);
  }
}

TEST(DirectPool, NotApplicableExplains) {
  Geometry g{{1, 2, 5, 5}, {2, 2}, {1, 1}, {0, 0, 0, 0}, {1, 1}};
  {
    OpCase c = make("MaxPool", g, 0);
    c.outputs({"y", "indices"});
    auto why = c.op().find("direct")->why_not(c.layer());
    ASSERT_TRUE(why);
    EXPECT_NE(why->find("Indices"), std::string::npos);
    EXPECT_EQ(algoscope::Registry::instance().default_algorithm(c.layer()).name, "reference");
  }
  {
    Geometry g3{{1, 2, 4, 4, 4}, {2, 2, 2}, {1, 1, 1}, {0, 0, 0, 0, 0, 0}, {1, 1, 1}};
    OpCase c = make("AveragePool", g3, 0);
    auto why = c.op().find("direct")->why_not(c.layer());
    ASSERT_TRUE(why);
    EXPECT_NE(why->find("3-D"), std::string::npos);
  }
  {
    OpCase c("MaxPool", 12);
    c.input(Tensor(DType::UInt8, {1, 1, 4, 4})).ints("kernel_shape", {2, 2});
    auto why = c.op().find("direct")->why_not(c.layer());
    ASSERT_TRUE(why);
    EXPECT_NE(why->find("float32"), std::string::npos);
  }
}

// oneDNN's pooling on its plain primitive (its blocked one is tested between convolutions in
// test_conv_onednn.cpp): every geometry above, 3-D windows and the global pools, within its
// tolerance of the reference. It declines only count_include_pad with ceil_mode's overhang
// (oneDNN would count the overhang) and the Indices output.
TEST(OnednnPool, MatchesReferenceOverGeometriesAndSaysWhereItDoesNot) {
  if (!algoscope::Registry::instance().find_algorithm("MaxPool", "onednn"))
    GTEST_SKIP() << "built without oneDNN";
  auto matches = [](const OpCase& c) -> ::testing::AssertionResult {
    const algoscope::Algorithm* onednn = c.op().find("onednn");
    if (auto why = onednn->why_not(c.layer()))
      return ::testing::AssertionFailure() << "onednn does not apply: " << *why;
    return all_close(c.run("onednn")[0], c.run("reference")[0], onednn->tolerance.atol,
                     onednn->tolerance.rtol);
  };
  int declined = 0;
  std::vector<Geometry> geometries(std::begin(kGeometries), std::end(kGeometries));
  geometries.push_back({{1, 3, 5, 6, 7}, {2, 3, 2}, {1, 2, 2}, {0, 1, 1, 1, 0, 0}, {1, 1, 1}});
  for (const char* op : {"MaxPool", "AveragePool"})
    for (const Geometry& g : geometries)
      for (int64_t include_pad : {0, 1}) {
        if (op == std::string("MaxPool") && include_pad) continue;
        SCOPED_TRACE(std::string(op) + " " + algoscope::shape_to_string(g.x) + " k" +
                     std::to_string(g.kernel[0]) + " s" + std::to_string(g.strides[0]) +
                     " include_pad " + std::to_string(include_pad));
        OpCase c = make(op, g, include_pad);
        if (include_pad && g.ceil_mode) {
          // Declined only where the last window really overhangs the padding.
          if (auto why = c.op().find("onednn")->why_not(c.layer())) {
            EXPECT_NE(why->find("overhang"), std::string::npos) << *why;
            ++declined;
            continue;
          }
        }
        EXPECT_TRUE(matches(c));
      }
  EXPECT_GE(declined, 1);
  for (const char* op : {"GlobalAveragePool", "GlobalMaxPool"})
    for (Shape s : {Shape{1, 1, 1, 1}, Shape{2, 5, 3, 11}, Shape{1, 2048, 7, 7}, Shape{2, 3, 33},
                    Shape{1, 2, 3, 4, 5}}) {
      SCOPED_TRACE(std::string(op) + " " + algoscope::shape_to_string(s));
      OpCase c(op, 13);
      c.input(random_tensor(s, 5, -1.0f, 3.0f));
      EXPECT_TRUE(matches(c));
    }
  Geometry g{{1, 2, 5, 5}, {2, 2}, {1, 1}, {0, 0, 0, 0}, {1, 1}};
  OpCase indices = make("MaxPool", g, 0);
  indices.outputs({"y", "indices"});
  auto why = indices.op().find("onednn")->why_not(indices.layer());
  ASSERT_TRUE(why);
  EXPECT_NE(why->find("Indices"), std::string::npos);
}

}  // namespace
