// Vectorized, multi-threaded MaxPool for float32 1-D and 2-D windows without the Indices output
// (ResNet's 3x3 stride-2 stem pooling and the like). For each output row and each kernel tap
// (kh, kw) that lands in the input, one SIMD pass takes the maximum of the output row and the
// input row read at stride sw; the range of outputs for which tap kw falls inside the input is
// computed once per tap, so no padding test remains in the inner loop and any pads, strides,
// dilations and ceil_mode are handled by the ranges alone. Loops compiled for AVX-512, AVX2+FMA
// and SSE2 and chosen at load time; OpenMP shares the (image, channel) planes of inputs of 64K
// elements or more.
#include <algorithm>
#include <limits>
#include <string>

#include "ops/common.h"
#include "ops/pool/direct_rows.h"
#include "ops/pool/pool.h"
#include "ops/vector_math.h"

namespace algoscope::ops::pool {
namespace {

using namespace vmath;

ALGOSCOPE_INLINE void max_plane_body(const float* __restrict x, float* __restrict y,
                                     const Plane2D& p) {
  for (int64_t oh = 0; oh < p.oh; ++oh) {
    float* yr = y + oh * p.ow;
    for (int64_t i = 0; i < p.ow; ++i) yr[i] = -std::numeric_limits<float>::infinity();
    combine_taps_into_row(x, yr, p, oh, [](float best, float v) { return std::max(best, v); });
  }
}
ALGOSCOPE_SIMD_VARIANTS(max_plane, max_plane_body)

}  // namespace

std::optional<std::string> max_pool_direct_not_applicable(const Layer& layer) {
  if (layer.inputs[0].dtype != DType::Float32)
    return std::string("the direct kernel covers float32 only; this MaxPool is ") +
           dtype_name(layer.inputs[0].dtype) + ", which the reference computes";
  if (layer.n().outputs.size() > 1 && !layer.n().outputs[1].empty())
    return std::string(
        "the direct kernel does not produce the Indices output (it keeps no argmax); the "
        "reference does");
  return plane_2d_reason(pool_geometry(layer).window);
}

std::unique_ptr<Kernel> prepare_max_pool_direct(const Layer& layer) {
  const PoolGeometry g = pool_geometry(layer);
  const Plane2D p = plane_2d(g.window);
  const int64_t planes = g.batch * g.channels;
  return float_kernel([p, planes](const float* x, float* y) {
    const int64_t in_plane = p.h * p.w, out_plane = p.oh * p.ow;
#pragma omp parallel for schedule(static) if (planes * in_plane >= kParallelMinElements)
    for (int64_t c = 0; c < planes; ++c) max_plane(x + c * in_plane, y + c * out_plane, p);
  });
}

AlgorithmText max_pool_direct_text() {
  return {"One SIMD max pass per output row and kernel tap, multi-threaded",
          "For every output row and every kernel tap (kh, kw) that lands in the input, one "
          "vectorized pass takes the maximum of the output row and the input row read at the "
          "horizontal stride. The outputs for which a tap is inside the input form one range, "
          "computed once per tap, so padding costs no test in the inner loop and any pads, "
          "strides, dilations and ceil_mode come out of the ranges. "
          "Compiled for AVX-512, AVX2+FMA and SSE2; the running CPU's copy is chosen at load "
          "time. "
          "Inputs of 64K elements or more share the (image, channel) planes across the OpenMP "
          "team; smaller ones stay on one thread. "
          "Extra memory: none. "
          "It wins over the reference (which visits each tap of each output with index "
          "arithmetic) by doing the same comparisons as contiguous SIMD rows. Covers float32 1-D "
          "and 2-D windows without the Indices output. Numerics: exact."};
}

}  // namespace algoscope::ops::pool
