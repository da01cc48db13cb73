// What an algorithm's own file says about it: the one-line summary and the teaching text (how it
// works, extra memory, when it wins, numerics). Every algorithm file exports one `<name>_text()`
// returning it, so the prose sits next to the code it describes; the op's registry.cpp pairs it
// with the name and the technical fields, and closes the teaching text with the sentence generated
// from the tolerance (never written by hand, so the two cannot disagree).
#pragma once

#include <string>

namespace algoscope::ops {

struct AlgorithmText {
  std::string summary;   // one line
  std::string teaching;  // without the tolerance sentence
};

}  // namespace algoscope::ops
