// The backend's runtime (runtime.h): errors, per-thread streams and handles, device memory.
#include "runtime.h"

#include <cstdlib>
#include <cstring>

namespace algoscope::cuda {

void check(cudaError_t status, const std::string& what) {
  if (status != cudaSuccess)
    throw Error(what + ": " + cudaGetErrorName(status) + " (" + cudaGetErrorString(status) + ")");
}

void check(cudnnStatus_t status, const std::string& what) {
  if (status != CUDNN_STATUS_SUCCESS) {
    char detail[512] = {};
    cudnnGetLastErrorString(detail, sizeof detail);
    throw Error(what + ": " + cudnnGetErrorString(status) +
                (detail[0] ? std::string(" (") + detail + ")" : ""));
  }
}

void check(cublasStatus_t status, const std::string& what) {
  if (status != CUBLAS_STATUS_SUCCESS)
    throw Error(what + ": " + cublasGetStatusName(status) + " (" + cublasGetStatusString(status) +
                ")");
}

namespace {

// One per thread that touches the device; destroyed with the thread.
struct ThreadContext {
  cudaStream_t stream = nullptr;
  cudnnHandle_t cudnn = nullptr;
  cublasHandle_t cublas = nullptr;
  cublasLtHandle_t cublaslt = nullptr;
  // Page-locked host memory that transfers go through: the DMA engine reads and writes it
  // directly, where a copy from pageable memory is staged by the driver in small chunks.
  void* staging = nullptr;
  size_t staging_bytes = 0;
  ThreadContext() {
    // The current device is per thread in the runtime API.
    check(cudaSetDevice(device_space().device()), "selecting " + device_space().name());
    check(cudaStreamCreateWithFlags(&stream, cudaStreamNonBlocking), "creating a CUDA stream");
  }
  ~ThreadContext() {
    // Errors are ignored here: at thread or process exit the driver may already be gone.
    if (cublaslt) cublasLtDestroy(cublaslt);
    if (cublas) cublasDestroy(cublas);
    if (cudnn) cudnnDestroy(cudnn);
    if (stream) cudaStreamDestroy(stream);
    if (staging) cudaFreeHost(staging);
  }
  // The staging buffer, at least `bytes` long; the stream is idle when it returns, so no queued
  // copy still reads the old contents.
  void* stage(size_t bytes) {
    check(cudaStreamSynchronize(stream), "waiting for the stream before staging");
    if (bytes > staging_bytes) {
      if (staging) cudaFreeHost(staging);
      staging = nullptr;
      staging_bytes = 0;
      check(cudaHostAlloc(&staging, bytes, cudaHostAllocDefault),
            "allocating " + std::to_string(bytes) + " bytes of pinned staging memory");
      staging_bytes = bytes;
    }
    return staging;
  }
};

// Below this size the driver's own pageable path costs less than a second host copy.
constexpr size_t kStagingThreshold = size_t{1} << 16;

ThreadContext& context() {
  thread_local ThreadContext c;
  return c;
}

}  // namespace

cudaStream_t stream() { return context().stream; }

cudnnHandle_t cudnn() {
  ThreadContext& c = context();
  if (!c.cudnn) {
    check(cudnnCreate(&c.cudnn), "creating a cuDNN handle");
    check(cudnnSetStream(c.cudnn, c.stream), "binding cuDNN to the thread's stream");
  }
  return c.cudnn;
}

cublasHandle_t cublas() {
  ThreadContext& c = context();
  if (!c.cublas) {
    check(cublasCreate(&c.cublas), "creating a cuBLAS handle");
    check(cublasSetStream(c.cublas, c.stream), "binding cuBLAS to the thread's stream");
  }
  return c.cublas;
}

cublasLtHandle_t cublaslt() {
  ThreadContext& c = context();
  if (!c.cublaslt) check(cublasLtCreate(&c.cublaslt), "creating a cuBLASLt handle");
  return c.cublaslt;
}

void* DeviceSpace::allocate(size_t bytes) {
  context();  // cudaMalloc allocates on the calling thread's current device: make it ours
  void* p = nullptr;
  check(cudaMalloc(&p, bytes), "allocating " + std::to_string(bytes) + " bytes on " + name());
  return p;
}

void DeviceSpace::deallocate(void* data) noexcept { cudaFree(data); }

void DeviceSpace::copy_from_host(void* destination, const void* source, size_t bytes) {
  // Either way the caller may reuse `source` at once: small copies from pageable memory return
  // once the driver has staged them, large ones were copied into the pinned buffer first. The
  // copy itself is ordered on the stream before later kernels.
  const void* from = source;
  if (bytes >= kStagingThreshold) {
    void* staging = context().stage(bytes);
    std::memcpy(staging, source, bytes);
    from = staging;
  }
  check(cudaMemcpyAsync(destination, from, bytes, cudaMemcpyHostToDevice, stream()),
        "copying " + std::to_string(bytes) + " bytes to " + name());
}

void DeviceSpace::copy_to_host(void* destination, const void* source, size_t bytes) {
  void* to = bytes >= kStagingThreshold ? context().stage(bytes) : destination;
  check(cudaMemcpyAsync(to, source, bytes, cudaMemcpyDeviceToHost, stream()),
        "copying " + std::to_string(bytes) + " bytes from " + name());
  check(cudaStreamSynchronize(stream()), "waiting for a copy from " + name());
  if (to != destination) std::memcpy(destination, to, bytes);
}

void DeviceSpace::synchronize() { check(cudaStreamSynchronize(stream()), "waiting for " + name()); }

namespace {

// Two events on the stream of the thread that made the timer; their difference is the time the
// device spent between them (resolution about half a microsecond).
class EventTimer final : public DeviceTimer {
 public:
  EventTimer() : stream_(stream()) {
    check(cudaEventCreate(&start_), "creating a CUDA event");
    check(cudaEventCreate(&stop_), "creating a CUDA event");
  }
  ~EventTimer() override {
    cudaEventDestroy(start_);
    cudaEventDestroy(stop_);
  }
  EventTimer(const EventTimer&) = delete;
  EventTimer& operator=(const EventTimer&) = delete;
  void start() override { check(cudaEventRecord(start_, stream_), "recording a CUDA event"); }
  double stop_ms() override {
    check(cudaEventRecord(stop_, stream_), "recording a CUDA event");
    check(cudaEventSynchronize(stop_), "waiting for a CUDA event");
    float ms = 0;
    check(cudaEventElapsedTime(&ms, start_, stop_), "reading CUDA events");
    return ms;
  }

 private:
  cudaStream_t stream_;
  cudaEvent_t start_ = nullptr, stop_ = nullptr;
};

}  // namespace

std::unique_ptr<DeviceTimer> DeviceSpace::make_timer() { return std::make_unique<EventTimer>(); }

namespace {
int chosen_device = 0;
}  // namespace

void use_device(int device) {
  chosen_device = device;
  check(cudaSetDevice(device), "selecting CUDA device " + std::to_string(device));
}

DeviceSpace& device_space() {
  static DeviceSpace space(chosen_device);
  return space;
}

DeviceCopy::DeviceCopy(const Tensor& host) : DeviceCopy(host.raw(), host.bytes()) {}

DeviceCopy::DeviceCopy(const void* host, size_t bytes) : buffer_(&device_space(), bytes) {
  device_space().copy_from_host(buffer_.data(), host, bytes);
  device_space().synchronize();  // prepare may run on another thread than the kernels
}

}  // namespace algoscope::cuda
