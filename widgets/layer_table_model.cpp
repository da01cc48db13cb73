// LayerTableModel and LayerFilterModel: the document's layers as rows, the plan as the editable
// algorithm column, measurements as latency, throughput, error against reference and status.
#include "layer_table_model.h"

#include <QBrush>
#include <QColor>
#include <QFont>

#include "algoscope/plan.h"
#include "model_document.h"

namespace algoscope::gui {

LayerTableModel::LayerTableModel(ModelDocument* document, QObject* parent)
    : QAbstractTableModel(parent), document_(document) {
  connect(document_, &ModelDocument::modelChanged, this, [this] {
    beginResetModel();
    endResetModel();
  });
  connect(document_, &ModelDocument::planChanged, this,
          [this] { refreshColumns(AlgorithmColumn, StatusColumn); });
  connect(document_, &ModelDocument::measurementsChanged, this,
          [this] { refreshColumns(LatencyColumn, StatusColumn); });
}

void LayerTableModel::refreshColumns(int first, int last) {
  if (rowCount() == 0) return;
  emit dataChanged(index(0, first), index(rowCount() - 1, last));
}

int LayerTableModel::rowCount(const QModelIndex& parent) const {
  return parent.isValid() ? 0 : document_->layerCount();
}

int LayerTableModel::columnCount(const QModelIndex& parent) const {
  return parent.isValid() ? 0 : ColumnCount;
}

QVariant LayerTableModel::headerData(int section, Qt::Orientation orientation, int role) const {
  if (orientation == Qt::Vertical) {
    if (role == Qt::DisplayRole) return section;
    return {};
  }
  static const char* titles[ColumnCount] = {"Layer",   "Op",        "Input → output", "Params",
                                            "FLOPs",   "Algorithm", "Latency",        "IQR",
                                            "GFLOP/s", "Max error", "Status"};
  static const char* tips[ColumnCount] = {
      "ONNX node name (plans are keyed by it)",
      "Op type; +BN / +Relu when the loader merged nodes into it",
      "Runtime input shapes → output shapes (weights not listed)",
      "Parameter count of the constant inputs (weights, biases)",
      "Floating-point operations of one run",
      "The algorithm the plan runs this layer with; italic: the engine's choice",
      "Median kernel time of the chosen algorithm in the last run; orange: unstable (the median "
      "is known to worse than ±10%, or too few runs)",
      "Interquartile range of the runs behind the median: how much they spread",
      "FLOPs / latency",
      "Largest |difference| from reference on the same inputs (Check, Time algorithms, Tune)",
      "Why the layer cannot run, how the plan resolved, whether it was measured, and whether "
      "its result is within tolerance of reference (ok, MISMATCH, FAILED)",
  };
  if (section < 0 || section >= ColumnCount) return {};
  if (role == Qt::DisplayRole) return QString::fromUtf8(titles[section]);
  if (role == Qt::ToolTipRole) return QString::fromUtf8(tips[section]);
  return {};
}

Qt::ItemFlags LayerTableModel::flags(const QModelIndex& index) const {
  if (!index.isValid()) return Qt::NoItemFlags;
  Qt::ItemFlags f = Qt::ItemIsEnabled | Qt::ItemIsSelectable;
  if (index.column() == AlgorithmColumn && document_->layer(index.row()).runnable())
    f |= Qt::ItemIsEditable;
  return f;
}

QVariant LayerTableModel::data(const QModelIndex& index, int role) const {
  if (!checkIndex(index, CheckIndexOption::IndexIsValid | CheckIndexOption::ParentIsInvalid))
    return {};
  if (role == Qt::ToolTipRole) {
    // The cell's explanation where it has one, else its whole text: narrow columns elide it.
    const QString detail = data(index, DetailTipRole).toString();
    return detail.isEmpty() ? data(index, Qt::DisplayRole) : detail;
  }
  const int row = index.row();
  const LayerFacts& facts = document_->layer(row);
  const std::optional<Timing> measured =
      facts.runnable() ? document_->currentTiming(row) : std::optional<Timing>();
  const bool hasTiming = measured.has_value();
  const Timing timing = measured.value_or(Timing{});
  const bool engineChoice =
      document_->requestedAlgorithm(row) == QString::fromStdString(Plan::kDefault) ||
      !document_->planNote(row).isEmpty();
  if (role == RowRole) return row;
  const AlgorithmResult* result = facts.runnable() ? document_->currentResult(row) : nullptr;
  const bool isReference =
      document_->effectiveAlgorithm(row) == QString::fromStdString(OpDefinition::kReference);
  // Error statistics that compared something (the reference itself compares nothing).
  const ErrorStats* error =
      result && result->error && result->error->elements > 0 ? &*result->error : nullptr;

  switch (role) {
    case Qt::DisplayRole:
    case SortRole: {
      const bool sort = role == SortRole;
      switch (index.column()) {
        case LayerColumn:
          return facts.name;
        case OpColumn:
          return facts.displayOp;
        case ShapeColumn:
          return facts.inputShapes + QStringLiteral(" → ") + facts.outputShapes;
        case ParametersColumn:
          return sort ? QVariant(facts.parameters)
                      : QVariant(facts.parameters ? humanCount(double(facts.parameters))
                                                  : QString());
        case FlopsColumn:
          return sort ? QVariant(facts.flops)
                      : QVariant(facts.flops > 0 ? humanCount(facts.flops) : QString());
        case AlgorithmColumn:
          return facts.runnable() ? document_->effectiveAlgorithm(row) : QStringLiteral("—");
        case LatencyColumn:
          if (sort) return hasTiming ? timing.median : -1.0;
          return hasTiming ? humanSeconds(timing.median) : QString();
        case SpreadColumn:
          if (sort) return hasTiming ? timing.iqr : -1.0;
          return hasTiming ? humanSeconds(timing.iqr) : QString();
        case ThroughputColumn: {
          const double gflops = hasTiming && timing.median > 0 && facts.flops > 0
                                    ? facts.flops / timing.median / 1e9
                                    : -1.0;
          if (sort) return gflops;
          return gflops >= 0 ? QString::number(gflops, 'f', gflops < 10 ? 2 : 1) : QString();
        }
        case ErrorColumn:
          if (sort) return error ? error->max_abs_error : (result && result->error ? 0.0 : -1.0);
          if (result && !result->failure.isEmpty()) return QStringLiteral("failed");
          if (error) return humanError(error->max_abs_error);
          if (result && result->error && isReference) return QStringLiteral("0 (reference)");
          return QString();
        case StatusColumn: {
          if (!facts.runnable()) return QStringLiteral("cannot run: ") + facts.problem;
          if (result && !result->failure.isEmpty())
            return QStringLiteral("FAILED: ") + result->failure;
          if (error && !error->passed())
            return QStringLiteral("MISMATCH: %1 of %2 outside tolerance")
                .arg(error->mismatches)
                .arg(error->elements);
          if (!document_->planNote(row).isEmpty())
            return QStringLiteral("engine's choice (op default does not apply)");
          QStringList parts;
          if (hasTiming)
            parts << (timing.unstable() ? QStringLiteral("measured (unstable)")
                                        : QStringLiteral("measured"));
          if (error) parts << QStringLiteral("ok");
          if (result && result->error && isReference) parts << QString::fromStdString(kReference);
          return parts.join(QStringLiteral(" · "));
        }
      }
      return {};
    }
    case Qt::EditRole:
      if (index.column() == AlgorithmColumn) return document_->requestedAlgorithm(row);
      return {};
    case DetailTipRole:
      switch (index.column()) {
        case LayerColumn:
          return facts.name;
        case ShapeColumn:
          return facts.inputShapes + QStringLiteral(" → ") + facts.outputShapes;
        case AlgorithmColumn:
          if (!facts.runnable()) return facts.problem;
          if (!document_->planNote(row).isEmpty()) return document_->planNote(row);
          return engineChoice ? QStringLiteral("the engine's choice; double-click to choose")
                              : QStringLiteral("chosen in the plan; double-click to change");
        case LatencyColumn:
        case SpreadColumn:
          return hasTiming ? timingDetail(timing) : QString();
        case ErrorColumn:
          if (result && !result->failure.isEmpty()) return result->failure;
          if (error)
            return QStringLiteral(
                       "max |Δ| %1, max relative %2; %3 of %4 elements outside |Δ| ≤ %5·%7 + "
                       "%6·|ref| (%7 = max(1, max |ref|))")
                .arg(humanError(error->max_abs_error), humanError(error->max_rel_error))
                .arg(error->mismatches)
                .arg(error->elements)
                .arg(error->tolerance.atol, 0, 'g', 2)
                .arg(error->tolerance.rtol, 0, 'g', 2)
                .arg(error->scale, 0, 'g', 3);
          return {};
        case StatusColumn:
          if (!facts.runnable()) return facts.problem;
          if (result && !result->failure.isEmpty()) return result->failure;
          if (!document_->planNote(row).isEmpty()) return document_->planNote(row);
          if (error && error->passed())
            return QStringLiteral("ok: within tolerance of reference on the same inputs");
          return {};
      }
      return {};
    case Qt::FontRole:
      if (index.column() == AlgorithmColumn && engineChoice) {
        QFont font;
        font.setItalic(true);
        return font;
      }
      return {};
    case Qt::ForegroundRole:
      if (!facts.runnable()) return QBrush(QColor(190, 30, 30));
      if (index.column() == LatencyColumn && hasTiming && timing.unstable())
        return QBrush(QColor(200, 110, 0));
      if ((index.column() == ErrorColumn || index.column() == StatusColumn) && result &&
          result->failed())
        return QBrush(QColor(190, 30, 30));
      return {};
    case Qt::TextAlignmentRole:
      switch (index.column()) {
        case ParametersColumn:
        case FlopsColumn:
        case LatencyColumn:
        case SpreadColumn:
        case ThroughputColumn:
        case ErrorColumn:
          return QVariant::fromValue(Qt::AlignRight | Qt::AlignVCenter);
      }
      return {};
    case AlgorithmOptionsRole: {
      if (index.column() != AlgorithmColumn || !facts.runnable()) return {};
      QVariantList options;
      options << QVariantMap{
          {"name", QString::fromStdString(Plan::kDefault)},
          {"whyNot", QString()},
          {"label", QStringLiteral("default (engine: %1)").arg(facts.engineDefault)}};
      for (const AlgorithmOption& option : facts.algorithms)
        options << QVariantMap{
            {"name", option.name},
            {"whyNot", option.whyNot},
            {"label", option.name +
                          (option.name == facts.engineDefault ? QStringLiteral(" *") : QString())}};
      return options;
    }
  }
  return {};
}

bool LayerTableModel::setData(const QModelIndex& index, const QVariant& value, int role) {
  if (role != Qt::EditRole || !index.isValid() || index.column() != AlgorithmColumn) return false;
  // The document announces planChanged, which refreshes the affected columns.
  return document_->setLayerAlgorithm(index.row(), value.toString());
}

LayerFilterModel::LayerFilterModel(QObject* parent) : QSortFilterProxyModel(parent) {
  setSortRole(LayerTableModel::SortRole);
  setSortCaseSensitivity(Qt::CaseInsensitive);
}

void LayerFilterModel::setText(const QString& text) {
  text_ = text;
  invalidateFilter();
}

void LayerFilterModel::setOpType(const QString& opType) {
  opType_ = opType;
  invalidateFilter();
}

bool LayerFilterModel::filterAcceptsRow(int sourceRow, const QModelIndex& sourceParent) const {
  const QAbstractItemModel* source = sourceModel();
  const QString op =
      source->index(sourceRow, LayerTableModel::OpColumn, sourceParent).data().toString();
  if (!opType_.isEmpty() && op != opType_ && !op.startsWith(opType_ + QLatin1Char('+')))
    return false;
  if (text_.isEmpty()) return true;
  const QString name =
      source->index(sourceRow, LayerTableModel::LayerColumn, sourceParent).data().toString();
  const QString algorithm =
      source->index(sourceRow, LayerTableModel::AlgorithmColumn, sourceParent).data().toString();
  return name.contains(text_, Qt::CaseInsensitive) || op.contains(text_, Qt::CaseInsensitive) ||
         algorithm.contains(text_, Qt::CaseInsensitive);
}

}  // namespace algoscope::gui
