// Builds small ONNX models in memory for tests, with the onnx protobuf API: graph inputs and
// outputs with fixed or symbolic dimensions, float/int64 initializers, nodes with every common
// attribute kind, and the opset import. The result is serialized bytes for
// algoscope::load_model_from_bytes(bytes, "name.onnx") or a file for load_model() and the CLI.
// Header-only; a test target that uses it links onnx_proto and protobuf::libprotobuf.
//
//   onnx_builder::ModelBuilder b("tiny");
//   b.input("x", {"N", 3, 8, 8});                       // "N" is a symbolic dimension
//   b.initializer("w", {4, 3, 3, 3}, onnx_builder::random_floats(108, 1));
//   b.node("Conv", {"x", "w"}, {"y"}, "conv").ints("pads", {1, 1, 1, 1});
//   b.output("y");                                      // shape left to inference
//   algoscope::Model m = algoscope::load_model_from_bytes(b.bytes(), "tiny.onnx");
#pragma once

#include <cstdint>
#include <fstream>
#include <random>
#include <stdexcept>
#include <string>
#include <utility>
#include <variant>
#include <vector>

#include "onnx/onnx_pb.h"

namespace onnx_builder {

// One dimension of a declared shape: a fixed size, a symbolic name such as "batch", or
// Dim::unknown() (neither, as some exporters write dynamic axes).
struct Dim {
  std::variant<int64_t, std::string, std::monostate> value;
  static Dim unknown() {
    Dim d(0);
    d.value = std::monostate{};
    return d;
  }
  Dim(int64_t v) : value(v) {}  // NOLINT(google-explicit-constructor): {1, "N", 3} reads best
  Dim(int v) : value(static_cast<int64_t>(v)) {}       // NOLINT(google-explicit-constructor)
  Dim(const char* name) : value(std::string(name)) {}  // NOLINT(google-explicit-constructor)
  Dim(std::string name) : value(std::move(name)) {}    // NOLINT(google-explicit-constructor)
};

// ONNX element types by their short names, so tests need not spell the protobuf enum.
constexpr int32_t kFloat = onnx::TensorProto::FLOAT;
constexpr int32_t kInt64 = onnx::TensorProto::INT64;
constexpr int32_t kInt32 = onnx::TensorProto::INT32;
constexpr int32_t kBool = onnx::TensorProto::BOOL;
constexpr int32_t kDouble = onnx::TensorProto::DOUBLE;

// A tensor's name, element type and dims, without its values.
inline onnx::TensorProto tensor_header(const std::string& name, int32_t type,
                                       const std::vector<int64_t>& dims) {
  onnx::TensorProto t;
  t.set_name(name);
  t.set_data_type(type);
  for (int64_t d : dims) t.add_dims(d);
  return t;
}

inline onnx::TensorProto float_tensor(const std::string& name, const std::vector<int64_t>& dims,
                                      const std::vector<float>& values) {
  onnx::TensorProto t = tensor_header(name, kFloat, dims);
  for (float v : values) t.add_float_data(v);
  return t;
}

inline onnx::TensorProto int64_tensor(const std::string& name, const std::vector<int64_t>& dims,
                                      const std::vector<int64_t>& values) {
  onnx::TensorProto t = tensor_header(name, kInt64, dims);
  for (int64_t v : values) t.add_int64_data(v);
  return t;
}

// Deterministic values uniform in [lo, hi): weights for tests that compare two runs.
inline std::vector<float> random_floats(size_t count, uint64_t seed, float lo = -1.0f,
                                        float hi = 1.0f) {
  std::mt19937_64 rng(seed);
  std::uniform_real_distribution<float> dist(lo, hi);
  std::vector<float> out(count);
  for (float& v : out) v = dist(rng);
  return out;
}

// Adds attributes to one node of a ModelBuilder; every setter returns *this for chaining. The
// NodeProto lives in the model (protobuf keeps element addresses stable), so a NodeBuilder stays
// valid while its ModelBuilder lives.
class NodeBuilder {
 public:
  explicit NodeBuilder(onnx::NodeProto* node) : node_(node) {}

  NodeBuilder& i(const std::string& key, int64_t value) {
    auto* a = add(key, onnx::AttributeProto::INT);
    a->set_i(value);
    return *this;
  }
  NodeBuilder& f(const std::string& key, float value) {
    auto* a = add(key, onnx::AttributeProto::FLOAT);
    a->set_f(value);
    return *this;
  }
  NodeBuilder& s(const std::string& key, const std::string& value) {
    auto* a = add(key, onnx::AttributeProto::STRING);
    a->set_s(value);
    return *this;
  }
  NodeBuilder& ints(const std::string& key, const std::vector<int64_t>& values) {
    auto* a = add(key, onnx::AttributeProto::INTS);
    for (int64_t v : values) a->add_ints(v);
    return *this;
  }
  NodeBuilder& floats(const std::string& key, const std::vector<float>& values) {
    auto* a = add(key, onnx::AttributeProto::FLOATS);
    for (float v : values) a->add_floats(v);
    return *this;
  }
  NodeBuilder& strings(const std::string& key, const std::vector<std::string>& values) {
    auto* a = add(key, onnx::AttributeProto::STRINGS);
    for (const auto& v : values) a->add_strings(v);
    return *this;
  }
  NodeBuilder& t(const std::string& key, const onnx::TensorProto& value) {
    auto* a = add(key, onnx::AttributeProto::TENSOR);
    *a->mutable_t() = value;
    return *this;
  }
  NodeBuilder& domain(const std::string& value) {
    node_->set_domain(value);
    return *this;
  }
  onnx::NodeProto& proto() { return *node_; }

