// Implicit GEMM through an indirection buffer (Dukhan, "The Indirect Convolution Algorithm",
// arXiv 1907.02129): the convolution is the GEMM Y[OC/g x OH*OW] = W[OC/g x C/g*KH*KW] *
// P[C/g*KH*KW x OH*OW] of im2col, but the patch matrix P is never built. At prepare time an
// indirection buffer records, for every kernel tap and output pixel, where in an input channel
// plane that patch element lives (or -1 where the window covers padding, read as zero); the GEMM
// then packs KC x 32 panels of P on the fly from the input through it (plain vector loads where 16
// consecutive pixels read 16 consecutive inputs, masked gathers elsewhere) into a small per-thread
// buffer and runs an 8x32 register-blocked micro-kernel (AVX-512 or AVX2 picked at run time,
// portable loops otherwise) over them. The filters are packed into 8-row panels once at prepare
// time when W is constant. OpenMP splits the output into tiles of up to 192 pixels per image and
// group. Dukhan's NHWC buffer points at pixel rows; in our NCHW layout one offset per (tap, pixel)
// serves every channel, since channel planes differ only by a constant stride.
#include <immintrin.h>
#include <omp.h>

#include <algorithm>
#include <cstring>
#include <vector>

#include "ops/common.h"
#include "ops/conv/conv.h"
#include "ops/conv/plane2d.h"

