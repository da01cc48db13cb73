// ConvTranspose as a direct scatter-accumulate: the output is filled with the bias, then every
// input row, kernel tap and input channel adds weight times the row into the output row that tap
// lands on, for four output channels at once (each input value loaded feeds four multiply-adds,
// the four weights stay in registers across the row). No memory beyond the output: this is the
// scatter definition with its bounds checks hoisted out of the rows and its loops reordered so
// the innermost one runs along a row and vectorizes (contiguous stores at stride 1; strided ones,
// and so slower, at stride 2 and up: the sub-pixel algorithm avoids that). 1-D, 2-D and 3-D
// layers run as 3-D ones with unit leading axes. OpenMP splits (image, group, output-channel
// block); each thread owns its output planes, so the scatter needs no atomics.
#include <omp.h>

#include <algorithm>

#include "cpu_features.h"
#include "ops/common.h"
#include "ops/conv_transpose/conv_transpose.h"
#include "ops/conv_transpose/kernels.h"

namespace algoscope::ops::conv_transpose {

namespace {

constexpr int kBlock = 4;  // output channels per pass

struct Task {
  const Geometry3* g;
  const float* x;  // the group's first input channel of this image
  const float* w;  // W[c0][m0 within the group][taps...]: channel c at + c * mg * K
  float* y;        // the block's first output plane of this image
  int64_t channels, mg, nb;
};

// Adds the block's contributions into its nb output planes (already holding the bias).
template <int NB>
__attribute__((always_inline)) inline void scatter_block(const Task& t) {
  const Geometry3& g = *t.g;
  const int64_t K = g.kernel_size(), in_size = g.in_size(), out_size = g.out_size();
  const int64_t H = g.in[1], W = g.in[2], OH = g.out[1], OW = g.out[2];
  for (int64_t c = 0; c < t.channels; ++c) {
    const float* xc = t.x + c * in_size;
    const float* wc = t.w + c * t.mg * K;
    for (int64_t kd = 0; kd < g.kernel[0]; ++kd) {
      int64_t d0, d1;
      const int64_t offd = kd * g.dilation[0] - g.pad[0];
      scatter_range(g.in[0], g.out[0], g.stride[0], offd, d0, d1);
      for (int64_t kh = 0; kh < g.kernel[1]; ++kh) {
        int64_t h0, h1;
        const int64_t offh = kh * g.dilation[1] - g.pad[1];
        scatter_range(H, OH, g.stride[1], offh, h0, h1);
        for (int64_t kw = 0; kw < g.kernel[2]; ++kw) {
          int64_t w0, w1;
          const int64_t offw = kw * g.dilation[2] - g.pad[2];
          scatter_range(W, OW, g.stride[2], offw, w0, w1);
          if (w0 == w1) continue;
          const int64_t tap = (kd * g.kernel[1] + kh) * g.kernel[2] + kw;
          float wv[NB];
          for (int b = 0; b < NB; ++b) wv[b] = wc[b * K + tap];
          const int64_t sw = g.stride[2];
          for (int64_t id = d0; id < d1; ++id) {
            const int64_t od = id * g.stride[0] + offd;
            for (int64_t ih = h0; ih < h1; ++ih) {
              const int64_t oh = ih * g.stride[1] + offh;
              const float* __restrict xr = xc + (id * H + ih) * W;
              float* yr = t.y + (od * OH + oh) * OW + offw;
              float* __restrict y0 = yr;
              float* __restrict y1 = yr + (NB > 1 ? out_size : 0);
              float* __restrict y2 = yr + (NB > 2 ? 2 * out_size : 0);
              float* __restrict y3 = yr + (NB > 3 ? 3 * out_size : 0);
              if (sw == 1) {
#pragma omp simd
                for (int64_t iw = w0; iw < w1; ++iw) {
                  const float v = xr[iw];
                  y0[iw] += wv[0] * v;
                  if constexpr (NB > 1) y1[iw] += wv[1] * v;
                  if constexpr (NB > 2) y2[iw] += wv[2] * v;
                  if constexpr (NB > 3) y3[iw] += wv[3] * v;
                }
              } else {
#pragma omp simd
                for (int64_t iw = w0; iw < w1; ++iw) {
                  const float v = xr[iw];
                  y0[iw * sw] += wv[0] * v;
                  if constexpr (NB > 1) y1[iw * sw] += wv[1] * v;
                  if constexpr (NB > 2) y2[iw * sw] += wv[2] * v;
                  if constexpr (NB > 3) y3[iw * sw] += wv[3] * v;
                }
              }
            }
          }
        }
      }
    }
  }
}

#define CONVT_DIRECT_DISPATCH(t)  \
  switch ((t).nb) {               \
    case 1:                       \
      return scatter_block<1>(t); \
    case 2:                       \
      return scatter_block<2>(t); \
    case 3:                       \
      return scatter_block<3>(t); \
    default:                      \
      return scatter_block<4>(t); \
  }

CONVT_AVX512 void run_avx512(const Task& t){CONVT_DIRECT_DISPATCH(t)} CONVT_AVX2
    void run_avx2(const Task& t) {
  CONVT_DIRECT_DISPATCH(t)
}
void run_portable(const Task& t) { CONVT_DIRECT_DISPATCH(t) }

}  // namespace

std::optional<std::string> direct_not_applicable(const Layer& layer) {
  return rank_reason(layer, "direct");
}

std::unique_ptr<Kernel> prepare_direct(const Layer& layer) {
  const Geometry g = geometry(layer);
  const Geometry3 g3 = to_3d(g);
  const bool parallel = flops(layer) >= kParallelFlops;
  return conv_transpose_kernel(
      g, [g, g3, parallel](const float* x, const float* w, const float* b, float* y, float*) {
        const cpu::IsaLevel level = cpu::active_level();
        void (*run)(const Task&) = level == cpu::IsaLevel::Avx512 ? run_avx512
                                   : level == cpu::IsaLevel::Avx2 ? run_avx2
                                                                  : run_portable;
        const int64_t cg = g.in_per_group(), mg = g.out_per_group();
        const int64_t blocks = (mg + kBlock - 1) / kBlock;
        const int64_t in_size = g3.in_size(), out_size = g3.out_size(), K = g3.kernel_size();
        const int64_t tasks = g.batch * g.groups * blocks;
#pragma omp parallel for schedule(dynamic) if (parallel && tasks > 1)
        for (int64_t task = 0; task < tasks; ++task) {
          const int64_t n = task / (g.groups * blocks);
          const int64_t grp = (task / blocks) % g.groups;
          const int64_t m0 = (task % blocks) * kBlock;
          const int64_t nb = std::min<int64_t>(kBlock, mg - m0);
          float* yb = y + (n * g.out_channels + grp * mg + m0) * out_size;
          for (int64_t j = 0; j < nb; ++j)
            std::fill(yb + j * out_size, yb + (j + 1) * out_size, b ? b[grp * mg + m0 + j] : 0.0f);
          const Task t{&g3,
                       x + (n * g.in_channels + grp * cg) * in_size,
                       w + (grp * cg * mg + m0) * K,
                       yb,
                       cg,
                       mg,
                       nb};
          run(t);
        }
      });
}

AlgorithmText direct_text() {
  return {
      "Scatter-accumulate straight into the output, four output channels per pass",
      "The output starts as the bias; then for every input channel, kernel tap and input row it "
      "adds weight times the row into the output row the tap lands on (o = i * stride + k * "
      "dilation - pad), for four output channels at once, so each input value loaded feeds four "
      "multiply-adds. The bounds of each tap are computed once per row, not per element. Extra "
      "memory: none beyond the output. It is the choice where no workspace can be spared, and on "
      "tiny layers; otherwise it loses, because every multiply-add loads and stores its output "
      "element (contiguous vector updates at stride 1, strided ones at stride 2 and up): about "
      "20 GFLOP/s at stride 1 and 4-6 at stride 2 on one AVX-512 core, against 120-150 for "
      "col2im. Numerics: float accumulation, one rounding per multiply-add, in channel then tap "
      "order; the error grows with sqrt(C/g * taps per output)."};
}

}  // namespace algoscope::ops::conv_transpose
