// The backend's runtime (runtime.h): errors, per-thread streams and handles, device memory.
#include "runtime.h"

#include <cstdlib>

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
  }
};

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
  void* p = nullptr;
  check(cudaMalloc(&p, bytes), "allocating " + std::to_string(bytes) + " bytes on " + name());
  return p;
}

void DeviceSpace::deallocate(void* data) noexcept { cudaFree(data); }

void DeviceSpace::copy_from_host(void* destination, const void* source, size_t bytes) {
  // From pageable memory the call returns once the source has been staged, so the caller may
  // reuse it at once; the copy itself is ordered on the stream before later kernels.
  check(cudaMemcpyAsync(destination, source, bytes, cudaMemcpyHostToDevice, stream()),
        "copying " + std::to_string(bytes) + " bytes to " + name());
}

void DeviceSpace::copy_to_host(void* destination, const void* source, size_t bytes) {
  check(cudaMemcpyAsync(destination, source, bytes, cudaMemcpyDeviceToHost, stream()),
        "copying " + std::to_string(bytes) + " bytes from " + name());
  check(cudaStreamSynchronize(stream()), "waiting for a copy from " + name());
}

void DeviceSpace::synchronize() { check(cudaStreamSynchronize(stream()), "waiting for " + name()); }

DeviceSpace& device_space() {
  static DeviceSpace space([] {
    const char* chosen = std::getenv("ALGOSCOPE_CUDA_DEVICE");
    return chosen && *chosen ? std::atoi(chosen) : 0;
  }());
  return space;
}

DeviceCopy::DeviceCopy(const Tensor& host) : DeviceCopy(host.raw(), host.bytes()) {}

DeviceCopy::DeviceCopy(const void* host, size_t bytes) : buffer_(&device_space(), bytes) {
  device_space().copy_from_host(buffer_.data(), host, bytes);
  device_space().synchronize();  // prepare may run on another thread than the kernels
}

}  // namespace algoscope::cuda
