// GraphView and its items: NodeItem (a layer box or an input/output pill), EdgeItem (a routed
// polyline drawn as smooth curves with an arrowhead) and GraphLegend (the colour key).
#include "graph_view.h"

#include <QApplication>
#include <QElapsedTimer>
#include <QGraphicsItem>
#include <QGraphicsScene>
#include <QKeyEvent>
#include <QPainter>
#include <QPainterPath>
#include <QScrollBar>
#include <QStyleOptionGraphicsItem>
#include <QSvgGenerator>
#include <QWheelEvent>
#include <algorithm>
#include <cmath>
#include <map>
#include <unordered_map>

#include "charts.h"
#include "model_document.h"
#include "results_export.h"
#include "sugiyama_layout.h"

namespace algoscope::gui {
namespace {

constexpr double kNodeWidth = 210;
constexpr double kNodeHeight = 58;
constexpr double kPillWidth = 170;
constexpr double kPillHeight = 34;
// Below this zoom, boxes lose their text and rounded corners; nobody can read 4-pixel text.
constexpr double kTextLevelOfDetail = 0.38;
// Where a graph too tall to fit readably starts: text comfortably legible, at the graph inputs.
constexpr double kStartScale = 0.85;

// Light fills that keep dark text readable; common op types keep their colour across models.
const std::map<QString, QColor>& fixedOpColors() {
  static const std::map<QString, QColor> colors = {
      {"Conv", QColor(120, 170, 230)},
      {"ConvTranspose", QColor(100, 150, 210)},
      {"Gemm", QColor(190, 150, 230)},
      {"MatMul", QColor(170, 130, 220)},
      {"Relu", QColor(150, 215, 150)},
      {"Clip", QColor(150, 215, 170)},
      {"Sigmoid", QColor(170, 220, 140)},
      {"HardSwish", QColor(160, 210, 120)},
      {"Add", QColor(250, 190, 120)},
      {"Mul", QColor(245, 170, 110)},
      {"MaxPool", QColor(120, 210, 210)},
      {"AveragePool", QColor(110, 195, 200)},
      {"GlobalAveragePool", QColor(100, 185, 195)},
      {"BatchNormalization", QColor(240, 225, 120)},
      {"Concat", QColor(235, 160, 180)},
      {"Softmax", QColor(240, 140, 130)},
      {"Reshape", QColor(200, 200, 200)},
      {"Flatten", QColor(195, 195, 195)},
      {"Transpose", QColor(185, 185, 200)},
      {"LayerNormalization", QColor(230, 210, 140)},
  };
  return colors;
}

const std::vector<QColor>& categoryColors() {
  static const std::vector<QColor> colors = {
      QColor(141, 211, 199), QColor(255, 255, 179), QColor(190, 186, 218), QColor(251, 128, 114),
      QColor(128, 177, 211), QColor(253, 180, 98),  QColor(179, 222, 105), QColor(252, 205, 229),
      QColor(217, 217, 217), QColor(188, 128, 189), QColor(204, 235, 197), QColor(255, 237, 111),
      QColor(166, 206, 227), QColor(178, 223, 138), QColor(251, 154, 153), QColor(202, 178, 214),
  };
  return colors;
}

const QColor kUnmeasured(225, 225, 225);
const QColor kPseudoFill(245, 245, 245);

// Heat map from pale yellow through orange to dark red; `t` in [0, 1].
QColor heat(double t) {
  t = std::clamp(t, 0.0, 1.0);
  const QColor stops[] = {QColor(255, 247, 200), QColor(253, 174, 97), QColor(215, 48, 39),
                          QColor(120, 0, 30)};
  const double scaled = t * 3;
  const int i = std::min(2, int(scaled));
  const double f = scaled - i;
  auto mix = [&](int a, int b) { return int(a + (b - a) * f); };
  return QColor(mix(stops[i].red(), stops[i + 1].red()),
                mix(stops[i].green(), stops[i + 1].green()),
                mix(stops[i].blue(), stops[i + 1].blue()));
}

// Latency on a log scale from the fastest to the slowest measured layer: layer times span
// decades, and a linear scale would paint all but the heaviest few alike.
double heatPosition(double seconds, double fastest, double slowest) {
  if (seconds <= 0 || fastest <= 0 || slowest <= fastest) return seconds > 0 ? 1.0 : 0.0;
  return std::clamp(std::log(seconds / fastest) / std::log(slowest / fastest), 0.0, 1.0);
}

QColor textColorOn(const QColor& fill) {
  return fill.lightnessF() < 0.5 ? Qt::white : QColor(25, 25, 25);
}

}  // namespace

// A layer box, or a graph input/output pill (row == -1).
class NodeItem : public QGraphicsItem {
 public:
  NodeItem(int row, QSizeF size) : row_(row), size_(size) {
    setAcceptedMouseButtons(Qt::LeftButton);
    setCacheMode(QGraphicsItem::NoCache);
  }
  int row() const { return row_; }
  QRectF boundingRect() const override {
    return QRectF(-size_.width() / 2 - 3, -size_.height() / 2 - 3, size_.width() + 6,
                  size_.height() + 6);
  }
  void setTexts(QString title, QString badge, QString name, QString shape) {
    title_ = std::move(title);
    badge_ = std::move(badge);
    name_ = std::move(name);
    shape_ = std::move(shape);
    update();
  }
  void setBadge(const QString& badge) {
    if (badge == badge_) return;
    badge_ = badge;
    update();
  }
  QColor fill() const { return fill_; }
  void setFill(const QColor& fill) {
    if (fill == fill_) return;
    fill_ = fill;
    update();
  }
  void setProblem(bool problem) { problem_ = problem; }
  void setHighlighted(bool on) {
    highlighted_ = on;
    setZValue(on ? 2 : 1);
    update();
  }
  void setMatched(bool on) {
    if (matched_ == on) return;
    matched_ = on;
    update();
  }
  const QString& searchText() const { return searchText_; }
  void setSearchText(QString text) { searchText_ = std::move(text); }

