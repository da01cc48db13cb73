// GlobalMaxPool by its definition: the largest value of every (image, channel) plane over all
// spatial axes. Single-threaded.
#include <limits>

#include "ops/common.h"
#include "ops/pool/pool.h"

namespace algoscope::ops::pool {

std::unique_ptr<Kernel> prepare_global_max_pool_reference(const Layer& layer) {
  const Shape x_shape = layer.inputs[0].shape;
  const int64_t planes = x_shape[0] * x_shape[1];
  const int64_t plane = shape_numel(x_shape) / (planes ? planes : 1);
  return make_kernel([planes, plane](KernelIO& io) {
    const float* x = io.inputs[0]->data<float>();
    float* y = io.outputs[0]->data<float>();
    for (int64_t p = 0; p < planes; ++p) {
      float best = -std::numeric_limits<float>::infinity();
      for (int64_t i = 0; i < plane; ++i) best = x[p * plane + i] > best ? x[p * plane + i] : best;
      y[p] = best;
    }
  });
}

AlgorithmText global_max_pool_reference_text() {
  return {"One pass per image and channel keeping the maximum",
          "Each (image, channel) plane is scanned once for its largest value. Extra memory: none. "
          "Cost: one comparison per input element in a single streaming pass, so memory-bound. "
          "Numerics: exact."};
}

}  // namespace algoscope::ops::pool
