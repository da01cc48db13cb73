// Depthwise convolution (group == input channels, as in MobileNet; Howard et al. 2017): every
// output channel oc = c * M + m is one KHxKW filter plane slid over the single input channel c, so
// there is no reduction over channels and nothing for a GEMM to share; im2col turns such a layer
// into C tiny matrix products. Here output pixels are SIMD vectors of consecutive pixels of a row,
// each tap one broadcast weight times the input row shifted by the tap. Kernels of height 3, 5 and
// 7 at equal strides 1 or 2 (MobileNet's, EfficientNet's and ConvNeXt's layers) run in register
// blocks of several output rows by up to four vectors: with one kernel column's weights in
// registers, each input row is loaded once and feeds every block row it lies under, so a 7x7
// kernel does several FMAs per load instead of one; rows of at most 8 pixels (7x7 images) use
// 8-lane vectors even at AVX-512; stride 2 first splits each input plane into its even and odd
// columns (a per-thread workspace plane) so that its loads are unit-stride too. Other kernels run
// a row (or two) at a time, stride 2 de-interleaving two loads with a permute. Vectors whose
// window reaches into the padding load through masks that zero the columns outside the row, and
// padding rows are skipped, so the input is never padded. Strides other than 1 and 2 run a scalar
// loop. OpenMP splits the (image, output channel) planes among threads. 1-D layers run as height 1.
#include <immintrin.h>
#include <omp.h>

#include <algorithm>
#include <cstdint>
#include <utility>

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

// ------------------------------------------------------------------------------------------
// Row blocks: R output rows x V vectors of one plane in R*V accumulators, for kernel heights 3, 5
// and 7 with equal strides 1 or 2 and row dilation 1 (the MobileNet, EfficientNet and ConvNeXt
// layers). For each kernel column the KH weights of that column sit in registers; every input row
// the block touches is loaded once per column and feeds each block row it lies under (one input
// row serves up to KH output rows at stride 1), so a 7x7 block of 5 rows does 35 FMAs per 11
// loads where the row-at-a-time loop does 7 per 7. Rows of the image's top and bottom padding are
// skipped, columns outside the row are masked off in the loads, as above. Everything indexed by
// block row and kernel row is a compile-time constant after unrolling, so the accumulators stay in
// registers.
//
// Stride 2 first splits the input plane into its even and odd columns (phase planes, in the
// workspace): input column 2*ow + d is column ow + floor(d/2) of phase d mod 2, so every kernel
// column reads one phase plane at unit stride, one plain load per vector where de-interleaving
// in the loop costs two loads and a permute for every kernel column and row.
using BlockFn = void (*)(const Plane&, const float*, const float*, float, int64_t, int64_t, int64_t,
                         float*);

// The most block rows whose accumulators fit beside the KH weights and the loads' registers.
constexpr int block_rows(int registers, int K, int V) {
  return std::clamp((registers - K - 2) / V, 1, 8);
}

// Where kernel column kw of a block starting at output column ow0 reads: rows of `pitch` floats
// from `base`, `width` of them real, starting at column `col` (negative in the left padding).
struct ColumnSource {
  const float* base;
  int64_t pitch, width, col;
};

template <int S>
inline ColumnSource column_source(const Plane& p, const float* x, int64_t ow0, int64_t kw) {
  if constexpr (S == 1) {
    return {x, p.W, p.W, ow0 - p.PL + kw * p.DW};
  } else {
    const int64_t d = kw * p.DW - p.PL, phase = d & 1;  // & 1: the phase of negative d too
    const int64_t even = (p.W + 1) / 2, width = phase ? p.W / 2 : even;
    return {phase ? x + p.H * even : x, width, width, ow0 + (d - phase) / 2};
  }
}

