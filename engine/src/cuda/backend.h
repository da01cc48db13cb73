// The seam between the engine and its CUDA backend. The GPU code (engine/cuda/, built as the
// module libalgoscope_cuda.so when the CUDA toolkit, cuDNN and cuBLAS are found) links CUDA's
// libraries; the engine does not. It loads the module the first time a GPU algorithm is asked
// about, and only after the NVIDIA driver has said a device exists, so a process that never
// touches a GPU (or has none) never pays for loading cuDNN and cuBLAS (about 0.8 s), and a
// machine without them still runs everything else. GPU algorithms are listed in the op registries
// like any other; their functions forward here with a family and a variant (variants.h).
#pragma once

#include <memory>
#include <optional>
#include <string>

#include "algoscope/memory_space.h"
#include "algoscope/registry.h"

namespace algoscope::cuda {

// What the module offers. One instance per process, for the device the engine picked
// (select_gpu_device, ALGOSCOPE_CUDA_DEVICE, else 0).
class Module {
 public:
  virtual ~Module() = default;
  // The device's memory; its copies and kernels run on a stream of the calling thread.
  virtual MemorySpace& space() = 0;
  // "NVIDIA H100 80GB HBM3 (compute 9.0), driver 13.0, CUDA runtime 13.0, cuDNN 9.19.0,
  // cuBLAS 13.1.0": names the device in reports and keys the tuning cache.
  virtual std::string device_description() const = 0;
  // A GPU algorithm is `variant` of `family` (variants.h). Empty when it computes this layer,
  // else the reason (cuDNN's own status where cuDNN decides).
  virtual std::optional<std::string> why_not(const std::string& family, int variant,
                                             const Layer& layer) = 0;
  virtual size_t workspace_bytes(const std::string& family, int variant, const Layer& layer) = 0;
  virtual std::unique_ptr<Kernel> prepare(const std::string& family, int variant,
                                          const Layer& layer) = 0;
};

// The backend, or why there is none: built without CUDA, no driver, no device, a driver too old,
// the module or a CUDA library missing, or disabled by ALGOSCOPE_DISABLE_CUDA=1. Probed once per
// process; thread-safe.
struct Availability {
  Module* module = nullptr;
  std::string reason;  // set when module is null
};
const Availability& availability();

// A registry entry's backend, applicability, workspace and prepare for a GPU algorithm; the
// registry adds its name, texts and tolerance.
Algorithm algorithm(const std::string& family, int variant);

}  // namespace algoscope::cuda

// The module's one export: the backend on CUDA device `device`, or null with a message in `error`.
#define ALGOSCOPE_CUDA_MODULE_ABI 4
extern "C" algoscope::cuda::Module* algoscope_cuda_backend(int abi, int device, std::string* error);
