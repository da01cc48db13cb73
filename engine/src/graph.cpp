// Attribute getters and model lookups. Attribute type mismatches are model errors, so they throw
// Error naming the node and the attribute.
#include "algoscope/graph.h"

#include "algoscope/error.h"

namespace algoscope {

std::string Node::display_op() const {
  std::string op = op_type;
  for (const Fusion& f : fusions) {
    if (f.kind == Fusion::Kind::BatchNormFold) op += "+BN";
    if (f.kind == Fusion::Kind::Epilogue) op += "+" + f.op;
  }
  return op;
}

std::vector<std::string> Node::merged_nodes() const {
  std::vector<std::string> names;
  for (const Fusion& f : fusions) names.insert(names.end(), f.nodes.begin(), f.nodes.end());
  return names;
}
namespace {

template <class T>
const T* get_attr(const Node& node, const std::string& key, const char* wanted) {
  auto it = node.attributes.find(key);
  if (it == node.attributes.end()) return nullptr;
  const T* value = std::get_if<T>(&it->second.value);
  if (!value)
    throw Error("node '" + node.name + "' (" + node.op_type + "): attribute '" + key + "' is not " +
                wanted);
  return value;
}

}  // namespace

int64_t Node::attr_int(const std::string& key, int64_t fallback) const {
  const int64_t* v = get_attr<int64_t>(*this, key, "an integer");
  return v ? *v : fallback;
}

float Node::attr_float(const std::string& key, float fallback) const {
  auto it = attributes.find(key);
  if (it != attributes.end())
    if (const int64_t* i = std::get_if<int64_t>(&it->second.value)) return static_cast<float>(*i);
  const float* v = get_attr<float>(*this, key, "a float");
  return v ? *v : fallback;
}

std::string Node::attr_string(const std::string& key, const std::string& fallback) const {
  const std::string* v = get_attr<std::string>(*this, key, "a string");
  return v ? *v : fallback;
}

std::vector<int64_t> Node::attr_ints(const std::string& key,
                                     const std::vector<int64_t>& fallback) const {
  const auto* v = get_attr<std::vector<int64_t>>(*this, key, "a list of integers");
  return v ? *v : fallback;
}

std::vector<float> Node::attr_floats(const std::string& key,
                                     const std::vector<float>& fallback) const {
  const auto* v = get_attr<std::vector<float>>(*this, key, "a list of floats");
  return v ? *v : fallback;
}

const Tensor* Node::attr_tensor(const std::string& key) const {
  return get_attr<Tensor>(*this, key, "a tensor");
}

const Node* Model::find_node(const std::string& node_name) const {
  for (const Node& n : nodes)
    if (n.name == node_name) return &n;
  return nullptr;
}

const ValueInfo* Model::find_value(const std::string& value_name) const {
  auto it = values.find(value_name);
  return it == values.end() ? nullptr : &it->second;
}

const Tensor* Model::find_constant(const std::string& value_name) const {
  auto it = constants.find(value_name);
  return it == constants.end() ? nullptr : &it->second;
}

int64_t Model::parameter_count(const Node& node) const {
  int64_t count = 0;
  for (const std::string& input : node.inputs)
    if (const Tensor* t = find_constant(input)) count += t->numel();
  return count;
}

}  // namespace algoscope
