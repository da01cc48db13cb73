// Tests of the CUDA backend (engine/cuda). On every machine: cuDNN's descriptors, built the way the
// cudnn_* algorithms build them, give every layer of the Conv sweep the output shape our own shape
// inference gives (groups, strides, dilations, symmetric and asymmetric pads, 1-D layers), which
// needs no device. With a device: every GPU algorithm against `reference` (the Conv sweep, Gemm
// and MatMul layers), and a chain of GPU layers that runs without transfers between its first
// and last layer. Without a device those skip with a visible message; ALGOSCOPE_REQUIRE_GPU=1
// turns the skip into a failure (scripts/gpu-check.sh sets it).
#include <gtest/gtest.h>

#include <cmath>
#include <cstdlib>
#include <memory>
#include <string>

#include "algoscope/algorithm_sweep.h"
#include "algoscope/loader.h"
#include "algoscope/plan.h"
#include "algoscope/registry.h"
#include "algoscope/session.h"
#include "cuda/backend.h"
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
  for (const char* name : {"cublas", "cublas_tf32", "cublaslt", "cublaslt_tf32"}) {
    SCOPED_TRACE(name);
    algoscope::Plan plan = algoscope::Plan::for_model(*model);
    plan.defaults["Gemm"] = plan.defaults["MatMul"] = name;
    const algoscope::Tensor got = algoscope::Session(model, plan).run(inputs)[0];
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

}  // namespace
