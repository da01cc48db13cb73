// The Gemm family: ONNX Gemm (Y = alpha * op(A) * op(B) + beta * C) and the algorithms that compute
// it. This file is the only place their names are spelled; each algorithm lives in the file of the
// same name.
#include "cuda/backend.h"
#include "cuda/variants.h"
#include "ops/gemm/gemm.h"
#include "ops/registrations.h"

namespace algoscope::ops {

void register_gemm(Registry& registry) {
  OpDefinition op;
  op.op_type = "Gemm";
  op.summary = "General matrix multiply Y = alpha * op(A) * op(B) + beta * C (ONNX Gemm)";
  op.infer = gemm::infer;
  op.flops = gemm::flops;

  Algorithm reference;
  reference.name = "reference";
  reference.summary = "Triple loop with double accumulation";
  reference.teaching =
      "For every output element it sums op(A)[i,k] * op(B)[k,j] over k, scales by alpha and adds "
      "beta times the broadcast C, exactly as the ONNX definition reads. Extra memory: none. It "
      "never wins on speed (single thread, strided access to B); it is the ground truth. "
      "Numerics: double accumulation, one rounding to float per output.";
  reference.default_priority = 0;
  reference.prepare = gemm::prepare_reference;

  Algorithm openblas;
  openblas.name = "openblas";
  openblas.summary = "One OpenBLAS cblas_sgemm; beta * C broadcast into Y first";
  openblas.teaching =
      "Y is first filled with beta * C broadcast to M x N, then OpenBLAS's cache-blocked, "
      "vectorized sgemm adds alpha * op(A) * op(B) to it (transA/transB are passed through, so "
      "nothing is copied by us; OpenBLAS packs panels of A and B internally, about "
      "4 * (MC*KC + KC*NC) bytes it allocates itself). Extra memory in our workspace: none. It "
      "wins "
      "for all but the tiniest matrices, where the call overhead dominates. Numerics: float "
      "accumulation in blocked order; the error grows like sqrt(K) ulps.";
  openblas.tolerance = Tolerance{1e-4, 1e-3};
  openblas.default_priority = 10;
  openblas.not_applicable = gemm::openblas_not_applicable;
  openblas.prepare = gemm::prepare_openblas;

  Algorithm blocked;
  blocked.name = "blocked";
  blocked.summary = "Our cache-blocked GEMM (AVX-512 / AVX2 micro-kernels), constant B pre-packed";
  blocked.teaching =
      "Goto/BLIS structure: op(B) is cut into KC x NR column panels and op(A) into MR x KC row "
      "panels, copied into aligned buffers so the innermost loop reads memory in order; a "
      "register-blocked micro-kernel keeps an MR x NR tile of Y in vector registers and adds one "
      "rank-1 update per k with FMAs (14x32 with AVX-512, 6x16 with AVX2, 4x16 portable, chosen "
      "at run time from the CPU). Cache blocks: a KC x NR panel of B stays in L1 while MC x KC "
      "of A streams from L2. When B is a constant of the model it is packed once at prepare "
      "time. Threads each compute a stripe of Y, split by columns or rows, whichever balances "
      "better. Extra memory: the pre-packed B, K * ceil(N/NR) * NR * 4 bytes, held by the "
      "kernel; per thread, packing buffers of MC*KC + KC*NC floats (about 1.4 MB with AVX-512) "
      "kept by the GEMM library between calls. It wins against per-call BLAS when B is constant "
      "(no repacking; for M = 1 the layer becomes a pure stream over the packed weights) and is "
      "close to OpenBLAS on large square products. Numerics: float accumulation over k in "
      "blocks of KC (few-row tiles sum up to four partial accumulators); the error grows like "
      "sqrt(K) ulps, tolerance atol 1e-4, rtol 1e-3 as for OpenBLAS.";
  blocked.tolerance = Tolerance{1e-4, 1e-3};
  blocked.default_priority = 12;  // pre-packed weights: faster than OpenBLAS on FC layers
  blocked.not_applicable = gemm::blocked_not_applicable;
  blocked.prepare = gemm::prepare_blocked;

  registry.add_op(std::move(op));
  registry.add_algorithm("Gemm", std::move(reference));
  registry.add_algorithm("Gemm", std::move(openblas));
  registry.add_algorithm("Gemm", std::move(blocked));

#ifdef ALGOSCOPE_HAVE_ONEDNN
  Algorithm onednn;
  onednn.name = "onednn";
  onednn.summary = "oneDNN 2.6's dnnl_sgemm (JIT-generated kernels for this CPU)";
  onednn.teaching =
      "beta * C is broadcast into Y, then oneDNN's row-major sgemm (packing and AVX-512/AVX2 "
      "micro-kernels generated at run time for this CPU) accumulates alpha * op(A) * op(B) onto "
      "it. "
      "Extra memory: oneDNN's internal packing buffers. It is the yardstick the blocked GEMM is "
      "benchmarked against. Numerics: float accumulation in oneDNN's blocked order.";
  onednn.tolerance = Tolerance{1e-4, 1e-3};
  onednn.default_priority = 1;
  onednn.prepare = gemm::prepare_onednn;
  registry.add_algorithm("Gemm", std::move(onednn));
#endif

  // cuBLAS and cuBLASLt on the GPU (engine/cuda/ops/gemm/cublas.cpp), strict fp32 and TF32.
  struct CublasVariant {
    const char* name;
    int variant;
    const char* how;
  };
  const CublasVariant cublas_variants[] = {
      {"cublas", cuda::kCublas,
       "cuBLAS's cublasGemmEx on the row-major tensors as their column-major transposes "
       "(no copies)."},
      {"cublaslt", cuda::kCublasLt,
       "cuBLASLt's matmul with the first candidate of its heuristic and, when C is a bias row, the "
       "bias added in its epilogue."},
  };
  for (const CublasVariant& v : cublas_variants) {
    for (bool tf32 : {false, true}) {
      Algorithm a = cuda::algorithm(cuda::kCublasGemm, v.variant | (tf32 ? cuda::kTf32 : 0));
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
      registry.add_algorithm("Gemm", std::move(a));
    }
  }
}

}  // namespace algoscope::ops
