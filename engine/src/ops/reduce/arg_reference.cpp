// ArgMax and ArgMin: the index (int64) of the largest or smallest element along one axis, the
// first such index or, with select_last_index=1, the last. Shape inference (axis, keepdims) and
// the one algorithm, the reference, live here. NaN compares false both ways, so it never wins
// (as in ONNX Runtime's loop, not numpy's nanarg-free argmax).
#include <string>
#include <type_traits>

#include "ops/common.h"
#include "ops/reduce/reduce.h"

namespace algoscope::ops::reduce {
namespace {

struct ArgGeometry {
  int64_t outer = 1, length = 1, inner = 1;
};

// The axis attribute normalized into [0, rank), with an error naming the node's op and rank.
int64_t arg_axis(const Layer& layer) {
  const std::string& name = layer.n().op_type;
  const int64_t rank = static_cast<int64_t>(layer.inputs[0].shape.size());
  const int64_t axis = layer.n().attr_int("axis", 0);
  require(rank > 0, name + " needs an input with at least one dimension");
  require(axis >= -rank && axis < rank, name + ": axis " + std::to_string(axis) +
                                            " is out of range for rank " + std::to_string(rank));
  return axis < 0 ? axis + rank : axis;
}

}  // namespace

std::vector<TensorInfo> infer_arg(const Layer& layer) {
  const std::string& name = layer.n().op_type;
  require(layer.has_input(0), name + " needs an input");
  const TensorInfo& x = layer.inputs[0];
  require(x.dtype == DType::Float32 || x.dtype == DType::Int64 || x.dtype == DType::Int32 ||
              x.dtype == DType::UInt8,
          name + " does not support " + dtype_name(x.dtype) + " inputs");
  const auto axis = static_cast<size_t>(arg_axis(layer));
  require(x.shape[axis] > 0, name + ": the axis " + std::to_string(axis) + " of shape " +
                                 shape_to_string(x.shape) + " is empty, so it has no extremum");
  const bool keepdims = layer.n().attr_int("keepdims", 1) != 0;
  Shape out;
  for (size_t d = 0; d < x.shape.size(); ++d) {
    if (d != axis)
      out.push_back(x.shape[d]);
    else if (keepdims)
      out.push_back(1);
  }
  return {TensorInfo{DType::Int64, out}};
}

std::unique_ptr<Kernel> prepare_arg_reference(const Layer& layer, bool max) {
  infer_arg(layer);
  const Shape& shape = layer.inputs[0].shape;
  const auto axis = static_cast<size_t>(arg_axis(layer));
  const bool last = layer.n().attr_int("select_last_index", 0) != 0;
  ArgGeometry g;
  for (size_t d = 0; d < axis; ++d) g.outer *= shape[d];
  g.length = shape[axis];
  for (size_t d = axis + 1; d < shape.size(); ++d) g.inner *= shape[d];
  return make_kernel([g, max, last](KernelIO& io) {
    int64_t* y = io.outputs[0]->data<int64_t>();
    visit_dtype(io.inputs[0]->dtype(), [&](auto element) {
      using T = decltype(element);
      const T* x = io.inputs[0]->data<T>();
      for (int64_t o = 0; o < g.outer; ++o) {
        for (int64_t i = 0; i < g.inner; ++i) {
          const T* line = x + o * g.length * g.inner + i;
          int64_t best = 0;
          for (int64_t k = 1; k < g.length; ++k) {
            const T v = line[k * g.inner], b = line[best * g.inner];
            // Strictly better moves the index; a tie moves it only for select_last_index.
            const bool better = max ? v > b : v < b;
            if (better || (last && v == b)) best = k;
          }
          y[o * g.inner + i] = best;
        }
      }
    });
  });
}

AlgorithmText arg_reference_text(bool max) {
  return {max ? "one pass along the axis keeping the largest so far"
              : "one pass along the axis keeping the smallest so far",
          "Each output element walks its line along the axis once, keeping the index of the best "
          "value seen: a strictly better value moves it, an equal one only with "
          "select_last_index=1 (so ties give the first index by default, the last otherwise). "
          "One comparison per input element, no extra memory; exact. NaN compares false and is "
          "never chosen unless it is the first element."};
}

}  // namespace algoscope::ops::reduce
