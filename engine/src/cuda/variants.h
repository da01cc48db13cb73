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
// bias/Relu epilogue; its heuristic's first candidate, or the fastest of its candidates timed at
// prepare: kCublasLtFind); strict fp32 or TF32 (kTf32).
inline constexpr const char* kCublasGemm = "cublas_gemm";
inline constexpr const char* kCublasMatMul = "cublas_matmul";
enum BlasVariant : int { kCublas = 0, kCublasLt = 1, kCublasLtFind = 2 };

// Our own CUDA kernels, one family per op kind; the variant picks the kernel where there are
// several (attention: naive or flash).
inline constexpr const char* kCudaElementwise = "cuda_elementwise";  // Add, Sub, Mul, Div, Pow
// kSquare is no algorithm of its own: the module's fast path for Pow with a constant exponent 2.
enum ElementwiseVariant : int { kAdd = 0, kSub = 1, kMul = 2, kDiv = 3, kPow = 4, kSquare = 5 };
inline constexpr const char* kCudaActivation = "cuda_activation";  // Relu, ..., Clip, Gelu
enum ActivationVariant : int {
  kRelu = 0,
  kSigmoid = 1,
  kTanh = 2,
  kErf = 3,
  kSqrt = 4,
  kExp = 5,
  kHardSigmoid = 6,
  kHardSwish = 7,
  kLeakyRelu = 8,
  kClip = 9,
  // Gelu: the exact form; kGeluTanh is no algorithm of its own but the same algorithm on a node
  // with approximate = "tanh".
  kGelu = 10,
  kGeluTanh = 11,
};
inline constexpr const char* kCudaPool = "cuda_pool";
enum PoolVariant : int {
  kMaxPool = 0,
  kAveragePool = 1,
  kGlobalAveragePool = 2,
  kGlobalMaxPool = 3
};
inline constexpr const char* kCudaSoftmax = "cuda_softmax";
enum SoftmaxVariant : int { kSoftmax = 0, kLogSoftmax = 1 };
inline constexpr const char* kCudaAttention = "cuda_attention";
enum AttentionVariant : int { kNaiveAttention = 0, kFlashAttention = 1 };
// LayerNormalization, InstanceNormalization and GroupNormalization: one kernel, the op read from
// the layer.
inline constexpr const char* kCudaRowNorm = "cuda_row_norm";
enum RowNormVariant : int { kRowNorm = 0 };
// The SqueezeExcite node the loader fuses (means, the two small products, the scaling).
inline constexpr const char* kCudaSqueezeExcite = "cuda_squeeze_excite";
enum SqueezeExciteVariant : int { kSqueezeExcite = 0 };
// The Reduce* ops; the variant is the reduction (registry order of engine/src/ops/reduce).
inline constexpr const char* kCudaReduce = "cuda_reduce";
enum ReduceVariant : int {
  kReduceMean = 0,
  kReduceSum = 1,
  kReduceMax = 2,
  kReduceMin = 3,
  kReduceProd = 4,
  kReduceSumSquare = 5,
  kReduceL1 = 6,
  kReduceL2 = 7,
  kReduceLogSum = 8,
  kReduceLogSumExp = 9,
};
// Data movement: a device-to-device copy for the ops that only reinterpret a shape (Reshape,
// Flatten, Squeeze, Unsqueeze, Identity), and a permuting copy for Transpose; Concat.
inline constexpr const char* kCudaCopy = "cuda_copy";
inline constexpr const char* kCudaTranspose = "cuda_transpose";
inline constexpr const char* kCudaConcat = "cuda_concat";
// Slice (the transpose kernel over a strided window) and Gather along an axis.
inline constexpr const char* kCudaSlice = "cuda_slice";
inline constexpr const char* kCudaGather = "cuda_gather";

}  // namespace algoscope::cuda
