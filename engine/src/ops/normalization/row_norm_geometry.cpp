// Shape inference, FLOP counts and the [rows, length] view of the three normalizations that take
// their statistics from the input itself: LayerNormalization (opset 17), InstanceNormalization
// (opsets 1 and 6) and GroupNormalization (opset 18's per-group and opset 21's per-channel scale
// and bias). Every check throws an Error that says what is wrong; the loader adds the node's name.
#include <algorithm>
#include <string>

#include "ops/common.h"
#include "ops/normalization/normalization.h"

namespace algoscope::ops::normalization {

namespace {

const TensorInfo& float_input(const Layer& layer, size_t index, const char* name) {
  const std::string& op = layer.n().op_type;
  require(layer.has_input(index), op + " needs input " + name);
  const TensorInfo& t = layer.inputs[index];
  require(t.dtype == DType::Float32,
          op + " input " + name + " must be float32, got " + dtype_name(t.dtype));
  return t;
}

// True when `param` broadcasts to `target` one way (aligned on the right, each dimension equal or
// 1), as numpy's multiply in LayerNormalization's function body would apply it.
bool broadcasts_to(const Shape& param, const Shape& target) {
  if (param.size() > target.size()) return false;
  const size_t skip = target.size() - param.size();
  for (size_t i = 0; i < param.size(); ++i)
    if (param[i] != 1 && param[i] != target[skip + i]) return false;
  return true;
}

void require_float_stash(const Layer& layer) {
  const int64_t stash = layer.n().attr_int("stash_type", 1);
  require(stash == 1, layer.n().op_type + " stash_type " + std::to_string(stash) +
                          " is not supported (only 1: statistics in float)");
}

int64_t layer_norm_axis(const Layer& layer) {
  const int64_t rank = static_cast<int64_t>(layer.inputs[0].shape.size());
  return normalize_axis(layer.n().attr_int("axis", -1), rank);
}

// Scale and B of InstanceNormalization / GroupNormalization must have exactly this shape.
void require_parameter_shape(const Layer& layer, size_t index, const char* name, const Shape& shape,
                             const std::string& why) {
  const TensorInfo& p = float_input(layer, index, name);
  require(p.shape == shape, layer.n().op_type + " input " + name + " must have shape " +
                                shape_to_string(shape) + " (" + why + "), got " +
                                shape_to_string(p.shape));
}

int64_t spatial_size(const Shape& x) { return shape_numel(Shape(x.begin() + 2, x.end())); }

}  // namespace

std::vector<TensorInfo> infer_layer_norm(const Layer& layer) {
  const Node& node = layer.n();
  const TensorInfo& x = float_input(layer, 0, "X");
  require(!x.shape.empty(), "LayerNormalization input X must have rank 1 or more");
  require(node.outputs.size() <= 3,
          "LayerNormalization has at most 3 outputs (Y, Mean, InvStdDev), the node has " +
              std::to_string(node.outputs.size()));
  require_float_stash(layer);
  const int64_t axis = layer_norm_axis(layer);
  const Shape normalized(x.shape.begin() + axis, x.shape.end());
  const char* names[] = {"X", "Scale", "B"};
  for (size_t i = 1; i < 3; ++i) {
    if (i == 2 && !layer.has_input(2)) continue;  // B is optional
    const TensorInfo& p = float_input(layer, i, names[i]);
    require(broadcasts_to(p.shape, normalized),
            std::string("LayerNormalization input ") + names[i] + " must have shape " +
                shape_to_string(normalized) + " (or one that broadcasts to it) for X " +
                shape_to_string(x.shape) + " normalized from axis " + std::to_string(axis) +
                ", got " + shape_to_string(p.shape));
  }
  Shape statistics(x.shape.begin(), x.shape.begin() + axis);
  statistics.resize(x.shape.size(), 1);
  std::vector<TensorInfo> out = {x, {DType::Float32, statistics}, {DType::Float32, statistics}};
  out.resize(std::max<size_t>(1, node.outputs.size()));
  return out;
}

std::vector<TensorInfo> infer_instance_norm(const Layer& layer) {
  const TensorInfo& x = float_input(layer, 0, "input");
  require(x.shape.size() >= 3,
          "InstanceNormalization input must have rank 3 or more (N, C, D1, "
          "...), got " +
              shape_to_string(x.shape));
  const Shape channels{x.shape[1]};
  require_parameter_shape(layer, 1, "scale", channels, "one per channel");
  require_parameter_shape(layer, 2, "B", channels, "one per channel");
  return {x};
}

std::vector<TensorInfo> infer_group_norm(const Layer& layer) {
  const Node& node = layer.n();
  const TensorInfo& x = float_input(layer, 0, "X");
  require(x.shape.size() >= 2,
          "GroupNormalization input X must have rank 2 or more (N, C, ...), "
          "got " +
              shape_to_string(x.shape));
  require(node.has_attribute("num_groups"), "GroupNormalization needs the num_groups attribute");
  const int64_t groups = node.attr_int("num_groups", 0);
  const int64_t channels = x.shape[1];
  require(groups >= 1 && channels % groups == 0,
          "GroupNormalization num_groups " + std::to_string(groups) + " must divide the " +
              std::to_string(channels) + " channels of X " + shape_to_string(x.shape));
  require_float_stash(layer);
  // Opset 18 defined scale and bias per group, which cannot express per-channel affine
  // parameters; opset 21 changed them to per channel.
  const bool per_channel = layer.opset >= 21;
  const Shape param{per_channel ? channels : groups};
  const std::string why =
      per_channel ? "one per channel from opset 21" : "one per group before opset 21";
  require_parameter_shape(layer, 1, "scale", param, why);
  require_parameter_shape(layer, 2, "bias", param, why);
  return {x};
}

RowNormGeometry row_norm_geometry(const Layer& layer) {
  const Node& node = layer.n();
  const Shape& x = layer.inputs[0].shape;
  RowNormGeometry g;
  g.epsilon = node.attr_float("epsilon", 1e-5f);
  if (node.op_type == "LayerNormalization") {
    infer_layer_norm(layer);
    const int64_t axis = layer_norm_axis(layer);
    g.rows = shape_numel(Shape(x.begin(), x.begin() + axis));
    g.param_shape = Shape(x.begin() + axis, x.end());
    g.length = shape_numel(g.param_shape);
    g.has_bias = layer.has_input(2);
    g.statistics_outputs = true;
  } else if (node.op_type == "InstanceNormalization") {
    infer_instance_norm(layer);
    g.rows = x[0] * x[1];
    g.length = spatial_size(x);
    g.param_run = g.length;
    g.param_cycle = x[1];
    g.param_shape = {x[1]};
  } else {
    require(node.op_type == "GroupNormalization", "no row normalization for " + node.op_type);
    infer_group_norm(layer);
    const int64_t groups = node.attr_int("num_groups", 1);
    g.rows = x[0] * groups;
    g.length = x[1] / groups * spatial_size(x);
    g.param_cycle = groups;
    g.param_run = layer.opset >= 21 ? spatial_size(x) : g.length;
    g.param_shape = {layer.opset >= 21 ? x[1] : groups};
  }
  return g;
}

double row_norm_flops(const Layer& layer) {
  return 8.0 * static_cast<double>(layer.inputs[0].numel());
}

const float* expanded_parameter(const Tensor& t, const Shape& param_shape,
                                std::vector<float>& storage) {
  if (t.shape() == param_shape) return t.data<float>();
  // Right-aligned broadcast: a source dimension of 1 (or a missing leading one) repeats.
  const Shape& from = t.shape();
  const size_t rank = param_shape.size(), skip = rank - from.size();
  std::vector<int64_t> source_stride(rank, 0);
  for (int64_t i = static_cast<int64_t>(rank) - 1, stride = 1; i >= static_cast<int64_t>(skip);
       --i) {
    const int64_t dim = from[static_cast<size_t>(i) - skip];
    source_stride[static_cast<size_t>(i)] = dim == 1 ? 0 : stride;
    stride *= dim;
  }
  storage.assign(static_cast<size_t>(shape_numel(param_shape)), 0.0f);
  const float* source = t.data<float>();
  for (int64_t flat = 0; flat < static_cast<int64_t>(storage.size()); ++flat) {
    int64_t rest = flat, offset = 0;
    for (int64_t i = static_cast<int64_t>(rank) - 1; i >= 0; --i) {
      const int64_t dim = param_shape[static_cast<size_t>(i)];
      offset += rest % dim * source_stride[static_cast<size_t>(i)];
      rest /= dim;
    }
    storage[static_cast<size_t>(flat)] = source[offset];
  }
  return storage.data();
}

}  // namespace algoscope::ops::normalization
