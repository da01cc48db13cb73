// ConvTranspose shape inference and FLOP count, shared by all its algorithms: validates the node
// against ONNX ConvTranspose (opsets 1-17: groups, strides, dilations, pads, output_padding,
// output_shape, auto_pad, optional bias, kernel_shape optional) and resolves the output size and
// padding once, by the formulas of the ONNX operator text.
#include <string>

#include "ops/common.h"
#include "ops/conv_transpose/conv_transpose.h"

namespace algoscope::ops::conv_transpose {

namespace {

std::string text(const std::vector<int64_t>& v) { return shape_to_string(v); }

// An attribute with one value per spatial axis, or `fallback` on every axis when absent; each
// value at least `min`.
std::vector<int64_t> per_axis(const Node& node, const std::string& key, size_t rank,
                              int64_t fallback, int64_t min) {
  std::vector<int64_t> v = node.attr_ints(key, {});
  if (v.empty()) return std::vector<int64_t>(rank, fallback);
  require(v.size() == rank, "ConvTranspose " + key + " has " + std::to_string(v.size()) +
                                " values but the input has " + std::to_string(rank) +
                                " spatial axes");
  for (int64_t x : v)
    require(x >= min, "ConvTranspose " + key + " must be " +
                          (min == 0 ? "non-negative" : "positive") + ", got " + text(v));
  return v;
}

}  // namespace

Shape Geometry::output_shape() const {
  Shape s{batch, out_channels};
  s.insert(s.end(), output.begin(), output.end());
  return s;
}

Geometry geometry(const Layer& layer) {
  const Node& node = layer.n();
  require(layer.has_input(0) && layer.has_input(1), "ConvTranspose needs inputs X and W");
  const TensorInfo& x = layer.inputs[0];
  const TensorInfo& w = layer.inputs[1];
  require(x.dtype == DType::Float32,
          std::string("ConvTranspose input X must be float32, got ") + dtype_name(x.dtype));
  require(w.dtype == DType::Float32,
          std::string("ConvTranspose weight W must be float32, got ") + dtype_name(w.dtype));
  require(x.shape.size() >= 3,
          "ConvTranspose input X must have rank 3 or more (N, C, spatial...), got " +
              shape_to_string(x.shape));
  require(w.shape.size() == x.shape.size(), "ConvTranspose weight W " + shape_to_string(w.shape) +
                                                " must have the rank of X " +
                                                shape_to_string(x.shape));
  const size_t rank = x.shape.size() - 2;
  Geometry g;
  g.batch = x.shape[0];
  g.in_channels = x.shape[1];
  g.groups = node.attr_int("group", 1);
  require(g.groups >= 1, "ConvTranspose group must be positive, got " + std::to_string(g.groups));
  require(w.shape[0] == g.in_channels, "ConvTranspose weight W " + shape_to_string(w.shape) +
                                           " must have the " + std::to_string(g.in_channels) +
                                           " input channels of X first (W is [C, M/group, k...])");
  require(g.in_channels % g.groups == 0,
          "ConvTranspose input channels " + std::to_string(g.in_channels) +
              " are not divisible by group " + std::to_string(g.groups));
  g.out_channels = w.shape[1] * g.groups;
  require(g.out_channels >= 1,
          "ConvTranspose weight W " + shape_to_string(w.shape) + " has no output channels");

  require(g.in_channels >= 1,
          "ConvTranspose input X " + shape_to_string(x.shape) + " has no channels");
  g.input.assign(x.shape.begin() + 2, x.shape.end());
  for (int64_t e : g.input)
    require(e >= 1,
            "ConvTranspose input X " + shape_to_string(x.shape) + " has an empty spatial axis");
  g.kernel.assign(w.shape.begin() + 2, w.shape.end());
  for (int64_t k : g.kernel)
    require(k >= 1, "ConvTranspose weight W " + shape_to_string(w.shape) + " has an empty kernel");
  if (node.has_attribute("kernel_shape"))
    require(node.attr_ints("kernel_shape") == g.kernel,
            "ConvTranspose kernel_shape " + text(node.attr_ints("kernel_shape")) +
                " does not match the weight shape " + shape_to_string(w.shape));
  g.strides = per_axis(node, "strides", rank, 1, 1);
  g.dilations = per_axis(node, "dilations", rank, 1, 1);
  g.output_padding = per_axis(node, "output_padding", rank, 0, 0);
  g.pad_begin.assign(rank, 0);
  g.pad_end.assign(rank, 0);
  g.output.assign(rank, 0);

  std::string auto_pad = node.attr_string("auto_pad", "NOTSET");
  if (auto_pad.empty()) auto_pad = "NOTSET";
  require(auto_pad == "NOTSET" || auto_pad == "SAME_UPPER" || auto_pad == "SAME_LOWER" ||
              auto_pad == "VALID",
          "ConvTranspose auto_pad '" + auto_pad +
              "' is not one of NOTSET, SAME_UPPER, SAME_LOWER, VALID");

  // The output the unpadded scatter covers: stride * (in - 1) + output_padding + extent.
  std::vector<int64_t> full(rank);
  for (size_t i = 0; i < rank; ++i) {
    // In double first: a file's strides or dilations may be absurd, and int64 must not overflow.
    const double span = double(g.strides[i]) * double(g.input[i] - 1) +
                        double(g.output_padding[i]) +
                        double(g.kernel[i] - 1) * double(g.dilations[i]);
    require(span < 0x1p52,
            "ConvTranspose output would have more than 2^52 positions on spatial "
            "axis " +
                std::to_string(i) +
                " (strides, dilations or output_padding "
                "too large)");
    full[i] = g.strides[i] * (g.input[i] - 1) + g.output_padding[i] +
              (g.kernel[i] - 1) * g.dilations[i] + 1;
  }

  std::vector<int64_t> wanted = node.attr_ints("output_shape", {});
  // Some exporters write the whole output shape (N, M, spatial...); ONNX Runtime accepts that too.
  if (wanted.size() == rank + 2) wanted.erase(wanted.begin(), wanted.begin() + 2);
  require(wanted.empty() || wanted.size() == rank,
          "ConvTranspose output_shape " + text(node.attr_ints("output_shape", {})) + " has " +
              std::to_string(node.attr_ints("output_shape", {}).size()) +
              " values but the input has " + std::to_string(rank) + " spatial axes");
  const bool same = auto_pad == "SAME_UPPER" || auto_pad == "SAME_LOWER";
  if (!wanted.empty() || same) {
    // The ONNX text: total_padding = full - output_shape; SAME_UPPER puts total / 2 at the start,
    // every other auto_pad total - total / 2. SAME without output_shape asks for in * stride. A
    // negative total (an output larger than the scatter covers) pads nothing and leaves the
    // extra positions at the end holding the bias alone, as ONNX Runtime and PyTorch's
    // output_size do.
    for (size_t i = 0; i < rank; ++i) {
      const int64_t out = wanted.empty() ? g.input[i] * g.strides[i] : wanted[i];
      require(out >= 1, "ConvTranspose output_shape must be positive, got " + text(wanted));
      int64_t total = full[i] - out;
      if (total < 0) total = 0;
      g.pad_begin[i] = auto_pad == "SAME_UPPER" ? total / 2 : total - total / 2;
      g.pad_end[i] = total - g.pad_begin[i];
      g.output[i] = out;
    }
  } else {
    if (auto_pad == "NOTSET") {
      const std::vector<int64_t> pads = node.attr_ints("pads", {});
      if (!pads.empty()) {
        require(pads.size() == 2 * rank, "ConvTranspose pads has " + std::to_string(pads.size()) +
                                             " values but should have " + std::to_string(2 * rank) +
                                             " (begin and end per axis)");
        for (size_t i = 0; i < rank; ++i) {
          require(pads[i] >= 0 && pads[i + rank] >= 0,
                  "ConvTranspose pads must not be negative, got " + text(pads));
          g.pad_begin[i] = pads[i];
          g.pad_end[i] = pads[i + rank];
        }
      }
    }
    for (size_t i = 0; i < rank; ++i) {
      g.output[i] = full[i] - g.pad_begin[i] - g.pad_end[i];
      require(g.output[i] >= 1, "ConvTranspose output would be empty on spatial axis " +
                                    std::to_string(i) + ": the pads " +
                                    std::to_string(g.pad_begin[i]) + " + " +
                                    std::to_string(g.pad_end[i]) + " remove all " +
                                    std::to_string(full[i]) + " positions");
    }
  }

  if (layer.has_input(2)) {
    const TensorInfo& b = layer.inputs[2];
    require(b.dtype == DType::Float32, "ConvTranspose bias B must be float32");
    require(b.shape == Shape{g.out_channels}, "ConvTranspose bias B must have shape [" +
                                                  std::to_string(g.out_channels) + "], got " +
                                                  shape_to_string(b.shape));
    g.has_bias = true;
  }
  return g;
}

Geometry3 to_3d(const Geometry& g) {
  Geometry3 r;
  const size_t lead = 3 - g.rank();
  for (size_t i = 0; i < 3; ++i) {
    const bool real = i >= lead;
    const size_t j = real ? i - lead : 0;
    r.in[i] = real ? g.input[j] : 1;
    r.kernel[i] = real ? g.kernel[j] : 1;
    r.stride[i] = real ? g.strides[j] : 1;
    r.dilation[i] = real ? g.dilations[j] : 1;
    r.pad[i] = real ? g.pad_begin[j] : 0;
    r.out[i] = real ? g.output[j] : 1;
  }
  return r;
}

std::optional<std::string> rank_reason(const Layer& layer, const char* algorithm) {
  try {
    const Geometry g = geometry(layer);
    if (g.rank() > 3)
      return std::string(algorithm) + " is implemented for 1-D, 2-D and 3-D layers, this one has " +
             std::to_string(g.rank()) + " spatial axes";
  } catch (const Error& e) {
    return std::string(e.what());
  }
  return std::nullopt;
}

void fill_bias(const Geometry& g, const float* b, float* y_image) {
  const int64_t out_size = g.output_size();
  for (int64_t m = 0; m < g.out_channels; ++m)
    std::fill(y_image + m * out_size, y_image + (m + 1) * out_size, b ? b[m] : 0.0f);
}

std::vector<TensorInfo> infer(const Layer& layer) {
  return {TensorInfo{DType::Float32, geometry(layer).output_shape()}};
}

double flops(const Layer& layer) {
  const Geometry g = geometry(layer);
  return 2.0 * static_cast<double>(g.batch) * static_cast<double>(g.in_channels) *
         static_cast<double>(g.input_size()) * static_cast<double>(g.out_per_group()) *
         static_cast<double>(g.kernel_size());
}

}  // namespace algoscope::ops::conv_transpose
