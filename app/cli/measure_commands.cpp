// check, bench, tune and compare: the measurement services (algoscope/measure.h) on the command
// line. Tables go to stdout, --json FILE and --csv FILE to files for machines, a progress bar to
// stderr on a terminal. Ctrl-C stops the work within one kernel call; the command then reports
// and writes what it finished, marked partial, and exits with 130.
#include <cmath>
#include <cstdio>
#include <fstream>
#include <iostream>
#include <map>
#include <nlohmann/json.hpp>

#include "algoscope/algoscope.h"
#include "algoscope/resource_limits.h"
#include "cli/arguments.h"
#include "cli/commands.h"
#include "cli/model_arguments.h"
#include "cli/progress.h"
#include "cli/table.h"

namespace algoscope::cli {
namespace {

using json = nlohmann::ordered_json;

std::string format(const char* pattern, double value) {
  if (std::isinf(value)) return "inf";
  char buffer[48];
  std::snprintf(buffer, sizeof buffer, pattern, value);
  return buffer;
}
std::string ms(double value) { return format("%.3f", value); }
std::string sci(double value) { return format("%.2e", value); }
std::string raw(double value) { return format("%.9g", value); }

void write_text(const std::string& path, const std::string& text) {
  write_file_atomically(path, text + "\n", "results file");
}

// The engine's JSON for a result, with the command and the model in front.
json document(const std::string& command, const Model& model, const std::string& engine_json) {
  json j = {
      {"command", command},
      {"model", {{"name", model.name}, {"path", model.path}, {"fingerprint", model.fingerprint}}}};
  const json result = json::parse(engine_json);
  for (const auto& [key, value] : result.items()) j[key] = value;
  return j;
}

// The absolute part is multiplied by the compared tensor's scale, max(1, max |ref|) (registry.h).
std::string tolerance_text(Tolerance t, double scale = 1) {
  char times[32] = "";
  if (scale > 1) std::snprintf(times, sizeof times, " x %.3g", scale);
  return "atol " + sci(t.atol) + times + ", rtol " + sci(t.rtol);
}

// Whether a service was cut short by Ctrl-C; says so on stderr.
bool report_interrupted(bool partial, const std::string& what) {
  if (partial) std::cerr << "interrupted: " << what << " (marked partial)\n";
  return partial;
}

// How long a timing repeats (bench, tune and compare): --warmup, --repeat (timed runs at least),
// --ci PERCENT (then more until the median is known to ±PERCENT; 0: exactly --repeat runs),
// --max-repeat N and --budget SECONDS (per measurement).
std::vector<OptionSpec> with_repeat_options(std::vector<OptionSpec> specs) {
  for (const char* name : {"--warmup", "--repeat", "--ci", "--max-repeat", "--budget"})
    specs.push_back({name, true});
  return specs;
}

// Sets a service's warmup, repeat and adaptive repeating from those options over its defaults.
template <class Options>
void read_repeats(const Arguments& a, int warmup, int repeat, Options& options) {
  AdaptiveRepeat& adaptive = options.adaptive;
  adaptive.target_ci = a.double_value("--ci", adaptive.target_ci * 100) / 100;
  adaptive.max_repeat = a.int_value("--max-repeat", adaptive.max_repeat, 1);
  adaptive.budget_ms = a.double_value("--budget", adaptive.budget_ms / 1e3) * 1e3;
  options.warmup = a.int_value("--warmup", warmup, 0);
  options.repeat = a.int_value("--repeat", repeat, 1);
}

// "median 1.234 ms ±2.1% (95% CI), 37 runs, converged": what a figure is worth, next to it.
std::string confidence(const TimingStats& t) {
  std::string text = "±" + format("%.1f", 100 * t.ci_relative()) + "% (95% CI), " +
                     std::to_string(t.samples) + " run(s), " + sampling_stop_name(t.stop);
  if (t.outliers) text += ", " + std::to_string(t.outliers) + " outlier(s)";
  if (t.unstable()) text += ", UNSTABLE";
  return text;
}

// The flag column of timing tables: what makes a median less than a result.
std::string stability(const TimingStats& t) {
  if (t.samples == 0) return "";
  std::string flags = t.unstable() ? "unstable" : "";
  if (t.outliers)
    flags += std::string(flags.empty() ? "" : ", ") + std::to_string(t.outliers) + " outlier(s)";
  return flags;
}

// check --propagation: per layer, the local error beside the error the plan's run carries there,
// then where it grew most.
void print_propagation(const CheckResult& result, std::ostream& out) {
  out << "\nerror propagation: each layer alone on exact inputs (local) and in the plan's own run "
         "(accumulated), against the all-reference run, relative to the layer's largest "
         "reference value; inherited: the largest accumulated error among the layers that made "
         "its inputs; growth: accumulated / inherited\n\n";
  Table table({"#", "layer", "op", "algorithm", "local", "accumulated", "inherited", "growth"},
              {true, false, false, false, true, true, true, true});
  const LayerCheck* most = nullptr;
  for (const LayerCheck& l : result.layers) {
    if (!l.propagation) continue;
    const PropagatedError& p = *l.propagation;
    table.add({std::to_string(l.index), l.node, l.op_type, l.algorithm,
               l.compared ? sci(p.local_relative) : "-", sci(p.accumulated_relative),
               p.inherited_relative > 0 ? sci(p.inherited_relative) : "-",
               p.inherited_relative > 0 ? format("%.2f", p.growth()) : "-"});
    if (p.inherited_relative > 0 && (!most || p.growth() > most->propagation->growth())) most = &l;
  }
  table.print(out);
  if (!result.layers.empty() && result.layers.back().propagation)
    out << "accumulated by the last layer: "
        << sci(result.layers.back().propagation->accumulated_relative) << " relative\n";
  if (most)
    out << "grew most at layer '" << most->node << "' (" << most->op_type << ", " << most->algorithm
        << "): " << format("%.2f", most->propagation->growth()) << "x the error that reached it\n";
}

}  // namespace

int command_check(const std::vector<std::string>& args) {
  Arguments a = parse_arguments(args, {{"--plan", true},
                                       {"--select", true, true},
                                       {"--inputs", true},
                                       {"--expected", true},
                                       {"--atol", true},
                                       {"--rtol", true},
                                       {"--threads", true},
                                       {"--propagation", false},
                                       {"--json", true},
                                       {"--csv", true}});
  CheckOptions options;
  options.threads = a.int_value("--threads", 0, 1);
  options.propagation = a.has("--propagation");
  options.tolerance = tolerance_override(a);
  auto model = load(one_model(a, "check"));
  options.inputs = model_inputs(a, model);
  Plan plan = build_plan(a, *model);
  if (auto dir = a.value("--expected")) {
    options.expected = read_tensor_dir(*dir, "output");
    // (The engine reads an empty list as "nothing to compare with".)
    if (options.expected.empty()) throw Error("'" + *dir + "' has no output_0.pb");
  }
  ProgressBar bar;
  CancelOnInterrupt interrupt;
  options.control = run_control(bar, interrupt);
  CheckResult result = check_plan(model, plan, options);
  bar.clear();

  Table table({"#", "layer", "op", "algorithm", "max abs err", "max rel err", "mismatches",
               "tolerance", "result"},
              {true, false, false, false, true, true, true, false, false});
  std::vector<std::vector<std::string>> csv;
  size_t compared = 0;
  for (const LayerCheck& l : result.layers) {
    compared += l.compared;
    const ErrorStats& e = l.error;
    std::string verdict = !l.failure.empty() ? "FAILED"
                          : !l.compared      ? "is reference"
                          : l.passed()       ? "ok"
                                             : "MISMATCH";
    table.add({std::to_string(l.index), l.node, l.op_type, l.algorithm,
               l.compared ? sci(e.max_abs_error) : "-", l.compared ? sci(e.max_rel_error) : "-",
               l.compared ? std::to_string(e.mismatches) + "/" + std::to_string(e.elements) : "-",
               l.compared ? tolerance_text(e.tolerance, e.scale) : "-", verdict});
    csv.push_back({std::to_string(l.index), l.node, l.op_type, l.algorithm, l.compared ? "1" : "0",
                   raw(e.max_abs_error), raw(e.max_rel_error), std::to_string(e.mismatches),
                   std::to_string(e.elements), raw(e.tolerance.atol), raw(e.tolerance.rtol),
                   raw(e.scale), l.passed() ? "1" : "0", l.failure});
    if (!options.propagation) continue;
    if (const std::optional<PropagatedError>& p = l.propagation)
      for (double v : {p->local_relative, p->accumulated_relative, p->inherited_relative,
                       p->growth(), p->accumulated.max_abs_error})
        csv.back().push_back(raw(v));
    else
      csv.back().insert(csv.back().end(), 5, "");
  }
  std::cout << "model " << model->name << ": " << result.layers.size() << " layer(s), " << compared
            << " computed by another algorithm than reference and compared with it on the same "
               "inputs ("
            << result.threads << " thread(s), "
            << (a.has("--inputs") ? "inputs from " + *a.value("--inputs") : "random inputs")
            << ")\n\n";
  table.print(std::cout);
  if (options.propagation && !result.partial) print_propagation(result, std::cout);
  if (!result.outputs.empty()) {
    std::cout << "\nend to end (" << tolerance_text(result.end_to_end_tolerance) << "):\n";
    Table outputs({"output", "vs reference: max abs", "max rel", "mismatches",
                   "vs expected: max abs", "max rel", "mismatches", "result"},
                  {false, true, true, true, true, true, true, false});
    for (const OutputCheck& o : result.outputs) {
      const ErrorStats& r = o.vs_reference;
      std::vector<std::string> row = {
          o.name, sci(r.max_abs_error), sci(r.max_rel_error),
          std::to_string(r.mismatches) + "/" + std::to_string(r.elements)};
      if (o.vs_expected)
        row.insert(row.end(), {sci(o.vs_expected->max_abs_error), sci(o.vs_expected->max_rel_error),
                               std::to_string(o.vs_expected->mismatches) + "/" +
                                   std::to_string(o.vs_expected->elements)});
      else
        row.insert(row.end(), {"-", "-", "-"});
      row.push_back(o.passed() ? "ok" : "MISMATCH");
      outputs.add(row);
    }
    outputs.print(std::cout);
  }
  if (auto path = a.value("--json"))
    write_text(*path, document("check", *model, to_json(result)).dump(2));
  if (auto path = a.value("--csv")) {
    std::vector<std::string> header = {
        "index",      "layer",    "op",   "algorithm", "compared", "max_abs_error", "max_rel_error",
        "mismatches", "elements", "atol", "rtol",      "scale",    "passed",        "failure"};
    if (options.propagation)
      header.insert(header.end(), {"local_relative", "accumulated_relative", "inherited_relative",
                                   "growth", "accumulated_max_abs_error"});
    write_csv(*path, header, csv);
  }
  if (report_interrupted(result.partial,
                         "checked " + std::to_string(result.layers.size()) + " layer(s)"))
    return kInterruptedExitCode;

  std::cout << "\n";
  for (const LayerCheck* l : result.failed_layers()) {
    std::cout << "FAIL layer '" << l->node << "' (" << l->op_type << ", " << l->algorithm << "): ";
    if (!l->failure.empty())
      std::cout << l->failure << "\n";
    else
      std::cout << l->error.mismatches << " of " << l->error.elements
                << " elements differ from reference by more than "
                << tolerance_text(l->error.tolerance) << " (max abs error "
                << sci(l->error.max_abs_error) << ")\n";
  }
  for (const OutputCheck& o : result.outputs)
    if (!o.passed())
      std::cout << "FAIL output '" << o.name << "': "
                << (o.vs_reference.passed() ? "differs from the expected output"
                                            : "differs from the all-reference run")
                << "\n";
  std::cout << (result.passed() ? "PASS" : "FAIL") << "\n";
  return result.passed() ? 0 : 1;
}

// bench --memory: the session's memory along its steps, the peak and what it holds.
void print_memory(const MemoryReport& m) {
  if (m.steps.empty()) return;
  const MemoryStep& peak = m.peak();
  std::cout << "\nmemory in use along the steps (live activations + the running algorithm's "
               "workspace):\n";
  Table table({"step", "layer", "in use", "activations", "workspace", "largest live value", ""},
              {true, false, true, true, true, false, false});
  for (size_t t = 0; t < m.steps.size(); ++t) {
    const MemoryStep& s = m.steps[t];
    // A bar of up to 30 characters, the peak's full length, so the profile reads at a glance.
    const size_t bar = peak.in_use() ? (s.in_use() * 30 + peak.in_use() / 2) / peak.in_use() : 0;
    table.add({std::to_string(t), s.name, human_bytes(double(s.in_use())),
               human_bytes(double(s.live_bytes)), human_bytes(double(s.workspace_bytes)),
               s.largest_value + " (" + human_bytes(double(s.largest_value_bytes)) + ")",
               std::string(bar, '#') + (t == m.peak_step ? " peak" : "")});
  }
  table.print(std::cout);
  std::cout << "peak      " << human_bytes(double(peak.in_use())) << " at step " << m.peak_step
            << " '" << peak.name << "': activations " << human_bytes(double(peak.live_bytes))
            << " (largest '" << peak.largest_value << "', "
            << human_bytes(double(peak.largest_value_bytes)) << ") + workspace "
            << human_bytes(double(peak.workspace_bytes)) << "\n"
            << "held      " << human_bytes(double(m.held_bytes())) << ": weights "
            << human_bytes(double(m.weights_bytes)) << ", prepared copies "
            << human_bytes(double(m.prepared_bytes)) << ", activation arenas "
            << human_bytes(double(m.arena_bytes)) << " (" << human_bytes(double(m.activation_bytes))
            << " without reuse), workspace " << human_bytes(double(m.workspace_bytes))
            << (m.device_copy_bytes
                    ? ", device copies of weights " + human_bytes(double(m.device_copy_bytes))
                    : std::string())
            << "; inputs and outputs " << human_bytes(double(m.input_output_bytes)) << "\n";
}

// The roofs as bench's JSON carries them, and each layer's place under them.
json roofline_json(const MachineRoofs& roofs) {
  return {{"peak_gflops", roofs.peak_gflops},
          {"gemm_gflops", roofs.gemm_gflops},
          {"copy_gbs", roofs.copy_gbs},
          {"triad_gbs", roofs.triad_gbs},
          {"bandwidth_gbs", roofs.bandwidth_gbs()},
          {"ridge_intensity", roofs.ridge_intensity()},
          {"threads", roofs.threads},
          {"from_cache", roofs.from_cache}};
}

int command_bench(const std::vector<std::string>& args) {
  Arguments a = parse_arguments(args, with_repeat_options({{"--plan", true},
                                                           {"--select", true, true},
                                                           {"--inputs", true},
                                                           {"--layers", false},
                                                           {"--all-algorithms", false},
                                                           {"--threads", true},
                                                           {"--trace", true},
                                                           {"--memory", false},
                                                           {"--json", true},
                                                           {"--csv", true}}));
  EndToEndOptions options;
  options.threads = a.int_value("--threads", 0, 1);
  options.trace = a.has("--trace");
  read_repeats(a, 2, 10, options);
  auto model = load(one_model(a, "bench"));
  options.inputs = model_inputs(a, model);
  Plan plan = build_plan(a, *model);
  // The roofs are measured (about a second, once per machine: cached) before the timed runs.
  std::optional<MachineRoofs> roofs;
  if (a.has("--layers")) roofs = machine_roofs(options.threads);
  ProgressBar bar;
  CancelOnInterrupt interrupt;
  options.control = run_control(bar, interrupt);
  EndToEndResult result = time_end_to_end(model, plan, options);
  std::optional<LayerTimingResult> isolated;
  if (a.has("--all-algorithms") && !result.partial) {
    LayerTimingOptions layer_options;
    layer_options.threads = options.threads;
    layer_options.warmup = std::max(options.warmup, 1);
    layer_options.repeat = options.repeat;
    layer_options.adaptive.target_ci = options.adaptive.target_ci;
    layer_options.inputs = options.inputs;
    layer_options.control = options.control;
    isolated = time_layers(model, plan, layer_options);
  }
  bar.clear();

  const TimingStats& l = result.latency;
  std::cout << "model " << model->name << " ("
            << (a.has("--plan") ? "plan " + *a.value("--plan") : std::string("engine's choice"))
            << (a.has("--select") ? " with --select" : "") << "), " << result.threads
            << " thread(s), " << options.warmup << " warm-up + " << l.samples << " timed run(s)\n"
            << "latency   median " << ms(l.median_ms) << " ms  min " << ms(l.min_ms) << " ms  IQR "
            << ms(l.iqr_ms()) << " ms  (" << human_count(result.flops) << "FLOP, "
            << format("%.1f", l.median_ms > 0 ? result.flops / l.median_ms * 1e-6 : 0)
            << " GFLOP/s)\n"
            << "          " << confidence(l) << "\n"
            << "kernels   median " << ms(result.kernel_sum.median_ms)
            << " ms (sum of the per-node kernel times)\n"
            << (result.transfers.empty() ? std::string()
                                         : "transfers median " + ms(result.transfer_sum.median_ms) +
                                               " ms (" + std::to_string(result.transfers.size()) +
                                               " copies between memory spaces per run)\n")
            << "overhead  median " << ms(result.overhead.median_ms) << " ms ("
            << format("%.2f", result.overhead_percent()) << " % of the kernel time)\n"
            << "memory    activations " << human_bytes(double(result.arena_bytes)) << ", workspace "
            << human_bytes(double(result.workspace_bytes)) << "\n";

  std::vector<std::vector<std::string>> csv;
  Table layers({"#", "layer", "op", "algorithm", "median ms", "min ms", "IQR ms", "GFLOP/s", "%",
                "workspace", "FLOP/B", "of roof", ""},
               {true, false, false, false, true, true, true, true, true, true, true, true, false});
  // How close a layer runs to what the roofline allows at its intensity, in percent.
  auto roof_percent = [&](double gflops, double intensity) {
    const double roof = roofs ? roofs->attainable_gflops(intensity) : 0;
    return roof > 0 ? 100 * gflops / roof : 0.0;
  };
  for (const LayerTime& t : result.layers) {
    const double percent =
        result.kernel_sum.median_ms > 0 ? 100 * t.time.median_ms / result.kernel_sum.median_ms : 0;
    layers.add({std::to_string(t.index), t.node, t.op_type,
                t.algorithm + (t.choice.empty() ? "" : " (" + t.choice + ")"), ms(t.time.median_ms),
                ms(t.time.min_ms), ms(t.time.iqr_ms()), format("%.1f", t.gflops()),
                format("%.1f", percent), human_bytes(double(t.workspace_bytes)),
                format("%.1f", t.intensity()),
                t.flops > 0 ? format("%.0f %%", roof_percent(t.gflops(), t.intensity())) : "-",
                stability(t.time)});
    if (!isolated)
      csv.push_back({std::to_string(t.index), t.node, t.op_type, t.algorithm, raw(t.time.median_ms),
                     raw(t.time.min_ms), raw(t.time.iqr_ms()), raw(t.flops), raw(t.gflops()),
                     std::to_string(t.workspace_bytes)});
  }
  // Transfers between memory spaces are steps of their own: one row each, after the layers.
  for (const TransferTime& t : result.transfers)
    layers.add({"-", t.transfer.step_name() + " (" + human_bytes(double(t.transfer.bytes)) + ")",
                "transfer", "-", ms(t.time.median_ms), ms(t.time.min_ms), ms(t.time.iqr_ms()), "-",
                format("%.1f", result.kernel_sum.median_ms > 0
                                   ? 100 * t.time.median_ms / result.kernel_sum.median_ms
                                   : 0),
                "-", "-", "-", stability(t.time)});
  if (a.has("--layers")) {
    std::cout << "\n";
    layers.print(std::cout);
    std::cout << "roofline  peak " << format("%.1f", roofs->peak_gflops)
              << " GFLOP/s (FMAs on registers; a GEMM reaches "
              << format("%.1f", roofs->gemm_gflops) << "), "
              << "bandwidth " << format("%.1f", roofs->bandwidth_gbs()) << " GB/s (copy "
              << format("%.1f", roofs->copy_gbs) << ", triad " << format("%.1f", roofs->triad_gbs)
              << "), ridge at " << format("%.1f", roofs->ridge_intensity()) << " FLOP/B"
              << (roofs->from_cache ? " (cached)" : " (measured now)")
              << "; FLOP/B: the layer's FLOPs over the bytes its algorithm must move; of roof: its "
                 "GFLOP/s over min(peak, FLOP/B x bandwidth)\n";
  }
  if (a.has("--memory")) print_memory(result.memory);
  if (isolated) {
    // What tune would pick on each layer, marked in the table.
    std::map<size_t, std::vector<AlgorithmTiming>> by_layer;
    for (const AlgorithmTiming& t : isolated->timings) by_layer[t.index].push_back(t);
    std::map<std::pair<size_t, std::string>, std::string> verdict;
    for (const auto& [index, timings] : by_layer) {
      const LayerChoice choice =
          choose_algorithm(timings, Registry::instance().find_op(timings.front().op_type));
      if (choice.chosen)
        verdict[{index, choice.chosen->algorithm}] =
            choice.tied.empty() ? "fastest" : "tune's choice (" + choice.tie_break + ")";
      for (const AlgorithmTiming* t : choice.tied)
        verdict[{index, t->algorithm}] = "tied with " + choice.chosen->algorithm;
    }
    Table table({"#", "layer", "op", "algorithm", "median ms", "min ms", "IQR ms", "GFLOP/s",
                 "workspace", "kept", "FLOP/B", ""},
                {true, false, false, false, true, true, true, true, true, true, true, false});
    for (const AlgorithmTiming& t : isolated->timings) {
      std::string note = t.failure;
      if (auto v = verdict.find({t.index, t.algorithm}); v != verdict.end()) note = v->second;
      if (const std::string flags = stability(t.time); t.failure.empty() && !flags.empty())
        note += (note.empty() ? "" : "; ") + flags;
      table.add({std::to_string(t.index), t.node, t.op_type, t.algorithm,
                 t.failure.empty() ? ms(t.time.median_ms) : "failed", ms(t.time.min_ms),
                 ms(t.time.iqr_ms()), format("%.1f", t.gflops()),
                 human_bytes(double(t.workspace_bytes)), human_bytes(double(t.prepared_bytes)),
                 format("%.1f", t.intensity()), note});
      csv.push_back({std::to_string(t.index), t.node, t.op_type, t.algorithm, raw(t.time.median_ms),
                     raw(t.time.min_ms), raw(t.time.iqr_ms()), raw(t.flops), raw(t.gflops()),
                     std::to_string(t.workspace_bytes)});
    }
    std::cout << "\nevery applicable algorithm of every layer, in isolation on the inputs of this "
                 "plan's run:\n";
    table.print(std::cout);
  }
  if (auto path = a.value("--json")) {
    json j = document("bench", *model, to_json(result));
    j["warmup"] = options.warmup;
    j["repeat"] = options.repeat;
    j["target_ci"] = options.adaptive.target_ci;
    if (isolated) j["algorithms"] = json::parse(to_json(*isolated));
    if (roofs) {
      j["roofline"] = roofline_json(*roofs);
      for (json& layer : j["layers"]) {
        const double intensity = layer["intensity"].get<double>();
        layer["attainable_gflops"] = roofs->attainable_gflops(intensity);
        layer["roof_percent"] = roof_percent(layer["gflops"].get<double>(), intensity);
      }
    }
    write_text(*path, j.dump(2));
  }
  if (auto path = a.value("--trace")) {
    write_text(*path, to_chrome_trace(result, "algoscope bench " + model->name));
    std::cout << "trace of the " << l.samples << " timed run(s) written to " << *path
              << " (chrome://tracing, ui.perfetto.dev)\n";
  }
  if (auto path = a.value("--csv"))
    write_csv(*path,
              {"index", "layer", "op", "algorithm", "median_ms", "min_ms", "iqr_ms", "flops",
               "gflops", "workspace_bytes"},
              csv);
  const bool partial = result.partial || (isolated && isolated->partial);
  return report_interrupted(partial, "the statistics cover the finished runs")
             ? kInterruptedExitCode
             : 0;
}

int command_tune(const std::vector<std::string>& args) {
  Arguments a = parse_arguments(args, with_repeat_options({{"-o", true},
                                                           {"--output", true},
                                                           {"--inputs", true},
                                                           {"--threads", true},
                                                           {"--atol", true},
                                                           {"--rtol", true},
                                                           {"--heuristic", false},
                                                           {"--strategy", true},
                                                           {"--memory-budget", true},
                                                           {"--no-cache", false},
                                                           {"--clear-cache", false},
                                                           {"--cache", true},
                                                           {"--json", true},
                                                           {"--csv", true}}));
  auto output = a.value("-o") ? a.value("-o") : a.value("--output");
  if (!output) throw UsageError("tune needs -o PLAN: the file to write the tuned plan to");
  auto model = load(one_model(a, "tune"));

  if (a.has("--heuristic")) {
    Plan plan = heuristic_plan(*model);
    Table table({"#", "layer", "op", "algorithm"}, {true, false, false, false});
    for (size_t i = 0; i < model->nodes.size(); ++i)
      if (auto it = plan.layers.find(model->nodes[i].name); it != plan.layers.end())
        table.add({std::to_string(i), it->first, model->nodes[i].op_type, it->second});
    table.print(std::cout);
    plan.save(*output);
    std::cout << "\nheuristic plan (shape rules, nothing timed) written to " << *output << "\n";
    return 0;
  }

  TuneOptions options;
  if (auto name = a.value("--strategy")) {
    auto strategy = tune_strategy_named(*name);
    if (!strategy)
      throw UsageError("--strategy is '" + *name + "'; it takes per-layer, family or global");
    options.strategy = *strategy;
  }
  if (auto size = a.value("--memory-budget"))
    options.memory_budget_bytes = parse_byte_size(*size, "--memory-budget");
  options.threads = a.int_value("--threads", 0, 1);
  read_repeats(a, 1, 5, options);
  // --ci applies to the whole plans' timing too; their budget and limit stay their own.
  options.plans_adaptive.target_ci = options.adaptive.target_ci;
  options.tolerance = tolerance_override(a);
  options.use_cache = !a.has("--no-cache");
  options.cache_path = a.value("--cache").value_or(TuningCache::default_path());
  if (a.has("--clear-cache")) {
    TuningCache::clear(options.cache_path);
    std::cerr << "cleared the tuning cache " << options.cache_path << "\n";
  }
  options.inputs = model_inputs(a, model);
  ProgressBar bar;
  CancelOnInterrupt interrupt;
  options.control = run_control(bar, interrupt);
  const auto start = Clock::now();
  TuneResult result = tune(model, options);
  const double tune_ms = ms_since(start);
  bar.clear();
  for (const std::string& note : result.notes) std::cerr << "note: " << note << "\n";

  Table table({"#", "layer", "op", "algorithm", "median ms", "±CI", "GFLOP/s", "engine default",
               "its median ms", "speedup", "timed", "rejected", "source"},
              {true, false, false, false, true, true, true, false, true, true, true, true, false});
  std::vector<std::vector<std::string>> csv;
  size_t measured = 0, shared = 0;
  std::vector<const TunedLayer*> tied;
  for (const TunedLayer& l : result.layers) {
    const std::string engine_default =
        Registry::instance().default_algorithm(make_layer(*model, model->nodes[l.index])).name;
    const AlgorithmTiming *chosen = nullptr, *fallback = nullptr;
    size_t rejected = 0;
    for (const AlgorithmTiming& c : l.candidates) {
      if (c.algorithm == l.algorithm) chosen = &c;
      if (c.algorithm == engine_default) fallback = &c;
      rejected += !c.usable();
    }
    measured += !l.from_cache && l.shared_with.empty();
    shared += !l.shared_with.empty();
    if (!l.tied.empty()) tied.push_back(&l);
    // Ranked by median (choose_algorithm), so shown by median.
    const double chosen_ms = chosen ? chosen->time.median_ms : 0;
    const double default_ms =
        fallback && fallback->time.conclusive() ? fallback->time.median_ms : 0;
    table.add({std::to_string(l.index), l.node, l.op_type,
               l.algorithm + (l.tied.empty() ? "" : " (tie)"), chosen ? ms(chosen_ms) : "-",
               chosen ? format("%.1f%%", 100 * chosen->time.ci_relative()) : "-",
               chosen ? format("%.1f", chosen->gflops()) : "-", engine_default,
               default_ms > 0 ? ms(default_ms) : "-",
               chosen_ms > 0 && default_ms > 0 ? format("%.2fx", default_ms / chosen_ms) : "-",
               std::to_string(l.candidates.size()), std::to_string(rejected),
               (l.from_cache            ? "cache"
                : l.shared_with.empty() ? "measured"
                                        : "same as " + l.shared_with) +
                   (l.layout_family.empty() ? "" : ", " + l.layout_family + " plan") +
                   (l.planned_globally ? ", optimizer's plan" : "")});
    csv.push_back({std::to_string(l.index), l.node, l.op_type, l.algorithm, raw(chosen_ms),
                   chosen ? raw(chosen->time.ci_relative()) : "", engine_default, raw(default_ms),
                   std::to_string(l.candidates.size()), std::to_string(rejected),
                   l.from_cache ? "1" : "0", l.shared_with, l.layout_family});
  }
  table.print(std::cout);
  std::cout << "\ntuned " << result.layers.size() << " layer(s) on " << result.threads
            << " thread(s) in " << format("%.1f", tune_ms / 1e3) << " s: " << measured
            << " measured (" << result.timings_performed << " algorithm timings), " << shared
            << " sharing the measurements of an identical layer, " << result.cache_hits
            << " from the tuning cache"
            << (result.cache_path.empty() ? " (not used)" : " " + result.cache_path) << "\n";
  if (result.end_to_end && result.default_end_to_end) {
    const TimingStats& tuned = result.end_to_end->latency;
    const TimingStats& engine = result.default_end_to_end->latency;
    std::cout << "end to end: median " << ms(tuned.median_ms) << " ms " << confidence(tuned)
              << ", min " << ms(tuned.min_ms)
              << " ms; the engine's default plan, runs alternating: median " << ms(engine.median_ms)
              << " ms, min " << ms(engine.min_ms) << " ms (tuned/default "
              << format("%.2f", engine.median_ms > 0 ? tuned.median_ms / engine.median_ms : 0)
              << ")\n";
  }
  if (!tied.empty()) {
    // Ties are broken by fixed rules, so re-tuning picks the same; the user sees where it mattered.
    std::cout << tied.size() << " layer(s) where candidates tied within noise (medians within "
              << format("%.0f", 100 * kTieMargin)
              << "% and confidence intervals overlapping), decided by lower error, then less "
                 "workspace, then registry order:\n";
    for (const TunedLayer* l : tied) {
      std::string others;
      for (const std::string& name : l->tied) others += (others.empty() ? "" : ", ") + name;
      std::cout << "  " << l->node << ": " << l->algorithm << " over " << others << " ("
                << l->tie_break << ")\n";
    }
  }
  // The cost model's prediction beside what the run measured, for each plan it predicted.
  auto predicted = [](double predicted_ms, const EndToEndResult& measured, double drift = 1) {
    if (predicted_ms <= 0) return std::string();
    return ", predicted " + ms(predicted_ms) + " ms (measured/predicted " +
           format("%.2f", measured.latency.median_ms / (predicted_ms * drift)) +
           (drift != 1 ? ", the prediction scaled by the drift below" : "") + ")";
  };
  if (result.global_plan && result.per_layer_predicted_ms > 0) {
    const EndToEndResult& per_layer =
        result.per_layer_end_to_end ? *result.per_layer_end_to_end : *result.end_to_end;
    std::cout << "the per-layer choices: median " << ms(per_layer.latency.median_ms) << " ms"
              << predicted(result.per_layer_predicted_ms, per_layer) << "\n";
  }
  for (const FamilyPlan& family : result.family_plans)
    std::cout << (family.family.empty()
                      ? "the plan with " + family.op_type + " by " + family.preferred +
                            " wherever it is usable ("
                      : "the " + family.family + " layout family's plan" +
                            (family.preferred.empty() ? "" : " preferring " + family.preferred) +
                            " (values passed in its own layout, ")
              << family.layers << " layer(s) changed): median "
              << ms(family.end_to_end.latency.median_ms) << " ms"
              << predicted(family.predicted_ms, family.end_to_end)
              << (family.chosen
                      ? ", faster than the per-layer choices (median " +
                            ms(result.per_layer_end_to_end->latency.median_ms) + " ms): chosen"
                      : ", not chosen")
              << "\n";
  if (const std::optional<GlobalPlan>& g = result.global_plan) {
    std::cout << "the plan optimizer's plan (every layer's algorithm and layouts chosen together, "
              << g->changed_layers << " layer(s) changed, "
              << (g->optimal ? "proven optimal" : "heuristic") << " under the cost model): median "
              << ms(g->end_to_end.latency.median_ms) << " ms"
              << predicted(g->predicted_ms, g->end_to_end, g->drift) << " = kernels "
              << ms(g->kernels_ms) << " ms (" << ms(g->conversions_saved_ms)
              << " ms of conversions skipped) + transfers " << ms(g->transfers_ms) << " ms"
              << (g->chosen ? ": chosen" : ", not chosen") << "\n";
    if (g->rival_end_to_end)
      std::cout << "  (timed in a second batch, its runs alternating with the " << g->rival
                << " plan's, which took " << ms(g->rival_end_to_end->latency.median_ms)
                << " ms there: " << format("%.2f", g->drift)
                << "x its time in the first batch, the machine's drift)\n";
    if (g->calibrated)
      std::cout << "  (solved again on the kernel times the runs above measured, "
                << format("%.2f", g->calibration_scale)
                << "x the isolated ones at the median; from isolated timings alone it was "
                   "predicted "
                << ms(g->isolated_predicted_ms) << " ms)\n";
    for (const PlannedLayer& l : g->layers)
      if (l.algorithm != l.fastest_alone && l.plan_cost_without_ms > 0)
        std::cout << "  " << l.node << ": " << l.algorithm
                  << (l.alone_ms > l.fastest_alone_ms
                          ? " although " + ms(l.alone_ms - l.fastest_alone_ms) +
                                " ms slower alone than " + l.fastest_alone
                          : " rather than " + l.fastest_alone)
                  << ", because with " << l.fastest_alone << " the best plan costs "
                  << ms(l.plan_cost_without_ms)
                  << " ms more (conversions between layouts or spaces)\n";
  }
  if (result.memory_budget_bytes && result.end_to_end)
    std::cout << "memory budget " << human_bytes(double(result.memory_budget_bytes))
              << ": the plan takes "
              << human_bytes(
                     double(result.end_to_end->arena_bytes + result.end_to_end->workspace_bytes))
              << " (activations and workspace)\n";
  result.plan.save(*output);
  std::cout << (result.partial ? "partial plan" : "plan") << " written to " << *output << "\n";
  if (auto path = a.value("--json"))
    write_text(*path, document("tune", *model, to_json(result)).dump(2));
  if (auto path = a.value("--csv"))
    write_csv(*path,
              {"index", "layer", "op", "algorithm", "median_ms", "ci_relative", "engine_default",
               "engine_default_median_ms", "timed", "rejected", "from_cache", "shared_with",
               "layout_family"},
              csv);
  return report_interrupted(result.partial, "the plan names the layers tuned before that")
             ? kInterruptedExitCode
             : 0;
}

int command_compare(const std::vector<std::string>& args) {
  Arguments a = parse_arguments(
      args, with_repeat_options(
                {{"--inputs", true}, {"--threads", true}, {"--json", true}, {"--csv", true}}));
  if (a.positional.size() != 3)
    throw UsageError("compare takes PLAN_A PLAN_B MODEL, got " +
                     std::to_string(a.positional.size()) + " argument(s)");
  auto model = load(a.positional[2]);
  std::vector<Plan> plans;
  for (size_t k = 0; k < 2; ++k) {
    const std::string& path = a.positional[k];
    plans.push_back(Plan::load(path));
    try {
      validate_plan(plans.back(), *model);
    } catch (const Error& e) {
      throw Error("plan '" + path + "': " + e.what());
    }
  }
  EndToEndOptions options;
  options.threads = a.int_value("--threads", 0, 1);
  read_repeats(a, 2, 10, options);
  options.inputs = model_inputs(a, model);
  ProgressBar bar;
  CancelOnInterrupt interrupt;
  options.control = run_control(bar, interrupt);
  PlanComparison result = compare_plans(model, plans[0], plans[1], options);
  bar.clear();

  Table table({"#", "layer", "op", "A", "B", "A ms", "B ms", "B/A", ""},
              {true, false, false, false, false, true, true, true, false});
  std::vector<std::vector<std::string>> csv;
  for (const LayerComparison& l : result.layers) {
    table.add({std::to_string(l.index), l.node, l.op_type, l.algorithm_a, l.algorithm_b,
               ms(l.a.median_ms), ms(l.b.median_ms), format("%.2f", l.ratio()),
               l.differs() ? "differs" : ""});
    csv.push_back({std::to_string(l.index), l.node, l.op_type, l.algorithm_a, l.algorithm_b,
                   raw(l.a.median_ms), raw(l.b.median_ms), raw(l.ratio()),
                   l.differs() ? "1" : "0"});
  }
  std::cout << "A = " << a.positional[0] << "\nB = " << a.positional[1] << "\nmodel " << model->name
            << ", " << result.a.threads << " thread(s), runs of A and B alternating\n\n";
  table.print(std::cout);
  std::cout << "\n"
            << result.differing_layers() << " of " << result.layers.size()
            << " layer(s) differ; end to end: A median " << ms(result.a.latency.median_ms)
            << " ms, B median " << ms(result.b.latency.median_ms) << " ms, B/A "
            << format("%.3f", result.latency_ratio()) << "\n"
            << "A: " << confidence(result.a.latency) << "\nB: " << confidence(result.b.latency)
            << "\n";
  if (auto path = a.value("--json")) {
    json j = document("compare", *model, to_json(result));
    j["plan_a"] = a.positional[0];
    j["plan_b"] = a.positional[1];
    write_text(*path, j.dump(2));
  }
  if (auto path = a.value("--csv"))
    write_csv(*path,
              {"index", "layer", "op", "algorithm_a", "algorithm_b", "a_median_ms", "b_median_ms",
               "ratio", "differs"},
              csv);
  return report_interrupted(result.partial, "the statistics cover the finished runs")
             ? kInterruptedExitCode
             : 0;
}

}  // namespace algoscope::cli
