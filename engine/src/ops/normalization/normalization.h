// The normalization family's internal interface: shape inference for BatchNormalization (inference
// mode) and LRN, and one entry point per algorithm file. Only registry.cpp turns these into named
// Algorithms.
#pragma once

#include <memory>
#include <vector>

#include "algoscope/registry.h"
#include "ops/algorithm_text.h"

namespace algoscope::ops::normalization {

// X [N, C, ...] with scale, B, mean, var of shape [C] (or [C, D1, ...] under opset 7-8
// spatial = 0). Training mode (training_mode = 1, or the extra outputs of opsets before 14) is
// rejected with an Error.
std::vector<TensorInfo> infer_batch_norm(const Layer& layer);
double batch_norm_flops(const Layer& layer);  // 2 per element: the folded x * a + b
// Elements of X that share one set of parameters (1 when the parameters are per element).
int64_t batch_norm_inner_size(const Layer& layer);

// X [N, C, ...]; size (required), alpha, beta, bias.
std::vector<TensorInfo> infer_lrn(const Layer& layer);
double lrn_flops(const Layer& layer);  // 2 * size + 4 per element (squares, sum, pow, divide)

// batch_norm_reference.cpp: (x - mean) / sqrt(var + epsilon) * scale + B in double.
std::unique_ptr<Kernel> prepare_batch_norm_reference(const Layer& layer);
AlgorithmText batch_norm_reference_text();
// lrn_reference.cpp: the ONNX formula with a per-element channel window sum in double.
std::unique_ptr<Kernel> prepare_lrn_reference(const Layer& layer);
AlgorithmText lrn_reference_text();

}  // namespace algoscope::ops::normalization
