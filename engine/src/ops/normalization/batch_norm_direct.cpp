// BatchNormalization in inference mode as what it is once the statistics are known: one
// multiply-add per element, y = x * a[c] + b[c] with a = scale / sqrt(var + epsilon) and
// b = B - mean * a, computed once (at prepare time when the parameters are constants), with the
// fused activation (Relu after a pre-activation network's BN) applied in the same pass. The
// loader folds a BN that follows a Conv into its weights; this computes those that cannot be
// folded (DenseNet's, after each Concat). SIMD loops for AVX-512, AVX2 and the baseline, shared
// by the threads when the tensor is large; it also works on NHWC values between oneDNN's
// channels-last convolutions (Kernel::works_channels_last), so such a network keeps them.
#include <cmath>
#include <vector>

#include "ops/common.h"
#include "ops/normalization/normalization.h"
#include "ops/vector_math.h"

namespace algoscope::ops::normalization {
namespace {

ALGOSCOPE_INLINE void affine_plane_body(const float* __restrict x, float a, float b,
                                        float* __restrict y, int64_t n) {
#pragma omp simd
  for (int64_t i = 0; i < n; ++i) y[i] = x[i] * a + b;
}
ALGOSCOPE_SIMD_VARIANTS(affine_plane, affine_plane_body)

ALGOSCOPE_INLINE void affine_row_body(const float* __restrict x, const float* __restrict a,
                                      const float* __restrict b, float* __restrict y, int64_t n) {
#pragma omp simd
  for (int64_t i = 0; i < n; ++i) y[i] = x[i] * a[i] + b[i];
}
ALGOSCOPE_SIMD_VARIANTS(affine_row, affine_row_body)

class BatchNormDirect final : public Kernel {
 public:
  explicit BatchNormDirect(const Layer& layer)
      : epsilon_(layer.n().attr_float("epsilon", 1e-5f)),
        batch_(layer.inputs[0].shape[0]),
        channels_(layer.inputs[0].shape[1]),
        inner_(batch_norm_inner_size(layer)),
        epilogue_(Epilogue::of(layer)),
        a_(static_cast<size_t>(channels_)),
        b_(static_cast<size_t>(channels_)) {
    bool constant = true;
    for (size_t k = 1; k < 5; ++k) constant &= layer.constant(k) != nullptr;
    if (constant) {
      fold(layer.constant(1)->data<float>(), layer.constant(2)->data<float>(),
           layer.constant(3)->data<float>(), layer.constant(4)->data<float>());
      folded_ = true;
    }
  }

  bool works_channels_last() const override { return true; }
  void use_channels_last() override { channels_last_ = true; }

  void run(KernelIO& io) override {
    if (!folded_)
      fold(io.inputs[1]->data<float>(), io.inputs[2]->data<float>(), io.inputs[3]->data<float>(),
           io.inputs[4]->data<float>());
    const float* x = io.inputs[0]->data<float>();
    float* y = io.outputs[0]->data<float>();
    const float* a = a_.data();
    const float* b = b_.data();
    const bool threaded = batch_ * channels_ * inner_ >= vmath::kParallelMinElements;
    if (channels_last_) {
      const int64_t rows = batch_ * inner_;
#pragma omp parallel for schedule(static) if (threaded)
      for (int64_t r = 0; r < rows; ++r) {
        affine_row(x + r * channels_, a, b, y + r * channels_, channels_);
        epilogue_.apply(y + r * channels_, channels_);
      }
      return;
    }
    const int64_t planes = batch_ * channels_;
#pragma omp parallel for schedule(static) if (threaded)
    for (int64_t p = 0; p < planes; ++p) {
      const int64_t c = p % channels_;
      affine_plane(x + p * inner_, a[c], b[c], y + p * inner_, inner_);
      epilogue_.apply(y + p * inner_, inner_);
    }
  }

 private:
  // a and b from the statistics, in double (as the reference evaluates the formula).
  void fold(const float* scale, const float* bias, const float* mean, const float* var) {
    for (int64_t c = 0; c < channels_; ++c) {
      const double a = scale[c] / std::sqrt(static_cast<double>(var[c]) + epsilon_);
      a_[c] = static_cast<float>(a);
      b_[c] = static_cast<float>(bias[c] - mean[c] * a);
    }
  }

  double epsilon_;
  int64_t batch_, channels_, inner_;
  Epilogue epilogue_;
  std::vector<float> a_, b_;
  bool folded_ = false;
  bool channels_last_ = false;  // set by the session's layout negotiation
};

}  // namespace

std::optional<std::string> batch_norm_direct_not_applicable(const Layer& layer) {
  if (layer.inputs[1].numel() != layer.inputs[0].shape[1])
    return std::string(
        "the direct kernel takes one scale per channel; this node (opset below 9, spatial = 0) "
        "has one per element, which the reference computes");
  return std::nullopt;
}

std::unique_ptr<Kernel> prepare_batch_norm_direct(const Layer& layer) {
  return std::make_unique<BatchNormDirect>(layer);
}

AlgorithmText batch_norm_direct_text() {
  return {"One SIMD multiply-add per element with the statistics folded, activation fused",
          "The running statistics are folded once into a per-channel factor a = scale / "
          "sqrt(var + epsilon) and offset b = B - mean * a (in double, at prepare time when they "
          "are constants); then one vectorized pass writes y = x * a + b and applies the fused "
          "activation (the Relu of a pre-activation network) to the same values while they are "
          "in registers. Planes are shared by the threads when the tensor has 64K elements or "
          "more. Between oneDNN convolutions that pass NHWC values, it reads and writes them in "
          "that order (each pixel's channels times a, plus b) instead of having them reordered. "
          "Extra memory: 2C floats. Numerics: one float multiply-add per element against the "
          "reference's double formula; where x is close to the mean, b and x * a nearly cancel."};
}

}  // namespace algoscope::ops::normalization
