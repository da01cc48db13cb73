// Placeholder: replaced by the conv family's registry.
#include "ops/registrations.h"
namespace algoscope::ops {
void register_conv(Registry&) {}
}  // namespace algoscope::ops
