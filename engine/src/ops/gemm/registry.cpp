// The Gemm family: ONNX Gemm (Y = alpha * op(A) * op(B) + beta * C) and the algorithms that compute
// it, in registry order. This file is the only place their names are spelled, MatMul's included
// (the same CPU and cuBLAS algorithms); each algorithm lives in the file of the same name, with its
// text (<name>_text()).
#include "cuda/variants.h"
#include "ops/matrix_product.h"
#include "ops/registrations.h"

namespace algoscope::ops {

// cuBLAS and cuBLASLt on the GPU (engine/cuda/ops/gemm/cublas.cpp), strict fp32 and TF32: the
// same six algorithms for Gemm and MatMul, named here once.
void add_cublas_algorithms(Registry& registry, const std::string& op_type, const char* family,
                           const char* cublas_how, const char* cublaslt_how) {
  const std::string find_how =
      std::string(cublaslt_how) +
      " Instead of the heuristic's first candidate, every candidate it offers (up to 8) is timed "
      "on this layer's shapes when the session is compiled (CUDA events, zero-filled scratch "
      "operands, the best of three runs each) and the fastest is kept; the choice column names "
      "it.";
  struct Variant {
    int id;
    const char* name;
    const char* label;
    std::string how;
  };
  const Variant variants[] = {
      {cuda::kCublas, "cublas", "cuBLAS", cublas_how},
      {cuda::kCublasLt, "cublaslt", "cuBLASLt", cublaslt_how},
      {cuda::kCublasLtFind, "cublaslt_find", "cuBLASLt's measured pick", find_how}};
  for (const Variant& variant : variants) {
    for (bool tf32 : {false, true}) {
      const std::string& how = variant.how;
      AlgorithmText text{
          std::string(variant.label) +
              (tf32 ? " on the GPU, TF32 tensor-core math" : " on the GPU, strict fp32"),
          std::string(how) +
              " Runs on the CUDA device; constant operands are copied there once when the session "
              "is compiled. Extra memory: cuBLASLt's workspace (up to 32 MiB). " +
              (tf32 ? "Numerics: CUBLAS_COMPUTE_32F_FAST_TF32, products of operands rounded to 10 "
                      "mantissa bits on tensor cores."
                    : "Numerics: CUBLAS_COMPUTE_32F_PEDANTIC, true fp32 products and sums whatever "
                      "the library's default.")};
      add_cuda_algorithm(registry, op_type, family, variant.id | (tf32 ? cuda::kTf32 : 0),
                         std::string(variant.name) + (tf32 ? "_tf32" : ""),
                         tf32 ? Tolerance{1e-2, 1e-2} : Tolerance{1e-4, 1e-3}, std::move(text));
    }
  }
}

// Gemm's and MatMul's CPU algorithms: the same four, named here once.
template <class Op>
void add_matrix_product_op(Registry& registry, const std::string& op_type,
                           const std::string& summary) {
  using Files = MatrixProduct<Op>;
  constexpr bool applies_activation = kAppliesActivation<Op>;
  add_op(registry,
         {.op_type = op_type, .summary = summary, .infer = Files::infer, .flops = Files::flops},
         {
             {Files::reference_text(),
              {.name = kReference,
               .applies_activation = applies_activation,
               .prepare = Files::prepare_reference}},
             {Files::openblas_text(),
              {.name = "openblas",
               .tolerance = {1e-4, 1e-3},
               .default_priority = 10,
               .applies_activation = applies_activation,
               .not_applicable = Files::openblas_not_applicable,
               .prepare = Files::prepare_openblas}},
             // Pre-packed weights: faster than OpenBLAS on FC layers.
             {Files::blocked_text(),
              {.name = "blocked",
               .tolerance = {1e-4, 1e-3},
               .default_priority = 12,
               .applies_activation = applies_activation,
               // It computes every valid layer; the reason is what shape inference refuses.
               .not_applicable =
                   [](const Layer& layer) { return error_reason([&] { Files::infer(layer); }); },
               .prepared_bytes = Files::blocked_prepared_bytes,
               .prepare = Files::prepare_blocked}},
#ifdef ALGOSCOPE_HAVE_ONEDNN
             {Files::onednn_text(),
              {.name = "onednn",
               .tolerance = {1e-4, 1e-3},
               .default_priority = 1,
               .applies_activation = applies_activation,
               .prepare = Files::prepare_onednn}},
#endif
         });
}
template void add_matrix_product_op<MatMulOp>(Registry&, const std::string&, const std::string&);

void register_gemm(Registry& registry) {
  add_matrix_product_op<GemmOp>(
      registry, "Gemm", "General matrix multiply Y = alpha * op(A) * op(B) + beta * C (ONNX Gemm)");

  add_cublas_algorithms(
      registry, "Gemm", cuda::kCublasGemm,
      "cuBLAS's cublasGemmEx on the row-major tensors as their column-major "
      "transposes (no copies).",
      "cuBLASLt's matmul with the first candidate of its heuristic and, when C is a bias row, "
      "the bias added in its epilogue, like a fused Relu (other fused clamps, and any under "
      "cublas, are a clamp kernel after the product).");
}

}  // namespace algoscope::ops
