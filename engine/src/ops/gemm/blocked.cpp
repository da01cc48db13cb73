// Gemm through our own cache-blocked GEMM (blocked_gemm/blocked_gemm.h; Goto & van de Geijn, TOMS
// 2008, and BLIS). When B is a constant of the model (the weights of a fully connected layer) it is
// packed into the micro-kernel's panel layout once, at prepare time, so a run only packs A; when
// B is a runtime input it is packed per call. Y is first filled with beta * C broadcast to M x N
// and the GEMM then accumulates alpha * op(A) * op(B) onto it.
#include <algorithm>
#include <memory>

#include "blocked_gemm/blocked_gemm.h"
#include "ops/common.h"
#include "ops/gemm/gemm.h"

namespace algoscope::ops {

using namespace gemm;

template <>
size_t Gemm::blocked_prepared_bytes(const Layer& layer) {
  if (!layer.constant(1)) return 0;
  const GemmGeometry g = gemm_geometry(layer);
  return algoscope::blocked_gemm::packed_b_bytes(g.k, g.n);
}

template <>
std::unique_ptr<Kernel> Gemm::prepare_blocked(const Layer& layer) {
  const GemmGeometry g = gemm_geometry(layer);
  // shared_ptr: the kernel may be moved around; the packed panels are made exactly once.
  std::shared_ptr<const algoscope::blocked_gemm::PackedMatrix> packed;
  if (const Tensor* b = layer.constant(1))
    packed = std::make_shared<algoscope::blocked_gemm::PackedMatrix>(
        algoscope::blocked_gemm::pack_b(g.trans_b, g.k, g.n, b->data<float>(), g.ldb()));
  return accumulating_gemm_kernel(
      g, [g, packed](const float* a, const float* b, float beta, float* y) {
        if (packed)
          algoscope::blocked_gemm::sgemm_prepacked(g.trans_a, g.m, g.alpha, a, g.lda(), *packed,
                                                   beta, y, g.n);
        else
          algoscope::blocked_gemm::sgemm(g.trans_a, g.trans_b, g.m, g.n, g.k, g.alpha, a, g.lda(),
                                         b, g.ldb(), beta, y, g.n);
      });
}

template <>
AlgorithmText Gemm::blocked_text() {
  return {
      "Our cache-blocked GEMM (AVX-512 / AVX2 micro-kernels), constant B pre-packed",
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
      "sqrt(K) ulps, as for OpenBLAS."};
}

}  // namespace algoscope::ops
