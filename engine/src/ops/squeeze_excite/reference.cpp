// SqueezeExcite by its definition, in double, one image after another: each channel's mean, the
// first 1x1 convolution and its activation, the second, the gate, then every element of x times
// its channel's gate. Single-threaded plain loops: the ground truth the fused kernel is checked
// against, and what the unfused GlobalAveragePool, Conv, Conv, Sigmoid and Mul compute.
#include <algorithm>
#include <cmath>

#include "ops/squeeze_excite/squeeze_excite.h"

namespace algoscope::ops::squeeze_excite {

std::unique_ptr<Kernel> prepare_reference(const Layer& layer) {
  const Geometry g = geometry(layer);
  return make_kernel([g](KernelIO& io) {
    const float* x = io.inputs[0]->data<float>();
    const float* w1 = io.inputs[1]->data<float>();
    const float* b1 = g.has_b1 ? io.inputs[2]->data<float>() : nullptr;
    const float* w2 = io.inputs[3]->data<float>();
    const float* b2 = g.has_b2 ? io.inputs[4]->data<float>() : nullptr;
    float* y = io.outputs[0]->data<float>();
    std::vector<double> mean(size_t(g.channels)), hidden(size_t(g.hidden));
    for (int64_t n = 0; n < g.batch; ++n) {
      const float* xn = x + n * g.channels * g.plane;
      for (int64_t c = 0; c < g.channels; ++c) {
        double sum = 0.0;
        for (int64_t i = 0; i < g.plane; ++i) sum += xn[c * g.plane + i];
        mean[size_t(c)] = sum / double(g.plane);
      }
      for (int64_t h = 0; h < g.hidden; ++h) {
        double v = b1 ? b1[h] : 0.0;
        for (int64_t c = 0; c < g.channels; ++c)
          v += double(w1[h * g.channels + c]) * mean[size_t(c)];
        // The first convolution's fused activation, literally.
        const Epilogue& a = g.hidden_activation;
        if (a.active) {
          using Kind = Node::Activation::Kind;
          if (a.kind == Kind::Clamp)
            v = std::min(std::max(v, double(a.lower)), double(a.upper));
          else if (a.kind == Kind::Swish)
            v = v / (1.0 + std::exp(-v));
          else
            v = v * std::min(std::max(v / 6.0 + 0.5, 0.0), 1.0);
        }
        hidden[size_t(h)] = v;
      }
      for (int64_t c = 0; c < g.channels; ++c) {
        double v = b2 ? b2[c] : 0.0;
        for (int64_t h = 0; h < g.hidden; ++h)
          v += double(w2[c * g.hidden + h]) * hidden[size_t(h)];
        const double gate =
            g.hard_gate ? std::min(std::max(double(g.gate_alpha) * v + g.gate_beta, 0.0), 1.0)
                        : 1.0 / (1.0 + std::exp(-v));
        for (int64_t i = 0; i < g.plane; ++i)
          y[(n * g.channels + c) * g.plane + i] = float(xn[c * g.plane + i] * gate);
      }
    }
  });
}

AlgorithmText reference_text() {
  return {
      "The block as its definition reads: channel means, two small products, gate, scale, "
      "in double",
      "For each image: every channel's mean over its plane (the squeeze), then the first 1x1 "
      "convolution of the means (W1, H x C) with its bias and activation, the second (W2, "
      "C x H) with its bias, and the gate (Sigmoid, or HardSigmoid's clamp(alpha v + beta, "
      "0, 1)) per channel (the excitation); finally every element of x times its channel's "
      "gate. Extra memory: C + H doubles. Two passes over x on one thread with libm's exp: "
      "the ground truth, never fast. Numerics: double sums and products, one rounding per "
      "output."};
}

}  // namespace algoscope::ops::squeeze_excite
