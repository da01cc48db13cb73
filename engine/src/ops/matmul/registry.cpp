// Placeholder: replaced by the matmul family's registry.
#include "ops/registrations.h"
namespace algoscope::ops {
void register_matmul(Registry&) {}
}  // namespace algoscope::ops
