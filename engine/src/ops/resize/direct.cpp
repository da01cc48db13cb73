// Resize of float32 NCHW images over H and W (batch and channels kept), separably: when the layer
// is prepared each of the two axes becomes a table, for every output index its K source indices
// and float weights (K = 1 nearest, 2 linear, 4 cubic; axis_taps' formulas, made once instead of
// per element). An output row is then the blend of its K input rows (a SIMD loop over the input
// width), followed by a gather of K columns per output element from that blended row. Rows and
// columns that take one input element whole skip the arithmetic (integer-scale nearest, an axis
// left as it is), and an output row whose taps equal the previous row's is a copy of it (nearest
// upsampling). OpenMP splits the rows of all planes evenly between the threads.
#include <omp.h>

#include <algorithm>
#include <cstring>
#include <limits>
#include <vector>

#include "ops/common.h"
#include "ops/resize/resize.h"
#include "ops/vector_math.h"

namespace algoscope::ops::resize {
namespace {

using namespace vmath;

// One resized axis as tables, structure of arrays: tap k of output index x at [k * out + x].
struct AxisTable {
  int64_t in = 0, out = 0;
  int taps = 1;
  std::vector<int32_t> index;
  std::vector<float> weight;
  std::vector<uint8_t> outside;  // tf_crop_and_resize: extrapolation_value there
  std::vector<int32_t> whole;    // the source index of a lone weight-1 tap, else -1
  std::vector<uint8_t> repeats;  // the same taps as the previous output index
  bool identity = false;
  bool any_outside = false;
};

AxisTable make_table(const ResizeParams& p, const AxisMap& a) {
  AxisTable t;
  t.in = a.in, t.out = a.out, t.taps = max_taps(p.mode);
  t.identity = is_identity(p, a);
  const size_t n = static_cast<size_t>(a.out);
  t.index.assign(n * t.taps, 0);
  t.weight.assign(n * t.taps, 0.0f);
  t.outside.assign(n, 0);
  t.whole.assign(n, -1);
  t.repeats.assign(n, 0);
  Taps previous;
  for (size_t x = 0; x < n; ++x) {
    const Taps taps = axis_taps(p, a, static_cast<int64_t>(x));
    t.outside[x] = taps.outside;
    t.any_outside |= taps.outside;
    // Padding taps read the first source element with weight 0.
    for (int k = 0; k < t.taps; ++k) {
      t.index[k * n + x] = static_cast<int32_t>(k < taps.count ? taps.index[k] : taps.index[0]);
      t.weight[k * n + x] = k < taps.count ? static_cast<float>(taps.weight[k]) : 0.0f;
    }
    if (taps.count == 1 && taps.weight[0] == 1.0) t.whole[x] = static_cast<int32_t>(taps.index[0]);
    t.repeats[x] = x > 0 && taps.outside == previous.outside && taps.count == previous.count &&
                   std::equal(taps.index, taps.index + taps.count, previous.index) &&
                   std::equal(taps.weight, taps.weight + taps.count, previous.weight);
    previous = taps;
  }
  return t;
}

// out[0, n) = sum over k of weight[k] * rows[k][0, n), for the 2 taps of linear and the 4 of
// cubic: one pass each, so the output row is written once.
ALGOSCOPE_INLINE void blend_2_rows_body(const float* const* rows, const float* weight, int64_t n,
                                        float* __restrict out) {
  const float* __restrict r0 = rows[0];
  const float* __restrict r1 = rows[1];
  const float w0 = weight[0], w1 = weight[1];
#pragma omp simd
  for (int64_t i = 0; i < n; ++i) out[i] = w0 * r0[i] + w1 * r1[i];
}
ALGOSCOPE_SIMD_VARIANTS(blend_2_rows, blend_2_rows_body)

ALGOSCOPE_INLINE void blend_4_rows_body(const float* const* rows, const float* weight, int64_t n,
                                        float* __restrict out) {
  const float* __restrict r0 = rows[0];
  const float* __restrict r1 = rows[1];
  const float* __restrict r2 = rows[2];
  const float* __restrict r3 = rows[3];
  const float w0 = weight[0], w1 = weight[1], w2 = weight[2], w3 = weight[3];
#pragma omp simd
  for (int64_t i = 0; i < n; ++i) out[i] = w0 * r0[i] + w1 * r1[i] + w2 * r2[i] + w3 * r3[i];
}
ALGOSCOPE_SIMD_VARIANTS(blend_4_rows, blend_4_rows_body)

// out[x] = sum over k of weight[k * n + x] * row[index[k * n + x]], for x in [0, n), for 2 and 4
// taps.
ALGOSCOPE_INLINE void gather_2_columns_body(const float* __restrict row, const int32_t* index,
                                            const float* weight, int64_t n, float* __restrict out) {
  const int32_t* __restrict i0 = index;
  const int32_t* __restrict i1 = index + n;
  const float* __restrict w0 = weight;
  const float* __restrict w1 = weight + n;
#pragma omp simd
  for (int64_t x = 0; x < n; ++x) out[x] = w0[x] * row[i0[x]] + w1[x] * row[i1[x]];
}
ALGOSCOPE_SIMD_VARIANTS(gather_2_columns, gather_2_columns_body)

ALGOSCOPE_INLINE void gather_4_columns_body(const float* __restrict row, const int32_t* index,
                                            const float* weight, int64_t n, float* __restrict out) {
  const int32_t* __restrict i0 = index;
  const int32_t* __restrict i1 = index + n;
  const int32_t* __restrict i2 = index + 2 * n;
  const int32_t* __restrict i3 = index + 3 * n;
  const float* __restrict w0 = weight;
  const float* __restrict w1 = weight + n;
  const float* __restrict w2 = weight + 2 * n;
  const float* __restrict w3 = weight + 3 * n;
#pragma omp simd
  for (int64_t x = 0; x < n; ++x)
    out[x] = w0[x] * row[i0[x]] + w1[x] * row[i1[x]] + w2[x] * row[i2[x]] + w3[x] * row[i3[x]];
}
ALGOSCOPE_SIMD_VARIANTS(gather_4_columns, gather_4_columns_body)

struct DirectResize {
  int64_t planes = 0;
  AxisTable rows, columns;
  float extrapolation = 0.0f;

