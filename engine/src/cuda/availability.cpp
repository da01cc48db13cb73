// Finding the CUDA backend at run time (backend.h says why it is loaded lazily). The NVIDIA
// driver is asked first, through libcuda.so.1's own C API (cuInit, cuDeviceGetCount,
// cuDriverGetVersion), which costs milliseconds; only when it reports a device recent enough is
// the module with cuDNN and cuBLAS loaded. Every failure becomes the reason that each GPU
// algorithm gives for not applying, so nothing crashes and default plans never pick one.
#include <dlfcn.h>

#include <cstdlib>
#include <filesystem>
#include <mutex>

#include "algoscope/error.h"
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

Availability probe() {
  Availability a;
#ifndef ALGOSCOPE_HAVE_CUDA
  a.reason =
      "this algoscope was built without CUDA (configure it where the CUDA toolkit, cuDNN and "
      "cuBLAS are installed; see the README)";
  return a;
#else
  if (const char* off = std::getenv("ALGOSCOPE_DISABLE_CUDA"); off && *off && *off != '0') {
    a.reason = "CUDA is disabled by ALGOSCOPE_DISABLE_CUDA";
    return a;
  }
  // Never closed: the driver stays loaded for the life of the process, as CUDA expects.
  void* libcuda = dlopen("libcuda.so.1", RTLD_NOW | RTLD_LOCAL);
  if (!libcuda) {
    a.reason = "no CUDA device: the NVIDIA driver (libcuda.so.1) is not installed";
    return a;
  }
  using Init = int (*)(unsigned);
  using IntQuery = int (*)(int*);
  auto init = reinterpret_cast<Init>(dlsym(libcuda, "cuInit"));
  auto count = reinterpret_cast<IntQuery>(dlsym(libcuda, "cuDeviceGetCount"));
  auto version = reinterpret_cast<IntQuery>(dlsym(libcuda, "cuDriverGetVersion"));
  if (!init || !count || !version) {
    a.reason = "no CUDA device: libcuda.so.1 lacks the driver API";
    return a;
  }
  int driver = 0;
  version(&driver);
  if (driver < kRequiredDriverVersion) {
    a.reason = "the NVIDIA driver supports CUDA " + std::to_string(driver / 1000) + "." +
               std::to_string(driver % 1000 / 10) + "; the GPU algorithms need CUDA " +
               std::to_string(kRequiredDriverVersion / 1000) + ".0 or newer";
    return a;
  }
  if (int status = init(0); status != 0) {
    a.reason = "no CUDA device: the driver could not start (" + driver_error(libcuda, status) + ")";
    return a;
  }
  int devices = 0;
  if (int status = count(&devices); status != 0 || devices == 0) {
    a.reason = "no CUDA device: the driver reports none";
    return a;
  }
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
  using Entry = Module* (*)(int, std::string*);
  auto entry = reinterpret_cast<Entry>(dlsym(handle, "algoscope_cuda_backend"));
  if (!entry) {
    a.reason = "the CUDA backend '" + module_path.string() + "' lacks algoscope_cuda_backend";
    return a;
  }
  std::string error;
  a.module = entry(ALGOSCOPE_CUDA_MODULE_ABI, &error);
  if (!a.module) a.reason = "the CUDA backend did not start: " + error;
  return a;
#endif
}

}  // namespace

const Availability& availability() {
  static const Availability a = probe();
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
