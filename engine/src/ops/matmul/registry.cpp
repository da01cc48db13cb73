// The MatMul family: ONNX MatMul (numpy.matmul semantics: 1-D promotion, broadcast batch axes) and
// the algorithms that compute it, in registry order. Its algorithms are Gemm's, named with them in
// ops/gemm/registry.cpp (add_matrix_product_op, add_cublas_algorithms); each lives in the file of
// the same name in this folder, with its text (<name>_text()).
#include "cuda/variants.h"
#include "ops/matrix_product.h"
#include "ops/registrations.h"

namespace algoscope::ops {

void register_matmul(Registry& registry) {
  add_matrix_product_op<MatMulOp>(
      registry, "MatMul", "Matrix product with numpy broadcasting of batch axes (ONNX MatMul)");

  add_cublas_algorithms(
      registry, "MatMul", cuda::kCublasMatMul,
      "cuBLAS's cublasGemmEx (strided batched when the batch is uniform, one "
      "call per matrix otherwise) on the row-major tensors as their column-major "
      "transposes (no copies). A fused bias (MatMul+Add) is written into Y first and the "
      "product accumulates onto it; a fused clamp is one kernel after it.",
      "cuBLASLt's matmul with the first candidate of its heuristic, on a uniformly strided "
      "batch (a MatMul whose batch pairs matrices unevenly is left to cublas). A fused bias is "
      "added in its epilogue when the batch is one tall product of a shared B (written into Y "
      "first otherwise), and a fused Relu is its RELU epilogue.");
}

}  // namespace algoscope::ops
