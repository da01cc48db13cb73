// The version compiled into the library (from the CMake project version) and build facts.
#include "algoscope/algoscope.h"
#include "blas/sgemm.h"

namespace algoscope {
const char* version() { return ALGOSCOPE_VERSION; }
std::string openblas_core() { return blas::openblas_core_name(); }
std::string openblas_threading() { return blas::openblas_threading(); }
}  // namespace algoscope
