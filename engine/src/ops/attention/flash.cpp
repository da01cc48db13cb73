// FlashAttention's forward pass (Dao et al., arXiv 2205.14135) on the CPU: for a block of Br query
// rows, walk the keys in blocks of Bc, computing the Br x Bc score tile, its row maxima and
// exponentials, and fold it into the output with the online softmax: with running maximum m and
// sum l, a new block with maximum mb rescales the old output and sum by exp(m - m'), the block's
// exponentials by exp(mb - m'), m' = max(m, mb). The output rows are accumulated in place and
// divided by l at the end. The Sq x Skv score matrix never exists: each thread holds one Br x Bc
// tile and a few Br-vectors, so memory does not grow with the sequence.
//
// Threads: (head, query block) tasks are shared dynamically, so one long sequence with one head
// still uses every thread.

#include <algorithm>
#include <cmath>
#include <limits>

#include "blocked_gemm/blocked_gemm.h"
#include "ops/attention/attention.h"
#include "ops/common.h"

namespace algoscope::ops::attention {

namespace {

constexpr int64_t kQueryBlock = 64;  // Br: rows of Q per task
constexpr int64_t kKeyBlock = 256;   // Bc: keys per tile (a 64 x 256 tile is 64 KB, in L2)

size_t slot_floats() { return size_t(kQueryBlock * kKeyBlock + 4 * kQueryBlock); }

void query_block(const AttentionGeometry& g, const float* q, const float* kt, const float* v,
                 const float* mask, int64_t h, int64_t r0, float* slot, float* y) {
  const int64_t rows = std::min(kQueryBlock, g.sq - r0);
  float* s = slot;
  float* m = s + kQueryBlock * kKeyBlock;  // running maxima
  float* l = m + kQueryBlock;              // running sums
  float* mb = l + kQueryBlock;             // this block's maxima
  float* lb = mb + kQueryBlock;            // this block's sums
  constexpr float kNegInf = -std::numeric_limits<float>::infinity();
  std::fill(m, m + rows, kNegInf);
  std::fill(l, l + rows, 0.0f);
  float* out = y + (h * g.sq + r0) * g.dv;
  std::fill(out, out + rows * g.dv, 0.0f);
  for (int64_t c0 = 0; c0 < g.skv; c0 += kKeyBlock) {
    const int64_t cols = std::min(kKeyBlock, g.skv - c0);
    score_tile(g, q, kt, mask, h, r0, rows, c0, cols, s, kKeyBlock);
    exp_rows(s, rows, cols, kKeyBlock, mb, lb);
    for (int64_t r = 0; r < rows; ++r) {
      float* p = s + r * kKeyBlock;
      if (mb[r] == kNegInf) {  // every key of this block masked out for this row: no weight
        std::fill(p, p + cols, 0.0f);
        continue;
      }
      const float m_new = std::max(m[r], mb[r]);
      const float keep = m[r] == kNegInf ? 0.0f : std::exp(m[r] - m_new);
      const float take = std::exp(mb[r] - m_new);
      m[r] = m_new;
      l[r] = l[r] * keep + lb[r] * take;
      for (int64_t c = 0; c < cols; ++c) p[c] *= take;
      if (keep != 1.0f)
        for (int64_t c = 0; c < g.dv; ++c) out[r * g.dv + c] *= keep;
    }
    blocked_gemm::sgemm(false, false, rows, g.dv, cols, 1.0f, s, kKeyBlock,
                        v + (h * g.skv + c0) * g.dv, g.dv, 1.0f, out, g.dv);
  }
  for (int64_t r = 0; r < rows; ++r) {
    const float inv = 1.0f / l[r];  // 0 / 0 = NaN for a row with every key masked, as Softmax
    for (int64_t c = 0; c < g.dv; ++c) out[r * g.dv + c] *= inv;
  }
}

}  // namespace

size_t flash_workspace_bytes(const Layer&) { return query_block_workspace_bytes(slot_floats()); }

std::unique_ptr<Kernel> prepare_flash(const Layer& layer) {
  const AttentionGeometry g = attention_geometry(layer);
  return query_block_kernel(g, kQueryBlock, slot_floats(), query_block);
}

AlgorithmText flash_text() {
  return {
      "FlashAttention: 64 x 256 score tiles with an online softmax, no score matrix",
      "Dao et al. (arXiv 2205.14135): a block of 64 query rows walks the keys 256 at a time. "
      "Each 64 x 256 score tile is exponentiated against its own row maxima, then folded into "
      "the running output: when the row maximum grows from m to m', the output so far and its "
      "sum are scaled by exp(m - m') and the tile's weights by exp(m_tile - m'), so the result "
      "is exact softmax(S) V without ever holding a full score row. Extra memory: "
      "4 * (64 * 256 + 4 * 64) bytes per thread (66 KB), whatever the sequence length. It wins "
      "on long sequences (the tile stays in L2) and loses a little on short ones to the extra "
      "rescaling. Numerics: exact up to float reordering; the rescaling adds about one rounding "
      "per key block."};
}

}  // namespace algoscope::ops::attention
