// A small harness for the op-family unit tests (conv, gemm, matmul, pool, normalization, softmax,
// reduce): builds a Node and its Layer by hand, runs the op's shape inference and any of its
// algorithms, and makes deterministic random tensors. Header-only; each test file includes it.
#pragma once

#include <gtest/gtest.h>

#include <cmath>
#include <string>
#include <vector>

#include "algoscope/error.h"
#include "algoscope/graph.h"
#include "algoscope/registry.h"
#include "algoscope/tensor.h"
#include "support/assertions.h"
#include "support/layer_under_test.h"

namespace nn_test {

using algoscope::Attribute;
using algoscope::DType;
using algoscope::Shape;
using algoscope::Tensor;
using algoscope::TensorInfo;

// One node under test; input(t, true) marks an input as a layer constant.
class OpCase : public test_support::LayerUnderTest {
 public:
  using LayerUnderTest::LayerUnderTest;

  OpCase& input(Tensor t, bool constant = false) {
    add_input(std::move(t), true, constant);
    return *this;
  }
  OpCase& absent() {
    add_input(Tensor(), false, false);
    return *this;
  }
  OpCase& i(const std::string& key, int64_t value) { return attribute(key, value); }
  OpCase& f(const std::string& key, float value) { return attribute(key, value); }
  OpCase& ints(const std::string& key, std::vector<int64_t> value) {
    return attribute(key, std::move(value));
  }
  OpCase& str(const std::string& key, std::string value) {
    return attribute(key, std::move(value));
  }
  OpCase& outputs(std::vector<std::string> names) {
    node_.outputs = std::move(names);
    return *this;
  }

  // Shape inference, then `algorithm` prepared and run once; returns the outputs.
  std::vector<Tensor> run(const std::string& algorithm) const {
    const algoscope::Algorithm* algo = op().find(algorithm);
    if (!algo) throw algoscope::Error(node_.op_type + " has no algorithm " + algorithm);
    return run_with(*algo);
  }

 private:
  template <class V>
  OpCase& attribute(const std::string& key, V value) {
    node_.attributes[key] = Attribute{std::move(value)};
    return *this;
  }
};

using algoscope::random_tensor;

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

using test_support::throws_with;

// Whether the `direct` algorithm computes the case: it applies, it is the engine's default there,
// and it matches the reference within its own tolerance.
inline ::testing::AssertionResult direct_is_default_and_matches_reference(const OpCase& c) {
  const algoscope::Algorithm* direct = c.op().find("direct");
  if (!direct) return ::testing::AssertionFailure() << "no direct algorithm";
  if (auto why = direct->why_not(c.layer()))
    return ::testing::AssertionFailure() << "direct does not apply: " << *why;
  const std::string chosen = algoscope::Registry::instance().default_algorithm(c.layer()).name;
  if (chosen != "direct") return ::testing::AssertionFailure() << "the default is " << chosen;
  return all_close(c.run("direct")[0], c.run("reference")[0], direct->tolerance.atol,
                   direct->tolerance.rtol);
}

// Whether shape inference of an `op_type` node (opset 13) with random float inputs of these shapes
// throws an Error whose message contains `part`.
inline ::testing::AssertionResult infer_throws_with(const std::string& op_type,
                                                    const std::vector<Shape>& input_shapes,
                                                    const std::string& part) {
  return throws_with(
      [&] {
        OpCase c(op_type, 13);
        for (size_t i = 0; i < input_shapes.size(); ++i)
          c.input(random_tensor(input_shapes[i], static_cast<uint32_t>(i + 1)));
        c.infer();
      },
      part);
}

}  // namespace nn_test
