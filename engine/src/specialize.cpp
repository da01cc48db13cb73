// See specialize.h. Specialising loads the file again (Model::source) with LoadOptions that fix
// the value inputs and set the named axes, so every graph pass (folding above all) sees the model
// as if the file had said so; nothing here re-implements a pass.
#include "algoscope/specialize.h"

#include <algorithm>
#include <set>
#include <sstream>

#include "algoscope/error.h"
#include "algoscope/loader.h"
#include "algoscope/registry.h"
#include "passes/pass.h"

namespace algoscope {
namespace {

bool is_value_input(const Model& model, const std::string& name) {
  return std::find(model.value_inputs.begin(), model.value_inputs.end(), name) !=
         model.value_inputs.end();
}

// A node problem that only follows from another node's (its input has no static shape, e.g.
// behind an op the engine lacks): the Session names the cause.
bool is_consequence(const std::string& problem) {
  return problem.find(passes::kUnknownInputProblem) != std::string::npos;
}

// "[2, -1, 5]" for a small integer or float tensor, else its type and shape.
std::string value_text(const Tensor& t) {
  if (t.numel() > 16 ||
      (t.dtype() != DType::Float32 && t.dtype() != DType::Int64 && t.dtype() != DType::Int32))
    return std::string(dtype_name(t.dtype())) + " " + shape_to_string(t.shape());
  std::ostringstream s;
  s << "[";
  for (int64_t i = 0; i < t.numel(); ++i) {
    if (i) s << ", ";
    if (t.dtype() == DType::Float32)
      s << t.data<float>()[i];
    else
      s << t.to_int64_vector()[size_t(i)];
  }
  s << "]";
  return s.str();
}

// What decides the shapes, as text: the value inputs' values and the named axes' sizes. Equal
// texts mean the same specialised model; "" means the generic model serves.
std::string deciding_key(const Model& model, const std::vector<Tensor>& inputs) {
  if (!needs_specialization(model, inputs)) return "";
  std::string key;
  for (size_t i = 0; i < inputs.size(); ++i) {
    const std::string& name = model.inputs[i];
    const Tensor& t = inputs[i];
    if (is_value_input(model, name)) {
      key += name + "=" + dtype_name(t.dtype()) + shape_to_string(t.shape()) + ":";
      key.append(static_cast<const char*>(t.raw()), t.bytes());
    } else if (model.symbolic_axes.count(name)) {
      key += name + shape_to_string(t.shape());
    }
    key += '\0';
  }
  return key;
}

}  // namespace

bool needs_specialization(const Model& model, const std::vector<Tensor>& inputs) {
  if (!model.value_inputs.empty()) return true;
  if (inputs.size() != model.inputs.size()) return false;  // the Session says what is wrong
  for (size_t i = 0; i < inputs.size(); ++i) {
    auto it = model.symbolic_axes.find(model.inputs[i]);
    const ValueInfo* declared = model.find_value(model.inputs[i]);
    if (it == model.symbolic_axes.end() || !declared) continue;
    const Shape& shape = inputs[i].shape();
    if (shape.size() != declared->info.shape.size()) return false;  // the Session says so
    for (size_t axis : it->second)
      if (shape[axis] != declared->info.shape[axis]) return true;
  }
  return false;
}

Model specialize(const Model& generic, const std::vector<Tensor>& inputs) {
  if (inputs.size() != generic.inputs.size())
    throw Error("model '" + generic.name + "' takes " + std::to_string(generic.inputs.size()) +
                " input(s), got " + std::to_string(inputs.size()));
  if (!generic.source)
    throw Error("model '" + generic.name +
                "' has no shapes that depend on its inputs: it needs no specialising");
  // Inference stops at a node's first operand that is not constant, so fixing the value inputs
  // found so far may reveal more (a Slice's ends once its starts are known): load until no new
  // one appears. Each round fixes at least one more input, so this ends.
  std::set<std::string> value_inputs(generic.value_inputs.begin(), generic.value_inputs.end());
  for (;;) {
    LoadOptions options = generic.source->options;
    std::string given;  // the deciding inputs, for messages
    for (size_t i = 0; i < inputs.size(); ++i) {
      const std::string& name = generic.inputs[i];
      if (value_inputs.count(name)) {
        options.constant_inputs[name] = inputs[i];
        given += (given.empty() ? "" : ", ") + ("'" + name + "' = " + value_text(inputs[i]));
      } else if (generic.symbolic_axes.count(name)) {
        options.input_shapes[name] = inputs[i].shape();
        given += (given.empty() ? "" : ", ") +
                 ("'" + name + "' of shape " + shape_to_string(inputs[i].shape()));
      }
    }
    Model model = [&] {
      try {
        return load_model_from_bytes(*generic.source->bytes, generic.source->origin, options);
      } catch (const Error& e) {
        throw Error("cannot specialise for input " + given + ": " + e.what());
      }
    }();
    if (!model.value_inputs.empty()) {
      value_inputs.insert(model.value_inputs.begin(), model.value_inputs.end());
      continue;
    }
    model.path = generic.path;
    const Registry& registry = Registry::instance();
    for (const Node& node : model.nodes)
      if (!node.problem.empty() && node.domain.empty() && registry.find_op(node.op_type) &&
          !is_consequence(node.problem))
        throw Error("with input " + given + ", node '" + node.name + "' (" + node.op_type +
                    ") of model '" + model.name + "' has no valid shape: " + node.problem);
    model.load_notes.push_back("specialised for input " + given);
    return model;
  }
}

std::vector<Tensor> remaining_inputs(const Model& generic, const Model& specialized,
                                     const std::vector<Tensor>& inputs) {
  std::vector<Tensor> remaining;
  for (size_t i = 0; i < inputs.size() && i < generic.inputs.size(); ++i)
    if (!specialized.fixed_inputs.count(generic.inputs[i])) remaining.push_back(inputs[i]);
  return remaining;
}

SpecializingSession::SpecializingSession(std::shared_ptr<const Model> generic, Plan plan,
                                         SessionOptions options)
    : generic_(std::move(generic)), plan_(std::move(plan)), options_(options) {
  if (generic_->value_inputs.empty()) {
    session_ = std::make_unique<Session>(generic_, plan_, options_);
    compilations_ = 1;
  }
}

SpecializingSession::~SpecializingSession() = default;

std::vector<Tensor> SpecializingSession::run(const std::vector<Tensor>& inputs) {
  std::string key = deciding_key(*generic_, inputs);
  if (!session_ || key != key_) {
    auto model =
        key.empty() ? generic_ : std::make_shared<const Model>(specialize(*generic_, inputs));
    session_ = std::make_unique<Session>(model, plan_, options_);
    key_ = std::move(key);
    ++compilations_;
  }
  return session_->run(remaining_inputs(*generic_, session_->model(), inputs));
}

}  // namespace algoscope
