// The tuning cache (tuning_cache.h): the signatures that key it and the JSON file behind it.
// File: {"format": "algoscope-tuning-cache", "version": 2,
//        "entries": {KEY: {"candidates": [AlgorithmTiming JSON without index and name, ...]}}}
#include "algoscope/tuning_cache.h"

#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "algoscope/algoscope.h"
#include "algoscope/error.h"
#include "algoscope/file_io.h"
#include "cpu_features.h"
#include "cuda/backend.h"
#include "measure/json.h"

namespace algoscope {
namespace {

namespace fs = std::filesystem;
using measure::json;

constexpr const char* kFormat = "algoscope-tuning-cache";
// 2: a layout family's first candidate on a layer is never pruned (layer_measure.cpp); version 1
// files may hold such a candidate pruned, which keeps it out of the family's plan.
constexpr int kVersion = 2;

// "%.9g": floats round-trip, so equal attributes give equal signatures.
std::string number(double value) {
  char buffer[32];
  std::snprintf(buffer, sizeof buffer, "%.9g", value);
  return buffer;
}

template <class T, class F>
std::string list(const std::vector<T>& values, F format) {
  std::string s = "[";
  for (size_t i = 0; i < values.size(); ++i) {
    if (i) s += ',';
    s += format(values[i]);
  }
  return s + "]";
}

std::string attribute_text(const Attribute& attribute) {
  struct Format {
    std::string operator()(int64_t v) const { return std::to_string(v); }
    std::string operator()(float v) const { return number(v); }
    std::string operator()(const std::string& v) const { return "\"" + v + "\""; }
    std::string operator()(const std::vector<int64_t>& v) const {
      return list(v, [](int64_t x) { return std::to_string(x); });
    }
    std::string operator()(const std::vector<float>& v) const {
      return list(v, [](float x) { return number(x); });
    }
    std::string operator()(const std::vector<std::string>& v) const {
      return list(v, [](const std::string& x) { return "\"" + x + "\""; });
    }
    std::string operator()(const Tensor& t) const {
      // A tensor attribute's values can change the layer's work (Constant, ConstantOfShape).
      const auto* bytes = static_cast<const char*>(t.raw());
      return std::string(dtype_name(t.dtype())) + "[" + shape_to_string(t.shape()) + "]" +
             sha256_fingerprint(bytes ? std::string(bytes, t.bytes()) : std::string());
    }
    std::string operator()(const Attribute::Opaque&) const { return "<opaque>"; }
  };
  return std::visit(Format{}, attribute.value);
}

std::string value_text(const TensorInfo& info) {
  return std::string(dtype_name(info.dtype)) + "[" + shape_to_string(info.shape) + "]";
}

std::string read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw Error("cannot read it");
  std::stringstream buffer;
  buffer << in.rdbuf();
  return buffer.str();
}

using Entries = std::map<std::string, std::vector<AlgorithmTiming>>;

// Moves an unreadable cache file out of the way, to "<path>.corrupt" (replacing an older one), so
// that the next save starts a good file and the bad bytes stay for a bug report. Returns the
// sentence for the warning.
std::string set_aside(const std::string& path, const std::string& why) {
  const std::string aside = path + ".corrupt";
  std::error_code ec;
  fs::rename(path, aside, ec);
  if (ec)
    return "tuning cache '" + path + "' is unreadable (" + why +
           "); it is started afresh and will be replaced (could not move it aside: " +
           ec.message() + ")";
  return "tuning cache '" + path + "' is unreadable (" + why + "); it was set aside as '" + aside +
         "' and is started afresh";
}

// A cache file an older algoscope wrote: its measurements follow older rules, so it is replaced
// rather than set aside as broken.
struct StaleCache : Error {
  using Error::Error;
};

// Throws (StaleCache, Error or nlohmann's exceptions) when the text is not a cache file of this
// version.
Entries parse_entries(const std::string& text) {
  const json j = json::parse(text);
  if (const int version = j.value("version", 0);
      j.value("format", "") == kFormat && version > 0 && version < kVersion)
    throw StaleCache("written by an older algoscope (version " + std::to_string(version) +
                     "); its layers are measured again and it will be replaced");
  if (j.value("format", "") != kFormat || j.value("version", 0) != kVersion)
    throw Error(std::string("not an ") + kFormat + " file of version " + std::to_string(kVersion));
  Entries entries;
  for (const auto& [key, entry] : j.at("entries").items()) {
    std::vector<AlgorithmTiming> candidates;
    for (const json& c : entry.at("candidates"))
      candidates.push_back(measure::algorithm_timing_from_json(c));
    entries[key] = std::move(candidates);
  }
  return entries;
}

std::string serialize(const Entries& entries) {
  json j = {{"format", kFormat}, {"version", kVersion}, {"entries", json::object()}};
  for (const auto& [key, candidates] : entries) {
    json list = json::array();
    for (const AlgorithmTiming& c : candidates) {
      json one = measure::to_json_value(c);
      // The layer that measured it is not part of what is cached.
      for (const char* local : {"index", "name", "op", "from_cache"}) one.erase(local);
      list.push_back(std::move(one));
    }
    j["entries"][key] = {{"candidates", std::move(list)}};
  }
  return j.dump(1) + "\n";
}

}  // namespace

