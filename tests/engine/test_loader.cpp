// Tests of the ONNX loader: the graph passes (Conv+BatchNormalization folding, Identity/Dropout
// removal, constant and shape sub-graph folding), symbolic input dimensions, node naming, hostile
// or broken files (every one must end in algoscope::Error, never a crash), models with ops the
// engine cannot run, and the SHA-256 fingerprint. Models are built in memory with
// support/onnx_builder.h; each test checks the loaded graph and, where it runs, the numbers.
#include <gtest/gtest.h>
#include <unistd.h>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <functional>
#include <map>
#include <memory>
#include <random>
#include <set>
#include <string>
#include <vector>

#include "algoscope/error.h"
#include "algoscope/loader.h"
#include "algoscope/plan.h"
#include "algoscope/registry.h"
#include "algoscope/session.h"
#include "support/assertions.h"
#include "support/onnx_builder.h"
#include "support/temp_dir.h"

namespace {

using test_support::Contains;
using test_support::error_of;
using test_support::relative_difference;

using algoscope::DType;
using algoscope::Error;
using algoscope::LoadOptions;
using algoscope::Model;
using algoscope::Tensor;
using onnx_builder::ModelBuilder;
using onnx_builder::random_floats;

std::shared_ptr<const Model> share(Model m) { return std::make_shared<const Model>(std::move(m)); }

// Runs a model under the engine's default plan on one thread.
std::vector<Tensor> run(const Model& model, const std::vector<Tensor>& inputs) {
  algoscope::Session session(share(model), algoscope::Plan::for_model(model), {.threads = 1});
  return session.run(inputs);
}

std::vector<float> values(const Tensor& t) {
  const float* p = t.data<float>();
  return std::vector<float>(p, p + t.numel());
}

size_t count_op(const Model& m, const std::string& op_type) {
  return std::count_if(m.nodes.begin(), m.nodes.end(),
                       [&](const algoscope::Node& n) { return n.op_type == op_type; });
}

bool has_note(const Model& m, const std::string& needle) {
  for (const auto& note : m.load_notes)
    if (note.find(needle) != std::string::npos) return true;
  return false;
}

using TempDir = test_support::TempDir;

// x[1,3,8,8] -> Conv(4 filters, 3x3, pad 1) -> c -> BatchNormalization -> y.
ModelBuilder conv_bn_model(bool conv_bias = true, bool runtime_weight = false) {
  ModelBuilder b("conv_bn");
  b.input("x", {1, 3, 8, 8});
  if (runtime_weight)
    b.input("w", {4, 3, 3, 3});
  else
    b.initializer("w", {4, 3, 3, 3}, random_floats(108, 1));
  std::vector<std::string> conv_inputs{"x", "w"};
  if (conv_bias) {
    b.initializer("b", {4}, random_floats(4, 2));
    conv_inputs.push_back("b");
  }
  b.node("Conv", conv_inputs, {"c"}, "conv").ints("pads", {1, 1, 1, 1});
  b.initializer("gamma", {4}, random_floats(4, 3, 0.5f, 2.0f));
  b.initializer("beta", {4}, random_floats(4, 4));
  b.initializer("mean", {4}, random_floats(4, 5));
  b.initializer("var", {4}, random_floats(4, 6, 0.1f, 3.0f));
  b.node("BatchNormalization", {"c", "gamma", "beta", "mean", "var"}, {"y"}, "bn")
      .f("epsilon", 1e-3f);
  b.output("y");
  return b;
}

// ---------------------------------------------------------------------------------------------
// Conv -> BatchNormalization folding

class LoaderBatchNormFold : public ::testing::TestWithParam<bool> {};

TEST_P(LoaderBatchNormFold, FoldsIntoConvAndComputesTheSame) {
  const bool conv_bias = GetParam();
  const std::string bytes = conv_bn_model(conv_bias).bytes();
  Model folded = algoscope::load_model_from_bytes(bytes, "conv_bn.onnx");
  Model unfolded =
      algoscope::load_model_from_bytes(bytes, "conv_bn.onnx", LoadOptions{.fold_batchnorm = false});

  EXPECT_EQ(folded.find_node("bn"), nullptr);
  EXPECT_EQ(count_op(folded, "BatchNormalization"), 0u);
  ASSERT_EQ(folded.nodes.size(), 1u);
  const algoscope::Node* conv = folded.find_node("conv");
  ASSERT_NE(conv, nullptr);
  EXPECT_EQ(conv->merged_nodes(), std::vector<std::string>{"bn"});
  EXPECT_EQ(conv->display_op(), "Conv+BN");
  ASSERT_EQ(conv->outputs.size(), 1u);
  EXPECT_EQ(conv->outputs[0], "y");
  // The folded weights and bias are constants the Conv reads.
  ASSERT_EQ(conv->inputs.size(), 3u);
  EXPECT_NE(folded.find_constant(conv->inputs[1]), nullptr);
  EXPECT_NE(folded.find_constant(conv->inputs[2]), nullptr);
  EXPECT_TRUE(has_note(folded, "BatchNormalization"));

  ASSERT_NE(unfolded.find_node("bn"), nullptr);
  EXPECT_EQ(unfolded.nodes.size(), 2u);

  auto inputs = algoscope::random_inputs(folded, 7);
  auto got = run(folded, inputs);
  auto want = run(unfolded, inputs);
  ASSERT_EQ(got.size(), 1u);
  ASSERT_EQ(want.size(), 1u);
  EXPECT_EQ(got[0].shape(), (algoscope::Shape{1, 4, 8, 8}));
  EXPECT_LE(relative_difference(got[0], want[0]), 1e-5);
}

INSTANTIATE_TEST_SUITE_P(WithAndWithoutConvBias, LoaderBatchNormFold, ::testing::Bool(),
                         [](const auto& info) { return info.param ? "bias" : "no_bias"; });

TEST(LoaderBatchNorm, NotFoldedWhenConvOutputHasAnotherConsumer) {
  ModelBuilder b = conv_bn_model();
  b.node("Relu", {"c"}, {"r"}, "side_relu");
  b.output("r");
  Model m = algoscope::load_model_from_bytes(b.bytes(), "conv_bn_shared.onnx");
  ASSERT_NE(m.find_node("bn"), nullptr);
  EXPECT_EQ(count_op(m, "BatchNormalization"), 1u);
  EXPECT_TRUE(m.find_node("conv")->merged_nodes().empty());
  EXPECT_EQ(m.find_node("conv")->outputs[0], "c");

  // Both outputs still compute what the unmodified graph computes.
  auto inputs = algoscope::random_inputs(m, 3);
  auto got = run(m, inputs);
  auto want = run(algoscope::load_model_from_bytes(b.bytes(), "conv_bn_shared.onnx",
                                                   LoadOptions{.fold_batchnorm = false}),
                  inputs);
  ASSERT_EQ(got.size(), 2u);
  for (size_t i = 0; i < got.size(); ++i) EXPECT_LE(relative_difference(got[i], want[i]), 1e-6);
}

TEST(LoaderBatchNorm, NotFoldedWhenConvOutputIsAGraphOutput) {
  ModelBuilder b = conv_bn_model();
  b.output("c");
  Model m = algoscope::load_model_from_bytes(b.bytes(), "conv_bn_out.onnx");
  EXPECT_NE(m.find_node("bn"), nullptr);
  EXPECT_TRUE(m.find_node("conv")->merged_nodes().empty());
}

TEST(LoaderBatchNorm, NotFoldedWhenWeightIsARuntimeInput) {
  Model m = algoscope::load_model_from_bytes(
      conv_bn_model(/*conv_bias=*/true, /*runtime_weight=*/true).bytes(), "conv_bn_w.onnx");
  EXPECT_NE(m.find_node("bn"), nullptr);
  EXPECT_TRUE(m.find_node("conv")->merged_nodes().empty());
  EXPECT_EQ(m.inputs, (std::vector<std::string>{"x", "w"}));
}

// Only a Conv's weights can absorb the scale: an Add of a constant with the shape of conv weights
// ([C, C, 1, 1]) followed by BatchNormalization must stay two nodes.
TEST(LoaderBatchNorm, NotFoldedIntoAnAdd) {
  ModelBuilder b("add_bn");
  b.input("x", {4, 4, 1, 1});
  b.initializer("c", {4, 4, 1, 1}, random_floats(16, 1));
  for (const char* p : {"gamma", "beta", "mean", "var"})
    b.initializer(p, {4}, {0.5f, 1.5f, 2.0f, 3.0f});
  b.node("Add", {"x", "c"}, {"a"}, "add");
  b.node("BatchNormalization", {"a", "gamma", "beta", "mean", "var"}, {"y"}, "bn");
  b.output("y");
  Model m = algoscope::load_model_from_bytes(b.bytes(), "add_bn.onnx");
  EXPECT_NE(m.find_node("bn"), nullptr);
  EXPECT_TRUE(m.find_node("add")->merged_nodes().empty());
}

// ---------------------------------------------------------------------------------------------
// Identity and Dropout removal

TEST(LoaderIdentity, IdentityAndDropoutAreRemoved) {
  ModelBuilder b("identities");
  b.input("x", {2, 5});
  b.node("Relu", {"x"}, {"a"}, "relu1");
  b.node("Identity", {"a"}, {"b"}, "id");
  b.node("Dropout", {"b"}, {"c"}, "drop");
  b.initializer("minus_one", {}, {-1.0f});
  b.node("Mul", {"c", "minus_one"}, {"d"}, "negate");
  b.output("d");
  Model m = algoscope::load_model_from_bytes(b.bytes(), "identities.onnx");
  EXPECT_EQ(count_op(m, "Identity"), 0u);
  EXPECT_EQ(count_op(m, "Dropout"), 0u);
  ASSERT_EQ(m.nodes.size(), 2u);
  EXPECT_EQ(m.nodes[1].inputs[0], "a");  // reads the Relu directly
  EXPECT_TRUE(has_note(m, "Identity/Dropout"));

  Model kept = algoscope::load_model_from_bytes(b.bytes(), "identities.onnx",
                                                LoadOptions{.remove_identity = false});
  EXPECT_EQ(count_op(kept, "Identity"), 1u);
  EXPECT_EQ(count_op(kept, "Dropout"), 1u);

  Tensor x = Tensor::from_vector<float>({2, 5}, {-1, 2, -3, 4, -5, 6, -7, 8, -9, 10});
  auto out = run(m, {x});
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(values(out[0]), (std::vector<float>{-0, -2, -0, -4, -0, -6, -0, -8, -0, -10}));
}

TEST(LoaderIdentity, IdentityProducingAGraphOutputIsRemovedAndTheOutputKeepsItsName) {
  ModelBuilder b("identity_out");
  b.input("x", {4});
  b.node("Relu", {"x"}, {"t"}, "relu");
  b.node("Identity", {"t"}, {"y"}, "id");
  b.output("y");
  Model m = algoscope::load_model_from_bytes(b.bytes(), "identity_out.onnx");
  ASSERT_EQ(m.nodes.size(), 1u);
  EXPECT_EQ(m.nodes[0].name, "relu");
  EXPECT_EQ(m.nodes[0].outputs, std::vector<std::string>{"y"});
  EXPECT_EQ(m.outputs, std::vector<std::string>{"y"});
  ASSERT_NE(m.find_value("y"), nullptr);
  EXPECT_TRUE(m.find_value("y")->known);

  auto out = run(m, {Tensor::from_vector<float>({4}, {-1, 2, -3, 4})});
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(values(out[0]), (std::vector<float>{0, 2, 0, 4}));
}

TEST(LoaderIdentity, GraphInputStraightToOutputKeepsTheIdentityAndRuns) {
  ModelBuilder b("passthrough");
  b.input("x", {3});
  b.node("Identity", {"x"}, {"y"}, "id");
  b.output("y");
  Model m = algoscope::load_model_from_bytes(b.bytes(), "passthrough.onnx");
  ASSERT_EQ(m.nodes.size(), 1u);
  EXPECT_EQ(m.nodes[0].op_type, "Identity");
  Tensor x = Tensor::from_vector<float>({3}, {1.5f, -2.0f, 3.25f});
  auto out = run(m, {x});
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(values(out[0]), values(x));
  EXPECT_NE(out[0].raw(), x.raw());
}

TEST(LoaderIdentity, DropoutWithAMaskOutputIsKept) {
  ModelBuilder b("dropout_mask");
  b.input("x", {3});
  b.node("Dropout", {"x"}, {"y", "mask"}, "drop");
  b.output("y");
  b.output("mask", onnx_builder::kBool);
  Model m = algoscope::load_model_from_bytes(b.bytes(), "dropout_mask.onnx");
  EXPECT_EQ(count_op(m, "Dropout"), 1u);
}

// ---------------------------------------------------------------------------------------------
// Constant folding

// x[2,3,4] -> Shape -> Gather(0) -> Unsqueeze -> Concat([n], [-1]) -> Reshape(x) -> y[2,12]:
// the flatten idiom of PyTorch exports.
ModelBuilder shape_subgraph_model() {
  ModelBuilder b("shape_subgraph", 13);
  b.input("x", {2, 3, 4});
  b.int64_initializer("zero", {}, {0});
  b.int64_initializer("axes", {1}, {0});
  b.int64_initializer("minus_one", {1}, {-1});
  b.node("Shape", {"x"}, {"shape"}, "shape");
  b.node("Gather", {"shape", "zero"}, {"batch"}, "gather").i("axis", 0);
  b.node("Unsqueeze", {"batch", "axes"}, {"batch1"}, "unsqueeze");
  b.node("Concat", {"batch1", "minus_one"}, {"target"}, "concat").i("axis", 0);
  b.node("Reshape", {"x", "target"}, {"y"}, "reshape");
  b.output("y");
  return b;
}

TEST(LoaderConstantFolding, ShapeSubgraphBecomesAConstant) {
  const std::string bytes = shape_subgraph_model().bytes();
  Model m = algoscope::load_model_from_bytes(bytes, "shape_subgraph.onnx");
  for (const char* op : {"Shape", "Gather", "Unsqueeze", "Concat"})
    EXPECT_EQ(count_op(m, op), 0u) << op << " should have been folded";
  ASSERT_EQ(m.nodes.size(), 1u);
  const algoscope::Node& reshape = m.nodes[0];
  EXPECT_EQ(reshape.op_type, "Reshape");
  ASSERT_EQ(reshape.inputs.size(), 2u);
  const Tensor* target = m.find_constant(reshape.inputs[1]);
  ASSERT_NE(target, nullptr) << "the Reshape's shape input must be a constant";
  EXPECT_EQ(target->to_int64_vector(), (std::vector<int64_t>{2, -1}));
  ASSERT_NE(m.find_value("y"), nullptr);
  EXPECT_EQ(m.find_value("y")->info.shape, (algoscope::Shape{2, 12}));
  EXPECT_TRUE(has_note(m, "folded"));

  std::vector<float> data(24);
  for (size_t i = 0; i < data.size(); ++i) data[i] = float(i) - 11.5f;
  auto out = run(m, {Tensor::from_vector<float>({2, 3, 4}, data)});
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(out[0].shape(), (algoscope::Shape{2, 12}));
  EXPECT_EQ(values(out[0]), data);

  // Without the pass the sub-graph stays, so the checks above really test folding.
  Model unfolded = algoscope::load_model_from_bytes(bytes, "shape_subgraph.onnx",
                                                    LoadOptions{.fold_constants = false});
  EXPECT_EQ(count_op(unfolded, "Shape"), 1u);
  EXPECT_EQ(count_op(unfolded, "Concat"), 1u);
}

TEST(LoaderConstantFolding, ConstantNodeFeedingAnAddIsFolded) {
  ModelBuilder b("constant_add");
  b.input("x", {3});
  b.node("Constant", {}, {"k"}, "const").t("value", onnx_builder::float_tensor("", {3}, {1, 2, 3}));
  b.node("Add", {"x", "k"}, {"y"}, "add");
  b.output("y");
  Model m = algoscope::load_model_from_bytes(b.bytes(), "constant_add.onnx");
  EXPECT_EQ(count_op(m, "Constant"), 0u);
  ASSERT_EQ(m.nodes.size(), 1u);
  EXPECT_EQ(m.nodes[0].op_type, "Add");
  const Tensor* k = m.find_constant("k");
  ASSERT_NE(k, nullptr);
  EXPECT_EQ(values(*k), (std::vector<float>{1, 2, 3}));

  auto out = run(m, {Tensor::from_vector<float>({3}, {10, 20, 30})});
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(values(out[0]), (std::vector<float>{11, 22, 33}));
}

// ---------------------------------------------------------------------------------------------
// Symbolic dimensions

TEST(LoaderSymbolicDims, BecomeTheConfiguredValueWithANote) {
  ModelBuilder b("dynamic");
  b.input("x", {"batch", 3, onnx_builder::Dim::unknown()});
  b.node("Relu", {"x"}, {"y"}, "relu");
  b.output("y", {"batch", 3, "len"});

  Model m1 = algoscope::load_model_from_bytes(b.bytes(), "dynamic.onnx");
  ASSERT_NE(m1.find_value("x"), nullptr);
  EXPECT_TRUE(m1.find_value("x")->known);
  EXPECT_EQ(m1.find_value("x")->info.shape, (algoscope::Shape{1, 3, 1}));
  EXPECT_EQ(m1.find_value("y")->info.shape, (algoscope::Shape{1, 3, 1}));

  Model m4 = algoscope::load_model_from_bytes(b.bytes(), "dynamic.onnx",
                                              LoadOptions{.symbolic_dim_value = 4});
  EXPECT_EQ(m4.find_value("x")->info.shape, (algoscope::Shape{4, 3, 4}));
  EXPECT_EQ(m4.find_value("y")->info.shape, (algoscope::Shape{4, 3, 4}));
  bool noted = false;
  for (const auto& note : m4.load_notes)
    noted |= note.find("batch") != std::string::npos && note.find("4") != std::string::npos &&
             note.find("'x'") != std::string::npos;
  EXPECT_TRUE(noted) << "expected a load note naming input 'x', dimension 'batch' and the value 4";

  auto inputs = algoscope::random_inputs(m4, 1);
  ASSERT_EQ(inputs.size(), 1u);
  EXPECT_EQ(inputs[0].shape(), (algoscope::Shape{4, 3, 4}));
  auto out = run(m4, inputs);
  EXPECT_EQ(out[0].shape(), (algoscope::Shape{4, 3, 4}));
}

// ---------------------------------------------------------------------------------------------
// Node names

TEST(LoaderNames, EmptyNamesAreGeneratedAndDuplicatesMadeUnique) {
  ModelBuilder b("names");
  b.input("x", {2});
  b.node("Relu", {"x"}, {"a"}, "");
  b.node("Relu", {"a"}, {"b"}, "dup");
  b.node("Relu", {"b"}, {"c"}, "dup");
  b.node("Relu", {"c"}, {"d"}, "");
  b.node("Relu", {"d"}, {"e"}, "Relu_0");  // the name a generator might pick for node 0
  b.node("Relu", {"e"}, {"f"}, "kept");
  b.output("f");
  Model m = algoscope::load_model_from_bytes(b.bytes(), "names.onnx",
                                             LoadOptions{.remove_identity = false});
  ASSERT_EQ(m.nodes.size(), 6u);
  std::set<std::string> names;
  for (const auto& n : m.nodes) {
    EXPECT_FALSE(n.name.empty());
    names.insert(n.name);
    EXPECT_EQ(m.find_node(n.name), &n);
  }
  EXPECT_EQ(names.size(), 6u) << "node names must be unique";
  EXPECT_EQ(m.nodes[1].name, "dup");  // the first holder keeps its name
  EXPECT_NE(m.nodes[2].name, "dup");
  EXPECT_NE(m.nodes[2].name.find("dup"), std::string::npos);
  EXPECT_EQ(m.nodes[5].name, "kept");
  // A plan keyed by a generated name selects that node.
  algoscope::Plan plan = algoscope::Plan::for_model(m);
  plan.layers[m.nodes[3].name] = "reference";
  EXPECT_NO_THROW(algoscope::validate_plan(plan, m));
}

// ---------------------------------------------------------------------------------------------
// Bad input

TEST(LoaderBadInput, MissingPath) {
  std::string msg = error_of([] { algoscope::load_model("/nonexistent/dir/model.onnx"); });
  EXPECT_TRUE(Contains(msg, "does not exist"));
  EXPECT_TRUE(Contains(msg, "/nonexistent/dir/model.onnx"));
}

TEST(LoaderBadInput, Directory) {
  TempDir dir;
  std::string msg = error_of([&] { algoscope::load_model(dir.path()); });
  EXPECT_TRUE(Contains(msg, "directory"));
}

TEST(LoaderBadInput, EmptyFile) {
  TempDir dir;
  std::string path = dir.file("empty.onnx");
  std::ofstream(path).close();
  std::string msg = error_of([&] { algoscope::load_model(path); });
  EXPECT_TRUE(Contains(msg, "empty"));
  EXPECT_TRUE(Contains(msg, "empty.onnx"));
  EXPECT_TRUE(
      Contains(error_of([] { algoscope::load_model_from_bytes("", "mem.onnx"); }), "empty"));
}

TEST(LoaderBadInput, ValidFileLoadsAndRecordsItsPath) {
  TempDir dir;
  std::string path = conv_bn_model().write(dir.file("ok.onnx"));
  Model m = algoscope::load_model(path);
  EXPECT_EQ(m.path, path);
  EXPECT_FALSE(m.name.empty());
}

TEST(LoaderBadInput, RandomBytesThrowError) {
  for (uint64_t seed = 1; seed <= 40; ++seed) {
    std::mt19937_64 rng(seed);
    size_t size = 1 + rng() % 4096;
    std::string bytes(size, '\0');
    for (char& c : bytes) c = static_cast<char>(rng());
    try {
      algoscope::load_model_from_bytes(bytes, "random.onnx");
      ADD_FAILURE() << "random bytes (seed " << seed << ") loaded as a model";
    } catch (const Error& e) {
      EXPECT_TRUE(Contains(e.what(), "random.onnx")) << "seed " << seed;
    } catch (const std::exception& e) {
      ADD_FAILURE() << "seed " << seed << ": not an algoscope::Error: " << e.what();
    }
  }
  // Plain text is not ONNX either.
  EXPECT_TRUE(
      Contains(error_of([] { algoscope::load_model_from_bytes("hello, world\n", "text.onnx"); }),
               "text.onnx"));
}

// Found by fuzz_model (fuzz/regressions/fuzz_model/conv-transpose-without-spatial-dims.onnx):
// ConvTranspose was not in the registry then, so the loader asked libonnx's shape inference for
// its output, and libonnx 1.12 dereferences an empty vector for a data input without spatial
// dimensions (SEGV in convTransposeShapeInference). ConvInteger crashed the same way
// (convPoolShapeInference) and is still unsupported: such models load, view-only, without ONNX's
// shapes. ConvTranspose is supported now: our own inference rejects the node with a reason and
// keeps libonnx from running.
TEST(LoaderBadInput, UnsupportedConvolutionWithoutSpatialDimsLoadsWithoutOnnxInference) {
  for (const std::string op : {"ConvTranspose", "ConvInteger"}) {
    const int32_t type = op == "ConvInteger" ? onnx::TensorProto::UINT8 : onnx_builder::kFloat;
    ModelBuilder b("no_spatial_dims");
    b.input("X", {1, 3}, type);
    b.input("W", {1, 2, 3}, type);
    b.node(op, {"X", "W"}, {"Y"}, "conv");
    b.output("Y");
    Model m = algoscope::load_model_from_bytes(b.bytes(), "no_spatial_dims.onnx");
    ASSERT_EQ(m.nodes.size(), 1u) << op;
    EXPECT_FALSE(m.find_value("Y") && m.find_value("Y")->known) << op;
    if (op == "ConvTranspose")
      EXPECT_TRUE(Contains(m.nodes[0].problem, "rank 3 or more")) << m.nodes[0].problem;
    else
      EXPECT_EQ(algoscope::unsupported_ops(m).size(), 1u) << op;
  }
  // With consistent ranks the shapes after the ConvTranspose are known (our inference now).
  ModelBuilder b("conv_transpose");
  b.input("X", {1, 3, 4, 4});
  b.input("W", {3, 2, 3, 3});
  b.node("ConvTranspose", {"X", "W"}, {"Y"}, "deconv");
  b.node("Relu", {"Y"}, {"Z"}, "relu");
  b.output("Z");
  Model m = algoscope::load_model_from_bytes(b.bytes(), "conv_transpose.onnx");
  ASSERT_TRUE(m.find_value("Z") && m.find_value("Z")->known);
  EXPECT_EQ(m.find_value("Z")->info.shape, (algoscope::Shape{1, 2, 6, 6}));
}

// Loads `bytes`; a model that loads must compile or fail with Error, and one that compiles must
// run (when small). Anything but algoscope::Error escaping is a test failure. Returns the error
// message ("" when it loaded).
std::string load_hostile(const std::string& bytes, const std::string& what) {
  try {
    auto m = share(algoscope::load_model_from_bytes(bytes, "cut.onnx"));
    try {
      algoscope::Session s(m, algoscope::Plan{}, {.threads = 1});
      if (s.activation_bytes() < (16u << 20)) s.run(algoscope::random_inputs(*m, 1));
    } catch (const Error&) {
    }
    return "";
  } catch (const Error& e) {
    std::string msg = e.what();
    EXPECT_TRUE(Contains(msg, "cut.onnx")) << what;
    return msg.empty() ? "?" : msg;
  } catch (const std::exception& e) {
    ADD_FAILURE() << what << ": not an algoscope::Error: " << e.what();
    return "?";
  }
}

// Protobuf writes fields in field-number order, so a normal file ends with its opset import, and
// a cut anywhere inside the one graph field leaves an unparsable message. Protobuf merges
// concatenated messages, so the same model can also be written as a header followed by one small
// ModelProto per graph element (inputs, nodes, outputs, initializers): cut between two of them, the
// file parses into a model that lacks the rest of the graph, which exercises the loader's checks
// rather than the parser's.
std::string piecewise_bytes(const ModelBuilder& b) {
  onnx::ModelProto head = b.proto();
  head.mutable_graph()->clear_input();
  head.mutable_graph()->clear_initializer();
  head.mutable_graph()->clear_node();
  head.mutable_graph()->clear_output();
  head.mutable_graph()->clear_value_info();
  std::string out = head.SerializeAsString();
  const onnx::GraphProto& g = b.proto().graph();
  auto piece = [&](auto add) {
    onnx::ModelProto m;
    add(m.mutable_graph());
    out += m.SerializeAsString();
  };
  for (const auto& v : g.input()) piece([&](onnx::GraphProto* p) { *p->add_input() = v; });
  for (const auto& n : g.node()) piece([&](onnx::GraphProto* p) { *p->add_node() = n; });
  for (const auto& v : g.output()) piece([&](onnx::GraphProto* p) { *p->add_output() = v; });
  for (const auto& t : g.initializer())  // last, so cuts leave nodes without their weights
    piece([&](onnx::GraphProto* p) { *p->add_initializer() = t; });
  return out;
}

TEST(LoaderBadInput, EveryTruncationThrowsErrorOrLoads) {
  const ModelBuilder builder = conv_bn_model();
  for (bool piecewise : {false, true}) {
    SCOPED_TRACE(piecewise ? "piecewise file" : "plain file");
    const std::string bytes = piecewise ? piecewise_bytes(builder) : builder.bytes();
    ASSERT_NO_THROW(algoscope::load_model_from_bytes(bytes, "cut.onnx"));  // the whole file loads
    size_t errors = 0, unparsable = 0, undefined = 0;
    for (size_t len = 0; len < bytes.size(); ++len) {
      std::string msg = load_hostile(bytes.substr(0, len), "length " + std::to_string(len));
      errors += !msg.empty();
      unparsable += msg.find("could not be parsed") != std::string::npos;
      undefined +=
          msg.find("truncated") != std::string::npos && msg.find("defines") != std::string::npos;
    }
    EXPECT_GT(errors, bytes.size() / 2);
    EXPECT_GT(unparsable, 0u) << "no truncation was reported as truncated/unparsable";
    if (piecewise) EXPECT_GT(undefined, 0u) << "no cut left a node reading an undefined value";
  }
}

TEST(LoaderBadInput, CorruptedBytesThrowErrorOrLoad) {
  // A few bytes overwritten anywhere in a valid model: every outcome but a crash is acceptable.
  const std::string bytes = piecewise_bytes(conv_bn_model());
  for (uint64_t seed = 1; seed <= 3000; ++seed) {
    std::mt19937_64 rng(seed);
    std::string corrupt = bytes;
    for (int k = 0, n = 1 + int(rng() % 4); k < n; ++k)
      corrupt[rng() % corrupt.size()] = static_cast<char>(rng());
    load_hostile(corrupt, "seed " + std::to_string(seed));
  }
}

TEST(LoaderBadInput, ConvWithoutSpatialDimensionsDoesNotCrash) {
  // Found by the corruption sweep: libonnx 1.13's Conv shape inference crashes on an input of rank
  // 2 with a 4-D weight. The model must load for viewing (or fail with Error), and compiling it
  // must name the node.
  ModelBuilder b("flat_conv");
  b.input("x", {8, 8});
  b.initializer("w", {4, 3, 3, 3}, random_floats(108, 1));
  b.node("Conv", {"x", "w"}, {"y"}, "conv").ints("pads", {1, 1, 1, 1});
  b.output("y");
  std::string msg = load_hostile(b.bytes(), "flat conv");
  if (msg.empty()) {
    auto m = share(algoscope::load_model_from_bytes(b.bytes(), "cut.onnx"));
    EXPECT_FALSE(m->find_node("conv")->problem.empty());
    EXPECT_TRUE(Contains(error_of([&] { algoscope::Session s(m, algoscope::Plan{}); }), "conv"));
  }
}

TEST(LoaderBadInput, TruncatedFileOnDiskSaysSo) {
  TempDir dir;
  const std::string bytes = conv_bn_model().bytes();
  std::string path = dir.file("cut.onnx");
  std::ofstream(path, std::ios::binary) << bytes.substr(0, bytes.size() / 3);
  std::string msg = error_of([&] { algoscope::load_model(path); });
  EXPECT_TRUE(Contains(msg, "cut.onnx"));
}

TEST(LoaderBadInput, UndefinedValue) {
  ModelBuilder b("undefined");
  b.input("x", {2});
  b.node("Add", {"x", "ghost_value"}, {"y"}, "adder");
  b.output("y");
  std::string msg = error_of([&] { algoscope::load_model_from_bytes(b.bytes(), "undef.onnx"); });
  EXPECT_TRUE(Contains(msg, "ghost_value"));
  EXPECT_TRUE(Contains(msg, "adder"));
}

TEST(LoaderBadInput, UndefinedGraphOutput) {
  ModelBuilder b("undefined_output");
  b.input("x", {2});
  b.node("Relu", {"x"}, {"y"}, "relu");
  b.output("y");
  b.output("nowhere");
  std::string msg = error_of([&] { algoscope::load_model_from_bytes(b.bytes(), "undef.onnx"); });
  EXPECT_TRUE(Contains(msg, "nowhere"));
}

TEST(LoaderBadInput, Cycle) {
  ModelBuilder b("cycle");
  b.input("x", {2});
  b.node("Add", {"x", "q"}, {"p"}, "add");
  b.node("Relu", {"p"}, {"q"}, "relu");
  b.output("p");
  std::string msg = error_of([&] { algoscope::load_model_from_bytes(b.bytes(), "cycle.onnx"); });
  EXPECT_TRUE(Contains(msg, "cycle"));
}

TEST(LoaderBadInput, ValueDefinedTwice) {
  ModelBuilder b("twice");
  b.input("x", {2});
  b.node("Relu", {"x"}, {"y"}, "relu1");
  b.node("Relu", {"x"}, {"y"}, "relu2");
  b.output("y");
  std::string msg = error_of([&] { algoscope::load_model_from_bytes(b.bytes(), "twice.onnx"); });
  EXPECT_TRUE(Contains(msg, "'y'"));
}

TEST(LoaderBadInput, NoOpsetImport) {
  ModelBuilder b("no_opset");
  b.input("x", {2});
  b.node("Relu", {"x"}, {"y"}, "relu");
  b.output("y");
  b.proto().clear_opset_import();
  EXPECT_TRUE(
      Contains(error_of([&] { algoscope::load_model_from_bytes(b.bytes(), "m.onnx"); }), "opset"));
}

TEST(LoaderBadInput, OpsetNewerThanSupportedIsRefusedNamingTheHighest) {
  ModelBuilder b("opset99", 99);
  b.input("x", {2});
  b.node("Relu", {"x"}, {"y"}, "relu");
  b.output("y");
  const std::string error =
      error_of([&] { algoscope::load_model_from_bytes(b.bytes(), "opset99.onnx"); });
  EXPECT_TRUE(Contains(error, "opset 99"));
  EXPECT_TRUE(Contains(error, "opset99.onnx"));
  // The message names the highest opset the engine supports and how to get there.
  EXPECT_TRUE(Contains(error, "opset 17, the highest algoscope supports"));
  EXPECT_TRUE(Contains(error, "opset_version=17"));
  // The newest opsets the engine supports still load.
  ModelBuilder ok("opset17", 17);
  ok.input("x", {2});
  ok.node("Relu", {"x"}, {"y"}, "relu");
  ok.output("y");
  EXPECT_EQ(algoscope::load_model_from_bytes(ok.bytes(), "opset17.onnx").opset, 17);
}

TEST(LoaderBadInput, NegativeInputDimensionIsAnErrorNotASizeOfOne) {
  ModelBuilder b("negative");
  b.input("x", {2, -5});
  b.node("Relu", {"x"}, {"y"}, "relu");
  b.output("y");
  const std::string error =
      error_of([&] { algoscope::load_model_from_bytes(b.bytes(), "negative.onnx"); });
  EXPECT_TRUE(Contains(error, "input 'x'"));
  EXPECT_TRUE(Contains(error, "-5"));
}

TEST(LoaderTopology, NodesOutOfOrderAreSorted) {
  ModelBuilder b("unordered");
  b.input("x", {2});
  b.node("Relu", {"a"}, {"y"}, "second");
  b.node("Relu", {"x"}, {"a"}, "first");
  b.output("y");
  Model m = algoscope::load_model_from_bytes(b.bytes(), "unordered.onnx");
  ASSERT_EQ(m.nodes.size(), 2u);
  EXPECT_EQ(m.nodes[0].name, "first");
  EXPECT_EQ(m.nodes[1].name, "second");
  auto out = run(m, {Tensor::from_vector<float>({2}, {-1, 1})});
  EXPECT_EQ(values(out[0]), (std::vector<float>{0, 1}));
}

// ---------------------------------------------------------------------------------------------
// Unsupported ops

TEST(LoaderUnsupported, MadeUpOpsLoadAndAreListed) {
  ASSERT_EQ(algoscope::Registry::instance().find_op("FancyOp"), nullptr);
  ModelBuilder b("fancy");
  b.input("x", {2, 3});
  b.node("Relu", {"x"}, {"a"}, "relu");
  b.node("FancyOp", {"a"}, {"f1"}, "fancy1");
  b.node("FancyOp", {"a"}, {"f2"}, "fancy2");
  b.node("Relu", {"f1"}, {"y1"}, "after_fancy");
  b.node("Relu", {"a"}, {"z"}, "custom_relu").domain("com.example");
  b.output("y1");
  b.output("f2");
  b.output("z");
  Model m;
  ASSERT_NO_THROW(m = algoscope::load_model_from_bytes(b.bytes(), "fancy.onnx"));
  EXPECT_EQ(m.nodes.size(), 5u);

  auto unsupported = algoscope::unsupported_ops(m);
  ASSERT_EQ(unsupported.size(), 2u);
  std::map<std::string, std::vector<std::string>> by_op(unsupported.begin(), unsupported.end());
  EXPECT_EQ(by_op["FancyOp"], (std::vector<std::string>{"fancy1", "fancy2"}));
  EXPECT_EQ(by_op["com.example::Relu"], std::vector<std::string>{"custom_relu"});

  std::string msg =
      error_of([&] { algoscope::Session s(share(m), algoscope::Plan::for_model(m)); });
  EXPECT_TRUE(Contains(msg, "FancyOp"));
  EXPECT_TRUE(Contains(msg, "fancy1"));
  EXPECT_TRUE(Contains(msg, "fancy2"));
  EXPECT_TRUE(Contains(msg, "custom_relu"));
  EXPECT_TRUE(Contains(msg, "com.example"));
}

TEST(LoaderUnsupported, KnownOnnxOpUsesOnnxShapeInference) {
  // Det is an ONNX op with a shape rule ([..., n, n] -> [...]) that the engine does not run.
  ASSERT_EQ(algoscope::Registry::instance().find_op("Det"), nullptr)
      << "Det is registered now: pick another ONNX op the engine lacks for this test";
  ModelBuilder b("det");
  b.input("x", {2, 3, 3});
  b.node("Det", {"x"}, {"d"}, "det");
  b.node("Relu", {"d"}, {"y"}, "after_det");
  b.output("y");
  Model m = algoscope::load_model_from_bytes(b.bytes(), "det.onnx");
  ASSERT_EQ(m.nodes.size(), 2u);
  auto unsupported = algoscope::unsupported_ops(m);
  ASSERT_EQ(unsupported.size(), 1u);
  EXPECT_EQ(unsupported[0].first, "Det");
  EXPECT_EQ(unsupported[0].second, std::vector<std::string>{"det"});

  const algoscope::ValueInfo* d = m.find_value("d");
  ASSERT_NE(d, nullptr);
  EXPECT_TRUE(d->known);
  EXPECT_EQ(d->info.shape, (algoscope::Shape{2}));
  // Downstream of the unsupported op the engine's own inference continues from ONNX's shape.
  const algoscope::ValueInfo* y = m.find_value("y");
  ASSERT_NE(y, nullptr);
  EXPECT_TRUE(y->known);
  EXPECT_EQ(y->info.shape, (algoscope::Shape{2}));
  EXPECT_TRUE(m.find_node("after_det")->problem.empty());

  std::string msg = error_of([&] { algoscope::Session s(share(m), algoscope::Plan{}); });
  EXPECT_TRUE(Contains(msg, "Det"));
  EXPECT_TRUE(Contains(msg, "det"));
}

TEST(LoaderUnsupported, SupportedModelHasNoUnsupportedOps) {
  Model m = algoscope::load_model_from_bytes(conv_bn_model().bytes(), "ok.onnx");
  EXPECT_TRUE(algoscope::unsupported_ops(m).empty());
}

// ---------------------------------------------------------------------------------------------
// Fingerprint

TEST(LoaderFingerprint, SameBytesSameFingerprint) {
  const std::string bytes = conv_bn_model().bytes();
  Model a = algoscope::load_model_from_bytes(bytes, "a.onnx");
  Model b = algoscope::load_model_from_bytes(bytes, "b.onnx");
  EXPECT_EQ(a.fingerprint.rfind("sha256:", 0), 0u);
  EXPECT_EQ(a.fingerprint.size(), 7u + 64u);
  EXPECT_EQ(a.fingerprint, b.fingerprint);
  EXPECT_EQ(a.fingerprint, algoscope::sha256_fingerprint(bytes));
  Model c = algoscope::load_model_from_bytes(conv_bn_model(false).bytes(), "c.onnx");
  EXPECT_NE(a.fingerprint, c.fingerprint);
}

TEST(LoaderFingerprint, KnownSha256Vectors) {
  using algoscope::sha256_fingerprint;
  // FIPS 180-2 examples.
  EXPECT_EQ(sha256_fingerprint("abc"),
            "sha256:ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  EXPECT_EQ(sha256_fingerprint(""),
            "sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  EXPECT_EQ(sha256_fingerprint("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq"),
            "sha256:248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");
  EXPECT_EQ(sha256_fingerprint(std::string(1000000, 'a')),
            "sha256:cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0");
  // Lengths around the 55/56/64-byte padding boundaries (values from Python's hashlib).
  const std::pair<size_t, const char*> boundaries[] = {
      {55, "9f4390f8d30c2dd92ec9f095b65e2b9ae9b0a925a5258e241c9f1e910f734318"},
      {56, "b35439a4ac6f0948b6d6f9e3c6af0f5f590ce20f1bde7090ef7970686ec6738a"},
      {57, "f13b2d724659eb3bf47f2dd6af1accc87b81f09f59f2b75e5c0bed6589dfe8c6"},
      {63, "7d3e74a05d7db15bce4ad9ec0658ea98e3f06eeecf16b4c6fff2da457ddc2f34"},
      {64, "ffe054fe7ae0cb6dc65c3af9b61d5209f439851db43d0ba5997337df154668eb"},
      {65, "635361c48bb9eab14198e76ea8ab7f1a41685d6ad62aa9146d301d4f17eb0ae0"},
      {119, "31eba51c313a5c08226adf18d4a359cfdfd8d2e816b13f4af952f7ea6584dcfb"},
      {120, "2f3d335432c70b580af0e8e1b3674a7c020d683aa5f73aaaedfdc55af904c21c"},
  };
  for (const auto& [n, hex] : boundaries)
    EXPECT_EQ(sha256_fingerprint(std::string(n, 'a')), std::string("sha256:") + hex)
        << n << " bytes";
}

}  // namespace
