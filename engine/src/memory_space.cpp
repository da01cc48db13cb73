// Buffers in a memory space and copies between spaces (memory_space.h). Host buffers are 64-byte
// aligned heap blocks; device buffers come from the space itself.
#include "algoscope/memory_space.h"

#include <cstdlib>
#include <cstring>
#include <utility>
#include <vector>

#include "algoscope/error.h"

namespace algoscope {

SpaceBuffer::SpaceBuffer(MemorySpace* space, size_t bytes) : space_(space), bytes_(bytes) {
  if (bytes == 0) return;
  if (space) {
    data_ = space->allocate(bytes);
    return;
  }
  data_ = std::aligned_alloc(64, (bytes + 63) / 64 * 64);
  if (!data_) throw Error("out of memory allocating " + std::to_string(bytes) + " bytes");
}

SpaceBuffer::~SpaceBuffer() { release(); }

SpaceBuffer::SpaceBuffer(SpaceBuffer&& other) noexcept
    : space_(other.space_),
      data_(std::exchange(other.data_, nullptr)),
      bytes_(std::exchange(other.bytes_, 0)) {}

SpaceBuffer& SpaceBuffer::operator=(SpaceBuffer&& other) noexcept {
  if (this != &other) {
    release();
    space_ = other.space_;
    data_ = std::exchange(other.data_, nullptr);
    bytes_ = std::exchange(other.bytes_, 0);
  }
  return *this;
}

void SpaceBuffer::release() noexcept {
  if (!data_) return;
  if (space_)
    space_->deallocate(data_);
  else
    std::free(data_);
  data_ = nullptr;
}

void copy_between(MemorySpace* to, void* destination, MemorySpace* from, const void* source,
                  size_t bytes) {
  if (bytes == 0) return;
  if (!to && !from) {
    std::memcpy(destination, source, bytes);
  } else if (!from) {
    to->copy_from_host(destination, source, bytes);
  } else if (!to) {
    from->copy_to_host(destination, source, bytes);
  } else {
    // Between two devices (or within one): through the host, which every space can reach.
    std::vector<std::byte> staging(bytes);
    from->copy_to_host(staging.data(), source, bytes);
    to->copy_from_host(destination, staging.data(), bytes);
  }
}

}  // namespace algoscope
