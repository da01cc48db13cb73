// The report wording of the explorer, moved out of the main window so that it is one place to read
// and tests can call it.
#include "reports.h"

#include <QFileInfo>
#include <QStringList>
#include <algorithm>
#include <set>

#include "model_document.h"

namespace algoscope::gui {

QString modelPropertiesHtml(const ModelDocument& document) {
  const Model* model = document.model();
  if (!model) return QStringLiteral("<p>No model is open.</p>");
  auto esc = [](const std::string& text) { return QString::fromStdString(text).toHtmlEscaped(); };
  auto row = [](const QString& key, const QString& value) {
    return QStringLiteral("<tr><td style='padding-right:12px'><b>%1</b></td><td>%2</td></tr>")
        .arg(key, value);
  };
  auto values = [&](const std::vector<std::string>& names) {
    QStringList lines;
    for (const std::string& name : names) {
      const ValueInfo* v = model->find_value(name);
      lines << QStringLiteral("%1 <span style='color:#666'>%2</span>")
                   .arg(esc(name), v && v->known ? esc(std::string(dtype_name(v->info.dtype)) +
                                                       " " + shape_to_string(v->info.shape))
                                                 : QStringLiteral("shape unknown"));
    }
    return lines.join(QStringLiteral("<br>"));
  };
  qint64 parameters = 0;
  for (int row = 0; row < document.layerCount(); ++row)
    parameters += document.layer(row).parameters;
  QString html = QStringLiteral("<h3>%1</h3><table>").arg(esc(model->name));
  html += row(QStringLiteral("file"),
              model->path.empty() ? QStringLiteral("(bundled sample)") : esc(model->path));
  html += row(QStringLiteral("producer"),
              model->producer.empty() ? QStringLiteral("(not stated)") : esc(model->producer));
  html += row(QStringLiteral("IR version, opset"),
              QStringLiteral("%1, %2").arg(model->ir_version).arg(model->opset));
  html += row(QStringLiteral("sha256"),
              esc(model->fingerprint.substr(model->fingerprint.find(':') + 1)));
  html += row(QStringLiteral("inputs"), values(model->inputs));
  html += row(QStringLiteral("outputs"), values(model->outputs));
  html += row(QStringLiteral("layers"), QString::number(document.layerCount()));
  html += row(QStringLiteral("parameters"), humanCount(double(parameters)));
  html += row(QStringLiteral("FLOPs"), humanCount(document.totalFlops()));
  html += QStringLiteral("</table>");
  if (!model->load_notes.empty()) {
    html += QStringLiteral("<p><b>What the loader changed</b></p><ul>");
    for (const std::string& note : model->load_notes)
      html += QStringLiteral("<li>%1</li>").arg(esc(note));
    html += QStringLiteral("</ul>");
  }
  return html;
}

QString gettingStartedHtml() {
  return QStringLiteral(
      "<h3>Getting started</h3><ol>"
      "<li><b>Open a model</b>: File ▸ Open (Ctrl+O), drop an .onnx file on the window, or File ▸ "
      "Open sample. The graph shows the layers as the engine runs them (BatchNormalization folded, "
      "activations fused), the table lists them with shapes, parameters and FLOPs.</li>"
      "<li><b>Pick algorithms</b>: double-click a layer's algorithm in the table, or use the "
      "inspector on the right to read how each algorithm works and why one does not apply; "
      "Plan ▸ sets one for many layers at once. Plan ▸ Undo takes an edit back.</li>"
      "<li><b>Check</b> (Run ▸ Check equivalence, F7) compares every layer and the outputs with "
      "the <i>reference</i> algorithms, within each algorithm's tolerance; the Error propagation "
      "tab and Colour: error show how the error grows through the network.</li>"
      "<li><b>Time</b>: Run ▸ Time algorithms (F8) times every algorithm of the selected layers; "
      "Run end to end (F5) and Time plans compare whole plans; the charts tabs show the "
      "results.</li>"
      "<li><b>Tune</b> (F9) measures every layer and picks the fastest algorithm within "
      "tolerance; Plan ▸ Use tuned plan takes it.</li>"
      "<li><b>See why</b>: the Memory tab shows the plan's memory along its steps, the Roofline "
      "tab each timed algorithm against the machine's limits; Plan ▸ Extract selected layer "
      "writes one layer as an ONNX model of its own with its recorded input.</li>"
      "<li><b>Save the plan</b> (Ctrl+S): a JSON file that <tt>algoscope-cli run --plan</tt> and "
      "the C++ library read.</li></ol>"
      "<p>Run ▸ Settings sets threads, repeats, tolerances, the tuning cache and the GPU.</p>");
}

QString statusSummaryText(const ModelDocument& document) {
  const Model* model = document.model();
  if (!model) return QStringLiteral("No model — File ▸ Open (Ctrl+O) or Open sample");
  QString latency = QStringLiteral("latency: not measured (F5)");
  if (auto current = document.currentPlanLatency())
    latency = QStringLiteral("latency %1 ±%2% (median of %3, %4 thread(s))%5")
                  .arg(humanSeconds(current->timing.median))
                  .arg(100 * current->timing.ciRelative, 0, 'f', 1)
                  .arg(current->timing.samples)
                  .arg(current->threads)
                  .arg(current->timing.unstable() ? QStringLiteral(", unstable") : QString());
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
  // Layers the engine cannot run have no FLOP count: say they are left out of the total.
  int unsupported = 0;
  for (int row = 0; row < document.layerCount(); ++row)
    unsupported += document.layer(row).runnable() ? 0 : 1;
  const QString flops = unsupported
                            ? QStringLiteral("%1FLOPs (%2 layer(s) that cannot run not counted)")
                                  .arg(humanCount(document.totalFlops()))
                                  .arg(unsupported)
                            : QStringLiteral("%1FLOPs").arg(humanCount(document.totalFlops()));
  return QStringLiteral("%1 · %2 layers · %3 · %4")
      .arg(QString::fromStdString(model->name))
      .arg(document.layerCount())
      .arg(flops)
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
  // Ties are decided by fixed rules, so re-tuning picks the same; the user sees where it mattered.
  QStringList ties;
  for (const TunedLayer& layer : result.layers)
    if (!layer.tied.empty()) {
      QStringList others;
      for (const std::string& name : layer.tied) others << QString::fromStdString(name);
      ties << QStringLiteral("%1: %2 over %3 (%4)")
                  .arg(QString::fromStdString(layer.node), QString::fromStdString(layer.algorithm),
                       others.join(QStringLiteral(", ")), QString::fromStdString(layer.tie_break));
    }
  constexpr int kTiesListed = 5;
  if (!ties.isEmpty())
    text += QStringLiteral(
                " %1 layer(s) tied within noise and were decided by lower error, then "
                "workspace, then registry order: %2%3.")
                .arg(ties.size())
                .arg(ties.mid(0, kTiesListed).join(QStringLiteral("; ")))
                .arg(ties.size() > kTiesListed ? QStringLiteral("; …") : QString());
  if (!result.end_to_end) return text;
  text += QStringLiteral(" The tuned plan runs in %1 end to end")
              .arg(humanSeconds(result.end_to_end->latency.median_ms * 1e-3));
  for (const FamilyPlan& family : result.family_plans) {
    if (!family.chosen || !result.per_layer_end_to_end) continue;
    const QString alone = humanSeconds(result.per_layer_end_to_end->latency.median_ms * 1e-3);
    if (family.family.empty())
      text += QStringLiteral(
                  ", with %1 %2 layer(s) switched to %3, faster in the whole model (the fastest "
                  "choice of each layer alone: %4)")
                  .arg(family.layers)
                  .arg(QString::fromStdString(family.op_type))
                  .arg(QString::fromStdString(family.preferred))
                  .arg(alone);
    else
      text +=
          QStringLiteral(
              ", with %1 layer(s) switched to %2 algorithms%4 that pass values to each other "
              "in their own layout (the fastest choice of each layer alone: %3)")
              .arg(family.layers)
              .arg(QString::fromStdString(family.family))
              .arg(alone)
              .arg(family.preferred.empty() ? QString()
                                            : QStringLiteral(" (%1 wherever it applies)")
                                                  .arg(QString::fromStdString(family.preferred)));
  }
  if (const std::optional<GlobalPlan>& g = result.global_plan; g && g->chosen) {
    const QString alone = result.per_layer_end_to_end
                              ? humanSeconds(result.per_layer_end_to_end->latency.median_ms * 1e-3)
                              : QStringLiteral("the same plan");
    text += QStringLiteral(
                ", the plan optimizer's plan: %1 layer(s) given another algorithm than their "
                "fastest alone, because of what passes between them (predicted %2; the fastest "
                "choice of each layer alone: %3)")
                .arg(g->changed_layers)
                .arg(humanSeconds(g->predicted_ms * 1e-3))
                .arg(alone);
  }
  if (currentLatencySeconds)
    text += QStringLiteral(" (the current plan: %1)").arg(humanSeconds(*currentLatencySeconds));
  return text + QLatin1Char('.');
}

QString optimizerReason(const PlannedLayer& layer) {
  const QString chosen = QString::fromStdString(layer.algorithm);
  const QString alone = QString::fromStdString(layer.fastest_alone);
  QString text =
      layer.alone_ms > layer.fastest_alone_ms
          ? QStringLiteral("%1 although %2 slower alone than %3")
                .arg(chosen, humanSeconds((layer.alone_ms - layer.fastest_alone_ms) * 1e-3), alone)
          : QStringLiteral("%1 rather than %2").arg(chosen, alone);
  if (layer.plan_cost_without_ms > 0)
    text += QStringLiteral(
                ": with %1 the best plan costs %2 more (conversions between layouts "
                "or memory spaces)")
                .arg(alone, humanSeconds(layer.plan_cost_without_ms * 1e-3));
  else
    text += QStringLiteral(": the two cost the plan the same");
  return text;
}

QString valueCostText(const PlannedValueCost& cost) {
  QStringList parts;
  if (cost.conversion_ms > 0)
    parts << QStringLiteral("reorders %1 (producer and reader disagree on the layout)")
                 .arg(humanSeconds(cost.conversion_ms * 1e-3));
  if (cost.copy_ms > 0)
    parts << QStringLiteral("copy %1 → %2 %3")
                 .arg(QString::fromStdString(cost.from_space),
                      QString::fromStdString(cost.to_space), humanSeconds(cost.copy_ms * 1e-3));
  return QStringLiteral("%1: %2").arg(QString::fromStdString(cost.value),
                                      parts.join(QStringLiteral(", ")));
}

std::vector<StrategyPlan> strategyPlans(const TuneResult& result) {
  std::vector<StrategyPlan> plans;
  if (!result.end_to_end) return plans;
  plans.push_back({QStringLiteral("per-layer choices"), result.per_layer_plan,
                   result.per_layer_end_to_end ? result.per_layer_end_to_end->latency
                                               : result.end_to_end->latency});
  // The fastest of the layout families' and ops' plans.
  const FamilyPlan* fastest = nullptr;
  for (const FamilyPlan& family : result.family_plans)
    if (!fastest || family.end_to_end.latency.median_ms < fastest->end_to_end.latency.median_ms)
      fastest = &family;
  if (fastest)
    plans.push_back(
        {QStringLiteral("best family plan"), fastest->plan, fastest->end_to_end.latency});
  const std::optional<GlobalPlan>& global = result.global_plan;
  if (!global) return plans;
  // A plan the optimizer made new after calibrating was timed in a second batch of runs beside
  // the first batch's fastest (GlobalPlan::rival): that plan's bar shows its time there, so that
  // the two bars tune decided between come from the same runs (a machine's speed drifts between
  // batches). The rival may be the optimizer's first plan, which has no bar of its own otherwise.
  if (global->rival_end_to_end) {
    auto rival = std::find_if(plans.begin(), plans.end(), [&](const StrategyPlan& p) {
      return p.plan.layers == global->rival_plan.layers;
    });
    if (rival != plans.end())
      rival->timing = global->rival_end_to_end->latency;
    else
      plans.push_back({QStringLiteral("optimizer's first plan"), global->rival_plan,
                       global->rival_end_to_end->latency});
  }
  plans.push_back({QStringLiteral("optimizer's plan"), global->plan, global->end_to_end.latency});
  return plans;
}

}  // namespace algoscope::gui
