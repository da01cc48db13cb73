// Conv shape inference and FLOP count, shared by all Conv algorithms: validates the node against
// ONNX Conv (opsets 1-17: groups, dilations, strides, pads, auto_pad, optional bias, kernel_shape
// optional) and resolves the sliding-window geometry once.
#include <string>

#include "ops/common.h"
#include "ops/conv/conv.h"

namespace algoscope::ops::conv {

Shape ConvGeometry::output_shape() const {
  Shape s{batch, out_channels};
  s.insert(s.end(), window.output.begin(), window.output.end());
  return s;
}

ConvGeometry conv_geometry(const Layer& layer) {
  const Node& node = layer.n();
  require(layer.has_input(0) && layer.has_input(1), "Conv needs inputs X and W");
  const TensorInfo& x = layer.inputs[0];
  const TensorInfo& w = layer.inputs[1];
  require(x.dtype == DType::Float32,
          std::string("Conv input X must be float32, got ") + dtype_name(x.dtype));
  require(w.dtype == DType::Float32,
          std::string("Conv weight W must be float32, got ") + dtype_name(w.dtype));
  require(x.shape.size() >= 3, "Conv input X must have rank 3 or more (N, C, spatial...), got " +
                                   shape_to_string(x.shape));
  require(w.shape.size() == x.shape.size(), "Conv weight W " + shape_to_string(w.shape) +
                                                " must have the rank of X " +
                                                shape_to_string(x.shape));
  ConvGeometry g;
  g.batch = x.shape[0];
  g.in_channels = x.shape[1];
  g.out_channels = w.shape[0];
  g.groups = node.attr_int("group", 1);
  require(g.groups >= 1, "Conv group must be positive, got " + std::to_string(g.groups));
  require(g.in_channels % g.groups == 0, "Conv input channels " + std::to_string(g.in_channels) +
                                             " are not divisible by group " +
                                             std::to_string(g.groups));
  require(g.out_channels % g.groups == 0, "Conv output channels " + std::to_string(g.out_channels) +
                                              " are not divisible by group " +
                                              std::to_string(g.groups));
  require(w.shape[1] * g.groups == g.in_channels,
          "Conv channel mismatch: X has " + std::to_string(g.in_channels) + " channels but W " +
              shape_to_string(w.shape) + " with group " + std::to_string(g.groups) + " expects " +
              std::to_string(w.shape[1] * g.groups));

  const Shape spatial(x.shape.begin() + 2, x.shape.end());
  std::vector<int64_t> kernel(w.shape.begin() + 2, w.shape.end());
  if (node.has_attribute("kernel_shape"))
    require(
        node.attr_ints("kernel_shape") == kernel,
        "Conv kernel_shape attribute does not match the weight shape " + shape_to_string(w.shape));
  g.window = make_window(node, spatial, kernel, false);

  if (layer.has_input(2)) {
    const TensorInfo& b = layer.inputs[2];
    require(b.dtype == DType::Float32, "Conv bias B must be float32");
    require(b.shape == Shape{g.out_channels}, "Conv bias B must have shape " +
                                                  std::to_string(g.out_channels) + ", got " +
                                                  shape_to_string(b.shape));
    g.has_bias = true;
  }
  if (layer.inputs.size() > kResidualInput) {
    // ONNX's Conv has three inputs: a file's fourth one is refused rather than read as a residual.
    require(node.has_attribute(kFusedMarker),
            "Conv takes three inputs; a fourth (a residual) comes only from algoscope's "
            "fuse_residual_add pass");
    require(layer.has_input(kResidualInput) &&
                layer.inputs[kResidualInput] == TensorInfo{DType::Float32, g.output_shape()},
            "Conv residual (input 4) must be float32 of the output's shape " +
                shape_to_string(g.output_shape()));
  }
  return g;
}

std::vector<TensorInfo> infer(const Layer& layer) {
  return {TensorInfo{DType::Float32, conv_geometry(layer).output_shape()}};
}

double flops(const Layer& layer) {
  const ConvGeometry g = conv_geometry(layer);
  return 2.0 * static_cast<double>(g.batch) * static_cast<double>(g.out_channels) *
         static_cast<double>(g.window.output_size()) * static_cast<double>(g.in_per_group()) *
         static_cast<double>(g.window.kernel_size());
}

}  // namespace algoscope::ops::conv
