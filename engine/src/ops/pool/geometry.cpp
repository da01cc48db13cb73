// Shape inference and FLOP counts shared by the pooling ops (ONNX MaxPool, AveragePool,
// GlobalAveragePool, opsets 7-17): kernel_shape, strides, pads, auto_pad, ceil_mode and dilations
// resolve through the same window geometry as Conv.
#include <string>

#include "ops/common.h"
#include "ops/pool/pool.h"

namespace algoscope::ops::pool {

Shape PoolGeometry::output_shape() const {
  Shape s{batch, channels};
  s.insert(s.end(), window.output.begin(), window.output.end());
  return s;
}

namespace {

void check_input(const Layer& layer, bool allow_uint8 = false) {
  const std::string& op = layer.n().op_type;
  require(layer.has_input(0), op + " needs input X");
  const TensorInfo& x = layer.inputs[0];
  require(x.dtype == DType::Float32 || (allow_uint8 && x.dtype == DType::UInt8),
          op + " input X must be float32" + (allow_uint8 ? " or uint8" : "") + ", got " +
              std::string(dtype_name(x.dtype)));
  require(x.shape.size() >= 3, op + " input X must have rank 3 or more (N, C, spatial...), got " +
                                   shape_to_string(x.shape));
}

}  // namespace

PoolGeometry pool_geometry(const Layer& layer) {
  check_input(layer, layer.n().op_type == "MaxPool");
  const Node& node = layer.n();
  const Shape& x = layer.inputs[0].shape;
  require(node.has_attribute("kernel_shape"), node.op_type + " needs the kernel_shape attribute");
  const Shape spatial(x.begin() + 2, x.end());
  PoolGeometry g;
  g.batch = x[0];
  g.channels = x[1];
  g.window = make_window(node, spatial, node.attr_ints("kernel_shape"),
                         node.attr_int("ceil_mode", 0) != 0);
  return g;
}

std::vector<TensorInfo> infer_max_pool(const Layer& layer) {
  const PoolGeometry g = pool_geometry(layer);
  const int64_t order = layer.n().attr_int("storage_order", 0);
  require(order == 0 || order == 1, "MaxPool storage_order must be 0 or 1");
  std::vector<TensorInfo> out{TensorInfo{layer.inputs[0].dtype, g.output_shape()}};
  if (layer.n().outputs.size() > 1) out.push_back(TensorInfo{DType::Int64, g.output_shape()});
  return out;
}

std::vector<TensorInfo> infer_average_pool(const Layer& layer) {
  return {TensorInfo{DType::Float32, pool_geometry(layer).output_shape()}};
}

std::vector<TensorInfo> infer_global_pool(const Layer& layer) {
  check_input(layer);
  Shape s = layer.inputs[0].shape;
  for (size_t i = 2; i < s.size(); ++i) s[i] = 1;
  return {TensorInfo{DType::Float32, s}};
}

double window_flops(const Layer& layer) {
  const PoolGeometry g = pool_geometry(layer);
  return static_cast<double>(shape_numel(g.output_shape())) *
         static_cast<double>(g.window.kernel_size());
}

GlobalPlanes global_planes(const Layer& layer) {
  const Shape& x_shape = layer.inputs[0].shape;
  const int64_t count = x_shape[0] * x_shape[1];
  return {count, shape_numel(x_shape) / (count ? count : 1)};
}

double global_flops(const Layer& layer) {
  check_input(layer);
  return static_cast<double>(layer.inputs[0].numel());
}

}  // namespace algoscope::ops::pool
