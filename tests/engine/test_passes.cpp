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

const std::vector<std::string_view> kOrder = {
    "remove_identity", "infer_and_fold",  "find_value_inputs",   "remove_empty_pad",
    "fold_batchnorm",  "fuse_layer_norm", "fuse_gelu",           "fuse_matmul_bias",
    "fuse_activation", "fuse_attention",  "fuse_squeeze_excite", "fuse_residual_add",
    "remove_dead_code"};

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
                  {&LoadOptions::remove_empty_pad, "remove_empty_pad"},
                  {&LoadOptions::fold_batchnorm, "fold_batchnorm"},
                  {&LoadOptions::fuse_matmul_bias, "fuse_matmul_bias"},
                  {&LoadOptions::fuse_activations, "fuse_activation"},
                  {&LoadOptions::fuse_attention, "fuse_attention"},
                  {&LoadOptions::fuse_squeeze_excite, "fuse_squeeze_excite"},
                  {&LoadOptions::fuse_residual_add, "fuse_residual_add"},
                  {&LoadOptions::fuse_layer_norm, "fuse_layer_norm"},
                  {&LoadOptions::fuse_gelu, "fuse_gelu"}};
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
  // Without the fold the Relu follows a BatchNormalization, which takes it as its epilogue.
  const Model unfolded = load_model_from_bytes(bytes, "m.onnx", {.fold_batchnorm = false});
  EXPECT_EQ(op_types(unfolded), (std::vector<std::string>{"Conv", "BatchNormalization"}));
  EXPECT_TRUE(unfolded.nodes[1].activation.has_value());
  const Model unfused = load_model_from_bytes(bytes, "m.onnx", {.fuse_activations = false});
  EXPECT_EQ(op_types(unfused), (std::vector<std::string>{"Conv", "Relu"}));
  ASSERT_EQ(unfused.nodes[0].fusions.size(), 1u);
  EXPECT_EQ(unfused.nodes[0].fusions[0].kind, Node::Fusion::Kind::BatchNormFold);
}

// x -> Pad(`pads`, an initializer) -> AveragePool -> y, as torch exports DenseNet's transitions.
std::string pad_then_pool(const std::vector<int64_t>& pads) {
  ModelBuilder b("pad_pool");
  b.input("x", {1, 2, 4, 4});
  b.int64_initializer("pads", {int64_t(pads.size())}, pads);
  b.node("Pad", {"x", "pads"}, {"p"}, "pad");
  b.node("AveragePool", {"p"}, {"y"}, "pool").ints("kernel_shape", {2, 2}).ints("strides", {2, 2});
  b.output("y");
  return b.bytes();
}

TEST(GraphPasses, APadOfZerosIsRemovedAndTheModelComputesTheSame) {
  const std::vector<int64_t> zeros(8, 0), ones = {0, 0, 1, 1, 0, 0, 1, 1};
  const Model removed = load_model_from_bytes(pad_then_pool(zeros), "m.onnx");
  EXPECT_EQ(op_types(removed), std::vector<std::string>{"AveragePool"});
  EXPECT_EQ(removed.nodes[0].inputs[0], "x");
  EXPECT_EQ(op_types(load_model_from_bytes(pad_then_pool(ones), "m.onnx")),
            (std::vector<std::string>{"Pad", "AveragePool"}));
  const std::string bytes = pad_then_pool(zeros);
  auto kept = std::make_shared<const Model>(
      load_model_from_bytes(bytes, "m.onnx", {.remove_empty_pad = false}));
  EXPECT_EQ(op_types(*kept), (std::vector<std::string>{"Pad", "AveragePool"}));
  // The same outputs with and without the Pad.
  auto without = std::make_shared<const Model>(removed);
  Tensor x = Tensor::from_vector<float>({1, 2, 4, 4}, random_floats(32, 7));
  const auto a = Session(kept, Plan::for_model(*kept)).run({x});
  const auto b = Session(without, Plan::for_model(*without)).run({x});
  ASSERT_EQ(a[0].shape(), (Shape{1, 2, 2, 2}));
  ASSERT_EQ(b[0].shape(), a[0].shape());
  for (int64_t i = 0; i < a[0].numel(); ++i)
    EXPECT_EQ(a[0].data<float>()[i], b[0].data<float>()[i]);
}

