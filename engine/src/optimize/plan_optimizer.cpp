// See plan_optimizer.h. The placements follow the session's layout negotiation
// (session/layouts.cpp): kernels that offer a native layout on a port may run it natively, and
// kernels that carry layouts through (elementwise ones, channel Concats, channels-last ones) may
// carry any layout that the kernels at the far ends of their chain offer. Pairwise constraints
// between each value's producer and each of its readers then enforce what negotiation demands:
// all of them agree, or the value stays plain.
#include "optimize/plan_optimizer.h"

#include <algorithm>
#include <map>
#include <numeric>
#include <set>
#include <unordered_map>

#include "algoscope/error.h"
#include "optimize/pbqp.h"

namespace algoscope::optimize {
namespace {

constexpr double kForbidden = pbqp::kInfinite;

// Values joined by kernels that may carry one layout through them: they can only be native
// together, in a layout that some kernel at the chain's ends offers.
class ValueGroups {
 public:
  size_t root(const std::string& value) {
    auto [it, inserted] = index_.emplace(value, parent_.size());
    if (inserted) parent_.push_back(parent_.size());
    size_t v = it->second;
    while (parent_[v] != v) v = parent_[v] = parent_[parent_[v]];
    return v;
  }
  void join(const std::string& a, const std::string& b) {
    const size_t ra = root(a), rb = root(b);
    parent_[rb] = ra;
  }

