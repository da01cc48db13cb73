// kn2row, accumulating variant (Vasudevan, Anderson & Gregg, ASAP 2017, arXiv 1704.04428;
// Anderson et al., "Low-memory GEMM-based convolution algorithms", arXiv 1709.03395): a KHxKW
// convolution is the sum of KH*KW 1x1 convolutions whose results are shifted by the tap's offset.
// For every tap (kh, kw) one sgemm multiplies the tap's [OC/g x C/g] filter slice by the whole
// input [C/g x H*W] into a temporary [OC/g x H*W], and a shifted add (honouring stride, dilation
// and pads) accumulates the temporary into the output. Unlike im2col nothing KH*KW times the input
// is built: the extra memory is one OC/g x H*W temporary.
#include <algorithm>
#include <vector>

#include "blas/sgemm.h"
#include "ops/common.h"
#include "ops/conv/conv.h"
#include "ops/conv/plane2d.h"

namespace algoscope::ops::conv {

namespace {

// W [OC, C/g, KH, KW] -> [g][tap][OC/g][C/g]: each tap's filter slice becomes a contiguous
// row-major matrix that sgemm can read (in W its columns are KH*KW floats apart).
void repack_taps(const float* w, const ConvGeometry& g, int64_t taps, float* out) {
  const int64_t cg = g.in_per_group(), ocg = g.out_per_group();
  for (int64_t grp = 0; grp < g.groups; ++grp)
    for (int64_t t = 0; t < taps; ++t)
      for (int64_t o = 0; o < ocg; ++o)
        for (int64_t c = 0; c < cg; ++c)
          out[((grp * taps + t) * ocg + o) * cg + c] = w[((grp * ocg + o) * cg + c) * taps + t];
}

size_t repacked_floats(const ConvGeometry& g, const Plane2d& p) {
  return static_cast<size_t>(g.out_channels * g.in_per_group() * p.taps());
}

size_t temporary_floats(const ConvGeometry& g, const Plane2d& p) {
  return static_cast<size_t>(g.out_per_group() * p.in_size());
}

// Output columns [begin, end) whose tap at input column offset `base` + ow * stride lands inside
// [0, extent).
void inside_range(int64_t base, int64_t stride, int64_t extent, int64_t count, int64_t& begin,
                  int64_t& end) {
  begin = base >= 0 ? 0 : (-base + stride - 1) / stride;
  end = extent - 1 - base < 0 ? 0 : std::min(count, (extent - 1 - base) / stride + 1);
  begin = std::min(begin, end);
}

}  // namespace

std::optional<std::string> kn2row_not_applicable(const Layer& layer) {
  if (!blas::openblas_available()) return blas::openblas_core_name();
  if (auto why = plane2d_rank_reason(layer, "kn2row")) return why;
  const ConvGeometry g = conv_geometry(layer);
  return blas::dimensions_reason(g.window.input_size(), 1, g.in_per_group());
}

size_t kn2row_workspace_bytes(const Layer& layer) {
  const ConvGeometry g = conv_geometry(layer);
  const Plane2d p = to_plane2d(g.window);
  size_t floats = temporary_floats(g, p);
  if (!layer.constant(1)) floats += repacked_floats(g, p);  // runtime W is repacked per call
  return floats * sizeof(float);
}

size_t kn2row_prepared_bytes(const Layer& layer) {
  if (!layer.constant(1)) return 0;
  const ConvGeometry g = conv_geometry(layer);
  return repacked_floats(g, to_plane2d(g.window)) * sizeof(float);
}

std::unique_ptr<Kernel> prepare_kn2row(const Layer& layer) {
  const ConvGeometry g = conv_geometry(layer);
  const Plane2d p = to_plane2d(g.window);
  std::vector<float> packed;
  if (const Tensor* w = layer.constant(1)) {
    packed.resize(repacked_floats(g, p));
    repack_taps(w->data<float>(), g, p.taps(), packed.data());
  }
  return make_kernel([g, p, packed = std::move(packed)](KernelIO& io) {
    const float* x = io.inputs[0]->data<float>();
    const float* b = optional_float_input(io, 2, g.has_bias);
    float* y = io.outputs[0]->data<float>();
    float* tmp = static_cast<float*>(io.workspace);
    const int64_t cg = g.in_per_group(), ocg = g.out_per_group();
    const int64_t in_size = p.in_size(), out_size = p.out_size(), taps = p.taps();
    const float* wk = packed.data();
    if (packed.empty()) {
      float* dst = tmp + temporary_floats(g, p);
      repack_taps(io.inputs[1]->data<float>(), g, taps, dst);
      wk = dst;
    }
    for (int64_t n = 0; n < g.batch; ++n) {
      for (int64_t grp = 0; grp < g.groups; ++grp) {
        const float* xg = x + (n * g.in_channels + grp * cg) * in_size;
        float* yg = y + (n * g.out_channels + grp * ocg) * out_size;
        for (int64_t o = 0; o < ocg; ++o)
          std::fill(yg + o * out_size, yg + (o + 1) * out_size, b ? b[grp * ocg + o] : 0.0f);
        for (int64_t kh = 0; kh < p.KH; ++kh) {
          int64_t oh0, oh1;
          inside_range(kh * p.DH - p.PT, p.SH, p.H, p.OH, oh0, oh1);
          for (int64_t kw = 0; kw < p.KW; ++kw) {
            const int64_t col_base = kw * p.DW - p.PL;
            int64_t ow0, ow1;
            inside_range(col_base, p.SW, p.W, p.OW, ow0, ow1);
            // A tap that only ever lands in the padding contributes nothing: skip its GEMM.
            if (oh0 >= oh1 || ow0 >= ow1) continue;
            // The 1x1 convolution of this tap over every input pixel. With stride s only one
            // in s*s of its columns is read back: the paper's method pays that for simplicity.
            blas::sgemm(false, false, ocg, in_size, cg, 1.0f,
                        wk + (grp * taps + kh * p.KW + kw) * ocg * cg, cg, xg, in_size, 0.0f, tmp,
                        in_size);
            // Shifted add: output (oh, ow) takes temporary (oh*SH - PT + kh*DH, ow*SW + col_base).
            for (int64_t o = 0; o < ocg; ++o) {
              const float* t = tmp + o * in_size;
              float* yo = yg + o * out_size;
              for (int64_t oh = oh0; oh < oh1; ++oh) {
                const float* src = t + (oh * p.SH - p.PT + kh * p.DH) * p.W + col_base;
                float* dst = yo + oh * p.OW;
                if (p.SW == 1) {
                  for (int64_t ow = ow0; ow < ow1; ++ow) dst[ow] += src[ow];
                } else {
                  for (int64_t ow = ow0; ow < ow1; ++ow) dst[ow] += src[ow * p.SW];
                }
              }
            }
          }
        }
      }
    }
  });
}

AlgorithmText kn2row_text() {
  return {
      "One 1x1 sgemm per kernel tap and a shifted add into the output (Vasudevan et al. 2017)",
      "A KHxKW convolution is the sum of KH*KW 1x1 convolutions, each shifted by its tap's "
      "offset. For every tap, one OpenBLAS sgemm multiplies that tap's [OC/g x C/g] slice of the "
      "filters by the whole input image [C/g x H*W] into a temporary, and a shifted add (which "
      "honours stride, dilation and pads, and skips what falls into the padding) accumulates the "
      "temporary into the output: the accumulating kn2row of Anderson et al. (arXiv 1709.03395). "
      "Extra memory: 4 * (OC/g) * H*W bytes for the temporary, plus 4 * OC * (C/g) * KH*KW bytes "
      "for the per-tap filter slices (made once at prepare time when W is constant, per call "
      "otherwise). Compared with im2col it never builds a matrix KH*KW times the input, so it "
      "wins where memory is tight or the input is large and the channel counts are big enough "
      "for the 1x1 GEMMs to run fast; it loses on few channels (small GEMMs), and a stride s "
      "wastes s*s of the GEMM work because every input pixel is multiplied. Numerics: float "
      "accumulation, the sum over channels inside each GEMM and over taps in the shifted adds; "
      "error comparable to im2col."};
}

}  // namespace algoscope::ops::conv
