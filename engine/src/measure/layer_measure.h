// The machinery the measurement services share: progress reporting that knows about cancelling,
// an algorithm's kernel isolated on a layer's recorded inputs, measuring such a kernel (verify,
// prune, warm up, time), walking a run of a compiled model to measure layers on the values it
// computes, and timing whole runs of compiled models.
#pragma once

#include <chrono>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "algoscope/measure.h"
#include "algoscope/session.h"

namespace algoscope::measure {

// A result (LayerCheck, AlgorithmTiming, ...) about layer `index`, its LayerId filled in.
template <class Result>
Result result_about(const CompiledLayer& layer, size_t index) {
  Result result;
  static_cast<LayerId&>(result) = LayerId{index, layer.node->name, layer.node->op_type};
  return result;
}

// Counts units of work, reports them and answers whether the caller asked to stop.
class ProgressReporter {
 public:
  ProgressReporter(const RunControl& control, size_t total) : control_(control), total_(total) {}
  bool cancelled() const { return control_.cancel && control_.cancel->cancelled(); }
  void add_to_total(size_t units) { total_ += units; }
  // Announces the unit about to run.
  void begin(const std::string& layer, const std::string& algorithm);
  void end_unit() { ++done_; }
  // The closing report (done == total) unless cancelled.
  void finish();

 private:
  const RunControl& control_;
  size_t total_ = 0;
  size_t done_ = 0;
};

// An algorithm's kernel for one layer with inputs of its own (copies of the recorded activations;
// constants are shared, kernels only read them), its own outputs and workspace. A device kernel
// gets all of them in its memory space (constants copied too); outputs() brings its results to
// the host, and timed_run() times it on the device's clock where the space has one (CUDA
// events), else waits for the device before it reads the host's clock.
class IsolatedKernel {
 public:
  // A port to run in the kernel's native layout (NativePort without what was measured).
  struct NativeChoice {
    bool output = false;
    size_t index = 0;
  };
  // Throws Error (naming node, op and algorithm) when the kernel cannot be prepared. The ports in
  // `native` (host kernels only, each one the kernel offers) get storage in the kernel's native
  // layout, the plain values' bytes at its start: right for timing the kernel without those
  // reorders, not for its results.
  IsolatedKernel(const Algorithm& algorithm, const Layer& layer, const KernelIO& recorded,
                 const std::vector<NativeChoice>& native = {});
  IsolatedKernel(const IsolatedKernel&) = delete;  // io_ points into the object itself
  IsolatedKernel& operator=(const IsolatedKernel&) = delete;
  void run();
  // Runs once and returns the kernel's time in milliseconds. Call from one thread: a device
  // timer belongs to the thread that made it.
  double timed_run();
  // The outputs of the last run, on the host.
  const std::vector<Tensor>& outputs();
  Kernel& kernel() { return *kernel_; }
  MemorySpace* space() const { return space_; }
  // A device kernel's copy of each input from the host when it was set up (0 for constants and
  // absent inputs), and of each output back to the host, timed once; empty on the host.
  const std::vector<double>& upload_ms() const { return upload_ms_; }
  std::vector<double> time_downloads();

 private:
  std::unique_ptr<Kernel> kernel_;
  MemorySpace* space_ = nullptr;  // the kernel's; nullptr: host
  std::vector<Tensor> inputs_, outputs_;
  std::vector<Tensor> device_tensors_;  // views of device_buffers_, for a device kernel
  std::vector<SpaceBuffer> device_buffers_;
  std::vector<SpaceBuffer> native_buffers_;  // host storage of the ports run natively
  std::vector<double> upload_ms_;
  SpaceBuffer workspace_;
  KernelIO io_;
  bool downloaded_ = true;
  std::unique_ptr<DeviceTimer> timer_;  // made at the first timed_run of a device kernel
  bool timer_checked_ = false;
};

// When a measurement has sampled enough (AdaptiveRepeat): at least `repeat` samples, then until
// the median is known to ±target_ci, max_repeat samples or the budget, whichever comes first.
class SamplingRule {
 public:
  SamplingRule(int repeat, const AdaptiveRepeat& adaptive) : repeat_(repeat), adaptive_(adaptive) {}
  // Call when the first timed sample starts: the budget counts from there.
  void start();
  // Why the samples so far are enough, or nullopt to take another.
  std::optional<SamplingStop> enough(const std::vector<double>& samples) const;
  // The statistics of `samples`, with the reason sampling stopped.
  TimingStats stats(const std::vector<double>& samples) const;

