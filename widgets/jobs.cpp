// Loading, end-to-end timing and the measurement services as Jobs: the worker-thread side of the
// explorer's runs, and the translation of the engine's results into the document's.
#include "jobs.h"

#include <QElapsedTimer>
#include <QFile>
#include <QFileInfo>
#include <QPointer>
#include <algorithm>
#include <map>
#include <utility>

#include "algoscope/loader.h"
#include "model_document.h"
#include "reports.h"

namespace algoscope::gui {
namespace {

// Results reach the GUI at most this often (the last repeat always), so a model with a thousand
// layers and fast repeats does not flood the views with refreshes.
constexpr qint64 kDeliverIntervalMs = 250;

Timing timingOf(const TimingStats& stats) {
  return Timing{stats.median_ms * 1e-3,        stats.min_ms * 1e-3, stats.samples,
                stats.iqr_ms() * 1e-3,         stats.ci_relative(), stats.outliers,
                sampling_stop_name(stats.stop)};
}

// The run settings' repeats as a service's: `repeats` timed runs at least, then, unless the user
// asked for exactly that many, more until the median is known (the service's AdaptiveRepeat).
template <class Options>
void applyRepeats(const RunSettings& settings, Options& options) {
  options.repeat = std::max(1, settings.repeats);
  if (!settings.adaptiveRepeats) options.adaptive.target_ci = 0;
}

// The services' Progress as the job's: "layer · algorithm" beside the bar.
RunControl controlFor(JobContext& context) {
  RunControl control;
  control.cancel = context.cancelToken();
  // The first report always shows: one unit (a layer's kernel timed `repeat` times) can take
  // seconds, and the label must not keep saying what the job did before the service started.
  control.progress = [&context, first = true](const Progress& p) mutable {
    const int done = static_cast<int>(p.done), total = static_cast<int>(p.total);
    if (!first && !context.progressDue(done, total)) return;
    QString what;
    if (!p.layer.empty())
      what = QString::fromStdString(p.layer) + QStringLiteral(" · ") +
             QString::fromStdString(p.algorithm);
    else
      what = QStringLiteral("whole model");
    context.progress(done, total, what, std::exchange(first, false));
  };
  return control;
}

AlgorithmMeasurement measurementOf(const AlgorithmTiming& t) {
  AlgorithmMeasurement m;
  m.row = static_cast<int>(t.index);
  m.algorithm = QString::fromStdString(t.algorithm);
  // Timings cut short (a candidate pruned after two calls, one out of tolerance after one) are not
  // results: they are never shown as an algorithm's time; the status says why.
  if (t.usable() && !t.pruned && t.time.samples > 0) m.timing = timingOf(t.time);
  m.result.error = t.error;
  m.result.failure = QString::fromStdString(t.failure);
  if (t.failure.empty()) m.result.workspaceBytes = t.workspace_bytes;
  m.result.pruned = t.pruned;
  m.result.fromCache = t.from_cache;
  return m;
}

AlgorithmMeasurement measurementOf(const LayerCheck& check) {
  AlgorithmMeasurement m;
  m.row = static_cast<int>(check.index);
  m.algorithm = QString::fromStdString(check.algorithm);
  // Not compared: the plan runs `reference` itself, whose error is zero by definition.
  m.result.error = check.compared ? check.error : ErrorStats{};
  m.result.failure = QString::fromStdString(check.failure);
  return m;
}

// Collects per-layer results on the worker and hands them to the document in batches, at most
// every kDeliverIntervalMs, so that a model of hundreds of layers streams without flooding.
class Streamer {
 public:
  Streamer(JobContext& context, QPointer<ModelDocument> target, const Model* model)
      : context_(context), target_(std::move(target)), model_(model) {}
  void add(AlgorithmMeasurement m) {
    pending_.push_back(std::move(m));
    if (!sinceDelivery_.isValid() || sinceDelivery_.elapsed() >= kDeliverIntervalMs) flush();
  }
  void flush() {
    if (pending_.empty()) return;
    sinceDelivery_.start();
    context_.deliver([target = target_, model = model_, batch = std::move(pending_)] {
      if (target) target->recordAlgorithmResults(model, batch);
    });
    pending_.clear();
  }

