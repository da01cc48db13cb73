// See json.h; the documented shapes are in README.md ("Measurement JSON"). Times are in
// milliseconds under keys ending in _ms; infinities (a NaN result) become null.
#include "measure/json.h"

#include <cmath>
#include <limits>
#include <set>
#include <string>
#include <utility>

#include "algoscope/algoscope.h"
#include "algoscope/error.h"
#include "algoscope/tuning_cache.h"

namespace algoscope {
namespace measure {
namespace {

json number(double value) { return std::isfinite(value) ? json(value) : json(nullptr); }

// An integer field read back from a file: nlohmann's get<T>() casts whatever number it finds, and
// a float outside T's range (a hand-edited or corrupt cache) makes that cast undefined behaviour.
template <class T>
T integer_field(const json& j, const char* key) {
  const json& value = j.at(key);
  if (value.is_number_unsigned()) {
    if (const auto u = value.get<uint64_t>(); std::in_range<T>(u)) return static_cast<T>(u);
  } else if (value.is_number_integer()) {
    if (const auto i = value.get<int64_t>(); std::in_range<T>(i)) return static_cast<T>(i);
  }
  throw Error(std::string("\"") + key + "\" is " + value.dump() + ", not an integer from " +
              std::to_string(std::numeric_limits<T>::min()) + " to " +
              std::to_string(std::numeric_limits<T>::max()));
}

json layer_header(const LayerId& layer) {
  return {{"index", layer.index}, {"name", layer.node}, {"op", layer.op_type}};
}

}  // namespace

json to_json_value(const TimingStats& s) {
  return {{"median", s.median_ms},
          {"min", s.min_ms},
          {"max", s.max_ms},
          {"q1", s.q1_ms},
          {"q3", s.q3_ms},
          {"iqr", s.iqr_ms()},
          {"ci_low", s.ci_low_ms},
          {"ci_high", s.ci_high_ms},
          {"ci_relative", s.ci_relative()},
          {"outliers", s.outliers},
          {"unstable", s.unstable()},
          {"stop", sampling_stop_name(s.stop)},
          {"samples", s.samples}};
}

json to_json_value(const ErrorStats& s) {
  return {{"max_abs_error", number(s.max_abs_error)},
          {"max_rel_error", number(s.max_rel_error)},
          {"mismatches", s.mismatches},
          {"elements", s.elements},
          {"atol", s.tolerance.atol},
          {"rtol", s.tolerance.rtol},
          {"scale", s.scale},
          {"passed", s.passed()}};
}

json to_json_value(const AlgorithmTiming& t) {
  json j = layer_header(t);
  j["algorithm"] = t.algorithm;
  j["time_ms"] = to_json_value(t.time);
  j["flops"] = t.flops;
  j["gflops"] = t.gflops();
  j["workspace_bytes"] = t.workspace_bytes;
  j["prepared_bytes"] = t.prepared_bytes;
  j["traffic_bytes"] = t.traffic_bytes;
  j["intensity"] = t.intensity();
  j["error"] = t.error ? to_json_value(*t.error) : json(nullptr);
  j["pruned"] = t.pruned;
  j["from_cache"] = t.from_cache;
  j["failure"] = t.failure;
  if (t.conversions_measured) {
    j["memory_space"] = t.memory_space;
    j["carrying"] = layout_carrying_name(t.carrying);
    j["channels_last_ms"] = t.channels_last_ms;
    j["shares_buffers"] = t.shares_buffers;
    j["native_ports"] = json::array();
    for (const NativePort& port : t.native_ports)
      j["native_ports"].push_back({{"output", port.output},
                                   {"index", port.index},
                                   {"layout", port.layout.key},
                                   {"bytes", port.layout.bytes},
                                   {"channel_concat_key", port.layout.channel_concat_key},
                                   {"channels_last", port.layout.channels_last},
                                   {"conversion_ms", port.conversion_ms}});
    j["upload_ms"] = t.upload_ms;
    j["download_ms"] = t.download_ms;
  }
  return j;
}

json to_json_value(const MemoryReport& m) {
  json steps = json::array();
  for (const MemoryStep& s : m.steps)
    steps.push_back({{"name", s.name},
                     {"layer", s.layer},
                     {"live_bytes", s.live_bytes},
                     {"workspace_bytes", s.workspace_bytes},
                     {"in_use_bytes", s.in_use()},
                     {"largest_value", s.largest_value},
                     {"largest_value_bytes", s.largest_value_bytes}});
  json peak = nullptr;
  if (!m.steps.empty())
    peak = {{"step", m.peak_step},
            {"name", m.peak().name},
            {"in_use_bytes", m.peak().in_use()},
            {"value", m.peak().largest_value}};
  return {{"peak", peak},
          {"weights_bytes", m.weights_bytes},
          {"prepared_bytes", m.prepared_bytes},
          {"device_copy_bytes", m.device_copy_bytes},
          {"arena_bytes", m.arena_bytes},
          {"activation_bytes", m.activation_bytes},
          {"workspace_bytes", m.workspace_bytes},
          {"input_output_bytes", m.input_output_bytes},
          {"held_bytes", m.held_bytes()},
          {"steps", steps}};
}

json summary_json(const EndToEndResult& r) {
  return {{"partial", r.partial},
          {"threads", r.threads},
          {"flops", r.flops},
          {"arena_bytes", r.arena_bytes},
          {"workspace_bytes", r.workspace_bytes},
          {"latency_ms", to_json_value(r.latency)},
          {"kernel_sum_ms", to_json_value(r.kernel_sum)},
          {"transfer_sum_ms", to_json_value(r.transfer_sum)},
          {"overhead_ms", to_json_value(r.overhead)},
          {"overhead_percent", r.overhead_percent()}};
}

TimingStats timing_stats_from_json(const json& j) {
  TimingStats s;
  s.median_ms = j.at("median").get<double>();
  s.min_ms = j.at("min").get<double>();
  s.max_ms = j.at("max").get<double>();
  s.q1_ms = j.at("q1").get<double>();
  s.q3_ms = j.at("q3").get<double>();
  s.samples = integer_field<int>(j, "samples");
  // Written since timings repeat adaptively; a cache from before has none of them: its interval
  // is taken as the whole range, which is what order statistics give for five samples.
  s.ci_low_ms = j.contains("ci_low") ? j.at("ci_low").get<double>() : s.min_ms;
  s.ci_high_ms = j.contains("ci_high") ? j.at("ci_high").get<double>() : s.max_ms;
  s.outliers = j.contains("outliers") ? integer_field<int>(j, "outliers") : 0;
  if (j.contains("stop")) {
    const std::string stop = j.at("stop").get<std::string>();
    bool known = false;
    for (SamplingStop candidate :
         {SamplingStop::count, SamplingStop::converged, SamplingStop::budget, SamplingStop::limit})
      if (stop == sampling_stop_name(candidate)) {
        s.stop = candidate;
        known = true;
      }
    if (!known) throw Error("\"stop\" is \"" + stop + "\", not count, converged, budget or limit");
  }
  return s;
}

AlgorithmTiming algorithm_timing_from_json(const json& j) {
  AlgorithmTiming t;
  t.algorithm = j.at("algorithm").get<std::string>();
  t.time = timing_stats_from_json(j.at("time_ms"));
  t.flops = j.at("flops").get<double>();
  t.workspace_bytes = integer_field<size_t>(j, "workspace_bytes");
  // Absent from files written before the roofline figures existed.
  if (j.contains("prepared_bytes")) t.prepared_bytes = integer_field<size_t>(j, "prepared_bytes");
  t.traffic_bytes = j.value("traffic_bytes", 0.0);
  if (const json& e = j.at("error"); !e.is_null()) {
    ErrorStats error;
    // null marks an infinite error (a NaN in the output).
    error.max_abs_error =
        e.at("max_abs_error").is_null() ? INFINITY : e.at("max_abs_error").get<double>();
    error.max_rel_error =
        e.at("max_rel_error").is_null() ? INFINITY : e.at("max_rel_error").get<double>();
    error.mismatches = integer_field<int64_t>(e, "mismatches");
    error.elements = integer_field<int64_t>(e, "elements");
    error.tolerance = {e.at("atol").get<double>(), e.at("rtol").get<double>()};
    error.scale = e.value("scale", 1.0);
    t.error = error;
  }
  t.pruned = j.at("pruned").get<bool>();
  t.failure = j.at("failure").get<std::string>();
  if (j.contains("native_ports")) {
    t.conversions_measured = true;
    t.memory_space = j.at("memory_space").get<std::string>();
    t.channels_last_ms = j.at("channels_last_ms").get<double>();
    t.shares_buffers = j.at("shares_buffers").get<bool>();
    const std::string carrying = j.at("carrying").get<std::string>();
    bool known = false;
    for (LayoutCarrying c : {LayoutCarrying::none, LayoutCarrying::any_layout,
                             LayoutCarrying::channel_concat, LayoutCarrying::channels_last})
      if (carrying == layout_carrying_name(c)) {
        t.carrying = c;
        known = true;
      }
    if (!known) throw Error("\"carrying\" is \"" + carrying + "\", not a way to carry layouts");
    for (const json& p : j.at("native_ports"))
      t.native_ports.push_back(
          {p.at("output").get<bool>(), integer_field<size_t>(p, "index"),
           NativeLayout{p.at("layout").get<std::string>(), integer_field<size_t>(p, "bytes"),
                        p.at("channel_concat_key").get<std::string>(),
                        p.at("channels_last").get<bool>()},
           p.at("conversion_ms").get<double>()});
    t.upload_ms = j.at("upload_ms").get<std::vector<double>>();
    t.download_ms = j.at("download_ms").get<std::vector<double>>();
  }
  return t;
}

}  // namespace measure

const char* layout_carrying_name(LayoutCarrying carrying) {
  switch (carrying) {
    case LayoutCarrying::none:
      return "none";
    case LayoutCarrying::any_layout:
      return "any_layout";
    case LayoutCarrying::channel_concat:
      return "channel_concat";
    case LayoutCarrying::channels_last:
      return "channels_last";
  }
  return "none";
}

std::string to_json(const CheckResult& r) {
  using measure::json;
  json j;
  j["passed"] = r.passed();
  j["partial"] = r.partial;
  j["threads"] = r.threads;
  j["end_to_end_tolerance"] = {{"atol", r.end_to_end_tolerance.atol},
                               {"rtol", r.end_to_end_tolerance.rtol}};
  j["failed_layers"] = json::array();
  for (const LayerCheck* l : r.failed_layers()) j["failed_layers"].push_back(l->node);
  j["layers"] = json::array();
  for (const LayerCheck& l : r.layers) {
    json e = measure::layer_header(l);
    e["algorithm"] = l.algorithm;
    e["compared"] = l.compared;
    e["passed"] = l.passed();
    e["error"] = measure::to_json_value(l.error);
    e["failure"] = l.failure;
    e["propagation"] = nullptr;
    if (const std::optional<PropagatedError>& p = l.propagation)
      e["propagation"] = {{"accumulated", measure::to_json_value(p->accumulated)},
                          {"local_relative", p->local_relative},
                          {"accumulated_relative", p->accumulated_relative},
                          {"inherited_relative", p->inherited_relative},
                          {"growth", p->growth()}};
    j["layers"].push_back(std::move(e));
  }
  j["outputs"] = json::array();
  for (const OutputCheck& o : r.outputs)
    j["outputs"].push_back(
        {{"name", o.name},
         {"passed", o.passed()},
         {"vs_reference", measure::to_json_value(o.vs_reference)},
         {"vs_expected", o.vs_expected ? measure::to_json_value(*o.vs_expected) : json(nullptr)}});
  return j.dump(2);
}

std::string to_chrome_trace(const EndToEndResult& result, const std::string& process) {
  using measure::json;
  json events = json::array();
  events.push_back(
      {{"name", "process_name"}, {"ph", "M"}, {"pid", 1}, {"args", {{"name", process}}}});
  std::set<uint64_t> threads;
  for (const TraceSlice& slice : result.trace) {
    json e = {{"name", slice.name},
              {"ph", "X"},
              {"pid", 1},
              {"tid", slice.thread},
              {"ts", slice.start_us},
              {"dur", slice.duration_us}};
    json args = {{"run", slice.run}};
    switch (slice.kind) {
      case TraceSlice::Kind::run:
        e["cat"] = "run";
        break;
      case TraceSlice::Kind::kernel: {
        e["cat"] = "kernel";
        const LayerTime& layer = result.layers.at(slice.step);
        args["index"] = layer.index;
        args["op"] = layer.op_type;
        args["algorithm"] = layer.algorithm;
        args["threads"] = layer.threads;
        if (!layer.choice.empty()) args["choice"] = layer.choice;
        break;
      }
      case TraceSlice::Kind::transfer: {
        e["cat"] = "transfer";
        const ValueTransfer& t = result.transfers.at(slice.step).transfer;
        args["value"] = t.value;
        args["from"] = t.from;
        args["to"] = t.to;
        args["bytes"] = t.bytes;
        break;
      }
    }
    e["args"] = std::move(args);
    events.push_back(std::move(e));
    threads.insert(slice.thread);
  }
  for (uint64_t thread : threads)
    events.push_back(
        {{"name", "thread_name"},
         {"ph", "M"},
         {"pid", 1},
         {"tid", thread},
         {"args",
          {{"name", "session (" + std::to_string(result.threads) + " thread(s) per kernel)"}}}});
  return json({{"traceEvents", std::move(events)}, {"displayTimeUnit", "ms"}}).dump();
}

std::string to_json(const LayerTimingResult& r) {
  using measure::json;
  json j = {{"partial", r.partial},
            {"threads", r.threads},
            {"timings_performed", r.timings_performed},
            {"timings", json::array()}};
  for (const AlgorithmTiming& t : r.timings) j["timings"].push_back(measure::to_json_value(t));
  return j.dump(2);
}

std::string to_json(const EndToEndResult& r) {
  using measure::json;
  json j = measure::summary_json(r);
  j["layers"] = json::array();
  for (const LayerTime& l : r.layers) {
    json e = measure::layer_header(l);
    e["algorithm"] = l.algorithm;
    if (!l.choice.empty()) e["choice"] = l.choice;
    e["time_ms"] = measure::to_json_value(l.time);
    e["flops"] = l.flops;
    e["gflops"] = l.gflops();
    e["workspace_bytes"] = l.workspace_bytes;
    e["prepared_bytes"] = l.prepared_bytes;
    e["traffic_bytes"] = l.traffic_bytes;
    e["intensity"] = l.intensity();
    e["threads"] = l.threads;
    e["percent"] = r.kernel_sum.median_ms > 0 ? 100 * l.time.median_ms / r.kernel_sum.median_ms : 0;
    j["layers"].push_back(std::move(e));
  }
  j["memory"] = measure::to_json_value(r.memory);
  j["transfers"] = json::array();
  for (const TransferTime& t : r.transfers)
    j["transfers"].push_back({{"step", t.transfer.step_name()},
                              {"value", t.transfer.value},
                              {"from", t.transfer.from},
                              {"to", t.transfer.to},
                              {"bytes", t.transfer.bytes},
                              {"time_ms", measure::to_json_value(t.time)}});
  return j.dump(2);
}

namespace {

measure::json value_costs_json(const std::vector<PlannedValueCost>& costs) {
  measure::json list = measure::json::array();
  for (const PlannedValueCost& v : costs)
    list.push_back({{"value", v.value},
                    {"producer", v.producer},
                    {"reader", v.reader},
                    {"from", v.from_space},
                    {"to", v.to_space},
                    {"copy_ms", v.copy_ms},
                    {"conversion_ms", v.conversion_ms}});
  return list;
}

}  // namespace

std::string to_json(const TuneResult& r) {
  using measure::json;
  json j = {{"method", "tune"},
            {"engine", version()},
            {"machine", machine_signature()},
            {"threads", r.threads},
            {"warmup", r.warmup},
            {"repeat", r.repeat},
            {"partial", r.partial},
            {"timings_performed", r.timings_performed},
            {"cache_hits", r.cache_hits}};
  j["end_to_end"] = r.end_to_end ? measure::summary_json(*r.end_to_end) : json(nullptr);
  j["default_end_to_end"] =
      r.default_end_to_end ? measure::summary_json(*r.default_end_to_end) : json(nullptr);
  j["per_layer_end_to_end"] =
      r.per_layer_end_to_end ? measure::summary_json(*r.per_layer_end_to_end) : json(nullptr);
  j["family_plans"] = json::array();
  for (const FamilyPlan& f : r.family_plans) {
    json e = measure::summary_json(f.end_to_end);
    e["family"] = f.family;
    e["preferred"] = f.preferred;
    e["op_type"] = f.op_type;
    e["layers_changed"] = f.layers;
    e["predicted_ms"] = f.predicted_ms;
    e["chosen"] = f.chosen;
    j["family_plans"].push_back(std::move(e));
  }
  j["strategy"] = tune_strategy_name(r.strategy);
  j["memory_budget_bytes"] = r.memory_budget_bytes;
  j["per_layer_predicted_ms"] = r.per_layer_predicted_ms;
  j["global_plan"] = nullptr;
  if (const std::optional<GlobalPlan>& g = r.global_plan) {
    json e = measure::summary_json(g->end_to_end);
    e["predicted_ms"] = g->predicted_ms;
    e["isolated_predicted_ms"] = g->isolated_predicted_ms;
    e["calibrated"] = g->calibrated;
    e["calibration_scale"] = g->calibration_scale;
    e["measured_over_predicted"] = g->measured_over_predicted();
    e["rival"] = g->rival;
    e["rival_latency_ms"] =
        g->rival_end_to_end ? measure::to_json_value(g->rival_end_to_end->latency) : json(nullptr);
    e["drift"] = g->drift;
    e["kernels_ms"] = g->kernels_ms;
    e["transfers_ms"] = g->transfers_ms;
    e["conversions_saved_ms"] = g->conversions_saved_ms;
    e["optimal"] = g->optimal;
    e["chosen"] = g->chosen;
    e["layers_changed"] = g->changed_layers;
    e["memory_bytes"] = g->memory_bytes;
    e["layers"] = json::array();
    for (const PlannedLayer& l : g->layers) {
      json one = measure::layer_header(l);
      one["algorithm"] = l.algorithm;
      one["native_ports"] = l.native_ports;
      one["alone_ms"] = l.alone_ms;
      one["cost_ms"] = l.cost_ms;
      one["fastest_alone"] = l.fastest_alone;
      one["fastest_alone_ms"] = l.fastest_alone_ms;
      one["plan_cost_without_ms"] = l.plan_cost_without_ms;
      e["layers"].push_back(std::move(one));
    }
    e["value_costs"] = value_costs_json(g->value_costs);
    j["global_plan"] = std::move(e);
  }
  j["value_costs"] = value_costs_json(r.value_costs);
  j["layers"] = json::array();
  for (const TunedLayer& l : r.layers) {
    json e = measure::layer_header(l);
    e["algorithm"] = l.algorithm;
    e["layout_family"] = l.layout_family;
    e["planned_globally"] = l.planned_globally;
    e["from_cache"] = l.from_cache;
    e["shared_with"] = l.shared_with;
    e["tied"] = l.tied;
    e["tie_break"] = l.tie_break;
    e["candidates"] = json::array();
    for (const AlgorithmTiming& c : l.candidates) {
      if (c.algorithm == l.algorithm) {
        e["time_ms"] = measure::to_json_value(c.time);
        e["gflops"] = c.gflops();
      }
      e["candidates"].push_back(measure::to_json_value(c));
    }
    j["layers"].push_back(std::move(e));
  }
  return j.dump(2);
}

std::string to_json(const PlanComparison& r) {
  using measure::json;
  json j = {{"partial", r.partial},
            {"latency_ratio", r.latency_ratio()},
            {"differing_layers", r.differing_layers()},
            {"a", measure::summary_json(r.a)},
            {"b", measure::summary_json(r.b)},
            {"layers", json::array()}};
  for (const LayerComparison& l : r.layers) {
    json e = measure::layer_header(l);
    e["algorithm_a"] = l.algorithm_a;
    e["algorithm_b"] = l.algorithm_b;
    e["differs"] = l.differs();
    e["a_ms"] = measure::to_json_value(l.a);
    e["b_ms"] = measure::to_json_value(l.b);
    e["ratio"] = l.ratio();
    j["layers"].push_back(std::move(e));
  }
  return j.dump(2);
}

}  // namespace algoscope
