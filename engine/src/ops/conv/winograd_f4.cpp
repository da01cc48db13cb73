// Winograd F(4x4,3x3) (Lavin & Gray, arXiv 1509.09308, section 4.2): each 4x4 output tile comes
// from a 6x6 input tile with 36 multiplies per channel pair instead of 144, a 4x cut in GEMM work,
// paid for with larger transform coefficients and so a larger rounding error than F(2x2,3x3).
// The interpolation points are 0, +-1, +-1/2 and infinity, which Barabasz et al. (arXiv 1803.10986)
// found more accurate in float than Lavin's 0, +-1, +-2; the rows of B^T are scaled by powers of
// two (exact) so that it has integer entries. Tiling, GEMMs and threading live in winograd.cpp.
#include "ops/conv/conv.h"
#include "ops/conv/winograd_simd.h"

namespace algoscope::ops::conv {

namespace {

using winograd::kLanes;
using winograd::Lanes;
using winograd::load_lanes;
using winograd::store_lanes;

// G (6 x 3), applied to the filters in double at prepare time.
const double kG[18] = {1.0,      0.0,      0.0,      1.0 / 6,  1.0 / 6,  1.0 / 6,
                       1.0 / 6,  -1.0 / 6, 1.0 / 6,  -4.0 / 3, -2.0 / 3, -1.0 / 3,
                       -4.0 / 3, 2.0 / 3,  -1.0 / 3, 0.0,      0.0,      0.25};

// o = B^T d along one axis:
//   B^T = [1  0 -5  0  4  0]   o0 = d0 - 5 d2 + 4 d4
//         [0 -1 -1  4  4  0]   o1 = (4 d4 - d2) + (4 d3 - d1)
//         [0  1 -1 -4  4  0]   o2 = (4 d4 - d2) - (4 d3 - d1)
//         [0 -1 -2  1  2  0]   o3 = 2 (d4 - d2) + (d3 - d1)
//         [0  1 -2 -1  2  0]   o4 = 2 (d4 - d2) - (d3 - d1)
//         [0  1  0 -5  0  4]   o5 = d1 - 5 d3 + 4 d5
ALGOSCOPE_WINOGRAD_INLINE void bt(const Lanes* d, Lanes* o) {
  const Lanes a = 4.0f * d[4] - d[2];
  const Lanes b = 4.0f * d[3] - d[1];
  const Lanes c = 2.0f * (d[4] - d[2]);
  const Lanes e = d[3] - d[1];
  o[0] = d[0] - 5.0f * d[2] + 4.0f * d[4];
  o[1] = a + b;
  o[2] = a - b;
  o[3] = c + e;
  o[4] = c - e;
  o[5] = d[1] - 5.0f * d[3] + 4.0f * d[5];
}

// o = A^T m along one axis:
//   A^T = [1 1  1  1    1    0]
//         [0 1 -1  1/2 -1/2  0]
//         [0 1  1  1/4  1/4  0]
//         [0 1 -1  1/8 -1/8  1]
ALGOSCOPE_WINOGRAD_INLINE void at(const Lanes* m, Lanes* o) {
  const Lanes s12 = m[1] + m[2];
  const Lanes d12 = m[1] - m[2];
  const Lanes s34 = m[3] + m[4];
  const Lanes d34 = m[3] - m[4];
  o[0] = m[0] + s12 + s34;
  o[1] = d12 + 0.5f * d34;
  o[2] = s12 + 0.25f * s34;
  o[3] = d12 + 0.125f * d34 + m[5];
}

ALGOSCOPE_WINOGRAD_INLINE void input_impl(const float* strip, int width, int tiles, float* v,
                                          size_t xi_stride, size_t tile_stride) {
  for (int t = 0; t < tiles; ++t) {
    Lanes rows[6][6];  // d B: each input row transformed along x
    for (int r = 0; r < 6; ++r) {
      const float* s = strip + (size_t(r) * width + t * 4) * kLanes;
      Lanes d[6];
      for (int k = 0; k < 6; ++k) d[k] = load_lanes(s + k * kLanes);
      bt(d, rows[r]);
    }
    for (int j = 0; j < 6; ++j) {
      Lanes col[6], o[6];
      for (int r = 0; r < 6; ++r) col[r] = rows[r][j];
      bt(col, o);
      for (int i = 0; i < 6; ++i) store_lanes(v + (i * 6 + j) * xi_stride + t * tile_stride, o[i]);
    }
  }
}

ALGOSCOPE_WINOGRAD_INLINE void output_impl(const float* m, size_t xi_stride, size_t tile_stride,
                                           int tiles, const float* bias, float* strip, int width) {
  const Lanes b = load_lanes(bias);
  for (int t = 0; t < tiles; ++t) {
    Lanes cols[4][6];  // A^T m: each column transformed along y
    for (int j = 0; j < 6; ++j) {
      Lanes c[6], o[4];
      for (int i = 0; i < 6; ++i) c[i] = load_lanes(m + (i * 6 + j) * xi_stride + t * tile_stride);
      at(c, o);
      for (int i = 0; i < 4; ++i) cols[i][j] = o[i];
    }
    for (int i = 0; i < 4; ++i) {
      Lanes o[4];
      at(cols[i], o);
      float* dst = strip + (size_t(i) * width + t * 4) * kLanes;
      for (int j = 0; j < 4; ++j) store_lanes(dst + j * kLanes, o[j] + b);
    }
  }
}

__attribute__((target("avx512f,avx512bw,avx512vl,avx512dq,fma"))) void input_avx512(
    const float* s, int w, int n, float* v, size_t xs, size_t ts) {
  input_impl(s, w, n, v, xs, ts);
}
__attribute__((target("avx512f,avx512bw,avx512vl,avx512dq,fma"))) void output_avx512(
    const float* m, size_t xs, size_t ts, int n, const float* b, float* s, int w) {
  output_impl(m, xs, ts, n, b, s, w);
}
__attribute__((target("avx2,fma"))) void input_avx2(const float* s, int w, int n, float* v,
                                                    size_t xs, size_t ts) {
  input_impl(s, w, n, v, xs, ts);
}
__attribute__((target("avx2,fma"))) void output_avx2(const float* m, size_t xs, size_t ts, int n,
                                                     const float* b, float* s, int w) {
  output_impl(m, xs, ts, n, b, s, w);
}
void input_portable(const float* s, int w, int n, float* v, size_t xs, size_t ts) {
  input_impl(s, w, n, v, xs, ts);
}
void output_portable(const float* m, size_t xs, size_t ts, int n, const float* b, float* s, int w) {
  output_impl(m, xs, ts, n, b, s, w);
}

// The transforms for the SIMD level chosen at prepare time (conv.h: the CPU's best, or a test's
// cap), never the build machine's.
winograd::Transforms transforms() {
  winograd::Transforms t;
  t.title = "Winograd F(4x4,3x3)";
  t.m = 4;
  t.alpha = 6;
  t.g = kG;
  switch (simd_level()) {
    case SimdLevel::Avx512:
      t.input = input_avx512;
      t.output = output_avx512;
      break;
    case SimdLevel::Avx2:
      t.input = input_avx2;
      t.output = output_avx2;
      break;
    case SimdLevel::Portable:
      t.input = input_portable;
      t.output = output_portable;
      break;
  }
  return t;
}

}  // namespace

std::optional<std::string> winograd_f4_not_applicable(const Layer& layer) {
  return winograd::not_applicable(layer, transforms());
}

size_t winograd_f4_workspace_bytes(const Layer& layer) {
  return winograd::workspace_bytes(layer, transforms());
}

std::unique_ptr<Kernel> prepare_winograd_f4(const Layer& layer) {
  return winograd::prepare(layer, transforms());
}

}  // namespace algoscope::ops::conv