 private:
  JobContext& context_;
  QPointer<ModelDocument> target_;
  const Model* model_;
  std::vector<AlgorithmMeasurement> pending_;
  QElapsedTimer sinceDelivery_;
};

}  // namespace

Job loadModelJob(const QString& path, const QByteArray& bytes,
                 std::function<void(std::shared_ptr<const Model>)> onLoaded) {
  Job job;
  job.title = QStringLiteral("Loading %1").arg(QFileInfo(path).fileName());
  job.work = [path, bytes, onLoaded = std::move(onLoaded)](JobContext& context) {
    // The loader has no progress callback: total 0 shows a busy indicator.
    context.progress(0, 0, QStringLiteral("parsing, inferring shapes, folding"));
    auto model = std::make_shared<const Model>(
        bytes.isEmpty() ? load_model(path.toStdString())
                        : load_model_from_bytes(bytes.toStdString(), path.toStdString()));
    // A cancelled job's deliveries are dropped: the model is not opened.
    context.deliver([onLoaded, model] { onLoaded(model); });
  };
  return job;
}

Job timePlansJob(ModelDocument& document, std::vector<NamedPlan> plans, RunSettings settings,
                 const QString& title) {
  Job job;
  job.title = title;
  std::shared_ptr<const Model> model = document.sharedModel();
  QPointer<ModelDocument> target(&document);
  job.work = [model, target, plans = std::move(plans), settings](JobContext& context) {
    if (!model) throw Error("no model is open");
    std::map<std::string, int> rowOf;
    for (size_t i = 0; i < model->nodes.size(); ++i)
      rowOf[model->nodes[i].name] = static_cast<int>(i);
    const Model* raw = model.get();
    // Per layer the median so far, keyed by the algorithm that ran it.
    auto layerTimings = [&rowOf](const EndToEndResult& r) {
      std::vector<LayerTiming> results;
      results.reserve(r.layers.size());
      for (const LayerTime& l : r.layers)
        results.push_back(
            {rowOf.at(l.node), QString::fromStdString(l.algorithm), timingOf(l.time)});
      return results;
    };
    // Each plan gets an equal share of the bar; within it, the engine's own count of runs, which
    // grows while adaptive repeating asks for more.
    constexpr int kStepsPerPlan = 1000;
    const int total = static_cast<int>(plans.size()) * kStepsPerPlan;
    for (size_t p = 0; p < plans.size(); ++p) {
      const NamedPlan& named = plans[p];
      const int before = static_cast<int>(p) * kStepsPerPlan;
      context.progress(before, total, named.label + QStringLiteral(": compiling"), true);
      EndToEndOptions options;
      options.threads = settings.threads;
      options.warmup = settings.warmup;
      applyRepeats(settings, options);
      options.control.cancel = context.cancelToken();
      options.control.progress = [&](const Progress& progress) {
        if (progress.done >= progress.total) return;  // the closing report
        const int run = static_cast<int>(progress.done);
        const bool warmingUp = run < settings.warmup;
        context.progress(
            before + static_cast<int>(kStepsPerPlan * progress.done / progress.total), total,
            warmingUp
                ? QStringLiteral("%1 · warm-up %2/%3")
                      .arg(named.label)
                      .arg(run + 1)
                      .arg(settings.warmup)
                : QStringLiteral("%1 · run %2").arg(named.label).arg(run - settings.warmup + 1));
      };
      // Streams the medians so far into the views, at most every kDeliverIntervalMs; the last
      // repeat is delivered with the plan's latency below.
      QElapsedTimer sinceDelivery;
      options.on_repeat = [&](const RepeatReport& report) {
        if (sinceDelivery.isValid() && sinceDelivery.elapsed() < kDeliverIntervalMs) return;
        sinceDelivery.start();
        context.deliver([target, raw, results = layerTimings(report.statistics())] {
          if (target) target->recordLayerTimings(raw, results);
        });
      };
      const EndToEndResult result = time_end_to_end(model, named.plan, options);
      if (result.partial) return;  // cancelled: the runner reports it
      PlanLatency latency{named.label, named.plan, timingOf(result.latency), result.threads,
                          result.memory};
      context.deliver([target, raw, results = layerTimings(result), latency] {
        if (!target) return;
        target->recordLayerTimings(raw, results);
        target->recordPlanLatency(raw, latency);
      });
    }
  };
  return job;
}

namespace {

// The roofline chart's roofs, measured before the timings they frame (about a second, the first
// time on a machine; read from the cache after) and handed to the document.
void measureRoofs(JobContext& context, QPointer<ModelDocument> target, const Model* model,
                  int threads) {
  context.progress(0, 0, QStringLiteral("the machine's peak GFLOP/s and bandwidth (roofline)"));
  const MachineRoofs roofs = machine_roofs(threads);
  context.deliverAlways([target, model, roofs] {
    if (target) target->recordRoofs(model, roofs);
  });
}

}  // namespace

Job checkPlanJob(ModelDocument& document, Plan plan, RunSettings settings,
                 std::function<void(const CheckResult&)> onDone) {
  Job job;
  job.title = QStringLiteral("Check equivalence");
  std::shared_ptr<const Model> model = document.sharedModel();
  QPointer<ModelDocument> target(&document);
  job.work = [model, target, plan = std::move(plan), settings,
              onDone = std::move(onDone)](JobContext& context) {
    if (!model) throw Error("no model is open");
    context.progress(0, 0, QStringLiteral("running the model with reference everywhere"));
    Streamer stream(context, target, model.get());
    CheckOptions options;
    options.threads = settings.threads;
    options.tolerance = settings.tolerance;
    options.on_layer = [&](const LayerCheck& check) { stream.add(measurementOf(check)); };
    options.control = controlFor(context);
    options.propagation = true;  // the error propagation chart and colour mode
    auto result = std::make_shared<const CheckResult>(check_plan(model, plan, options));
    stream.flush();

    // The whole result again, even when cancelled: batches still queued then were dropped.
    std::vector<AlgorithmMeasurement> all;
    CheckSummary summary;
    summary.plan = plan;
    summary.partial = result->partial;
    summary.passed = result->passed();
    summary.outputs = result->outputs;
    summary.endToEndTolerance = result->end_to_end_tolerance;
    summary.memory = result->memory;
    for (const LayerCheck& check : result->layers) {
      all.push_back(measurementOf(check));
      summary.layersCompared += check.compared;
      if (!check.passed()) summary.failedLayers << QString::fromStdString(check.node);
      if (check.propagation)
        summary.propagation.push_back({int(check.index), check.propagation->local_relative,
                                       check.propagation->accumulated_relative,
                                       check.propagation->growth()});
    }
    const Model* raw = model.get();
    context.deliverAlways([target, raw, all = std::move(all), summary, result, onDone] {
      if (!target) return;
      target->recordAlgorithmResults(raw, all);
      target->recordCheck(raw, summary);
      if (onDone) onDone(*result);
    });
  };
  return job;
}

Job timeAlgorithmsJob(ModelDocument& document, Plan plan, std::vector<std::string> nodes,
                      RunSettings settings, std::function<void(const LayerTimingResult&)> onDone) {
  Job job;
  job.title = nodes.empty() ? QStringLiteral("Time algorithms of all layers")
                            : QStringLiteral("Time algorithms of %1 layer(s)").arg(nodes.size());
  std::shared_ptr<const Model> model = document.sharedModel();
  QPointer<ModelDocument> target(&document);
  job.work = [model, target, plan = std::move(plan), nodes = std::move(nodes), settings,
              onDone = std::move(onDone)](JobContext& context) {
    if (!model) throw Error("no model is open");
    measureRoofs(context, target, model.get(), settings.threads);
    context.progress(0, 0, QStringLiteral("recording the layers' inputs"));
    Streamer stream(context, target, model.get());
    LayerTimingOptions options;
    options.threads = settings.threads;
    // Every kernel is called once before timing: the first call touches its buffers.
    options.warmup = std::max(1, settings.warmup);
    applyRepeats(settings, options);
    options.nodes = nodes;
    options.verify = true;
    options.tolerance = settings.tolerance;
    options.on_timing = [&](const AlgorithmTiming& t) { stream.add(measurementOf(t)); };
    options.control = controlFor(context);
    auto result = std::make_shared<const LayerTimingResult>(time_layers(model, plan, options));
    stream.flush();
    std::vector<AlgorithmMeasurement> all;
    for (const AlgorithmTiming& t : result->timings) all.push_back(measurementOf(t));
    const Model* raw = model.get();
    context.deliverAlways([target, raw, all = std::move(all), result, onDone] {
      if (!target) return;
      target->recordAlgorithmResults(raw, all);
      if (onDone) onDone(*result);
    });
  };
  return job;
}

Job extractLayerJob(ModelDocument& document, Plan plan, std::string node, QString source,
                    QString directory, RunSettings settings,
                    std::function<void(const ExtractedLayer&)> onDone) {
  Job job;
  job.title = QStringLiteral("Extract %1").arg(QString::fromStdString(node));
  std::shared_ptr<const Model> model = document.sharedModel();
  job.work = [model, plan = std::move(plan), node = std::move(node), source, directory, settings,
              onDone = std::move(onDone)](JobContext& context) {
    if (!model) throw Error("no model is open");
    // The file again (QFile reads a bundled sample's resource as well as a file on disk).
    QFile file(source);
    if (!file.open(QIODevice::ReadOnly))
      throw Error("cannot read '" + source.toStdString() +
                  "' again: " + file.errorString().toStdString());
    const QByteArray bytes = file.readAll();
    context.progress(0, 0, QStringLiteral("running the model to record the layer's input"));
    ExtractOptions options;
    options.plan = plan;
    options.threads = settings.threads;
    const ExtractedLayer x =
        extract_layer(model, bytes.toStdString(), node, directory.toStdString(), options);
    context.deliverAlways([x, onDone] {
      if (onDone) onDone(x);
    });
  };
  return job;
}

Job tuneJob(ModelDocument& document, RunSettings settings,
            std::function<void(const TuneResult&)> onDone) {
  Job job;
  job.title = QStringLiteral("Tune");
  std::shared_ptr<const Model> model = document.sharedModel();
  QPointer<ModelDocument> target(&document);
  job.work = [model, target, settings, onDone = std::move(onDone)](JobContext& context) {
    if (!model) throw Error("no model is open");
    measureRoofs(context, target, model.get(), settings.threads);
    context.progress(0, 0,
                     QStringLiteral("reading the tuning cache, recording the layers' inputs"));
    Streamer stream(context, target, model.get());
    TuneOptions options;
    options.threads = settings.threads;
    options.warmup = std::max(1, settings.warmup);
    applyRepeats(settings, options);
    if (!settings.adaptiveRepeats) options.plans_adaptive.target_ci = 0;
    options.tolerance = settings.tolerance;
    options.use_cache = settings.useTuningCache;
    options.cache_path = settings.tuningCachePath.toStdString();
    options.on_layer = [&](const TunedLayer& layer) {
      for (const AlgorithmTiming& candidate : layer.candidates)
        stream.add(measurementOf(candidate));
    };
    options.control = controlFor(context);
    auto result = std::make_shared<const TuneResult>(tune(model, options));
    stream.flush();

    std::vector<AlgorithmMeasurement> all;
    for (const TunedLayer& layer : result->layers)
      for (const AlgorithmTiming& candidate : layer.candidates)
        all.push_back(measurementOf(candidate));
    TuneSummary summary;
    summary.plan = result->plan;
    summary.partial = result->partial;
    summary.layersDecided = static_cast<int>(result->layers.size());
    summary.cacheHits = static_cast<int>(result->cache_hits);
    summary.timingsPerformed = static_cast<int>(result->timings_performed);
    if (result->global_plan)
      for (const PlannedLayer& l : result->global_plan->layers)
        if (l.algorithm != l.fastest_alone)
          summary.reasons[QString::fromStdString(l.node)] = optimizerReason(l);
    for (const PlannedValueCost& v : result->value_costs) {
      auto& cost =
          summary.edgeCosts[{QString::fromStdString(v.producer), QString::fromStdString(v.reader)}];
      cost.seconds += (v.copy_ms + v.conversion_ms) / 1e3;
      if (!cost.text.isEmpty()) cost.text += QStringLiteral("\n");
      cost.text += valueCostText(v);
    }
    // A bar per plan tuning timed: what each strategy would have returned.
    std::vector<PlanLatency> latencies;
    if (result->end_to_end) {
      summary.latency = timingOf(result->end_to_end->latency);
      const int threads = result->end_to_end->threads;
      latencies.push_back(PlanLatency{QStringLiteral("tuned"), result->plan, *summary.latency,
                                      threads, result->end_to_end->memory});
      for (const StrategyPlan& strategy : strategyPlans(*result))
        latencies.push_back(
            PlanLatency{strategy.label, strategy.plan, timingOf(strategy.timing), threads, {}});
    }
    const Model* raw = model.get();
    context.deliverAlways([target, raw, all = std::move(all), summary, latencies, result, onDone] {
      if (!target) return;
      target->recordAlgorithmResults(raw, all);
      target->recordTune(raw, summary);
      for (const PlanLatency& latency : latencies) target->recordPlanLatency(raw, latency);
      if (onDone) onDone(*result);
    });
  };
  return job;
}

}  // namespace algoscope::gui
