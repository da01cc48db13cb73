// The Conv family's internal interface: the geometry of a Conv layer (shared by every algorithm and
// by shape inference) and one prepare / applicability entry point per algorithm file. Only
// registry.cpp turns these into named Algorithms.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "algoscope/registry.h"
#include "ops/window.h"

namespace algoscope::ops::conv {

// A validated Conv layer: X [N, C, spatial...], W [OC, C/groups, kernel...], optional B [OC].
struct ConvGeometry {
  int64_t batch = 0;
  int64_t in_channels = 0;
  int64_t out_channels = 0;
  int64_t groups = 1;
  bool has_bias = false;
  Window window;

  int64_t in_per_group() const { return in_channels / groups; }
  int64_t out_per_group() const { return out_channels / groups; }
  Shape output_shape() const;
};

// Validates the layer (ranks, channel counts, groups, bias, kernel_shape vs W, pads...) and
// resolves its geometry; throws Error with what is wrong.
ConvGeometry conv_geometry(const Layer& layer);

std::vector<TensorInfo> infer(const Layer& layer);
// 2 * N * OC * out_spatial * (C / groups) * kernel_spatial multiply-adds; bias adds are ignored.
double flops(const Layer& layer);

// reference.cpp: direct loops over every output and tap, accumulated in double.
std::unique_ptr<Kernel> prepare_reference(const Layer& layer);

// im2col.cpp: patch matrix per image and group, multiplied by the filters with OpenBLAS sgemm.
std::optional<std::string> im2col_not_applicable(const Layer& layer);
size_t im2col_workspace_bytes(const Layer& layer);
std::unique_ptr<Kernel> prepare_im2col(const Layer& layer);

}  // namespace algoscope::ops::conv
