// ONNX semantics of the shape family (see shape.h): attributes versus inputs across opsets 7 to
// 17, decoded once into parameter structs that shape inference and the kernels share. Every
// invalid node throws Error with a message that names the op and what is wrong.
#include <algorithm>
#include <cmath>
#include <cstring>
#include <string>

#include "ops/binary/broadcast.h"
#include "ops/common.h"
#include "ops/shape/shape.h"

namespace algoscope::ops::shape {
namespace {

std::string list_to_string(const std::vector<int64_t>& values) {
  std::string s = "[";
  for (size_t i = 0; i < values.size(); ++i) s += (i ? ", " : "") + std::to_string(values[i]);
  return s + "]";
}

const TensorInfo& data_input(const Layer& layer, const std::string& op) {
  require(layer.has_input(0), op + " needs a data input");
  return layer.inputs[0];
}

int64_t rank_of(const TensorInfo& info) { return static_cast<int64_t>(info.shape.size()); }

// The values of a shape-defining input, which must be known when the model is compiled.
std::vector<int64_t> constant_ints(const Layer& layer, size_t index, const std::string& op,
                                   const std::string& what) {
  const Tensor* t = layer.constant(index);
  require(t != nullptr, op + ": " + what + " input must be a constant (static shapes only)");
  require(t->dtype() == DType::Int64 || t->dtype() == DType::Int32,
          op + ": " + what + " input must hold int64 values, not " + dtype_name(t->dtype()));
  return t->to_int64_vector();
}

// Normalizes axes against `rank`, rejecting out-of-range and repeated ones.
std::vector<int64_t> normalize_axes(const std::vector<int64_t>& axes, int64_t rank,
                                    const std::string& op) {
  std::vector<int64_t> out;
  for (int64_t axis : axes) {
    require(axis >= -rank && axis < rank, op + ": axis " + std::to_string(axis) +
                                              " is out of range for rank " + std::to_string(rank));
    int64_t a = axis < 0 ? axis + rank : axis;
    require(std::find(out.begin(), out.end(), a) == out.end(),
            op + ": axis " + std::to_string(axis) + " appears twice in " + list_to_string(axes));
    out.push_back(a);
  }
  return out;
}

int64_t normalized_axis(int64_t axis, int64_t rank, const std::string& op) {
  return normalize_axes({axis}, rank, op)[0];
}

// Rethrows a broadcasting error with the op's name in front.
Shape broadcast_for(const std::string& op, const std::vector<Shape>& shapes) {
  try {
    return broadcast_shapes(shapes);
  } catch (const Error& e) {
    throw Error(op + ": " + e.what());
  }
}

// The first element of a tensor converted to `dtype`, as raw bytes.
std::array<std::byte, 8> element_bytes(DType dtype, double value) {
  std::array<std::byte, 8> out{};
  switch (dtype) {
    case DType::Float32: {
      float v = static_cast<float>(value);
      std::memcpy(out.data(), &v, sizeof v);
      break;
    }
    case DType::Int64: {
      int64_t v = static_cast<int64_t>(value);
      std::memcpy(out.data(), &v, sizeof v);
      break;
    }
    case DType::Int32: {
      int32_t v = static_cast<int32_t>(value);
      std::memcpy(out.data(), &v, sizeof v);
      break;
    }
    case DType::UInt8: {
      uint8_t v = static_cast<uint8_t>(value);
      std::memcpy(out.data(), &v, sizeof v);
      break;
    }
    case DType::Bool: {
      bool v = value != 0.0;
      std::memcpy(out.data(), &v, sizeof v);
      break;
    }
  }
  return out;
}

// The loader keeps tensors of element types the engine does not compute with as opaque markers.
void require_computable_value(const Node& node, const std::string& op) {
  auto it = node.attributes.find("value");
  require(
      it == node.attributes.end() || !std::holds_alternative<Attribute::Opaque>(it->second.value),
      op + ": the value attribute has an element type the engine does not compute with "
           "(float32, int64, int32, uint8, bool)");
}

}  // namespace

std::vector<TensorInfo> infer_flatten(const Layer& layer) {
  const TensorInfo& x = data_input(layer, "Flatten");
  const int64_t rank = rank_of(x);
  int64_t axis = layer.n().attr_int("axis", 1);
  // Flatten's axis may equal the rank (everything goes to the outer dimension).
  require(axis >= -rank && axis <= rank, "Flatten: axis " + std::to_string(axis) +
                                             " is out of range for rank " + std::to_string(rank));
  if (axis < 0) axis += rank;
  int64_t outer = 1, inner = 1;
  for (int64_t d = 0; d < rank; ++d) (d < axis ? outer : inner) *= x.shape[static_cast<size_t>(d)];
  return {TensorInfo{x.dtype, Shape{outer, inner}}};
}

std::vector<TensorInfo> infer_reshape(const Layer& layer) {
  const TensorInfo& x = data_input(layer, "Reshape");
  std::vector<int64_t> target;
  if (!layer.has_input(1) && layer.n().has_attribute("shape"))
    target = layer.n().attr_ints("shape");  // opset < 5
  else
    target = constant_ints(layer, 1, "Reshape", "shape");
  const bool allowzero = layer.opset >= 14 && layer.n().attr_int("allowzero", 0) != 0;
  const int64_t rank = rank_of(x);

  Shape out;
  int64_t infer_at = -1;
  int64_t known = 1;  // product of the dimensions other than -1
  bool has_zero = false;
  for (size_t i = 0; i < target.size(); ++i) {
    int64_t v = target[i];
    if (v == -1) {
      require(infer_at < 0, "Reshape: shape " + list_to_string(target) +
                                " has more than one -1 (at most one dimension can be inferred)");
      infer_at = static_cast<int64_t>(i);
      out.push_back(1);
      continue;
    }
    require(v >= 0, "Reshape: shape " + list_to_string(target) + " has the invalid dimension " +
                        std::to_string(v));
    if (v == 0) {
      has_zero = true;
      if (!allowzero) {
        // 0 copies the input's dimension at the same index.
        require(static_cast<int64_t>(i) < rank, "Reshape: shape " + list_to_string(target) +
                                                    " has 0 (copy) at index " + std::to_string(i) +
                                                    " but the input has only " +
                                                    std::to_string(rank) + " dimensions");
        v = x.shape[i];
      }
    }
    out.push_back(v);
    // The target comes from the file: its product must be counted without overflowing (found by
    // fuzz_model: [15, 9223372036854775807] was signed overflow).
    require(!__builtin_mul_overflow(known, v, &known),
            "Reshape: shape " + list_to_string(target) +
                " has more elements than a 64-bit size can count");
  }
  require(!(allowzero && has_zero && infer_at >= 0),
          "Reshape: with allowzero=1 the shape cannot contain both 0 and -1");
  const int64_t numel = x.numel();
  if (infer_at >= 0) {
    require(known != 0 && numel % known == 0,
            "Reshape: cannot reshape " + shape_to_string(x.shape) + " (" + std::to_string(numel) +
                " elements) to " + list_to_string(target));
    out[static_cast<size_t>(infer_at)] = numel / known;
  }
  require(shape_numel(out) == numel, "Reshape: cannot reshape " + shape_to_string(x.shape) + " (" +
                                         std::to_string(numel) + " elements) to " +
                                         list_to_string(target) + " (" +
                                         std::to_string(shape_numel(out)) + " elements)");
  return {TensorInfo{x.dtype, out}};
}

std::vector<int64_t> transpose_perm(const Layer& layer) {
  const TensorInfo& x = data_input(layer, "Transpose");
  const int64_t rank = rank_of(x);
  std::vector<int64_t> perm = layer.n().attr_ints("perm");
  if (!layer.n().has_attribute("perm")) {
    for (int64_t d = rank - 1; d >= 0; --d) perm.push_back(d);
    return perm;
  }
  require(static_cast<int64_t>(perm.size()) == rank,
          "Transpose: perm " + list_to_string(perm) + " does not have one entry per dimension of " +
              shape_to_string(x.shape));
  std::vector<bool> seen(static_cast<size_t>(rank), false);
  for (int64_t p : perm) {
    require(p >= 0 && p < rank && !seen[static_cast<size_t>(p)],
            "Transpose: perm " + list_to_string(perm) + " is not a permutation of 0.." +
                std::to_string(rank - 1));
    seen[static_cast<size_t>(p)] = true;
  }
  return perm;
}

std::vector<TensorInfo> infer_transpose(const Layer& layer) {
  const TensorInfo& x = data_input(layer, "Transpose");
  Shape out;
  for (int64_t p : transpose_perm(layer)) out.push_back(x.shape[static_cast<size_t>(p)]);
  return {TensorInfo{x.dtype, out}};
}

std::vector<TensorInfo> infer_squeeze(const Layer& layer) {
  const TensorInfo& x = data_input(layer, "Squeeze");
  const int64_t rank = rank_of(x);
  // Axes: an attribute before opset 13, an optional constant input from 13; none: every 1.
  std::vector<int64_t> axes;
  bool given = false;
  if (layer.opset < 13 && layer.n().has_attribute("axes")) {
    axes = layer.n().attr_ints("axes");
    given = true;
  } else if (layer.opset >= 13 && layer.has_input(1)) {
    axes = constant_ints(layer, 1, "Squeeze", "axes");
    given = true;
  }
  std::vector<bool> drop(static_cast<size_t>(rank), false);
  if (given) {
    for (int64_t a : normalize_axes(axes, rank, "Squeeze")) {
      require(x.shape[static_cast<size_t>(a)] == 1,
              "Squeeze: axis " + std::to_string(a) + " of " + shape_to_string(x.shape) +
                  " has size " + std::to_string(x.shape[static_cast<size_t>(a)]) +
                  "; only size-1 dimensions can be removed");
      drop[static_cast<size_t>(a)] = true;
    }
  } else {
    for (int64_t d = 0; d < rank; ++d) drop[static_cast<size_t>(d)] = x.shape[d] == 1;
  }
  Shape out;
  for (int64_t d = 0; d < rank; ++d)
    if (!drop[static_cast<size_t>(d)]) out.push_back(x.shape[static_cast<size_t>(d)]);
  return {TensorInfo{x.dtype, out}};
}

std::vector<TensorInfo> infer_unsqueeze(const Layer& layer) {
  const TensorInfo& x = data_input(layer, "Unsqueeze");
  std::vector<int64_t> axes;
  if (layer.opset < 13) {
    require(layer.n().has_attribute("axes"), "Unsqueeze needs an 'axes' attribute before opset 13");
    axes = layer.n().attr_ints("axes");
  } else {
    require(layer.has_input(1), "Unsqueeze needs an axes input from opset 13");
    axes = constant_ints(layer, 1, "Unsqueeze", "axes");
  }
  // Axes index the output, whose rank counts the new dimensions.
  const int64_t out_rank = rank_of(x) + static_cast<int64_t>(axes.size());
  std::vector<bool> added(static_cast<size_t>(out_rank), false);
  for (int64_t a : normalize_axes(axes, out_rank, "Unsqueeze"))
    added[static_cast<size_t>(a)] = true;
  Shape out;
  size_t next = 0;
  for (int64_t d = 0; d < out_rank; ++d)
    out.push_back(added[static_cast<size_t>(d)] ? 1 : x.shape[next++]);
  return {TensorInfo{x.dtype, out}};
}

int64_t concat_axis(const Layer& layer) {
  require(layer.n().has_attribute("axis"), "Concat needs an 'axis' attribute");
  const TensorInfo& x = data_input(layer, "Concat");
  return normalized_axis(layer.n().attr_int("axis", 0), rank_of(x), "Concat");
}

std::vector<TensorInfo> infer_concat(const Layer& layer) {
  require(!layer.inputs.empty(), "Concat needs at least one input");
  for (size_t i = 0; i < layer.inputs.size(); ++i)
    require(layer.has_input(i), "Concat: input " + std::to_string(i) + " is missing");
  const int64_t axis = concat_axis(layer);
  const TensorInfo& first = layer.inputs[0];
  Shape out = first.shape;
  out[static_cast<size_t>(axis)] = 0;
  for (const TensorInfo& in : layer.inputs) {
    require(in.dtype == first.dtype, std::string("Concat: inputs mix ") + dtype_name(first.dtype) +
                                         " and " + dtype_name(in.dtype));
    bool fits = in.shape.size() == first.shape.size();
    for (size_t d = 0; fits && d < in.shape.size(); ++d)
      fits = d == static_cast<size_t>(axis) || in.shape[d] == first.shape[d];
    require(fits, "Concat: input shapes " + shape_to_string(first.shape) + " and " +
                      shape_to_string(in.shape) + " differ outside axis " + std::to_string(axis));
    out[static_cast<size_t>(axis)] += in.shape[static_cast<size_t>(axis)];
  }
  return {TensorInfo{first.dtype, out}};
}

SplitParams split_params(const Layer& layer) {
  const TensorInfo& x = data_input(layer, "Split");
  SplitParams p;
  p.axis = normalized_axis(layer.n().attr_int("axis", 0), rank_of(x), "Split");
  const int64_t dim = x.shape[static_cast<size_t>(p.axis)];
  const int64_t parts = static_cast<int64_t>(layer.n().outputs.size());
  require(parts >= 1, "Split needs at least one output");
  bool given = false;
  if (layer.opset < 13 && layer.n().has_attribute("split")) {
    p.sizes = layer.n().attr_ints("split");
    given = true;
  } else if (layer.opset >= 13 && layer.has_input(1)) {
    p.sizes = constant_ints(layer, 1, "Split", "split");
    given = true;
  }
  if (given) {
    require(static_cast<int64_t>(p.sizes.size()) == parts,
            "Split: split " + list_to_string(p.sizes) + " has " + std::to_string(p.sizes.size()) +
                " entries for " + std::to_string(parts) + " outputs");
    int64_t sum = 0;
    for (int64_t s : p.sizes) {
      require(s >= 0, "Split: split " + list_to_string(p.sizes) + " has a negative size");
      sum += s;
    }
    require(sum == dim, "Split: split " + list_to_string(p.sizes) + " sums to " +
                            std::to_string(sum) + ", not to the length " + std::to_string(dim) +
                            " of axis " + std::to_string(p.axis));
  } else {
    require(dim % parts == 0, "Split: axis " + std::to_string(p.axis) + " of length " +
                                  std::to_string(dim) + " does not split evenly into " +
                                  std::to_string(parts) + " outputs");
    p.sizes.assign(static_cast<size_t>(parts), dim / parts);
  }
  return p;
}

std::vector<TensorInfo> infer_split(const Layer& layer) {
  const TensorInfo& x = data_input(layer, "Split");
  SplitParams p = split_params(layer);
  std::vector<TensorInfo> out;
  for (int64_t size : p.sizes) {
    TensorInfo info = x;
    info.shape[static_cast<size_t>(p.axis)] = size;
    out.push_back(info);
  }
  return out;
}

SliceParams slice_params(const Layer& layer) {
  const TensorInfo& x = data_input(layer, "Slice");
  const int64_t rank = rank_of(x);
  std::vector<int64_t> starts, ends, axes, steps;
  bool has_axes = false;
  if (layer.opset < 10) {
    require(layer.n().has_attribute("starts") && layer.n().has_attribute("ends"),
            "Slice needs 'starts' and 'ends' attributes before opset 10");
    starts = layer.n().attr_ints("starts");
    ends = layer.n().attr_ints("ends");
    has_axes = layer.n().has_attribute("axes");
    axes = layer.n().attr_ints("axes");
  } else {
    require(layer.has_input(1) && layer.has_input(2), "Slice needs starts and ends inputs");
    starts = constant_ints(layer, 1, "Slice", "starts");
    ends = constant_ints(layer, 2, "Slice", "ends");
    if (layer.has_input(3)) {
      has_axes = true;
      axes = constant_ints(layer, 3, "Slice", "axes");
    }
    if (layer.has_input(4)) steps = constant_ints(layer, 4, "Slice", "steps");
  }
  const size_t n = starts.size();
  require(ends.size() == n, "Slice: starts " + list_to_string(starts) + " and ends " +
                                list_to_string(ends) + " differ in length");
  if (!has_axes)
    for (size_t i = 0; i < n; ++i) axes.push_back(static_cast<int64_t>(i));
  require(axes.size() == n, "Slice: axes " + list_to_string(axes) + " and starts " +
                                list_to_string(starts) + " differ in length");
  if (steps.empty()) steps.assign(n, 1);
  require(steps.size() == n, "Slice: steps " + list_to_string(steps) + " and starts " +
                                 list_to_string(starts) + " differ in length");
  axes = normalize_axes(axes, rank, "Slice");

  SliceParams p;
  p.starts.assign(static_cast<size_t>(rank), 0);
  p.steps.assign(static_cast<size_t>(rank), 1);
  p.out = x.shape;
  for (size_t i = 0; i < n; ++i) {
    const size_t a = static_cast<size_t>(axes[i]);
    const int64_t dim = x.shape[a];
    const int64_t step = steps[i];
    require(step != 0, "Slice: step 0 on axis " + std::to_string(a) + " is invalid");
    // Negative positions count from the end; adding dim only to negative values cannot overflow
    // even for INT64_MIN / INT64_MAX sentinels.
    int64_t start = starts[i] < 0 ? starts[i] + dim : starts[i];
    int64_t end = ends[i] < 0 ? ends[i] + dim : ends[i];
    int64_t length = 0;
    if (step > 0) {
      // Forward: both clamp into [0, dim].
      start = std::min(std::max<int64_t>(start, 0), dim);
      end = std::min(std::max<int64_t>(end, 0), dim);
      if (end > start) length = (end - start + step - 1) / step;
    } else {
      // Backward: start clamps into [0, dim - 1], end into [-1, dim - 1] (-1: through index 0).
      start = std::min(std::max<int64_t>(start, 0), dim - 1);
      end = std::min(std::max<int64_t>(end, -1), dim - 1);
      if (start > end) length = (start - end - step - 1) / -step;
      if (dim == 0) start = 0, length = 0;
    }
    p.starts[a] = start;
    p.steps[a] = step;
    p.out[a] = length;
  }
  return p;
}

std::vector<TensorInfo> infer_slice(const Layer& layer) {
  const TensorInfo& x = data_input(layer, "Slice");
  return {TensorInfo{x.dtype, slice_params(layer).out}};
}

int64_t gather_axis(const Layer& layer) {
  const TensorInfo& x = data_input(layer, "Gather");
  return normalized_axis(layer.n().attr_int("axis", 0), rank_of(x), "Gather");
}

std::vector<TensorInfo> infer_gather(const Layer& layer) {
  const TensorInfo& x = data_input(layer, "Gather");
  require(layer.has_input(1), "Gather needs an indices input");
  const TensorInfo& indices = layer.inputs[1];
  require(indices.dtype == DType::Int64 || indices.dtype == DType::Int32,
          std::string("Gather: indices must be int64 or int32, not ") + dtype_name(indices.dtype));
  const int64_t axis = gather_axis(layer);
  const int64_t dim = x.shape[static_cast<size_t>(axis)];
  // Constant indices (the common case: picking a dimension out of a Shape) are checked now.
  if (const Tensor* t = layer.constant(1)) {
    for (int64_t i : t->to_int64_vector())
      require(i >= -dim && i < dim, "Gather: index " + std::to_string(i) +
                                        " is out of range for axis " + std::to_string(axis) +
                                        " of length " + std::to_string(dim));
  }
  Shape out(x.shape.begin(), x.shape.begin() + axis);
  out.insert(out.end(), indices.shape.begin(), indices.shape.end());
  out.insert(out.end(), x.shape.begin() + axis + 1, x.shape.end());
  return {TensorInfo{x.dtype, out}};
}

PadParams pad_params(const Layer& layer) {
  const TensorInfo& x = data_input(layer, "Pad");
  const int64_t rank = rank_of(x);
  PadParams p;
  const std::string mode = layer.n().attr_string("mode", "constant");
  if (mode == "constant")
    p.mode = PadMode::Constant;
  else if (mode == "reflect")
    p.mode = PadMode::Reflect;
  else if (mode == "edge")
    p.mode = PadMode::Edge;
  else
    throw Error("Pad: mode '" + mode + "' is not supported (constant, reflect, edge)");

  std::vector<int64_t> pads;
  std::vector<int64_t> axes;
  if (layer.opset < 11) {
    require(layer.n().has_attribute("pads"), "Pad needs a 'pads' attribute before opset 11");
    pads = layer.n().attr_ints("pads");
    p.value = element_bytes(x.dtype, layer.n().attr_float("value", 0.0f));
  } else {
    require(layer.has_input(1), "Pad needs a pads input from opset 11");
    pads = constant_ints(layer, 1, "Pad", "pads");
    if (layer.has_input(2)) {
      require(layer.inputs[2].dtype == x.dtype,
              std::string("Pad: constant_value must have the data's type ") + dtype_name(x.dtype) +
                  ", not " + dtype_name(layer.inputs[2].dtype));
      require(layer.inputs[2].numel() == 1, "Pad: constant_value must be a scalar, got shape " +
                                                shape_to_string(layer.inputs[2].shape));
      if (const Tensor* v = layer.constant(2))
        std::memcpy(p.value.data(), v->raw(), dtype_size(x.dtype));
      else
        p.value_input = true;
    }
    if (layer.has_input(3))
      axes = normalize_axes(constant_ints(layer, 3, "Pad", "axes"), rank, "Pad");
  }
  if (axes.empty())
    for (int64_t d = 0; d < rank; ++d) axes.push_back(d);
  const size_t n = axes.size();
  require(pads.size() == 2 * n, "Pad: pads " + list_to_string(pads) + " must have " +
                                    std::to_string(2 * n) + " entries (begin and end per axis)");

  p.begin.assign(static_cast<size_t>(rank), 0);
  p.end.assign(static_cast<size_t>(rank), 0);
  for (size_t i = 0; i < n; ++i) {
    p.begin[static_cast<size_t>(axes[i])] = pads[i];
    p.end[static_cast<size_t>(axes[i])] = pads[i + n];
  }
  p.out = x.shape;
  for (size_t d = 0; d < static_cast<size_t>(rank); ++d) {
    p.out[d] = x.shape[d] + p.begin[d] + p.end[d];
    require(p.out[d] >= 0, "Pad: pads " + list_to_string(pads) + " crop more than the " +
                               std::to_string(x.shape[d]) + " elements of axis " +
                               std::to_string(d));
    // Reflect and edge copy existing elements, so an empty axis cannot be padded that way.
    require(p.mode == PadMode::Constant || x.shape[d] > 0 || p.out[d] == 0,
            "Pad: mode '" + mode + "' cannot pad the empty axis " + std::to_string(d));
  }
  return p;
}

std::vector<TensorInfo> infer_pad(const Layer& layer) {
  const TensorInfo& x = data_input(layer, "Pad");
  return {TensorInfo{x.dtype, pad_params(layer).out}};
}

std::vector<TensorInfo> infer_expand(const Layer& layer) {
  const TensorInfo& x = data_input(layer, "Expand");
  require(layer.has_input(1), "Expand needs a shape input");
  std::vector<int64_t> target = constant_ints(layer, 1, "Expand", "shape");
  for (int64_t d : target)
    require(d >= 0, "Expand: shape " + list_to_string(target) + " has a negative dimension");
  return {TensorInfo{x.dtype, broadcast_for("Expand", {x.shape, Shape(target)})}};
}

std::vector<TensorInfo> infer_tile(const Layer& layer) {
  const TensorInfo& x = data_input(layer, "Tile");
  require(layer.has_input(1), "Tile needs a repeats input");
  const std::vector<int64_t> repeats = constant_ints(layer, 1, "Tile", "repeats");
  require(repeats.size() == x.shape.size(), "Tile: repeats " + list_to_string(repeats) +
                                                " must have one entry per dimension of " +
                                                shape_to_string(x.shape));
  Shape out = x.shape;
  for (size_t d = 0; d < out.size(); ++d) {
    require(repeats[d] >= 0, "Tile: repeats " + list_to_string(repeats) + " has a negative entry");
    require(!__builtin_mul_overflow(out[d], repeats[d], &out[d]),
            "Tile: repeats " + list_to_string(repeats) + " overflow a 64-bit dimension");
  }
  return {TensorInfo{x.dtype, out}};
}

Tensor constant_value(const Layer& layer) {
  const Node& node = layer.n();
  require_computable_value(node, "Constant");
  if (const Tensor* t = node.attr_tensor("value")) return t->clone();
  if (node.has_attribute("value_float"))
    return Tensor::from_vector<float>({}, {node.attr_float("value_float", 0.0f)});
  if (node.has_attribute("value_floats")) {
    std::vector<float> v = node.attr_floats("value_floats");
    return Tensor::from_vector<float>({static_cast<int64_t>(v.size())}, v);
  }
  if (node.has_attribute("value_int"))
    return Tensor::from_vector<int64_t>({}, {node.attr_int("value_int", 0)});
  if (node.has_attribute("value_ints")) {
    std::vector<int64_t> v = node.attr_ints("value_ints");
    return Tensor::from_vector<int64_t>({static_cast<int64_t>(v.size())}, v);
  }
  if (node.has_attribute("value_string") || node.has_attribute("value_strings"))
    throw Error("Constant: string values are not supported");
  if (node.has_attribute("sparse_value")) throw Error("Constant: sparse_value is not supported");
  throw Error("Constant needs a value attribute (value, value_float(s) or value_int(s))");
}

std::vector<TensorInfo> infer_constant(const Layer& layer) {
  return {constant_value(layer).info()};
}

Tensor constant_of_shape_value(const Layer& layer) {
  require_computable_value(layer.n(), "ConstantOfShape");
  const Tensor* t = layer.n().attr_tensor("value");
  if (!t) return Tensor::from_vector<float>({1}, {0.0f});
  require(t->numel() == 1,
          "ConstantOfShape: value must hold one element, got shape " + shape_to_string(t->shape()));
  return t->clone();
}

std::vector<TensorInfo> infer_constant_of_shape(const Layer& layer) {
  require(layer.has_input(0), "ConstantOfShape needs a shape input");
  std::vector<int64_t> dims = constant_ints(layer, 0, "ConstantOfShape", "shape");
  for (int64_t d : dims)
    require(d >= 0, "ConstantOfShape: shape " + list_to_string(dims) + " has a negative dimension");
  return {TensorInfo{constant_of_shape_value(layer).dtype(), Shape(dims)}};
}

std::vector<TensorInfo> infer_range(const Layer& layer) {
  const char* names[] = {"start", "limit", "delta"};
  for (size_t i = 0; i < 3; ++i) {
    require(layer.has_input(i),
            "Range needs start, limit and delta inputs; " + std::string(names[i]) + " is missing");
    require(layer.inputs[i].numel() == 1 && layer.inputs[i].shape.size() <= 1,
            std::string("Range: ") + names[i] + " must be a scalar, got shape " +
                shape_to_string(layer.inputs[i].shape));
    require(layer.inputs[i].dtype == layer.inputs[0].dtype,
            std::string("Range: start, limit and delta must have one type, got ") +
                dtype_name(layer.inputs[0].dtype) + " and " + dtype_name(layer.inputs[i].dtype));
    // The output's length depends on the values: a static shape needs them now.
    require(layer.constant(i) != nullptr,
            std::string("Range: ") + names[i] + " input must be a constant (static shapes only)");
  }
  const DType type = layer.inputs[0].dtype;
  int64_t length = 0;
  if (type == DType::Float32) {
    const double start = layer.constant(0)->data<float>()[0];
    const double limit = layer.constant(1)->data<float>()[0];
    const double delta = layer.constant(2)->data<float>()[0];
    require(delta != 0.0, "Range: delta must not be 0");
    const double count = std::ceil((limit - start) / delta);
    require(std::isfinite(count) && count < 9.2e18,
            "Range: start, limit and delta give no finite number of elements");
    length = std::max<int64_t>(static_cast<int64_t>(count), 0);
  } else if (type == DType::Int64 || type == DType::Int32) {
    const int64_t start = layer.constant(0)->to_int64_vector()[0];
    const int64_t limit = layer.constant(1)->to_int64_vector()[0];
    const int64_t delta = layer.constant(2)->to_int64_vector()[0];
    require(delta != 0, "Range: delta must not be 0");
    // ceil((limit - start) / delta) in 128 bits: the difference of two int64 may not fit in one.
    const __int128 span = static_cast<__int128>(limit) - start;
    __int128 count = span / delta;
    if (count * delta != span && (span > 0) == (delta > 0)) ++count;
    require(count <= INT64_MAX, "Range: start, limit and delta give more than 2^63 elements");
    length = count > 0 ? static_cast<int64_t>(count) : 0;
  } else {
    throw Error(std::string("Range does not support ") + dtype_name(type) +
                " (float32, int64, int32)");
  }
  return {TensorInfo{type, Shape{length}}};
}

}  // namespace algoscope::ops::shape
