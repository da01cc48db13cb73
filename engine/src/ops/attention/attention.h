// The Attention family's internal interface. An Attention node is made by the loader's attention
// pass (loader.cpp, fuse_attention) from the subgraph PyTorch exports for scaled dot-product
// attention: MatMul(Q, K^T) -> Mul/Div by a scale (on the scores or on Q) -> optional Add(mask) ->
// Softmax(last axis) -> MatMul(., V). Inputs: Q [*, Sq, D], Kt [*, D, Skv] (K already transposed,
// as the export has it), V [*, Skv, Dv], optional additive float mask broadcastable to
// [*, Sq, Skv]; attribute `scale`; output [*, Sq, Dv] = softmax(scale * Q Kt + mask) V. The
// leading dimensions (batch, heads) of Q, Kt and V are equal. Only registry.cpp names algorithms.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "algoscope/registry.h"
#include "ops/algorithm_text.h"

namespace algoscope::ops::attention {

// The op type (ONNX opset 23 has its own, different Attention op; a file carrying one lacks
// kFusedMarker and is refused rather than misread).
constexpr const char* kOpType = "Attention";

struct AttentionGeometry {
  int64_t heads = 1;  // product of the leading dimensions
  int64_t sq = 0, skv = 0, d = 0, dv = 0;
  float scale = 1.0f;
  bool has_mask = false;
  // Mask element (h, i, j) is at mask_head_offset[h] + i * mask_row_stride + j * mask_col_stride
  // (strides 0 along broadcast axes).
  std::vector<int64_t> mask_head_offset;
  int64_t mask_row_stride = 0, mask_col_stride = 0;

  const float* mask_row(const float* mask, int64_t h, int64_t i) const {
    return mask + mask_head_offset[size_t(h)] + i * mask_row_stride;
  }
};

AttentionGeometry attention_geometry(const Layer& layer);
std::vector<TensorInfo> infer(const Layer& layer);
// 2 * Sq * Skv * (D + Dv) for the two products plus about 5 per score (scale, mask, max, exp, sum).
double flops(const Layer& layer);

// The tensors of one run, taken from the kernel's inputs and outputs.
struct AttentionIO {
  const float *q = nullptr, *kt = nullptr, *v = nullptr, *mask = nullptr;
  float* y = nullptr;
  float* workspace = nullptr;
  AttentionIO(const AttentionGeometry& g, KernelIO& io);
};

// One block of query rows of head h, from row r0 on, written into y with `slot` as its scratch
// (flash's query_block, chunked's query_chunk).
using QueryBlock = void (*)(const AttentionGeometry& g, const float* q, const float* kt,
                            const float* v, const float* mask, int64_t h, int64_t r0, float* slot,
                            float* y);
// The kernel of a blocked algorithm: query_block for every block of `rows` query rows of every
// head, the blocks shared dynamically between the threads, each with its own `slot_floats` of the
// workspace: one long sequence with one head still uses every thread. (blocks.cpp)
std::unique_ptr<Kernel> query_block_kernel(const AttentionGeometry& g, int64_t rows,
                                           size_t slot_floats, QueryBlock query_block);
// The workspace of such a kernel: one slot per processor.
size_t query_block_workspace_bytes(size_t slot_floats);

// Shared building blocks (blocks.cpp), single-threaded, vectorized:
// s[r][c] (row stride ld_s) = scale * Q[r0 + r] . Kt[:, c0 + c] (+ mask), rows x cols.
void score_tile(const AttentionGeometry& g, const float* q, const float* kt, const float* mask,
                int64_t h, int64_t r0, int64_t rows, int64_t c0, int64_t cols, float* s,
                int64_t ld_s);
// Per row: max over cols -> row_max[r]; s = exp(s - row_max) in place; sum -> row_sum[r].
void exp_rows(float* s, int64_t rows, int64_t cols, int64_t ld_s, float* row_max, float* row_sum);

// One file per algorithm.
std::unique_ptr<Kernel> prepare_reference(const Layer& layer);
AlgorithmText reference_text();
std::unique_ptr<Kernel> prepare_naive(const Layer& layer);
AlgorithmText naive_text();
size_t naive_workspace_bytes(const Layer& layer);
std::unique_ptr<Kernel> prepare_flash(const Layer& layer);
AlgorithmText flash_text();
size_t flash_workspace_bytes(const Layer& layer);
std::unique_ptr<Kernel> prepare_chunked(const Layer& layer);
AlgorithmText chunked_text();
size_t chunked_workspace_bytes(const Layer& layer);

}  // namespace algoscope::ops::attention
