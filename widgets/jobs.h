// The engine work the explorer runs on the JobRunner: loading a model and the engine's measurement
// services (measure.h): timing plans end to end, the equivalence check, timing every applicable
// algorithm of layers, tuning. Each function only builds a Job: it captures
// what the worker needs (the shared Model, copies of plans and settings), drives the engine on the
// worker thread, and delivers results to the ModelDocument on the GUI thread as they arrive. The
// services' Progress becomes JobContext progress ("layer · algorithm"), the job's CancelToken is
// theirs, and a cancelled service's partial result is still delivered (marked partial).
#pragma once

#include <QByteArray>
#include <QString>
#include <functional>
#include <memory>
#include <optional>
#include <vector>

#include "algoscope/extract.h"
#include "algoscope/graph.h"
#include "algoscope/measure.h"
#include "algoscope/plan.h"
#include "job_runner.h"

namespace algoscope::gui {

class ModelDocument;

// How runs are measured; edited in the run settings dialog and kept in QSettings.
struct RunSettings {
  int threads = 0;  // 0: all hardware threads
  int warmup = 1;   // runs before measuring (first-touch of buffers, caches, thread pools)
  int repeats = 5;  // measured runs at least; the median is reported
  // Then more runs until the median is known to a few percent, within a time budget (the
  // engine's AdaptiveRepeat); off: exactly `repeats`.
  bool adaptiveRepeats = true;
  // Replaces every algorithm's own tolerance in checks, verified timings and tuning when set.
  std::optional<Tolerance> tolerance;
  bool useTuningCache = true;  // tune reads and extends the persistent tuning cache
  QString tuningCachePath;     // empty: the engine's default (TuningCache::default_path())
  // The CUDA device GPU algorithms run on (select_gpu_device); fixed once the first GPU algorithm
  // has been asked about, so a change applies from the next start. Empty: never chosen here, the
  // engine's default (ALGOSCOPE_CUDA_DEVICE or 0), and start-up does not ask the driver.
  std::optional<int> gpuDevice;
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

// time_end_to_end on each plan in turn (random inputs, warm-up, then repeats). The per-layer
// medians so far stream into the document (RepeatReport), keyed by the algorithm that ran each
// layer; after the last repeat the plan's end-to-end latency. The engine looks at the job's
// CancelToken between nodes; a cancelled run delivers nothing more.
Job timePlansJob(ModelDocument& document, std::vector<NamedPlan> plans, RunSettings settings,
                 const QString& title);

// check_plan: every layer of `plan` against `reference` on the same inputs, then the outputs end
// to end. Each layer's verdict (max abs/rel error, mismatches, failure) streams into the document
// as the result of the algorithm that ran it; the summary goes to recordCheck. `onDone` gets the
// result on the GUI thread, partial when cancelled.
Job checkPlanJob(ModelDocument& document, Plan plan, RunSettings settings,
                 std::function<void(const CheckResult&)> onDone = {});

// time_layers: every applicable algorithm (but `reference`, the engine's rule) of the layers named
// in `nodes` (empty: all), each compared with `reference` too (verify), on inputs recorded from a
// run of `plan`. Timings, errors, workspace and failures stream into the document.
Job timeAlgorithmsJob(ModelDocument& document, Plan plan, std::vector<std::string> nodes,
                      RunSettings settings,
                      std::function<void(const LayerTimingResult&)> onDone = {});

// extract_layer: the layer `node` as a one-layer ONNX model in `directory`, with the input and
// output it had in a run of `plan` (test_data_set_0). `source` is the file the model was opened
// from (a bundled sample's resource path too), read again for its original nodes. `onDone` gets
// the result on the GUI thread.
Job extractLayerJob(ModelDocument& document, Plan plan, std::string node, QString source,
                    QString directory, RunSettings settings,
                    std::function<void(const ExtractedLayer&)> onDone);

// tune: per layer the fastest algorithm within tolerance, with the tuning cache as the settings
// say. Every candidate's measurements stream into the document as layers are decided; at the end
// the tuned plan goes to recordTune and, when it was timed end to end, into the plans chart as
// "tuned". Applying the plan is the caller's decision (`onDone`).
Job tuneJob(ModelDocument& document, RunSettings settings,
            std::function<void(const TuneResult&)> onDone = {});

}  // namespace algoscope::gui
