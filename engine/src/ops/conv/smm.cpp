// SMM-Conv (Ofir & Ben-Artzi, "SMM-Conv: Scalar Matrix Multiplication with Zero Packing", CVPRW
// 2022): every output plane is the sum, over input channels c and kernel taps (kh, kw), of the
// input plane c shifted by the tap's offset (strided by the stride, spread by the dilation) and
// scaled by the single weight W[oc, c, kh, kw]. No patch matrix, no packed copy of anything: the
// input is read where it lies and the only memory touched besides X, W and Y is a small table of
// column offsets made at prepare time. The scalar-times-shifted-row products are vectorized over
// output columns (AVX-512 or AVX2 chosen at run time, portable loops otherwise); the KH*KW
// products of one input channel are summed in registers before they are added to the output, so
// the output planes are swept once per input channel. OpenMP splits the work over images and
// blocks of output channels of the same group (a block shares each loaded input row).
#include <immintrin.h>

#include <algorithm>
#include <vector>

#include "ops/common.h"
#include "ops/conv/conv.h"
#include "ops/conv/plane2d.h"

namespace algoscope::ops::conv {

namespace {

// How one vector of output columns reads its input row for one kw: a plain load (all lanes
// consecutive and inside the row), a masked load (consecutive, some lanes in the padding or past
// the row's end) or a gather (stride > 1). `start` is the input column of lane 0 (may lie outside
// the row when masked; masked lanes are never read).
enum Kind : int32_t { kFull = 0, kMasked = 1, kGather = 2 };
struct LaneRead {
  int32_t kind;
  int32_t start;
  uint32_t mask;  // lanes inside the row
};

// Per (vector of columns, kw): the read descriptor and the input column of every lane (-1 where
// the lane is in the padding or past OW). Depends only on the geometry, so it is made once.
struct ColumnTable {
  int64_t lanes = 16;           // floats per vector
  int64_t vectors = 0;          // ceil(OW / lanes)
  std::vector<LaneRead> reads;  // [vector][kw]
  std::vector<int32_t> index;   // [vector][kw][lane]
};

ColumnTable make_table(const Plane2d& p, int64_t lanes) {
  ColumnTable t;
  t.lanes = lanes;
  t.vectors = (p.OW + lanes - 1) / lanes;
  t.reads.resize(t.vectors * p.KW);
  t.index.resize(t.vectors * p.KW * lanes);
  for (int64_t v = 0; v < t.vectors; ++v)
    for (int64_t kw = 0; kw < p.KW; ++kw) {
      int32_t* idx = &t.index[(v * p.KW + kw) * lanes];
      uint32_t mask = 0;
      for (int64_t l = 0; l < lanes; ++l) {
        const int64_t ow = v * lanes + l;
        const int64_t iw = ow * p.SW + kw * p.DW - p.PL;
        const bool inside = ow < p.OW && iw >= 0 && iw < p.W;
        idx[l] = inside ? static_cast<int32_t>(iw) : -1;
        if (inside) mask |= 1u << l;
      }
      LaneRead& r = t.reads[v * p.KW + kw];
      r.start = static_cast<int32_t>(v * lanes * p.SW + kw * p.DW - p.PL);
      r.mask = mask;
      const uint32_t all = lanes == 32 ? ~0u : (1u << lanes) - 1;
      r.kind = p.SW != 1 ? kGather : (mask == all ? kFull : kMasked);
    }
  return t;
}

// One pass of input channel c over OB output planes: y[o] (+)= sum_{kh,kw} w[o][kh][kw] *
// shift(x). `init` (OB values) starts the sums from the bias instead of reading y (first channel).
struct Pass {
  const Plane2d* p;
  const ColumnTable* table;
  const float* x;  // input plane of channel c
  const float* w;  // W[o0, c, 0, 0]; output channel o at w + o * w_stride
  int64_t w_stride;
  float* const* y;    // OB output planes
  const float* init;  // nullptr: accumulate onto y
};

template <int OB>
__attribute__((target("avx512f,avx512bw,avx512vl,avx512dq,fma"))) void pass_avx512(const Pass& s) {
  const Plane2d& p = *s.p;
  const ColumnTable& t = *s.table;
  const int64_t taps = p.taps();
  for (int64_t oh = 0; oh < p.OH; ++oh) {
    for (int64_t v = 0; v < t.vectors; ++v) {
      const int64_t ow0 = v * 16;
      const __mmask16 out_mask =
          p.OW - ow0 >= 16 ? __mmask16(0xFFFF) : __mmask16((1u << (p.OW - ow0)) - 1);
      __m512 acc[OB];
      for (int o = 0; o < OB; ++o)
        acc[o] = s.init ? _mm512_set1_ps(s.init[o])
                        : _mm512_maskz_loadu_ps(out_mask, s.y[o] + oh * p.OW + ow0);
      for (int64_t kh = 0; kh < p.KH; ++kh) {
        const int64_t ih = oh * p.SH - p.PT + kh * p.DH;
        if (ih < 0 || ih >= p.H) continue;  // the row is padding: its products are zero
        const float* row = s.x + ih * p.W;
        const float* wk = s.w + kh * p.KW;
        for (int64_t kw = 0; kw < p.KW; ++kw) {
          const LaneRead& r = t.reads[v * p.KW + kw];
          __m512 xv;
          if (r.kind == kFull) {
            xv = _mm512_loadu_ps(row + r.start);
          } else if (r.kind == kMasked) {
            // Masked-off lanes are not accessed, so the address may start before the row.
            xv = _mm512_maskz_loadu_ps(__mmask16(r.mask), row + r.start);
          } else {
            const __m512i idx = _mm512_loadu_si512(&t.index[(v * p.KW + kw) * 16]);
            xv = _mm512_mask_i32gather_ps(_mm512_setzero_ps(), __mmask16(r.mask), idx, row, 4);
          }
          for (int o = 0; o < OB; ++o)
            acc[o] = _mm512_fmadd_ps(_mm512_set1_ps(wk[o * s.w_stride + kw]), xv, acc[o]);
        }
      }
      for (int o = 0; o < OB; ++o)
        _mm512_mask_storeu_ps(s.y[o] + oh * p.OW + ow0, out_mask, acc[o]);
    }
  }
  (void)taps;
}

template <int OB>
__attribute__((target("avx2,fma"))) void pass_avx2(const Pass& s) {
  const Plane2d& p = *s.p;
  const ColumnTable& t = *s.table;
  const __m256i lane = _mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7);
  for (int64_t oh = 0; oh < p.OH; ++oh) {
    for (int64_t v = 0; v < t.vectors; ++v) {
      const int64_t ow0 = v * 8;
      const __m256i out_mask = _mm256_cmpgt_epi32(
          _mm256_set1_epi32(static_cast<int>(std::min<int64_t>(8, p.OW - ow0))), lane);
      __m256 acc[OB];
      for (int o = 0; o < OB; ++o)
        acc[o] = s.init ? _mm256_set1_ps(s.init[o])
                        : _mm256_maskload_ps(s.y[o] + oh * p.OW + ow0, out_mask);
      for (int64_t kh = 0; kh < p.KH; ++kh) {
        const int64_t ih = oh * p.SH - p.PT + kh * p.DH;
        if (ih < 0 || ih >= p.H) continue;
        const float* row = s.x + ih * p.W;
        const float* wk = s.w + kh * p.KW;
        for (int64_t kw = 0; kw < p.KW; ++kw) {
          const LaneRead& r = t.reads[v * p.KW + kw];
          __m256 xv;
          if (r.kind == kFull) {
            xv = _mm256_loadu_ps(row + r.start);
          } else {
            const __m256i idx =
                _mm256_loadu_si256(reinterpret_cast<const __m256i*>(&t.index[(v * p.KW + kw) * 8]));
            const __m256i m = _mm256_cmpgt_epi32(idx, _mm256_set1_epi32(-1));
            if (r.kind == kMasked)
              xv = _mm256_maskload_ps(row + r.start, m);
            else
              xv = _mm256_mask_i32gather_ps(_mm256_setzero_ps(), row, idx, _mm256_castsi256_ps(m),
                                            4);
          }
          for (int o = 0; o < OB; ++o)
            acc[o] = _mm256_fmadd_ps(_mm256_set1_ps(wk[o * s.w_stride + kw]), xv, acc[o]);
        }
      }
      for (int o = 0; o < OB; ++o) _mm256_maskstore_ps(s.y[o] + oh * p.OW + ow0, out_mask, acc[o]);
    }
  }
}

// Portable loops over the same table (any OB).
void pass_portable(const Pass& s, int ob) {
  const Plane2d& p = *s.p;
  const ColumnTable& t = *s.table;
  for (int o = 0; o < ob; ++o) {
    float* yo = s.y[o];
    if (s.init) std::fill(yo, yo + p.out_size(), s.init[o]);
  }
  for (int64_t oh = 0; oh < p.OH; ++oh)
    for (int64_t kh = 0; kh < p.KH; ++kh) {
      const int64_t ih = oh * p.SH - p.PT + kh * p.DH;
      if (ih < 0 || ih >= p.H) continue;
      const float* row = s.x + ih * p.W;
      for (int64_t kw = 0; kw < p.KW; ++kw)
        for (int o = 0; o < ob; ++o) {
          const float wv = s.w[o * s.w_stride + kh * p.KW + kw];
          float* yrow = s.y[o] + oh * p.OW;
          for (int64_t v = 0; v < t.vectors; ++v) {
            const int32_t* idx = &t.index[(v * p.KW + kw) * t.lanes];
            for (int64_t l = 0; l < t.lanes; ++l)
              if (idx[l] >= 0) yrow[v * t.lanes + l] += wv * row[idx[l]];
          }
        }
    }
}

template <int OB>
void pass_dispatch(cpu::IsaLevel isa, const Pass& s) {
  if (isa == cpu::IsaLevel::Avx512) return pass_avx512<OB>(s);
  if (isa == cpu::IsaLevel::Avx2) return pass_avx2<OB>(s);
  pass_portable(s, OB);
}

void run_pass(cpu::IsaLevel isa, int ob, const Pass& s) {
  switch (ob) {
    case 1:
      return pass_dispatch<1>(isa, s);
    case 2:
      return pass_dispatch<2>(isa, s);
    case 3:
      return pass_dispatch<3>(isa, s);
    case 4:
      return pass_dispatch<4>(isa, s);
    case 5:
      return pass_dispatch<5>(isa, s);
    case 6:
      return pass_dispatch<6>(isa, s);
    case 7:
      return pass_dispatch<7>(isa, s);
    default:
      return pass_dispatch<8>(isa, s);
  }
}

}  // namespace

