// The report wording of the explorer, moved out of the main window so that it is one place to read
// and tests can call it.
#include "reports.h"

#include <QFileInfo>
#include <QStringList>
#include <set>

#include "model_document.h"

namespace algoscope::gui {

QString statusSummaryText(const ModelDocument& document) {
  const Model* model = document.model();
  if (!model) return QStringLiteral("No model — File ▸ Open (Ctrl+O) or Open sample");
  QString latency = QStringLiteral("latency: not measured (F5)");
  if (auto current = document.currentPlanLatency())
    latency = QStringLiteral("latency %1 (median of %2, %3 thread(s))")
                  .arg(humanSeconds(current->timing.median))
                  .arg(current->timing.samples)
                  .arg(current->threads);
  else if (!document.planLatencies().empty() && document.hasTimings())
    latency = QStringLiteral("latency: plan changed since the last run (F5)");
  if (const CheckSummary* check = document.currentCheck())
    latency +=
        check->partial ? QStringLiteral(" · check cancelled (partial)")
        : check->passed
            ? QStringLiteral(" · check passed")
            : QStringLiteral(" · check FAILED (%1 layer(s)%2)")
                  .arg(check->failedLayers.size())
                  .arg(check->failedLayers.isEmpty() ? QStringLiteral(", outputs") : QString());
  return QStringLiteral("%1 · %2 layers · %3FLOPs · %4")
      .arg(QString::fromStdString(model->name))
      .arg(document.layerCount())
      .arg(humanCount(document.totalFlops()))
      .arg(latency);
}

QString windowTitleText(const QString& modelName, const QString& planPath) {
  if (modelName.isEmpty()) return QStringLiteral("algoscope");
  QString title = modelName + QStringLiteral("[*]");
  if (!planPath.isEmpty()) title += QStringLiteral(" — ") + QFileInfo(planPath).fileName();
  return title + QStringLiteral(" — algoscope");
}

std::optional<Report> jobOutcomeReport(const QString& title, JobRunner::Outcome outcome,
                                       const QString& message, bool statusBarBusy) {
  switch (outcome) {
    case JobRunner::Outcome::Failed:
      return Report{Report::Where::MessageBar, ReportLevel::Error,
                    title + QStringLiteral(" failed: ") + message};
    case JobRunner::Outcome::Cancelled:
      return Report{Report::Where::StatusBar, ReportLevel::Info,
                    title + QStringLiteral(": cancelled"), 5000};
    case JobRunner::Outcome::Completed:
      if (statusBarBusy) return std::nullopt;  // keep the job's own report
      return Report{Report::Where::StatusBar, ReportLevel::Info, title + QStringLiteral(": done"),
                    5000};
  }
  return std::nullopt;
}

QString unsupportedModelText(const QString& unsupportedSummary) {
  return QStringLiteral(
             "The engine cannot run every node of this model: %1. The graph is shown view-only "
             "with those nodes marked in red; runs are disabled.")
      .arg(unsupportedSummary.toHtmlEscaped());
}

Report checkReport(const CheckResult& result) {
  if (result.partial)
    return {Report::Where::MessageBar, ReportLevel::Info,
            QStringLiteral("The check was cancelled after %1 layer(s); their verdicts are kept "
                           "in the table (partial), the outputs were not compared.")
                .arg(result.layers.size())};
  int compared = 0;
  for (const LayerCheck& layer : result.layers) compared += layer.compared;
  QStringList outputs;
  for (const OutputCheck& output : result.outputs)
    outputs << QStringLiteral("%1: max |Δ| %2 vs reference%3 (%4)")
                   .arg(QString::fromStdString(output.name),
                        humanError(output.vs_reference.max_abs_error),
                        output.vs_expected ? QStringLiteral(", %1 vs expected")
                                                 .arg(humanError(output.vs_expected->max_abs_error))
                                           : QString(),
                        output.passed() ? QStringLiteral("ok") : QStringLiteral("MISMATCH"));
  const QString endToEnd =
      QStringLiteral("end to end (|Δ| ≤ %1·s + %2·|ref|, s = max(1, max |ref|)): %3")
          .arg(result.end_to_end_tolerance.atol, 0, 'g', 2)
          .arg(result.end_to_end_tolerance.rtol, 0, 'g', 2)
          .arg(outputs.join(QStringLiteral("; ")));
  if (result.passed())
    return {Report::Where::StatusBar, ReportLevel::Info,
            QStringLiteral("Check passed: %1 layer(s) compared with reference, all within "
                           "tolerance; %2")
                .arg(compared)
                .arg(endToEnd),
            20000};
  // The culprits first, by name and algorithm, as the CLI's check prints them.
  QStringList lines;
  const auto failed = result.failed_layers();
  for (size_t i = 0; i < failed.size() && i < 6; ++i) {
    const LayerCheck& l = *failed[i];
    lines << (l.failure.empty()
                  ? QStringLiteral("<b>%1</b> (%2, %3): %4 of %5 elements outside |Δ| ≤ %6 + "
                                   "%7·|ref|, max |Δ| %8")
                        .arg(QString::fromStdString(l.node).toHtmlEscaped(),
                             QString::fromStdString(l.op_type),
                             QString::fromStdString(l.algorithm).toHtmlEscaped())
                        .arg(l.error.mismatches)
                        .arg(l.error.elements)
                        .arg(l.error.tolerance.atol * l.error.scale, 0, 'g', 2)
                        .arg(l.error.tolerance.rtol, 0, 'g', 2)
                        .arg(humanError(l.error.max_abs_error))
                  : QStringLiteral("<b>%1</b> (%2, %3) failed: %4")
                        .arg(QString::fromStdString(l.node).toHtmlEscaped(),
                             QString::fromStdString(l.op_type),
                             QString::fromStdString(l.algorithm).toHtmlEscaped(),
                             QString::fromStdString(l.failure).toHtmlEscaped()));
  }
  if (failed.size() > 6) lines << QStringLiteral("… and %1 more").arg(failed.size() - 6);
  lines << endToEnd.toHtmlEscaped();
  return {Report::Where::MessageBar, ReportLevel::Warning,
          QStringLiteral("Check failed: %1 of %2 compared layer(s) differ from reference.<br>%3")
              .arg(failed.size())
              .arg(compared)
              .arg(lines.join(QStringLiteral("<br>")))};
}

Report timingReport(const LayerTimingResult& result) {
  std::set<size_t> layers;
  int unusable = 0;
  for (const AlgorithmTiming& t : result.timings) {
    layers.insert(t.index);
    unusable += !t.usable();
  }
  const QString text =
      QStringLiteral(
          "%1 algorithm timing(s) on %2 layer(s), %3 thread(s); %4 failed or out of "
          "tolerance")
          .arg(result.timings.size())
          .arg(layers.size())
          .arg(result.threads)
          .arg(unusable);
  if (result.partial)
    return {
        Report::Where::MessageBar, ReportLevel::Info,
        QStringLiteral("Timing was cancelled: %1 are kept (partial).").arg(text.toHtmlEscaped())};
  return {Report::Where::StatusBar, ReportLevel::Info, QStringLiteral("Timed ") + text, 15000};
}

std::optional<Report> tuneReport(const TuneResult& result, int layerCount) {
  QStringList notes;
  for (const std::string& note : result.notes)
    notes << QString::fromStdString(note).toHtmlEscaped();
  if (result.partial)
    return Report{
        Report::Where::MessageBar, ReportLevel::Info,
        QStringLiteral("Tuning was cancelled after %1 of %2 layer(s). Their measurements "
                       "are kept (partial); the plan is unchanged. Plan ▸ Use tuned plan "
                       "applies the partial choice (the engine's choice elsewhere).%3")
            .arg(result.layers.size())
            .arg(layerCount)
            .arg(notes.isEmpty() ? QString()
                                 : QStringLiteral("<br>") + notes.join(QStringLiteral("<br>")))};
  if (notes.isEmpty()) return std::nullopt;
  return Report{Report::Where::MessageBar, ReportLevel::Warning,
                notes.join(QStringLiteral("<br>"))};
}

QString tuneSummaryText(const TuneResult& result, std::optional<double> currentLatencySeconds) {
  QString text = QStringLiteral(
                     "Tuned %1 layer(s): %2 algorithm timing(s) performed, %3 layer(s) "
                     "from the tuning cache.")
                     .arg(result.layers.size())
                     .arg(result.timings_performed)
                     .arg(result.cache_hits);
  if (!result.end_to_end) return text;
  text += QStringLiteral(" The tuned plan runs in %1 end to end")
              .arg(humanSeconds(result.end_to_end->latency.median_ms * 1e-3));
  for (const FamilyPlan& family : result.family_plans)
    if (family.chosen && result.per_layer_end_to_end)
      text += QStringLiteral(
                  ", with %1 layer(s) switched to %2 algorithms that pass values to each other "
                  "in their own layout (the fastest choice of each layer alone: %3)")
                  .arg(family.layers)
                  .arg(QString::fromStdString(family.family))
                  .arg(humanSeconds(result.per_layer_end_to_end->latency.median_ms * 1e-3));
  if (currentLatencySeconds)
    text += QStringLiteral(" (the current plan: %1)").arg(humanSeconds(*currentLatencySeconds));
  return text + QLatin1Char('.');
}

}  // namespace algoscope::gui
