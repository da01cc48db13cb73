// Softmax and LogSoftmax by their definitions, made safe against overflow the standard way: along
// every line subtract the line's maximum m, exponentiate and sum in double, then write
// exp(x - m) / sum (Softmax) or x - m - log(sum) (LogSoftmax, which never takes the log of a
// rounded-to-zero probability). Single-threaded.
#include <algorithm>
#include <cmath>
#include <limits>
#include <string>

#include "ops/common.h"
#include "ops/softmax/softmax.h"

namespace algoscope::ops::softmax {

std::unique_ptr<Kernel> prepare_reference(const Layer& layer, bool log) {
  const SoftmaxGeometry g = softmax_geometry(layer);
  return float_kernel([g, log](const float* x, float* y) {
    for (int64_t o = 0; o < g.outer; ++o) {
      for (int64_t i = 0; i < g.inner; ++i) {
        const int64_t base = o * g.length * g.inner + i;
        double max = -std::numeric_limits<double>::infinity();
        for (int64_t j = 0; j < g.length; ++j) max = std::max<double>(max, x[base + j * g.inner]);
        double sum = 0.0;
        for (int64_t j = 0; j < g.length; ++j) sum += std::exp(x[base + j * g.inner] - max);
        const double log_sum = std::log(sum);
        for (int64_t j = 0; j < g.length; ++j) {
          const double shifted = x[base + j * g.inner] - max;
          y[base + j * g.inner] =
              static_cast<float>(log ? shifted - log_sum : std::exp(shifted) / sum);
        }
      }
    }
  });
}

AlgorithmText reference_text(bool log) {
  if (log)
    return {"Maximum, sum of exponentials, x - max - log(sum); in double",
            "Along every line it finds the maximum m, sums exp(x - m) and writes x - m - log(sum), "
            "which stays finite where log(softmax) would take the log of an underflowed zero. The "
            "line is everything from `axis` on before opset 13 and the single axis from opset 13. "
            "Extra memory: none. Numerics: double arithmetic, one rounding per output."};
  return {"Three passes per line: maximum, sum of exponentials, normalize; in double",
          "Along every softmax line it finds the maximum, sums exp(x - max) and writes "
          "exp(x - max) / sum; subtracting the maximum keeps exp from overflowing without changing "
          "the result. Before opset 13 a line is everything from `axis` on (the input flattened to "
          "2-D); from opset 13 it is the single axis. Extra memory: none. Three passes over each "
          "line (exponentials recomputed rather than stored). Numerics: double arithmetic, one "
          "rounding per output; outputs of a line sum to 1 within float rounding."};
}

}  // namespace algoscope::ops::softmax
