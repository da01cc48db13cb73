// Value placement: every value lives where its producer runs (graph inputs and constants on the
// host), and a kernel only ever sees values in its own memory space. Where a reader runs in
// another space the session adds a slot for the value there and a transfer step before the first
// such reader; later readers in that space share the copy. A constant a device kernel reads is
// copied once at compile time instead. A graph output produced on a device is copied to the host
// right after its producer. The steps come out in execution order: for each node, the transfers
// it needs, then its kernel, then the download of any graph output it made.
#include <map>
#include <unordered_map>
#include <unordered_set>

#include "algoscope/error.h"
#include "session/session_impl.h"

namespace algoscope::session {
namespace {

std::string value_name(const Node& node, size_t k) {
  // Unused optional outputs still need storage: kernels may write them.
  return node.outputs[k].empty() ? node.name + "/unused_output_" + std::to_string(k)
                                 : node.outputs[k];
}

size_t add_slot(Impl& s, Slot slot) {
  if (slot.storage_bytes == 0) slot.storage_bytes = slot.info.bytes();
  s.slot_info.push_back(std::move(slot));
  s.slots.emplace_back();
  return s.slot_info.size() - 1;
}

}  // namespace

void place_values(Impl& s) {
  const Model& model = *s.model;
  std::unordered_set<std::string> is_output(model.outputs.begin(), model.outputs.end());
  auto info_of = [&](const std::string& name) {
    const ValueInfo* v = model.find_value(name);
    if (!v || !v->known)
      throw Error("model '" + model.name + "': value '" + name + "' has no type");
    return v->info;
  };

  for (const auto& name : model.inputs) {
    const size_t slot = add_slot(s, {name, nullptr, info_of(name), Slot::Kind::GraphInput, 0});
    s.home_slot[name] = slot;
    s.graph_input_slots.push_back(slot);
  }
  for (const auto& [name, tensor] : model.constants) {
    const size_t slot = add_slot(s, {name, nullptr, tensor.info(), Slot::Kind::Constant, 0});
    s.slots[slot] = tensor;  // shares storage
    s.home_slot[name] = slot;
  }

  // (value, space) -> slot of its copy there.
  std::map<std::pair<std::string, MemorySpace*>, size_t> copies;
  s.input_slots_of.resize(model.nodes.size());
  s.output_slots_of.resize(model.nodes.size());
  for (size_t i = 0; i < model.nodes.size(); ++i) {
    const Node& node = model.nodes[i];
    MemorySpace* space = s.layers[i].space;
    for (const auto& name : node.inputs) {
      if (name.empty()) {
        s.input_slots_of[i].push_back(SIZE_MAX);
        continue;
      }
      auto home = s.home_slot.find(name);
      if (home == s.home_slot.end())
        throw Error("model '" + model.name + "': node '" + node.name + "' reads '" + name +
                    "', which nothing computes before it");
      const Slot& source = s.slot_info[home->second];
      if (source.space == space) {
        s.input_slots_of[i].push_back(home->second);
        continue;
      }
      auto [copy, inserted] = copies.emplace(std::make_pair(name, space), 0);
      if (inserted) {
        ValueTransfer info{name, space_name(source.space), space_name(space), source.info.bytes(),
                           source.kind != Slot::Kind::Constant};
        if (source.kind == Slot::Kind::Constant) {
          copy->second = add_slot(s, {name, space, source.info, Slot::Kind::ConstantCopy, 0});
          s.compile_transfers.push_back(info);
        } else {
          copy->second = add_slot(s, {name, space, source.info, Slot::Kind::Activation, 0});
          s.steps.push_back({Step::Kind::Transfer, s.transfers.size()});
          s.transfers.push_back({home->second, copy->second, info});
        }
      }
      s.input_slots_of[i].push_back(copy->second);
    }
    s.steps.push_back({Step::Kind::Kernel, i});
    for (size_t k = 0; k < node.outputs.size(); ++k) {
      const std::string name = value_name(node, k);
      const TensorInfo& info = s.layers[i].layer.outputs[k];
      s.activation_bytes += info.bytes();
      const bool graph_output = is_output.count(name) > 0;
      auto native = s.native_bytes.find(name);
      Slot slot{name, space, info,
                graph_output && !space ? Slot::Kind::GraphOutput : Slot::Kind::Activation,
                native == s.native_bytes.end() ? 0 : std::max(native->second, info.bytes())};
      const size_t produced = add_slot(s, slot);
      s.home_slot[name] = produced;
      s.output_slots_of[i].push_back(produced);
      if (graph_output && space) {
        // The caller receives host tensors: download right after the producer.
        const size_t host = add_slot(s, {name, nullptr, info, Slot::Kind::GraphOutput, 0});
        s.steps.push_back({Step::Kind::Transfer, s.transfers.size()});
        s.transfers.push_back(
            {produced, host, ValueTransfer{name, space_name(space), "host", info.bytes(), true}});
        copies[{name, nullptr}] = host;
      }
    }
  }
  for (const auto& name : model.outputs) {
    auto it = copies.find({name, nullptr});
    if (it != copies.end()) {
      s.graph_output_slots.push_back(it->second);
      continue;
    }
    auto home = s.home_slot.find(name);
    if (home == s.home_slot.end())
      throw Error("model '" + model.name + "': graph output '" + name + "' is never computed");
    s.graph_output_slots.push_back(home->second);
  }
}

}  // namespace algoscope::session
