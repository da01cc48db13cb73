// Placeholder: replaced by the unary family's registry.
#include "ops/registrations.h"
namespace algoscope::ops {
void register_unary(Registry&) {}
}  // namespace algoscope::ops
