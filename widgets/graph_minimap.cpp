// The graph view's minimap (graph_minimap.h): scaling the scene into the corner, painting the
// boxes once, the visible frame on every pan, and clicks and drags that pan the view.
#include "graph_minimap.h"

#include <QMouseEvent>
#include <QPainter>
#include <algorithm>

namespace algoscope::gui {
namespace {

constexpr int kMargin = 4;      // inside the minimap's border
constexpr int kMinExtent = 56;  // the narrowest a side gets, however long the graph

}  // namespace

GraphMinimap::GraphMinimap(QWidget* parent) : QWidget(parent) {
  setCursor(Qt::PointingHandCursor);
  setToolTip(QStringLiteral("The whole graph; click or drag to move the view"));
}

void GraphMinimap::setGraph(QRectF scene, std::vector<std::pair<QRectF, QColor>> boxes) {
  scene_ = scene;
  boxes_ = std::move(boxes);
  fitInto(room_);
}

void GraphMinimap::fitInto(QSize room) {
  room_ = room;
  if (scene_.isEmpty()) return;
  const double innerWidth = std::max(1, room.width() - 2 * kMargin);
  const double innerHeight = std::max(1, room.height() - 2 * kMargin);
  // One scale keeps the graph's shape; a side that would come out thinner than kMinExtent is
  // stretched to it (a 600-layer chain would otherwise be two pixels wide).
  const double uniform = std::min(innerWidth / scene_.width(), innerHeight / scene_.height());
  scaleX_ = std::max(uniform, std::min<double>(kMinExtent, innerWidth) / scene_.width());
  scaleY_ = std::max(uniform, std::min<double>(kMinExtent, innerHeight) / scene_.height());
  resize(int(scene_.width() * scaleX_) + 2 * kMargin, int(scene_.height() * scaleY_) + 2 * kMargin);
  repaintBoxes();
}

void GraphMinimap::setVisibleArea(QRectF sceneArea) {
  if (sceneArea == visible_) return;
  visible_ = sceneArea;
  update();
}

QPointF GraphMinimap::minimapPointOf(QPointF scenePoint) const {
  return QPointF(kMargin + (scenePoint.x() - scene_.left()) * scaleX_,
                 kMargin + (scenePoint.y() - scene_.top()) * scaleY_);
}

QPointF GraphMinimap::scenePointAt(QPointF minimapPoint) const {
  return QPointF(scene_.left() + (minimapPoint.x() - kMargin) / scaleX_,
                 scene_.top() + (minimapPoint.y() - kMargin) / scaleY_);
}

void GraphMinimap::repaintBoxes() {
  picture_ = QImage(size(), QImage::Format_ARGB32_Premultiplied);
  picture_.fill(QColor(255, 255, 255, 235));
  QPainter painter(&picture_);
  painter.setPen(Qt::NoPen);
  for (const auto& [box, fill] : boxes_) {
    const QPointF topLeft = minimapPointOf(box.topLeft());
    // At least a pixel each way, so a box never vanishes.
    painter.fillRect(QRectF(topLeft, QSizeF(std::max(1.0, box.width() * scaleX_),
                                            std::max(1.0, box.height() * scaleY_))),
                     fill.darker(110));
  }
  painter.setPen(QColor(160, 160, 160));
  painter.setBrush(Qt::NoBrush);
  painter.drawRect(picture_.rect().adjusted(0, 0, -1, -1));
  update();
}

void GraphMinimap::paintEvent(QPaintEvent*) {
  QPainter painter(this);
  painter.drawImage(0, 0, picture_);
  if (visible_.isEmpty()) return;
  const QRectF frame(minimapPointOf(visible_.topLeft()), minimapPointOf(visible_.bottomRight()));
  painter.setPen(QPen(QColor(20, 90, 220), 1.5));
  painter.setBrush(QColor(20, 90, 220, 40));
  painter.drawRect(frame.intersected(QRectF(rect()).adjusted(1, 1, -1, -1)));
}

void GraphMinimap::mousePressEvent(QMouseEvent* event) {
  if (event->button() != Qt::LeftButton) return QWidget::mousePressEvent(event);
  emit centerRequested(scenePointAt(event->position()));
  event->accept();
}

void GraphMinimap::mouseMoveEvent(QMouseEvent* event) {
  if (!(event->buttons() & Qt::LeftButton)) return QWidget::mouseMoveEvent(event);
  emit centerRequested(scenePointAt(event->position()));
  event->accept();
}

}  // namespace algoscope::gui
