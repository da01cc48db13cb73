// The inside of a compiled Session, shared by the named steps that build it (each in its own file
// here): resolve the plan and prepare kernels (resolve.cpp), negotiate native layouts between
// neighbours (layouts.cpp), place values in memory spaces and insert transfers (placement.cpp),
// plan the arenas by liveness (memory.cpp). session.cpp calls them in that order and runs the
// result.
#pragma once

#include <cstddef>
#include <map>
#include <memory>
#include <string>
#include <unordered_map>
#include <unordered_set>
#include <utility>
#include <vector>

#include "algoscope/memory_space.h"
#include "algoscope/session.h"

namespace algoscope::session {

// One storage place of a value: its producer's output, a graph input or constant, or a copy of
// it in another memory space. KernelIO and transfers point at the Tensors of slots.
struct Slot {
  std::string value;
  MemorySpace* space = nullptr;  // nullptr: host
  TensorInfo info;
  enum class Kind {
    GraphInput,    // viewed from the caller's tensor during run()
    Constant,      // shares the model's storage
    ConstantCopy,  // a constant copied once, at compile time, into a device space
    Activation,    // lives in its space's arena
    GraphOutput,   // host, fresh per run (the caller keeps it)
  } kind = Kind::Activation;
  size_t storage_bytes = 0;  // arena block size; more than info.bytes() in a padded native layout
};

// What the session executes, in order.
struct Step {
  enum class Kind { Kernel, Transfer } kind = Kind::Kernel;
  size_t index = 0;  // into layers / transfers
};

struct Transfer {
  size_t from_slot = 0, to_slot = 0;
  ValueTransfer info;
};

struct Impl {
  std::shared_ptr<const Model> model;
  int threads = 1;
  std::vector<CompiledLayer> layers;
  std::vector<std::unique_ptr<Kernel>> kernels;

  // Placement: slots, and which slot each kernel input/output uses.
  std::vector<Slot> slot_info;
  std::vector<Tensor> slots;  // parallel to slot_info; run() only swaps what they view
  std::unordered_map<std::string, size_t> home_slot;                 // a value's producer-side slot
  std::vector<std::vector<size_t>> input_slots_of, output_slots_of;  // per layer
  std::vector<Step> steps;
  std::vector<Transfer> transfers;               // per run
  std::vector<ValueTransfer> compile_transfers;  // constants, once
  std::vector<size_t> graph_input_slots;
  std::vector<size_t> graph_output_slots;  // per graph output: the slot the caller receives
  std::vector<size_t> fresh_output_slots;  // the GraphOutput slots, allocated anew every run
  std::unordered_map<std::string, size_t> native_bytes;  // values in a native layout
  // Those of them negotiated through a channel Concat: in a layout whose channel blocks sit where
  // the plain layout's channels do (NativeLayout::channel_concat_key, not channels_last), so Concat
  // may share them.
  std::unordered_set<std::string> channel_sliced;
  // sharing.cpp: a slot stored inside another's block (SIZE_MAX: its own block), and where.
  std::vector<size_t> parent_slot, offset_in_parent;

  // Memory.
  size_t arena_bytes = 0, activation_bytes = 0, workspace_bytes = 0;
  std::map<MemorySpace*, SpaceBuffer> arenas, workspaces;
  std::vector<SpaceBuffer> constant_copies;
  std::vector<KernelIO> io;
  MemoryReport memory;

  Session::TimingHook hook;
  Session::TransferTimingHook transfer_hook;
};

// resolve.cpp: Error naming every unsupported op, node problem, untyped input or plan mistake.
void check_runnable(const Model& model, const Plan& plan, const Registry& registry);
// resolve.cpp: each node's algorithm, FLOPs, workspace and prepared kernel.
void prepare_kernels(Impl& s, const Plan& plan, const Registry& registry);
// CompiledLayer::threads: 1 for host layers whose FLOPs plus bytes are below the threshold
// (SessionOptions::one_thread_below; -1: the environment's or the built-in one).
void choose_layer_threads(Impl& s, int64_t one_thread_below);
// layouts.cpp: fills s.native_bytes and tells the kernels involved.
void negotiate_native_layouts(Impl& s);
// placement.cpp: slots, steps, transfers and each kernel's slots.
void place_values(Impl& s);
// sharing.cpp: parent_slot and offset_in_parent, and CompiledLayer::in_place of the kernels
// that then move nothing.
void share_buffers(Impl& s);
// memory.cpp: Error when a value of the model is too large to count or to fit the memory limit
// (resource_limits.h), before kernels are prepared (they may allocate by the same sizes).
void check_value_sizes(const Model& model);
// memory.cpp: arena offsets by liveness over the steps, arenas, workspaces, constant copies,
// and the KernelIO of every layer. Error, before allocating, when the total exceeds the limit.
void plan_memory(Impl& s);

}  // namespace algoscope::session
