// LayerNormalization, InstanceNormalization and GroupNormalization by their definition, on the
// [rows, length] view of RowNormGeometry: for each row the mean, then the mean of squared
// deviations (the population variance), then every output (x - mean) / sqrt(var + epsilon) *
// scale + B, all in double. Single-threaded plain loops: the ground truth the fast kernel is
// checked against.
#include <cmath>

#include "ops/common.h"
#include "ops/normalization/normalization.h"

namespace algoscope::ops::normalization {

std::unique_ptr<Kernel> prepare_row_norm_reference(const Layer& layer) {
  const RowNormGeometry g = row_norm_geometry(layer);
  return make_kernel([g](KernelIO& io) {
    const float* x = io.inputs[0]->data<float>();
    std::vector<float> scale_storage, bias_storage;
    const float* scale = expanded_parameter(*io.inputs[1], g.param_shape, scale_storage);
    const float* bias =
        g.has_bias ? expanded_parameter(*io.inputs[2], g.param_shape, bias_storage) : nullptr;
    float* y = io.outputs[0]->data<float>();
    float* mean_out = g.statistics_outputs ? optional_float_output(io, 1) : nullptr;
    float* inv_std_out = g.statistics_outputs ? optional_float_output(io, 2) : nullptr;
    for (int64_t r = 0; r < g.rows; ++r) {
      const float* row = x + r * g.length;
      double sum = 0.0;
      for (int64_t i = 0; i < g.length; ++i) sum += row[i];
      const double mean = g.length ? sum / static_cast<double>(g.length) : 0.0;
      double squares = 0.0;
      for (int64_t i = 0; i < g.length; ++i) squares += (row[i] - mean) * (row[i] - mean);
      const double variance = g.length ? squares / static_cast<double>(g.length) : 0.0;
      const double inv_std = 1.0 / std::sqrt(variance + g.epsilon);
      for (int64_t i = 0; i < g.length; ++i) {
        const int64_t p = g.param_index(r, i);
        const double shift = bias ? bias[p] : 0.0;
        y[r * g.length + i] = static_cast<float>((row[i] - mean) * inv_std * scale[p] + shift);
      }
      if (mean_out) mean_out[r] = static_cast<float>(mean);
      if (inv_std_out) inv_std_out[r] = static_cast<float>(inv_std);
    }
  });
}

AlgorithmText row_norm_reference_text(const std::string& op_type) {
  const bool layer = op_type == "LayerNormalization";
  const bool instance = op_type == "InstanceNormalization";
  return {
      "Per-" +
          std::string(layer      ? "row"
                      : instance ? "(image, channel)"
                                 : "(image, group)") +
          " mean and variance, then (x - mean) / sqrt(var + epsilon) * scale + B, in double",
      std::string(layer ? "X is viewed as rows of everything from `axis` on"
                  : instance
                      ? "X [N, C, ...] is viewed as N * C rows, one per image and channel"
                      : "X [N, C, ...] is viewed as N * num_groups rows, one per image and "
                        "group of C / num_groups consecutive channels, with scale and B per group "
                        "(opset 18) or per channel (opset 21)") +
          ". Each row's mean is summed in double, then the mean of the squared deviations from "
          "it (the population variance, two passes, no cancellation), and each output is (x - "
          "mean) / sqrt(var + epsilon) * scale + B, literally as the ONNX definition reads" +
          (layer ? "; the optional Mean and InvStdDev outputs are the row's mean and "
                   "1 / sqrt(var + epsilon)"
                 : "") +
          ". Extra memory: none (a broadcast Scale or B is expanded to one row's worth). Three "
          "passes over each row on one thread, with libm's double sqrt once per row: the ground "
          "truth, never fast. Numerics: double sums, one rounding per output."};
}

}  // namespace algoscope::ops::normalization
