// ModelDocument: caches the registry's answers about every layer of the open model and keeps the
// plan, the measurements and the selection that all views share.
#include "model_document.h"

#include <algorithm>
#include <cmath>
#include <set>

#include "algoscope/error.h"
#include "algoscope/loader.h"

namespace algoscope::gui {
namespace {

QString shapesOf(const Model& model, const std::vector<std::string>& names, bool skipConstants) {
  QStringList parts;
  for (const auto& name : names) {
    if (name.empty() || (skipConstants && model.find_constant(name))) continue;
    const ValueInfo* value = model.find_value(name);
    parts << (value && value->known ? QString::fromStdString(shape_to_string(value->info.shape))
                                    : QStringLiteral("?"));
  }
  return parts.join(QStringLiteral(", "));
}

}  // namespace

QString attributeText(const Attribute& attribute) {
  return std::visit(
      [](const auto& v) -> QString {
        using T = std::decay_t<decltype(v)>;
        if constexpr (std::is_same_v<T, int64_t>) {
          return QString::number(v);
        } else if constexpr (std::is_same_v<T, float>) {
          return QString::number(double(v));
        } else if constexpr (std::is_same_v<T, std::string>) {
          return QString::fromStdString(v);
        } else if constexpr (std::is_same_v<T, std::vector<int64_t>> ||
                             std::is_same_v<T, std::vector<float>>) {
          QStringList parts;
          for (auto x : v) parts << QString::number(double(x));
          return QStringLiteral("[") + parts.join(QLatin1Char(',')) + QStringLiteral("]");
        } else if constexpr (std::is_same_v<T, std::vector<std::string>>) {
          QStringList parts;
          for (const auto& x : v) parts << QString::fromStdString(x);
          return QStringLiteral("[") + parts.join(QLatin1Char(',')) + QStringLiteral("]");
        } else if constexpr (std::is_same_v<T, Tensor>) {
          return QStringLiteral("tensor ") + QString::fromStdString(shape_to_string(v.shape()));
        } else {
          return QStringLiteral("(graph)");
        }
      },
      attribute.value);
}

QString humanCount(double value) {
  const char* suffixes[] = {"", " k", " M", " G", " T"};
  int i = 0;
  while (std::abs(value) >= 1000 && i < 4) value /= 1000, ++i;
  return i == 0 ? QString::number(value, 'f', 0)
                : QString::number(value, 'f', value < 10 ? 2 : 1) + QLatin1String(suffixes[i]);
}

QString humanBytes(double bytes) {
  const char* suffixes[] = {" B", " KiB", " MiB", " GiB"};
  int i = 0;
  while (bytes >= 1024 && i < 3) bytes /= 1024, ++i;
  return QString::number(bytes, 'f', i == 0 ? 0 : 1) + QLatin1String(suffixes[i]);
}

QString humanError(double error) {
  if (!std::isfinite(error)) return QStringLiteral("inf");
  if (error == 0) return QStringLiteral("0");
  return QString::number(error, 'e', 1);
}

QString humanSeconds(double seconds) {
  if (seconds < 1e-3) return QString::number(seconds * 1e6, 'f', 1) + QStringLiteral(" µs");
  if (seconds < 1) return QString::number(seconds * 1e3, 'f', 2) + QStringLiteral(" ms");
  return QString::number(seconds, 'f', 2) + QStringLiteral(" s");
}

QString timingDetail(const Timing& timing) {
  QString text =
      QStringLiteral(
          "median %1, min %2, IQR %3 over %4 run(s); known to ±%5% (95% "
          "confidence), sampling stopped: %6")
          .arg(humanSeconds(timing.median), humanSeconds(timing.min), humanSeconds(timing.iqr))
          .arg(timing.samples)
          .arg(100 * timing.ciRelative, 0, 'f', 1)
          .arg(timing.stop.isEmpty() ? QStringLiteral("count") : timing.stop);
  if (timing.outliers) text += QStringLiteral("; %1 outlier(s)").arg(timing.outliers);
  if (timing.unstable())
    text += QStringLiteral("; UNSTABLE: too few runs or too wide a spread to rank by");
  return text;
}

// One plan edit on the undo stack. push() calls redo() at once; the edit is already applied then.
class ModelDocument::PlanEdit final : public QUndoCommand {
 public:
  PlanEdit(ModelDocument* document, Plan before, Plan after, const QString& what)
      : QUndoCommand(what),
        document_(document),
        before_(std::move(before)),
        after_(std::move(after)) {}
  void undo() override { document_->restorePlan(before_); }
  void redo() override {
    if (applied_) document_->restorePlan(after_);
    applied_ = true;
  }

