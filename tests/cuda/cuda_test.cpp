// Tests of the CUDA backend (engine/cuda). On every machine: cuDNN's descriptors, built the way the
// cudnn_* algorithms build them, give every layer of the Conv sweep the output shape our own shape
// inference gives (groups, strides, dilations, symmetric and asymmetric pads, 1-D layers), which
// needs no device. With a device: every GPU algorithm against `reference` (the Conv sweep, Gemm
// and MatMul layers), a chain of GPU layers that runs without transfers between its first
// and last layer, and our own kernels (engine/cuda/ops/) against `reference`: broadcast shapes,
// pooling pads / dilations / ceil_mode, softmax axes in both opset semantics, attention (naive and
// flash) with and without masks, a ResNet-like block that is all on the device, the ops ViT-B/16
// adds (reductions, Pow, Gather with constant and computed indices, Slice with steps) and ViT's
// LayerNorm as exported, all on the device. Without a
// device those skip with a visible message; ALGOSCOPE_REQUIRE_GPU=1 turns the skip into a failure
// (scripts/gpu-check.sh sets it).
#include <gtest/gtest.h>

#include <cmath>
#include <cstdlib>
#include <limits>
#include <map>
#include <memory>
#include <set>
#include <string>

#include "algoscope/algorithm_sweep.h"
#include "algoscope/loader.h"
#include "algoscope/plan.h"
#include "algoscope/registry.h"
#include "algoscope/session.h"
#include "cuda/backend.h"
#include "cuda/kernel_models.h"
#include "cuda/variants.h"
#include "family.h"
#include "support/onnx_builder.h"