// Rows [oh0, oh0 + R) x pixels [ow0, ow0 + n) (0 < n <= 16 * V, every vector non-empty); for
// stride 2, x holds the phase planes.
template <int K, int S, int R, int V>
DEPTHWISE_AVX512 void block_avx512(const Plane& p, const float* x, const float* w, float bias,
                                   int64_t oh0, int64_t ow0, int64_t n, float* y) {
  constexpr int kInputRows = S * (R - 1) + K;
  __m512 acc[R][V];
#pragma GCC unroll 8
  for (int r = 0; r < R; ++r)
#pragma GCC unroll 4
    for (int j = 0; j < V; ++j) acc[r][j] = _mm512_set1_ps(bias);
  const int64_t top = oh0 * S - p.PT;  // the input row under block row 0, kernel row 0
  for (int64_t kw = 0; kw < p.KW; ++kw) {
    __m512 wk[K];
#pragma GCC unroll 7
    for (int kh = 0; kh < K; ++kh) wk[kh] = _mm512_set1_ps(w[kh * p.KW + kw]);
    const ColumnSource src = column_source<S>(p, x, ow0, kw);
    __mmask16 valid[V];
#pragma GCC unroll 4
    for (int j = 0; j < V; ++j) {
      const int64_t col = src.col + 16 * j, nj = std::min<int64_t>(16, n - 16 * j);
      valid[j] = static_cast<__mmask16>(
          bit_range(std::max<int64_t>(0, -col), std::min<int64_t>(nj, src.width - col)));
    }
#pragma GCC unroll 32
    for (int i = 0; i < kInputRows; ++i) {
      const int64_t row = top + i;
      if (row < 0 || row >= p.H) continue;  // zero padding: contributes nothing
      const float* xr = src.base + row * src.pitch + src.col;
#pragma GCC unroll 4
      for (int j = 0; j < V; ++j) {
        const __m512 v = _mm512_maskz_loadu_ps(valid[j], xr + 16 * j);
#pragma GCC unroll 8
        for (int r = 0; r < R; ++r) {
          const int kh = i - S * r;
          if (kh >= 0 && kh < K) acc[r][j] = _mm512_fmadd_ps(wk[kh], v, acc[r][j]);
        }
      }
    }
  }
#pragma GCC unroll 8
  for (int r = 0; r < R; ++r)
#pragma GCC unroll 4
    for (int j = 0; j < V; ++j) {
      const int64_t nj = std::min<int64_t>(16, n - 16 * j);
      _mm512_mask_storeu_ps(y + (oh0 + r) * p.OW + ow0 + 16 * j,
                            static_cast<__mmask16>(bit_range(0, nj)), acc[r][j]);
    }
}

// The input rows of one AVX2 block for one kernel column: plain loads when every lane of every
// vector lies inside the row (the common case), else loads through lane masks computed once per
// column rather than per load.
template <int K, int S, int R, int V, bool Masked>
DEPTHWISE_AVX2 __attribute__((always_inline)) inline void rows_avx2(
    const Plane& p, const ColumnSource& src, int64_t top, const __m256 (&wk)[K],
    const __m256i (&mask)[V], __m256 (&acc)[R][V]) {
  constexpr int kInputRows = S * (R - 1) + K;
#pragma GCC unroll 32
  for (int i = 0; i < kInputRows; ++i) {
    const int64_t row = top + i;
    if (row < 0 || row >= p.H) continue;  // zero padding: contributes nothing
    const float* xr = src.base + row * src.pitch + src.col;
#pragma GCC unroll 4
    for (int j = 0; j < V; ++j) {
      const __m256 v =
          Masked ? _mm256_maskload_ps(xr + 8 * j, mask[j]) : _mm256_loadu_ps(xr + 8 * j);
#pragma GCC unroll 8
      for (int r = 0; r < R; ++r) {
        const int kh = i - S * r;
        if (kh >= 0 && kh < K) acc[r][j] = _mm256_fmadd_ps(wk[kh], v, acc[r][j]);
      }
    }
  }
}

