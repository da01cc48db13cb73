// describe_layer: the layer facts that the CLI's `info` and the explorer both show. Each test
// builds a model whose graph passes merge nodes (BatchNormalization and Relu into a Conv, a Relu
// into an Add, a scaled dot-product pattern into Attention) and checks that the description says
// what was merged, from which ONNX nodes, and what the registry offers for the result.
#include <gtest/gtest.h>

#include <algorithm>

#include "algoscope/algoscope.h"
#include "support/fused_models.h"
#include "support/onnx_builder.h"

namespace {

using namespace algoscope;
using onnx_builder::ModelBuilder;

// The description of a model's only node (copied: describe_layers returns a temporary).
LayerDescription only_layer(const Model& model) {
  const std::vector<LayerDescription> layers = describe_layers(model);
  EXPECT_EQ(layers.size(), 1u);
  return layers.at(0);
}

// The bytes of a model with one `op_type` node from x [2, 3] to y.
std::string one_node_model(const std::string& op_type) {
  ModelBuilder b(op_type, 13);
  b.input("x", {2, 3});
  b.node(op_type, {"x"}, {"y"}, "n");
  b.output("y");
  return b.bytes();
}

// Every registered algorithm of the op appears, in registry order, with its backend; the
// applicable ones are exactly those whose why_not is empty, and the default is one of them.
void expect_algorithms_match_registry(const Model& model, const LayerDescription& d) {
  const OpDefinition* op = Registry::instance().find_op(d.op_type);
  ASSERT_NE(op, nullptr);
  ASSERT_EQ(d.algorithms.size(), op->algorithms.size());
  const Layer layer = make_layer(model, model.nodes[d.index]);
  int defaults = 0;
  for (size_t i = 0; i < d.algorithms.size(); ++i) {
    const Algorithm& a = op->algorithms[i];
    EXPECT_EQ(d.algorithms[i].name, a.name);
    EXPECT_EQ(d.algorithms[i].backend, a.backend);
    EXPECT_EQ(d.algorithms[i].why_not, a.why_not(layer).value_or(""));
    defaults += d.algorithms[i].is_default;
  }
  EXPECT_EQ(defaults, 1);
  EXPECT_EQ(d.default_algorithm, Registry::instance().default_algorithm(layer).name);
  ASSERT_NE(d.find_algorithm(d.default_algorithm), nullptr);
  EXPECT_TRUE(d.find_algorithm(d.default_algorithm)->applicable());
  EXPECT_DOUBLE_EQ(d.flops, op->flop_count(layer));
  EXPECT_TRUE(d.runnable()) << d.problem;
}

TEST(DescribeLayer, ConvWithFoldedBatchNormAndRelu) {
  ModelBuilder b = fused_models::conv_bn_relu();
  const Model model = load_model_from_bytes(b.bytes(), "conv_bn_relu.onnx");
  const LayerDescription d = only_layer(model);
  EXPECT_EQ(d.node, "conv");
  EXPECT_EQ(d.op_type, "Conv");
  EXPECT_EQ(d.display_op, "Conv+BN+Relu");
  ASSERT_EQ(d.fusions.size(), 2u);
  EXPECT_EQ(d.fusions[0].kind, Node::Fusion::Kind::BatchNormFold);
  EXPECT_EQ(d.fusions[0].nodes, std::vector<std::string>{"bn"});
  EXPECT_NE(d.fusions[0].text.find("BatchNormalization"), std::string::npos) << d.fusions[0].text;
  EXPECT_NE(d.fusions[0].text.find("bn"), std::string::npos) << d.fusions[0].text;
  EXPECT_EQ(d.fusions[1].kind, Node::Fusion::Kind::Epilogue);
  EXPECT_EQ(d.fusions[1].op, "Relu");
  EXPECT_EQ(d.fusions[1].nodes, std::vector<std::string>{"act"});
  EXPECT_NE(d.fusions[1].text.find("act"), std::string::npos) << d.fusions[1].text;
  EXPECT_EQ(d.merged_nodes, (std::vector<std::string>{"bn", "act"}));
  EXPECT_EQ(d.input_shapes_text(), "1x3x8x8");
  EXPECT_EQ(d.output_shapes_text(), "1x4x8x8");
  // The folded BatchNormalization gave the Conv a bias: weights 4*3*3*3 plus 4.
  EXPECT_EQ(d.parameters, 108 + 4);
  EXPECT_EQ(d.flops, 2.0 * 4 * 8 * 8 * 3 * 3 * 3);
  expect_algorithms_match_registry(model, d);
}

TEST(DescribeLayer, AddWithRelu) {
  ModelBuilder b = fused_models::add_relu();
  const Model model = load_model_from_bytes(b.bytes(), "add_relu.onnx");
  const LayerDescription d = only_layer(model);
  EXPECT_EQ(d.display_op, "Add+Relu");
  ASSERT_EQ(d.fusions.size(), 1u);
  EXPECT_EQ(d.fusions[0].kind, Node::Fusion::Kind::Epilogue);
  EXPECT_EQ(d.fusions[0].nodes, std::vector<std::string>{"act"});
  EXPECT_EQ(d.input_shapes_text(), "1x8x5x5, 1x8x5x5");
  EXPECT_EQ(d.parameters, 0);
  expect_algorithms_match_registry(model, d);
}

TEST(DescribeLayer, AttentionPattern) {
  ModelBuilder b = fused_models::attention();
  const Model model = load_model_from_bytes(b.bytes(), "attention.onnx");
  const std::vector<LayerDescription> layers = describe_layers(model);
  auto it = std::find_if(layers.begin(), layers.end(),
                         [](const LayerDescription& d) { return d.op_type == "Attention"; });
  ASSERT_NE(it, layers.end());
  const LayerDescription& d = *it;
  EXPECT_EQ(d.display_op, "Attention");
  ASSERT_EQ(d.fusions.size(), 1u);
  EXPECT_EQ(d.fusions[0].kind, Node::Fusion::Kind::Pattern);
  EXPECT_EQ(d.fusions[0].op, "Attention");
  for (const char* absorbed : {"qk", "softmax", "pv"})
    EXPECT_NE(std::find(d.merged_nodes.begin(), d.merged_nodes.end(), absorbed),
              d.merged_nodes.end())
        << absorbed;
  EXPECT_NE(d.fusions[0].text.find("softmax"), std::string::npos) << d.fusions[0].text;
  EXPECT_EQ(d.output_shapes_text(), "1x2x10x5");
  expect_algorithms_match_registry(model, d);
  for (const char* name : {"reference", "naive", "flash", "chunked"})
    EXPECT_NE(d.find_algorithm(name), nullptr) << name;
}

TEST(DescribeLayer, UnsupportedOpSaysSoAndOffersNothing) {
  // Det: an op the engine does not implement (Softplus was until issue 19).
  const Model model = load_model_from_bytes(one_node_model("Det"), "det.onnx");
  const LayerDescription d = only_layer(model);
  EXPECT_FALSE(d.registered);
  EXPECT_FALSE(d.runnable());
  EXPECT_EQ(d.problem, "unsupported op Det");
  EXPECT_TRUE(d.algorithms.empty());
  EXPECT_TRUE(d.default_algorithm.empty());
  EXPECT_EQ(d.display_op, "Det");
}

TEST(DescribeLayer, RefusesANodeOfAnotherModel) {
  const Model a = load_model_from_bytes(one_node_model("Relu"), "a.onnx");
  const Model other = load_model_from_bytes(one_node_model("Relu"), "b.onnx");
  EXPECT_THROW(describe_layer(a, other.nodes[0]), Error);
}

}  // namespace
