// Placeholder: replaced by the reduce family's registry.
#include "ops/registrations.h"
namespace algoscope::ops {
void register_reduce(Registry&) {}
}  // namespace algoscope::ops
