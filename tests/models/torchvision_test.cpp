// Whole torchvision architectures against PyTorch: export_torchvision.py (a ctest fixture) writes
// each model with seeded random weights and PyTorch's output; here the engine runs the same input
// under the engine's default plan and under an all-`reference` plan, and each output must be
// within 1e-4 * max|PyTorch output| + 1e-5 of PyTorch's.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <map>
#include <set>

#include "algoscope/algoscope.h"

namespace fs = std::filesystem;
using namespace algoscope;

namespace {

fs::path model_root() {
  const char* env = std::getenv("ALGOSCOPE_TORCHVISION_DIR");
  return env ? env : "torchvision";
}

double max_error_bound_ratio(const Tensor& got, const Tensor& want) {
  double max_ref = 0, max_err = 0;
  for (int64_t i = 0; i < want.numel(); ++i) {
    max_ref = std::max(max_ref, std::fabs(double(want.data<float>()[i])));
    max_err = std::max(max_err, std::fabs(double(got.data<float>()[i]) - want.data<float>()[i]));
  }
  return max_err / (1e-4 * max_ref + 1e-5);
}

class TorchvisionModel : public ::testing::TestWithParam<std::string> {};

void run_and_compare(const std::string& name, bool all_reference) {
  const fs::path dir = model_root() / name;
  ASSERT_TRUE(fs::exists(dir / "model.onnx")) << "missing export " << dir << " (run via ctest)";
  auto model = std::make_shared<const Model>(load_model((dir / "model.onnx").string()));
  Plan plan = Plan::for_model(*model);
  if (all_reference) {
    std::set<std::string> ops;
    for (const Node& n : model->nodes) plan.defaults[n.op_type] = "reference";
  }
  // A model with a named batch axis is specialised to the input's batch (specialize.h).
  SpecializingSession session(model, plan, SessionOptions{2});
  auto inputs = read_tensor_dir((dir / "test_data_set_0").string(), "input");
  auto expected = read_tensor_dir((dir / "test_data_set_0").string(), "output");
  auto outputs = session.run(inputs);
  ASSERT_EQ(outputs.size(), expected.size());
  for (size_t i = 0; i < outputs.size(); ++i) {
    ASSERT_EQ(outputs[i].shape(), expected[i].shape());
    double ratio = max_error_bound_ratio(outputs[i], expected[i]);
    EXPECT_LE(ratio, 1.0) << name << (all_reference ? " (reference)" : " (default plan)")
                          << ": max error is " << ratio << "x the allowed bound";
  }
}

TEST_P(TorchvisionModel, DefaultPlanMatchesPyTorch) { run_and_compare(GetParam(), false); }
TEST_P(TorchvisionModel, ReferencePlanMatchesPyTorch) { run_and_compare(GetParam(), true); }

INSTANTIATE_TEST_SUITE_P(Torchvision, TorchvisionModel,
                         ::testing::Values("resnet18", "squeezenet1_1", "mobilenet_v2"));
// Small models exported at opset 17 (export_torchvision.py defines them): a transformer encoder
// whose LayerNorms are LayerNormalization nodes, and a conv net with GroupNorm (exported as
// InstanceNormalization over grouped channels) and InstanceNorm2d.
INSTANTIATE_TEST_SUITE_P(Opset17, TorchvisionModel,
                         ::testing::Values("transformer_encoder_opset17", "norm_convnet_opset17"));

// Resize (issue 19): a small U-Net-like decoder that upsamples in every way torch exports (nearest,
// bilinear with and without align_corners, a fractional scale, bicubic to a given size), and
// torchvision's LR-ASPP segmentation model, whose two bilinear upsamplings restore the image size.
INSTANTIATE_TEST_SUITE_P(Resize, TorchvisionModel,
                         ::testing::Values("upsample_net", "lraspp_mobilenet_v3_large"));

// ConvTranspose (issue 19): a small conv autoencoder whose decoder is three ConvTranspose2d layers
// (stride 2 with output_padding, a grouped 4x4 stride-2 one, a dilated one without bias).
INSTANTIATE_TEST_SUITE_P(ConvTranspose, TorchvisionModel, ::testing::Values("conv_autoencoder"));

// Each ConvTranspose algorithm on every layer of the autoencoder it applies to (subpixel declines
// the dilated one), the rest by the default plan: the model still matches PyTorch.
TEST(TorchvisionExport, EveryConvTransposeAlgorithmRunsTheAutoencoder) {
  const fs::path dir = model_root() / "conv_autoencoder";
  ASSERT_TRUE(fs::exists(dir / "model.onnx")) << "missing export " << dir << " (run via ctest)";
  auto model = std::make_shared<const Model>(load_model((dir / "model.onnx").string()));
  const OpDefinition* op = Registry::instance().find_op("ConvTranspose");
  ASSERT_NE(op, nullptr);
  const auto inputs = read_tensor_dir((dir / "test_data_set_0").string(), "input");
  const auto expected = read_tensor_dir((dir / "test_data_set_0").string(), "output");
  int algorithms = 0;
  for (const Algorithm& algorithm : op->algorithms) {
    if (algorithm.backend != Backend::Cpu) continue;
    Plan plan = Plan::for_model(*model);
    size_t chosen = 0, layers = 0;
    for (const Node& n : model->nodes) {
      if (n.op_type != "ConvTranspose") continue;
      ++layers;
      if (algorithm.why_not(make_layer(*model, n))) continue;
      plan.layers[n.name] = algorithm.name;
      ++chosen;
    }
    EXPECT_EQ(layers, 3u);
    EXPECT_GE(chosen, algorithm.name == "subpixel" ? 2u : 3u) << algorithm.name;
    Session session(model, plan, SessionOptions{2});
    for (const CompiledLayer& l : session.layers())
      if (plan.layers.count(l.node->name)) EXPECT_EQ(l.algorithm->name, algorithm.name);
    const auto outputs = session.run(inputs);
    ASSERT_EQ(outputs.size(), 1u);
    ASSERT_EQ(outputs[0].shape(), expected[0].shape());
    EXPECT_LE(max_error_bound_ratio(outputs[0], expected[0]), 1.0) << algorithm.name;
    ++algorithms;
  }
  EXPECT_GE(algorithms, 5);
}

// Einsum (issue 19): attention written with torch.einsum, exported with a named batch axis and fed
// a batch of 3, so the engine loads it at batch 1 and specialises it to the input's size.
INSTANTIATE_TEST_SUITE_P(Einsum, TorchvisionModel, ::testing::Values("einsum_net_opset14_dynamic"));

TEST(TorchvisionExport, DynamicBatchEinsumExportSpecialisesAndContracts) {
  const fs::path dir = model_root() / "einsum_net_opset14_dynamic";
  auto model = std::make_shared<const Model>(load_model((dir / "model.onnx").string()));
  ASSERT_EQ(model->symbolic_axes.count("input"), 1u);
  EXPECT_EQ(model->find_value("input")->info.shape[0], 1);
  SpecializingSession session(model, Plan::for_model(*model), SessionOptions{2});
  auto inputs = read_tensor_dir((dir / "test_data_set_0").string(), "input");
  ASSERT_EQ(inputs.at(0).shape()[0], 3);
  EXPECT_EQ(session.run(inputs).at(0).shape(), (Shape{3, 16}));
  EXPECT_EQ(session.compilations(), 2u);  // batch 1 at construction, then batch 3
  size_t einsums = 0;
  for (const CompiledLayer& layer : session.session()->layers())
    if (layer.node->op_type == "Einsum") {
      ++einsums;
      EXPECT_EQ(layer.algorithm->name, "contraction") << layer.node->name;
    }
  EXPECT_EQ(einsums, 3u);
}

// LSTM, GRU (issue 19): a 2-layer bidirectional nn.LSTM (batch_first) with a Linear head on every
// step, and a 2-layer nn.GRU whose last step feeds a Linear head, over 12 steps of batch 2.
INSTANTIATE_TEST_SUITE_P(Recurrent, TorchvisionModel,
                         ::testing::Values("lstm_tagger", "gru_encoder"));

// torch 1.13 computes the recurrent layers' zero initial states from the input's shape (Shape,
// Gather, Concat, Expand): the loader folds all of that, so the models run as two recurrent nodes
// with constant initial states, and the default plan runs them with `fused`.
TEST(TorchvisionExport, RecurrentExportsFoldTheirInitialStatesAndRunFused) {
  const std::pair<const char*, const char*> expected[] = {{"lstm_tagger", "LSTM"},
                                                          {"gru_encoder", "GRU"}};
  for (const auto& [name, op] : expected) {
    const fs::path file = model_root() / name / "model.onnx";
    ASSERT_TRUE(fs::exists(file)) << "missing export " << file << " (run via ctest)";
    size_t shapes_in_file = 0;
    for (const Node& n : load_model(file.string(), LoadOptions{.fold_constants = false}).nodes)
      shapes_in_file += n.op_type == "Shape";
    EXPECT_GE(shapes_in_file, 2u) << name;
    auto model = std::make_shared<const Model>(load_model(file.string()));
    for (const Node& n : model->nodes) {
      EXPECT_NE(n.op_type, "Shape") << name << ": " << n.name << " was not folded";
      EXPECT_NE(n.op_type, "Expand") << name << ": " << n.name << " was not folded";
    }
    const Session session(model, Plan::for_model(*model), SessionOptions{2});
    size_t count = 0;
    for (const CompiledLayer& l : session.layers()) {
      if (l.node->op_type != op) continue;
      ++count;
      EXPECT_EQ(l.algorithm->name, "fused") << l.node->name;
    }
    EXPECT_EQ(count, 2u) << name;
  }
}

// The exports above really hold the Resize modes they are meant to test, and the default plan
// runs them with the direct kernel.
TEST(TorchvisionExport, ResizeExportsHoldEveryModeAndRunDirect) {
  const std::pair<const char*, std::multiset<std::string>> expected[] = {
      {"upsample_net",
       {"nearest/asymmetric", "linear/align_corners", "linear/half_pixel", "cubic/half_pixel"}},
      {"lraspp_mobilenet_v3_large", {"linear/half_pixel", "linear/half_pixel"}}};
  for (const auto& [name, modes] : expected) {
    const fs::path file = model_root() / name / "model.onnx";
    ASSERT_TRUE(fs::exists(file)) << "missing export " << file << " (run via ctest)";
    auto model = std::make_shared<const Model>(load_model(file.string()));
    const Session session(model, Plan::for_model(*model), SessionOptions{2});
    std::multiset<std::string> seen;
    for (const CompiledLayer& l : session.layers()) {
      if (l.node->op_type != "Resize") continue;
      seen.insert(l.node->attr_string("mode", "") + "/" +
                  l.node->attr_string("coordinate_transformation_mode", ""));
      EXPECT_EQ(l.algorithm->name, "direct") << l.node->name;
    }
    EXPECT_EQ(seen, modes) << name;
  }
}

// Every squeeze-and-excitation block of EfficientNet-B0 (SiLU, Sigmoid), MobileNetV3-Small and
// LR-ASPP's MobileNetV3-Large backbone (Relu, HardSigmoid) loads as one SqueezeExcite node that
// the default plan runs with the fused kernel (TorchvisionModel above compares those plans with
// PyTorch), and the model without the fusion computes the same function.
TEST(TorchvisionExport, SqueezeExciteBlocksFuseAndRunDirect) {
  const std::pair<const char*, size_t> expected[] = {
      {"efficientnet_b0", 16}, {"mobilenet_v3_small", 9}, {"lraspp_mobilenet_v3_large", 8}};
  for (const auto& [name, blocks] : expected) {
    const fs::path dir = model_root() / name;
    ASSERT_TRUE(fs::exists(dir / "model.onnx")) << "missing export " << dir << " (run via ctest)";
    auto fused = std::make_shared<const Model>(load_model((dir / "model.onnx").string()));
    auto plain = std::make_shared<const Model>(
        load_model((dir / "model.onnx").string(), {.fuse_squeeze_excite = false}));
    Session session(fused, Plan::for_model(*fused), SessionOptions{2});
    size_t seen = 0;
    for (const CompiledLayer& l : session.layers())
      if (l.node->op_type == "SqueezeExcite") {
        ++seen;
        EXPECT_EQ(l.algorithm->name, "direct") << l.node->name;
      }
    EXPECT_EQ(seen, blocks) << name;
    EXPECT_EQ(fused->nodes.size() + 4 * blocks, plain->nodes.size()) << name;
    auto inputs = read_tensor_dir((dir / "test_data_set_0").string(), "input");
    const Tensor want = Session(plain, Plan::for_model(*plain), SessionOptions{2}).run(inputs)[0];
    const Tensor got = session.run(inputs)[0];
    EXPECT_LE(max_error_bound_ratio(got, want), 1.0) << name;
  }
}

// The opset-17 exports above really hold the normalization ops as single nodes (a torch that
// decomposed them would make the comparison prove nothing about them), and the default plan runs
// them with the direct kernel.
TEST(TorchvisionExport, Opset17ExportsKeepTheNormalizationOps) {
  const std::pair<const char*, std::pair<const char*, size_t>> expected[] = {
      {"transformer_encoder_opset17", {"LayerNormalization", 9}},  // 2 per layer + the final norm
      {"vit_b_16_opset17", {"LayerNormalization", 25}},            // 12 layers' 2 + the final
      {"norm_convnet_opset17", {"InstanceNormalization", 3}}};
  for (const auto& [name, op] : expected) {
    const fs::path file = model_root() / name / "model.onnx";
    ASSERT_TRUE(fs::exists(file)) << "missing export " << file << " (run via ctest)";
    auto model = std::make_shared<const Model>(load_model(file.string()));
    const Session session(model, Plan::for_model(*model), SessionOptions{2});
    size_t count = 0;
    for (const CompiledLayer& l : session.layers()) {
      if (l.node->op_type != op.first) continue;
      ++count;
      EXPECT_EQ(l.algorithm->name, "direct") << l.node->name;
    }
    EXPECT_EQ(count, op.second) << name;
  }
}

// The fuse_matmul_bias pass on real exports: torch writes nn.Linear on 3-D input as MatMul + Add
// of the bias, so each encoder layer's QKV in-projection and both MLP layers become one MatMul+Add
// node (the out-projection runs on 2-D input and is a Gemm already; attention's own two MatMuls
// have no bias). 4 layers in transformer_encoder, 12 in ViT-B/16; the default plan runs them on
// the host with the bias in the GEMM's epilogue (the models match PyTorch in the tests above).
TEST(TorchvisionExport, TransformerLinearsBecomeMatMulAddNodes) {
  const std::pair<const char*, size_t> expected[] = {
      {"transformer_encoder_opset17", 4 * 3}, {"vit_b_16", 12 * 3}, {"vit_b_16_opset17", 12 * 3}};
  for (const auto& [name, count] : expected) {
    SCOPED_TRACE(name);
    const fs::path file = model_root() / name / "model.onnx";
    ASSERT_TRUE(fs::exists(file)) << "missing export " << file << " (run via ctest)";
    auto model = std::make_shared<const Model>(load_model(file.string()));
    size_t fused = 0;
    for (const Node& n : model->nodes) {
      if (n.op_type != "MatMul" || !n.has_input(2)) continue;
      ++fused;
      // The MLP's first layer also takes the Gelu fuse_gelu made of its Erf form.
      EXPECT_EQ(n.display_op().rfind("MatMul+Add", 0), 0u) << n.display_op();
    }
    EXPECT_EQ(fused, count);
    const Model plain = load_model(file.string(), {.fuse_matmul_bias = false});
    for (const Node& n : plain.nodes) EXPECT_FALSE(n.op_type == "MatMul" && n.has_input(2));
    EXPECT_EQ(plain.nodes.size(), model->nodes.size() + count);
    const Session session(model, Plan::for_model(*model), SessionOptions{2});
    for (const CompiledLayer& l : session.layers())
      if (l.node->op_type == "MatMul") EXPECT_EQ(l.algorithm->backend, Backend::Cpu);
  }
}

// Below opset 17 torch writes LayerNorm as ReduceMean, Sub, Pow, ReduceMean, Add, Sqrt, Div, Mul,
// Add and (below 20) GELU as Div, Erf, Add, Mul, Mul: the loader's fuse_layer_norm and fuse_gelu
// passes must leave none of those pieces, and the fused model must match PyTorch with every CPU
// algorithm of both fused ops.
INSTANTIATE_TEST_SUITE_P(Opset14Decomposed, TorchvisionModel,
                         ::testing::Values("transformer_encoder_opset14"));

TEST(TorchvisionExport, DecomposedLayerNormAndGeluAreFused) {
  const struct {
    const char* name;
    size_t layer_norms, gelus;
  } expected[] = {{"transformer_encoder_opset14", 9, 4},  // 4 layers of 2 norms + the final
                  {"vit_b_16", 25, 12}};                  // 12 blocks of 2 + the final, opset 13
  for (const auto& e : expected) {
    const fs::path dir = model_root() / e.name;
    ASSERT_TRUE(fs::exists(dir / "model.onnx")) << "missing export " << dir << " (run via ctest)";
    auto model = std::make_shared<const Model>(load_model((dir / "model.onnx").string()));
    std::map<std::string, size_t> ops;
    size_t gelus = 0;  // Gelu nodes and Gelus in an epilogue (Add+Gelu after the MLP's bias)
    for (const Node& n : model->nodes) {
      ++ops[n.op_type];
      gelus += n.op_type == "Gelu" || (n.activation && n.activation->op == "Gelu");
    }
    EXPECT_EQ(ops["LayerNormalization"], e.layer_norms) << e.name;
    EXPECT_EQ(gelus, e.gelus) << e.name;
    for (const char* piece : {"ReduceMean", "Pow", "Sqrt", "Erf"})
      EXPECT_EQ(ops[piece], 0u) << e.name << " still has " << piece;
    if (std::string(e.name) != "transformer_encoder_opset14") continue;
    // Without fuse_activation the Gelus stay nodes of their own, for the sweep of their algorithms.
    model = std::make_shared<const Model>(
        load_model((dir / "model.onnx").string(), {.fuse_activations = false}));
    const auto inputs = read_tensor_dir((dir / "test_data_set_0").string(), "input");
    const auto want = read_tensor_dir((dir / "test_data_set_0").string(), "output");
    for (const char* op : {"LayerNormalization", "Gelu"})
      for (const Algorithm& a : Registry::instance().find_op(op)->algorithms) {
        if (a.backend != Backend::Cpu) continue;
        Plan plan = Plan::for_model(*model);
        plan.defaults[op] = a.name;
        Session session(model, plan, SessionOptions{2});
        const auto got = session.run(inputs);
        ASSERT_EQ(got.size(), 1u);
        EXPECT_LE(max_error_bound_ratio(got[0], want[0]), 1.0) << op << " " << a.name;
      }
  }
}

// More architectures, each exercising other ops (concatenating branches, channel shuffles,
// squeeze-excitation, hard-swish, attention, Swin's shifted windows); default plan only, to keep
// the suite short.
class TorchvisionArchitecture : public ::testing::TestWithParam<std::string> {};
TEST_P(TorchvisionArchitecture, DefaultPlanMatchesPyTorch) { run_and_compare(GetParam(), false); }
INSTANTIATE_TEST_SUITE_P(Torchvision, TorchvisionArchitecture,
                         ::testing::Values("googlenet", "densenet121", "shufflenet_v2_x1_0",
                                           "efficientnet_b0", "mobilenet_v3_small", "vit_b_16",
                                           "vit_b_16_opset17", "swin_t_opset14", "inception_v3"));

// Swin's shifted-window attention mask is computed in the file from constants (Range, Mod, Equal,
// Not, ScatterND, Where and a Pad with computed pads); the loader folds all of it, so none of
// those ops is left to run and the match above runs the folded mask.
TEST(TorchvisionExport, SwinMaskSubGraphFoldsAtLoadTime) {
  const std::string file = (model_root() / "swin_t_opset14" / "model.onnx").string();
  const std::set<std::string> mask_ops = {"Range", "Mod", "Not", "ScatterND", "Where"};
  size_t in_file = 0;
  for (const Node& n : load_model(file, LoadOptions{.fold_constants = false}).nodes)
    in_file += mask_ops.count(n.op_type);
  EXPECT_GT(in_file, 100u);  // 90 Range, 54 Mod, 45 ScatterND... as torch 1.13 exports it
  const Model model = load_model(file);
  for (const Node& n : model.nodes)
    EXPECT_EQ(mask_ops.count(n.op_type), 0u) << n.name << " (" << n.op_type << ") was not folded";
  EXPECT_TRUE(std::any_of(model.load_notes.begin(), model.load_notes.end(),
                          [](const std::string& note) { return note.rfind("folded ", 0) == 0; }));
}

TEST(TorchvisionExport, TorchFoldedResNetLoadsWithStaticShapes) {
  auto model = load_model((model_root() / "resnet18" / "model.onnx").string());
  int convs = 0;
  for (const Node& n : model.nodes) convs += n.op_type == "Conv";
  EXPECT_EQ(convs, 20);
  for (const auto& [name, v] : model.values) EXPECT_TRUE(v.known) << name;
}

// mobilenet_v2 is exported raw (BatchNormalization kept, shape sub-graphs unfolded), so its match
// with PyTorch above also proves our folding passes; here, that they ran.
TEST(TorchvisionExport, LoaderFoldsBatchNormAndShapeGraphsOfRawExport) {
  auto model = load_model((model_root() / "mobilenet_v2" / "model.onnx").string());
  int convs = 0, merged = 0, relu6 = 0;
  for (const Node& n : model.nodes) {
    EXPECT_NE(n.op_type, "BatchNormalization") << n.name << " was not folded";
    EXPECT_NE(n.op_type, "Shape") << n.name << " was not folded";
    EXPECT_NE(n.op_type, "Identity") << n.name << " was not removed";
    EXPECT_NE(n.op_type, "Clip") << n.name << " (ReLU6) was not fused into its Conv";
    if (n.op_type != "Conv") continue;
    ++convs, merged += static_cast<int>(n.merged_nodes().size());
    if (n.activation) {
      ++relu6;
      EXPECT_EQ(n.activation->lower, 0.0f);
      EXPECT_EQ(n.activation->upper, 6.0f);
    }
  }
  EXPECT_EQ(convs, 52);
  EXPECT_EQ(relu6, 35);
  // Every BatchNormalization and every ReLU6, and the 10 residual Adds.
  EXPECT_EQ(merged, 52 + 35 + 10);
  for (const auto& [name, v] : model.values) EXPECT_TRUE(v.known) << name;
}

// Issue 18: a plan can put the whole of these models on the GPU only if every op type that is
// left after loading (folding, fusion) has at least one Backend::Cuda algorithm. This asks the
// registry, not a device, so it holds (and fails) on machines without one.
class TorchvisionOnDevice : public ::testing::TestWithParam<std::string> {};
TEST_P(TorchvisionOnDevice, EveryLayerHasACudaAlgorithm) {
  const fs::path file = model_root() / GetParam() / "model.onnx";
  ASSERT_TRUE(fs::exists(file)) << "missing export " << file << " (run via ctest)";
  const Model model = load_model(file.string());
  std::set<std::string> op_types;
  for (const Node& n : model.nodes) op_types.insert(n.op_type);
  ASSERT_FALSE(op_types.empty());
  for (const std::string& op_type : op_types) {
    const OpDefinition* op = Registry::instance().find_op(op_type);
    ASSERT_NE(op, nullptr) << op_type;
    const bool on_device =
        std::any_of(op->algorithms.begin(), op->algorithms.end(),
                    [](const Algorithm& a) { return a.backend == Backend::Cuda; });
    EXPECT_TRUE(on_device) << GetParam() << ": " << op_type << " has no CUDA algorithm";
  }
}
INSTANTIATE_TEST_SUITE_P(Torchvision, TorchvisionOnDevice,
                         ::testing::Values("resnet50", "mobilenet_v2", "vit_b_16"));

}  // namespace

