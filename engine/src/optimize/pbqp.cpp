// The PBQP solver (pbqp.h). The problem is copied into a graph with adjacency maps and a set of
// nodes ordered by degree, so each reduction finds its node and neighbours in logarithmic time.
// Nodes of degree 0, 1 and 2 are removed exactly (R0, RI, RII) while any exist; RI and RII nodes
// keep their cost vector and edge matrices so that back-substitution can pick their best
// alternative once their neighbours are decided. When every node left has degree 3 or more, each
// connected component small enough is solved by branch and bound, and otherwise the RN heuristic
// fixes one node. Costs are only ever added and compared, never subtracted where they may be
// infinite, so infinities stay +infinity and no NaN appears.
#include "optimize/pbqp.h"

#include <algorithm>
#include <cmath>
#include <map>
#include <numeric>
#include <set>
#include <stdexcept>
#include <string>
#include <utility>

namespace algoscope::pbqp {
namespace {

using Matrix = std::vector<double>;  // row-major

void check_cost(double cost, size_t index, const char* owner, size_t owner_index) {
  if (std::isnan(cost) || cost == -kInfinite)
    throw std::invalid_argument("pbqp: " + std::string(owner) + " " + std::to_string(owner_index) +
                                " cost " + std::to_string(index) + " is " +
                                (std::isnan(cost) ? "NaN" : "-infinity") +
                                " (costs are finite, or kInfinite for a forbidden combination)");
}

void validate(const Problem& problem) {
  const size_t nodes = problem.node_costs.size();
  for (size_t x = 0; x < nodes; ++x) {
    const std::vector<double>& costs = problem.node_costs[x];
    if (costs.empty())
      throw std::invalid_argument("pbqp: node " + std::to_string(x) + " has no alternatives");
    for (size_t i = 0; i < costs.size(); ++i) check_cost(costs[i], i, "node", x);
  }
  for (size_t e = 0; e < problem.edges.size(); ++e) {
    const Edge& edge = problem.edges[e];
    const std::string name = "pbqp: edge " + std::to_string(e);
    if (edge.a >= nodes || edge.b >= nodes)
      throw std::invalid_argument(name + " names node " + std::to_string(std::max(edge.a, edge.b)) +
                                  ", but the problem has only " + std::to_string(nodes) + " nodes");
    if (edge.a == edge.b)
      throw std::invalid_argument(name + " joins node " + std::to_string(edge.a) + " to itself");
    const size_t rows = problem.node_costs[edge.a].size();
    const size_t cols = problem.node_costs[edge.b].size();
    if (edge.costs.size() != rows * cols)
      throw std::invalid_argument(name + " has " + std::to_string(edge.costs.size()) +
                                  " costs, expected " + std::to_string(rows * cols) + " (" +
                                  std::to_string(rows) + " x " + std::to_string(cols) +
                                  " alternatives of nodes " + std::to_string(edge.a) + " and " +
                                  std::to_string(edge.b) + ")");
    for (size_t i = 0; i < edge.costs.size(); ++i) check_cost(edge.costs[i], i, "edge", e);
  }
}

// The cost of a choice of a problem already validated, with every index in range.
double sum_costs(const Problem& problem, const std::vector<size_t>& choice) {
  double total = 0;
  for (size_t x = 0; x < problem.node_costs.size(); ++x) total += problem.node_costs[x][choice[x]];
  for (const Edge& edge : problem.edges)
    total += edge.costs[choice[edge.a] * problem.node_costs[edge.b].size() + choice[edge.b]];
  return total;
}

// The first index of the least value: ties go to the lowest alternative, and a vector that is
// infinite throughout gives alternative 0.
size_t argmin(const std::vector<double>& values) {
  size_t best = 0;
  for (size_t i = 1; i < values.size(); ++i)
    if (values[i] < values[best]) best = i;
  return best;
}

Matrix transposed(const Matrix& matrix, size_t rows, size_t cols) {
  Matrix result(matrix.size());
  for (size_t r = 0; r < rows; ++r)
    for (size_t c = 0; c < cols; ++c) result[c * rows + r] = matrix[r * cols + c];
  return result;
}

// Exhaustive search of one connected component by branch and bound. Nodes are placed so that
// each one is joined to as many placed nodes as possible, which lets the costs of the edges
// between them prune early; alternatives are tried cheapest first, and a branch is cut as soon as
// its cost so far plus a lower bound on the rest cannot beat the best complete choice.
class BranchAndBound {
 public:
  struct Link {
    size_t earlier = 0;  // level of the node at the other end, placed before this one
    Matrix costs;        // costs[a * alternatives(earlier) + b] for this node's a, earlier's b
    size_t earlier_alternatives = 0;
  };
  struct Level {
    std::vector<double> costs;
    std::vector<Link> links;
  };

