// The MatMul family: ONNX MatMul (numpy.matmul semantics: 1-D promotion, broadcast batch axes) and
// the algorithms that compute it. This file is the only place their names are spelled; each
// algorithm lives in the file of the same name.
#include "cuda/backend.h"
#include "cuda/variants.h"
#include "ops/matmul/matmul.h"
#include "ops/registrations.h"

namespace algoscope::ops {

void register_matmul(Registry& registry) {
  OpDefinition op;
  op.op_type = "MatMul";
  op.summary = "Matrix product with numpy broadcasting of batch axes (ONNX MatMul)";
  op.infer = matmul::infer;
  op.flops = matmul::flops;

  Algorithm reference;
  reference.name = "reference";
  reference.summary = "Triple loop per batch matrix with double accumulation";
  reference.teaching =
      "For every matrix of the broadcast batch it finds the A and B matrices it pairs (a batch "
      "axis of extent 1 repeats), and sums A[i,k] * B[k,j] over k for every output element. "
      "Extra memory: none. It never wins on speed; it is the ground truth. Numerics: double "
      "accumulation, one rounding to float per output.";
  reference.default_priority = 0;
  reference.prepare = matmul::prepare_reference;

  Algorithm openblas;
  openblas.name = "openblas";
  openblas.summary = "OpenBLAS sgemm per batch matrix, or one tall sgemm when B is shared";
  openblas.teaching =
      "Each output matrix is one OpenBLAS cblas_sgemm call on the A and B matrices it pairs; when "
      "B has no batch axes (activations times a weight matrix) the batch of A is one tall "
      "(batch*M) x K matrix and the whole product is a single sgemm, which keeps OpenBLAS's "
      "threads busy. Extra memory in our workspace: none (OpenBLAS packs panels internally). It "
      "wins except for tiny matrices in large batches, where per-call overhead dominates. "
      "Numerics: float accumulation in blocked order; the error grows like sqrt(K) ulps.";
  openblas.tolerance = Tolerance{1e-4, 1e-3};
  openblas.default_priority = 10;
  openblas.not_applicable = matmul::openblas_not_applicable;
  openblas.prepare = matmul::prepare_openblas;

  Algorithm blocked;
  blocked.name = "blocked";
  blocked.summary = "Our cache-blocked GEMM per batch matrix (or one tall GEMM), constant B packed";
  blocked.teaching =
      "Each output matrix is a product by our own Goto/BLIS-style GEMM: B packed into KC x NR "
      "panels, A into MR x KC panels, an MR x NR register tile updated with FMAs (14x32 AVX-512, "
      "6x16 AVX2 or 4x16 portable, chosen at run time). A constant B (transformer weights) is "
      "packed once at prepare time, one packed copy per distinct B matrix; when B is shared by "
      "the whole batch the batch of A becomes one tall (batch*M) x K GEMM. Batches of small "
      "matrices (attention heads) give each thread whole matrices. Extra memory: the pre-packed "
      "B, b_matrices * K * ceil(N/NR) * NR * 4 bytes, held by the kernel; per thread, packing "
      "buffers of MC*KC + KC*NC floats kept by the GEMM library. It wins when B is constant and "
      "for batches of small matrices. Numerics: float accumulation over k in blocks of KC; the "
      "error grows like sqrt(K) ulps, tolerance atol 1e-4, rtol 1e-3 as for OpenBLAS.";
  blocked.tolerance = Tolerance{1e-4, 1e-3};
  blocked.default_priority = 12;  // pre-packed weights: faster than OpenBLAS on FC layers
  blocked.not_applicable = matmul::blocked_not_applicable;
  blocked.prepare = matmul::prepare_blocked;

  registry.add_op(std::move(op));
  registry.add_algorithm("MatMul", std::move(reference));
  registry.add_algorithm("MatMul", std::move(openblas));
  registry.add_algorithm("MatMul", std::move(blocked));

#ifdef ALGOSCOPE_HAVE_ONEDNN
  Algorithm onednn;
  onednn.name = "onednn";
  onednn.summary = "oneDNN 2.6's dnnl_sgemm, one call per output matrix or per shared-B batch";
  onednn.teaching =
      "Each output matrix (or the whole batch stacked into one tall product when every matrix "
      "uses the same B) is one oneDNN row-major sgemm with micro-kernels generated at run time "
      "for this CPU. Extra memory: oneDNN's internal packing buffers. It is the yardstick the "
      "blocked GEMM is benchmarked against. Numerics: float accumulation in oneDNN's order.";
  onednn.tolerance = Tolerance{1e-4, 1e-3};
  onednn.default_priority = 1;
  onednn.prepare = matmul::prepare_onednn;
  registry.add_algorithm("MatMul", std::move(onednn));
#endif

  // cuBLAS and cuBLASLt on the GPU (engine/cuda/ops/gemm/cublas.cpp), strict fp32 and TF32.
  struct CublasVariant {
    const char* name;
    int variant;
    const char* how;
  };
  const CublasVariant cublas_variants[] = {
      {"cublas", cuda::kCublas,
       "cuBLAS's cublasGemmEx (strided batched when the batch is uniform, one call per matrix "
       "otherwise) on the row-major tensors as their column-major transposes "
       "(no copies)."},
      {"cublaslt", cuda::kCublasLt, "cuBLASLt's matmul with the first candidate of its heuristic."},
  };
  for (const CublasVariant& v : cublas_variants) {
    for (bool tf32 : {false, true}) {
      Algorithm a = cuda::algorithm(cuda::kCublasMatMul, v.variant | (tf32 ? cuda::kTf32 : 0));
      a.name = std::string(v.name) + (tf32 ? "_tf32" : "");
      a.summary = std::string(v.variant == cuda::kCublas ? "cuBLAS" : "cuBLASLt") +
                  (tf32 ? " on the GPU, TF32 tensor-core math" : " on the GPU, strict fp32");
      a.teaching =
          std::string(v.how) +
          " Runs on the CUDA device; constant operands are copied there once when the session "
          "is compiled. Extra memory: cuBLASLt's workspace (up to 32 MiB). " +
          (tf32 ? std::string("Numerics: CUBLAS_COMPUTE_32F_FAST_TF32, products of operands "
                              "rounded to 10 mantissa bits on tensor cores.")
                : std::string("Numerics: CUBLAS_COMPUTE_32F_PEDANTIC, true fp32 products and "
                              "sums whatever the library's default."));
      a.tolerance = tf32 ? Tolerance{1e-2, 1e-2} : Tolerance{1e-4, 1e-3};
      registry.add_algorithm("MatMul", std::move(a));
    }
  }
}

}  // namespace algoscope::ops