std::optional<std::string> smm_not_applicable(const Layer& layer) {
  if (auto why = plane2d_rank_reason(layer, "smm")) return why;
  const ConvGeometry g = conv_geometry(layer);
  const Plane2d p = to_plane2d(g.window);
  if (p.W > (int64_t{1} << 30))
    return std::string("smm indexes input rows with 32-bit offsets, this row is too wide");
  return std::nullopt;
}

size_t smm_prepared_bytes(const Layer& layer) {
  const Plane2d p = to_plane2d(conv_geometry(layer).window);
  const int64_t lanes = cpu::active_level() == cpu::IsaLevel::Avx2 ? 8 : 16;
  const size_t entries = size_t((p.OW + lanes - 1) / lanes * p.KW);
  return entries * (sizeof(LaneRead) + size_t(lanes) * sizeof(int32_t));
}

std::unique_ptr<Kernel> prepare_smm(const Layer& layer) {
  const ConvGeometry g = conv_geometry(layer);
  const Plane2d p = to_plane2d(g.window);
  const cpu::IsaLevel isa = cpu::active_level();
  // AVX-512 holds 16 floats, AVX2 8; the portable loops use 16.
  ColumnTable table = make_table(p, isa == cpu::IsaLevel::Avx2 ? 8 : 16);
  // Output channels per block: each loaded input vector feeds this many FMAs. 8 accumulators fit
  // AVX-512's 32 registers with room to spare; AVX2's 16 registers take 4.
  const int64_t block = isa == cpu::IsaLevel::Avx2 ? 4 : 8;
  return make_kernel([g, p, isa, table = std::move(table), block](KernelIO& io) {
    const float* x = io.inputs[0]->data<float>();
    const float* w = io.inputs[1]->data<float>();  // read in place: SMM packs nothing
    const float* b = optional_float_input(io, 2, g.has_bias);
    float* y = io.outputs[0]->data<float>();
    const int64_t cg = g.in_per_group(), ocg = g.out_per_group();
    const int64_t blocks = (ocg + block - 1) / block;
    const int64_t tasks = g.batch * g.groups * blocks;
    const int64_t in_size = p.in_size(), out_size = p.out_size(), taps = p.taps();
#pragma omp parallel for schedule(dynamic)
    for (int64_t task = 0; task < tasks; ++task) {
      const int64_t n = task / (g.groups * blocks);
      const int64_t grp = (task / blocks) % g.groups;
      const int64_t o_first = grp * ocg + (task % blocks) * block;
      const int ob = static_cast<int>(std::min(block, (grp + 1) * ocg - o_first));
      float* planes[8];
      float init[8];
      for (int o = 0; o < ob; ++o) {
        planes[o] = y + (n * g.out_channels + o_first + o) * out_size;
        init[o] = b ? b[o_first + o] : 0.0f;
      }
      for (int64_t c = 0; c < cg; ++c) {
        Pass s{&p,
               &table,
               x + (n * g.in_channels + grp * cg + c) * in_size,
               w + (o_first * cg + c) * taps,
               cg * taps,
               planes,
               c == 0 ? init : nullptr};
        run_pass(isa, ob, s);
      }
    }
  });
}

