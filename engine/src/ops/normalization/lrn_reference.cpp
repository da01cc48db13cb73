// Local response normalization by the ONNX formula: y = x / (bias + alpha / size * square_sum)^beta
// where square_sum adds x^2 over the channels c - floor((size-1)/2) .. c + ceil((size-1)/2) clipped
// to the valid range. Each window is re-summed for each element (no running sum) and in double,
// so the result does not depend on summation order. Single-threaded.
#include <algorithm>
#include <cmath>

#include "ops/common.h"
#include "ops/normalization/normalization.h"

namespace algoscope::ops::normalization {

std::unique_ptr<Kernel> prepare_lrn_reference(const Layer& layer) {
  const Node& node = layer.n();
  const double alpha = node.attr_float("alpha", 1e-4f);
  const double beta = node.attr_float("beta", 0.75f);
  const double bias = node.attr_float("bias", 1.0f);
  const int64_t size = node.attr_int("size", 1);
  const Shape shape = layer.inputs[0].shape;
  const int64_t batch = shape[0], channels = shape[1];
  const int64_t inner = shape_numel(Shape(shape.begin() + 2, shape.end()));
  const int64_t before = (size - 1) / 2;  // floor
  const int64_t after = size / 2;         // ceil((size - 1) / 2)
  return float_kernel([=](const float* x, float* y) {
    for (int64_t n = 0; n < batch; ++n) {
      const float* xn = x + n * channels * inner;
      float* yn = y + n * channels * inner;
      for (int64_t c = 0; c < channels; ++c) {
        const int64_t lo = std::max<int64_t>(0, c - before);
        const int64_t hi = std::min<int64_t>(channels - 1, c + after);
        for (int64_t i = 0; i < inner; ++i) {
          double square_sum = 0.0;
          for (int64_t j = lo; j <= hi; ++j) {
            const double v = xn[j * inner + i];
            square_sum += v * v;
          }
          const double denom =
              std::pow(bias + alpha / static_cast<double>(size) * square_sum, beta);
          yn[c * inner + i] = static_cast<float>(xn[c * inner + i] / denom);
        }
      }
    }
  });
}

AlgorithmText lrn_reference_text() {
  return {"Channel-window sum of squares per element, then x / (bias + a/n*s)^beta",
          "For every element it sums the squares of the same position in the size neighbouring "
          "channels (clipped at the edges) and divides the element by (bias + alpha/size * sum) to "
          "the power beta. Extra memory: none. Cost: size multiply-adds and one pow per element; a "
          "running window sum would save the size factor but change the rounding. Numerics: double "
          "arithmetic, one rounding per output."};
}

}  // namespace algoscope::ops::normalization
