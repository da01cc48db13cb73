// The version compiled into the library (from the CMake project version) and build facts.
#include "algoscope/algoscope.h"
#include "blas/sgemm.h"
#include "cpu_features.h"

namespace algoscope {
const char* version() { return ALGOSCOPE_VERSION; }
std::string kernel_level() {
  const cpu::IsaLevel active = cpu::active_level(), detected = cpu::detected_level();
  std::string text = cpu::level_name(active);
  if (active != detected)
    text += std::string(" (capped; the CPU has ") + cpu::level_name(detected) + ")";
  return text;
}
std::string openblas_core() { return blas::openblas_core_name(); }
std::string openblas_threading() { return blas::openblas_threading(); }
}  // namespace algoscope
