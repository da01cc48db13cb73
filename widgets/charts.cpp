// LayerLatencyChart, PlansChart and SpeedErrorChart: rebuilt from the document on every change (a
// few dozen bars or a few hundred points; cheaper and simpler than patching series in place).
#include "charts.h"

#include <QBarCategoryAxis>
#include <QBarSet>
#include <QChart>
#include <QChartView>
#include <QCheckBox>
#include <QComboBox>
#include <QHBoxLayout>
#include <QHorizontalBarSeries>
#include <QLabel>
#include <QLegendMarker>
#include <QLogValueAxis>
#include <QScatterSeries>
#include <QSpinBox>
#include <QToolTip>
#include <QVBoxLayout>
#include <QValueAxis>
#include <algorithm>
#include <cmath>
#include <map>
#include <optional>
#include <set>

#include "chart_page.h"
#include "model_document.h"
#include "results_export.h"

namespace algoscope::gui {

QColor algorithmColor(const QString& algorithm) {
  // Grey first: index 0 is `reference`. No black: the plan's algorithm is drawn darker.
  static const QList<QColor> palette = {
      QColor(127, 127, 127), QColor(31, 119, 180),  QColor(255, 127, 14),  QColor(44, 160, 44),
      QColor(214, 39, 40),   QColor(148, 103, 189), QColor(140, 86, 75),   QColor(227, 119, 194),
      QColor(188, 189, 34),  QColor(23, 190, 207),  QColor(57, 59, 121),   QColor(99, 121, 57),
      QColor(231, 186, 82),  QColor(0, 128, 128),   QColor(250, 128, 114), QColor(152, 223, 138),
      QColor(90, 40, 10),    QColor(255, 0, 255),   QColor(255, 187, 120), QColor(174, 199, 232)};
  static_assert(kAlgorithmColors == 20);
  // Every distinct algorithm name in registry order (ops by name, each op's list in order),
  // `reference` first; rebuilt when a plugin adds algorithms.
  static std::map<std::string, int> indexOf;
  static size_t algorithmsSeen = 0;
  const Registry& registry = Registry::instance();
  size_t total = 0;
  for (const std::string& op : registry.op_types())
    total += registry.find_op(op)->algorithms.size();
  if (total != algorithmsSeen) {
    indexOf = {{kReference, 0}};
    for (const std::string& op : registry.op_types())
      for (const Algorithm& a : registry.find_op(op)->algorithms)
        indexOf.try_emplace(a.name, int(indexOf.size()));
    algorithmsSeen = total;
  }
  auto it = indexOf.find(algorithm.toStdString());
  // A name the registry does not know (a plan from elsewhere): a colour picked by the name.
  const int index = it != indexOf.end() ? it->second : int(indexOf.size() + qHash(algorithm) % 997);
  if (index < palette.size()) return palette[index];
  // Beyond the palette, hues a golden angle apart at alternating strengths: still one colour per
  // name.
  const int k = index - int(palette.size());
  return QColor::fromHsvF(std::fmod(0.07 + k * 0.381966, 1.0), k % 2 ? 0.45 : 0.8,
                          k % 3 == 0 ? 0.6 : 0.85);
}

namespace {

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

}  // namespace

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

bool saveView(const QChartView* view, const QString& path) {
  return savePngAtomically(const_cast<QChartView*>(view)->grab().toImage(), path);
}

LayerLatencyChart::LayerLatencyChart(ModelDocument* document, QWidget* parent)
    : QWidget(parent), document_(document) {
  view_ = makeView(new QChart);
  logScale_ = logScaleBox();
  // Log by default: `reference` is 100x slower than the others, whose bars would be slivers.
  logScale_->setChecked(true);
  layerCount_ = new QSpinBox;
  layerCount_->setRange(1, 40);
  // Eight layers of a dozen algorithms each still leave every bar a few pixels tall.
  layerCount_->setValue(8);
  layerCount_->setToolTip(QStringLiteral("How many of the slowest layers to show"));
  layOutChartPage(this, &LayerLatencyChart::rebuild, document_, view_,
                  {new QLabel(QStringLiteral("Slowest layers:")), layerCount_, logScale_});
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
      QStringLiteral("Per-layer latency by algorithm (ms; ringed: the plan's algorithm)"));
  // Horizontal bars list the first category at the bottom; reverse so the slowest is on top.
  std::reverse(rows.begin(), rows.end());

