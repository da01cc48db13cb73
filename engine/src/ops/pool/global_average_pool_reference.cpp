// GlobalAveragePool by its definition: the mean of every (image, channel) plane over all spatial
// axes, summed in double. Single-threaded.
#include "ops/common.h"
#include "ops/pool/pool.h"

namespace algoscope::ops::pool {

std::unique_ptr<Kernel> prepare_global_average_pool_reference(const Layer& layer) {
  return per_plane_kernel(layer, [](const float* x, int64_t size) {
    double sum = 0.0;
    for (int64_t i = 0; i < size; ++i) sum += x[i];
    return size ? static_cast<float>(sum / static_cast<double>(size)) : 0.0f;
  });
}

AlgorithmText global_average_pool_reference_text() {
  return {
      "One double-precision sum per image and channel",
      "Each (image, channel) plane is summed in one pass and divided by its size. Extra memory: "
      "none. Cost: one addition per input element, a single streaming pass, so memory-bound. "
      "Numerics: double sum, one rounding per output."};
}

}  // namespace algoscope::ops::pool
