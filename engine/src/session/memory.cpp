// Memory planning, the last step of compiling a Session: every activation slot gets an offset in
// its memory space's arena, chosen by best fit among the blocks freed by slots whose last reader
// (a kernel or a transfer) has run, so each arena is far smaller than the sum of its values. The
// same planner serves the host and every device. Constants that device kernels read are copied
// there once; graph outputs get fresh host storage per run because the caller keeps them.
#include <algorithm>
#include <map>

#include "algoscope/error.h"
#include "algoscope/resource_limits.h"
#include "session/session_impl.h"

namespace algoscope::session {
namespace {

// Host kernels want 64-byte (cache line, AVX-512) alignment; devices 256 bytes, what CUDA's own
// allocations guarantee and its vectorised loads assume.
size_t alignment_of(const MemorySpace* space) { return space ? 256 : 64; }

// Best-fit offsets for values with lifetimes [first, last] in step order.
class ArenaPlanner {
 public:
  explicit ArenaPlanner(size_t alignment) : alignment_(alignment) {}
  size_t allocate(size_t bytes) {
    bytes = align_up(std::max<size_t>(bytes, 1));
    auto best = free_.end();
    for (auto it = free_.begin(); it != free_.end(); ++it)
      if (it->second >= bytes && (best == free_.end() || it->second < best->second)) best = it;
    if (best == free_.end()) {
      // Grow: reuse a free block at the very end if there is one.
      if (!free_.empty() && free_.back().first + free_.back().second == size_) {
        size_t offset = free_.back().first;
        free_.pop_back();
        size_ = offset + bytes;
        return offset;
      }
      size_t offset = size_;
      size_ += bytes;
      return offset;
    }
    size_t offset = best->first;
    if (best->second == bytes) {
      free_.erase(best);
    } else {
      best->first += bytes;
      best->second -= bytes;
    }
    return offset;
  }
  void release(size_t offset, size_t bytes) {
    bytes = align_up(std::max<size_t>(bytes, 1));
    auto it = std::lower_bound(free_.begin(), free_.end(), std::make_pair(offset, size_t{0}));
    it = free_.insert(it, {offset, bytes});
    // Merge with neighbours so large values can reuse several freed small ones.
    if (it + 1 != free_.end() && it->first + it->second == (it + 1)->first) {
      it->second += (it + 1)->second;
      free_.erase(it + 1);
    }
    if (it != free_.begin() && (it - 1)->first + (it - 1)->second == it->first) {
      (it - 1)->second += it->second;
      free_.erase(it);
    }
  }
  size_t size() const { return size_; }
  size_t align_up(size_t n) const { return (n + alignment_ - 1) / alignment_ * alignment_; }

