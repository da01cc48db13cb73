// Resize by its definition, one output element at a time, for any rank: every axis maps the
// element's coordinate back into the input and names the source elements it blends with their
// weights (axis_taps, the spec's formulas); the output is the sum over every combination of one
// tap per axis of the product of the weights times that input element, in double. Nearest is the
// one-tap case and copies the element, so it works for every element type. Single-threaded.
#include <algorithm>
#include <cmath>
#include <limits>
#include <string>
#include <type_traits>
#include <vector>

#include "ops/common.h"
#include "ops/resize/resize.h"

namespace algoscope::ops::resize {
namespace {

// The taps of every axis for the output element at `coordinate`; false when one axis lies
// outside tf_crop_and_resize's input.
bool element_taps(const ResizeParams& p, const std::vector<int64_t>& coordinate,
                  std::vector<Taps>& taps) {
  for (size_t d = 0; d < p.axes.size(); ++d) {
    taps[d] = axis_taps(p, p.axes[d], coordinate[d]);
    if (taps[d].outside) return false;
  }
  return true;
}

// Advances a row-major multi-index over `extent`; false after the last.
bool next_index(std::vector<int64_t>& index, const std::vector<int64_t>& extent) {
  for (size_t d = index.size(); d-- > 0;) {
    if (++index[d] < extent[d]) return true;
    index[d] = 0;
  }
  return false;
}

// extrapolation_value (a float) as an element of type T: rounded toward zero and clamped to T's
// range (NaN to 0) where T is an integer type, since the conversion of a value outside it is
// undefined.
template <class T>
T element_from(float value) {
  if constexpr (std::is_floating_point_v<T> || std::is_same_v<T, bool>) {
    return static_cast<T>(value);
  } else {
    if (std::isnan(value)) return T{0};
    const double low = static_cast<double>(std::numeric_limits<T>::min());
    // 2^63 would round up from int64's maximum: stay below it.
    const double high = std::min(static_cast<double>(std::numeric_limits<T>::max()), 9.2e18);
    return static_cast<T>(std::clamp(std::trunc(static_cast<double>(value)), low, high));
  }
}

template <class T>
void resize_elements(const ResizeParams& p, const T* x, T* y) {
  const size_t rank = p.axes.size();
  std::vector<int64_t> in_strides(rank, 1);
  for (size_t d = rank; d-- > 1;) in_strides[d - 1] = in_strides[d] * p.axes[d].in;
  const int64_t count = shape_numel(p.out);
  std::vector<int64_t> coordinate(rank, 0), tap(rank, 0), tap_count(rank, 0);
  std::vector<Taps> taps(rank);
  for (int64_t i = 0; i < count; ++i, next_index(coordinate, p.out)) {
    if (!element_taps(p, coordinate, taps)) {
      y[i] = element_from<T>(p.extrapolation);
      continue;
    }
    for (size_t d = 0; d < rank; ++d) tap_count[d] = taps[d].count, tap[d] = 0;
    double sum = 0;
    do {
      double weight = 1;
      int64_t offset = 0;
      for (size_t d = 0; d < rank; ++d) {
        weight *= taps[d].weight[tap[d]];
        offset += taps[d].index[tap[d]] * in_strides[d];
      }
      if (p.mode == Mode::Nearest) {
        y[i] = x[offset];  // one tap of weight 1 on every axis; no arithmetic on the element
        break;
      }
      sum += weight * static_cast<double>(x[offset]);
    } while (next_index(tap, tap_count));
    if (p.mode != Mode::Nearest) y[i] = static_cast<T>(sum);
  }
}

}  // namespace

std::unique_ptr<Kernel> prepare_reference(const Layer& layer) {
  const ResizeParams p = resize_params(layer);
  const DType dtype = layer.inputs[0].dtype;
  return make_kernel([p, dtype](KernelIO& io) {
    visit_dtype(dtype, [&](auto zero) {
      using T = decltype(zero);
      resize_elements<T>(p, io.inputs[0]->data<T>(), io.outputs[0]->data<T>());
    });
  });
}

AlgorithmText reference_text() {
  return {"Every output element from the spec's formulas: taps per axis, all combinations summed",
          "For each output element and each axis, the coordinate transformation "
          "(half_pixel, pytorch_half_pixel, align_corners, asymmetric, tf_crop_and_resize, ...) "
          "maps the output coordinate to a fractional input coordinate; nearest rounds it "
          "(nearest_mode), linear takes the two neighbours weighted by distance, cubic the four "
          "neighbours weighted by Keys' kernel with cubic_coeff_a (exclude_outside drops taps "
          "past the edge and renormalizes). Taps past the edge read the edge element. The output "
          "is the sum over every combination of one tap per axis of the product of their weights "
          "times the input element: up to 2^r terms for linear and 4^r for cubic over r resized "
          "axes (an axis left as it is has one tap), any rank, nothing precomputed. Extra memory: "
          "none. Numerics: double arithmetic, one rounding per "
          "output; nearest copies elements exactly (any element type)."};
}

}  // namespace algoscope::ops::resize
