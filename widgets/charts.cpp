// LayerLatencyChart and PlansChart: rebuilt from the document on every change (a few dozen bars;
// cheaper and simpler than patching series in place).
#include "charts.h"

#include <QBarCategoryAxis>
#include <QBarSet>
#include <QChart>
#include <QChartView>
#include <QCheckBox>
#include <QHBoxLayout>
#include <QHorizontalBarSeries>
#include <QLabel>
#include <QLegendMarker>
#include <QLogValueAxis>
#include <QSpinBox>
#include <QVBoxLayout>
#include <QValueAxis>
#include <algorithm>
#include <cmath>
#include <map>

#include "model_document.h"

namespace algoscope::gui {
namespace {

const QList<QColor>& seriesColors() {
  static const QList<QColor> colors = {
      QColor(31, 119, 180),  QColor(255, 127, 14), QColor(44, 160, 44),   QColor(214, 39, 40),
      QColor(148, 103, 189), QColor(140, 86, 75),  QColor(227, 119, 194), QColor(127, 127, 127),
      QColor(188, 189, 34),  QColor(23, 190, 207)};
  return colors;
}

// "/layer1/layer1.0/conv1/Conv" -> "layer1.0/conv1/Conv": the part a person recognizes, with
// more of the path where two layers would otherwise read the same (a category axis merges equal
// labels).
QStringList shortNames(const QStringList& names) {
  auto tail = [](const QString& name, int parts) {
    const QStringList split = name.split(QLatin1Char('/'), Qt::SkipEmptyParts);
    return split.size() > parts ? split.mid(split.size() - parts).join(QLatin1Char('/')) : name;
  };
  QStringList out;
  for (const QString& name : names) {
    QString label;
    for (int parts = 3; parts <= 12; ++parts) {
      label = tail(name, parts);
      bool unique = true;
      for (const QString& other : names)
        if (other != name && tail(other, parts) == label) unique = false;
      if (unique) break;
    }
    out << (label.size() > 40 ? QStringLiteral("…") + label.right(39) : label);
  }
  return out;
}

QChartView* makeView(QChart* chart) {
  auto* view = new QChartView(chart);
  view->setRenderHint(QPainter::Antialiasing);
  chart->setAnimationOptions(QChart::NoAnimation);
  chart->setBackgroundRoundness(0);
  chart->setMargins(QMargins(4, 4, 4, 4));
  return view;
}

void clearChart(QChart* chart) {
  chart->removeAllSeries();
  for (QAbstractAxis* axis : chart->axes()) {
    chart->removeAxis(axis);
    delete axis;
  }
}

// Milliseconds on a linear axis from 0, or on a log axis spanning the decades of the data (the
// algorithms and plans being compared differ by orders of magnitude).
QAbstractAxis* latencyAxis(bool log, double smallest, double largest) {
  QAbstractAxis* result = nullptr;
  if (log && smallest > 0) {
    auto* axis = new QLogValueAxis;
    axis->setBase(10);
    axis->setLabelFormat(QStringLiteral("%g"));
    axis->setRange(std::pow(10, std::floor(std::log10(smallest))),
                   std::pow(10, std::ceil(std::log10(largest))));
    result = axis;
  } else {
    auto* axis = new QValueAxis;
    axis->setRange(0, largest * 1.05);
    axis->setLabelFormat(QStringLiteral("%.3g"));
    axis->applyNiceNumbers();
    result = axis;
  }
  result->setTitleText(QStringLiteral("ms"));
  return result;
}

QCheckBox* logScaleBox() {
  auto* box = new QCheckBox(QStringLiteral("Log scale"));
  box->setToolTip(
      QStringLiteral("Latency on a logarithmic axis (algorithms and plans differ by "
                     "orders of magnitude)"));
  return box;
}

bool saveView(const QChartView* view, const QString& path) {
  return const_cast<QChartView*>(view)->grab().save(path, "PNG");
}

}  // namespace

LayerLatencyChart::LayerLatencyChart(ModelDocument* document, QWidget* parent)
    : QWidget(parent), document_(document) {
  view_ = makeView(new QChart);
  logScale_ = logScaleBox();
  // Log by default: `reference` is 100x slower than the others, whose bars would be slivers.
  logScale_->setChecked(true);
  layerCount_ = new QSpinBox;
  layerCount_->setRange(1, 40);
  layerCount_->setValue(10);
  layerCount_->setToolTip(QStringLiteral("How many of the slowest layers to show"));
  auto* controls = new QHBoxLayout;
  controls->addWidget(new QLabel(QStringLiteral("Slowest layers:")));
  controls->addWidget(layerCount_);
  controls->addWidget(logScale_);
  controls->addStretch(1);
  auto* layout = new QVBoxLayout(this);
  layout->setContentsMargins(4, 4, 4, 4);
  layout->addLayout(controls);
  layout->addWidget(view_, 1);
  connect(logScale_, &QCheckBox::toggled, this, &LayerLatencyChart::rebuild);
  connect(layerCount_, &QSpinBox::valueChanged, this, &LayerLatencyChart::rebuild);
  connect(document_, &ModelDocument::modelChanged, this, &LayerLatencyChart::rebuild);
  connect(document_, &ModelDocument::planChanged, this, &LayerLatencyChart::rebuild);
  connect(document_, &ModelDocument::measurementsChanged, this, &LayerLatencyChart::rebuild);
  connect(document_, &ModelDocument::currentRowChanged, this, &LayerLatencyChart::rebuild);
  rebuild();
}

QChart* LayerLatencyChart::chart() const { return view_->chart(); }
bool LayerLatencyChart::logScale() const { return logScale_->isChecked(); }
void LayerLatencyChart::setLogScale(bool on) { logScale_->setChecked(on); }
bool LayerLatencyChart::exportPng(const QString& path) const { return saveView(view_, path); }

void LayerLatencyChart::rebuild() {
  QChart* chart = view_->chart();
  clearChart(chart);
  // Layers: the slowest under the plan, and the selected one wherever it ranks.
  std::vector<std::pair<double, int>> slowest;
  for (int row = 0; row < document_->layerCount(); ++row)
    if (auto timing = document_->currentTiming(row)) slowest.push_back({timing->median, row});
  std::sort(slowest.rbegin(), slowest.rend());
  std::vector<int> rows;
  for (size_t i = 0; i < slowest.size() && int(i) < layerCount_->value(); ++i)
    rows.push_back(slowest[i].second);
  const int selected = document_->currentRow();
  if (selected >= 0 && !document_->timings(selected).empty() &&
      std::find(rows.begin(), rows.end(), selected) == rows.end())
    rows.push_back(selected);
  if (rows.empty()) {
    chart->setTitle(document_->hasModel()
                        ? QStringLiteral("Per-layer latency: nothing measured yet (Run ▸ Run end "
                                         "to end, or Run ▸ Time plans to compare algorithms)")
                        : QStringLiteral("Per-layer latency"));
    return;
  }
  chart->setTitle(
      QStringLiteral("Per-layer latency by algorithm (ms; dark bar: the plan's "
                     "algorithm)"));
  // Horizontal bars list the first category at the bottom; reverse so the slowest is on top.
  std::reverse(rows.begin(), rows.end());

  std::map<QString, int> algorithmIndex;
  for (int row : rows)
    for (const auto& [algorithm, timing] : document_->timings(row))
      algorithmIndex.try_emplace(algorithm, 0);
  int next = 0;
  for (auto& [algorithm, index] : algorithmIndex) index = next++;

  auto* series = new QHorizontalBarSeries;
  double smallest = 0, largest = 0;
  QStringList names;
  for (int row : rows) names << document_->layer(row).name;
  QStringList categories = shortNames(names);
  for (int i = 0; i < int(rows.size()); ++i)
    if (rows[size_t(i)] == selected) categories[i] += QStringLiteral(" ◀");
  for (const auto& [algorithm, index] : algorithmIndex) {
    auto* set = new QBarSet(algorithm);
    const QColor color = seriesColors()[index % seriesColors().size()];
    set->setColor(color.lighter(135));
    set->setBorderColor(color.darker(120));
    set->setSelectedColor(color.darker(150));
    for (int i = 0; i < int(rows.size()); ++i) {
      auto timing = document_->timing(rows[size_t(i)], algorithm);
      const double ms = timing ? timing->median * 1e3 : 0.0;
      set->append(ms);
      if (ms > 0) {
        smallest = smallest == 0 ? ms : std::min(smallest, ms);
        largest = std::max(largest, ms);
      }
      if (timing && document_->effectiveAlgorithm(rows[size_t(i)]) == algorithm) set->selectBar(i);
    }
    series->append(set);
  }
  series->setBarWidth(0.85);
  chart->addSeries(series);
  auto* layersAxis = new QBarCategoryAxis;
  layersAxis->append(categories);
  chart->addAxis(layersAxis, Qt::AlignLeft);
  series->attachAxis(layersAxis);
  QAbstractAxis* valueAxis = latencyAxis(logScale_->isChecked(), smallest, largest);
  chart->addAxis(valueAxis, Qt::AlignBottom);
  series->attachAxis(valueAxis);
  chart->legend()->setAlignment(Qt::AlignBottom);
}

PlansChart::PlansChart(ModelDocument* document, QWidget* parent)
    : QWidget(parent), document_(document) {
  view_ = makeView(new QChart);
  logScale_ = logScaleBox();
  auto* controls = new QHBoxLayout;
  controls->addWidget(logScale_);
  controls->addStretch(1);
  auto* layout = new QVBoxLayout(this);
  layout->setContentsMargins(4, 4, 4, 4);
  layout->addLayout(controls);
  layout->addWidget(view_, 1);
  connect(logScale_, &QCheckBox::toggled, this, &PlansChart::rebuild);
  connect(document_, &ModelDocument::modelChanged, this, &PlansChart::rebuild);
  connect(document_, &ModelDocument::planChanged, this, &PlansChart::rebuild);
  connect(document_, &ModelDocument::measurementsChanged, this, &PlansChart::rebuild);
  rebuild();
}

QChart* PlansChart::chart() const { return view_->chart(); }
bool PlansChart::exportPng(const QString& path) const { return saveView(view_, path); }

void PlansChart::rebuild() {
  QChart* chart = view_->chart();
  clearChart(chart);
  const auto& latencies = document_->planLatencies();
  if (latencies.empty()) {
    chart->setTitle(document_->hasModel()
                        ? QStringLiteral("Plans: nothing measured yet (Run ▸ Time plans compares "
                                         "the current plan, the engine's default and reference)")
                        : QStringLiteral("Plans"));
    return;
  }
  const std::string current = document_->plan().to_json();
  chart->setTitle(QStringLiteral("End-to-end latency per plan (median, ms)"));
  auto* series = new QHorizontalBarSeries;
  auto* set = new QBarSet(QStringLiteral("end to end"));
  set->setColor(QColor(31, 119, 180).lighter(130));
  QStringList categories;
  double smallest = 0, largest = 0;
  // Horizontal bars list the first category at the bottom: reversed, they read top down in the
  // order measured.
  for (auto it = latencies.rbegin(); it != latencies.rend(); ++it) {
    QString label = it->label;
    if (it->label == QStringLiteral("current plan") && it->planJson != current)
      label += QStringLiteral(" (before edits)");
    // The value sits in the label: bar labels do not show reliably on horizontal bars, and a
    // bar 400 times shorter than `reference` is a sliver.
    categories << QStringLiteral("%1: %2 (%3 thread%4)")
                      .arg(label, humanSeconds(it->timing.median))
                      .arg(it->threads)
                      .arg(it->threads == 1 ? "" : "s");
    set->append(it->timing.median * 1e3);
    largest = std::max(largest, it->timing.median * 1e3);
    if (it->timing.median > 0)
      smallest =
          smallest == 0 ? it->timing.median * 1e3 : std::min(smallest, it->timing.median * 1e3);
  }
  series->append(set);
  series->setBarWidth(0.6);
  chart->addSeries(series);
  auto* plansAxis = new QBarCategoryAxis;
  plansAxis->append(categories);
  chart->addAxis(plansAxis, Qt::AlignLeft);
  series->attachAxis(plansAxis);
  QAbstractAxis* axis = latencyAxis(logScale_->isChecked(), smallest, largest);
  chart->addAxis(axis, Qt::AlignBottom);
  series->attachAxis(axis);
  chart->legend()->hide();
}

}  // namespace algoscope::gui