 private:
  ModelDocument* document_;
  Plan before_, after_;
  bool applied_ = false;
};

ModelDocument::EditScope::EditScope(ModelDocument* document, QString what)
    : document_(document), what_(std::move(what)) {
  if (document_->editDepth_++ == 0) before_ = document_->plan_;
}

ModelDocument::EditScope::~EditScope() {
  if (--document_->editDepth_ == 0 && before_ && !(*before_ == document_->plan_))
    document_->undoStack_->push(new PlanEdit(document_, *before_, document_->plan_, what_));
}

ModelDocument::ModelDocument(QObject* parent) : QObject(parent), undoStack_(new QUndoStack(this)) {}
ModelDocument::~ModelDocument() = default;

void ModelDocument::restorePlan(const Plan& plan) {
  plan_ = plan;
  resolveAll();
  emit planChanged();
}

void ModelDocument::setModel(std::shared_ptr<const Model> model) {
  std::vector<LayerFacts> layers;
  std::map<std::string, int> rowOfName;
  double totalFlops = 0;
  if (model) {
    layers.reserve(model->nodes.size());
    for (const Node& node : model->nodes) {
      LayerFacts facts;
      facts.node = &node;
      facts.layer = make_layer(*model, node);
      facts.name = QString::fromStdString(node.name);
      facts.opType = QString::fromStdString(node.op_type);
      describe(*model, facts);
      QStringList signature{facts.opType, shapesOf(*model, node.inputs, false)};
      for (const auto& [key, value] : node.attributes)
        signature << QString::fromStdString(key) + QLatin1Char('=') + attributeText(value);
      if (node.activation) signature << QString::fromStdString(node.activation->op);
      facts.signature = signature.join(QLatin1Char('|'));
      totalFlops += facts.flops;
      rowOfName[node.name] = static_cast<int>(layers.size());
      layers.push_back(std::move(facts));
    }
  }
  model_ = std::move(model);
  layers_ = std::move(layers);
  rowOfName_ = std::move(rowOfName);
  totalFlops_ = totalFlops;
  plan_ = model_ ? Plan::for_model(*model_) : Plan();
  savedPlan_ = plan_;
  timings_.assign(layers_.size(), {});
  results_.assign(layers_.size(), {});
  timingCount_ = 0;
  planLatencies_.clear();
  lastCheck_.reset();
  lastTune_.reset();
  currentRow_ = -1;
  undoStack_->clear();  // edits of another model's plan
  resolveAll();
  emit modelChanged();
  emit currentRowChanged(-1);
}

void ModelDocument::describe(const Model& model, LayerFacts& facts) {
  // The engine says what the layer is and which algorithms apply; this only converts to QString.
  LayerDescription d = describe_layer(model, *facts.node);
  facts.displayOp = QString::fromStdString(d.display_op);
  facts.inputShapes = QString::fromStdString(d.input_shapes_text());
  facts.outputShapes = QString::fromStdString(d.output_shapes_text());
  facts.parameters = d.parameters;
  facts.flops = d.flops;
  facts.problem = QString::fromStdString(d.problem);
  facts.engineDefault = QString::fromStdString(d.default_algorithm);
  facts.fusions.clear();
  for (const auto& f : d.fusions) facts.fusions << QString::fromStdString(f.text);
  facts.algorithms.clear();
  for (const auto& a : d.algorithms)
    facts.algorithms.push_back({QString::fromStdString(a.name), QString::fromStdString(a.why_not),
                                QString::fromLatin1(backend_name(a.backend))});
  facts.description = std::move(d);
}

void ModelDocument::refreshAlgorithms() {
  if (!model_) return;
  for (LayerFacts& facts : layers_) describe(*model_, facts);
  resolveAll();
  emit planChanged();
}

int ModelDocument::rowOfNode(const QString& nodeName) const {
  auto it = rowOfName_.find(nodeName.toStdString());
  return it == rowOfName_.end() ? -1 : it->second;
}

int ModelDocument::rowOfNode(const Node* node) const {
  if (!model_ || !node || model_->nodes.empty()) return -1;
  auto offset = node - model_->nodes.data();
  return offset >= 0 && offset < static_cast<std::ptrdiff_t>(model_->nodes.size())
             ? static_cast<int>(offset)
             : -1;
}

QString ModelDocument::unsupportedSummary() const {
  if (!model_) return {};
  QStringList parts;
  for (const auto& [op, nodes] : unsupported_ops(*model_))
    parts << QStringLiteral("%1 (%2 node%3)")
                 .arg(QString::fromStdString(op))
                 .arg(nodes.size())
                 .arg(nodes.size() == 1 ? "" : "s");
  int problems = 0;
  for (const auto& facts : layers_)
    if (!facts.runnable() && !facts.node->problem.empty()) ++problems;
  if (problems)
    parts << QStringLiteral("%1 node(s) with inputs the engine cannot compute").arg(problems);
  return parts.join(QStringLiteral(", "));
}

QStringList ModelDocument::opTypes() const {
  std::set<QString> ops;
  for (const auto& facts : layers_) ops.insert(facts.opType);
  return QStringList(ops.begin(), ops.end());
}

QList<int> ModelDocument::rowsWithSignature(const QString& signature) const {
  QList<int> rows;
  for (int row = 0; row < layerCount(); ++row)
    if (layers_[size_t(row)].signature == signature) rows << row;
  return rows;
}

void ModelDocument::setPlan(const Plan& plan) {
  if (!model_) throw Error("open a model before loading a plan");
  validate_plan(plan, *model_);
  EditScope edit(this, QStringLiteral("Replace the plan"));
  plan_ = plan;
  resolveAll();
  emit planChanged();
}

QString ModelDocument::requestedAlgorithm(int row) const {
  return QString::fromStdString(plan_.requested(*layer(row).node));
}

QString ModelDocument::effectiveAlgorithm(int row) const { return effective_.at(size_t(row)); }
QString ModelDocument::planNote(int row) const { return notes_.at(size_t(row)); }

bool ModelDocument::setLayerAlgorithm(int row, const QString& algorithm, QString* whyNot) {
  const LayerFacts& facts = layer(row);
  if (!facts.runnable()) {
    if (whyNot) *whyNot = facts.problem;
    return false;
  }
  const std::string name = facts.node->name;
  EditScope edit(this, QStringLiteral("Set %1 for %2").arg(algorithm, facts.name));
  if (algorithm != QString::fromStdString(Plan::kDefault)) {
    auto option = std::find_if(facts.algorithms.begin(), facts.algorithms.end(),
                               [&](const AlgorithmOption& o) { return o.name == algorithm; });
    if (option == facts.algorithms.end()) {
      if (whyNot) *whyNot = QStringLiteral("%1 has no algorithm '%2'").arg(facts.opType, algorithm);
      return false;
    }
    if (!option->applicable()) {
      if (whyNot) *whyNot = option->whyNot;
      return false;
    }
    plan_.layers[name] = algorithm.toStdString();
  } else {
    plan_.layers.erase(name);
  }
  resolveAll();
  emit planChanged();
  return true;
}

int ModelDocument::setRowsAlgorithm(const QList<int>& rows, const QString& algorithm,
                                    QStringList* skipped) {
  int changed = 0;
  EditScope edit(this, QStringLiteral("Set %1 for %2 layers").arg(algorithm).arg(rows.size()));
  {
    // One planChanged for the whole batch instead of one per row.
    const QSignalBlocker blocker(this);
    for (int row : rows) {
      QString why;
      if (setLayerAlgorithm(row, algorithm, &why))
        ++changed;
      else if (skipped)
        *skipped << QStringLiteral("%1: %2").arg(layer(row).name, why);
    }
  }
  if (changed) emit planChanged();
  return changed;
}

int ModelDocument::setOpTypeDefault(const QString& opType, const QString& algorithm) {
  EditScope edit(this, QStringLiteral("Set %1 for every %2").arg(algorithm, opType));
  if (algorithm == QString::fromStdString(Plan::kDefault))
    plan_.defaults.erase(opType.toStdString());
  else
    plan_.defaults[opType.toStdString()] = algorithm.toStdString();
  resolveAll();
  emit planChanged();
  int applies = 0;
  for (int row = 0; row < layerCount(); ++row)
    if (layers_[size_t(row)].opType == opType && notes_[size_t(row)].isEmpty()) ++applies;
  return applies;
}

void ModelDocument::resetPlan() {
  if (!model_) return;
  EditScope edit(this, QStringLiteral("Reset the plan"));
  Plan fresh = Plan::for_model(*model_);
  plan_.defaults.clear();
  plan_.layers.clear();
  plan_.model_name = fresh.model_name;
  plan_.model_fingerprint = fresh.model_fingerprint;
  resolveAll();
  emit planChanged();
}

bool ModelDocument::isPlanModified() const { return model_ && !(plan_ == savedPlan_); }
void ModelDocument::markPlanSaved() { savedPlan_ = plan_; }

Plan ModelDocument::engineDefaultPlan() const { return model_ ? Plan::for_model(*model_) : Plan(); }

Plan ModelDocument::referencePlan() const {
  Plan plan = engineDefaultPlan();
  for (const auto& facts : layers_)
    if (facts.runnable()) plan.defaults[facts.opType.toStdString()] = kReference;
  return plan;
}

void ModelDocument::resolveAll() {
  effective_.assign(layers_.size(), {});
  notes_.assign(layers_.size(), {});
  for (size_t row = 0; row < layers_.size(); ++row) {
    const LayerFacts& facts = layers_[row];
    if (!facts.runnable()) continue;
    try {
      std::string note;
      effective_[row] = QString::fromStdString(
          resolve_algorithm(plan_, facts.layer, Registry::instance(), &note).name);
      notes_[row] = QString::fromStdString(note);
    } catch (const Error& e) {
      notes_[row] = QString::fromUtf8(e.what());
    }
  }
}

std::optional<Timing> ModelDocument::timing(int row, const QString& algorithm) const {
  if (row < 0 || size_t(row) >= timings_.size()) return std::nullopt;
  const auto& byAlgorithm = timings_[size_t(row)];
  auto it = byAlgorithm.find(algorithm);
  if (it == byAlgorithm.end()) return std::nullopt;
  return it->second;
}

std::optional<Timing> ModelDocument::currentTiming(int row) const {
  return timing(row, effectiveAlgorithm(row));
}

const std::map<QString, Timing>& ModelDocument::timings(int row) const {
  return timings_.at(size_t(row));
}

std::pair<double, double> ModelDocument::currentLatencyRange() const {
  double fastest = 0, slowest = 0;
  for (int row = 0; row < layerCount(); ++row)
    if (auto t = currentTiming(row); t && t->median > 0) {
      fastest = fastest == 0 ? t->median : std::min(fastest, t->median);
      slowest = std::max(slowest, t->median);
    }
  return {fastest, slowest};
}

std::optional<PlanLatency> ModelDocument::currentPlanLatency() const {
  // Another label may have measured the same plan (the engine default before any edit); the
  // measurement made as "current plan" is the one the status bar names.
  std::optional<PlanLatency> found;
  for (const PlanLatency& latency : planLatencies_)
    if (latency.plan == plan_ && (!found || latency.label == QStringLiteral("current plan")))
      found = latency;
  return found;
}

void ModelDocument::recordLayerTimings(const Model* model,
                                       const std::vector<LayerTiming>& results) {
  if (!model || model != model_.get()) return;
  for (const LayerTiming& result : results) {
    if (result.row < 0 || size_t(result.row) >= timings_.size()) continue;
    auto& slot = timings_[size_t(result.row)][result.algorithm];
    if (slot.samples == 0) ++timingCount_;
    slot = result.timing;
  }
  emit measurementsChanged();
}

const AlgorithmResult* ModelDocument::result(int row, const QString& algorithm) const {
  if (row < 0 || size_t(row) >= results_.size()) return nullptr;
  const auto& byAlgorithm = results_[size_t(row)];
  auto it = byAlgorithm.find(algorithm);
  return it == byAlgorithm.end() ? nullptr : &it->second;
}

const AlgorithmResult* ModelDocument::currentResult(int row) const {
  return result(row, effectiveAlgorithm(row));
}

const std::map<QString, AlgorithmResult>& ModelDocument::results(int row) const {
  return results_.at(size_t(row));
}

const CheckSummary* ModelDocument::currentCheck() const {
  return lastCheck_ && lastCheck_->plan == plan_ ? &*lastCheck_ : nullptr;
}

void ModelDocument::recordAlgorithmResults(const Model* model,
                                           const std::vector<AlgorithmMeasurement>& results) {
  if (!model || model != model_.get()) return;
  for (const AlgorithmMeasurement& m : results) {
    if (m.row < 0 || size_t(m.row) >= timings_.size()) continue;
    if (m.timing) {
      auto& slot = timings_[size_t(m.row)][m.algorithm];
      if (slot.samples == 0) ++timingCount_;
      slot = *m.timing;
    }
    AlgorithmResult& known = results_[size_t(m.row)][m.algorithm];
    if (m.result.error) known.error = m.result.error;
    if (m.result.workspaceBytes) known.workspaceBytes = m.result.workspaceBytes;
    // A new measurement says afresh whether it failed, was pruned or came from the cache.
    known.failure = m.result.failure;
    if (m.timing || !m.result.failure.isEmpty()) {
      known.pruned = m.result.pruned;
      known.fromCache = m.result.fromCache;
    }
  }
  emit measurementsChanged();
}

void ModelDocument::recordCheck(const Model* model, const CheckSummary& check) {
  if (!model || model != model_.get()) return;
  lastCheck_ = check;
  if (!check.propagation.empty() && !check.partial) {
    std::erase_if(propagationLines_,
                  [&](const PropagationLine& l) { return l.plan == check.plan; });
    const bool tuned = lastTune_ && lastTune_->plan == check.plan;
    propagationLines_.push_back({tuned ? QStringLiteral("tuned plan") : planLabel(check.plan),
                                 check.plan, check.propagation});
    if (int(propagationLines_.size()) > kPropagationLines)
      propagationLines_.erase(propagationLines_.begin());
  }
  emit measurementsChanged();
}

const MemoryReport* ModelDocument::currentMemory() const {
  if (const CheckSummary* check = currentCheck(); check && !check->memory.steps.empty())
    return &check->memory;
  for (const PlanLatency& latency : planLatencies_)
    if (latency.plan == plan_ && latency.memory) return &*latency.memory;
  return nullptr;
}

std::optional<double> ModelDocument::accumulatedError(int row) const {
  const CheckSummary* check = currentCheck();
  if (!check) return std::nullopt;
  for (const CheckSummary::LayerError& e : check->propagation)
    if (e.row == row) return e.accumulated;
  return std::nullopt;
}

void ModelDocument::recordRoofs(const Model* model, const MachineRoofs& roofs) {
  if (!model || model != model_.get()) return;
  roofs_ = roofs;
  emit measurementsChanged();
}

void ModelDocument::recordTune(const Model* model, const TuneSummary& tune) {
  if (!model || model != model_.get()) return;
  lastTune_ = tune;
  emit measurementsChanged();
}

void ModelDocument::recordPlanLatency(const Model* model, const PlanLatency& latency) {
  if (!model || model != model_.get()) return;
  // One entry per label: the newest measurement replaces the older one.
  auto it = std::find_if(planLatencies_.begin(), planLatencies_.end(),
                         [&](const PlanLatency& p) { return p.label == latency.label; });
  if (it != planLatencies_.end())
    *it = latency;
  else
    planLatencies_.push_back(latency);
  emit measurementsChanged();
}

void ModelDocument::clearMeasurements() {
  timings_.assign(layers_.size(), {});
  results_.assign(layers_.size(), {});
  timingCount_ = 0;
  planLatencies_.clear();
  lastCheck_.reset();
  lastTune_.reset();
  propagationLines_.clear();
  emit measurementsChanged();
}

void ModelDocument::setCurrentRow(int row) {
  if (row < -1 || row >= layerCount()) row = -1;
  if (row == currentRow_) return;
  currentRow_ = row;
  emit currentRowChanged(row);
}

QString planLabel(const Plan& plan) {
  QStringList parts;
  for (const auto& [op, algorithm] : plan.defaults)
    if (algorithm != Plan::kDefault)
      parts << QString::fromStdString(op) + QLatin1Char('=') + QString::fromStdString(algorithm);
  int layers = 0;
  for (const auto& [node, algorithm] : plan.layers) layers += algorithm != Plan::kDefault;
  if (parts.isEmpty())
    return layers ? QStringLiteral("%1 layer(s) chosen").arg(layers)
                  : QStringLiteral("engine's choice");
  return parts.join(QStringLiteral(", ")) +
         (layers ? QStringLiteral(" +%1 layer(s)").arg(layers) : QString());
}

}  // namespace algoscope::gui
