// Conv by its definition: for every output element, sum input * weight over the input channels of
// its group and every kernel tap, skipping taps that fall into the zero padding. N-d general
// (1-D, 2-D, 3-D, ...), single-threaded and accumulated in double so that it is the ground truth
// the faster Conv algorithms are checked against.
#include <vector>

#include "ops/common.h"
#include "ops/conv/conv.h"

namespace algoscope::ops::conv {

std::unique_ptr<Kernel> prepare_reference(const Layer& layer) {
  const ConvGeometry g = conv_geometry(layer);
  return conv_kernel(g, [g](const float* x, const float* w, const float* b, float* y) {
    const Window& win = g.window;
    const size_t rank = win.rank();
    const int64_t in_size = win.input_size();
    const int64_t out_size = win.output_size();
    const int64_t k_size = win.kernel_size();
    const int64_t cg = g.in_per_group();
    const int64_t ocg = g.out_per_group();
    std::vector<int64_t> o(rank), k(rank);
    for (int64_t n = 0; n < g.batch; ++n) {
      for (int64_t oc = 0; oc < g.out_channels; ++oc) {
        const int64_t group = oc / ocg;
        for (int64_t op = 0; op < out_size; ++op) {
          unravel(op, win.output, o);
          double acc = b ? static_cast<double>(b[oc]) : 0.0;
          for (int64_t c = 0; c < cg; ++c) {
            const float* xc = x + (n * g.in_channels + group * cg + c) * in_size;
            const float* wc = w + (oc * cg + c) * k_size;
            for (int64_t kp = 0; kp < k_size; ++kp) {
              unravel(kp, win.kernel, k);
              int64_t offset = 0;
              bool inside = true;
              for (size_t i = 0; i < rank && inside; ++i) {
                const int64_t pos =
                    o[i] * win.strides[i] - win.pad_begin[i] + k[i] * win.dilations[i];
                inside = pos >= 0 && pos < win.input[i];
                offset = offset * win.input[i] + pos;
              }
              if (inside) acc += static_cast<double>(xc[offset]) * static_cast<double>(wc[kp]);
            }
          }
          y[(n * g.out_channels + oc) * out_size + op] = static_cast<float>(acc);
        }
      }
    }
  });
}

AlgorithmText reference_text() {
  return {
      "Direct loops over outputs, channels and kernel taps, accumulated in double",
      "For every output element it walks the input channels of its group and every kernel tap, "
      "skipping taps that land in the zero padding, and sums input times weight exactly as the "
      "ONNX definition reads. Extra memory: none. It never wins on speed (single thread, no "
      "blocking, no vectorization); it is the ground truth the other algorithms are checked "
      "against. Numerics: products and sums in double, rounded to float once per output, so its "
      "error is a single rounding."};
}

}  // namespace algoscope::ops::conv
