// The measurement services: is a plan the same function as the reference ("check"), how fast is
// it per layer and end to end ("time"), which plan is fastest within tolerance ("tune"), and how
// do two plans differ ("compare"). The CLI's check, bench, tune and compare commands and the GUI's
// worker thread drive exactly these functions.
//
// Per-layer measurements are isolated: one run of the model records what every layer reads, and
// each algorithm's kernel is then called on copies of those inputs, with its own outputs and
// workspace, next to the `reference` kernel on the same inputs. End-to-end measurements run a
// compiled Session.
//
// Long work reports Progress and can be cancelled through a CancelToken; results stream through a
// callback per finished measurement, and a cancelled service returns what it finished with
// `partial` set.
//
// Threads: every service runs on the calling thread and calls its callbacks on that thread. The
// only state it shares with other calls is the tuning cache file (merged under a file lock) and
// the thread counts of OpenMP and OpenBLAS (set as a Session sets them). A GUI runs a service on a
// worker thread; other threads may call the CancelToken's cancel() and cancelled() while it runs,
// and nothing else of it. The model, plan and registry must not change while a service runs. Two
// services may run at once, but they share the cores and their timings then mean little.
#pragma once

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "algoscope/graph.h"
#include "algoscope/plan.h"
#include "algoscope/registry.h"
#include "algoscope/session.h"
#include "algoscope/tensor.h"

namespace algoscope {

// Shared by pointer between the thread that runs a service and the one that may stop it. A service
// looks at it before every kernel call, so it stops within one kernel call.
class CancelToken {
 public:
  void cancel() noexcept { cancelled_.store(true, std::memory_order_relaxed); }
  bool cancelled() const noexcept { return cancelled_.load(std::memory_order_relaxed); }
  void reset() noexcept { cancelled_.store(false, std::memory_order_relaxed); }

 private:
  std::atomic<bool> cancelled_{false};
};

// Where a service stands. Reported before each unit of work (a kernel measured on a layer, or a run
// of the whole model) with `done` the units finished so far, and once more at the end with
// done == total unless it was cancelled.
struct Progress {
  size_t done = 0;
  size_t total = 0;
  std::string layer;      // the node being measured; "" for runs of the whole model
  std::string algorithm;  // its algorithm; "" for runs of the whole model
};

// What every long service takes: whom to tell how far it is and what may stop it.
struct RunControl {
  std::function<void(const Progress&)> progress;
  std::shared_ptr<const CancelToken> cancel;
};

// Why a timing has the samples it has.
enum class SamplingStop {
  count,      // exactly the number asked for (adaptive repeating off)
  converged,  // the median's confidence interval came within the target
  budget,     // the time budget ran out first
  limit,      // the most samples allowed were taken first
};
const char* sampling_stop_name(SamplingStop stop);

// Order statistics of repeated timings, in milliseconds.
struct TimingStats {
  // Fewer samples than this are not a result: they are what pruning or a failed check left (an
  // algorithm timed once or twice), never shown as an algorithm's or a plan's time.
  static constexpr int kConclusiveSamples = 3;
  // A median whose confidence interval is wider than ±this fraction of it is flagged unstable.
  static constexpr double kUnstableCi = 0.10;

  int samples = 0;
  double median_ms = 0;
  double min_ms = 0;
  double max_ms = 0;
  double q1_ms = 0;  // first and third quartiles (linear interpolation)
  double q3_ms = 0;
  // A distribution-free ~95% confidence interval of the median (order statistics at
  // n/2 ± 0.98·√n): nothing is assumed about how the machine's noise is distributed.
  double ci_low_ms = 0;
  double ci_high_ms = 0;
  int outliers = 0;  // samples more than 3 IQR beyond a quartile (Tukey's "far out")
  SamplingStop stop = SamplingStop::count;