namespace algoscope::ops::conv {

namespace {

constexpr int64_t kMR = 8;         // filter rows per micro-kernel
constexpr int64_t kNR = 32;        // output pixels per micro-kernel
constexpr int64_t kKC = 256;       // GEMM depth per packed panel (8 KB of A, 32 KB of P)
constexpr int64_t kMaxPanels = 6;  // pixel panels per tile: 256 x 192 floats of P stay in L2

// Threads that get a panel buffer in the workspace. Sessions set the thread count only at run
// time, so the workspace is sized for every processor; more threads than that gain nothing.
int64_t panel_slots() { return std::max(1, omp_get_num_procs()); }

struct Shape2 {
  int64_t taps, pixels, panels, k, m_panels;
  int64_t tiles, panels_per_tile;
};

Shape2 shape_of(const ConvGeometry& g, const Plane2d& p) {
  Shape2 s;
  s.taps = p.taps();
  s.pixels = p.out_size();
  s.panels = (s.pixels + kNR - 1) / kNR;
  s.k = g.in_per_group() * s.taps;
  s.m_panels = (g.out_per_group() + kMR - 1) / kMR;
  // Balanced tiles of at most kMaxPanels panels (196 pixels make tiles of 4 + 3 panels, not 6 + 1).
  s.tiles = (s.panels + kMaxPanels - 1) / kMaxPanels;
  s.panels_per_tile = (s.panels + s.tiles - 1) / s.tiles;
  return s;
}

size_t packed_a_floats(const ConvGeometry& g, const Shape2& s) {
  return static_cast<size_t>(g.groups * s.m_panels * s.k * kMR);
}

size_t panel_floats(const Shape2& s) { return static_cast<size_t>(kKC * s.panels_per_tile * kNR); }

// W [OC, C/g, KH, KW] is row-major [OC/g x K] per group; panels of 8 rows, k-major, zero rows
// past OC/g, so the micro-kernel reads 8 consecutive floats per k.
void pack_a(const float* w, const ConvGeometry& g, const Shape2& s, float* out) {
  const int64_t ocg = g.out_per_group();
  for (int64_t grp = 0; grp < g.groups; ++grp)
    for (int64_t mp = 0; mp < s.m_panels; ++mp) {
      float* panel = out + (grp * s.m_panels + mp) * s.k * kMR;
      for (int64_t k = 0; k < s.k; ++k)
        for (int64_t i = 0; i < kMR; ++i) {
          const int64_t o = mp * kMR + i;
          panel[k * kMR + i] = o < ocg ? w[(grp * ocg + o) * s.k + k] : 0.0f;
        }
    }
}

// The indirection buffer: offset[tap][pixel] into a channel plane, -1 for padding and for the
// pixels past OH*OW that round the last panel up; contiguous[tap][pixel / 16] marks the 16-pixel
// groups that read 16 consecutive inputs (a plain load instead of a gather).
struct Indirection {
  std::vector<int32_t> offset;
  std::vector<uint8_t> contiguous;
  int64_t stride = 0;  // pixels per tap, a multiple of kNR
};

Indirection make_indirection(const Plane2d& p, const Shape2& s) {
  Indirection ind;
  ind.stride = s.panels * kNR;
  ind.offset.assign(s.taps * ind.stride, -1);
  ind.contiguous.assign(s.taps * ind.stride / 16, 0);
  for (int64_t kh = 0; kh < p.KH; ++kh)
    for (int64_t kw = 0; kw < p.KW; ++kw) {
      int32_t* off = &ind.offset[(kh * p.KW + kw) * ind.stride];
      for (int64_t oh = 0; oh < p.OH; ++oh) {
        const int64_t ih = oh * p.SH - p.PT + kh * p.DH;
        for (int64_t ow = 0; ow < p.OW; ++ow) {
          const int64_t iw = ow * p.SW - p.PL + kw * p.DW;
          if (ih >= 0 && ih < p.H && iw >= 0 && iw < p.W)
            off[oh * p.OW + ow] = static_cast<int32_t>(ih * p.W + iw);
        }
      }
      uint8_t* cont = &ind.contiguous[(kh * p.KW + kw) * ind.stride / 16];
      for (int64_t v = 0; v < ind.stride / 16; ++v) {
        bool ok = off[v * 16] >= 0;
        for (int l = 1; l < 16 && ok; ++l) ok = off[v * 16 + l] == off[v * 16] + l;
        cont[v] = ok;
      }
    }
  return ind;
}

__attribute__((target("avx512f,avx512bw,avx512vl,avx512dq,fma"))) void gather16_avx512(
    const float* plane, const int32_t* off, float* dst) {
  const __m512i idx = _mm512_loadu_si512(off);
  const __mmask16 m = _mm512_cmpge_epi32_mask(idx, _mm512_setzero_si512());
  _mm512_storeu_ps(dst, _mm512_mask_i32gather_ps(_mm512_setzero_ps(), m, idx, plane, 4));
}

void gather16_portable(const float* plane, const int32_t* off, float* dst) {
  for (int l = 0; l < 16; ++l) dst[l] = off[l] >= 0 ? plane[off[l]] : 0.0f;
}

// Packs rows [k0, k0 + kc) of the virtual patch matrix for panels [q0, q1) into `out`, one
// [kc x 32] block per panel. Row r is input channel r / taps at tap r % taps.
void pack_p(cpu::IsaLevel isa, const float* xg, int64_t in_size, const Indirection& ind,
            const Shape2& s, int64_t k0, int64_t kc, int64_t q0, int64_t q1, float* out) {
  auto gather = isa == cpu::IsaLevel::Avx512 ? gather16_avx512 : gather16_portable;
  for (int64_t q = q0; q < q1; ++q) {
    float* panel = out + (q - q0) * kKC * kNR;
    for (int64_t r = 0; r < kc; ++r) {
      const int64_t c = (k0 + r) / s.taps, t = (k0 + r) % s.taps;
      const float* plane = xg + c * in_size;
      const int32_t* off = &ind.offset[t * ind.stride + q * kNR];
      const uint8_t* cont = &ind.contiguous[(t * ind.stride + q * kNR) / 16];
      for (int h = 0; h < 2; ++h) {
        float* dst = panel + r * kNR + h * 16;
        if (cont[h])
          std::memcpy(dst, plane + off[h * 16], 16 * sizeof(float));
        else
          gather(plane, off + h * 16, dst);
      }
    }
  }
}

// C[8 x 32] (ldc) = (first ? bias : C) + A[8 x kc] * P[kc x 32]; a is k-major 8 floats per k.
__attribute__((target("avx512f,avx512bw,avx512vl,avx512dq,fma"))) void micro_avx512(
    int64_t kc, const float* a, const float* b, float* c, int64_t ldc, bool first,
    const float* bias) {
  __m512 acc[kMR][2];
  for (int i = 0; i < kMR; ++i)
    for (int j = 0; j < 2; ++j)
      acc[i][j] =
          first ? _mm512_set1_ps(bias ? bias[i] : 0.0f) : _mm512_loadu_ps(c + i * ldc + j * 16);
  for (int64_t k = 0; k < kc; ++k) {
    const __m512 b0 = _mm512_load_ps(b + k * kNR);
    const __m512 b1 = _mm512_load_ps(b + k * kNR + 16);
    for (int i = 0; i < kMR; ++i) {
      const __m512 av = _mm512_set1_ps(a[k * kMR + i]);
      acc[i][0] = _mm512_fmadd_ps(av, b0, acc[i][0]);
      acc[i][1] = _mm512_fmadd_ps(av, b1, acc[i][1]);
    }
  }
  for (int i = 0; i < kMR; ++i)
    for (int j = 0; j < 2; ++j) _mm512_storeu_ps(c + i * ldc + j * 16, acc[i][j]);
}

// AVX2 has 16 registers: the 8x32 tile runs as four 4x16 blocks (8 accumulators each).
__attribute__((target("avx2,fma"))) void micro_avx2(int64_t kc, const float* a, const float* b,
                                                    float* c, int64_t ldc, bool first,
                                                    const float* bias) {
  for (int i0 = 0; i0 < kMR; i0 += 4)
    for (int j0 = 0; j0 < kNR; j0 += 16) {
      __m256 acc[4][2];
      for (int i = 0; i < 4; ++i)
        for (int j = 0; j < 2; ++j)
          acc[i][j] = first ? _mm256_set1_ps(bias ? bias[i0 + i] : 0.0f)
                            : _mm256_loadu_ps(c + (i0 + i) * ldc + j0 + j * 8);
      for (int64_t k = 0; k < kc; ++k) {
        const __m256 b0 = _mm256_load_ps(b + k * kNR + j0);
        const __m256 b1 = _mm256_load_ps(b + k * kNR + j0 + 8);
        for (int i = 0; i < 4; ++i) {
          const __m256 av = _mm256_broadcast_ss(a + k * kMR + i0 + i);
          acc[i][0] = _mm256_fmadd_ps(av, b0, acc[i][0]);
          acc[i][1] = _mm256_fmadd_ps(av, b1, acc[i][1]);
        }
      }
      for (int i = 0; i < 4; ++i)
        for (int j = 0; j < 2; ++j) _mm256_storeu_ps(c + (i0 + i) * ldc + j0 + j * 8, acc[i][j]);
    }
}

void micro_portable(int64_t kc, const float* a, const float* b, float* c, int64_t ldc, bool first,
                    const float* bias) {
  for (int i = 0; i < kMR; ++i) {
    float acc[kNR];
    for (int j = 0; j < kNR; ++j) acc[j] = first ? (bias ? bias[i] : 0.0f) : c[i * ldc + j];
    for (int64_t k = 0; k < kc; ++k)
      for (int j = 0; j < kNR; ++j) acc[j] += a[k * kMR + i] * b[k * kNR + j];
    for (int j = 0; j < kNR; ++j) c[i * ldc + j] = acc[j];
  }
}

using Micro = void (*)(int64_t, const float*, const float*, float*, int64_t, bool, const float*);

// A full 8x32 tile goes straight to Y; an edge tile (fewer filter rows or pixels) goes through a
// local tile so that the micro-kernel never writes outside the output.
void tile(Micro micro, int64_t kc, const float* a, const float* b, float* c, int64_t ldc,
          bool first, const float* bias, int64_t rows, int64_t cols) {
  if (rows == kMR && cols == kNR) return micro(kc, a, b, c, ldc, first, bias);
  alignas(64) float local[kMR * kNR];
  if (!first)
    for (int64_t i = 0; i < rows; ++i) std::memcpy(local + i * kNR, c + i * ldc, cols * 4);
  micro(kc, a, b, local, kNR, first, bias);
  for (int64_t i = 0; i < rows; ++i) std::memcpy(c + i * ldc, local + i * kNR, cols * 4);
}

}  // namespace

std::optional<std::string> implicit_gemm_not_applicable(const Layer& layer) {
  if (auto why = plane2d_rank_reason(layer, "implicit_gemm")) return why;
  const ConvGeometry g = conv_geometry(layer);
  if (g.window.input_size() > INT32_MAX)
    return std::string("the indirection buffer holds 32-bit offsets, this input plane is larger");
  return std::nullopt;
}

size_t implicit_gemm_workspace_bytes(const Layer& layer) {
  const ConvGeometry g = conv_geometry(layer);
  const Shape2 s = shape_of(g, to_plane2d(g.window));
  size_t floats = panel_floats(s) * panel_slots();
  if (!layer.constant(1)) floats += packed_a_floats(g, s);  // runtime W is packed per call
  return floats * sizeof(float);
}

size_t implicit_gemm_prepared_bytes(const Layer& layer) {
  const ConvGeometry g = conv_geometry(layer);
  const Shape2 s = shape_of(g, to_plane2d(g.window));
  // The indirection table (an int32 offset per tap and padded pixel, a flag per 16) is made
  // whether W is constant or not; the packed filters only for a constant W.
  const size_t padded_pixels = size_t(s.taps * s.panels * kNR);
  size_t bytes = padded_pixels * sizeof(int32_t) + padded_pixels / 16;
  if (layer.constant(1)) bytes += packed_a_floats(g, s) * sizeof(float);
  return bytes;
}

std::unique_ptr<Kernel> prepare_implicit_gemm(const Layer& layer) {
  const ConvGeometry g = conv_geometry(layer);
  const Plane2d p = to_plane2d(g.window);
  const Shape2 s = shape_of(g, p);
  const cpu::IsaLevel isa = cpu::active_level();
  Indirection ind = make_indirection(p, s);
  std::vector<float> packed;
  if (const Tensor* w = layer.constant(1)) {
    packed.resize(packed_a_floats(g, s));
    pack_a(w->data<float>(), g, s, packed.data());
  }
  return make_kernel([g, p, s, isa, ind = std::move(ind),
                      packed = std::move(packed)](KernelIO& io) {
    const float* x = io.inputs[0]->data<float>();
    const float* b = optional_float_input(io, 2, g.has_bias);
    float* y = io.outputs[0]->data<float>();
    float* panels = static_cast<float*>(io.workspace);
    const int64_t slots = panel_slots();
    const float* a = packed.data();
    if (packed.empty()) {
      float* dst = panels + panel_floats(s) * slots;
      pack_a(io.inputs[1]->data<float>(), g, s, dst);
      a = dst;
    }
    const Micro micro = isa == cpu::IsaLevel::Avx512 ? micro_avx512
                        : isa == cpu::IsaLevel::Avx2 ? micro_avx2
                                                     : micro_portable;
    const int64_t cg = g.in_per_group(), ocg = g.out_per_group();
    const int64_t in_size = p.in_size(), out_size = s.pixels;
    const int64_t tasks = g.batch * g.groups * s.tiles;
    const int threads = static_cast<int>(std::min<int64_t>(omp_get_max_threads(), slots));
#pragma omp parallel num_threads(threads)
    {
      float* bpack = panels + panel_floats(s) * omp_get_thread_num();
#pragma omp for schedule(dynamic)
      for (int64_t task = 0; task < tasks; ++task) {
        const int64_t n = task / (g.groups * s.tiles);
        const int64_t grp = (task / s.tiles) % g.groups;
        const int64_t q0 = (task % s.tiles) * s.panels_per_tile;
        const int64_t q1 = std::min(s.panels, q0 + s.panels_per_tile);
        const float* xg = x + (n * g.in_channels + grp * cg) * in_size;
        float* yg = y + (n * g.out_channels + grp * ocg) * out_size;
        for (int64_t k0 = 0; k0 < s.k; k0 += kKC) {
          const int64_t kc = std::min(kKC, s.k - k0);
          pack_p(isa, xg, in_size, ind, s, k0, kc, q0, q1, bpack);
          for (int64_t mp = 0; mp < s.m_panels; ++mp) {
            const float* ap = a + ((grp * s.m_panels + mp) * s.k + k0) * kMR;
            const int64_t rows = std::min(kMR, ocg - mp * kMR);
            alignas(32) float bias8[kMR] = {};
            if (b)
              for (int64_t i = 0; i < rows; ++i) bias8[i] = b[grp * ocg + mp * kMR + i];
            for (int64_t q = q0; q < q1; ++q)
              tile(micro, kc, ap, bpack + (q - q0) * kKC * kNR, yg + mp * kMR * out_size + q * kNR,
                   out_size, k0 == 0, bias8, rows, std::min(kNR, out_size - q * kNR));
          }
        }
      }
    }
  });
}

AlgorithmText implicit_gemm_text() {
  return {
      "GEMM on patch panels gathered through an indirection buffer, no patch matrix (Dukhan 2019)",
      "The convolution is im2col's GEMM, filters [OC/g x C/g*KH*KW] times patches "
      "[C/g*KH*KW x OH*OW], but the patch matrix is never built. At prepare time an indirection "
      "buffer records, for every tap and output pixel, the offset of its input inside a channel "
      "plane (-1 for padding, read as zero). At run time each thread gathers 256 x 32 panels of "
      "patches through it into a small buffer (plain loads where 16 pixels read consecutive "
      "inputs, masked gathers elsewhere) and an 8x32 register-blocked micro-kernel (AVX-512 or "
      "AVX2, chosen at run time) multiplies them by the filters, packed into 8-row panels once. "
      "OpenMP runs over output tiles of up to 192 pixels. Extra memory: indirection buffer "
      "4 * KH*KW * 32*ceil(OH*OW/32) bytes (+1/64 for the contiguity flags) and the packed "
      "filters 4 * g * 8*ceil((OC/g)/8) * (C/g)*KH*KW bytes, both made at prepare time (the "
      "filters per call when W is a runtime input, in the workspace), plus workspace panels of "
      "4 * 256 * 32*P bytes per processor, P <= 6 pixel panels per tile. It wins where im2col's "
      "patch matrix is large (big images, 3x3 and larger kernels), since it keeps the GEMM's "
      "speed without the copy, and on many threads. Numerics: float FMAs over C/g*KH*KW in "
      "blocks of 256, like a blocked GEMM."};
}

}  // namespace algoscope::ops::conv
