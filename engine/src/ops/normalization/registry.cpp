// Placeholder: replaced by the normalization family's registry.
#include "ops/registrations.h"
namespace algoscope::ops {
void register_normalization(Registry&) {}
}  // namespace algoscope::ops
