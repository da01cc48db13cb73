// GlobalMaxPool by its definition: the largest value of every (image, channel) plane over all
// spatial axes. Single-threaded.
#include <limits>

#include "ops/common.h"
#include "ops/pool/pool.h"

namespace algoscope::ops::pool {

std::unique_ptr<Kernel> prepare_global_max_pool_reference(const Layer& layer) {
  return per_plane_kernel(layer, [](const float* x, int64_t size) {
    float best = -std::numeric_limits<float>::infinity();
    for (int64_t i = 0; i < size; ++i) best = x[i] > best ? x[i] : best;
    return best;
  });
}

AlgorithmText global_max_pool_reference_text() {
  return {"One pass per image and channel keeping the maximum",
          "Each (image, channel) plane is scanned once for its largest value. Extra memory: none. "
          "Cost: one comparison per input element in a single streaming pass, so memory-bound. "
          "Numerics: exact."};
}

}  // namespace algoscope::ops::pool