namespace {

using algoscope::Backend;
using algoscope::Registry;

// Skips (or, with ALGOSCOPE_REQUIRE_GPU=1, fails) unless a CUDA device is usable.
#define REQUIRE_DEVICE()                                                    \
  do {                                                                      \
    const auto& cuda = algoscope::cuda::availability();                     \
    if (!cuda.module) {                                                     \
      const char* require = std::getenv("ALGOSCOPE_REQUIRE_GPU");           \
      if (require && std::string(require) == "1")                           \
        FAIL() << "ALGOSCOPE_REQUIRE_GPU=1 but no GPU: " << cuda.reason;    \
      GTEST_SKIP() << "SKIPPED, no GPU: " << cuda.reason;                   \
    }                                                                       \
    std::printf("device: %s\n", cuda.module->device_description().c_str()); \
  } while (0)

TEST(CudnnGeometry, OutputShapesMatchOurShapeInferenceOnEveryConvSweepLayer) {
  const auto& conv = *Registry::instance().find_op("Conv");
  const auto layers = algoscope::sweep_layers("Conv");
  ASSERT_GT(layers.size(), 50u);
  for (const auto& sweep : layers) {
    const algoscope::Layer layer = sweep.layer(conv);
    SCOPED_TRACE(algoscope::shape_to_string(sweep.inputs[0].shape()) + " w " +
                 algoscope::shape_to_string(sweep.inputs[1].shape()));
    EXPECT_EQ(algoscope::cuda::cudnn_conv_output_shape(layer), layer.outputs[0].shape);
  }
}

TEST(CudnnGeometry, ANonFloatLayerIsRefusedWithAReasonNotACrash) {
  // Built by hand: the loader already keeps integer Convs from running.
  algoscope::Node node;
  node.name = "conv";
  node.op_type = "Conv";
  node.inputs = {"x", "w"};
  node.outputs = {"y"};
  algoscope::Layer layer;
  layer.node = &node;
  layer.opset = 13;
  layer.inputs = {{algoscope::DType::Int64, {1, 1, 4, 4}}, {algoscope::DType::Int64, {1, 1, 1, 1}}};
  layer.present = {true, true};
  layer.constants = {nullptr, nullptr};
  auto family = algoscope::cuda::cudnn_conv_family();
  auto why = family.why_not(algoscope::cuda::kImplicitGemm, layer);
  ASSERT_TRUE(why.has_value());
  EXPECT_NE(why->find("float32"), std::string::npos) << *why;
}

TEST(CudaDevice, EveryCudnnAlgorithmPassesTheConvSweep) {
  REQUIRE_DEVICE();
  for (const auto& a : Registry::instance().find_op("Conv")->algorithms) {
    if (a.backend != Backend::Cuda) continue;
    const algoscope::SweepReport report = algoscope::sweep_algorithm("Conv", a.name);
    std::printf("%s\n", report.summary().c_str());
    EXPECT_TRUE(report.failures.empty()) << report.summary();
    // cuDNN 9 implements DIRECT for almost nothing; every other algorithm must run somewhere.
    if (a.name.find("direct") == std::string::npos) EXPECT_GT(report.applicable, 0) << a.name;
  }
}

// A model of Gemm, MatMul (batched, shared B) and two Convs; every GPU algorithm of each op
// against the all-`reference` run.
std::shared_ptr<const algoscope::Model> blas_model() {
  onnx_builder::ModelBuilder b("blas");
  b.input("x", {2, 3, 16});
  b.initializer("b", {16, 8}, onnx_builder::random_floats(128, 1));
  b.node("MatMul", {"x", "b"}, {"m"}, "matmul");
  b.node("Reshape", {"m", "shape"}, {"r"}, "reshape");
  b.int64_initializer("shape", {2}, {6, 8});
  b.initializer("w", {5, 8}, onnx_builder::random_floats(40, 2));
  b.initializer("c", {5}, onnx_builder::random_floats(5, 3));
  b.node("Gemm", {"r", "w", "c"}, {"y"}, "gemm").i("transB", 1);
  b.output("y");
  return std::make_shared<const algoscope::Model>(
      algoscope::load_model_from_bytes(b.bytes(), "blas.onnx"));
}

TEST(CudaDevice, CublasGemmAndMatMulMatchReference) {
  REQUIRE_DEVICE();
  auto model = blas_model();
  algoscope::Plan reference = algoscope::Plan::for_model(*model);
  reference.defaults["Gemm"] = reference.defaults["MatMul"] = "reference";
  const auto inputs = algoscope::random_inputs(*model);
  const algoscope::Tensor want = algoscope::Session(model, reference).run(inputs)[0];
  for (const char* name : {"cublas", "cublas_tf32", "cublaslt", "cublaslt_tf32", "cublaslt_find",
                           "cublaslt_find_tf32"}) {
    SCOPED_TRACE(name);
    algoscope::Plan plan = algoscope::Plan::for_model(*model);
    plan.defaults["Gemm"] = plan.defaults["MatMul"] = name;
    algoscope::Session session(model, plan);
    // The measured pick says which candidate won; the others say what they ran.
    for (const auto& layer : session.layers())
      if (layer.algorithm->name == name && std::string(name).rfind("cublaslt", 0) == 0)
        EXPECT_NE(layer.choice.find(std::string(name).find("find") != std::string::npos
                                        ? "measured fastest"
                                        : "cuBLASLt's heuristic"),
                  std::string::npos)
            << layer.node->name << ": " << layer.choice;
    const algoscope::Tensor got = session.run(inputs)[0];
    const auto tol = Registry::instance().find_algorithm("Gemm", name)->tolerance;
    double scale = 1;
    for (int64_t i = 0; i < want.numel(); ++i)
      scale = std::max(scale, double(std::fabs(want.data<float>()[i])));
    for (int64_t i = 0; i < want.numel(); ++i)
      EXPECT_LE(std::fabs(got.data<float>()[i] - want.data<float>()[i]),
                tol.atol * scale + tol.rtol * std::fabs(want.data<float>()[i]))
          << "element " << i;
  }
}

// MatMul+Add+Relu as the loader fuses a transformer's Linear (shared B: one tall product, the bias
// in cuBLASLt's epilogue), MatMul+Add+Clip on a full batch of B matrices (strided batched, the
// bias written first) and one with A broadcast (one call per matrix): every GPU algorithm against
// the all-`reference` run.
TEST(CudaDevice, CublasMatMulWithFusedBiasAndClampMatchesReference) {
  REQUIRE_DEVICE();
  onnx_builder::ModelBuilder b("linear");
  b.input("x", {2, 5, 24});
  b.initializer("w", {24, 37}, onnx_builder::random_floats(24 * 37, 1));
  b.initializer("bias", {37}, onnx_builder::random_floats(37, 2));
  b.node("MatMul", {"x", "w"}, {"p"}, "linear");
  b.node("Add", {"p", "bias"}, {"s"}, "linear_bias");
  b.node("Relu", {"s"}, {"y"}, "relu");
  b.output("y");
  b.input("u", {3, 4, 6});
  b.initializer("v", {3, 6, 9}, onnx_builder::random_floats(3 * 6 * 9, 3));
  b.initializer("c", {1, 9}, onnx_builder::random_floats(9, 4));
  b.initializer("lo", {}, {-0.25f}).initializer("hi", {}, {0.25f});
  b.node("MatMul", {"u", "v"}, {"q"}, "batched");
  b.node("Add", {"q", "c"}, {"t"}, "batched_bias");
  b.node("Clip", {"t", "lo", "hi"}, {"z"}, "clip");
  b.output("z");
  b.input("g", {4, 6});
  b.node("MatMul", {"g", "v"}, {"h"}, "broadcast");
  b.node("Add", {"h", "c"}, {"o"}, "broadcast_bias");
  b.output("o");
  auto model = std::make_shared<const algoscope::Model>(
      algoscope::load_model_from_bytes(b.bytes(), "linear.onnx"));
  for (const algoscope::Node& n : model->nodes) {
    ASSERT_EQ(n.op_type, "MatMul");
    EXPECT_EQ(n.inputs.size(), 3u) << n.name;
  }
  algoscope::Plan reference = algoscope::Plan::for_model(*model);
  reference.defaults["MatMul"] = "reference";
  const auto inputs = algoscope::random_inputs(*model);
  const auto want = algoscope::Session(model, reference).run(inputs);
  for (const char* name : {"cublas", "cublas_tf32", "cublaslt", "cublaslt_tf32", "cublaslt_find",
                           "cublaslt_find_tf32"}) {
    SCOPED_TRACE(name);
    algoscope::Plan plan = algoscope::Plan::for_model(*model);
    // cuBLASLt declines the unevenly paired batch; that layer stays on the host.
    for (const algoscope::Node& n : model->nodes)
      if (!Registry::instance()
               .find_algorithm("MatMul", name)
               ->why_not(algoscope::make_layer(*model, n)))
        plan.layers[n.name] = name;
    const auto got = algoscope::Session(model, plan).run(inputs);
    const auto tol = Registry::instance().find_algorithm("MatMul", name)->tolerance;
    for (size_t o = 0; o < want.size(); ++o)
      for (int64_t i = 0; i < want[o].numel(); ++i)
        EXPECT_NEAR(got[o].data<float>()[i], want[o].data<float>()[i],
                    tol.atol * 10 + tol.rtol * std::fabs(want[o].data<float>()[i]))
            << "output " << o << " element " << i;
  }
}

// A MatMul whose batch pairs A and B matrices unevenly (A broadcast over B's batch axis 0, B
// over A's axis 1) runs under cublas one matrix at a time; cublaslt refuses it rather than run
// cublas under its name.
TEST(CudaDevice, CublasltRefusesAnUnevenBatchThatCublasRuns) {
  REQUIRE_DEVICE();
  onnx_builder::ModelBuilder b("uneven");
  b.input("a", {1, 3, 4, 5});
  b.input("b", {2, 1, 5, 6});
  b.node("MatMul", {"a", "b"}, {"y"}, "matmul");
  b.output("y");
  auto model = std::make_shared<const algoscope::Model>(
      algoscope::load_model_from_bytes(b.bytes(), "uneven.onnx"));
  const algoscope::Layer layer = algoscope::make_layer(*model, model->nodes[0]);
  const auto* lt = Registry::instance().find_algorithm("MatMul", "cublaslt");
  const auto why = lt->why_not(layer);
  ASSERT_TRUE(why.has_value());
  EXPECT_NE(why->find("uniformly strided batch"), std::string::npos) << *why;
  EXPECT_FALSE(Registry::instance().find_algorithm("MatMul", "cublas")->why_not(layer));
}

TEST(CudaDevice, AChainOfGpuLayersTransfersOnlyAtItsEnds) {
  REQUIRE_DEVICE();
  onnx_builder::ModelBuilder b("chain");
  b.input("x", {1, 8, 12, 12});
  b.initializer("w1", {8, 8, 3, 3}, onnx_builder::random_floats(576, 1));
  b.initializer("w2", {8, 8, 3, 3}, onnx_builder::random_floats(576, 2));
  b.node("Conv", {"x", "w1"}, {"c1"}, "conv1").ints("pads", {1, 1, 1, 1});
  b.node("Conv", {"c1", "w2"}, {"y"}, "conv2").ints("pads", {0, 0, 1, 1});  // asymmetric
  b.output("y");
  auto model = std::make_shared<const algoscope::Model>(
      algoscope::load_model_from_bytes(b.bytes(), "chain.onnx"));
  algoscope::Plan plan = algoscope::Plan::for_model(*model);
  plan.defaults["Conv"] = "cudnn_heuristic";
  algoscope::Session gpu(model, plan);
  ASSERT_EQ(gpu.transfers().size(), 2u);  // x up, y down
  EXPECT_EQ(gpu.transfers()[0].value, "x");
  EXPECT_EQ(gpu.transfers()[1].value, "y");
  algoscope::Plan reference = algoscope::Plan::for_model(*model);
  reference.defaults["Conv"] = "reference";
  const auto inputs = algoscope::random_inputs(*model);
  const algoscope::Tensor want = algoscope::Session(model, reference).run(inputs)[0];
  const algoscope::Tensor got = gpu.run(inputs)[0];
  ASSERT_EQ(got.shape(), want.shape());
  for (int64_t i = 0; i < want.numel(); ++i)
    EXPECT_NEAR(got.data<float>()[i], want.data<float>()[i], 1e-2) << i;
}

// --- Our own kernels --------------------------------------------------------------------------

std::shared_ptr<const algoscope::Model> load(const std::string& bytes) {
  return std::make_shared<const algoscope::Model>(
      algoscope::load_model_from_bytes(bytes, "model.onnx"));
}

// Every output of `model` with `plan` against the all-`reference` run, elementwise within
// atol * scale + rtol * |want| (scale = max(1, max |want|) per output); NaN must stay NaN.
void expect_near_reference(const std::shared_ptr<const algoscope::Model>& model,
                           const algoscope::Plan& plan, algoscope::Tolerance tol,
                           uint64_t seed = 7) {
  algoscope::Plan reference = algoscope::Plan::for_model(*model);
  for (const algoscope::Node& node : model->nodes) reference.defaults[node.op_type] = "reference";
  const auto inputs = algoscope::random_inputs(*model, seed);
  const auto want = algoscope::Session(model, reference).run(inputs);
  const auto got = algoscope::Session(model, plan).run(inputs);
  ASSERT_EQ(got.size(), want.size());
  for (size_t o = 0; o < want.size(); ++o) {
    SCOPED_TRACE("output " + std::to_string(o));
    ASSERT_EQ(got[o].shape(), want[o].shape());
    const float* w = want[o].data<float>();
    const float* g = got[o].data<float>();
    double scale = 1;
    for (int64_t i = 0; i < want[o].numel(); ++i)
      if (std::isfinite(w[i])) scale = std::max(scale, double(std::fabs(w[i])));
    for (int64_t i = 0; i < want[o].numel(); ++i) {
      if (std::isnan(w[i])) {
        EXPECT_TRUE(std::isnan(g[i])) << "element " << i << ": " << g[i] << ", want NaN";
      } else if (std::isinf(w[i])) {
        EXPECT_EQ(g[i], w[i]) << "element " << i;
      } else {
        EXPECT_LE(std::fabs(double(g[i]) - double(w[i])),
                  tol.atol * scale + tol.rtol * std::fabs(double(w[i])))
            << "element " << i << ": " << g[i] << ", want " << w[i];
      }
    }
  }
}

// A plan that runs every node of `ops` on its "cuda" algorithm (others as named in `extra`).
algoscope::Plan cuda_plan(const algoscope::Model& model,
                          const std::map<std::string, std::string>& extra = {}) {
  algoscope::Plan plan = algoscope::Plan::for_model(model);
  for (const algoscope::Node& node : model.nodes)
    if (Registry::instance().find_algorithm(node.op_type, "cuda"))
      plan.defaults[node.op_type] = "cuda";
  for (const auto& [op, name] : extra) plan.defaults[op] = name;
  return plan;
}

// Compiles `plan`, expects every layer on the device and returns the values the session moves
// between host and device in each run, in order.
std::vector<std::string> device_session_transfers(
    const std::shared_ptr<const algoscope::Model>& model, const algoscope::Plan& plan) {
  algoscope::Session session(model, plan);
  for (const auto& layer : session.layers())
    EXPECT_EQ(layer.algorithm->backend, Backend::Cuda) << layer.node->name;
  std::vector<std::string> values;
  for (const algoscope::ValueTransfer& t : session.transfers()) values.push_back(t.value);
  return values;
}

// The loosest tolerance of the "cuda" algorithms of `ops`.
algoscope::Tolerance loosest(const std::set<std::string>& ops) {
  algoscope::Tolerance t{0.0, 0.0};
  for (const std::string& op : ops) {
    const auto* a = Registry::instance().find_algorithm(op, "cuda");
    t.atol = std::max(t.atol, a->tolerance.atol);
    t.rtol = std::max(t.rtol, a->tolerance.rtol);
  }
  return t;
}

TEST(CudaKernels, EveryOpChainMatchesReferenceWithTransfersOnlyAtItsEnds) {
  REQUIRE_DEVICE();
  auto model = load(cuda_kernel_models::every_op_chain());
  const algoscope::Plan plan = cuda_plan(*model);
  const std::vector<std::string> transfers = device_session_transfers(model, plan);
  ASSERT_EQ(transfers.size(), 3u);  // x up, sm and lsm down
  EXPECT_EQ(transfers[0], "x");
  // Roundings compound along the chain: ten times the loosest single-op tolerance.
  std::set<std::string> ops(std::begin(cuda_kernel_models::kCudaOps),
                            std::end(cuda_kernel_models::kCudaOps));
  algoscope::Tolerance t = loosest(ops);
  expect_near_reference(model, plan, {10 * t.atol, 10 * t.rtol});
}

TEST(CudaKernels, ElementwiseBroadcastsExactlyAndAppliesTheFusedRelu) {
  REQUIRE_DEVICE();
  onnx_builder::ModelBuilder b("broadcast");
  b.input("a", {2, 3, 4, 5});
  b.input("b", {3, 1, 5});
  b.input("c", {4, 1});
  b.node("Add", {"a", "b"}, {"s"}, "add");
  b.node("Relu", {"s"}, {"r"}, "relu");     // fused into the Add by the loader
  b.node("Sub", {"c", "r"}, {"d"}, "sub");  // the broadcast operand first
  b.initializer("channel", {1, 3, 1, 1}, onnx_builder::random_floats(3, 5, 0.5f, 2.0f));
  b.node("Div", {"d", "channel"}, {"q"}, "div");
  b.node("Mul", {"q", "a"}, {"y"}, "mul");  // equal shapes
  b.initializer("offset", {}, {0.3f});
  b.node("Add", {"y", "offset"}, {"z0"}, "add_scalar");
  b.node("Clip", {"z0"}, {"z"}, "relu6");  // Clip with no bounds: the identity
  b.output("z");
  b.output("r");  // graph output: the Relu stays a node of its own
  auto model = load(b.bytes());
  bool fused = false;
  for (const auto& node : model->nodes) fused = fused || (node.name == "add" && node.activation);
  if (!fused) std::printf("note: the loader did not fuse the Relu into the Add\n");
  expect_near_reference(model, cuda_plan(*model), loosest({"Add", "Sub", "Mul", "Div", "Clip"}));
}

TEST(CudaKernels, AddWithAFusedReluOrClipClampsOnTheDevice) {
  REQUIRE_DEVICE();
  onnx_builder::ModelBuilder b("add_relu");
  b.input("a", {2, 8, 3, 3});
  b.input("b", {2, 8, 3, 3});
  b.node("Add", {"a", "b"}, {"s"}, "add");
  b.node("Relu", {"s"}, {"r"}, "relu");
  b.node("Add", {"r", "a"}, {"t"}, "add6");
  b.initializer("lo", {}, {0.1f});
  b.initializer("hi", {}, {0.6f});
  b.node("Clip", {"t", "lo", "hi"}, {"y"}, "clip");
  b.output("y");
  auto model = load(b.bytes());
  size_t fused = 0;
  for (const auto& node : model->nodes) fused += node.activation ? 1 : 0;
  EXPECT_EQ(fused, 2u);  // both Adds carry their activation
  expect_near_reference(model, cuda_plan(*model), {0.0, 0.0});
}

// Gemm with a bias row and a fused Relu (cuBLASLt's RELU_BIAS epilogue), and with a fused ReLU6
// (a clamp kernel after the product), under every cuBLAS variant.
TEST(CudaKernels, GemmWithAFusedReluOrClipUnderEveryCublasVariant) {
  REQUIRE_DEVICE();
  onnx_builder::ModelBuilder b("gemm_relu");
  b.input("x", {16, 64});
  b.initializer("w", {32, 64}, onnx_builder::random_floats(32 * 64, 11));
  b.initializer("c", {32}, onnx_builder::random_floats(32, 12));
  b.node("Gemm", {"x", "w", "c"}, {"g"}, "fc1").i("transB", 1);
  b.node("Relu", {"g"}, {"r"}, "relu");
  b.initializer("w2", {32, 32}, onnx_builder::random_floats(32 * 32, 13));
  b.node("Gemm", {"r", "w2"}, {"h"}, "fc2").i("transB", 1);
  b.initializer("lo", {}, {0.0f});
  b.initializer("hi", {}, {0.6f});
  b.node("Clip", {"h", "lo", "hi"}, {"y"}, "relu6");
  b.output("y");
  auto model = load(b.bytes());
  ASSERT_EQ(model->nodes.size(), 2u);
  for (const auto& node : model->nodes) EXPECT_TRUE(node.activation.has_value()) << node.name;
  for (const char* algorithm : {"cublas", "cublaslt", "cublas_tf32", "cublaslt_tf32",
                                "cublaslt_find", "cublaslt_find_tf32"}) {
    SCOPED_TRACE(algorithm);
    algoscope::Plan plan = algoscope::Plan::for_model(*model);
    plan.defaults["Gemm"] = algorithm;
    const auto* a = Registry::instance().find_algorithm("Gemm", algorithm);
    ASSERT_NE(a, nullptr);
    expect_near_reference(model, plan, {4 * a->tolerance.atol, 4 * a->tolerance.rtol});
  }
}

TEST(CudaKernels, PoolingHonoursPadsStridesDilationsCeilModeAndCountIncludePad) {
  REQUIRE_DEVICE();
  onnx_builder::ModelBuilder b("pools");
  b.input("x", {2, 3, 11, 10});
  b.node("MaxPool", {"x"}, {"m1"}, "max_dilated")
      .ints("kernel_shape", {3, 2})
      .ints("strides", {2, 3})
      .ints("pads", {0, 1, 2, 0})
      .ints("dilations", {2, 1})
      .i("ceil_mode", 1);
  b.node("MaxPool", {"x"}, {"m2"}, "max_same")
      .ints("kernel_shape", {3, 3})
      .ints("strides", {2, 2})
      .s("auto_pad", "SAME_UPPER");
  b.node("AveragePool", {"x"}, {"a1"}, "avg_exclude")
      .ints("kernel_shape", {3, 3})
      .ints("strides", {2, 2})
      .ints("pads", {1, 1, 1, 1})
      .i("ceil_mode", 1);
  b.node("AveragePool", {"x"}, {"a2"}, "avg_include")
      .ints("kernel_shape", {3, 4})
      .ints("strides", {3, 2})
      .ints("pads", {1, 2, 0, 1})
      .i("count_include_pad", 1)
      .i("ceil_mode", 1);
  b.node("GlobalAveragePool", {"x"}, {"g1"}, "gap");
  b.node("GlobalMaxPool", {"x"}, {"g2"}, "gmp");
  for (const char* y : {"m1", "m2", "a1", "a2", "g1", "g2"}) b.output(y);
  auto model = load(b.bytes());
  expect_near_reference(model, cuda_plan(*model),
                        loosest({"MaxPool", "AveragePool", "GlobalAveragePool", "GlobalMaxPool"}));

  // 1-D and 3-D windows, and a global pool over a plane larger than one block's threads.
  onnx_builder::ModelBuilder c("pools_nd");
  c.input("x1", {2, 3, 17});
  c.input("x3", {1, 2, 5, 6, 7});
  c.input("big", {1, 2, 40, 40});
  c.node("MaxPool", {"x1"}, {"p1"}, "max1d").ints("kernel_shape", {4}).ints("strides", {3});
  c.node("AveragePool", {"x3"}, {"p3"}, "avg3d")
      .ints("kernel_shape", {2, 3, 2})
      .ints("pads", {1, 0, 1, 0, 1, 1});
  c.node("GlobalAveragePool", {"big"}, {"gb"}, "gap_big");
  c.node("GlobalMaxPool", {"big"}, {"gm"}, "gmp_big");
  for (const char* y : {"p1", "p3", "gb", "gm"}) c.output(y);
  auto nd = load(c.bytes());
  expect_near_reference(nd, cuda_plan(*nd),
                        loosest({"MaxPool", "AveragePool", "GlobalAveragePool", "GlobalMaxPool"}));
}

TEST(CudaKernels, SoftmaxFollowsBothOpsetSemanticsOnEveryAxis) {
  REQUIRE_DEVICE();
  for (int64_t opset : {11, 13}) {
    for (int64_t axis : {0, 1, 2, -1}) {
      SCOPED_TRACE("opset " + std::to_string(opset) + " axis " + std::to_string(axis));
      onnx_builder::ModelBuilder b("softmax", opset);
      b.input("x", {3, 4, 300});  // lines longer than a block: the threads stride
      b.node("Softmax", {"x"}, {"s"}, "softmax").i("axis", axis);
      b.node("LogSoftmax", {"x"}, {"l"}, "log_softmax").i("axis", axis);
      b.output("s");
      b.output("l");
      auto model = load(b.bytes());
      expect_near_reference(model, cuda_plan(*model), loosest({"Softmax", "LogSoftmax"}));
    }
  }
}

// The row normalizations on the device (cuda_row_norm): LayerNormalization over one and two
// trailing axes with its Mean and InvStdDev outputs, InstanceNormalization, and
// GroupNormalization per group (opset 18) and per channel (opset 21), on rows longer than a block.
TEST(CudaKernels, RowNormalizationsMatchTheReference) {
  REQUIRE_DEVICE();
  for (int64_t axis : {-1, 1}) {
    SCOPED_TRACE("LayerNormalization axis " + std::to_string(axis));
    onnx_builder::ModelBuilder b("layer_norm", 17);
    b.input("x", {3, 5, 300});
    const int64_t params = axis == -1 ? 300 : 1500;
    b.initializer("scale", axis == -1 ? std::vector<int64_t>{300} : std::vector<int64_t>{5, 300},
                  onnx_builder::random_floats(params, 1, 0.5f, 1.5f));
    b.initializer("bias", axis == -1 ? std::vector<int64_t>{300} : std::vector<int64_t>{5, 300},
                  onnx_builder::random_floats(params, 2));
    b.node("LayerNormalization", {"x", "scale", "bias"}, {"y", "mean", "inv_std"}, "ln")
        .i("axis", axis)
        .f("epsilon", 1e-3f);
    for (const char* y : {"y", "mean", "inv_std"}) b.output(y);
    auto model = load(b.bytes());
    expect_near_reference(model, cuda_plan(*model), loosest({"LayerNormalization"}));
  }
  for (int64_t opset : {18, 21}) {
    SCOPED_TRACE("opset " + std::to_string(opset));
    onnx_builder::ModelBuilder b("group_norm", opset);
    b.input("x", {2, 6, 20, 30});
    b.initializer("s6", {6}, onnx_builder::random_floats(6, 3, 0.5f, 1.5f));
    b.initializer("b6", {6}, onnx_builder::random_floats(6, 4));
    b.node("InstanceNormalization", {"x", "s6", "b6"}, {"instance"}, "instance");
    const int64_t group_params = opset == 18 ? 3 : 6;
    b.initializer("sg", {group_params}, onnx_builder::random_floats(group_params, 5, 0.5f, 1.5f));
    b.initializer("bg", {group_params}, onnx_builder::random_floats(group_params, 6));
    b.node("GroupNormalization", {"x", "sg", "bg"}, {"group"}, "group").i("num_groups", 3);
    b.output("instance");
    b.output("group");
    auto model = load(b.bytes());
    expect_near_reference(model, cuda_plan(*model),
                          loosest({"InstanceNormalization", "GroupNormalization"}));
  }
}

// A squeeze-and-excitation block as EfficientNet exports it (Conv+SiLU, Sigmoid gate) and as
// MobileNetV3 does (Conv+Relu, HardSigmoid gate): the loader fuses each into one SqueezeExcite
// node, which runs on the device.
TEST(CudaKernels, SqueezeExciteBlocksMatchTheReference) {
  REQUIRE_DEVICE();
  for (bool mobilenet : {false, true}) {
    SCOPED_TRACE(mobilenet ? "MobileNetV3" : "EfficientNet");
    onnx_builder::ModelBuilder b("se", 13);
    b.input("x", {2, 40, 30, 30});  // planes longer than a block
    b.node("GlobalAveragePool", {"x"}, {"s"}, "pool");
    b.initializer("w1", {10, 40, 1, 1}, onnx_builder::random_floats(400, 1));
    b.initializer("b1", {10}, onnx_builder::random_floats(10, 2));
    b.initializer("w2", {40, 10, 1, 1}, onnx_builder::random_floats(400, 3));
    b.initializer("b2", {40}, onnx_builder::random_floats(40, 4));
    b.node("Conv", {"s", "w1", "b1"}, {"h"}, "fc1");
    if (mobilenet) {
      b.node("Relu", {"h"}, {"a"}, "relu");
    } else {
      b.node("Sigmoid", {"h"}, {"hs"}, "silu_sigmoid");
      b.node("Mul", {"h", "hs"}, {"a"}, "silu");
    }
    b.node("Conv", {"a", "w2", "b2"}, {"l"}, "fc2");
    if (mobilenet)
      b.node("HardSigmoid", {"l"}, {"g"}, "gate").f("alpha", 1.0f / 6.0f).f("beta", 0.5f);
    else
      b.node("Sigmoid", {"l"}, {"g"}, "gate");
    b.node("Mul", {"x", "g"}, {"y"}, "scale");
    b.output("y");
    auto model = load(b.bytes());
    ASSERT_EQ(model->nodes.size(), 1u);
    ASSERT_EQ(model->nodes[0].op_type, "SqueezeExcite");
    expect_near_reference(model, cuda_plan(*model), loosest({"SqueezeExcite"}));
  }
}

// PyTorch's exported attention (the loader fuses it into one Attention node): Q [1, 3, sq, d],
// K transposed by a Transpose node, V [1, 3, skv, dv], optional additive mask [sq, skv].
std::string attention_model(int64_t sq, int64_t skv, int64_t d, int64_t dv, bool mask,
                            bool causal) {
  onnx_builder::ModelBuilder b("attention", 13);
  b.input("q", {1, 3, sq, d});
  b.input("k", {1, 3, skv, d});
  b.input("v", {1, 3, skv, dv});
  b.node("Transpose", {"k"}, {"kt"}, "transpose_k").ints("perm", {0, 1, 3, 2});
  b.node("MatMul", {"q", "kt"}, {"raw"}, "qk");
  b.initializer("scale", {}, {1.0f / std::sqrt(float(d))});
  b.node("Mul", {"raw", "scale"}, {"scores"}, "scale_scores");
  std::string scores = "scores";
  if (mask) {
    std::vector<float> m = onnx_builder::random_floats(size_t(sq * skv), 11);
    if (causal)
      for (int64_t i = 0; i < sq; ++i)
        for (int64_t j = i + 1; j < skv; ++j)
          m[size_t(i * skv + j)] = -std::numeric_limits<float>::infinity();
    b.initializer("mask", {sq, skv}, m);
    b.node("Add", {scores, "mask"}, {"masked"}, "add_mask");
    scores = "masked";
  }
  b.node("Softmax", {scores}, {"p"}, "softmax").i("axis", -1);
  b.node("MatMul", {"p", "v"}, {"y"}, "pv");
  b.output("y");
  return b.bytes();
}

TEST(CudaKernels, AttentionNaiveAndFlashMatchReferenceWithAndWithoutMasks) {
  REQUIRE_DEVICE();
  struct Case {
    int64_t sq, skv, d, dv;
    bool mask, causal;
  };
  // Sizes that are not multiples of the flash kernel's 16 rows and 32 keys; head sizes up to its
  // 128; a causal mask whose first rows are mostly -inf.
  const Case cases[] = {{37, 70, 16, 24, false, false},
                        {37, 70, 16, 24, true, false},
                        {50, 50, 64, 64, true, true},
                        {1, 5, 128, 128, false, false},
                        {197, 197, 64, 64, false, false}};
  for (const Case& c : cases) {
    auto model = load(attention_model(c.sq, c.skv, c.d, c.dv, c.mask, c.causal));
    size_t attention_nodes = 0;
    for (const auto& node : model->nodes) attention_nodes += node.op_type == "Attention";
    ASSERT_EQ(attention_nodes, 1u) << "the loader did not fuse the attention block";
    for (const char* name : {"cuda_naive", "cuda_flash"}) {
      SCOPED_TRACE(std::string(name) + " sq " + std::to_string(c.sq) + " skv " +
                   std::to_string(c.skv) + " d " + std::to_string(c.d) +
                   (c.mask ? (c.causal ? " causal" : " mask") : ""));
      const algoscope::Plan plan = cuda_plan(*model, {{"Attention", name}});
      algoscope::Session session(model, plan);
      EXPECT_EQ(session.transfers().size(), 4u);  // q, k, v up, y down
      expect_near_reference(model, plan,
                            Registry::instance().find_algorithm("Attention", name)->tolerance);
    }
  }
}

TEST(CudaKernels, FlashAttentionNeedsNoWorkspaceAndRefusesHugeHeads) {
  REQUIRE_DEVICE();
  auto model = load(attention_model(300, 300, 32, 32, false, false));
  auto big = load(attention_model(4, 4, 160, 32, false, false));
  for (const auto* m : {model.get(), big.get()}) {
    for (const auto& node : m->nodes) {
      if (node.op_type != "Attention") continue;
      const algoscope::Layer layer = algoscope::make_layer(*m, node);
      const auto& op = *Registry::instance().find_op("Attention");
      if (m == model.get()) {
        EXPECT_FALSE(op.find("cuda_flash")->why_not(layer).has_value());
        EXPECT_EQ(op.find("cuda_flash")->workspace(layer), 0u);
        EXPECT_EQ(op.find("cuda_naive")->workspace(layer), 4u * 3 * 300 * 300);
      } else {
        EXPECT_TRUE(op.find("cuda_flash")->why_not(layer).has_value());
        EXPECT_FALSE(op.find("cuda_naive")->why_not(layer).has_value());
      }
    }
  }
}

TEST(CudaKernels, AResNetLikeBlockRunsEntirelyOnTheDevice) {
  REQUIRE_DEVICE();
  onnx_builder::ModelBuilder b("resnet_block");
  b.input("x", {2, 8, 12, 12});
  b.initializer("w1", {8, 8, 3, 3}, onnx_builder::random_floats(576, 1, -0.3f, 0.3f));
  b.initializer("w2", {8, 8, 3, 3}, onnx_builder::random_floats(576, 2, -0.3f, 0.3f));
  b.node("Conv", {"x", "w1"}, {"c1"}, "conv1").ints("pads", {1, 1, 1, 1});
  b.node("Relu", {"c1"}, {"r1"}, "relu1");
  b.node("Conv", {"r1", "w2"}, {"c2"}, "conv2").ints("pads", {1, 1, 1, 1});
  b.node("Add", {"c2", "x"}, {"s"}, "residual");
  b.node("Relu", {"s"}, {"r"}, "relu2");
  b.node("MaxPool", {"r"}, {"p"}, "pool")
      .ints("kernel_shape", {3, 3})
      .ints("strides", {2, 2})
      .ints("pads", {1, 1, 1, 1});
  b.node("GlobalAveragePool", {"p"}, {"g"}, "gap");
  b.node("Flatten", {"g"}, {"f"}, "flatten");
  b.initializer("fc", {10, 8}, onnx_builder::random_floats(80, 3));
  b.initializer("bias", {10}, onnx_builder::random_floats(10, 4));
  b.node("Gemm", {"f", "fc", "bias"}, {"y"}, "fc").i("transB", 1);
  b.output("y");
  auto model = load(b.bytes());
  const algoscope::Plan plan = cuda_plan(*model, {{"Conv", "cudnn_heuristic"}, {"Gemm", "cublas"}});
  EXPECT_EQ(device_session_transfers(model, plan),
            (std::vector<std::string>{"x", "y"}));  // x up, y down
  expect_near_reference(model, plan, {1e-3, 1e-2});
}

// Issue 18: the ops ViT-B/16 adds, one layer per case (kernel_models.h: reduction axes, keepdims
// and negative axes), each on its "cuda" algorithm against `reference`.
TEST(CudaKernels, VitOpLayersMatchReference) {
  REQUIRE_DEVICE();
  auto model = load(cuda_kernel_models::vit_op_layers());
  const algoscope::Plan plan = cuda_plan(*model);
  device_session_transfers(model, plan);
  std::set<std::string> ops(std::begin(cuda_kernel_models::kVitOps),
                            std::end(cuda_kernel_models::kVitOps));
  expect_near_reference(model, plan, loosest(ops));
}

// Gather whose indices are computed (a graph input here): the kernel reads them from device
// memory, int64 and int32, negative ones counting from the end.
TEST(CudaKernels, GatherReadsComputedIndicesOnTheDevice) {
  REQUIRE_DEVICE();
  for (const int32_t type : {onnx_builder::kInt64, int32_t(onnx::TensorProto::INT32)}) {
    onnx_builder::ModelBuilder b("gather_computed", 13);
    b.input("x", {4, 3, 5});
    b.input("rows", {2, 2}, type);
    b.node("Gather", {"x", "rows"}, {"y"}, "gather").i("axis", 0);  // [2, 2, 3, 5]
    b.output("y");
    auto model = load(b.bytes());
    std::vector<algoscope::Tensor> inputs = algoscope::random_inputs(*model, 3);
    const std::vector<int64_t> rows = {3, -4, 0, -1};
    for (size_t k = 0; k < rows.size(); ++k) {
      if (type == onnx_builder::kInt64)
        inputs[1].data<int64_t>()[k] = rows[k];
      else
        inputs[1].data<int32_t>()[k] = int32_t(rows[k]);
    }
    algoscope::Plan reference = algoscope::Plan::for_model(*model);
    reference.defaults["Gather"] = "reference";
    const algoscope::Tensor want = algoscope::Session(model, reference).run(inputs)[0];
    const algoscope::Tensor got = algoscope::Session(model, cuda_plan(*model)).run(inputs)[0];
    ASSERT_EQ(got.shape(), want.shape());
    for (int64_t e = 0; e < want.numel(); ++e)
      EXPECT_EQ(got.data<float>()[e], want.data<float>()[e]) << e;
  }
}

// ViT's LayerNorm as torch exports it at opset 13: ReduceMean, Sub, Pow 2, ReduceMean, Add eps,
// Sqrt, Div, Mul gamma, Add beta, which the loader fuses into one LayerNormalization node, then
// an exact GELU in its Erf form (one Gelu node): both on the device, one transfer in and one out.
TEST(CudaKernels, ALayerNormAsExportedRunsEntirelyOnTheDevice) {
  REQUIRE_DEVICE();
  onnx_builder::ModelBuilder b("layer_norm", 13);
  b.input("x", {2, 197, 64});
  b.node("ReduceMean", {"x"}, {"mean"}, "mean").ints("axes", {-1}).i("keepdims", 1);
  b.node("Sub", {"x", "mean"}, {"centred"}, "centre");
  b.initializer("two", {}, {2.0f});
  b.node("Pow", {"centred", "two"}, {"squares"}, "square");
  b.node("ReduceMean", {"squares"}, {"variance"}, "variance").ints("axes", {-1}).i("keepdims", 1);
  b.initializer("eps", {}, {1e-6f});
  b.node("Add", {"variance", "eps"}, {"shifted"}, "add_eps");
  b.node("Sqrt", {"shifted"}, {"deviation"}, "sqrt");
  b.node("Div", {"centred", "deviation"}, {"normalized"}, "normalize");
  b.initializer("gamma", {64}, onnx_builder::random_floats(64, 11, 0.5f, 1.5f));
  b.node("Mul", {"normalized", "gamma"}, {"scaled"}, "scale");
  b.initializer("beta", {64}, onnx_builder::random_floats(64, 12));
  b.node("Add", {"scaled", "beta"}, {"shifted_norm"}, "shift");
  b.initializer("sqrt2", {}, {1.41421356f});
  b.node("Div", {"shifted_norm", "sqrt2"}, {"scaled_in"}, "gelu_div");
  b.node("Erf", {"scaled_in"}, {"erf"}, "gelu_erf");
  b.initializer("one", {}, {1.0f});
  b.node("Add", {"erf", "one"}, {"erf1"}, "gelu_add");
  b.node("Mul", {"shifted_norm", "erf1"}, {"gelu_mul"}, "gelu_mul");
  b.initializer("half", {}, {0.5f});
  b.node("Mul", {"gelu_mul", "half"}, {"y"}, "gelu_half");
  b.output("y");
  auto model = load(b.bytes());
  std::vector<std::string> ops;
  for (const auto& n : model->nodes) ops.push_back(n.op_type);
  EXPECT_EQ(ops, (std::vector<std::string>{"LayerNormalization", "Gelu"}));
  const algoscope::Plan plan = cuda_plan(*model);
  EXPECT_EQ(device_session_transfers(model, plan),
            (std::vector<std::string>{"x", "y"}));  // x up, y down
  // Roundings compound through the two layers: ten times the loosest single-op tolerance.
  algoscope::Tolerance t = loosest({"LayerNormalization", "Gelu"});
  expect_near_reference(model, plan, {10 * t.atol, 10 * t.rtol});
}

}  // namespace