// The same with 8-pixel AVX2 vectors (16 registers, so fewer rows per block).
template <int K, int S, int R, int V>
DEPTHWISE_AVX2 void block_avx2(const Plane& p, const float* x, const float* w, float bias,
                               int64_t oh0, int64_t ow0, int64_t n, float* y) {
  __m256 acc[R][V];
#pragma GCC unroll 8
  for (int r = 0; r < R; ++r)
#pragma GCC unroll 4
    for (int j = 0; j < V; ++j) acc[r][j] = _mm256_set1_ps(bias);
  const int64_t top = oh0 * S - p.PT;
  for (int64_t kw = 0; kw < p.KW; ++kw) {
    __m256 wk[K];
#pragma GCC unroll 7
    for (int kh = 0; kh < K; ++kh) wk[kh] = _mm256_broadcast_ss(w + kh * p.KW + kw);
    const ColumnSource src = column_source<S>(p, x, ow0, kw);
    // Plain loads when all the V * 8 columns they read lie inside the row.
    const bool full = n == 8 * V && src.col >= 0 && src.col + 8 * V <= src.width;
    __m256i mask[V];
    if (full) {
      rows_avx2<K, S, R, V, false>(p, src, top, wk, mask, acc);
    } else {
#pragma GCC unroll 4
      for (int j = 0; j < V; ++j) {
        const int64_t col = src.col + 8 * j, nj = std::min<int64_t>(8, n - 8 * j);
        mask[j] = lane_mask(
            bit_range(std::max<int64_t>(0, -col), std::min<int64_t>(nj, src.width - col)));
      }
      rows_avx2<K, S, R, V, true>(p, src, top, wk, mask, acc);
    }
  }
#pragma GCC unroll 8
  for (int r = 0; r < R; ++r)
#pragma GCC unroll 4
    for (int j = 0; j < V; ++j) {
      const int64_t nj = std::min<int64_t>(8, n - 8 * j);
      float* out = y + (oh0 + r) * p.OW + ow0 + 8 * j;
      if (nj == 8)
        _mm256_storeu_ps(out, acc[r][j]);
      else
        _mm256_maskstore_ps(out, lane_mask(bit_range(0, nj)), acc[r][j]);
    }
}

// Even columns of every row of the plane to ws (rows of (W + 1) / 2), odd ones after them (rows
// of W / 2).
DEPTHWISE_AVX512 void split_columns_avx512(const Plane& p, const float* x, float* ws) {
  const int64_t even = (p.W + 1) / 2, odd = p.W / 2;
  const __m512i ie = _mm512_set_epi32(30, 28, 26, 24, 22, 20, 18, 16, 14, 12, 10, 8, 6, 4, 2, 0);
  const __m512i io = _mm512_set_epi32(31, 29, 27, 25, 23, 21, 19, 17, 15, 13, 11, 9, 7, 5, 3, 1);
  for (int64_t h = 0; h < p.H; ++h) {
    const float* xr = x + h * p.W;
    float* er = ws + h * even;
    float* orow = ws + p.H * even + h * odd;
    for (int64_t c = 0; c < p.W; c += 32) {
      const auto m = [](int64_t k) { return static_cast<__mmask16>(bit_range(0, k)); };
      const __m512 lo = _mm512_maskz_loadu_ps(m(p.W - c), xr + c);
      const __m512 hi = _mm512_maskz_loadu_ps(m(p.W - c - 16), xr + c + 16);
      _mm512_mask_storeu_ps(er + c / 2, m(even - c / 2), _mm512_permutex2var_ps(lo, ie, hi));
      _mm512_mask_storeu_ps(orow + c / 2, m(odd - c / 2), _mm512_permutex2var_ps(lo, io, hi));
    }
  }
}