 private:
  size_t alignment_;
  std::vector<std::pair<size_t, size_t>> free_;  // (offset, bytes), sorted by offset
  size_t size_ = 0;
};

// a + b, stuck at SIZE_MAX rather than wrapping (the sum is compared with a limit).
size_t saturating_add(size_t a, size_t b) { return a > SIZE_MAX - b ? SIZE_MAX : a + b; }

}  // namespace

void check_value_sizes(const Model& model) {
  for (const auto& [name, v] : model.values) {
    if (!v.known) continue;
    check_tensor_allocation(v.info.dtype, v.info.shape,
                            "model '" + model.name + "': value '" + name + "'");
  }
}

namespace {

// Everything the session holds at once, refused before any of it is allocated: the arenas, the
// workspaces, device copies of constants, the outputs each run allocates, and the weights the
// model already holds (they count: the limit is about the process, and they stay alive with
// the session). The message names the largest value, the first thing to look at.
void check_planned_total(const Impl& s, const std::map<MemorySpace*, ArenaPlanner>& planners,
                         const std::map<MemorySpace*, size_t>& workspace) {
  size_t arenas = 0, workspaces = 0, weights = 0, copies = 0, outputs = 0;
  for (const auto& [space, planner] : planners) arenas = saturating_add(arenas, planner.size());
  for (const auto& [space, bytes] : workspace) workspaces = saturating_add(workspaces, bytes);
  for (const auto& [name, constant] : s.model->constants)
    weights = saturating_add(weights, constant.bytes());
  const Slot* largest = nullptr;
  for (const Slot& slot : s.slot_info) {
    if (slot.kind == Slot::Kind::ConstantCopy) copies = saturating_add(copies, slot.info.bytes());
    if (slot.kind == Slot::Kind::GraphOutput) outputs = saturating_add(outputs, slot.info.bytes());
    if (slot.kind != Slot::Kind::GraphInput &&
        (!largest || slot.info.bytes() > largest->info.bytes()))
      largest = &slot;
  }
  size_t total = 0;
  for (size_t part : {arenas, workspaces, weights, copies, outputs})
    total = saturating_add(total, part);
  if (total <= memory_limit()) return;
  std::string detail = " (activation arenas " + format_bytes(arenas) + ", workspaces " +
                       format_bytes(workspaces) + ", weights " + format_bytes(weights);
  if (copies) detail += ", device copies of weights " + format_bytes(copies);
  detail += ", outputs " + format_bytes(outputs);
  if (largest)
    detail += "; the largest value is '" + largest->value + "', " +
              tensor_type_string(largest->info.dtype, largest->info.shape) + " of " +
              format_bytes(largest->info.bytes());
  detail += ")";
  check_allocation(total, "model '" + s.model->name + "': compiling this plan", detail);
}

// The rest of the MemoryReport, once the timeline's live bytes are in: each step's name and
// workspace, the peak, and the totals.
void fill_memory_report(Impl& s, const std::map<MemorySpace*, size_t>& workspace) {
  MemoryReport& m = s.memory;
  for (size_t t = 0; t < s.steps.size(); ++t) {
    const Step& step = s.steps[t];
    MemoryStep& entry = m.steps[t];
    if (step.kind == Step::Kind::Kernel) {
      const CompiledLayer& layer = s.layers[step.index];
      entry.name = layer.node->name;
      entry.layer = static_cast<int>(step.index);
      entry.workspace_bytes = layer.workspace_bytes;
      m.prepared_bytes += layer.algorithm->prepared(layer.layer);
    } else {
      entry.name = s.transfers[step.index].info.step_name();
    }
    if (entry.in_use() > m.steps[m.peak_step].in_use()) m.peak_step = t;
  }
  for (const auto& [name, constant] : s.model->constants) m.weights_bytes += constant.bytes();
  for (const Slot& slot : s.slot_info) {
    if (slot.kind == Slot::Kind::ConstantCopy) m.device_copy_bytes += slot.info.bytes();
    if (slot.kind == Slot::Kind::GraphInput || slot.kind == Slot::Kind::GraphOutput)
      m.input_output_bytes += slot.info.bytes();
  }
  for (const auto& [space, bytes] : workspace) m.workspace_bytes += bytes;
}

}  // namespace

void plan_memory(Impl& s) {
  const size_t never = SIZE_MAX;
  std::vector<size_t> defined(s.slot_info.size(), never), last_read(s.slot_info.size(), never);
  for (size_t t = 0; t < s.steps.size(); ++t) {
    const Step& step = s.steps[t];
    if (step.kind == Step::Kind::Kernel) {
      for (size_t slot : s.output_slots_of[step.index]) defined[slot] = t;
      for (size_t slot : s.input_slots_of[step.index])
        if (slot != never) last_read[slot] = t;
    } else {
      defined[s.transfers[step.index].to_slot] = t;
      last_read[s.transfers[step.index].from_slot] = t;
    }
  }
  // Slots shared by share_buffers form trees; a tree is one block, allocated by its root, that
  // lives from the first step writing any of its slots to the last step reading any of them.
  auto root_of = [&](size_t slot, size_t* at) {
    size_t offset_in_root = 0;
    while (s.parent_slot[slot] != never) {
      offset_in_root += s.offset_in_parent[slot];
      slot = s.parent_slot[slot];
    }
    if (at) *at = offset_in_root;
    return slot;
  };
  std::vector<size_t> first(s.slot_info.size(), never), last(s.slot_info.size(), 0);
  for (size_t slot = 0; slot < s.slot_info.size(); ++slot) {
    if (s.slot_info[slot].kind != Slot::Kind::Activation || defined[slot] == never) continue;
    const size_t root = root_of(slot, nullptr);
    first[root] = std::min(first[root], defined[slot]);
    last[root] = std::max(last[root], last_read[slot] == never ? defined[slot] : last_read[slot]);
  }
  std::vector<std::vector<size_t>> defined_at(s.steps.size()), released_at(s.steps.size());
  for (size_t slot = 0; slot < s.slot_info.size(); ++slot) {
    if (first[slot] == never || s.parent_slot[slot] != never) continue;
    defined_at[first[slot]].push_back(slot);
    released_at[std::max(last[slot], first[slot])].push_back(slot);
  }

  std::map<MemorySpace*, ArenaPlanner> planners;
  std::vector<size_t> offset(s.slot_info.size(), 0);
  // The timeline (MemoryReport) follows the planner: a block is live from the step that allocates
  // it through the step that releases it, at its aligned size.
  std::vector<size_t> live;  // root slots allocated and not yet released
  size_t live_bytes = 0;
  auto block_bytes = [&](size_t slot) {
    return planners.at(s.slot_info[slot].space)
        .align_up(std::max<size_t>(s.slot_info[slot].storage_bytes, 1));
  };
  s.memory.steps.resize(s.steps.size());
  for (size_t t = 0; t < s.steps.size(); ++t) {
    // Outputs first, then releases: a step never writes over what it reads.
    for (size_t slot : defined_at[t]) {
      MemorySpace* space = s.slot_info[slot].space;
      auto planner = planners.try_emplace(space, alignment_of(space)).first;
      offset[slot] = planner->second.allocate(s.slot_info[slot].storage_bytes);
      live.push_back(slot);
      live_bytes += block_bytes(slot);
    }
    MemoryStep& step = s.memory.steps[t];
    step.live_bytes = live_bytes;
    for (size_t slot : live)
      if (block_bytes(slot) > step.largest_value_bytes) {
        step.largest_value_bytes = block_bytes(slot);
        step.largest_value = s.slot_info[slot].value;
      }
    for (size_t slot : released_at[t]) {
      planners.at(s.slot_info[slot].space).release(offset[slot], s.slot_info[slot].storage_bytes);
      live.erase(std::find(live.begin(), live.end(), slot));
      live_bytes -= block_bytes(slot);
    }
  }
  std::map<MemorySpace*, size_t> workspace;
  for (const CompiledLayer& layer : s.layers) {
    workspace[layer.space] = std::max(workspace[layer.space], layer.workspace_bytes);
    s.workspace_bytes = std::max(s.workspace_bytes, layer.workspace_bytes);
  }
  check_planned_total(s, planners, workspace);

  fill_memory_report(s, workspace);
  s.arena_bytes = 0;
  for (auto& [space, planner] : planners) {
    s.arena_bytes += planner.size();
    s.arenas.emplace(space, SpaceBuffer(space, planner.size()));
  }
  for (const auto& [space, bytes] : workspace)
    s.workspaces.emplace(space, SpaceBuffer(space, bytes));
  s.memory.arena_bytes = s.arena_bytes;
  s.memory.activation_bytes = s.activation_bytes;

  for (size_t slot = 0; slot < s.slot_info.size(); ++slot) {
    const Slot& info = s.slot_info[slot];
    Tensor& t = s.slots[slot];
    switch (info.kind) {
      case Slot::Kind::Activation: {
        size_t at = 0;
        const size_t root = root_of(slot, &at);
        t = Tensor::view(
            info.info.dtype, info.info.shape,
            static_cast<std::byte*>(s.arenas.at(info.space).data()) + offset[root] + at);
        break;
      }
      case Slot::Kind::ConstantCopy: {
        const Tensor& constant = s.model->constants.at(info.value);
        SpaceBuffer& copy = s.constant_copies.emplace_back(info.space, constant.bytes());
        copy_between(info.space, copy.data(), nullptr, constant.raw(), constant.bytes());
        t = Tensor::view(info.info.dtype, info.info.shape, copy.data());
        break;
      }
      case Slot::Kind::GraphOutput:
        s.fresh_output_slots.push_back(slot);
        [[fallthrough]];
      case Slot::Kind::GraphInput:
        t = Tensor::view(info.info.dtype, info.info.shape, nullptr);  // set per run
        break;
      case Slot::Kind::Constant:
        break;
    }
  }
  for (size_t i = 0; i < s.layers.size(); ++i) {
    KernelIO io;
    for (size_t slot : s.input_slots_of[i])
      io.inputs.push_back(slot == never ? nullptr : &s.slots[slot]);
    for (size_t slot : s.output_slots_of[i]) io.outputs.push_back(&s.slots[slot]);
    io.workspace = s.workspaces.at(s.layers[i].space).data();
    s.io.push_back(std::move(io));
  }
}

}  // namespace algoscope::session
