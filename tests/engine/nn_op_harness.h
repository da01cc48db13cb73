// A small harness for the op-family unit tests (conv, gemm, matmul, pool, normalization, softmax,
// reduce): builds a Node and its Layer by hand, runs the op's shape inference and any of its
// algorithms, and makes deterministic random tensors. Header-only; each test file includes it.
#pragma once

#include <gtest/gtest.h>

#include <cmath>
#include <random>
#include <string>
#include <vector>

#include "algoscope/error.h"
#include "algoscope/graph.h"
#include "algoscope/registry.h"
#include "algoscope/tensor.h"

namespace nn_test {

using algoscope::Attribute;
using algoscope::DType;
using algoscope::Shape;
using algoscope::Tensor;
using algoscope::TensorInfo;

// One node under test. Inputs are owned here; constant(true) marks an input as a layer constant.
class OpCase {
 public:
  OpCase(std::string op_type, int64_t opset) : opset_(opset) {
    node_.name = "node_under_test";
    node_.op_type = std::move(op_type);
    node_.outputs = {"y"};
  }

  OpCase& input(Tensor t, bool constant = false) {
    node_.inputs.push_back("in" + std::to_string(node_.inputs.size()));
    inputs_.push_back(std::move(t));
    present_.push_back(true);
    constant_.push_back(constant);
    return *this;
  }
  OpCase& absent() {
    node_.inputs.push_back("");
    inputs_.emplace_back();
    present_.push_back(false);
    constant_.push_back(false);
    return *this;
  }
  OpCase& i(const std::string& key, int64_t value) {
    node_.attributes[key] = Attribute{value};
    return *this;
  }
  OpCase& f(const std::string& key, float value) {
    node_.attributes[key] = Attribute{value};
    return *this;
  }
  OpCase& ints(const std::string& key, std::vector<int64_t> value) {
    node_.attributes[key] = Attribute{std::move(value)};
    return *this;
  }
  OpCase& str(const std::string& key, std::string value) {
    node_.attributes[key] = Attribute{std::move(value)};
    return *this;
  }
  OpCase& outputs(std::vector<std::string> names) {
    node_.outputs = std::move(names);
    return *this;
  }

  const algoscope::OpDefinition& op() const {
    const auto* op = algoscope::Registry::instance().find_op(node_.op_type);
    if (!op) throw algoscope::Error("op " + node_.op_type + " is not registered");
    return *op;
  }

  algoscope::Layer layer() const {
    algoscope::Layer l;
    l.node = &node_;
    l.opset = opset_;
    for (size_t i = 0; i < inputs_.size(); ++i) {
      l.inputs.push_back(present_[i] ? inputs_[i].info() : TensorInfo{});
      l.present.push_back(present_[i]);
      l.constants.push_back(present_[i] && constant_[i] ? &inputs_[i] : nullptr);
    }
    return l;
  }

  std::vector<TensorInfo> infer() const { return op().infer(layer()); }

  // Shape inference, then `algorithm` prepared and run once; returns the outputs.
  std::vector<Tensor> run(const std::string& algorithm) const {
    const algoscope::Algorithm* algo = op().find(algorithm);
    if (!algo) throw algoscope::Error(node_.op_type + " has no algorithm " + algorithm);
    algoscope::Layer l = layer();
    l.outputs = op().infer(l);
    if (auto why = algo->why_not(l)) throw algoscope::Error("not applicable: " + *why);
    algoscope::KernelIO io;
    for (size_t i = 0; i < inputs_.size(); ++i)
      io.inputs.push_back(present_[i] ? &inputs_[i] : nullptr);
    std::vector<Tensor> out;
    for (const TensorInfo& info : l.outputs) out.emplace_back(info.dtype, info.shape);
    // Poison the outputs so that a kernel that forgets to write an element is caught.
    for (Tensor& t : out)
      if (t.dtype() == DType::Float32)
        for (int64_t i = 0; i < t.numel(); ++i) t.data<float>()[i] = std::nanf("");
    for (Tensor& t : out) io.outputs.push_back(&t);
    const size_t ws = algo->workspace(l);
    Tensor workspace(DType::Float32, Shape{static_cast<int64_t>((ws + 3) / 4)});
    io.workspace = ws ? workspace.raw() : nullptr;
    algo->prepare(l)->run(io);
    return out;
  }

  algoscope::Node& node() { return node_; }
  // Input i as a kernel sees it (nullptr when absent); for timing loops that call run() directly.
  const Tensor* input_tensor(size_t i) const { return present_[i] ? &inputs_[i] : nullptr; }

 private:
  int64_t opset_;
  algoscope::Node node_;
  std::vector<Tensor> inputs_;
  std::vector<bool> present_, constant_;
};

inline Tensor random_tensor(Shape shape, uint32_t seed, float lo = -1.0f, float hi = 1.0f) {
  std::mt19937 rng(seed);
  std::uniform_real_distribution<float> dist(lo, hi);
  Tensor t(DType::Float32, std::move(shape));
  for (int64_t i = 0; i < t.numel(); ++i) t.data<float>()[i] = dist(rng);
  return t;
}

inline Tensor iota_tensor(Shape shape, float start = 0.0f) {
  Tensor t(DType::Float32, std::move(shape));
  for (int64_t i = 0; i < t.numel(); ++i) t.data<float>()[i] = start + static_cast<float>(i);
  return t;
}

inline std::vector<float> values(const Tensor& t) {
  return std::vector<float>(t.data<float>(), t.data<float>() + t.numel());
}

// Elementwise |a - b| <= atol + rtol * |b| with the first offending index in the message.
inline ::testing::AssertionResult all_close(const Tensor& a, const Tensor& b, double atol = 1e-5,
                                            double rtol = 1e-4) {
  if (a.shape() != b.shape())
    return ::testing::AssertionFailure()
           << "shapes differ: " << algoscope::shape_to_string(a.shape()) << " vs "
           << algoscope::shape_to_string(b.shape());
  const float* x = a.data<float>();
  const float* y = b.data<float>();
  for (int64_t i = 0; i < a.numel(); ++i) {
    if (!(std::fabs(double(x[i]) - double(y[i])) <= atol + rtol * std::fabs(double(y[i]))))
      return ::testing::AssertionFailure() << "element " << i << ": " << x[i] << " vs " << y[i];
  }
  return ::testing::AssertionSuccess();
}

inline ::testing::AssertionResult all_close(const Tensor& a, const std::vector<float>& expected,
                                            double atol = 1e-5, double rtol = 1e-4) {
  if (a.numel() != static_cast<int64_t>(expected.size()))
    return ::testing::AssertionFailure() << "size " << a.numel() << " vs " << expected.size();
  return all_close(a, Tensor::from_vector(a.shape(), expected), atol, rtol);
}

// Expects `f` to throw algoscope::Error whose message contains `part`.
template <class F>
::testing::AssertionResult throws_with(F f, const std::string& part) {
  try {
    f();
  } catch (const algoscope::Error& e) {
    if (std::string(e.what()).find(part) != std::string::npos) return ::testing::AssertionSuccess();
    return ::testing::AssertionFailure() << "message '" << e.what() << "' lacks '" << part << "'";
  }
  return ::testing::AssertionFailure() << "no Error thrown";
}

}  // namespace nn_test