  void paint(QPainter* painter, const QStyleOptionGraphicsItem* option, QWidget*) override {
    const double lod = option->levelOfDetailFromTransform(painter->worldTransform());
    const QRectF box(-size_.width() / 2, -size_.height() / 2, size_.width(), size_.height());
    QPen border(
        highlighted_ ? QColor(20, 90, 220) : (problem_ ? QColor(200, 30, 30) : QColor(70, 70, 70)),
        highlighted_ ? 3.5 : (problem_ ? 2 : 1));
    if (problem_) border.setStyle(Qt::DashLine);
    if (matched_ && !highlighted_) border = QPen(QColor(230, 120, 0), 3);
    if (lod < kTextLevelOfDetail) {
      painter->setRenderHint(QPainter::Antialiasing, false);
      painter->setPen(highlighted_ || matched_ || problem_ ? border : Qt::NoPen);
      painter->setBrush(fill_);
      painter->drawRect(box);
      return;
    }
    painter->setRenderHint(QPainter::Antialiasing, true);
    painter->setPen(border);
    painter->setBrush(fill_);
    const double radius = row_ < 0 ? size_.height() / 2 : 6;
    painter->drawRoundedRect(box, radius, radius);

    const QColor ink = textColorOn(fill_);
    painter->setPen(ink);
    QFont font = painter->font();
    font.setPointSizeF(8.5);
    if (row_ < 0) {
      painter->setFont(font);
      const QFontMetricsF metrics(font);
      painter->drawText(box.adjusted(10, 2, -10, -2), Qt::AlignCenter,
                        metrics.elidedText(title_ + QStringLiteral("  ") + shape_, Qt::ElideMiddle,
                                           box.width() - 20));
      return;
    }
    const QRectF inner = box.adjusted(8, 4, -8, -4);
    const double line = inner.height() / 3;
    QFont bold = font;
    bold.setBold(true);
    bold.setPointSizeF(9);
    painter->setFont(bold);
    const QFontMetricsF boldMetrics(bold);
    const QFontMetricsF metrics(font);
    // Badge (the algorithm) on the right of the first line, in a rounded chip.
    double badgeWidth = 0;
    if (!badge_.isEmpty()) {
      QString badge = metrics.elidedText(badge_, Qt::ElideRight, inner.width() * 0.55);
      badgeWidth = metrics.horizontalAdvance(badge) + 10;
      const QRectF chip(inner.right() - badgeWidth, inner.top() + 1, badgeWidth, line - 2);
      painter->setPen(Qt::NoPen);
      painter->setBrush(problem_ ? QColor(200, 30, 30) : QColor(255, 255, 255, 200));
      painter->drawRoundedRect(chip, 4, 4);
      painter->setPen(problem_ ? Qt::white : QColor(25, 25, 25));
      painter->setFont(font);
      painter->drawText(chip, Qt::AlignCenter, badge);
      painter->setFont(bold);
      painter->setPen(ink);
    }
    const QRectF titleRect(inner.left(), inner.top(), inner.width() - badgeWidth - 4, line);
    painter->drawText(titleRect, Qt::AlignLeft | Qt::AlignVCenter,
                      boldMetrics.elidedText(title_, Qt::ElideRight, titleRect.width()));
    painter->setFont(font);
    const QRectF nameRect(inner.left(), inner.top() + line, inner.width(), line);
    painter->drawText(nameRect, Qt::AlignLeft | Qt::AlignVCenter,
                      metrics.elidedText(name_, Qt::ElideLeft, nameRect.width()));
    const QRectF shapeRect(inner.left(), inner.top() + 2 * line, inner.width(), line);
    painter->drawText(
        shapeRect, Qt::AlignLeft | Qt::AlignVCenter,
        metrics.elidedText(QStringLiteral("→ ") + shape_, Qt::ElideRight, shapeRect.width()));
  }

