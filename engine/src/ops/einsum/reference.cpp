// Einsum by its definition: for every output element, the sum over every value of the labels not
// in the output of the product of the operands' elements those labels pick (each operand's
// element located through its per-label strides, so diagonals and broadcast axes need no special
// case). Any number of operands, single-threaded, accumulated in double (int64 for integers): the
// ground truth for the other Einsum algorithms.
#include "ops/common.h"
#include "ops/einsum/einsum.h"

namespace algoscope::ops::einsum {
namespace {

template <class T, class Sum>
void einsum_by_definition(const EinsumGeometry& g, const KernelIO& io) {
  const size_t operands = g.stride.size();
  std::vector<const T*> x(operands);
  for (size_t i = 0; i < operands; ++i) x[i] = io.inputs[i]->data<T>();
  T* y = io.outputs[0]->data<T>();
  std::vector<int> summed;
  for (int label = 0; label < int(g.labels()); ++label)
    if (!g.in_output(label)) summed.push_back(label);
  int64_t sum_terms = 1;
  for (int label : summed) sum_terms *= g.extent[size_t(label)];
  const int64_t outputs = shape_numel(g.output_shape);
  std::vector<int64_t> index(g.labels(), 0);
  // Sets the labels of `group` from a row-major position over their extents.
  auto decode = [&](const std::vector<int>& group, int64_t position) {
    for (size_t j = group.size(); j-- > 0;) {
      const int64_t extent = g.extent[size_t(group[j])];
      index[size_t(group[j])] = position % extent;
      position /= extent;
    }
  };
  for (int64_t o = 0; o < outputs; ++o) {
    decode(g.output, o);
    Sum total = 0;
    for (int64_t s = 0; s < sum_terms; ++s) {
      decode(summed, s);
      Sum term = 1;
      for (size_t i = 0; i < operands; ++i) {
        int64_t offset = 0;
        for (size_t label = 0; label < g.labels(); ++label)
          offset += index[label] * g.stride[i][label];
        term *= static_cast<Sum>(x[i][offset]);
      }
      total += term;
    }
    y[o] = static_cast<T>(total);
  }
}

}  // namespace

std::unique_ptr<Kernel> prepare_reference(const Layer& layer) {
  const EinsumGeometry g = einsum_geometry(layer);
  return make_kernel([g](KernelIO& io) {
    if (g.dtype == DType::Float32)
      einsum_by_definition<float, double>(g, io);
    else if (g.dtype == DType::Int64)
      einsum_by_definition<int64_t, int64_t>(g, io);
    else
      einsum_by_definition<int32_t, int64_t>(g, io);
  });
}

AlgorithmText reference_text() {
  return {"The definition: a sum of products over every label not in the output",
          "For every output element it walks every value of the summed labels and multiplies the "
          "operands' elements they pick, each found through per-label strides (a label repeated "
          "in one operand adds its axes' strides, which reads a diagonal; a broadcast '...' axis "
          "has stride 0). Any number of operands. Extra memory: none. Cost: the product of every "
          "label's extent times the operand count, whatever the equation, so it never wins on "
          "speed; it is the ground truth. Numerics: double accumulation (int64 for integers), one "
          "rounding per output."};
}

}  // namespace algoscope::ops::einsum
