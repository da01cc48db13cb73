// Plan JSON (format "algoscope-plan", version 1) and its validation against a model. Validation
// collects every problem before failing, so a person fixes a plan in one pass.
#include "algoscope/plan.h"

#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string_view>
#include <unordered_set>

#include "algoscope/error.h"
#include "algoscope/file_io.h"
#include "algoscope/registry_guard.h"

namespace algoscope {

namespace {
constexpr const char* kFormat = "algoscope-plan";
constexpr int kVersion = 1;

std::map<std::string, std::string> string_map(const nlohmann::json& j, const std::string& key,
                                              const std::string& origin) {
  std::map<std::string, std::string> out;
  if (!j.contains(key)) return out;
  const auto& obj = j.at(key);
  if (!obj.is_object()) throw Error(origin + ": \"" + key + "\" must be an object");
  for (const auto& [k, v] : obj.items()) {
    if (!v.is_string())
      throw Error(origin + ": \"" + key + "\" entry \"" + k +
                  "\" must be an algorithm name (a string)");
    out[k] = v.get<std::string>();
  }
  return out;
}
}  // namespace

Plan Plan::for_model(const Model& model) {
  Plan plan;
  plan.model_name = model.name;
  plan.model_fingerprint = model.fingerprint;
  return plan;
}

Plan Plan::from_json(const std::string& text, const std::string& origin) {
  nlohmann::json j;
  try {
    j = nlohmann::json::parse(text);
  } catch (const nlohmann::json::exception& e) {
    // Not only parse_error: a number too large for a double is out_of_range.
    throw Error(origin + " is not valid JSON: " + e.what());
  }
  if (!j.is_object()) throw Error(origin + ": a plan must be a JSON object");
  if (!j.contains("format") || !j["format"].is_string() ||
      j["format"].get<std::string>() != kFormat)
    throw Error(origin + ": \"format\" must be \"" + kFormat + "\"");
  if (!j.contains("version") || !j["version"].is_number_integer() ||
      j["version"].get<int>() != kVersion)
    throw Error(origin + ": unsupported plan \"version\" (this build reads version " +
                std::to_string(kVersion) + ")");
  Plan plan;
  if (j.contains("model")) {
    const auto& m = j["model"];
    if (!m.is_object()) throw Error(origin + ": \"model\" must be an object");
    if (m.contains("name") && !m["name"].is_string())
      throw Error(origin + ": \"model.name\" must be a string");
    if (m.contains("fingerprint") && !m["fingerprint"].is_string())
      throw Error(origin + ": \"model.fingerprint\" must be a string");
    plan.model_name = m.value("name", "");
    plan.model_fingerprint = m.value("fingerprint", "");
  }
  plan.defaults = string_map(j, "defaults", origin);
  plan.layers = string_map(j, "layers", origin);
  if (j.contains("measurements")) {
    if (!j["measurements"].is_object())
      throw Error(origin + ": \"measurements\" must be an object");
    plan.measurements_json = j["measurements"].dump();
  }
  for (const auto& [key, value] : j.items())
    if (key != "format" && key != "version" && key != "model" && key != "defaults" &&
        key != "layers" && key != "measurements")
      throw Error(origin + ": unknown key \"" + key + "\"");
  return plan;
}

Plan Plan::load(const std::string& path) {
  std::ifstream in(path);
  if (!in) throw Error("cannot open plan file '" + path + "'");
  std::stringstream buffer;
  buffer << in.rdbuf();
  return from_json(buffer.str(), "plan '" + path + "'");
}

bool Plan::operator==(const Plan& other) const {
  if (model_name != other.model_name || model_fingerprint != other.model_fingerprint ||
      defaults != other.defaults || layers != other.layers)
    return false;
  if (measurements_json == other.measurements_json) return true;
  // The same measurements read from a file and made by tune differ in spacing and key order.
  if (measurements_json.empty() || other.measurements_json.empty()) return false;
  return nlohmann::json::parse(measurements_json) == nlohmann::json::parse(other.measurements_json);
}

std::string Plan::to_json() const {
  nlohmann::ordered_json j;
  j["format"] = kFormat;
  j["version"] = kVersion;
  j["model"] = {{"name", model_name}, {"fingerprint", model_fingerprint}};
  j["defaults"] = nlohmann::ordered_json::object();
  for (const auto& [k, v] : defaults) j["defaults"][k] = v;
  j["layers"] = nlohmann::ordered_json::object();
  for (const auto& [k, v] : layers) j["layers"][k] = v;
  if (!measurements_json.empty())
    j["measurements"] = nlohmann::ordered_json::parse(measurements_json);
  return j.dump(2) + "\n";
}

void Plan::save(const std::string& path) const {
  write_file_atomically(path, to_json(), "plan file");
}

const std::string& Plan::requested(const Node& node) const {
  if (auto it = layers.find(node.name); it != layers.end()) return it->second;
  if (auto it = defaults.find(node.op_type); it != defaults.end()) return it->second;
  return kDefault;
}

const Algorithm& resolve_algorithm(const Plan& plan, const Layer& layer, const Registry& registry,
                                   std::string* note) {
  RegistryReadGuard registry_guard(registry);  // plugins may load meanwhile
  const Node& node = layer.n();
  const std::string& name = plan.requested(node);
  if (name == Plan::kDefault) return registry.default_algorithm(layer);
  const OpDefinition* op = registry.find_op(node.op_type);
  if (!op) throw Error("node '" + node.name + "': op type " + node.op_type + " is not supported");
  const Algorithm* algorithm = op->find(name);
  if (!algorithm) {
    std::string known;
    for (const Algorithm& a : op->algorithms) known += (known.empty() ? "" : ", ") + a.name;
    throw Error("node '" + node.name + "' (" + node.op_type + "): unknown algorithm '" + name +
                "' (known: " + known + ")");
  }
  if (auto why = algorithm->why_not(layer)) {
    // An op-type default covers the layers it fits; the others keep the engine's choice.
    if (!plan.layers.count(node.name)) {
      const Algorithm& fallback = registry.default_algorithm(layer);
      if (note)
        *note = "node '" + node.name + "': " + name + " does not apply (" + *why + "); using " +
                fallback.name;
      return fallback;
    }
    throw Error("node '" + node.name + "' (" + node.op_type + "): algorithm '" + name +
                "' is not applicable: " + *why);
  }
  return *algorithm;
}

void validate_plan(const Plan& plan, const Model& model, const Registry& registry) {
  RegistryReadGuard registry_guard(registry);  // plugins may load meanwhile
  std::vector<std::string> problems;
  if (!plan.model_fingerprint.empty() && plan.model_fingerprint != model.fingerprint)
    problems.push_back("model fingerprint mismatch: the plan was made for model '" +
                       plan.model_name + "' (" + plan.model_fingerprint + "), this model is '" +
                       model.name + "' (" + model.fingerprint + ")");
  for (const auto& [op_type, name] : plan.defaults) {
    const OpDefinition* op = registry.find_op(op_type);
    if (!op)
      problems.push_back("defaults: unknown op type '" + op_type + "'");
    else if (name != Plan::kDefault && !op->find(name))
      problems.push_back("defaults: op " + op_type + " has no algorithm '" + name + "'");
  }
  // A set, not a search per entry: a tuned plan names every node of the model.
  // A node a loader pass merged into another one (a plan from before that fusion names it) is no
  // layer any more: its entry is ignored, as its work is the merging node's.
  std::unordered_set<std::string> node_names, merged;
  for (const Node& node : model.nodes) {
    node_names.insert(node.name);
    for (const std::string& name : node.merged_nodes()) merged.insert(name);
  }
  for (const auto& [node_name, name] : plan.layers)
    if (!node_names.count(node_name) && !merged.count(node_name))
      problems.push_back("layers: the model has no node named '" + node_name + "'");
  for (const Node& node : model.nodes) {
    if (!node.domain.empty() || !registry.find_op(node.op_type) || !node.problem.empty()) continue;
    bool explicit_choice = plan.layers.count(node.name) || plan.defaults.count(node.op_type);
    if (!explicit_choice) continue;
    try {
      resolve_algorithm(plan, make_layer(model, node), registry);
    } catch (const Error& e) {
      // Op-type defaults that do not fit some layers are reported per layer too.
      problems.push_back(e.what());
    }
  }
  if (problems.empty()) return;
  std::string message = "the plan does not fit the model:";
  for (const auto& p : problems) message += "\n  " + p;
  throw Error(message);
}

Plan reference_plan(const Model& model) {
  Plan plan = Plan::for_model(model);
  for (const Node& node : model.nodes) plan.defaults[node.op_type] = kReference;
  return plan;
}

}  // namespace algoscope
