// Drops nodes whose outputs nobody reads (walking back from the graph outputs), then constants
// and values nothing refers to any more: what folding and fusion left behind.
#include <algorithm>
#include <string>
#include <unordered_set>
#include <vector>

#include "passes/pass.h"

namespace algoscope::passes {

void remove_dead_code(PassContext& context) {
  Model& m = context.model;
  std::unordered_set<std::string> live(m.outputs.begin(), m.outputs.end());
  std::vector<Node> kept;
  for (auto it = m.nodes.rbegin(); it != m.nodes.rend(); ++it) {
    bool needed = false;
    for (const auto& o : it->outputs) needed |= !o.empty() && live.count(o);
    if (!needed) continue;
    for (const auto& in : it->inputs) live.insert(in);
    kept.push_back(std::move(*it));
  }
  std::reverse(kept.begin(), kept.end());
  m.nodes = std::move(kept);
  for (const auto& in : m.inputs) live.insert(in);
  for (const Node& n : m.nodes)
    for (const auto& o : n.outputs) live.insert(o);
  std::erase_if(m.constants, [&](const auto& kv) { return !live.count(kv.first); });
  std::erase_if(m.values, [&](const auto& kv) { return !live.count(kv.first); });
}

}  // namespace algoscope::passes
