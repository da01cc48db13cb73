// See arguments.h.
#include "cli/arguments.h"

#include <algorithm>

namespace algoscope::cli {

std::optional<std::string> Arguments::value(const std::string& name) const {
  auto it = options.find(name);
  if (it == options.end() || it->second.empty()) return std::nullopt;
  return it->second.back();
}

const std::vector<std::string>& Arguments::values(const std::string& name) const {
  static const std::vector<std::string> none;
  auto it = options.find(name);
  return it == options.end() ? none : it->second;
}

int Arguments::int_value(const std::string& name, int fallback, int min_value) const {
  auto v = value(name);
  if (!v) return fallback;
  try {
    size_t used = 0;
    int n = std::stoi(*v, &used);
    if (used == v->size() && n >= min_value) return n;
  } catch (const std::exception&) {
  }
  throw UsageError(name + " needs an integer >= " + std::to_string(min_value) + ", got '" + *v +
                   "'");
}

double Arguments::double_value(const std::string& name, double fallback) const {
  auto v = value(name);
  if (!v) return fallback;
  try {
    size_t used = 0;
    double d = std::stod(*v, &used);
    if (used == v->size() && d >= 0) return d;
  } catch (const std::exception&) {
  }
  throw UsageError(name + " needs a non-negative number, got '" + *v + "'");
}

Arguments parse_arguments(const std::vector<std::string>& args,
                          const std::vector<OptionSpec>& specs) {
  Arguments out;
  for (size_t i = 0; i < args.size(); ++i) {
    const std::string& a = args[i];
    if (a.size() < 2 || a[0] != '-' || a == "-") {
      out.positional.push_back(a);
      continue;
    }
    std::string name = a, inline_value;
    bool has_inline = false;
    if (auto eq = a.find('='); eq != std::string::npos && a.rfind("--", 0) == 0) {
      name = a.substr(0, eq);
      inline_value = a.substr(eq + 1);
      has_inline = true;
    }
    auto spec = std::find_if(specs.begin(), specs.end(),
                             [&](const OptionSpec& s) { return s.name == name; });
    if (spec == specs.end()) throw UsageError("unknown option '" + name + "'");
    if (!spec->repeatable && out.options.count(name))
      throw UsageError("option '" + name + "' is given twice");
    if (!spec->takes_value) {
      if (has_inline) throw UsageError("option '" + name + "' takes no value");
      out.options[name];
      continue;
    }
    if (has_inline) {
      out.options[name].push_back(inline_value);
    } else {
      if (i + 1 >= args.size()) throw UsageError("option '" + name + "' needs a value");
      out.options[name].push_back(args[++i]);
    }
  }
  return out;
}

}  // namespace algoscope::cli
