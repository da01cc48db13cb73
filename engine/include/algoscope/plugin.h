// Custom algorithms from shared libraries. A plugin is a .so that exports one C-linkage function,
// algoscope_register_plugin, which adds any number of algorithms (for any registered op, or new
// ops) through the ordinary Registry API. ALGOSCOPE_PLUGIN(function) defines that export around a
// `void function(algoscope::Registry&)`, with the ABI check and exception handling:
//
//   #include <algoscope/plugin.h>
//   static void register_mine(algoscope::Registry& registry) {
//     algoscope::Algorithm a;  a.name = "my_conv";  ...  a.prepare = ...;
//     registry.add_algorithm("Conv", std::move(a));
//   }
//   ALGOSCOPE_PLUGIN(register_mine)
//
// load_plugin() dlopens the file (it stays loaded for the process: kernels point into it), calls
// the export, and marks what was added as Backend::Plugin with the file as its origin. The CLI's
// --plugin and the GUI call it. engine/plugins/example is a complete plugin built in and out of
// tree; algorithm_sweep.h has the correctness sweep to test one with.
#pragma once

#include <exception>
#include <string>
#include <vector>

#include "algoscope/registry.h"

// Bumped whenever Registry, Algorithm, Layer, KernelIO, Kernel or Tensor change layout.
#define ALGOSCOPE_PLUGIN_ABI 7

// The export's signature: returns nullptr on success, else an error message that stays valid
// until the next call.
extern "C" {
typedef const char* (*algoscope_register_plugin_fn)(int abi, algoscope::Registry* registry);
}

#define ALGOSCOPE_PLUGIN(register_function)                                                     \
  extern "C" __attribute__((visibility("default"))) const char* algoscope_register_plugin(      \
      int abi, algoscope::Registry* registry) {                                                 \
    static thread_local std::string error;                                                      \
    if (abi != ALGOSCOPE_PLUGIN_ABI) {                                                          \
      error = "the plugin was built for algoscope plugin ABI " +                                \
              std::to_string(ALGOSCOPE_PLUGIN_ABI) + ", the engine has " + std::to_string(abi); \
      return error.c_str();                                                                     \
    }                                                                                           \
    try {                                                                                       \
      register_function(*registry);                                                             \
      return nullptr;                                                                           \
    } catch (const std::exception& e) {                                                         \
      error = e.what();                                                                         \
      return error.c_str();                                                                     \
    }                                                                                           \
  }

namespace algoscope {

// What one plugin added, "Op/algorithm" per entry.
struct PluginInfo {
  std::string path;
  std::vector<std::string> algorithms;
};

// Loads a plugin into `registry`. Loading the same file again returns the first load's info.
// Throws Error naming the file for a missing or unloadable file, a missing export, an ABI
// mismatch, or a registration that failed (duplicate name, unknown op, ...).
PluginInfo load_plugin(const std::string& path, Registry& registry = Registry::instance());

// Plugins loaded so far, in load order.
std::vector<PluginInfo> loaded_plugins();

}  // namespace algoscope
