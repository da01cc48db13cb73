// Gelu by its definition, one element after another in double: 0.5 x (1 + erf(x / sqrt 2)), or
// 0.5 x (1 + tanh(sqrt(2 / pi) (x + 0.044715 x^3))) for approximate = "tanh". The ground truth the
// vectorized kernel and the fused pattern are checked against.
#include <cmath>

#include "ops/common.h"
#include "ops/gelu/gelu.h"

namespace algoscope::ops::gelu {

std::unique_ptr<Kernel> prepare_reference(const Layer& layer) {
  const bool tanh = tanh_form(layer);
  return make_kernel([tanh](KernelIO& io) {
    const float* x = io.inputs[0]->data<float>();
    float* y = io.outputs[0]->data<float>();
    const int64_t n = io.inputs[0]->numel();
    const double inv_sqrt2 = 0.70710678118654752440, sqrt_2_over_pi = 0.79788456080286535588;
    for (int64_t i = 0; i < n; ++i) {
      const double v = x[i];
      const double phi = tanh ? 1.0 + std::tanh(sqrt_2_over_pi * (v + 0.044715 * v * v * v))
                              : 1.0 + std::erf(v * inv_sqrt2);
      y[i] = static_cast<float>(0.5 * v * phi);
    }
  });
}

AlgorithmText reference_text() {
  return {"0.5 x (1 + erf(x / sqrt 2)) (or the tanh form) per element in double",
          "Each element is widened to double and put through the ONNX formula literally: 0.5 x "
          "(1 + erf(x / sqrt 2)) with the C library's erf, or for approximate = \"tanh\" 0.5 x (1 "
          "+ tanh(sqrt(2 / pi) (x + 0.044715 x^3))). Extra memory: none. One thread and a libm "
          "call per element: the ground truth, never fast. Numerics: one rounding to float per "
          "output."};
}

}  // namespace algoscope::ops::gelu
