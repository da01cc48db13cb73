// Shape inference for the Reduce* ops (ONNX ReduceMean, ReduceSum, ReduceMax, ... opsets 1-18):
// axes from the attribute or, from opset 18 (13 for ReduceSum), from the optional second input,
// which must be a constant; keepdims; noop_with_empty_axes where axes come as an input.
#include <string>

#include "ops/common.h"
#include "ops/reduce/reduce.h"

namespace algoscope::ops::reduce {

namespace {

bool axes_from_input(const Layer& layer) {
  return layer.opset >= (layer.n().op_type == "ReduceSum" ? 13 : 18);
}

}  // namespace

ReduceGeometry reduce_geometry(const Layer& layer) {
  const Node& node = layer.n();
  const std::string& op = node.op_type;
  require(layer.has_input(0), op + " needs input data");
  const TensorInfo& x = layer.inputs[0];
  require(x.dtype == DType::Float32,
          op + " input must be float32, got " + std::string(dtype_name(x.dtype)));
  const int64_t rank = static_cast<int64_t>(x.shape.size());
  std::vector<int64_t> axes;
  bool noop_when_empty = false;
  if (axes_from_input(layer)) {
    noop_when_empty = node.attr_int("noop_with_empty_axes", 0) != 0;
    if (layer.has_input(1)) {
      const Tensor* t = layer.constant(1);
      require(t != nullptr, op + " axes must be a constant input (static shapes only)");
      axes = t->to_int64_vector();
    }
  } else {
    axes = node.attr_ints("axes", {});
  }
  ReduceGeometry g;
  g.input = x.shape;
  g.reduced.assign(x.shape.size(), false);
  if (axes.empty()) {
    if (noop_when_empty) {
      g.identity = true;
      g.output = x.shape;
      return g;
    }
    g.reduced.assign(x.shape.size(), true);
  }
  for (int64_t a : axes) {
    const int64_t axis = normalize_axis(a, rank);
    require(!g.reduced[axis], op + " axis " + std::to_string(a) + " is listed twice");
    g.reduced[axis] = true;
  }
  const bool keepdims = node.attr_int("keepdims", 1) != 0;
  for (int64_t i = 0; i < rank; ++i) {
    if (!g.reduced[i])
      g.output.push_back(x.shape[i]);
    else if (keepdims)
      g.output.push_back(1);
  }
  return g;
}

std::vector<TensorInfo> infer(const Layer& layer) {
  return {TensorInfo{DType::Float32, reduce_geometry(layer).output}};
}

double flops(const Layer& layer) { return static_cast<double>(layer.inputs[0].numel()); }

}  // namespace algoscope::ops::reduce