  // Output row `oy` of one plane; `blended` holds the input width.
  void output_row(const float* plane, int64_t oy, float* out, float* blended) const {
    const int64_t width = columns.out;
    if (rows.outside[oy]) {
      std::fill(out, out + width, extrapolation);
      return;
    }
    const float* source = blended;
    if (rows.whole[oy] >= 0) {
      source = plane + rows.whole[oy] * rows_stride();
    } else {
      const float* taps[4];
      float weights[4];
      for (int k = 0; k < rows.taps; ++k) {
        taps[k] = plane + rows.index[k * rows.out + oy] * rows_stride();
        weights[k] = rows.weight[k * rows.out + oy];
      }
      if (rows.taps == 2)
        blend_2_rows(taps, weights, columns.in, blended);
      else
        blend_4_rows(taps, weights, columns.in, blended);
    }
    if (columns.identity) {
      std::memcpy(out, source, static_cast<size_t>(width) * sizeof(float));
    } else if (columns.taps == 1) {
      const int32_t* index = columns.index.data();
      for (int64_t x = 0; x < width; ++x) out[x] = source[index[x]];
    } else if (columns.taps == 2) {
      gather_2_columns(source, columns.index.data(), columns.weight.data(), width, out);
    } else {
      gather_4_columns(source, columns.index.data(), columns.weight.data(), width, out);
    }
    if (columns.any_outside)
      for (int64_t x = 0; x < width; ++x)
        if (columns.outside[x]) out[x] = extrapolation;
  }
  int64_t rows_stride() const { return columns.in; }

