// Softmax, LogSoftmax and Hardmax shape inference (ONNX, opsets 1-17). Opsets before 13 coerce the
// input to 2-D at `axis` (default 1) and normalize whole rows; opset 13 normalizes along a single
// axis (default -1). The output has the input's type and shape either way.
#include <string>

#include "ops/common.h"
#include "ops/softmax/softmax.h"

namespace algoscope::ops::softmax {

SoftmaxGeometry softmax_geometry(const Layer& layer) {
  // Named by the node's op: Softmax, LogSoftmax or Hardmax.
  const std::string& name = layer.n().op_type;
  require(layer.has_input(0), name + " needs input X");
  const TensorInfo& x = layer.inputs[0];
  require(x.dtype == DType::Float32,
          name + " input must be float32, got " + std::string(dtype_name(x.dtype)));
  const int64_t rank = static_cast<int64_t>(x.shape.size());
  require(rank >= 1, name + " input must have rank 1 or more");
  const bool flatten = layer.opset < 13;
  const int64_t axis = normalize_axis(layer.n().attr_int("axis", flatten ? 1 : -1), rank);
  SoftmaxGeometry g;
  for (int64_t i = 0; i < axis; ++i) g.outer *= x.shape[i];
  if (flatten) {
    for (int64_t i = axis; i < rank; ++i) g.length *= x.shape[i];
  } else {
    g.length = x.shape[axis];
    for (int64_t i = axis + 1; i < rank; ++i) g.inner *= x.shape[i];
  }
  return g;
}

std::vector<TensorInfo> infer(const Layer& layer) {
  softmax_geometry(layer);
  return {layer.inputs[0]};
}

double flops(const Layer& layer) { return 4.0 * static_cast<double>(layer.inputs[0].numel()); }

}  // namespace algoscope::ops::softmax
