// ErrorPropagationChart, MemoryChart and RooflineChart (analysis_charts.h): rebuilt from the
// document on every change, like the other chart pages. Log axes have no zero, so an exact value
// (error 0) sits on the axis floor, a decade below the smallest one measured.
#include "analysis_charts.h"

#include <QAreaSeries>
#include <QChart>
#include <QChartView>
#include <QCheckBox>
#include <QComboBox>
#include <QLabel>
#include <QLineSeries>
#include <QLogValueAxis>
#include <QPen>
#include <QScatterSeries>
#include <QToolTip>
#include <QValueAxis>
#include <algorithm>
#include <cmath>
#include <map>

#include "chart_page.h"
#include "charts.h"
#include "model_document.h"

namespace algoscope::gui {
namespace {

// One colour per checked plan, apart from the algorithm palette's first entries.
QColor planColor(int index) {
  static const QList<QColor> colors = {QColor(31, 119, 180), QColor(214, 39, 40),
                                       QColor(44, 160, 44),  QColor(148, 103, 189),
                                       QColor(255, 127, 14), QColor(23, 190, 207)};
  return colors[index % colors.size()];
}

QLogValueAxis* logAxis(const QString& title, double low, double high, const QString& format) {
  auto* axis = new QLogValueAxis;
  axis->setBase(10);
  axis->setLabelFormat(format);
  axis->setRange(std::pow(10, std::floor(std::log10(low))),
                 std::pow(10, std::ceil(std::log10(high)) + (high <= low)));
  axis->setMinorTickCount(-1);
  axis->setTitleText(title);
  return axis;
}

template <class Series>
void attach(QChart* chart, Series* series, QAbstractAxis* x, QAbstractAxis* y) {
  chart->addSeries(series);
  series->attachAxis(x);
  series->attachAxis(y);
}

// Hovering names the layer; clicking selects it. `rowAt` maps a point of the series to its row.
void connectLayerPoints(QXYSeries* series, ModelDocument* document, QWidget* owner,
                        std::function<std::pair<int, QString>(const QPointF&)> rowAt) {
  QObject::connect(series, &QXYSeries::hovered, owner, [rowAt](const QPointF& at, bool state) {
    if (!state) return QToolTip::hideText();
    const auto [row, text] = rowAt(at);
    if (row >= 0) QToolTip::showText(QCursor::pos(), text);
  });
  QObject::connect(series, &QXYSeries::clicked, owner, [document, rowAt](const QPointF& at) {
    if (const int row = rowAt(at).first; row >= 0) document->setCurrentRow(row);
  });
}

}  // namespace

// ---------------------------------------------------------------------------------------------

ErrorPropagationChart::ErrorPropagationChart(ModelDocument* document, QWidget* parent)
    : QWidget(parent), document_(document) {
  view_ = makeView(new QChart);
  local_ = new QCheckBox(QStringLiteral("Local error of the newest plan"));
  local_->setToolTip(
      QStringLiteral("Also draw, dashed, each layer's own error on exact inputs (what Check "
                     "reports per layer): where the accumulated line lies above it, the layer "
                     "inherited error from the layers before it"));
  local_->setChecked(true);
  layOutChartPage(this, &ErrorPropagationChart::rebuild, document_, view_, {local_});
  connect(document_, &ModelDocument::currentRowChanged, this, &ErrorPropagationChart::rebuild);
  rebuild();
}

QChart* ErrorPropagationChart::chart() const { return view_->chart(); }
bool ErrorPropagationChart::exportPng(const QString& path) const { return saveView(view_, path); }

void ErrorPropagationChart::rebuild() {
  QChart* chart = view_->chart();
  clearChart(chart);
  const std::vector<PropagationLine>& lines = document_->propagationLines();
  lines_ = int(lines.size());
  if (lines.empty()) {
    chart->setTitle(document_->hasModel()
                        ? QStringLiteral("Error propagation: no plan checked yet (Run ▸ Check "
                                         "equivalence; each check adds its plan's line)")
                        : QStringLiteral("Error propagation"));
    return;
  }
  double smallest = 0, largest = 0;
  size_t steps = 0;
  auto widen = [&](double e) {
    if (!std::isfinite(e) || e <= 0) return;
    smallest = smallest > 0 ? std::min(smallest, e) : e;
    largest = std::max(largest, e);
  };
  for (const PropagationLine& line : lines) {
    steps = std::max(steps, line.layers.size());
    for (const auto& layer : line.layers) widen(layer.accumulated), widen(layer.local);
  }
  if (largest == 0) smallest = largest = 1e-7;  // every plan exact
  const double floor = std::pow(10, std::floor(std::log10(smallest)) - 1);
  auto place = [&](double e) { return !std::isfinite(e) ? largest : e > 0 ? e : floor; };

  auto* xAxis = new QValueAxis;
  xAxis->setRange(0, std::max<double>(1, double(steps) - 1));
  xAxis->setLabelFormat(QStringLiteral("%d"));
  xAxis->setTitleText(QStringLiteral("layer, in execution order"));
  auto* yAxis = logAxis(QStringLiteral("relative error vs reference (0: bottom)"), floor, largest,
                        QStringLiteral("%.0e"));
  chart->addAxis(xAxis, Qt::AlignBottom);
  chart->addAxis(yAxis, Qt::AlignLeft);
  const int selected = document_->currentRow();
  auto* marks = new QScatterSeries;
  marks->setName(QStringLiteral("selected layer"));
  marks->setMarkerSize(13);
  marks->setColor(Qt::transparent);
  marks->setBorderColor(QColor(20, 20, 20));
  for (size_t i = 0; i < lines.size(); ++i) {
    const PropagationLine& line = lines[i];
    auto* series = new QLineSeries;
    series->setName(line.label);
    series->setPointsVisible(line.layers.size() <= 60);
    QPen pen(planColor(int(i)));
    pen.setWidthF(i + 1 == lines.size() ? 2.5 : 1.5);
    series->setPen(pen);
    for (size_t k = 0; k < line.layers.size(); ++k) {
      series->append(double(k), place(line.layers[k].accumulated));
      if (line.layers[k].row == selected)
        marks->append(double(k), place(line.layers[k].accumulated));
    }
    attach(chart, series, xAxis, yAxis);
    connectLayerPoints(series, document_, this, [this, line](const QPointF& at) {
      const size_t k = size_t(std::clamp<double>(std::round(at.x()), 0, line.layers.size() - 1));
      const auto& e = line.layers[k];
      return std::pair{
          e.row, QStringLiteral("%1 (%2)\naccumulated %3, local %4, growth %5")
                     .arg(document_->layer(e.row).name, line.label, humanError(e.accumulated),
                          humanError(e.local))
                     .arg(e.growth > 0 ? QString::number(e.growth, 'g', 3) : QStringLiteral("—"))};
    });
  }
  if (local_->isChecked()) {
    const PropagationLine& newest = lines.back();
    auto* local = new QLineSeries;
    local->setName(QStringLiteral("local error (%1)").arg(newest.label));
    QPen pen(planColor(int(lines.size()) - 1));
    pen.setStyle(Qt::DashLine);
    local->setPen(pen);
    for (size_t k = 0; k < newest.layers.size(); ++k)
      local->append(double(k), place(newest.layers[k].local));
    attach(chart, local, xAxis, yAxis);
  }
  if (marks->count())
    attach(chart, marks, xAxis, yAxis);
  else
    delete marks;
  const PropagationLine& newest = lines.back();
  const double output = newest.layers.empty() ? 0 : newest.layers.back().accumulated;
  chart->setTitle(QStringLiteral("Error propagation: each layer's output against the all-reference "
                                 "run, one line per checked plan (%1 at the last layer of %2)")
                      .arg(humanError(output), newest.label));
  chart->legend()->setAlignment(Qt::AlignBottom);
}

// ---------------------------------------------------------------------------------------------

MemoryChart::MemoryChart(ModelDocument* document, QWidget* parent)
    : QWidget(parent), document_(document) {
  view_ = makeView(new QChart);
  layOutChartPage(this, &MemoryChart::rebuild, document_, view_, {});
  connect(document_, &ModelDocument::currentRowChanged, this, &MemoryChart::rebuild);
  rebuild();
}

QChart* MemoryChart::chart() const { return view_->chart(); }
bool MemoryChart::exportPng(const QString& path) const { return saveView(view_, path); }

void MemoryChart::rebuild() {
  QChart* chart = view_->chart();
  clearChart(chart);
  const MemoryReport* memory = document_->currentMemory();
  // Where the plan changed since (a tune applied its plan), the last plan checked still teaches.
  const bool older =
      !memory && document_->lastCheck() && !document_->lastCheck()->memory.steps.empty();
  if (older) memory = &document_->lastCheck()->memory;
  steps_ = memory ? int(memory->steps.size()) : 0;
  if (!memory || memory->steps.empty()) {
    chart->setTitle(document_->hasModel()
                        ? QStringLiteral("Memory: the plan as it is now is not compiled yet (Run ▸ "
                                         "Check equivalence, Run end to end or Time plans)")
                        : QStringLiteral("Memory"));
    return;
  }
  constexpr double kMiB = 1024.0 * 1024.0;
  const MemoryStep& peak = memory->peak();
  auto* activations = new QLineSeries;
  auto* inUse = new QLineSeries;
  auto* floorLine = new QLineSeries;
  // Steps as a staircase: each holds its memory for its whole width.
  for (size_t t = 0; t < memory->steps.size(); ++t) {
    const MemoryStep& s = memory->steps[t];
    for (double x : {double(t), double(t) + 1}) {
      activations->append(x, double(s.live_bytes) / kMiB);
      inUse->append(x, double(s.in_use()) / kMiB);
      floorLine->append(x, 0);
    }
  }
  auto* area = new QAreaSeries(activations, floorLine);
  area->setName(QStringLiteral("live activations"));
  area->setColor(QColor(31, 119, 180, 110));
  area->setBorderColor(QColor(31, 119, 180));
  inUse->setName(QStringLiteral("+ the running algorithm's workspace"));
  QPen pen(QColor(214, 39, 40));
  pen.setWidthF(1.5);
  inUse->setPen(pen);
  auto* xAxis = new QValueAxis;
  xAxis->setRange(0, double(memory->steps.size()));
  xAxis->setLabelFormat(QStringLiteral("%d"));
  xAxis->setTitleText(QStringLiteral("step, in execution order"));
  auto* yAxis = new QValueAxis;
  yAxis->setRange(0, double(peak.in_use()) / kMiB * 1.1);
  yAxis->applyNiceNumbers();
  yAxis->setTitleText(QStringLiteral("MiB in use"));
  chart->addAxis(xAxis, Qt::AlignBottom);
  chart->addAxis(yAxis, Qt::AlignLeft);
  attach(chart, area, xAxis, yAxis);
  attach(chart, inUse, xAxis, yAxis);
  auto* peakMark = new QScatterSeries;
  peakMark->setName(QStringLiteral("peak: %1 at %2")
                        .arg(humanBytes(double(peak.in_use())), QString::fromStdString(peak.name)));
  peakMark->setMarkerSize(12);
  peakMark->setColor(QColor(214, 39, 40));
  peakMark->append(double(memory->peak_step) + 0.5, double(peak.in_use()) / kMiB);
  attach(chart, peakMark, xAxis, yAxis);
  const int selected = document_->currentRow();
  for (size_t t = 0; t < memory->steps.size(); ++t)
    if (memory->steps[t].layer >= 0 && memory->steps[t].layer == selected) {
      auto* mark = new QScatterSeries;
      mark->setName(QStringLiteral("selected layer"));
      mark->setMarkerSize(12);
      mark->setColor(Qt::transparent);
      mark->setBorderColor(QColor(20, 20, 20));
      mark->append(double(t) + 0.5, double(memory->steps[t].in_use()) / kMiB);
      attach(chart, mark, xAxis, yAxis);
    }
  connectLayerPoints(inUse, document_, this, [steps = memory->steps](const QPointF& at) {
    const size_t t = size_t(std::clamp<double>(std::floor(at.x()), 0, steps.size() - 1));
    const MemoryStep& s = steps[t];
    return std::pair{
        s.layer, QStringLiteral("step %1: %2\nin use %3 = activations %4 + workspace "
                                "%5\nlargest live value '%6' (%7)")
                     .arg(t)
                     .arg(QString::fromStdString(s.name), humanBytes(double(s.in_use())),
                          humanBytes(double(s.live_bytes)), humanBytes(double(s.workspace_bytes)),
                          QString::fromStdString(s.largest_value),
                          humanBytes(double(s.largest_value_bytes)))};
  });
  chart->setTitle(
      QStringLiteral("%11Memory along the steps: peak %1 at %2<br>largest live value there '%3' "
                     "(%4), workspace %5<br>Held: weights %6, prepared copies %7, activation "
                     "arena %8 (%9 without reuse), workspace %10")
          .arg(humanBytes(double(peak.in_use())), QString::fromStdString(peak.name),
               QString::fromStdString(peak.largest_value),
               humanBytes(double(peak.largest_value_bytes)),
               humanBytes(double(peak.workspace_bytes)), humanBytes(double(memory->weights_bytes)),
               humanBytes(double(memory->prepared_bytes)), humanBytes(double(memory->arena_bytes)),
               humanBytes(double(memory->activation_bytes)))
          .arg(
              humanBytes(double(memory->workspace_bytes)),
              older ? QStringLiteral("(The plan last checked, not the current one) ") : QString()));
  chart->legend()->setAlignment(Qt::AlignBottom);
}

// ---------------------------------------------------------------------------------------------

RooflineChart::RooflineChart(ModelDocument* document, QWidget* parent)
    : QWidget(parent), document_(document) {
  view_ = makeView(new QChart);
  scope_ = new QComboBox;
  scope_->addItems({QStringLiteral("All layers"), QStringLiteral("Selected layer")});
  scope_->setToolTip(QStringLiteral(
      "Every timed algorithm of every layer (the selected layer's ringed), or the selected "
      "layer's alone"));
  layOutChartPage(this, &RooflineChart::rebuild, document_, view_,
                  {new QLabel(QStringLiteral("Show:")), scope_});
  connect(document_, &ModelDocument::currentRowChanged, this, &RooflineChart::rebuild);
  rebuild();
}

QChart* RooflineChart::chart() const { return view_->chart(); }
bool RooflineChart::exportPng(const QString& path) const { return saveView(view_, path); }

void RooflineChart::rebuild() {
  QChart* chart = view_->chart();
  clearChart(chart);
  points_ = 0;
  const std::optional<MachineRoofs>& roofs = document_->roofs();
  roofs_ = roofs.has_value();
  struct Point {
    int row;
    double intensity, gflops;
  };
  std::map<QString, std::vector<Point>> byAlgorithm;
  const int selected = document_->currentRow();
  const bool selectedOnly = scope_->currentIndex() == 1;
  for (int row = 0; row < document_->layerCount(); ++row) {
    if (selectedOnly && row != selected) continue;
    const LayerFacts& facts = document_->layer(row);
    if (facts.flops <= 0) continue;
    for (const auto& [algorithm, timing] : document_->timings(row)) {
      const AlgorithmDescription* d = facts.description.find_algorithm(algorithm.toStdString());
      if (!d || d->traffic_bytes <= 0 || timing.median <= 0) continue;
      byAlgorithm[algorithm].push_back(
          {row, facts.flops / d->traffic_bytes, facts.flops / timing.median * 1e-9});
    }
  }
  if (!roofs || byAlgorithm.empty()) {
    chart->setTitle(
        !document_->hasModel()
            ? QStringLiteral("Roofline")
            : QStringLiteral("Roofline: nothing timed yet%1 (Run ▸ Time algorithms, "
                             "which also measures the machine's roofs)")
                  .arg(selectedOnly ? QStringLiteral(" on the selected layer") : QString()));
    return;
  }
  double low = roofs->ridge_intensity() / 10, high = roofs->ridge_intensity() * 10;
  double slowest = roofs->peak_gflops / 100;
  for (const auto& [algorithm, points] : byAlgorithm)
    for (const Point& p : points) {
      low = std::min(low, p.intensity / 2);
      high = std::max(high, p.intensity * 2);
      slowest = std::min(slowest, p.gflops / 2);
    }
  auto* xAxis = logAxis(QStringLiteral("arithmetic intensity (FLOP per byte the algorithm moves)"),
                        low, high, QStringLiteral("%g"));
  auto* yAxis = logAxis(QStringLiteral("GFLOP/s (the op's FLOPs over the time)"), slowest,
                        roofs->peak_gflops * 2, QStringLiteral("%g"));
  chart->addAxis(xAxis, Qt::AlignBottom);
  chart->addAxis(yAxis, Qt::AlignLeft);
  auto* roof = new QLineSeries;
  roof->setName(QStringLiteral("roofs: %1 GB/s, %2 GFLOP/s")
                    .arg(roofs->bandwidth_gbs(), 0, 'f', 1)
                    .arg(roofs->peak_gflops, 0, 'f', 1));
  const double xMin = xAxis->min(), xMax = xAxis->max();
  roof->append(xMin, roofs->attainable_gflops(xMin));
  roof->append(roofs->ridge_intensity(), roofs->peak_gflops);
  roof->append(xMax, roofs->peak_gflops);
  QPen pen(QColor(40, 40, 40));
  pen.setWidthF(2);
  roof->setPen(pen);
  attach(chart, roof, xAxis, yAxis);
  auto* ring = new QScatterSeries;
  ring->setName(QStringLiteral("selected layer"));
  ring->setMarkerSize(selectedOnly ? 22 : 16);
  ring->setColor(Qt::transparent);
  ring->setBorderColor(QColor(20, 20, 20));
  for (const auto& [algorithm, points] : byAlgorithm) {
    auto* series = new QScatterSeries;
    series->setName(algorithm);
    series->setMarkerSize(selectedOnly ? 13 : 8);
    const QColor color = algorithmColor(algorithm);
    series->setColor(color);
    series->setBorderColor(color.darker(140));
    for (const Point& p : points) {
      series->append(p.intensity, p.gflops);
      if (p.row == selected) ring->append(p.intensity, p.gflops);
      ++points_;
    }
    attach(chart, series, xAxis, yAxis);
    connectLayerPoints(
        series, document_, this, [this, points, algorithm, roofs](const QPointF& at) {
          const Point* nearest = nullptr;
          double best = 0;
          for (const Point& p : points) {
            const double d =
                std::abs(std::log(p.intensity / at.x())) + std::abs(std::log(p.gflops / at.y()));
            if (!nearest || d < best) nearest = &p, best = d;
          }
          if (!nearest) return std::pair{-1, QString()};
          return std::pair{
              nearest->row,
              QStringLiteral("%1\n%2: %3 FLOP/B, %4 GFLOP/s, %5 % of the roof")
                  .arg(document_->layer(nearest->row).name, algorithm)
                  .arg(nearest->intensity, 0, 'g', 3)
                  .arg(nearest->gflops, 0, 'f', 1)
                  .arg(100 * nearest->gflops / roofs->attainable_gflops(nearest->intensity), 0, 'f',
                       0)};
        });
  }
  if (ring->count())
    attach(chart, ring, xAxis, yAxis);
  else
    delete ring;
  chart->setTitle(
      QStringLiteral("Roofline: each timed algorithm of %1 (ridge at %2 FLOP/B: left "
                     "of it memory bounds a kernel, right of it arithmetic)<br>Winograd and FFT "
                     "do fewer FLOPs than the op counts, so they can rise above the compute roof")
          .arg(selectedOnly ? document_->layer(selected).name : QStringLiteral("each layer"))
          .arg(roofs->ridge_intensity(), 0, 'f', 1));
  chart->legend()->setAlignment(Qt::AlignRight);
}

}  // namespace algoscope::gui
