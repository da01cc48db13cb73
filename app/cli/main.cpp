// algoscope-cli: the headless face of the engine. Dispatches the command word; every error a user
// can cause ends as one message on stderr and exit code 2.
#include <iostream>
#include <map>
#include <string>
#include <vector>

#include "algoscope/algoscope.h"
#include "algoscope/resource_limits.h"
#include "cli/arguments.h"
#include "cli/commands.h"

namespace {

const char* kUsage =
    "usage: algoscope-cli COMMAND [ARGS]\n"
    "\n"
    "commands:\n"
    "  info MODEL [--json]                       layers, shapes, parameters, FLOPs, algorithms\n"
    "  algorithms [--op OP] [--json]             the algorithm registry\n"
    "  run MODEL [--plan P] [--select OP=ALGO]... [--inputs DIR] [--outputs DIR] [--threads N]\n"
    "                                            run a model under a plan\n"
    "  extract MODEL --layer NAME -o DIR [--plan P] [--select OP=ALGO]... [--inputs DIR]\n"
    "        [--threads N]                       one layer as its own ONNX model with the input\n"
    "                                            and output it had in a run of the model\n"
    "                                            (DIR/model.onnx, DIR/test_data_set_0)\n"
    "  check MODEL [--plan P] [--select OP=ALGO]... [--inputs DIR] [--expected DIR]\n"
    "        [--atol A --rtol R] [--threads N] [--json FILE] [--csv FILE]\n"
    "                                            every layer and the outputs against reference\n"
    "  bench MODEL [--plan P] [--select OP=ALGO]... [--layers] [--all-algorithms] [--warmup N]\n"
    "        [--repeat N] [--threads N] [--inputs DIR] [--memory] [--trace FILE.json]\n"
    "        [--json FILE] [--csv FILE]          end-to-end latency, per-layer breakdown with\n"
    "                                            the roofline (--layers), memory along the steps\n"
    "                                            (--memory), a Chrome/Perfetto trace (--trace)\n"
    "  tune MODEL -o PLAN [--strategy per-layer|family|global] [--memory-budget SIZE]\n"
    "        [--threads N] [--warmup N] [--repeat N] [--atol A --rtol R]\n"
    "        [--no-cache | --clear-cache] [--cache FILE] [--heuristic] [--json FILE] [--csv FILE]\n"
    "                                            fastest plan within tolerance: per layer, per\n"
    "                                            layout family, or every layer's algorithm and\n"
    "                                            layouts chosen together (global, the default)\n"
    "  compare PLAN_A PLAN_B MODEL [--warmup N] [--repeat N] [--threads N] [--json FILE]\n"
    "        [--csv FILE]                        two plans side by side, per layer and end to end\n"
    "\n"
    "global options: --help, --version, --plugin LIB.so (repeatable: loads algorithms from a\n"
    "  plugin before the command runs; see engine/plugins/example), --memory-limit SIZE (refuse\n"
    "  models, plans and inputs that would need more memory, e.g. 512M or 4G; default half of\n"
    "  physical memory, or $ALGOSCOPE_MEMORY_LIMIT)\n"
    "Timing (bench, tune, compare): --repeat N timed runs at least, then more until the median\n"
    "  is known to ±--ci PERCENT (95% confidence; default 2 end to end, 3 per layer, 5 per tune\n"
    "  candidate; 0: exactly N runs), at most --max-repeat N runs or --budget SECONDS each.\n"
    "Inputs and outputs use ONNX's test_data_set layout: DIR/input_K.pb, DIR/output_K.pb.\n"
    "The tuning cache lives in $ALGOSCOPE_TUNING_CACHE, else $XDG_CACHE_HOME/algoscope/, else\n"
    "~/.cache/algoscope/. A progress bar is drawn on stderr when it is a terminal; Ctrl-C stops\n"
    "check, bench, tune and compare, which then report what they finished.\n"
    "Exit codes: 0 success, 1 a check found a mismatch, 2 bad usage or bad input, 130\n"
    "interrupted.\n";

}  // namespace

int main(int argc, char** argv) {
  std::vector<std::string> args;
  std::vector<std::string> plugins;  // --plugin LIB.so, anywhere on the line
  std::string memory_limit;          // --memory-limit SIZE, anywhere on the line
  for (int i = 1; i < argc; ++i) {
    const std::string a = argv[i];
    if (a == "--memory-limit") {
      if (i + 1 >= argc) {
        std::cerr << "algoscope-cli: --memory-limit needs a size (e.g. 512M, 4G)\n";
        return 2;
      }
      memory_limit = argv[++i];
    } else if (a.rfind("--memory-limit=", 0) == 0) {
      memory_limit = a.substr(15);
    } else if (a == "--plugin") {
      if (i + 1 >= argc) {
        std::cerr << "algoscope-cli: --plugin needs a library path\n";
        return 2;
      }
      plugins.push_back(argv[++i]);
    } else if (a.rfind("--plugin=", 0) == 0) {
      plugins.push_back(a.substr(9));
    } else {
      args.push_back(a);
    }
  }
  try {
    if (!memory_limit.empty())
      algoscope::set_memory_limit(algoscope::parse_byte_size(memory_limit, "--memory-limit"));
    else
      algoscope::memory_limit();  // a bad $ALGOSCOPE_MEMORY_LIMIT is reported before any work
  } catch (const algoscope::Error& e) {
    std::cerr << "algoscope-cli: " << e.what() << "\n";
    return 2;
  }
  for (const std::string& path : plugins) {
    try {
      algoscope::load_plugin(path);
    } catch (const algoscope::Error& e) {
      std::cerr << "algoscope-cli: " << e.what() << "\n";
      return 2;
    }
  }
  if (args.empty()) {
    std::cerr << kUsage;
    return 2;
  }
  const std::string command = args[0];
  if (command == "--help" || command == "-h" || command == "help") {
    std::cout << kUsage;
    return 0;
  }
  if (command == "--version") {
    std::cout << "algoscope-cli " << algoscope::version()
              << "\nengine kernels: " << algoscope::kernel_level()
              << "\nOpenBLAS kernels: " << algoscope::openblas_core()
              << "\nOpenBLAS threads: " << algoscope::openblas_threading() << "\n";
    return 0;
  }
  const std::map<std::string, int (*)(const std::vector<std::string>&)> commands = {
      {"info", algoscope::cli::command_info},   {"algorithms", algoscope::cli::command_algorithms},
      {"run", algoscope::cli::command_run},     {"extract", algoscope::cli::command_extract},
      {"check", algoscope::cli::command_check}, {"bench", algoscope::cli::command_bench},
      {"tune", algoscope::cli::command_tune},   {"compare", algoscope::cli::command_compare},
  };
  auto it = commands.find(command);
  if (it == commands.end()) {
    std::cerr << "algoscope-cli: unknown command '" << command << "'\n\n" << kUsage;
    return 2;
  }
  std::vector<std::string> rest(args.begin() + 1, args.end());
  for (const auto& a : rest)
    if (a == "--help" || a == "-h") {
      std::cout << kUsage;
      return 0;
    }
  try {
    return it->second(rest);
  } catch (const algoscope::cli::UsageError& e) {
    std::cerr << "algoscope-cli " << command << ": " << e.what()
              << "\n(see algoscope-cli --help)\n";
    return 2;
  } catch (const algoscope::Error& e) {
    std::cerr << "algoscope-cli " << command << ": error: " << e.what() << "\n";
    return 2;
  } catch (const std::exception& e) {
    std::cerr << "algoscope-cli " << command << ": internal error: " << e.what() << "\n";
    return 2;
  }
}
