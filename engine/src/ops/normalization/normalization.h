// The normalization family's internal interface: shape inference for BatchNormalization (inference
// mode), LRN, and the three ops that standardize with statistics of the input itself
// (LayerNormalization, InstanceNormalization, GroupNormalization), and one entry point per
// algorithm file. Only registry.cpp turns these into named Algorithms.
#pragma once

#include <memory>
#include <string>
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
// batch_norm_direct.cpp: statistics folded into x * a + b, SIMD, fused activation, NCHW or NHWC.
std::optional<std::string> batch_norm_direct_not_applicable(const Layer& layer);
std::unique_ptr<Kernel> prepare_batch_norm_direct(const Layer& layer);
AlgorithmText batch_norm_direct_text();
// lrn_reference.cpp: the ONNX formula with a per-element channel window sum in double.
std::unique_ptr<Kernel> prepare_lrn_reference(const Layer& layer);
AlgorithmText lrn_reference_text();

// LayerNormalization, InstanceNormalization and GroupNormalization all view X as [rows, length],
// standardize each row with its own mean and (population) variance, then scale and shift. They
// differ only in where rows start and in which Scale / B element an element takes: element i of
// row r takes parameter (r % param_cycle) * (length / param_run) + i / param_run.
//   LayerNormalization   rows = prod(X[:axis]), length = prod(X[axis:]); run 1, cycle 1
//   InstanceNormalization rows = N * C, length = prod(X[2:]); run = length, cycle C
//   GroupNormalization   rows = N * G, length = C / G * prod(X[2:]); opset 18: one parameter per
//                        group (run = length, cycle G); opset 21: per channel (run = prod(X[2:]))
struct RowNormGeometry {
  int64_t rows = 1, length = 1;
  int64_t param_run = 1, param_cycle = 1;
  double epsilon = 1e-5;
  Shape param_shape;  // the shape Scale and B are expanded to: param_cycle * length / param_run
  bool has_bias = true;
  bool statistics_outputs = false;  // LayerNormalization's optional Mean and InvStdDev

  int64_t param_index(int64_t row, int64_t i) const {
    return (row % param_cycle) * (length / param_run) + i / param_run;
  }
};

// X float32, Scale (and B) broadcastable to X[axis:]; axis (default -1, negative counts from the
// end), epsilon, stash_type (only 1, float). Outputs Y like X and the optional Mean and InvStdDev,
// float32 of shape X[:axis] followed by ones.
std::vector<TensorInfo> infer_layer_norm(const Layer& layer);
// X [N, C, D1, ...] (rank 3 or more), scale and B [C].
std::vector<TensorInfo> infer_instance_norm(const Layer& layer);
// X [N, C, ...], num_groups G dividing C; scale and bias [G] before opset 21, [C] from 21.
std::vector<TensorInfo> infer_group_norm(const Layer& layer);
// Any of the three (by op type), after its shape inference's checks.
RowNormGeometry row_norm_geometry(const Layer& layer);
// 8 per element: an add for the mean; subtract, square, add for the variance; subtract, multiply
// by 1/sigma, multiply by scale, add the shift for the output.
double row_norm_flops(const Layer& layer);

// Scale or B as param_shape's numel floats: the tensor's own data when it has that shape,
// otherwise broadcast into `storage` (LayerNormalization's Scale may be e.g. [1] or [1, D]).
const float* expanded_parameter(const Tensor& t, const Shape& param_shape,
                                std::vector<float>& storage);

// row_norm_reference.cpp: mean, variance and every output in double, one row after another.
std::unique_ptr<Kernel> prepare_row_norm_reference(const Layer& layer);
AlgorithmText row_norm_reference_text(const std::string& op_type);
// row_norm_direct.cpp: two SIMD passes per row for the statistics and one for the output,
// AVX-512 / AVX2 / portable chosen when prepared, OpenMP over the rows of large inputs.
std::unique_ptr<Kernel> prepare_row_norm_direct(const Layer& layer);
AlgorithmText row_norm_direct_text(const std::string& op_type);
// row_norm_welford.cpp: one SIMD pass per row for the statistics (Welford per lane, merged by
// Chan's formula), one for the output; the same dispatch and threading as direct.
std::unique_ptr<Kernel> prepare_row_norm_welford(const Layer& layer);
AlgorithmText row_norm_welford_text(const std::string& op_type);

}  // namespace algoscope::ops::normalization
