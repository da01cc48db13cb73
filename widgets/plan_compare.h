// Two plans side by side for the open model. PlanCompareModel lists every runnable layer with the
// algorithm each plan runs it with (the engine resolves them), the measured latency of each (from
// the document's measurements, keyed by algorithm) and the ratio B / A; rows where the plans
// differ are highlighted. PlanCompareDialog picks the two plans (current, engine default, all
// reference, or a plan file) and can ask the window to time both end to end.
#pragma once

#include <QAbstractTableModel>
#include <QDialog>
#include <vector>

#include "algoscope/plan.h"
#include "jobs.h"

class QComboBox;
class QCheckBox;
class QLabel;
class QTableView;

namespace algoscope::gui {

class ModelDocument;

class PlanCompareModel : public QAbstractTableModel {
  Q_OBJECT
 public:
  enum Column {
    LayerColumn,
    OpColumn,
    AlgorithmAColumn,
    AlgorithmBColumn,
    LatencyAColumn,
    LatencyBColumn,
    RatioColumn,
    ColumnCount
  };
  enum Role { DiffersRole = Qt::UserRole + 1, SortRole };

  explicit PlanCompareModel(ModelDocument* document, QObject* parent = nullptr);
  // Resolves both plans for every layer; a plan that does not fit shows the reason per layer.
  void setPlans(const NamedPlan& a, const NamedPlan& b);
  int differenceCount() const;

  int rowCount(const QModelIndex& parent = {}) const override;
  int columnCount(const QModelIndex& parent = {}) const override;
  QVariant data(const QModelIndex& index, int role = Qt::DisplayRole) const override;
  QVariant headerData(int section, Qt::Orientation orientation,
                      int role = Qt::DisplayRole) const override;

 private:
  struct Row {
    int documentRow;
    QString a, b;  // resolved algorithm names, or "error: ..."
  };
  void resolve();
  ModelDocument* document_;
  NamedPlan a_, b_;
  std::vector<Row> rows_;
};

class PlanCompareDialog : public QDialog {
  Q_OBJECT
 public:
  explicit PlanCompareDialog(ModelDocument* document, QWidget* parent = nullptr);
  PlanCompareModel* model() const { return model_; }

 signals:
  // The window runs this on its job runner (the dialog runs nothing itself).
  void timePlansRequested(const std::vector<algoscope::gui::NamedPlan>& plans);

 private:
  NamedPlan planFor(QComboBox* source, bool* ok);
  void refresh();
  void refreshSummary();
  ModelDocument* document_;
  PlanCompareModel* model_;
  QComboBox* sourceA_;
  QComboBox* sourceB_;
  QCheckBox* onlyDifferences_;
  QTableView* table_;
  QLabel* summary_;
  std::vector<std::pair<QString, Plan>> files_;  // plans loaded from files, by label
};

}  // namespace algoscope::gui
