// ConvTranspose by phase (sub-pixel) decomposition (Shi et al., arXiv 1609.05158; Dumoulin &
// Visin, arXiv 1603.07285): with stride s the output pixels o = m * s + q - pad fall into s
// phases q (s^2 in 2-D, s^3 in 3-D), and the taps that reach phase q are exactly k = q + s * j,
// every s-th tap of the kernel. So each phase is an ordinary stride-1 convolution of the input
// with its small sub-kernel W[q + s * j] (j flipped: out[m] = sum_j w[q + s*j] x[m - j]), and
// the transposed convolution is s^2 such convolutions whose results are interleaved into the
// output. Unlike zero insertion, no multiply ever touches an inserted zero, and unlike the
// scatter, every output is written exactly once. The computing loop gathers one phase row for
// four output channels into small accumulators (contiguous input reads, so it vectorizes at any
// stride), then stores it, strided, into the output. Dilation must be 1 (see
// subpixel_not_applicable). OpenMP splits (image, group, output-channel block).
#include <omp.h>

#include <algorithm>
#include <vector>

#include "cpu_features.h"
#include "ops/common.h"
#include "ops/conv_transpose/conv_transpose.h"
#include "ops/conv_transpose/kernels.h"

namespace algoscope::ops::conv_transpose {

namespace {

constexpr int kBlock = 4;  // output channels per pass

// One phase along one axis: its sub-kernel's taps q + s*j for j in [0, taps), and the phase
// positions m in [m0, m1), output o = m * s + q - pad.
struct Phase {
  int64_t q, taps, m0, m1;
};

Phase phase(int64_t q, int64_t kernel, int64_t stride, int64_t pad, int64_t out) {
  Phase p;
  p.q = q;
  p.taps = q < kernel ? (kernel - q + stride - 1) / stride : 0;
  p.m0 = ceil_div(pad - q, stride);
  p.m1 = floor_div(out - 1 - q + pad, stride) + 1;
  if (p.m1 < p.m0) p.m1 = p.m0;
  return p;
}

struct Task {
  const Geometry3* g;
  const float* x;     // the group's first input channel of this image
  const float* w;     // W[c0][m0 within the group][taps...]: channel c at + c * mg * K
  const float* bias;  // the block's first bias, or null
  float* y;           // the block's first output plane of this image
  float* acc;         // kBlock * ceil(OW / sW) + kBlock floats
  int64_t channels, mg, nb;
};

// Computes every output of the block's nb output planes, phase by phase, row by row.
template <int NB>
__attribute__((always_inline)) inline void phase_block(const Task& t) {
  const Geometry3& g = *t.g;
  const int64_t K = g.kernel_size(), in_size = g.in_size(), out_size = g.out_size();
  const int64_t D = g.in[0], H = g.in[1], W = g.in[2], OH = g.out[1], OW = g.out[2];
  const int64_t KH = g.kernel[1], KW = g.kernel[2];
  const int64_t sd = g.stride[0], sh = g.stride[1], sw = g.stride[2];
  for (int64_t qd = 0; qd < sd; ++qd) {
    const Phase pd = phase(qd, g.kernel[0], sd, g.pad[0], g.out[0]);
    for (int64_t qh = 0; qh < sh; ++qh) {
      const Phase ph = phase(qh, KH, sh, g.pad[1], OH);
      for (int64_t qw = 0; qw < sw; ++qw) {
        const Phase pw = phase(qw, KW, sw, g.pad[2], OW);
        const int64_t width = pw.m1 - pw.m0;
        if (width == 0) continue;
        float* __restrict acc[NB];
        for (int b = 0; b < NB; ++b) acc[b] = t.acc + b * width;
        for (int64_t md = pd.m0; md < pd.m1; ++md) {
          const int64_t od = md * sd + qd - g.pad[0];
          for (int64_t mh = ph.m0; mh < ph.m1; ++mh) {
            const int64_t oh = mh * sh + qh - g.pad[1];
            for (int b = 0; b < NB; ++b) std::fill(acc[b], acc[b] + width, 0.0f);
            // Sub-kernel taps j whose input row m - j exists.
            const int64_t jd0 = std::max<int64_t>(0, md - D + 1), jd1 = std::min(pd.taps, md + 1);
            const int64_t jh0 = std::max<int64_t>(0, mh - H + 1), jh1 = std::min(ph.taps, mh + 1);
            for (int64_t c = 0; c < t.channels; ++c) {
              const float* xc = t.x + c * in_size;
              const float* wc = t.w + c * t.mg * K;
              for (int64_t jd = jd0; jd < jd1; ++jd) {
                const int64_t kd = qd + sd * jd;
                for (int64_t jh = jh0; jh < jh1; ++jh) {
                  const int64_t kh = qh + sh * jh;
                  const float* xr = xc + ((md - jd) * H + (mh - jh)) * W;
                  for (int64_t jw = 0; jw < pw.taps; ++jw) {
                    const int64_t tap = (kd * KH + kh) * KW + qw + sw * jw;
                    float wv[NB];
                    for (int b = 0; b < NB; ++b) wv[b] = wc[b * K + tap];
                    // Phase columns m whose input column m - jw exists.
                    const int64_t a0 = std::max(pw.m0, jw), a1 = std::min(pw.m1, W + jw);
                    const float* __restrict xs = xr + pw.m0 - jw;  // xs[m - m0] = x[m - jw]
                    float* __restrict a_0 = acc[0];
                    float* __restrict a_1 = acc[NB > 1 ? 1 : 0];
                    float* __restrict a_2 = acc[NB > 2 ? 2 : 0];
                    float* __restrict a_3 = acc[NB > 3 ? 3 : 0];
#pragma omp simd
                    for (int64_t i = a0 - pw.m0; i < a1 - pw.m0; ++i) {
                      const float v = xs[i];
                      a_0[i] += wv[0] * v;
                      if constexpr (NB > 1) a_1[i] += wv[1] * v;
                      if constexpr (NB > 2) a_2[i] += wv[2] * v;
                      if constexpr (NB > 3) a_3[i] += wv[3] * v;
                    }
                  }
                }
              }
            }
            const int64_t ow0 = pw.m0 * sw + qw - g.pad[2];
            for (int b = 0; b < NB; ++b) {
              float* yr = t.y + b * out_size + (od * OH + oh) * OW + ow0;
              const float bias = t.bias ? t.bias[b] : 0.0f;
              for (int64_t i = 0; i < width; ++i) yr[i * sw] = acc[b][i] + bias;
            }
          }
        }
      }
    }
  }
}

#define CONVT_SUBPIXEL_DISPATCH(t) \
  switch ((t).nb) {                \
    case 1:                        \
      return phase_block<1>(t);    \
    case 2:                        \
      return phase_block<2>(t);    \
    case 3:                        \
      return phase_block<3>(t);    \
    default:                       \
      return phase_block<4>(t);    \
  }

CONVT_AVX512 void run_avx512(const Task& t){CONVT_SUBPIXEL_DISPATCH(t)} CONVT_AVX2
    void run_avx2(const Task& t) {
  CONVT_SUBPIXEL_DISPATCH(t)
}
void run_portable(const Task& t) { CONVT_SUBPIXEL_DISPATCH(t) }

}  // namespace

std::optional<std::string> subpixel_not_applicable(const Layer& layer) {
  if (auto why = rank_reason(layer, "subpixel")) return why;
  const Geometry g = geometry(layer);
  for (size_t i = 0; i < g.rank(); ++i)
    if (g.dilations[i] != 1)
      return "subpixel needs dilation 1 (this layer has " + shape_to_string(g.dilations) +
             "): with dilation d the taps reaching a phase are those with k * d = q mod stride, "
             "no longer every stride-th tap of the kernel, and where d and the stride share a "
             "factor some phases get no taps at all, so the phases are not plain small "
             "convolutions; direct and col2im compute it";
  return std::nullopt;
}

std::unique_ptr<Kernel> prepare_subpixel(const Layer& layer) {
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
        const size_t acc_floats = size_t(kBlock * (g3.out[2] / g3.stride[2] + 2));
#pragma omp parallel if (parallel && tasks > 1)
        {
          std::vector<float> acc(acc_floats);
#pragma omp for schedule(dynamic)
          for (int64_t task = 0; task < tasks; ++task) {
            const int64_t n = task / (g.groups * blocks);
            const int64_t grp = (task / blocks) % g.groups;
            const int64_t m0 = (task % blocks) * kBlock;
            const Task t{&g3,
                         x + (n * g.in_channels + grp * cg) * in_size,
                         w + (grp * cg * mg + m0) * K,
                         b ? b + grp * mg + m0 : nullptr,
                         y + (n * g.out_channels + grp * mg + m0) * out_size,
                         acc.data(),
                         cg,
                         mg,
                         std::min<int64_t>(kBlock, mg - m0)};
            run(t);
          }
        }
      });
}

AlgorithmText subpixel_text() {
  return {"Phase decomposition: one small stride-1 convolution per output phase, interleaved",
          "With stride s, output pixel o = m * s + q - pad belongs to phase q, and only the taps "
          "k = q + s * j reach it, so each of the s^2 phases (s in 1-D) is an ordinary stride-1 "
          "convolution of the input with a sub-kernel of about (K/s)^2 taps (Shi et al., arXiv "
          "1609.05158: a sub-pixel convolution). It computes each phase row for four output "
          "channels in small accumulators and stores it, strided, into the interleaved output. "
          "Compared with zero insertion (upsample with s-1 zeros, then convolve) it skips the "
          "(s^2 - 1)/s^2 of the multiplications that would hit zeros; compared with the scatter it "
          "writes every output once instead of once per tap and reads the input contiguously at "
          "any stride. Extra memory: 4 * 4 * (OW/sW + 1) bytes per thread of accumulators. It wins "
          "at stride 2 and up (DCGAN and U-Net decoders); at stride 1 it is a plain direct "
          "convolution. It needs dilation 1. Numerics: float accumulation per output over channels "
          "and taps; the error grows with sqrt(C/g * taps per output), like a direct convolution."};
}

}  // namespace algoscope::ops::conv_transpose
