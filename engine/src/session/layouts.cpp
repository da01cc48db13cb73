// Native layout negotiation between neighbouring kernels (Kernel::native_output_layout and
// friends): where a value's producer and all its readers offer the same native layout (oneDNN's
// nChw16c between two oneDNN convolutions), the value is stored in it and their reorders to and
// from the plain layout are skipped.
#include <optional>
#include <set>
#include <unordered_map>

#include "session/session_impl.h"

namespace algoscope::session {

// Layout negotiation. Layout-agnostic kernels (Kernel::works_in_any_layout) join the values they
// read and write into one group that must share a layout. A group is stored in a native layout
// when every other kernel that produces or reads one of its values offers that same layout and
// no value of it is a graph input, constant or output; those kernels then skip their reorders.
// A lone value between two oneDNN convolutions is the simplest group; a ResNet's residual Adds
// chain a whole stage's block outputs into one.
void negotiate_native_layouts(Impl& s) {
  const Model& model = *s.model;
  std::unordered_map<std::string, bool> is_output;
  for (const auto& o : model.outputs) is_output[o] = true;
  std::unordered_map<std::string, std::vector<std::pair<size_t, size_t>>> readers;
  std::unordered_map<std::string, std::pair<size_t, size_t>> producer;
  std::vector<bool> agnostic(model.nodes.size());
  std::unordered_map<std::string, size_t> id;
  std::vector<size_t> parent;
  std::vector<std::string> names;
  auto id_of = [&](const std::string& name) {
    auto [it, inserted] = id.emplace(name, names.size());
    if (inserted) {
      parent.push_back(names.size());
      names.push_back(name);
    }
    return it->second;
  };
  auto root = [&](size_t v) {
    while (parent[v] != v) v = parent[v] = parent[parent[v]];
    return v;
  };
  for (size_t i = 0; i < model.nodes.size(); ++i) {
    const Node& node = model.nodes[i];
    agnostic[i] = s.kernels[i]->works_in_any_layout();
    std::optional<size_t> first;
    auto link = [&](const std::string& name) {
      if (name.empty()) return;
      const size_t v = id_of(name);
      if (!agnostic[i]) return;
      if (first)
        parent[root(v)] = root(*first);
      else
        first = v;
    };
    for (size_t k = 0; k < node.inputs.size(); ++k) {
      if (!node.inputs[k].empty()) readers[node.inputs[k]].emplace_back(i, k);
      link(node.inputs[k]);
    }
    for (size_t k = 0; k < node.outputs.size(); ++k) {
      if (!node.outputs[k].empty()) producer[node.outputs[k]] = {i, k};
      link(node.outputs[k]);
    }
  }
  std::unordered_map<size_t, std::vector<size_t>> groups;
  for (size_t v = 0; v < names.size(); ++v) groups[root(v)].push_back(v);
  for (const auto& [group_root, members] : groups) {
    std::optional<std::string> key;
    size_t bytes = 0;
    bool agreed = true;
    auto agree = [&](const std::optional<NativeLayout>& layout) {
      if (!layout || (key && *key != layout->key)) {
        agreed = false;
        return;
      }
      key = layout->key;
      bytes = std::max(bytes, layout->bytes);
    };
    for (size_t v : members) {
      const std::string& name = names[v];
      auto made = producer.find(name);
      if (made == producer.end() || is_output.count(name) || readers[name].empty()) {
        // Graph inputs and constants are plain, outputs must be readable, and a value nothing
        // reads gains nothing from a native layout.
        agreed = false;
        break;
      }
      if (!agnostic[made->second.first])
        agree(s.kernels[made->second.first]->native_output_layout(made->second.second));
      for (const auto& [j, input] : readers[name])
        if (!agnostic[j]) agree(s.kernels[j]->native_input_layout(input));
      if (!agreed) break;
    }
    if (!agreed || !key) continue;
    std::set<size_t> agnostic_nodes;
    for (size_t v : members) {
      const std::string& name = names[v];
      const auto [i, k] = producer[name];
      if (agnostic[i])
        agnostic_nodes.insert(i);
      else
        s.kernels[i]->use_native_output(k);
      for (const auto& [j, input] : readers[name]) {
        if (agnostic[j])
          agnostic_nodes.insert(j);
        else
          s.kernels[j]->use_native_input(input);
      }
      s.native_bytes[name] = bytes;
    }
    for (size_t i : agnostic_nodes) s.kernels[i]->use_any_layout(bytes);
  }
}

}  // namespace algoscope::session