  explicit BranchAndBound(std::vector<Level> levels)
      : levels_(std::move(levels)),
        rest_bound_(levels_.size() + 1, 0),
        step_(levels_.size()),
        order_(levels_.size()),
        current_(levels_.size(), 0) {
    // Each edge is counted at its later end, so the levels' own bounds add up without overlap.
    for (size_t level = levels_.size(); level-- > 0;) {
      const Level& l = levels_[level];
      double least = kInfinite;
      for (size_t a = 0; a < l.costs.size(); ++a) {
        double bound = l.costs[a];
        for (const Link& link : l.links) {
          const double* row = &link.costs[a * link.earlier_alternatives];
          bound += *std::min_element(row, row + link.earlier_alternatives);
        }
        least = std::min(least, bound);
      }
      rest_bound_[level] = rest_bound_[level + 1] + least;
      step_[level].resize(l.costs.size());
      order_[level].resize(l.costs.size());
    }
  }

  // The best alternative per level.
  std::vector<size_t> solve() {
    // A greedy choice first, so that the search starts with a bound to beat and returns a valid
    // choice even where every combination is infinite.
    double greedy = 0;
    for (size_t level = 0; level < levels_.size(); ++level) {
      compute_step(level);
      current_[level] = argmin(step_[level]);
      greedy += step_[level][current_[level]];
    }
    best_ = greedy;
    best_choice_ = current_;
    descend(0, 0);
    return best_choice_;
  }

 private:
  // step_[level][a]: the cost alternative a adds given the choices of the earlier levels.
  void compute_step(size_t level) {
    const Level& l = levels_[level];
    std::vector<double>& step = step_[level];
    for (size_t a = 0; a < l.costs.size(); ++a) {
      double cost = l.costs[a];
      for (const Link& link : l.links)
        cost += link.costs[a * link.earlier_alternatives + current_[link.earlier]];
      step[a] = cost;
    }
  }

  void descend(size_t level, double cost_so_far) {
    if (level == levels_.size()) {
      if (cost_so_far < best_) {
        best_ = cost_so_far;
        best_choice_ = current_;
      }
      return;
    }
    compute_step(level);
    const std::vector<double>& step = step_[level];
    std::vector<size_t>& order = order_[level];
    std::iota(order.begin(), order.end(), size_t{0});
    std::stable_sort(order.begin(), order.end(),
                     [&](size_t p, size_t q) { return step[p] < step[q]; });
    for (size_t a : order) {
      const double cost = cost_so_far + step[a];
      // Sorted, so no later alternative can do better once one fails (an infinite cost fails).
      if (!(cost + rest_bound_[level + 1] < best_)) break;
      current_[level] = a;
      descend(level + 1, cost);
    }
  }

