// Attention as the unfused graph computes it, minus the graph's round trips: per head the whole
// Sq x Skv score matrix scale * Q Kt + mask is materialized (one GEMM), its rows go through an
// exp with their maxima subtracted, then P V is one more GEMM and each output row is divided by
// its sum. Memory grows with Sq * Skv per head in flight: 4 * 197^2 bytes (155 KB) for ViT-B/16,
// 64 MB for 4096 tokens, which is what flash and chunked avoid.
//
// Threads: with at least as many heads as threads each thread takes whole heads (its own score
// matrix, single-threaded GEMMs); otherwise the heads run one after another with multi-threaded
// GEMMs and the rows' exponentials split between the threads.
#include <omp.h>

#include <algorithm>

#include "blocked_gemm/blocked_gemm.h"
#include "ops/attention/attention.h"
#include "ops/common.h"

namespace algoscope::ops::attention {

namespace {

// Score matrices in flight at once: one per processor at most, never more than the heads.
int64_t slots(const AttentionGeometry& g) {
  return std::clamp<int64_t>(omp_get_num_procs(), 1, std::max<int64_t>(1, g.heads));
}

size_t slot_floats(const AttentionGeometry& g) { return size_t(g.sq * g.skv + 2 * g.sq); }

// One head in the given slot (scores, then row maxima and sums).
void head(const AttentionGeometry& g, const float* q, const float* kt, const float* v,
          const float* mask, int64_t h, float* slot, float* y, bool parallel_rows) {
  float* s = slot;
  float* row_max = s + g.sq * g.skv;
  float* row_sum = row_max + g.sq;
  score_tile(g, q, kt, mask, h, 0, g.sq, 0, g.skv, s, g.skv);
#pragma omp parallel for schedule(static) if (parallel_rows)
  for (int64_t r = 0; r < g.sq; ++r)
    exp_rows(s + r * g.skv, 1, g.skv, g.skv, row_max + r, row_sum + r);
  float* yh = y + h * g.sq * g.dv;
  blocked_gemm::sgemm(false, false, g.sq, g.dv, g.skv, 1.0f, s, g.skv, v + h * g.skv * g.dv, g.dv,
                      0.0f, yh, g.dv);
  for (int64_t r = 0; r < g.sq; ++r) {
    const float inv = 1.0f / row_sum[r];
    for (int64_t c = 0; c < g.dv; ++c) yh[r * g.dv + c] *= inv;
  }
}

}  // namespace

size_t naive_workspace_bytes(const Layer& layer) {
  const AttentionGeometry g = attention_geometry(layer);
  return sizeof(float) * size_t(slots(g)) * slot_floats(g);
}

std::unique_ptr<Kernel> prepare_naive(const Layer& layer) {
  const AttentionGeometry g = attention_geometry(layer);
  return make_kernel([g](KernelIO& io) {
    const AttentionIO a(g, io);
    const int64_t threads = std::min<int64_t>(omp_get_max_threads(), slots(g));
    if (threads > 1 && g.heads >= threads) {
#pragma omp parallel for schedule(dynamic, 1) num_threads(int(threads))
      for (int64_t h = 0; h < g.heads; ++h)
        head(g, a.q, a.kt, a.v, a.mask, h,
             a.workspace + size_t(omp_get_thread_num()) * slot_floats(g), a.y, false);
    } else {
      for (int64_t h = 0; h < g.heads; ++h)
        head(g, a.q, a.kt, a.v, a.mask, h, a.workspace, a.y, true);
    }
  });
}

AlgorithmText naive_text() {
  return {
      "Materialize the Sq x Skv scores per head, softmax the rows, multiply by V",
      "What the unfused graph does, in one kernel: per head one GEMM makes the whole score "
      "matrix S = scale * Q K^T (+ mask), each row is exponentiated with its maximum subtracted "
      "and summed, a second GEMM forms P V and each output row is divided by its sum. Extra "
      "memory: 4 * (Sq * Skv + 2 * Sq) bytes per head in flight (one per thread when there are "
      "enough heads): 155 KB per head for ViT-B/16's 197 tokens, 64 MB for 4096 tokens. It wins "
      "when the scores fit in cache (short sequences): two large GEMMs and nothing else. It "
      "loses on long sequences, where the score matrix streams through memory twice. Numerics: "
      "float GEMMs and a polynomial exp (about 2 ulp); same sums as the unfused graph."};
}

}  // namespace algoscope::ops::attention
