// The cuda_pool family: MaxPool, AveragePool, GlobalAveragePool and GlobalMaxPool on the device
// (the variant is the op, variants.h). The window comes from the engine's own pool_geometry /
// make_window, so pads, auto_pad, strides, dilations and ceil_mode resolve exactly as on the host
// and the kernel only walks the numbers. MaxPool's optional Indices output is not computed here
// (the algorithm refuses such a layer).
#include "cuda/variants.h"
#include "device_ops.h"
#include "family.h"
#include "ops/pool/pool.h"
#include "ops/pool/pooling_kernels.h"
#include "runtime.h"

namespace algoscope::cuda {
namespace {

PoolWindow pool_window(const ops::Window& w) {
  if (w.rank() < 1 || w.rank() > size_t(kMaxPoolRank))
    throw Error("the CUDA pooling kernel takes 1 to 3 spatial axes, not " +
                std::to_string(w.rank()));
  PoolWindow p;
  p.rank = int(w.rank());
  for (size_t a = 0; a < w.rank(); ++a) {
    p.input[a] = w.input[a], p.kernel[a] = w.kernel[a], p.strides[a] = w.strides[a];
    p.dilations[a] = w.dilations[a], p.pad_begin[a] = w.pad_begin[a];
    p.pad_end[a] = w.pad_end[a], p.output[a] = w.output[a];
  }
  return p;
}

class WindowPoolKernel final : public DeviceKernel {
 public:
  WindowPoolKernel(const Layer& layer, int variant)
      : max_(variant == kMaxPool), include_pad_(layer.n().attr_int("count_include_pad", 0) != 0) {
    const ops::pool::PoolGeometry g = ops::pool::pool_geometry(layer);
    planes_ = g.batch * g.channels;
    window_ = pool_window(g.window);
  }
  void run(KernelIO& io) override {
    const float* x = io.inputs[0]->data<float>();
    float* y = io.outputs[0]->data<float>();
    check(max_ ? max_pool(x, y, planes_, window_, stream())
               : average_pool(x, y, planes_, window_, include_pad_, stream()),
          "launching the pooling kernel");
  }

 private:
  bool max_, include_pad_;
  int64_t planes_ = 0;
  PoolWindow window_;
};

class GlobalPoolKernel final : public DeviceKernel {
 public:
  GlobalPoolKernel(const Layer& layer, int variant) : average_(variant == kGlobalAveragePool) {
    const Shape& x = layer.inputs[0].shape;
    planes_ = x[0] * x[1];
    size_ = planes_ ? shape_numel(x) / planes_ : 0;
  }
  void run(KernelIO& io) override {
    check(global_pool(io.inputs[0]->data<float>(), io.outputs[0]->data<float>(), planes_, size_,
                      average_, stream()),
          "launching the global pooling kernel");
  }

 private:
  bool average_;
  int64_t planes_ = 0, size_ = 0;
};

}  // namespace

Family cuda_pool_family() {
  Family f;
  f.why_not = [](int variant, const Layer& layer) -> std::optional<std::string> {
    if (auto problem = common_problem({"pooling", kMaxPool, kGlobalMaxPool}, variant, layer))
      return problem;
    if (variant == kMaxPool && layer.n().outputs.size() > 1 && !layer.n().outputs[1].empty())
      return std::string("MaxPool's Indices output is not computed by the CUDA kernel");
    if (variant == kMaxPool || variant == kAveragePool) {
      pool_window(ops::pool::pool_geometry(layer).window);  // throws with what is wrong
    } else if (layer.inputs[0].shape.size() < 3) {
      return std::string("a global pool needs an input of rank 3 or more");
    }
    return std::nullopt;
  };
  f.prepare = [](int variant, const Layer& layer) -> std::unique_ptr<Kernel> {
    if (variant == kMaxPool || variant == kAveragePool)
      return std::make_unique<WindowPoolKernel>(layer, variant);
    return std::make_unique<GlobalPoolKernel>(layer, variant);
  };
  return f;
}

}  // namespace algoscope::cuda
