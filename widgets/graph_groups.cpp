// Grouping layers by name prefix (graph_groups.h): tokenising names, grouping at one level and
// choosing the level.
#include "graph_groups.h"

#include <algorithm>
#include <map>

namespace algoscope::gui {

std::vector<int> prefixTokenEnds(const QString& name) {
  std::vector<int> ends;
  int start = 0;
  for (int i = 0; i <= int(name.size()); ++i) {
    const bool separator =
        i == int(name.size()) || name[i] == QLatin1Char('/') || name[i] == QLatin1Char('.');
    if (!separator) continue;
    if (i > start) ends.push_back(i);
    start = i + 1;
  }
  if (!ends.empty()) ends.pop_back();  // the node's own name is no prefix
  return ends;
}

LayerGroups groupLayersAtLevel(const std::vector<QString>& names, int level) {
  LayerGroups groups;
  groups.level = level;
  groups.groupOf.assign(names.size(), -1);
  if (level <= 0) {
    groups.level = 0;
    groups.collapsedBoxes = int(names.size());
    return groups;
  }
  // Candidate groups by prefix, in order of their first member; loners are weeded out after.
  std::map<QString, int> candidateOf;
  std::vector<QString> candidatePrefixes;
  std::vector<std::vector<int>> candidateMembers;
  for (int layer = 0; layer < int(names.size()); ++layer) {
    const std::vector<int> ends = prefixTokenEnds(names[size_t(layer)]);
    if (int(ends.size()) < level) continue;
    const QString prefix = names[size_t(layer)].left(ends[size_t(level - 1)]);
    auto [it, inserted] = candidateOf.try_emplace(prefix, int(candidatePrefixes.size()));
    if (inserted) {
      candidatePrefixes.push_back(prefix);
      candidateMembers.emplace_back();
    }
    candidateMembers[size_t(it->second)].push_back(layer);
  }
  int grouped = 0;
  for (size_t c = 0; c < candidatePrefixes.size(); ++c) {
    if (candidateMembers[c].size() < 2) continue;
    const int group = int(groups.prefixes.size());
    for (int layer : candidateMembers[c]) groups.groupOf[size_t(layer)] = group;
    grouped += int(candidateMembers[c].size());
    groups.prefixes.push_back(candidatePrefixes[c]);
    groups.members.push_back(std::move(candidateMembers[c]));
  }
  if (groups.prefixes.empty()) groups.level = 0;
  groups.collapsedBoxes = int(groups.prefixes.size()) + int(names.size()) - grouped;
  return groups;
}

LayerGroups groupLayersByPrefix(const std::vector<QString>& names, int maxBoxes) {
  int deepest = 0;
  for (const QString& name : names) deepest = std::max(deepest, int(prefixTokenEnds(name).size()));
  LayerGroups chosen = groupLayersAtLevel(names, 0);
  for (int level = 1; level <= deepest; ++level) {
    LayerGroups candidate = groupLayersAtLevel(names, level);
    if (candidate.level == 0) continue;  // no two layers share a prefix this deep
    const bool withinLimit = candidate.collapsedBoxes <= maxBoxes;
    if (!withinLimit && chosen.level != 0) break;  // box counts only grow from here
    chosen = std::move(candidate);
    if (!withinLimit) break;  // the coarsest grouping is the best there is
  }
  return chosen;
}

}  // namespace algoscope::gui
