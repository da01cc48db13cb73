// Placeholder: replaced by the shape family's registry.
#include "ops/registrations.h"
namespace algoscope::ops {
void register_shape(Registry&) {}
}  // namespace algoscope::ops