  std::vector<Level> levels_;
  std::vector<double> rest_bound_;  // a lower bound on what the levels from this one on add
  std::vector<std::vector<double>> step_;
  std::vector<std::vector<size_t>> order_;
  std::vector<size_t> current_;
  std::vector<size_t> best_choice_;
  double best_ = kInfinite;
};

// The reduction of one problem, from copying it into a graph to back-substitution.
class Reducer {
 public:
  Reducer(const Problem& problem, const Options& options)
      : options_(options),
        costs_(problem.node_costs),
        adjacency_(problem.node_costs.size()),
        choice_(problem.node_costs.size(), 0) {
    for (const std::vector<double>& costs : costs_) alternatives_.push_back(costs.size());
    for (size_t x = 0; x < costs_.size(); ++x) by_degree_.insert({0, x});
    for (const Edge& edge : problem.edges) add_edge_costs(edge.a, edge.b, edge.costs);
    // Normalised only once parallel edges are merged: their sum may fold where each alone would
    // not.
    for (size_t id = 0; id < edges_.size(); ++id) fold_if_independent(id);
  }

  Solution run() {
    while (!by_degree_.empty()) {
      const auto [degree, x] = *by_degree_.begin();
      if (degree == 0) {
        reduce_r0(x);
      } else if (degree == 1) {
        reduce_r1(x);
      } else if (degree == 2) {
        reduce_r2(x);
      } else if (!solve_small_components()) {
        // The first node of the highest degree: fixing it removes the most edges at once.
        const size_t highest = by_degree_.rbegin()->first;
        reduce_rn(by_degree_.lower_bound({highest, 0})->second);
      }
    }
    back_substitute();
    Solution solution = std::move(stats_);
    solution.choice = std::move(choice_);
    solution.optimal = solution.rn == 0;
    return solution;
  }

 private:
  struct GraphEdge {
    size_t u = 0, v = 0;
    Matrix costs;  // costs[i * alternatives(v) + j] for u's i, v's j
    bool alive = true;
  };

  // A node removed by RI (one neighbour) or RII (two): what it needs to pick its alternative
  // once the neighbours have theirs.
  struct Elimination {
    size_t node = 0;
    std::vector<double> costs;
    size_t first = 0, second = 0;
    Matrix to_first, to_second;  // rows are the node's alternatives; to_second empty for RI
  };

  size_t degree(size_t x) const { return adjacency_[x].size(); }

  void link(size_t u, size_t v, size_t id) {
    by_degree_.erase({degree(u), u});
    by_degree_.erase({degree(v), v});
    adjacency_[u].emplace(v, id);
    adjacency_[v].emplace(u, id);
    by_degree_.insert({degree(u), u});
    by_degree_.insert({degree(v), v});
  }

  void unlink(size_t id) {
    GraphEdge& edge = edges_[id];
    by_degree_.erase({degree(edge.u), edge.u});
    by_degree_.erase({degree(edge.v), edge.v});
    adjacency_[edge.u].erase(edge.v);
    adjacency_[edge.v].erase(edge.u);
    by_degree_.insert({degree(edge.u), edge.u});
    by_degree_.insert({degree(edge.v), edge.v});
    edge.alive = false;
    edge.costs = Matrix();
  }

  // x must have no edges left.
  void remove_node(size_t x) {
    by_degree_.erase({0, x});
    costs_[x] = std::vector<double>();
  }

  // Adds costs (rows are u's alternatives) to the edge between u and v, creating it if needed.
  size_t add_edge_costs(size_t u, size_t v, const Matrix& costs) {
    const auto found = adjacency_[u].find(v);
    if (found == adjacency_[u].end()) {
      const size_t id = edges_.size();
      edges_.push_back({u, v, costs, true});
      link(u, v, id);
      return id;
    }
    GraphEdge& edge = edges_[found->second];
    if (edge.u == u) {
      for (size_t k = 0; k < costs.size(); ++k) edge.costs[k] += costs[k];
    } else {
      const size_t rows = alternatives_[u], cols = alternatives_[v];
      for (size_t i = 0; i < rows; ++i)
        for (size_t j = 0; j < cols; ++j) edge.costs[j * rows + i] += costs[i * cols + j];
    }
    return found->second;
  }

  // The edge's matrix with rows for `from`'s alternatives; the edge is unlinked.
  Matrix take_edge(size_t id, size_t from) {
    GraphEdge& edge = edges_[id];
    Matrix costs = edge.u == from
                       ? std::move(edge.costs)
                       : transposed(edge.costs, alternatives_[edge.u], alternatives_[edge.v]);
    unlink(id);
    return costs;
  }