AlgorithmText smm_text() {
  return {
      "Sum of shifted input planes scaled by single weights, no packing (Ofir & Ben-Artzi 2022)",
      "SMM-Conv writes each output plane as the sum, over input channels c and taps (kh, kw), of "
      "the input plane c shifted by the tap (strided by the stride, spread by the dilation) times "
      "the single scalar W[oc, c, kh, kw]: scalar-matrix multiplications, with the zero padding "
      "never materialized (rows in the padding are skipped, columns masked). Vectorized over "
      "output columns with AVX-512 or AVX2 (chosen at run time; portable loops elsewhere), the "
      "taps of one channel summed in registers for up to 8 (AVX2: 4) output channels at once "
      "so each loaded input vector feeds several FMAs; OpenMP over images and output-channel "
      "blocks. Extra memory: none beyond a table of ceil(OW/L) * KW * (4*L + 12) bytes of column "
      "offsets made at prepare time (L = 16 lanes, 8 on AVX2); W is read in place, so a runtime W "
      "costs nothing extra. It "
      "wins on small channel counts, depthwise and grouped layers and odd shapes where GEMM-"
      "based methods pay for packing; on wide layers a GEMM's reuse wins. Numerics: float FMAs "
      "in channel-then-tap order; error grows with C/g * KH*KW like a plain dot product."};
}

}  // namespace algoscope::ops::conv
