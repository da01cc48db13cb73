// ConvTranspose by its scatter definition: every input pixel of every channel adds weight times
// value into the output window of each tap and each output channel of its group, skipping
// positions that fall outside the output (cut off by the pads). N-d general (1-D, 2-D, 3-D, ...),
// single-threaded and accumulated in double so that it is the ground truth the faster algorithms
// are checked against.
#include <vector>

#include "ops/common.h"
#include "ops/conv_transpose/conv_transpose.h"
#include "ops/window.h"

namespace algoscope::ops::conv_transpose {

std::unique_ptr<Kernel> prepare_reference(const Layer& layer) {
  const Geometry g = geometry(layer);
  return conv_transpose_kernel(
      g, [g](const float* x, const float* w, const float* b, float* y, float*) {
        const size_t rank = g.rank();
        const int64_t in_size = g.input_size();
        const int64_t out_size = g.output_size();
        const int64_t k_size = g.kernel_size();
        const int64_t cg = g.in_per_group();
        const int64_t mg = g.out_per_group();
        std::vector<int64_t> i_index(rank), k_index(rank);
        std::vector<double> acc(static_cast<size_t>(g.out_channels * out_size));
        for (int64_t n = 0; n < g.batch; ++n) {
          for (int64_t m = 0; m < g.out_channels; ++m)
            for (int64_t o = 0; o < out_size; ++o) acc[m * out_size + o] = b ? double(b[m]) : 0.0;
          for (int64_t c = 0; c < g.in_channels; ++c) {
            const int64_t group = c / cg;
            const float* xc = x + (n * g.in_channels + c) * in_size;
            for (int64_t ip = 0; ip < in_size; ++ip) {
              unravel(ip, g.input, i_index);
              const double value = xc[ip];
              for (int64_t kp = 0; kp < k_size; ++kp) {
                unravel(kp, g.kernel, k_index);
                // o = i * stride + k * dilation - pad_begin on every axis, inside the output.
                int64_t offset = 0;
                bool inside = true;
                for (size_t a = 0; a < rank && inside; ++a) {
                  const int64_t pos =
                      i_index[a] * g.strides[a] + k_index[a] * g.dilations[a] - g.pad_begin[a];
                  inside = pos >= 0 && pos < g.output[a];
                  offset = offset * g.output[a] + pos;
                }
                if (!inside) continue;
                for (int64_t ml = 0; ml < mg; ++ml) {
                  const int64_t m = group * mg + ml;
                  acc[m * out_size + offset] += value * double(w[(c * mg + ml) * k_size + kp]);
                }
              }
            }
          }
          float* yn = y + n * g.out_channels * out_size;
          for (int64_t i = 0; i < g.out_channels * out_size; ++i)
            yn[i] = static_cast<float>(acc[i]);
        }
      });
}

AlgorithmText reference_text() {
  return {
      "The scatter definition in plain loops, accumulated in double",
      "For every input pixel, every kernel tap and every output channel of its group it adds "
      "weight times value to output pixel i * stride + k * dilation - pad_begin, skipping "
      "positions the pads cut off, exactly as the transposed convolution is defined (Dumoulin & "
      "Visin, arXiv 1603.07285): the gradient of Conv with respect to its input. Extra memory: "
      "one double accumulator per output element of one image, 8 * M * prod(output) bytes, "
      "allocated by the kernel. It never wins on speed (single thread, no blocking); it is the "
      "ground truth the other algorithms are checked against. Numerics: products and sums in "
      "double, rounded to float once per output, so its error is a single rounding."};
}

}  // namespace algoscope::ops::conv_transpose
