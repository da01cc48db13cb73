// Winograd F(2x2,3x3) (Lavin & Gray, arXiv 1509.09308, section 4.1): each 2x2 output tile comes
// from a 4x4 input tile with 16 multiplies per channel pair instead of 36, a 2.25x cut in GEMM
// work. Its transforms hold only 0, +-1 and +-1/2, so it adds little rounding error (about twice
// that of a direct convolution). Tiling, GEMMs and threading live in winograd.cpp.
#include "ops/conv/conv.h"
#include "ops/conv/winograd_simd.h"

namespace algoscope::ops::conv {

namespace {

using winograd::kLanes;
using winograd::Lanes;
using winograd::load_lanes;
using winograd::store_lanes;

// G (4 x 3), applied to the filters in double at prepare time.
const double kG[12] = {1.0, 0.0, 0.0, 0.5, 0.5, 0.5, 0.5, -0.5, 0.5, 0.0, 0.0, 1.0};

// o = B^T d along one axis:
//   B^T = [1  0 -1  0]
//         [0  1  1  0]
//         [0 -1  1  0]
//         [0  1  0 -1]
ALGOSCOPE_WINOGRAD_INLINE void bt(const Lanes* d, Lanes* o) {
  o[0] = d[0] - d[2];
  o[1] = d[1] + d[2];
  o[2] = d[2] - d[1];
  o[3] = d[1] - d[3];
}

// o = A^T m along one axis:
//   A^T = [1 1  1  0]
//         [0 1 -1 -1]
ALGOSCOPE_WINOGRAD_INLINE void at(const Lanes* m, Lanes* o) {
  o[0] = m[0] + m[1] + m[2];
  o[1] = m[1] - m[2] - m[3];
}

ALGOSCOPE_WINOGRAD_INLINE void input_impl(const float* strip, int width, int tiles, float* v,
                                          size_t xi_stride, size_t tile_stride) {
  for (int t = 0; t < tiles; ++t) {
    Lanes rows[4][4];  // d B: each input row transformed along x
    for (int r = 0; r < 4; ++r) {
      const float* s = strip + (size_t(r) * width + t * 2) * kLanes;
      Lanes d[4];
      for (int k = 0; k < 4; ++k) d[k] = load_lanes(s + k * kLanes);
      bt(d, rows[r]);
    }
    for (int j = 0; j < 4; ++j) {
      Lanes col[4], o[4];
      for (int r = 0; r < 4; ++r) col[r] = rows[r][j];
      bt(col, o);
      for (int i = 0; i < 4; ++i) store_lanes(v + (i * 4 + j) * xi_stride + t * tile_stride, o[i]);
    }
  }
}

ALGOSCOPE_WINOGRAD_INLINE void output_impl(const float* m, size_t xi_stride, size_t tile_stride,
                                           int tiles, const float* bias, float* strip, int width) {
  const Lanes b = load_lanes(bias);
  for (int t = 0; t < tiles; ++t) {
    Lanes cols[2][4];  // A^T m: each column transformed along y
    for (int j = 0; j < 4; ++j) {
      Lanes c[4], o[2];
      for (int i = 0; i < 4; ++i) c[i] = load_lanes(m + (i * 4 + j) * xi_stride + t * tile_stride);
      at(c, o);
      for (int i = 0; i < 2; ++i) cols[i][j] = o[i];
    }
    for (int i = 0; i < 2; ++i) {
      Lanes o[2];
      at(cols[i], o);
      float* dst = strip + (size_t(i) * width + t * 2) * kLanes;
      for (int j = 0; j < 2; ++j) store_lanes(dst + j * kLanes, o[j] + b);
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
  t.title = "Winograd F(2x2,3x3)";
  t.m = 2;
  t.alpha = 4;
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

std::optional<std::string> winograd_f2_not_applicable(const Layer& layer) {
  return winograd::not_applicable(layer, transforms());
}

size_t winograd_f2_workspace_bytes(const Layer& layer) {
  return winograd::workspace_bytes(layer, transforms());
}

std::unique_ptr<Kernel> prepare_winograd_f2(const Layer& layer) {
  return winograd::prepare(layer, transforms());
}

}  // namespace algoscope::ops::conv
