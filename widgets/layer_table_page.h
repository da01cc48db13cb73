// The layer table page under the graph: a filter row (text and op type, with how many layers it
// shows, reset for each model) over the table of layers,
// whose selection follows the document's and sets it, and the bulk plan edits on what is selected
// (one algorithm for the selected layers, an op type's default, layers with the same signature).
#pragma once

#include <QList>
#include <QStringList>
#include <QWidget>
#include <functional>
#include <optional>

#include "reports.h"

class QComboBox;
class QLabel;
class QLineEdit;
class QTableView;

namespace algoscope::gui {

class LayerFilterModel;
class LayerTableModel;
class ModelDocument;

class LayerTablePage : public QWidget {
  Q_OBJECT
 public:
  explicit LayerTablePage(ModelDocument* document, QWidget* parent = nullptr);

  QTableView* table() const { return table_; }
  LayerTableModel* model() const { return tableModel_; }
  // The document rows selected in the table, sorted; the current row when none is selected.
  QList<int> selectedRows() const;

  // Asks for one of `items` (an empty string: cancelled); MainWindow::Prompts::chooseItem.
  using Chooser =
      std::function<QString(const QString& title, const QString& label, const QStringList& items)>;
  // The bulk plan edits. Each asks for the algorithm, edits the document's plan and returns what
  // to tell the person (nothing when the choice was cancelled).
  std::optional<Report> setAlgorithmForSelected(const Chooser& choose);
  std::optional<Report> setAlgorithmForOpType(const Chooser& choose);
  std::optional<Report> setAlgorithmForSignature(const Chooser& choose);

 private:
  void followDocumentRow(int row);
  void resetFilters();
  void fitLayerColumn();

  ModelDocument* document_;
  LayerTableModel* tableModel_;
  LayerFilterModel* filterModel_;
  QTableView* table_;
  QLineEdit* filterEdit_;
  QComboBox* opFilter_;
  QLabel* shownCount_;
};

}  // namespace algoscope::gui