  // Each algorithm measured on these layers, one bar set each.
  std::set<QString> algorithms;
  for (int row : rows)
    for (const auto& [algorithm, timing] : document_->timings(row)) algorithms.insert(algorithm);

  auto* series = new QHorizontalBarSeries;
  double smallest = 0, largest = 0;
  QStringList names;
  for (int row : rows) names << document_->layer(row).name;
  QStringList categories = shortNames(names);
  // The plan's algorithm in the label too: with a dozen algorithms a ring is easy to miss.
  for (int i = 0; i < int(rows.size()); ++i) {
    categories[i] += QStringLiteral(" [%1]").arg(document_->effectiveAlgorithm(rows[size_t(i)]));
    if (rows[size_t(i)] == selected) categories[i] += QStringLiteral(" ◀");
  }
  for (int row : rows)
    for (const auto& [algorithm, timing] : document_->timings(row))
      if (timing.median > 0) {
        const double ms = timing.median * 1e3;
        smallest = smallest == 0 ? ms : std::min(smallest, ms);
        largest = std::max(largest, ms);
      }
  // Not every algorithm applies to every layer, but a bar set has a value per layer: a missing
  // one is a zero-length bar, at the log axis's floor (a log axis has no zero).
  const bool log = logScale_->isChecked() && smallest > 0;
  const double missing = log ? std::pow(10, std::floor(std::log10(smallest))) : 0.0;
  // The plan's algorithm is ringed at the end of its bar, not recoloured: a darker shade of one
  // algorithm's colour could be taken for another's. The rings sit on a hidden axis that counts
  // the categories as the bar series places them: group i spans i ± barWidth/2, set k's bar the
  // k-th slice of it from the bottom.
  constexpr double kBarWidth = 0.85;
  auto* chosen = new QScatterSeries;
  chosen->setName(QStringLiteral("plan's choice"));
  chosen->setMarkerSize(11);
  chosen->setColor(Qt::transparent);
  chosen->setBorderColor(QColor(20, 20, 20));
  const double slice = kBarWidth / double(algorithms.size());
  int setIndex = 0;
  for (const QString& algorithm : algorithms) {
    auto* set = new QBarSet(algorithm);
    const QColor color = algorithmColor(algorithm);
    set->setColor(color.lighter(135));
    set->setBorderColor(color.darker(120));
    for (int i = 0; i < int(rows.size()); ++i) {
      auto timing = document_->timing(rows[size_t(i)], algorithm);
      const double ms = timing && timing->median > 0 ? timing->median * 1e3 : missing;
      set->append(ms);
      if (timing && document_->effectiveAlgorithm(rows[size_t(i)]) == algorithm)
        chosen->append(ms, i - kBarWidth / 2 + (setIndex + 0.5) * slice);
    }
    series->append(set);
    ++setIndex;
  }
  series->setBarWidth(kBarWidth);
  chart->addSeries(series);
  chart->addSeries(chosen);
  auto* layersAxis = new QBarCategoryAxis;
  layersAxis->append(categories);
  chart->addAxis(layersAxis, Qt::AlignLeft);
  series->attachAxis(layersAxis);
  QAbstractAxis* valueAxis = latencyAxis(log, smallest, largest);
  chart->addAxis(valueAxis, Qt::AlignBottom);
  series->attachAxis(valueAxis);
  auto* positionAxis = new QValueAxis;
  positionAxis->setRange(-0.5, double(rows.size()) - 0.5);
  positionAxis->setVisible(false);
  chart->addAxis(positionAxis, Qt::AlignLeft);
  chosen->attachAxis(valueAxis);
  chosen->attachAxis(positionAxis);
  // On the right, one per line: a dozen algorithm names in a row below the chart get elided.
  chart->legend()->setAlignment(Qt::AlignRight);
}

