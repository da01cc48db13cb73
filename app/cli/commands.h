// The algoscope-cli commands. Each takes the arguments after the command word, prints to
// stdout/stderr and returns the process exit code (0 success, 1 a check found a mismatch,
// 2 bad usage or bad input; 130 when Ctrl-C stopped long work). algoscope::Error and UsageError
// propagate to main().
#pragma once

#include <string>
#include <vector>

namespace algoscope::cli {

int command_info(const std::vector<std::string>& args);
int command_algorithms(const std::vector<std::string>& args);
int command_run(const std::vector<std::string>& args);
int command_extract(const std::vector<std::string>& args);
// measure_commands.cpp
int command_check(const std::vector<std::string>& args);
int command_bench(const std::vector<std::string>& args);
int command_tune(const std::vector<std::string>& args);
int command_compare(const std::vector<std::string>& args);

}  // namespace algoscope::cli
