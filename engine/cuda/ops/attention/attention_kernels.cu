// Scaled dot-product attention on the device, two ways.
//
// naive: what the unfused graph computes, in three kernels: every score scale * q_i . k_j + mask
// (one thread each, reading a column of Kt that neighbouring threads read next to it), the
// softmax of each score row in place (the cuda_softmax kernel), then each output element
// sum_j p_ij v_jc (one thread each). The [heads, sq, skv] score matrix lives in the workspace.
//
// flash: Dao et al. (arXiv 2205.14135). A block of 4 warps owns 16 query rows of one head (4 per
// warp) and walks the keys 32 at a time. Each step stages the tile's K (padded one float per row,
// so the 32 lanes reading 32 different keys hit 32 different banks) and V in shared memory. For
// each of its rows a warp computes the 32 scores, lane j owning key j; takes their maximum with
// shuffles; rescales its running output and sum by exp(m_old - m_new); and accumulates
// p_j * v_j with the lanes now owning output columns (lane, lane + 32, ...), each p_j broadcast
// by a shuffle. Only the final division by the running sum remains; the score matrix never
// exists. Rows or keys past the end are masked to -inf (weight 0), and a row whose scores are
// all -inf so far keeps weight 0 rather than computing exp(-inf - -inf).
#include <cfloat>

#include "launch.h"
#include "ops/attention/attention_kernels.h"
#include "ops/softmax/softmax_rows_kernels.h"

