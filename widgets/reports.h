// The explorer's report wording: what the status bar and the message bar say about the open model
// and about each finished job (check, timing, tune, a job's outcome). Plain functions of the
// engine's results and the document, so tests can read the words without a window, and the window
// only decides where they go.
#pragma once

#include <QString>
#include <optional>

#include "algoscope/measure.h"
#include "job_runner.h"

namespace algoscope::gui {

class ModelDocument;

enum class ReportLevel { Info, Warning, Error };

// A report and where it goes: the status bar (transient, plain text) or the message bar (stays
// until dismissed or the next job, rich text).
struct Report {
  enum class Where { StatusBar, MessageBar };
  Where where = Where::StatusBar;
  ReportLevel level = ReportLevel::Info;
  QString text;
  int timeoutMs = 0;  // status bar only
};

// The permanent summary at the right of the status bar: model, layers, FLOPs, latency, check.
QString statusSummaryText(const ModelDocument& document);

// File > Model properties: the file, producer, IR version, opset and fingerprint, the graph's
// inputs and outputs with types and shapes, layers, parameters, FLOPs, and what the loader
// changed. Rich text.
QString modelPropertiesHtml(const ModelDocument& document);

// Help > Getting started: the explorer's workflow in a few steps. Rich text.
QString gettingStartedHtml();
// The window title for a model (empty name: no model) and the plan file.
QString windowTitleText(const QString& modelName, const QString& planPath);
// What the status or message bar says when a job ends; nullopt when the job's own report stays.
std::optional<Report> jobOutcomeReport(const QString& title, JobRunner::Outcome outcome,
                                       const QString& message, bool statusBarBusy);
// The warning shown on opening a model the engine cannot run entirely.
QString unsupportedModelText(const QString& unsupportedSummary);

Report checkReport(const CheckResult& result);
Report timingReport(const LayerTimingResult& result);
// A cancelled tune (message bar), or the notes of a finished one (nullopt when there are none).
std::optional<Report> tuneReport(const TuneResult& result, int layerCount);
// The summary of a finished tune that the "use the tuned plan?" question starts with.
// `currentLatencySeconds`: the current plan's measured latency, when known.
QString tuneSummaryText(const TuneResult& result, std::optional<double> currentLatencySeconds);
// Why the plan optimizer gave a layer another algorithm than its fastest alone, in words.
QString optimizerReason(const PlannedLayer& layer);
// What a value between two layers costs the tuned plan, in words.
QString valueCostText(const PlannedValueCost& cost);
// The plans each tuning strategy would return, as timed end to end (empty when nothing was); where
// the optimizer's plan was timed in a second batch, the plan it was timed beside shows its time
// from that batch.
struct StrategyPlan {
  QString label;
  Plan plan;
  TimingStats timing;
};
std::vector<StrategyPlan> strategyPlans(const TuneResult& result);

}  // namespace algoscope::gui