  void run(const float* x, float* y) const {
    const int64_t plane_in = rows.in * columns.in, width = columns.out;
    const int64_t total_rows = planes * rows.out;
    const bool parallel = total_rows > 1 && total_rows * width >= kParallelMinElements;
#pragma omp parallel if (parallel)
    {
      std::vector<float> blended(static_cast<size_t>(columns.in));
      const int64_t threads = omp_get_num_threads(), id = omp_get_thread_num();
      const int64_t begin = total_rows * id / threads, end = total_rows * (id + 1) / threads;
      for (int64_t r = begin; r < end; ++r) {
        const int64_t plane = r / rows.out, oy = r % rows.out;
        float* out = y + r * width;
        // The previous row is this thread's own when it is in the same plane and range.
        if (r > begin && rows.repeats[oy]) {
          std::memcpy(out, out - width, static_cast<size_t>(width) * sizeof(float));
          continue;
        }
        output_row(x + plane * plane_in, oy, out, blended.data());
      }
    }
  }
};

}  // namespace

std::optional<std::string> direct_not_applicable(const Layer& layer) {
  const TensorInfo& x = layer.inputs[0];
  if (x.dtype != DType::Float32) return std::string("the direct kernel covers float32 only");
  if (x.shape.size() != 4) return std::string("the direct kernel resizes 4-D NCHW tensors only");
  const ResizeParams p = resize_params(layer);
  if (!is_identity(p, p.axes[0]) || !is_identity(p, p.axes[1]))
    return std::string("the direct kernel resizes H and W only (N and C must stay as they are)");
  constexpr int64_t kMaxIndex = std::numeric_limits<int32_t>::max();
  if (x.shape[2] > kMaxIndex || x.shape[3] > kMaxIndex)
    return std::string("the direct kernel indexes rows and columns with 32 bits");
  return std::nullopt;
}

std::unique_ptr<Kernel> prepare_direct(const Layer& layer) {
  const ResizeParams p = resize_params(layer);
  DirectResize r;
  r.planes = p.out[0] * p.out[1];
  r.rows = make_table(p, p.axes[2]);
  r.columns = make_table(p, p.axes[3]);
  r.extrapolation = p.extrapolation;
  return float_kernel([r = std::move(r)](const float* x, float* y) { r.run(x, y); });
}

AlgorithmText direct_text() {
  return {
      "Separable NCHW resize: per-axis tap tables made once, rows blended then columns "
      "gathered, SIMD and OpenMP",
      "Resizing H and W is separable: the weight of input element (iy, ix) in output "
      "(oy, ox) is wy(oy, iy) * wx(ox, ix). When the layer is prepared, each of the two axes "
      "becomes a table of K source indices and float weights per output index (K = 1 "
      "nearest, 2 linear, 4 cubic; the same coordinate formulas as the reference, evaluated "
      "once instead of per element). An output row is the weighted sum of its K input rows "
      "(a SIMD loop over the input width into a one-row buffer), then every output element "
      "gathers its K columns from that row. Rows or columns that take one input element "
      "whole (integer-scale nearest, whole-number positions, an unchanged axis) skip the "
      "arithmetic, and a row whose taps equal the previous row's is copied (nearest "
      "upsampling computes half the rows at x2). The rows of all planes are split evenly "
      "between the OpenMP threads once the output has 64K elements. Extra memory: the "
      "tables, (K * 8 + 6) * (H_out + W_out) bytes, and one input row (4 * W_in bytes) per "
      "thread. It wins everywhere it applies: the reference recomputes every axis' formula "
      "and sums 2^r or 4^r products in double per element. Numerics: float weights and sums "
      "of at most 16 products, within about 1e-6 relative of the double reference; nearest "
      "copies exactly."};
}

}  // namespace algoscope::ops::resize
