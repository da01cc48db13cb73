// The explorer's state for one open model: the loaded engine Model, the plan being edited, what the
// registry says about every layer (shapes, FLOPs, applicable algorithms and why the others do
// not apply), the measurements gathered so far and the selected layer. Every view (graph, table,
// inspector, charts, status bar) reads this one object and listens to its signals, so a click or a
// result shows up everywhere at once. It asks the engine and caches the answers; it decides
// nothing itself (the engine resolves algorithms, validates plans and measures).
#pragma once

#include <QObject>
#include <QString>
#include <QStringList>
#include <QUndoStack>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "algoscope/describe.h"
#include "algoscope/graph.h"
#include "algoscope/measure.h"
#include "algoscope/plan.h"
#include "algoscope/registry.h"
#include "algoscope/roofline.h"

namespace algoscope::gui {

// One algorithm of a layer's op type, in registry order, with why it cannot compute this layer
// (empty when it can).
struct AlgorithmOption {
  QString name;
  QString whyNot;
  QString backend;  // "cpu", "cuda", "plugin"
  bool applicable() const { return whyNot.isEmpty(); }
};

// The static facts of one model node: the engine's LayerDescription (describe.h) and the text the
// views show of it.
struct LayerFacts {
  LayerDescription description;
  const Node* node = nullptr;
  Layer layer;  // inputs/outputs/constants for the registry; valid while the model lives
  QString name;
  QString opType;
  QString displayOp;    // "Conv+BN+Relu" when the loader merged nodes into it
  QStringList fusions;  // what each graph pass merged into it, in words
  QString inputShapes;
  QString outputShapes;
  qint64 parameters = 0;
  double flops = 0;
  // Empty when the engine can run the node, otherwise why not (unsupported op, node problem).
  QString problem;
  std::vector<AlgorithmOption> algorithms;
  QString engineDefault;  // the registry's own choice; empty when not runnable
  // Op type, input shapes and attributes: layers with the same signature compute the same
  // function shape, so one algorithm choice fits all of them.
  QString signature;
  bool runnable() const { return problem.isEmpty(); }
};

// A timing summary in seconds over `samples` runs, with what it is worth (TimingStats).
struct Timing {
  double median = 0;
  double min = 0;
  int samples = 0;
  double iqr = 0;
  double ciRelative = 0;  // the median is known to ±this fraction (95% confidence)
  int outliers = 0;
  QString stop;  // why sampling stopped: count, converged, budget or limit (sampling_stop_name)
  bool unstable() const {
    return samples < TimingStats::kConclusiveSamples || ciRelative > TimingStats::kUnstableCi;
  }
};

// A measured layer: its row, the algorithm that computed it and the timing.
struct LayerTiming {
  int row = -1;
  QString algorithm;
  Timing timing;
};

// What the measurement services found about one algorithm on one layer besides its time.
struct AlgorithmResult {
  // Against `reference` on the same inputs, from a check or a verified timing. A layer that the
  // plan runs with `reference` itself gets an all-zero error with no elements compared.
  std::optional<ErrorStats> error;
  QString failure;  // the kernel could not be prepared or threw: the message
  std::optional<size_t> workspaceBytes;
  bool pruned = false;     // timed twice only: already far slower than the best (tune)
  bool fromCache = false;  // read from the tuning cache, not measured in this session
  bool failed() const { return !failure.isEmpty() || (error && !error->passed()); }
};

// One result as the jobs deliver it: the fields that are set replace what is known.
struct AlgorithmMeasurement {
  int row = -1;
  QString algorithm;
  std::optional<Timing> timing;
  AlgorithmResult result;
};

// The last equivalence check of a whole plan (the per-layer verdicts go into AlgorithmResult).
struct CheckSummary {
  Plan plan;  // the plan as checked, to tell whether the current plan has changed
  bool passed = false;
  bool partial = false;  // cancelled before every layer and the outputs were checked
  int layersCompared = 0;
  QStringList failedLayers;
  std::vector<OutputCheck> outputs;
  Tolerance endToEndTolerance;
  // Per layer in execution order: how the error grew through the network (measure.h,
  // PropagatedError), and the plan's memory along its steps (session.h).
  struct LayerError {
    int row = -1;
    double local = 0, accumulated = 0, growth = 0;
  };
  std::vector<LayerError> propagation;
  MemoryReport memory;
};

// The accumulated error of one checked plan along execution order: one line of the error
// propagation chart. The newest check of each distinct plan is kept.
struct PropagationLine {
  QString label;  // the plan in words: "engine's choice", "Conv=winograd_f4", ...
  Plan plan;
  std::vector<CheckSummary::LayerError> layers;
};

// The last tuning run: the plan it chose and how it got there.
struct TuneSummary {
  Plan plan;  // every decided layer named; the engine's choice elsewhere when partial
  bool partial = false;
  int layersDecided = 0;
  int cacheHits = 0;
  int timingsPerformed = 0;
  std::optional<Timing> latency;  // the tuned plan end to end, when measured
  // The plan optimizer's word on layers where its plan differs from the fastest algorithm alone
  // (strategy global), by node name: "onednn_direct although 0.02 ms slower alone than direct:
  // with direct the best plan costs 0.06 ms more".
  std::map<QString, QString> reasons;
  // What the values between layers cost in `plan` (reorders where neighbours disagree on a
  // layout, copies between memory spaces), by (producer node, reader node).
  struct EdgeCost {
    double seconds = 0;
    QString text;  // the value and what it costs, in words
  };
  std::map<std::pair<QString, QString>, EdgeCost> edgeCosts;
};

// The end-to-end latency of one named plan (current plan, engine default, all-reference, ...).
struct PlanLatency {
  QString label;
  Plan plan;  // the plan as measured, to tell whether the current plan has changed
  Timing timing;
  int threads = 0;
  std::optional<MemoryReport> memory;  // its session's memory along the steps, where timed so
};

class ModelDocument : public QObject {
  Q_OBJECT
 public:
  explicit ModelDocument(QObject* parent = nullptr);
  ~ModelDocument() override;

