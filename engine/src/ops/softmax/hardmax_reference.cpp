// Hardmax, the limit of Softmax as the temperature goes to 0: 1 at the first largest element of
// each line, 0 elsewhere. It shares Softmax's geometry (lines of everything from `axis` on before
// opset 13, one axis from 13); its one algorithm is this reference.
#include "ops/common.h"
#include "ops/softmax/softmax.h"

namespace algoscope::ops::softmax {

std::unique_ptr<Kernel> prepare_hardmax_reference(const Layer& layer) {
  const SoftmaxGeometry g = softmax_geometry(layer);
  return make_kernel([g](KernelIO& io) {
    const float* x = io.inputs[0]->data<float>();
    float* y = io.outputs[0]->data<float>();
    for (int64_t o = 0; o < g.outer; ++o)
      for (int64_t i = 0; i < g.inner; ++i) {
        const float* line = x + o * g.length * g.inner + i;
        float* out = y + o * g.length * g.inner + i;
        int64_t best = 0;
        // Strictly greater: ties keep the first index, as ONNX asks.
        for (int64_t k = 1; k < g.length; ++k)
          if (line[k * g.inner] > line[best * g.inner]) best = k;
        for (int64_t k = 0; k < g.length; ++k) out[k * g.inner] = k == best ? 1.0f : 0.0f;
      }
  });
}

AlgorithmText hardmax_reference_text() {
  return {"one pass for the first maximum, one to write the one-hot line",
          "Each line (Softmax's: from `axis` on before opset 13, the single axis from 13) is "
          "scanned once for the index of its first largest element, then written as 1 there and "
          "0 elsewhere. No extra memory; exact (NaN compares false and never wins unless first)."};
}

}  // namespace algoscope::ops::softmax
