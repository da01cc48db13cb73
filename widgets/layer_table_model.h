// The layer table as a Qt item model over the ModelDocument: one row per model node (layer, op,
// input -> output shapes, parameters, FLOPs, algorithm, latency, GFLOP/s, max error, status). The
// measured columns are about the algorithm the plan runs on the row. The algorithm
// column is editable (it edits the plan) and offers the registry's algorithms for the row through
// AlgorithmOptionsRole; SortRole gives numbers for numeric columns. LayerFilterModel sorts and
// filters it by text and op type.
#pragma once

#include <QAbstractTableModel>
#include <QSortFilterProxyModel>

namespace algoscope::gui {

class ModelDocument;

class LayerTableModel : public QAbstractTableModel {
  Q_OBJECT
 public:
  enum Column {
    LayerColumn,
    OpColumn,
    ShapeColumn,
    ParametersColumn,
    FlopsColumn,
    AlgorithmColumn,
    LatencyColumn,
    SpreadColumn,
    ThroughputColumn,
    ErrorColumn,
    StatusColumn,
    ColumnCount
  };
  enum Role {
    SortRole = Qt::UserRole + 1,  // numbers for numeric columns, text otherwise
    // QVariantList of QVariantMap{name, whyNot, engineDefault(bool)} for the algorithm column,
    // "default" first.
    AlgorithmOptionsRole,
    RowRole,        // the document row, through any proxy
    DetailTipRole,  // a cell's explanation (the tooltip; cells without one show their whole text)
  };

  explicit LayerTableModel(ModelDocument* document, QObject* parent = nullptr);

  int rowCount(const QModelIndex& parent = {}) const override;
  int columnCount(const QModelIndex& parent = {}) const override;
  QVariant data(const QModelIndex& index, int role = Qt::DisplayRole) const override;
  bool setData(const QModelIndex& index, const QVariant& value, int role = Qt::EditRole) override;
  Qt::ItemFlags flags(const QModelIndex& index) const override;
  QVariant headerData(int section, Qt::Orientation orientation,
                      int role = Qt::DisplayRole) const override;

 private:
  void refreshColumns(int first, int last);
  ModelDocument* document_;
};

// Sorting by SortRole; a row passes when its layer name or op contains the text and its op type
// matches the op filter (empty: all).
class LayerFilterModel : public QSortFilterProxyModel {
  Q_OBJECT
 public:
  explicit LayerFilterModel(QObject* parent = nullptr);
  void setText(const QString& text);
  void setOpType(const QString& opType);

 protected:
  bool filterAcceptsRow(int sourceRow, const QModelIndex& sourceParent) const override;

 private:
  QString text_;
  QString opType_;
};

}  // namespace algoscope::gui
