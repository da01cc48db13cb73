// What several commands read from their arguments the same way: the MODEL, the plan from --plan
// and --select, the inputs from --inputs, and the tolerance from --atol/--rtol.
#pragma once

#include <chrono>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "algoscope/algoscope.h"
#include "cli/arguments.h"

namespace algoscope::cli {

using Clock = std::chrono::steady_clock;
double ms_since(Clock::time_point start);

// The one positional MODEL argument (UsageError otherwise).
std::string one_model(const Arguments& a, const std::string& command);
std::shared_ptr<const Model> load(const std::string& path, double* load_ms = nullptr);
// The plan from --plan and --select; prints on stderr where an op-type choice falls back.
Plan build_plan(const Arguments& a, const Model& model);
// DIR/input_K.pb from --inputs (checked against the model's input count), else seeded random.
// Where the model's shapes depend on its inputs' values or sizes (specialize.h), `model` becomes
// the model specialised for them and the result holds the inputs that model still takes; call it
// before building the plan, which is checked against that model.
std::vector<Tensor> model_inputs(const Arguments& a, std::shared_ptr<const Model>& model);
// --atol and --rtol, which go together; nullopt when neither is given.
std::optional<Tolerance> tolerance_override(const Arguments& a);

}  // namespace algoscope::cli