// x -> conv_a -> a; x -> conv_b -> b; y = Add(a, b) [+ Relu]: both operands are Convs (a ResNet
// block with a projection shortcut), and the later one, conv_b, takes the Add with a as its
// residual. With `broadcast` the Add's other operand has one channel: no fusion.
std::string two_convs_into_add(bool broadcast) {
  ModelBuilder b("shortcut");
  b.input("x", {1, 4, 5, 5});
  b.initializer("wa", {6, 4, 1, 1}, random_floats(24, 1));
  b.initializer("wb", {6, 4, 3, 3}, random_floats(216, 2));
  b.initializer("wc", {1, 4, 1, 1}, random_floats(4, 3));
  b.node("Conv", {"x", broadcast ? "wc" : "wa"}, {"a"}, "conv_a");
  b.node("Conv", {"x", "wb"}, {"b"}, "conv_b").ints("pads", {1, 1, 1, 1});
  b.node("Add", {"a", "b"}, {"s"}, "add");
  b.node("Relu", {"s"}, {"y"}, "relu");
  b.output("y");
  return b.bytes();
}

TEST(GraphPasses, AResidualAddJoinsTheLaterConvOfOneShapeAndAnOlderPlanStillFits) {
  const Model fused = load_model_from_bytes(two_convs_into_add(false), "m.onnx");
  ASSERT_EQ(op_types(fused), (std::vector<std::string>{"Conv", "Conv"}));
  const Node& conv_b = fused.nodes[1];
  EXPECT_EQ(conv_b.name, "conv_b");
  EXPECT_EQ(conv_b.display_op(), "Conv+Add+Relu");
  EXPECT_EQ(conv_b.inputs, (std::vector<std::string>{"x", "wb", "", "a"}));
  EXPECT_EQ(conv_b.outputs, std::vector<std::string>{"y"});
  EXPECT_EQ(conv_b.merged_nodes(), (std::vector<std::string>{"add", "relu"}));
  // A plan written before the fusion names the Add and the Relu: they are ignored, the rest holds.
  Plan older = Plan::for_model(fused);
  older.layers = {
      {"conv_a", "im2col"}, {"conv_b", "direct"}, {"add", "direct"}, {"relu", "direct"}};
  EXPECT_NO_THROW(validate_plan(older, fused));
  older.layers["nowhere"] = "direct";
  EXPECT_THROW(validate_plan(older, fused), Error);

  EXPECT_EQ(op_types(load_model_from_bytes(two_convs_into_add(true), "m.onnx")),
            (std::vector<std::string>{"Conv", "Conv", "Add"}));
  EXPECT_EQ(op_types(load_model_from_bytes(two_convs_into_add(false), "m.onnx",
                                           {.fuse_residual_add = false})),
            (std::vector<std::string>{"Conv", "Conv", "Add"}));
}

// ONNX's Conv has three inputs: a file that gives it a fourth is refused, not read as a residual.
TEST(GraphPasses, AFileConvWithAFourthInputIsRefused) {
  ModelBuilder b("four");
  b.input("x", {1, 2, 4, 4});
  b.input("r", {1, 2, 4, 4});
  b.initializer("w", {2, 2, 1, 1}, random_floats(4, 1));
  b.node("Conv", {"x", "w", "", "r"}, {"y"}, "conv");
  b.output("y");
  const Model m = load_model_from_bytes(b.bytes(), "four.onnx");
  ASSERT_EQ(m.nodes.size(), 1u);
  EXPECT_NE(m.nodes[0].problem.find("a fourth (a residual) comes only from"), std::string::npos)
      << m.nodes[0].problem;
}

