// The Reduce* ops by their definition: one pass over the input in row-major order, each element
// folded into the accumulator of the output element it maps to (reduced axes map to index 0), in
// double; the mean divides by the number of reduced elements at the end, L2 takes the square root
// and LogSum / LogSumExp the logarithm. Single-threaded.
#include <algorithm>
#include <cmath>
#include <cstring>
#include <limits>
#include <string>
#include <vector>

#include "ops/common.h"
#include "ops/reduce/reduce.h"

namespace algoscope::ops::reduce {

std::unique_ptr<Kernel> prepare_reference(const Layer& layer, Reduction reduction) {
  const ReduceGeometry g = reduce_geometry(layer);
  return float_kernel([g, reduction](const float* x, float* y) {
    const int64_t in_count = shape_numel(g.input);
    if (g.identity) {
      std::memcpy(y, x, sizeof(float) * static_cast<size_t>(in_count));
      return;
    }
    // Output strides per input axis, 0 along reduced axes.
    const size_t rank = g.input.size();
    std::vector<int64_t> stride(rank, 0);
    int64_t out_count = 1;
    for (size_t i = rank; i-- > 0;) {
      if (g.reduced[i]) continue;
      stride[i] = out_count;
      out_count *= g.input[i];
    }
    double init = 0.0;
    if (reduction == Reduction::Max) init = -std::numeric_limits<double>::infinity();
    if (reduction == Reduction::Min) init = std::numeric_limits<double>::infinity();
    if (reduction == Reduction::Prod) init = 1.0;
    std::vector<double> acc(static_cast<size_t>(out_count), init);
    std::vector<int64_t> index(rank, 0);
    for (int64_t e = 0; e < in_count; ++e) {
      int64_t o = 0;
      for (size_t i = 0; i < rank; ++i) o += index[i] * stride[i];
      const double v = x[e];
      switch (reduction) {
        case Reduction::Mean:
        case Reduction::Sum:
          acc[o] += v;
          break;
        case Reduction::Max:
          acc[o] = std::max(acc[o], v);
          break;
        case Reduction::Min:
          acc[o] = std::min(acc[o], v);
          break;
        case Reduction::Prod:
          acc[o] *= v;
          break;
        case Reduction::SumSquare:
        case Reduction::L2:
          acc[o] += v * v;
          break;
        case Reduction::L1:
          acc[o] += std::fabs(v);
          break;
        case Reduction::LogSum:
          acc[o] += v;
          break;
        case Reduction::LogSumExp:
          acc[o] += std::exp(v);
          break;
      }
      for (size_t i = rank; i-- > 0;) {  // advance the row-major index
        if (++index[i] < g.input[i]) break;
        index[i] = 0;
      }
    }
    const double count =
        out_count ? static_cast<double>(in_count) / static_cast<double>(out_count) : 0.0;
    for (int64_t o = 0; o < out_count; ++o) {
      double r = acc[o];
      if (reduction == Reduction::Mean) r /= count;
      if (reduction == Reduction::L2) r = std::sqrt(r);
      if (reduction == Reduction::LogSum || reduction == Reduction::LogSumExp) r = std::log(r);
      y[o] = static_cast<float>(r);
    }
  });
}

AlgorithmText reference_text(Reduction reduction) {
  const char* what = "running sum";
  switch (reduction) {
    case Reduction::Max:
      what = "running maximum";
      break;
    case Reduction::Min:
      what = "running minimum";
      break;
    case Reduction::Prod:
      what = "running product";
      break;
    case Reduction::SumSquare:
    case Reduction::L2:
      what = "running sum of squares";
      break;
    case Reduction::L1:
      what = "running sum of absolute values";
      break;
    case Reduction::LogSumExp:
      what = "running sum of exponentials";
      break;
    default:
      break;
  }
  return {std::string("One pass over the input, ") + what + " per output in double",
          std::string("It walks the input once in memory order and folds every element into the "
                      "accumulator of the output element it belongs to (the reduced axes collapse "
                      "to one index); the ") +
              what +
              " is kept in double. Extra memory: 8 bytes per output element for the double "
              "accumulators, allocated per call. One streaming pass, so memory-bound. Numerics: "
              "one rounding per output (exact for maximum and minimum)."};
}

}  // namespace algoscope::ops::reduce
