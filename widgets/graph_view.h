// The model's layer graph in a QGraphicsView: one box per node (op, name, output shape and the
// algorithm the plan runs it with), graph inputs and outputs as pills, edges routed by a
// GraphLayout. Boxes are coloured by op type, by algorithm or as a heat map of measured latency,
// with a legend in the corner and a minimap of the whole graph in the other. Zoom (wheel, +/-),
// pan (drag, arrows, the minimap), fit legibly (0 or F) or fit all (Shift+0), find by name or op
// (zooming to the match); a click selects the layer in every view through the ModelDocument.
// Layers whose names share a prefix form blocks (graph_groups.h) that collapse into one box each
// and expand again, the graph laid out anew each time. Zoomed out, boxes draw as plain rectangles
// (level of detail) so hundreds of nodes stay fluid.
#pragma once

#include <QGraphicsView>
#include <QString>
#include <memory>
#include <vector>

#include "graph_groups.h"
#include "graph_layout.h"

namespace algoscope::gui {

class ModelDocument;
class NodeItem;
class EdgeItem;
class GraphLegend;
class GraphMinimap;

class GraphView : public QGraphicsView {
  Q_OBJECT
 public:
  // AccumulatedError: each layer's output against the all-reference run in the last check of the
  // plan as it is now (the error propagated to it, CheckSummary::propagation).
  enum class ColorMode { OpType, Algorithm, Latency, AccumulatedError };
  // The smallest zoom at which node text reads without effort (9-point titles come out about 8
  // pixels tall). Fit, the start view and Find never leave a big graph below it; Fit all may.
  static constexpr double kLegibleScale = 0.7;
  // The zoom Find and a big graph's start view use when they have the choice: text comfortable.
  static constexpr double kComfortableScale = 0.85;

  explicit GraphView(ModelDocument* document, QWidget* parent = nullptr);
  ~GraphView() override;

  // Replaces the layout engine (the default is SugiyamaLayout) and lays the graph out again.
  void setLayoutEngine(std::unique_ptr<GraphLayout> layout);
  ColorMode colorMode() const { return colorMode_; }
  void setColorMode(ColorMode mode);
  double lastLayoutMs() const { return lastLayoutMs_; }
  int nodeItemCount() const { return int(nodes_.size()); }
  // The edges drawn as costing the current plan something (tune's cost model).
  int costlyEdgeCount() const;
  double zoomLevel() const { return transform().m11(); }
  // The colour the layer's node (or the collapsed block holding it) is filled with.
  QColor fillOfRow(int row) const;

  // Selects the next (or previous) layer whose name or op contains `text` after the current one,
  // wrapping; a new text starts at the current layer. Zooms in to kComfortableScale when the view
  // is below kLegibleScale, centres the match and marks every match. `match` is the selected
  // one's place among the `count` matches, from 1; both 0 when nothing matches.
  struct FindResult {
    int match = 0;
    int count = 0;
  };
  FindResult find(const QString& text, bool backwards = false);
  void clearFind();

  // The model's blocks (empty when no two layer names share a prefix) and which are collapsed.
  const LayerGroups& blocks() const { return blocks_; }
  bool isBlockCollapsed(int block) const;
  void setBlockCollapsed(int block, bool collapsed);
  void setAllBlocksCollapsed(bool collapsed);

  GraphMinimap* minimap() const { return minimap_; }
  bool minimapEnabled() const { return minimapEnabled_; }
  // Shown when enabled and the graph does not fit in the view.
  void setMinimapEnabled(bool enabled);

  bool exportPng(const QString& path) const;
  bool exportSvg(const QString& path) const;

 public slots:
  void zoomIn();
  void zoomOut();
  // The whole graph when it fits at kLegibleScale or more; otherwise its width (or height, for a
  // graph wider than tall relative to the view) at a legible zoom, from the graph inputs.
  void zoomToFit();
  void zoomToFitAll();  // everything, however small: an overview
  void zoomToActualSize();

 protected:
  void wheelEvent(QWheelEvent* event) override;
  void mousePressEvent(QMouseEvent* event) override;
  void mouseDoubleClickEvent(QMouseEvent* event) override;
  void contextMenuEvent(QContextMenuEvent* event) override;
  void keyPressEvent(QKeyEvent* event) override;
  void resizeEvent(QResizeEvent* event) override;

 private:
  void rebuild();   // a new model: blocks from its names, all expanded, the start view
  void relayout();  // the scene for the blocks collapsed now, laid out anew
  void addBlockFrames();
  void refreshColors();
  void refreshAlgorithms();
  // Edges coloured by what the value costs the last tune's plan, while it is the current plan.
  void refreshEdgeCosts();
  void showCurrentRow(int row);
  void highlightRow(int row);
  void markMatches();
  void scaleBy(double factor);
  void setZoom(double scale);
  void updateMinimap();
  void placeOverlays();
  // The block under a point of the viewport: a collapsed block's box, or the innermost frame.
  int blockAt(QPoint viewPoint, bool* collapsed) const;
  NodeItem* nodeOfRow(int row) const;

  ModelDocument* document_;
  std::unique_ptr<GraphLayout> layout_;
  ColorMode colorMode_ = ColorMode::OpType;
  std::vector<NodeItem*> nodes_;  // scene order: graph inputs, model nodes, graph outputs
  std::vector<int> itemOfRow_;    // model row -> index into nodes_ (its block's, when collapsed)
  std::vector<EdgeItem*> edges_;
  std::vector<std::pair<int, int>> edgeEnds_;  // per edge, its two items in nodes_
  std::vector<std::vector<EdgeItem*>> edgesOfNode_;
  NodeItem* highlighted_ = nullptr;
  GraphLegend* legend_ = nullptr;
  GraphMinimap* minimap_ = nullptr;
  bool minimapEnabled_ = true;
  LayerGroups blocks_;
  std::vector<bool> collapsed_;  // per block
  QString findText_;
  std::vector<int> matchedRows_;
  double lastLayoutMs_ = 0;
};

}  // namespace algoscope::gui
