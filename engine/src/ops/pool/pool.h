// The pooling family's internal interface: the validated geometry of MaxPool / AveragePool /
// GlobalAveragePool / GlobalMaxPool layers and one entry point per algorithm file. Only
// registry.cpp turns these into named Algorithms.
#pragma once

#include <memory>
#include <vector>

#include "algoscope/registry.h"
#include "ops/window.h"

namespace algoscope::ops::pool {

// X [N, C, spatial...] pooled by a window; the output is [N, C, window.output...].
struct PoolGeometry {
  int64_t batch = 0;
  int64_t channels = 0;
  Window window;
  Shape output_shape() const;
};

// MaxPool / AveragePool: kernel_shape (required), strides, pads, auto_pad, ceil_mode, dilations.
PoolGeometry pool_geometry(const Layer& layer);

std::vector<TensorInfo> infer_max_pool(const Layer& layer);      // Y, and Indices (int64) if asked
std::vector<TensorInfo> infer_average_pool(const Layer& layer);  // Y
std::vector<TensorInfo> infer_global_pool(const Layer& layer);   // [N, C, 1, ...]
double window_flops(const Layer& layer);  // one operation per output element and kernel tap
double global_flops(const Layer& layer);  // one addition per input element

// max_pool_reference.cpp: the window's maximum; Indices in ONNX's flattened convention.
std::unique_ptr<Kernel> prepare_max_pool_reference(const Layer& layer);
// average_pool_reference.cpp: the window's mean, with or without the padding in the count.
std::unique_ptr<Kernel> prepare_average_pool_reference(const Layer& layer);
// global_average_pool_reference.cpp: the mean of each channel.
std::unique_ptr<Kernel> prepare_global_average_pool_reference(const Layer& layer);
// global_max_pool_reference.cpp: the maximum of each channel.
std::unique_ptr<Kernel> prepare_global_max_pool_reference(const Layer& layer);

}  // namespace algoscope::ops::pool
