// Vectorized, multi-threaded AveragePool for float32 1-D and 2-D windows. Like the direct
// MaxPool: for each output row and each kernel tap that lands in the input, one SIMD pass adds the
// input row (read at stride sw) into the output row over the range of outputs for which the tap
// is inside, so padding needs no test in the inner loop. The divisor is separable: the number of
// counted taps of output (oh, ow) is rows(oh) * cols(ow), where a tap counts when it is inside the
// input (count_include_pad = 0) or inside the explicitly padded input (count_include_pad = 1;
// taps a ceil_mode window hangs past the padding never count), so both factors are computed once
// when the kernel is prepared. Sums are float (a window has few taps). Loops compiled for
// AVX-512, AVX2+FMA and SSE2 and chosen at load time; OpenMP over (image, channel) planes of
// inputs of 64K elements or more.
#include <algorithm>
#include <string>
#include <vector>

#include "ops/common.h"
#include "ops/pool/direct_rows.h"
#include "ops/pool/pool.h"
#include "ops/vector_math.h"

namespace algoscope::ops::pool {
namespace {

using namespace vmath;

// Counted taps along one axis for every output position.
std::vector<float> tap_counts(int64_t outputs, int64_t stride, int64_t pad_begin, int64_t kernel,
                              int64_t dilation, int64_t extent, int64_t pad_end, bool include_pad) {
  std::vector<float> counts(static_cast<size_t>(outputs));
  const int64_t begin = include_pad ? -pad_begin : 0;
  const int64_t end = include_pad ? extent + pad_end : extent;
  for (int64_t o = 0; o < outputs; ++o) {
    int64_t n = 0;
    for (int64_t k = 0; k < kernel; ++k) {
      const int64_t pos = o * stride - pad_begin + k * dilation;
      n += pos >= begin && pos < end;
    }
    counts[static_cast<size_t>(o)] = static_cast<float>(n);
  }
  return counts;
}

ALGOSCOPE_INLINE void average_plane_body(const float* __restrict x, float* __restrict y,
                                         const Plane2D& p, const float* __restrict rows,
                                         const float* __restrict cols) {
  for (int64_t oh = 0; oh < p.oh; ++oh) {
    float* yr = y + oh * p.ow;
    for (int64_t i = 0; i < p.ow; ++i) yr[i] = 0.0f;
    combine_taps_into_row(x, yr, p, oh, [](float sum, float v) { return sum + v; });
    const float r = rows[oh];
#pragma omp simd
    for (int64_t o = 0; o < p.ow; ++o) {
      const float count = r * cols[o];
      yr[o] = count > 0.0f ? yr[o] / count : 0.0f;
    }
  }
}
ALGOSCOPE_SIMD_VARIANTS(average_plane, average_plane_body)

}  // namespace

std::optional<std::string> average_pool_direct_not_applicable(const Layer& layer) {
  return plane_2d_reason(pool_geometry(layer).window);
}

std::unique_ptr<Kernel> prepare_average_pool_direct(const Layer& layer) {
  const PoolGeometry g = pool_geometry(layer);
  const Plane2D p = plane_2d(g.window);
  const bool include_pad = layer.n().attr_int("count_include_pad", 0) != 0;
  const int64_t planes = g.batch * g.channels;
  std::vector<float> rows =
      tap_counts(p.oh, p.sh, p.pad_top, p.kh, p.dh, p.h, p.pad_bottom, include_pad);
  std::vector<float> cols =
      tap_counts(p.ow, p.sw, p.pad_left, p.kw, p.dw, p.w, p.pad_right, include_pad);
  return float_kernel(
      [p, planes, rows = std::move(rows), cols = std::move(cols)](const float* x, float* y) {
        const int64_t in_plane = p.h * p.w, out_plane = p.oh * p.ow;
#pragma omp parallel for schedule(static) if (planes * in_plane >= kParallelMinElements)
        for (int64_t c = 0; c < planes; ++c)
          average_plane(x + c * in_plane, y + c * out_plane, p, rows.data(), cols.data());
      });
}

AlgorithmText average_pool_direct_text() {
  return {"One SIMD add pass per output row and kernel tap, separable divisor",
          "For every output row and every kernel tap that lands in the input, one vectorized pass "
          "adds the input row (read at the horizontal stride) into the output row, over the range "
          "of outputs for which the tap is inside, so padding costs no test in the inner loop. "
          "The divisor is separable: counted taps = rows(oh) * cols(ow), both computed when the "
          "kernel is prepared (inside the input, or with count_include_pad inside the padded "
          "input; taps a ceil_mode window hangs past the padding never count). "
          "Compiled for AVX-512, AVX2+FMA and SSE2; the running CPU's copy is chosen at load "
          "time. "
          "Inputs of 64K elements or more share the (image, channel) planes across the OpenMP "
          "team; smaller ones stay on one thread. "
          "Extra "
          "memory: (OH + OW) * 4 bytes held by the kernel. It wins over the reference by "
          "replacing per-tap index arithmetic with SIMD rows. Covers float32 1-D and 2-D windows. "
          "Numerics: float sums of at most kh * kw terms and one division, against the "
          "reference's double sum: a few ulp."};
}

}  // namespace algoscope::ops::pool