 private:
  int repeat_;
  AdaptiveRepeat adaptive_;
  std::chrono::steady_clock::time_point start_;
};

struct MeasureSettings {
  int warmup = 1;  // calls before timing; at least one, whose output is verified
  int repeat = 5;
  AdaptiveRepeat adaptive;
  double prune_factor = 0;
  bool verify = false;
  std::optional<Tolerance> tolerance;
  // Also what each algorithm offers its neighbours (AlgorithmTiming::native_ports, carrying) and
  // the conversions and transfers it would skip or pay, timed (the plan optimizer's costs).
  bool conversions = false;
};

// The tolerance an algorithm is held to: the override, else its own.
inline Tolerance tolerance_for(const Algorithm& algorithm, const std::optional<Tolerance>& custom) {
  return custom ? *custom : algorithm.tolerance;
}

// A layer to measure and the algorithms to measure on it, in that order.
struct LayerJob {
  size_t index = 0;
  std::vector<const Algorithm*> algorithms;
};

// What to measure on a layer: the algorithms named in `only` that apply to it (all applicable ones
// when empty, except `reference`, the slow ground truth, unless nothing else applies), the
// compiled layer's own algorithm first so that pruning has a good yardstick early.
std::vector<const Algorithm*> candidates_for(const OpDefinition& op, const CompiledLayer& layer,
                                             const std::vector<std::string>& only = {});

// Progress units a job takes: one per algorithm, plus one for the reference run when verifying.
size_t job_units(const LayerJob& job, const MeasureSettings& settings);

// Runs `session` once on `inputs`; at each layer with a job, measures the job's algorithms on what
// that layer read (and `reference` from `registry` on the same, when verifying). Calls on_timing
// after every algorithm and on_layer after every job. The run stops after the last job. Returns
// false when cancelled; what finished before was reported.
struct LayerCallbacks {
  std::function<void(const AlgorithmTiming&)> on_timing;
  std::function<void(const LayerJob&, std::vector<AlgorithmTiming>)> on_layer;
};
bool measure_layers(Session& session, const Registry& registry, const std::vector<Tensor>& inputs,
                    const std::vector<LayerJob>& jobs, const MeasureSettings& settings,
                    ProgressReporter& progress, const LayerCallbacks& callbacks);

// Times whole runs of each session on `inputs`: `warmup` untimed rounds, then timed rounds, each
// round running every session once (alternating, so drift affects all alike), until every
// session's latency has sampled enough under `rule`. Progress units: (warmup + repeat) * sessions,
// more added as adaptive rounds are. Cancelled results are marked partial. After each
// timed run of a session, `on_repeat` (when set) gets that session's index and a report whose
// statistics cover its timed runs so far.
using RepeatCallback = std::function<void(size_t session, const RepeatReport& report)>;
size_t run_units(size_t sessions, int warmup, int repeat);
// With `trace`, each result's trace holds its timed runs' steps.
std::vector<EndToEndResult> time_sessions(const std::vector<Session*>& sessions,
                                          const std::vector<Tensor>& inputs, int warmup, int repeat,
                                          const AdaptiveRepeat& adaptive,
                                          ProgressReporter& progress,
                                          const RepeatCallback& on_repeat = {}, bool trace = false);

// The caller's inputs, or seeded random ones.
std::vector<Tensor> inputs_or_random(const Model& model, const std::vector<Tensor>& inputs);

}  // namespace algoscope::measure
