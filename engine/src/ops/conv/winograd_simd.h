// Vector helpers for the Winograd tile transforms: a block of kLanes channels as one GCC vector
// value. The transforms are written once over this type and compiled three times, inside functions
// carrying target("avx512f...") / target("avx2,fma") attributes and once for baseline x86-64; the
// helpers are always_inline so they take on each caller's instruction set. The tile loops are
// shared too: a variant (F(2x2,3x3), F(4x4,3x3)) supplies only its tile sizes, its 1-D transforms
// and G. Only winograd_f2.cpp and winograd_f4.cpp include this.
#pragma once

#include <cstring>

#include "ops/conv/conv.h"
#include "ops/conv/winograd.h"

// Vectors of 64 bytes inside always_inline helpers never cross an ABI boundary.
#pragma GCC diagnostic ignored "-Wpsabi"

namespace algoscope::ops::conv::winograd {

typedef float Lanes __attribute__((vector_size(kLanes * sizeof(float))));

#define ALGOSCOPE_WINOGRAD_INLINE inline __attribute__((always_inline))

ALGOSCOPE_WINOGRAD_INLINE Lanes load_lanes(const float* p) {
  Lanes v;
  std::memcpy(&v, p, sizeof v);
  return v;
}

ALGOSCOPE_WINOGRAD_INLINE void store_lanes(float* p, const Lanes& v) {
  std::memcpy(p, &v, sizeof v);
}

ALGOSCOPE_WINOGRAD_INLINE Lanes splat(float s) { return Lanes{} + s; }

// V: a Winograd variant with kM (output tile edge), kAlpha (input tile edge, kM + 2) and the 1-D
// transforms V::bt (B^T, kAlpha -> kAlpha values) and V::at (A^T, kAlpha -> kM values).

// B^T d B for each tile of one strip (Transforms::input's contract).
template <class V>
ALGOSCOPE_WINOGRAD_INLINE void input_tiles(const float* strip, int width, int tiles, float* v,
                                           size_t xi_stride, size_t tile_stride) {
  constexpr int A = V::kAlpha;
  for (int t = 0; t < tiles; ++t) {
    Lanes rows[A][A];  // d B: each input row transformed along x
    for (int r = 0; r < A; ++r) {
      const float* s = strip + (size_t(r) * width + t * V::kM) * kLanes;
      Lanes d[A];
      for (int k = 0; k < A; ++k) d[k] = load_lanes(s + k * kLanes);
      V::bt(d, rows[r]);
    }
    for (int j = 0; j < A; ++j) {
      Lanes col[A], o[A];
      for (int r = 0; r < A; ++r) col[r] = rows[r][j];
      V::bt(col, o);
      for (int i = 0; i < A; ++i) store_lanes(v + (i * A + j) * xi_stride + t * tile_stride, o[i]);
    }
  }
}

// A^T m A + bias for each tile of one strip (Transforms::output's contract).
template <class V>
ALGOSCOPE_WINOGRAD_INLINE void output_tiles(const float* m, size_t xi_stride, size_t tile_stride,
                                            int tiles, const float* bias, float* strip, int width) {
  constexpr int A = V::kAlpha, M = V::kM;
  const Lanes b = load_lanes(bias);
  for (int t = 0; t < tiles; ++t) {
    Lanes cols[M][A];  // A^T m: each column transformed along y
    for (int j = 0; j < A; ++j) {
      Lanes c[A], o[M];
      for (int i = 0; i < A; ++i) c[i] = load_lanes(m + (i * A + j) * xi_stride + t * tile_stride);
      V::at(c, o);
      for (int i = 0; i < M; ++i) cols[i][j] = o[i];
    }
    for (int i = 0; i < M; ++i) {
      Lanes o[M];
      V::at(cols[i], o);
      float* dst = strip + (size_t(i) * width + t * M) * kLanes;
      for (int j = 0; j < M; ++j) store_lanes(dst + j * kLanes, o[j] + b);
    }
  }
}

// The tile loops compiled for each instruction set.
template <class V>
__attribute__((target("avx512f,avx512bw,avx512vl,avx512dq,fma"))) void input_avx512(
    const float* s, int w, int n, float* v, size_t xs, size_t ts) {
  input_tiles<V>(s, w, n, v, xs, ts);
}
template <class V>
__attribute__((target("avx512f,avx512bw,avx512vl,avx512dq,fma"))) void output_avx512(
    const float* m, size_t xs, size_t ts, int n, const float* b, float* s, int w) {
  output_tiles<V>(m, xs, ts, n, b, s, w);
}
template <class V>
__attribute__((target("avx2,fma"))) void input_avx2(const float* s, int w, int n, float* v,
                                                    size_t xs, size_t ts) {
  input_tiles<V>(s, w, n, v, xs, ts);
}
template <class V>
__attribute__((target("avx2,fma"))) void output_avx2(const float* m, size_t xs, size_t ts, int n,
                                                     const float* b, float* s, int w) {
  output_tiles<V>(m, xs, ts, n, b, s, w);
}
template <class V>
void input_portable(const float* s, int w, int n, float* v, size_t xs, size_t ts) {
  input_tiles<V>(s, w, n, v, xs, ts);
}
template <class V>
void output_portable(const float* m, size_t xs, size_t ts, int n, const float* b, float* s, int w) {
  output_tiles<V>(m, xs, ts, n, b, s, w);
}

// The variant's transforms for the SIMD level chosen at prepare time (conv.h: the CPU's best, or
// a test's cap), never the build machine's.
template <class V>
Transforms transforms_for(const char* title, const double* g) {
  Transforms t;
  t.title = title;
  t.m = V::kM;
  t.alpha = V::kAlpha;
  t.g = g;
  switch (cpu::active_level()) {
    case cpu::IsaLevel::Avx512:
      t.input = input_avx512<V>;
      t.output = output_avx512<V>;
      break;
    case cpu::IsaLevel::Avx2:
      t.input = input_avx2<V>;
      t.output = output_avx2<V>;
      break;
    case cpu::IsaLevel::Portable:
      t.input = input_portable<V>;
      t.output = output_portable<V>;
      break;
  }
  return t;
}

}  // namespace algoscope::ops::conv::winograd