  // Replaces the model; the plan becomes the engine's default and measurements are cleared.
  void setModel(std::shared_ptr<const Model> model);
  bool hasModel() const { return model_ != nullptr; }
  const Model* model() const { return model_.get(); }
  std::shared_ptr<const Model> sharedModel() const { return model_; }

  int layerCount() const { return static_cast<int>(layers_.size()); }
  const LayerFacts& layer(int row) const { return layers_.at(static_cast<size_t>(row)); }
  // Row of a node by its ONNX name, -1 when absent.
  int rowOfNode(const QString& nodeName) const;
  int rowOfNode(const Node* node) const;
  double totalFlops() const { return totalFlops_; }
  // "Loop (2 nodes), If (1 node)": op types the engine cannot run; empty when it runs it all.
  QString unsupportedSummary() const;
  QStringList opTypes() const;  // sorted, distinct
  QList<int> rowsWithSignature(const QString& signature) const;

  // --- The plan being edited.
  const Plan& plan() const { return plan_; }
  // Validates against the model and the registry; throws algoscope::Error (naming every problem)
  // and leaves the current plan untouched when it does not fit.
  void setPlan(const Plan& plan);
  // The plan's request for a row: an algorithm name or Plan::kDefault.
  QString requestedAlgorithm(int row) const;
  // The algorithm that will run the row under the plan; empty when the row cannot run.
  QString effectiveAlgorithm(int row) const;
  // Set when an op-type default of the plan does not apply to this row (the engine's choice runs).
  QString planNote(int row) const;
  // Sets a layer's algorithm (Plan::kDefault removes the entry). Returns false, with the reason,
  // when the algorithm does not apply to the layer.
  bool setLayerAlgorithm(int row, const QString& algorithm, QString* whyNot = nullptr);
  // Sets one algorithm for many rows; rows where it does not apply are left alone and listed in
  // *skipped. Returns how many rows changed.
  int setRowsAlgorithm(const QList<int>& rows, const QString& algorithm,
                       QStringList* skipped = nullptr);
  // The plan's default for an op type (Plan::kDefault removes it). Layers where it does not apply
  // keep the engine's choice; returns how many of the op type's layers it applies to.
  int setOpTypeDefault(const QString& opType, const QString& algorithm);
  void resetPlan();  // everything back to the engine's choice
  // Every plan edit above is one step on this stack (a batch of rows is one step); undo and redo
  // restore the plan before and after it. Opening a model clears it.
  QUndoStack* undoStack() const { return undoStack_; }
  bool isPlanModified() const;
  void markPlanSaved();  // the current plan is what is on disk

  // Plans the explorer compares the current plan against, built from the registry.
  Plan engineDefaultPlan() const;
  Plan referencePlan() const;  // every op type on its `reference` algorithm