  // An edge whose matrix is the sum of a vector over u's alternatives and one over v's does not
  // couple the two choices: both vectors go to the nodes and the edge goes, lowering degrees.
  // Rows or columns that are infinite throughout become infinite node costs; the finite rest must
  // split exactly (checked by adding back), so folding never changes a combination's cost. The
  // all-zero matrix is the common case.
  void fold_if_independent(size_t id) {
    GraphEdge& edge = edges_[id];
    if (!edge.alive) return;
    const size_t rows = alternatives_[edge.u], cols = alternatives_[edge.v];
    const Matrix& costs = edge.costs;
    std::vector<double> row_part(rows, kInfinite), col_part(cols, kInfinite);
    if (rows == 1) {
      row_part[0] = 0;
      col_part = costs;
    } else if (cols == 1) {
      col_part[0] = 0;
      row_part = costs;
    } else {
      std::vector<bool> row_finite(rows, false), col_finite(cols, false);
      for (size_t i = 0; i < rows; ++i)
        for (size_t j = 0; j < cols; ++j)
          if (std::isfinite(costs[i * cols + j])) row_finite[i] = col_finite[j] = true;
      const size_t first_row =
          std::find(row_finite.begin(), row_finite.end(), true) - row_finite.begin();
      const size_t first_col =
          std::find(col_finite.begin(), col_finite.end(), true) - col_finite.begin();
      if (first_row == rows) {
        std::fill(col_part.begin(), col_part.end(), 0.0);  // every combination is forbidden
      } else {
        for (size_t i = 0; i < rows; ++i)
          if (row_finite[i]) row_part[i] = costs[i * cols + first_col];
        for (size_t j = 0; j < cols; ++j) {
          if (!col_finite[j]) continue;
          const double reference = costs[first_row * cols + first_col];
          const double entry = costs[first_row * cols + j];
          if (!std::isfinite(reference) || !std::isfinite(entry)) return;
          col_part[j] = entry - reference;
          if (!std::isfinite(col_part[j])) return;
        }
        for (size_t i = 0; i < rows; ++i) {
          if (!row_finite[i]) continue;
          for (size_t j = 0; j < cols; ++j) {
            if (!col_finite[j]) continue;
            const double entry = costs[i * cols + j];
            if (!std::isfinite(entry) || entry != row_part[i] + col_part[j]) return;
          }
        }
      }
    }
    for (size_t i = 0; i < rows; ++i) costs_[edge.u][i] += row_part[i];
    for (size_t j = 0; j < cols; ++j) costs_[edge.v][j] += col_part[j];
    unlink(id);
  }

  void reduce_r0(size_t x) {
    choice_[x] = argmin(costs_[x]);
    remove_node(x);
    ++stats_.r0;
  }

  // y's cost of j gains the least that x costs alongside it.
  void reduce_r1(size_t x) {
    const auto [y, id] = *adjacency_[x].begin();
    Matrix to_y = take_edge(id, x);
    const std::vector<double>& cx = costs_[x];
    const size_t ny = alternatives_[y];
    std::vector<double> least(ny, kInfinite);
    for (size_t i = 0; i < cx.size(); ++i)
      for (size_t j = 0; j < ny; ++j) least[j] = std::min(least[j], cx[i] + to_y[i * ny + j]);
    for (size_t j = 0; j < ny; ++j) costs_[y][j] += least[j];
    eliminations_.push_back({x, std::move(costs_[x]), y, 0, std::move(to_y), Matrix()});
    remove_node(x);
    ++stats_.r1;
  }