 private:
  int row_;
  QSizeF size_;
  QString title_, badge_, name_, shape_, searchText_;
  QColor fill_ = kUnmeasured;
  bool problem_ = false;
  bool highlighted_ = false;
  bool matched_ = false;
};

// An edge: the layout's polyline drawn as vertical-tangent cubic curves, with an arrowhead when
// zoomed in enough to see it.
class EdgeItem : public QGraphicsItem {
 public:
  explicit EdgeItem(const std::vector<QPointF>& route) {
    setAcceptedMouseButtons(Qt::NoButton);
    setZValue(0);
    if (route.size() < 2) return;
    polyline_ = QPolygonF(QList<QPointF>(route.begin(), route.end()));
    path_.moveTo(route.front());
    for (size_t i = 1; i < route.size(); ++i) {
      const QPointF a = route[i - 1], b = route[i];
      const double dy = (b.y() - a.y()) * 0.5;
      path_.cubicTo(a + QPointF(0, dy), b - QPointF(0, dy), b);
    }
    tip_ = route.back();
    bounds_ = path_.boundingRect().adjusted(-6, -6, 6, 6);
  }
  QRectF boundingRect() const override { return bounds_; }
  void setHighlighted(bool on) {
    highlighted_ = on;
    setZValue(on ? 1.5 : 0);
    update();
  }
  void paint(QPainter* painter, const QStyleOptionGraphicsItem* option, QWidget*) override {
    const double lod = option->levelOfDetailFromTransform(painter->worldTransform());
    if (lod < kTextLevelOfDetail) {
      // Zoomed out: the polyline in a light, opaque, one-pixel pen (no curves, no blending, no
      // stroker) so densenet's thousands of edge bends repaint quickly and the boxes stand out.
      painter->setRenderHint(QPainter::Antialiasing, false);
      QPen thin(highlighted_ ? QColor(20, 90, 220) : QColor(185, 185, 185), highlighted_ ? 2 : 0);
      thin.setCosmetic(true);
      painter->setPen(thin);
      painter->drawPolyline(polyline_);
      return;
    }
    painter->setRenderHint(QPainter::Antialiasing, true);
    QPen pen(highlighted_ ? QColor(20, 90, 220) : QColor(110, 110, 110), highlighted_ ? 2.5 : 1.2);
    pen.setCosmetic(lod < 1.0);
    painter->setPen(pen);
    painter->setBrush(Qt::NoBrush);
    painter->drawPath(path_);
    if (lod >= 0.6) {
      painter->setBrush(pen.color());
      painter->setPen(Qt::NoPen);
      const QPointF arrow[3] = {tip_, tip_ + QPointF(-4, -8), tip_ + QPointF(4, -8)};
      painter->drawPolygon(arrow, 3);
    }
  }

