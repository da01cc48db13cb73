// Memory-efficient attention after Rabe & Staats ("Self-attention does not need O(n^2) memory",
// arXiv 2112.05682): the keys are split into chunks of Kc; for a chunk of Qc query rows each key
// chunk is *summarized* on its own — its row maxima m_c, the sums s_c of exp(scores - m_c) and the
// partial outputs v_c = exp(scores - m_c) V_c — and only then are the summaries combined with the
// global maximum M = max_c m_c: out = sum_c exp(m_c - M) v_c / sum_c exp(m_c - M) s_c. Unlike
// flash's running rescale the chunks are independent (the paper maps them in parallel), at the
// price of keeping every chunk's partial output: Qc * (Skv / Kc) * (Dv + 2) floats per task plus
// one Qc x Kc score chunk, never Sq x Skv.

#include <algorithm>
#include <cmath>
#include <limits>

#include "blocked_gemm/blocked_gemm.h"
#include "ops/attention/attention.h"
#include "ops/common.h"

namespace algoscope::ops::attention {

namespace {

constexpr int64_t kQueryChunk = 64;  // Qc
constexpr int64_t kKeyChunk = 512;   // Kc

int64_t chunks(const AttentionGeometry& g) { return (g.skv + kKeyChunk - 1) / kKeyChunk; }
size_t slot_floats(const AttentionGeometry& g) {
  return size_t(kQueryChunk * kKeyChunk + chunks(g) * kQueryChunk * (g.dv + 2));
}

void query_chunk(const AttentionGeometry& g, const float* q, const float* kt, const float* v,
                 const float* mask, int64_t h, int64_t r0, float* slot, float* y) {
  const int64_t rows = std::min(kQueryChunk, g.sq - r0), n = chunks(g);
  float* s = slot;                                   // one score chunk
  float* partial = s + kQueryChunk * kKeyChunk;      // [chunk][row][Dv]
  float* maxima = partial + n * kQueryChunk * g.dv;  // [chunk][row]
  float* sums = maxima + n * kQueryChunk;            // [chunk][row]
  for (int64_t c = 0; c < n; ++c) {                  // summarize each key chunk
    const int64_t c0 = c * kKeyChunk, cols = std::min(kKeyChunk, g.skv - c0);
    score_tile(g, q, kt, mask, h, r0, rows, c0, cols, s, kKeyChunk);
    float* mc = maxima + c * kQueryChunk;
    exp_rows(s, rows, cols, kKeyChunk, mc, sums + c * kQueryChunk);
    for (int64_t r = 0; r < rows; ++r)  // a fully masked chunk row adds nothing
      if (mc[r] == -std::numeric_limits<float>::infinity())
        std::fill_n(s + r * kKeyChunk, cols, 0.0f);
    blocked_gemm::sgemm(false, false, rows, g.dv, cols, 1.0f, s, kKeyChunk,
                        v + (h * g.skv + c0) * g.dv, g.dv, 0.0f, partial + c * kQueryChunk * g.dv,
                        g.dv);
  }
  float* out = y + (h * g.sq + r0) * g.dv;
  for (int64_t r = 0; r < rows; ++r) {  // combine the summaries
    float global = -std::numeric_limits<float>::infinity();
    for (int64_t c = 0; c < n; ++c) global = std::max(global, maxima[c * kQueryChunk + r]);
    float* o = out + r * g.dv;
    std::fill(o, o + g.dv, 0.0f);
    float total = 0.0f;
    for (int64_t c = 0; c < n; ++c) {
      const float mc = maxima[c * kQueryChunk + r];
      if (mc == -std::numeric_limits<float>::infinity()) continue;
      const float w = std::exp(mc - global);
      total += w * sums[c * kQueryChunk + r];
      const float* pc = partial + (c * kQueryChunk + r) * g.dv;
      for (int64_t k = 0; k < g.dv; ++k) o[k] += w * pc[k];
    }
    const float inv = 1.0f / total;  // 0 / 0 = NaN when every key is masked, as Softmax
    for (int64_t k = 0; k < g.dv; ++k) o[k] *= inv;
  }
}

}  // namespace

size_t chunked_workspace_bytes(const Layer& layer) {
  return query_block_workspace_bytes(slot_floats(attention_geometry(layer)));
}

std::unique_ptr<Kernel> prepare_chunked(const Layer& layer) {
  const AttentionGeometry g = attention_geometry(layer);
  return query_block_kernel(g, kQueryChunk, slot_floats(g), query_chunk);
}

AlgorithmText chunked_text() {
  return {
      "Rabe & Staats: summarize 512-key chunks independently, then combine",
      "Rabe & Staats (arXiv 2112.05682): for a chunk of 64 query rows each chunk of 512 keys is "
      "summarized on its own (row maxima m_c, sums s_c of exp(S - m_c), partial outputs "
      "v_c = exp(S - m_c) V_c), and the summaries are combined afterwards with the global "
      "maximum M: out = sum exp(m_c - M) v_c / sum exp(m_c - M) s_c. The chunks are independent "
      "(they could run in parallel), unlike flash's sequential running rescale, at the price of "
      "keeping every chunk's partial output. Extra memory per thread: "
      "4 * (64 * 512 + ceil(Skv / 512) * 64 * (Dv + 2)) bytes: 266 KB for 4096 tokens of depth "
      "64, never Sq * Skv. Numerics: exact up to float reordering."};
}

}  // namespace algoscope::ops::attention