  // --- Measurements, kept per layer and algorithm so changing a choice shows what is known.
  std::optional<Timing> timing(int row, const QString& algorithm) const;
  std::optional<Timing> currentTiming(int row) const;  // of the effective algorithm
  const std::map<QString, Timing>& timings(int row) const;
  bool hasTimings() const { return timingCount_ > 0; }
  // The smallest and largest medians of the layers' measured algorithms under the plan (the heat
  // map's scale); {0, 0} when nothing is measured.
  std::pair<double, double> currentLatencyRange() const;
  // Latency of the plan currently being edited, when it was measured as it is now.
  std::optional<PlanLatency> currentPlanLatency() const;
  const std::vector<PlanLatency>& planLatencies() const { return planLatencies_; }
  // Errors, failures, workspace of the algorithms measured on a row; nullptr / empty when none.
  const AlgorithmResult* result(int row, const QString& algorithm) const;
  const AlgorithmResult* currentResult(int row) const;  // of the effective algorithm
  const std::map<QString, AlgorithmResult>& results(int row) const;
  const std::optional<CheckSummary>& lastCheck() const { return lastCheck_; }
  // The last check, when it checked the plan as it is now.
  const CheckSummary* currentCheck() const;
  const std::optional<TuneSummary>& lastTune() const { return lastTune_; }
  // Every checked plan's error propagation, oldest first (at most kPropagationLines).
  static constexpr int kPropagationLines = 6;
  const std::vector<PropagationLine>& propagationLines() const { return propagationLines_; }
  // The accumulated relative error of a row under the last check of the plan as it is now;
  // nullopt when not checked.
  std::optional<double> accumulatedError(int row) const;
  // The machine's roofline roofs, once a timing job has measured (or read) them.
  const std::optional<MachineRoofs>& roofs() const { return roofs_; }
  // The memory along the steps of the plan as it is now, from its last check or timing; nullptr
  // when neither measured it.
  const MemoryReport* currentMemory() const;
  void recordRoofs(const Model* model, const MachineRoofs& roofs);
  // `model` guards against results of a model that is no longer open.
  void recordLayerTimings(const Model* model, const std::vector<LayerTiming>& results);
  void recordAlgorithmResults(const Model* model, const std::vector<AlgorithmMeasurement>& results);
  void recordPlanLatency(const Model* model, const PlanLatency& latency);
  void recordCheck(const Model* model, const CheckSummary& check);
  void recordTune(const Model* model, const TuneSummary& tune);
  void clearMeasurements();

  // --- The registry changed (a plugin added algorithms): asks it again about every layer.
  void refreshAlgorithms();

  // --- Selection shared by every view.
  int currentRow() const { return currentRow_; }
  void setCurrentRow(int row);

 signals:
  void modelChanged();
  void planChanged();
  void measurementsChanged();
  void currentRowChanged(int row);

 private:
  class PlanEdit;
  friend class PlanEdit;
  // Wraps one edit: the plan before the outermost scope and after it become one undo step named
  // `what`, when the plan changed.
  class EditScope {
   public:
    EditScope(ModelDocument* document, QString what);
    ~EditScope();

   private:
    ModelDocument* document_;
    QString what_;
    std::optional<Plan> before_;
  };
  void restorePlan(const Plan& plan);  // undo/redo: no new step
  void resolveAll();
  static void describe(const Model& model, LayerFacts& facts);

  std::shared_ptr<const Model> model_;
  std::vector<LayerFacts> layers_;
  std::map<std::string, int> rowOfName_;
  double totalFlops_ = 0;
  QUndoStack* undoStack_;
  int editDepth_ = 0;
  Plan plan_;
  Plan savedPlan_;
  std::vector<QString> effective_;
  std::vector<QString> notes_;
  std::vector<std::map<QString, Timing>> timings_;
  std::vector<std::map<QString, AlgorithmResult>> results_;
  int timingCount_ = 0;
  std::vector<PlanLatency> planLatencies_;
  std::optional<CheckSummary> lastCheck_;
  std::optional<TuneSummary> lastTune_;
  std::vector<PropagationLine> propagationLines_;
  std::optional<MachineRoofs> roofs_;
  int currentRow_ = -1;
};

// Presentation helpers shared by the views.
QString humanCount(double value);      // 1.2 k, 3.4 M, 5.6 G
QString humanBytes(double bytes);      // 512 B, 1.5 KiB, 3.2 MiB
QString humanSeconds(double seconds);  // 850 us, 12.3 ms, 1.20 s
// "median 1.23 ms, min 1.10 ms, IQR 50.0 µs over 37 runs; known to ±1.8% (95% confidence),
// sampling converged": a timing with what it is worth, flagged when unstable.
QString timingDetail(const Timing& timing);
QString humanError(double error);  // 3.1e-06; "inf" for a NaN's error
// A plan in a few words for legends: "engine's choice", "Conv=winograd_f4", "Conv=im2col +3
// layers".
QString planLabel(const Plan& plan);
QString attributeText(const Attribute& attribute);

}  // namespace algoscope::gui
