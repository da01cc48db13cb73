// BatchNormalization in inference mode by its definition, y = (x - mean) / sqrt(var + epsilon) *
// scale + B, evaluated in double for every element. Single-threaded. (The loader folds most
// BatchNormalization nodes into the preceding Conv; this computes the ones that remain.)
#include <cmath>

#include "ops/common.h"
#include "ops/normalization/normalization.h"

namespace algoscope::ops::normalization {

std::unique_ptr<Kernel> prepare_batch_norm_reference(const Layer& layer) {
  const double epsilon = layer.n().attr_float("epsilon", 1e-5f);
  const int64_t inner = batch_norm_inner_size(layer);
  const int64_t params = layer.inputs[1].numel();
  const int64_t batch = layer.inputs[0].shape[0];
  return make_kernel([=](KernelIO& io) {
    const float* x = io.inputs[0]->data<float>();
    const float* scale = io.inputs[1]->data<float>();
    const float* bias = io.inputs[2]->data<float>();
    const float* mean = io.inputs[3]->data<float>();
    const float* var = io.inputs[4]->data<float>();
    float* y = io.outputs[0]->data<float>();
    for (int64_t n = 0; n < batch; ++n) {
      for (int64_t p = 0; p < params; ++p) {
        const double inv_std = 1.0 / std::sqrt(static_cast<double>(var[p]) + epsilon);
        const int64_t base = (n * params + p) * inner;
        for (int64_t i = 0; i < inner; ++i)
          y[base + i] = static_cast<float>(
              (static_cast<double>(x[base + i]) - mean[p]) * inv_std * scale[p] + bias[p]);
      }
    }
  });
}

AlgorithmText batch_norm_reference_text() {
  return {
      "(x - mean) / sqrt(var + epsilon) * scale + B per element, in double",
      "Each element is normalized with its channel's running mean and variance and then scaled "
      "and shifted, literally as the ONNX formula reads. Extra memory: none. One streaming pass "
      "over the tensor, so memory-bound; the loader usually folds this op into the preceding "
      "Conv's weights, where it costs nothing at run time. Numerics: double arithmetic, one "
      "rounding per output."};
}

}  // namespace algoscope::ops::normalization
