// Placeholder: replaced by the binary family's registry.
#include "ops/registrations.h"
namespace algoscope::ops {
void register_binary(Registry&) {}
}  // namespace algoscope::ops
