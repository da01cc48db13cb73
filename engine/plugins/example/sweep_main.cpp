// Runs the engine's Conv sweep on the plugin's algorithm: load the plugin, sweep, print the report,
// exit 0 when every applicable layer matches `reference`. Usage: sweep PLUGIN.so [ALGORITHM]
#include <algoscope/algorithm_sweep.h>
#include <algoscope/error.h>
#include <algoscope/plugin.h>

#include <cstdio>
#include <string>

int main(int argc, char** argv) {
  if (argc < 2) {
    std::fprintf(stderr, "usage: %s PLUGIN.so [ALGORITHM]\n", argv[0]);
    return 2;
  }
  try {
    const algoscope::PluginInfo info = algoscope::load_plugin(argv[1]);
    for (const std::string& a : info.algorithms) std::printf("loaded %s\n", a.c_str());
    const std::string algorithm = argc > 2 ? argv[2] : "example_loops";
    const algoscope::SweepReport report = algoscope::sweep_algorithm("Conv", algorithm);
    std::printf("%s\n", report.summary().c_str());
    return report.passed() ? 0 : 1;
  } catch (const algoscope::Error& e) {
    std::fprintf(stderr, "error: %s\n", e.what());
    return 2;
  }
}