 private:
  QPainterPath path_;
  QPolygonF polyline_;
  QPointF tip_;
  QRectF bounds_;
  bool highlighted_ = false;
};

// The colour key, drawn over the view's top-right corner.
class GraphLegend : public QWidget {
 public:
  explicit GraphLegend(QWidget* parent) : QWidget(parent) {
    setAttribute(Qt::WA_TransparentForMouseEvents);
  }
  void setEntries(QString title, std::vector<std::pair<QColor, QString>> entries) {
    title_ = std::move(title);
    entries_ = std::move(entries);
    gradient_ = false;
    relayout();
  }
  void setGradient(QString title, QString low, QString high) {
    title_ = std::move(title);
    entries_ = {{kUnmeasured, QStringLiteral("not measured")}};
    low_ = std::move(low);
    high_ = std::move(high);
    gradient_ = true;
    relayout();
  }

 protected:
  void paintEvent(QPaintEvent*) override {
    QPainter p(this);
    p.setRenderHint(QPainter::Antialiasing);
    p.setPen(QColor(180, 180, 180));
    p.setBrush(QColor(255, 255, 255, 230));
    p.drawRoundedRect(rect().adjusted(0, 0, -1, -1), 6, 6);
    const QFontMetrics metrics(font());
    int y = 8;
    QFont bold = font();
    bold.setBold(true);
    p.setFont(bold);
    p.setPen(QColor(30, 30, 30));
    p.drawText(QRect(10, y, width() - 20, metrics.height()), Qt::AlignLeft, title_);
    p.setFont(font());
    y += metrics.height() + 4;
    if (gradient_) {
      QLinearGradient ramp(10, 0, width() - 10, 0);
      for (int i = 0; i <= 10; ++i) ramp.setColorAt(i / 10.0, heat(i / 10.0));
      p.setPen(Qt::NoPen);
      p.setBrush(ramp);
      p.drawRect(10, y, width() - 20, 12);
      y += 14;
      p.setPen(QColor(30, 30, 30));
      p.drawText(QRect(10, y, width() - 20, metrics.height()), Qt::AlignLeft, low_);
      p.drawText(QRect(10, y, width() - 20, metrics.height()), Qt::AlignRight, high_);
      y += metrics.height() + 4;
    }
    for (const auto& [color, label] : entries_) {
      p.setPen(QColor(90, 90, 90));
      p.setBrush(color);
      p.drawRect(10, y + 2, 12, metrics.height() - 4);
      p.setPen(QColor(30, 30, 30));
      p.drawText(QRect(28, y, width() - 36, metrics.height()), Qt::AlignLeft | Qt::AlignVCenter,
                 metrics.elidedText(label, Qt::ElideRight, width() - 36));
      y += metrics.height() + 2;
    }
  }

 private:
  void relayout() {
    const QFontMetrics metrics(font());
    int width = metrics.horizontalAdvance(title_) + 40;
    for (const auto& entry : entries_)
      width = std::max(width, metrics.horizontalAdvance(entry.second) + 44);
    if (gradient_) width = std::max(width, 190);
    width = std::min(width, 240);
    int height = 8 + metrics.height() + 4 + int(entries_.size()) * (metrics.height() + 2) + 8;
    if (gradient_) height += 14 + metrics.height() + 4;
    resize(width, height);
    setVisible(!entries_.empty());
    update();
  }