  double iqr_ms() const { return q3_ms - q1_ms; }
  // Half the confidence interval's width as a fraction of the median: the median is known to ±this.
  double ci_relative() const {
    return median_ms > 0 ? (ci_high_ms - ci_low_ms) / 2 / median_ms : 0;
  }
  bool conclusive() const { return samples >= kConclusiveSamples; }
  bool unstable() const { return !conclusive() || ci_relative() > kUnstableCi; }
  static TimingStats of(std::vector<double> samples_ms);
};

// Repeating a timing past its minimum number of samples until it is known well enough: another
// sample while the median's confidence interval is wider than ±target_ci of the median, until
// max_repeat samples are taken or budget_ms of wall time has passed since the first timed sample.
// TimingStats::stop says which rule ended it.
struct AdaptiveRepeat {
  double target_ci = 0.03;  // 0: exactly the minimum number of samples
  int max_repeat = 100;
  double budget_ms = 1000;
};

// How far one result is from another, elementwise. An element mismatches when
// |got - want| > atol * scale + rtol * |want| (or either is NaN).
struct ErrorStats {
  double max_abs_error = 0;
  double max_rel_error = 0;  // max |got - want| / |want| over elements where want != 0
  int64_t mismatches = 0;
  int64_t elements = 0;
  Tolerance tolerance;
  // The largest scale the absolute tolerance was multiplied by: max(1, max |want|) (registry.h).
  double scale = 1;
  bool passed() const { return mismatches == 0; }
};

// max |t| over the finite elements (0 for none).
double largest_magnitude(const Tensor& t);
// max(1, max |reference|) over the finite elements: what Tolerance::atol is multiplied by.
double tolerance_scale(const Tensor& reference);
// Compares tensors of any element type; a shape or type difference is an Error.
ErrorStats compare_tensors(const Tensor& got, const Tensor& want, Tolerance tolerance);
// Adds one more pair to `into`, under into.tolerance (the outputs of a layer with several).
void accumulate_error(ErrorStats& into, const Tensor& got, const Tensor& want);

// Which layer a result is about.
struct LayerId {
  size_t index = 0;  // position in Model::nodes (and Session::layers())
  std::string node;  // the ONNX node name
  std::string op_type;
};

// ---------------------------------------------------------------------------------------------
// Equivalence: check_plan

// How far a plan's error has travelled by a layer (CheckOptions::propagation): the layer's
// outputs in the plan's own run against those of the all-reference run, beside its local error
// (the layer alone on exact inputs). Relative errors are max |got - want| over max |want| of the
// layer's outputs, so layers of any scale compare.
struct PropagatedError {
  ErrorStats accumulated;  // under the end-to-end tolerance
  double local_relative = 0;
  double accumulated_relative = 0;
  // The largest accumulated_relative among the layers that made this one's inputs: the error that
  // reached it. 0 for a layer that reads only graph inputs and constants.
  double inherited_relative = 0;
  // accumulated over inherited: above 1 the layer adds to or amplifies the error that reaches it,
  // below 1 it damps it (a ReLU cutting small negatives, a pooling averaging noise out); 0 when it
  // inherited none.
  double growth() const {
    return inherited_relative > 0 ? accumulated_relative / inherited_relative : 0;
  }
};

// One layer of a plan against `reference` on the same inputs (those of an all-reference run).
struct LayerCheck : LayerId {
  std::string algorithm;
  // False where the plan runs `reference` itself: there is nothing to compare, the error is zero.
  bool compared = false;
  ErrorStats error;     // over all of the layer's outputs, under the algorithm's tolerance
  std::string failure;  // the kernel could not be prepared or threw: the message (a failure)
  std::optional<PropagatedError> propagation;  // with CheckOptions::propagation
  bool passed() const { return failure.empty() && error.passed(); }
};

// One graph output of the plan's run against the all-reference run and the expected outputs.
struct OutputCheck {
  std::string name;
  ErrorStats vs_reference;
  std::optional<ErrorStats> vs_expected;
  bool passed() const { return vs_reference.passed() && (!vs_expected || vs_expected->passed()); }
};

struct CheckOptions {
  int threads = 0;               // 0: all hardware threads
  std::vector<Tensor> inputs;    // graph inputs; empty: random_inputs(model)
  std::vector<Tensor> expected;  // graph outputs to compare with too (e.g. test_data_set); optional
  // Replaces every algorithm's tolerance, per layer and end to end.
  std::optional<Tolerance> tolerance;
  std::function<void(const LayerCheck&)> on_layer;  // streamed as each layer is checked
  // Also run the plan itself with every value observed (all in the plain layout, which the plan's
  // native-layout run computes alike) and set each layer's PropagatedError. Holds every layer's
  // reference outputs until the plan's run reaches it: the activations without reuse
  // (Session::activation_bytes).
  bool propagation = false;
  RunControl control;
};

struct CheckResult {
  std::vector<LayerCheck> layers;    // in node order
  std::vector<OutputCheck> outputs;  // empty when cancelled before the end-to-end comparison
  // End to end: the override, else the loosest atol and rtol among the plan's algorithms.
  Tolerance end_to_end_tolerance;
  int threads = 0;
  MemoryReport memory;   // of the plan's session (session.h), from its memory plan
  bool partial = false;  // cancelled: `layers` holds the layers checked before that
  bool passed() const;
  std::vector<const LayerCheck*> failed_layers() const;
};

// Checks every layer of `plan` against `reference` and the plan's outputs against an
// all-reference run (and `expected` when given). Throws Error when the plan does not fit the model
// or the inputs or expected outputs do not match it.
CheckResult check_plan(std::shared_ptr<const Model> model, const Plan& plan,
                       const CheckOptions& options = {},
                       const Registry& registry = Registry::instance());

// ---------------------------------------------------------------------------------------------
// Timing: per layer (isolated), end to end (compiled)

// A port where an algorithm's kernel can take or give its value in a native layout instead of the
// plain one (Kernel::native_input_layout / native_output_layout), and the conversion that saves.
struct NativePort {
  bool output = false;  // an output port, else an input
  size_t index = 0;     // the port's index among the node's inputs or outputs
  NativeLayout layout;
  // Measured: the kernel's median with this port and the ones before it (in
  // AlgorithmTiming::native_ports) native, less its median with only those before it native. The
  // reorder it skips when its neighbour hands or takes the value in this layout (never negative).
  double conversion_ms = 0;
};

// How a kernel joins its neighbours' native layouts without offering one of its own (Kernel):
// elementwise in any layout, a channel Concat, or channels-last through input 0 and output 0.
enum class LayoutCarrying { none, any_layout, channel_concat, channels_last };
const char* layout_carrying_name(LayoutCarrying carrying);

// One algorithm timed on one layer.
struct AlgorithmTiming : LayerId {
  std::string algorithm;
  // One sample per kernel call after the warm-up calls; only the first call's time when out of
  // tolerance (a wrong algorithm's speed does not matter), the first two calls' when pruned.
  TimingStats time;
  double flops = 0;  // the op's FLOP count for this layer (registry)
  size_t workspace_bytes = 0;
  size_t prepared_bytes = 0;  // Algorithm::prepared: what its kernel keeps (transformed weights)
  double traffic_bytes = 0;   // Algorithm::traffic_bytes: the roofline's bytes moved per call
  double intensity() const { return traffic_bytes > 0 ? flops / traffic_bytes : 0; }
  std::optional<ErrorStats> error;  // against `reference` on the same inputs, when verified
  // Timed twice only: both its first call and a second one (the first pays for first touches and
  // JIT compilation) were already `prune_factor` times slower than the best so far. Never the
  // time of a tuned plan's choice.
  bool pruned = false;
  bool from_cache = false;  // measured by an earlier tune (tuning cache), not in this call
  std::string failure;      // could not be prepared or threw: the message (no time)
  // Where its kernel runs ("host", or a device's space_name), what it offers its neighbours and
  // what moving its values costs: filled when measured with conversions (tune's global strategy).
  std::string memory_space = "host";
  std::vector<NativePort> native_ports;
  LayoutCarrying carrying = LayoutCarrying::none;
  // A channel Concat or channels-last kernel carrying the dense channels-last layout copies or
  // strides differently: its median timed so (0 when not measured).
  double channels_last_ms = 0;
  // Its output may share its input's bytes (Reshape) or its inputs may be written straight into
  // their blocks of its output (Concat): in a model it copies only what cannot be shared.
  bool shares_buffers = false;
  // A device kernel's measured copies of each input from the host and of each output back (0 for
  // constants and on the host): what a plan pays where its neighbour runs elsewhere.
  std::vector<double> upload_ms, download_ms;
  bool conversions_measured = false;
  double gflops() const { return time.median_ms > 0 ? flops / time.median_ms * 1e-6 : 0; }
  bool usable() const { return failure.empty() && (!error || error->passed()); }
};

// A layer's choice among its measured candidates (choose_algorithm).
struct LayerChoice {
  const AlgorithmTiming* chosen = nullptr;   // nullptr when no candidate is usable
  std::vector<const AlgorithmTiming*> tied;  // the others within noise of it (see below)
  std::string tie_break;  // what decided among the tied: "lower error", "less workspace",
                          // "registry order"; empty without a tie
};

// How tune ranks the algorithms of a layer. Only usable candidates (no failure, within tolerance
// when verified) that were fully timed (not pruned) compete; the lowest median wins. Candidates
// whose median is within kTieMargin of the lowest and whose median's confidence interval overlaps
// its interval tie with it: the measurements cannot tell them apart, so the choice among them is
// made by lower error, then less workspace, then the registry's order (`op`'s list; the
// candidates' own order without it). Re-tuning on the same machine therefore picks the same
// algorithm, or says which layers tied.
inline constexpr double kTieMargin = 0.05;
LayerChoice choose_algorithm(const std::vector<AlgorithmTiming>& candidates,
                             const OpDefinition* op = nullptr);

struct LayerTimingOptions {
  int threads = 0;
  int warmup = 1;
  int repeat = 5;  // timed calls at least, per algorithm and layer
  AdaptiveRepeat adaptive{.target_ci = 0.03, .max_repeat = 100, .budget_ms = 300};
  std::vector<std::string> nodes;  // the layers to time (node names); empty: every layer
  // The algorithms to time where they apply; empty: every applicable one except `reference`
  // (the ground truth, slow by design), which is timed only where nothing else applies.
  std::vector<std::string> algorithms;
  bool verify = false;  // also compare each with `reference` (fills AlgorithmTiming::error)
  std::optional<Tolerance> tolerance;  // replaces the algorithms' own when verifying
  // An algorithm whose first two calls are both this many times slower than the best minimum so
  // far on the layer is not timed further (pruned). 0: time everything fully.
  double prune_factor = 0;
  std::vector<Tensor> inputs;                             // empty: random_inputs(model)
  std::function<void(const AlgorithmTiming&)> on_timing;  // streamed as each one finishes
  RunControl control;
};

struct LayerTimingResult {
  std::vector<AlgorithmTiming> timings;  // by layer in node order, then algorithm
  size_t timings_performed = 0;          // (layer, algorithm) pairs timed in this call
  int threads = 0;
  bool partial = false;
};

// Times algorithms on layers in isolation. The inputs each layer reads are recorded from a run of
// `plan` (its algorithms compute the values; use Plan::for_model(model) for the engine's choice).
LayerTimingResult time_layers(std::shared_ptr<const Model> model, const Plan& plan,
                              const LayerTimingOptions& options = {},
                              const Registry& registry = Registry::instance());

struct EndToEndResult;

// What time_end_to_end tells its caller after each timed run. The statistics are worked out only
// when asked for (sorting every layer's samples after each of thousands of fast runs would cost
// more than the runs), so a viewer can ask a few times a second and skip the rest.
struct RepeatReport {
  int runs = 0;                                // timed runs so far
  std::function<EndToEndResult()> statistics;  // over those runs; valid during the callback only
};

struct EndToEndOptions {
  int threads = 0;
  int warmup = 2;
  int repeat = 10;  // timed runs at least (of each plan, when several are compared)
  AdaptiveRepeat adaptive{.target_ci = 0.02, .max_repeat = 200, .budget_ms = 3000};
  std::vector<Tensor> inputs;  // empty: random_inputs(model)
  // time_end_to_end only: called after each timed run, so a viewer can show the statistics while
  // the runs go on.
  std::function<void(const RepeatReport&)> on_repeat;
  // time_end_to_end only: record every step of every timed run (EndToEndResult::trace).
  bool trace = false;
  RunControl control;
};

// One step of one timed run, as it happened: a kernel, a transfer between memory spaces, or the
// whole run. Times in microseconds from the start of the first timed run; a step's start is its
// end (when the session's timing hook was called) less its time. A layout conversion inside a
// kernel (a oneDNN reorder) is part of that kernel's slice; the session's own conversions are the
// transfers.
struct TraceSlice {
  enum class Kind { run, kernel, transfer };
  Kind kind = Kind::kernel;
  std::string name;  // the node, the transfer's step_name(), or "run N"
  size_t step = 0;   // index in Session::layers() or transfers(); the run's number for a run
  int run = 0;       // the timed run it belongs to, from 0
  double start_us = 0, duration_us = 0;
  uint64_t thread = 0;  // the OS thread that ran the session (the kernels' teams fork from it)
};

// One layer inside the compiled model, from the session's timing hook.
struct LayerTime : LayerId {
  std::string algorithm;
  std::string choice;  // for an algorithm that picks another (cudnn_find): what it picked
  TimingStats time;
  double flops = 0;
  size_t workspace_bytes = 0;
  size_t prepared_bytes = 0;  // as in AlgorithmTiming
  double traffic_bytes = 0;
  int threads = 1;  // CompiledLayer::threads: 1 where the layer's work is too small for a team
  double intensity() const { return traffic_bytes > 0 ? flops / traffic_bytes : 0; }
  double gflops() const { return time.median_ms > 0 ? flops / time.median_ms * 1e-6 : 0; }
};

// One transfer between memory spaces that the session inserted (Session::transfers), timed as
// its own step.
struct TransferTime {
  ValueTransfer transfer;
  TimingStats time;
};

struct EndToEndResult {
  TimingStats latency;       // one sample per run of the whole model
  TimingStats kernel_sum;    // per run, the sum of the per-node kernel times
  TimingStats transfer_sum;  // per run, the sum of the transfers' times (0 on the host alone)
  // Per run, latency minus the kernel and transfer sums: the framework's own time.
  TimingStats overhead;
  std::vector<LayerTime> layers;
  std::vector<TransferTime> transfers;
  double flops = 0;  // the whole model's
  int threads = 0;
  size_t arena_bytes = 0;
  size_t workspace_bytes = 0;
  MemoryReport memory;   // the session's memory plan along its steps (session.h)
  bool partial = false;  // cancelled: the statistics cover the runs finished before that
  // With EndToEndOptions::trace: every timed run and its steps, in the order they ran.
  std::vector<TraceSlice> trace;
  // The framework's share of the kernels' time, in percent (median overhead / median kernel sum).
  double overhead_percent() const;
};

// The trace as Chrome's trace event format (JSON, "X" complete events; chrome://tracing, Perfetto
// and Speedscope open it): one slice per run, kernel and transfer, with the layer's op, algorithm
// and threads as arguments; `process` names the process row.
std::string to_chrome_trace(const EndToEndResult& result, const std::string& process);

// Compiles `plan` and times whole runs: warm-up runs, then `repeat` timed runs with the per-node
// timing hook on (two clock reads per node).
EndToEndResult time_end_to_end(std::shared_ptr<const Model> model, const Plan& plan,
                               const EndToEndOptions& options = {},
                               const Registry& registry = Registry::instance());

// ---------------------------------------------------------------------------------------------
// Tuning

struct TunedLayer : LayerId {
  // choose_algorithm(candidates), `reference` when none is usable; or, when a layout family's
  // plan won end to end (TuneResult::family_plans), that family's choice.
  std::string algorithm;
  std::vector<std::string> tied;  // the candidates that tied with `algorithm` (LayerChoice)
  std::string tie_break;
  std::string layout_family;  // the family whose plan chose `algorithm`; empty: chosen alone or
                              // by an op's plan (FamilyPlan::op_type)
  std::vector<AlgorithmTiming> candidates;
  bool planned_globally = false;  // the plan optimizer's plan chose `algorithm` (GlobalPlan)
  bool from_cache = false;        // the measurements came from the tuning cache
  // The earlier layer of this model with the same tuning key (shapes, attributes, ...) whose
  // measurements this layer shares; empty when it was measured itself or came from the cache.
  std::string shared_with;
};

// How tune turns measurements into a plan. per_layer: each layer's fastest algorithm alone.
// family: also the whole plans of each layout family and of one algorithm per heavy op
// (FamilyPlan), timed end to end. global: also the plan optimizer's (GlobalPlan): every layer's
// algorithm and layouts chosen together over measured kernel, conversion and transfer costs, a
// PBQP (Anderson & Gregg, CGO 2018). The fastest plan timed end to end is returned.
enum class TuneStrategy { per_layer, family, global };
const char* tune_strategy_name(TuneStrategy strategy);
std::optional<TuneStrategy> tune_strategy_named(const std::string& name);

struct TuneOptions {
  TuneStrategy strategy = TuneStrategy::global;
  // The most bytes a plan's activations and workspace may take together (Session::arena_bytes +
  // workspace_bytes); 0: no limit. Algorithms whose workspace does not fit are left out, and only
  // plans that fit are timed.
  size_t memory_budget_bytes = 0;
  int threads = 0;
  int warmup = 1;
  int repeat = 5;  // timed calls at least, per candidate (and runs of each whole plan)
  // Per candidate on a layer: a small budget, as a model has hundreds of (layer, algorithm) pairs.
  AdaptiveRepeat adaptive{.target_ci = 0.05, .max_repeat = 30, .budget_ms = 150};
  // The whole plans timed at the end (per-layer choices, layout families, engine default).
  AdaptiveRepeat plans_adaptive{.target_ci = 0.02, .max_repeat = 200, .budget_ms = 3000};
  std::optional<Tolerance> tolerance;  // replaces the algorithms' own
  double prune_factor = 3.0;           // see LayerTimingOptions::prune_factor
  // The persistent tuning cache (tuning_cache.h); tests point cache_path at a temporary file.
  bool use_cache = true;
  std::string cache_path;  // empty: TuningCache::default_path()
  // Times the tuned plan, the layout families' plans and the engine's default plan end to end
  // afterwards, alternating their runs (stored in the tuned plan's measurements); without it no
  // family plan is considered.
  bool measure_end_to_end = true;
  std::vector<Tensor> inputs;                             // empty: random_inputs(model)
  std::function<void(const AlgorithmTiming&)> on_timing;  // each candidate measured on a layer
  std::function<void(const TunedLayer&)> on_layer;        // streamed as each layer is decided
  RunControl control;
};

// A whole plan timed against the per-layer choices: a layout family's, or one op's algorithm.
struct FamilyPlan {
  // The layout family whose members pass each other values in their own layout; empty for the
  // plan that gives every layer of `op_type` the `preferred` algorithm where it is usable.
  std::string family;
  // In a family's plan, empty: each layer's fastest member. Otherwise this member wherever it is
  // usable, the family's fastest elsewhere: one algorithm keeps one layout across its layers,
  // where the fastest of each layer alone may mix layouts (Winograd's blocked values beside
  // channels-last ones) and pay reorders between them.
  std::string preferred;
  std::string op_type;      // set with an empty family
  size_t layers = 0;        // layers whose per-layer choice it changes
  double predicted_ms = 0;  // the plan optimizer's cost model for it (strategy global; else 0)
  Plan plan;
  EndToEndResult end_to_end;
  bool chosen = false;  // faster than the per-layer plan and every other family's plan
};

// A layer of the plan optimizer's plan: what it chose and why.
struct PlannedLayer : LayerId {
  std::string algorithm;
  // Its ports that the plan runs in the algorithm's native layout, as "input 0", "output 0".
  std::vector<std::string> native_ports;
  double alone_ms = 0;          // the algorithm's median timed alone
  double cost_ms = 0;           // in the plan: alone, less the conversions its native ports skip
  std::string fastest_alone;    // the per-layer choice
  double fastest_alone_ms = 0;  // its median alone
  // Where the plan chose another algorithm than the per-layer one: how much more the best plan
  // with the per-layer one on this layer would cost (the conversions the choice saves, net).
  double plan_cost_without_ms = 0;
};

// A value between two layers that costs a plan something (the cost model's): a copy between
// memory spaces, or reorders at its ends where producer and reader do not agree on a native
// layout (the producer's counted once per value, with its first reader).
struct PlannedValueCost {
  std::string value, producer, reader, from_space, to_space;
  double copy_ms = 0, conversion_ms = 0;
};

// The plan optimizer's plan (TuneStrategy::global).
struct GlobalPlan {
  // Σ layer costs + Σ transfers, with the layouts the session negotiated. Tune solves twice: on
  // the isolated timings, then (`calibrated`) with the kernel times the whole plans' runs measured
  // (the rest scaled alike); the plan of the second solve is timed last and this is its cost
  // before that timing. `isolated_predicted_ms`: its cost from the isolated timings alone.
  double predicted_ms = 0;
  double isolated_predicted_ms = 0;
  bool calibrated = false;
  double calibration_scale = 1;  // run / isolated kernel time, median over the placements run
  double kernels_ms = 0, transfers_ms = 0, conversions_saved_ms = 0;
  bool optimal = false;  // the solver proved it the cheapest under the cost model
  std::vector<PlannedLayer> layers;
  std::vector<PlannedValueCost> value_costs;
  size_t changed_layers = 0;  // layers whose per-layer choice it changes
  Plan plan;
  EndToEndResult end_to_end;  // when timed (TuneOptions::measure_end_to_end)
  bool chosen = false;        // its median run was the fastest of the plans timed
  size_t memory_bytes = 0;    // its arena and workspace
  // A plan the first batch of runs did not time is timed in a second batch, its runs alternating
  // with those of the first batch's fastest plan, timed again there (`rival`: "per-layer", a
  // FamilyPlan's label, or "optimizer's first", its plan from the isolated timings): the two are
  // compared within one batch. A shared machine's speed drifts between batches; `drift` is the
  // rival's median in the second over its median in the first, the factor by which the prediction
  // (made from the first) is scaled to compare with the measurement. Empty rival and drift 1 when
  // the plan was timed in the first batch.
  std::string rival;
  Plan rival_plan;
  std::optional<EndToEndResult> rival_end_to_end;
  double drift = 1;
  // Measured over predicted, the prediction scaled by drift.
  double measured_over_predicted() const {
    return predicted_ms > 0 ? end_to_end.latency.median_ms / (predicted_ms * drift) : 0;
  }
};

struct TuneResult {
  // Every tuned layer named explicitly; `measurements` holds to_json(*this) without the plan.
  Plan plan;
  std::vector<TunedLayer> layers;            // in node order; only the finished ones when partial
  size_t timings_performed = 0;              // (layer, algorithm) pairs timed in this call
  size_t cache_hits = 0;                     // layers whose measurements came from the tuning cache
  std::optional<EndToEndResult> end_to_end;  // the tuned plan
  std::vector<FamilyPlan> family_plans;      // timed alongside; one chosen when it was faster
  TuneStrategy strategy = TuneStrategy::global;
  std::optional<GlobalPlan> global_plan;  // strategy global, unless partial
  // The cost model's prediction for the per-layer plan (strategy global; 0 otherwise).
  double per_layer_predicted_ms = 0;
  // What the values between layers cost in the returned plan, as the session runs it (strategy
  // global, timed end to end): where layouts or memory spaces of neighbours disagree.
  std::vector<PlannedValueCost> value_costs;
  size_t memory_budget_bytes = 0;
  std::optional<EndToEndResult> per_layer_end_to_end;  // the per-layer plan, when one was chosen
  Plan per_layer_plan;  // each layer's fastest algorithm alone (within the memory budget)
  std::optional<EndToEndResult> default_end_to_end;  // the engine's default plan, for comparison
  std::string cache_path;                            // "" when the cache was not used
  std::vector<std::string> notes;  // e.g. an unreadable cache file that was started afresh
  int threads = 0;
  int warmup = 0, repeat = 0;
  bool partial = false;
};

// The fastest applicable algorithm of every layer among those whose output is within tolerance of
// `reference` on the same inputs (recorded from a run of the engine's default plan). Layers found
// in the tuning cache are not measured again, nor are layers with the same tuning key as an
// earlier layer of the model (they share its measurements). With measure_end_to_end, the plan of
// per-layer choices is timed against the plans the strategy adds (TuneStrategy: the layout
// families' and heavy ops' plans, FamilyPlan; the plan optimizer's, GlobalPlan), runs
// alternating, and the fastest one is returned: neighbours that keep values in their native
// layout can beat algorithms that were faster alone (oneDNN's blocked chains in MobileNetV2,
// say). Without it, the global strategy returns the optimizer's plan as predicted.
TuneResult tune(std::shared_ptr<const Model> model, const TuneOptions& options = {},
                const Registry& registry = Registry::instance());

// ---------------------------------------------------------------------------------------------
// Comparison

struct LayerComparison : LayerId {
  std::string algorithm_a, algorithm_b;
  TimingStats a, b;
  bool differs() const { return algorithm_a != algorithm_b; }
  double ratio() const { return a.median_ms > 0 ? b.median_ms / a.median_ms : 0; }  // B / A
};

struct PlanComparison {
  std::vector<LayerComparison> layers;
  EndToEndResult a, b;
  size_t differing_layers() const;
  double latency_ratio() const;  // B's median latency / A's
  bool partial = false;
};

// Times both plans end to end, alternating their runs so that drift of the machine affects both
// alike, and sets them side by side layer by layer.
PlanComparison compare_plans(std::shared_ptr<const Model> model, const Plan& a, const Plan& b,
                             const EndToEndOptions& options = {},
                             const Registry& registry = Registry::instance());

// ---------------------------------------------------------------------------------------------
// JSON, the shapes documented in README.md ("Measurement JSON"); the CLI writes these and a GUI
// can export the same.

std::string to_json(const CheckResult& result);
std::string to_json(const LayerTimingResult& result);
std::string to_json(const EndToEndResult& result);
std::string to_json(const TuneResult& result);
std::string to_json(const PlanComparison& result);

}  // namespace algoscope
