// OneHot: each index becomes a row of `depth` off values with the on value at the index, inserted
// as a new dimension at `axis`. Shape inference and the one algorithm, the reference, live here.
// depth must be a constant (the output shape depends on it); indices may be any numeric type and
// are truncated to integers; negative ones count from depth, and out-of-range ones give a row of
// off values (ONNX's rule).
#include <string>
#include <type_traits>

#include "ops/binary/broadcast.h"
#include "ops/common.h"
#include "ops/index/index.h"

namespace algoscope::ops::index {
namespace {

struct OneHotParams {
  int64_t depth = 0;
  int64_t axis = 0;              // of the output, in [0, rank + 1)
  int64_t outer = 1, inner = 1;  // indices' elements before / after the axis
};

OneHotParams one_hot_params(const Layer& layer) {
  for (size_t i = 0; i < 3; ++i)
    require(layer.has_input(i), "OneHot needs 3 inputs (indices, depth, values); input " +
                                    std::to_string(i) + " is missing");
  const Tensor* depth = layer.constant(1);
  require(depth != nullptr, "OneHot: depth must be a constant (it sets the output's shape)");
  require(depth->numel() == 1,
          "OneHot: depth must be a scalar, got shape " + shape_to_string(depth->shape()));
  require(depth->dtype() != DType::Bool, "OneHot: depth must be numeric, got bool");
  OneHotParams p;
  p.depth = depth->dtype() == DType::Float32 ? static_cast<int64_t>(depth->data<float>()[0])
                                             : depth->to_int64_vector()[0];
  require(p.depth > 0, "OneHot: depth must be positive, got " + std::to_string(p.depth));
  require(layer.inputs[2].numel() == 2,
          "OneHot: values must hold two elements [off, on], got "
          "shape " +
              shape_to_string(layer.inputs[2].shape));
  require(layer.inputs[0].dtype != DType::Bool, "OneHot: indices must be numeric, got bool");
  const Shape& ishape = layer.inputs[0].shape;
  const int64_t rank = static_cast<int64_t>(ishape.size()) + 1;
  const int64_t axis = layer.n().attr_int("axis", -1);
  require(axis >= -rank && axis < rank, "OneHot: axis " + std::to_string(axis) +
                                            " is out of range for output rank " +
                                            std::to_string(rank));
  p.axis = axis < 0 ? axis + rank : axis;
  for (int64_t d = 0; d < static_cast<int64_t>(ishape.size()); ++d)
    (d < p.axis ? p.outer : p.inner) *= ishape[static_cast<size_t>(d)];
  return p;
}

}  // namespace

std::vector<TensorInfo> infer_one_hot(const Layer& layer) {
  const OneHotParams p = one_hot_params(layer);
  Shape out = layer.inputs[0].shape;
  out.insert(out.begin() + p.axis, p.depth);
  return {TensorInfo{layer.inputs[2].dtype, out}};
}

std::unique_ptr<Kernel> prepare_one_hot_reference(const Layer& layer) {
  const OneHotParams p = one_hot_params(layer);
  return make_kernel([p](KernelIO& io) {
    // Indices of any type, truncated toward zero like a C++ conversion (float indices in ONNX's
    // tests are whole numbers).
    std::vector<int64_t> idx(static_cast<size_t>(io.inputs[0]->numel()));
    visit_dtype(io.inputs[0]->dtype(), [&](auto tag) {
      using T = decltype(tag);
      const T* x = io.inputs[0]->data<T>();
      for (size_t i = 0; i < idx.size(); ++i) idx[i] = static_cast<int64_t>(x[i]);
    });
    with_carrier(io.inputs[2]->dtype(), [&](auto carrier) {
      using T = decltype(carrier);
      const T* values = static_cast<const T*>(io.inputs[2]->raw());
      T* y = static_cast<T*>(io.outputs[0]->raw());
      // Output [outer, depth, inner]: element (o, d, i) is on where index (o, i) equals d.
      for (int64_t o = 0; o < p.outer; ++o)
        for (int64_t d = 0; d < p.depth; ++d)
          for (int64_t i = 0; i < p.inner; ++i) {
            int64_t at = idx[static_cast<size_t>(o * p.inner + i)];
            if (at < 0) at += p.depth;
            *y++ = values[at == d ? 1 : 0];
          }
    });
  });
}

AlgorithmText one_hot_reference_text() {
  return {"writes off everywhere and on at each index",
          "Widens the indices to int64 once (negative ones count from depth), then walks the "
          "output [outer, depth, inner] in order writing the on value where the index equals the "
          "position along the new axis and the off value elsewhere; an index outside [-depth, "
          "depth) gives a row of off values. Extra memory: the indices as int64. Moves bits "
          "only: exact."};
}

}  // namespace algoscope::ops::index
