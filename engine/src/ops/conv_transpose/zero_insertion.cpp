// ConvTranspose the textbook way (Dumoulin & Visin, arXiv 1603.07285, section 4.5): insert
// stride - 1 zeros between input pixels, pad the result by dilation * (K - 1) - pad at the start
// (a negative amount crops), and run an ordinary stride-1 convolution over it with the kernel
// flipped and its channel axes swapped. Here the convolution is im2col + our blocked GEMM. It
// exists as a teaching baseline: of the multiplications it does, only about 1/stride^2 touch a
// real input value, so it shows what the sub-pixel decomposition saves. 1-D, 2-D and 3-D layers
// run as 3-D ones.
#include <algorithm>
#include <cstring>
#include <memory>
#include <vector>

#include "blocked_gemm/blocked_gemm.h"
#include "ops/common.h"
#include "ops/conv_transpose/conv_transpose.h"

namespace algoscope::ops::conv_transpose {

namespace {

struct Plan {
  Geometry g;
  Geometry3 g3;
  int64_t zsize[3], lo[3];  // extent of the zero-inserted, padded input; where x[0] lands in it
  int64_t z_floats() const { return zsize[0] * zsize[1] * zsize[2]; }
  int64_t rows() const { return g.in_per_group() * g3.kernel_size(); }  // GEMM depth
  int64_t weight_floats() const { return g.out_channels * rows(); }
};

Plan make_plan(const Layer& layer) {
  Plan p;
  p.g = geometry(layer);
  p.g3 = to_3d(p.g);
  for (int i = 0; i < 3; ++i) {
    const int64_t extent = p.g3.dilation[i] * (p.g3.kernel[i] - 1);
    // Output o reads z[o + k * dilation] for k < K: the padded input spans out + extent.
    p.zsize[i] = p.g3.out[i] + extent;
    p.lo[i] = extent - p.g3.pad[i];
  }
  return p;
}

// W [C, M/g, k] to the GEMM's left operand: per group, [M/g, C/g * taps] with the taps reversed.
void flip_weights(const Plan& p, const float* w, float* out) {
  const int64_t cg = p.g.in_per_group(), mg = p.g.out_per_group(), K = p.g3.kernel_size();
  for (int64_t grp = 0; grp < p.g.groups; ++grp)
    for (int64_t m = 0; m < mg; ++m)
      for (int64_t c = 0; c < cg; ++c) {
        const float* src = w + ((grp * cg + c) * mg + m) * K;
        float* dst = out + ((grp * mg + m) * cg + c) * K;
        for (int64_t k = 0; k < K; ++k) dst[k] = src[K - 1 - k];
      }
}

// The group's input with zeros inserted and padded: z[c][lo + i * stride] = x[c][i].
void insert_zeros(const Plan& p, const float* x, int64_t channels, float* z) {
  const Geometry3& g = p.g3;
  std::fill(z, z + channels * p.z_floats(), 0.0f);
  for (int64_t c = 0; c < channels; ++c)
    for (int64_t id = 0; id < g.in[0]; ++id) {
      const int64_t zd = p.lo[0] + id * g.stride[0];
      if (zd < 0 || zd >= p.zsize[0]) continue;
      for (int64_t ih = 0; ih < g.in[1]; ++ih) {
        const int64_t zh = p.lo[1] + ih * g.stride[1];
        if (zh < 0 || zh >= p.zsize[1]) continue;
        const float* xr = x + ((c * g.in[0] + id) * g.in[1] + ih) * g.in[2];
        float* zr = z + ((c * p.zsize[0] + zd) * p.zsize[1] + zh) * p.zsize[2];
        for (int64_t iw = 0; iw < g.in[2]; ++iw) {
          const int64_t zw = p.lo[2] + iw * g.stride[2];
          if (zw >= 0 && zw < p.zsize[2]) zr[zw] = xr[iw];
        }
      }
    }
}

// im2col over the padded z, stride 1: row (c, kd, kh, kw), column (od, oh, ow).
void patches(const Plan& p, const float* z, int64_t channels, float* col) {
  const Geometry3& g = p.g3;
  const int64_t OD = g.out[0], OH = g.out[1], OW = g.out[2];
  for (int64_t c = 0; c < channels; ++c)
    for (int64_t kd = 0; kd < g.kernel[0]; ++kd)
      for (int64_t kh = 0; kh < g.kernel[1]; ++kh)
        for (int64_t kw = 0; kw < g.kernel[2]; ++kw)
          for (int64_t od = 0; od < OD; ++od)
            for (int64_t oh = 0; oh < OH; ++oh, col += OW) {
              const int64_t zd = od + kd * g.dilation[0], zh = oh + kh * g.dilation[1];
              const float* zr =
                  z + ((c * p.zsize[0] + zd) * p.zsize[1] + zh) * p.zsize[2] + kw * g.dilation[2];
              std::memcpy(col, zr, sizeof(float) * OW);
            }
}

}  // namespace

std::optional<std::string> zero_insertion_not_applicable(const Layer& layer) {
  return rank_reason(layer, "zero_insertion");
}

size_t zero_insertion_workspace_bytes(const Layer& layer) {
  const Plan p = make_plan(layer);
  int64_t floats = p.g.in_per_group() * p.z_floats() + p.rows() * p.g3.out_size();
  if (!layer.constant(1)) floats += p.weight_floats();
  return static_cast<size_t>(floats) * sizeof(float);
}

std::unique_ptr<Kernel> prepare_zero_insertion(const Layer& layer) {
  auto plan = std::make_shared<const Plan>(make_plan(layer));
  std::shared_ptr<std::vector<float>> prepared;
  if (const Tensor* w = layer.constant(1)) {
    prepared = std::make_shared<std::vector<float>>(plan->weight_floats());
    flip_weights(*plan, w->data<float>(), prepared->data());
  }
  return conv_transpose_kernel(
      plan->g,
      [plan, prepared](const float* x, const float* w, const float* b, float* y, float* workspace) {
        const Plan& p = *plan;
        const Geometry& g = p.g;
        const int64_t cg = g.in_per_group(), mg = g.out_per_group();
        const int64_t out_size = p.g3.out_size(), rows = p.rows();
        float* z = workspace;
        float* col = z + cg * p.z_floats();
        const float* weights = prepared ? prepared->data() : nullptr;
        if (!weights) {
          float* flipped = col + rows * out_size;
          flip_weights(p, w, flipped);
          weights = flipped;
        }
        for (int64_t n = 0; n < g.batch; ++n)
          for (int64_t grp = 0; grp < g.groups; ++grp) {
            insert_zeros(p, x + (n * g.in_channels + grp * cg) * p.g3.in_size(), cg, z);
            patches(p, z, cg, col);
            float* yg = y + (n * g.out_channels + grp * mg) * out_size;
            for (int64_t m = 0; m < mg; ++m)
              std::fill(yg + m * out_size, yg + (m + 1) * out_size, b ? b[grp * mg + m] : 0.0f);
            blocked_gemm::sgemm(false, false, mg, out_size, rows, 1.0f, weights + grp * mg * rows,
                                rows, col, out_size, 1.0f, yg, out_size);
          }
      });
}

AlgorithmText zero_insertion_text() {
  return {
      "Insert stride-1 zeros, pad, convolve with the flipped kernel (the textbook baseline)",
      "The input is upsampled by writing stride - 1 zeros between its pixels, padded by "
      "dilation * (K - 1) - pad at the start (cropped where that is negative) and to the output "
      "size plus the kernel extent at the end, and an ordinary stride-1 convolution runs over it "
      "with the kernel flipped and its input and output channel axes swapped (Dumoulin & Visin, "
      "arXiv 1603.07285, section 4.5), here as im2col + our blocked GEMM. Extra memory: "
      "4 * (C/g * prod(output + dilation * (K - 1)) + C/g * KH*KW * prod(output)) bytes (the "
      "zero-inserted input and its patch matrix), plus a flipped copy of W when W is not "
      "constant. It never wins: about (stride^2 - 1)/stride^2 of its multiplications hit an "
      "inserted zero, so at stride 2 it does 4x the useful work, 9x at stride 3; it is here to "
      "show what the sub-pixel decomposition saves. Numerics: the same products as the scatter "
      "plus exact zeros, float accumulation in the GEMM's order."};
}

}  // namespace algoscope::ops::conv_transpose
