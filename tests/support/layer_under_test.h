// One ONNX node under test, without a model: the node and its inputs (owned here, each present or
// omitted, constant or runtime), the Layer a kernel sees, the op's shape inference and one
// algorithm prepared and run on it. The op-family harnesses (tests/engine/nn_op_harness.h and
// op_test_util.h) add their builders and checks on top.
#pragma once

#include <cmath>
#include <cstring>
#include <string>
#include <utility>
#include <vector>

#include "algoscope/error.h"
#include "algoscope/graph.h"
#include "algoscope/registry.h"
#include "algoscope/tensor.h"

namespace test_support {

class LayerUnderTest {
 public:
  LayerUnderTest(std::string op_type, int64_t opset) : opset_(opset) {
    node_.name = "node_under_test";
    node_.op_type = std::move(op_type);
    node_.outputs = {"y"};
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
      l.inputs.push_back(present_[i] ? inputs_[i].info() : algoscope::TensorInfo{});
      l.present.push_back(present_[i]);
      l.constants.push_back(present_[i] && constant_[i] ? &inputs_[i] : nullptr);
    }
    return l;
  }

  std::vector<algoscope::TensorInfo> infer() const { return op().infer(layer()); }

  // Shape inference, then `algo` prepared and run once on fresh outputs; returns them. The outputs
  // start poisoned (NaN for floats, 0x5a bytes otherwise), so an element the kernel forgets to
  // write shows up.
  std::vector<algoscope::Tensor> run_with(const algoscope::Algorithm& algo) const {
    algoscope::Layer l = layer();
    l.outputs = op().infer(l);
    if (auto why = algo.why_not(l)) throw algoscope::Error(algo.name + " not applicable: " + *why);
    algoscope::KernelIO io;
    for (size_t i = 0; i < inputs_.size(); ++i) io.inputs.push_back(input_tensor(i));
    std::vector<algoscope::Tensor> out;
    for (const algoscope::TensorInfo& info : l.outputs) {
      algoscope::Tensor& t = out.emplace_back(info.dtype, info.shape);
      if (t.dtype() == algoscope::DType::Float32)
        std::fill(t.data<float>(), t.data<float>() + t.numel(), std::nanf(""));
      else if (t.bytes())
        std::memset(t.raw(), 0x5a, t.bytes());
    }
    for (algoscope::Tensor& t : out) io.outputs.push_back(&t);
    const size_t ws = algo.workspace(l);
    algoscope::Tensor workspace(algoscope::DType::UInt8, algoscope::Shape{int64_t(ws)});
    io.workspace = ws ? workspace.raw() : nullptr;
    algo.prepare(l)->run(io);
    return out;
  }

  algoscope::Node& node() { return node_; }
  // Input i as a kernel sees it (nullptr when omitted); for timing loops that run a kernel
  // directly.
  const algoscope::Tensor* input_tensor(size_t i) const {
    return present_[i] ? &inputs_[i] : nullptr;
  }

 protected:
  void add_input(algoscope::Tensor t, bool present, bool constant) {
    node_.inputs.push_back(present ? "in" + std::to_string(node_.inputs.size()) : "");
    inputs_.push_back(std::move(t));
    present_.push_back(present);
    constant_.push_back(constant);
  }

  int64_t opset_;
  algoscope::Node node_;
  std::vector<algoscope::Tensor> inputs_;
  std::vector<bool> present_, constant_;
};

}  // namespace test_support