  // The y-z edge gains, for each pair (j, k), the least that x costs alongside it.
  void reduce_r2(size_t x) {
    auto neighbour = adjacency_[x].begin();
    const auto [y, y_edge] = *neighbour++;
    const auto [z, z_edge] = *neighbour;
    Matrix to_y = take_edge(y_edge, x);
    Matrix to_z = take_edge(z_edge, x);
    const std::vector<double>& cx = costs_[x];
    const size_t ny = alternatives_[y], nz = alternatives_[z];
    Matrix least(ny * nz, kInfinite);
    for (size_t i = 0; i < cx.size(); ++i) {
      for (size_t j = 0; j < ny; ++j) {
        const double base = cx[i] + to_y[i * ny + j];
        if (base == kInfinite) continue;  // cannot lower any minimum
        double* row = &least[j * nz];
        const double* z_row = &to_z[i * nz];
        for (size_t k = 0; k < nz; ++k) row[k] = std::min(row[k], base + z_row[k]);
      }
    }
    fold_if_independent(add_edge_costs(y, z, least));
    eliminations_.push_back({x, std::move(costs_[x]), y, z, std::move(to_y), std::move(to_z)});
    remove_node(x);
    ++stats_.r2;
  }

  // Fixes x to the alternative that looks cheapest counting each neighbour's best response, then
  // folds the chosen row of each edge into the neighbour.
  void reduce_rn(size_t x) {
    const std::vector<double>& cx = costs_[x];
    const size_t nx = cx.size();
    // The cost of x's i in the edge to y, whichever way round the edge is stored.
    const auto entry = [&](const GraphEdge& edge, size_t i, size_t j) {
      return edge.u == x ? edge.costs[i * alternatives_[edge.v] + j] : edge.costs[j * nx + i];
    };
    size_t best = 0;
    double best_estimate = kInfinite;
    for (size_t i = 0; i < nx; ++i) {
      double estimate = cx[i];
      for (const auto& [y, id] : adjacency_[x]) {
        const std::vector<double>& cy = costs_[y];
        double least = kInfinite;
        for (size_t j = 0; j < cy.size(); ++j)
          least = std::min(least, entry(edges_[id], i, j) + cy[j]);
        estimate += least;
      }
      if (estimate < best_estimate) {
        best_estimate = estimate;
        best = i;
      }
    }
    while (!adjacency_[x].empty()) {
      const auto [y, id] = *adjacency_[x].begin();
      for (size_t j = 0; j < alternatives_[y]; ++j) costs_[y][j] += entry(edges_[id], best, j);
      unlink(id);
    }
    choice_[x] = best;
    remove_node(x);
    ++stats_.rn;
  }

  // Solves each connected component of what is left that has at most exhaustive_limit
  // combinations; false when none has.
  bool solve_small_components() {
    if (!(options_.exhaustive_limit >= 1)) return false;
    std::vector<size_t> remaining;
    for (const auto& [degree, x] : by_degree_) remaining.push_back(x);
    std::sort(remaining.begin(), remaining.end());
    std::vector<bool> seen(costs_.size(), false);
    bool solved = false;
    for (size_t start : remaining) {
      if (seen[start]) continue;
      std::vector<size_t> component{start};
      seen[start] = true;
      double combinations = 1;
      for (size_t k = 0; k < component.size(); ++k) {
        combinations *= double(alternatives_[component[k]]);
        for (const auto& [y, id] : adjacency_[component[k]]) {
          if (!seen[y]) {
            seen[y] = true;
            component.push_back(y);
          }
        }
      }
      if (combinations <= options_.exhaustive_limit) {
        solve_exactly(component);
        solved = true;
      }
    }
    return solved;
  }

