// The inspector: everything about the selected layer and one of its algorithms. The upper part
// shows the layer (op, merged nodes, inputs and weight shapes, attributes, parameters, FLOPs, why
// it cannot run); the lower part the algorithm picked in its combo (the plan's choice at first):
// its extra memory for this very layer in bytes, its tolerance, whether it applies here, what has
// been measured for this layer, every algorithm side by side (time, GFLOP/s, error against
// reference, workspace, failures), and the registry's teaching text (how it works, extra memory,
// when it wins, numerics). "Use for this layer" puts it in the plan.
#pragma once

#include <QWidget>

class QComboBox;
class QPushButton;
class QTextBrowser;

namespace algoscope::gui {

class ModelDocument;

class Inspector : public QWidget {
  Q_OBJECT
 public:
  explicit Inspector(ModelDocument* document, QWidget* parent = nullptr);

  QString inspectedAlgorithm() const;
  void inspectAlgorithm(const QString& name);
  // The texts as shown (tests read them).
  QString layerHtml() const;
  QString algorithmHtml() const;

 private:
  void showRow(int row);
  void refreshAlgorithm();

  ModelDocument* document_;
  QTextBrowser* layerText_;
  QComboBox* algorithms_;
  QPushButton* useButton_;
  QTextBrowser* algorithmText_;
  int row_ = -1;
  QString inspectedLayer_;  // the layer whose algorithm choice the combo remembers
  QString inspectedRuns_;   // the algorithm that ran it then: when the plan changes it, follow
};

}  // namespace algoscope::gui
