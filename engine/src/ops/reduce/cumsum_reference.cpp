// CumSum, the running form of ReduceSum: y[..., i, ...] is the sum of x along one axis up to i
// (exclusive: before i; reverse: from the end). Its shape inference and its one algorithm, the
// reference, live here; the axis is a scalar input, read when the kernel runs (it is constant in
// every exported model, and then checked at load time too).
#include <string>
#include <type_traits>

#include "ops/common.h"
#include "ops/reduce/reduce.h"

namespace algoscope::ops::reduce {
namespace {

int64_t cumsum_axis(const Tensor& axis, int64_t rank) {
  require(axis.numel() == 1 && axis.shape().size() <= 1 &&
              (axis.dtype() == DType::Int64 || axis.dtype() == DType::Int32),
          std::string("CumSum: axis must be one int64 or int32, got ") + dtype_name(axis.dtype()) +
              " " + shape_to_string(axis.shape()));
  const int64_t a = axis.to_int64_vector()[0];
  require(a >= -rank && a < rank, "CumSum: axis " + std::to_string(a) +
                                      " is out of range for rank " + std::to_string(rank));
  return a < 0 ? a + rank : a;
}

}  // namespace

std::vector<TensorInfo> infer_cumsum(const Layer& layer) {
  require(layer.has_input(0) && layer.has_input(1), "CumSum needs inputs x and axis");
  const TensorInfo& x = layer.inputs[0];
  require(x.dtype == DType::Float32 || x.dtype == DType::Int64 || x.dtype == DType::Int32,
          std::string("CumSum does not support ") + dtype_name(x.dtype) +
              " inputs (float32, int64, int32)");
  require(!x.shape.empty(), "CumSum needs an input with at least one dimension");
  if (const Tensor* axis = layer.constant(1))
    cumsum_axis(*axis, static_cast<int64_t>(x.shape.size()));
  return {x};
}

std::unique_ptr<Kernel> prepare_cumsum_reference(const Layer& layer) {
  infer_cumsum(layer);
  const bool exclusive = layer.n().attr_int("exclusive", 0) != 0;
  const bool reverse = layer.n().attr_int("reverse", 0) != 0;
  const Shape shape = layer.inputs[0].shape;
  return make_kernel([shape, exclusive, reverse](KernelIO& io) {
    const auto axis =
        static_cast<size_t>(cumsum_axis(*io.inputs[1], static_cast<int64_t>(shape.size())));
    int64_t outer = 1, inner = 1;
    for (size_t d = 0; d < axis; ++d) outer *= shape[d];
    for (size_t d = axis + 1; d < shape.size(); ++d) inner *= shape[d];
    const int64_t length = shape[axis];
    visit_dtype(io.inputs[0]->dtype(), [&](auto element) {
      using T = decltype(element);
      // float32 sums run in double and round once per output element; integers wrap.
      using Acc = std::conditional_t<std::is_floating_point_v<T>, double, T>;
      const T* x = io.inputs[0]->data<T>();
      T* y = io.outputs[0]->data<T>();
      for (int64_t o = 0; o < outer; ++o) {
        for (int64_t i = 0; i < inner; ++i) {
          const int64_t base = o * length * inner + i;
          Acc sum = 0;
          for (int64_t step = 0; step < length; ++step) {
            const int64_t at = base + (reverse ? length - 1 - step : step) * inner;
            if (exclusive) {
              y[at] = static_cast<T>(sum);
              sum += x[at];
            } else {
              sum += x[at];
              y[at] = static_cast<T>(sum);
            }
          }
        }
      }
    });
  });
}

AlgorithmText cumsum_reference_text() {
  return {"running sum along the axis, in double",
          "For each line along the axis (forward, or from the end with reverse=1), keeps a "
          "running sum and writes it after (or, exclusive=1, before) adding each element. The "
          "axis is read from its input when the kernel runs. No extra memory. float32 sums are "
          "accumulated in double and rounded once per output element, so they can differ from a "
          "float32 running sum in the last bits; integers are exact (they wrap on overflow)."};
}

}  // namespace algoscope::ops::reduce
