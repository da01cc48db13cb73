// Placeholder: replaced by the gemm family's registry.
#include "ops/registrations.h"
namespace algoscope::ops {
void register_gemm(Registry&) {}
}  // namespace algoscope::ops
