// The module's entry point: starts the CUDA runtime on the chosen device, checks that cuDNN and
// cuBLAS can be used there, and answers the engine's questions by dispatching to the family of
// the algorithm asked about.
#include <cublas_v2.h>
#include <cudnn.h>

#include <map>

#include "cuda/backend.h"
#include "cuda/variants.h"
#include "family.h"
#include "runtime.h"

namespace algoscope::cuda {
namespace {

std::string version_text(size_t v, size_t major_div, size_t minor_div) {
  return std::to_string(v / major_div) + "." + std::to_string(v % major_div / minor_div);
}

class CudaModule final : public Module {
 public:
  CudaModule() {
    families_[kCudnnConv] = cudnn_conv_family();
    families_[kCublasGemm] = cublas_gemm_family();
    families_[kCublasMatMul] = cublas_matmul_family();
    families_[kCudaElementwise] = cuda_elementwise_family();
    families_[kCudaActivation] = cuda_activation_family();
    families_[kCudaPool] = cuda_pool_family();
    families_[kCudaSoftmax] = cuda_softmax_family();
    families_[kCudaAttention] = cuda_attention_family();
    families_[kCudaCopy] = cuda_copy_family();
    families_[kCudaTranspose] = cuda_transpose_family();
    families_[kCudaConcat] = cuda_concat_family();
    families_[kCudaReduce] = cuda_reduce_family();
    families_[kCudaSlice] = cuda_slice_family();
    families_[kCudaGather] = cuda_gather_family();
    families_[kCudaRowNorm] = cuda_row_norm_family();
    families_[kCudaSqueezeExcite] = cuda_squeeze_excite_family();
    cudaDeviceProp prop{};
    check(cudaGetDeviceProperties(&prop, device_space().device()),
          "reading the device's properties");
    int driver = 0, runtime = 0;
    cudaDriverGetVersion(&driver);
    cudaRuntimeGetVersion(&runtime);
    int cublas_version = 0;
    cublasGetVersion(cublas(), &cublas_version);
    const size_t cudnn_version = cudnnGetVersion();  // 91900 for 9.19.0
    description_ =
        std::string(prop.name) + " (compute " + std::to_string(prop.major) + "." +
        std::to_string(prop.minor) + "), driver " + version_text(driver, 1000, 10) +
        ", CUDA runtime " + version_text(runtime, 1000, 10) + ", cuDNN " +
        std::to_string(cudnn_version / 10000) + "." + std::to_string(cudnn_version % 10000 / 100) +
        "." + std::to_string(cudnn_version % 100) + ", cuBLAS " +
        std::to_string(cublas_version / 10000) + "." +
        std::to_string(cublas_version % 10000 / 100) + "." + std::to_string(cublas_version % 100);
    cudnn();  // fails here, with cuDNN's message, rather than in the first layer
  }

  MemorySpace& space() override { return device_space(); }
  std::string device_description() const override { return description_; }

  std::optional<std::string> why_not(const std::string& family, int variant,
                                     const Layer& layer) override {
    try {
      return find(family).why_not(variant, layer);
    } catch (const Error& e) {
      return std::string(e.what());
    }
  }
  size_t workspace_bytes(const std::string& family, int variant, const Layer& layer) override {
    const Family& f = find(family);
    if (!f.workspace_bytes) return 0;
    try {
      return f.workspace_bytes(variant, layer);
    } catch (const Error&) {
      return 0;  // not applicable; why_not says why
    }
  }
  std::unique_ptr<Kernel> prepare(const std::string& family, int variant,
                                  const Layer& layer) override {
    return find(family).prepare(variant, layer);
  }

 private:
  const Family& find(const std::string& family) const {
    auto it = families_.find(family);
    if (it == families_.end())
      throw Error("the CUDA backend has no algorithm family '" + family +
                  "' (the module and the engine come from different builds)");
    return it->second;
  }
  std::map<std::string, Family> families_;
  std::string description_;
};

}  // namespace
}  // namespace algoscope::cuda

extern "C" algoscope::cuda::Module* algoscope_cuda_backend(int abi, int device,
                                                           std::string* error) {
  if (abi != ALGOSCOPE_CUDA_MODULE_ABI) {
    *error = "the CUDA module was built for interface " +
             std::to_string(ALGOSCOPE_CUDA_MODULE_ABI) + ", the engine has " + std::to_string(abi);
    return nullptr;
  }
  try {
    algoscope::cuda::use_device(device);
    static algoscope::cuda::CudaModule module;
    return &module;
  } catch (const std::exception& e) {
    *error = e.what();
    return nullptr;
  }
}
