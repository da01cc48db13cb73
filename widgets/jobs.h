// The engine work the explorer runs on the JobRunner: loading a model and timing plans end to end
// with algoscope::Session. Each function only builds a Job: it captures what the worker needs
// (the shared Model, copies of plans), drives the engine on the worker thread, and delivers
// results to the ModelDocument on the GUI thread as they arrive.
//
// The engine's measurement services (per-layer equivalence check, timing of every applicable
// algorithm, tuning) will get one factory each here, translating their progress callbacks and
// cancel tokens to JobContext; the window starts them exactly like timePlansJob.
#pragma once

#include <QByteArray>
#include <QString>
#include <functional>
#include <memory>
#include <vector>

#include "algoscope/graph.h"
#include "algoscope/plan.h"
#include "job_runner.h"

namespace algoscope::gui {

class ModelDocument;

// How runs are measured; edited in the run settings dialog and kept in QSettings.
struct RunSettings {
  int threads = 0;  // 0: all hardware threads
  int warmup = 1;   // runs before measuring (first-touch of buffers, caches, thread pools)
  int repeats = 5;  // measured runs; the median is reported
};

struct NamedPlan {
  QString label;  // "current plan", "engine default", "reference"
  Plan plan;
};

// Loads `path` (or, when `bytes` is not empty, those bytes named `path`, e.g. a bundled sample)
// and hands the model to `onLoaded` on the GUI thread. Load errors fail the job with the
// engine's message.
Job loadModelJob(const QString& path, const QByteArray& bytes,
                 std::function<void(std::shared_ptr<const Model>)> onLoaded);

// Compiles each plan into a Session and runs it on random inputs (warm-up, then repeats) with the
// per-node timing hook on. After each measured repeat the per-layer medians so far stream into
// the document, keyed by the algorithm that ran each layer; after the last one the plan's
// end-to-end latency. Cancellation is honoured between nodes.
Job timePlansJob(ModelDocument& document, std::vector<NamedPlan> plans, RunSettings settings,
                 const QString& title);

}  // namespace algoscope::gui
