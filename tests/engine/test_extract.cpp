// Single-layer reproducers (extract.h): the extracted ONNX model holds the original nodes a layer
// stands for, and run alone on the recorded input it gives the output the layer gave in the model.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <memory>
#include <string>

#include "algoscope/algoscope.h"
#include "support/fused_models.h"
#include "support/onnx_builder.h"
#include "support/temp_dir.h"

namespace {

using namespace algoscope;
using onnx_builder::ModelBuilder;
using onnx_builder::random_floats;

// x -> Conv "first" -> Identity "copy" -> Conv "conv" + BatchNormalization "bn" + Relu "act"
// (folded and fused into one layer by the loader) -> Sigmoid "tail" -> y.
ModelBuilder conv_bn_relu_behind_an_identity() {
  ModelBuilder b("behind_identity");
  b.input("x", {1, 3, 8, 8});
  b.initializer("w0", {3, 3, 1, 1}, random_floats(9, 11));
  b.node("Conv", {"x", "w0"}, {"f"}, "first");
  b.node("Identity", {"f"}, {"fi"}, "copy");
  b.initializer("w", {4, 3, 3, 3}, random_floats(108, 1));
  b.node("Conv", {"fi", "w"}, {"c"}, "conv").ints("pads", {1, 1, 1, 1});
  b.initializer("gamma", {4}, random_floats(4, 3, 0.5f, 2.0f));
  b.initializer("beta", {4}, random_floats(4, 4));
  b.initializer("mean", {4}, random_floats(4, 5));
  b.initializer("var", {4}, random_floats(4, 6, 0.1f, 3.0f));
  b.node("BatchNormalization", {"c", "gamma", "beta", "mean", "var"}, {"n"}, "bn");
  b.node("Relu", {"n"}, {"r"}, "act");
  b.node("Sigmoid", {"r"}, {"y"}, "tail");
  b.output("y");
  return b;
}

// What a layer reads and writes in the model's reference run, by value name.
std::map<std::string, Tensor> layer_values(std::shared_ptr<const Model> model,
                                           const std::string& layer,
                                           const std::vector<Tensor>& inputs) {
  Session session(model, reference_plan(*model), {.threads = 1, .native_layouts = false});
  std::map<std::string, Tensor> values;
  session.run(inputs, [&](size_t i, const KernelIO& io) {
    const Node& node = *session.layers()[i].node;
    if (node.name != layer) return true;
    for (size_t k = 0; k < io.inputs.size(); ++k)
      if (io.inputs[k]) values.emplace(node.inputs[k], io.inputs[k]->clone());
    for (size_t k = 0; k < io.outputs.size(); ++k)
      values.emplace(node.outputs[k], io.outputs[k]->clone());
    return true;
  });
  return values;
}

void expect_same(const Tensor& got, const Tensor& want) {
  ASSERT_EQ(got.shape(), want.shape());
  const float* g = got.data<float>();
  const float* w = want.data<float>();
  for (int64_t i = 0; i < got.numel(); ++i) ASSERT_FLOAT_EQ(g[i], w[i]) << "element " << i;
}

TEST(Extract, AFusedLayerRunAloneGivesItsOutputInTheModel) {
  test_support::TempDir dir;
  const ModelBuilder builder = conv_bn_relu_behind_an_identity();
  const std::string path = builder.write(dir.file("behind_identity.onnx"));
  auto model = std::make_shared<const Model>(load_model(path));
  ASSERT_NE(model->find_node("conv"), nullptr);
  ASSERT_EQ(model->find_node("conv")->merged_nodes(), (std::vector<std::string>{"bn", "act"}));

  const ExtractedLayer x = extract_layer(model, "conv", dir.file("conv_layer"));
  EXPECT_EQ(x.onnx_nodes, (std::vector<std::string>{"conv", "bn", "act"}));
  EXPECT_EQ(x.inputs, (std::vector<std::string>{"fi"}));  // the name the Conv reads in the file
  EXPECT_EQ(x.outputs, (std::vector<std::string>{"r"}));
  EXPECT_EQ(x.initializers, (std::vector<std::string>{"w", "gamma", "beta", "mean", "var"}));
  ASSERT_TRUE(std::filesystem::exists(x.model_path));

  // The recorded input is what the layer read in the model's run: the first Conv's output.
  const std::vector<Tensor> model_inputs = random_inputs(*model);
  const auto in_model = layer_values(model, "conv", model_inputs);
  const std::vector<Tensor> recorded_in = read_tensor_dir(x.data_path, "input");
  const std::vector<Tensor> recorded_out = read_tensor_dir(x.data_path, "output");
  ASSERT_EQ(recorded_in.size(), 1u);
  ASSERT_EQ(recorded_out.size(), 1u);
  expect_same(recorded_in[0], in_model.at("f"));
  expect_same(recorded_out[0], in_model.at("r"));

  // The extracted model holds the unfused nodes as the file wrote them, and run alone on that
  // input it gives the layer's output in the model.
  auto alone = std::make_shared<const Model>(load_model(x.model_path));
  ASSERT_EQ(alone->nodes.size(), 1u);  // the loader folds and fuses them again
  EXPECT_EQ(alone->nodes[0].display_op(), "Conv+BN+Relu");
  Session session(alone, reference_plan(*alone), {.threads = 1});
  const std::vector<Tensor> out = session.run(recorded_in);
  ASSERT_EQ(out.size(), 1u);
  expect_same(out[0], in_model.at("r"));

  // Without folding, the file's own BatchNormalization computes it too, to rounding.
  auto unfolded = std::make_shared<const Model>(
      load_model(x.model_path, {.fold_batchnorm = false, .fuse_activations = false}));
  ASSERT_EQ(unfolded->nodes.size(), 3u);
  Session plain(unfolded, reference_plan(*unfolded), {.threads = 1});
  const Tensor y = plain.run(recorded_in).at(0);
  for (int64_t i = 0; i < y.numel(); ++i)
    EXPECT_NEAR(y.data<float>()[i], out[0].data<float>()[i], 1e-5);
}

TEST(Extract, AnAttentionPatternKeepsAllItsNodes) {
  test_support::TempDir dir;
  const std::string path = fused_models::attention().write(dir.file("attention.onnx"));
  auto model = std::make_shared<const Model>(load_model(path));
  const Node* attention = nullptr;
  for (const Node& n : model->nodes)
    if (n.op_type == "Attention") attention = &n;
  ASSERT_NE(attention, nullptr);
  const ExtractedLayer x = extract_layer(model, attention->name, dir.file("attention_layer"));
  // The Transpose of k stays a layer of its own: the pattern reads its output.
  EXPECT_EQ(x.inputs, (std::vector<std::string>{"q", "kt", "v"}));
  EXPECT_EQ(x.onnx_nodes, (std::vector<std::string>{"qk", "scale_scores", "softmax", "pv"}));
  EXPECT_EQ(x.initializers, (std::vector<std::string>{"scale"}));
  auto alone = std::make_shared<const Model>(load_model(x.model_path));
  Session session(alone, reference_plan(*alone), {.threads = 1});
  const std::vector<Tensor> out = session.run(read_tensor_dir(x.data_path, "input"));
  expect_same(out.at(0), read_tensor_dir(x.data_path, "output").at(0));
  // The layer is the model's last: its recorded output is the model's output on the same inputs.
  Session whole(model, reference_plan(*model), {.threads = 1});
  expect_same(whole.run(random_inputs(*model)).at(0), out.at(0));
}

TEST(Extract, BadRequestsSayWhatIsWrong) {
  test_support::TempDir dir;
  const std::string path = fused_models::conv_bn_relu().write(dir.file("conv_bn_relu.onnx"));
  auto model = std::make_shared<const Model>(load_model(path));
  try {
    extract_layer(model, "no_such_layer", dir.file("out"));
    FAIL() << "an unknown layer must throw";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("no layer named 'no_such_layer'"), std::string::npos);
  }
  try {
    extract_layer(model, fused_models::add_relu().bytes(), "conv", dir.file("out"));
    FAIL() << "another file's bytes must throw";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("fingerprint"), std::string::npos) << e.what();
  }
  // A folder path that is a file.
  std::ofstream(dir.file("a_file")) << "x";
  EXPECT_THROW(extract_layer(model, "conv", dir.file("a_file")), Error);
  // A second extraction into the same folder leaves no stale tensors behind.
  std::filesystem::create_directories(dir.file("again/test_data_set_0"));
  std::ofstream(dir.file("again/test_data_set_0/input_1.pb")) << "stale";
  const ExtractedLayer x = extract_layer(model, "conv", dir.file("again"));
  EXPECT_FALSE(std::filesystem::exists(dir.file("again/test_data_set_0/input_1.pb")));
  EXPECT_EQ(read_tensor_dir(x.data_path, "input").size(), 1u);
}

}  // namespace
