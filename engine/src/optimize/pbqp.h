// A solver for the partitioned boolean quadratic problem (PBQP, Scholz & Eckstein 2002), which
// picks one alternative per node so that the sum of node costs and pairwise edge costs is least.
// Anderson & Gregg (CGO 2018) cast the choice of a primitive per DNN layer this way: a node is a
// layer, its alternatives are the algorithms, node costs are their run times and an edge's matrix
// is the cost of converting data between the layouts two neighbouring choices use. The exact
// reductions R0, RI and RII solve trees and series-parallel graphs optimally; what is left is
// solved by branch and bound when small, and by the RN heuristic otherwise.
#pragma once

#include <cstddef>
#include <limits>
#include <vector>

namespace algoscope::pbqp {

// A cost that rules a combination out. Costs are finite or +infinity; NaN and -infinity are
// malformed (they would turn the solver's sums into NaN).
inline constexpr double kInfinite = std::numeric_limits<double>::infinity();

struct Edge {
  size_t a = 0, b = 0;  // node indices, a != b
  // Row-major: costs[i * alternatives(b) + j] for a's alternative i and b's alternative j.
  std::vector<double> costs;
};

struct Problem {
  std::vector<std::vector<double>> node_costs;  // per node, one cost per alternative (>= 1 each)
  std::vector<Edge> edges;                      // several edges between one pair of nodes add up
};

struct Options {
  // When the graph left after the exact reductions has at most this many combinations of
  // alternatives (counted per connected component), it is solved by exhaustive search (branch and
  // bound) instead of the RN heuristic. 0 always uses RN there.
  double exhaustive_limit = 1 << 20;
  // Where RN was used, improve its solution by local search (improve_locally), and the starts.
  bool improve = true;
  // Complete choices known beforehand (plans already timed, say). Where RN was used, the RN
  // solution and each of these are improved by local search (each node in turn takes its
  // cheapest alternative given the others, until none changes) and the cheapest is returned, so
  // the solution is never worse than a start. Starts of the wrong size or out of range are
  // ignored.
  std::vector<std::vector<size_t>> starts;
};

struct Solution {
  std::vector<size_t> choice;  // per node, the chosen alternative
  // cost_of(problem, choice): kInfinite when no finite choice exists, or (when RN was used, so not
  // optimal) when the heuristic found none.
  double cost = 0;
  bool optimal = false;  // true when only R0/RI/RII and exhaustive search were used
  // How many nodes each step removed; they add up to the number of nodes.
  size_t r0 = 0, r1 = 0, r2 = 0, rn = 0, exhaustive_nodes = 0;
  // Where RN was used: the start the solution came from after local search (Options::starts'
  // index), or -1 for RN's own solution.
  int from_start = -1;
};

// The sum of the chosen node costs and edge costs. Throws std::invalid_argument for a malformed
// problem or a choice of the wrong size or out of range.
double cost_of(const Problem& problem, const std::vector<size_t>& choice);

// Lowers the cost of `choice` by moving one node at a time to its cheapest alternative given the
// others' choices, until no move lowers it (every move does, so it ends). Returns the new cost.
double improve_locally(const Problem& problem, std::vector<size_t>& choice);

// Solves the problem: optimally when Solution::optimal says so, heuristically otherwise. Ties
// break to the lowest alternative; the result depends only on the problem and options. Throws
// std::invalid_argument with a message naming the fault for a malformed problem (a node with no
// alternatives, an edge naming a missing node or joining a node to itself, costs of the wrong
// size, NaN or -infinity costs).
Solution solve(const Problem& problem, const Options& options = {});

// Plain enumeration of every combination (lexicographically first among equals); exponential, for
// tests and tiny problems. Throws std::invalid_argument for a malformed problem or one with more
// than 2^40 combinations.
Solution solve_exhaustively(const Problem& problem);

}  // namespace algoscope::pbqp
