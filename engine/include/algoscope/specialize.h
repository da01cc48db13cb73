// Models whose shapes depend on their inputs: a runtime input that feeds a shape-like operand (a
// Reshape's shape, Slice bounds, a Resize's sizes: Model::value_inputs), or one whose file names
// a dimension (a dynamic batch or sequence axis: Model::symbolic_axes). Such a model loads for
// viewing; specialize() loads it again with those values fixed and those sizes set, so every shape
// is static, and SpecializingSession does that whenever the inputs it is given call for it.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "algoscope/graph.h"
#include "algoscope/plan.h"
#include "algoscope/session.h"

namespace algoscope {

// Whether `inputs` (all of the model's runtime inputs, in order) need another model than `model`:
// the model has value inputs, or an input's size on a named axis differs from the model's.
bool needs_specialization(const Model& model, const std::vector<Tensor>& inputs);

// `generic` loaded again for `inputs` (all of its runtime inputs, in order): value inputs become
// constants, named axes take the inputs' sizes. Throws Error naming the input, its value and the
// node when the values make an invalid shape, and naming the input and axis when a size
// contradicts the file.
Model specialize(const Model& generic, const std::vector<Tensor>& inputs);

// The tensors of `inputs` (the generic model's runtime inputs) that `specialized` still takes.
std::vector<Tensor> remaining_inputs(const Model& generic, const Model& specialized,
                                     const std::vector<Tensor>& inputs);

// A session over a model that may need specialising: run() takes all of the generic model's
// inputs and compiles again whenever the values or sizes that decide shapes change.
class SpecializingSession {
 public:
  // Compiles at once when the model needs nothing from its inputs (errors show here then).
  SpecializingSession(std::shared_ptr<const Model> generic, Plan plan, SessionOptions options = {});
  ~SpecializingSession();

  std::vector<Tensor> run(const std::vector<Tensor>& inputs);

  // The session the last run used (or the one compiled at construction); null before.
  Session* session() const { return session_.get(); }
  // How many times it compiled (1 for a model that needs nothing from its inputs).
  size_t compilations() const { return compilations_; }

 private:
  std::shared_ptr<const Model> generic_;
  Plan plan_;
  SessionOptions options_;
  std::unique_ptr<Session> session_;
  std::string key_;  // what decided the shapes the session was compiled for ("": generic)
  size_t compilations_ = 0;
};

}  // namespace algoscope
