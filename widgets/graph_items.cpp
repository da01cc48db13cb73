// The graph view's items and palettes (graph_items.h): how a layer box, a pill, a collapsed block,
// an edge, a block frame and the legend paint themselves at each level of detail.
#include "graph_items.h"

#include <QPainter>
#include <QPainterPathStroker>
#include <QStyleOptionGraphicsItem>
#include <algorithm>
#include <cmath>

#include "charts.h"

namespace algoscope::gui {

const QColor kUnmeasured(225, 225, 225);
const QColor kPseudoFill(245, 245, 245);

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

double heatPosition(double seconds, double fastest, double slowest) {
  if (seconds <= 0 || fastest <= 0 || slowest <= fastest) return seconds > 0 ? 1.0 : 0.0;
  return std::clamp(std::log(seconds / fastest) / std::log(slowest / fastest), 0.0, 1.0);
}

namespace {

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

QColor textColorOn(const QColor& fill) {
  return fill.lightnessF() < 0.5 ? Qt::white : QColor(25, 25, 25);
}

}  // namespace

std::map<QString, QColor> labelColors(const std::map<QString, int>& counts, bool algorithms,
                                      std::vector<std::pair<QColor, QString>>& legend) {
  legend.clear();
  std::vector<std::pair<int, QString>> byCount;
  for (const auto& [label, count] : counts) byCount.push_back({-count, label});
  std::sort(byCount.begin(), byCount.end());
  std::map<QString, QColor> colorOf;
  size_t next = 0;
  for (const auto& [negCount, label] : byCount) {
    auto fixed = fixedOpColors().find(label);
    if (algorithms)
      colorOf[label] = algorithmColor(label);  // the charts' colour, whatever the plan
    else if (fixed != fixedOpColors().end())
      colorOf[label] = fixed->second;
    else
      colorOf[label] = categoryColors()[next++ % categoryColors().size()];
    legend.push_back({colorOf[label], QStringLiteral("%1 (%2)").arg(label).arg(-negCount)});
  }
  constexpr size_t kMaxEntries = 16;
  if (legend.size() > kMaxEntries) {
    const size_t rest = legend.size() - (kMaxEntries - 1);
    legend.resize(kMaxEntries - 1);
    legend.push_back({Qt::transparent, QStringLiteral("… %1 more").arg(rest)});
  }
  return colorOf;
}

NodeItem::NodeItem(int row, QSizeF size, int block) : row_(row), block_(block), size_(size) {
  setAcceptedMouseButtons(Qt::LeftButton);
  setCacheMode(QGraphicsItem::NoCache);
}

QRectF NodeItem::boundingRect() const {
  // A block's stack of boxes reaches further right and down.
  const double stack = block_ >= 0 ? 8 : 0;
  return QRectF(-size_.width() / 2 - 3, -size_.height() / 2 - 3, size_.width() + 6 + stack,
                size_.height() + 6 + stack);
}

void NodeItem::setTexts(QString title, QString badge, QString name, QString shape) {
  title_ = std::move(title);
  badge_ = std::move(badge);
  name_ = std::move(name);
  shape_ = std::move(shape);
  update();
}

void NodeItem::setBadge(const QString& badge) {
  if (badge == badge_) return;
  badge_ = badge;
  update();
}

void NodeItem::setFill(const QColor& fill) {
  if (fill == fill_) return;
  fill_ = fill;
  update();
}

void NodeItem::setHighlighted(bool on) {
  highlighted_ = on;
  setZValue(on ? 2 : 1);
  update();
}

void NodeItem::setMatched(bool on) {
  if (matched_ == on) return;
  matched_ = on;
  update();
}

void NodeItem::paint(QPainter* painter, const QStyleOptionGraphicsItem* option, QWidget*) {
  const double lod = option->levelOfDetailFromTransform(painter->worldTransform());
  const QRectF box(-size_.width() / 2, -size_.height() / 2, size_.width(), size_.height());
  QPen border(
      highlighted_ ? QColor(20, 90, 220) : (problem_ ? QColor(200, 30, 30) : QColor(70, 70, 70)),
      highlighted_ ? 3.5 : (problem_ ? 2 : 1));
  if (problem_) border.setStyle(Qt::DashLine);
  if (matched_ && !highlighted_) border = QPen(QColor(230, 120, 0), 3);
  const bool detailed = lod >= kTextLevelOfDetail;
  painter->setRenderHint(QPainter::Antialiasing, detailed);
  if (block_ >= 0) {  // the boxes behind: a block is several layers
    painter->setPen(QPen(QColor(70, 70, 70), 1));
    painter->setBrush(fill_.darker(115));
    for (double offset : {8.0, 4.0}) painter->drawRect(box.translated(offset, offset));
  }
  if (!detailed) {
    painter->setPen(highlighted_ || matched_ || problem_ ? border : Qt::NoPen);
    painter->setBrush(fill_);
    painter->drawRect(box);
    return;
  }
  painter->setPen(border);
  painter->setBrush(fill_);
  const double radius = row_ < 0 && block_ < 0 ? size_.height() / 2 : (block_ >= 0 ? 2 : 6);
  painter->drawRoundedRect(box, radius, radius);

  const QColor ink = textColorOn(fill_);
  painter->setPen(ink);
  QFont font = painter->font();
  font.setPointSizeF(8.5);
  if (row_ < 0 && block_ < 0) {
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
  // Badge (the algorithm, or a block's layer count) on the right of the first line, in a chip.
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
  // A block's title is its prefix, whose end tells blocks apart; a layer's is its op.
  const QRectF titleRect(inner.left(), inner.top(), inner.width() - badgeWidth - 4, line);
  painter->drawText(titleRect, Qt::AlignLeft | Qt::AlignVCenter,
                    boldMetrics.elidedText(title_, block_ >= 0 ? Qt::ElideLeft : Qt::ElideRight,
                                           titleRect.width()));
  painter->setFont(font);
  const QRectF nameRect(inner.left(), inner.top() + line, inner.width(), line);
  painter->drawText(
      nameRect, Qt::AlignLeft | Qt::AlignVCenter,
      metrics.elidedText(name_, block_ >= 0 ? Qt::ElideRight : Qt::ElideLeft, nameRect.width()));
  const QRectF shapeRect(inner.left(), inner.top() + 2 * line, inner.width(), line);
  painter->drawText(
      shapeRect, Qt::AlignLeft | Qt::AlignVCenter,
      metrics.elidedText(QStringLiteral("→ ") + shape_, Qt::ElideRight, shapeRect.width()));
}

EdgeItem::EdgeItem(const std::vector<QPointF>& route) {
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
  QPainterPathStroker band;
  band.setWidth(8);
  hit_ = band.createStroke(path_);
}

void EdgeItem::setHighlighted(bool on) {
  highlighted_ = on;
  setZValue(on ? 1.5 : 0);
  update();
}

void EdgeItem::setCost(double share, const QString& toolTip) {
  // Called for every edge whenever measurements arrive: repaint only what changed.
  share = std::clamp(share, 0.0, 1.0);
  if (share == costShare_ && toolTip == this->toolTip()) return;
  costShare_ = share;
  setToolTip(toolTip);
  update();
}

QColor EdgeItem::color() const {
  if (highlighted_) return QColor(20, 90, 220);
  if (costShare_ <= 0) return QColor(110, 110, 110);
  // From amber (a cheap conversion) to red (the costliest value of the plan).
  return QColor(230, int(170 * (1 - costShare_)), 40);
}

void EdgeItem::paint(QPainter* painter, const QStyleOptionGraphicsItem* option, QWidget*) {
  const double lod = option->levelOfDetailFromTransform(painter->worldTransform());
  const double costWidth = costShare_ > 0 ? 1.5 + 3.5 * costShare_ : 0;
  if (lod < kTextLevelOfDetail) {
    // Zoomed out: the polyline in a light, opaque, one-pixel pen (no curves, no blending, no
    // stroker) so densenet's thousands of edge bends repaint quickly and the boxes stand out.
    painter->setRenderHint(QPainter::Antialiasing, false);
    QPen thin(highlighted_ || costShare_ > 0 ? color() : QColor(185, 185, 185),
              highlighted_ ? 2 : costWidth);
    thin.setCosmetic(true);
    painter->setPen(thin);
    painter->drawPolyline(polyline_);
    return;
  }
  painter->setRenderHint(QPainter::Antialiasing, true);
  QPen pen(color(), highlighted_ ? 2.5 : std::max(1.2, costWidth));
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

BlockFrameItem::BlockFrameItem(int block, QRectF frame, QString label)
    : block_(block), frame_(frame), label_(std::move(label)) {
  setAcceptedMouseButtons(Qt::LeftButton);
  setZValue(0.5);  // over the edges (the label stays readable), under the boxes
  setToolTip(QStringLiteral("%1\nDouble-click to collapse the block").arg(label_));
}

void BlockFrameItem::paint(QPainter* painter, const QStyleOptionGraphicsItem* option, QWidget*) {
  const double lod = option->levelOfDetailFromTransform(painter->worldTransform());
  painter->setRenderHint(QPainter::Antialiasing, false);
  QPen pen(QColor(150, 160, 190), 0, Qt::DashLine);
  pen.setCosmetic(true);
  painter->setPen(pen);
  painter->setBrush(QColor(225, 230, 248, 70));
  painter->drawRect(frame_);
  if (lod < kTextLevelOfDetail) return;
  QFont font = painter->font();
  font.setPointSizeF(8);
  painter->setFont(font);
  const QFontMetricsF metrics(font);
  const QString label = metrics.elidedText(label_, Qt::ElideLeft, frame_.width() - 12);
  // On a patch of its own: edges into the block pass under the label.
  const QRectF labelRect(frame_.left() + 4, frame_.top() + 2, metrics.horizontalAdvance(label) + 6,
                         metrics.height());
  painter->setPen(Qt::NoPen);
  painter->setBrush(QColor(236, 239, 249));
  painter->drawRect(labelRect);
  painter->setPen(QColor(90, 100, 140));
  painter->drawText(labelRect, Qt::AlignCenter, label);
}

GraphLegend::GraphLegend(QWidget* parent) : QWidget(parent) {
  setAttribute(Qt::WA_TransparentForMouseEvents);
}

void GraphLegend::setEntries(QString title, std::vector<std::pair<QColor, QString>> entries) {
  title_ = std::move(title);
  entries_ = std::move(entries);
  gradient_ = false;
  relayout();
}

void GraphLegend::setGradient(QString title, QString low, QString high) {
  title_ = std::move(title);
  entries_ = {{kUnmeasured, QStringLiteral("not measured")}};
  low_ = std::move(low);
  high_ = std::move(high);
  gradient_ = true;
  relayout();
}

void GraphLegend::paintEvent(QPaintEvent*) {
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

void GraphLegend::relayout() {
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

}  // namespace algoscope::gui
