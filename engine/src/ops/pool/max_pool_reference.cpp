// MaxPool by its definition (float32 and uint8): every output is the largest input under its
// (dilated) window, taps in the padding ignored. N-d general and single-threaded. The optional
// Indices output follows ONNX: the position of the maximum in the flattened input, N and C
// included, padding not counted, spatial axes row-major (storage_order 0) or column-major
// (storage_order 1); the first maximum in row-major tap order wins ties.
#include <limits>
#include <vector>

#include "ops/common.h"
#include "ops/pool/pool.h"

namespace algoscope::ops::pool {

namespace {

// T is float or uint8_t (ONNX allows 8-bit MaxPool from opset 12; a maximum needs no arithmetic).
template <class T>
void max_pool(const PoolGeometry& g, bool column_major, KernelIO& io) {
  const T* x = io.inputs[0]->data<T>();
  T* y = io.outputs[0]->data<T>();
  int64_t* indices =
      io.outputs.size() > 1 && io.outputs[1] ? io.outputs[1]->data<int64_t>() : nullptr;
  const Window& win = g.window;
  const int64_t in_size = win.input_size();
  std::vector<int64_t> k(win.rank());
  for_each_output(g, [&](int64_t plane, int64_t out, const std::vector<int64_t>& o) {
    const T* xc = x + plane * in_size;
    T best = std::numeric_limits<T>::has_infinity ? -std::numeric_limits<T>::infinity()
                                                  : std::numeric_limits<T>::lowest();
    int64_t best_row = -1, best_col = -1;
    for (int64_t kp = 0; kp < win.kernel_size(); ++kp) {
      unravel(kp, win.kernel, k);
      int64_t row = 0, col = 0, col_stride = 1;
      bool inside = true;
      for (size_t i = 0; i < win.rank() && inside; ++i) {
        const int64_t pos = o[i] * win.strides[i] - win.pad_begin[i] + k[i] * win.dilations[i];
        inside = pos >= 0 && pos < win.input[i];
        row = row * win.input[i] + pos;
        col += pos * col_stride;
        col_stride *= win.input[i];
      }
      if (!inside) continue;
      const T v = xc[row];
      if (best_row < 0 || v > best) {
        best = v;
        best_row = row;
        best_col = col;
      }
    }
    const int64_t at = plane * win.output_size() + out;
    y[at] = best;
    if (indices)
      indices[at] = best_row < 0 ? -1 : plane * in_size + (column_major ? best_col : best_row);
  });
}

}  // namespace

std::unique_ptr<Kernel> prepare_max_pool_reference(const Layer& layer) {
  const PoolGeometry g = pool_geometry(layer);
  const bool column_major = layer.n().attr_int("storage_order", 0) == 1;
  if (layer.inputs[0].dtype == DType::UInt8)
    return make_kernel([g, column_major](KernelIO& io) { max_pool<uint8_t>(g, column_major, io); });
  return make_kernel([g, column_major](KernelIO& io) { max_pool<float>(g, column_major, io); });
}

AlgorithmText max_pool_reference_text() {
  return {
      "Direct loops over outputs and window taps",
      "For every output it visits each tap of its (dilated) window, skips taps in the padding "
      "and keeps the largest value and where it was (for the Indices output). Extra memory: "
      "none. Cost: one comparison per output and tap; it is memory-bound and the simple loop is "
      "close to what the data movement allows at these sizes. Numerics: exact (a maximum "
      "involves no rounding)."};
}

}  // namespace algoscope::ops::pool
