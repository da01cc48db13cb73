// The version compiled into the library (from the CMake project version).
#include "algoscope/algoscope.h"

namespace algoscope {
const char* version() { return ALGOSCOPE_VERSION; }
}  // namespace algoscope
