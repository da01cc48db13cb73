// Loading and end-to-end timing as Jobs: the worker-thread side of the explorer's runs.
#include "jobs.h"

#include <QElapsedTimer>
#include <QFileInfo>
#include <QPointer>
#include <algorithm>
#include <chrono>

#include "algoscope/loader.h"
#include "algoscope/session.h"
#include "model_document.h"

namespace algoscope::gui {
namespace {

double median(std::vector<double> values) {
  if (values.empty()) return 0;
  auto mid = values.begin() + static_cast<std::ptrdiff_t>(values.size() / 2);
  std::nth_element(values.begin(), mid, values.end());
  if (values.size() % 2) return *mid;
  return 0.5 * (*mid + *std::max_element(values.begin(), mid));
}

Timing summarize(const std::vector<double>& samples) {
  Timing t;
  t.samples = static_cast<int>(samples.size());
  if (samples.empty()) return t;
  t.median = median(samples);
  t.min = *std::min_element(samples.begin(), samples.end());
  return t;
}

// Results reach the GUI at most this often (the last repeat always), so a model with a thousand
// layers and fast repeats does not flood the views with refreshes.
constexpr qint64 kDeliverIntervalMs = 250;

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
    context.throwIfCancelled();
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
    const int nodes = std::max<int>(1, static_cast<int>(model->nodes.size()));
    const int runsPerPlan = settings.warmup + std::max(1, settings.repeats);
    const int total = static_cast<int>(plans.size()) * runsPerPlan * nodes;
    int done = 0;
    for (const NamedPlan& named : plans) {
      context.progress(done, total, named.label + QStringLiteral(": compiling"));
      Session session(model, named.plan, SessionOptions{settings.threads});
      const std::vector<Tensor> inputs = random_inputs(*model);
      const auto& compiled = session.layers();

      // Per compiled layer: its model row and the algorithm that ran it.
      std::vector<int> rowOf(compiled.size(), -1);
      std::vector<QString> algorithmOf(compiled.size());
      for (size_t i = 0; i < compiled.size(); ++i) {
        rowOf[i] = static_cast<int>(compiled[i].node - model->nodes.data());
        algorithmOf[i] = QString::fromStdString(compiled[i].algorithm->name);
      }
      std::vector<std::vector<double>> samples(compiled.size());
      std::vector<double> totals;
      int run = 0;
      bool measuring = false;
      session.set_timing_hook([&](size_t index, double seconds) {
        if (measuring) samples[index].push_back(seconds);
        ++done;
        if (context.progressDue(done, total))
          context.progress(
              done, total,
              QStringLiteral("%1 · %2 %3/%4 · %5 (%6)")
                  .arg(named.label,
                       measuring ? QStringLiteral("repeat") : QStringLiteral("warm-up"))
                  .arg(measuring ? run - settings.warmup + 1 : run + 1)
                  .arg(measuring ? settings.repeats : settings.warmup)
                  .arg(QString::fromStdString(compiled[index].node->name), algorithmOf[index]));
        // Session::run calls the hook between kernels on its own thread, so leaving the run by
        // an exception here abandons it cleanly; the session is discarded with the job.
        context.throwIfCancelled();
      });

      QElapsedTimer sinceDelivery;
      for (run = 0; run < runsPerPlan; ++run) {
        measuring = run >= settings.warmup;
        const auto start = std::chrono::steady_clock::now();
        session.run(inputs);
        const double seconds =
            std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
        if (!measuring) continue;
        totals.push_back(seconds);
        const bool last = run + 1 == runsPerPlan;
        if (!last && sinceDelivery.isValid() && sinceDelivery.elapsed() < kDeliverIntervalMs)
          continue;
        sinceDelivery.start();
        std::vector<LayerTiming> results;
        results.reserve(compiled.size());
        for (size_t i = 0; i < compiled.size(); ++i)
          results.push_back({rowOf[i], algorithmOf[i], summarize(samples[i])});
        std::optional<PlanLatency> latency;
        if (last)
          latency =
              PlanLatency{named.label, named.plan.to_json(), summarize(totals), session.threads()};
        const Model* raw = model.get();
        context.deliver([target, raw, results = std::move(results), latency] {
          if (!target) return;
          target->recordLayerTimings(raw, results);
          if (latency) target->recordPlanLatency(raw, *latency);
        });
      }
    }
  };
  return job;
}

}  // namespace algoscope::gui
