// Where values live. Every kernel runs in one memory space: the host's memory (the default, a
// null MemorySpace*) or a device's (a CUDA GPU). A Session stores each value in the space of the
// kernel that produces it and, where a reader runs in another space, inserts a transfer: an
// explicit step with its own name and timing, never hidden inside a kernel. Constants a device
// kernel reads are transferred once, when the session is compiled. Tests drive the same machinery
// with a fake space over host memory (tests/engine/test_placement.cpp).
#pragma once

#include <cstddef>
#include <memory>
#include <string>

namespace algoscope {

// Times the work the calling thread queues in a device's space between start() and stop_ms(), on
// the device's own clock (CUDA events on the thread's stream): a kernel's time without the
// launch overhead and the host's wait that a host clock around a synchronize also counts. One
// timer serves one thread.
class DeviceTimer {
 public:
  virtual ~DeviceTimer() = default;
  virtual void start() = 0;
  // Waits for the work queued since start() and returns its duration in milliseconds.
  virtual double stop_ms() = 0;
};

class MemorySpace {
 public:
  virtual ~MemorySpace() = default;
  // "cuda:0", say: names the space in transfer steps, reports and errors.
  virtual std::string name() const = 0;
  // At least `bytes` bytes, 256-byte aligned; throws Error with the device's message on failure.
  virtual void* allocate(size_t bytes) = 0;
  virtual void deallocate(void* data) noexcept = 0;
  // Copies between host memory and this space, ordered after the work already queued in this
  // space. copy_from_host returns once `source` may be reused; copy_to_host once the bytes are
  // on the host.
  virtual void copy_from_host(void* destination, const void* source, size_t bytes) = 0;
  virtual void copy_to_host(void* destination, const void* source, size_t bytes) = 0;
  // Waits until every queued kernel and copy of the calling thread in this space has finished:
  // timings read the clock only after it.
  virtual void synchronize() = 0;
  // A timer on the device's clock, or nullptr where the space has none (its kernels are then
  // timed by the host clock around synchronize()).
  virtual std::unique_ptr<DeviceTimer> make_timer() { return nullptr; }
};

// A printable name for a space: "host" for nullptr.
inline std::string space_name(const MemorySpace* space) {
  return space ? space->name() : std::string("host");
}

// One buffer in a space (nullptr: host memory), freed with it.
class SpaceBuffer {
 public:
  SpaceBuffer() = default;
  SpaceBuffer(MemorySpace* space, size_t bytes);
  ~SpaceBuffer();
  SpaceBuffer(SpaceBuffer&& other) noexcept;
  SpaceBuffer& operator=(SpaceBuffer&& other) noexcept;
  SpaceBuffer(const SpaceBuffer&) = delete;
  SpaceBuffer& operator=(const SpaceBuffer&) = delete;

  void* data() const { return data_; }
  size_t bytes() const { return bytes_; }
  MemorySpace* space() const { return space_; }

 private:
  void release() noexcept;
  MemorySpace* space_ = nullptr;
  void* data_ = nullptr;
  size_t bytes_ = 0;
};

// Copies `bytes` from one space to another (either may be the host, nullptr).
void copy_between(MemorySpace* to, void* destination, MemorySpace* from, const void* source,
                  size_t bytes);

}  // namespace algoscope
