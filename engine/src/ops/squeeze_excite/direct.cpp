// SqueezeExcite in one kernel: the work five nodes did (GlobalAveragePool, Conv, Conv, Sigmoid,
// Mul), with two passes over x and no intermediate tensors. The channel sums and the final
// scaling are SIMD loops compiled for AVX-512, AVX2 and the baseline (vector_math.h), shared
// between the threads by channel when the tensor is large; the two products in between are a
// few thousand multiply-adds and stay on one thread. Same sigmoid approximation as the Sigmoid
// op's direct kernel and the same epilogue as the Conv it replaces, so the fused node computes
// what the unfused graph computed. It also works on x and y in channels-last order (NHWC), so
// that between two oneDNN convolutions, which hand each other NHWC values where oneDNN's brgemm
// kernels run, the block costs no reorders (Kernel::works_channels_last).
#include <algorithm>
#include <vector>

#include "ops/squeeze_excite/squeeze_excite.h"
#include "ops/vector_math.h"

namespace algoscope::ops::squeeze_excite {
namespace {

ALGOSCOPE_INLINE float sum_body(const float* __restrict x, int64_t n) {
  float sum = 0.0f;
#pragma omp simd reduction(+ : sum)
  for (int64_t i = 0; i < n; ++i) sum += x[i];
  return sum;
}
ALGOSCOPE_SIMD_VARIANTS(plane_sum, sum_body)

ALGOSCOPE_INLINE void scale_body(const float* __restrict x, float gate, float* __restrict y,
                                 int64_t n) {
#pragma omp simd
  for (int64_t i = 0; i < n; ++i) y[i] = x[i] * gate;
}
ALGOSCOPE_SIMD_VARIANTS(scale_plane, scale_body)

ALGOSCOPE_INLINE float dot_body(const float* __restrict a, const float* __restrict b, int64_t n) {
  float sum = 0.0f;
#pragma omp simd reduction(+ : sum)
  for (int64_t i = 0; i < n; ++i) sum += a[i] * b[i];
  return sum;
}
ALGOSCOPE_SIMD_VARIANTS(dot, dot_body)

// Channels last: a pixel's row of channels added to the running sums, and scaled by the gates.
ALGOSCOPE_INLINE void add_row_body(const float* __restrict x, float* __restrict sums, int64_t n) {
#pragma omp simd
  for (int64_t i = 0; i < n; ++i) sums[i] += x[i];
}
ALGOSCOPE_SIMD_VARIANTS(add_row, add_row_body)

ALGOSCOPE_INLINE void scale_row_body(const float* __restrict x, const float* __restrict gates,
                                     float* __restrict y, int64_t n) {
#pragma omp simd
  for (int64_t i = 0; i < n; ++i) y[i] = x[i] * gates[i];
}
ALGOSCOPE_SIMD_VARIANTS(scale_row, scale_row_body)

// Channels per thread's share of the channels-last sums: whole cache lines.
constexpr int64_t kChannelChunk = 64;

class SqueezeExciteDirect final : public Kernel {
 public:
  explicit SqueezeExciteDirect(const Geometry& g) : g_(g) {}

  // x and y in NHWC (oneDNN's layout between its convolutions), the weights plain as ever.
  bool works_channels_last() const override { return true; }
  void use_channels_last() override { channels_last_ = true; }

