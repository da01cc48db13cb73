// Small helpers shared by the op families: axis normalization, kernels made from lambdas, and the
// Error messages for invalid nodes, so that every op reports problems in the same words.
#pragma once

#include <algorithm>
#include <cstdint>
#include <memory>
#include <string>
#include <utility>

#include "algoscope/error.h"
#include "algoscope/registry.h"

namespace algoscope::ops {

// Maps a possibly negative axis into [0, rank); throws Error("axis A is out of range for rank R").
int64_t normalize_axis(int64_t axis, int64_t rank);

// Throws Error(message) when `condition` is false. For shape inference and applicability checks.
inline void require(bool condition, const std::string& message) {
  if (!condition) throw Error(message);
}

// Calls f(T{}) with the C++ element type of `dtype` (float, int64_t, int32_t, uint8_t, bool), so a
// kernel is written once as a template over the element type.
template <class F>
void visit_dtype(DType dtype, F&& f) {
  switch (dtype) {
    case DType::Float32:
      return f(float{});
    case DType::Int64:
      return f(int64_t{});
    case DType::Int32:
      return f(int32_t{});
    case DType::UInt8:
      return f(uint8_t{});
    case DType::Bool:
      return f(bool{});
  }
  throw Error(std::string("unknown element type ") + dtype_name(dtype));
}

// A node's fused activation (Node::activation, Relu or Clip folded by the loader) as the bounds
// of a clamp. Kernels that apply it in their epilogue (Algorithm::applies_activation) clamp each
// piece of output right after writing it, while it is in cache; the session clamps the whole
// output after the others.
// y[0, n) through a gated activation (Swish or HardSwish), vectorised for the CPU's level
// (ops/gated_activation.cpp).
void apply_gated_activation(Node::Activation::Kind kind, float* y, int64_t n);

// The attribute that marks a node made by one of the loader's pattern fusions (Attention,
// SqueezeExcite): a file that carries such an op type itself is refused rather than misread.
inline constexpr const char* kFusedMarker = "algoscope_fused";

// The input fuse_residual_add gives a Conv after X, W and B: a value of the output's shape, added
// to the convolution's output before its activation.
inline constexpr size_t kResidualInput = 3;
inline bool has_residual(const Layer& layer) {
  return layer.n().op_type == "Conv" && layer.has_input(kResidualInput);
}

struct Epilogue {
  bool active = false;
  float lower = 0.0f, upper = 0.0f;
  Node::Activation::Kind kind = Node::Activation::Kind::Clamp;

  static Epilogue of(const Layer& layer) {
    Epilogue e;
    if (layer.node && layer.n().activation) {
      const Node::Activation& a = *layer.n().activation;
      e.active = true;
      e.lower = a.lower;
      e.upper = a.upper;
      e.kind = a.kind;
    }
    return e;
  }
  // y[0, n) clamped to [lower, upper] (NaN stays NaN, as in the unfused Relu / Clip), or through
  // the gated activation.
  void apply(float* y, int64_t n) const {
    if (!active) return;
    if (kind != Node::Activation::Kind::Clamp) return apply_gated_activation(kind, y, n);
    const float lo = lower, hi = upper;
    // The CUDA module compiles this header without OpenMP (its families read the op geometries).
#ifdef _OPENMP
#pragma omp simd
#endif
    for (int64_t i = 0; i < n; ++i) y[i] = std::min(std::max(y[i], lo), hi);
  }
};

// A kernel whose run() is a callable taking KernelIO&; the callable may capture prepared data.
template <class F>
class LambdaKernel final : public Kernel {
 public:
  explicit LambdaKernel(F f) : f_(std::move(f)) {}
  void run(KernelIO& io) override { f_(io); }

 private:
  F f_;
};

template <class F>
std::unique_ptr<Kernel> make_kernel(F f) {
  return std::make_unique<LambdaKernel<F>>(std::move(f));
}

// A kernel of one float32 input and one float32 output: run(x, y) on each call's tensors.
template <class Run>
std::unique_ptr<Kernel> float_kernel(Run run) {
  return make_kernel([run = std::move(run)](KernelIO& io) {
    run(io.inputs[0]->data<float>(), io.outputs[0]->data<float>());
  });
}

// Input `index` as floats when the layer has it (Conv's bias, Gemm's C), else nullptr: an
// optional input is either absent from the node or an empty slot.
inline const float* optional_float_input(const KernelIO& io, size_t index, bool has_it) {
  return has_it && io.inputs.size() > index && io.inputs[index] ? io.inputs[index]->data<float>()
                                                                : nullptr;
}

// Output `index` as floats when the node asks for it (LayerNormalization's Mean), else nullptr.
inline float* optional_float_output(const KernelIO& io, size_t index) {
  return io.outputs.size() > index && io.outputs[index] ? io.outputs[index]->data<float>()
                                                        : nullptr;
}

}  // namespace algoscope::ops
