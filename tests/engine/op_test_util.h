// A small harness for the unit tests of the elementwise and data-movement op families (unary,
// binary, shape): builds a Node and its Layer by hand, runs the op's shape inference, then every
// algorithm the registry lists for the op (checking that they agree bit for bit) and returns the
// outputs; plus typed tensor builders and an "Error with this message" matcher. Header-only.
#pragma once

#include <gtest/gtest.h>

#include <cmath>
#include <cstring>
#include <string>
#include <vector>

#include "algoscope/error.h"
#include "algoscope/graph.h"
#include "algoscope/registry.h"
#include "algoscope/tensor.h"
#include "support/assertions.h"
#include "support/layer_under_test.h"

namespace op_test {

using algoscope::Attribute;
using algoscope::DType;
using algoscope::Error;
using algoscope::Shape;
using algoscope::Tensor;
using algoscope::TensorInfo;

template <class T>
Tensor tensor(Shape shape, std::vector<T> values) {
  return Tensor::from_vector<T>(std::move(shape), values);
}
inline Tensor floats(Shape shape, std::vector<float> v) {
  return tensor<float>(std::move(shape), v);
}
inline Tensor int64s(Shape shape, std::vector<int64_t> v) {
  return tensor<int64_t>(std::move(shape), v);
}
// A 1-D int64 tensor: shapes, axes, pads, starts...
inline Tensor ints(std::vector<int64_t> v) {
  const int64_t n = static_cast<int64_t>(v.size());
  return tensor<int64_t>({n}, v);
}
inline Tensor bools(Shape shape, std::vector<bool> v) {
  Tensor t(DType::Bool, std::move(shape));
  for (size_t i = 0; i < v.size(); ++i) t.data<bool>()[i] = v[i];
  return t;
}
// 0, 1, 2, ... as float32.
inline Tensor iota(Shape shape) {
  Tensor t(DType::Float32, std::move(shape));
  for (int64_t i = 0; i < t.numel(); ++i) t.data<float>()[i] = static_cast<float>(i);
  return t;
}

template <class T>
std::vector<T> values(const Tensor& t) {
  const T* p = t.data<T>();
  return std::vector<T>(p, p + t.numel());
}
inline std::vector<bool> bool_values(const Tensor& t) {
  const bool* p = t.data<bool>();
  return std::vector<bool>(p, p + t.numel());
}

// One node under test; inputs are owned here.
class OpCase : public test_support::LayerUnderTest {
 public:
  using LayerUnderTest::LayerUnderTest;

  // A runtime input.
  OpCase& input(Tensor t) { return add(std::move(t), true, false); }
  // An input that is a constant of the layer (weights, folded shape values).
  OpCase& constant(Tensor t) { return add(std::move(t), true, true); }
  // An omitted optional input ("" in ONNX).
  OpCase& absent() { return add(Tensor(), false, false); }

  template <class V>
  OpCase& attr(const std::string& key, V value) {
    node_.attributes[key] = Attribute{std::move(value)};
    return *this;
  }
  OpCase& outputs(size_t count) {
    node_.outputs.clear();
    for (size_t i = 0; i < count; ++i) node_.outputs.push_back("y" + std::to_string(i));
    return *this;
  }

  TensorInfo infer1() const { return infer().at(0); }
  double flops() const {
    algoscope::Layer l = layer();
    l.outputs = op().infer(l);
    return op().flop_count(l);
  }

  // Shape inference, then every applicable algorithm of the op prepared and run once (the first,
  // `reference`, must apply). Exact algorithms (tolerance 0) must produce the same bytes as the
  // first; the others must be within their registered tolerance (equal infinities and NaN
  // against NaN match). Returns the first one's outputs.
  std::vector<Tensor> run() const {
    const algoscope::OpDefinition& definition = op();
    if (definition.algorithms.empty()) throw Error(node_.op_type + " has no algorithms");
    std::vector<Tensor> first;
    for (const algoscope::Algorithm& algo : definition.algorithms) {
      // GPU algorithms take device memory; tests/cuda runs them against `reference`.
      if (algo.backend == algoscope::Backend::Cuda) continue;
      if (!first.empty()) {
        algoscope::Layer l = layer();
        l.outputs = op().infer(l);
        if (algo.why_not(l)) continue;
      }
      std::vector<Tensor> out = run_with(algo);
      if (first.empty()) {
        first = std::move(out);
        continue;
      }
      const algoscope::Tolerance tol = algo.tolerance;
      for (size_t k = 0; k < out.size(); ++k) {
        if ((tol.atol == 0.0 && tol.rtol == 0.0) || out[k].dtype() != DType::Float32) {
          EXPECT_EQ(0, std::memcmp(out[k].raw(), first[k].raw(), out[k].bytes()))
              << node_.op_type << ": algorithm " << algo.name << " differs on output " << k;
          continue;
        }
        const float* a = out[k].data<float>();
        const float* b = first[k].data<float>();
        for (int64_t i = 0; i < out[k].numel(); ++i) {
          const bool same = (std::isnan(a[i]) && std::isnan(b[i])) || a[i] == b[i];
          EXPECT_TRUE(same || std::fabs(double(a[i]) - double(b[i])) <=
                                  tol.atol + tol.rtol * std::fabs(double(b[i])))
              << node_.op_type << ": algorithm " << algo.name << " output " << k << " element " << i
              << ": " << a[i] << " vs " << b[i];
        }
      }
    }
    return first;
  }
  Tensor run1() const { return run().at(0); }

 private:
  OpCase& add(Tensor t, bool present, bool constant) {
    add_input(std::move(t), present, constant);
    return *this;
  }
};

using test_support::throws_with;

}  // namespace op_test
