// The persistent tuning cache, like MIOpen's find-db: what `tune` measured for a layer, stored on
// disk under a key made of the layer's signature (op, input and output types and shapes,
// attributes, fused activation), the set of algorithms tried, the thread count, the tolerance,
// the machine (CPU model and ISA, OpenBLAS's kernels) and the engine version. A second tune of the
// same model, or of a model that shares layer shapes, reads its measurements instead of timing
// again. The file is JSON; writers merge under a file lock and replace it by rename, so concurrent
// tunes do not corrupt it.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <vector>

#include "algoscope/measure.h"
#include "algoscope/registry.h"

namespace algoscope {

// The CPU as the cache keys it, e.g. "AMD EPYC (family 26, model 2); avx512f avx2 fma; OpenBLAS
// SkylakeX", with " capped at avx2" after the features while a test or benchmark caps the kernels'
// instruction-set level (engine/src/cpu_features.h).
std::string machine_signature();

// A cache file of algoscope's: $`override_variable` when set, else
// $XDG_CACHE_HOME/algoscope/`file_name`, else ~/.cache/algoscope/`file_name`.
std::string cache_file_path(const char* override_variable, const std::string& file_name);

// What makes two layers the same problem for an algorithm: op type and domain, every input's type
// and shape (constants marked, their values left out), the outputs, the attributes and a fused
// activation. Node names are not part of it.
std::string layer_signature(const Layer& layer);

class TuningCache {
 public:
  // $ALGOSCOPE_TUNING_CACHE when set, else $XDG_CACHE_HOME/algoscope/tuning-cache.json, else
  // $HOME/.cache/algoscope/tuning-cache.json.
  static std::string default_path();

  // Reads the file when it exists. A cache is disposable, so an unreadable or malformed file is
  // not an error: it is renamed to "<path>.corrupt" (kept for a bug report), the cache starts
  // empty, and problem() says so for the caller to warn.
  explicit TuningCache(std::string path);

  const std::string& path() const { return path_; }
  const std::string& problem() const { return problem_; }
  size_t size() const { return entries_.size(); }

  // The candidates measured under `key`, without layer index or node name.
  std::optional<std::vector<AlgorithmTiming>> find(const std::string& key) const;
  void store(const std::string& key, std::vector<AlgorithmTiming> candidates);

  // Writes the entries stored since loading, merged into what the file holds now (another process
  // may have added entries meanwhile), under an flock, through a temporary file and a rename.
  // Creates the directory. Throws Error when the file cannot be written.
  void save();

  // Removes the cache file; no error when there is none.
  static void clear(const std::string& path);

 private:
  std::string path_;
  std::string problem_;
  std::map<std::string, std::vector<AlgorithmTiming>> entries_;
  std::map<std::string, std::vector<AlgorithmTiming>> added_;
};

}  // namespace algoscope
