// Where the graph view gets node positions and edge routes from. The view only knows this
// interface (as Cutter's graph view does), so another layout (Graphviz, a hand-tuned one for
// transformers) can replace the built-in layered layout without touching the drawing code.
#pragma once

#include <QPointF>
#include <QRectF>
#include <QSizeF>
#include <utility>
#include <vector>

namespace algoscope::gui {

// A directed graph to lay out: node sizes and edges (source, target) by node index. Edges are
// expected to go from producers to consumers; a layout must cope with cycles anyway.
struct LayoutGraph {
  std::vector<QSizeF> sizes;
  std::vector<std::pair<int, int>> edges;
};

struct GraphLayoutResult {
  std::vector<QPointF> centers;              // per node
  std::vector<std::vector<QPointF>> routes;  // per edge: polyline from source to target
  QRectF bounds;                             // encloses every node and route
};

class GraphLayout {
 public:
  virtual ~GraphLayout() = default;
  virtual GraphLayoutResult layout(const LayoutGraph& graph) const = 0;
};

}  // namespace algoscope::gui
