// The SqueezeExcite family's internal interface. A SqueezeExcite node is made by the loader's
// squeeze-excite pass (passes/fuse_squeeze_excite.cpp) from the block EfficientNet, MobileNetV3
// and RegNet-Y export (Hu et al., "Squeeze-and-Excitation Networks", arXiv 1709.01507):
//   GlobalAveragePool(x) -> Conv 1x1 (+ its fused activation) -> Conv 1x1 -> Sigmoid or
//   HardSigmoid -> Mul(x, .)
// Inputs: x [N, C, spatial...], W1 [H, C, 1, ...], optional b1 [H], W2 [C, H, 1, ...], optional
// b2 [C]. Attributes: the first convolution's activation (`hidden_activation`: none, clamp, swish
// or hard_swish, with `hidden_lower` / `hidden_upper` for a clamp) and the gate (`gate`: Sigmoid
// or HardSigmoid with `gate_alpha`, `gate_beta`). Output: x with channel c of image n scaled by
// gate(W2 act(W1 mean_nc + b1) + b2)[c], x's shape. Only registry.cpp names algorithms.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "algoscope/registry.h"
#include "ops/algorithm_text.h"
#include "ops/common.h"

namespace algoscope::ops::squeeze_excite {

constexpr const char* kOpType = "SqueezeExcite";

struct Geometry {
  int64_t batch = 0, channels = 0, hidden = 0;
  int64_t plane = 1;  // elements per channel: the product of the spatial dimensions
  Epilogue hidden_activation;
  bool hard_gate = false;  // HardSigmoid: min(max(alpha * v + beta, 0), 1); else sigmoid(v)
  float gate_alpha = 0.2f, gate_beta = 0.5f;
  bool has_b1 = false, has_b2 = false;
};

Geometry geometry(const Layer& layer);
std::vector<TensorInfo> infer(const Layer& layer);
// A sum and a product per element of x, and the two small products: 2 N C plane + 4 N H C.
double flops(const Layer& layer);

// The node's attributes for a fused first-convolution activation (the pass writes them).
void set_hidden_activation(Node& se, const std::optional<Node::Activation>& activation);

std::unique_ptr<Kernel> prepare_reference(const Layer& layer);
AlgorithmText reference_text();
std::unique_ptr<Kernel> prepare_direct(const Layer& layer);
AlgorithmText direct_text();

}  // namespace algoscope::ops::squeeze_excite
