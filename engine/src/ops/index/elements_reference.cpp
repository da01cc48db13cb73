// GatherElements, ScatterElements and OneHot: the elementwise-indexed ops. GatherElements reads
// data at each index position with the coordinate along `axis` replaced by the index;
// ScatterElements writes (or adds, multiplies, takes the max or min of) updates into a copy of the
// data the same way; OneHot expands indices into rows of off values with one on value. Shape
// inference and the one algorithm of each, the reference, live here. Indices are checked when the
// kernel runs (they are data): an index outside [-dim, dim) is an Error naming the op.
#include <string>
#include <type_traits>
#include <vector>

#include "ops/binary/broadcast.h"
#include "ops/common.h"
#include "ops/index/index.h"

namespace algoscope::ops::index {
namespace {

// The data's strides in elements, row-major.
std::vector<int64_t> strides_of(const Shape& s) {
  std::vector<int64_t> st(s.size(), 1);
  for (size_t d = s.size(); d-- > 1;) st[d - 1] = st[d] * s[d];
  return st;
}

int64_t elements_axis(const Layer& layer) {
  const std::string& name = layer.n().op_type;
  const int64_t rank = static_cast<int64_t>(layer.inputs[0].shape.size());
  const int64_t axis = layer.n().attr_int("axis", 0);
  require(axis >= -rank && axis < rank, name + ": axis " + std::to_string(axis) +
                                            " is out of range for rank " + std::to_string(rank));
  return axis < 0 ? axis + rank : axis;
}

// Validates data, indices (and updates) and returns the axis.
int64_t check_elements(const Layer& layer, bool scatter) {
  const std::string& name = layer.n().op_type;
  const size_t needed = scatter ? 3 : 2;
  for (size_t i = 0; i < needed; ++i)
    require(layer.has_input(i), name + " needs " + std::to_string(needed) + " inputs; input " +
                                    std::to_string(i) + " is missing");
  const TensorInfo& data = layer.inputs[0];
  const TensorInfo& indices = layer.inputs[1];
  require(!data.shape.empty(), name + " needs data of rank 1 or more");
  require(indices.dtype == DType::Int64 || indices.dtype == DType::Int32,
          name + " needs int64 or int32 indices, got " + dtype_name(indices.dtype));
  require(indices.shape.size() == data.shape.size(),
          name + ": indices " + shape_to_string(indices.shape) + " must have the data's rank (" +
              shape_to_string(data.shape) + ")");
  const int64_t axis = elements_axis(layer);
  for (size_t d = 0; d < data.shape.size(); ++d)
    require(static_cast<int64_t>(d) == axis || indices.shape[d] <= data.shape[d],
            name + ": indices " + shape_to_string(indices.shape) + " exceed the data's shape " +
                shape_to_string(data.shape) + " outside the axis");
  if (scatter) {
    const TensorInfo& updates = layer.inputs[2];
    require(updates.shape == indices.shape, name + ": updates " + shape_to_string(updates.shape) +
                                                " must have the indices' shape " +
                                                shape_to_string(indices.shape));
    require(updates.dtype == data.dtype, name + ": updates must have the data's type " +
                                             dtype_name(data.dtype) + ", got " +
                                             dtype_name(updates.dtype));
  }
  return axis;
}

ScatterReduction elements_reduction(const Layer& layer) {
  const std::string r = layer.n().attr_string("reduction", "none");
  if (r == "none") return ScatterReduction::None;
  if (r == "add") return ScatterReduction::Add;
  if (r == "mul") return ScatterReduction::Mul;
  if (r == "max") return ScatterReduction::Max;
  if (r == "min") return ScatterReduction::Min;
  throw Error("ScatterElements: reduction must be none, add, mul, max or min, got '" + r + "'");
}

// For each element of `indices` (shape `ishape`), the data offset it addresses: its own
// coordinates with the axis coordinate replaced by the (wrapped, checked) index.
template <class F>
void for_each_target(const std::string& name, const Tensor& indices, const Shape& dshape,
                     int64_t axis, F f) {
  const Shape& ishape = indices.shape();
  const std::vector<int64_t> dstride = strides_of(dshape);
  const std::vector<int64_t> idx = indices.to_int64_vector();
  const size_t rank = ishape.size();
  std::vector<int64_t> coord(rank, 0);
  const int64_t dim = dshape[static_cast<size_t>(axis)];
  for (int64_t i = 0; i < static_cast<int64_t>(idx.size()); ++i) {
    int64_t at = idx[static_cast<size_t>(i)];
    require(at >= -dim && at < dim, name + ": index " + std::to_string(at) +
                                        " is out of range for axis " + std::to_string(axis) +
                                        " of size " + std::to_string(dim));
    if (at < 0) at += dim;
    int64_t offset = 0;
    for (size_t d = 0; d < rank; ++d)
      offset += (static_cast<int64_t>(d) == axis ? at : coord[d]) * dstride[d];
    f(i, offset);
    for (size_t d = rank; d-- > 0;) {
      if (++coord[d] < ishape[d]) break;
      coord[d] = 0;
    }
  }
}

}  // namespace

std::vector<TensorInfo> infer_gather_elements(const Layer& layer) {
  check_elements(layer, false);
  return {TensorInfo{layer.inputs[0].dtype, layer.inputs[1].shape}};
}

std::vector<TensorInfo> infer_scatter_elements(const Layer& layer) {
  check_elements(layer, true);
  elements_reduction(layer);
  return {layer.inputs[0]};
}

std::unique_ptr<Kernel> prepare_gather_elements_reference(const Layer& layer) {
  const int64_t axis = check_elements(layer, false);
  const Shape dshape = layer.inputs[0].shape;
  const std::string name = layer.n().op_type;
  return make_kernel([axis, dshape, name](KernelIO& io) {
    with_carrier(io.inputs[0]->dtype(), [&](auto carrier) {
      using T = decltype(carrier);
      const T* x = static_cast<const T*>(io.inputs[0]->raw());
      T* y = static_cast<T*>(io.outputs[0]->raw());
      for_each_target(name, *io.inputs[1], dshape, axis,
                      [&](int64_t i, int64_t offset) { y[i] = x[offset]; });
    });
  });
}

std::unique_ptr<Kernel> prepare_scatter_elements_reference(const Layer& layer) {
  const int64_t axis = check_elements(layer, true);
  const ScatterReduction reduction = elements_reduction(layer);
  const Shape dshape = layer.inputs[0].shape;
  const std::string name = layer.n().op_type;
  return make_kernel([axis, dshape, name, reduction](KernelIO& io) {
    visit_dtype(io.inputs[0]->dtype(), [&](auto tag) {
      using T = decltype(tag);
      const T* x = io.inputs[0]->data<T>();
      const T* u = io.inputs[2]->data<T>();
      T* y = io.outputs[0]->data<T>();
      const int64_t n = io.inputs[0]->numel();
      if (y != x)
        for (int64_t i = 0; i < n; ++i) y[i] = x[i];
      // Updates apply in index order, so with duplicate indices and reduction none the last wins.
      for_each_target(name, *io.inputs[1], dshape, axis, [&](int64_t i, int64_t offset) {
        T& out = y[offset];
        switch (reduction) {
          case ScatterReduction::None:
            out = u[i];
            break;
          case ScatterReduction::Add:
            out = static_cast<T>(out + u[i]);
            break;
          case ScatterReduction::Mul:
            out = static_cast<T>(out * u[i]);
            break;
          case ScatterReduction::Max:
            out = u[i] > out ? u[i] : out;
            break;
          case ScatterReduction::Min:
            out = u[i] < out ? u[i] : out;
            break;
        }
      });
    });
  });
}

AlgorithmText gather_elements_reference_text() {
  return {"one read per index at its coordinates with the axis replaced",
          "Walks the indices in order with a coordinate counter; each output element reads the "
          "data at the index's own coordinates, the one along the axis replaced by the index "
          "(negative indices count from the end; out of range is an Error at run time). No extra "
          "memory beyond the indices widened to int64; moves bits only: exact."};
}

AlgorithmText scatter_elements_reference_text() {
  return {"copy, then one write per update",
          "Copies the data into the output, then walks the indices in order and writes each "
          "update at the index's coordinates with the axis replaced, or combines it there (add, "
          "mul, max, min). Duplicate indices apply in order, so with reduction none the last "
          "wins. No extra memory beyond the indices widened to int64. Exact for none/max/min, one "
          "rounding per combined update otherwise."};
}

}  // namespace algoscope::ops::index
