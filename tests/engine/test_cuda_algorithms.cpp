// The GPU algorithms as every machine sees them, with or without a CUDA device: listed in the
// Conv, Gemm and MatMul registries with backend cuda, one per real cuDNN forward algorithm (and
// TF32 twins, cuDNN's heuristic and find, cuBLAS and cuBLASLt), and our own kernels ("cuda" for
// elementwise, activation, pooling, softmax and data-movement ops, the Reduce* ops, Pow, Gather and
// Slice, cuda_naive and cuda_flash for Attention); without a device each says why it
// does not apply, default and heuristic plans never pick one, and asking for one is a clear error
// naming the reason, never a crash. On a machine with a device, the numerical tests are in
// tests/cuda/ instead.
#include <gtest/gtest.h>

#include <set>
#include <string>
#include <vector>

#include "algoscope/error.h"
#include "algoscope/loader.h"
#include "algoscope/plan.h"
#include "algoscope/registry.h"
#include "algoscope/select.h"
#include "algoscope/session.h"
#include "cuda/backend.h"
#include "cuda/kernel_models.h"
#include "support/assertions.h"
#include "support/onnx_builder.h"

namespace {

using algoscope::Backend;
using algoscope::Registry;
using test_support::Contains;
using test_support::error_of;

std::vector<const algoscope::Algorithm*> cuda_algorithms(const std::string& op) {
  std::vector<const algoscope::Algorithm*> out;
  for (const auto& a : Registry::instance().find_op(op)->algorithms)
    if (a.backend == Backend::Cuda) out.push_back(&a);
  return out;
}

// Checks `op`'s one GPU algorithm, "cuda": backend cuda, below every host algorithm, with a
// summary and a teaching text that says it runs on the device. Returns it (null when missing).
const algoscope::Algorithm* expect_one_listed_cuda_algorithm(const char* op) {
  const auto* a = Registry::instance().find_algorithm(op, "cuda");
  EXPECT_NE(a, nullptr);
  if (!a) return nullptr;
  EXPECT_EQ(a->backend, Backend::Cuda);
  EXPECT_LT(a->default_priority, 0);
  EXPECT_FALSE(a->summary.empty());
  EXPECT_NE(a->teaching.find("device"), std::string::npos) << a->teaching;
  EXPECT_EQ(cuda_algorithms(op).size(), 1u);
  return a;
}

bool have_device() { return algoscope::cuda::availability().module != nullptr; }

std::string model_bytes() {
  onnx_builder::ModelBuilder b("conv_gemm");
  b.input("x", {1, 3, 8, 8});
  b.initializer("w", {4, 3, 3, 3}, onnx_builder::random_floats(108, 1));
  b.node("Conv", {"x", "w"}, {"c"}, "conv").ints("pads", {1, 1, 1, 1});
  b.node("Flatten", {"c"}, {"f"}, "flatten");
  b.initializer("fc", {256, 10}, onnx_builder::random_floats(2560, 2));
  b.node("MatMul", {"f", "fc"}, {"y"}, "matmul");
  b.output("y");
  return b.bytes();
}

TEST(CudaAlgorithms, EveryCudnnForwardAlgorithmIsListedOnceWithItsTf32Twin) {
  std::set<std::string> names;
  for (const auto* a : cuda_algorithms("Conv")) names.insert(a->name);
  for (const char* base : {"cudnn_implicit_gemm", "cudnn_implicit_precomp_gemm", "cudnn_gemm",
                           "cudnn_direct", "cudnn_fft", "cudnn_fft_tiling", "cudnn_winograd",
                           "cudnn_winograd_nonfused", "cudnn_heuristic", "cudnn_find"}) {
    EXPECT_TRUE(names.count(base)) << base;
    EXPECT_TRUE(names.count(std::string(base) + "_tf32")) << base;
  }
  EXPECT_EQ(names.size(), 20u);
  for (const char* op : {"Gemm", "MatMul"}) {
    std::set<std::string> blas;
    for (const auto* a : cuda_algorithms(op)) blas.insert(a->name);
    EXPECT_EQ(blas, (std::set<std::string>{"cublas", "cublas_tf32", "cublaslt", "cublaslt_tf32",
                                           "cublaslt_find", "cublaslt_find_tf32"}))
        << op;
  }
}

TEST(CudaAlgorithms, Tf32IsALooserSeparatelyNamedChoice) {
  const auto& conv = *Registry::instance().find_op("Conv");
  const auto* strict = conv.find("cudnn_implicit_gemm");
  const auto* tf32 = conv.find("cudnn_implicit_gemm_tf32");
  ASSERT_TRUE(strict && tf32);
  EXPECT_GT(tf32->tolerance.rtol, strict->tolerance.rtol);
  EXPECT_NE(strict->teaching.find("strict fp32"), std::string::npos);
  EXPECT_NE(tf32->teaching.find("TF32"), std::string::npos);
}

TEST(CudaAlgorithms, WithoutADeviceEachSaysWhyAndNoPlanPicksOne) {
  if (have_device()) GTEST_SKIP() << "a CUDA device is present: tests/cuda covers this machine";
  const algoscope::Model model = algoscope::load_model_from_bytes(model_bytes(), "conv_gemm.onnx");
  const std::string reason = algoscope::cuda::availability().reason;
  EXPECT_FALSE(reason.empty());
  for (const algoscope::Node& node : model.nodes) {
    const auto* op = Registry::instance().find_op(node.op_type);
    const algoscope::Layer layer = algoscope::make_layer(model, node);
    for (const auto& a : op->algorithms) {
      if (a.backend != Backend::Cuda) continue;
      auto why = a.why_not(layer);
      ASSERT_TRUE(why.has_value()) << a.name << " claims to apply without a device";
      EXPECT_EQ(*why, reason) << a.name;
    }
    EXPECT_NE(Registry::instance().default_algorithm(layer).backend, Backend::Cuda);
  }
  for (const algoscope::Plan& plan :
       {algoscope::Plan::for_model(model), algoscope::heuristic_plan(model)}) {
    algoscope::Session session(std::make_shared<const algoscope::Model>(model), plan,
                               {.threads = 1});
    for (const auto& layer : session.layers()) {
      EXPECT_NE(layer.algorithm->backend, Backend::Cuda) << layer.node->name;
      EXPECT_EQ(layer.space, nullptr);
    }
    EXPECT_TRUE(session.transfers().empty());
  }
}

TEST(CudaAlgorithms, SelectingOneWithoutADeviceIsAClearErrorNamingTheLayerAndReason) {
  if (have_device()) GTEST_SKIP() << "a CUDA device is present";
  auto model = std::make_shared<const algoscope::Model>(
      algoscope::load_model_from_bytes(model_bytes(), "conv_gemm.onnx"));
  algoscope::Plan plan = algoscope::Plan::for_model(*model);
  plan.layers["conv"] = "cudnn_find";
  try {
    algoscope::Session session(model, plan, {.threads = 1});
    FAIL() << "a GPU algorithm compiled without a device";
  } catch (const algoscope::Error& e) {
    const std::string what = e.what();
    EXPECT_NE(what.find("conv"), std::string::npos) << what;
    EXPECT_NE(what.find("cudnn_find"), std::string::npos) << what;
    EXPECT_NE(what.find(algoscope::cuda::availability().reason), std::string::npos) << what;
  }
}

TEST(CudaAlgorithms, EveryOpOfOurKernelsHasACudaAlgorithmThatAppliesItsActivation) {
  for (const char* op : cuda_kernel_models::kCudaOps) {
    SCOPED_TRACE(op);
    const auto* a = expect_one_listed_cuda_algorithm(op);
    ASSERT_NE(a, nullptr);
    EXPECT_TRUE(a->applies_activation);  // a host clamp would read device memory
  }
  std::set<std::string> attention;
  for (const auto* a : cuda_algorithms("Attention")) attention.insert(a->name);
  EXPECT_EQ(attention, (std::set<std::string>{"cuda_naive", "cuda_flash"}));
  // The naive kernel's teaching states its score matrix; flash's says it never stores one.
  const auto& op = *Registry::instance().find_op("Attention");
  EXPECT_NE(op.find("cuda_naive")->teaching.find("Sq * Skv"), std::string::npos);
  EXPECT_NE(op.find("cuda_flash")->teaching.find("never exists"), std::string::npos);
}

// Without a device, every CUDA algorithm of every layer of `onnx` answers the module's reason
// (and asks for no workspace), every op in `ops` has at least one, and the default plan keeps every
// layer on the host with no transfers.
template <size_t N>
void expect_host_only_without_a_device(const std::string& onnx, const char* const (&ops)[N]) {
  auto model = std::make_shared<const algoscope::Model>(
      algoscope::load_model_from_bytes(onnx, "cuda_ops.onnx"));
  const std::string reason = algoscope::cuda::availability().reason;
  std::set<std::string> seen;
  for (const algoscope::Node& node : model->nodes) {
    const algoscope::Layer layer = algoscope::make_layer(*model, node);
    for (const auto* a : cuda_algorithms(node.op_type)) {
      auto why = a->why_not(layer);
      ASSERT_TRUE(why.has_value()) << node.name << " " << a->name;
      EXPECT_EQ(*why, reason) << node.name;
      EXPECT_EQ(a->workspace(layer), 0u) << node.name;  // no module asked
      seen.insert(node.op_type);
    }
  }
  for (const char* op : ops) EXPECT_TRUE(seen.count(op)) << op;
  algoscope::Session session(model, algoscope::Plan::for_model(*model), {.threads = 1});
  for (const auto& layer : session.layers())
    EXPECT_NE(layer.algorithm->backend, Backend::Cuda) << layer.node->name;
  EXPECT_TRUE(session.transfers().empty());
}

// The device list comes from the driver; selecting a device it does not report, or any device
// where there is none, is an Error naming the reason, and changes nothing.
TEST(CudaAlgorithms, GpuDevicesAndTheirSelection) {
  const algoscope::GpuDevices devices = algoscope::gpu_devices();
  if (devices.names.empty()) {
    EXPECT_FALSE(devices.none_reason.empty());
    const std::string message = error_of([] { algoscope::select_gpu_device(0); });
    EXPECT_TRUE(Contains(message, "no GPU to select: " + devices.none_reason)) << message;
    EXPECT_EQ(algoscope::cuda::availability().reason, devices.none_reason);
    return;
  }
  const int count = int(devices.names.size());
  for (int bad : {-1, count}) {
    const std::string message = error_of([bad] { algoscope::select_gpu_device(bad); });
    EXPECT_TRUE(Contains(message, "there is no CUDA device " + std::to_string(bad))) << message;
  }
  EXPECT_EQ(algoscope::gpu_devices().selected, devices.selected);
  if (have_device()) {  // started: the device in use stays selectable, another one is refused
    EXPECT_TRUE(algoscope::gpu_devices().started);
    EXPECT_NO_THROW(algoscope::select_gpu_device(devices.selected));
    if (count > 1)
      EXPECT_TRUE(
          Contains(error_of([&] { algoscope::select_gpu_device((devices.selected + 1) % count); }),
                   "restart to change it"));
  }
}

TEST(CudaAlgorithms, WithoutADeviceOurKernelsSayWhyAndTheDefaultPlanStaysOnTheHost) {
  if (have_device()) GTEST_SKIP() << "a CUDA device is present: tests/cuda covers this machine";
  expect_host_only_without_a_device(cuda_kernel_models::every_op_chain(),
                                    cuda_kernel_models::kCudaOps);
}

// Issue 18: the ops ViT-B/16 needs beyond the CNNs each have a "cuda" algorithm, listed with
// backend cuda, below every host algorithm, and without a device each layer of vit_op_layers
// gets the module's reason.
TEST(CudaAlgorithms, TheVitOpsAreListedAndWithoutADeviceSayWhy) {
  for (const char* op : cuda_kernel_models::kVitOps) {
    SCOPED_TRACE(op);
    const auto* a = expect_one_listed_cuda_algorithm(op);
    ASSERT_NE(a, nullptr);
    EXPECT_NE(a->teaching.find("Extra memory"), std::string::npos) << a->teaching;
  }
  if (have_device()) GTEST_SKIP() << "a CUDA device is present: tests/cuda covers this machine";
  expect_host_only_without_a_device(cuda_kernel_models::vit_op_layers(),
                                    cuda_kernel_models::kVitOps);
}

}  // namespace
