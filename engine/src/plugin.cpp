// Plugin loading (plugin.h): dlopen with RTLD_NOW so missing symbols fail here and not in the
// middle of a run, the registration export called with the registry in "plugin scope" so that
// everything it adds is marked as coming from that file, and a list of what each plugin added.
// Handles are never closed: prepared kernels and std::function targets live in the library.
#include "algoscope/plugin.h"

#include <dlfcn.h>

#include <algorithm>
#include <filesystem>
#include <mutex>

#include "algoscope/error.h"
#include "algoscope/registry_guard.h"

namespace algoscope {

namespace {

std::mutex g_mutex;
std::vector<PluginInfo> g_loaded;

// "Op/algorithm" for every algorithm of the registry.
std::vector<std::string> algorithm_keys(const Registry& registry) {
  std::vector<std::string> keys;
  for (const std::string& op : registry.op_types())
    for (const Algorithm& a : registry.find_op(op)->algorithms) keys.push_back(op + "/" + a.name);
  return keys;
}

}  // namespace

PluginInfo load_plugin(const std::string& path, Registry& registry) {
  // Exclusive for the whole registration: threads compiling or measuring meanwhile finish first
  // and the ones that start wait, and the before/after listing sees only this plugin's additions.
  // Taken before g_mutex, so that a reader calling loaded_plugins() cannot wait on us while we
  // wait on it.
  RegistryWriteGuard write(registry);
  std::lock_guard lock(g_mutex);
  std::error_code ec;
  if (!std::filesystem::is_regular_file(path, ec))
    throw Error("plugin '" + path + "': no such file");
  const std::string canonical = std::filesystem::canonical(path, ec).string();
  for (const PluginInfo& p : g_loaded)
    if (p.path == canonical) return p;
  void* handle = dlopen(canonical.c_str(), RTLD_NOW | RTLD_LOCAL);
  if (!handle) {
    const char* why = dlerror();
    throw Error("plugin '" + path + "' cannot be loaded: " + (why ? why : "unknown error"));
  }
  auto fn =
      reinterpret_cast<algoscope_register_plugin_fn>(dlsym(handle, "algoscope_register_plugin"));
  if (!fn) {
    dlclose(handle);
    throw Error("plugin '" + path +
                "' does not export algoscope_register_plugin (define it with ALGOSCOPE_PLUGIN)");
  }
  const std::vector<std::string> before = algorithm_keys(registry);
  const char* error = nullptr;
  {
    Registry::PluginScope scope(registry, canonical);
    error = fn(ALGOSCOPE_PLUGIN_ABI, &registry);
  }
  PluginInfo info;
  info.path = canonical;
  for (const std::string& key : algorithm_keys(registry))
    if (std::find(before.begin(), before.end(), key) == before.end())
      info.algorithms.push_back(key);
  // Whatever was registered before a failure stays (its code is loaded); the error says so.
  if (error)
    throw Error(
        "plugin '" + path + "' failed to register: " + error +
        (info.algorithms.empty()
             ? ""
             : " (after adding " + std::to_string(info.algorithms.size()) + " algorithm(s))"));
  g_loaded.push_back(info);
  return info;
}

std::vector<PluginInfo> loaded_plugins() {
  std::lock_guard lock(g_mutex);
  return g_loaded;
}

}  // namespace algoscope
