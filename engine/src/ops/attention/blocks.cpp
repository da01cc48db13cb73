// Building blocks the attention algorithms share: a tile of scores scale * Q Kt (+ mask) computed
// by our blocked GEMM, and the row-wise exponentials with their maxima and sums (vectorized with
// the polynomial exp of ops/vector_math.h, one copy per instruction set). Each algorithm differs
// in how it walks and combines these tiles, which is what the comparison is about.
#include <omp.h>

#include <algorithm>
#include <limits>

#include "blocked_gemm/blocked_gemm.h"
#include "ops/attention/attention.h"
#include "ops/common.h"
#include "ops/vector_math.h"

namespace algoscope::ops::attention {

namespace {

using namespace vmath;

// Workspace slots of the blocked kernels: one per processor, so any thread count finds its own.
int64_t workspace_slots() { return std::max(1, omp_get_num_procs()); }

ALGOSCOPE_INLINE void exp_row_body(float* __restrict s, int64_t cols, float* max_out,
                                   float* sum_out) {
  float max = -std::numeric_limits<float>::infinity();
#pragma omp simd reduction(max : max)
  for (int64_t c = 0; c < cols; ++c) max = std::max(max, s[c]);
  // A row masked out entirely (all -inf) would give exp(-inf - -inf) = NaN, as the unfused
  // Softmax does; keep that behaviour rather than invent zeros.
  float sum = 0.0f;
#pragma omp simd reduction(+ : sum)
  for (int64_t c = 0; c < cols; ++c) {
    const float e = exp_approx(s[c] - max);
    s[c] = e;
    sum += e;
  }
  *max_out = max;
  *sum_out = sum;
}
ALGOSCOPE_SIMD_VARIANTS(exp_row, exp_row_body)

}  // namespace

AttentionIO::AttentionIO(const AttentionGeometry& g, KernelIO& io)
    : q(io.inputs[0]->data<float>()),
      kt(io.inputs[1]->data<float>()),
      v(io.inputs[2]->data<float>()),
      mask(g.has_mask ? io.inputs[3]->data<float>() : nullptr),
      y(io.outputs[0]->data<float>()),
      workspace(static_cast<float*>(io.workspace)) {}

std::unique_ptr<Kernel> query_block_kernel(const AttentionGeometry& g, int64_t rows,
                                           size_t slot_floats, QueryBlock query_block) {
  return make_kernel([g, rows, slot_floats, query_block](KernelIO& io) {
    const AttentionIO args(g, io);
    const int64_t blocks = (g.sq + rows - 1) / rows;
    const int64_t tasks = g.heads * blocks;
    const int threads = int(std::min<int64_t>({omp_get_max_threads(), workspace_slots(), tasks}));
#pragma omp parallel for schedule(dynamic, 1) num_threads(std::max(1, threads))
    for (int64_t t = 0; t < tasks; ++t)
      query_block(g, args.q, args.kt, args.v, args.mask, t / blocks, t % blocks * rows,
                  args.workspace + size_t(omp_get_thread_num()) * slot_floats, args.y);
  });
}

size_t query_block_workspace_bytes(size_t slot_floats) {
  return sizeof(float) * size_t(workspace_slots()) * slot_floats;
}

void score_tile(const AttentionGeometry& g, const float* q, const float* kt, const float* mask,
                int64_t h, int64_t r0, int64_t rows, int64_t c0, int64_t cols, float* s,
                int64_t ld_s) {
  blocked_gemm::sgemm(false, false, rows, cols, g.d, g.scale, q + (h * g.sq + r0) * g.d, g.d,
                      kt + h * g.d * g.skv + c0, g.skv, 0.0f, s, ld_s);
  if (!g.has_mask) return;
  for (int64_t r = 0; r < rows; ++r) {
    const float* m = g.mask_row(mask, h, r0 + r) + c0 * g.mask_col_stride;
    float* row = s + r * ld_s;
    if (g.mask_col_stride == 1)
      for (int64_t c = 0; c < cols; ++c) row[c] += m[c];
    else
      for (int64_t c = 0; c < cols; ++c) row[c] += m[c * g.mask_col_stride];
  }
}

void exp_rows(float* s, int64_t rows, int64_t cols, int64_t ld_s, float* row_max, float* row_sum) {
  for (int64_t r = 0; r < rows; ++r) exp_row(s + r * ld_s, cols, row_max + r, row_sum + r);
}

}  // namespace algoscope::ops::attention
