// The one exception type of the engine. Every failure a person can cause (a bad file, a bad plan,
// an algorithm that does not apply) surfaces as an algoscope::Error whose message says what is
// wrong and where, so the CLI and the GUI can show it verbatim. The library never calls exit().
#pragma once

#include <stdexcept>
#include <string>

namespace algoscope {

class Error : public std::runtime_error {
 public:
  explicit Error(const std::string& message) : std::runtime_error(message) {}
};

}  // namespace algoscope
