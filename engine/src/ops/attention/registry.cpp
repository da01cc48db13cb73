// The Attention family: scaled dot-product attention as one node (made by the loader's attention
// pass from PyTorch's exported subgraph) and the algorithms that compute it. This file is the only
// place their names are spelled; each algorithm lives in the file of the same name.
#include "cuda/backend.h"
#include "cuda/variants.h"
#include "ops/attention/attention.h"
#include "ops/registrations.h"

namespace algoscope::ops {

void register_attention(Registry& registry) {
  OpDefinition op;
  op.op_type = attention::kOpType;
  op.summary =
      "softmax(scale * Q K^T + mask) V per head: PyTorch's exported attention subgraph as one node";
  op.infer = attention::infer;
  op.flops = attention::flops;
  registry.add_op(std::move(op));

  Algorithm reference;
  reference.name = "reference";
  reference.summary = "Per query row: scores, softmax and weighted sum of V, all in double";
  reference.teaching =
      "For every head and query row it computes the Skv scores scale * q . k_j (+ mask) in "
      "double, subtracts their maximum, exponentiates, and sums the value rows weighted by the "
      "exponentials, dividing by their sum at the end. Extra memory: one row of Skv doubles. "
      "Single-threaded plain loops: the ground truth, never fast.";
  reference.tolerance = Tolerance{1e-6, 1e-5};
  reference.prepare = attention::prepare_reference;
  registry.add_algorithm(attention::kOpType, std::move(reference));

  Algorithm naive;
  naive.name = "naive";
  naive.summary = "Materialize the Sq x Skv scores per head, softmax the rows, multiply by V";
  naive.teaching =
      "What the unfused graph does, in one kernel: per head one GEMM makes the whole score "
      "matrix S = scale * Q K^T (+ mask), each row is exponentiated with its maximum subtracted "
      "and summed, a second GEMM forms P V and each output row is divided by its sum. Extra "
      "memory: 4 * (Sq * Skv + 2 * Sq) bytes per head in flight (one per thread when there are "
      "enough heads): 155 KB per head for ViT-B/16's 197 tokens, 64 MB for 4096 tokens. It wins "
      "when the scores fit in cache (short sequences): two large GEMMs and nothing else. It "
      "loses on long sequences, where the score matrix streams through memory twice. Numerics: "
      "float GEMMs and a polynomial exp (about 2 ulp); same sums as the unfused graph.";
  naive.tolerance = Tolerance{1e-5, 1e-4};
  naive.default_priority = 10;
  naive.workspace_bytes = attention::naive_workspace_bytes;
  naive.prepare = attention::prepare_naive;
  registry.add_algorithm(attention::kOpType, std::move(naive));

  Algorithm flash;
  flash.name = "flash";
  flash.summary = "FlashAttention: 64 x 256 score tiles with an online softmax, no score matrix";
  flash.teaching =
      "Dao et al. (arXiv 2205.14135): a block of 64 query rows walks the keys 256 at a time. "
      "Each 64 x 256 score tile is exponentiated against its own row maxima, then folded into "
      "the running output: when the row maximum grows from m to m', the output so far and its "
      "sum are scaled by exp(m - m') and the tile's weights by exp(m_tile - m'), so the result "
      "is exact softmax(S) V without ever holding a full score row. Extra memory: "
      "4 * (64 * 256 + 4 * 64) bytes per thread (66 KB), whatever the sequence length. It wins "
      "on long sequences (the tile stays in L2) and loses a little on short ones to the extra "
      "rescaling. Numerics: exact up to float reordering; the rescaling adds about one rounding "
      "per key block.";
  flash.tolerance = Tolerance{1e-5, 1e-4};
  flash.default_priority = 5;
  flash.workspace_bytes = attention::flash_workspace_bytes;
  flash.prepare = attention::prepare_flash;
  registry.add_algorithm(attention::kOpType, std::move(flash));

  Algorithm chunked;
  chunked.name = "chunked";
  chunked.summary = "Rabe & Staats: summarize 512-key chunks independently, then combine";
  chunked.teaching =
      "Rabe & Staats (arXiv 2112.05682): for a chunk of 64 query rows each chunk of 512 keys is "
      "summarized on its own (row maxima m_c, sums s_c of exp(S - m_c), partial outputs "
      "v_c = exp(S - m_c) V_c), and the summaries are combined afterwards with the global "
      "maximum M: out = sum exp(m_c - M) v_c / sum exp(m_c - M) s_c. The chunks are independent "
      "(they could run in parallel), unlike flash's sequential running rescale, at the price of "
      "keeping every chunk's partial output. Extra memory per thread: "
      "4 * (64 * 512 + ceil(Skv / 512) * 64 * (Dv + 2)) bytes: 266 KB for 4096 tokens of depth "
      "64, never Sq * Skv. Numerics: exact up to float reordering.";
  chunked.tolerance = Tolerance{1e-5, 1e-4};
  chunked.default_priority = 4;
  chunked.workspace_bytes = attention::chunked_workspace_bytes;
  chunked.prepare = attention::prepare_chunked;
  registry.add_algorithm(attention::kOpType, std::move(chunked));

  // Our CUDA kernels (engine/cuda/ops/attention/attention.cpp).
  {
    Algorithm a = cuda::algorithm(cuda::kCudaAttention, cuda::kNaiveAttention);
    a.name = "cuda_naive";
    a.summary = "On the GPU: the whole score matrix in device memory, row softmax, then P V";
    a.teaching =
        "On the CUDA device, what the unfused graph computes in three kernels: one thread per "
        "score writes scale * q_i . k_j (+ mask) for every head into the workspace (neighbouring "
        "threads read neighbouring columns of K^T, so loads coalesce), one block per score row "
        "takes its maximum, sums exp(s - max) and normalizes in place (the cuda Softmax kernel), "
        "and one thread per output element forms sum_j p_ij v_jc. Extra memory: "
        "4 * heads * Sq * Skv bytes of device memory (1.8 MB for ViT-B/16's 12 heads of 197 "
        "tokens, 805 MB for 12 heads of 4096 tokens). It is the baseline the flash kernel is "
        "measured against: simple, and the score matrix makes a round trip through device "
        "memory. Numerics: float dot products in order, CUDA's accurate expf, a float tree sum "
        "per row: within about 1e-5 of the double reference.";
    a.tolerance = Tolerance{1e-5, 1e-4};
    registry.add_algorithm(attention::kOpType, std::move(a));

    Algorithm f = cuda::algorithm(cuda::kCudaAttention, cuda::kFlashAttention);
    f.name = "cuda_flash";
    f.summary = "On the GPU: FlashAttention, K/V tiles in shared memory, online softmax";
    f.teaching =
        "Dao et al. (arXiv 2205.14135) on the CUDA device. A block of 4 warps owns 16 query rows "
        "of one head and walks the keys 32 at a time, staging each tile of K and V in shared "
        "memory (K padded by one float per row so the lanes' reads hit distinct banks). Per row "
        "a warp computes the tile's 32 scores (lane j owns key j), takes their maximum with "
        "warp shuffles, rescales its running output and sum by exp(m_old - m_new) and adds "
        "p_j v_j with the lanes owning output columns. The score matrix never exists. Extra "
        "memory: none in device memory; 41 KB of shared memory per block. Head sizes up to 128 "
        "(ViT's 64). It wins over cuda_naive on long sequences, where the score matrix no longer "
        "fits in L2 and naive streams it through device memory three times. Numerics: exact up "
        "to float reordering; the rescaling adds about one rounding per key tile.";
    f.tolerance = Tolerance{1e-5, 1e-4};
    registry.add_algorithm(attention::kOpType, std::move(f));
  }
}

}  // namespace algoscope::ops
