// The graph-pass pipeline (engine/src/passes): the passes run in one listed order, and each
// LoadOptions switch removes exactly its own pass, so that a model loaded with a switch off keeps
// what that pass would have changed and nothing else is affected.
#include <gtest/gtest.h>

#include <string_view>
#include <vector>

#include "algoscope/algoscope.h"
#include "passes/pass.h"
#include "support/onnx_builder.h"

namespace {

using namespace algoscope;
using onnx_builder::ModelBuilder;
using onnx_builder::random_floats;

const std::vector<std::string_view> kOrder = {"remove_identity", "infer_and_fold",
                                              "fold_batchnorm",  "fuse_activation",
                                              "fuse_attention",  "remove_dead_code"};

std::vector<std::string_view> all_names() {
  std::vector<std::string_view> names;
  for (const passes::GraphPass& pass : passes::graph_passes()) names.push_back(pass.name);
  return names;
}

// x -> Identity -> Conv -> BatchNormalization -> Relu -> y: one node for every optional pass
// that works on convolutions.
std::string conv_bn_relu() {
  ModelBuilder b("conv_bn_relu");
  b.input("x", {1, 3, 6, 6});
  b.initializer("w", {4, 3, 3, 3}, random_floats(4 * 3 * 9, 1));
  b.initializer("gamma", {4}, random_floats(4, 2, 0.5f, 1.5f));
  b.initializer("beta", {4}, random_floats(4, 3));
  b.initializer("mean", {4}, random_floats(4, 4));
  b.initializer("var", {4}, random_floats(4, 5, 0.5f, 1.5f));
  b.node("Identity", {"x"}, {"xi"}, "copy");
  b.node("Conv", {"xi", "w"}, {"c"}, "conv").ints("pads", {1, 1, 1, 1});
  b.node("BatchNormalization", {"c", "gamma", "beta", "mean", "var"}, {"n"}, "bn");
  b.node("Relu", {"n"}, {"y"}, "relu");
  b.output("y");
  return b.bytes();
}

std::vector<std::string> op_types(const Model& m) {
  std::vector<std::string> ops;
  for (const Node& n : m.nodes) ops.push_back(n.op_type);
  return ops;
}

}  // namespace

TEST(GraphPasses, PipelineListsThePassesInOrder) {
  EXPECT_EQ(all_names(), kOrder);
  EXPECT_EQ(passes::enabled_passes(LoadOptions{}), kOrder);
}

TEST(GraphPasses, EachLoadOptionsFlagSkipsOnlyItsPass) {
  const struct {
    bool LoadOptions::*flag;
    std::string_view pass;
  } switches[] = {{&LoadOptions::remove_identity, "remove_identity"},
                  {&LoadOptions::fold_batchnorm, "fold_batchnorm"},
                  {&LoadOptions::fuse_activations, "fuse_activation"},
                  {&LoadOptions::fuse_attention, "fuse_attention"}};
  for (const auto& s : switches) {
    SCOPED_TRACE(std::string(s.pass));
    LoadOptions options;
    options.*s.flag = false;
    std::vector<std::string_view> expected = kOrder;
    std::erase(expected, s.pass);
    EXPECT_EQ(passes::enabled_passes(options), expected);
  }
  // Shapes are always needed: fold_constants turns off the folding inside the pass, not the pass.
  EXPECT_EQ(passes::enabled_passes({.fold_constants = false}), kOrder);
}

TEST(GraphPasses, ASkippedPassLeavesItsNodes) {
  const std::string bytes = conv_bn_relu();
  const Model all = load_model_from_bytes(bytes, "m.onnx");
  EXPECT_EQ(op_types(all), std::vector<std::string>{"Conv"});
  ASSERT_EQ(all.nodes[0].fusions.size(), 2u);
  EXPECT_EQ(all.nodes[0].fusions[0].op, "BatchNormalization");
  EXPECT_EQ(all.nodes[0].fusions[1].op, "Relu");

  EXPECT_EQ(op_types(load_model_from_bytes(bytes, "m.onnx", {.remove_identity = false})),
            (std::vector<std::string>{"Identity", "Conv"}));
  // Without the fold the Relu follows a BatchNormalization, which takes no epilogue.
  EXPECT_EQ(op_types(load_model_from_bytes(bytes, "m.onnx", {.fold_batchnorm = false})),
            (std::vector<std::string>{"Conv", "BatchNormalization", "Relu"}));
  const Model unfused = load_model_from_bytes(bytes, "m.onnx", {.fuse_activations = false});
  EXPECT_EQ(op_types(unfused), (std::vector<std::string>{"Conv", "Relu"}));
  ASSERT_EQ(unfused.nodes[0].fusions.size(), 1u);
  EXPECT_EQ(unfused.nodes[0].fusions[0].kind, Node::Fusion::Kind::BatchNormFold);
}
