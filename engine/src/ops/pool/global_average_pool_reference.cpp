// GlobalAveragePool by its definition: the mean of every (image, channel) plane over all spatial
// axes, summed in double. Single-threaded.
#include "ops/common.h"
#include "ops/pool/pool.h"

namespace algoscope::ops::pool {

std::unique_ptr<Kernel> prepare_global_average_pool_reference(const Layer& layer) {
  const Shape x_shape = layer.inputs[0].shape;
  const int64_t planes = x_shape[0] * x_shape[1];
  const int64_t plane = shape_numel(x_shape) / (planes ? planes : 1);
  return make_kernel([planes, plane](KernelIO& io) {
    const float* x = io.inputs[0]->data<float>();
    float* y = io.outputs[0]->data<float>();
    for (int64_t p = 0; p < planes; ++p) {
      double sum = 0.0;
      for (int64_t i = 0; i < plane; ++i) sum += x[p * plane + i];
      y[p] = plane ? static_cast<float>(sum / static_cast<double>(plane)) : 0.0f;
    }
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
