// Command-line parsing for algoscope-cli: a command word, positional arguments and options, each
// option declared with whether it takes a value and whether it may repeat. Mistakes raise
// UsageError, which main() turns into the message plus exit code 2.
#pragma once

#include <map>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

namespace algoscope::cli {

class UsageError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

struct OptionSpec {
  std::string name;  // "--plan"
  bool takes_value = true;
  bool repeatable = false;
};

struct Arguments {
  std::vector<std::string> positional;
  std::map<std::string, std::vector<std::string>> options;

  bool has(const std::string& name) const { return options.count(name) != 0; }
  std::optional<std::string> value(const std::string& name) const;
  const std::vector<std::string>& values(const std::string& name) const;
  int int_value(const std::string& name, int fallback, int min_value) const;
  double double_value(const std::string& name, double fallback) const;
};

Arguments parse_arguments(const std::vector<std::string>& args,
                          const std::vector<OptionSpec>& specs);

}  // namespace algoscope::cli