DEPTHWISE_AVX2 void split_columns_avx2(const Plane& p, const float* x, float* ws) {
  const int64_t even = (p.W + 1) / 2, odd = p.W / 2;
  for (int64_t h = 0; h < p.H; ++h) {
    const float* xr = x + h * p.W;
    float* er = ws + h * even;
    float* orow = ws + p.H * even + h * odd;
    int64_t c = 0;
    for (; c + 16 <= p.W; c += 16) {
      const __m256 lo = _mm256_loadu_ps(xr + c), hi = _mm256_loadu_ps(xr + c + 8);
      // [l0 l2 h0 h2 | l4 l6 h4 h6] -> [l0 l2 l4 l6 h0 h2 h4 h6], the same for the odd ones.
      const __m256 e = _mm256_shuffle_ps(lo, hi, _MM_SHUFFLE(2, 0, 2, 0));
      const __m256 o = _mm256_shuffle_ps(lo, hi, _MM_SHUFFLE(3, 1, 3, 1));
      _mm256_storeu_ps(er + c / 2, _mm256_castpd_ps(_mm256_permute4x64_pd(
                                       _mm256_castps_pd(e), _MM_SHUFFLE(3, 1, 2, 0))));
      _mm256_storeu_ps(orow + c / 2, _mm256_castpd_ps(_mm256_permute4x64_pd(
                                         _mm256_castps_pd(o), _MM_SHUFFLE(3, 1, 2, 0))));
    }
    if (c + 8 <= p.W) {  // [x0 x2 x4 x6 | x1 x3 x5 x7]
      const __m256 v = _mm256_permutevar8x32_ps(_mm256_loadu_ps(xr + c),
                                                _mm256_setr_epi32(0, 2, 4, 6, 1, 3, 5, 7));
      _mm_storeu_ps(er + c / 2, _mm256_castps256_ps128(v));
      _mm_storeu_ps(orow + c / 2, _mm256_extractf128_ps(v, 1));
      c += 8;
    }
    for (; c < p.W; ++c) (c % 2 ? orow : er)[c / 2] = xr[c];
  }
}

// A plane cut into blocks of `rows` rows and chunks of `vectors` vectors of `lanes` pixels;
// fns[v - 1][r - 1] computes r rows of a chunk of v vectors (the last block and chunk may be
// smaller). Stride 2 reads phase planes that `split` makes.
using SplitFn = void (*)(const Plane&, const float*, float*);
struct Tiling {
  int lanes = 0, vectors = 0, rows = 0;
  BlockFn fns[4][8] = {};
  SplitFn split = nullptr;
  explicit operator bool() const { return lanes != 0; }
};

template <int K, int S, int V, size_t... I>
void fill_avx512(Tiling& t, std::index_sequence<I...>) {
  ((t.fns[V - 1][I] = block_avx512<K, S, int(I) + 1, V>), ...);
}
template <int K, int S, int V, size_t... I>
void fill_avx2(Tiling& t, std::index_sequence<I...>) {
  ((t.fns[V - 1][I] = block_avx2<K, S, int(I) + 1, V>), ...);
}

// AVX-512 takes chunks of up to 4 vectors (64 pixels). AVX2, with half the registers, takes one
// vector and more rows (8 for 3x3 and 5x5, 7 for 7x7): it measured faster than 2 vectors by 3-5
// rows, since each load then feeds more FMAs. At the AVX-512 level, rows of at most 8 pixels (7x7
// images) run the 8-lane kernel: a 16-lane vector would be more than half padding.
template <int K, int S>
Tiling tiling_for(bool avx512, int64_t out_width) {
  Tiling t;
  const bool wide = avx512 && out_width > 8;
  t.lanes = wide ? 16 : 8;
  const int64_t vectors = (out_width + t.lanes - 1) / t.lanes;
  const int64_t most = wide ? 4 : 1;
  const int64_t chunks = (vectors + most - 1) / most;
  t.vectors = static_cast<int>((vectors + chunks - 1) / chunks);
  if (wide) {
    fill_avx512<K, S, 1>(t, std::make_index_sequence<block_rows(32, K, 1)>());
    fill_avx512<K, S, 2>(t, std::make_index_sequence<block_rows(32, K, 2)>());
    fill_avx512<K, S, 3>(t, std::make_index_sequence<block_rows(32, K, 3)>());
    fill_avx512<K, S, 4>(t, std::make_index_sequence<block_rows(32, K, 4)>());
    t.rows = block_rows(32, K, t.vectors);
  } else {
    fill_avx2<K, S, 1>(t, std::make_index_sequence<block_rows(16, K, 1)>());
    t.rows = block_rows(16, K, t.vectors);
  }
  if (S == 2) t.split = avx512 ? split_columns_avx512 : split_columns_avx2;
  return t;
}

