// See model_arguments.h.
#include "cli/model_arguments.h"

#include <iostream>

namespace algoscope::cli {

double ms_since(Clock::time_point start) {
  return std::chrono::duration<double, std::milli>(Clock::now() - start).count();
}

std::string one_model(const Arguments& a, const std::string& command) {
  if (a.positional.size() != 1)
    throw UsageError(command + " takes exactly one MODEL argument, got " +
                     std::to_string(a.positional.size()));
  return a.positional[0];
}

std::shared_ptr<const Model> load(const std::string& path, double* load_ms) {
  auto start = Clock::now();
  auto model = std::make_shared<const Model>(load_model(path));
  if (load_ms) *load_ms = ms_since(start);
  return model;
}

Plan build_plan(const Arguments& a, const Model& model) {
  Plan plan = a.value("--plan") ? Plan::load(*a.value("--plan")) : Plan::for_model(model);
  for (const auto& sel : a.values("--select")) {
    auto eq = sel.find('=');
    if (eq == std::string::npos || eq == 0 || eq + 1 == sel.size())
      throw UsageError("--select needs OP=ALGORITHM (e.g. Conv=im2col), got '" + sel + "'");
    plan.defaults[sel.substr(0, eq)] = sel.substr(eq + 1);
  }
  validate_plan(plan, model);
  for (const Node& node : model.nodes) {
    if (!node.problem.empty() || !Registry::instance().find_op(node.op_type)) continue;
    std::string note;
    resolve_algorithm(plan, make_layer(model, node), Registry::instance(), &note);
    if (!note.empty()) std::cerr << "note: " << note << "\n";
  }
  return plan;
}

std::vector<Tensor> model_inputs(const Arguments& a, std::shared_ptr<const Model>& model) {
  auto dir = a.value("--inputs");
  if (!dir && !model->value_inputs.empty()) {
    std::string names;
    for (const auto& name : model->value_inputs)
      names += (names.empty() ? "'" : ", '") + name + "'";
    throw Error("the shapes of model '" + model->name + "' depend on the value of input " + names +
                ": give the inputs with --inputs DIR (input_K.pb files) to run it");
  }
  std::vector<Tensor> inputs = dir ? read_tensor_dir(*dir, "input") : random_inputs(*model);
  if (inputs.size() != model->inputs.size())
    throw Error("'" + *dir + "' has " + std::to_string(inputs.size()) +
                " input file(s), the model takes " + std::to_string(model->inputs.size()));
  if (!needs_specialization(*model, inputs)) return inputs;
  auto generic = model;
  model = std::make_shared<const Model>(specialize(*generic, inputs));
  std::cerr << "note: " << model->load_notes.back() << "\n";
  return remaining_inputs(*generic, *model, inputs);
}

std::optional<Tolerance> tolerance_override(const Arguments& a) {
  if (a.has("--atol") != a.has("--rtol"))
    throw UsageError("--atol and --rtol go together (give both)");
  if (!a.has("--atol")) return std::nullopt;
  return Tolerance{a.double_value("--atol", 0), a.double_value("--rtol", 0)};
}

}  // namespace algoscope::cli
