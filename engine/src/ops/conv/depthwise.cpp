// Depthwise convolution (group == input channels, as in MobileNet; Howard et al. 2017): every
// output channel oc = c * M + m is one KHxKW filter plane slid over the single input channel c, so
// there is no reduction over channels and nothing for a GEMM to share; im2col turns such a layer
// into C tiny matrix products. Here each output row is computed in SIMD vectors of consecutive
// output pixels: for every kernel tap inside the input, one broadcast weight times the input row
// shifted by the tap (stride 2 de-interleaves two loads with a permute), accumulated in registers,
// four vectors at a time. Vectors whose window reaches into the padding load through masks that
// zero the columns outside the row, and rows clip their kernel-row range, so the input is never
// copied or padded. Strides other than 1 and 2 run a scalar loop. OpenMP splits the (image, output
// channel) planes among threads. 1-D layers run as height 1.
#include <immintrin.h>

#include <algorithm>
#include <cstdint>

#include "ops/common.h"
#include "ops/conv/conv.h"
#include "ops/conv/plane2d.h"

namespace algoscope::ops::conv {

namespace {

#define DEPTHWISE_AVX512 __attribute__((target("avx512f,avx512bw,avx512vl,avx512dq,fma")))
#define DEPTHWISE_AVX2 __attribute__((target("avx2,fma")))

// One plane's geometry (a 1-D layer has height 1) and its interior columns [a, b): the output
// columns whose every kernel tap lands inside the input row.
struct Plane : Plane2d {
  int64_t a = 0, b = 0;
};

Plane plane_of(const Window& w) {
  Plane p{to_plane2d(w)};
  p.interior_columns(p.a, p.b);
  return p;
}

// Kernel rows [lo, hi) of output row oh that land inside the input.
inline void row_taps(const Plane& p, int64_t oh, int64_t& base, int64_t& lo, int64_t& hi) {
  base = oh * p.SH - p.PT;
  lo = base >= 0 ? 0 : (-base + p.DH - 1) / p.DH;
  hi = p.H - 1 - base < 0 ? 0 : std::min(p.KH, (p.H - 1 - base) / p.DH + 1);
  hi = std::max(hi, lo);
}

// Output columns [from, to) of one row, one pixel at a time: the portable level, and strides other
// than 1 and 2 on every level.
inline void row_scalar(const Plane& p, const float* x, const float* w, float bias, int64_t base,
                       int64_t kh_lo, int64_t kh_hi, int64_t from, int64_t to, float* y) {
  for (int64_t ow = from; ow < to; ++ow) {
    const int64_t col = ow * p.SW - p.PL;
    float acc = bias;
    for (int64_t kh = kh_lo; kh < kh_hi; ++kh) {
      const float* xr = x + (base + kh * p.DH) * p.W;
      const float* wr = w + kh * p.KW;
      // A bounds test per tap, not a division per pixel: borders are a few pixels wide.
      for (int64_t kw = 0, i = col; kw < p.KW; ++kw, i += p.DW)
        if (static_cast<uint64_t>(i) < static_cast<uint64_t>(p.W)) acc += wr[kw] * xr[i];
    }
    y[ow] = acc;
  }
}

void plane_portable(const Plane& p, const float* x, const float* w, float bias, float* y) {
  for (int64_t oh = 0; oh < p.OH; ++oh) {
    int64_t base, lo, hi;
    row_taps(p, oh, base, lo, hi);
    row_scalar(p, x, w, bias, base, lo, hi, 0, p.OW, y + oh * p.OW);
  }
}

// ------------------------------------------------------------------------------------------
// AVX-512. A vector holds 16 consecutive output pixels of a row. Interior vectors (every tap of
// every pixel inside the row) load plainly; the others (left and right edges, the row's last
// partial vector) load through masks that zero the input columns outside the row, which is
// exactly the zero padding, so one code path covers them. Masked-off lanes are never read, so
// nothing outside the row or the buffer is touched.

// Bits [lo, hi) of a 32-bit mask, clamped to [0, 32).
inline uint32_t bit_range(int64_t lo, int64_t hi) {
  lo = std::clamp<int64_t>(lo, 0, 32);
  hi = std::clamp<int64_t>(hi, 0, 32);
  if (hi <= lo) return 0;
  const uint64_t ones = (hi - lo == 32) ? 0xFFFFFFFFull : ((1ull << (hi - lo)) - 1);
  return static_cast<uint32_t>(ones << lo);
}

// The 16 pixels whose tap reads input columns col, col + SW, ...; `valid` marks the input
// elements of the 16 * SW span that exist and are needed (bit e: column col + e).
template <int SW>
DEPTHWISE_AVX512 inline __m512 load16(const float* row, int64_t col, uint32_t valid) {
  if constexpr (SW == 1) {
    return _mm512_maskz_loadu_ps(static_cast<__mmask16>(valid), row + col);
  } else {
    const __m512 lo = _mm512_maskz_loadu_ps(static_cast<__mmask16>(valid), row + col);
    const __m512 hi = _mm512_maskz_loadu_ps(static_cast<__mmask16>(valid >> 16), row + col + 16);
    const __m512i even =
        _mm512_set_epi32(30, 28, 26, 24, 22, 20, 18, 16, 14, 12, 10, 8, 6, 4, 2, 0);
    return _mm512_permutex2var_ps(lo, even, hi);
  }
}

// Four interior vectors (64 pixels) of one row: four independent FMA chains hide the latency.
template <int SW>
DEPTHWISE_AVX512 inline void pass4_avx512(const Plane& p, const float* x0, const float* w,
                                          __m512 vb, int64_t kh_lo, int64_t kh_hi, int64_t ow,
                                          float* yr) {
  constexpr uint32_t kFull = SW == 1 ? 0xFFFFu : 0x7FFFFFFFu;
  __m512 a0 = vb, a1 = vb, a2 = vb, a3 = vb;
  for (int64_t kh = kh_lo; kh < kh_hi; ++kh) {
    const float* xr = x0 + kh * p.DH * p.W;
    const float* wr = w + kh * p.KW;
    for (int64_t kw = 0; kw < p.KW; ++kw) {
      const __m512 wv = _mm512_set1_ps(wr[kw]);
      const int64_t col = ow * SW - p.PL + kw * p.DW;
      a0 = _mm512_fmadd_ps(wv, load16<SW>(xr, col, kFull), a0);
      a1 = _mm512_fmadd_ps(wv, load16<SW>(xr, col + 16 * SW, kFull), a1);
      a2 = _mm512_fmadd_ps(wv, load16<SW>(xr, col + 32 * SW, kFull), a2);
      a3 = _mm512_fmadd_ps(wv, load16<SW>(xr, col + 48 * SW, kFull), a3);
    }
  }
  _mm512_storeu_ps(yr + ow, a0);
  _mm512_storeu_ps(yr + ow + 16, a1);
  _mm512_storeu_ps(yr + ow + 32, a2);
  _mm512_storeu_ps(yr + ow + 48, a3);
}

// The same for two consecutive output rows when the row stride and dilation are 1 and both rows
// use every kernel row: the KH+1 input rows they read are loaded once for both, so each loaded
// vector feeds two FMAs (eight chains in flight).
template <int SW>
DEPTHWISE_AVX512 inline void pass4x2_avx512(const Plane& p, const float* x0, const float* w,
                                            __m512 vb, int64_t ow, float* yr0, float* yr1) {
  constexpr uint32_t kFull = SW == 1 ? 0xFFFFu : 0x7FFFFFFFu;
  __m512 a0 = vb, a1 = vb, a2 = vb, a3 = vb, b0 = vb, b1 = vb, b2 = vb, b3 = vb;
  for (int64_t i = 0; i <= p.KH; ++i) {
    const float* xr = x0 + i * p.W;
    for (int64_t kw = 0; kw < p.KW; ++kw) {
      const int64_t col = ow * SW - p.PL + kw * p.DW;
      const __m512 v0 = load16<SW>(xr, col, kFull);
      const __m512 v1 = load16<SW>(xr, col + 16 * SW, kFull);
      const __m512 v2 = load16<SW>(xr, col + 32 * SW, kFull);
      const __m512 v3 = load16<SW>(xr, col + 48 * SW, kFull);
      if (i < p.KH) {  // kernel row i of the upper output row
        const __m512 wv = _mm512_set1_ps(w[i * p.KW + kw]);
        a0 = _mm512_fmadd_ps(wv, v0, a0);
        a1 = _mm512_fmadd_ps(wv, v1, a1);
        a2 = _mm512_fmadd_ps(wv, v2, a2);
        a3 = _mm512_fmadd_ps(wv, v3, a3);
      }
      if (i > 0) {  // kernel row i - 1 of the lower one
        const __m512 wv = _mm512_set1_ps(w[(i - 1) * p.KW + kw]);
        b0 = _mm512_fmadd_ps(wv, v0, b0);
        b1 = _mm512_fmadd_ps(wv, v1, b1);
        b2 = _mm512_fmadd_ps(wv, v2, b2);
        b3 = _mm512_fmadd_ps(wv, v3, b3);
      }
    }
  }
  _mm512_storeu_ps(yr0 + ow, a0);
  _mm512_storeu_ps(yr0 + ow + 16, a1);
  _mm512_storeu_ps(yr0 + ow + 32, a2);
  _mm512_storeu_ps(yr0 + ow + 48, a3);
  _mm512_storeu_ps(yr1 + ow, b0);
  _mm512_storeu_ps(yr1 + ow + 16, b1);
  _mm512_storeu_ps(yr1 + ow + 32, b2);
  _mm512_storeu_ps(yr1 + ow + 48, b3);
}

// n (1..16) pixels of one row from ow, masked at the edges.
template <int SW>
DEPTHWISE_AVX512 inline void vector_avx512(const Plane& p, const float* x0, const float* w,
                                           __m512 vb, int64_t kh_lo, int64_t kh_hi, int64_t ow,
                                           int64_t n, float* yr) {
  const bool interior = ow >= p.a && ow + n <= p.b;
  __m512 acc = vb;
  for (int64_t kh = kh_lo; kh < kh_hi; ++kh) {
    const float* xr = x0 + kh * p.DH * p.W;
    const float* wr = w + kh * p.KW;
    for (int64_t kw = 0; kw < p.KW; ++kw) {
      const int64_t col = ow * SW - p.PL + kw * p.DW;
      // Elements [0, SW*(n-1)+1) of the span are needed, those in [-col, W-col) exist.
      const uint32_t valid = interior ? bit_range(0, SW * (n - 1) + 1)
                                      : bit_range(std::max<int64_t>(0, -col),
                                                  std::min<int64_t>(SW * (n - 1) + 1, p.W - col));
      acc = _mm512_fmadd_ps(_mm512_set1_ps(wr[kw]), load16<SW>(xr, col, valid), acc);
    }
  }
  _mm512_mask_storeu_ps(yr + ow, static_cast<__mmask16>(bit_range(0, n)), acc);
}

template <int SW>
DEPTHWISE_AVX512 void plane_avx512(const Plane& p, const float* x, const float* w, float bias,
                                   float* y) {
  const __m512 vb = _mm512_set1_ps(bias);
  const bool pairs = p.SH == 1 && p.DH == 1;
  for (int64_t oh = 0; oh < p.OH;) {
    int64_t base, kh_lo, kh_hi, base1, kh_lo1, kh_hi1;
    row_taps(p, oh, base, kh_lo, kh_hi);
    const float* x0 = x + base * p.W;  // input row of kernel row 0 (may lie in the padding)
    float* yr = y + oh * p.OW;
    bool pair = false;
    if (pairs && oh + 1 < p.OH) {
      row_taps(p, oh + 1, base1, kh_lo1, kh_hi1);
      pair = kh_lo == 0 && kh_hi == p.KH && kh_lo1 == 0 && kh_hi1 == p.KH;
    }
    for (int64_t ow = 0; ow < p.OW;) {
      if (ow >= p.a && ow + 64 <= p.b) {
        if (pair)
          pass4x2_avx512<SW>(p, x0, w, vb, ow, yr, yr + p.OW);
        else
          pass4_avx512<SW>(p, x0, w, vb, kh_lo, kh_hi, ow, yr);
        ow += 64;
      } else {
        const int64_t n = std::min<int64_t>(16, p.OW - ow);
        vector_avx512<SW>(p, x0, w, vb, kh_lo, kh_hi, ow, n, yr);
        if (pair) vector_avx512<SW>(p, x0 + p.W, w, vb, 0, p.KH, ow, n, yr + p.OW);
        ow += n;
      }
    }
    oh += pair ? 2 : 1;
  }
}

// ------------------------------------------------------------------------------------------
// AVX2: the same with 8-pixel vectors; masked loads through vmaskmovps (no fault past the mask).
DEPTHWISE_AVX2 inline __m256i lane_mask(uint32_t bits) {
  const __m256i lanes = _mm256_setr_epi32(1, 2, 4, 8, 16, 32, 64, 128);
  const __m256i b = _mm256_set1_epi32(static_cast<int>(bits & 0xFF));
  return _mm256_cmpeq_epi32(_mm256_and_si256(b, lanes), lanes);
}

template <int SW>
DEPTHWISE_AVX2 inline __m256 load8(const float* row, int64_t col, uint32_t valid) {
  if constexpr (SW == 1) {
    return (valid & 0xFF) == 0xFF ? _mm256_loadu_ps(row + col)
                                  : _mm256_maskload_ps(row + col, lane_mask(valid));
  } else {
    const __m256 lo = (valid & 0xFF) == 0xFF ? _mm256_loadu_ps(row + col)
                                             : _mm256_maskload_ps(row + col, lane_mask(valid));
    const __m256 hi = _mm256_maskload_ps(row + col + 8, lane_mask(valid >> 8));
    // [l0 l2 h0 h2 | l4 l6 h4 h6] -> [l0 l2 l4 l6 h0 h2 h4 h6]
    const __m256 even = _mm256_shuffle_ps(lo, hi, _MM_SHUFFLE(2, 0, 2, 0));
    return _mm256_castpd_ps(_mm256_permute4x64_pd(_mm256_castps_pd(even), _MM_SHUFFLE(3, 1, 2, 0)));
  }
}

template <int SW>
DEPTHWISE_AVX2 void plane_avx2(const Plane& p, const float* x, const float* w, float bias,
                               float* y) {
  const __m256 vb = _mm256_set1_ps(bias);
  constexpr uint32_t kFull = SW == 1 ? 0xFFu : 0x7FFFu;
  for (int64_t oh = 0; oh < p.OH; ++oh) {
    int64_t base, kh_lo, kh_hi;
    row_taps(p, oh, base, kh_lo, kh_hi);
    float* yr = y + oh * p.OW;
    const float* x0 = x + base * p.W;
    int64_t ow = 0;
    while (ow < p.OW) {
      if (ow >= p.a && ow + 32 <= p.b) {
        __m256 a0 = vb, a1 = vb, a2 = vb, a3 = vb;
        for (int64_t kh = kh_lo; kh < kh_hi; ++kh) {
          const float* xr = x0 + kh * p.DH * p.W;
          const float* wr = w + kh * p.KW;
          for (int64_t kw = 0; kw < p.KW; ++kw) {
            const __m256 wv = _mm256_broadcast_ss(wr + kw);
            const int64_t col = ow * SW - p.PL + kw * p.DW;
            a0 = _mm256_fmadd_ps(wv, load8<SW>(xr, col, kFull), a0);
            a1 = _mm256_fmadd_ps(wv, load8<SW>(xr, col + 8 * SW, kFull), a1);
            a2 = _mm256_fmadd_ps(wv, load8<SW>(xr, col + 16 * SW, kFull), a2);
            a3 = _mm256_fmadd_ps(wv, load8<SW>(xr, col + 24 * SW, kFull), a3);
          }
        }
        _mm256_storeu_ps(yr + ow, a0);
        _mm256_storeu_ps(yr + ow + 8, a1);
        _mm256_storeu_ps(yr + ow + 16, a2);
        _mm256_storeu_ps(yr + ow + 24, a3);
        ow += 32;
        continue;
      }
      const int64_t n = std::min<int64_t>(8, p.OW - ow);
      const bool interior = ow >= p.a && ow + n <= p.b;
      __m256 acc = vb;
      for (int64_t kh = kh_lo; kh < kh_hi; ++kh) {
        const float* xr = x0 + kh * p.DH * p.W;
        const float* wr = w + kh * p.KW;
        for (int64_t kw = 0; kw < p.KW; ++kw) {
          const int64_t col = ow * SW - p.PL + kw * p.DW;
          const uint32_t valid = interior
                                     ? bit_range(0, SW * (n - 1) + 1)
                                     : bit_range(std::max<int64_t>(0, -col),
                                                 std::min<int64_t>(SW * (n - 1) + 1, p.W - col));
          acc = _mm256_fmadd_ps(_mm256_broadcast_ss(wr + kw), load8<SW>(xr, col, valid), acc);
        }
      }
      if (n == 8)
        _mm256_storeu_ps(yr + ow, acc);
      else
        _mm256_maskstore_ps(yr + ow, lane_mask(bit_range(0, n)), acc);
      ow += n;
    }
  }
}

using PlaneFn = void (*)(const Plane&, const float*, const float*, float, float*);

PlaneFn choose_plane_fn(cpu::IsaLevel level, int64_t stride) {
  if (stride == 1 || stride == 2) {
    switch (level) {
      case cpu::IsaLevel::Avx512:
        return stride == 1 ? plane_avx512<1> : plane_avx512<2>;
      case cpu::IsaLevel::Avx2:
        return stride == 1 ? plane_avx2<1> : plane_avx2<2>;
      case cpu::IsaLevel::Portable:
        break;
    }
  }
  return plane_portable;
}

}  // namespace

std::optional<std::string> depthwise_not_applicable(const Layer& layer) {
  if (auto why = plane2d_rank_reason(layer, "depthwise")) return why;
  const ConvGeometry g = conv_geometry(layer);  // valid: plane2d_rank_reason built it
  if (g.groups != g.in_channels)
    return "depthwise needs group == input channels (one filter per channel); this layer has "
           "group " +
           std::to_string(g.groups) + " and " + std::to_string(g.in_channels) + " input channels";
  return std::nullopt;
}

std::unique_ptr<Kernel> prepare_depthwise(const Layer& layer) {
  const ConvGeometry g = conv_geometry(layer);
  const Plane p = plane_of(g.window);
  const PlaneFn fn = choose_plane_fn(cpu::active_level(), p.SW);
  const Epilogue epilogue = Epilogue::of(layer);
  // W [C*M, 1, KH, KW] already holds each output channel's filter plane contiguously: nothing to
  // reorder, so constant and runtime weights take the same path.
  return make_kernel([g, p, fn, epilogue](KernelIO& io) {
    const float* x = io.inputs[0]->data<float>();
    const float* w = io.inputs[1]->data<float>();
    const float* b = optional_float_input(io, 2, g.has_bias);
    float* y = io.outputs[0]->data<float>();
    const int64_t multiplier = g.out_channels / g.in_channels;
    const int64_t in_size = p.H * p.W, out_size = p.OH * p.OW, taps = p.KH * p.KW;
    const int64_t planes = g.batch * g.out_channels;
#pragma omp parallel for schedule(static)
    for (int64_t t = 0; t < planes; ++t) {
      const int64_t n = t / g.out_channels, oc = t % g.out_channels;
      const int64_t c = oc / multiplier;
      fn(p, x + (n * g.in_channels + c) * in_size, w + oc * taps, b ? b[oc] : 0.0f,
         y + t * out_size);
      epilogue.apply(y + t * out_size, out_size);  // the fused activation, while in cache
    }
  });
}

AlgorithmText depthwise_text() {
  return {
      "Per-channel filter planes slid along SIMD rows, for group == channels (MobileNet)",
      "When group equals the input channel count, every output channel oc = c*M + m (channel "
      "multiplier M >= 1) is one KHxKW filter slid over the single input channel c: there is no "
      "sum over channels, so a GEMM has nothing to share and im2col runs C tiny matrix "
      "products. Here each output row is computed in SIMD vectors of consecutive pixels (16 "
      "with AVX-512, 8 with AVX2, chosen at run time), four vectors at a time: for every tap "
      "inside the input, a broadcast weight times the shifted input row (stride 2 de-interleaves "
      "two loads with one permute; other strides run scalar). Columns whose window reaches "
      "into the padding run a clipped scalar loop, rows clip their kernel rows; nothing is "
      "copied. OpenMP over (image, output channel). 1-D and 2-D layers. Extra memory: none "
      "(W is read in place, constant or not). It wins on every depthwise layer; it is memory-"
      "bound (about KH*KW*2 FLOPs per 8 bytes moved), so expect GFLOP/s far below a GEMM's. "
      "Numerics: float FMAs over the KH*KW taps, bias first."};
}

}  // namespace algoscope::ops::conv
