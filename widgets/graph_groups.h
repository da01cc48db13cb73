// Blocks of a model from its layer names, for the graph view's collapsible groups. Exporters
// name nodes by the module that made them (torch: `/encoder/layers.3/self_attn/MatMul`,
// `/features/denseblock2/denselayer5/conv1/Conv`), so layers that share a hierarchical name prefix
// belong to one block. A pure function of the names: no widgets, no model, unit-testable alone.
#pragma once

#include <QString>
#include <vector>

namespace algoscope::gui {

// The layers grouped at one prefix level: a layer whose name has at least `level` prefix tokens
// belongs to the group of its first `level` tokens; one with fewer stays a box of its own, and so
// does the only member of a group.
struct LayerGroups {
  int level = 0;                          // prefix tokens the members of a group share; 0: none
  std::vector<QString> prefixes;          // per group, as written in the names: "/encoder/layers.3"
  std::vector<std::vector<int>> members;  // per group, layer indexes in ascending order (>= 2)
  std::vector<int> groupOf;               // per layer: its group, or -1 when it stands alone
  int collapsedBoxes = 0;                 // boxes with every group collapsed: groups + loners
};

// The prefix tokens of a layer name: split on '/' and '.', empty tokens skipped, the last token
// (the node's own name, "MatMul") dropped. For each token, where it ends in `name`.
std::vector<int> prefixTokenEnds(const QString& name);

LayerGroups groupLayersAtLevel(const std::vector<QString>& names, int level);

// The level picked automatically: the deepest one at which the model collapses to at most
// `maxBoxes` boxes (groups plus the layers that stand alone). Deeper levels split groups, so the
// box count only grows with the level; the deepest level within the limit keeps blocks as small
// (as meaningful: one transformer layer, one dense layer) as the limit allows. When even the
// first level exceeds the limit, the first level is used; when no two layers share a prefix the
// result has no groups (level 0).
LayerGroups groupLayersByPrefix(const std::vector<QString>& names, int maxBoxes = 60);

}  // namespace algoscope::gui
