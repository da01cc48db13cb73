// The plan optimizer: every layer's algorithm chosen together, with the cost of what flows between
// layers (Anderson & Gregg, CGO 2018). A layer's placements are its measured candidates, each with
// the layout of every port it can run natively (oneDNN's blocked or channels-last values) and the
// memory space it runs in. A placement costs its kernel's time alone less the conversions its
// native ports skip; a value costs nothing between placements that agree on its layout and space,
// the measured copy between spaces, and is forbidden between disagreeing layouts (the session
// stores a value natively only when its producer and every reader agree). The cheapest plan is a
// PBQP over these costs (pbqp.h).
#pragma once

#include <functional>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "algoscope/graph.h"
#include "algoscope/measure.h"
#include "algoscope/registry.h"

namespace algoscope::optimize {

// A layer's port as a placement leaves it: plain (no layout), in one native layout, or (a channel
// Concat carrying its neighbours' layout) in any layout with that layout's channel_concat_key.
struct PortLayout {
  std::optional<NativeLayout> layout;
  bool concat_key_only = false;
  bool compatible_with(const PortLayout& other) const;
};

struct Placement {
  size_t candidate = 0;  // in the layer's TunedLayer::candidates
  std::vector<PortLayout> inputs, outputs;
  double alone_ms = 0;        // the candidate's median timed alone (plain values)
  double conversions_ms = 0;  // the conversions its native ports skip
  double transfers_ms = 0;    // copies of graph inputs and outputs to and from its space
  double cost_ms() const { return alone_ms - conversions_ms + transfers_ms; }
  size_t native_ports() const;
};

// A value between two layers that costs something in a plan: a copy between memory spaces, or
// reorders its producer or reader pays because the two do not agree on a native layout (the
// producer's once per value, on the link to its first reader).
struct ValueCost {
  std::string value;
  size_t producer = 0, reader = 0;  // layer indices
  std::string from_space, to_space;
  double copy_ms = 0, conversion_ms = 0;
};

struct Prediction {
  std::vector<size_t> placement;  // per layer, in CostModel::placements[layer]
  double predicted_ms = 0;        // Σ placement costs + Σ value costs
  double kernels_ms = 0, transfers_ms = 0, conversions_saved_ms = 0;
  std::vector<ValueCost> value_costs;
  bool optimal = false;  // the solver proved it optimal (pbqp::Solution::optimal)
  bool feasible = true;  // false when the restriction left some layer without a placement
};

class CostModel {
 public:
  // `layers`: tune's layers in node order, one per node of `model`.
  CostModel(const Model& model, const std::vector<TunedLayer>& layers, const Registry& registry);

  // The cheapest plan among the placements `allowed` keeps (all when empty). Where the solver
  // has to use its heuristic, `known` plans (Prediction::placement of plans timed already) are
  // improved locally beside its solution and the cheapest wins: never worse than one of them.
  using Filter = std::function<bool(size_t layer, const AlgorithmTiming& candidate)>;
  Prediction optimize(const Filter& allowed = {},
                      const std::vector<std::vector<size_t>>& known = {}) const;
  // The cost of the plan giving each layer `algorithms[layer]`: with the layouts the session
  // negotiated for it where `native` (Session::in_native_layout of its compiled plan) is given,
  // else the cheapest ones. The session stores a value natively wherever its producer and readers
  // agree, even where plain values would cost less (a channels-last Concat copying pixel by
  // pixel, say), so the optimizer's free choice of layouts can miss what the session does.
  using NativeValues = std::function<bool(const std::string& value)>;
  Prediction predict(const std::vector<std::string>& algorithms,
                     const NativeValues& native = {}) const;
  // Whether `placement` of `layer` stores `value` natively on any of its ports.
  bool stores_natively(size_t layer, const Placement& placement, const std::string& value) const;

  // Costs from the model's runs: each placement a session ran (layer, placement index) takes the
  // kernel time the run measured (least over the runs given), and every other placement is
  // scaled by the median ratio of run to isolated times among those. A layer timed alone runs on
  // warm caches that the model's other layers empty, so isolated times predict whole runs low.
  using Observations = std::map<std::pair<size_t, size_t>, double>;
  void calibrate(const Observations& observed);
  double calibration_scale() const { return scale_; }

  const std::vector<std::vector<Placement>>& placements() const { return placements_; }
  const TunedLayer& layer(size_t i) const { return layers_[i]; }
  const AlgorithmTiming& candidate(size_t layer, size_t placement) const {
    return layers_[layer].candidates[placements_[layer][placement].candidate];
  }
  size_t size() const { return placements_.size(); }

 private:
  struct Link {  // a value from a producer's output port to a reader's input port
    size_t producer, output, reader, input;
    std::string value;
  };
  double link_cost(const Link& link, const Placement& from, const Placement& to) const;
  using PlacementFilter = std::function<bool(size_t layer, const Placement& placement)>;
  Prediction optimize_placements(const PlacementFilter& allowed,
                                 const std::vector<std::vector<size_t>>& known = {}) const;
  const Model& model_;
  const std::vector<TunedLayer>& layers_;
  std::vector<std::vector<Placement>> placements_;
  std::vector<Link> links_;
  double scale_ = 1;
};

}  // namespace algoscope::optimize
