// Sliding-window geometry for Conv and pooling (see window.h). The output-size rules follow the
// ONNX operator specification; the ceil_mode correction (a window may not start in the end padding)
// follows PyTorch and current ONNX shape inference.
#include "ops/window.h"

#include <string>

#include "ops/common.h"

namespace algoscope::ops {

void Window::tap_range(size_t axis, int64_t o, int64_t& begin, int64_t& end) const {
  const int64_t start = o * strides[axis] - pad_begin[axis];  // input coordinate of tap 0
  const int64_t d = dilations[axis];
  // First tap with start + k*d >= 0, last tap with start + k*d <= input - 1.
  begin = start >= 0 ? 0 : (-start + d - 1) / d;
  const int64_t last = input[axis] - 1 - start;
  end = last < 0 ? 0 : last / d + 1;
  if (end > kernel[axis]) end = kernel[axis];
  if (begin > end) begin = end;
}

namespace {

std::vector<int64_t> per_axis(const Node& node, const std::string& key, size_t rank,
                              int64_t fallback) {
  std::vector<int64_t> v = node.attr_ints(key, {});
  if (v.empty()) return std::vector<int64_t>(rank, fallback);
  require(v.size() == rank, key + " has " + std::to_string(v.size()) +
                                " values but the input has " + std::to_string(rank) +
                                " spatial axes");
  for (int64_t x : v) require(x >= 1, key + " must be positive, got " + std::to_string(x));
  return v;
}

}  // namespace

Window make_window(const Node& node, const Shape& input, const std::vector<int64_t>& kernel,
                   bool ceil_mode) {
  const size_t rank = input.size();
  require(kernel.size() == rank, "kernel_shape has " + std::to_string(kernel.size()) +
                                     " values but the input has " + std::to_string(rank) +
                                     " spatial axes");
  Window w;
  w.input = input;
  w.kernel = kernel;
  for (int64_t k : kernel) require(k >= 1, "kernel_shape must be positive");
  w.strides = per_axis(node, "strides", rank, 1);
  w.dilations = per_axis(node, "dilations", rank, 1);
  w.pad_begin.assign(rank, 0);
  w.pad_end.assign(rank, 0);
  w.output.assign(rank, 0);

  std::string auto_pad = node.attr_string("auto_pad", "NOTSET");
  if (auto_pad.empty()) auto_pad = "NOTSET";
  if (auto_pad == "SAME_UPPER" || auto_pad == "SAME_LOWER") {
    // Output = ceil(input / stride); the padding that makes it so is split, the odd element going
    // to the end (UPPER) or the beginning (LOWER).
    for (size_t i = 0; i < rank; ++i) {
      const int64_t extent = (kernel[i] - 1) * w.dilations[i] + 1;
      w.output[i] = (input[i] + w.strides[i] - 1) / w.strides[i];
      int64_t total = (w.output[i] - 1) * w.strides[i] + extent - input[i];
      if (total < 0) total = 0;
      w.pad_begin[i] = auto_pad == "SAME_UPPER" ? total / 2 : total - total / 2;
      w.pad_end[i] = total - w.pad_begin[i];
    }
  } else if (auto_pad == "VALID" || auto_pad == "NOTSET") {
    if (auto_pad == "NOTSET") {
      std::vector<int64_t> pads = node.attr_ints("pads", {});
      if (!pads.empty()) {
        require(pads.size() == 2 * rank, "pads has " + std::to_string(pads.size()) +
                                             " values but should have " + std::to_string(2 * rank) +
                                             " (begin and end per axis)");
        for (size_t i = 0; i < rank; ++i) {
          require(pads[i] >= 0 && pads[i + rank] >= 0, "pads must not be negative");
          w.pad_begin[i] = pads[i];
          w.pad_end[i] = pads[i + rank];
        }
      }
    }
    for (size_t i = 0; i < rank; ++i) {
      const int64_t extent = (kernel[i] - 1) * w.dilations[i] + 1;
      const int64_t span = input[i] + w.pad_begin[i] + w.pad_end[i] - extent;
      require(span >= 0, "the kernel (extent " + std::to_string(extent) +
                             " with dilation) is larger than the padded input (" +
                             std::to_string(input[i] + w.pad_begin[i] + w.pad_end[i]) +
                             ") on spatial axis " + std::to_string(i));
      int64_t out =
          (ceil_mode ? (span + w.strides[i] - 1) / w.strides[i] : span / w.strides[i]) + 1;
      // A window that would start in the end padding covers no input: drop it (PyTorch rule).
      if (ceil_mode && (out - 1) * w.strides[i] >= input[i] + w.pad_begin[i]) --out;
      w.output[i] = out;
    }
  } else {
    throw Error("auto_pad '" + auto_pad + "' is not one of NOTSET, SAME_UPPER, SAME_LOWER, VALID");
  }
  for (size_t i = 0; i < rank; ++i)
    require(w.output[i] >= 1, "the output would be empty on spatial axis " + std::to_string(i));
  return w;
}

}  // namespace algoscope::ops
