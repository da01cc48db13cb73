// Sliding-window geometry shared by Conv and the pooling ops: the spatial extents, kernel,
// strides, dilations and the begin/end padding that ONNX's pads / auto_pad / ceil_mode attributes
// describe, resolved once per layer so that every algorithm of both families agrees on the output
// size and on where each window starts.
#pragma once

#include <cstdint>
#include <vector>

#include "algoscope/graph.h"
#include "algoscope/tensor.h"

namespace algoscope::ops {

struct Window {
  std::vector<int64_t> input;      // spatial extent of the input, e.g. {H, W}
  std::vector<int64_t> kernel;     // kernel extent per spatial axis
  std::vector<int64_t> strides;    // >= 1
  std::vector<int64_t> dilations;  // >= 1
  std::vector<int64_t> pad_begin;  // implicit zeros before the first element
  std::vector<int64_t> pad_end;    // implicit zeros after the last element (before ceil overflow)
  std::vector<int64_t> output;     // output extent per spatial axis

  size_t rank() const { return input.size(); }
  int64_t input_size() const { return shape_numel(input); }
  int64_t kernel_size() const { return shape_numel(kernel); }
  int64_t output_size() const { return shape_numel(output); }
  // Kernel taps [begin, end) along `axis` that land inside the input for output coordinate `o`.
  void tap_range(size_t axis, int64_t o, int64_t& begin, int64_t& end) const;
};

// Row-major multi-index of `flat` within `extent` (last axis fastest), for the reference
// algorithms' N-d loops over windows and taps.
inline void unravel(int64_t flat, const std::vector<int64_t>& extent, std::vector<int64_t>& index) {
  for (size_t i = extent.size(); i-- > 0;) {
    index[i] = flat % extent[i];
    flat /= extent[i];
  }
}

// Resolves the geometry of `node` over an input of spatial extent `input` with the given kernel
// extent. Reads strides, dilations, pads and auto_pad; `ceil_mode` rounds the output size up
// (pooling). Throws Error naming the attribute when it has the wrong length or value, or when the
// output would be empty.
Window make_window(const Node& node, const Shape& input, const std::vector<int64_t>& kernel,
                   bool ceil_mode);

}  // namespace algoscope::ops
