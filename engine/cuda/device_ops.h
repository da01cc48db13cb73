// What the families of our own CUDA kernels (ops/*/) share on the engine side: the float32-only
// check with its reason, the family built from those checks and the kernel class, and the fused
// activation of a node as the two bounds a kernel clamps to.
#pragma once

#include <functional>
#include <limits>
#include <memory>
#include <optional>
#include <string>

#include "algoscope/registry.h"
#include "family.h"

namespace algoscope::cuda {

// Empty when every present input and every output is float32, else which one is not.
inline std::optional<std::string> float32_only(const Layer& layer) {
  for (size_t i = 0; i < layer.inputs.size(); ++i)
    if (layer.has_input(i) && layer.inputs[i].dtype != DType::Float32)
      return std::string("our CUDA kernels take float32 tensors only; input ") + std::to_string(i) +
             " is " + dtype_name(layer.inputs[i].dtype);
  for (size_t i = 0; i < layer.outputs.size(); ++i)
    if (layer.outputs[i].dtype != DType::Float32)
      return std::string("our CUDA kernels write float32 tensors only; output ") +
             std::to_string(i) + " is " + dtype_name(layer.outputs[i].dtype);
  return std::nullopt;
}

// For the ops the loader never fuses an activation into: a node that carries one anyway is
// refused rather than computed without it.
inline std::optional<std::string> no_fused_activation(const Layer& layer) {
  if (layer.n().activation)
    return "this CUDA kernel has no epilogue for the fused " + layer.n().activation->op;
  return std::nullopt;
}

// The checks every family of our kernels starts with: `variant` one of the family's, in
// [first, last] of variants.h; the first `inputs` inputs present; float32 tensors only; and, for
// a family whose kernels have no clamp epilogue, no fused activation on the node.
struct FamilyChecks {
  const char* family;  // "pooling", "reduction": for the message
  int first, last;
  size_t inputs = 1;
  bool fuses_activation = false;
};
inline std::optional<std::string> common_problem(const FamilyChecks& checks, int variant,
                                                 const Layer& layer) {
  if (variant < checks.first || variant > checks.last)
    return "unknown " + std::string(checks.family) + " variant " + std::to_string(variant);
  for (size_t i = 0; i < checks.inputs; ++i)
    if (!layer.has_input(i))
      return checks.inputs == 1 ? std::string("needs an input")
                                : "needs " + std::to_string(checks.inputs) + " inputs";
  if (auto problem = float32_only(layer)) return problem;
  return checks.fuses_activation ? std::nullopt : no_fused_activation(layer);
}

// The family of one of our kernels, K(layer, variant): why_not is common_problem(checks), then the
// family's own `more` checks when there are any (they may also throw with what is wrong, which the
// module reports); prepare makes a K.
template <class K>
Family own_kernel_family(
    FamilyChecks checks,
    std::function<std::optional<std::string>(int variant, const Layer&)> more = nullptr) {
  Family f;
  f.why_not = [checks, more](int variant, const Layer& layer) -> std::optional<std::string> {
    if (auto problem = common_problem(checks, variant, layer)) return problem;
    return more ? more(variant, layer) : std::nullopt;
  };
  f.prepare = [](int variant, const Layer& layer) -> std::unique_ptr<Kernel> {
    return std::make_unique<K>(layer, variant);
  };
  return f;
}

// The node's fused Relu/Clip (Node::activation) as [lower, upper]; `active` is false without one,
// so the kernel leaves NaN and infinities alone. GPU algorithms apply it themselves
// (Algorithm::applies_activation): a clamp on the host would read device memory.
struct Clamp {
  bool active = false;
  float lower = -std::numeric_limits<float>::infinity();
  float upper = std::numeric_limits<float>::infinity();
};
inline Clamp fused_clamp(const Layer& layer) {
  Clamp c;
  if (const auto& a = layer.n().activation) c.active = true, c.lower = a->lower, c.upper = a->upper;
  return c;
}

}  // namespace algoscope::cuda