namespace algoscope::cuda {
namespace {

__device__ __forceinline__ float mask_value(const AttentionShape& s, const float* mask, int64_t h,
                                            int64_t i, int64_t j) {
  return mask ? mask[s.mask_head_offset[h] + i * s.mask_row_stride + j * s.mask_col_stride] : 0.0f;
}

__global__ void scores_kernel(AttentionShape s, const float* __restrict__ q,
                              const float* __restrict__ kt, const float* __restrict__ mask,
                              float* __restrict__ scores) {
  const int64_t total = s.heads * s.sq * s.skv;
  for (int64_t e = blockIdx.x * int64_t(blockDim.x) + threadIdx.x; e < total;
       e += int64_t(gridDim.x) * blockDim.x) {
    const int64_t j = e % s.skv, i = (e / s.skv) % s.sq, h = e / (s.skv * s.sq);
    const float* qi = q + (h * s.sq + i) * s.d;
    const float* kh = kt + h * s.d * s.skv + j;
    float dot = 0.0f;
    for (int64_t k = 0; k < s.d; ++k) dot += qi[k] * kh[k * s.skv];
    scores[e] = s.scale * dot + mask_value(s, mask, h, i, j);
  }
}

__global__ void pv_kernel(AttentionShape s, const float* __restrict__ p,
                          const float* __restrict__ v, float* __restrict__ y) {
  const int64_t total = s.heads * s.sq * s.dv;
  for (int64_t e = blockIdx.x * int64_t(blockDim.x) + threadIdx.x; e < total;
       e += int64_t(gridDim.x) * blockDim.x) {
    const int64_t c = e % s.dv, i = (e / s.dv) % s.sq, h = e / (s.dv * s.sq);
    const float* pi = p + (h * s.sq + i) * s.skv;
    const float* vh = v + h * s.skv * s.dv + c;
    float sum = 0.0f;
    for (int64_t j = 0; j < s.skv; ++j) sum += pi[j] * vh[j * s.dv];
    y[e] = sum;
  }
}

constexpr int kWarps = 4;
constexpr int kRowsPerWarp = 4;
constexpr int kBlockRows = kWarps * kRowsPerWarp;  // query rows per block
constexpr int kTileKeys = 32;                      // keys per tile: one per lane
constexpr int kColumnsPerLane = int(kFlashMaxHeadDim / 32);

__global__ void __launch_bounds__(kWarps * 32)
    flash_kernel(AttentionShape s, const float* __restrict__ q, const float* __restrict__ kt,
                 const float* __restrict__ v, const float* __restrict__ mask,
                 float* __restrict__ y) {
  __shared__ float q_tile[kBlockRows * kFlashMaxHeadDim];
  __shared__ float k_tile[kTileKeys * (kFlashMaxHeadDim + 1)];
  __shared__ float v_tile[kTileKeys * kFlashMaxHeadDim];
  const int64_t row_blocks = (s.sq + kBlockRows - 1) / kBlockRows;
  const int64_t h = blockIdx.x / row_blocks;
  const int64_t r0 = (blockIdx.x % row_blocks) * kBlockRows;
  const int tid = threadIdx.x, warp = tid / 32, lane = tid % 32;
  const int64_t d = s.d, dv = s.dv, k_stride = d + 1;

  for (int64_t e = tid; e < kBlockRows * d; e += blockDim.x) {
    const int64_t r = e / d, k = e % d;
    q_tile[e] = r0 + r < s.sq ? q[(h * s.sq + r0 + r) * d + k] : 0.0f;
  }

  float m[kRowsPerWarp], l[kRowsPerWarp], acc[kRowsPerWarp][kColumnsPerLane];
#pragma unroll
  for (int rr = 0; rr < kRowsPerWarp; ++rr) {
    m[rr] = -INFINITY, l[rr] = 0.0f;
#pragma unroll
    for (int t = 0; t < kColumnsPerLane; ++t) acc[rr][t] = 0.0f;
  }

  for (int64_t j0 = 0; j0 < s.skv; j0 += kTileKeys) {
    __syncthreads();  // the previous tile is consumed (and, the first time, Q is staged)
    for (int64_t e = tid; e < kTileKeys * d; e += blockDim.x) {
      const int64_t j = e % kTileKeys, k = e / kTileKeys;  // consecutive threads, consecutive keys
      k_tile[j * k_stride + k] = j0 + j < s.skv ? kt[(h * d + k) * s.skv + j0 + j] : 0.0f;
    }
    for (int64_t e = tid; e < kTileKeys * dv; e += blockDim.x) {
      const int64_t j = e / dv, c = e % dv;
      v_tile[e] = j0 + j < s.skv ? v[(h * s.skv + j0 + j) * dv + c] : 0.0f;
    }
    __syncthreads();

#pragma unroll
    for (int rr = 0; rr < kRowsPerWarp; ++rr) {
      const int r = warp * kRowsPerWarp + rr;
      const int64_t row = r0 + r;
      if (row >= s.sq) continue;  // the same for the whole warp
      const int64_t j = j0 + lane;
      float score = -INFINITY;
      if (j < s.skv) {
        const float* qr = q_tile + r * d;
        const float* kj = k_tile + lane * k_stride;
        float dot = 0.0f;
        for (int64_t k = 0; k < d; ++k) dot += qr[k] * kj[k];
        score = s.scale * dot + mask_value(s, mask, h, row, j);
      }
      float tile_max = score;
      for (int offset = 16; offset > 0; offset /= 2)
        tile_max = fmaxf(tile_max, __shfl_xor_sync(0xffffffffu, tile_max, offset));
      const float m_new = fmaxf(m[rr], tile_max);
      const bool empty = m_new == -INFINITY;  // every score so far is -inf
      const float rescale = empty ? 1.0f : expf(m[rr] - m_new);
      const float p = empty ? 0.0f : expf(score - m_new);
      float p_sum = p;
      for (int offset = 16; offset > 0; offset /= 2)
        p_sum += __shfl_xor_sync(0xffffffffu, p_sum, offset);
      l[rr] = l[rr] * rescale + p_sum;
      m[rr] = m_new;
#pragma unroll
      for (int t = 0; t < kColumnsPerLane; ++t) acc[rr][t] *= rescale;
      for (int jj = 0; jj < kTileKeys; ++jj) {
        const float pj = __shfl_sync(0xffffffffu, p, jj);
#pragma unroll
        for (int t = 0; t < kColumnsPerLane; ++t) {
          const int64_t c = lane + 32 * t;
          if (c < dv) acc[rr][t] += pj * v_tile[jj * dv + c];
        }
      }
    }
  }

#pragma unroll
  for (int rr = 0; rr < kRowsPerWarp; ++rr) {
    const int64_t row = r0 + warp * kRowsPerWarp + rr;
    if (row >= s.sq) continue;
#pragma unroll
    for (int t = 0; t < kColumnsPerLane; ++t) {
      const int64_t c = lane + 32 * t;
      if (c < dv) y[(h * s.sq + row) * dv + c] = acc[rr][t] / l[rr];
    }
  }
}

}  // namespace

cudaError_t naive_attention(const AttentionShape& s, const float* q, const float* kt,
                            const float* v, const float* mask, float* scores, float* y,
                            cudaStream_t stream) {
  const int64_t score_count = s.heads * s.sq * s.skv, out_count = s.heads * s.sq * s.dv;
  if (out_count == 0) return cudaSuccess;
  if (score_count > 0) {
    scores_kernel<<<grid_for(score_count), kThreads, 0, stream>>>(s, q, kt, mask, scores);
    if (cudaError_t e = cudaGetLastError(); e != cudaSuccess) return e;
    if (cudaError_t e = softmax_lines(scores, scores, s.heads * s.sq, s.skv, 1, false, stream);
        e != cudaSuccess)
      return e;
  }
  pv_kernel<<<grid_for(out_count), kThreads, 0, stream>>>(s, scores, v, y);
  return cudaGetLastError();
}

cudaError_t flash_attention(const AttentionShape& s, const float* q, const float* kt,
                            const float* v, const float* mask, float* y, cudaStream_t stream) {
  if (s.d > kFlashMaxHeadDim || s.dv > kFlashMaxHeadDim) return cudaErrorInvalidValue;
  const int64_t blocks = s.heads * ((s.sq + kBlockRows - 1) / kBlockRows);
  if (blocks == 0 || s.dv == 0) return cudaSuccess;
  if (blocks > 0x7fffffff) return cudaErrorInvalidValue;
  flash_kernel<<<unsigned(blocks), kWarps * 32, 0, stream>>>(s, q, kt, v, mask, y);
  return cudaGetLastError();
}

}  // namespace algoscope::cuda
