// Vectorized, multi-threaded ReduceMean and ReduceSum (float32) for the common case where the
// reduced axes form one contiguous block of the input, so the input is [outer, R, inner] and the
// output [outer, inner]: LayerNorm's mean over the last axis (inner = 1), a global mean over
// spatial axes, or a reduction over a middle axis (inner > 1). inner = 1 sums each contiguous row
// with a SIMD reduction; inner > 1 adds R rows of `inner` elements into a row of accumulators,
// vectorized along inner. Both accumulate in double (float inputs widened in the SIMD lanes), so
// the result matches the double reference to within one float rounding. Compiled for AVX-512,
// AVX2+FMA and SSE2 and chosen at load time; OpenMP shares the outer rows of inputs of 64K
// elements or more, or the R rows of a single large full reduction.
#include <algorithm>
#include <cmath>
#include <cstring>
#include <string>
#include <vector>

#include "ops/common.h"
#include "ops/reduce/reduce.h"
#include "ops/vector_math.h"

namespace algoscope::ops::reduce {
namespace {

using namespace vmath;

struct Blocks {
  int64_t outer = 1, reduced = 1, inner = 1;
};

// The [outer, R, inner] view, or nullopt when the reduced axes are not one contiguous block.
// Axes of extent 1 may be counted on either side, so they never break the block.
std::optional<Blocks> blocks(const ReduceGeometry& g) {
  Blocks b;
  int state = 0;  // 0: before the block, 1: inside, 2: after
  for (size_t i = 0; i < g.input.size(); ++i) {
    const int64_t d = g.input[i];
    if (d == 1) continue;
    if (g.reduced[i]) {
      if (state == 2) return std::nullopt;
      state = 1;
      b.reduced *= d;
    } else {
      if (state == 1) state = 2;
      (state == 0 ? b.outer : b.inner) *= d;
    }
  }
  return b;
}

ALGOSCOPE_INLINE double row_sum_body(const float* __restrict x, int64_t n) {
  double s = 0.0;
#pragma omp simd reduction(+ : s)
  for (int64_t i = 0; i < n; ++i) s += static_cast<double>(x[i]);
  return s;
}
ALGOSCOPE_SIMD_VARIANTS(row_sum, row_sum_body)

// acc[i] += sum over r of x[r * inner + i], for i in [0, inner).
ALGOSCOPE_INLINE void column_sums_body(const float* __restrict x, int64_t rows, int64_t inner,
                                       double* __restrict acc) {
  for (int64_t r = 0; r < rows; ++r) {
    const float* row = x + r * inner;
#pragma omp simd
    for (int64_t i = 0; i < inner; ++i) acc[i] += static_cast<double>(row[i]);
  }
}
ALGOSCOPE_SIMD_VARIANTS(column_sums, column_sums_body)

}  // namespace

std::optional<std::string> direct_not_applicable(const Layer& layer) {
  const ReduceGeometry g = reduce_geometry(layer);
  if (g.identity) return std::nullopt;
  if (!blocks(g))
    return "the direct kernel needs the reduced axes to be one contiguous block of the input "
           "(e.g. the last axes); this layer reduces " +
           shape_to_string(g.input) + " along separated axes, which the reference computes";
  return std::nullopt;
}

std::unique_ptr<Kernel> prepare_direct(const Layer& layer, Reduction reduction) {
  const ReduceGeometry g = reduce_geometry(layer);
  const bool mean = reduction == Reduction::Mean;
  const int64_t numel = shape_numel(g.input);
  const Blocks b = g.identity ? Blocks{numel, 1, 1} : *blocks(g);
  return float_kernel([b, mean, numel](const float* x, float* y) {
    const bool parallel = numel >= kParallelMinElements;
    const double scale = mean && b.reduced ? 1.0 / static_cast<double>(b.reduced) : 1.0;
    const int64_t rows = b.outer * b.inner;
    if (numel == 0) {
      // Empty reduced block: sums are 0 and means NaN (0 / 0), like the reference.
      for (int64_t i = 0; i < rows; ++i) y[i] = mean ? std::nanf("") : 0.0f;
      return;
    }
    if (b.inner == 1 && (b.outer > 1 || !parallel)) {
#pragma omp parallel for schedule(static) if (parallel)
      for (int64_t o = 0; o < b.outer; ++o)
        y[o] = static_cast<float>(row_sum(x + o * b.reduced, b.reduced) * scale);
      return;
    }
    if (b.inner == 1) {  // one large full reduction: split it into chunks
      const int64_t chunks = (b.reduced + kChunkElements - 1) / kChunkElements;
      double total = 0.0;
#pragma omp parallel for schedule(static) reduction(+ : total)
      for (int64_t c = 0; c < chunks; ++c) {
        const int64_t begin = c * kChunkElements;
        total += row_sum(x + begin, std::min(kChunkElements, b.reduced - begin));
      }
      y[0] = static_cast<float>(total * scale);
      return;
    }
#pragma omp parallel if (parallel && b.outer > 1)
    {
      std::vector<double> acc(static_cast<size_t>(b.inner));
#pragma omp for schedule(static)
      for (int64_t o = 0; o < b.outer; ++o) {
        std::fill(acc.begin(), acc.end(), 0.0);
        column_sums(x + o * b.reduced * b.inner, b.reduced, b.inner, acc.data());
        for (int64_t i = 0; i < b.inner; ++i)
          y[o * b.inner + i] = static_cast<float>(acc[i] * scale);
      }
    }
  });
}

AlgorithmText direct_text(Reduction reduction) {
  return {"SIMD row sums in double over a contiguous block of axes, multi-threaded",
          std::string(
              "When the reduced axes form one contiguous block the input is a [outer, R, inner] "
              "array and the output [outer, inner]. With inner = 1 (LayerNorm's mean over the last "
              "axis, a mean over all spatial axes) every output is one contiguous row of R "
              "elements summed by a SIMD reduction; with inner > 1 the R rows of `inner` elements "
              "are added into a row of accumulators, vectorized along inner. Sums are kept in "
              "double (the float inputs widened inside the vector lanes)") +
              (reduction == Reduction::Mean ? " and multiplied by 1 / R at the end." : ".") +
              " The loops exist for AVX-512, AVX2+FMA and SSE2 and the running CPU's copy is "
              "chosen at load time; inputs of 64K elements or more share the outer rows (or, for "
              "one large full reduction, chunks of it) across the OpenMP team. Extra memory: "
              "8 * inner bytes per thread when inner > 1, allocated per call. It wins over the "
              "reference, which updates one scattered accumulator per element, on every shape: "
              "the work becomes a few streaming SIMD passes. Numerics: double sums, one float "
              "rounding per output (within about one ulp of the reference, whose double sum runs "
              "in another order). Reduced axes that are not contiguous (e.g. axes 0 and 2 of a 3-D "
              "tensor) are left to the reference."};
}

}  // namespace algoscope::ops::reduce
