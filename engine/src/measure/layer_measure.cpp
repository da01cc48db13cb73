// See layer_measure.h. The protocol of one measurement: the first call is a warm-up whose output
// is compared with `reference`; an algorithm that is out of tolerance, or whose first two calls
// are both far slower than the best so far, is timed no further; the rest warm up and are timed
// `repeat` times, one sample per kernel call. The cancel token is read before every kernel call.
#include "measure/layer_measure.h"

#include <sys/syscall.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstring>
#include <map>

#include "algoscope/error.h"
#include "algoscope/registry_guard.h"

namespace algoscope::measure {
namespace {

using Clock = std::chrono::steady_clock;

double ms_between(Clock::time_point start, Clock::time_point stop) {
  return std::chrono::duration<double, std::milli>(stop - start).count();
}

// The kernel's id of the calling thread: what a trace viewer groups slices by, and what `top -H`
// and perf show.
uint64_t current_thread_id() { return static_cast<uint64_t>(::syscall(SYS_gettid)); }

AlgorithmTiming describe(const Algorithm& algorithm, const CompiledLayer& compiled, size_t index) {
  auto t = result_about<AlgorithmTiming>(compiled, index);
  t.algorithm = algorithm.name;
  t.flops = compiled.flops;
  t.workspace_bytes = algorithm.workspace(compiled.layer);
  t.prepared_bytes = algorithm.prepared(compiled.layer);
  t.traffic_bytes = algorithm.traffic_bytes(compiled.layer);
  return t;
}

bool is_reference(const Algorithm& algorithm) { return algorithm.name == OpDefinition::kReference; }

// The pruning yardstick: the lowest minimum among the usable algorithms timed so far on the layer
// (other work on the machine only ever adds time, so the minimum is a kernel's least noisy cost).
double best_min_so_far(const std::vector<AlgorithmTiming>& timings) {
  double best = 0;
  for (const AlgorithmTiming& t : timings)
    if (t.usable() && t.time.samples > 0 && (best == 0 || t.time.min_ms < best))
      best = t.time.min_ms;
  return best;
}

// Whether `algorithm` may be pruned on a layer where `timings` were taken already. A layout
// family's plan (tune's whole-plan candidates) needs a fully timed member of the family on every
// layer it covers: one pruned there leaves a hole where values are converted twice, which costs
// more than the kernel saved (MobileNetV2's depthwise layers between oneDNN's blocked 1x1s). So
// the first of a family on a layer is always timed in full.
bool may_prune(const Algorithm& algorithm, const std::vector<AlgorithmTiming>& timings,
               const OpDefinition* op) {
  if (algorithm.layout_family.empty()) return true;
  for (const AlgorithmTiming& t : timings)
    if (const Algorithm* other = op ? op->find(t.algorithm) : nullptr;
        other && other->layout_family == algorithm.layout_family && t.usable() && !t.pruned &&
        t.time.samples > 0)
      return true;
  return false;
}

// Timed calls of `kernel` until the settings' sampling rule has enough; nullopt when cancelled.
std::optional<TimingStats> timed_samples(IsolatedKernel& kernel, const MeasureSettings& settings,
                                         const ProgressReporter& progress) {
  SamplingRule rule(settings.repeat, settings.adaptive);
  rule.start();
  std::vector<double> samples;
  do {
    if (progress.cancelled()) return std::nullopt;
    samples.push_back(kernel.timed_run());
  } while (!rule.enough(samples));
  return rule.stats(samples);
}

// What a timed kernel offers its neighbours and what it saves or pays with them (the plan
// optimizer's costs): its memory space and device copies, how it carries layouts through, and
// for each native port in turn the time it skips when that port and the ones before it are
// native. False when cancelled.
bool measure_conversions(AlgorithmTiming& t, const Algorithm& algorithm, const Layer& layer,
                         const KernelIO& recorded, IsolatedKernel& kernel,
                         const MeasureSettings& settings, const ProgressReporter& progress) {
  t.conversions_measured = true;
  const Kernel& k = kernel.kernel();
  t.shares_buffers = k.output_is_input() || !k.inputs_in_output().empty();
  t.memory_space = space_name(kernel.space());
  if (kernel.space()) {
    t.upload_ms = kernel.upload_ms();
    t.download_ms = kernel.time_downloads();
    return true;
  }
  t.carrying = k.works_in_any_layout()     ? LayoutCarrying::any_layout
               : k.concatenates_channels() ? LayoutCarrying::channel_concat
               : k.works_channels_last()   ? LayoutCarrying::channels_last
                                           : LayoutCarrying::none;
  // A variant's median, timed as the kernel was (nullopt when cancelled).
  auto median_of = [&](IsolatedKernel& variant) -> std::optional<double> {
    for (int w = 0; w < std::max(settings.warmup, 1); ++w) {
      if (progress.cancelled()) return std::nullopt;
      variant.run();
    }
    const std::optional<TimingStats> stats = timed_samples(variant, settings, progress);
    if (!stats) return std::nullopt;
    return stats->median_ms;
  };
  if (t.carrying == LayoutCarrying::channel_concat || t.carrying == LayoutCarrying::channels_last) {
    IsolatedKernel variant(algorithm, layer, recorded);
    if (t.carrying == LayoutCarrying::channel_concat)
      variant.kernel().concatenate_channels_last();
    else
      variant.kernel().use_channels_last();
    const std::optional<double> ms = median_of(variant);
    if (!ms) return false;
    t.channels_last_ms = *ms;
  }
  if (t.carrying != LayoutCarrying::none) return true;
  for (size_t i = 0; i < layer.inputs.size(); ++i)
    if (auto layout = k.native_input_layout(i); layout && !layer.constant(i))
      t.native_ports.push_back({false, i, *layout, 0});
  for (size_t i = 0; i < layer.outputs.size(); ++i)
    if (auto layout = k.native_output_layout(i)) t.native_ports.push_back({true, i, *layout, 0});
  // A conversion is a few percent of a kernel: time each variant as the kernel was timed, but on
  // a budget of its own, and never let noise make a conversion negative.
  std::vector<IsolatedKernel::NativeChoice> native;
  double before_ms = t.time.median_ms;
  for (size_t p = 0; p < t.native_ports.size(); ++p) {
    NativePort& port = t.native_ports[p];
    native.push_back({port.output, port.index});
    std::optional<IsolatedKernel> made;
    try {
      made.emplace(algorithm, layer, recorded, native);
    } catch (const std::exception&) {
      // A port the kernel cannot run natively is one a plan cannot use either.
      t.native_ports.resize(p);
      break;
    }
    const std::optional<double> median_ms = median_of(*made);
    if (!median_ms) return false;
    port.conversion_ms = std::max(0.0, before_ms - *median_ms);
    before_ms = std::min(before_ms, *median_ms);
  }
  return true;
}

// One algorithm on one layer; nullopt when cancelled before it finished.
std::optional<AlgorithmTiming> measure_algorithm(
    const Algorithm& algorithm, const CompiledLayer& compiled, size_t index,
    const KernelIO& recorded, const std::vector<const Tensor*>* reference,
    const MeasureSettings& settings, double best_min_ms, const ProgressReporter& progress) {
  AlgorithmTiming t = describe(algorithm, compiled, index);
  try {
    IsolatedKernel kernel(algorithm, compiled.layer, recorded);
    if (progress.cancelled()) return std::nullopt;
    const double first_ms = kernel.timed_run();
    if (settings.verify) {
      ErrorStats error;
      error.tolerance = tolerance_for(algorithm, settings.tolerance);
      for (size_t k = 0; k < kernel.outputs().size(); ++k) {
        // `reference` compared with itself: zero by definition (its kernels are deterministic).
        const Tensor& want =
            reference && !is_reference(algorithm) ? *(*reference)[k] : kernel.outputs()[k];
        accumulate_error(error, kernel.outputs()[k], want);
      }
      t.error = error;
      if (!error.passed()) {
        t.time = TimingStats::of({first_ms});
        return t;
      }
    }
    int warmed = 1;
    if (settings.prune_factor > 0 && best_min_ms > 0 &&
        first_ms > settings.prune_factor * best_min_ms) {
      // The first call pays for first touches and JIT compilation (oneDNN builds its kernels on
      // the first run): a second call decides, and counts as a warm-up when it does not prune.
      if (progress.cancelled()) return std::nullopt;
      const double second_ms = kernel.timed_run();
      if (second_ms > settings.prune_factor * best_min_ms) {
        t.pruned = true;
        t.time = TimingStats::of({first_ms, second_ms});
        return t;
      }
      ++warmed;
    }
    for (int w = warmed; w < settings.warmup; ++w) {
      if (progress.cancelled()) return std::nullopt;
      kernel.run();
    }
    const std::optional<TimingStats> stats = timed_samples(kernel, settings, progress);
    if (!stats) return std::nullopt;
    t.time = *stats;
    if (settings.conversions &&
        !measure_conversions(t, algorithm, compiled.layer, recorded, kernel, settings, progress))
      return std::nullopt;
  } catch (const std::exception& e) {
    // A kernel that cannot be prepared for, or fails on, this layer is reported, not fatal: the
    // other algorithms are still worth measuring.
    t.failure = e.what();
  }
  return t;
}

}  // namespace

void SamplingRule::start() { start_ = Clock::now(); }

std::optional<SamplingStop> SamplingRule::enough(const std::vector<double>& samples) const {
  const int n = static_cast<int>(samples.size());
  if (n < std::max(repeat_, 1)) return std::nullopt;
  if (adaptive_.target_ci <= 0) return SamplingStop::count;
  if (n >= TimingStats::kConclusiveSamples &&
      TimingStats::of(samples).ci_relative() <= adaptive_.target_ci)
    return SamplingStop::converged;
  if (n >= adaptive_.max_repeat) return SamplingStop::limit;
  if (ms_between(start_, Clock::now()) >= adaptive_.budget_ms) return SamplingStop::budget;
  return std::nullopt;
}

TimingStats SamplingRule::stats(const std::vector<double>& samples) const {
  TimingStats stats = TimingStats::of(samples);
  stats.stop = enough(samples).value_or(SamplingStop::count);
  return stats;
}

void ProgressReporter::begin(const std::string& layer, const std::string& algorithm) {
  if (control_.progress) control_.progress(Progress{done_, total_, layer, algorithm});
}

void ProgressReporter::finish() {
  if (!cancelled() && control_.progress) control_.progress(Progress{total_, total_, "", ""});
}

IsolatedKernel::IsolatedKernel(const Algorithm& algorithm, const Layer& layer,
                               const KernelIO& recorded, const std::vector<NativeChoice>& native)
    : kernel_(algorithm.make_kernel(layer)), space_(kernel_->memory_space()) {
  for (const TensorInfo& info : layer.outputs) outputs_.emplace_back(info.dtype, info.shape);
  workspace_ = SpaceBuffer(space_, algorithm.workspace(layer));
  io_.workspace = workspace_.data();
  if (space_) {
    if (!native.empty()) throw Error("native layouts are timed on the host only");
    // Everything the kernel touches lives in its space: one buffer per input and output.
    device_tensors_.reserve(recorded.inputs.size() + outputs_.size());
    auto on_device = [&](const TensorInfo& info) -> Tensor* {
      SpaceBuffer& buffer = device_buffers_.emplace_back(space_, info.bytes());
      return &device_tensors_.emplace_back(Tensor::view(info.dtype, info.shape, buffer.data()));
    };
    for (size_t i = 0; i < recorded.inputs.size(); ++i) {
      const Tensor* in = recorded.inputs[i];
      if (!in) {
        io_.inputs.push_back(nullptr);
        upload_ms_.push_back(0);
        continue;
      }
      Tensor* copy = on_device(in->info());
      const auto start = Clock::now();
      copy_between(space_, copy->raw(), nullptr, in->raw(), in->bytes());
      space_->synchronize();
      upload_ms_.push_back(layer.constant(i) ? 0 : ms_between(start, Clock::now()));
      io_.inputs.push_back(copy);
    }
    for (const Tensor& out : outputs_) io_.outputs.push_back(on_device(out.info()));
    space_->synchronize();
    return;
  }
  // Copies first, then pointers: the vector must not reallocate under io_.
  inputs_.resize(recorded.inputs.size());
  for (size_t i = 0; i < recorded.inputs.size(); ++i)
    if (recorded.inputs[i] && !layer.constant(i)) inputs_[i] = recorded.inputs[i]->clone();
  for (size_t i = 0; i < recorded.inputs.size(); ++i)
    io_.inputs.push_back(!recorded.inputs[i] ? nullptr
                         : layer.constant(i) ? recorded.inputs[i]
                                             : &inputs_[i]);
  for (Tensor& out : outputs_) io_.outputs.push_back(&out);
  // Ports run natively get storage of the layout's size (zeroed, the plain bytes at its start).
  device_tensors_.reserve(native.size());
  for (const NativeChoice& port : native) {
    std::optional<NativeLayout> layout = port.output ? kernel_->native_output_layout(port.index)
                                                     : kernel_->native_input_layout(port.index);
    const Tensor* plain = port.output ? io_.outputs.at(port.index) : io_.inputs.at(port.index);
    if (!layout || !plain) throw Error("the kernel offers no native layout on that port");
    SpaceBuffer& buffer =
        native_buffers_.emplace_back(nullptr, std::max(layout->bytes, plain->bytes()));
    std::memset(buffer.data(), 0, buffer.bytes());
    std::memcpy(buffer.data(), plain->raw(), plain->bytes());
    Tensor* stored =
        &device_tensors_.emplace_back(Tensor::view(plain->dtype(), plain->shape(), buffer.data()));
    if (port.output) {
      kernel_->use_native_output(port.index);
      io_.outputs[port.index] = stored;
    } else {
      kernel_->use_native_input(port.index);
      io_.inputs[port.index] = stored;
    }
  }
}

std::vector<double> IsolatedKernel::time_downloads() {
  std::vector<double> times;
  if (!space_) return times;
  for (size_t k = 0; k < outputs_.size(); ++k) {
    space_->synchronize();
    const auto start = Clock::now();
    copy_between(nullptr, outputs_[k].raw(), space_, io_.outputs[k]->raw(), outputs_[k].bytes());
    times.push_back(ms_between(start, Clock::now()));
  }
  return times;
}

void IsolatedKernel::run() {
  kernel_->run(io_);
  downloaded_ = !space_;
}

double IsolatedKernel::timed_run() {
  if (space_) space_->synchronize();
  if (space_ && !timer_checked_) {
    timer_ = space_->make_timer();
    timer_checked_ = true;
  }
  if (timer_) {
    // The device's clock: the kernel's own time, without its launch and the host's wait.
    timer_->start();
    run();
    return timer_->stop_ms();
  }
  const auto start = Clock::now();
  run();
  if (space_) space_->synchronize();
  return ms_between(start, Clock::now());
}

const std::vector<Tensor>& IsolatedKernel::outputs() {
  if (!downloaded_) {
    for (size_t k = 0; k < outputs_.size(); ++k)
      copy_between(nullptr, outputs_[k].raw(), space_, io_.outputs[k]->raw(), outputs_[k].bytes());
    downloaded_ = true;
  }
  return outputs_;
}

std::vector<const Algorithm*> candidates_for(const OpDefinition& op, const CompiledLayer& layer,
                                             const std::vector<std::string>& only) {
  std::vector<const Algorithm*> out;
  const Algorithm* reference = nullptr;
  for (const Algorithm& a : op.algorithms) {
    if (a.why_not(layer.layer)) continue;
    if (!only.empty() && std::find(only.begin(), only.end(), a.name) == only.end()) continue;
    if (only.empty() && is_reference(a)) {
      reference = &a;
      continue;
    }
    out.insert(&a == layer.algorithm ? out.begin() : out.end(), &a);
  }
  if (out.empty() && reference) out.push_back(reference);
  return out;
}

size_t job_units(const LayerJob& job, const MeasureSettings& settings) {
  bool needs_reference = false;
  for (const Algorithm* a : job.algorithms) needs_reference |= !is_reference(*a);
  return job.algorithms.size() + (settings.verify && needs_reference ? 1 : 0);
}

bool measure_layers(Session& session, const Registry& registry, const std::vector<Tensor>& inputs,
                    const std::vector<LayerJob>& jobs, const MeasureSettings& settings,
                    ProgressReporter& progress, const LayerCallbacks& callbacks) {
  RegistryReadGuard registry_guard(registry);  // plugins may load meanwhile
  std::map<size_t, const LayerJob*> job_at;
  for (const LayerJob& job : jobs) job_at[job.index] = &job;
  if (job_at.empty() || progress.cancelled()) return !progress.cancelled();
  bool cancelled = false;
  auto stop = [&] {
    cancelled = true;
    return false;
  };
  size_t remaining = job_at.size();

  session.run(inputs, [&](size_t index, const KernelIO& io) {
    if (progress.cancelled()) return stop();
    auto found = job_at.find(index);
    if (found == job_at.end()) return true;
    const LayerJob& job = *found->second;
    const CompiledLayer& compiled = session.layers()[index];
    const std::string& node = compiled.node->name;
    const OpDefinition* op = registry.find_op(compiled.node->op_type);

    // The ground truth on the same inputs: what the run computed when it ran `reference` here,
    // else the reference kernel on copies.
    std::vector<const Tensor*> reference(io.outputs.begin(), io.outputs.end());
    std::optional<IsolatedKernel> reference_kernel;
    if (job_units(job, settings) > job.algorithms.size()) {
      progress.begin(node, OpDefinition::kReference);
      if (!is_reference(*compiled.algorithm)) {
        const Algorithm* ref = op ? op->reference() : nullptr;
        if (!ref)
          throw Error("op " + compiled.node->op_type + " has no '" + OpDefinition::kReference +
                      "' algorithm to verify the others against");
        if (progress.cancelled()) return stop();
        reference_kernel.emplace(*ref, compiled.layer, io);
        reference_kernel->run();
        reference.clear();
        for (const Tensor& t : reference_kernel->outputs()) reference.push_back(&t);
      }
      progress.end_unit();
    }

    std::vector<AlgorithmTiming> timings;
    for (const Algorithm* algorithm : job.algorithms) {
      progress.begin(node, algorithm->name);
      const double yardstick = may_prune(*algorithm, timings, op) ? best_min_so_far(timings) : 0;
      std::optional<AlgorithmTiming> t =
          measure_algorithm(*algorithm, compiled, index, io, settings.verify ? &reference : nullptr,
                            settings, yardstick, progress);
      if (!t) return stop();
      progress.end_unit();
      if (callbacks.on_timing) callbacks.on_timing(*t);
      timings.push_back(std::move(*t));
    }
    if (callbacks.on_layer) callbacks.on_layer(job, std::move(timings));
    return --remaining > 0;
  });
  return !cancelled;
}

size_t run_units(size_t sessions, int warmup, int repeat) {
  return sessions * static_cast<size_t>(std::max(warmup, 0) + std::max(repeat, 0));
}

std::vector<EndToEndResult> time_sessions(const std::vector<Session*>& sessions,
                                          const std::vector<Tensor>& inputs, int warmup, int repeat,
                                          const AdaptiveRepeat& adaptive,
                                          ProgressReporter& progress,
                                          const RepeatCallback& on_repeat, bool trace) {
  struct Samples {
    std::vector<double> latency, kernel_sum, transfer_sum, overhead;
    std::vector<std::vector<double>> per_layer, per_transfer;
    std::vector<double> current, current_transfer;  // this run's per-step times
    std::vector<TraceSlice> trace, current_trace;   // the timed runs' steps; this run's
  };
  // Trace times count from the first timed run's start; `recording` is off during warm-up.
  Clock::time_point trace_origin{};
  bool recording = false;
  const uint64_t thread = trace ? current_thread_id() : 0;
  auto record = [&](std::vector<TraceSlice>& into, TraceSlice::Kind kind, size_t step,
                    double seconds) {
    if (!recording) return;
    const double end_us = ms_between(trace_origin, Clock::now()) * 1e3;
    into.push_back({kind, "", step, 0, end_us - seconds * 1e6, seconds * 1e6, thread});
  };
  std::vector<Samples> samples(sessions.size());
  // The token is looked at between kernels through the timing hook, not through a LayerObserver:
  // a session that passes values between neighbours in native layouts (oneDNN's blocked ones)
  // refuses observers, and timing such plans is the point. Leaving Session::run by an exception
  // from its hook abandons that run; its outputs are not needed.
  struct Stopped {};
  for (size_t s = 0; s < sessions.size(); ++s) {
    const size_t layers = sessions[s]->layers().size();
    samples[s].per_layer.resize(layers);
    samples[s].current.assign(layers, 0.0);
    sessions[s]->set_timing_hook([&, &m = samples[s]](size_t i, double seconds) {
      m.current[i] = seconds * 1e3;
      if (trace) record(m.current_trace, TraceSlice::Kind::kernel, i, seconds);
      if (progress.cancelled()) throw Stopped{};
    });
    const size_t transfers = sessions[s]->transfers().size();
    samples[s].per_transfer.resize(transfers);
    samples[s].current_transfer.assign(transfers, 0.0);
    sessions[s]->set_transfer_timing_hook([&, &m = samples[s]](size_t i, double seconds) {
      m.current_transfer[i] = seconds * 1e3;
      if (trace) record(m.current_trace, TraceSlice::Kind::transfer, i, seconds);
    });
  }
  SamplingRule rule(repeat, adaptive);
  // The statistics of session s over the timed runs so far.
  auto summarize = [&](size_t s) {
    const Session& session = *sessions[s];
    EndToEndResult r;
    r.latency = rule.stats(samples[s].latency);
    r.kernel_sum = TimingStats::of(samples[s].kernel_sum);
    r.transfer_sum = TimingStats::of(samples[s].transfer_sum);
    r.overhead = TimingStats::of(samples[s].overhead);
    r.threads = session.threads();
    r.arena_bytes = session.arena_bytes();
    r.workspace_bytes = session.workspace_bytes();
    r.memory = session.memory();
    for (size_t i = 0; i < session.layers().size(); ++i) {
      const CompiledLayer& c = session.layers()[i];
      auto t = result_about<LayerTime>(c, i);
      t.algorithm = c.algorithm->name;
      t.choice = c.choice;
      t.time = TimingStats::of(samples[s].per_layer[i]);
      t.time.stop = r.latency.stop;  // the runs were repeated for the whole model's latency
      t.flops = c.flops;
      t.workspace_bytes = c.workspace_bytes;
      t.prepared_bytes = c.algorithm->prepared(c.layer);
      t.traffic_bytes = c.algorithm->traffic_bytes(c.layer);
      t.threads = c.threads;
      r.flops += c.flops;
      r.layers.push_back(std::move(t));
    }
    for (size_t i = 0; i < session.transfers().size(); ++i)
      r.transfers.push_back({session.transfers()[i], TimingStats::of(samples[s].per_transfer[i])});
    return r;
  };
  // Every session runs in every round, so that drift affects them alike, until each one's
  // latency has sampled enough.
  auto all_enough = [&] {
    for (const Samples& m : samples)
      if (!rule.enough(m.latency)) return false;
    return true;
  };
  bool cancelled = false;
  for (int round = 0; !cancelled; ++round) {
    if (round == warmup) {
      rule.start();
      trace_origin = Clock::now();
      recording = trace;
    }
    if (round >= warmup && all_enough()) break;
    if (round >= warmup + std::max(repeat, 1)) progress.add_to_total(sessions.size());
    for (size_t s = 0; s < sessions.size() && !cancelled; ++s) {
      progress.begin("", "");
      if (progress.cancelled()) {
        cancelled = true;
        break;
      }
      Samples& m = samples[s];
      m.current_trace.clear();
      const auto start = Clock::now();
      std::vector<Tensor> outputs;
      try {
        outputs = sessions[s]->run(inputs);
      } catch (const Stopped&) {
        cancelled = true;
        break;
      }
      const double latency = ms_between(start, Clock::now());
      progress.end_unit();
      if (round < warmup) continue;
      if (trace) {
        const int run = static_cast<int>(m.latency.size());
        m.trace.push_back({TraceSlice::Kind::run, "run " + std::to_string(run), size_t(run), run,
                           ms_between(trace_origin, start) * 1e3, latency * 1e3, thread});
        for (TraceSlice& slice : m.current_trace) {
          const Session& session = *sessions[s];
          slice.run = run;
          slice.name = slice.kind == TraceSlice::Kind::kernel
                           ? session.layers()[slice.step].node->name
                           : session.transfers()[slice.step].step_name();
          m.trace.push_back(std::move(slice));
        }
      }
      double sum = 0;
      for (size_t i = 0; i < m.current.size(); ++i) {
        m.per_layer[i].push_back(m.current[i]);
        sum += m.current[i];
      }
      double moved = 0;
      for (size_t i = 0; i < m.current_transfer.size(); ++i) {
        m.per_transfer[i].push_back(m.current_transfer[i]);
        moved += m.current_transfer[i];
      }
      m.latency.push_back(latency);
      m.kernel_sum.push_back(sum);
      m.transfer_sum.push_back(moved);
      m.overhead.push_back(latency - sum - moved);
      if (on_repeat)
        on_repeat(
            s, RepeatReport{static_cast<int>(m.latency.size()), [&, s] { return summarize(s); }});
    }
  }
  std::vector<EndToEndResult> results;
  for (size_t s = 0; s < sessions.size(); ++s) {
    sessions[s]->set_timing_hook(nullptr);
    sessions[s]->set_transfer_timing_hook(nullptr);
    results.push_back(summarize(s));
    results.back().partial = cancelled;
    results.back().trace = std::move(samples[s].trace);
  }
  return results;
}

std::vector<Tensor> inputs_or_random(const Model& model, const std::vector<Tensor>& inputs) {
  return inputs.empty() ? random_inputs(model) : inputs;
}

}  // namespace algoscope::measure
