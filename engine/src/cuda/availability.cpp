// Finding the CUDA backend at run time (backend.h says why it is loaded lazily). The NVIDIA
// driver is asked first, through libcuda.so.1's own C API (cuInit, cuDeviceGetCount,
// cuDriverGetVersion), which costs milliseconds; only when it reports a device recent enough is
// the module with cuDNN and cuBLAS loaded. Every failure becomes the reason that each GPU
// algorithm gives for not applying, so nothing crashes and default plans never pick one.
#include <dlfcn.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "algoscope/error.h"
#include "algoscope/registry.h"
#include "cuda/backend.h"

namespace algoscope::cuda {
namespace {

// The CUDA version the module is compiled for (13.0): an older driver cannot run its kernels.
constexpr int kRequiredDriverVersion = 13000;

std::string driver_error(void* libcuda, int code) {
  using GetName = int (*)(int, const char**);
  auto get_name = reinterpret_cast<GetName>(dlsym(libcuda, "cuGetErrorName"));
  const char* name = nullptr;
  if (get_name && get_name(code, &name) == 0 && name) return name;
  return "error " + std::to_string(code);
}

// Where libalgoscope.so itself lives: the module is installed and built next to it.
std::filesystem::path engine_folder() {
  Dl_info info{};
  if (dladdr(reinterpret_cast<void*>(&availability), &info) && info.dli_fname)
    return std::filesystem::path(info.dli_fname).parent_path();
  return {};
}

// What the NVIDIA driver says, asked once: the devices' names, or why there are none.
struct Driver {
  std::vector<std::string> devices;
  std::string reason;  // set when there are no devices
};

Driver probe_driver() {
  Driver d;
#ifndef ALGOSCOPE_HAVE_CUDA
  d.reason =
      "this algoscope was built without CUDA (configure it where the CUDA toolkit, cuDNN and "
      "cuBLAS are installed; see the README)";
  return d;
#else
  if (const char* off = std::getenv("ALGOSCOPE_DISABLE_CUDA"); off && *off && *off != '0') {
    d.reason = "CUDA is disabled by ALGOSCOPE_DISABLE_CUDA";
    return d;
  }
  // Never closed: the driver stays loaded for the life of the process, as CUDA expects.
  void* libcuda = dlopen("libcuda.so.1", RTLD_NOW | RTLD_LOCAL);
  if (!libcuda) {
    d.reason = "no CUDA device: the NVIDIA driver (libcuda.so.1) is not installed";
    return d;
  }
  using Init = int (*)(unsigned);
  using IntQuery = int (*)(int*);
  using DeviceGet = int (*)(int*, int);
  using DeviceName = int (*)(char*, int, int);
  auto init = reinterpret_cast<Init>(dlsym(libcuda, "cuInit"));
  auto count = reinterpret_cast<IntQuery>(dlsym(libcuda, "cuDeviceGetCount"));
  auto version = reinterpret_cast<IntQuery>(dlsym(libcuda, "cuDriverGetVersion"));
  auto device_get = reinterpret_cast<DeviceGet>(dlsym(libcuda, "cuDeviceGet"));
  auto device_name = reinterpret_cast<DeviceName>(dlsym(libcuda, "cuDeviceGetName"));
  if (!init || !count || !version || !device_get || !device_name) {
    d.reason = "no CUDA device: libcuda.so.1 lacks the driver API";
    return d;
  }
  int driver = 0;
  version(&driver);
  if (driver < kRequiredDriverVersion) {
    d.reason = "the NVIDIA driver supports CUDA " + std::to_string(driver / 1000) + "." +
               std::to_string(driver % 1000 / 10) + "; the GPU algorithms need CUDA " +
               std::to_string(kRequiredDriverVersion / 1000) + ".0 or newer";
    return d;
  }
  if (int status = init(0); status != 0) {
    d.reason = "no CUDA device: the driver could not start (" + driver_error(libcuda, status) + ")";
    return d;
  }
  int devices = 0;
  if (int status = count(&devices); status != 0 || devices == 0) {
    d.reason = "no CUDA device: the driver reports none";
    return d;
  }
  for (int i = 0; i < devices; ++i) {
    int handle = 0;
    char name[256] = {};
    if (device_get(&handle, i) != 0 || device_name(name, int(sizeof name) - 1, handle) != 0)
      std::snprintf(name, sizeof name, "CUDA device %d", i);
    d.devices.push_back(name);
  }
  return d;
#endif
}

const Driver& driver() {
  static const Driver d = probe_driver();
  return d;
}

// The device picked by select_gpu_device, and whether the backend has been started (after which
// the choice is fixed for the process).
std::mutex selection_mutex;
std::optional<int> selected;
bool started = false;

int device_from_environment() {
  const char* chosen = std::getenv("ALGOSCOPE_CUDA_DEVICE");
  return chosen && *chosen ? std::atoi(chosen) : 0;
}

Availability start() {
  Availability a;
  const Driver& d = driver();
  if (d.devices.empty()) {
    a.reason = d.reason;
    return a;
  }
  int device = 0;
  {
    std::lock_guard lock(selection_mutex);
    started = true;
    device = selected.value_or(device_from_environment());
  }
  if (device < 0 || device >= int(d.devices.size())) {
    a.reason = "CUDA device " + std::to_string(device) +
               " was asked for (ALGOSCOPE_CUDA_DEVICE or "
               "the explorer's run settings), but the driver reports " +
               std::to_string(d.devices.size()) + " device(s), numbered from 0";
    return a;
  }
#ifdef ALGOSCOPE_HAVE_CUDA
  std::filesystem::path module_path = ALGOSCOPE_CUDA_MODULE_NAME;
  if (const char* path = std::getenv("ALGOSCOPE_CUDA_MODULE"); path && *path)
    module_path = path;
  else if (auto folder = engine_folder(); !folder.empty())
    module_path = folder / module_path;
  void* handle = dlopen(module_path.c_str(), RTLD_NOW | RTLD_LOCAL);
  if (!handle) {
    a.reason = "the CUDA backend could not be loaded: " + std::string(dlerror());
    return a;
  }
  using Entry = Module* (*)(int, int, std::string*);
  auto entry = reinterpret_cast<Entry>(dlsym(handle, "algoscope_cuda_backend"));
  if (!entry) {
    a.reason = "the CUDA backend '" + module_path.string() + "' lacks algoscope_cuda_backend";
    return a;
  }
  std::string error;
  a.module = entry(ALGOSCOPE_CUDA_MODULE_ABI, device, &error);
  if (!a.module) a.reason = "the CUDA backend did not start: " + error;
#endif
  return a;
}

}  // namespace

const Availability& availability() {
  static const Availability a = start();
  return a;
}

Algorithm algorithm(const std::string& family, int variant) {
  Algorithm a;
  a.backend = algoscope::Backend::Cuda;
  // A host clamp after a device kernel would read device memory: GPU kernels apply the node's
  // fused activation themselves.
  a.applies_activation = true;
  // Below every CPU algorithm: a default plan stays on the host, where its inputs are; GPU
  // algorithms are chosen by the user, a plan or tuning.
  a.default_priority = -100;
  a.not_applicable = [family, variant](const Layer& layer) -> std::optional<std::string> {
    if (layer.node && layer.n().activation && !layer.n().activation->is_clamp())
      return "the fused " + layer.n().activation->op +
             " runs on the host only (the GPU kernels' epilogues clamp)";
    const Availability& cuda = availability();
    if (!cuda.module) return cuda.reason;
    return cuda.module->why_not(family, variant, layer);
  };
  a.workspace_bytes = [family, variant](const Layer& layer) -> size_t {
    const Availability& cuda = availability();
    return cuda.module ? cuda.module->workspace_bytes(family, variant, layer) : 0;
  };
  a.prepare = [family, variant](const Layer& layer) -> std::unique_ptr<Kernel> {
    const Availability& cuda = availability();
    if (!cuda.module) throw Error(cuda.reason);
    return cuda.module->prepare(family, variant, layer);
  };
  return a;
}

}  // namespace algoscope::cuda

namespace algoscope {

GpuDevices gpu_devices() {
  const cuda::Driver& d = cuda::driver();
  GpuDevices list{d.devices, d.reason, 0, false};
  std::lock_guard lock(cuda::selection_mutex);
  list.selected = cuda::selected.value_or(cuda::device_from_environment());
  list.started = cuda::started;
  return list;
}

void select_gpu_device(int index) {
  const cuda::Driver& d = cuda::driver();
  if (d.devices.empty()) throw Error("no GPU to select: " + d.reason);
  if (index < 0 || index >= int(d.devices.size()))
    throw Error("there is no CUDA device " + std::to_string(index) + "; the driver reports " +
                std::to_string(d.devices.size()) + " device(s), numbered from 0");
  std::lock_guard lock(cuda::selection_mutex);
  const int current = cuda::selected.value_or(cuda::device_from_environment());
  if (cuda::started && index != current)
    throw Error("the GPU algorithms already run on CUDA device " + std::to_string(current) +
                "; a process picks its device before the first GPU algorithm is used (restart "
                "to change it)");
  cuda::selected = index;
}

}  // namespace algoscope
