// Timing services: algorithms on layers in isolation (time_layers), a compiled plan end to end
// (time_end_to_end), and two plans side by side (compare_plans).
#include <algorithm>
#include <set>
#include <tuple>

#include "algoscope/error.h"
#include "algoscope/measure.h"
#include "algoscope/registry_guard.h"
#include "algoscope/session.h"
#include "measure/layer_measure.h"

namespace algoscope {

double EndToEndResult::overhead_percent() const {
  return kernel_sum.median_ms > 0 ? 100 * overhead.median_ms / kernel_sum.median_ms : 0;
}

size_t PlanComparison::differing_layers() const {
  return static_cast<size_t>(
      std::count_if(layers.begin(), layers.end(), [](const auto& l) { return l.differs(); }));
}

double PlanComparison::latency_ratio() const {
  return a.latency.median_ms > 0 ? b.latency.median_ms / a.latency.median_ms : 0;
}

LayerChoice choose_algorithm(const std::vector<AlgorithmTiming>& candidates,
                             const OpDefinition* op) {
  std::vector<const AlgorithmTiming*> competing;
  for (const AlgorithmTiming& c : candidates)
    if (c.usable() && !c.pruned && c.time.samples > 0) competing.push_back(&c);
  LayerChoice choice;
  if (competing.empty()) return choice;
  const AlgorithmTiming* fastest = *std::min_element(
      competing.begin(), competing.end(),
      [](const auto* a, const auto* b) { return a->time.median_ms < b->time.median_ms; });
  std::vector<const AlgorithmTiming*> tied;
  for (const AlgorithmTiming* c : competing)
    if (c == fastest || (c->time.median_ms <= fastest->time.median_ms * (1 + kTieMargin) &&
                         c->time.ci_low_ms <= fastest->time.ci_high_ms))
      tied.push_back(c);
  if (tied.size() == 1) {
    choice.chosen = fastest;
    return choice;
  }
  // The tie-breaking keys in order; registry order last, so that the ranking is total.
  auto error_of = [](const AlgorithmTiming* c) { return c->error ? c->error->max_abs_error : 0.0; };
  auto position = [&](const AlgorithmTiming* c) -> size_t {
    if (op)
      for (size_t i = 0; i < op->algorithms.size(); ++i)
        if (op->algorithms[i].name == c->algorithm) return i;
    return size_t(std::find(competing.begin(), competing.end(), c) - competing.begin());
  };
  auto key = [&](const AlgorithmTiming* c) {
    return std::make_tuple(error_of(c), c->workspace_bytes, position(c));
  };
  std::sort(tied.begin(), tied.end(),
            [&](const auto* a, const auto* b) { return key(a) < key(b); });
  choice.chosen = tied[0];
  choice.tie_break = error_of(tied[0]) != error_of(tied[1])                 ? "lower error"
                     : tied[0]->workspace_bytes != tied[1]->workspace_bytes ? "less workspace"
                                                                            : "registry order";
  choice.tied.assign(tied.begin() + 1, tied.end());
  return choice;
}

LayerTimingResult time_layers(std::shared_ptr<const Model> model, const Plan& plan,
                              const LayerTimingOptions& options, const Registry& registry) {
  RegistryReadGuard registry_guard(registry);  // plugins may load meanwhile
  if (!model) throw Error("time_layers: no model");
  for (const std::string& name : options.nodes)
    if (!model->find_node(name)) throw Error("the model has no node named '" + name + "'");
  Session session(model, plan, {.threads = options.threads, .native_layouts = false}, registry);

  std::vector<measure::LayerJob> jobs;
  std::set<std::string> named_somewhere;
  for (size_t i = 0; i < session.layers().size(); ++i) {
    const CompiledLayer& layer = session.layers()[i];
    if (!options.nodes.empty() && std::find(options.nodes.begin(), options.nodes.end(),
                                            layer.node->name) == options.nodes.end())
      continue;
    const OpDefinition& op = *registry.find_op(layer.node->op_type);
    for (const std::string& name : options.algorithms)
      if (op.find(name)) named_somewhere.insert(name);
    measure::LayerJob job{i, measure::candidates_for(op, layer, options.algorithms)};
    if (!job.algorithms.empty()) jobs.push_back(std::move(job));
  }
  for (const std::string& name : options.algorithms)
    if (!named_somewhere.count(name))
      throw Error("no layer to time has an algorithm named '" + name + "'");

  measure::MeasureSettings settings{std::max(options.warmup, 1), options.repeat, options.adaptive,
                                    options.prune_factor,        options.verify, options.tolerance};
  size_t units = 0;
  for (const auto& job : jobs) units += measure::job_units(job, settings);
  measure::ProgressReporter progress(options.control, units);

  LayerTimingResult result;
  result.threads = session.threads();
  measure::LayerCallbacks callbacks;
  callbacks.on_timing = [&](const AlgorithmTiming& t) {
    ++result.timings_performed;
    if (options.on_timing) options.on_timing(t);
  };
  callbacks.on_layer = [&](const measure::LayerJob&, std::vector<AlgorithmTiming> timings) {
    for (auto& t : timings) result.timings.push_back(std::move(t));
  };
  const std::vector<Tensor> inputs = measure::inputs_or_random(*model, options.inputs);
  result.partial =
      !measure::measure_layers(session, registry, inputs, jobs, settings, progress, callbacks);
  progress.finish();
  return result;
}

EndToEndResult time_end_to_end(std::shared_ptr<const Model> model, const Plan& plan,
                               const EndToEndOptions& options, const Registry& registry) {
  RegistryReadGuard registry_guard(registry);  // plugins may load meanwhile
  if (!model) throw Error("time_end_to_end: no model");
  Session session(model, plan, {options.threads}, registry);
  measure::ProgressReporter progress(options.control,
                                     measure::run_units(1, options.warmup, options.repeat));
  EndToEndResult result =
      std::move(measure::time_sessions(
                    {&session}, measure::inputs_or_random(*model, options.inputs), options.warmup,
                    options.repeat, options.adaptive, progress,
                    [&](size_t, const RepeatReport& report) {
                      if (options.on_repeat) options.on_repeat(report);
                    },
                    options.trace)
                    .front());
  progress.finish();
  return result;
}

PlanComparison compare_plans(std::shared_ptr<const Model> model, const Plan& a, const Plan& b,
                             const EndToEndOptions& options, const Registry& registry) {
  RegistryReadGuard registry_guard(registry);  // plugins may load meanwhile
  if (!model) throw Error("compare_plans: no model");
  Session session_a(model, a, {options.threads}, registry);
  Session session_b(model, b, {options.threads}, registry);
  measure::ProgressReporter progress(options.control,
                                     measure::run_units(2, options.warmup, options.repeat));
  std::vector<EndToEndResult> timed = measure::time_sessions(
      {&session_a, &session_b}, measure::inputs_or_random(*model, options.inputs), options.warmup,
      options.repeat, options.adaptive, progress);
  progress.finish();

  PlanComparison result;
  result.a = std::move(timed[0]);
  result.b = std::move(timed[1]);
  result.partial = result.a.partial || result.b.partial;
  for (size_t i = 0; i < result.a.layers.size(); ++i) {
    const LayerTime& la = result.a.layers[i];
    const LayerTime& lb = result.b.layers[i];
    result.layers.push_back(
        {la.index, la.node, la.op_type, la.algorithm, lb.algorithm, la.time, lb.time});
  }
  return result;
}

}  // namespace algoscope
