// A family of GPU algorithms inside the module (variants.h names them): how each variant answers
// the engine's three questions. Each family lives in the file of its algorithms under ops/, and
// module.cpp lists them.
#pragma once

#include <functional>
#include <memory>
#include <optional>
#include <string>

#include "algoscope/registry.h"

namespace algoscope::cuda {

struct Family {
  std::function<std::optional<std::string>(int variant, const Layer&)> why_not;
  std::function<size_t(int variant, const Layer&)> workspace_bytes;  // empty: none
  std::function<std::unique_ptr<Kernel>(int variant, const Layer&)> prepare;
};

Family cudnn_conv_family();
// The output shape cuDNN's descriptors give a Conv layer (tests check it against ours).
Shape cudnn_conv_output_shape(const Layer& layer);
Family cublas_gemm_family();
Family cublas_matmul_family();
// Our own kernels (ops/<op>/), one family per op kind.
Family cuda_elementwise_family();
Family cuda_activation_family();
Family cuda_pool_family();
Family cuda_softmax_family();
Family cuda_attention_family();
Family cuda_copy_family();
Family cuda_transpose_family();
Family cuda_concat_family();
Family cuda_reduce_family();
Family cuda_slice_family();
Family cuda_gather_family();
Family cuda_row_norm_family();
Family cuda_squeeze_excite_family();

}  // namespace algoscope::cuda
