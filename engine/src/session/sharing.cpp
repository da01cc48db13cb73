// Buffer sharing, between placing values and planning memory: where a kernel allows it
// (Kernel::output_is_input, Kernel::inputs_in_output), a slot is stored inside another slot's
// block instead of a block of its own. Reshape's output becomes its input's bytes, and each input
// of a batch-1 channel Concat is written by its producer straight into its block of the Concat's
// output, so neither kernel copies anything. memory.cpp then plans each tree of shared slots as
// one block that lives from the first write into it to the last read of any of its slots.
//
// A slot joins another only when that cannot change a result: both are plain row-major
// activations in the same space (not graph inputs, outputs or constants, not in a negotiated
// native layout such as oneDNN's nChw16c, whose bytes are not the plain ones; for Concat, a
// channel-blocked layout negotiated through it is fine: each input's channel blocks lie where
// its plain channels would), and, for Concat,
// the Concat is the input's only reader (a value that other layers read too, as each of
// DenseNet's features is read by every later Concat of its block, would have to live in two
// places at once), its producer is a kernel, and its block starts on a 64-byte boundary (kernels
// may assume the arena's alignment).
//
// ALGOSCOPE_SHARE_BUFFERS=0 in the environment turns sharing off (every value its own block), to
// measure what it saves or to rule it out when hunting a wrong result.
#include <cstdlib>
#include <string>

#include "session/session_impl.h"

namespace algoscope::session {
namespace {

bool plain_activation(const Impl& s, size_t slot) {
  const Slot& info = s.slot_info[slot];
  return info.kind == Slot::Kind::Activation && info.storage_bytes == info.info.bytes() &&
         !s.native_bytes.count(info.value);
}

// For a Concat's inputs and output: plain, or in a channel-blocked layout negotiated through the
// Concat (Impl::channel_sliced), where each input's bytes lie at the same offset as when plain.
bool sliceable_activation(const Impl& s, size_t slot) {
  const Slot& info = s.slot_info[slot];
  return plain_activation(s, slot) ||
         (info.kind == Slot::Kind::Activation && info.storage_bytes == info.info.bytes() &&
          s.channel_sliced.count(info.value));
}

}  // namespace

void share_buffers(Impl& s) {
  const size_t none = SIZE_MAX;
  s.parent_slot.assign(s.slot_info.size(), none);
  s.offset_in_parent.assign(s.slot_info.size(), 0);
  if (const char* env = std::getenv("ALGOSCOPE_SHARE_BUFFERS"); env && std::string(env) == "0")
    return;
  std::vector<size_t> readers(s.slot_info.size(), 0);
  std::vector<bool> kernel_made(s.slot_info.size(), false);
  for (size_t i = 0; i < s.layers.size(); ++i) {
    for (size_t slot : s.input_slots_of[i])
      if (slot != none) ++readers[slot];
    for (size_t slot : s.output_slots_of[i]) kernel_made[slot] = true;
  }
  for (const Transfer& t : s.transfers) ++readers[t.from_slot];
  for (size_t slot : s.graph_output_slots) ++readers[slot];

  for (size_t i = 0; i < s.layers.size(); ++i) {
    const Kernel& kernel = *s.kernels[i];
    const std::vector<size_t>& ins = s.input_slots_of[i];
    const std::vector<size_t>& outs = s.output_slots_of[i];
    if (outs.empty() || ins.empty()) continue;
    const size_t out = outs[0];
    if (s.parent_slot[out] != none) continue;
    size_t shared = 0;
    if (kernel.output_is_input()) {
      if (!plain_activation(s, out)) continue;
      const size_t in = ins[0];
      if (in != none && plain_activation(s, in) &&
          s.slot_info[in].space == s.slot_info[out].space &&
          s.slot_info[in].storage_bytes == s.slot_info[out].storage_bytes) {
        s.parent_slot[out] = in;
        shared = 1;
      }
    } else {
      const std::vector<size_t> offsets = kernel.inputs_in_output();
      if (offsets.size() != ins.size() || !sliceable_activation(s, out)) continue;
      for (size_t k = 0; k < ins.size(); ++k) {
        const size_t in = ins[k];
        if (in == none || !sliceable_activation(s, in) || !kernel_made[in] || readers[in] != 1 ||
            s.parent_slot[in] != none || s.slot_info[in].space != s.slot_info[out].space ||
            offsets[k] % 64 != 0 ||
            offsets[k] + s.slot_info[in].storage_bytes > s.slot_info[out].storage_bytes)
          continue;
        s.parent_slot[in] = out;
        s.offset_in_parent[in] = offsets[k];
        ++shared;
      }
    }
    if (shared == 0) continue;
    CompiledLayer& layer = s.layers[i];
    layer.in_place = shared == ins.size() || kernel.output_is_input();
    const std::string how = layer.in_place ? std::string("in place")
                                           : "in place for " + std::to_string(shared) + " of " +
                                                 std::to_string(ins.size()) + " inputs";
    layer.choice = layer.choice.empty() ? how : layer.choice + ", " + how;
  }
}

}  // namespace algoscope::session