std::string machine_signature() {
  // Which OpenBLAS build matters too: the pthreads one competes with libgomp for the cores.
  static const std::string openblas = [] {
    const std::string threading = openblas_threading();
    // GPU timings depend on the device, its driver and the CUDA, cuDNN and cuBLAS versions.
    const cuda::Availability& gpu = cuda::availability();
    return "; OpenBLAS " + openblas_core() + " " + threading.substr(0, threading.find(' ')) + "; " +
           (gpu.module ? gpu.module->device_description() : std::string("no GPU"));
  }();
  return cpu::machine_text() + openblas;
}

std::string layer_signature(const Layer& layer) {
  const Node& node = layer.n();
  std::string s = (node.domain.empty() ? "" : node.domain + "::") + node.op_type + " in:";
  for (size_t i = 0; i < layer.inputs.size(); ++i) {
    if (i) s += ',';
    // Constants are marked: algorithms pre-transform them, so they cost differently.
    s += layer.has_input(i) ? value_text(layer.inputs[i]) + (layer.constant(i) ? "c" : "") : "-";
  }
  s += " out:";
  for (size_t i = 0; i < layer.outputs.size(); ++i) {
    if (i) s += ',';
    s += value_text(layer.outputs[i]);
  }
  s += " attrs:";
  for (const auto& [name, attribute] : node.attributes)
    s += name + "=" + attribute_text(attribute) + ";";
  if (node.activation)
    s += " act:" + node.activation->op + "[" + number(node.activation->lower) + "," +
         number(node.activation->upper) + "]";
  return s;
}

std::string cache_file_path(const char* override_variable, const std::string& file_name) {
  auto env = [](const char* name) -> std::string {
    const char* value = std::getenv(name);
    return value ? value : "";
  };
  if (std::string path = env(override_variable); !path.empty()) return path;
  fs::path base;
  if (std::string xdg = env("XDG_CACHE_HOME"); !xdg.empty() && fs::path(xdg).is_absolute())
    base = xdg;
  else if (std::string home = env("HOME"); !home.empty())
    base = fs::path(home) / ".cache";
  else
    base = fs::temp_directory_path();
  return (base / "algoscope" / file_name).string();
}

std::string TuningCache::default_path() {
  return cache_file_path("ALGOSCOPE_TUNING_CACHE", "tuning-cache.json");
}

TuningCache::TuningCache(std::string path) : path_(std::move(path)) {
  std::error_code ec;
  if (!fs::exists(path_, ec)) return;
  try {
    entries_ = parse_entries(read_file(path_));
  } catch (const StaleCache& e) {
    problem_ = "tuning cache '" + path_ + "' was " + e.what();
  } catch (const std::exception& e) {
    problem_ = set_aside(path_, e.what());
    entries_.clear();
  }
}

std::optional<std::vector<AlgorithmTiming>> TuningCache::find(const std::string& key) const {
  auto it = entries_.find(key);
  if (it == entries_.end()) return std::nullopt;
  return it->second;
}

void TuningCache::store(const std::string& key, std::vector<AlgorithmTiming> candidates) {
  entries_[key] = candidates;
  added_[key] = std::move(candidates);
}

void TuningCache::save() {
  if (added_.empty()) return;
  const fs::path path(path_);
  std::error_code ec;
  if (path.has_parent_path()) fs::create_directories(path.parent_path(), ec);
  if (ec)
    throw Error("cannot create the tuning cache directory '" + path.parent_path().string() +
                "': " + ec.message());
  // The lock serializes read-merge-write among processes; the rename keeps readers from ever
  // seeing half a file.
  const std::string lock_path = path_ + ".lock";
  const int lock = ::open(lock_path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
  if (lock < 0) throw Error("cannot open the tuning cache lock '" + lock_path + "'");
  ::flock(lock, LOCK_EX);
  Entries merged;
  try {
    if (fs::exists(path, ec)) merged = parse_entries(read_file(path_));
  } catch (const StaleCache&) {
    // Replaced by what this process measured.
  } catch (const std::exception& e) {
    // Broken since this process read it (by something other than a cache writer: they rename
    // whole files into place): kept aside like at loading.
    problem_ = set_aside(path_, e.what());
  }
  for (auto& [key, candidates] : added_) merged[key] = candidates;
  try {
    write_file_atomically(path_, serialize(merged), "tuning cache");
  } catch (const Error&) {
    ::flock(lock, LOCK_UN);
    ::close(lock);
    throw;
  }
  ::flock(lock, LOCK_UN);
  ::close(lock);
  entries_ = std::move(merged);
  added_.clear();
}

void TuningCache::clear(const std::string& path) {
  std::error_code ec;
  fs::remove(path, ec);
  if (ec) throw Error("cannot remove the tuning cache '" + path + "': " + ec.message());
}

}  // namespace algoscope
