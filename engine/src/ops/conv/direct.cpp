// Direct convolution after Zhang, Franchetti & Low, "High performance zero-memory overhead direct
// convolutions" (ICML 2018): no patch matrix and no padded copy of the input. The filters are
// reordered once (at prepare time when W is constant) into blocks of OCB output channels with the
// channel block innermost, [group][OC/OCB][C/g][KH][KW][OCB], so that one SIMD load gives one tap's
// weights for OCB output channels. A register-blocked micro-kernel keeps an accumulator tile of
// WB output pixels x OCB output channels in registers (AVX-512: 6 x 64, 12 x 32 or 16 x 16 by the
// layer's channel count; AVX2: 6 x 16 or 12 x 8), broadcasts one input value per pixel and tap and
// FMAs it with the weight vectors: each input value loaded feeds OCB multiply-adds, each weight
// vector WB. Padding is handled by clipping the tap ranges at the borders (rows: per output row;
// columns: guarded kernels for the pixel blocks that reach into the padding), so the input is read
// in place; strides and dilations only change the broadcast addresses. As in the paper, input
// channels are taken in passes sized so that a pass's weights stay in L2 while it sweeps the rows.
// OpenMP splits (image, group, output-channel block, row range). 1-D layers run as height 1.
#include <immintrin.h>
#include <omp.h>

#include <algorithm>
#include <array>
#include <cstdlib>
#include <cstring>
#include <utility>
#include <vector>

#include "ops/common.h"
#include "ops/conv/conv.h"
#include "ops/conv/plane2d.h"

