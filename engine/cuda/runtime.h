// The CUDA runtime of the backend: errors as the engine's Error with CUDA's, cuDNN's or cuBLAS's
// own message; the device's memory space; and per-thread streams and library handles (cuDNN and
// cuBLAS handles are not safe to share between threads, and a stream per thread lets sessions
// on several threads run side by side).
#pragma once

#include <cublasLt.h>
#include <cublas_v2.h>
#include <cuda_runtime.h>
#include <cudnn.h>

#include <string>

#include "algoscope/error.h"
#include "algoscope/memory_space.h"
#include "algoscope/registry.h"

namespace algoscope::cuda {

// Throw Error("<what>: <library's message>") unless the call succeeded.
void check(cudaError_t status, const std::string& what);
void check(cudnnStatus_t status, const std::string& what);
void check(cublasStatus_t status, const std::string& what);

// The calling thread's stream and handles (created on first use, bound to that stream).
cudaStream_t stream();
cudnnHandle_t cudnn();
cublasHandle_t cublas();
cublasLtHandle_t cublaslt();

// Device memory. Copies run on the calling thread's stream; copy_to_host waits for it.
class DeviceSpace final : public MemorySpace {
 public:
  explicit DeviceSpace(int device) : device_(device) {}
  std::string name() const override { return "cuda:" + std::to_string(device_); }
  int device() const { return device_; }
  void* allocate(size_t bytes) override;
  void deallocate(void* data) noexcept override;
  void copy_from_host(void* destination, const void* source, size_t bytes) override;
  void copy_to_host(void* destination, const void* source, size_t bytes) override;
  void synchronize() override;
  // CUDA events recorded on the calling thread's stream.
  std::unique_ptr<DeviceTimer> make_timer() override;

 private:
  int device_;
};

// The device every GPU algorithm runs on, as the engine chose it (select_gpu_device,
// ALGOSCOPE_CUDA_DEVICE, else 0) and passed to the module's entry before anything else.
void use_device(int device);
DeviceSpace& device_space();

// A kernel that runs on the device: its KernelIO lies in device_space().
class DeviceKernel : public Kernel {
 public:
  MemorySpace* memory_space() const override { return &device_space(); }
};

// A constant input uploaded once at prepare time (weights, biases).
class DeviceCopy {
 public:
  DeviceCopy() = default;
  explicit DeviceCopy(const Tensor& host);
  DeviceCopy(const void* host, size_t bytes);
  const float* floats() const { return static_cast<const float*>(buffer_.data()); }
  void* data() const { return buffer_.data(); }

 private:
  SpaceBuffer buffer_;
};

}  // namespace algoscope::cuda
