// A layered (Sugiyama-style) drawing of a DAG, top to bottom, fast enough for models with a
// thousand nodes and tens of thousands of edge bends (densenet's concatenations):
//  1. layers by longest path from the sources (sources then pulled down next to their consumers),
//  2. long edges split into chains of dummy nodes, one per layer crossed,
//  3. crossing reduction by barycenter sweeps down and up, keeping the order with the fewest
//     crossings (counted exactly with an accumulator tree, Barth, Mutzel & Juenger 2004),
//  4. x coordinates by repeated sweeps that pull each node towards the median of its neighbours
//     (its real neighbours when it has any, so the main path of a residual network stays
//     straight), each layer solved exactly as a weighted isotonic regression under the minimum
//     spacing.
#pragma once

#include "graph_layout.h"

namespace algoscope::gui {

class SugiyamaLayout : public GraphLayout {
 public:
  struct Options {
    double layerGap = 36;     // vertical space between layers
    double nodeGap = 24;      // horizontal space between neighbouring nodes
    double dummyWidth = 6;    // horizontal room an edge passing a layer takes
    int crossingSweeps = 8;   // down+up sweep pairs at most
    int placementSweeps = 6;  // coordinate sweep pairs
  };
  SugiyamaLayout() = default;
  explicit SugiyamaLayout(Options options) : options_(options) {}

  GraphLayoutResult layout(const LayoutGraph& graph) const override;

  // Statistics of the last layout (for tests and the status bar).
  struct Stats {
    int layers = 0;
    int dummies = 0;
    long long crossings = 0;         // after crossing reduction
    long long initialCrossings = 0;  // of the initial order
  };
  const Stats& lastStats() const { return stats_; }

 private:
  Options options_;
  mutable Stats stats_;
};

}  // namespace algoscope::gui
