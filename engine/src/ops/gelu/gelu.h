// The Gelu op (ONNX Gelu, opset 20): x * Phi(x), the Gaussian error linear unit of BERT and ViT
// MLPs, exactly (approximate = "none": 0.5 x (1 + erf(x / sqrt 2))) or by Hendrycks & Gimpel's
// tanh form (approximate = "tanh"). Models exported below opset 20 spell it as Div, Erf, Add,
// Mul, Mul; the loader's fuse_gelu pass makes one Gelu node of them. infer.cpp holds the ONNX
// semantics, one file per algorithm, registry.cpp names them.
#pragma once

#include <memory>
#include <vector>

#include "algoscope/registry.h"
#include "ops/algorithm_text.h"

namespace algoscope::ops::gelu {

inline constexpr const char* kOpType = "Gelu";

// X float32; approximate "none" (default) or "tanh". Y like X.
std::vector<TensorInfo> infer(const Layer& layer);
// Whether the layer asks for the tanh form (after infer's checks).
bool tanh_form(const Layer& layer);
// The exact form costs erf (counted as 1) plus 4; the tanh form tanh plus 7.
double flops(const Layer& layer);

// reference.cpp: the formula in double with std::erf / std::tanh.
std::unique_ptr<Kernel> prepare_reference(const Layer& layer);
AlgorithmText reference_text();
// direct.cpp: vectorized with vector_math.h's erf / tanh, OpenMP over chunks of large tensors.
std::unique_ptr<Kernel> prepare_direct(const Layer& layer);
AlgorithmText direct_text();

}  // namespace algoscope::ops::gelu
