// The kernels of the cuda_attention family (attention_kernels.cu) in plain types: the .cu files
// compile as C++17 and cannot include the engine's C++20 headers.
#pragma once

#include <cuda_runtime.h>

#include <cstdint>

namespace algoscope::cuda {

// The flash kernel keeps a query tile and a key/value tile of this head size in shared memory.
inline constexpr int64_t kFlashMaxHeadDim = 128;

// The engine's AttentionGeometry: Q [heads, sq, d], Kt [heads, d, skv], V [heads, skv, dv],
// Y [heads, sq, dv]; mask element (h, i, j) at mask_head_offset[h] + i * mask_row_stride +
// j * mask_col_stride, mask_head_offset in device memory (null without a mask).
struct AttentionShape {
  int64_t heads = 1, sq = 0, skv = 0, d = 0, dv = 0;
  float scale = 1.0f;
  const int64_t* mask_head_offset = nullptr;
  int64_t mask_row_stride = 0, mask_col_stride = 0;
};

// Scores scale * Q Kt + mask for every head into `scores` [heads, sq, skv], softmax of each row in
// place, then Y = P V.
cudaError_t naive_attention(const AttentionShape& s, const float* q, const float* kt,
                            const float* v, const float* mask, float* scores, float* y,
                            cudaStream_t stream);
// Tiles of K and V in shared memory with an online softmax; no score matrix. d, dv <=
// kFlashMaxHeadDim.
cudaError_t flash_attention(const AttentionShape& s, const float* q, const float* kt,
                            const float* v, const float* mask, float* y, cudaStream_t stream);

}  // namespace algoscope::cuda
