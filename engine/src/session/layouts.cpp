// Native layout negotiation between neighbouring kernels (Kernel::native_output_layout and
// friends): where a value's producer and all its readers offer the same native layout (oneDNN's
// nChw16c between two oneDNN convolutions), the value is stored in it and their reorders to and
// from the plain layout are skipped.
#include <optional>
#include <set>
#include <unordered_map>

#include "session/session_impl.h"

namespace algoscope::session {

// Layout negotiation. Layout-agnostic kernels (Kernel::works_in_any_layout), channel Concats
// (Kernel::concatenates_channels) and channels-last kernels (Kernel::works_channels_last, through
// their input 0 and output 0 only) join the values they carry into one group that must share a
// layout. A group is stored in a native layout when every other kernel that produces or reads one
// of its values offers that same layout and no value of it is a graph input, constant or output;
// those kernels then skip their reorders. A lone value between two oneDNN convolutions is the
// simplest group; a ResNet's residual Adds chain a whole stage's block outputs into one. A group
// with a Concat holds values of different channel counts: there the layouts must share their
// channel_concat_key (and each value's offers their exact key), and every value keeps its plain
// size, which such a layout never pads. Channel-blocked values may then share the Concat's output
// (sharing.cpp); channels-last ones are copied by the Concat. A group with a channels-last kernel
// (EfficientNet's fused squeeze-excite blocks between oneDNN's NHWC convolutions) agrees only on
// a channels-last layout.
void negotiate_native_layouts(Impl& s) {
  const Model& model = *s.model;
  const size_t count = model.nodes.size();
  std::unordered_map<std::string, bool> is_output;
  for (const auto& o : model.outputs) is_output[o] = true;
  std::unordered_map<std::string, std::vector<std::pair<size_t, size_t>>> readers;
  std::unordered_map<std::string, std::pair<size_t, size_t>> producer;
  std::vector<bool> elementwise(count), concat(count), channels_last_node(count);
  for (size_t i = 0; i < count; ++i) {
    elementwise[i] = s.kernels[i]->works_in_any_layout();
    concat[i] = !elementwise[i] && s.kernels[i]->concatenates_channels();
    channels_last_node[i] = !elementwise[i] && !concat[i] && s.kernels[i]->works_channels_last();
  }
  // Whether node i carries its input or output `port` through in whatever layout the group has,
  // instead of offering a layout of its own.
  auto carries = [&](size_t i, size_t port) {
    return elementwise[i] || concat[i] || (channels_last_node[i] && port == 0);
  };
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
  std::vector<size_t> concat_values, channels_last_values;  // one value of each such node's group
  for (size_t i = 0; i < count; ++i) {
    const Node& node = model.nodes[i];
    std::optional<size_t> first;
    auto link = [&](const std::string& name, size_t port) {
      if (name.empty()) return;
      const size_t v = id_of(name);
      if (!carries(i, port)) return;
      if (first)
        parent[root(v)] = root(*first);
      else
        first = v;
    };
    for (size_t k = 0; k < node.inputs.size(); ++k) {
      if (!node.inputs[k].empty()) readers[node.inputs[k]].emplace_back(i, k);
      link(node.inputs[k], k);
    }
    for (size_t k = 0; k < node.outputs.size(); ++k) {
      if (!node.outputs[k].empty()) producer[node.outputs[k]] = {i, k};
      link(node.outputs[k], k);
    }
    if (concat[i] && first) concat_values.push_back(*first);
    if (channels_last_node[i] && first) channels_last_values.push_back(*first);
  }
  std::set<size_t> concat_roots, channels_last_roots;
  for (size_t v : concat_values) concat_roots.insert(root(v));
  for (size_t v : channels_last_values) channels_last_roots.insert(root(v));
  std::unordered_map<size_t, std::vector<size_t>> groups;
  for (size_t v = 0; v < names.size(); ++v) groups[root(v)].push_back(v);
  for (const auto& [group_root, members] : groups) {
    const bool sliced = concat_roots.count(group_root) > 0;
    const bool needs_channels_last = channels_last_roots.count(group_root) > 0;
    std::optional<std::string> key;
    bool channels_last = false;
    std::unordered_map<std::string, size_t> bytes;  // per value
    bool agreed = true;
    for (size_t v : members) {
      const std::string& name = names[v];
      auto made = producer.find(name);
      if (made == producer.end() || is_output.count(name) || readers[name].empty()) {
        // Graph inputs and constants are plain, outputs must be readable, and a value nothing
        // reads gains nothing from a native layout.
        agreed = false;
        break;
      }
      std::optional<std::string> exact;
      auto agree = [&](const std::optional<NativeLayout>& layout) {
        const std::string* group_key = !layout  ? nullptr
                                       : sliced ? &layout->channel_concat_key
                                                : &layout->key;
        if (!group_key || group_key->empty() || (key && *key != *group_key) ||
            (exact && *exact != layout->key) || (needs_channels_last && !layout->channels_last)) {
          agreed = false;
          return;
        }
        key = *group_key;
        exact = layout->key;
        channels_last = layout->channels_last;
        bytes[name] = std::max(bytes[name], layout->bytes);
      };
      const auto [i, k] = made->second;
      if (!carries(i, k)) agree(s.kernels[i]->native_output_layout(k));
      for (const auto& [j, input] : readers[name])
        if (!carries(j, input)) agree(s.kernels[j]->native_input_layout(input));
      if (!agreed) break;
      // A value only carrying kernels touch: its plain size, in a sliced or channels-last group
      // (which never pad) and in an elementwise one (whose values share one shape) alike, unless
      // another value of the group says more below.
      if (!bytes.count(name)) bytes[name] = s.layers[i].layer.outputs[k].bytes();
    }
    if (!agreed || !key) continue;
    if (!sliced) {
      // One shape throughout: the largest storage any kernel asked for.
      size_t most = 0;
      for (const auto& [name, b] : bytes) most = std::max(most, b);
      for (auto& [name, b] : bytes) b = most;
    }
    std::set<size_t> carriers;
    for (size_t v : members) {
      const std::string& name = names[v];
      const auto [i, k] = producer[name];
      if (carries(i, k))
        carriers.insert(i);
      else
        s.kernels[i]->use_native_output(k);
      for (const auto& [j, input] : readers[name]) {
        if (carries(j, input))
          carriers.insert(j);
        else
          s.kernels[j]->use_native_input(input);
      }
      s.native_bytes[name] = bytes[name];
      if (sliced && !channels_last) s.channel_sliced.insert(name);
    }
    for (size_t i : carriers) {
      if (elementwise[i]) s.kernels[i]->use_any_layout(s.native_bytes[model.nodes[i].outputs[0]]);
      if (concat[i] && channels_last) s.kernels[i]->concatenate_channels_last();
      if (channels_last_node[i]) s.kernels[i]->use_channels_last();
    }
  }
}

}  // namespace algoscope::session