// The stride-2 blocked kernels (phase planes made by split_columns_*) are off: under
// AddressSanitizer the AVX2 split read through a wild pointer (ConvDepthwise.WideRows* at the
// AVX2 level), a fault the plain build does not show. Until it is understood, stride 2 takes the
// row-at-a-time kernels and needs no workspace.
constexpr bool kStrideTwoBlocked = false;

// The blocked kernels run layers with kernel height 3, 5 or 7, equal strides 1 or 2 and row
// dilation 1; others (and the portable level) take the row-at-a-time kernels.
Tiling choose_tiling(cpu::IsaLevel level, const Plane& p) {
  if (level == cpu::IsaLevel::Portable || p.DH != 1 || p.SH != p.SW || p.SH > 2) return {};
  if (p.SH == 2 && !kStrideTwoBlocked) return {};
  const bool avx512 = level == cpu::IsaLevel::Avx512;
  const bool s1 = p.SH == 1;
  switch (p.KH) {
    case 3:
      return s1 ? tiling_for<3, 1>(avx512, p.OW) : tiling_for<3, 2>(avx512, p.OW);
    case 5:
      return s1 ? tiling_for<5, 1>(avx512, p.OW) : tiling_for<5, 2>(avx512, p.OW);
    case 7:
      return s1 ? tiling_for<7, 1>(avx512, p.OW) : tiling_for<7, 2>(avx512, p.OW);
    default:
      return {};
  }
}