// The attention pass on a real export: torchvision's vit_b_16 has 12 encoder layers, each with one
// scaled dot-product attention (scale on Q, as torch.nn.MultiheadAttention exports it). Fused, the
// model must compute what the unfused graph computes under every Attention algorithm.
TEST(TorchvisionAttention, VitB16FusedEqualsUnfusedUnderEveryAlgorithm) {
  const fs::path file = model_root() / "vit_b_16" / "model.onnx";
  ASSERT_TRUE(fs::exists(file)) << "missing export " << file << " (run via ctest)";
  auto fused = std::make_shared<const Model>(load_model(file.string()));
  auto plain = std::make_shared<const Model>(load_model(file.string(), {.fuse_attention = false}));
  size_t attention = 0;
  for (const Node& n : fused->nodes) attention += n.op_type == "Attention";
  EXPECT_EQ(attention, 12u);
  for (const Node& n : plain->nodes) ASSERT_NE(n.op_type, "Attention");
  const auto inputs = read_tensor_dir((file.parent_path() / "test_data_set_0").string(), "input");
  const Tensor want = Session(plain, Plan::for_model(*plain), SessionOptions{2}).run(inputs)[0];
  for (const Algorithm& a : Registry::instance().find_op("Attention")->algorithms) {
    if (a.why_not(algoscope::make_layer(
            *fused, *std::find_if(fused->nodes.begin(), fused->nodes.end(),
                                  [](const auto& n) { return n.op_type == "Attention"; }))))
      continue;  // a GPU algorithm without a device
    Plan plan = Plan::for_model(*fused);
    plan.defaults["Attention"] = a.name;
    const Tensor got = Session(fused, plan, SessionOptions{2}).run(inputs)[0];
    ASSERT_EQ(got.shape(), want.shape());
    EXPECT_LE(max_error_bound_ratio(got, want), 1.0) << a.name;
  }
}