namespace algoscope::ops::conv {

namespace {

#define DIRECT_AVX512 __attribute__((target("avx512f,avx512bw,avx512vl,avx512dq,fma")))
#define DIRECT_AVX2 __attribute__((target("avx2,fma")))

// What one micro-kernel call computes: `width` output pixels of one row (a template argument of
// the kernel) for one block of OCB output channels, summed over the group's input channels and
// the kernel taps that land inside the input.
struct Block {
  const float* x;      // the pass's first input channel, input row of the first valid kh tap
  const float* w;      // the output-channel block's weights there, first valid kh tap
  int64_t x_cstride;   // H*W
  int64_t w_cstride;   // KH*KW*OCB
  int64_t x_khstride;  // DH*W
  int64_t channels;    // C/g
  int64_t nkh;         // valid kh taps of this row
  int64_t KW;
  int64_t iw0;     // input column of pixel 0, tap 0 (negative inside the left padding)
  int64_t sw, dw;  // column stride and dilation
  const int* lo;   // guarded kernels: per kw, the pixels [lo, hi) whose tap is inside
  const int* hi;
};

using BlockFn = void (*)(const Block&, float*);

// ------------------------------------------------------------------------------------------
// AVX-512 micro-kernel: acc[WB][NV] zmm registers, OCB = 16 * NV. SW is the column stride when it
// is 1 or 2 (broadcast addresses become immediates), 0 for any other stride. GUARD: columns that
// touch the left or right padding; a tap whose pixels are not all inside takes the checked path.
template <int NV, int WB, int SW, bool GUARD>
DIRECT_AVX512 void block_avx512(const Block& b, float* out) {
  constexpr int OCB = 16 * NV;
  __m512 acc[WB][NV];
#pragma GCC unroll 32
  for (int j = 0; j < WB; ++j)
#pragma GCC unroll 4
    for (int v = 0; v < NV; ++v) acc[j][v] = _mm512_setzero_ps();
  const int64_t sw = SW ? SW : b.sw;
  for (int64_t c = 0; c < b.channels; ++c) {
    const float* xc = b.x + c * b.x_cstride;
    const float* wc = b.w + c * b.w_cstride;
    for (int64_t kh = 0; kh < b.nkh; ++kh) {
      const float* xr = xc + kh * b.x_khstride;
      const float* wr = wc + kh * b.KW * OCB;
      for (int64_t kw = 0; kw < b.KW; ++kw) {
        __m512 wv[NV];
#pragma GCC unroll 4
        for (int v = 0; v < NV; ++v) wv[v] = _mm512_load_ps(wr + kw * OCB + v * 16);
        const int64_t i0 = b.iw0 + kw * b.dw;
        if (!GUARD || (b.lo[kw] == 0 && b.hi[kw] == WB)) {
          const float* xp = xr + i0;
#pragma GCC unroll 32
          for (int j = 0; j < WB; ++j) {
            const __m512 xv = _mm512_set1_ps(xp[j * sw]);
#pragma GCC unroll 4
            for (int v = 0; v < NV; ++v) acc[j][v] = _mm512_fmadd_ps(xv, wv[v], acc[j][v]);
          }
        } else {
          const int lo = b.lo[kw], hi = b.hi[kw];
#pragma GCC unroll 32
          for (int j = 0; j < WB; ++j) {
            if (j < lo || j >= hi) continue;
            const __m512 xv = _mm512_set1_ps(xr[i0 + j * sw]);
#pragma GCC unroll 4
            for (int v = 0; v < NV; ++v) acc[j][v] = _mm512_fmadd_ps(xv, wv[v], acc[j][v]);
          }
        }
      }
    }
  }
#pragma GCC unroll 32
  for (int j = 0; j < WB; ++j)
#pragma GCC unroll 4
    for (int v = 0; v < NV; ++v) _mm512_store_ps(out + j * OCB + v * 16, acc[j][v]);
}

// AVX2 micro-kernel: the same with ymm registers (16 of them: WB * NV + NV + 1 <= 15).
template <int NV, int WB, int SW, bool GUARD>
DIRECT_AVX2 void block_avx2(const Block& b, float* out) {
  constexpr int OCB = 8 * NV;
  __m256 acc[WB][NV];
#pragma GCC unroll 32
  for (int j = 0; j < WB; ++j)
#pragma GCC unroll 4
    for (int v = 0; v < NV; ++v) acc[j][v] = _mm256_setzero_ps();
  const int64_t sw = SW ? SW : b.sw;
  for (int64_t c = 0; c < b.channels; ++c) {
    const float* xc = b.x + c * b.x_cstride;
    const float* wc = b.w + c * b.w_cstride;
    for (int64_t kh = 0; kh < b.nkh; ++kh) {
      const float* xr = xc + kh * b.x_khstride;
      const float* wr = wc + kh * b.KW * OCB;
      for (int64_t kw = 0; kw < b.KW; ++kw) {
        __m256 wv[NV];
#pragma GCC unroll 4
        for (int v = 0; v < NV; ++v) wv[v] = _mm256_load_ps(wr + kw * OCB + v * 8);
        const int64_t i0 = b.iw0 + kw * b.dw;
        if (!GUARD || (b.lo[kw] == 0 && b.hi[kw] == WB)) {
          const float* xp = xr + i0;
#pragma GCC unroll 32
          for (int j = 0; j < WB; ++j) {
            const __m256 xv = _mm256_broadcast_ss(xp + j * sw);
#pragma GCC unroll 4
            for (int v = 0; v < NV; ++v) acc[j][v] = _mm256_fmadd_ps(xv, wv[v], acc[j][v]);
          }
        } else {
          const int lo = b.lo[kw], hi = b.hi[kw];
#pragma GCC unroll 32
          for (int j = 0; j < WB; ++j) {
            if (j < lo || j >= hi) continue;
            const __m256 xv = _mm256_broadcast_ss(xr + i0 + j * sw);
#pragma GCC unroll 4
            for (int v = 0; v < NV; ++v) acc[j][v] = _mm256_fmadd_ps(xv, wv[v], acc[j][v]);
          }
        }
      }
    }
  }
#pragma GCC unroll 32
  for (int j = 0; j < WB; ++j)
#pragma GCC unroll 4
    for (int v = 0; v < NV; ++v) _mm256_store_ps(out + j * OCB + v * 8, acc[j][v]);
}

// Portable micro-kernel: OCB = 8 (a plain array the compiler may vectorize with SSE2).
template <int WB, int SW, bool GUARD>
void block_portable(const Block& b, float* out) {
  constexpr int OCB = 8;
  float acc[WB][OCB] = {};
  const int64_t sw = SW ? SW : b.sw;
  for (int64_t c = 0; c < b.channels; ++c) {
    const float* xc = b.x + c * b.x_cstride;
    const float* wc = b.w + c * b.w_cstride;
    for (int64_t kh = 0; kh < b.nkh; ++kh) {
      const float* xr = xc + kh * b.x_khstride;
      const float* wr = wc + kh * b.KW * OCB;
      for (int64_t kw = 0; kw < b.KW; ++kw) {
        const int64_t i0 = b.iw0 + kw * b.dw;
        const int lo = GUARD ? b.lo[kw] : 0, hi = GUARD ? b.hi[kw] : WB;
        for (int j = lo; j < hi; ++j) {
          const float xv = xr[i0 + j * sw];
          for (int l = 0; l < OCB; ++l) acc[j][l] += xv * wr[kw * OCB + l];
        }
      }
    }
  }
  std::memcpy(out, acc, sizeof(acc));
}

// ------------------------------------------------------------------------------------------
// One ISA's kernels: fast and guarded, each [stride kind][width] for widths 1..max_width.

constexpr int kMaxWidth = 16;

struct KernelSet {
  int ocb = 0;        // output channels per block (the weight layout's inner extent)
  int max_width = 0;  // widest pixel block
  std::array<std::array<BlockFn, kMaxWidth + 1>, 3> fast{};  // [0: any stride, 1: 1, 2: 2]
  std::array<std::array<BlockFn, kMaxWidth + 1>, 3> guarded{};
};

template <template <int, int, bool> class K, int... Ws>
void fill_set(KernelSet& s, std::integer_sequence<int, Ws...>) {
  ((s.fast[0][Ws + 1] = K<Ws + 1, 0, false>::fn), ...);
  ((s.fast[1][Ws + 1] = K<Ws + 1, 1, false>::fn), ...);
  ((s.fast[2][Ws + 1] = K<Ws + 1, 2, false>::fn), ...);
  ((s.guarded[0][Ws + 1] = K<Ws + 1, 0, true>::fn), ...);
  ((s.guarded[1][Ws + 1] = K<Ws + 1, 1, true>::fn), ...);
  ((s.guarded[2][Ws + 1] = K<Ws + 1, 2, true>::fn), ...);
}

template <int NV>
struct Avx512K {
  template <int WB, int SW, bool G>
  struct K {
    static constexpr BlockFn fn = block_avx512<NV, WB, SW, G>;
  };
};
template <int NV>
struct Avx2K {
  template <int WB, int SW, bool G>
  struct K {
    static constexpr BlockFn fn = block_avx2<NV, WB, SW, G>;
  };
};
template <int WB, int SW, bool G>
struct PortableK {
  static constexpr BlockFn fn = block_portable<WB, SW, G>;
};

// The kernel set for a level, the group's output-channel count and the output row width: the
// widest output-channel block that does not waste many lanes on zero-padded channels (a narrower
// block loads relatively more broadcasts per FMA, hence the small preference for wide ones), unless
// short rows would leave its pixel blocks under 4 pixels (512@7: 6 x 64 blocks of 4 and 3 ran 11 %
// slower than one 12 x 32 block of 7).
const KernelSet& kernel_set(cpu::IsaLevel level, int64_t out_per_group, int64_t row_width) {
  static const auto sets = [] {
    std::array<KernelSet, 5> s;
    s[0].ocb = 64, s[0].max_width = 6;  // AVX-512, 24 zmm accumulators
    fill_set<Avx512K<4>::K>(s[0], std::make_integer_sequence<int, 6>{});
    s[1].ocb = 32, s[1].max_width = 12;
    fill_set<Avx512K<2>::K>(s[1], std::make_integer_sequence<int, 12>{});
    s[2].ocb = 16, s[2].max_width = 16;
    fill_set<Avx512K<1>::K>(s[2], std::make_integer_sequence<int, 16>{});
    s[3].ocb = 16, s[3].max_width = 6;  // AVX2, 12 ymm accumulators
    fill_set<Avx2K<2>::K>(s[3], std::make_integer_sequence<int, 6>{});
    s[4].ocb = 8, s[4].max_width = 12;
    fill_set<Avx2K<1>::K>(s[4], std::make_integer_sequence<int, 12>{});
    return s;
  }();
  static const KernelSet portable = [] {
    KernelSet s;
    s.ocb = 8, s.max_width = 8;
    fill_set<PortableK>(s, std::make_integer_sequence<int, 8>{});
    return s;
  }();
  auto best = [&](std::initializer_list<std::pair<const KernelSet*, double>> options) {
    const KernelSet* pick = nullptr;
    double best_cost = 0;
    for (const auto& [set, penalty] : options) {
      const double padded =
          static_cast<double>((out_per_group + set->ocb - 1) / set->ocb * set->ocb);
      const int64_t blocks = (row_width + set->max_width - 1) / set->max_width;
      const double narrow = row_width < 4 * blocks && set->max_width < row_width ? 1.25 : 1.0;
      const double cost = padded * penalty * narrow;
      if (!pick || cost < best_cost) pick = set, best_cost = cost;
    }
    return pick;
  };
  switch (level) {
    case cpu::IsaLevel::Avx512:
      return *best({{&sets[0], 1.0}, {&sets[1], 1.1}, {&sets[2], 1.3}});
    case cpu::IsaLevel::Avx2:
      return *best({{&sets[3], 1.0}, {&sets[4], 1.2}});
    case cpu::IsaLevel::Portable:
      break;
  }
  return portable;
}

// W [OC, C/g, KH, KW] -> [g][OC/g / OCB][C/g][KH][KW][OCB], the last block zero-padded.
size_t reordered_floats(const ConvGeometry& g, const Plane2d& d, int ocb) {
  const int64_t nblocks = (g.out_per_group() + ocb - 1) / ocb;
  return static_cast<size_t>(g.groups * nblocks * g.in_per_group() * d.KH * d.KW * ocb);
}

void reorder_weights(const float* w, const ConvGeometry& g, const Plane2d& d, int ocb, float* out) {
  const int64_t cg = g.in_per_group(), ocg = g.out_per_group(), taps = d.KH * d.KW;
  const int64_t nblocks = (ocg + ocb - 1) / ocb;
  for (int64_t grp = 0; grp < g.groups; ++grp)
    for (int64_t ob = 0; ob < nblocks; ++ob)
      for (int64_t c = 0; c < cg; ++c)
        for (int64_t t = 0; t < taps; ++t) {
          float* dst = out + (((grp * nblocks + ob) * cg + c) * taps + t) * ocb;
          for (int64_t l = 0; l < ocb; ++l) {
            const int64_t oc = ob * ocb + l;
            dst[l] = oc < ocg ? w[((grp * ocg + oc) * cg + c) * taps + t] : 0.0f;
          }
        }
}

// A run of output columns computed by one kernel call; guarded ones carry per-kw pixel ranges.
struct Columns {
  int64_t ow0;
  int width;
  bool guarded;
  std::vector<int> lo, hi;
};

// Splits an output row into kernel calls of near-equal width (at most max_width pixels). Blocks
// that reach into the left or right padding are guarded: per kw tap, the pixels [lo, hi) whose
// input column is inside the row. Keeping edge pixels inside wide blocks (rather than in blocks
// of their own) keeps the edge taps as vectorized as the interior ones.
std::vector<Columns> plan_columns(const Plane2d& d, int max_width) {
  int64_t a, b;
  d.interior_columns(a, b);
  std::vector<Columns> cols;
  const int64_t blocks = (d.OW + max_width - 1) / max_width;
  for (int64_t i = 0, s = 0; i < blocks; ++i) {
    const int width = static_cast<int>(d.OW / blocks + (i < d.OW % blocks ? 1 : 0));
    Columns c{s, width, s < a || s + width > b, {}, {}};
    if (c.guarded) {
      const int64_t iw0 = s * d.SW - d.PL;
      for (int64_t kw = 0; kw < d.KW; ++kw) {
        const int64_t base = iw0 + kw * d.DW;  // input column of pixel 0
        int64_t lo = base >= 0 ? 0 : (-base + d.SW - 1) / d.SW;
        int64_t hi = d.W - 1 - base < 0 ? 0 : (d.W - 1 - base) / d.SW + 1;
        hi = std::min<int64_t>(hi, width);
        lo = std::min(lo, hi);
        c.lo.push_back(static_cast<int>(lo));
        c.hi.push_back(static_cast<int>(hi));
      }
    }
    cols.push_back(std::move(c));
    s += width;
  }
  return cols;
}

struct Prepared {
  ConvGeometry g;
  Plane2d d;
  const KernelSet* ks = nullptr;
  std::vector<Columns> cols;
  float* weights = nullptr;  // reordered constant W, or nullptr (reordered per call)
  Epilogue epilogue;         // the fused activation
};

// Input channels per pass: the pass's slice of one output-channel block's weights,
// chunk * KH*KW * OCB floats, stays within about 256 KiB so that it sits in L2 while the pass
// sweeps the rows (512 channels of 3x3 filters for 64 output channels would be 1.2 MiB).
int64_t channel_chunk(int64_t channels, int64_t taps, int ocb) {
  const int64_t fit = std::max<int64_t>(16, (256 * 1024) / (taps * ocb * 4));
  const int64_t passes = (channels + fit - 1) / fit;
  return (channels + passes - 1) / passes;
}

void run_direct(const Prepared& p, const float* x, const float* wr, const float* bias, float* y) {
  const ConvGeometry& g = p.g;
  const Plane2d& d = p.d;
  const KernelSet& ks = *p.ks;
  const int ocb = ks.ocb;
  const int64_t cg = g.in_per_group(), ocg = g.out_per_group();
  const int64_t nblocks = (ocg + ocb - 1) / ocb;
  const int64_t in_size = d.H * d.W, out_size = d.OH * d.OW;
  const int64_t w_cstride = d.KH * d.KW * ocb;
  const int stride_kind = d.SW == 1 ? 1 : d.SW == 2 ? 2 : 0;
  const int64_t chunk = channel_chunk(cg, d.KH * d.KW, ocb);
  // A task is a range of rows of one (image, group, output-channel block); images and blocks
  // alone may be too few to keep every thread busy, so rows are split as well when needed.
  const int64_t units = g.batch * g.groups * nblocks;
  const int64_t threads = omp_get_max_threads();
  const int64_t pieces = std::clamp<int64_t>((4 * threads + units - 1) / units, 1, d.OH);
  const int64_t tasks = units * pieces;
#pragma omp parallel
  {
    alignas(64) float tile[kMaxWidth * 64];
#pragma omp for schedule(static)
    for (int64_t t = 0; t < tasks; ++t) {
      const int64_t piece = t % pieces;
      const int64_t ob = (t / pieces) % nblocks;
      const int64_t grp = (t / (pieces * nblocks)) % g.groups;
      const int64_t n = t / (pieces * nblocks * g.groups);
      const int64_t oh_begin = d.OH * piece / pieces, oh_end = d.OH * (piece + 1) / pieces;
      const int64_t oc0 = ob * ocb;
      const int64_t valid = std::min<int64_t>(ocb, ocg - oc0);
      const float* brow = bias ? bias + grp * ocg + oc0 : nullptr;
      Block blk;
      blk.x_cstride = in_size;
      blk.w_cstride = w_cstride;
      blk.x_khstride = d.DH * d.W;
      blk.KW = d.KW;
      blk.sw = d.SW;
      blk.dw = d.DW;
      for (int64_t c0 = 0; c0 < cg; c0 += chunk) {
        const bool first = c0 == 0;
        blk.channels = std::min(chunk, cg - c0);
        const bool last = c0 + blk.channels == cg;
        for (int64_t oh = oh_begin; oh < oh_end; ++oh) {
          // Kernel rows inside the input: ih = oh*SH - PT + kh*DH in [0, H).
          const int64_t base = oh * d.SH - d.PT;
          const int64_t kh_lo = base >= 0 ? 0 : (-base + d.DH - 1) / d.DH;
          const int64_t kh_hi =
              d.H - 1 - base < 0 ? 0 : std::min(d.KH, (d.H - 1 - base) / d.DH + 1);
          blk.x = x + (n * g.in_channels + grp * cg + c0) * in_size + (base + kh_lo * d.DH) * d.W;
          blk.w = wr + ((grp * nblocks + ob) * cg + c0) * w_cstride + kh_lo * d.KW * ocb;
          blk.nkh = std::max<int64_t>(0, kh_hi - kh_lo);
          float* yrow = y + (n * g.out_channels + grp * ocg + oc0) * out_size + oh * d.OW;
          for (const Columns& c : p.cols) {
            blk.iw0 = c.ow0 * d.SW - d.PL;
            blk.lo = c.lo.data();
            blk.hi = c.hi.data();
            (c.guarded ? ks.guarded : ks.fast)[stride_kind][c.width](blk, tile);
            // The tile is [pixel][channel]; NCHW wants each channel's pixels contiguous. The
            // first pass adds the bias, later passes add onto the earlier ones.
            // The last pass applies the fused activation to the finished pixels.
            for (int64_t l = 0; l < valid; ++l) {
              float* dst = yrow + l * out_size + c.ow0;
              if (first) {
                const float bl = brow ? brow[l] : 0.0f;
                for (int j = 0; j < c.width; ++j) dst[j] = tile[j * ocb + l] + bl;
              } else {
                for (int j = 0; j < c.width; ++j) dst[j] += tile[j * ocb + l];
              }
              if (last) p.epilogue.apply(dst, c.width);
            }
          }
        }
      }
    }
  }
}

bool weights_constant(const Layer& layer) { return layer.constant(1) != nullptr; }

}  // namespace

std::optional<std::string> direct_not_applicable(const Layer& layer) {
  return plane2d_rank_reason(layer, "direct");
}

namespace {

// The filters reordered for the kernel set's output-channel blocks, 64-byte aligned: kept by the
// kernel when W is constant, made in the workspace per call otherwise.
size_t reordered_bytes(const Layer& layer) {
  const ConvGeometry g = conv_geometry(layer);
  const KernelSet& ks = kernel_set(cpu::active_level(), g.out_per_group(), to_plane2d(g.window).OW);
  return (reordered_floats(g, to_plane2d(g.window), ks.ocb) * sizeof(float) + 63) / 64 * 64;
}

}  // namespace

size_t direct_workspace_bytes(const Layer& layer) {
  return weights_constant(layer) ? 0 : reordered_bytes(layer);
}

size_t direct_prepared_bytes(const Layer& layer) {
  return weights_constant(layer) ? reordered_bytes(layer) : 0;
}

std::unique_ptr<Kernel> prepare_direct(const Layer& layer) {
  auto p = std::make_shared<Prepared>();
  p->g = conv_geometry(layer);
  p->d = to_plane2d(p->g.window);
  p->ks = &kernel_set(cpu::active_level(), p->g.out_per_group(), p->d.OW);
  p->cols = plan_columns(p->d, p->ks->max_width);
  p->epilogue = Epilogue::of(layer);
  // The reordered weights are 64-byte aligned: the kernels use aligned vector loads.
  std::shared_ptr<float> storage;
  if (const Tensor* w = layer.constant(1)) {
    const size_t n = reordered_floats(p->g, p->d, p->ks->ocb);
    storage.reset(static_cast<float*>(std::aligned_alloc(64, ((n * 4 + 63) / 64) * 64)),
                  [](float* f) { std::free(f); });
    reorder_weights(w->data<float>(), p->g, p->d, p->ks->ocb, storage.get());
    p->weights = storage.get();
  }
  return make_kernel([p, storage](KernelIO& io) {
    const float* x = io.inputs[0]->data<float>();
    const float* b = p->g.has_bias && io.inputs.size() > 2 && io.inputs[2]
                         ? io.inputs[2]->data<float>()
                         : nullptr;
    const float* wr = p->weights;
    if (!wr) {
      // W is a graph input: reorder it into the workspace on every call.
      float* ws = static_cast<float*>(io.workspace);
      reorder_weights(io.inputs[1]->data<float>(), p->g, p->d, p->ks->ocb, ws);
      wr = ws;
    }
    run_direct(*p, x, wr, b, io.outputs[0]->data<float>());
  });
}

AlgorithmText direct_text() {
  return {"Register-blocked direct loops, vectorized over output channels (Zhang et al. ICML 2018)",
          "The filters are reordered once into blocks of OCB output channels with the block "
          "innermost, [g][OC/g/OCB][C/g][KH][KW][OCB]. A micro-kernel keeps a tile of WB output "
          "pixels of one row times OCB output channels in SIMD registers (AVX-512: 6 x 64, 12 x 32 "
          "or 16 x 16, whichever wastes fewest lanes on OC/g; AVX2: 6 x 16 or 12 x 8; portable: "
          "8 x 8; AVX-512 or AVX2 chosen at run time), and for every input "
          "channel and tap broadcasts one input value per pixel and multiplies it with the tap's "
          "weight vectors: every value loaded feeds several FMAs, and nothing but the output is "
          "written. The zero padding is never materialized: kernel rows outside the input are "
          "skipped per output row, and pixel blocks at the left and right edges clip each tap's "
          "pixel range. Strides and dilations only change which input values are broadcast. Input "
          "channels go in passes whose weights fit in L2 (256 KiB). OpenMP splits (image, group, "
          "output-channel block, row range). 1-D and 2-D layers. Extra "
          "memory: the reordered filters, 4 * g * ceil((OC/g)/OCB)*OCB * (C/g) * KH*KW bytes "
          "(OCB = 64, 32 or 16 on AVX-512; AVX2 16 or 8; portable 8), made once at "
          "prepare time when W is constant and in the workspace on every call when it is a runtime "
          "input. It wins where a GEMM's packing costs are not repaid: strided and dilated layers, "
          "modest channel counts, small batches, and it needs no workspace; on wide 3x3 layers it "
          "runs near the FMA peak like a GEMM. Groups with few output channels each waste lanes of "
          "the OCB block. Numerics: float FMAs over C/g*KH*KW per output in channel-then-tap "
          "order, error like a plain dot product of that length."};
}

}  // namespace algoscope::ops::conv
