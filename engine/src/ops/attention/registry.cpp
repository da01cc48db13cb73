// The Attention family: scaled dot-product attention as one node (made by the loader's attention
// pass from PyTorch's exported subgraph) and the algorithms that compute it, in registry order.
// This file is the only place their names are spelled; each algorithm lives in the file of the same
// name, with its text (<name>_text()).
#include "cuda/variants.h"
#include "ops/attention/attention.h"
#include "ops/registrations.h"

namespace algoscope::ops {

void register_attention(Registry& registry) {
  using namespace attention;
  add_op(registry,
         {.op_type = kOpType,
          .summary = "softmax(scale * Q K^T + mask) V per head: PyTorch's exported attention "
                     "subgraph as one node",
          .infer = infer,
          .flops = flops},
         {
             {reference_text(),
              {.name = kReference, .tolerance = {1e-6, 1e-5}, .prepare = prepare_reference}},
             {naive_text(),
              {.name = "naive",
               .default_priority = 10,
               .workspace_bytes = naive_workspace_bytes,
               .prepare = prepare_naive}},
             {flash_text(),
              {.name = "flash",
               .default_priority = 5,
               .workspace_bytes = flash_workspace_bytes,
               .prepare = prepare_flash}},
             {chunked_text(),
              {.name = "chunked",
               .default_priority = 4,
               .workspace_bytes = chunked_workspace_bytes,
               .prepare = prepare_chunked}},
         });

  // Our CUDA kernels (engine/cuda/ops/attention/attention.cpp), both within 1e-5 of the reference.
  struct CudaAttention {
    int variant;
    const char* name;
    AlgorithmText text;
  };
  const CudaAttention kernels[] = {
      {cuda::kNaiveAttention,
       "cuda_naive",
       {"On the GPU: the whole score matrix in device memory, row softmax, then P V",
        "On the CUDA device, what the unfused graph computes in three kernels: one thread per "
        "score writes scale * q_i . k_j (+ mask) for every head into the workspace (neighbouring "
        "threads read neighbouring columns of K^T, so loads coalesce), one block per score row "
        "takes its maximum, sums exp(s - max) and normalizes in place (the cuda Softmax kernel), "
        "and one thread per output element forms sum_j p_ij v_jc. Extra memory: "
        "4 * heads * Sq * Skv bytes of device memory (1.8 MB for ViT-B/16's 12 heads of 197 "
        "tokens, 805 MB for 12 heads of 4096 tokens). It is the baseline the flash kernel is "
        "measured against: simple, and the score matrix makes a round trip through device "
        "memory. Numerics: float dot products in order, CUDA's accurate expf, a float tree sum "
        "per row: within about 1e-5 of the double reference."}},
      {cuda::kFlashAttention,
       "cuda_flash",
       {"On the GPU: FlashAttention, K/V tiles in shared memory, online softmax",
        "Dao et al. (arXiv 2205.14135) on the CUDA device. A block of 4 warps owns 16 query rows "
        "of one head and walks the keys 32 at a time, staging each tile of K and V in shared "
        "memory (K padded by one float per row so the lanes' reads hit distinct banks). Per row "
        "a warp computes the tile's 32 scores (lane j owns key j), takes their maximum with "
        "warp shuffles, rescales its running output and sum by exp(m_old - m_new) and adds "
        "p_j v_j with the lanes owning output columns. The score matrix never exists. Extra "
        "memory: none in device memory; 41 KB of shared memory per block. Head sizes up to 128 "
        "(ViT's 64). It wins over cuda_naive on long sequences, where the score matrix no longer "
        "fits in L2 and naive streams it through device memory three times. Numerics: exact up "
        "to float reordering; the rescaling adds about one rounding per key tile."}},
  };
  for (const CudaAttention& k : kernels)
    add_cuda_algorithm(registry, attention::kOpType, cuda::kCudaAttention, k.variant, k.name,
                       Tolerance{1e-5, 1e-4}, k.text);
}

}  // namespace algoscope::ops
