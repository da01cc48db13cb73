// The engine's one memory limit. Models, plans and tensor files come from strangers, and their
// sizes (an initializer's dims, a ConstantOfShape's shape values, an input file's shape) decide
// what the engine allocates: a 40-byte file can ask for terabytes. Every allocation sized by such
// data is checked against memory_limit() before it is made, and refused with an Error that names
// the tensor, its type and shape and the size it would need. Shape products that overflow are
// refused the same way instead of wrapping around to a small number.
//
// The limit defaults to half of the machine's physical memory; the environment variable
// ALGOSCOPE_MEMORY_LIMIT (bytes, or with a suffix: 512M, 4G, 1.5T) or set_memory_limit() override
// it. It is process-wide and may be read and set from any thread.
#pragma once

#include <cstddef>
#include <optional>
#include <string>

#include "algoscope/tensor.h"

namespace algoscope {

// The limit in bytes now in force: set_memory_limit's value if set, else ALGOSCOPE_MEMORY_LIMIT if
// set (an unparsable value throws Error naming it), else half of physical memory.
size_t memory_limit();
// Overrides the limit for the whole process; bytes must be positive.
void set_memory_limit(size_t bytes);
// Drops set_memory_limit's override: the environment or the default applies again.
void reset_memory_limit();
// Half of physical memory: the limit when nothing overrides it.
size_t default_memory_limit();

// "123", "512K", "512M", "4G", "1.5T", "2GiB", "64 MB": binary multiples (K = 1024). Throws Error
// naming `what` (the variable or flag the text came from) for anything else, zero included.
size_t parse_byte_size(const std::string& text, const std::string& what);
// "64.0 GiB", "512 bytes": for messages.
std::string format_bytes(size_t bytes);

// Throws Error unless `bytes` fits the limit: "<what> would need 64.0 GiB<detail>, more than the
// memory limit of 11.7 GiB (set ALGOSCOPE_MEMORY_LIMIT to change it)". `what` names the tensor.
void check_allocation(size_t bytes, const std::string& what, const std::string& detail = "");

// The element count and byte size of a shape, or nullopt when either overflows (or a dimension is
// negative).
std::optional<size_t> checked_tensor_bytes(DType dtype, const Shape& shape);
// "float32[4096,4096,1024]"
std::string tensor_type_string(DType dtype, const Shape& shape);
// Both checks for a tensor about to be allocated: its size must be computable without overflow
// and fit the limit. Returns the size in bytes.
size_t check_tensor_allocation(DType dtype, const Shape& shape, const std::string& what);

}  // namespace algoscope