void plane_blocked(const Tiling& t, const Plane& p, const float* x, const float* w, float bias,
                   float* y) {
  // Blocks of nearly equal height: 56 rows at most 5 per block are 12 blocks of 4 or 5, not 11
  // of 5 and a lone row whose block reloads all its kernel rows for one output row.
  const int64_t blocks = (p.OH + t.rows - 1) / t.rows;
  const int64_t chunk = int64_t(t.lanes) * t.vectors;
  for (int64_t b = 0; b < blocks; ++b) {
    const int64_t oh0 = b * p.OH / blocks, r = (b + 1) * p.OH / blocks - oh0;
    for (int64_t ow0 = 0; ow0 < p.OW; ow0 += chunk) {
      const int64_t n = std::min(chunk, p.OW - ow0);
      const int64_t v = (n + t.lanes - 1) / t.lanes;
      t.fns[v - 1][r - 1](p, x, w, bias, oh0, ow0, n, y);
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

namespace {

// Threads that get phase planes in the workspace. Sessions set the thread count only at run
// time, so the workspace is sized for every processor; more threads than that gain nothing.
int64_t phase_slots() { return std::max(1, omp_get_num_procs()); }

}  // namespace

size_t depthwise_workspace_bytes(const Layer& layer) {
  const ConvGeometry g = conv_geometry(layer);
  const Plane p = plane_of(g.window);
  // The stride-2 blocked kernels' phase planes (choose_tiling), at any SIMD level.
  const bool phases = kStrideTwoBlocked && p.SH == 2 && p.SW == 2 && p.DH == 1 &&
                      (p.KH == 3 || p.KH == 5 || p.KH == 7);
  return phases ? size_t(phase_slots() * p.in_size()) * sizeof(float) : 0;
}

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
  const Tiling tiling = choose_tiling(cpu::active_level(), p);
  const Epilogue epilogue = Epilogue::of(layer);
  // W [C*M, 1, KH, KW] already holds each output channel's filter plane contiguously: nothing to
  // reorder, so constant and runtime weights take the same path.
  return make_kernel([g, p, fn, tiling, epilogue](KernelIO& io) {
    const float* x = io.inputs[0]->data<float>();
    const float* w = io.inputs[1]->data<float>();
    const float* b = optional_float_input(io, 2, g.has_bias);
    float* y = io.outputs[0]->data<float>();
    const int64_t multiplier = g.out_channels / g.in_channels;
    const int64_t in_size = p.H * p.W, out_size = p.OH * p.OW, taps = p.KH * p.KW;
    const int64_t planes = g.batch * g.out_channels;
    const int threads = static_cast<int>(std::min<int64_t>(omp_get_max_threads(), phase_slots()));
#pragma omp parallel num_threads(threads)
    {
      // A caller that gave no workspace gets the row-at-a-time stride-2 kernels instead.
      float* phases = tiling.split && io.workspace
                          ? static_cast<float*>(io.workspace) + omp_get_thread_num() * in_size
                          : nullptr;
      int64_t split_of = -1;  // the input plane now in `phases`
#pragma omp for schedule(static)
      for (int64_t t = 0; t < planes; ++t) {
        const int64_t n = t / g.out_channels, oc = t % g.out_channels;
        const int64_t c = oc / multiplier;
        const int64_t in = n * g.in_channels + c;
        const float* xc = x + in * in_size;
        float* yt = y + t * out_size;
        const float bias = b ? b[oc] : 0.0f;
        if (phases) {
          // A channel multiplier M > 1 gives M consecutive planes of one input: split it once.
          if (split_of != in) tiling.split(p, xc, phases), split_of = in;
          plane_blocked(tiling, p, phases, w + oc * taps, bias, yt);
        } else if (tiling && !tiling.split) {
          plane_blocked(tiling, p, xc, w + oc * taps, bias, yt);
        } else {
          fn(p, xc, w + oc * taps, bias, yt);
        }
        epilogue.apply(yt, out_size);  // the fused activation, while in cache
      }
    }
  });
}

AlgorithmText depthwise_text() {
  return {
      "Per-channel filter planes slid along SIMD rows, for group == channels (MobileNet)",
      "When group equals the input channel count, every output channel oc = c*M + m (channel "
      "multiplier M >= 1) is one KHxKW filter slid over the single input channel c: there is no "
      "sum over channels, so a GEMM has nothing to share and im2col runs C tiny matrix "
      "products. Here output pixels are computed in SIMD vectors of consecutive pixels of a row "
      "(16 with AVX-512, 8 with AVX2, chosen at run time): for every tap, a broadcast weight "
      "times the shifted input row. For 3x3, 5x5 and 7x7 kernels at stride 1 or 2 a block of "
      "several output rows by up to four vectors stays in registers with one kernel column's "
      "weights, and each input row is loaded once for every block row it lies under (one row "
      "serves up to 7 output rows of a 7x7), so bigger kernels run at least as many FLOPs per "
      "second as 3x3; 7x7 images use 8-lane vectors; stride 2 first splits each input plane into "
      "its even and odd columns so that every load is unit-stride. Other kernels go a row or two "
      "at a time (stride 2 de-interleaving two loads with a permute), other strides run scalar. "
      "Columns outside the row load through masks that zero them and padding rows are skipped: "
      "the input is never padded. OpenMP over (image, output channel). 1-D and 2-D layers. "
      "Extra memory: none, except H*W floats per processor for the stride-2 3x3/5x5/7x7 layers' "
      "even/odd planes (W is read in place, constant or not). It wins on most depthwise layers; "
      "oneDNN can be faster on the smallest (7x7 images, or 14x14 at stride 2). Each input and "
      "output element moves once per plane (2*KH*KW FLOPs per 8 bytes), so small kernels are "
      "bound by memory and expect GFLOP/s far below a GEMM's. "
      "Numerics: float FMAs over the KH*KW taps, bias first."};
}

}  // namespace algoscope::ops::conv