 private:
  onnx::AttributeProto* add(const std::string& key, onnx::AttributeProto::AttributeType type) {
    auto* a = node_->add_attribute();
    a->set_name(key);
    a->set_type(type);
    return a;
  }
  onnx::NodeProto* node_;
};

// A whole model: one graph, the default-domain opset import, IR version 8 (ONNX 1.13's).
class ModelBuilder {
 public:
  explicit ModelBuilder(const std::string& graph_name = "test_graph", int64_t opset = 13) {
    model_.set_ir_version(8);
    model_.set_producer_name("onnx_builder");
    model_.mutable_graph()->set_name(graph_name);
    auto* op = model_.add_opset_import();
    op->set_domain("");
    op->set_version(opset);
  }

  ModelBuilder& opset(int64_t version) {
    model_.mutable_opset_import(0)->set_version(version);
    return *this;
  }
  ModelBuilder& ir_version(int64_t version) {
    model_.set_ir_version(version);
    return *this;
  }
  ModelBuilder& producer(const std::string& name, const std::string& version = "") {
    model_.set_producer_name(name);
    model_.set_producer_version(version);
    return *this;
  }

  // A runtime graph input with a declared shape (float unless elem_type says otherwise).
  ModelBuilder& input(const std::string& name, const std::vector<Dim>& shape,
                      int32_t elem_type = kFloat) {
    set_type(model_.mutable_graph()->add_input(), name, elem_type, &shape);
    return *this;
  }
  // A graph output; without a shape (the default) its shape is left to inference.
  ModelBuilder& output(const std::string& name, int32_t elem_type = kFloat) {
    set_type(model_.mutable_graph()->add_output(), name, elem_type, nullptr);
    return *this;
  }
  ModelBuilder& output(const std::string& name, const std::vector<Dim>& shape,
                       int32_t elem_type = kFloat) {
    set_type(model_.mutable_graph()->add_output(), name, elem_type, &shape);
    return *this;
  }
  // Declares the type of an intermediate value (what exporters write to graph.value_info).
  ModelBuilder& value_info(const std::string& name, const std::vector<Dim>& shape,
                           int32_t elem_type = kFloat) {
    set_type(model_.mutable_graph()->add_value_info(), name, elem_type, &shape);
    return *this;
  }

  ModelBuilder& initializer(const std::string& name, const std::vector<int64_t>& dims,
                            const std::vector<float>& values) {
    *model_.mutable_graph()->add_initializer() = float_tensor(name, dims, values);
    return *this;
  }
  ModelBuilder& int64_initializer(const std::string& name, const std::vector<int64_t>& dims,
                                  const std::vector<int64_t>& values) {
    *model_.mutable_graph()->add_initializer() = int64_tensor(name, dims, values);
    return *this;
  }
  ModelBuilder& initializer(const onnx::TensorProto& tensor) {
    *model_.mutable_graph()->add_initializer() = tensor;
    return *this;
  }

  // Appends a node (graph order is node order; ONNX wants it topological). An empty name is
  // written as empty, which lets tests exercise the loader's name generation.
  NodeBuilder node(const std::string& op_type, const std::vector<std::string>& inputs,
                   const std::vector<std::string>& outputs, const std::string& name = "") {
    auto* n = model_.mutable_graph()->add_node();
    n->set_op_type(op_type);
    n->set_name(name);
    for (const auto& in : inputs) n->add_input(in);
    for (const auto& out : outputs) n->add_output(out);
    return NodeBuilder(n);
  }

  onnx::ModelProto& proto() { return model_; }
  const onnx::ModelProto& proto() const { return model_; }

  // Serialized model bytes.
  std::string bytes() const {
    std::string out;
    if (!model_.SerializeToString(&out)) throw std::runtime_error("cannot serialize the model");
    return out;
  }
  // Writes the serialized model to `path` and returns the path.
  std::string write(const std::string& path) const {
    std::ofstream file(path, std::ios::binary);
    file << bytes();
    if (!file) throw std::runtime_error("cannot write " + path);
    return path;
  }

 private:
  static void set_type(onnx::ValueInfoProto* v, const std::string& name, int32_t elem_type,
                       const std::vector<Dim>* shape) {
    v->set_name(name);
    auto* tt = v->mutable_type()->mutable_tensor_type();
    tt->set_elem_type(elem_type);
    if (!shape) return;
    auto* s = tt->mutable_shape();  // present even for rank 0 (a scalar)
    for (const Dim& d : *shape) {
      auto* dim = s->add_dim();
      if (const auto* value = std::get_if<int64_t>(&d.value))
        dim->set_dim_value(*value);
      else if (const auto* param = std::get_if<std::string>(&d.value))
        dim->set_dim_param(*param);
    }
  }

  onnx::ModelProto model_;
};

}  // namespace onnx_builder
