// check_plan: the plan against `reference`, layer by layer and end to end. One all-reference run
// supplies every layer's inputs and its reference outputs; at each layer the plan runs something
// else at, the plan's kernel is called on copies of those inputs and its outputs compared. Then
// the plan's own compiled run is compared with the reference run's outputs (and expected ones).
// With propagation, the plan also runs with every layer observed, and each layer's outputs there
// are compared with the reference run's: the error the plan has accumulated by that layer.
#include <algorithm>
#include <map>

#include "algoscope/error.h"
#include "algoscope/measure.h"
#include "algoscope/registry_guard.h"
#include "algoscope/session.h"
#include "measure/layer_measure.h"

namespace algoscope {
namespace {

// max |got - want| over max |want|: an error comparable across layers of any scale.
double relative_error(const ErrorStats& error, double largest_wanted) {
  return largest_wanted > 0 ? error.max_abs_error / largest_wanted : 0;
}

// The plan's run with every layer observed against the reference run's outputs (`wanted`, per
// layer, released as they are compared): each layer's PropagatedError. False when cancelled.
bool propagate(const std::shared_ptr<const Model>& model, const Plan& plan,
               const CheckOptions& options, const Registry& registry,
               const std::vector<Tensor>& inputs, std::vector<std::vector<Tensor>>& wanted,
               std::vector<double>& largest_wanted, measure::ProgressReporter& progress,
               Tolerance tolerance, CheckResult& result) {
  Session observed(model, plan, {.threads = options.threads, .native_layouts = false}, registry);
  // Which layer made each value, for what a layer inherits.
  std::map<std::string, size_t> producer;
  for (size_t i = 0; i < model->nodes.size(); ++i)
    for (const std::string& out : model->nodes[i].outputs)
      if (!out.empty()) producer[out] = i;
  bool cancelled = false;
  observed.run(inputs, [&](size_t index, const KernelIO& io) {
    LayerCheck& check = result.layers.at(index);
    progress.begin(check.node, check.algorithm);
    if (progress.cancelled()) return !(cancelled = true);
    PropagatedError p;
    p.accumulated.tolerance = tolerance;
    for (size_t k = 0; k < io.outputs.size(); ++k)
      accumulate_error(p.accumulated, *io.outputs[k], wanted[index][k]);
    p.accumulated_relative = relative_error(p.accumulated, largest_wanted[index]);
    p.local_relative = relative_error(check.error, largest_wanted[index]);
    for (const std::string& in : model->nodes[index].inputs)
      if (auto made = producer.find(in); made != producer.end() && made->second < index)
        if (const auto& before = result.layers[made->second].propagation)
          p.inherited_relative = std::max(p.inherited_relative, before->accumulated_relative);
    check.propagation = p;
    wanted[index].clear();
    progress.end_unit();
    return true;
  });
  return !cancelled;
}

// The loosest tolerance among the algorithms a session runs: the end-to-end default.
Tolerance loosest_tolerance(const Session& session) {
  Tolerance loosest{0, 0};
  for (const CompiledLayer& layer : session.layers()) {
    loosest.atol = std::max(loosest.atol, layer.algorithm->tolerance.atol);
    loosest.rtol = std::max(loosest.rtol, layer.algorithm->tolerance.rtol);
  }
  return loosest;
}

}  // namespace

bool CheckResult::passed() const {
  return !partial && failed_layers().empty() &&
         std::all_of(outputs.begin(), outputs.end(), [](const auto& o) { return o.passed(); });
}

std::vector<const LayerCheck*> CheckResult::failed_layers() const {
  std::vector<const LayerCheck*> failed;
  for (const LayerCheck& layer : layers)
    if (!layer.passed()) failed.push_back(&layer);
  return failed;
}

CheckResult check_plan(std::shared_ptr<const Model> model, const Plan& plan,
                       const CheckOptions& options, const Registry& registry) {
  RegistryReadGuard registry_guard(registry);  // plugins may load meanwhile
  if (!model) throw Error("check: no model");
  Session chosen(model, plan, {options.threads}, registry);
  Session reference(model, reference_plan(*model),
                    {.threads = options.threads, .native_layouts = false}, registry);
  const std::vector<Tensor> inputs = measure::inputs_or_random(*model, options.inputs);
  // Before the (slow) reference run, so a wrong file fails at once.
  if (!options.expected.empty()) {
    if (options.expected.size() != model->outputs.size())
      throw Error("model '" + model->name + "' has " + std::to_string(model->outputs.size()) +
                  " output(s), got " + std::to_string(options.expected.size()) + " expected");
    for (size_t k = 0; k < options.expected.size(); ++k) {
      const ValueInfo& v = *model->find_value(model->outputs[k]);
      const Tensor& e = options.expected[k];
      if (e.dtype() != v.info.dtype || e.shape() != v.info.shape)
        throw Error("expected output " + std::to_string(k) + " ('" + v.name + "') must be " +
                    dtype_name(v.info.dtype) + " of shape " + shape_to_string(v.info.shape) +
                    ", got " + dtype_name(e.dtype()) + " of shape " + shape_to_string(e.shape()));
    }
  }

  CheckResult result;
  result.threads = chosen.threads();
  result.memory = chosen.memory();
  result.end_to_end_tolerance = options.tolerance ? *options.tolerance : loosest_tolerance(chosen);
  // Units: every layer (the reference run's step and, where the plan differs, the comparison) and
  // the plan's run.
  // With propagation, the observed run adds a unit per layer.
  measure::ProgressReporter progress(options.control,
                                     chosen.layers().size() * (options.propagation ? 2 : 1) + 1);
  // The reference outputs of every layer, kept for propagation.
  std::vector<std::vector<Tensor>> wanted(options.propagation ? chosen.layers().size() : 0);
  std::vector<double> largest_wanted(wanted.size(), 0);

  bool cancelled = progress.cancelled();
  if (cancelled) {
    result.partial = true;
    return result;
  }
  auto stop = [&] {
    cancelled = true;
    return false;
  };
  std::vector<Tensor> reference_outputs =
      reference.run(inputs, [&](size_t index, const KernelIO& io) {
        const CompiledLayer& layer = chosen.layers()[index];
        auto check = measure::result_about<LayerCheck>(layer, index);
        check.algorithm = layer.algorithm->name;
        check.error.tolerance = measure::tolerance_for(*layer.algorithm, options.tolerance);
        progress.begin(check.node, check.algorithm);
        if (progress.cancelled()) return stop();
        if (options.propagation)
          for (const Tensor* out : io.outputs) {
            wanted[index].push_back(out->clone());
            largest_wanted[index] = std::max(largest_wanted[index], largest_magnitude(*out));
          }
        if (check.algorithm == OpDefinition::kReference) {
          for (const Tensor* out : io.outputs) check.error.elements += out->numel();
        } else {
          check.compared = true;
          try {
            measure::IsolatedKernel kernel(*layer.algorithm, layer.layer, io);
            kernel.run();
            for (size_t k = 0; k < io.outputs.size(); ++k)
              accumulate_error(check.error, kernel.outputs()[k], *io.outputs[k]);
          } catch (const std::exception& e) {
            check.failure = e.what();
          }
        }
        progress.end_unit();
        if (options.on_layer) options.on_layer(check);
        result.layers.push_back(std::move(check));
        return progress.cancelled() ? stop() : true;
      });
  result.partial = cancelled;
  if (cancelled) return result;
  if (options.propagation &&
      !propagate(model, plan, options, registry, inputs, wanted, largest_wanted, progress,
                 result.end_to_end_tolerance, result)) {
    result.partial = true;
    return result;
  }

  progress.begin("", "");
  // The token is looked at between kernels through the timing hook, not an observer: the plan's
  // own session may pass values between oneDNN neighbours in blocked layouts, which refuses
  // observers, and checking exactly that run is the point.
  struct Stopped {};
  chosen.set_timing_hook([&](size_t, double) {
    if (progress.cancelled()) throw Stopped{};
  });
  std::vector<Tensor> outputs;
  try {
    outputs = chosen.run(inputs);
  } catch (const Stopped&) {
    result.partial = true;  // stopped by the token
    return result;
  }
  progress.end_unit();
  for (size_t k = 0; k < outputs.size(); ++k) {
    OutputCheck output;
    output.name = model->outputs[k];
    output.vs_reference =
        compare_tensors(outputs[k], reference_outputs[k], result.end_to_end_tolerance);
    if (!options.expected.empty())
      output.vs_expected =
          compare_tensors(outputs[k], options.expected[k], result.end_to_end_tolerance);
    result.outputs.push_back(std::move(output));
  }
  progress.finish();
  return result;
}

}  // namespace algoscope
