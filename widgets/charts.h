// Qt Charts views of the measurements in the ModelDocument:
//  - LayerLatencyChart: per layer, the latency of every algorithm measured on it (grouped
//    horizontal bars, linear or log axis); the bar of the algorithm the plan runs is drawn dark.
//    Layers shown: the slowest ones under the current plan, plus the selected layer.
//  - PlansChart: end-to-end latency of whole plans (the current plan, the engine's default, the
//    tuned plan, all `reference`), linear or log axis; the bar of the plan as it is now is dark.
//  - SpeedErrorChart: per algorithm, median latency against the largest error versus `reference`
//    (log-log scatter) for every layer, the layers of the selected one's op type or signature, or
//    the selected layer: the speed Winograd F4 buys with accuracy, and the algorithms out of
//    tolerance, at a glance.
// All redraw when measurements arrive, so a running job fills them as it goes. An algorithm has
// the same colour in every chart.
#pragma once

#include <QColor>
#include <QWidget>

class QCheckBox;
class QComboBox;
class QSpinBox;

QT_BEGIN_NAMESPACE
class QChart;
class QChartView;
QT_END_NAMESPACE

namespace algoscope::gui {

class ModelDocument;

// The colour of an algorithm in every chart and in the graph: one per algorithm name, by its
// position among the distinct names of the registry (plugins' algorithms included), so `direct`
// is the same colour for Conv and Add and no two names share one. The first kAlgorithmColors come
// from a palette, `reference` grey; further names get golden-angle hues.
inline constexpr int kAlgorithmColors = 20;
QColor algorithmColor(const QString& algorithm);

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

class SpeedErrorChart : public QWidget {
  Q_OBJECT
 public:
  explicit SpeedErrorChart(ModelDocument* document, QWidget* parent = nullptr);
  bool exportPng(const QString& path) const;
  QChart* chart() const;
  // Which layers' points are drawn.
  enum class Scope { AllLayers, SameOpAsSelected, SameSignatureAsSelected, SelectedLayer };
  Scope scope() const;
  void setScope(Scope scope);
  int pointCount() const { return points_; }  // measured (algorithm, layer) pairs drawn

 private:
  void rebuild();
  ModelDocument* document_;
  QChartView* view_;
  QComboBox* scope_;
  QCheckBox* relative_;
  int points_ = 0;
};

}  // namespace algoscope::gui
