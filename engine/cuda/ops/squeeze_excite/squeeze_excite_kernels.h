// The kernels of the cuda_squeeze_excite family (squeeze_excite_kernels.cu) in plain types: the
// .cu files compile as C++17 and cannot include the engine's C++20 headers.
#pragma once

#include <cuda_runtime.h>

#include <cstdint>

namespace algoscope::cuda {

// ops/squeeze_excite's Geometry in plain fields. hidden_kind: 0 none, 1 clamp to [lower, upper],
// 2 swish, 3 hard swish (Node::Activation::Kind + 1).
struct SqueezeExciteShape {
  int64_t batch, channels, hidden, plane;
  int hidden_kind;
  float hidden_lower, hidden_upper;
  bool hard_gate;
  float gate_alpha, gate_beta;
};

// y = x * gate per channel. `workspace` holds 2 * batch * channels floats (means, then gates).
// b1 and b2 may be null.
cudaError_t squeeze_excite(const SqueezeExciteShape& s, const float* x, const float* w1,
                           const float* b1, const float* w2, const float* b2, float* workspace,
                           float* y, cudaStream_t stream);

}  // namespace algoscope::cuda
