// MatMul through our own cache-blocked GEMM (blocked_gemm/blocked_gemm.h; Goto & van de Geijn, TOMS
// 2008, and BLIS). A constant B (the weights of a transformer's linear layers) is packed once at
// prepare time, one PackedMatrix per distinct B matrix. When every output matrix shares one B and A
// is not broadcast, the batch of A is one tall (batch * M) x K matrix and the product a single GEMM
// that keeps all threads busy; otherwise one GEMM per output matrix, and when those are small the
// threads take whole matrices instead of splitting each one. A fused bias and activation
// (MatMul+Add+Relu...) are the GEMM's epilogue: applied to each register tile right after the
// micro-kernel stores it, while it is in L1, not as another pass over Y.
#include <omp.h>

#include <algorithm>
#include <memory>
#include <vector>

#include "blocked_gemm/blocked_gemm.h"
#include "ops/common.h"
#include "ops/matmul/matmul.h"

namespace algoscope::ops {

using namespace matmul;

namespace bg = algoscope::blocked_gemm;

template <>
size_t MatMul::blocked_prepared_bytes(const Layer& layer) {
  if (!layer.constant(1)) return 0;
  const MatMulGeometry g = matmul_geometry(layer);
  return size_t(g.b_matrices) * bg::packed_b_bytes(g.k, g.n);
}

template <>
std::unique_ptr<Kernel> MatMul::prepare_blocked(const Layer& layer) {
  const MatMulGeometry g = matmul_geometry(layer);
  const Epilogue epilogue = Epilogue::of(layer);
  auto packed = std::make_shared<std::vector<bg::PackedMatrix>>();
  if (const Tensor* b = layer.constant(1))
    for (int64_t i = 0; i < g.b_matrices; ++i)
      packed->push_back(bg::pack_b(false, g.k, g.n, b->data<float>() + i * g.k * g.n, g.n));
  return matmul_kernel(g, [g, epilogue, packed](const float* a, const float* b, const float* bias,
                                                float* y) {
    const int64_t batches = g.batch_count();
    if (batches == 0 || g.m == 0 || g.n == 0) return;
    const bool prepacked = !packed->empty();
    bg::Epilogue ep;
    ep.bias = bias;
    if (epilogue.active) {
      ep.context = &epilogue;
      ep.activation = [](const void* context, float* row, int64_t n) {
        static_cast<const Epilogue*>(context)->apply(row, n);
      };
    }
    // One output matrix; the B matrix is found by its offset (broadcast strides).
    auto one = [&](int64_t batch) {
      const int64_t b_offset = g.b_offset(batch);
      float* ym = y + batch * g.m * g.n;
      if (prepacked)
        bg::sgemm_prepacked(false, g.m, 1.0f, a + g.a_offset(batch), g.k,
                            (*packed)[g.k * g.n == 0 ? 0 : b_offset / (g.k * g.n)], 0.0f, ym, g.n,
                            ep);
      else
        bg::sgemm(false, false, g.m, g.n, g.k, 1.0f, a + g.a_offset(batch), g.k, b + b_offset, g.n,
                  0.0f, ym, g.n, ep);
    };
    if (g.b_matrices == 1 && g.a_matrices == batches) {
      if (prepacked)
        bg::sgemm_prepacked(false, g.m * batches, 1.0f, a, g.k, (*packed)[0], 0.0f, y, g.n, ep);
      else
        bg::sgemm(false, false, g.m * batches, g.n, g.k, 1.0f, a, g.k, b, g.n, 0.0f, y, g.n, ep);
      return;
    }
    // Small matrices (attention's per-head products): one whole matrix per thread; each GEMM then
    // runs on one thread because it is called inside a parallel region.
    const double matrix_flops = 2.0 * double(g.m) * double(g.n) * double(g.k);
    if (batches >= 2 && matrix_flops < 8e6) {
#pragma omp parallel for schedule(dynamic)
      for (int64_t batch = 0; batch < batches; ++batch) one(batch);
      return;
    }
    for (int64_t batch = 0; batch < batches; ++batch) one(batch);
  });
}

template <>
AlgorithmText MatMul::blocked_text() {
  return {
      "Our cache-blocked GEMM per batch matrix (or one tall GEMM), constant B packed",
      "Each output matrix is a product by our own Goto/BLIS-style GEMM: B packed into KC x NR "
      "panels, A into MR x KC panels, an MR x NR register tile updated with FMAs (14x32 AVX-512, "
      "6x16 AVX2 or 4x16 portable, chosen at run time). A constant B (transformer weights) is "
      "packed once at prepare time, one packed copy per distinct B matrix; when B is shared by "
      "the whole batch the batch of A becomes one tall (batch*M) x K GEMM. A bias and activation "
      "fused by the loader (MatMul+Add+Relu: a Linear layer of a transformer or MLP on 3-D input) "
      "are the "
      "GEMM's epilogue: each MR x NR tile gets bias[j] and the activation right after the "
      "micro-kernel stores it, while it is in L1, so Y is written once. Batches of small "
      "matrices (attention heads) give each thread whole matrices. Extra memory: the pre-packed "
      "B, b_matrices * K * ceil(N/NR) * NR * 4 bytes, held by the kernel; per thread, packing "
      "buffers of MC*KC + KC*NC floats kept by the GEMM library. It wins when B is constant and "
      "for batches of small matrices. Numerics: float accumulation over k in blocks of KC; the "
      "error grows like sqrt(K) ulps, as for OpenBLAS."};
}

}  // namespace algoscope::ops
