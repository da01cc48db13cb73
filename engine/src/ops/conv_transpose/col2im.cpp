// ConvTranspose as GEMM then col2im, the way Caffe and PyTorch's CPU backend compute it (it is
// Conv's backward-data pass): for each image and group, one matrix product
// cols[(M/g) * taps, in_spatial] = W_g^T [(M/g) * taps, C/g] x X_g [C/g, in_spatial] gives every
// tap's contribution of every input pixel, computed by our blocked GEMM (blocked_gemm.h, the
// AVX-512 / AVX2 micro-kernels Conv's Winograd and Gemm's `blocked` use); then col2im adds each
// row of cols, shifted by its tap and spread by the stride, into the output that already holds
// the bias. 1-D, 2-D and 3-D layers run as 3-D ones with unit leading axes.
#include <omp.h>

#include <algorithm>

#include "blocked_gemm/blocked_gemm.h"
#include "ops/common.h"
#include "ops/conv_transpose/conv_transpose.h"
#include "ops/conv_transpose/kernels.h"

namespace algoscope::ops::conv_transpose {

namespace {

// Adds rows [m * taps, (m + 1) * taps) of cols, one per tap of output channel m, into that
// channel's output plane y.
void col2im_channel(const Geometry3& g, const float* cols, float* y) {
  const int64_t H = g.in[1], W = g.in[2], OH = g.out[1], OW = g.out[2];
  const int64_t in_size = g.in_size(), sw = g.stride[2];
  for (int64_t kd = 0; kd < g.kernel[0]; ++kd) {
    int64_t d0, d1;
    const int64_t offd = kd * g.dilation[0] - g.pad[0];
    scatter_range(g.in[0], g.out[0], g.stride[0], offd, d0, d1);
    for (int64_t kh = 0; kh < g.kernel[1]; ++kh) {
      int64_t h0, h1;
      const int64_t offh = kh * g.dilation[1] - g.pad[1];
      scatter_range(H, OH, g.stride[1], offh, h0, h1);
      for (int64_t kw = 0; kw < g.kernel[2]; ++kw, cols += in_size) {
        int64_t w0, w1;
        const int64_t offw = kw * g.dilation[2] - g.pad[2];
        scatter_range(W, OW, sw, offw, w0, w1);
        for (int64_t id = d0; id < d1; ++id) {
          const int64_t od = id * g.stride[0] + offd;
          for (int64_t ih = h0; ih < h1; ++ih) {
            const int64_t oh = ih * g.stride[1] + offh;
            const float* __restrict src = cols + (id * H + ih) * W;
            float* __restrict dst = y + (od * OH + oh) * OW + offw;
#pragma omp simd
            for (int64_t iw = w0; iw < w1; ++iw) dst[iw * sw] += src[iw];
          }
        }
      }
    }
  }
}

}  // namespace

std::optional<std::string> col2im_not_applicable(const Layer& layer) {
  return rank_reason(layer, "col2im");
}

size_t col2im_workspace_bytes(const Layer& layer) {
  const Geometry g = geometry(layer);
  return static_cast<size_t>(g.out_per_group() * g.kernel_size() * g.input_size()) * sizeof(float);
}

std::unique_ptr<Kernel> prepare_col2im(const Layer& layer) {
  const Geometry g = geometry(layer);
  const Geometry3 g3 = to_3d(g);
  const bool parallel = flops(layer) >= kParallelFlops;
  return conv_transpose_kernel(
      g, [g, g3, parallel](const float* x, const float* w, const float* b, float* y, float* cols) {
        const int64_t cg = g.in_per_group(), mg = g.out_per_group();
        const int64_t in_size = g3.in_size(), out_size = g3.out_size(), K = g3.kernel_size();
        const int64_t rows = mg * K;
        for (int64_t n = 0; n < g.batch; ++n) {
          for (int64_t grp = 0; grp < g.groups; ++grp) {
            // W_g is [C/g, (M/g) * taps] row-major: its transpose is the left operand as stored.
            const float* wg = w + grp * cg * rows;
            const float* xg = x + (n * g.in_channels + grp * cg) * in_size;
            blocked_gemm::sgemm(true, false, rows, in_size, cg, 1.0f, wg, rows, xg, in_size, 0.0f,
                                cols, in_size);
            float* yg = y + (n * g.out_channels + grp * mg) * out_size;
        // Each output channel's plane is written by its own rows only: threads need no atomics.
#pragma omp parallel for schedule(static) if (parallel && mg > 1)
            for (int64_t m = 0; m < mg; ++m) {
              float* ym = yg + m * out_size;
              std::fill(ym, ym + out_size, b ? b[grp * mg + m] : 0.0f);
              col2im_channel(g3, cols + m * K * in_size, ym);
            }
          }
        }
      });
}

AlgorithmText col2im_text() {
  return {
      "GEMM W^T x X into a column matrix, then col2im scatter-add (Conv's backward-data pass)",
      "For each image and group one matrix product, cols = W_g^T [(M/g)*KH*KW x C/g] times X_g "
      "[C/g x H*W], computed by our blocked GEMM with the AVX-512 or AVX2 micro-kernel, gives "
      "the contribution of every tap of every output channel at every input pixel; col2im then "
      "adds each row of cols, shifted by its tap and spread by the stride, into the output, "
      "which holds the bias first. This is how Caffe and PyTorch's CPU backend compute it. "
      "Extra memory: 4 * (M/g) * KH*KW * H*W bytes (the column matrix of one image and group; "
      "KH*KW times the output at stride 1, (KH*KW)/(sH*sW) times it in general). It wins when "
      "channels are many (the GEMM runs near peak and does all the multiplications); the col2im "
      "pass is memory-bound and costs KH*KW/(sH*sW) reads and writes per output, so it loses on "
      "few channels and large kernels. Numerics: float accumulation over C/g in the GEMM's "
      "blocked order, then the taps summed in float; a few ulps for typical layers."};
}

}  // namespace algoscope::ops::conv_transpose
