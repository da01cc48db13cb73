// Pointwise (1x1, stride 1, unpadded, one group) convolution as a plain matrix product: in NCHW an
// image's input already is the matrix X [C x H*W] and its output Y [OC x H*W], and W [OC, C, 1, 1]
// is the row-major matrix [OC x C], so Y = W * X is one sgemm per image straight on the tensors'
// buffers: no patch matrix, no copies, no workspace (the GEMM formulation of Chellapilla et al.
// 2006 without its im2col step). The bias is broadcast into Y first and the GEMM accumulates onto
// it (beta = 1): OpenBLAS clears C in a separate pass when beta = 0, so writing the bias there
// instead costs nothing, while adding it afterwards would be one more pass over Y (measured).
#include <algorithm>

#include "blas/sgemm.h"
#include "ops/common.h"
#include "ops/conv/conv.h"

namespace algoscope::ops::conv {

namespace {

std::string extent_string(const std::vector<int64_t>& v) {
  std::string s;
  for (size_t i = 0; i < v.size(); ++i) {
    if (i) s += 'x';
    s += std::to_string(v[i]);
  }
  return s;
}

}  // namespace

std::optional<std::string> pointwise_not_applicable(const Layer& layer) {
  if (!blas::openblas_available()) return blas::openblas_core_name();
  try {
    const ConvGeometry g = conv_geometry(layer);
    const Window& w = g.window;
    if (g.groups != 1)
      return "pointwise needs group 1 (one GEMM over all channels), this layer has group " +
             std::to_string(g.groups);
    for (size_t i = 0; i < w.rank(); ++i) {
      if (w.kernel[i] != 1)
        return "pointwise needs a 1x1 kernel, this layer's is " + extent_string(w.kernel);
      if (w.strides[i] != 1)
        return "pointwise needs stride 1 (a strided 1x1 reads a subsampled input that is not a "
               "matrix in memory), this layer has strides " +
               extent_string(w.strides);
      if (w.pad_begin[i] != 0 || w.pad_end[i] != 0)
        return std::string(
            "pointwise needs an unpadded layer (padding a 1x1 convolution adds "
            "border outputs that are only bias), this layer has pads");
    }
    if (auto why = blas::dimensions_reason(g.out_channels, w.output_size(), g.in_channels))
      return why;
  } catch (const Error& e) {
    return std::string(e.what());
  }
  return std::nullopt;
}

std::unique_ptr<Kernel> prepare_pointwise(const Layer& layer) {
  const ConvGeometry g = conv_geometry(layer);
  // W [OC, C, 1...] is the row-major [OC x C] matrix as stored: a constant W needs no copy.
  return conv_kernel(g, [g](const float* x, const float* w, const float* b, float* y) {
    const int64_t C = g.in_channels, OC = g.out_channels, HW = g.window.output_size();
    for (int64_t n = 0; n < g.batch; ++n) {
      float* yn = y + n * OC * HW;
      if (b)
        for (int64_t oc = 0; oc < OC; ++oc) std::fill(yn + oc * HW, yn + (oc + 1) * HW, b[oc]);
      blas::sgemm(false, false, OC, HW, C, 1.0f, w, C, x + n * C * HW, HW, b ? 1.0f : 0.0f, yn, HW);
    }
  });
}

AlgorithmText pointwise_text() {
  return {"1x1 stride-1 convolution as one OpenBLAS sgemm per image, no copies",
          "In NCHW an image's input already is the matrix X [C x H*W] and its output Y [OC x H*W], "
          "and W [OC, C, 1, 1] is the row-major [OC x C] matrix, so a 1x1 stride-1 unpadded "
          "convolution with one group is Y = W * X: one OpenBLAS sgemm per image on the tensors' "
          "own buffers. The bias is broadcast into Y first and the sgemm accumulates onto it "
          "(beta = 1), which costs nothing extra because OpenBLAS clears C in a pass of its own "
          "when beta = 0. Extra memory: none. It wins on every layer it applies to (the 1x1 "
          "layers are most of ResNet-50's and MobileNet's FLOPs) as long as OpenBLAS runs its "
          "AVX-512 kernels. Numerics: float accumulation over C in OpenBLAS's blocked order; "
          "error grows with sqrt(C)."};
}

}  // namespace algoscope::ops::conv
