// The GPU algorithm families and their variants, shared by the op registries (which name each
// variant once, as an algorithm) and the CUDA module (which implements it). The numbers are part of
// the engine-module interface: ALGOSCOPE_CUDA_MODULE_ABI changes when they do.
#pragma once

namespace algoscope::cuda {

// Conv through cuDNN's legacy forward API: one variant per real cuDNN forward algorithm (the
// values are cudnnConvolutionFwdAlgo_t's), cuDNN's heuristic pick and its measured pick; each in
// strict fp32 or with TF32 tensor-core math.
inline constexpr const char* kCudnnConv = "cudnn_conv";
enum ConvVariant : int {
  kImplicitGemm = 0,
  kImplicitPrecompGemm = 1,
  kGemm = 2,
  kDirect = 3,
  kFft = 4,
  kFftTiling = 5,
  kWinograd = 6,
  kWinogradNonfused = 7,
  kHeuristic = 8,
  kFind = 9,
};
// Or'ed into a variant: allow TF32 tensor-core math (10-bit mantissa products).
inline constexpr int kTf32 = 0x100;

// Gemm and MatMul through cuBLAS (cublasSgemm-style strided batched calls) or cuBLASLt (with the
// bias epilogue and its heuristic's first candidate); strict fp32 or TF32 (kTf32).
inline constexpr const char* kCublasGemm = "cublas_gemm";
inline constexpr const char* kCublasMatMul = "cublas_matmul";
enum BlasVariant : int { kCublas = 0, kCublasLt = 1 };

// Our own CUDA kernels, one family per op kind; the variant picks the kernel where there are
// several (attention: naive or flash).
inline constexpr const char* kCudaElementwise = "cuda_elementwise";  // Add, Sub, Mul, Div
inline constexpr const char* kCudaActivation = "cuda_activation";    // Relu, Sigmoid, Tanh, ...
inline constexpr const char* kCudaPool = "cuda_pool";  // MaxPool, AveragePool, Global*
inline constexpr const char* kCudaSoftmax = "cuda_softmax";
inline constexpr const char* kCudaAttention = "cuda_attention";
enum AttentionVariant : int { kNaiveAttention = 0, kFlashAttention = 1 };

}  // namespace algoscope::cuda
