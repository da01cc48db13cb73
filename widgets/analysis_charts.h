// The explorer's charts of why a plan behaves as it does, over the engine's analysis services:
//  - ErrorPropagationChart: per layer in execution order, the relative error of its output against
//    the all-reference run (the error the network carried to it), one line per checked plan, so
//    a user sees whether Winograd F4's larger error in one layer matters at the output.
//  - MemoryChart: the plan's memory along its steps (live activations, plus the running
//    algorithm's workspace), the peak marked with the layer and value that cause it.
//  - RooflineChart: each timed algorithm of each layer as a point (arithmetic intensity, achieved
//    GFLOP/s) under the machine's two roofs, the selected layer's algorithms highlighted.
// All rebuild when the document's model, plan or measurements change; clicking a point selects its
// layer.
#pragma once

#include <QWidget>

class QCheckBox;
class QComboBox;

QT_BEGIN_NAMESPACE
class QChart;
class QChartView;
QT_END_NAMESPACE

namespace algoscope::gui {

class ModelDocument;

class ErrorPropagationChart : public QWidget {
  Q_OBJECT
 public:
  explicit ErrorPropagationChart(ModelDocument* document, QWidget* parent = nullptr);
  bool exportPng(const QString& path) const;
  QChart* chart() const;
  int lineCount() const { return lines_; }  // plans drawn

 private:
  void rebuild();
  ModelDocument* document_;
  QChartView* view_;
  QCheckBox* local_;
  int lines_ = 0;
};

class MemoryChart : public QWidget {
  Q_OBJECT
 public:
  explicit MemoryChart(ModelDocument* document, QWidget* parent = nullptr);
  bool exportPng(const QString& path) const;
  QChart* chart() const;
  int stepCount() const { return steps_; }  // steps drawn

 private:
  void rebuild();
  ModelDocument* document_;
  QChartView* view_;
  int steps_ = 0;
};

class RooflineChart : public QWidget {
  Q_OBJECT
 public:
  explicit RooflineChart(ModelDocument* document, QWidget* parent = nullptr);
  bool exportPng(const QString& path) const;
  QChart* chart() const;
  int pointCount() const { return points_; }  // (layer, algorithm) points drawn
  bool hasRoofs() const { return roofs_; }

 private:
  void rebuild();
  ModelDocument* document_;
  QChartView* view_;
  QComboBox* scope_;
  int points_ = 0;
  bool roofs_ = false;
};

}  // namespace algoscope::gui
