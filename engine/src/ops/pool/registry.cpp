// Placeholder: replaced by the pool family's registry.
#include "ops/registrations.h"
namespace algoscope::ops {
void register_pool(Registry&) {}
}  // namespace algoscope::ops