  void run(KernelIO& io) override {
    const float* x = io.inputs[0]->data<float>();
    const float* w1 = io.inputs[1]->data<float>();
    const float* b1 = g_.has_b1 ? io.inputs[2]->data<float>() : nullptr;
    const float* w2 = io.inputs[3]->data<float>();
    const float* b2 = g_.has_b2 ? io.inputs[4]->data<float>() : nullptr;
    float* y = io.outputs[0]->data<float>();
    const int64_t channels = g_.channels, plane = g_.plane, hidden_size = g_.hidden;
    const bool threaded = channels * plane >= vmath::kParallelMinElements;
    // Per image: the means (then, in place, the gates), the second product's outputs, the
    // hidden vector. A few KB, once per run.
    std::vector<float> scratch(static_cast<size_t>(2 * channels + hidden_size));
    float* gates = scratch.data();
    float* logits = gates + channels;
    float* hidden = logits + channels;
    for (int64_t n = 0; n < g_.batch; ++n) {
      const float* xn = x + n * channels * plane;
      float* yn = y + n * channels * plane;
      if (channels_last_) {
        const int64_t chunks = (channels + kChannelChunk - 1) / kChannelChunk;
        std::fill(gates, gates + channels, 0.0f);
#pragma omp parallel for schedule(static) if (threaded && chunks > 1)
        for (int64_t k = 0; k < chunks; ++k) {
          const int64_t c0 = k * kChannelChunk, width = std::min(kChannelChunk, channels - c0);
          for (int64_t p = 0; p < plane; ++p) add_row(xn + p * channels + c0, gates + c0, width);
        }
        for (int64_t c = 0; c < channels; ++c) gates[c] /= float(plane);
      } else {
#pragma omp parallel for schedule(static) if (threaded)
        for (int64_t c = 0; c < channels; ++c)
          gates[c] = plane_sum(xn + c * plane, plane) / float(plane);
      }
      for (int64_t h = 0; h < hidden_size; ++h)
        hidden[h] = (b1 ? b1[h] : 0.0f) + dot(w1 + h * channels, gates, channels);
      g_.hidden_activation.apply(hidden, hidden_size);
      for (int64_t c = 0; c < channels; ++c)
        logits[c] = (b2 ? b2[c] : 0.0f) + dot(w2 + c * hidden_size, hidden, hidden_size);
      for (int64_t c = 0; c < channels; ++c)
        gates[c] = g_.hard_gate
                       ? std::min(std::max(g_.gate_alpha * logits[c] + g_.gate_beta, 0.0f), 1.0f)
                       : vmath::sigmoid_approx(logits[c]);
      if (channels_last_) {
#pragma omp parallel for schedule(static) if (threaded)
        for (int64_t p = 0; p < plane; ++p)
          scale_row(xn + p * channels, gates, yn + p * channels, channels);
      } else {
#pragma omp parallel for schedule(static) if (threaded)
        for (int64_t c = 0; c < channels; ++c)
          scale_plane(xn + c * plane, gates[c], yn + c * plane, plane);
      }
    }
  }

 private:
  Geometry g_;
  bool channels_last_ = false;  // set by the session's layout negotiation
};

}  // namespace

std::unique_ptr<Kernel> prepare_direct(const Layer& layer) {
  return std::make_unique<SqueezeExciteDirect>(geometry(layer));
}

AlgorithmText direct_text() {
  return {
      "One kernel for the whole block: SIMD channel sums, two small products, gate, SIMD "
      "scaling",
      "Replaces the five nodes PyTorch exports for a squeeze-and-excitation block "
      "(GlobalAveragePool, Conv 1x1 with its activation, Conv 1x1, Sigmoid or HardSigmoid, "
      "Mul). Pass one sums each channel plane with vector adds (the squeeze); the two 1x1 "
      "convolutions on the C means are dot products of a few thousand multiply-adds in "
      "total, then the first one's activation (the Conv epilogue's code) and the gate; pass "
      "two writes x times its channel's gate with vector multiplies. Both passes are split "
      "by channel between the threads when x has 64K elements or more. Between two oneDNN "
      "convolutions that pass NHWC values, it reads and writes them in that order (sums of "
      "pixel rows, rows scaled by the gates) instead of having them reordered. Extra memory: C + H "
      "floats, no intermediate tensors. It wins over the unfused graph by the four node "
      "launches and thread forks it saves (each a few microseconds against work that is "
      "itself a few microseconds on 1xCx1x1 tensors); both read x twice and write y once. "
      "Numerics: float sums (within about 1e-6 relative for planes of 12K), the Sigmoid op's "
      "exp approximation (within 2 ulp)."};
}

}  // namespace algoscope::ops::squeeze_excite
