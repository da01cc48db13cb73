// tune: the fastest algorithm per layer among those within tolerance of `reference`. Layers whose
// key is in the tuning cache take their measurements from it; the others are measured on the
// values of one run of the engine's default plan (the reference kernel on the same inputs for
// the error, the candidates verified, pruned or timed), and their measurements go into the cache.
// Layers with the same key as an earlier one in the model share its measurements. Layers are
// reported in node order, the ones not measured themselves as the walk passes them. Then whole
// plans are timed end to end: the per-layer choices against the plans of each layout family
// (isolated timings cannot see values that neighbours pass in a native layout) and of one
// algorithm per heavy op (nor caches that the other layers empty), and under the global strategy
// the plan optimizer's (optimize/plan_optimizer.h), solved on the isolated timings and again on
// the kernel times those runs measured; the fastest one is returned.
#include <algorithm>
#include <functional>
#include <map>
#include <memory>
#include <set>

#include "algoscope/algoscope.h"
#include "algoscope/error.h"
#include "algoscope/measure.h"
#include "algoscope/registry_guard.h"
#include "algoscope/tuning_cache.h"
#include "measure/layer_measure.h"
#include "optimize/plan_optimizer.h"

namespace algoscope {
namespace {

// Everything that decides what a layer's measurement would be, except the weights' values: the
// errors in the cache were measured on the model that filled it (see README, "Tuning cache").
std::string tuning_key(const Layer& layer, const std::vector<const Algorithm*>& candidates,
                       int threads, const std::optional<Tolerance>& tolerance, bool conversions) {
  std::set<std::string> names;
  for (const Algorithm* a : candidates) names.insert(a->name);
  std::string key = layer_signature(layer) + " algorithms:";
  for (const std::string& name : names) key += name + ",";
  key += " threads:" + std::to_string(threads) + " tolerance:" +
         (tolerance ? std::to_string(tolerance->atol) + "/" + std::to_string(tolerance->rtol)
                    : std::string("own"));
  // "errors:scaled": entries from before Tolerance::atol was scaled by the output's magnitude
  // judged usability differently and must not be reused; "timing:adaptive": entries from before
  // timings repeated adaptively have five samples and no confidence interval to judge ties by.
  // "conversions": the entry also holds what the plan optimizer needs (native ports, transfers).
  return key + " errors:scaled timing:adaptive" + (conversions ? " conversions" : "") +
         " machine:" + machine_signature() + " engine:" + version();
}

// Decides a layer among its candidates: `reference` (always right) when none is usable.
void decide(TunedLayer& layer, const LayerChoice& choice) {
  layer.algorithm = choice.chosen ? choice.chosen->algorithm : OpDefinition::kReference;
  layer.tied.clear();
  for (const AlgorithmTiming* t : choice.tied) layer.tied.push_back(t->algorithm);
  layer.tie_break = choice.tie_break;
}

// A whole plan to time against the per-layer choices (FamilyPlan once timed): the layers
// (positions in `layers`) it changes.
struct PlanCandidate {
  std::string family, preferred, op_type;  // as in FamilyPlan
  std::map<size_t, std::string> choices;
  // "onednn", "onednn preferring onednn_auto", "Conv by winograd_f2"
  std::string label() const {
    if (family.empty()) return op_type + " by " + preferred;
    return preferred.empty() ? family : family + " preferring " + preferred;
  }
};

using Fits = std::function<bool(const AlgorithmTiming&)>;  // within the memory budget

// The optimizer's filter for the candidates that fit.
optimize::CostModel::Filter fitting(const Fits& fits) {
  return [fits](size_t, const AlgorithmTiming& c) { return fits(c); };
}

// The median of `algorithm` on a layer when it is usable there and fully timed.
std::optional<double> usable_time(const TunedLayer& layer, const std::string& algorithm,
                                  const OpDefinition* op, const Fits& fits) {
  for (const AlgorithmTiming& c : layer.candidates)
    if (c.algorithm == algorithm && fits(c) && choose_algorithm({c}, op).chosen)
      return c.time.median_ms;
  return std::nullopt;
}

// The whole plans worth timing. For each layout family, on the layers where it has a usable
// candidate: one with each layer's fastest member, and one per member usable on two layers or
// more that prefers it. Then the op plans below. A plan is kept when it differs from the per-layer
// plan and from the plans before it, and covers two layers at least: its gain is in what its
// layers do to each other.
std::vector<PlanCandidate> whole_plan_candidates(const std::vector<TunedLayer>& layers,
                                                 const Registry& registry, const Fits& fits) {
  // Per family and layer, the candidates of that family; choose_algorithm ranks them as it ranks
  // a layer's (pruned or failed ones never win: a plan's choice is always fully timed).
  std::map<std::string, std::map<size_t, std::vector<AlgorithmTiming>>> of_family;
  for (size_t i = 0; i < layers.size(); ++i) {
    const OpDefinition* op = registry.find_op(layers[i].op_type);
    for (const AlgorithmTiming& c : layers[i].candidates)
      if (const Algorithm* algorithm = op ? op->find(c.algorithm) : nullptr;
          algorithm && !algorithm->layout_family.empty() && fits(c))
        of_family[algorithm->layout_family][i].push_back(c);
  }
  std::vector<PlanCandidate> plans;
  auto keep = [&](PlanCandidate plan) {
    bool differs = false;
    for (const auto& [i, algorithm] : plan.choices) differs |= algorithm != layers[i].algorithm;
    for (const PlanCandidate& other : plans) differs &= other.choices != plan.choices;
    if (differs && plan.choices.size() >= 2) plans.push_back(std::move(plan));
  };
  for (const auto& [family, per_layer] : of_family) {
    PlanCandidate fastest{family, "", "", {}};
    std::map<std::string, std::map<size_t, std::string>> usable;  // member -> layers it may take
    for (const auto& [i, candidates] : per_layer) {
      const OpDefinition* op = registry.find_op(layers[i].op_type);
      if (const AlgorithmTiming* chosen = choose_algorithm(candidates, op).chosen)
        fastest.choices[i] = chosen->algorithm;
      for (const AlgorithmTiming& c : candidates)
        if (choose_algorithm({c}, op).chosen) usable[c.algorithm][i] = c.algorithm;
    }
    const std::map<size_t, std::string> fastest_choices = fastest.choices;
    keep(std::move(fastest));
    for (auto& [member, layers_taken] : usable) {
      if (layers_taken.size() < 2) continue;
      PlanCandidate preferring{family, member, "", fastest_choices};
      for (auto& [i, algorithm] : layers_taken) preferring.choices[i] = algorithm;
      keep(std::move(preferring));
    }
  }

  // One algorithm for every layer of an op where it is usable. Layers timed alone miss what they
  // do to each other: a transformer's weights outgrow the cache, so in the model every MatMul
  // reads its weights from memory, which suits oneDNN's GEMM better than the algorithm that won
  // each layer alone with its weights cached (BERT-like encoder: 27 against 31 ms). Only ops with
  // a tenth of the time at least, and algorithms at most 1.5x slower than the choices alone on
  // those layers, are worth a whole-plan timing.
  double total_ms = 0;
  std::map<std::string, double> op_ms;
  std::map<std::string, std::vector<size_t>> of_op;
  for (size_t i = 0; i < layers.size(); ++i) {
    const OpDefinition* op = registry.find_op(layers[i].op_type);
    const double ms = usable_time(layers[i], layers[i].algorithm, op, fits).value_or(0);
    total_ms += ms;
    op_ms[layers[i].op_type] += ms;
    of_op[layers[i].op_type].push_back(i);
  }
  for (const auto& [op_type, indices] : of_op) {
    const OpDefinition* op = registry.find_op(op_type);
    if (!op || op_ms[op_type] < 0.1 * total_ms) continue;
    for (const Algorithm& algorithm : op->algorithms) {
      if (!algorithm.layout_family.empty() || algorithm.name == OpDefinition::kReference) continue;
      PlanCandidate uniform{"", algorithm.name, op_type, {}};
      double alone_ms = 0, chosen_ms = 0;
      for (size_t i : indices)
        if (auto ms = usable_time(layers[i], algorithm.name, op, fits)) {
          uniform.choices[i] = algorithm.name;
          alone_ms += *ms;
          chosen_ms += usable_time(layers[i], layers[i].algorithm, op, fits).value_or(*ms);
        }
      if (alone_ms <= 1.5 * chosen_ms) keep(std::move(uniform));
    }
  }
  return plans;
}

std::vector<PlannedValueCost> value_costs_of(const optimize::Prediction& prediction,
                                             const std::vector<TunedLayer>& layers) {
  std::vector<PlannedValueCost> costs;
  for (const optimize::ValueCost& v : prediction.value_costs)
    costs.push_back({v.value, layers[v.producer].node, layers[v.reader].node, v.from_space,
                     v.to_space, v.copy_ms, v.conversion_ms});
  return costs;
}

// What a prediction says a global plan costs.
void take_costs(GlobalPlan& plan, const optimize::Prediction& prediction,
                const std::vector<TunedLayer>& layers) {
  plan.predicted_ms = prediction.predicted_ms;
  plan.kernels_ms = prediction.kernels_ms;
  plan.transfers_ms = prediction.transfers_ms;
  plan.conversions_saved_ms = prediction.conversions_saved_ms;
  plan.value_costs = value_costs_of(prediction, layers);
}

// Each layer's algorithm under `plan`, in layer order (what CostModel::predict takes).
std::vector<std::string> algorithms_in(const Plan& plan, const std::vector<TunedLayer>& layers) {
  std::vector<std::string> algorithms;
  for (const TunedLayer& l : layers) algorithms.push_back(plan.layers.at(l.node));
  return algorithms;
}

// The plan optimizer's plan, and for each layer where it differs from the per-layer choice, what
// the best plan would cost with the per-layer choice there instead.
GlobalPlan global_plan(const optimize::CostModel& costs, const optimize::Prediction& best,
                       const std::vector<TunedLayer>& layers, const Fits& fits) {
  GlobalPlan plan;
  take_costs(plan, best, layers);
  plan.optimal = best.optimal;
  for (size_t i = 0; i < costs.size(); ++i) {
    const optimize::Placement& placement = costs.placements()[i][best.placement[i]];
    PlannedLayer l;
    static_cast<LayerId&>(l) = layers[i];
    l.algorithm = costs.candidate(i, best.placement[i]).algorithm;
    for (size_t k = 0; k < placement.inputs.size(); ++k)
      if (placement.inputs[k].layout) l.native_ports.push_back("input " + std::to_string(k));
    for (size_t k = 0; k < placement.outputs.size(); ++k)
      if (placement.outputs[k].layout) l.native_ports.push_back("output " + std::to_string(k));
    // Alone: as timed in isolation, like the per-layer choice it is compared with; in the plan:
    // the cost model's (calibrated on the runs, when it was).
    l.alone_ms = costs.candidate(i, best.placement[i]).time.median_ms;
    l.cost_ms = placement.cost_ms();
    l.fastest_alone = layers[i].algorithm;
    for (const AlgorithmTiming& c : layers[i].candidates)
      if (c.algorithm == l.fastest_alone) l.fastest_alone_ms = c.time.median_ms;
    if (l.algorithm != l.fastest_alone) {
      ++plan.changed_layers;
      const optimize::Prediction without =
          costs.optimize([&](size_t layer, const AlgorithmTiming& c) {
            return fits(c) && (layer != i || c.algorithm == l.fastest_alone);
          });
      if (without.feasible) l.plan_cost_without_ms = without.predicted_ms - best.predicted_ms;
    }
    plan.layers.push_back(std::move(l));
  }
  return plan;
}

// Makes `plan` the tuned plan: the layers it changes were decided by a whole plan (the
// optimizer's, or the family candidate's), not by a choice among tied candidates.
void adopt(TuneResult& result, const Plan& plan, bool by_optimizer, const std::string& family) {
  for (TunedLayer& layer : result.layers) {
    const std::string& algorithm = plan.layers.at(layer.node);
    if (algorithm == layer.algorithm) continue;
    layer.tied.clear();
    layer.tie_break.clear();
    layer.algorithm = algorithm;
    layer.layout_family = by_optimizer ? "" : family;
    layer.planned_globally = by_optimizer;
  }
  result.plan = plan;
}

// The plan with the per-layer choices replaced by the optimizer's.
Plan plan_of(const TuneResult& result, const GlobalPlan& global) {
  Plan plan = result.per_layer_plan;
  for (const PlannedLayer& l : global.layers) plan.layers[l.node] = l.algorithm;
  return plan;
}

// Times whole plans end to end, runs alternating: the per-layer choices, the whole-plan
// candidates (strategy family and global), the plan optimizer's (global), and the engine's
// default plan, for what tuning gained (isolated layers do not see everything: values passed in
// a native layout, caches the other layers empty, thread pools of different libraries meeting).
// The fastest median that fits the memory budget becomes the tuned plan.
void time_whole_plans(const std::shared_ptr<const Model>& model, Session& default_session,
                      const std::vector<Tensor>& inputs, const Fits& fits,
                      const TuneOptions& options, const Registry& registry,
                      const optimize::CostModel* costs, measure::ProgressReporter& progress,
                      TuneResult& result) {
  std::vector<PlanCandidate> candidates;
  if (options.strategy != TuneStrategy::per_layer)
    candidates = whole_plan_candidates(result.layers, registry, fits);
  std::vector<Plan> plans{result.plan};
  for (const PlanCandidate& candidate : candidates) {
    Plan& plan = plans.emplace_back(result.plan);
    for (const auto& [i, algorithm] : candidate.choices)
      plan.layers[result.layers[i].node] = algorithm;
  }
  // The optimizer's plan is timed once, as itself or as the identical plan timed above.
  size_t global_index = SIZE_MAX;
  if (result.global_plan) {
    const Plan& global = result.global_plan->plan;
    for (size_t k = 0; k < plans.size() && global_index == SIZE_MAX; ++k)
      if (plans[k].layers == global.layers) global_index = k;
    if (global_index == SIZE_MAX) {
      global_index = plans.size();
      plans.push_back(global);
    }
  }
  std::vector<std::unique_ptr<Session>> sessions;
  std::vector<Session*> timed_sessions;
  std::vector<size_t> memory(plans.size());
  // Each plan's cost with the layouts its session negotiated, which the runs use (global only).
  std::vector<optimize::Prediction> predictions(plans.size());
  for (size_t k = 0; k < plans.size(); ++k) {
    sessions.push_back(std::make_unique<Session>(
        model, plans[k], SessionOptions{.threads = options.threads}, registry));
    const Session& compiled = *sessions.back();
    memory[k] = compiled.arena_bytes() + compiled.workspace_bytes();
    timed_sessions.push_back(sessions.back().get());
    if (costs)
      predictions[k] =
          costs->predict(algorithms_in(plans[k], result.layers),
                         [&](const std::string& v) { return compiled.in_native_layout(v); });
  }
  result.per_layer_predicted_ms = predictions[0].predicted_ms;
  timed_sessions.push_back(&default_session);
  progress.add_to_total(
      measure::run_units(timed_sessions.size() - 2, result.warmup, options.repeat));
  std::vector<EndToEndResult> timed = measure::time_sessions(
      timed_sessions, inputs, result.warmup, options.repeat, options.plans_adaptive, progress);
  if (timed[0].partial) {
    result.partial = true;
    return;
  }
  result.default_end_to_end = timed.back();
  timed.pop_back();
  // The fastest median among the plans that fit; the per-layer plan when none does.
  const size_t budget = options.memory_budget_bytes;
  auto fits_budget = [&](size_t k) { return !budget || memory[k] <= budget; };
  size_t fastest = 0;
  for (size_t k = 1; k < plans.size(); ++k)
    if (fits_budget(k) &&
        (!fits_budget(fastest) || timed[k].latency.median_ms < timed[fastest].latency.median_ms))
      fastest = k;

  if (costs && result.global_plan) {
    // The optimizer again, on the kernel times the runs just measured (calibrate): its plan,
    // when new, is timed against the fastest so far, runs alternating.
    optimize::CostModel calibrated = *costs;
    optimize::CostModel::Observations observed;
    for (size_t k = 0; k < plans.size(); ++k)
      for (size_t i = 0; i < predictions[k].placement.size(); ++i) {
        const double ms = timed[k].layers[i].time.median_ms;
        auto [it, inserted] = observed.emplace(std::make_pair(i, predictions[k].placement[i]), ms);
        if (!inserted) it->second = std::min(it->second, ms);
      }
    calibrated.calibrate(observed);
    // The plans just timed seed the solver where it must use its heuristic (DenseNet's dense
    // blocks): the optimizer's plan is then never costlier, under the calibrated model, than one
    // of them.
    std::vector<std::vector<size_t>> known;
    for (const optimize::Prediction& p : predictions) known.push_back(p.placement);
    const optimize::Prediction best = calibrated.optimize(fitting(fits), known);
    GlobalPlan refined = global_plan(calibrated, best, result.layers, fits);
    refined.plan = plan_of(result, refined);
    refined.calibrated = true;
    refined.calibration_scale = calibrated.calibration_scale();
    global_index = SIZE_MAX;
    for (size_t k = 0; k < plans.size() && global_index == SIZE_MAX; ++k)
      if (plans[k].layers == refined.plan.layers) global_index = k;
    const bool is_new = global_index == SIZE_MAX;
    if (is_new) {
      sessions.push_back(std::make_unique<Session>(
          model, refined.plan, SessionOptions{.threads = options.threads}, registry));
      global_index = plans.size();
      plans.push_back(refined.plan);
      memory.push_back(sessions.back()->arena_bytes() + sessions.back()->workspace_bytes());
    }
    // Its cost as the session runs it, predicted before it runs.
    const Session& compiled = *sessions[global_index];
    const std::vector<std::string> algorithms = algorithms_in(refined.plan, result.layers);
    auto natives = [&](const std::string& v) { return compiled.in_native_layout(v); };
    const optimize::Prediction as_run = calibrated.predict(algorithms, natives);
    take_costs(refined, as_run, result.layers);
    refined.isolated_predicted_ms = costs->predict(algorithms, natives).predicted_ms;
    if (is_new) {
      predictions.push_back(as_run);
      progress.add_to_total(measure::run_units(2, result.warmup, options.repeat));
      std::vector<EndToEndResult> pair =
          measure::time_sessions({sessions[global_index].get(), sessions[fastest].get()}, inputs,
                                 result.warmup, options.repeat, options.plans_adaptive, progress);
      if (pair[0].partial) {
        result.partial = true;
        return;
      }
      timed.push_back(pair[0]);
      refined.rival = fastest == 0                   ? "per-layer"
                      : fastest <= candidates.size() ? candidates[fastest - 1].label()
                                                     : "optimizer's first";
      refined.rival_plan = plans[fastest];
      refined.rival_end_to_end = pair[1];
      if (timed[fastest].latency.median_ms > 0)
        refined.drift = pair[1].latency.median_ms / timed[fastest].latency.median_ms;
      if (fits_budget(global_index) && pair[0].latency.median_ms < pair[1].latency.median_ms)
        fastest = global_index;
    }
    result.global_plan = std::move(refined);
  }

  if (!fits_budget(fastest))
    result.notes.push_back("no plan timed fits the memory budget of " + std::to_string(budget) +
                           " bytes; the per-layer plan takes " + std::to_string(memory[0]));
  result.end_to_end = timed[fastest];
  result.value_costs = value_costs_of(predictions[fastest], result.layers);
  if (fastest != 0) result.per_layer_end_to_end = timed[0];
  for (size_t c = 0; c < candidates.size(); ++c) {
    const size_t k = c + 1;
    FamilyPlan family;
    family.family = candidates[c].family;
    family.preferred = candidates[c].preferred;
    family.op_type = candidates[c].op_type;
    family.predicted_ms = predictions[k].predicted_ms;
    family.plan = plans[k];
    family.end_to_end = timed[k];
    family.chosen = k == fastest;
    for (const auto& [i, algorithm] : candidates[c].choices)
      family.layers += algorithm != result.layers[i].algorithm;
    result.family_plans.push_back(std::move(family));
  }
  if (result.global_plan) {
    result.global_plan->end_to_end = timed[global_index];
    result.global_plan->chosen = global_index == fastest;
    result.global_plan->memory_bytes = memory[global_index];
  }
  if (fastest == 0) return;
  adopt(result, plans[fastest], result.global_plan && result.global_plan->chosen,
        fastest <= candidates.size() ? candidates[fastest - 1].family : "");
}

}  // namespace

const char* tune_strategy_name(TuneStrategy strategy) {
  switch (strategy) {
    case TuneStrategy::per_layer:
      return "per-layer";
    case TuneStrategy::family:
      return "family";
    case TuneStrategy::global:
      return "global";
  }
  return "global";
}

std::optional<TuneStrategy> tune_strategy_named(const std::string& name) {
  for (TuneStrategy s : {TuneStrategy::per_layer, TuneStrategy::family, TuneStrategy::global})
    if (name == tune_strategy_name(s)) return s;
  return std::nullopt;
}

TuneResult tune(std::shared_ptr<const Model> model, const TuneOptions& options,
                const Registry& registry) {
  RegistryReadGuard registry_guard(registry);  // plugins may load meanwhile
  if (!model) throw Error("tune: no model");
  // The default plan computes the values the layers are measured on.
  Session session(model, Plan::for_model(*model),
                  {.threads = options.threads, .native_layouts = false}, registry);
  TuneResult result;
  result.threads = session.threads();
  result.warmup = std::max(options.warmup, 1);
  result.repeat = options.repeat;

  std::optional<TuningCache> cache;
  if (options.use_cache) {
    cache.emplace(options.cache_path.empty() ? TuningCache::default_path() : options.cache_path);
    result.cache_path = cache->path();
    if (!cache->problem().empty()) result.notes.push_back(cache->problem());
  }

  result.strategy = options.strategy;
  result.memory_budget_bytes = options.memory_budget_bytes;
  // Under a memory budget, the activations take what they take (in plain layouts); algorithms
  // whose workspace does not fit beside them are never chosen.
  size_t workspace_limit = SIZE_MAX;
  if (options.memory_budget_bytes) {
    if (session.arena_bytes() > options.memory_budget_bytes)
      throw Error("tune: the memory budget of " + std::to_string(options.memory_budget_bytes) +
                  " bytes is less than the model's activations need alone (" +
                  std::to_string(session.arena_bytes()) + " bytes)");
    workspace_limit = options.memory_budget_bytes - session.arena_bytes();
  }
  auto fits = [&](const AlgorithmTiming& c) { return c.workspace_bytes <= workspace_limit; };

  const size_t layer_count = session.layers().size();
  // A layer's result, with the layer's own index and name on it and its candidates.
  auto tuned_layer = [&](size_t index, std::vector<AlgorithmTiming> candidates) {
    auto tuned = measure::result_about<TunedLayer>(session.layers()[index], index);
    for (AlgorithmTiming& c : candidates) static_cast<LayerId&>(c) = tuned;
    std::vector<AlgorithmTiming> fitting;
    for (const AlgorithmTiming& c : candidates)
      if (fits(c)) fitting.push_back(c);
    decide(tuned, choose_algorithm(fitting, registry.find_op(tuned.op_type)));
    tuned.candidates = std::move(candidates);
    return tuned;
  };

  // Layers found in the cache are decided now; of the others, the first with each key is measured
  // and later ones with the same key share its measurements (ResNets repeat their blocks).
  std::vector<std::string> keys(layer_count);
  std::vector<std::optional<TunedLayer>> decided(layer_count);
  std::map<std::string, size_t> measured_with_key;
  std::multimap<size_t, size_t> sharing;  // measured layer -> later layers with the same key
  std::vector<measure::LayerJob> jobs;
  for (size_t i = 0; i < layer_count; ++i) {
    const CompiledLayer& layer = session.layers()[i];
    measure::LayerJob job{i,
                          measure::candidates_for(*registry.find_op(layer.node->op_type), layer)};
    keys[i] = tuning_key(layer.layer, job.algorithms, result.threads, options.tolerance,
                         options.strategy == TuneStrategy::global);
    if (auto hit = cache ? cache->find(keys[i]) : std::nullopt) {
      for (AlgorithmTiming& c : *hit) c.from_cache = true;
      decided[i] = tuned_layer(i, std::move(*hit));
      decided[i]->from_cache = true;
      ++result.cache_hits;
    } else if (auto first = measured_with_key.find(keys[i]); first != measured_with_key.end()) {
      sharing.emplace(first->second, i);
    } else {
      measured_with_key.emplace(keys[i], i);
      jobs.push_back(std::move(job));
    }
  }

  const measure::MeasureSettings settings{result.warmup,
                                          options.repeat,
                                          options.adaptive,
                                          options.prune_factor,
                                          true,
                                          options.tolerance,
                                          options.strategy == TuneStrategy::global};
  size_t units = 0;
  for (const auto& job : jobs) units += measure::job_units(job, settings);
  measure::ProgressReporter progress(options.control, units);

  // Layers are reported in node order: the decided ones before a measured layer go first.
  size_t next_to_report = 0;
  auto report_until = [&](size_t index) {
    for (; next_to_report < index; ++next_to_report)
      if (decided[next_to_report]) {
        if (options.on_layer) options.on_layer(*decided[next_to_report]);
        result.layers.push_back(std::move(*decided[next_to_report]));
      }
  };
  measure::LayerCallbacks callbacks;
  callbacks.on_timing = [&](const AlgorithmTiming& timing) {
    ++result.timings_performed;
    if (options.on_timing) options.on_timing(timing);
  };
  callbacks.on_layer = [&](const measure::LayerJob& job, std::vector<AlgorithmTiming> timings) {
    if (cache) cache->store(keys[job.index], timings);
    auto [first, last] = sharing.equal_range(job.index);
    for (auto it = first; it != last; ++it) {
      decided[it->second] = tuned_layer(it->second, timings);
      decided[it->second]->shared_with = session.layers()[job.index].node->name;
    }
    decided[job.index] = tuned_layer(job.index, std::move(timings));
    report_until(job.index + 1);
  };

  const std::vector<Tensor> inputs = measure::inputs_or_random(*model, options.inputs);
  if (options.measure_end_to_end)
    progress.add_to_total(measure::run_units(2, result.warmup, options.repeat));
  result.partial =
      !measure::measure_layers(session, registry, inputs, jobs, settings, progress, callbacks);
  if (!result.partial) report_until(layer_count);

  if (cache) {
    try {
      const std::string known = cache->problem();
      cache->save();
      if (cache->problem() != known) result.notes.push_back(cache->problem());
    } catch (const Error& e) {
      result.notes.push_back(std::string(e.what()) + "; the measurements are not cached");
    }
  }

  result.plan = Plan::for_model(*model);
  for (const TunedLayer& tuned : result.layers) result.plan.layers[tuned.node] = tuned.algorithm;
  result.per_layer_plan = result.plan;
  std::optional<optimize::CostModel> costs;
  if (options.strategy == TuneStrategy::global && !result.partial) {
    try {
      costs.emplace(*model, result.layers, registry);
      const optimize::Prediction best = costs->optimize(fitting(fits));
      result.global_plan = global_plan(*costs, best, result.layers, fits);
      result.global_plan->plan = plan_of(result, *result.global_plan);
    } catch (const Error& e) {
      // A layer with nothing measured that ran (every candidate failed): the other strategies'
      // plans still stand.
      costs.reset();
      result.global_plan.reset();
      result.notes.push_back(std::string("the plan optimizer was not run: ") + e.what());
    }
  }
  if (options.measure_end_to_end && !result.partial) {
    time_whole_plans(model, session, inputs, fits, options, registry, costs ? &*costs : nullptr,
                     progress, result);
  } else if (result.global_plan) {
    // Nothing timed end to end: the optimizer's prediction decides.
    result.global_plan->chosen = true;
    adopt(result, result.global_plan->plan, true, "");
  }
  result.plan.measurements_json = to_json(result);
  progress.finish();
  return result;
}

}  // namespace algoscope
