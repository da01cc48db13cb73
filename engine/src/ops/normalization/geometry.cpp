// Shape inference and FLOP counts for BatchNormalization (inference only; opsets 7-17, including
// opset 7-8's spatial attribute and opset 14's training_mode) and LRN.
#include <string>

#include "ops/common.h"
#include "ops/normalization/normalization.h"

namespace algoscope::ops::normalization {

namespace {

bool per_element_parameters(const Layer& layer) {
  // Only opsets 7 and 8 have `spatial`; spatial = 0 gives every element of [C, D1, ...] its own
  // parameters.
  return layer.opset < 9 && layer.n().attr_int("spatial", 1) == 0;
}

}  // namespace

std::vector<TensorInfo> infer_batch_norm(const Layer& layer) {
  const Node& node = layer.n();
  if (node.attr_int("training_mode", 0) != 0)
    throw Error("BatchNormalization training mode is not supported (training_mode = 1)");
  for (size_t i = 1; i < node.outputs.size(); ++i)
    if (node.has_output(i))
      throw Error(
          "BatchNormalization training mode is not supported (the node asks for the running "
          "mean/variance outputs)");
  for (size_t i = 0; i < 5; ++i)
    require(layer.has_input(i), "BatchNormalization needs inputs X, scale, B, mean and var");
  const TensorInfo& x = layer.inputs[0];
  require(x.shape.size() >= 2,
          "BatchNormalization input X must have rank 2 or more (N, C, ...), got " +
              shape_to_string(x.shape));
  const Shape param =
      per_element_parameters(layer) ? Shape(x.shape.begin() + 1, x.shape.end()) : Shape{x.shape[1]};
  const char* names[] = {"X", "scale", "B", "mean", "var"};
  for (size_t i = 0; i < 5; ++i) {
    require(layer.inputs[i].dtype == DType::Float32,
            std::string("BatchNormalization input ") + names[i] + " must be float32");
    if (i > 0)
      require(layer.inputs[i].shape == param, std::string("BatchNormalization input ") + names[i] +
                                                  " must have shape " + shape_to_string(param) +
                                                  " for X " + shape_to_string(x.shape) + ", got " +
                                                  shape_to_string(layer.inputs[i].shape));
  }
  return {x};
}

int64_t batch_norm_inner_size(const Layer& layer) {
  if (per_element_parameters(layer)) return 1;
  const Shape& x = layer.inputs[0].shape;
  return shape_numel(Shape(x.begin() + 2, x.end()));
}

double batch_norm_flops(const Layer& layer) {
  return 2.0 * static_cast<double>(layer.inputs[0].numel());
}

std::vector<TensorInfo> infer_lrn(const Layer& layer) {
  const Node& node = layer.n();
  require(layer.has_input(0), "LRN needs input X");
  const TensorInfo& x = layer.inputs[0];
  require(x.dtype == DType::Float32, "LRN input X must be float32");
  require(x.shape.size() >= 2,
          "LRN input X must have rank 2 or more (N, C, ...), got " + shape_to_string(x.shape));
  require(node.has_attribute("size"), "LRN needs the size attribute");
  require(node.attr_int("size", 0) >= 1, "LRN size must be positive");
  return {x};
}

double lrn_flops(const Layer& layer) {
  return static_cast<double>(layer.inputs[0].numel()) *
         static_cast<double>(2 * layer.n().attr_int("size", 1) + 4);
}

}  // namespace algoscope::ops::normalization
