// The kernels of the cuda_activation family (activation_kernels.cu) in plain types: the .cu files
// compile as C++17 and cannot include the engine's C++20 headers.
#pragma once

#include <cuda_runtime.h>

#include <cstdint>

#include "cuda/variants.h"

namespace algoscope::cuda {

struct ActivationParams {
  float alpha = 0.0f;  // HardSigmoid's slope, LeakyRelu's negative slope
  float beta = 0.0f;   // HardSigmoid's offset
  // Clip's bounds: the values, or (when non-null) device pointers to runtime scalar inputs that
  // override them.
  float lower = 0.0f, upper = 0.0f;
  const float* lower_input = nullptr;
  const float* upper_input = nullptr;
};

// y[i] = f(x[i]) over n elements, f chosen by the variant.
cudaError_t activation(ActivationVariant f, const float* x, float* y, int64_t n,
                       const ActivationParams& params, cudaStream_t stream);

}  // namespace algoscope::cuda