 private:
  std::unordered_map<std::string, size_t> index_;
  std::vector<size_t> parent_;
};

// The ports a carrying kernel takes its layout through.
std::vector<std::pair<bool, size_t>> carried_ports(LayoutCarrying carrying, const Node& node) {
  std::vector<std::pair<bool, size_t>> ports;
  switch (carrying) {
    case LayoutCarrying::none:
      break;
    case LayoutCarrying::any_layout:
      for (size_t i = 0; i < node.inputs.size(); ++i) ports.emplace_back(false, i);
      for (size_t k = 0; k < node.outputs.size(); ++k) ports.emplace_back(true, k);
      break;
    case LayoutCarrying::channel_concat:
      for (size_t i = 0; i < node.inputs.size(); ++i) ports.emplace_back(false, i);
      ports.emplace_back(true, 0);
      break;
    case LayoutCarrying::channels_last:
      ports = {{false, 0}, {true, 0}};
      break;
  }
  return ports;
}

const std::string& port_value(const Node& node, bool output, size_t index) {
  return output ? node.outputs[index] : node.inputs[index];
}

}  // namespace

bool PortLayout::compatible_with(const PortLayout& other) const {
  if (!layout || !other.layout) return !layout && !other.layout;
  if (concat_key_only || other.concat_key_only)
    return !layout->channel_concat_key.empty() &&
           layout->channel_concat_key == other.layout->channel_concat_key;
  return layout->key == other.layout->key;
}

size_t Placement::native_ports() const {
  size_t n = 0;
  for (const auto* ports : {&inputs, &outputs})
    for (const PortLayout& p : *ports) n += p.layout.has_value();
  return n;
}

CostModel::CostModel(const Model& model, const std::vector<TunedLayer>& layers,
                     const Registry& registry)
    : model_(model), layers_(layers) {
  const size_t n = model.nodes.size();
  if (layers.size() != n)
    throw Error("the plan optimizer needs every layer measured (" + std::to_string(layers.size()) +
                " of " + std::to_string(n) + ")");
  std::set<std::string> graph_outputs(model.outputs.begin(), model.outputs.end());
  std::map<std::string, std::pair<size_t, size_t>> producer;
  std::map<std::string, size_t> reader_count;
  for (size_t i = 0; i < n; ++i) {
    for (size_t k = 0; k < model.nodes[i].outputs.size(); ++k)
      if (!model.nodes[i].outputs[k].empty()) producer[model.nodes[i].outputs[k]] = {i, k};
    for (const std::string& v : model.nodes[i].inputs)
      if (!v.empty()) ++reader_count[v];
  }
  // A value may be native only between layers: graph inputs, constants and outputs are plain, and
  // a value nothing reads gains nothing.
  auto may_be_native = [&](const std::string& value) {
    return !value.empty() && producer.count(value) && !graph_outputs.count(value) &&
           reader_count[value] > 0;
  };
  auto shape_of = [&](const std::string& value) {
    const ValueInfo* info = model.find_value(value);
    return info && info->known ? info->info.shape : Shape{};
  };

  // The candidates a plan may choose: usable and fully timed (choose_algorithm's rule), else the
  // layer's own choice (reference where nothing else was usable).
  std::vector<std::vector<size_t>> usable(n);
  for (size_t i = 0; i < n; ++i) {
    const OpDefinition* op = registry.find_op(layers[i].op_type);
    for (size_t c = 0; c < layers[i].candidates.size(); ++c)
      if (choose_algorithm({layers[i].candidates[c]}, op).chosen) usable[i].push_back(c);
    if (usable[i].empty())
      for (size_t c = 0; c < layers[i].candidates.size(); ++c)
        if (layers[i].candidates[c].algorithm == layers[i].algorithm) usable[i].push_back(c);
    if (usable[i].empty())
      throw Error("layer '" + layers[i].node + "' has no measured algorithm to plan with");
  }

  // Chains of carrying kernels, and the layouts offered at their ends.
  ValueGroups groups;
  for (size_t i = 0; i < n; ++i) {
    const Node& node = model.nodes[i];
    for (size_t c : usable[i]) {
      const auto ports = carried_ports(layers[i].candidates[c].carrying, node);
      for (size_t p = 1; p < ports.size(); ++p) {
        const std::string& a = port_value(node, ports[0].first, ports[0].second);
        const std::string& b = port_value(node, ports[p].first, ports[p].second);
        if (!a.empty() && !b.empty()) groups.join(a, b);
      }
    }
  }
  std::map<size_t, std::vector<std::pair<NativeLayout, Shape>>> offers;  // group -> layouts
  for (size_t i = 0; i < n; ++i)
    for (size_t c : usable[i])
      for (const NativePort& port : layers[i].candidates[c].native_ports) {
        const std::string& value = port_value(model.nodes[i], port.output, port.index);
        if (!may_be_native(value)) continue;
        auto& list = offers[groups.root(value)];
        const bool known = std::any_of(list.begin(), list.end(), [&](const auto& offer) {
          return offer.first.key == port.layout.key;
        });
        if (!known) list.emplace_back(port.layout, shape_of(value));
      }

  placements_.resize(n);
  for (size_t i = 0; i < n; ++i) {
    const Node& node = model.nodes[i];
    for (size_t c : usable[i]) {
      const AlgorithmTiming& t = layers[i].candidates[c];
      Placement plain{c,
                      std::vector<PortLayout>(node.inputs.size()),
                      std::vector<PortLayout>(node.outputs.size()),
                      t.time.median_ms,
                      0,
                      0};
      // A device kernel copies graph inputs in and graph outputs out itself.
      for (size_t m = 0; m < node.inputs.size() && m < t.upload_ms.size(); ++m)
        if (!node.inputs[m].empty() && !producer.count(node.inputs[m]) &&
            !model.constants.count(node.inputs[m]))
          plain.transfers_ms += t.upload_ms[m];
      for (size_t k = 0; k < node.outputs.size() && k < t.download_ms.size(); ++k)
        if (graph_outputs.count(node.outputs[k])) plain.transfers_ms += t.download_ms[k];

      // A kernel whose buffers the session shares copies only what cannot be shared: a Concat
      // the inputs that other layers read too or that no layer makes, a Reshape nothing at all
      // when a layer makes its input (session/sharing.cpp).
      if (t.shares_buffers) {
        double all = 0, copied = 0;
        for (size_t m = 0; m < node.inputs.size(); ++m) {
          const ValueInfo* info = model.find_value(node.inputs[m]);
          const double bytes = info && info->known ? double(info->info.bytes()) : 0;
          const bool shared = producer.count(node.inputs[m]) &&
                              (node.op_type != "Concat" || reader_count[node.inputs[m]] == 1);
          if (node.op_type != "Concat" && m > 0) continue;
          all += bytes;
          copied += shared ? 0 : bytes;
        }
        if (all > 0) plain.alone_ms *= copied / all;
      }
      if (t.carrying != LayoutCarrying::none) {
        placements_[i].push_back(plain);
        const auto ports = carried_ports(t.carrying, node);
        bool all_may = true;
        for (const auto& [output, index] : ports)
          all_may &= may_be_native(port_value(node, output, index));
        if (!all_may) continue;
        const std::string& first = port_value(node, ports.back().first, ports.back().second);
        const Shape shape = shape_of(first);
        std::set<std::string> seen;
        for (const auto& [layout, offered_shape] : offers[groups.root(first)]) {
          const bool concat = t.carrying == LayoutCarrying::channel_concat;
          if (concat ? layout.channel_concat_key.empty() : offered_shape != shape) continue;
          if (t.carrying == LayoutCarrying::channels_last && !layout.channels_last) continue;
          if (!seen.insert(concat ? layout.channel_concat_key : layout.key).second) continue;
          Placement carried = plain;
          // Channels-last values are copied pixel by pixel (Concat) or strided (channels-last
          // kernels), at the time measured so; blocked ones share buffers like plain ones.
          if (layout.channels_last && t.channels_last_ms > 0) carried.alone_ms = t.channels_last_ms;
          for (const auto& [output, index] : ports)
            (output ? carried.outputs : carried.inputs)[index] = PortLayout{layout, concat};
          placements_[i].push_back(std::move(carried));
        }
        continue;
      }
      std::vector<const NativePort*> ports;
      for (const NativePort& port : t.native_ports)
        if (may_be_native(port_value(node, port.output, port.index))) ports.push_back(&port);
      // Every subset of its native ports: a layer at the edge of a oneDNN chain takes its input
      // natively and gives its output plain.
      for (size_t mask = 0; mask < (size_t{1} << ports.size()); ++mask) {
        Placement p = plain;
        for (size_t b = 0; b < ports.size(); ++b)
          if (mask & (size_t{1} << b)) {
            (ports[b]->output ? p.outputs : p.inputs)[ports[b]->index] =
                PortLayout{ports[b]->layout, false};
            p.conversions_ms += ports[b]->conversion_ms;
          }
        placements_[i].push_back(std::move(p));
      }
    }
  }

  for (size_t r = 0; r < n; ++r)
    for (size_t m = 0; m < model.nodes[r].inputs.size(); ++m) {
      const std::string& value = model.nodes[r].inputs[m];
      auto made = producer.find(value);
      if (value.empty() || made == producer.end()) continue;
      links_.push_back({made->second.first, made->second.second, r, m, value});
    }
}

void CostModel::calibrate(const Observations& observed) {
  std::vector<double> ratios;
  for (const auto& [at, ms] : observed) {
    const Placement& p = placements_.at(at.first).at(at.second);
    if (p.alone_ms - p.conversions_ms > 1e-6)
      ratios.push_back(ms / (p.alone_ms - p.conversions_ms));
  }
  if (!ratios.empty()) {
    std::sort(ratios.begin(), ratios.end());
    const size_t n = ratios.size();
    scale_ = n % 2 ? ratios[n / 2] : (ratios[n / 2 - 1] + ratios[n / 2]) / 2;
  }
  for (size_t i = 0; i < placements_.size(); ++i)
    for (size_t k = 0; k < placements_[i].size(); ++k) {
      Placement& p = placements_[i][k];
      p.conversions_ms *= scale_;
      auto seen = observed.find({i, k});
      // The run's kernel time is the placement's cost without its copies (timed on their own).
      p.alone_ms = seen != observed.end() ? seen->second + p.conversions_ms : p.alone_ms * scale_;
    }
}

double CostModel::link_cost(const Link& link, const Placement& from, const Placement& to) const {
  const AlgorithmTiming& a = layers_[link.producer].candidates[from.candidate];
  const AlgorithmTiming& b = layers_[link.reader].candidates[to.candidate];
  const PortLayout& out = from.outputs[link.output];
  const PortLayout& in = to.inputs[link.input];
  if (a.memory_space == b.memory_space) return out.compatible_with(in) ? 0 : kForbidden;
  // Native layouts live within one space; across spaces the value is copied plain (through the
  // host between two devices). The session copies a value once per space however many readers
  // it has there: charging each reader is exact for one reader and an upper bound beyond.
  if (out.layout || in.layout) return kForbidden;
  double ms = 0;
  if (link.output < a.download_ms.size()) ms += a.download_ms[link.output];
  if (link.input < b.upload_ms.size()) ms += b.upload_ms[link.input];
  return ms;
}

Prediction CostModel::optimize(const Filter& allowed,
                               const std::vector<std::vector<size_t>>& known) const {
  if (!allowed) return optimize_placements({}, known);
  return optimize_placements(
      [&](size_t layer, const Placement& p) {
        return allowed(layer, layers_[layer].candidates[p.candidate]);
      },
      known);
}

Prediction CostModel::optimize_placements(const PlacementFilter& allowed,
                                          const std::vector<std::vector<size_t>>& known) const {
  Prediction result;
  const size_t n = placements_.size();
  // The placements each layer may take, as indices into placements_[layer].
  std::vector<std::vector<size_t>> options(n);
  pbqp::Problem problem;
  problem.node_costs.resize(n);
  for (size_t i = 0; i < n; ++i) {
    for (size_t p = 0; p < placements_[i].size(); ++p)
      if (!allowed || allowed(i, placements_[i][p])) {
        options[i].push_back(p);
        problem.node_costs[i].push_back(placements_[i][p].cost_ms());
      }
    if (options[i].empty()) {
      result.feasible = false;
      return result;
    }
  }
  for (const Link& link : links_) {
    if (link.producer == link.reader) continue;  // a node reading its own output: not a DAG
    pbqp::Edge edge{link.producer, link.reader, {}};
    const auto& from = options[link.producer];
    const auto& to = options[link.reader];
    edge.costs.reserve(from.size() * to.size());
    bool any = false;
    for (size_t a : from)
      for (size_t b : to) {
        edge.costs.push_back(
            link_cost(link, placements_[link.producer][a], placements_[link.reader][b]));
        any |= edge.costs.back() != 0;
      }
    if (any) problem.edges.push_back(std::move(edge));
  }
  // The known plans as starts, in the problem's terms (a plan with a placement filtered out, or
  // of another model, is none).
  pbqp::Options solver_options;
  for (const std::vector<size_t>& plan : known) {
    if (plan.size() != n) continue;
    std::vector<size_t> start(n);
    bool kept = true;
    for (size_t i = 0; i < n && kept; ++i) {
      const auto at = std::find(options[i].begin(), options[i].end(), plan[i]);
      kept = at != options[i].end();
      if (kept) start[i] = size_t(at - options[i].begin());
    }
    if (kept) solver_options.starts.push_back(std::move(start));
  }
  const pbqp::Solution solution = pbqp::solve(problem, solver_options);
  result.optimal = solution.optimal;
  result.feasible = solution.cost < kForbidden;
  result.placement.resize(n);
  for (size_t i = 0; i < n; ++i) {
    result.placement[i] = options[i][solution.choice[i]];
    const Placement& p = placements_[i][result.placement[i]];
    result.kernels_ms += p.alone_ms - p.conversions_ms;
    result.conversions_saved_ms += p.conversions_ms;
    result.transfers_ms += p.transfers_ms;
  }
  // The reorder a placement pays on a port it runs plain although its algorithm offers a layout.
  // (Scaled like the placements' own conversions once calibrated.)
  auto unused_conversion = [this](const AlgorithmTiming& t, const Placement& p, bool output,
                                  size_t index) {
    if ((output ? p.outputs : p.inputs)[index].layout) return 0.0;
    for (const NativePort& port : t.native_ports)
      if (port.output == output && port.index == index) return port.conversion_ms * scale_;
    return 0.0;
  };
  std::set<std::string> producer_counted;
  for (const Link& link : links_) {
    const Placement& from = placements_[link.producer][result.placement[link.producer]];
    const Placement& to = placements_[link.reader][result.placement[link.reader]];
    const AlgorithmTiming& a = layers_[link.producer].candidates[from.candidate];
    const AlgorithmTiming& b = layers_[link.reader].candidates[to.candidate];
    const double copy = link_cost(link, from, to);
    double conversion = unused_conversion(b, to, false, link.input);
    if (producer_counted.insert(link.value).second)
      conversion += unused_conversion(a, from, true, link.output);
    if (copy >= kForbidden || copy + conversion <= 0) continue;
    result.transfers_ms += copy;
    result.value_costs.push_back(
        {link.value, link.producer, link.reader, a.memory_space, b.memory_space, copy, conversion});
  }
  result.predicted_ms = result.kernels_ms + result.transfers_ms;
  return result;
}

bool CostModel::stores_natively(size_t layer, const Placement& placement,
                                const std::string& value) const {
  const Node& node = model_.nodes[layer];
  for (size_t k = 0; k < node.inputs.size(); ++k)
    if (node.inputs[k] == value && placement.inputs[k].layout) return true;
  for (size_t k = 0; k < node.outputs.size(); ++k)
    if (node.outputs[k] == value && placement.outputs[k].layout) return true;
  return false;
}

Prediction CostModel::predict(const std::vector<std::string>& algorithms,
                              const NativeValues& native) const {
  auto algorithm_matches = [&](size_t layer, const AlgorithmTiming& candidate) {
    return layer < algorithms.size() && candidate.algorithm == algorithms[layer];
  };
  if (native) {
    // Each port exactly as the session negotiated it; when the model has no such placement (an
    // offer it did not measure), the cheapest layouts below.
    auto as_negotiated = [&](size_t layer, const Placement& p) {
      const Node& node = model_.nodes[layer];
      for (size_t k = 0; k < node.inputs.size(); ++k)
        if (!node.inputs[k].empty() && p.inputs[k].layout.has_value() != native(node.inputs[k]))
          return false;
      for (size_t k = 0; k < node.outputs.size(); ++k)
        if (!node.outputs[k].empty() && p.outputs[k].layout.has_value() != native(node.outputs[k]))
          return false;
      return true;
    };
    Prediction exact = optimize_placements([&](size_t layer, const Placement& p) {
      return algorithm_matches(layer, layers_[layer].candidates[p.candidate]) &&
             as_negotiated(layer, p);
    });
    if (exact.feasible) return exact;
  }
  return optimize(algorithm_matches);
}

}  // namespace algoscope::optimize
