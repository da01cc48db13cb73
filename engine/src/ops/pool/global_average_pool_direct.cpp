// Vectorized, multi-threaded GlobalAveragePool (float32): every (image, channel) plane is one
// contiguous row summed by a SIMD reduction in double (float inputs widened in the lanes) and
// multiplied by 1 / plane size, e.g. ResNet-50's 2048 planes of 7x7 before the classifier.
// Compiled for AVX-512, AVX2+FMA and SSE2 and chosen at load time; OpenMP shares the planes of
// inputs of 64K elements or more.
#include <algorithm>

#include "ops/common.h"
#include "ops/pool/pool.h"
#include "ops/vector_math.h"

namespace algoscope::ops::pool {
namespace {

using namespace vmath;

ALGOSCOPE_INLINE void plane_means_body(const float* __restrict x, float* __restrict y,
                                       int64_t planes, int64_t plane) {
  const double scale = plane ? 1.0 / static_cast<double>(plane) : 0.0;
  for (int64_t p = 0; p < planes; ++p) {
    const float* xp = x + p * plane;
    double s = 0.0;
#pragma omp simd reduction(+ : s)
    for (int64_t i = 0; i < plane; ++i) s += static_cast<double>(xp[i]);
    y[p] = static_cast<float>(s * scale);
  }
}
ALGOSCOPE_SIMD_VARIANTS(plane_means, plane_means_body)

}  // namespace

std::unique_ptr<Kernel> prepare_global_average_pool_direct(const Layer& layer) {
  const GlobalPlanes g = global_planes(layer);
  const int64_t planes = g.count, plane = g.size;
  return float_kernel([planes, plane](const float* x, float* y) {
    // Blocks of planes, so that each thread's clone call covers many small planes.
    const int64_t per_block = std::max<int64_t>(1, kChunkElements / (plane ? plane : 1));
    const int64_t blocks = (planes + per_block - 1) / per_block;
#pragma omp parallel for schedule(static) if (planes * plane >= kParallelMinElements)
    for (int64_t b = 0; b < blocks; ++b) {
      const int64_t first = b * per_block;
      plane_means(x + first * plane, y + first, std::min(per_block, planes - first), plane);
    }
  });
}

AlgorithmText global_average_pool_direct_text() {
  return {"SIMD double-precision plane sums, multi-threaded",
          "Each (image, channel) plane is one contiguous row summed by a vectorized reduction in "
          "double (the float inputs widened inside the lanes) and scaled by 1 / plane size. "
          "Compiled for AVX-512, AVX2+FMA and SSE2; the running CPU's copy is chosen at load "
          "time. "
          "Inputs of 64K elements or more share the (image, channel) planes across the OpenMP "
          "team; smaller ones stay on one thread. "
          "Extra memory: none. It wins over the reference, whose double sum is a serial "
          "dependency chain, by keeping a vector of partial sums; e.g. ResNet-50's 2048 planes of "
          "7x7. Numerics: double sum in another order than the reference, one float rounding: "
          "within one ulp."};
}

}  // namespace algoscope::ops::pool
