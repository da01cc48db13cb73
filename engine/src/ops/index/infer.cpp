// ONNX semantics of the index family (see index.h): GatherND (opset 11-13, batch_dims from 12),
// ScatterND (11-18, the reduction attribute from 16) and TopK (1-11: k an attribute before 10, a
// constant input since; largest and sorted from 11). Every invalid node throws Error naming the op
// and what is wrong.
#include <algorithm>
#include <string>

#include "ops/common.h"
#include "ops/index/index.h"

namespace algoscope::ops::index {
namespace {

void require_inputs(const Layer& layer, size_t count, const std::string& op, const char* names) {
  for (size_t i = 0; i < count; ++i)
    require(layer.has_input(i),
            op + " needs " + names + "; input " + std::to_string(i) + " is missing");
}

void require_index_type(const TensorInfo& indices, const std::string& op) {
  require(indices.dtype == DType::Int64 || indices.dtype == DType::Int32,
          op + ": indices must be int64 or int32, not " + dtype_name(indices.dtype));
}

int64_t product(const Shape& shape, size_t begin, size_t end) {
  int64_t n = 1;
  for (size_t d = begin; d < end; ++d) n *= shape[d];
  return n;
}

// The geometry both ND ops share: data [batch..., indexed (k dims)..., slice...] addressed by
// indices [batch..., tuples..., k].
NdGeometry nd_geometry(const TensorInfo& data, const TensorInfo& indices, int64_t batch_dims,
                       const std::string& op) {
  const size_t r = data.shape.size(), q = indices.shape.size();
  require(r >= 1, op + ": data must have at least one dimension");
  require(q >= 1, op + ": indices must have at least one dimension");
  const auto b = static_cast<size_t>(batch_dims);
  const int64_t k = indices.shape.back();
  require(k >= 1 && static_cast<size_t>(k) <= r - b,
          op + ": the last dimension of indices " + shape_to_string(indices.shape) + " is " +
              std::to_string(k) + "; it must be between 1 and the data's rank " +
              std::to_string(r - b) + (b ? " after the batch dimensions" : ""));
  NdGeometry g;
  g.k = k;
  g.batch = product(data.shape, 0, b);
  g.tuples = product(indices.shape, b, q - 1);
  g.indexed.assign(data.shape.begin() + b, data.shape.begin() + b + k);
  g.slice = product(data.shape, b + k, r);
  return g;
}

// Constant indices (Swin's masks, position tables) are checked at load time.
void check_constant_indices(const Layer& layer, const NdGeometry& g, const std::string& op) {
  const Tensor* t = layer.constant(1);
  if (!t) return;
  const std::vector<int64_t> values = t->to_int64_vector();
  for (size_t i = 0; i < values.size(); ++i) {
    const int64_t dim = g.indexed[i % static_cast<size_t>(g.k)];
    require(values[i] >= -dim && values[i] < dim, op + ": index " + std::to_string(values[i]) +
                                                      " is out of range for a dimension of " +
                                                      "length " + std::to_string(dim));
  }
}

}  // namespace

NdGeometry gather_nd_geometry(const Layer& layer) {
  require_inputs(layer, 2, "GatherND", "data and indices");
  const TensorInfo& data = layer.inputs[0];
  const TensorInfo& indices = layer.inputs[1];
  require_index_type(indices, "GatherND");
  const int64_t b = layer.n().attr_int("batch_dims", 0);
  const auto r = static_cast<int64_t>(data.shape.size());
  const auto q = static_cast<int64_t>(indices.shape.size());
  require(b >= 0 && b < std::min(r, q),
          "GatherND: batch_dims " + std::to_string(b) + " must be below the ranks of data (" +
              std::to_string(r) + ") and indices (" + std::to_string(q) + ")");
  for (size_t d = 0; d < static_cast<size_t>(b); ++d)
    require(data.shape[d] == indices.shape[d],
            "GatherND: data " + shape_to_string(data.shape) + " and indices " +
                shape_to_string(indices.shape) + " differ in the batch dimension " +
                std::to_string(d));
  NdGeometry g = nd_geometry(data, indices, b, "GatherND");
  check_constant_indices(layer, g, "GatherND");
  return g;
}

std::vector<TensorInfo> infer_gather_nd(const Layer& layer) {
  const NdGeometry g = gather_nd_geometry(layer);
  const TensorInfo& data = layer.inputs[0];
  const Shape& indices = layer.inputs[1].shape;
  // indices.shape[:-1] + data.shape[b+k:]
  Shape out(indices.begin(), indices.end() - 1);
  const size_t tail = data.shape.size() - static_cast<size_t>(g.k) -
                      static_cast<size_t>(layer.n().attr_int("batch_dims", 0));
  out.insert(out.end(), data.shape.end() - static_cast<std::ptrdiff_t>(tail), data.shape.end());
  return {TensorInfo{data.dtype, out}};
}

ScatterReduction scatter_nd_reduction(const Layer& layer) {
  const std::string reduction = layer.n().attr_string("reduction", "none");
  ScatterReduction r = ScatterReduction::None;
  if (reduction == "add")
    r = ScatterReduction::Add;
  else if (reduction == "mul")
    r = ScatterReduction::Mul;
  else if (reduction == "max")
    r = ScatterReduction::Max;
  else if (reduction == "min")
    r = ScatterReduction::Min;
  else
    require(reduction == "none",
            "ScatterND: reduction '" + reduction + "' is not one of none, add, mul, max, min");
  require(r == ScatterReduction::None || layer.inputs[0].dtype != DType::Bool,
          "ScatterND: reduction '" + reduction + "' needs numeric data, not bool");
  return r;
}

NdGeometry scatter_nd_geometry(const Layer& layer) {
  require_inputs(layer, 3, "ScatterND", "data, indices and updates");
  const TensorInfo& data = layer.inputs[0];
  const TensorInfo& indices = layer.inputs[1];
  const TensorInfo& updates = layer.inputs[2];
  require_index_type(indices, "ScatterND");
  require(updates.dtype == data.dtype,
          std::string("ScatterND: updates must have the data's type ") + dtype_name(data.dtype) +
              ", not " + dtype_name(updates.dtype));
  NdGeometry g = nd_geometry(data, indices, 0, "ScatterND");
  // updates.shape == indices.shape[:-1] + data.shape[k:]
  Shape want(indices.shape.begin(), indices.shape.end() - 1);
  want.insert(want.end(), data.shape.begin() + g.k, data.shape.end());
  require(updates.shape == want, "ScatterND: updates have shape " + shape_to_string(updates.shape) +
                                     "; data " + shape_to_string(data.shape) + " and indices " +
                                     shape_to_string(indices.shape) + " need " +
                                     shape_to_string(want));
  check_constant_indices(layer, g, "ScatterND");
  scatter_nd_reduction(layer);
  return g;
}

std::vector<TensorInfo> infer_scatter_nd(const Layer& layer) {
  scatter_nd_geometry(layer);
  return {layer.inputs[0]};
}

TopKParams top_k_params(const Layer& layer) {
  require(layer.has_input(0), "TopK needs an input X");
  const TensorInfo& x = layer.inputs[0];
  require(x.dtype != DType::Bool, "TopK does not support bool inputs");
  const auto rank = static_cast<int64_t>(x.shape.size());
  require(rank >= 1, "TopK needs an input with at least one dimension");
  TopKParams p;
  p.axis = normalize_axis(layer.n().attr_int("axis", -1), rank);
  if (layer.opset < 10) {
    require(layer.n().has_attribute("k"), "TopK needs a 'k' attribute before opset 10");
    p.k = layer.n().attr_int("k", 0);
  } else {
    require(layer.has_input(1), "TopK needs a K input from opset 10");
    const Tensor* k = layer.constant(1);
    // The output's shape depends on K.
    require(k != nullptr, "TopK: K input must be a constant (static shapes only)");
    require(k->numel() == 1 && (k->dtype() == DType::Int64 || k->dtype() == DType::Int32),
            std::string("TopK: K must hold one int64, got ") + dtype_name(k->dtype()) + " " +
                shape_to_string(k->shape()));
    p.k = k->to_int64_vector()[0];
  }
  const int64_t dim = x.shape[static_cast<size_t>(p.axis)];
  require(p.k >= 0 && p.k <= dim, "TopK: k = " + std::to_string(p.k) + " is outside [0, " +
                                      std::to_string(dim) + "], the length of axis " +
                                      std::to_string(p.axis));
  p.largest = layer.n().attr_int("largest", 1) != 0;
  return p;
}

std::vector<TensorInfo> infer_top_k(const Layer& layer) {
  const TopKParams p = top_k_params(layer);
  Shape out = layer.inputs[0].shape;
  out[static_cast<size_t>(p.axis)] = p.k;
  return {TensorInfo{layer.inputs[0].dtype, out}, TensorInfo{DType::Int64, out}};
}

}  // namespace algoscope::ops::index