  void solve_exactly(const std::vector<size_t>& component) {
    // Placement order: the first node of the highest degree, then always the node with the most
    // edges to placed nodes (then the highest degree, then the lowest index).
    std::vector<size_t> order;
    std::map<size_t, size_t> level_of;
    std::set<size_t> unplaced(component.begin(), component.end());
    std::map<size_t, size_t> placed_neighbours;
    while (!unplaced.empty()) {
      size_t next = *unplaced.begin();
      for (size_t x : unplaced) {
        const auto key = [&](size_t node) {
          return std::make_pair(placed_neighbours[node], degree(node));
        };
        if (key(x) > key(next)) next = x;
      }
      unplaced.erase(next);
      level_of[next] = order.size();
      order.push_back(next);
      for (const auto& [y, id] : adjacency_[next]) ++placed_neighbours[y];
    }

    std::vector<BranchAndBound::Level> levels(order.size());
    for (size_t level = 0; level < order.size(); ++level) {
      const size_t x = order[level];
      levels[level].costs = costs_[x];
      for (const auto& [y, id] : adjacency_[x]) {
        const size_t earlier = level_of.at(y);
        if (earlier > level) continue;
        const GraphEdge& edge = edges_[id];
        Matrix costs = edge.u == x
                           ? edge.costs
                           : transposed(edge.costs, alternatives_[edge.u], alternatives_[x]);
        levels[level].links.push_back({earlier, std::move(costs), alternatives_[y]});
      }
    }
    const std::vector<size_t> best = BranchAndBound(std::move(levels)).solve();
    for (size_t level = 0; level < order.size(); ++level) {
      const size_t x = order[level];
      choice_[x] = best[level];
      while (!adjacency_[x].empty()) unlink(adjacency_[x].begin()->second);
    }
    for (size_t x : order) remove_node(x);
    stats_.exhaustive_nodes += order.size();
  }

  // Latest removed first: each RI/RII node's neighbours were removed after it, so they are
  // decided by the time it is.
  void back_substitute() {
    for (auto it = eliminations_.rbegin(); it != eliminations_.rend(); ++it) {
      const Elimination& e = *it;
      std::vector<double> total = e.costs;
      const size_t n_first = alternatives_[e.first];
      for (size_t i = 0; i < total.size(); ++i) {
        total[i] += e.to_first[i * n_first + choice_[e.first]];
        if (!e.to_second.empty())
          total[i] += e.to_second[i * alternatives_[e.second] + choice_[e.second]];
      }
      choice_[e.node] = argmin(total);
    }
  }

  const Options& options_;
  std::vector<std::vector<double>> costs_;  // emptied when a node is removed
  std::vector<size_t> alternatives_;
  std::vector<GraphEdge> edges_;
  std::vector<std::map<size_t, size_t>> adjacency_;  // per node: neighbour -> edge id
  std::set<std::pair<size_t, size_t>> by_degree_;    // (degree, node) of the nodes not removed
  std::vector<Elimination> eliminations_;
  std::vector<size_t> choice_;
  Solution stats_;
};

// Local search on one problem: each node in turn takes its cheapest alternative given the others'
// choices, until none moves. Each move lowers the total (a finite cost is lower than an infinite
// one), so it ends. The problem and the choices given are valid.
class LocalSearch {
 public:
  explicit LocalSearch(const Problem& problem)
      : problem_(problem), incident_(problem.node_costs.size()) {
    for (const Edge& edge : problem.edges) {
      incident_[edge.a].push_back(&edge);
      incident_[edge.b].push_back(&edge);
    }
  }

  double improve(std::vector<size_t>& choice) const {
    for (bool moved = true; moved;) {
      moved = false;
      for (size_t x = 0; x < choice.size(); ++x) {
        double best = local_cost(choice, x, choice[x]);
        for (size_t i = 0; i < problem_.node_costs[x].size(); ++i) {
          const double cost = local_cost(choice, x, i);
          // Strictly lower by more than rounding, so that no two moves undo each other.
          if (cost < best && (std::isinf(best) || cost < best - 1e-12 * std::fabs(best))) {
            best = cost;
            choice[x] = i;
            moved = true;
          }
        }
      }
    }
    return sum_costs(problem_, choice);
  }

 private:
  // What node x costs with alternative i, the others as chosen.
  double local_cost(const std::vector<size_t>& choice, size_t x, size_t i) const {
    double cost = problem_.node_costs[x][i];
    for (const Edge* edge : incident_[x]) {
      const size_t cols = problem_.node_costs[edge->b].size();
      cost += edge->a == x ? edge->costs[i * cols + choice[edge->b]]
                           : edge->costs[choice[edge->a] * cols + i];
    }
    return cost;
  }

