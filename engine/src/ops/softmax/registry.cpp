// Placeholder: replaced by the softmax family's registry.
#include "ops/registrations.h"
namespace algoscope::ops {
void register_softmax(Registry&) {}
}  // namespace algoscope::ops
