// What the graph view draws, apart from the view itself: NodeItem (a layer box, a graph input or
// output pill, or a collapsed block), EdgeItem (a routed polyline drawn as smooth curves with an
// arrowhead), BlockFrameItem (the outline of an expanded block, double-click to collapse it),
// GraphLegend (the colour key) and the palettes they are filled from. Each item drops its text
// and curves below kTextLevelOfDetail, so hundreds of nodes stay fluid when zoomed out.
#pragma once

#include <QColor>
#include <QGraphicsItem>
#include <QPainterPath>
#include <QPolygonF>
#include <QWidget>
#include <map>
#include <utility>
#include <vector>

namespace algoscope::gui {

// Below this zoom, boxes lose their text and rounded corners; nobody can read 4-pixel text.
constexpr double kTextLevelOfDetail = 0.38;

constexpr double kNodeWidth = 210;
constexpr double kNodeHeight = 58;
constexpr double kPillWidth = 170;
constexpr double kPillHeight = 34;
constexpr double kBlockWidth = 250;  // room for a prefix beside the layer count

// Colours for the labels counted in `counts` (op types, or algorithms when `algorithms`) and the
// legend's entries, commonest first ("Conv (53)"), at most 16 with "… 4 more" last. Common op
// types keep fixed colours across models, algorithms the charts' colours, the rest take a palette
// of light fills that keep dark text readable.
std::map<QString, QColor> labelColors(const std::map<QString, int>& counts, bool algorithms,
                                      std::vector<std::pair<QColor, QString>>& legend);
extern const QColor kUnmeasured;
extern const QColor kPseudoFill;
// Heat map from pale yellow through orange to dark red; `t` in [0, 1].
QColor heat(double t);
// Latency on a log scale from the fastest to the slowest measured layer: layer times span
// decades, and a linear scale would paint all but the heaviest few alike.
double heatPosition(double seconds, double fastest, double slowest);

// A layer box (row >= 0), a graph input/output pill (row == -1) or a collapsed block
// (block() >= 0; row == -1): the block's prefix, its layer count and its output shape, drawn as
// a stack of boxes.
class NodeItem : public QGraphicsItem {
 public:
  NodeItem(int row, QSizeF size, int block = -1);
  int row() const { return row_; }
  int block() const { return block_; }
  QRectF boundingRect() const override;
  void setTexts(QString title, QString badge, QString name, QString shape);
  void setBadge(const QString& badge);
  QColor fill() const { return fill_; }
  void setFill(const QColor& fill);
  void setProblem(bool problem) { problem_ = problem; }
  void setHighlighted(bool on);
  void setMatched(bool on);
  void paint(QPainter* painter, const QStyleOptionGraphicsItem* option, QWidget*) override;

 private:
  int row_;
  int block_;
  QSizeF size_;
  QString title_, badge_, name_, shape_;
  QColor fill_ = kUnmeasured;
  bool problem_ = false;
  bool highlighted_ = false;
  bool matched_ = false;
};

// An edge: the layout's polyline drawn as vertical-tangent cubic curves, with an arrowhead when
// zoomed in enough to see it.
class EdgeItem : public QGraphicsItem {
 public:
  explicit EdgeItem(const std::vector<QPointF>& route);
  QRectF boundingRect() const override { return bounds_; }
  // A thin band along the curve: tooltips and hover only where the edge is drawn.
  QPainterPath shape() const override { return hit_; }
  void setHighlighted(bool on);
  // What the value costs the plan (tune's cost model), as a share of the costliest edge: drawn
  // thicker and warmer the more it costs; 0 draws the plain edge.
  void setCost(double share, const QString& toolTip);
  double costShare() const { return costShare_; }
  void paint(QPainter* painter, const QStyleOptionGraphicsItem* option, QWidget*) override;

 private:
  QColor color() const;
  QPainterPath path_, hit_;
  QPolygonF polyline_;
  QPointF tip_;
  QRectF bounds_;
  bool highlighted_ = false;
  double costShare_ = 0;
};

// The outline of an expanded block around its members, under them and over the edges, labelled with
// the block's prefix; double-clicking it (or a member's context menu) collapses the block.
class BlockFrameItem : public QGraphicsItem {
 public:
  BlockFrameItem(int block, QRectF frame, QString label);
  int block() const { return block_; }
  QRectF boundingRect() const override { return frame_; }
  void paint(QPainter* painter, const QStyleOptionGraphicsItem* option, QWidget*) override;

 private:
  int block_;
  QRectF frame_;
  QString label_;
};

// The colour key, drawn over the view's top-right corner.
class GraphLegend : public QWidget {
 public:
  explicit GraphLegend(QWidget* parent);
  void setEntries(QString title, std::vector<std::pair<QColor, QString>> entries);
  void setGradient(QString title, QString low, QString high);

 protected:
  void paintEvent(QPaintEvent*) override;

 private:
  void relayout();

  QString title_, low_, high_;
  std::vector<std::pair<QColor, QString>> entries_;
  bool gradient_ = false;
};

}  // namespace algoscope::gui
