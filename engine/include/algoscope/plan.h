// Plans: which algorithm computes each layer. A plan names algorithms per node (by ONNX node name),
// per op type, and otherwise leaves the choice to the engine ("default"). Plans are JSON on disk in
// the "algoscope-plan" format, version 1, tied to a model by its fingerprint.
#pragma once

#include <map>
#include <string>

#include "algoscope/graph.h"
#include "algoscope/registry.h"

namespace algoscope {

class Plan {
 public:
  // The algorithm name that means "let the engine choose": algoscope::kDefault (registry.h).
  static inline const std::string& kDefault = algoscope::kDefault;

  std::string model_name;
  std::string model_fingerprint;                // empty: not tied to a model
  std::map<std::string, std::string> defaults;  // op type -> algorithm
  std::map<std::string, std::string> layers;    // node name -> algorithm
  std::string measurements_json;                // JSON object kept verbatim ("" when none)

  // A plan for `model` with nothing chosen (everything default).
  static Plan for_model(const Model& model);
  // Parse; throws Error naming `origin` and what is malformed.
  static Plan from_json(const std::string& text, const std::string& origin = "plan");
  static Plan load(const std::string& path);
  std::string to_json() const;
  void save(const std::string& path) const;

  // Same model, same choices and the same measurements (as JSON values: spacing and key order
  // do not count). Cheaper than comparing to_json() texts, which editors would do on every change.
  bool operator==(const Plan& other) const;

  // The name requested for a node: its layer entry, else its op type's default, else kDefault.
  const std::string& requested(const Node& node) const;
};

// Checks a plan against a model and a registry and throws one Error listing every problem, each
// naming the node (or op type) and why: unknown node, unknown op type, unknown algorithm,
// per-layer algorithm not applicable to the node, fingerprint mismatch.
// The plan that runs every layer of `model` with `reference`: the ground truth.
Plan reference_plan(const Model& model);

void validate_plan(const Plan& plan, const Model& model,
                   const Registry& registry = Registry::instance());

// The algorithm that will compute a node under a plan (resolving "default"). Throws Error when the
// requested algorithm is unknown, or when a per-layer choice does not apply (naming the node and
// the reason). An op-type default that does not apply to this layer falls back to the engine's
// choice, described in *note when given.
const Algorithm& resolve_algorithm(const Plan& plan, const Layer& layer,
                                   const Registry& registry = Registry::instance(),
                                   std::string* note = nullptr);

}  // namespace algoscope
