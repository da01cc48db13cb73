// Helpers the ConvTranspose algorithm files share: which input positions of one tap land inside
// the output (the scatter's only bounds check, hoisted out of the inner loops), the SIMD target
// attributes their row kernels are compiled for, and the OpenMP threshold below which a layer
// runs on one thread (forking the team costs more than a small layer, DESIGN.md).
#pragma once

#include <algorithm>
#include <cstdint>

namespace algoscope::ops::conv_transpose {

#define CONVT_AVX512 __attribute__((target("avx512f,avx512bw,avx512vl,avx512dq,fma")))
#define CONVT_AVX2 __attribute__((target("avx2,fma")))

// Floor and ceiling of a / b for b > 0 and any sign of a.
inline int64_t floor_div(int64_t a, int64_t b) { return a >= 0 ? a / b : -((-a + b - 1) / b); }
inline int64_t ceil_div(int64_t a, int64_t b) { return -floor_div(-a, b); }

// Input positions [begin, end) along one axis whose output i * stride + offset lies in
// [0, out): offset is k * dilation - pad_begin for tap k.
inline void scatter_range(int64_t in, int64_t out, int64_t stride, int64_t offset, int64_t& begin,
                          int64_t& end) {
  begin = std::max<int64_t>(0, ceil_div(-offset, stride));
  end = std::min<int64_t>(in, floor_div(out - 1 - offset, stride) + 1);
  if (end < begin) end = begin;
}

// Layers below this many multiply-adds run on one thread.
constexpr double kParallelFlops = 2e6;

}  // namespace algoscope::ops::conv_transpose
