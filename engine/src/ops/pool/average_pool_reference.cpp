// AveragePool by its definition: every output is the sum of the inputs under its (dilated) window
// divided by the number of taps that count: those inside the input (count_include_pad = 0) or
// those inside the explicitly padded input (count_include_pad = 1; the extra taps a ceil_mode
// window hangs past the padding never count, as in PyTorch). N-d general, single-threaded, summed
// in double.
#include <vector>

#include "ops/common.h"
#include "ops/pool/pool.h"

namespace algoscope::ops::pool {

std::unique_ptr<Kernel> prepare_average_pool_reference(const Layer& layer) {
  const PoolGeometry g = pool_geometry(layer);
  const bool include_pad = layer.n().attr_int("count_include_pad", 0) != 0;
  return float_kernel([g, include_pad](const float* x, float* y) {
    const Window& win = g.window;
    std::vector<int64_t> k(win.rank());
    for_each_output(g, [&](int64_t plane, int64_t out, const std::vector<int64_t>& o) {
      const float* xc = x + plane * win.input_size();
      double sum = 0.0;
      int64_t count = 0;
      for (int64_t kp = 0; kp < win.kernel_size(); ++kp) {
        unravel(kp, win.kernel, k);
        int64_t offset = 0;
        bool inside = true, in_padded = true;
        for (size_t i = 0; i < win.rank(); ++i) {
          const int64_t pos = o[i] * win.strides[i] - win.pad_begin[i] + k[i] * win.dilations[i];
          inside = inside && pos >= 0 && pos < win.input[i];
          in_padded = in_padded && pos >= -win.pad_begin[i] && pos < win.input[i] + win.pad_end[i];
          offset = offset * win.input[i] + pos;
        }
        if (inside) sum += xc[offset];
        if (include_pad ? in_padded : inside) ++count;
      }
      y[plane * win.output_size() + out] =
          count ? static_cast<float>(sum / static_cast<double>(count)) : 0.0f;
    });
  });
}

AlgorithmText average_pool_reference_text() {
  return {"Direct loops over outputs and window taps, summed in double",
          "For every output it sums the inputs under its window and divides by the number of taps "
          "that count: those inside the input, or with count_include_pad those inside the padded "
          "input (taps a ceil_mode window hangs past the padding never count). Extra memory: none. "
          "Cost: one addition per output and tap. Numerics: double sum, one rounding per output."};
}

}  // namespace algoscope::ops::pool
