// Qt Charts views of the measurements in the ModelDocument:
//  - LayerLatencyChart: per layer, the latency of every algorithm measured on it (grouped
//    horizontal bars, linear or log axis); the bar of the algorithm the plan runs is drawn dark.
//    Layers shown: the slowest ones under the current plan, plus the selected layer.
//  - PlansChart: end-to-end latency of whole plans (the current plan, the engine's default, all
//    `reference`, and later the tuned plan), linear or log axis.
// Both redraw when measurements arrive, so a running job fills them as it goes.
#pragma once

#include <QWidget>

class QCheckBox;
class QSpinBox;

QT_BEGIN_NAMESPACE
class QChart;
class QChartView;
QT_END_NAMESPACE

namespace algoscope::gui {

class ModelDocument;

class LayerLatencyChart : public QWidget {
  Q_OBJECT
 public:
  explicit LayerLatencyChart(ModelDocument* document, QWidget* parent = nullptr);
  bool exportPng(const QString& path) const;
  QChart* chart() const;
  bool logScale() const;
  void setLogScale(bool on);

 private:
  void rebuild();
  ModelDocument* document_;
  QChartView* view_;
  QCheckBox* logScale_;
  QSpinBox* layerCount_;
};

class PlansChart : public QWidget {
  Q_OBJECT
 public:
  explicit PlansChart(ModelDocument* document, QWidget* parent = nullptr);
  bool exportPng(const QString& path) const;
  QChart* chart() const;

 private:
  void rebuild();
  ModelDocument* document_;
  QChartView* view_;
  QCheckBox* logScale_;
};

}  // namespace algoscope::gui
