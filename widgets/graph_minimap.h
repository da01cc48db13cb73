// An overview of the whole graph for the graph view's corner: every box as a rectangle in its
// fill colour, and the part the view shows as a frame. A click or a drag asks the view to centre
// there. The boxes are painted once into an image when the graph or its colours change, so
// panning only repaints the frame. Graphs far taller than wide (a transformer's chain of layers)
// are stretched sideways to a usable width rather than drawn as a hairline.
#pragma once

#include <QImage>
#include <QRectF>
#include <QWidget>
#include <utility>
#include <vector>

namespace algoscope::gui {

class GraphMinimap : public QWidget {
  Q_OBJECT
 public:
  explicit GraphMinimap(QWidget* parent);

  // The whole graph: the scene rectangle and each box with its fill.
  void setGraph(QRectF scene, std::vector<std::pair<QRectF, QColor>> boxes);
  // Sizes the minimap to the graph's proportions within `room`.
  void fitInto(QSize room);
  // The part of the scene the view shows.
  void setVisibleArea(QRectF sceneArea);
  // Where a scene point is drawn on the minimap, and the other way round.
  QPointF minimapPointOf(QPointF scenePoint) const;
  QPointF scenePointAt(QPointF minimapPoint) const;

 signals:
  void centerRequested(QPointF scenePoint);

 protected:
  void paintEvent(QPaintEvent*) override;
  void mousePressEvent(QMouseEvent* event) override;
  void mouseMoveEvent(QMouseEvent* event) override;

 private:
  void repaintBoxes();

  QRectF scene_;
  std::vector<std::pair<QRectF, QColor>> boxes_;
  QRectF visible_;
  QSize room_{200, 240};
  double scaleX_ = 1, scaleY_ = 1;
  QImage picture_;  // the boxes at the current size
};

}  // namespace algoscope::gui