  QString title_, low_, high_;
  std::vector<std::pair<QColor, QString>> entries_;
  bool gradient_ = false;
};

GraphView::GraphView(ModelDocument* document, QWidget* parent)
    : QGraphicsView(parent), document_(document), layout_(std::make_unique<SugiyamaLayout>()) {
  setScene(new QGraphicsScene(this));
  setRenderHint(QPainter::Antialiasing);
  setRenderHint(QPainter::TextAntialiasing);
  setDragMode(QGraphicsView::ScrollHandDrag);
  setTransformationAnchor(QGraphicsView::AnchorUnderMouse);
  setViewportUpdateMode(QGraphicsView::SmartViewportUpdate);
  setOptimizationFlag(QGraphicsView::DontAdjustForAntialiasing);
  setBackgroundBrush(QColor(250, 250, 252));
  setFocusPolicy(Qt::StrongFocus);
  legend_ = new GraphLegend(viewport());
  legend_->hide();
  connect(document_, &ModelDocument::modelChanged, this, &GraphView::rebuild);
  connect(document_, &ModelDocument::planChanged, this, [this] {
    refreshAlgorithms();
    refreshColors();
  });
  connect(document_, &ModelDocument::measurementsChanged, this, [this] {
    if (colorMode_ == ColorMode::Latency) refreshColors();
  });
  connect(document_, &ModelDocument::currentRowChanged, this, &GraphView::showCurrentRow);
}

GraphView::~GraphView() = default;

void GraphView::setLayoutEngine(std::unique_ptr<GraphLayout> layout) {
  layout_ = std::move(layout);
  rebuild();
}

void GraphView::setColorMode(ColorMode mode) {
  colorMode_ = mode;
  refreshColors();
}

void GraphView::rebuild() {
  scene()->clear();
  nodes_.clear();
  edges_.clear();
  edgesOfNode_.clear();
  itemOfRow_.clear();
  highlighted_ = nullptr;
  const Model* model = document_->model();
  if (!model) {
    legend_->hide();
    return;
  }
  // Items: graph inputs, then the layers, then graph outputs; edges follow the values.
  LayoutGraph graph;
  std::unordered_map<std::string, int> producer;
  for (const auto& input : model->inputs) {
    producer[input] = int(nodes_.size());
    auto* item = new NodeItem(-1, QSizeF(kPillWidth, kPillHeight));
    const ValueInfo* value = model->find_value(input);
    item->setTexts(QString::fromStdString(input), {}, {},
                   value && value->known
                       ? QString::fromStdString(shape_to_string(value->info.shape))
                       : QStringLiteral("?"));
    item->setSearchText(QString::fromStdString(input));
    nodes_.push_back(item);
    graph.sizes.emplace_back(kPillWidth, kPillHeight);
  }
  itemOfRow_.assign(size_t(document_->layerCount()), -1);
  for (int row = 0; row < document_->layerCount(); ++row) {
    const LayerFacts& facts = document_->layer(row);
    const int index = int(nodes_.size());
    itemOfRow_[size_t(row)] = index;
    auto* item = new NodeItem(row, QSizeF(kNodeWidth, kNodeHeight));
    item->setTexts(facts.displayOp, {}, facts.name, facts.outputShapes);
    item->setProblem(!facts.runnable());
    item->setSearchText(facts.name + QLatin1Char('\n') + facts.displayOp);
    item->setToolTip(QStringLiteral("%1\n%2\n%3 → %4%5")
                         .arg(facts.name, facts.displayOp, facts.inputShapes, facts.outputShapes,
                              facts.runnable() ? QString() : QStringLiteral("\n") + facts.problem));
    nodes_.push_back(item);
    graph.sizes.emplace_back(kNodeWidth, kNodeHeight);
    for (const auto& input : facts.node->inputs) {
      auto it = producer.find(input);
      if (!input.empty() && it != producer.end()) graph.edges.emplace_back(it->second, index);
    }
    for (const auto& output : facts.node->outputs)
      if (!output.empty()) producer[output] = index;
  }
  for (const auto& output : model->outputs) {
    const int index = int(nodes_.size());
    auto* item = new NodeItem(-1, QSizeF(kPillWidth, kPillHeight));
    const ValueInfo* value = model->find_value(output);
    item->setTexts(QString::fromStdString(output), {}, {},
                   value && value->known
                       ? QString::fromStdString(shape_to_string(value->info.shape))
                       : QStringLiteral("?"));
    item->setSearchText(QString::fromStdString(output));
    nodes_.push_back(item);
    graph.sizes.emplace_back(kPillWidth, kPillHeight);
    if (auto it = producer.find(output); it != producer.end())
      graph.edges.emplace_back(it->second, index);
  }

  QElapsedTimer timer;
  timer.start();
  const GraphLayoutResult placed = layout_->layout(graph);
  lastLayoutMs_ = double(timer.nsecsElapsed()) / 1e6;

  edgesOfNode_.assign(nodes_.size(), {});
  for (size_t e = 0; e < graph.edges.size(); ++e) {
    if (placed.routes[e].size() < 2) continue;
    auto* edge = new EdgeItem(placed.routes[e]);
    scene()->addItem(edge);
    edges_.push_back(edge);
    edgesOfNode_[size_t(graph.edges[e].first)].push_back(edge);
    edgesOfNode_[size_t(graph.edges[e].second)].push_back(edge);
  }
  for (size_t i = 0; i < nodes_.size(); ++i) {
    nodes_[i]->setPos(placed.centers[i]);
    nodes_[i]->setZValue(1);
    scene()->addItem(nodes_[i]);
  }
  scene()->setSceneRect(placed.bounds.adjusted(-40, -40, 40, 40));
  refreshAlgorithms();
  refreshColors();
  zoomToFit();
  // A readable start for deep models: fit, but never smaller than a level where text shows;
  // then begin at the graph inputs.
  if (transform().m11() < kTextLevelOfDetail) {
    resetTransform();
    scale(kStartScale, kStartScale);
    if (!nodes_.empty())
      centerOn(nodes_.front()->pos() + QPointF(0, viewport()->height() * 0.45 / kStartScale));
  }
}

void GraphView::refreshAlgorithms() {
  for (int row = 0; row < int(itemOfRow_.size()); ++row) {
    const LayerFacts& facts = document_->layer(row);
    nodes_[size_t(itemOfRow_[size_t(row)])]->setBadge(
        facts.runnable() ? document_->effectiveAlgorithm(row) : QStringLiteral("unsupported"));
  }
}

void GraphView::refreshColors() {
  if (!document_->hasModel()) return;
  std::vector<std::pair<QColor, QString>> legend;
  std::map<QString, int> counts;
  auto labelOf = [&](int row) {
    return colorMode_ == ColorMode::OpType ? document_->layer(row).opType
                                           : document_->effectiveAlgorithm(row);
  };
  if (colorMode_ == ColorMode::Latency) {
    const auto [fastest, slowest] = document_->currentLatencyRange();
    for (int row = 0; row < int(itemOfRow_.size()); ++row) {
      auto timing = document_->currentTiming(row);
      nodes_[size_t(itemOfRow_[size_t(row)])]->setFill(
          timing ? heat(heatPosition(timing->median, fastest, slowest)) : kUnmeasured);
    }
    legend_->setGradient(QStringLiteral("Latency (log scale)"),
                         slowest > 0 ? humanSeconds(fastest) : QStringLiteral("—"),
                         slowest > 0 ? humanSeconds(slowest) : QStringLiteral("run to measure"));
  } else {
    for (int row = 0; row < int(itemOfRow_.size()); ++row) {
      const QString label = labelOf(row);
      if (!label.isEmpty()) ++counts[label];
    }
    // Distinct palette colours in order of frequency, fixed ones for common op types.
    std::vector<std::pair<int, QString>> byCount;
    for (const auto& [label, count] : counts) byCount.push_back({-count, label});
    std::sort(byCount.begin(), byCount.end());
    std::map<QString, QColor> colorOf;
    size_t next = 0;
    for (const auto& [negCount, label] : byCount) {
      auto fixed = fixedOpColors().find(label);
      if (colorMode_ == ColorMode::Algorithm)
        colorOf[label] = algorithmColor(label);  // the charts' colour, whatever the plan
      else if (fixed != fixedOpColors().end())
        colorOf[label] = fixed->second;
      else
        colorOf[label] = categoryColors()[next++ % categoryColors().size()];
      legend.push_back({colorOf[label], QStringLiteral("%1 (%2)").arg(label).arg(-negCount)});
    }
    for (int row = 0; row < int(itemOfRow_.size()); ++row) {
      const QString label = labelOf(row);
      nodes_[size_t(itemOfRow_[size_t(row)])]->setFill(label.isEmpty() ? kUnmeasured
                                                                       : colorOf[label]);
    }
    constexpr size_t kMaxEntries = 16;
    if (legend.size() > kMaxEntries) {
      const size_t rest = legend.size() - (kMaxEntries - 1);
      legend.resize(kMaxEntries - 1);
      legend.push_back({Qt::transparent, QStringLiteral("… %1 more").arg(rest)});
    }
    legend_->setEntries(
        colorMode_ == ColorMode::OpType ? QStringLiteral("Op type") : QStringLiteral("Algorithm"),
        std::move(legend));
  }
  for (NodeItem* item : nodes_)
    if (item->row() < 0) item->setFill(kPseudoFill);
  legend_->move(viewport()->width() - legend_->width() - 10, 10);
}

NodeItem* GraphView::nodeOfRow(int row) const {
  if (row < 0 || row >= int(itemOfRow_.size())) return nullptr;
  return nodes_[size_t(itemOfRow_[size_t(row)])];
}

void GraphView::showCurrentRow(int row) {
  auto highlightEdges = [&](NodeItem* node, bool on) {
    if (!node) return;
    auto it = std::find(nodes_.begin(), nodes_.end(), node);
    for (EdgeItem* edge : edgesOfNode_[size_t(it - nodes_.begin())]) edge->setHighlighted(on);
  };
  if (highlighted_) {
    highlighted_->setHighlighted(false);
    highlightEdges(highlighted_, false);
  }
  highlighted_ = nodeOfRow(row);
  if (!highlighted_) return;
  highlighted_->setHighlighted(true);
  highlightEdges(highlighted_, true);
  const QRectF visible = mapToScene(viewport()->rect()).boundingRect();
  if (!visible.contains(highlighted_->sceneBoundingRect())) centerOn(highlighted_);
}

QColor GraphView::fillOfRow(int row) const {
  if (row < 0 || row >= int(itemOfRow_.size())) return {};
  return nodes_[size_t(itemOfRow_[size_t(row)])]->fill();
}

int GraphView::find(const QString& text, bool backwards) {
  if (text.isEmpty()) {
    clearFind();
    return 0;
  }
  std::vector<int> matches;
  for (int i = 0; i < int(nodes_.size()); ++i) {
    const bool match = nodes_[size_t(i)]->row() >= 0 &&
                       nodes_[size_t(i)]->searchText().contains(text, Qt::CaseInsensitive);
    nodes_[size_t(i)]->setMatched(match);
    if (match) matches.push_back(nodes_[size_t(i)]->row());
  }
  if (matches.empty()) return 0;
  const int current = document_->currentRow();
  int target = -1;
  if (backwards) {
    auto it = std::lower_bound(matches.begin(), matches.end(), current);
    target = it == matches.begin() ? matches.back() : *(it - 1);
  } else {
    auto it = std::upper_bound(matches.begin(), matches.end(), current);
    target = it == matches.end() ? matches.front() : *it;
  }
  document_->setCurrentRow(target);
  if (NodeItem* node = nodeOfRow(target)) centerOn(node);
  return int(matches.size());
}

void GraphView::clearFind() {
  for (NodeItem* node : nodes_) node->setMatched(false);
}

bool GraphView::exportPng(const QString& path) const {
  const QRectF source = scene()->itemsBoundingRect().adjusted(-20, -20, 20, 20);
  if (source.isEmpty()) return false;
  // Full detail up to a size image viewers open comfortably.
  const double scale = std::min(1.5, 12000.0 / std::max(source.width(), source.height()));
  QImage image((source.size() * scale).toSize(), QImage::Format_ARGB32_Premultiplied);
  image.fill(Qt::white);
  QPainter painter(&image);
  painter.setRenderHint(QPainter::Antialiasing);
  painter.setRenderHint(QPainter::TextAntialiasing);
  scene()->render(&painter, QRectF(QPointF(0, 0), image.size()), source);
  painter.end();
  return savePngAtomically(image, path);
}

bool GraphView::exportSvg(const QString& path) const {
  const QRectF source = scene()->itemsBoundingRect().adjusted(-20, -20, 20, 20);
  if (source.isEmpty()) return false;
  QSvgGenerator svg;
  svg.setFileName(path);
  svg.setSize(source.size().toSize());
  svg.setViewBox(QRectF(QPointF(0, 0), source.size()));
  svg.setTitle(document_->model() ? QString::fromStdString(document_->model()->name) : QString());
  QPainter painter;
  if (!painter.begin(&svg)) return false;
  scene()->render(&painter, QRectF(QPointF(0, 0), source.size()), source);
  return painter.end();
}

void GraphView::scaleBy(double factor) {
  const double current = transform().m11();
  const double target = std::clamp(current * factor, 0.02, 4.0);
  scale(target / current, target / current);
}

void GraphView::zoomIn() { scaleBy(1.25); }
void GraphView::zoomOut() { scaleBy(1 / 1.25); }
void GraphView::zoomToActualSize() {
  const QPointF center = mapToScene(viewport()->rect().center());
  resetTransform();
  centerOn(center);
}
void GraphView::zoomToFit() {
  if (scene()->items().isEmpty()) return;
  fitInView(scene()->sceneRect(), Qt::KeepAspectRatio);
  if (transform().m11() > 1.2) {  // small models: readable, not huge
    const QPointF center = scene()->sceneRect().center();
    resetTransform();
    scale(1.2, 1.2);
    centerOn(center);
  }
}

void GraphView::wheelEvent(QWheelEvent* event) {
  if (event->modifiers() & Qt::ShiftModifier) {  // Shift+wheel scrolls sideways, wheel zooms
    QGraphicsView::wheelEvent(event);
    return;
  }
  const double steps = event->angleDelta().y() / 120.0;
  if (steps != 0) scaleBy(std::pow(1.2, steps));
  event->accept();
}

void GraphView::mousePressEvent(QMouseEvent* event) {
  if (event->button() == Qt::LeftButton) {
    for (QGraphicsItem* item : items(event->position().toPoint())) {
      auto* node = dynamic_cast<NodeItem*>(item);
      if (node && node->row() >= 0) {
        document_->setCurrentRow(node->row());
        event->accept();
        return;
      }
    }
  }
  QGraphicsView::mousePressEvent(event);
}

void GraphView::keyPressEvent(QKeyEvent* event) {
  switch (event->key()) {
    case Qt::Key_Plus:
    case Qt::Key_Equal:
      zoomIn();
      return;
    case Qt::Key_Minus:
      zoomOut();
      return;
    case Qt::Key_0:
    case Qt::Key_F:
      zoomToFit();
      return;
    case Qt::Key_1:
      zoomToActualSize();
      return;
    default:
      QGraphicsView::keyPressEvent(event);
  }
}

void GraphView::resizeEvent(QResizeEvent* event) {
  QGraphicsView::resizeEvent(event);
  legend_->move(viewport()->width() - legend_->width() - 10, 10);
}

}  // namespace algoscope::gui
