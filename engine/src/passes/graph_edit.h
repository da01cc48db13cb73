// Small graph-editing helpers the passes share: who produces and who reads a value, rewiring
// readers, marking nodes for removal and erasing them in one sweep, adding constants, and the
// load note a pass leaves when it changed something.
#pragma once

#include <cstddef>
#include <string>
#include <unordered_map>

#include "algoscope/graph.h"

namespace algoscope::passes {

// A snapshot of the graph's edges, taken before a pass starts rewriting: node indexes stay valid
// because passes only mark nodes (mark_removed) and erase them at the end.
struct ValueLinks {
  std::unordered_map<std::string, int> uses;         // node inputs that read each value
  std::unordered_map<std::string, size_t> producer;  // index of the node that defines it

  int uses_of(const std::string& value) const;
  // The node that defines `value`, or nullptr for inputs and constants.
  Node* producer_of(Model& model, const std::string& value) const;
  // The node that defines `value` when a pass may merge it with the value's reader: an op of the
  // default domain without a load problem, `value` read once and no graph output; else nullptr.
  Node* private_producer(Model& model, const std::string& value) const;
};
ValueLinks value_links(const Model& model);

bool is_graph_output(const Model& model, const std::string& value);
// Every node input that reads `from` reads `to` instead.
void replace_uses(Model& model, const std::string& from, const std::string& to);

// A marked node is skipped by later matches of the same pass and erased by erase_removed().
void mark_removed(Node& node);
bool is_removed(const Node& node);
void erase_removed(Model& model);

// Adds a constant tensor (a folded weight) under `name`.
void add_constant(Model& model, const std::string& name, Tensor value);

// `into` takes over `from`'s first output: what `from` computed is now computed by `into`, whose
// own old output value disappears.
void take_output(Model& model, Node& into, const Node& from);

// `into` absorbs `from`, the node reading its output: takes over from's output (take_output),
// records the fusion of `kind` and marks `from` for removal.
void absorb(Model& model, Node& into, Node& from, Node::Fusion::Kind kind);

// The frame of a pass that merges nodes into their neighbours: offers every node to
// merge(model, node, links), `links` taken before the pass changes anything; merge returns true
// when it merged the node away (absorb). Then erases those nodes and notes how many there were
// ("<verb> <count> <what>").
void merge_nodes(Model& model, const std::string& verb, const std::string& what,
                 bool (*merge)(Model& model, Node& node, const ValueLinks& links));

// "<verb> <count> <what>" in the model's load notes, when count is not zero.
void note(Model& model, size_t count, const std::string& verb, const std::string& what);

}  // namespace algoscope::passes
