// Reference kernels of the index family. GatherND and ScatterND move whole slices through an
// unsigned carrier of the element's size (bit-exact for every type) and check each index tuple at
// run time, since computed indices are only known then; TopK sorts positions along its axis.
#include <algorithm>
#include <cmath>
#include <cstring>
#include <numeric>
#include <string>
#include <type_traits>

#include "ops/binary/broadcast.h"
#include "ops/common.h"
#include "ops/index/index.h"

namespace algoscope::ops::index {
namespace {

// The offset, in slices, of index tuple `tuple` (k values, negatives counting from the end)
// within its batch. Throws Error naming the op for an index out of range.
template <class I>
int64_t tuple_offset(const I* tuple, const NdGeometry& g, const char* op) {
  int64_t offset = 0;
  for (int64_t t = 0; t < g.k; ++t) {
    const int64_t dim = g.indexed[static_cast<size_t>(t)];
    int64_t i = static_cast<int64_t>(tuple[t]);
    if (i < -dim || i >= dim)
      throw Error(std::string(op) + ": index " + std::to_string(i) +
                  " is out of range for a dimension of length " + std::to_string(dim));
    if (i < 0) i += dim;
    offset = offset * dim + i;
  }
  return offset;
}

// Calls f(I{}) with the index type, int64 or int32.
template <class F>
void with_index_type(DType dtype, F&& f) {
  if (dtype == DType::Int32)
    f(int32_t{});
  else
    f(int64_t{});
}

template <class T>
T combine(ScatterReduction r, T old, T update) {
  if constexpr (std::is_same_v<T, bool>) {
    return update;  // infer allows only `none` for bool
  } else {
    switch (r) {
      case ScatterReduction::Add:
        return static_cast<T>(old + update);
      case ScatterReduction::Mul:
        return static_cast<T>(old * update);
      case ScatterReduction::Max:
        return std::max(old, update);
      case ScatterReduction::Min:
        return std::min(old, update);
      default:
        return update;
    }
  }
}

}  // namespace

std::unique_ptr<Kernel> prepare_gather_nd_reference(const Layer& layer) {
  const NdGeometry g = gather_nd_geometry(layer);
  const int64_t batch_elements = shape_numel(g.indexed) * g.slice;
  return make_kernel([g, batch_elements](KernelIO& io) {
    const Tensor& indices = *io.inputs[1];
    with_carrier(io.inputs[0]->dtype(), [&](auto carrier) {
      using T = decltype(carrier);
      const T* data = static_cast<const T*>(io.inputs[0]->raw());
      T* out = static_cast<T*>(io.outputs[0]->raw());
      with_index_type(indices.dtype(), [&](auto tag) {
        using I = decltype(tag);
        const I* tuple = indices.data<I>();
        for (int64_t b = 0; b < g.batch; ++b) {
          const T* batch = data + b * batch_elements;
          for (int64_t j = 0; j < g.tuples; ++j, tuple += g.k, out += g.slice)
            std::copy_n(batch + tuple_offset(tuple, g, "GatherND") * g.slice, g.slice, out);
        }
      });
    });
  });
}

std::unique_ptr<Kernel> prepare_scatter_nd_reference(const Layer& layer) {
  const NdGeometry g = scatter_nd_geometry(layer);
  const ScatterReduction reduction = scatter_nd_reduction(layer);
  return make_kernel([g, reduction](KernelIO& io) {
    const Tensor& data = *io.inputs[0];
    const Tensor& indices = *io.inputs[1];
    const Tensor& updates = *io.inputs[2];
    Tensor& y = *io.outputs[0];
    if (y.raw() != data.raw() && data.bytes()) std::memcpy(y.raw(), data.raw(), data.bytes());
    // Updates are applied in index order, so with repeated indices the last one wins (`none`;
    // ONNX leaves that case undefined) or all of them combine (the reductions).
    visit_dtype(data.dtype(), [&](auto element) {
      using T = decltype(element);
      T* out = y.data<T>();
      const T* update = updates.data<T>();
      with_index_type(indices.dtype(), [&](auto tag) {
        using I = decltype(tag);
        const I* tuple = indices.data<I>();
        for (int64_t j = 0; j < g.tuples; ++j, tuple += g.k, update += g.slice) {
          T* target = out + tuple_offset(tuple, g, "ScatterND") * g.slice;
          for (int64_t e = 0; e < g.slice; ++e)
            target[e] = combine(reduction, target[e], update[e]);
        }
      });
    });
  });
}

std::unique_ptr<Kernel> prepare_top_k_reference(const Layer& layer) {
  const TopKParams p = top_k_params(layer);
  const Shape& x = layer.inputs[0].shape;
  const auto axis = static_cast<size_t>(p.axis);
  int64_t outer = 1, inner = 1;
  for (size_t d = 0; d < axis; ++d) outer *= x[d];
  for (size_t d = axis + 1; d < x.size(); ++d) inner *= x[d];
  const int64_t length = x[axis];
  return make_kernel([p, outer, inner, length](KernelIO& io) {
    int64_t* indices = io.outputs[1]->data<int64_t>();
    visit_dtype(io.inputs[0]->dtype(), [&](auto element) {
      using T = decltype(element);
      if constexpr (!std::is_same_v<T, bool>) {
        const T* in = io.inputs[0]->data<T>();
        T* values = io.outputs[0]->data<T>();
        // ONNX's order: by value (largest or smallest first), equal values by lower index. NaN
        // counts as larger than every number, as in numpy's sort.
        auto before = [&](const T* line, int64_t a, int64_t b) {
          const T va = line[a * inner], vb = line[b * inner];
          if constexpr (std::is_floating_point_v<T>) {
            if (std::isnan(va) || std::isnan(vb)) {
              if (std::isnan(va) && std::isnan(vb)) return a < b;
              return p.largest == static_cast<bool>(std::isnan(va));
            }
          }
          if (va != vb) return p.largest ? va > vb : va < vb;
          return a < b;
        };
        std::vector<int64_t> order(static_cast<size_t>(length));
        for (int64_t o = 0; o < outer; ++o) {
          for (int64_t i = 0; i < inner; ++i) {
            const T* line = in + o * length * inner + i;
            std::iota(order.begin(), order.end(), 0);
            std::partial_sort(order.begin(), order.begin() + p.k, order.end(),
                              [&](int64_t a, int64_t b) { return before(line, a, b); });
            const int64_t base = o * p.k * inner + i;
            for (int64_t r = 0; r < p.k; ++r) {
              values[base + r * inner] = line[order[static_cast<size_t>(r)] * inner];
              indices[base + r * inner] = order[static_cast<size_t>(r)];
            }
          }
        }
      }
    });
  });
}

AlgorithmText gather_nd_reference_text() {
  return {"one slice copy per index tuple",
          "Views the data as [batch, indexed dimensions, slice] and the indices as [batch, "
          "tuples, k]: each k-tuple (negative entries count from the end) is turned into a slice "
          "offset by Horner's rule and its slice copied to the output in order. Indices are "
          "checked at load time when constant and at run time otherwise; one out of range is an "
          "error. No extra memory. Moves bits only, so the result is exact for every type."};
}

AlgorithmText scatter_nd_reference_text() {
  return {"copy of the data, then one slice update per index tuple",
          "Copies the data to the output, then walks the index tuples in order and writes (or, "
          "with a reduction, adds, multiplies, takes the max or min into) the addressed slice "
          "from the matching slice of updates. With repeated indices and no reduction the last "
          "update wins. No extra memory. Without a reduction it moves bits only and is exact; the "
          "reductions round once per update in the data's type."};
}

AlgorithmText top_k_reference_text() {
  return {"partial sort of the positions along the axis",
          "For each line along the axis, sorts the positions 0..n-1 with std::partial_sort so "
          "that the first k are the largest (or smallest) values, equal values ordered by lower "
          "position as ONNX specifies, and NaN above every number; writes those k values and "
          "their positions. Cost O(n log k) per line. Extra memory: one int64 per element of a "
          "line. Exact: it only compares and copies."};
}

}  // namespace algoscope::ops::index
