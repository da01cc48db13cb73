// The row loops the direct MaxPool and AveragePool kernels share: for each output row and kernel
// tap, one SIMD pass over the range of outputs for which the tap lands inside the input. Only those
// two files include it; it holds OpenMP SIMD loops, so pool.h, which the CUDA module includes too,
// stays free of them.
#pragma once

#include <algorithm>
#include <cstdint>

#include "ops/pool/pool.h"
#include "ops/vector_math.h"

namespace algoscope::ops::pool {

// The outputs o in [lo, hi) for which o * stride + offset lies in [0, extent): along one axis, the
// outputs whose window tap at `offset` is inside the input.
inline void inside_range(int64_t offset, int64_t stride, int64_t extent, int64_t outputs,
                         int64_t& lo, int64_t& hi) {
  lo = offset >= 0 ? 0 : (-offset + stride - 1) / stride;
  const int64_t last = extent - 1 - offset;  // o * stride <= last
  hi = last < 0 ? 0 : std::min(outputs, last / stride + 1);
  if (hi < lo) hi = lo;
}

// The inner loops of the direct MaxPool and AveragePool: folds into output row `oh` (yr, already
// initialized) every kernel tap (kh, kw) that lands in the input plane x, as yr[o] =
// combine(yr[o], tap's input) in one SIMD pass per tap over the range of outputs for which the tap
// is inside, so padding needs no test in the inner loop. Inlined into its callers' ISA clones.
template <class Combine>
ALGOSCOPE_INLINE void combine_taps_into_row(const float* __restrict x, float* __restrict yr,
                                            const Plane2D& p, int64_t oh, Combine combine) {
  for (int64_t kh = 0; kh < p.kh; ++kh) {
    const int64_t ih = oh * p.sh - p.pad_top + kh * p.dh;
    if (ih < 0 || ih >= p.h) continue;
    const float* xr = x + ih * p.w;
    for (int64_t kw = 0; kw < p.kw; ++kw) {
      const int64_t offset = kw * p.dw - p.pad_left;
      int64_t lo, hi;
      inside_range(offset, p.sw, p.w, p.ow, lo, hi);
      const float* xs = xr + offset;
      if (p.sw == 1) {
#pragma omp simd
        for (int64_t o = lo; o < hi; ++o) yr[o] = combine(yr[o], xs[o]);
      } else if (p.sw == 2) {
#pragma omp simd
        for (int64_t o = lo; o < hi; ++o) yr[o] = combine(yr[o], xs[2 * o]);
      } else {
        const int64_t s = p.sw;
#pragma omp simd
        for (int64_t o = lo; o < hi; ++o) yr[o] = combine(yr[o], xs[s * o]);
      }
    }
  }
}

}  // namespace algoscope::ops::pool