// Folding repeats until nothing changes: in a model built in code, a consumer listed before its
// producer only sees a constant input on the second sweep; both still fold, and the note counts
// every fold once.
TEST(GraphPasses, FoldingReachesAFixedPointWhateverTheNodeOrder) {
  Model model;
  model.opset = 13;
  model.constants["a"] = Tensor::from_vector<int64_t>({1}, {3});
  model.values["a"] = ValueInfo{"a", {DType::Int64, {1}}, true, "int64"};
  Node add;
  add.name = "add";
  add.op_type = "Add";
  add.inputs = {"b", "a"};
  add.outputs = {"c"};
  Node mul;
  mul.name = "mul";
  mul.op_type = "Mul";
  mul.inputs = {"a", "a"};
  mul.outputs = {"b"};
  model.nodes = {add, mul};  // the consumer first
  model.outputs = {"c"};
  LoadOptions options;
  passes::PassContext context{model, options};
  passes::infer_and_fold(context);
  EXPECT_TRUE(model.nodes.empty());
  ASSERT_NE(model.find_constant("c"), nullptr);
  EXPECT_EQ(model.find_constant("c")->to_int64_vector(), (std::vector<int64_t>{12}));
  EXPECT_EQ(model.load_notes, (std::vector<std::string>{"folded 2 constant node(s)"}));
}

// The shape of Swin's shifted-window mask sub-graph: Range, Mod, Equal, Not, Cast and ScatterND
// from the input's static shape, then a Pad whose pads are computed, all folded at load time into
// one constant that the only remaining node reads.
TEST(GraphPasses, AMaskSubGraphOfConstantsFoldsCompletely) {
  ModelBuilder b("mask");
  b.input("x", {1, 1, 4, 4});
  b.int64_initializer("two", {}, {2});
  b.int64_initializer("zero", {}, {0});
  b.int64_initializer("one", {}, {1});
  b.int64_initializer("three", {}, {3});
  b.int64_initializer("axes0", {1}, {0});
  b.int64_initializer("index0", {1, 1}, {0});
  b.initializer("zeros", {4}, {0, 0, 0, 0});
  b.initializer("five", {1}, {5});
  b.int64_initializer("starts", {1}, {1});
  b.int64_initializer("ends", {1}, {5});
  b.node("Shape", {"x"}, {"shape"});
  b.node("Gather", {"shape", "two"}, {"h"});
  b.node("Range", {"zero", "h", "one"}, {"r"});
  b.node("Mod", {"r", "two"}, {"m"});
  b.node("Equal", {"m", "zero"}, {"even"});
  b.node("Not", {"even"}, {"odd"});
  b.node("Cast", {"odd"}, {"oddf"}).i("to", 1);
  b.node("ScatterND", {"zeros", "index0", "five"}, {"spot"});
  b.node("Add", {"oddf", "spot"}, {"mask"});
  b.node("Sub", {"h", "three"}, {"p"});
  b.node("Unsqueeze", {"p", "axes0"}, {"p1"});
  b.node("Concat", {"p1", "p1"}, {"pads"}).i("axis", 0);
  b.node("Pad", {"mask", "pads"}, {"padded"});
  b.node("Slice", {"padded", "starts", "ends"}, {"cropped"});
  b.node("Add", {"x", "cropped"}, {"y"}, "join");
  b.output("y");
  const Model model = load_model_from_bytes(b.bytes(), "mask.onnx");
  EXPECT_EQ(op_types(model), std::vector<std::string>{"Add"});
  EXPECT_EQ(model.load_notes, (std::vector<std::string>{"folded 14 constant node(s)"}));
  const Tensor* mask = model.find_constant(model.nodes[0].inputs[1]);
  ASSERT_NE(mask, nullptr);
  // odd positions [0, 1, 0, 1] plus the scattered 5 at 0; padded by one each side and cropped back.
  const float* v = mask->data<float>();
  EXPECT_EQ(std::vector<float>(v, v + mask->numel()), (std::vector<float>{5, 1, 0, 1}));
}