  const Problem& problem_;
  std::vector<std::vector<const Edge*>> incident_;
};

}  // namespace

double cost_of(const Problem& problem, const std::vector<size_t>& choice) {
  validate(problem);
  if (choice.size() != problem.node_costs.size())
    throw std::invalid_argument("pbqp: the choice has " + std::to_string(choice.size()) +
                                " entries for " + std::to_string(problem.node_costs.size()) +
                                " nodes");
  for (size_t x = 0; x < choice.size(); ++x)
    if (choice[x] >= problem.node_costs[x].size())
      throw std::invalid_argument("pbqp: the choice picks alternative " +
                                  std::to_string(choice[x]) + " of node " + std::to_string(x) +
                                  ", which has " + std::to_string(problem.node_costs[x].size()));
  return sum_costs(problem, choice);
}

double improve_locally(const Problem& problem, std::vector<size_t>& choice) {
  cost_of(problem, choice);  // throws for a malformed problem or choice
  return LocalSearch(problem).improve(choice);
}

Solution solve(const Problem& problem, const Options& options) {
  validate(problem);
  Solution solution = Reducer(problem, options).run();
  solution.cost = sum_costs(problem, solution.choice);
  if (solution.optimal || !options.improve) return solution;
  // RN's solution, then each start, improved locally: the cheapest wins (the first among equals).
  const LocalSearch search(problem);
  solution.cost = search.improve(solution.choice);
  for (size_t k = 0; k < options.starts.size(); ++k) {
    std::vector<size_t> choice = options.starts[k];
    bool valid = choice.size() == problem.node_costs.size();
    for (size_t x = 0; valid && x < choice.size(); ++x)
      valid = choice[x] < problem.node_costs[x].size();
    if (!valid) continue;
    const double cost = search.improve(choice);
    if (cost < solution.cost) {
      solution.cost = cost;
      solution.choice = std::move(choice);
      solution.from_start = static_cast<int>(k);
    }
  }
  return solution;
}

Solution solve_exhaustively(const Problem& problem) {
  validate(problem);
  const size_t nodes = problem.node_costs.size();
  double combinations = 1;
  for (const std::vector<double>& costs : problem.node_costs) combinations *= double(costs.size());
  if (combinations > 0x1p40)
    throw std::invalid_argument("pbqp: solve_exhaustively given " + std::to_string(combinations) +
                                " combinations, more than 2^40");

  // Each edge is added when its later node is chosen.
  struct Incoming {
    size_t other;
    const Edge* edge;
    bool node_is_a;
  };
  std::vector<std::vector<Incoming>> incoming(nodes);
  for (const Edge& edge : problem.edges) {
    const size_t later = std::max(edge.a, edge.b);
    incoming[later].push_back({std::min(edge.a, edge.b), &edge, later == edge.a});
  }

  Solution solution;
  solution.choice.assign(nodes, 0);
  std::vector<size_t> current(nodes, 0);
  double best = kInfinite;
  const auto edge_cost = [&](const Incoming& in, size_t mine) {
    const size_t cols = problem.node_costs[in.edge->b].size();
    return in.node_is_a ? in.edge->costs[mine * cols + current[in.other]]
                        : in.edge->costs[current[in.other] * cols + mine];
  };
  const auto enumerate = [&](const auto& self, size_t x, double cost_so_far) -> void {
    if (x == nodes) {
      if (cost_so_far < best) {
        best = cost_so_far;
        solution.choice = current;
      }
      return;
    }
    for (size_t i = 0; i < problem.node_costs[x].size(); ++i) {
      double cost = cost_so_far + problem.node_costs[x][i];
      for (const Incoming& in : incoming[x]) cost += edge_cost(in, i);
      current[x] = i;
      self(self, x + 1, cost);
    }
  };
  enumerate(enumerate, 0, 0.0);

  solution.cost = sum_costs(problem, solution.choice);
  solution.optimal = true;
  solution.exhaustive_nodes = nodes;
  return solution;
}

}  // namespace algoscope::pbqp