PlansChart::PlansChart(ModelDocument* document, QWidget* parent)
    : QWidget(parent), document_(document) {
  view_ = makeView(new QChart);
  logScale_ = logScaleBox();
  // Log by default: all-`reference` takes hundreds of times longer than the others.
  logScale_->setChecked(true);
  layOutChartPage(this, &PlansChart::rebuild, document_, view_, {logScale_});
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
  const Plan& current = document_->plan();
  chart->setTitle(
      QStringLiteral("End-to-end latency per plan (median, ms; dark bar: the plan as it is now)"));
  // The plans in a fixed order (what is being edited, what the engine does alone, what tuning
  // found, the ground truth), others after them as measured.
  auto rank = [](const QString& label) {
    const QStringList order{QStringLiteral("current plan"),
                            QStringLiteral("engine default"),
                            QStringLiteral("tuned"),
                            QStringLiteral("optimizer's plan"),
                            QStringLiteral("best family plan"),
                            QStringLiteral("per-layer choices"),
                            QString::fromStdString(kReference)};
    const int at = int(order.indexOf(label));
    return at < 0 ? int(order.size()) : at;
  };
  std::vector<const PlanLatency*> ordered;
  for (const PlanLatency& latency : latencies) ordered.push_back(&latency);
  std::stable_sort(ordered.begin(), ordered.end(), [&](const PlanLatency* a, const PlanLatency* b) {
    return rank(a->label) < rank(b->label);
  });
  // One bar per distinct plan: the tuned plan taken as the current plan and timed under both
  // names is one plan, with its runs listed, not two plans that seem to differ.
  std::vector<std::vector<const PlanLatency*>> bars;
  for (const PlanLatency* latency : ordered) {
    // What runs decides, not the measurements a plan carries (the tuned plan carries tune's).
    auto same = std::find_if(bars.begin(), bars.end(), [&](const auto& bar) {
      return bar.front()->plan.defaults == latency->plan.defaults &&
             bar.front()->plan.layers == latency->plan.layers;
    });
    if (same != bars.end())
      same->push_back(latency);
    else
      bars.push_back({latency});
  }
  auto* series = new QHorizontalBarSeries;
  auto* set = new QBarSet(QStringLiteral("end to end"));
  const QColor color(31, 119, 180);
  set->setColor(color.lighter(130));
  set->setSelectedColor(color.darker(130));
  QStringList categories;
  double smallest = 0, largest = 0;
  // Horizontal bars list the first category at the bottom: reversed, they read top down.
  for (auto it = bars.rbegin(); it != bars.rend(); ++it) {
    const std::vector<const PlanLatency*>& runs = *it;
    QStringList names, medians;
    std::vector<double> seconds;
    for (size_t r = 0; r < runs.size(); ++r) {
      const PlanLatency* run = runs[r];
      names << run->label;
      // One measurement under two names (tune's plan is also the best of some strategy) is one
      // run, not two.
      const bool seen = std::any_of(runs.begin(), runs.begin() + long(r), [&](const auto* other) {
        return other->timing.median == run->timing.median &&
               other->timing.samples == run->timing.samples;
      });
      if (seen) continue;
      medians << QStringLiteral("%1 ±%2%")
                     .arg(humanSeconds(run->timing.median))
                     .arg(100 * run->timing.ciRelative, 0, 'f', 1);
      seconds.push_back(run->timing.median);
    }
    const PlanLatency& latency = *runs.front();
    QString label = names.join(QStringLiteral(" = "));
    if (!(latency.plan == current) && names.contains(QStringLiteral("current plan")))
      label += QStringLiteral(" (before edits)");
    // Several runs of one plan: the bar is their median, each run's median is in the label.
    std::sort(seconds.begin(), seconds.end());
    const size_t n = seconds.size();
    const double median = n % 2 ? seconds[n / 2] : (seconds[n / 2 - 1] + seconds[n / 2]) / 2;
    const QString value = n == 1 ? medians.front()
                                 : QStringLiteral("%1 (%2 runs: %3)")
                                       .arg(humanSeconds(median))
                                       .arg(n)
                                       .arg(medians.join(QStringLiteral(", ")));
    // The value sits in the label: bar labels do not show reliably on horizontal bars, and a
    // bar 400 times shorter than `reference` is a sliver.
    categories << QStringLiteral("%1: %2 (%3 thread%4)")
                      .arg(label, value)
                      .arg(latency.threads)
                      .arg(latency.threads == 1 ? "" : "s");
    const double ms = median * 1e3;
    set->append(ms);
    if (latency.plan == current) set->selectBar(set->count() - 1);
    largest = std::max(largest, ms);
    if (ms > 0) smallest = smallest == 0 ? ms : std::min(smallest, ms);
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

SpeedErrorChart::SpeedErrorChart(ModelDocument* document, QWidget* parent)
    : QWidget(parent), document_(document) {
  view_ = makeView(new QChart);
  scope_ = new QComboBox;
  scope_->addItems({QStringLiteral("All layers"), QStringLiteral("Layers of the selected op type"),
                    QStringLiteral("Layers like the selected one"),
                    QStringLiteral("Selected layer")});
  scope_->setToolTip(
      QStringLiteral("Points of every measured layer, of the layers with the selected layer's op "
                     "type (Conv, say), of those with its signature (same op, shapes and "
                     "attributes: one cluster per algorithm), or of the selected layer alone"));
  relative_ = new QCheckBox(QStringLiteral("Relative error"));
  relative_->setToolTip(
      QStringLiteral("Largest |got - want| / |want| instead of the largest absolute difference"));
  layOutChartPage(this, &SpeedErrorChart::rebuild, document_, view_,
                  {new QLabel(QStringLiteral("Show:")), scope_, relative_});
  connect(document_, &ModelDocument::currentRowChanged, this, [this] {
    if (scope() != Scope::AllLayers) rebuild();
  });
  rebuild();
}

QChart* SpeedErrorChart::chart() const { return view_->chart(); }
bool SpeedErrorChart::exportPng(const QString& path) const { return saveView(view_, path); }
SpeedErrorChart::Scope SpeedErrorChart::scope() const { return Scope(scope_->currentIndex()); }
void SpeedErrorChart::setScope(Scope scope) { scope_->setCurrentIndex(int(scope)); }

void SpeedErrorChart::rebuild() {
  QChart* chart = view_->chart();
  clearChart(chart);
  points_ = 0;
  const bool relative = relative_->isChecked();
  struct Point {
    int row;
    double ms, error;
    bool outside, chosen;
  };
  // Per algorithm, every layer where both its time and its error against reference are known.
  std::map<QString, std::vector<Point>> byAlgorithm;
  const int selected = document_->currentRow();
  const bool selectedLayerOnly = scope() == Scope::SelectedLayer;
  const QString opType = scope() == Scope::SameOpAsSelected && selected >= 0
                             ? document_->layer(selected).opType
                             : QString();
  const QString signature = scope() == Scope::SameSignatureAsSelected && selected >= 0
                                ? document_->layer(selected).signature
                                : QString();
  for (int row = 0; row < document_->layerCount(); ++row) {
    if (selectedLayerOnly && row != selected) continue;
    if (!opType.isEmpty() && document_->layer(row).opType != opType) continue;
    if (!signature.isEmpty() && document_->layer(row).signature != signature) continue;
    for (const auto& [algorithm, timing] : document_->timings(row)) {
      const AlgorithmResult* result = document_->result(row, algorithm);
      if (!result || !result->error || result->error->elements == 0 || timing.median <= 0) continue;
      const ErrorStats& e = *result->error;
      byAlgorithm[algorithm].push_back({row, timing.median * 1e3,
                                        relative ? e.max_rel_error : e.max_abs_error, !e.passed(),
                                        document_->effectiveAlgorithm(row) == algorithm});
    }
  }
  double fastest = 0, slowest = 0, smallest = 0, largest = 0;
  for (const auto& [algorithm, points] : byAlgorithm)
    for (const Point& p : points) {
      fastest = fastest == 0 ? p.ms : std::min(fastest, p.ms);
      slowest = std::max(slowest, p.ms);
      if (std::isfinite(p.error) && p.error > 0) {
        smallest = smallest == 0 ? p.error : std::min(smallest, p.error);
        largest = std::max(largest, p.error);
      }
    }
  if (byAlgorithm.empty()) {
    chart->setTitle(
        !document_->hasModel() ? QStringLiteral("Speed vs error")
        : scope() != Scope::AllLayers
            ? QStringLiteral("Speed vs error: nothing measured on the selected layer(s) yet (Run ▸ "
                             "Time algorithms)")
            : QStringLiteral("Speed vs error: nothing measured yet (Run ▸ Time algorithms, or "
                             "Tune)"));
    return;
  }
  // A log axis has no zero: exact results (error 0) sit on the floor, a decade below the
  // smallest error measured; NaN results (infinite error) on the ceiling.
  if (smallest == 0) smallest = largest = 1e-7;
  const double floor = std::pow(10, std::floor(std::log10(smallest)) - 1);
  const double ceiling = std::pow(10, std::ceil(std::log10(largest)) + (largest == smallest));
  chart->setTitle(
      selectedLayerOnly
          ? QStringLiteral("Speed vs error on %1 (ringed: the plan's algorithm; red square: out "
                           "of tolerance)")
                .arg(document_->layer(selected).name)
          : QStringLiteral("Speed vs error, one point per algorithm and %1 (ringed: the "
                           "plan's choice; red square: out of tolerance)")
                .arg(!signature.isEmpty()
                         ? QStringLiteral("layer like %1").arg(document_->layer(selected).name)
                     : !opType.isEmpty() ? opType + QStringLiteral(" layer")
                                         : QStringLiteral("layer")));

  auto* timeAxis = new QLogValueAxis;
  timeAxis->setBase(10);
  timeAxis->setLabelFormat(QStringLiteral("%g"));
  timeAxis->setRange(std::pow(10, std::floor(std::log10(fastest))),
                     std::pow(10, std::ceil(std::log10(slowest))));
  timeAxis->setTitleText(QStringLiteral("median latency (ms)"));
  timeAxis->setMinorTickCount(-1);
  auto* errorAxis = new QLogValueAxis;
  errorAxis->setBase(10);
  errorAxis->setLabelFormat(QStringLiteral("%.0e"));
  errorAxis->setRange(floor, ceiling);
  errorAxis->setTitleText(relative ? QStringLiteral("max relative error vs reference (0: bottom)")
                                   : QStringLiteral("max |error| vs reference (0: bottom)"));
  chart->addAxis(timeAxis, Qt::AlignBottom);
  chart->addAxis(errorAxis, Qt::AlignLeft);

  auto place = [floor, ceiling](double error) {
    if (!std::isfinite(error)) return ceiling;
    return error > 0 ? error : floor;
  };
  auto attach = [&](QScatterSeries* series) {
    chart->addSeries(series);
    series->attachAxis(timeAxis);
    series->attachAxis(errorAxis);
  };
  auto* chosen = new QScatterSeries;
  chosen->setName(QStringLiteral("plan's choice"));
  chosen->setMarkerSize(selectedLayerOnly ? 22 : 15);
  chosen->setColor(Qt::transparent);
  chosen->setBorderColor(QColor(20, 20, 20));
  auto* outside = new QScatterSeries;
  outside->setName(QStringLiteral("out of tolerance"));
  outside->setMarkerShape(QScatterSeries::MarkerShapeRectangle);
  outside->setMarkerSize(selectedLayerOnly ? 20 : 13);
  outside->setColor(Qt::transparent);
  outside->setBorderColor(QColor(200, 0, 0));
  const double size = selectedLayerOnly ? 12 : 8;
  for (const auto& [algorithm, points] : byAlgorithm) {
    auto* series = new QScatterSeries;
    series->setName(algorithm);
    series->setMarkerSize(size);
    const QColor color = algorithmColor(algorithm);
    series->setColor(color);
    series->setBorderColor(color.darker(140));
    for (const Point& p : points) {
      series->append(p.ms, place(p.error));
      if (p.chosen) chosen->append(p.ms, place(p.error));
      if (p.outside) outside->append(p.ms, place(p.error));
      ++points_;
    }
    attach(series);
    // The point of this series nearest to `at` on the chart's log axes.
    auto nearestTo = [points, place](const QPointF& at) -> std::optional<Point> {
      std::optional<Point> nearest;
      double best = 0;
      for (const Point& p : points) {
        const double d =
            std::abs(std::log(p.ms / at.x())) + std::abs(std::log(place(p.error) / at.y()));
        if (!nearest || d < best) nearest = p, best = d;
      }
      return nearest;
    };
    // Hovering a point names the layer and the numbers; clicking it selects the layer.
    connect(series, &QScatterSeries::hovered, this,
            [this, algorithm, nearestTo](const QPointF& at, bool state) {
              if (!state) {
                QToolTip::hideText();
                return;
              }
              const std::optional<Point> nearest = nearestTo(at);
              if (!nearest) return;
              QToolTip::showText(
                  QCursor::pos(),
                  QStringLiteral("%1\n%2: %3, max error %4%5")
                      .arg(document_->layer(nearest->row).name, algorithm,
                           humanSeconds(nearest->ms * 1e-3), humanError(nearest->error),
                           nearest->outside ? QStringLiteral(" (out of tolerance)") : QString()));
            });
    connect(series, &QScatterSeries::clicked, this, [this, nearestTo](const QPointF& at) {
      if (const std::optional<Point> nearest = nearestTo(at))
        document_->setCurrentRow(nearest->row);
    });
  }
  if (chosen->count())
    attach(chosen);
  else
    delete chosen;
  if (outside->count())
    attach(outside);
  else
    delete outside;
  chart->legend()->setAlignment(Qt::AlignRight);
}

}  // namespace algoscope::gui
