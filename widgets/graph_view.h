// The model's layer graph in a QGraphicsView: one box per node (op, name, output shape and the
// algorithm the plan runs it with), graph inputs and outputs as pills, edges routed by a
// GraphLayout. Boxes are coloured by op type, by algorithm or as a heat map of measured latency,
// with a legend in the corner. Zoom (wheel, +/-), pan (drag, arrows), fit (0 or F), search by
// name or op; a click selects the layer in every view through the ModelDocument. Zoomed out, boxes
// draw as plain rectangles (level of detail) so hundreds of nodes stay fluid.
#pragma once

#include <QGraphicsView>
#include <QString>
#include <memory>
#include <vector>

#include "graph_layout.h"

namespace algoscope::gui {

class ModelDocument;
class NodeItem;
class EdgeItem;
class GraphLegend;

class GraphView : public QGraphicsView {
  Q_OBJECT
 public:
  enum class ColorMode { OpType, Algorithm, Latency };

  explicit GraphView(ModelDocument* document, QWidget* parent = nullptr);
  ~GraphView() override;

  // Replaces the layout engine (the default is SugiyamaLayout) and lays the graph out again.
  void setLayoutEngine(std::unique_ptr<GraphLayout> layout);
  ColorMode colorMode() const { return colorMode_; }
  void setColorMode(ColorMode mode);
  double lastLayoutMs() const { return lastLayoutMs_; }
  int nodeItemCount() const { return int(nodes_.size()); }
  // The colour the layer's node is filled with under the current colour mode.
  QColor fillOfRow(int row) const;

  // Selects the next (or previous) layer whose name or op contains `text` after the current one,
  // centres it and marks every match; returns the number of matches.
  int find(const QString& text, bool backwards = false);
  void clearFind();

  bool exportPng(const QString& path) const;
  bool exportSvg(const QString& path) const;

 public slots:
  void zoomIn();
  void zoomOut();
  void zoomToFit();
  void zoomToActualSize();

 protected:
  void wheelEvent(QWheelEvent* event) override;
  void mousePressEvent(QMouseEvent* event) override;
  void keyPressEvent(QKeyEvent* event) override;
  void resizeEvent(QResizeEvent* event) override;

 private:
  void rebuild();
  void refreshColors();
  void refreshAlgorithms();
  void showCurrentRow(int row);
  void scaleBy(double factor);
  NodeItem* nodeOfRow(int row) const;

  ModelDocument* document_;
  std::unique_ptr<GraphLayout> layout_;
  ColorMode colorMode_ = ColorMode::OpType;
  std::vector<NodeItem*> nodes_;  // scene order: graph inputs, model nodes, graph outputs
  std::vector<int> itemOfRow_;    // model row -> index into nodes_
  std::vector<EdgeItem*> edges_;
  std::vector<std::vector<EdgeItem*>> edgesOfNode_;
  NodeItem* highlighted_ = nullptr;
  GraphLegend* legend_ = nullptr;
  double lastLayoutMs_ = 0;
};

}  // namespace algoscope::gui
