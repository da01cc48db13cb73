// SugiyamaLayout: the four phases described in the header, on flat arrays (no per-node
// allocations) so densenet121's ~15,000 dummy nodes lay out in tens of milliseconds.
#include "sugiyama_layout.h"

#include <algorithm>
#include <map>
#include <numeric>

namespace algoscope::gui {
namespace {

// Vertices of the layered graph: the real nodes first, then the dummies.
struct LayeredGraph {
  int realCount = 0;
  std::vector<int> rank;
  std::vector<double> width;
  std::vector<double> height;
  std::vector<std::vector<int>> up;    // neighbours one layer above
  std::vector<std::vector<int>> down;  // neighbours one layer below
  std::vector<std::vector<int>> layers;
  std::vector<int> pos;  // index within its layer
  std::vector<double> x;

  bool isDummy(int v) const { return v >= realCount; }
  int addVertex(int r, double w) {
    rank.push_back(r);
    width.push_back(w);
    height.push_back(0);
    up.emplace_back();
    down.emplace_back();
    return static_cast<int>(rank.size()) - 1;
  }
};

// Marks the edges that close a cycle (found by an iterative depth-first search) so they can be
// laid out reversed; ONNX graphs have none, but a layout must not loop forever on bad input.
std::vector<bool> backEdges(int n, const std::vector<std::pair<int, int>>& edges) {
  std::vector<std::vector<int>> out(size_t(n), std::vector<int>{});
  for (size_t e = 0; e < edges.size(); ++e) out[size_t(edges[e].first)].push_back(int(e));
  std::vector<int> state(size_t(n), 0);  // 0 new, 1 on stack, 2 done
  std::vector<bool> back(edges.size(), false);
  std::vector<std::pair<int, size_t>> stack;
  for (int root = 0; root < n; ++root) {
    if (state[size_t(root)]) continue;
    stack.push_back({root, 0});
    state[size_t(root)] = 1;
    while (!stack.empty()) {
      auto& [v, next] = stack.back();
      if (next < out[size_t(v)].size()) {
        int e = out[size_t(v)][next++];
        int w = edges[size_t(e)].second;
        if (state[size_t(w)] == 1)
          back[size_t(e)] = true;
        else if (state[size_t(w)] == 0) {
          state[size_t(w)] = 1;
          stack.push_back({w, 0});
        }
      } else {
        state[size_t(v)] = 2;
        stack.pop_back();
      }
    }
  }
  return back;
}

// Crossings between two adjacent layers: edges sorted by upper position, inversions of their
// lower positions counted with a Fenwick tree.
long long crossingsBetween(const LayeredGraph& g, const std::vector<int>& upper, int lowerSize,
                           std::vector<int>& scratch, std::vector<int>& tree) {
  scratch.clear();
  for (int v : upper) {
    size_t begin = scratch.size();
    for (int w : g.down[size_t(v)]) scratch.push_back(g.pos[size_t(w)]);
    std::sort(scratch.begin() + std::ptrdiff_t(begin), scratch.end());
  }
  tree.assign(size_t(lowerSize) + 1, 0);
  long long crossings = 0;
  long long seen = 0;
  for (int p : scratch) {
    long long atMost = 0;  // earlier edges ending at or left of p do not cross
    for (int i = p + 1; i > 0; i -= i & -i) atMost += tree[size_t(i)];
    crossings += seen - atMost;
    for (int i = p + 1; i <= lowerSize; i += i & -i) ++tree[size_t(i)];
    ++seen;
  }
  return crossings;
}

long long totalCrossings(const LayeredGraph& g) {
  std::vector<int> scratch, tree;
  long long total = 0;
  for (size_t r = 0; r + 1 < g.layers.size(); ++r)
    total += crossingsBetween(g, g.layers[r], int(g.layers[r + 1].size()), scratch, tree);
  return total;
}

// Reorders one layer by the barycenter of each vertex's neighbours in the adjacent layer;
// vertices without neighbours keep their place.
void barycenterSort(LayeredGraph& g, std::vector<int>& layer, bool useUp,
                    std::vector<std::pair<double, int>>& keyed) {
  keyed.clear();
  for (int v : layer) {
    const auto& neighbours = useUp ? g.up[size_t(v)] : g.down[size_t(v)];
    double key = g.pos[size_t(v)];
    if (!neighbours.empty()) {
      double sum = 0;
      for (int w : neighbours) sum += g.pos[size_t(w)];
      key = sum / double(neighbours.size());
    }
    keyed.push_back({key, v});
  }
  std::stable_sort(keyed.begin(), keyed.end(),
                   [](const auto& a, const auto& b) { return a.first < b.first; });
  for (size_t i = 0; i < keyed.size(); ++i) {
    layer[i] = keyed[i].second;
    g.pos[size_t(layer[i])] = int(i);
  }
}

// Positions for one layer, in order, as close as possible (weighted least squares) to the desired
// ones while keeping each neighbour pair at least its separation apart: with offsets c_i (the
// running sum of separations) this is isotonic regression of (desired - c), solved by pool
// adjacent violators in linear time.
void placeLayer(const std::vector<double>& desired, const std::vector<double>& weight,
                const std::vector<double>& separation, std::vector<double>& out) {
  const size_t n = desired.size();
  std::vector<double> offset(n, 0);
  for (size_t i = 1; i < n; ++i) offset[i] = offset[i - 1] + separation[i - 1];
  struct Block {
    double weight, weightedSum;
    size_t begin, end;
  };
  std::vector<Block> blocks;
  blocks.reserve(n);
  for (size_t i = 0; i < n; ++i) {
    blocks.push_back({weight[i], weight[i] * (desired[i] - offset[i]), i, i + 1});
    while (blocks.size() > 1) {
      Block& last = blocks.back();
      Block& prev = blocks[blocks.size() - 2];
      if (prev.weightedSum / prev.weight <= last.weightedSum / last.weight) break;
      prev.weight += last.weight;
      prev.weightedSum += last.weightedSum;
      prev.end = last.end;
      blocks.pop_back();
    }
  }
  out.resize(n);
  for (const Block& b : blocks)
    for (size_t i = b.begin; i < b.end; ++i) out[i] = b.weightedSum / b.weight + offset[i];
}

double medianOf(std::vector<double>& values) {
  std::sort(values.begin(), values.end());
  const size_t n = values.size();
  return n % 2 ? values[n / 2] : 0.5 * (values[n / 2 - 1] + values[n / 2]);
}

}  // namespace

GraphLayoutResult SugiyamaLayout::layout(const LayoutGraph& input) const {
  stats_ = {};
  GraphLayoutResult result;
  const int n = static_cast<int>(input.sizes.size());
  result.centers.assign(size_t(n), QPointF());
  result.routes.assign(input.edges.size(), {});
  if (n == 0) return result;

  // Edges as a DAG: self loops dropped, back edges reversed, duplicates laid out once.
  const std::vector<bool> reversed = backEdges(n, input.edges);
  std::map<std::pair<int, int>, int> uniqueIndex;
  std::vector<std::pair<int, int>> unique;
  std::vector<int> uniqueOf(input.edges.size(), -1);
  for (size_t e = 0; e < input.edges.size(); ++e) {
    auto [s, t] = input.edges[e];
    if (s == t || s < 0 || t < 0 || s >= n || t >= n) continue;
    if (reversed[e]) std::swap(s, t);
    auto [it, inserted] = uniqueIndex.try_emplace({s, t}, int(unique.size()));
    if (inserted) unique.push_back({s, t});
    uniqueOf[e] = it->second;
  }

  // 1. Layers by longest path (Kahn's order), then sources next to their first consumer.
  const size_t count = static_cast<size_t>(n);
  std::vector<std::vector<int>> succ(count), pred(count);
  for (auto [s, t] : unique) succ[size_t(s)].push_back(t), pred[size_t(t)].push_back(s);
  std::vector<int> indegree(count), order, rank(count, 0);
  for (int v = 0; v < n; ++v) indegree[size_t(v)] = int(pred[size_t(v)].size());
  for (int v = 0; v < n; ++v)
    if (!indegree[size_t(v)]) order.push_back(v);
  for (size_t i = 0; i < order.size(); ++i)
    for (int w : succ[size_t(order[i])]) {
      rank[size_t(w)] = std::max(rank[size_t(w)], rank[size_t(order[i])] + 1);
      if (--indegree[size_t(w)] == 0) order.push_back(w);
    }
  for (int v = 0; v < n; ++v)
    if (pred[size_t(v)].empty() && !succ[size_t(v)].empty()) {
      int lowest = rank[size_t(succ[size_t(v)][0])];
      for (int w : succ[size_t(v)]) lowest = std::min(lowest, rank[size_t(w)]);
      rank[size_t(v)] = lowest - 1;
    }

  // 2. The layered graph with a dummy vertex wherever an edge crosses a layer.
  LayeredGraph g;
  g.realCount = n;
  for (int v = 0; v < n; ++v) {
    g.addVertex(rank[size_t(v)], input.sizes[size_t(v)].width());
    g.height[size_t(v)] = input.sizes[size_t(v)].height();
  }
  std::vector<std::vector<int>> chain(unique.size());  // dummies of each unique edge, top down
  for (size_t e = 0; e < unique.size(); ++e) {
    auto [s, t] = unique[e];
    int previous = s;
    for (int r = rank[size_t(s)] + 1; r < rank[size_t(t)]; ++r) {
      int d = g.addVertex(r, options_.dummyWidth);
      chain[e].push_back(d);
      g.down[size_t(previous)].push_back(d);
      g.up[size_t(d)].push_back(previous);
      previous = d;
    }
    g.down[size_t(previous)].push_back(t);
    g.up[size_t(t)].push_back(previous);
  }
  const int vertexCount = int(g.rank.size());
  stats_.dummies = vertexCount - n;
  const int layerCount = 1 + *std::max_element(g.rank.begin(), g.rank.end());
  stats_.layers = layerCount;

  // Initial order: depth-first from the sources in input order, so chains stay together.
  g.layers.assign(size_t(layerCount), {});
  g.pos.assign(size_t(vertexCount), -1);
  {
    std::vector<bool> seen(size_t(vertexCount), false);
    std::vector<std::pair<int, size_t>> stack;
    auto visit = [&](int root) {
      if (seen[size_t(root)]) return;
      seen[size_t(root)] = true;
      stack.push_back({root, 0});
      auto& rootLayer = g.layers[size_t(g.rank[size_t(root)])];
      g.pos[size_t(root)] = int(rootLayer.size());
      rootLayer.push_back(root);
      while (!stack.empty()) {
        auto& [v, next] = stack.back();
        if (next >= g.down[size_t(v)].size()) {
          stack.pop_back();
          continue;
        }
        int w = g.down[size_t(v)][next++];
        if (seen[size_t(w)]) continue;
        seen[size_t(w)] = true;
        auto& layer = g.layers[size_t(g.rank[size_t(w)])];
        g.pos[size_t(w)] = int(layer.size());
        layer.push_back(w);
        stack.push_back({w, 0});
      }
    };
    for (int v = 0; v < n; ++v)
      if (g.up[size_t(v)].empty()) visit(v);
    for (int v = 0; v < vertexCount; ++v) visit(v);
  }

  // 3. Crossing reduction: barycenter sweeps, keeping the best order seen.
  long long best = totalCrossings(g);
  stats_.initialCrossings = best;
  std::vector<std::vector<int>> bestLayers = g.layers;
  std::vector<std::pair<double, int>> keyed;
  int sinceImprovement = 0;
  for (int sweep = 0; sweep < options_.crossingSweeps && best > 0 && sinceImprovement < 2;
       ++sweep) {
    for (int r = 1; r < layerCount; ++r) barycenterSort(g, g.layers[size_t(r)], true, keyed);
    for (int r = layerCount - 2; r >= 0; --r) barycenterSort(g, g.layers[size_t(r)], false, keyed);
    long long crossings = totalCrossings(g);
    if (crossings < best) {
      best = crossings;
      bestLayers = g.layers;
      sinceImprovement = 0;
    } else {
      ++sinceImprovement;
    }
  }
  g.layers = std::move(bestLayers);
  for (const auto& layer : g.layers)
    for (size_t i = 0; i < layer.size(); ++i) g.pos[size_t(layer[i])] = int(i);
  stats_.crossings = best;

  // 4. Coordinates. Separation: half widths plus a gap (small between two edges).
  auto separation = [&](int a, int b) {
    const int dummies = int(g.isDummy(a)) + int(g.isDummy(b));
    const double gap = dummies == 2 ? options_.dummyWidth * 0.5
                                    : (dummies == 1 ? options_.nodeGap * 0.5 : options_.nodeGap);
    return 0.5 * (g.width[size_t(a)] + g.width[size_t(b)]) + gap;
  };
  g.x.assign(size_t(vertexCount), 0);
  std::vector<double> desired, weight, sep, placed, around;
  for (const auto& layer : g.layers) {
    double x = 0;
    for (size_t i = 0; i < layer.size(); ++i) {
      if (i) x += separation(layer[i - 1], layer[i]);
      g.x[size_t(layer[i])] = x;
    }
    for (int v : layer) g.x[size_t(v)] -= x / 2;  // centred on 0
  }
  // 0: neighbours above, 1: below, 2: both.
  auto placeAll = [&](int r, int direction) {
    const auto& layer = g.layers[size_t(r)];
    desired.clear(), weight.clear(), sep.clear();
    for (size_t i = 0; i < layer.size(); ++i) {
      const int v = layer[i];
      // A node lines up with its real neighbours when it has any: a residual join (main path
      // plus a skip edge) then sits under the main path instead of halfway towards the skip,
      // which over many blocks would drift a transformer's spine sideways.
      around.clear();
      for (int pass = 0; pass < 2 && around.empty(); ++pass) {
        const bool realOnly = pass == 0 && !g.isDummy(v);
        if (pass == 0 && g.isDummy(v)) continue;
        auto collect = [&](const std::vector<int>& neighbours) {
          for (int w : neighbours)
            if (!realOnly || !g.isDummy(w)) around.push_back(g.x[size_t(w)]);
        };
        if (direction != 1) collect(g.up[size_t(v)]);
        if (direction != 0) collect(g.down[size_t(v)]);
      }
      desired.push_back(around.empty() ? g.x[size_t(v)] : medianOf(around));
      // Real nodes hold their place against passing edges (which step aside instead of pushing
      // the main path over a little at every fork); nodes without neighbours barely pull.
      weight.push_back(around.empty() ? 0.01 : (g.isDummy(v) ? 1.0 : 50.0));
      if (i) sep.push_back(separation(layer[i - 1], v));
    }
    placeLayer(desired, weight, sep, placed);
    for (size_t i = 0; i < layer.size(); ++i) g.x[size_t(layer[i])] = placed[i];
  };
  for (int sweep = 0; sweep < options_.placementSweeps; ++sweep) {
    for (int r = 1; r < layerCount; ++r) placeAll(r, 0);
    for (int r = layerCount - 2; r >= 0; --r) placeAll(r, 1);
  }
  for (int r = 0; r < layerCount; ++r) placeAll(r, 2);

  // y: one row per layer, as tall as its tallest node.
  std::vector<double> rowHeight(size_t(layerCount), 0), rowTop(size_t(layerCount), 0);
  for (int v = 0; v < n; ++v)
    rowHeight[size_t(g.rank[size_t(v)])] =
        std::max(rowHeight[size_t(g.rank[size_t(v)])], g.height[size_t(v)]);
  for (int r = 1; r < layerCount; ++r)
    rowTop[size_t(r)] = rowTop[size_t(r - 1)] + rowHeight[size_t(r - 1)] + options_.layerGap;
  auto centerY = [&](int v) {
    const int r = g.rank[size_t(v)];
    return rowTop[size_t(r)] + rowHeight[size_t(r)] / 2;
  };
  for (int v = 0; v < n; ++v) result.centers[size_t(v)] = QPointF(g.x[size_t(v)], centerY(v));

  // Routes: leave at the source's bottom and enter at the target's top, at ports spread across the
  // node in the order of where the edges come from, so edges into a node do not overlap.
  std::vector<double> outPort(unique.size(), 0), inPort(unique.size(), 0);
  {
    std::vector<std::vector<int>> outEdges(count), inEdges(count);
    for (size_t e = 0; e < unique.size(); ++e) {
      outEdges[size_t(unique[e].first)].push_back(int(e));
      inEdges[size_t(unique[e].second)].push_back(int(e));
    }
    auto firstBelow = [&](int e) {
      return chain[size_t(e)].empty() ? g.x[size_t(unique[size_t(e)].second)]
                                      : g.x[size_t(chain[size_t(e)].front())];
    };
    auto lastAbove = [&](int e) {
      return chain[size_t(e)].empty() ? g.x[size_t(unique[size_t(e)].first)]
                                      : g.x[size_t(chain[size_t(e)].back())];
    };
    auto spread = [&](std::vector<int>& edges, int v, auto key, std::vector<double>& port) {
      std::sort(edges.begin(), edges.end(), [&](int a, int b) { return key(a) < key(b); });
      const double span = 0.6 * g.width[size_t(v)];
      for (size_t i = 0; i < edges.size(); ++i)
        port[size_t(edges[i])] =
            edges.size() == 1 ? 0 : span * (double(i) / double(edges.size() - 1) - 0.5);
    };
    for (int v = 0; v < n; ++v) {
      spread(outEdges[size_t(v)], v, firstBelow, outPort);
      spread(inEdges[size_t(v)], v, lastAbove, inPort);
    }
  }
  for (size_t e = 0; e < input.edges.size(); ++e) {
    const int u = uniqueOf[e];
    if (u < 0) continue;
    auto [s, t] = unique[size_t(u)];
    std::vector<QPointF> route;
    route.reserve(chain[size_t(u)].size() + 2);
    route.emplace_back(g.x[size_t(s)] + outPort[size_t(u)], centerY(s) + g.height[size_t(s)] / 2);
    for (int d : chain[size_t(u)]) route.emplace_back(g.x[size_t(d)], centerY(d));
    route.emplace_back(g.x[size_t(t)] + inPort[size_t(u)], centerY(t) - g.height[size_t(t)] / 2);
    if (reversed[e]) std::reverse(route.begin(), route.end());
    result.routes[e] = std::move(route);
  }

  QRectF bounds;
  for (int v = 0; v < n; ++v) {
    const QSizeF size = input.sizes[size_t(v)];
    bounds |=
        QRectF(result.centers[size_t(v)] - QPointF(size.width() / 2, size.height() / 2), size);
  }
  for (const auto& route : result.routes)
    for (const QPointF& p : route) bounds |= QRectF(p, QSizeF(1, 1));
  result.bounds = bounds;
  return result;
}

}  // namespace algoscope::gui
