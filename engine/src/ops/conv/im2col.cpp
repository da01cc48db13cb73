// Conv as GEMM (Chellapilla et al. 2006): for each image and group, copy every receptive field
// into a column of a "patch matrix" [C/groups * kernel_spatial, out_spatial] in the workspace
// (zeros where the window covers padding), then compute the group's outputs as one OpenBLAS sgemm
// of the filters [OC/groups, C/groups * kernel_spatial] by that matrix. 1-D and 2-D layers run as
// 3-D ones with unit leading axes. A 1x1 convolution with unit stride and no padding is already a
// GEMM: the input itself is the patch matrix and no workspace is needed.
#include <algorithm>
#include <cstring>

#include "blas/sgemm.h"
#include "ops/common.h"
#include "ops/conv/conv.h"

namespace algoscope::ops::conv {

namespace {

// The layer's window over exactly three spatial axes (leading axes of extent 1 added).
struct Geometry3 {
  int64_t in[3], kernel[3], stride[3], dilation[3], pad[3], out[3];
  int64_t in_size() const { return in[0] * in[1] * in[2]; }
  int64_t out_size() const { return out[0] * out[1] * out[2]; }
  int64_t kernel_size() const { return kernel[0] * kernel[1] * kernel[2]; }
};

Geometry3 to_3d(const Window& w) {
  Geometry3 g;
  const size_t lead = 3 - w.rank();
  for (size_t i = 0; i < 3; ++i) {
    const bool real = i >= lead;
    const size_t j = real ? i - lead : 0;
    g.in[i] = real ? w.input[j] : 1;
    g.kernel[i] = real ? w.kernel[j] : 1;
    g.stride[i] = real ? w.strides[j] : 1;
    g.dilation[i] = real ? w.dilations[j] : 1;
    g.pad[i] = real ? w.pad_begin[j] : 0;
    g.out[i] = real ? w.output[j] : 1;
  }
  return g;
}

bool is_pointwise(const Window& w) {
  for (size_t i = 0; i < w.rank(); ++i)
    if (w.kernel[i] != 1 || w.strides[i] != 1 || w.pad_begin[i] != 0 || w.pad_end[i] != 0)
      return false;
  return true;
}

// x: [channels, D, H, W] of one image and group; col: [channels * KD*KH*KW, OD*OH*OW].
void im2col(const float* x, int64_t channels, const Geometry3& g, float* col) {
  const int64_t in_size = g.in_size();
  const int64_t out_size = g.out_size();
  const int64_t k_size = g.kernel_size();
  const int64_t rows = channels * k_size;
  const int64_t OH = g.out[1], OW = g.out[2], H = g.in[1], W = g.in[2];
  // Deliberately single-threaded: the copy is memory-bound, and an OpenMP region next to
  // OpenBLAS's own thread pool leaves OpenMP workers spinning on the cores OpenBLAS needs
  // (measured 4x slower on 2 cores, 300x for depthwise layers' many small GEMMs).
  for (int64_t r = 0; r < rows; ++r) {
    const int64_t c = r / k_size;
    const int64_t kr = r % k_size;
    const int64_t kd = kr / (g.kernel[1] * g.kernel[2]);
    const int64_t kh = (kr / g.kernel[2]) % g.kernel[1];
    const int64_t kw = kr % g.kernel[2];
    const float* xc = x + c * in_size;
    float* out = col + r * out_size;
    // Output columns whose tap lands inside the row: the same for every (od, oh).
    const int64_t base = kw * g.dilation[2] - g.pad[2];
    const int64_t s = g.stride[2];
    int64_t ow_begin = base >= 0 ? 0 : (-base + s - 1) / s;
    int64_t ow_end = W - 1 - base < 0 ? 0 : std::min(OW, (W - 1 - base) / s + 1);
    ow_begin = std::min(ow_begin, ow_end);
    for (int64_t od = 0; od < g.out[0]; ++od) {
      const int64_t id = od * g.stride[0] - g.pad[0] + kd * g.dilation[0];
      float* out_d = out + od * OH * OW;
      if (id < 0 || id >= g.in[0]) {
        std::memset(out_d, 0, sizeof(float) * OH * OW);
        continue;
      }
      for (int64_t oh = 0; oh < OH; ++oh) {
        const int64_t ih = oh * g.stride[1] - g.pad[1] + kh * g.dilation[1];
        float* row = out_d + oh * OW;
        if (ih < 0 || ih >= H) {
          std::memset(row, 0, sizeof(float) * OW);
          continue;
        }
        const float* xrow = xc + (id * H + ih) * W;
        for (int64_t ow = 0; ow < ow_begin; ++ow) row[ow] = 0.0f;
        if (s == 1) {
          std::memcpy(row + ow_begin, xrow + ow_begin + base, sizeof(float) * (ow_end - ow_begin));
        } else {
          for (int64_t ow = ow_begin; ow < ow_end; ++ow) row[ow] = xrow[ow * s + base];
        }
        for (int64_t ow = ow_end; ow < OW; ++ow) row[ow] = 0.0f;
      }
    }
  }
}

}  // namespace

std::optional<std::string> im2col_not_applicable(const Layer& layer) {
  if (!blas::openblas_available()) return blas::openblas_core_name();
  try {
    const ConvGeometry g = conv_geometry(layer);
    if (g.window.rank() > 3)
      return "im2col is implemented for 1-D, 2-D and 3-D convolutions, this one has " +
             std::to_string(g.window.rank()) + " spatial axes";
    const int64_t k = g.in_per_group() * g.window.kernel_size();
    if (auto why = blas::dimensions_reason(g.out_per_group(), g.window.output_size(), k))
      return why;
  } catch (const Error& e) {
    return std::string(e.what());
  }
  return std::nullopt;
}

size_t im2col_workspace_bytes(const Layer& layer) {
  const ConvGeometry g = conv_geometry(layer);
  if (is_pointwise(g.window)) return 0;
  return static_cast<size_t>(g.in_per_group() * g.window.kernel_size() * g.window.output_size()) *
         sizeof(float);
}

std::unique_ptr<Kernel> prepare_im2col(const Layer& layer) {
  const ConvGeometry g = conv_geometry(layer);
  const Geometry3 g3 = to_3d(g.window);
  const bool pointwise = is_pointwise(g.window);
  return make_kernel([g, g3, pointwise](KernelIO& io) {
    const float* x = io.inputs[0]->data<float>();
    // W [OC, C/groups, kernel...] is already the row-major filter matrix of each group, so even a
    // constant W needs no prepared copy.
    const float* w = io.inputs[1]->data<float>();
    const float* b = optional_float_input(io, 2, g.has_bias);
    float* y = io.outputs[0]->data<float>();
    float* col = static_cast<float*>(io.workspace);
    const int64_t in_size = g3.in_size();
    const int64_t out_size = g3.out_size();
    const int64_t cg = g.in_per_group();
    const int64_t ocg = g.out_per_group();
    const int64_t k = cg * g3.kernel_size();
    for (int64_t n = 0; n < g.batch; ++n) {
      for (int64_t grp = 0; grp < g.groups; ++grp) {
        const float* xg = x + (n * g.in_channels + grp * cg) * in_size;
        float* yg = y + (n * g.out_channels + grp * ocg) * out_size;
        const float* patches = xg;
        if (!pointwise) {
          im2col(xg, cg, g3, col);
          patches = col;
        }
        float beta = 0.0f;
        if (b) {
          // The bias goes in first and sgemm accumulates onto it (beta = 1): no second pass.
          for (int64_t oc = 0; oc < ocg; ++oc)
            std::fill(yg + oc * out_size, yg + (oc + 1) * out_size, b[grp * ocg + oc]);
          beta = 1.0f;
        }
        blas::sgemm(false, false, ocg, out_size, k, 1.0f, w + grp * ocg * k, k, patches, out_size,
                    beta, yg, out_size);
      }
    }
  });
}

AlgorithmText im2col_text() {
  return {
      "Patch matrix per image and group, then one OpenBLAS sgemm (Chellapilla 2006)",
      "Every receptive field is copied into a column of a patch matrix of C/g * KH*KW rows and "
      "OH*OW columns (zeros where the window covers padding); the group's filters, already a "
      "row-major OC/g x C/g*KH*KW matrix, multiply it in one OpenBLAS sgemm per image and group. "
      "Extra memory: 4 * (C/g) * KH*KW * OH*OW bytes (the patch matrix of one image and group; "
      "none for a 1x1 stride-1 unpadded convolution, whose input already is that matrix). It wins "
      "when the GEMM is large (many channels, 3x3 and larger kernels): the copy costs KH*KW times "
      "the input but the sgemm runs near the machine's peak. Depthwise layers become many tiny "
      "GEMMs and lose. Numerics: float accumulation in OpenBLAS's blocked order; the error grows "
      "with sqrt(C/g * KH*KW) and is a few ulps for typical layers."};
}

}  // namespace algoscope::ops::conv
